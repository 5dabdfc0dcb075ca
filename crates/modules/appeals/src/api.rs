//! The appeals' JSON API under `/api/v1`: thin adapters over the commands the pages use.
//! Bodies take the same fields as the forms; numbers may be sent as numbers or strings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use yijia_kernel::paging::Paged;
use yijia_kernel::{AppState, Error};
use yijia_web::{answer, to_json, ApiInput, ApiJson, CurrentActor, JsonBody, PageUpload, WebResult, P, Q};

use crate::commands::catalogue::{self, CategoryInput, DayInput, PartyInput, RouteInput};
use crate::commands::reveal::reveal_contact;
use crate::commands::step::{step, StepInput};
use crate::commands::submit::{submit, AppealInput};
use crate::permissions::CATALOGUE;
use crate::query::ListQuery;
use crate::repo;
use crate::view::{load, AppealView};

pub fn routes() -> yijia_kernel::ApiRoutes {
    yijia_kernel::ApiRoutes::new()
        .route("/appeals", get(list).post(post_appeal))
        .route("/appeals/{id}", get(get_appeal))
        .route("/appeals/{id}/steps", post(post_step))
        .route("/appeals/{id}/reveal", post(post_reveal))
        .route(
            "/appeals/{id}/photos",
            post(post_photo).layer(axum::extract::DefaultBodyLimit::max(
                crate::commands::photo::MAX_PHOTO_BYTES + 64 * 1024,
            )),
        )
        .route("/communities/{id}/appeal-rates", get(get_rates))
        .route("/communities/{id}/appeal-catalogue", get(get_catalogue))
        .route("/communities/{id}/appeal-parties", post(post_party))
        .route("/appeal-parties/{id}/members", post(post_member))
        .route("/communities/{id}/appeal-categories", post(post_category))
        .route("/communities/{id}/appeal-routes", post(post_route))
        .route("/communities/{id}/calendar", post(post_day))
}

/// An appeal in a list: its row, and when it is due.
#[derive(Serialize)]
struct ListItem {
    #[serde(flatten)]
    row: repo::AppealRow,
    due_at: Option<i64>,
    overdue: bool,
}

#[derive(Serialize)]
struct ListPage {
    items: Vec<ListItem>,
    next: Option<String>,
}

async fn list(State(s): State<AppState>, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let filter = q.filter(&s, &a).await?;
    let limit = q.limit();
    let now = s.now_ms();
    let rows = repo::list(&s.db, &filter, limit + 1).await?;
    let page = Paged::from_rows(rows, limit, |r| r.appeal_id);
    let items = page
        .items
        .into_iter()
        .map(|mut row| {
            row.hide_requester_from(a.account_id);
            let due_at = crate::view::due_at(&row);
            ListItem {
                row,
                due_at,
                overdue: due_at.is_some_and(|d| d < now),
            }
        })
        .collect();
    answer(StatusCode::OK, &ListPage { items, next: page.next })
}

async fn post_appeal(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<AppealInput>,
) -> WebResult<Response> {
    let id = submit(&s, &a, &input).await?;
    let (view, _) = load(&s, &a, id).await?;
    yijia_web::created(view)
}

async fn get_appeal(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let (view, _): (AppealView, _) = load(&s, &a, id).await?;
    answer(StatusCode::OK, &view)
}

async fn post_step(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<StepInput>,
) -> WebResult<Response> {
    step(&s, &a, id, &input).await?;
    let (view, _): (AppealView, _) = load(&s, &a, id).await?;
    answer(StatusCode::OK, &view)
}

/// A photo as `multipart/form-data` (one file field); answers with the photo's hash, served at
/// `/appeals/{id}/photos/{sha256}`.
async fn post_photo(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageUpload(file): PageUpload,
) -> WebResult<Response> {
    let sha = crate::commands::photo::add_photo(&s, &a, id, &file.bytes).await?;
    yijia_web::created(json!({ "sha256": sha, "href": format!("/appeals/{id}/photos/{sha}") }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevealBody {
    purpose: String,
}

async fn post_reveal(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<RevealBody>,
) -> WebResult<Response> {
    let value = reveal_contact(&s, &a, id, &b.purpose).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(json!({ "field": "contact", "value": value })),
    )
        .into_response())
}

/// The catalogue: parties (with members for the administrator), categories, routing rules.
/// Categories are public to the community's members: residents choose from them.
async fn get_catalogue(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let c = crate::commands::community(&s, id).await?;
    if !yijia_kernel::permission::VIEW_COMMUNITY.allows(&a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let categories: Vec<_> = repo::categories(&s.db, id)
        .await?
        .into_iter()
        .filter(|c| c.retired_at.is_none())
        .collect();
    let mut out = json!({ "categories": categories, "parties": repo::parties(&s.db, id).await? });
    if CATALOGUE.allows(&a, &c.place()) {
        out["routes"] = serde_json::to_value(repo::routes(&s.db, id).await?).unwrap_or_default();
        let members: Vec<Value> = repo::members(&s.db, id)
            .await?
            .into_iter()
            .map(|(party_id, account_id, name)| json!({ "party_id": party_id, "account_id": account_id, "name": name }))
            .collect();
        out["members"] = json!(members);
    }
    to_json(out)
}

fn created(id: i64) -> WebResult<Response> {
    yijia_web::created(json!({ "id": id }))
}

async fn post_party(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<PartyInput>,
) -> WebResult<Response> {
    created(catalogue::add_party(&s, &a, id, &input).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberBody {
    username: String,
}

async fn post_member(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<MemberBody>,
) -> WebResult<JsonBody> {
    catalogue::add_member(&s, &a, id, &b.username).await?;
    to_json(json!({ "party_id": id, "username": b.username }))
}

async fn post_category(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<CategoryInput>,
) -> WebResult<Response> {
    created(catalogue::add_category(&s, &a, id, &input).await?)
}

async fn post_route(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<RouteInput>,
) -> WebResult<Response> {
    created(catalogue::add_route(&s, &a, id, &input).await?)
}

async fn post_day(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<DayInput>,
) -> WebResult<JsonBody> {
    catalogue::set_day(&s, &a, id, &b).await?;
    to_json(json!({ "day": b.day, "kind": b.kind }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RatesQuery {
    month: String,
}

/// A month's rates (`month=YYYY-MM`, this month by default).
async fn get_rates(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<RatesQuery>,
) -> WebResult<JsonBody> {
    let (c, month) = crate::pages::rates::allowed(&s, &a, Some(id), &q.month).await?;
    to_json(crate::rates::report(&s, &c, month).await?)
}
