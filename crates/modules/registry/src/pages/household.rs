//! A household: its members, owners and tenants, door visits and history; adding a member,
//! an owner or a tenant, and logging a visit from a phone at the door.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_kernel::{Actor, Error};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P};

use super::{history_lines, Choices, HistoryLine, ResidentView};
use crate::commands::add_resident::add_resident;
use crate::commands::care_tag::open_tags;
use crate::commands::holding::{add_holding, end_holding, HoldingInput};
use crate::commands::today_in;
use crate::commands::visit::{log_visit, open_visits, Visit, VisitInput};
use crate::model::{AreaSource, HoldingKind, ResidentInput};
use crate::permissions::{READ, WRITE};
use crate::repo::{self, HoldingRow, HouseholdAt};

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    chrome: Chrome,
    at: HouseholdAt,
    members: Vec<ResidentView>,
    holdings: Vec<HoldingRow>,
    visits: Vec<Visit>,
    history: Vec<HistoryLine>,
    choices: Choices,
    can_write: bool,
    member: Shown<ResidentInput>,
    holding: Shown<HoldingInput>,
    visit: Shown<VisitInput>,
    tz: String,
}

impl HouseholdPage {
    fn when(&self, ms: &i64) -> String {
        yijia_kernel::clock::format_local(*ms, &self.tz)
    }

    fn holding_kind(&self, h: &HoldingRow) -> &'static str {
        HoldingKind::parse(&h.kind).map_or("", |k| k.label(self.chrome.lang()))
    }

    fn area_source(&self, h: &HoldingRow) -> &'static str {
        h.area_source
            .as_deref()
            .and_then(AreaSource::parse)
            .map_or("", |s| s.label(self.chrome.lang()))
    }
}

#[derive(Default)]
struct Again {
    member: Option<Shown<ResidentInput>>,
    holding: Option<Shown<HoldingInput>>,
    visit: Option<Shown<VisitInput>>,
}

async fn page(ctx: &PageCtx, actor: &Actor, id: i64, again: Again) -> WebResult<Response> {
    let state = &ctx.state;
    let at = repo::household(&state.db, id).await?.ok_or(Error::NotFound)?;
    if !READ.allows(actor, &at.place()) {
        return Err(Error::NotFound.into());
    }
    let today = today_in(state, &at.time_zone);
    let rows = repo::household_members(&state.db, id).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.resident_id).collect();
    let tags = open_tags(&state.vault, &repo::tags_of(&state.db, &ids).await?, &today.to_string())?;
    let chrome = Chrome::new(ctx, "registry.household");
    let lang = chrome.lang();
    render(HouseholdPage {
        members: rows
            .into_iter()
            .map(|r| ResidentView::new(r, lang, today, &tags))
            .collect(),
        holdings: repo::holdings_of(&state.db, id).await?,
        visits: open_visits(&state.vault, repo::visits_of(&state.db, id).await?)?,
        history: history_lines(
            &chrome,
            &at.time_zone,
            repo::history(&state.db, at.community_id, Some(id), None).await?,
        ),
        choices: Choices::of(state, at.community_id, lang).await?,
        can_write: at.retired_at.is_none() && WRITE.allows(actor, &at.place()),
        member: again.member.unwrap_or_else(Shown::none),
        holding: again.holding.unwrap_or_else(Shown::none),
        visit: again.visit.unwrap_or_else(Shown::none),
        tz: at.time_zone.clone(),
        at,
        chrome,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    page(&ctx, &a, id, Again::default()).await
}

fn back(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/registry/households/{id}#{anchor}")).into_response()
}

/// Answers a post (see [`super::respond`]) with this page.
async fn respond(
    ctx: &PageCtx,
    a: &Actor,
    id: i64,
    result: Result<Response, Error>,
    again: impl FnOnce(&Error) -> Again,
) -> WebResult<Response> {
    super::respond(result, again, |g| page(ctx, a, id, g)).await
}

pub async fn post_member(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ResidentInput>,
) -> WebResult<Response> {
    let result = add_resident(&ctx.state, &a, id, &f)
        .await
        .map(|rid| Redirect::to(&format!("/registry/residents/{rid}")).into_response());
    respond(&ctx, &a, id, result, |e| Again {
        member: Some(Shown::failed("member", f, e, &ctx.tr)),
        ..Again::default()
    })
    .await
}

pub async fn post_holding(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<HoldingInput>,
) -> WebResult<Response> {
    let result = add_holding(&ctx.state, &a, id, &f)
        .await
        .map(|_| back(id, "h-holdings"));
    respond(&ctx, &a, id, result, |e| Again {
        holding: Some(Shown::failed("holding", f, e, &ctx.tr)),
        ..Again::default()
    })
    .await
}

pub async fn post_end_holding(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P((id, holding_id)): P<(i64, i64)>,
) -> WebResult<Response> {
    end_holding(&ctx.state, &a, holding_id).await?;
    Ok(back(id, "h-holdings"))
}

pub async fn post_visit(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<VisitInput>,
) -> WebResult<Response> {
    let result = log_visit(&ctx.state, &a, id, &f).await.map(|_| back(id, "h-visits"));
    respond(&ctx, &a, id, result, |e| Again {
        visit: Some(Shown::failed("visit", f, e, &ctx.tr)),
        ..Again::default()
    })
    .await
}
