use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{locked, writable};
use crate::codes;
use crate::model::Level;
use crate::repo;

/// Retires a row: it stays in the records (and in history) but no longer takes new children.
/// A row with live children cannot be retired: they must be moved or retired first.
pub async fn retire_node(state: &AppState, actor: &Actor, level: Level, id: i64) -> Result<()> {
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, Some(level), id).await?;
    writable(level.write_cap(), actor, &here)?;
    if repo::live_children(&mut tx, level, id).await? > 0 {
        return Err(Error::conflict(codes::HAS_CHILDREN, "structure.has_children"));
    }
    let before = repo::snapshot(&mut tx, level, id).await?;
    repo::retire(&mut tx, level, id, now).await?;
    let after = repo::snapshot(&mut tx, level, id).await?;
    let action = format!("{}.retire", level.entity());
    let entry = Entry::new(&action, level.entity(), id)
        .community(Some(here.community_id))
        .before(before.as_ref())
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
