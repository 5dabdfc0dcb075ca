use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::geo::{self, Polygons};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{locked, writable};
use crate::permissions::COMMUNITY_ADMIN;
use crate::places;

/// The properties a GIS layer of grids names its code and its name by, in the order tried.
const CODE_KEYS: [&str; 4] = ["code", "grid_code", "编码", "网格编码"];
const NAME_KEYS: [&str; 5] = ["name", "grid_name", "名称", "网格名称", "网格"];

/// What an import did: the grids given a boundary, and the features that named no grid.
#[derive(Debug, Default, serde::Serialize)]
pub struct Imported {
    pub grids: Vec<String>,
    pub unmatched: Vec<String>,
}

/// Gives the community's grids the boundaries of a GeoJSON FeatureCollection, each feature
/// matched to a grid by its code, or else its name; all or nothing. A file in which no feature
/// names a grid is refused, so that a wrong file changes nothing.
pub async fn import_boundaries(state: &AppState, actor: &Actor, community_id: i64, json: &str) -> Result<Imported> {
    let features = geo::parse_features(json).map_err(|m| Error::field_message("file", m))?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, None, community_id).await?;
    writable(&COMMUNITY_ADMIN, actor, &here)?;
    let grids = places::grid_keys(&mut tx, community_id).await?;
    let text = |v: &serde_json::Value, keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|k| match v.get(*k)? {
            serde_json::Value::String(s) => Some(s.trim().to_owned()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let mut done = Imported::default();
    let mut chosen: Vec<(i64, String, Polygons)> = Vec::new();
    for (props, area) in features {
        let code = text(&props, &CODE_KEYS);
        let name = text(&props, &NAME_KEYS);
        let grid = grids
            .iter()
            .find(|g| code.as_deref() == Some(g.1.as_str()))
            .or_else(|| grids.iter().find(|g| name.as_deref() == Some(g.2.as_str())));
        match grid {
            Some((id, _, gname)) if !chosen.iter().any(|c| c.0 == *id) => chosen.push((*id, gname.clone(), area)),
            Some(_) => {}
            None => done.unmatched.push(name.or(code).unwrap_or_else(|| "?".to_owned())),
        }
    }
    if chosen.is_empty() {
        return Err(Error::field_message("file", Message::new("structure.no_grid_matched")));
    }
    for (id, name, area) in &chosen {
        places::set_boundary(&mut tx, *id, Some(area), now).await?;
        done.grids.push(name.clone());
        let after = serde_json::json!({ "boundary": geo::area_json(area) });
        let entry = Entry::new("grid.boundary", "grid", *id)
            .community(Some(community_id))
            .after(Some(&after));
        audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    }
    tx.commit().await?;
    Ok(done)
}
