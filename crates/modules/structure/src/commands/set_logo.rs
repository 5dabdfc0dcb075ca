use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{files, Actor, AppState, Result};

use crate::permissions::COMMUNITY_ADMIN;
use crate::repo;

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Replaces a community's logo with an uploaded PNG or JPEG (metadata stripped).
pub async fn set_logo(state: &AppState, actor: &Actor, id: i64, bytes: &[u8]) -> Result<String> {
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = super::locked(&mut tx, None, id).await?;
    super::writable(&COMMUNITY_ADMIN, actor, &here)?;
    let before = repo::community_snapshot(&mut tx, id).await?;
    let file = files::store_image(&mut tx, state, "logo", bytes, MAX_LOGO_BYTES, now).await?;
    repo::set_logo(&mut tx, id, &file.sha256, now).await?;
    let after = repo::community_snapshot(&mut tx, id).await?;
    let entry = Entry::new("community.logo", "community", id)
        .community(Some(id))
        .before(before.as_ref())
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(file.sha256)
}
