use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Result};

use super::{locked, writable};
use crate::model::{Level, NodeInput};
use crate::repo;

/// Creates a grid in a community, a building in a grid, a unit in a building or a household in
/// a unit. The actor needs the level's write capability over the parent.
pub async fn create_node(
    state: &AppState,
    actor: &Actor,
    level: Level,
    parent_id: i64,
    input: &NodeInput,
) -> Result<i64> {
    let values = input.parse(level)?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let parent = locked(&mut tx, level.parent(), parent_id).await?;
    writable(level.write_cap(), actor, &parent)?;
    let id = repo::insert(&mut tx, level, &parent, &values, now).await?;
    let after = repo::snapshot(&mut tx, level, id).await?;
    let action = format!("{}.create", level.entity());
    let entry = Entry::new(&action, level.entity(), id)
        .community(Some(parent.community_id))
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}
