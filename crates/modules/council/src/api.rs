//! The council's JSON API under `/api/v1`: thin adapters over the commands and views the pages
//! use. Bodies take the same fields as the forms; numbers may be sent as numbers or strings.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{json, Value};
use yijia_kernel::{Actor, AppState, Error};
use yijia_web::{created, to_json, ApiInput, CurrentActor, JsonBody, MaybeActor, WebResult, P, Q};

use crate::commands::ballot::{self, BallotInput, HandsInput, PaperInput};
use crate::commands::comment::{self, CommentInput, ReportInput, ReviewInput};
use crate::commands::meeting::{self, MeetingInput, MinutesInput, SignInInput};
use crate::commands::resolution::{self, ProgressInput, TaskInput, VisibilityInput};
use crate::commands::topic::{self, TopicInput, TriageInput};
use crate::commands::vote::{self, VoteInput};
use crate::pages::community_of;
use crate::{repo, view};

pub fn routes() -> yijia_kernel::ApiRoutes {
    yijia_kernel::ApiRoutes::new()
        .route("/council-topics", get(get_topics).post(post_topic))
        .route("/council-topics/{id}", get(get_topic))
        .route("/council-topics/{id}/cosign", post(post_cosign))
        .route("/council-topics/{id}/triage", post(post_triage))
        .route("/council-topics/{id}/comments", post(post_comment))
        .route("/council-comments/{id}/report", post(post_report))
        .route("/council-comments/{id}/review", post(post_review))
        .route("/council-meetings", get(get_meetings).post(post_meeting))
        .route("/council-meetings/{id}", get(get_meeting))
        .route("/council-meetings/{id}/sign-in", post(post_sign_in))
        .route("/council-meetings/{id}/minutes", post(post_minutes))
        .route("/council-votes", get(get_votes).post(post_vote))
        .route("/council-votes/{id}", get(get_vote))
        .route("/council-votes/{id}/electors", get(get_electors))
        .route("/council-votes/{id}/open", post(post_open))
        .route("/council-votes/{id}/close", post(post_close))
        .route("/council-votes/{id}/ballot", post(post_ballot))
        .route("/council-votes/{id}/paper", post(post_paper))
        .route("/council-votes/{id}/hands", post(post_hands))
        .route("/council-resolutions/{id}", get(get_resolution))
        .route("/council-resolutions/{id}/tasks", post(post_task))
        .route("/council-resolutions/{id}/visibility", post(post_visibility))
        .route("/council-tasks/{id}/progress", post(post_progress))
        .route("/communities/{id}/board", get(get_board))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    community: Option<i64>,
    status: String,
    before: Option<i64>,
}

async fn get_topics(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<ListQuery>,
) -> WebResult<JsonBody> {
    let id = community_of(q.community, &a)?;
    view::community_for(&s, &a, id).await?;
    let topics = repo::topics(&s.db, id, q.status.trim(), q.before.unwrap_or(i64::MAX), 50).await?;
    let next = (topics.len() == 50)
        .then(|| topics.last().map(|t| t.topic_id))
        .flatten();
    to_json(json!({ "topics": topics, "next": next }))
}

async fn post_topic(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<TopicInput>,
) -> WebResult<Response> {
    let id = topic::raise(&s, &a, &input, &[]).await?;
    created(view::topic(&s, &a, id).await?)
}

async fn get_topic(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(view::topic(&s, &a, id).await?)
}

async fn post_cosign(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(topic::cosign(&s, &a, id).await?)
}

async fn post_triage(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<TriageInput>,
) -> WebResult<JsonBody> {
    topic::triage(&s, &a, id, &input).await?;
    to_json(view::topic(&s, &a, id).await?)
}

async fn post_comment(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<CommentInput>,
) -> WebResult<Response> {
    let cid = comment::write(&s, &a, id, &input).await?;
    created(repo::comment(&s.db, cid).await?)
}

async fn post_report(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<ReportInput>,
) -> WebResult<JsonBody> {
    let hidden = comment::report(&s, &a, id, &input).await?;
    to_json(json!({ "hidden": hidden }))
}

async fn post_review(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<ReviewInput>,
) -> WebResult<JsonBody> {
    comment::review(&s, &a, id, &input).await?;
    to_json(repo::comment(&s.db, id).await?)
}

async fn get_meetings(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<ListQuery>,
) -> WebResult<JsonBody> {
    let id = community_of(q.community, &a)?;
    view::community_for(&s, &a, id).await?;
    to_json(json!({ "meetings": repo::meetings(&s.db, id, 100).await? }))
}

async fn post_meeting(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<MeetingInput>,
) -> WebResult<Response> {
    let id = meeting::schedule(&s, &a, &input).await?;
    created(repo::meeting(&s.db, id).await?)
}

