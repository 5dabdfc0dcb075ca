//! Open311 GeoReport v2 at `/open311/v2`, for 12345 hotlines, city apps and any other client
//! of the standard: `discovery`, `services` and their definitions (a category's extra questions
//! as attributes), `requests` (POST with an integration's `api_key`; GET with the
//! specification's filters and its default 90-day window), `requests/{id}`, `tokens/{token}`,
//! and the `servicerequestupdates` extension. Every path answers in `.json` or `.xml`;
//! `jurisdiction_id` is the community's code. Requesters' names and numbers are never served.

pub mod format;

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Locale;
use yijia_kernel::redact::mask_numbers;
use yijia_kernel::{AppState, Error};

use self::format::{Format, Node};
use crate::commands::submit::{submit, AppealInput};
use crate::model::{DeclineReason, Status};
use crate::repo::{self, AppealRow, CategoryRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(get_top).post(post_top))
        .route("/open311/v2/services/{file}", get(get_service))
        .route("/open311/v2/requests/{file}", get(get_request))
        .route("/open311/v2/tokens/{file}", get(get_token))
}

/// The most appeals a search answers with (the specification's suggestion).
const MAX_RESULTS: i64 = 1000;
/// The search window when no dates are given, and the widest allowed.
const WINDOW_MS: i64 = 90 * 24 * 3_600_000;

/// An Open311 failure: its status and descriptions, answered in the request's format.
struct Fail(StatusCode, Vec<String>);

impl Fail {
    fn bad(d: impl Into<String>) -> Fail {
        Fail(StatusCode::BAD_REQUEST, vec![d.into()])
    }
}

type Done = Result<(String, Node), Fail>;

fn params(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default()
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

fn locale(headers: &HeaderMap) -> Locale {
    let lang = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if lang.trim_start().starts_with("en") {
        Locale::En
    } else {
        Locale::ZhCn
    }
}

/// Runs a handler and answers in the path's format; an unknown extension is a 404.
async fn answer<F, Fut>(file: &str, f: F) -> Response
where
    F: FnOnce(String, Format) -> Fut,
    Fut: std::future::Future<Output = Done>,
{
    let Some((stem, format)) = Format::split(file) else {
        return Format::Json.errors(StatusCode::NOT_FOUND, &["unknown format: use .json or .xml".to_owned()]);
    };
    match f(stem.to_owned(), format).await {
        Ok((root, node)) => format.answer(StatusCode::OK, &root, &node),
        Err(Fail(status, d)) => format.errors(status, &d),
    }
}

fn internal(e: Error) -> Fail {
    tracing::error!(error = %e, "open311 request failed");
    Fail(StatusCode::INTERNAL_SERVER_ERROR, vec!["internal error".to_owned()])
}

/// The community a request is for: `jurisdiction_id`, or the only community there is.
async fn jurisdiction(state: &AppState, p: &[(String, String)]) -> Result<CommunityAt, Fail> {
    match param(p, "jurisdiction_id") {
        Some(code) => yijia_kernel::community::by_code(&state.db, code.trim())
            .await
            .map_err(internal)?
            .ok_or_else(|| Fail(StatusCode::NOT_FOUND, vec![format!("jurisdiction_id {code} not found")])),
        None => {
            let all: Vec<i64> = yijia_db::on_db!(&state.db, |c| sqlx::query_scalar(
                "select community_id from community where retired_at is null limit 2"
            )
            .fetch_all(c)
            .await
            .map_err(|e| internal(e.into()))?);
            match all.as_slice() {
                [one] => crate::commands::community(state, *one).await.map_err(internal),
                _ => Err(Fail::bad("jurisdiction_id is required")),
            }
        }
    }
}

fn datetime(ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_default()
}

/// A date as clients send it: with an offset (`2026-11-01T00:00:00+08:00`, `…Z`), or a bare
/// date or date-time read in the community's time zone.
fn parse_datetime(s: &str, tz: &TimeZone) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t.as_millisecond());
    }
    let civil = s.parse::<jiff::civil::DateTime>().ok().or_else(|| {
        s.parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    })?;
    civil.to_zoned(tz.clone()).ok().map(|z| z.timestamp().as_millisecond())
}

fn is_closed(status: &str) -> bool {
    matches!(
        Status::parse(status),
        Some(Status::Closed | Status::Declined | Status::Rated)
    )
}

