use yijia_kernel::audit::Entry;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{current, locked_resident, record, today_in};
use crate::model::{parse_date, Residence};
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent};

/// Takes a resident off the current lists because they moved out or died, on a day not in the
/// future. The record stays, with its history; nothing is deleted.
pub async fn leave(state: &AppState, actor: &Actor, id: i64, reason: &str, on: &str) -> Result<()> {
    let reason = Residence::parse(reason)
        .filter(|r| !r.current())
        .ok_or_else(|| Error::field("reason", "registry.bad_choice"))?;
    let mut tx = state.db.begin_write().await?;
    let (before, at) = locked_resident(&mut tx, actor, &WRITE, id).await?;
    current(&before)?;
    let day = match parse_date(on) {
        None if on.trim().is_empty() => today_in(state, &at.time_zone),
        None => return Err(Error::field("on", "registry.bad_date")),
        Some(d) if d > today_in(state, &at.time_zone) => return Err(Error::field("on", "registry.date_in_future")),
        Some(d) => d,
    };
    repo::set_left(&mut tx, id, reason.as_str(), None, state.now_ms()).await?;
    let after = repo::resident(&mut tx, id).await?;
    let action = format!("resident.{}", reason.as_str());
    let entry = Entry::new(&action, "resident", id)
        .community(Some(at.community_id))
        .before(Some(&before))
        .after(after.as_ref());
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(id),
        kind: &action,
        detail: format!("{} {day}", before.name),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(())
}
