//! Reminders: a day before a shift starts, everyone signed up to it is told in their inbox.
//! Every instance runs this each tick; a reminder is marked sent in the transaction that sends
//! it, and only by the instance whose update took the mark.

use yijia_kernel::clock::format_local;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{AppState, Result};

use crate::repo;

/// How long before a shift its volunteers are reminded.
pub const AHEAD_MS: i64 = 24 * 3_600_000;

/// Sends the reminders due; returns how many were sent.
pub async fn remind(state: &AppState) -> Result<usize> {
    let now = state.now_ms();
    let due = repo::to_remind(&state.db, now, now + AHEAD_MS).await?;
    let mut sent = 0;
    for d in due {
        let mut tx = state.db.begin_write().await?;
        if repo::mark_reminded(&mut tx, d.signup_id, now).await? {
            let note = Note {
                community_id: Some(d.community_id),
                kind: "volunteers.note_reminder",
                args: serde_json::json!({ "title": d.title, "starts": format_local(d.starts_at, &d.time_zone) }),
                link: format!("/volunteers/activities/{}", d.activity_id),
            };
            notify::send(&mut tx, &[d.account_id], &note, now).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}