// ---- discovery, services ----

async fn get_top(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let p = params(q.as_deref());
    answer(&file, |stem, _| async move {
        match stem.as_str() {
            "discovery" => discovery(&state, &headers).await,
            "services" => services(&state, &p).await,
            "requests" => search(&state, &p).await,
            "servicerequestupdates" => updates(&state, &p).await,
            _ => Err(Fail(StatusCode::NOT_FOUND, vec![format!("no such resource: {stem}")])),
        }
    })
    .await
}

async fn discovery(state: &AppState, headers: &HeaderMap) -> Done {
    // The catalogue's last change: clients refresh their copy of the services when it moves.
    let changed: Option<i64> = yijia_db::on_db!(&state.db, |c| sqlx::query_scalar(
        "select max(created_at) from appeal_category"
    )
    .fetch_one(c)
    .await
    .map_err(|e| internal(e.into()))?);
    let changeset = datetime(changed.unwrap_or(0), &TimeZone::UTC);
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let endpoint = Node::Obj(vec![
        ("specification", Node::text("http://wiki.open311.org/GeoReport_v2")),
        ("url", Node::text(format!("http://{host}/open311/v2"))),
        ("changeset", Node::text(changeset.clone())),
        ("type", Node::text("production")),
        (
            "formats",
            Node::List("format", vec![Node::text("text/xml"), Node::text("application/json")]),
        ),
    ]);
    let node = Node::Obj(vec![
        ("changeset", Node::text(changeset)),
        ("contact", Node::text("西邻驿家 · 社区大管家服务台")),
        (
            "key_service",
            Node::text("API keys are issued by the community: yijia apikey create"),
        ),
        ("endpoints", Node::List("endpoint", vec![endpoint])),
    ]);
    Ok(("discovery".to_owned(), node))
}

async fn live_categories(state: &AppState, c: &CommunityAt) -> Result<Vec<CategoryRow>, Fail> {
    Ok(repo::categories(&state.db, c.community_id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|x| x.retired_at.is_none())
        .collect())
}

async fn services(state: &AppState, p: &[(String, String)]) -> Done {
    let c = jurisdiction(state, p).await?;
    let items = live_categories(state, &c)
        .await?
        .into_iter()
        .map(|x| {
            let keywords: Vec<&str> = x.keywords.split_whitespace().collect();
            let questions = x.attribute_defs().map_err(internal)?;
            Ok(Node::Obj(vec![
                ("service_code", Node::text(&x.code)),
                ("service_name", Node::text(&x.name)),
                ("description", Node::text(&x.description)),
                ("metadata", Node::Bool(!questions.is_empty())),
                ("type", Node::text("realtime")),
                ("keywords", Node::text(keywords.join(","))),
                ("group", Node::text(&x.party_name)),
            ]))
        })
        .collect::<Result<_, Fail>>()?;
    Ok(("services".to_owned(), Node::List("service", items)))
}

async fn get_service(State(state): State<AppState>, Path(file): Path<String>, RawQuery(q): RawQuery) -> Response {
    let p = params(q.as_deref());
    answer(&file, |code, _| async move {
        let c = jurisdiction(&state, &p).await?;
        let cat = live_categories(&state, &c)
            .await?
            .into_iter()
            .find(|x| x.code == code)
            .ok_or_else(|| Fail(StatusCode::NOT_FOUND, vec![format!("service_code {code} not found")]))?;
        let attributes = cat
            .attribute_defs()
            .map_err(internal)?
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let values = d
                    .values
                    .iter()
                    .map(|v| Node::Obj(vec![("key", Node::text(&v.key)), ("name", Node::text(&v.name))]))
                    .collect();
                Node::Obj(vec![
                    ("variable", Node::Bool(true)),
                    ("code", Node::text(&d.code)),
                    ("datatype", Node::text(&d.datatype)),
                    ("required", Node::Bool(d.required)),
                    ("datatype_description", Node::text(&d.datatype_description)),
                    ("order", Node::Int(i64::try_from(i + 1).unwrap_or(i64::MAX))),
                    ("description", Node::text(&d.description)),
                    ("values", Node::List("value", values)),
                ])
            })
            .collect();
        let node = Node::Obj(vec![
            ("service_code", Node::text(&cat.code)),
            ("attributes", Node::List("attribute", attributes)),
        ]);
        Ok(("service_definition".to_owned(), node))
    })
    .await
}

