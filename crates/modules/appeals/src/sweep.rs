//! The deadline watch, run every minute by each serving instance (`Module::tick`): an appeal
//! whose current deadline is near is flagged and its handlers warned; once past, it is marked
//! overdue and escalated to the community's administrators; a day later, still open, to the
//! subdistrict's supervisors. Each change is claimed by a conditional update, so several
//! instances (or a restart in the middle) tell everyone once; the state is in the appeal row.

use yijia_db::{on_db, on_tx, Tx};
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{AppState, Result};

use crate::repo;

const HOUR: i64 = 3_600_000;
/// The longest warning ahead of a deadline; shorter deadlines are warned a quarter ahead.
const WARN_AHEAD_MS: i64 = 24 * HOUR;
/// How long an appeal stays overdue before the subdistrict hears of it.
const SUBDISTRICT_AFTER_MS: i64 = 24 * HOUR;
/// Appeals looked at per tick; the rest wait for the next.
const BATCH: i64 = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub warned: usize,
    pub overdue: usize,
    pub escalated: usize,
}

type Watch = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
);

pub async fn sweep(state: &AppState) -> Result<Swept> {
    let now = state.now_ms();
    let rows: Vec<Watch> = on_db!(&state.db, |p| sqlx::query_as(
        "select a.appeal_id, a.community_id, a.status, c.name, a.dispatch_due_at, a.reply_due_at, a.created_at, \
         a.dispatched_at, a.warned_at, a.overdue_at, a.escalation, a.party_id \
         from appeal a join appeal_category c on c.category_id = a.category_id \
         where ((a.status in ('submitted', 'accepted') and a.dispatch_due_at < $1) \
             or (a.status in ('dispatched', 'in_progress', 'return_requested') and a.reply_due_at < $1)) \
         and (a.warned_at is null or a.overdue_at is null or a.escalation < 2) \
         order by a.appeal_id limit $2"
    )
    .bind(now + WARN_AHEAD_MS)
    .bind(BATCH)
    .fetch_all(p)
    .await?);
    let mut out = Swept::default();
    for (
        id,
        community,
        status,
        category,
        dispatch_due,
        reply_due,
        created,
        dispatched,
        warned,
        overdue,
        escalation,
        party,
    ) in rows
    {
        let waiting_dispatch = matches!(status.as_str(), "submitted" | "accepted");
        let (due, start) = if waiting_dispatch {
            (dispatch_due, created)
        } else {
            (reply_due.unwrap_or(dispatch_due), dispatched.unwrap_or(created))
        };
        let note = |kind: &'static str| Note {
            community_id: Some(community),
            kind,
            args: serde_json::json!({ "id": id, "category": category }),
            link: format!("/appeals/{id}"),
        };
        // Who handles it now: the desk until dispatched, then the party.
        let party = party.filter(|_| !waiting_dispatch);
        if now >= due {
            if overdue.is_none() {
                let mut tx = state.db.begin_write().await?;
                if claim(
                    &mut tx,
                    id,
                    "overdue_at = $2, warned_at = coalesce(warned_at, $2), escalation = 1",
                    "overdue_at is null",
                    now,
                )
                .await?
                {
                    let to = handlers(&mut tx, community, party).await?;
                    notify::send(&mut tx, &to, &note("appeals.note_overdue"), now).await?;
                    let admins = notify::holders(&mut tx, community, &["community_admin"], false).await?;
                    notify::send(&mut tx, &admins, &note("appeals.note_escalated"), now).await?;
                    out.overdue += 1;
                }
                tx.commit().await?;
            } else if escalation < 2 && overdue.is_some_and(|o| now - o >= SUBDISTRICT_AFTER_MS) {
                let mut tx = state.db.begin_write().await?;
                if claim(&mut tx, id, "escalation = 2", "escalation < 2", now).await? {
                    let sups = notify::holders(&mut tx, community, &["supervisor"], true).await?;
                    notify::send(&mut tx, &sups, &note("appeals.note_escalated"), now).await?;
                    out.escalated += 1;
                }
                tx.commit().await?;
            }
        } else if warned.is_none() && now >= due - ((due - start) / 4).min(WARN_AHEAD_MS) {
            let mut tx = state.db.begin_write().await?;
            if claim(&mut tx, id, "warned_at = $2", "warned_at is null", now).await? {
                let to = handlers(&mut tx, community, party).await?;
                notify::send(&mut tx, &to, &note("appeals.note_due_soon"), now).await?;
                out.warned += 1;
            }
            tx.commit().await?;
        }
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

async fn handlers(tx: &mut Tx, community: i64, party: Option<i64>) -> Result<Vec<i64>> {
    match party {
        Some(p) => repo::member_accounts_tx(tx, p).await,
        None => notify::holders(tx, community, &["community_admin", "community_staff"], false).await,
    }
}

/// Sets `set` on the appeal if `unless` still holds: `true` when this call made the change.
async fn claim(tx: &mut Tx, id: i64, set: &str, unless: &str, now: i64) -> Result<bool> {
    // Both fragments are constants of this file.
    let sql = format!("update appeal set {set} where appeal_id = $1 and {unless}");
    let n = on_tx!(tx, |c| sqlx::query(&sql)
        .bind(id)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    Ok(n == 1)
}
