//! The structure's JSON API under `/api/v1`: thin adapters over the same commands as the pages.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use yijia_kernel::paging::{PageQuery, Paged};
use yijia_kernel::{Actor, AppState, Error};
use yijia_web::{to_json, ApiJson, CurrentActor, JsonBody, WebResult, P, Q};

use crate::commands::create_area::{create_area, AreaInput};
use crate::commands::create_community::{create_community, CommunityInput};
use crate::commands::{
    create_node::create_node, move_node::move_node, retire_node::retire_node, update_community::update_community,
    update_node::update_node,
};
use crate::model::{Level, NodeInput};
use crate::permissions::TENANCY;
use crate::repo::{self, ListOpts, Order};

fn account(actor: &Actor) -> i64 {
    actor.account_id.unwrap_or(0)
}

pub fn routes() -> yijia_kernel::ApiRoutes {
    let mut r = yijia_kernel::ApiRoutes::new()
        .route("/communities", get(list_communities).post(post_community))
        .route("/communities/{id}", get(get_community).patch(patch_community))
        .route(
            "/districts",
            get(list_districts).post(|s, a, b| post_area(s, a, b, false)),
        )
        .route(
            "/subdistricts",
            get(list_subdistricts).post(|s, a, b| post_area(s, a, b, true)),
        );
    r = r.route(
        "/communities/{id}/grids",
        get(move |s, a, p, q| list_children(s, a, p, q, Level::Grid))
            .post(move |s, a, p, b| post_child(s, a, p, b, Level::Grid)),
    );
    for level in Level::ALL {
        let base = format!("/{}/{{id}}", level.plural());
        r = r
            .route(
                &base,
                get(move |s, a, p| get_node(s, a, p, level)).patch(move |s, a, p, b| patch_node(s, a, p, b, level)),
            )
            .route(
                &format!("{base}/retire"),
                post(move |s, a, p| post_retire(s, a, p, level)),
            );
        if level.movable() {
            r = r.route(
                &format!("{base}/move"),
                post(move |s, a, p, b| post_move(s, a, p, b, level)),
            );
        }
        if let Some(child) = level.child() {
            r = r.route(
                &format!("{base}/{}", child.plural()),
                get(move |s, a, p, q| list_children(s, a, p, q, child))
                    .post(move |s, a, p, b| post_child(s, a, p, b, child)),
            );
        }
    }
    r
}

async fn list_communities(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<PageQuery>,
) -> WebResult<JsonBody> {
    let rows = repo::communities(&s.db, account(&a), q.after(), q.limit() + 1).await?;
    to_json(Paged::from_rows(rows, q.limit(), |c| c.community_id))
}

async fn get_community(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let c = repo::community(&s.db, account(&a), id).await?.ok_or(Error::NotFound)?;
    to_json(c)
}

async fn post_community(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiJson(b): ApiJson<CommunityInput>,
) -> WebResult<Response> {
    let id = create_community(&s, &a, &b).await?;
    created(repo::community(&s.db, account(&a), id).await?)
}

async fn patch_community(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<CommunityInput>,
) -> WebResult<JsonBody> {
    repo::community(&s.db, account(&a), id).await?.ok_or(Error::NotFound)?;
    update_community(&s, &a, id, &b).await?;
    to_json(repo::community(&s.db, account(&a), id).await?)
}

async fn list_districts(State(s): State<AppState>, CurrentActor(a): CurrentActor) -> WebResult<JsonBody> {
    TENANCY.check(&a, &yijia_kernel::Place::default())?;
    to_json(json!({ "items": repo::districts(&s.db).await?, "next": null }))
}

async fn list_subdistricts(State(s): State<AppState>, CurrentActor(a): CurrentActor) -> WebResult<JsonBody> {
    TENANCY.check(&a, &yijia_kernel::Place::default())?;
    to_json(json!({ "items": repo::subdistricts(&s.db).await?, "next": null }))
}

async fn post_area(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiJson(b): ApiJson<AreaInput>,
    sub: bool,
) -> WebResult<Response> {
    let id = create_area(&s, &a, sub, &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "code": b.code.trim(), "name": b.name.trim() })),
    )
        .into_response())
}

fn created<T: serde::Serialize>(v: Option<T>) -> WebResult<Response> {
    let v = v.ok_or(Error::NotFound)?;
    Ok((StatusCode::CREATED, to_json(v)?).into_response())
}

/// The children of a parent. A parent the actor cannot see answers 404, like one that does not
/// exist; a parent they can see lists only the children they may read.
async fn list_children(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(parent): P<i64>,
    Q(q): Q<PageQuery>,
    level: Level,
) -> WebResult<JsonBody> {
    parent_visible(&s, &a, level, parent).await?;
    let opts = ListOpts {
        retired: true,
        after: q.after(),
        limit: q.limit() + 1,
        order: Order::Id,
    };
    let rows = repo::children(&s.db, account(&a), level, parent, opts).await?;
    to_json(Paged::from_rows(rows, q.limit(), |n| n.id))
}

async fn parent_visible(s: &AppState, a: &Actor, level: Level, parent: i64) -> WebResult<()> {
    let seen = match level.parent() {
        None => repo::community(&s.db, account(a), parent).await?.is_some(),
        Some(p) => repo::node(&s.db, account(a), p, parent).await?.is_some(),
    };
    if seen {
        Ok(())
    } else {
        Err(Error::NotFound.into())
    }
}

async fn post_child(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(parent): P<i64>,
    ApiJson(b): ApiJson<NodeInput>,
    level: Level,
) -> WebResult<Response> {
    parent_visible(&s, &a, level, parent).await?;
    let id = create_node(&s, &a, level, parent, &b).await?;
    created(repo::node(&s.db, account(&a), level, id).await?)
}

async fn get_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    level: Level,
) -> WebResult<JsonBody> {
    let n = repo::node(&s.db, account(&a), level, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut v = serde_json::to_value(&n).map_err(|e| Error::Internal(e.into()))?;
    if level == Level::Grid {
        let workers: Vec<_> = repo::grid_workers(&s.db, n.community_id)
            .await?
            .into_iter()
            .filter(|w| w.grid_id == id)
            .collect();
        v["workers"] = serde_json::to_value(workers).map_err(|e| Error::Internal(e.into()))?;
    }
    to_json(v)
}

async fn patch_node(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<NodeInput>,
    level: Level,
) -> WebResult<JsonBody> {
    repo::visible(&s.db, account(&a), level, id).await?;
    update_node(&s, &a, level, id, &b).await?;
    to_json(repo::node(&s.db, account(&a), level, id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    to: i64,
}

async fn post_move(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<MoveBody>,
    level: Level,
) -> WebResult<JsonBody> {
    repo::visible(&s.db, account(&a), level, id).await?;
    move_node(&s, &a, level, id, b.to).await?;
    to_json(repo::node(&s.db, account(&a), level, id).await?)
}

async fn post_retire(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    level: Level,
) -> WebResult<JsonBody> {
    repo::visible(&s.db, account(&a), level, id).await?;
    retire_node(&s, &a, level, id).await?;
    to_json(repo::node(&s.db, account(&a), level, id).await?)
}
