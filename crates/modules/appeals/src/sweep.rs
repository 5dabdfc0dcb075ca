//! The deadline watch, run every minute by each serving instance (`Module::tick`): an appeal
//! whose current deadline is near is flagged and its handlers warned; once past, it is marked
//! overdue and escalated to the community's administrators; a day later, still open, to the
//! subdistrict's supervisors. When is decided by `model::watch`; the state is in the appeal row.

use yijia_db::{on_db, on_tx, Tx};
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{AppState, Result};

use crate::model::watch::{Event, Watch};
use crate::outgoing;
use crate::repo::{self, AppealRow};

/// Appeals looked at per tick; the rest wait for the next.
const BATCH: i64 = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub warned: usize,
    pub overdue: usize,
    pub escalated: usize,
}

pub async fn sweep(state: &AppState) -> Result<Swept> {
    let now = state.now_ms();
    // Only appeals whose instant has come (see model/watch.rs), oldest first.
    let ids: Vec<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
        "select appeal_id from appeal where watch_at <= $1 order by watch_at limit $2"
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(p)
    .await?);
    let mut out = Swept::default();
    for id in ids {
        // Read under the community's write lock, like a step: a step in flight cannot then write
        // back the watch's state as it was before this change.
        let mut tx = state.db.begin_write().await?;
        let a = match crate::commands::locked(&mut tx, id).await {
            Ok(a) => a,
            Err(yijia_kernel::Error::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let watch = a.watch();
        let event = watch.event_at(now);
        let after = event.map_or(watch, |e| watch.after(e, now));
        if claim(&mut tx, &a, event, &after).await? {
            if let Some(event) = event {
                tell(&mut tx, state, &a, event, now).await?;
                match event {
                    Event::Warn => out.warned += 1,
                    Event::Overdue => out.overdue += 1,
                    Event::Escalate => out.escalated += 1,
                }
            }
        }
        tx.commit().await?;
    }
    if out != Swept::default() {
        tracing::info!(
            warned = out.warned,
            overdue = out.overdue,
            escalated = out.escalated,
            "appeal deadlines"
        );
    }
    Ok(out)
}

/// Tells whom `event` concerns: the handlers (the desk until dispatched, then the party), the
/// community's administrators when it is overdue, the subdistrict's supervisors a day later.
async fn tell(tx: &mut Tx, state: &AppState, a: &AppealRow, event: Event, now: i64) -> Result<()> {
    let community = a.community_id;
    let note = |kind: &'static str| Note {
        community_id: Some(community),
        kind,
        args: serde_json::json!({ "id": a.appeal_id, "category": a.category_name }),
        link: format!("/appeals/{}", a.appeal_id),
    };
    let party = a.party_id.filter(|_| !a.watch().waiting_dispatch());
    // The integration hears of every event; the handling party's mailbox of its own deadlines.
    let (code, zh, mailed) = match event {
        Event::Warn => ("due_soon", "即将到期", party),
        Event::Overdue => ("overdue", "已超期", party),
        Event::Escalate => ("escalated", "超期上报街道", None),
    };
    outgoing::send(tx, state, a, outgoing::Event { code, zh }, mailed, now).await?;
    match event {
        Event::Warn => {
            let to = handlers(tx, community, party).await?;
            notify::send(tx, &to, &note("appeals.note_due_soon"), now).await
        }
        Event::Overdue => {
            let to = handlers(tx, community, party).await?;
            notify::send(tx, &to, &note("appeals.note_overdue"), now).await?;
            let admins = notify::holders(&mut *tx, community, &["community_admin"], false).await?;
            notify::send(tx, &admins, &note("appeals.note_escalated"), now).await
        }
        Event::Escalate => {
            let sups = notify::holders(&mut *tx, community, &["supervisor"], true).await?;
            notify::send(tx, &sups, &note("appeals.note_escalated"), now).await
        }
    }
}

async fn handlers(tx: &mut Tx, community: i64, party: Option<i64>) -> Result<Vec<i64>> {
    match party {
        Some(p) => repo::member_accounts_tx(tx, p).await,
        None => notify::holders(tx, community, crate::commands::DESK_ROLES, false).await,
    }
}

/// Writes the watch's new state if nobody stepped the appeal, or took this event, since it was
/// read: `true` when this call made the change. Several instances (or a restart in the middle)
/// thus tell everyone once.
async fn claim(tx: &mut Tx, a: &AppealRow, event: Option<Event>, after: &Watch<'_>) -> Result<bool> {
    let unless = match event {
        Some(Event::Warn) => "warned_at is null",
        Some(Event::Overdue) => "overdue_at is null",
        Some(Event::Escalate) => "escalation < 2",
        None => "1 = 1",
    };
    // `unless` is one of the constants above.
    let sql = format!(
        "update appeal set warned_at = $1, overdue_at = $2, escalation = $3, watch_at = $4 \
         where appeal_id = $5 and version = $6 and {unless}"
    );
    let n = on_tx!(tx, |c| sqlx::query(&sql)
        .bind(after.warned_at)
        .bind(after.overdue_at)
        .bind(after.escalation)
        .bind(after.next_at())
        .bind(a.appeal_id)
        .bind(a.version)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    Ok(n == 1)
}
