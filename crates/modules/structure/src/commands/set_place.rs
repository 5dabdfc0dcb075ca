use yijia_kernel::audit::{self, Entry};
use yijia_kernel::geo::Point;
use yijia_kernel::{Actor, AppState, Result};

use super::{locked, writable};
use crate::model::Level;
use crate::places;

/// Places (or, with `None`, unplaces) a building on the map.
pub async fn set_place(state: &AppState, actor: &Actor, building_id: i64, at: Option<Point>) -> Result<()> {
    let now = state.now_ms();
    let before = places::building_point(&state.db, building_id).await?;
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, Some(Level::Building), building_id).await?;
    writable(Level::Building.write_cap(), actor, &here)?;
    places::set_point(&mut tx, building_id, at, now).await?;
    let entry = Entry::new("building.place", "building", building_id)
        .community(Some(here.community_id))
        .before(before.as_ref())
        .after(at.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
