//! An appeal as a given reader may see it: the requester sees the public record, those who
//! handle it see internal notes too; an anonymous requester's name and number are shown to
//! nobody but themselves.

use serde::Serialize;

use crate::commands::Access;
use crate::model::machine::actions_from;
use crate::model::Status;
use crate::repo::{AppealRow, PhotoRow, StepRow};

#[derive(Debug, Clone, Serialize)]
pub struct AppealView {
    #[serde(flatten)]
    pub row: AppealRow,
    /// The deadline that applies now: to dispatch, then to reply; none once replied.
    pub due_at: Option<i64>,
    pub overdue: bool,
    pub steps: Vec<StepRow>,
    /// What this reader may do next.
    pub actions: Vec<&'static str>,
    pub cohandlers: Vec<(i64, String)>,
    pub photos: Vec<PhotoRow>,
}

/// The deadline the appeal is being held to in its current state.
pub fn due_at(a: &AppealRow) -> Option<i64> {
    match Status::parse(&a.status)? {
        Status::Submitted | Status::Accepted => Some(a.dispatch_due_at),
        Status::Dispatched | Status::InProgress | Status::ReturnRequested => a.reply_due_at,
        _ => None,
    }
}

impl AppealView {
    pub fn new(
        mut row: AppealRow,
        access: &Access,
        mut steps: Vec<StepRow>,
        cohandlers: Vec<(i64, String)>,
        photos: Vec<PhotoRow>,
        now: i64,
    ) -> AppealView {
        if !access.requester {
            row.hide_requester_from(None);
        }
        if !access.inside() {
            steps.iter_mut().for_each(|s| s.internal_note.clear());
            // Notes steps are internal by nature: a requester sees only the public ones.
            steps.retain(|s| s.action != "note" || !s.public_note.is_empty());
        }
        let due = due_at(&row);
        let actions = Status::parse(&row.status)
            .map(|s| {
                actions_from(s)
                    .into_iter()
                    .filter(|a| access.may(a.who()))
                    .map(|a| a.as_str())
                    .collect()
            })
            .unwrap_or_default();
        AppealView {
            overdue: due.is_some_and(|d| d < now),
            due_at: due,
            row,
            steps,
            actions,
            cohandlers,
            photos,
        }
    }
}

/// An appeal for this reader, or not found when they may not see it.
pub async fn load(
    state: &yijia_kernel::AppState,
    actor: &yijia_kernel::Actor,
    id: i64,
) -> yijia_kernel::Result<(AppealView, Access)> {
    use yijia_kernel::Error;
    let row = crate::repo::appeal(&state.db, id).await?.ok_or(Error::NotFound)?;
    let c = crate::commands::community(state, row.community_id).await?;
    let access = Access::of(&state.db, actor, &c, &row).await?;
    if !access.sees() {
        return Err(Error::NotFound);
    }
    let steps = crate::repo::steps(&state.db, id).await?;
    let cohandlers = crate::repo::cohandlers(&state.db, id).await?;
    let photos = crate::repo::photos(&state.db, id).await?;
    Ok((
        AppealView::new(row, &access, steps, cohandlers, photos, state.now_ms()),
        access,
    ))
}
