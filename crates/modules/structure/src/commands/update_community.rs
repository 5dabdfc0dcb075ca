use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{locked, writable};
use crate::commands::create_community::CommunityInput;
use crate::permissions::COMMUNITY_ADMIN;
use crate::repo;

/// Changes a community's name, brand, time zone and address; its code stays, since other
/// systems know the community by it (the Open311 jurisdiction).
pub async fn update_community(state: &AppState, actor: &Actor, id: i64, input: &CommunityInput) -> Result<()> {
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, None, id).await?;
    writable(&COMMUNITY_ADMIN, actor, &here)?;
    let before = repo::community_snapshot(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let values = input.over(&before)?;
    repo::update_community(&mut tx, id, &values, now).await?;
    let after = repo::community_snapshot(&mut tx, id).await?;
    let entry = Entry::new("community.update", "community", id)
        .community(Some(id))
        .before(Some(&before))
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