// ---- requests ----

/// A request as the specification describes it; never the requester's name or number.
fn request_node(a: &AppealRow, code: &str, tz: &TimeZone) -> Node {
    let coord = |v: Option<i64>| v.map_or(Node::Null, |x| Node::Num(x as f64 / 1e6));
    let notes = match (&a.decline_reason, a.answer.is_empty()) {
        (Some(r), _) => DeclineReason::parse(r).map(|r| r.zh().to_owned()),
        (None, false) => Some(a.answer.clone()),
        (None, true) => None,
    };
    Node::Obj(vec![
        ("service_request_id", Node::text(a.appeal_id.to_string())),
        (
            "status",
            Node::text(if is_closed(&a.status) { "closed" } else { "open" }),
        ),
        // A public feed: numbers a resident typed into the text are masked (issue 19).
        ("status_notes", Node::opt(notes.map(|n| mask_numbers(&n)))),
        ("service_name", Node::text(&a.category_name)),
        ("service_code", Node::text(code)),
        ("description", Node::text(mask_numbers(&a.description))),
        ("agency_responsible", Node::opt(a.party_name.clone())),
        ("service_notice", Node::Null),
        ("requested_datetime", Node::text(datetime(a.created_at, tz))),
        ("updated_datetime", Node::text(datetime(a.updated_at, tz))),
        (
            "expected_datetime",
            Node::opt(crate::view::due_at(a).map(|d| datetime(d, tz))),
        ),
        ("address", Node::text(mask_numbers(&a.address))),
        ("address_id", Node::opt(a.unit_id.map(|u| u.to_string()))),
        ("zipcode", Node::Null),
        ("lat", coord(a.lat_e6)),
        ("long", coord(a.long_e6)),
        (
            "media_url",
            Node::opt((!a.media_url.is_empty()).then(|| a.media_url.clone())),
        ),
    ])
}

fn codes_by_id(cats: &[CategoryRow]) -> BTreeMap<i64, String> {
    cats.iter().map(|c| (c.category_id, c.code.clone())).collect()
}

async fn search(state: &AppState, p: &[(String, String)]) -> Done {
    let c = jurisdiction(state, p).await?;
    let tz = TimeZone::get(&c.time_zone).unwrap_or(TimeZone::UTC);
    let cats = repo::categories(&state.db, c.community_id).await.map_err(internal)?;
    let mut f = repo::Open311Filter {
        community_id: c.community_id,
        ..repo::Open311Filter::default()
    };
    if let Some(ids) = param(p, "service_request_id") {
        let parsed: Result<Vec<i64>, _> = ids.split(',').map(|s| s.trim().parse::<i64>()).collect();
        f.ids = Some(parsed.map_err(|_| Fail::bad("service_request_id must be numbers separated by commas"))?);
    }
    // service_request_id overrides every other argument (GeoReport v2).
    let by_id = f.ids.is_some();
    if let Some(codes) = param(p, "service_code").filter(|_| !by_id) {
        let wanted: Vec<&str> = codes.split(',').map(str::trim).collect();
        f.categories = Some(
            cats.iter()
                .filter(|x| wanted.contains(&x.code.as_str()))
                .map(|x| x.category_id)
                .collect(),
        );
    }
    if let Some(st) = param(p, "status").filter(|_| !by_id) {
        let mut open = false;
        let mut closed = false;
        for s in st.split(',').map(str::trim) {
            match s {
                "open" => open = true,
                "closed" => closed = true,
                _ => return Err(Fail::bad(format!("status must be open or closed, not {s}"))),
            }
        }
        f.closed = match (open, closed) {
            (true, false) => Some(false),
            (false, true) => Some(true),
            _ => None,
        };
    }
    let date = |name: &str| -> Result<Option<i64>, Fail> {
        param(p, name)
            .map(|v| parse_datetime(v, &tz).ok_or_else(|| Fail::bad(format!("{name} is not a w3 date-time: {v}"))))
            .transpose()
    };
    let (start, end) = (date("start_date")?, date("end_date")?);
    if f.ids.is_none() {
        let now = state.now_ms();
        let (from, to) = match (start, end) {
            (None, None) => (now - WINDOW_MS, now + 1),
            (Some(s), None) => (s, s + WINDOW_MS),
            (None, Some(e)) => (e - WINDOW_MS, e),
            (Some(s), Some(e)) => (s, e),
        };
        if start.is_some() && end.is_some() && to - from > WINDOW_MS {
            return Err(Fail::bad("start_date and end_date may not span more than 90 days"));
        }
        if to < from {
            return Err(Fail::bad("end_date is before start_date"));
        }
        f.from = Some(from);
        f.to = Some(to);
    }
    let rows = repo::open311_requests(&state.db, &f, MAX_RESULTS)
        .await
        .map_err(internal)?;
    let codes = codes_by_id(&cats);
    let items = rows
        .iter()
        .map(|a| request_node(a, codes.get(&a.category_id).map_or("", String::as_str), &tz))
        .collect();
    Ok(("service_requests".to_owned(), Node::List("request", items)))
}

