//! The registry's JSON API under `/api/v1`: thin adapters over the same commands and queries
//! as the pages, with the same scope rules. Numbers are masked; a full number is a reveal.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use yijia_kernel::paging::Paged;
use yijia_kernel::{Actor, AppState, Error};
use yijia_web::{created, to_json, ApiJson, CurrentActor, JsonBody, WebResult, P, Q};

use crate::commands::care_tag::{add_tag, end_tag, open_tags, TagInput};
use crate::commands::holding::{add_holding, end_holding, HoldingInput};
use crate::commands::visit::{log_visit, open_visits, VisitInput};
use crate::commands::{add_resident::add_resident, leave::leave, merge::merge, move_resident::move_resident};
use crate::commands::{request, reveal::reveal, today_in, update_resident::update_resident};
use crate::model::ResidentInput;
use crate::pages::me::own_data;
use crate::pages::numbers::numbers;
use crate::pages::visits::DueQuery;
use crate::permissions::{READ, REQUESTS, STATS};
use crate::query::{community_for, ListQuery};
use crate::repo::{self, HouseholdAt, ResidentRow, Sort};

pub fn routes() -> yijia_kernel::ApiRoutes {
    yijia_kernel::ApiRoutes::new()
        .route("/residents", get(list))
        .route("/residents/{id}", get(get_resident).patch(patch_resident))
        .route("/residents/{id}/reveal", post(post_reveal))
        .route("/residents/{id}/move", post(post_move))
        .route("/residents/{id}/leave", post(post_leave))
        .route("/residents/{id}/merge", post(post_merge))
        .route("/residents/{id}/account", post(post_account))
        .route("/residents/{id}/care-tags", get(list_tags).post(post_tag))
        .route("/care-tags/{id}/end", post(post_end_tag))
        .route("/households/{id}/residents", get(list_members).post(post_member))
        .route("/households/{id}/visits", get(list_visits).post(post_visit))
        .route("/households/{id}/holdings", get(list_holdings).post(post_holding))
        .route("/holdings/{id}/end", post(post_end_holding))
        .route("/households/{id}/history", get(household_history))
        .route("/registry/visits-due", get(visits_due))
        .route("/registry/numbers", get(get_numbers))
        .route("/registry/requests", get(list_requests))
        .route("/registry/requests/{id}/answer", post(post_answer))
        .route("/me/resident", get(get_me))
        .route("/me/requests", get(my_requests).post(post_my_request))
}

/// A resident the actor may read, with their household's place.
async fn readable(s: &AppState, a: &Actor, id: i64) -> WebResult<(ResidentRow, HouseholdAt)> {
    let r = repo::resident(&s.db, id).await?.ok_or(Error::NotFound)?;
    let at = repo::household(&s.db, r.household_id).await?.ok_or(Error::NotFound)?;
    if !READ.allows(a, &at.place()) {
        return Err(Error::NotFound.into());
    }
    Ok((r, at))
}

/// A household the actor may read.
async fn readable_household(s: &AppState, a: &Actor, id: i64) -> WebResult<HouseholdAt> {
    let at = repo::household(&s.db, id).await?.ok_or(Error::NotFound)?;
    if !READ.allows(a, &at.place()) {
        return Err(Error::NotFound.into());
    }
    Ok(at)
}

