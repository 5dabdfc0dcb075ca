//! The structure's layers of a community's map: its grids as areas and its buildings as points,
//! within the reader's reach (a grid worker's own grids).

use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Tr;
use yijia_kernel::map::{Feature, Layer, Shape};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Result};

use crate::permissions::READ;
use crate::places;

pub async fn layers(state: &AppState, actor: &Actor, c: &CommunityAt, tr: &Tr) -> Result<Vec<Layer>> {
    let reach = CommunityReach::of(&READ, actor, &c.place());
    if reach == CommunityReach::Nothing {
        return Ok(Vec::new());
    }
    let grids = places::grids(&state.db, c.community_id, &reach).await?;
    let buildings = places::buildings(&state.db, c.community_id, &reach).await?;
    Ok(vec![
        grid_layer(tr.t("structure.grids"), grids),
        building_layer(tr.t("structure.buildings"), buildings),
    ])
}

/// Grids as areas (those drawn), each linked to its page.
pub fn grid_layer(label: String, grids: Vec<places::GridArea>) -> Layer {
    let features = grids
        .into_iter()
        .filter_map(|g| {
            Some(Feature {
                shape: Shape::Area { polygons: g.area? },
                label: g.name,
                detail: g.code,
                href: format!("/structure/grids/{}", g.grid_id),
                tone: "",
            })
        })
        .collect();
    Layer {
        key: "grids",
        label,
        style: "grid",
        features,
        filters: Vec::new(),
        shown: true,
    }
}

/// Buildings as points (those placed), each linked to its page.
pub fn building_layer(label: String, buildings: Vec<places::BuildingPoint>) -> Layer {
    let features = buildings
        .into_iter()
        .filter_map(|b| {
            Some(Feature {
                shape: Shape::Point { at: b.at? },
                label: b.name,
                detail: b.compound,
                href: format!("/structure/buildings/{}", b.building_id),
                tone: "",
            })
        })
        .collect();
    Layer {
        key: "buildings",
        label,
        style: "building",
        features,
        filters: Vec::new(),
        shown: true,
    }
}