async fn get_request(State(state): State<AppState>, Path(file): Path<String>, RawQuery(q): RawQuery) -> Response {
    let p = params(q.as_deref());
    answer(&file, |id, _| async move { one_request(&state, &p, &id).await }).await
}

async fn one_request(state: &AppState, p: &[(String, String)], id: &str) -> Done {
    let c = jurisdiction(state, p).await?;
    let not_found = || {
        Fail(
            StatusCode::NOT_FOUND,
            vec![format!("service_request_id {id} not found")],
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let a = repo::appeal(&state.db, id)
        .await
        .map_err(internal)?
        .filter(|a| a.community_id == c.community_id)
        .ok_or_else(not_found)?;
    let tz = TimeZone::get(&c.time_zone).unwrap_or(TimeZone::UTC);
    let cats = repo::categories(&state.db, c.community_id).await.map_err(internal)?;
    let codes = codes_by_id(&cats);
    let node = request_node(&a, codes.get(&a.category_id).map_or("", String::as_str), &tz);
    Ok(("service_requests".to_owned(), Node::List("request", vec![node])))
}

/// Requests are created at once, so a token is the request's own id.
async fn get_token(State(state): State<AppState>, Path(file): Path<String>, RawQuery(q): RawQuery) -> Response {
    let p = params(q.as_deref());
    answer(&file, |token, _| async move {
        one_request(&state, &p, &token).await?;
        let node = Node::Obj(vec![
            ("service_request_id", Node::text(token.clone())),
            ("token", Node::text(token)),
        ]);
        Ok(("service_requests".to_owned(), Node::List("request", vec![node])))
    })
    .await
}

async fn post_top(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let loc = locale(&headers);
    answer(&file, |stem, _| async move {
        match stem.as_str() {
            "requests" => create(&state, &p, loc).await,
            _ => Err(Fail(StatusCode::NOT_FOUND, vec![format!("no such resource: {stem}")])),
        }
    })
    .await
}

async fn create(state: &AppState, p: &[(String, String)], loc: Locale) -> Done {
    let key = param(p, "api_key").ok_or_else(|| Fail(StatusCode::FORBIDDEN, vec!["api_key is required".to_owned()]))?;
    let actor = yijia_kernel::session::resolve_token(&state.db, key.trim(), state.now_ms())
        .await
        .map_err(internal)?
        .ok_or_else(|| Fail(StatusCode::FORBIDDEN, vec!["api_key is not valid".to_owned()]))?;
    let c = jurisdiction(state, p).await?;
    if !crate::permissions::OPEN311.allows(&actor, &c.place()) {
        return Err(Fail(
            StatusCode::FORBIDDEN,
            vec!["api_key is not valid for this jurisdiction".to_owned()],
        ));
    }
    let code = param(p, "service_code").ok_or_else(|| Fail::bad("service_code is required"))?;
    let cat = live_categories(state, &c)
        .await?
        .into_iter()
        .find(|x| x.code == code.trim())
        .ok_or_else(|| Fail(StatusCode::NOT_FOUND, vec![format!("service_code {code} not found")]))?;
    let has = |n: &str| param(p, n).is_some();
    if !(has("lat") && has("long") || has("address_string") || has("address_id")) {
        return Err(Fail::bad(
            "a location is required: lat and long, address_string or address_id",
        ));
    }
    let attributes: BTreeMap<String, String> = p
        .iter()
        .filter_map(|(k, v)| {
            // `attribute[code]`, or `attribute[code][]` for each value of a multivaluelist.
            let k = k.strip_suffix("[]").unwrap_or(k);
            let code = k.strip_prefix("attribute[")?.strip_suffix(']')?;
            Some((code.to_owned(), v.clone()))
        })
        .fold(BTreeMap::new(), |mut m, (k, v)| {
            // A multivaluelist repeats its field: the answers join with commas.
            m.entry(k)
                .and_modify(|x: &mut String| {
                    x.push(',');
                    x.push_str(&v);
                })
                .or_insert(v);
            m
        });
    let name = [param(p, "first_name"), param(p, "last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let description = param(p, "description").map_or_else(|| format!("{}（Open311）", cat.name), str::to_owned);
    let input = AppealInput {
        community: c.community_id.to_string(),
        category: cat.category_id.to_string(),
        kind: "help".to_owned(),
        description,
        unit: param(p, "address_id").unwrap_or("").to_owned(),
        address: param(p, "address_string").unwrap_or("").to_owned(),
        lat: param(p, "lat").unwrap_or("").to_owned(),
        long: param(p, "long").unwrap_or("").to_owned(),
        name,
        phone: param(p, "phone").unwrap_or("").to_owned(),
        media_url: param(p, "media_url").unwrap_or("").to_owned(),
        attributes,
        ..AppealInput::default()
    };
    let id = submit(state, &actor, &input)
        .await
        .map_err(|e| refused(state, e, loc))?;
    let node = Node::Obj(vec![
        ("service_request_id", Node::text(id.to_string())),
        ("service_notice", Node::Null),
        ("account_id", Node::Null),
    ]);
    Ok(("service_requests".to_owned(), Node::List("request", vec![node])))
}

/// Our errors as Open311's: each field's message, named by the parameter it came from.
fn refused(state: &AppState, e: Error, loc: Locale) -> Fail {
    let tr = state.tr(loc);
    let rename = |f: &str| match f {
        "unit" => "address_id".to_owned(),
        "address" => "address_string".to_owned(),
        "category" => "service_code".to_owned(),
        other => other.to_owned(),
    };
    match e {
        Error::Validation(fields) => Fail(
            StatusCode::BAD_REQUEST,
            fields
                .0
                .iter()
                .map(|(f, m)| format!("{}: {}", rename(f), tr.msg(m)))
                .collect(),
        ),
        Error::Forbidden | Error::Unauthenticated => Fail(StatusCode::FORBIDDEN, vec![tr.msg(&e.message())]),
        Error::NotFound => Fail(StatusCode::NOT_FOUND, vec![tr.msg(&e.message())]),
        Error::BadRequest(..) | Error::Conflict(..) | Error::Rejected { .. } => {
            Fail(StatusCode::BAD_REQUEST, vec![tr.msg(&e.message())])
        }
        other => internal(other),
    }
}

// ---- servicerequestupdates ----

async fn updates(state: &AppState, p: &[(String, String)]) -> Done {
    let c = jurisdiction(state, p).await?;
    let tz = TimeZone::get(&c.time_zone).unwrap_or(TimeZone::UTC);
    let date = |name: &str| -> Result<Option<i64>, Fail> {
        param(p, name)
            .map(|v| parse_datetime(v, &tz).ok_or_else(|| Fail::bad(format!("{name} is not a w3 date-time: {v}"))))
            .transpose()
    };
    let now = state.now_ms();
    let end = date("end_date")?.unwrap_or(now + 1);
    let start = date("start_date")?.unwrap_or(end - WINDOW_MS);
    let rows = repo::public_steps(&state.db, c.community_id, start, end, MAX_RESULTS)
        .await
        .map_err(internal)?;
    let items = rows
        .into_iter()
        .map(|(s, closed)| {
            let description = if s.public_note.is_empty() {
                crate::model::Action::parse(&s.action).map_or_else(String::new, |a| a.zh().to_owned())
            } else {
                s.public_note.clone()
            };
            Node::Obj(vec![
                ("update_id", Node::text(s.step_id.to_string())),
                ("service_request_id", Node::text(s.appeal_id.to_string())),
                ("status", Node::text(if closed { "closed" } else { "open" })),
                ("updated_datetime", Node::text(datetime(s.at, &tz))),
                ("description", Node::text(mask_numbers(&description))),
                ("media_url", Node::Null),
            ])
        })
        .collect();
    Ok((
        "service_request_updates".to_owned(),
        Node::List("request_update", items),
    ))
}
