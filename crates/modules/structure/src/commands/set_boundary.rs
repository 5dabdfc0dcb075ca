use yijia_kernel::audit::{self, Entry};
use yijia_kernel::geo::{self, Polygons};
use yijia_kernel::{Actor, AppState, Result};

use super::{locked, writable};
use crate::model::Level;
use crate::places;

/// Draws (or, with `None`, clears) a grid's boundary; the audit log keeps both outlines.
pub async fn set_boundary(state: &AppState, actor: &Actor, grid_id: i64, area: Option<&Polygons>) -> Result<()> {
    let now = state.now_ms();
    let before = places::grid_area(&state.db, grid_id).await?;
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, Some(Level::Grid), grid_id).await?;
    writable(Level::Grid.write_cap(), actor, &here)?;
    places::set_boundary(&mut tx, grid_id, area, now).await?;
    let shown = |a: Option<&Polygons>| a.map(|a| serde_json::json!({ "boundary": geo::area_json(a) }));
    let entry = Entry::new("grid.boundary", "grid", grid_id)
        .community(Some(here.community_id))
        .before(shown(before.as_ref()).as_ref())
        .after(shown(area).as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
