use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{locked, writable};
use crate::codes;
use crate::model::Level;
use crate::repo;

/// Moves a building to another grid, a unit to another building or a household to another
/// unit, within the same community; everything below follows. The actor needs the write
/// capability at both ends. A target in another community is "not found", like a missing one.
pub async fn move_node(state: &AppState, actor: &Actor, level: Level, id: i64, to_parent: i64) -> Result<()> {
    if !level.movable() {
        return Err(Error::bad_request(codes::NOT_MOVABLE, "structure.not_movable"));
    }
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, Some(level), id).await?;
    writable(level.write_cap(), actor, &here)?;
    let to = repo::ancestors(&mut tx, level.parent(), to_parent)
        .await?
        .filter(|to| to.community_id == here.community_id)
        .ok_or_else(|| Error::field("to", "structure.unknown_target"))?;
    writable(level.write_cap(), actor, &to)?;
    let before = repo::snapshot(&mut tx, level, id).await?;
    repo::move_to(&mut tx, level, id, &to, now).await?;
    let after = repo::snapshot(&mut tx, level, id).await?;
    let action = format!("{}.move", level.entity());
    let entry = Entry::new(&action, level.entity(), id)
        .community(Some(here.community_id))
        .before(before.as_ref())
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
