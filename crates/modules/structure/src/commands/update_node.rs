use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{locked, writable};
use crate::model::{Level, NodeInput};
use crate::repo;

/// Changes a row's code, name and own fields; the fields the input leaves out stay as they are.
pub async fn update_node(state: &AppState, actor: &Actor, level: Level, id: i64, input: &NodeInput) -> Result<()> {
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, Some(level), id).await?;
    writable(level.write_cap(), actor, &here)?;
    let before = repo::snapshot(&mut tx, level, id).await?.ok_or(Error::NotFound)?;
    let values = input.over(&before).parse(level)?;
    repo::update(&mut tx, level, id, &values, now).await?;
    let after = repo::snapshot(&mut tx, level, id).await?;
    let action = format!("{}.update", level.entity());
    let entry = Entry::new(&action, level.entity(), id)
        .community(Some(here.community_id))
        .before(Some(&before))
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
