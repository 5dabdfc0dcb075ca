//! The staff's list of a community's volunteers with the form that registers someone (a
//! resident or a person from outside), and one volunteer: profile, balances, history, bonuses
//! and spends, for staff only. A merchant of the alliance reaches a volunteer through the code
//! the volunteer presents (`redeem`), never through these pages.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P, Q};

use super::{community_of, Labels};
use crate::commands;
use crate::commands::points::{self, PointsInput};
use crate::commands::profile::{self, ProfileInput};
use crate::ledger;
use crate::model::{Ledger, TxnKind};
use crate::permissions::MANAGE;
use crate::repo::{self, EntryRow, MemberRow, VolunteerRow};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeopleQuery {
    pub community: Option<i64>,
    pub q: String,
    pub before: Option<i64>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    chrome: Chrome,
    community_id: i64,
    q: String,
    rows: Vec<VolunteerRow>,
    next: Option<i64>,
    form: Shown<ProfileInput>,
}

async fn people_page(
    ctx: &PageCtx,
    a: &Actor,
    community_id: i64,
    q: PeopleQuery,
    form: Shown<ProfileInput>,
) -> WebResult<Response> {
    let c = commands::community(&ctx.state, community_id).await?;
    if !MANAGE.allows(a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let limit = 50;
    let mut rows = repo::volunteers(
        &ctx.state.db,
        community_id,
        q.q.trim(),
        q.before.unwrap_or(i64::MAX),
        limit + 1,
    )
    .await?;
    let next = (rows.len() > 50).then(|| {
        rows.truncate(50);
        rows.last().map(|r| r.volunteer_id)
    });
    render(PeoplePage {
        chrome: Chrome::new(ctx, "volunteers.nav_people"),
        community_id,
        q: q.q,
        rows,
        next: next.flatten(),
        form,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<PeopleQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    people_page(&ctx, &a, id, q, Shown::none()).await
}

pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<ProfileInput>,
) -> WebResult<Response> {
    let id = community_of(f.community.trim().parse().ok(), &a)?;
    let result = profile::register(&ctx.state, &a, &f)
        .await
        .map(|v| Redirect::to(&format!("/volunteers/people/{v}")).into_response());
    respond(
        result,
        |e| Shown::failed("person", f, e, &ctx.tr),
        |form| people_page(&ctx, &a, id, PeopleQuery::default(), form),
    )
    .await
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    l: Labels,
    v: VolunteerRow,
    staff: bool,
    minutes: i64,
    points: i64,
    memberships: Vec<MemberRow>,
    hours_history: Vec<EntryRow>,
    points_history: Vec<EntryRow>,
    form: Shown<PointsInput>,
}

async fn person_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<PointsInput>) -> WebResult<Response> {
    let db = &ctx.state.db;
    let v = repo::volunteer(db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(&ctx.state, v.community_id).await?;
    let staff = MANAGE.allows(a, &c.place());
    if !staff {
        return Err(Error::NotFound.into());
    }
    let mut p = PersonPage {
        chrome: Chrome::new(ctx, "volunteers.person"),
        l: Labels {
            lang: "zh-CN",
            tz: c.time_zone.clone(),
        },
        staff,
        minutes: ledger::balance(db, id, Ledger::Hours).await?,
        points: ledger::balance(db, id, Ledger::Points).await?,
        memberships: Vec::new(),
        hours_history: Vec::new(),
        points_history: Vec::new(),
        v,
        form,
    };
    p.l.lang = p.chrome.lang();
    if staff {
        p.memberships = repo::memberships(db, id).await?;
        for (l, into) in [
            (Ledger::Hours, &mut p.hours_history),
            (Ledger::Points, &mut p.points_history),
        ] {
            if let Some(acc) = repo::volunteer_account(db, id, l).await? {
                *into = repo::history(db, acc, i64::MAX, 50).await?;
            }
        }
    }
    render(p)
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    person_page(&ctx, &a, id, Shown::none()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PointsForm {
    /// bonus | spend
    pub kind: String,
    pub points: String,
    pub memo: String,
}

pub async fn post_points(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<PointsForm>,
) -> WebResult<Response> {
    let kind = match f.kind.as_str() {
        "bonus" => TxnKind::Bonus,
        _ => TxnKind::Spend,
    };
    let input = PointsInput {
        points: f.points,
        memo: f.memo,
    };
    let result = points::move_points(&ctx.state, &a, id, kind, &input)
        .await
        .map(|_| Redirect::to(&format!("/volunteers/people/{id}")).into_response());
    let which = if kind == TxnKind::Bonus { "bonus" } else { "spend" };
    respond(
        result,
        |e| Shown::failed(which, input, e, &ctx.tr),
        |form| person_page(&ctx, &a, id, form),
    )
    .await
}
