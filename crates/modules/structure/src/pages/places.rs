//! A grid's boundary and a building's place, drawn on the map of their page, and a community's
//! grid boundaries imported at once from a GeoJSON file.

use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::geo::{self, Datum};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, Error, FieldErrors};
use yijia_web::map::MapView;
use yijia_web::{CurrentActor, PageCtx, PageForm, PageUpload, WebResult, P};

use super::is_form_error;
use crate::commands::{import_boundaries::import_boundaries, set_boundary::set_boundary, set_place::set_place};
use crate::layers::{building_layer, grid_layer};
use crate::model::{Level, Node};
use crate::places;

/// The map on a grid's or a building's page: an outline or a point to set when the reader may
/// change it, else what is there; the grid's buildings, or the building's grid, around it.
pub async fn node_map(
    ctx: &PageCtx,
    level: Level,
    node: &Node,
    can_write: bool,
) -> yijia_kernel::Result<(Option<MapView>, Stored)> {
    let tr = &ctx.tr;
    let grid_only = CommunityReach::Grids(vec![node.grid_id]);
    let tiles = yijia_web::map::tiles(&ctx.state, node.community_id).await?;
    match level {
        Level::Grid => {
            let area = places::grid_area(&ctx.state.db, node.id).await?;
            let stored = Stored {
                area: area.as_ref().map(geo::area_json).unwrap_or_default(),
                ..Stored::default()
            };
            let buildings = places::buildings(&ctx.state.db, node.community_id, &grid_only).await?;
            let mut layers = vec![building_layer(tr.t("structure.buildings"), buildings)];
            let view = if can_write {
                MapView::new(tiles, layers).editing(tr, "boundary", area)
            } else {
                let this = places::GridArea {
                    grid_id: node.id,
                    code: node.code.clone(),
                    name: node.label().to_owned(),
                    area,
                };
                layers.push(grid_layer(tr.t("structure.grid"), vec![this]));
                MapView::new(tiles, layers)
            };
            Ok((Some(view), stored))
        }
        Level::Building => {
            let at = places::building_point(&ctx.state.db, node.id).await?;
            let stored = Stored {
                lat: at.map(|p| format!("{:.6}", p.lat)).unwrap_or_default(),
                long: at.map(|p| format!("{:.6}", p.long)).unwrap_or_default(),
                ..Stored::default()
            };
            let grid = places::grids(&ctx.state.db, node.community_id, &grid_only).await?;
            let mut layers = vec![grid_layer(tr.t("structure.grid"), grid)];
            if can_write {
                return Ok((Some(MapView::new(tiles, layers).picking(tr, "place", at)), stored));
            }
            // Read only: the building as a point among the others' layers, shifted like them.
            let here = places::BuildingPoint {
                building_id: node.id,
                grid_id: node.grid_id,
                name: node.label().to_owned(),
                compound: String::new(),
                at,
            };
            layers.push(building_layer(tr.t("structure.building"), vec![here]));
            Ok((Some(MapView::new(tiles, layers)), stored))
        }
        _ => Ok((None, Stored::default())),
    }
}

/// A grid's boundary (GeoJSON) or a building's point as stored, for the form's boxes, which
/// take WGS-84 when typed; read with the map, once.
#[derive(Debug, Default)]
pub struct Stored {
    pub area: String,
    pub lat: String,
    pub long: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoundaryForm {
    /// GeoJSON; empty clears the boundary.
    pub area: String,
    /// The tiles' datum when the map drew it; empty when typed or pasted (WGS-84).
    pub datum: String,
}

pub async fn post_boundary(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    PageForm(input): PageForm<BoundaryForm>,
) -> WebResult<Response> {
    crate::repo::visible(&ctx.state.db, actor.account_id.unwrap_or(0), Level::Grid, id).await?;
    let result = match input.area.trim() {
        "" => set_boundary(&ctx.state, &actor, id, None).await,
        json => match geo::parse_area(json) {
            Ok(area) => {
                let datum = Datum::parse(&input.datum).unwrap_or(Datum::Wgs84);
                let area = geo::map_area(&area, |p| datum.stored(p));
                set_boundary(&ctx.state, &actor, id, Some(&area)).await
            }
            Err(m) => Err(Error::field_message("area", m)),
        },
    };
    done(&ctx, &actor, Level::Grid, id, result, "structure.boundary_saved").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    pub lat: String,
    pub long: String,
    pub datum: String,
}

pub async fn post_place(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    PageForm(input): PageForm<PlaceForm>,
) -> WebResult<Response> {
    crate::repo::visible(&ctx.state.db, actor.account_id.unwrap_or(0), Level::Building, id).await?;
    let mut errs = FieldErrors::default();
    let at = geo::point_from_form(&mut errs, &input.lat, &input.long, &input.datum);
    let result = if errs.is_empty() {
        set_place(&ctx.state, &actor, id, at).await
    } else {
        Err(Error::Validation(errs))
    };
    done(&ctx, &actor, Level::Building, id, result, "structure.place_saved").await
}

/// Back to the page with what was saved, or the page again with why not.
async fn done(
    ctx: &PageCtx,
    actor: &Actor,
    level: Level,
    id: i64,
    result: yijia_kernel::Result<()>,
    saved: &str,
) -> WebResult<Response> {
    match result {
        Ok(()) => Ok(yijia_web::flash(
            Redirect::to(&format!("/structure/{}/{id}", level.plural())).into_response(),
            ctx.tr.t(saved),
        )),
        Err(e) if is_form_error(&e) => {
            let errors = yijia_web::FormErrors::from_error(&e, &ctx.tr);
            let res = super::node::page_with_map_error(ctx, actor, level, id, errors.said()).await?;
            Ok(yijia_web::with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn post_import(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    upload: Result<PageUpload, yijia_web::AppError>,
) -> WebResult<Response> {
    crate::repo::community(&ctx.state.db, actor.account_id.unwrap_or(0), id)
        .await?
        .ok_or(Error::NotFound)?;
    let result = match upload {
        Ok(PageUpload(file)) => match std::str::from_utf8(&file.bytes) {
            Ok(text) => import_boundaries(&ctx.state, &actor, id, text.trim_start_matches('\u{feff}')).await,
            Err(_) => Err(Error::field("file", "map.bad_geojson")),
        },
        Err(yijia_web::AppError(e)) => Err(e),
    };
    match result {
        Ok(done) => {
            let mut text = ctx
                .tr
                .tf("structure.boundaries_imported", &[("grids", done.grids.join("、"))]);
            if !done.unmatched.is_empty() {
                text.push(' ');
                text.push_str(&ctx.tr.tf(
                    "structure.boundaries_unmatched",
                    &[("names", done.unmatched.join("、"))],
                ));
            }
            Ok(yijia_web::flash(
                Redirect::to(&format!("/structure/communities/{id}")).into_response(),
                text,
            ))
        }
        Err(e) if is_form_error(&e) => super::community::boundaries_again(&ctx, &actor, id, &e).await,
        Err(e) => Err(e.into()),
    }
}
