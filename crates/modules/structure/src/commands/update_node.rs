use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::model::{Level, NodeInput};
use crate::repo;

/// Renames a row and changes its own fields (and its code, when a new one is given).
pub async fn update_node(state: &AppState, actor: &Actor, level: Level, id: i64, input: &NodeInput) -> Result<()> {
    let values = input.parse(level, false)?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = repo::ancestors(&mut tx, Some(level), id)
        .await?
        .ok_or(Error::NotFound)?;
    level.write_cap().check(actor, &here.place())?;
    let before = repo::snapshot(&mut tx, level, id).await?;
    repo::update(&mut tx, level, id, &values, now).await?;
    let after = repo::snapshot(&mut tx, level, id).await?;
    let action = format!("{}.update", level.entity());
    let entry = Entry::new(&action, level.entity(), id)
        .community(Some(here.community_id))
        .before(before.as_ref())
        .after(after.as_ref());
    audit::record(&mut tx, now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
