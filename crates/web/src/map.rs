//! The map component and the community map page.
//!
//! [`MapView`] is what `ui::map` draws: the community's tiles (from its `map.*` settings), the
//! layers with their points moved into the tiles' datum, and, on a form, the fields a picked
//! point or a drawn outline is written to. [`page`] is `/map`: every module's layers of one
//! community (`Module::map_layers`), filtered by the query, beside a list of what it shows, so
//! the page reads without scripts and on a screen reader.

use askama::Template;
use axum::http::header::{self, HeaderValue};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::geo::{self, Point};
use yijia_kernel::map::{Layer, MapQuery, Shape, Tiles, ATTRIBUTION, DATUM, TIANDITU_KEY, TILES};
use yijia_kernel::permission::VIEW_COMMUNITY;
use yijia_kernel::{AppState, Error};

use crate::error::WebResult;
use crate::extract::{CurrentActor, PageCtx, Q};
use crate::page::{render, Chrome};

/// A community's tiles as its settings give them.
pub async fn tiles(state: &AppState, community_id: i64) -> yijia_kernel::Result<Tiles> {
    let get = |s| yijia_kernel::settings::get(&state.db, community_id, s);
    Ok(Tiles::from_settings(
        &get(&TILES).await?,
        &get(&TIANDITU_KEY).await?,
        &get(&DATUM).await?,
        &get(&ATTRIBUTION).await?,
    ))
}

/// Where a picked point goes: the ids of the form's fields.
#[derive(Clone, Debug, Serialize)]
pub struct Pick {
    pub lat: String,
    pub long: String,
    pub datum: String,
    pub status: String,
    pub locate: String,
    /// The point already there, in the tiles' datum.
    pub at: Option<Point>,
    pub marker: String,
    pub placed: String,
}

/// Where a drawn outline goes.
#[derive(Clone, Debug, Serialize)]
pub struct Edit {
    pub input: String,
    pub datum: String,
    pub undo: String,
    pub clear: String,
    pub corner: String,
    pub area: Option<geo::Polygons>,
}

/// A map as `ui::map` draws it.
#[derive(Clone, Debug, Serialize)]
pub struct MapView {
    pub tiles: Tiles,
    pub layers: Vec<Layer>,
    pub centre: Option<Point>,
    pub pick: Option<Pick>,
    pub edit: Option<Edit>,
    /// A smaller map on a form.
    #[serde(skip)]
    pub small: bool,
}

impl MapView {
    /// The layers over the tiles, their points moved into the tiles' datum.
    pub fn new(tiles: Tiles, layers: Vec<Layer>) -> MapView {
        let datum = tiles.datum();
        let layers = layers
            .into_iter()
            .map(|mut l| {
                for f in &mut l.features {
                    f.shape = match &f.shape {
                        Shape::Area { polygons } => Shape::Area {
                            polygons: geo::map_area(polygons, |p| datum.shown(p)),
                        },
                        Shape::Point { at } => Shape::Point { at: datum.shown(*at) },
                    };
                }
                l
            })
            .collect();
        MapView {
            tiles,
            layers,
            centre: None,
            pick: None,
            edit: None,
            small: false,
        }
    }

    /// Where the map opens when its layers are empty.
    pub fn centre(mut self, at: Option<Point>) -> MapView {
        self.centre = at.map(|p| self.tiles.datum().shown(p));
        self
    }

    /// A point picker writing to the fields `{prefix}-lat`, `{prefix}-long`, `{prefix}-datum`,
    /// with `{prefix}-status` for what it says and `{prefix}-locate` for "use where I am".
    pub fn picking(mut self, tr: &yijia_kernel::i18n::Tr, prefix: &str, at: Option<Point>) -> MapView {
        let datum = self.tiles.datum();
        self.pick = Some(Pick {
            lat: format!("{prefix}-lat"),
            long: format!("{prefix}-long"),
            datum: format!("{prefix}-datum"),
            status: format!("{prefix}-status"),
            locate: format!("{prefix}-locate"),
            at: at.map(|p| datum.shown(p)),
            marker: tr.t("map.marker"),
            placed: tr.t("map.placed"),
        });
        self.small = true;
        self
    }

    /// An outline editor writing GeoJSON to `{prefix}-area` and its datum to `{prefix}-datum`.
    pub fn editing(mut self, tr: &yijia_kernel::i18n::Tr, prefix: &str, area: Option<geo::Polygons>) -> MapView {
        let datum = self.tiles.datum();
        self.edit = Some(Edit {
            input: format!("{prefix}-area"),
            datum: format!("{prefix}-datum"),
            undo: format!("{prefix}-undo"),
            clear: format!("{prefix}-clear"),
            corner: tr.t("map.corner"),
            area: area.map(|a| geo::map_area(&a, |p| datum.shown(p))),
        });
        self
    }

    /// What the browser draws, as the `data-map` attribute holds it.
    pub fn data(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The features, for the list beside the map.
    pub fn count(&self) -> usize {
        self.layers.iter().map(|l| l.features.len()).sum()
    }
}

/// The page's response with the tile servers allowed as image sources, beside Yijia's own.
pub fn allow_tiles(mut res: Response, tiles: &Tiles) -> Response {
    if tiles.origins.is_empty() {
        return res;
    }
    let extra = tiles.origins.join(" ");
    let csp = crate::security::CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: blob:",
        &format!("img-src 'self' data: blob: {extra}"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    chrome: Chrome,
    community: CommunityAt,
    map: MapView,
    filters: Vec<yijia_kernel::map::Filter>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MapParams {
    pub community: Option<i64>,
}

/// `/map`: the community's map, with every layer the reader may see.
pub async fn page(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    Q(q): Q<MapParams>,
    axum::extract::Query(all): axum::extract::Query<MapQuery>,
) -> WebResult<Response> {
    if let Some(choice) = crate::choose_community(&ctx, &actor, &VIEW_COMMUNITY, q.community).await? {
        return Ok(choice);
    }
    let id = q.community.or_else(|| actor.only_community()).ok_or(Error::NotFound)?;
    let community = yijia_kernel::community::find(&ctx.state, id).await?;
    if !VIEW_COMMUNITY.allows(&actor, &community.place()) {
        return Err(Error::NotFound.into());
    }
    let mut layers = Vec::new();
    for m in ctx.state.modules.iter() {
        layers.extend(m.map_layers(&ctx.state, &actor, &community, &all, &ctx.tr).await?);
    }
    let filters = layers.iter().flat_map(|l| l.filters.clone()).collect();
    let tiles = tiles(&ctx.state, id).await?;
    let map = MapView::new(tiles.clone(), layers);
    let res = render(MapPage {
        chrome: Chrome::new(&ctx, "map.title"),
        community,
        map,
        filters,
    })?;
    Ok(allow_tiles(res, &tiles))
}
