//! The volunteers' JSON API under `/api/v1`: thin adapters over the commands the pages use.
//! Bodies take the same fields as the forms; numbers may be sent as numbers or strings.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{json, Value};
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_web::{created, to_json, ApiInput, ApiJson, CurrentActor, JsonBody, WebResult, P, Q};

use crate::commands::activity::{self, ActivityInput};
use crate::commands::certificate;
use crate::commands::points::{self, PointsInput};
use crate::commands::profile::{self, ProfileInput};
use crate::commands::team::{self, MemberInput, TeamInput};
use crate::commands::{self, attendance, redeem, signup, Access};
use crate::ledger;
use crate::model::card;
use crate::model::qr::{self, Purpose};
use crate::model::{Ledger, TxnKind};
use crate::permissions::{JOIN, MANAGE};
use crate::repo::{self, When};

pub fn routes() -> yijia_kernel::ApiRoutes {
    yijia_kernel::ApiRoutes::new()
        .route("/volunteers", post(post_volunteer))
        .route("/volunteers/me", get(get_me))
        .route("/volunteers/me/card", get(get_card))
        .route("/volunteer-points/lookup", post(post_lookup))
        .route("/volunteer-points/spend", post(post_spend))
        .route("/volunteers/checkin", post(post_checkin))
        .route("/volunteers/{id}", get(get_volunteer))
        .route("/volunteers/{id}/ledger", get(get_ledger))
        .route("/volunteers/{id}/points", post(post_points))
        .route("/volunteers/{id}/certificates", post(post_certificate))
        .route("/volunteer-certificates/{code}", get(get_certificate))
        .route("/volunteer-teams", get(get_teams).post(post_team))
        .route("/volunteer-teams/{id}/apply", post(post_apply))
        .route("/volunteer-teams/{id}/members", post(post_member))
        .route("/volunteer-activities", get(get_activities).post(post_activity))
        .route("/volunteer-activities/{id}", get(get_activity))
        .route("/volunteer-activities/{id}/code", get(get_code))
        .route("/volunteer-activities/{id}/signups", post(post_signup))
        .route("/volunteer-activities/{id}/cancel", post(post_cancel))
        .route("/volunteer-signups/{id}/cancel", post(post_cancel_signup))
        .route("/volunteer-signups/{id}/mark", post(post_mark))
        .route("/volunteer-signups/{id}/minutes", post(post_minutes))
        .route("/communities/{id}/volunteer-report", get(get_report))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CommunityQuery {
    community: Option<i64>,
    /// Activities: `past` for those ended, latest first.
    when: String,
    before: Option<i64>,
}

async fn post_volunteer(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<ProfileInput>,
) -> WebResult<Response> {
    let id = profile::register(&s, &a, &input).await?;
    created(repo::volunteer(&s.db, id).await?)
}

/// A volunteer by id, for themselves and staff only. A merchant of the alliance reaches a
/// volunteer through the code the volunteer presents (`/volunteer-points/...`), never by id:
/// walking ids let a merchant read everyone's history.
async fn visible(s: &AppState, a: &Actor, id: i64) -> Result<repo::VolunteerRow> {
    let v = repo::volunteer(&s.db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(s, v.community_id).await?;
    let full = (a.account_id.is_some() && a.account_id == v.account_id) || MANAGE.allows(a, &c.place());
    if !full {
        return Err(Error::NotFound);
    }
    Ok(v)
}

async fn summary(s: &AppState, v: &repo::VolunteerRow) -> Result<Value> {
    let points = ledger::balance(&s.db, v.volunteer_id, Ledger::Points).await?;
    let minutes = ledger::balance(&s.db, v.volunteer_id, Ledger::Hours).await?;
    Ok(json!({
        "volunteer": v,
        "minutes": minutes,
        "points": points,
        "teams": repo::memberships(&s.db, v.volunteer_id).await?,
        "signups": repo::signups_of(&s.db, v.volunteer_id, 50).await?,
        "certificate": repo::latest_certificate(&s.db, v.volunteer_id).await?,
    }))
}

async fn get_me(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<CommunityQuery>,
) -> WebResult<JsonBody> {
    let id = crate::pages::community_of(q.community, &a)?;
    let c = commands::community(&s, id).await?;
    let me = Access::of(&s.db, &a, &c, None).await?.me.ok_or(Error::NotFound)?;
    to_json(summary(&s, &me).await?)
}

/// My points code, to show a merchant of the alliance.
async fn get_card(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<CommunityQuery>,
) -> WebResult<JsonBody> {
    let id = crate::pages::community_of(q.community, &a)?;
    let c = commands::community(&s, id).await?;
    let me = Access::of(&s.db, &a, &c, None).await?.me.ok_or(Error::NotFound)?;
    let now = s.now_ms();
    to_json(json!({
        "code": card::issue(&s.vault, me.volunteer_id, now),
        "expires_at": now + card::VALID_MS,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct PresentedBody {
    code: String,
    points: Value,
    memo: String,
}

/// A merchant reads the name and points of the volunteer presenting a code.
async fn post_lookup(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiJson(b): ApiJson<PresentedBody>,
) -> WebResult<JsonBody> {
    to_json(redeem::look_up(&s, &a, &b.code).await?)
}

/// A merchant records points spent by the volunteer presenting a code.
async fn post_spend(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiJson(b): ApiJson<PresentedBody>,
) -> WebResult<Response> {
    let points = match &b.points {
        Value::Number(n) => n.to_string(),
        Value::String(v) => v.clone(),
        _ => String::new(),
    };
    let input = PointsInput { points, memo: b.memo };
    created(redeem::spend(&s, &a, &b.code, &input).await?)
}

async fn get_volunteer(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let v = visible(&s, &a, id).await?;
    to_json(summary(&s, &v).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LedgerQuery {
    ledger: String,
    before: Option<i64>,
    limit: Option<i64>,
}

/// A volunteer's balance and entries in one ledger, latest first; `next` pages on.
async fn get_ledger(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<LedgerQuery>,
) -> WebResult<JsonBody> {
    let v = visible(&s, &a, id).await?;
    let which = match q.ledger.as_str() {
        "" | "hours" => Ledger::Hours,
        "points" => Ledger::Points,
        _ => return Err(Error::field("ledger", "volunteers.bad_choice").into()),
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let Some(account) = repo::volunteer_account(&s.db, v.volunteer_id, which).await? else {
        return to_json(json!({ "ledger": which.as_str(), "balance": 0, "items": [], "next": null }));
    };
    let mut items = repo::history(&s.db, account, q.before.unwrap_or(i64::MAX), limit + 1).await?;
    let next = (items.len() > usize::try_from(limit).unwrap_or(50)).then(|| {
        items.truncate(usize::try_from(limit).unwrap_or(50));
        items.last().map(|e| e.entry_id)
    });
    to_json(json!({
        "ledger": which.as_str(),
        "balance": repo::balance(&s.db, account).await?,
        "items": items,
        "next": next.flatten(),
    }))
}

/// A movement of points as the API takes it: the form's fields and which way it goes.
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct PointsRequest {
    /// `bonus` or `spend`.
    kind: String,
    points: String,
    memo: String,
}

async fn post_points(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(PointsRequest { kind, points, memo }): ApiInput<PointsRequest>,
) -> WebResult<Response> {
    let input = PointsInput { points, memo };
    let kind = match kind.as_str() {
        "bonus" => TxnKind::Bonus,
        "spend" => TxnKind::Spend,
        _ => return Err(Error::field("kind", "volunteers.bad_choice").into()),
    };
    let txn = points::move_points(&s, &a, id, kind, &input).await?;
    created(json!({ "txn_id": txn, "points": ledger::balance(&s.db, id, Ledger::Points).await? }))
}

async fn post_certificate(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
) -> WebResult<Response> {
    let code = certificate::issue(&s, &a, id).await?;
    created(json!({ "code": code, "href": format!("/volunteers/certificates/{code}") }))
}

/// The public check of a certificate: what it shows, nothing more.
async fn get_certificate(State(s): State<AppState>, P(code): P<String>) -> WebResult<JsonBody> {
    let (_, shows, issued_at) = certificate::verify(&s, &code).await?;
    to_json(json!({ "code": code.trim().to_ascii_uppercase(), "issued_at": issued_at, "shows": shows }))
}

async fn get_teams(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<CommunityQuery>,
) -> WebResult<JsonBody> {
    let id = crate::pages::community_of(q.community, &a)?;
    let c = commands::community(&s, id).await?;
    if !JOIN.allows(&a, &c.place()) && !MANAGE.allows(&a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    to_json(json!({ "items": repo::teams(&s.db, id).await? }))
}

async fn post_team(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<TeamInput>,
) -> WebResult<Response> {
    let id = team::create(&s, &a, &input).await?;
    created(repo::team(&s.db, id).await?)
}

async fn post_apply(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    team::apply(&s, &a, id).await?;
    to_json(json!({ "team_id": id, "status": "applied" }))
}

async fn post_member(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<MemberInput>,
) -> WebResult<JsonBody> {
    team::decide(&s, &a, id, &input).await?;
    to_json(json!({ "items": repo::members(&s.db, id).await? }))
}

async fn get_activities(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<CommunityQuery>,
) -> WebResult<JsonBody> {
    let id = crate::pages::community_of(q.community, &a)?;
    let c = commands::community(&s, id).await?;
    if !JOIN.allows(&a, &c.place()) && !MANAGE.allows(&a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let when = match q.when.as_str() {
        "past" => When::Past {
            before: q.before.unwrap_or(i64::MAX),
        },
        _ => When::Coming,
    };
    to_json(json!({ "items": repo::activities(&s.db, id, None, when, s.now_ms(), 100).await? }))
}

async fn post_activity(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<ActivityInput>,
) -> WebResult<Response> {
    let id = activity::create(&s, &a, &input).await?;
    created(activity_view(&s, &a, id).await?)
}

/// An activity with its shifts; the roster for those who run it, the caller's own sign-ups.
async fn activity_view(s: &AppState, a: &Actor, id: i64) -> Result<Value> {
    let act = repo::activity(&s.db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(s, act.community_id).await?;
    let access = Access::of(&s.db, a, &c, act.team_id).await?;
    if !JOIN.allows(a, &c.place()) && !access.runs() {
        return Err(Error::NotFound);
    }
    let mine: Vec<_> = match &access.me {
        Some(me) => repo::signups_of(&s.db, me.volunteer_id, 500)
            .await?
            .into_iter()
            .filter(|u| u.activity_id == id)
            .collect(),
        None => Vec::new(),
    };
    let roster = if access.runs() {
        Some(repo::roster(&s.db, id).await?)
    } else {
        None
    };
    Ok(json!({
        "activity": act,
        "grids": repo::activity_grids(&s.db, id).await?,
        "shifts": repo::shifts(&s.db, id).await?,
        "mine": mine,
        "roster": roster,
    }))
}

async fn get_activity(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(activity_view(&s, &a, id).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeQuery {
    purpose: String,
}

/// A fresh code for the activity's screen (those who run it only).
async fn get_code(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<CodeQuery>,
) -> WebResult<JsonBody> {
    let act = repo::activity(&s.db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(&s, act.community_id).await?;
    if !Access::of(&s.db, &a, &c, act.team_id).await?.runs() {
        return Err(Error::NotFound.into());
    }
    let purpose = match q.purpose.as_str() {
        "" | "in" => Purpose::CheckIn,
        "out" => Purpose::CheckOut,
        _ => return Err(Error::field("purpose", "volunteers.bad_choice").into()),
    };
    let now = s.now_ms();
    to_json(json!({
        "token": qr::issue(&s.vault, id, purpose, now),
        "purpose": purpose.as_str(),
        "expires_at": now + qr::VALID_MS,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SignupBody {
    shift: Value,
}

async fn post_signup(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<SignupBody>,
) -> WebResult<Response> {
    let shift = match &b.shift {
        Value::Number(n) => n.as_i64(),
        Value::String(v) => v.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| Error::field("shift", "volunteers.bad_choice"))?;
    let (signup_id, status) = signup::sign_up(&s, &a, id, shift).await?;
    created(json!({ "signup_id": signup_id, "status": status }))
}

async fn post_cancel(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    activity::cancel(&s, &a, id).await?;
    to_json(activity_view(&s, &a, id).await?)
}

async fn post_cancel_signup(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
) -> WebResult<JsonBody> {
    signup::cancel(&s, &a, id).await?;
    to_json(json!({ "signup_id": id, "status": "cancelled" }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct MarkBody {
    what: String,
}

async fn post_mark(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiJson(b): ApiJson<MarkBody>,
) -> WebResult<JsonBody> {
    let out = attendance::mark(&s, &a, id, b.what.trim()).await?;
    // The sign-up as it stands, and for a mark out what it credited and why (overlaps, an entry
    // that stands).
    let mut row = serde_json::to_value(repo::signup(&s.db, id).await?).map_err(anyhow::Error::from)?;
    if let Some(o) = row.as_object_mut() {
        o.insert(
            "out".to_owned(),
            serde_json::to_value(out).map_err(anyhow::Error::from)?,
        );
    }
    to_json(row)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct MinutesBody {
    minutes: String,
    reason: String,
}

async fn post_minutes(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(body): ApiInput<MinutesBody>,
) -> WebResult<JsonBody> {
    attendance::record(&s, &a, id, &body.minutes, &body.reason).await?;
    to_json(repo::signup(&s.db, id).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct CheckinBody {
    token: String,
}

/// A scanned code, sent by an app instead of the phone's browser.
async fn post_checkin(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiJson(b): ApiJson<CheckinBody>,
) -> WebResult<JsonBody> {
    to_json(attendance::scan(&s, &a, &b.token).await?)
}

async fn get_report(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(mut q): Q<crate::pages::reports::ReportQuery>,
) -> WebResult<JsonBody> {
    // The path names the community; the page's query field for it is not the API's.
    q.community = Some(id);
    let (c, year, month) = crate::pages::reports::allowed(&s, &a, &q).await?;
    to_json(crate::reports::build(&s, &c, year, month).await?)
}