async fn meeting_json(s: &AppState, a: &Actor, id: i64) -> Result<Value, Error> {
    let m = repo::meeting(&s.db, id).await?.ok_or(Error::NotFound)?;
    let (_, standing) = view::community_for(s, a, m.community_id).await?;
    // Who attended is for staff; everyone sees how many.
    let attendance = if standing.staff || standing.reads {
        json!(repo::attendance(&s.db, id).await?)
    } else {
        Value::Null
    };
    Ok(json!({ "meeting": m, "agenda": repo::agenda(&s.db, id).await?, "attendance": attendance }))
}

async fn get_meeting(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(meeting_json(&s, &a, id).await?)
}

async fn post_sign_in(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<SignInInput>,
) -> WebResult<JsonBody> {
    let added = meeting::sign_in(&s, &a, id, &input).await?;
    to_json(json!({ "signed_in": added }))
}

async fn post_minutes(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<MinutesInput>,
) -> WebResult<JsonBody> {
    meeting::minutes(&s, &a, id, &input).await?;
    to_json(meeting_json(&s, &a, id).await?)
}

async fn get_votes(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<ListQuery>,
) -> WebResult<JsonBody> {
    let id = community_of(q.community, &a)?;
    view::community_for(&s, &a, id).await?;
    to_json(json!({ "votes": repo::votes(&s.db, id, None, 100).await? }))
}

async fn post_vote(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<VoteInput>,
) -> WebResult<Response> {
    let id = vote::create(&s, &a, &input).await?;
    created(view::vote(&s, &a, id, false).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VoteQuery {
    /// Staff: recount a closed vote from its stored ballots and say whether the figures agree.
    recount: bool,
}

async fn get_vote(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<VoteQuery>,
) -> WebResult<JsonBody> {
    to_json(view::vote(&s, &a, id, q.recount).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ElectorQuery {
    /// Part of a name.
    q: String,
    limit: Option<i64>,
}

/// A vote's electors with their voter numbers, households and whether (and how) they voted: for
/// the community's staff, who run the paper vote with it.
async fn get_electors(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<ElectorQuery>,
) -> WebResult<JsonBody> {
    let v = repo::vote(&s.db, id).await?.ok_or(Error::NotFound)?;
    let (_, standing) = view::community_for(&s, &a, v.community_id).await?;
    if !standing.staff {
        return Err(Error::Forbidden.into());
    }
    let limit = q.limit.unwrap_or(5_000).clamp(1, 20_000);
    to_json(json!({ "items": repo::electors(&s.db, id, q.q.trim(), limit).await?, "next": null }))
}

async fn post_open(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    vote::open(&s, &a, id).await?;
    to_json(view::vote(&s, &a, id, false).await?)
}

async fn post_close(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    vote::close(&s, &a, id).await?;
    to_json(view::vote(&s, &a, id, false).await?)
}

async fn post_ballot(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<BallotInput>,
) -> WebResult<JsonBody> {
    let done = ballot::cast(&s, &a, id, &input).await?;
    to_json(json!({ "ballot": done }))
}

/// A paper ballot by API; a proxy's ballot, which needs its authorisation's photo, is entered on
/// the vote's page.
async fn post_paper(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<PaperInput>,
) -> WebResult<JsonBody> {
    let done = ballot::paper(&s, &a, id, &input, None).await?;
    to_json(json!({ "ballot": done }))
}

async fn post_hands(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<HandsInput>,
) -> WebResult<JsonBody> {
    let done = ballot::hands(&s, &a, id, &input).await?;
    to_json(json!({ "hands": done }))
}

async fn resolution_json(s: &AppState, a: &Actor, id: i64) -> Result<view::ResolutionView, Error> {
    let r = repo::resolution(&s.db, id).await?.ok_or(Error::NotFound)?;
    let (c, _) = view::community_for(s, a, r.community_id).await?;
    let today = crate::commands::day_of(&c, s.now_ms());
    view::resolution_view(s, r, &today).await
}

async fn get_resolution(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
) -> WebResult<JsonBody> {
    to_json(resolution_json(&s, &a, id).await?)
}

async fn post_task(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<TaskInput>,
) -> WebResult<Response> {
    let tid = resolution::add_task(&s, &a, id, &input).await?;
    created(repo::task(&s.db, tid).await?)
}

async fn post_visibility(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<VisibilityInput>,
) -> WebResult<JsonBody> {
    resolution::set_visibility(&s, &a, id, &input).await?;
    to_json(resolution_json(&s, &a, id).await?)
}

async fn post_progress(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<ProgressInput>,
) -> WebResult<JsonBody> {
    resolution::progress(&s, &a, id, &input).await?;
    to_json(repo::task(&s.db, id).await?)
}

/// The board needs no sign-in; signed-in residents of the community also see what is for them.
async fn get_board(State(s): State<AppState>, MaybeActor(a): MaybeActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(view::board(&s, a.as_ref(), id).await?)
}
