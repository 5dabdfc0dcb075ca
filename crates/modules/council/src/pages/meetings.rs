//! Meetings: the list with the form to schedule one, and one meeting with its agenda, sign-in,
//! the attendance (staff) and its minutes.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error, Result};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P, Q};

use super::{community_of, options, Labels, Typed};
use crate::commands::meeting::{self, MeetingInput, MinutesInput, SignInInput};
use crate::model::{MeetingKind, TopicStatus, Visibility};
use crate::repo::{self, MeetingRow, TopicRow};
use crate::view::{self, Standing};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    meetings: Vec<MeetingRow>,
    agenda_choices: Vec<TopicRow>,
    kinds: Vec<(&'static str, &'static str)>,
    standing: Standing,
    form: Shown<Typed>,
}

async fn list_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<Typed>) -> WebResult<Response> {
    let (c, standing) = view::community_for(&ctx.state, a, id).await?;
    let db = &ctx.state.db;
    let agenda_choices = if standing.staff {
        let mut t = repo::topics(db, id, TopicStatus::Agenda.as_str(), i64::MAX, 100).await?;
        t.extend(repo::topics(db, id, TopicStatus::Raised.as_str(), i64::MAX, 100).await?);
        t
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(ctx, "council.meetings_title");
    let lang = chrome.lang();
    render(MeetingsPage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        community_id: id,
        meetings: repo::meetings(db, id, 100).await?,
        agenda_choices,
        kinds: options(MeetingKind::ALL, MeetingKind::as_str, |k| k.label(lang)),
        standing,
        form,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    list_page(&ctx, &a, id, Shown::none()).await
}

pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let id = community_of(typed.v("community").trim().parse().ok(), &a)?;
    let result = match typed.parse::<MeetingInput>() {
        Ok(input) => meeting::schedule(&ctx.state, &a, &input)
            .await
            .map(|m| Redirect::to(&format!("/council/meetings/{m}")).into_response()),
        Err(e) => Err(e),
    };
    respond(
        result,
        |e| Shown::failed("meeting", typed.clone(), e, &ctx.tr),
        |form| list_page(&ctx, &a, id, form),
    )
    .await
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    l: Labels,
    m: MeetingRow,
    agenda: Vec<TopicRow>,
    attendance: Vec<(String, i64)>,
    visibilities: Vec<(&'static str, &'static str)>,
    standing: Standing,
    now: i64,
    form: Shown<Typed>,
}

async fn meeting_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<Typed>) -> WebResult<Response> {
    let db = &ctx.state.db;
    let m = repo::meeting(db, id).await?.ok_or(Error::NotFound)?;
    let (c, standing) = view::community_for(&ctx.state, a, m.community_id).await?;
    let chrome = Chrome::new(ctx, "council.meeting_title");
    let lang = chrome.lang();
    render(MeetingPage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        agenda: repo::agenda(db, id).await?,
        attendance: if standing.staff || standing.reads {
            repo::attendance(db, id).await?
        } else {
            Vec::new()
        },
        visibilities: options(Visibility::ALL, Visibility::as_str, |v| v.label(lang)),
        m,
        standing,
        now: ctx.state.now_ms(),
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    meeting_page(&ctx, &a, id, Shown::none()).await
}

async fn answer(
    ctx: PageCtx,
    a: Actor,
    id: i64,
    which: &'static str,
    typed: Typed,
    result: Result<()>,
) -> WebResult<Response> {
    let result = result.map(|()| Redirect::to(&format!("/council/meetings/{id}")).into_response());
    respond(
        result,
        |e| Shown::failed(which, typed, e, &ctx.tr),
        |form| meeting_page(&ctx, &a, id, form),
    )
    .await
}

pub async fn post_sign_in(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<SignInInput>() {
        Ok(input) => meeting::sign_in(&ctx.state, &a, id, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "sign_in", typed, result).await
}

pub async fn post_minutes(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<MinutesInput>() {
        Ok(input) => meeting::minutes(&ctx.state, &a, id, &input).await,
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "minutes", typed, result).await
}
