use yijia_kernel::{Actor, AppState, Error, Result};

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
    let values = input.parse(level, true)?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let parent = repo::ancestors(&mut tx, level.parent(), parent_id)
        .await?
        .ok_or(Error::NotFound)?;
    level.write_cap().check(actor, &parent.place())?;
    let id = repo::insert(&mut tx, level, &parent, &values, now).await?;
    let after = repo::snapshot(&mut tx, level, id).await?;
    super::audit(
        &mut tx,
        now,
        actor,
        &format!("{}.create", level.entity()),
        level.entity(),
        id,
        Some(parent.community_id),
        None,
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
