use yijia_kernel::audit::Entry;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{current, locked_resident};
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent};

/// Moves a resident to another household of the same community (a new flat, another grid).
/// The actor needs the write capability over both; both households keep the line in their
/// history.
pub async fn move_resident(state: &AppState, actor: &Actor, id: i64, to_household: i64) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    let (before, from) = locked_resident(&mut tx, actor, &WRITE, id).await?;
    current(&before)?;
    let to = repo::household(&mut tx, to_household)
        .await?
        .filter(|h| h.community_id == from.community_id && h.retired_at.is_none())
        .ok_or_else(|| Error::field("to", "registry.bad_household"))?;
    WRITE.check(actor, &to.place())?;
    if to.household_id == from.household_id {
        return Err(Error::field("to", "registry.same_household"));
    }
    repo::set_household(&mut tx, id, to.household_id, state.now_ms()).await?;
    let after = repo::resident(&mut tx, id).await?;
    let entry = Entry::new("resident.move", "resident", id)
        .community(Some(from.community_id))
        .before(Some(&before))
        .after(after.as_ref());
    let detail = format!("{} → {}", from.address(), to.address());
    for household in [from.household_id, to.household_id] {
        repo::insert_event(
            &mut tx,
            &NewEvent {
                community_id: from.community_id,
                household_id: Some(household),
                resident_id: (household == to.household_id).then_some(id),
                kind: "resident.move",
                detail: format!("{}: {detail}", before.name),
            },
            state.now_ms(),
            actor,
        )
        .await?;
    }
    yijia_kernel::audit::record(&mut tx, state.vault.audit_key(), state.now_ms(), actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
