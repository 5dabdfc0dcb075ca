use yijia_kernel::audit::Entry;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{current, locked_resident, record};
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent};

/// Merges a duplicate record into the one to keep: the duplicate leaves the lists, pointing to
/// the kept record, and its care-group tags move over. Both must be in the actor's reach.
pub async fn merge(state: &AppState, actor: &Actor, duplicate: i64, keep: i64) -> Result<()> {
    if duplicate == keep {
        return Err(Error::field("into", "registry.same_resident"));
    }
    let mut tx = state.db.begin_write().await?;
    let (dup, at) = locked_resident(&mut tx, actor, &WRITE, duplicate).await?;
    current(&dup)?;
    let (kept, _) = locked_resident(&mut tx, actor, &WRITE, keep)
        .await
        .map_err(|_| Error::field("into", "registry.bad_resident"))?;
    if kept.community_id != dup.community_id || kept.left_at.is_some() {
        return Err(Error::field("into", "registry.bad_resident"));
    }
    let now = state.now_ms();
    repo::move_tags(&mut tx, duplicate, keep, now).await?;
    repo::set_left(&mut tx, duplicate, &dup.residence, Some(keep), now).await?;
    let after = repo::resident(&mut tx, duplicate).await?;
    let entry = Entry::new("resident.merge", "resident", duplicate)
        .community(Some(at.community_id))
        .before(Some(&dup))
        .after(after.as_ref());
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(keep),
        kind: "resident.merge",
        detail: format!("#{duplicate} {} → #{keep} {}", dup.name, kept.name),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(())
}