async fn list(State(s): State<AppState>, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<JsonBody> {
    let (community, reach) = community_for(&s, &a, &READ, q.community).await?;
    let mut filter = q.filter(&s, &community)?;
    filter.sort = Sort::Id;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = repo::list(&s.db, community.community_id, &reach, &filter, limit + 1, 0).await?;
    to_json(Paged::from_rows(rows, limit, |r| r.resident_id))
}

async fn get_resident(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let (r, _) = readable(&s, &a, id).await?;
    to_json(r)
}

async fn patch_resident(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<ResidentInput>,
) -> WebResult<JsonBody> {
    update_resident(&s, &a, id, &b).await?;
    to_json(repo::resident(&s.db, id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevealBody {
    field: String,
    purpose: String,
}

async fn post_reveal(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<RevealBody>,
) -> WebResult<Response> {
    let value = reveal(&s, &a, id, &b.field, &b.purpose).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(json!({ "field": b.field, "value": value })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoveBody {
    household_id: i64,
}

async fn post_move(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<MoveBody>,
) -> WebResult<JsonBody> {
    move_resident(&s, &a, id, b.household_id).await?;
    to_json(repo::resident(&s.db, id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeaveBody {
    reason: String,
    #[serde(default)]
    on: String,
}

async fn post_leave(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<LeaveBody>,
) -> WebResult<JsonBody> {
    leave(&s, &a, id, &b.reason, &b.on).await?;
    to_json(repo::resident(&s.db, id).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeBody {
    into: i64,
}

async fn post_merge(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<MergeBody>,
) -> WebResult<JsonBody> {
    merge(&s, &a, id, b.into).await?;
    to_json(repo::resident(&s.db, b.into).await?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountBody {
    username: String,
}

async fn post_account(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<AccountBody>,
) -> WebResult<JsonBody> {
    crate::commands::link_account::link_account(&s, &a, id, &b.username).await?;
    to_json(repo::resident(&s.db, id).await?)
}

async fn list_tags(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let (_, at) = readable(&s, &a, id).await?;
    let today = today_in(&s, &at.time_zone).to_string();
    let tags = open_tags(&s.vault, &repo::tags_of(&s.db, &[id]).await?, &today)?;
    to_json(json!({ "items": tags, "next": null }))
}

async fn post_tag(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<TagInput>,
) -> WebResult<Response> {
    let tag = add_tag(&s, &a, id, &b).await?;
    created(json!({ "care_tag_id": tag }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct EndBody {
    ends_on: String,
}

async fn post_end_tag(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<EndBody>,
) -> WebResult<JsonBody> {
    end_tag(&s, &a, id, &b.ends_on).await?;
    to_json(json!({ "care_tag_id": id, "ended": true }))
}

async fn list_members(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    readable_household(&s, &a, id).await?;
    to_json(json!({ "items": repo::household_members(&s.db, id).await?, "next": null }))
}

async fn post_member(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<ResidentInput>,
) -> WebResult<Response> {
    let rid = add_resident(&s, &a, id, &b).await?;
    created(repo::resident(&s.db, rid).await?)
}

async fn list_visits(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    readable_household(&s, &a, id).await?;
    let visits = open_visits(&s.vault, repo::visits_of(&s.db, id).await?)?;
    to_json(json!({ "items": visits, "next": null }))
}

async fn post_visit(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<VisitInput>,
) -> WebResult<Response> {
    let visit = log_visit(&s, &a, id, &b).await?;
    created(json!({ "visit_id": visit }))
}

async fn list_holdings(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    readable_household(&s, &a, id).await?;
    to_json(json!({ "items": repo::holdings_of(&s.db, id).await?, "next": null }))
}

async fn post_holding(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<HoldingInput>,
) -> WebResult<Response> {
    let holding = add_holding(&s, &a, id, &b).await?;
    created(json!({ "holding_id": holding }))
}

async fn post_end_holding(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
) -> WebResult<JsonBody> {
    end_holding(&s, &a, id).await?;
    to_json(json!({ "holding_id": id, "ended": true }))
}

async fn household_history(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
) -> WebResult<JsonBody> {
    let at = readable_household(&s, &a, id).await?;
    to_json(json!({ "items": repo::history(&s.db, at.community_id, Some(id), None).await?, "next": null }))
}

async fn visits_due(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<DueQuery>,
) -> WebResult<JsonBody> {
    let (community, reach) = community_for(&s, &a, &READ, q.community).await?;
    let since = s.now_ms() - q.days(&s, community.community_id).await? * 86_400_000;
    let rows = repo::not_visited_since(&s.db, community.community_id, &reach, q.grid, since, 500).await?;
    to_json(json!({ "items": rows, "next": null }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct CommunityQ {
    community: Option<i64>,
}

async fn get_numbers(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<CommunityQ>,
) -> WebResult<JsonBody> {
    let (community, reach) = community_for(&s, &a, &STATS, q.community).await?;
    to_json(numbers(&s, &community, &reach).await?)
}

async fn list_requests(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<CommunityQ>,
) -> WebResult<JsonBody> {
    let (community, reach) = community_for(&s, &a, &REQUESTS, q.community).await?;
    if reach != yijia_kernel::scope::CommunityReach::All {
        return Err(Error::Forbidden.into());
    }
    to_json(json!({ "items": repo::requests_of_community(&s.db, community.community_id).await?, "next": null }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerBody {
    status: String,
    answer: String,
}

async fn post_answer(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> WebResult<JsonBody> {
    request::answer(&s, &a, id, &b.status, &b.answer).await?;
    to_json(json!({ "request_id": id, "status": b.status }))
}

async fn get_me(State(s): State<AppState>, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    let data = own_data(&s, &a).await?.ok_or(Error::NotFound)?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], to_json(data)?).into_response())
}

async fn my_requests(State(s): State<AppState>, CurrentActor(a): CurrentActor) -> WebResult<JsonBody> {
    let account = a.account_id.ok_or(Error::Forbidden)?;
    to_json(json!({ "items": repo::requests_of_account(&s.db, account).await?, "next": null }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestBody {
    kind: String,
    body: String,
}

async fn post_my_request(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiJson(b): ApiJson<RequestBody>,
) -> WebResult<Response> {
    let id = request::submit(&s, &a, &b.kind, &b.body).await?;
    created(json!({ "request_id": id, "status": "open" }))
}
