use serde::Deserialize;
use yijia_kernel::audit::Entry;
use yijia_kernel::error::Message;
use yijia_kernel::vault::Vault;
use yijia_kernel::{text, Actor, AppState, FieldErrors, Result};

use super::{field, locked_household, record};
use crate::permissions::WRITE;
use crate::repo;
use crate::repo::{NewEvent, VisitRow};

/// A door visit as typed on a phone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisitInput {
    /// Who was met (names, or "nobody home").
    pub met: String,
    /// What was found: needs, conditions. Sealed, since it often touches health.
    pub findings: String,
    /// What happens next; sealed too, for the same reason.
    pub follow_up: String,
}

/// An opened visit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Visit {
    pub visit_id: i64,
    pub household_id: i64,
    pub visitor: String,
    pub visited_at: i64,
    pub met: String,
    pub findings: String,
    pub follow_up: String,
    pub appeal_id: Option<i64>,
}

pub fn open_visits(vault: &Vault, rows: Vec<VisitRow>) -> Result<Vec<Visit>> {
    rows.into_iter()
        .map(|r| {
            let open = |sealed: &Option<String>| {
                sealed
                    .as_ref()
                    .map_or(Ok(String::new()), |s| vault.open(field::FINDINGS, s))
            };
            Ok(Visit {
                findings: open(&r.findings_sealed)?,
                follow_up: open(&r.follow_up_sealed)?,
                visit_id: r.visit_id,
                household_id: r.household_id,
                visitor: r.visitor_label,
                visited_at: r.visited_at,
                met: r.met,
                appeal_id: r.appeal_id,
            })
        })
        .collect()
}

/// Logs a visit to a household, now, by the actor (the grid worker of its grid, or staff).
pub async fn log_visit(state: &AppState, actor: &Actor, household_id: i64, input: &VisitInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let met = text::optional(&mut errs, "met", &input.met, 200);
    let findings = text::optional(&mut errs, "findings", &input.findings, 2000);
    let follow_up = text::optional(&mut errs, "follow_up", &input.follow_up, 1000);
    if met.is_empty() && findings.is_empty() {
        errs.add("findings", Message::new("registry.visit_empty"));
    }
    errs.into_result()?;
    let mut tx = state.db.begin_write().await?;
    let at = locked_household(&mut tx, household_id).await?;
    WRITE.check(actor, &at.place())?;
    let now = state.now_ms();
    let seal = |text: &str| (!text.is_empty()).then(|| state.vault.seal(field::FINDINGS, text));
    let (findings, follow_up) = (seal(&findings), seal(&follow_up));
    let id = repo::insert_visit(
        &mut tx,
        &at,
        actor,
        now,
        &met,
        findings.as_deref(),
        follow_up.as_deref(),
        now,
    )
    .await?;
    // The audit and the history say that a visit was made; what was found stays in the visit.
    let entry = Entry::new("visit.create", "visit", id)
        .community(Some(at.community_id))
        .after(Some(&serde_json::json!({ "household_id": household_id })));
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(household_id),
        resident_id: None,
        kind: "visit.create",
        detail: actor.display_name.clone(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(id)
}
