use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::commands::create_community::CommunityInput;
use crate::permissions::COMMUNITY_ADMIN;
use crate::repo;

/// Changes a community's name, brand, time zone and address (its code stays: other systems
/// know the community by it, e.g. as the Open311 jurisdiction).
pub async fn update_community(state: &AppState, actor: &Actor, id: i64, input: &CommunityInput) -> Result<()> {
    let values = input.parse(false)?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = repo::ancestors(&mut tx, None, id).await?.ok_or(Error::NotFound)?;
    COMMUNITY_ADMIN.check(actor, &here.place())?;
    let before = repo::community_snapshot(&mut tx, id).await?;
    repo::update_community(&mut tx, id, &values, now).await?;
    let after = repo::community_snapshot(&mut tx, id).await?;
    let entry = Entry::new("community.update", "community", id)
        .community(Some(id))
        .before(before.as_ref())
        .after(after.as_ref());
    audit::record(&mut tx, now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
