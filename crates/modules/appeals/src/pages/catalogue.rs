//! The service catalogue, kept by the community's administrator: handling parties and who works
//! for them, categories with their default party and deadline tier, routing rules, and the
//! holidays and make-up days deadlines are counted on.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_db::on_db;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, Q};

use super::{options, Labels};
use crate::commands::catalogue::{self, CategoryInput, DayInput, PartyInput, RouteInput};
use crate::model::{PartyKind, Tier};
use crate::permissions::CATALOGUE;
use crate::query::only_community;
use crate::repo::{self, CategoryRow, PartyRow, RouteRow};

/// Every catalogue form's fields, so one `Shown` carries whichever failed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueForm {
    pub community: String,
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub party: String,
    pub username: String,
    pub code: String,
    pub tier: String,
    pub keywords: String,
    pub category: String,
    pub grid: String,
    pub building: String,
    pub day: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    parties: Vec<PartyRow>,
    members: Vec<(i64, i64, String)>,
    categories: Vec<CategoryRow>,
    routes: Vec<RouteRow>,
    days: Vec<(String, i64)>,
    grids: Vec<(String, String)>,
    party_kinds: Vec<(&'static str, &'static str)>,
    tiers: Vec<(&'static str, &'static str)>,
    day_kinds: Vec<(&'static str, String)>,
    form: Shown<CatalogueForm>,
}

impl CataloguePage {
    fn members_of(&self, party: &i64) -> String {
        let names: Vec<&str> = self
            .members
            .iter()
            .filter(|m| m.0 == *party)
            .map(|m| m.2.as_str())
            .collect();
        names.join("、")
    }

    fn party_options(&self) -> Vec<(String, String)> {
        self.parties
            .iter()
            .filter(|p| p.retired_at.is_none())
            .map(|p| (p.party_id.to_string(), p.name.clone()))
            .collect()
    }

    fn category_options(&self) -> Vec<(String, String)> {
        self.categories
            .iter()
            .map(|c| (c.category_id.to_string(), c.name.clone()))
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CatalogueQuery {
    pub community: Option<i64>,
}

async fn page(ctx: &PageCtx, a: &Actor, community_id: i64, form: Shown<CatalogueForm>) -> WebResult<Response> {
    let c = crate::commands::community(&ctx.state, community_id).await?;
    if !CATALOGUE.allows(a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let db = &ctx.state.db;
    let days: Vec<(String, i64)> = on_db!(db, |p| sqlx::query_as(
        "select day, cast(working as bigint) from community_day where community_id = $1 order by day desc limit 60"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?);
    let grids: Vec<(i64, String)> = on_db!(db, |p| sqlx::query_as(
        "select grid_id, name from grid where community_id = $1 and retired_at is null order by code"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?);
    let chrome = Chrome::new(ctx, "appeals.catalogue");
    let lang = chrome.lang();
    render(CataloguePage {
        l: Labels { lang },
        community_id,
        parties: repo::parties(db, community_id).await?,
        members: repo::members(db, community_id).await?,
        categories: repo::categories(db, community_id).await?,
        routes: repo::routes(db, community_id).await?,
        days,
        grids: grids.into_iter().map(|(id, n)| (id.to_string(), n)).collect(),
        party_kinds: options(PartyKind::ALL, PartyKind::as_str, |k| k.label(lang)),
        tiers: options(Tier::ALL, Tier::as_str, |t| t.label(lang)),
        day_kinds: vec![
            ("holiday", chrome.t("appeals.day_holiday")),
            ("working", chrome.t("appeals.day_working")),
            ("normal", chrome.t("appeals.day_normal")),
        ],
        chrome,
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<CatalogueQuery>) -> WebResult<Response> {
    let id = q.community.or_else(|| only_community(&a)).ok_or(Error::NotFound)?;
    page(&ctx, &a, id, Shown::none()).await
}

/// Answers a catalogue post: back to the page, or the page with the failed form.
async fn answer(
    ctx: PageCtx,
    a: Actor,
    which: &'static str,
    f: CatalogueForm,
    result: yijia_kernel::Result<()>,
) -> WebResult<Response> {
    let community_id: i64 = f.community.trim().parse().map_err(|_| Error::NotFound)?;
    let result = result.map(|()| Redirect::to(&format!("/appeals/catalogue?community={community_id}")).into_response());
    respond(
        result,
        |e| Shown::failed(which, f, e, &ctx.tr),
        |form| page(&ctx, &a, community_id, form),
    )
    .await
}

fn community_of(f: &CatalogueForm) -> i64 {
    f.community.trim().parse().unwrap_or(0)
}

pub async fn post_party(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<CatalogueForm>,
) -> WebResult<Response> {
    let input = PartyInput {
        kind: f.kind.clone(),
        name: f.name.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
    };
    let r = catalogue::add_party(&ctx.state, &a, community_of(&f), &input)
        .await
        .map(|_| ());
    answer(ctx, a, "party", f, r).await
}

pub async fn post_member(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<CatalogueForm>,
) -> WebResult<Response> {
    let party: i64 = f.party.trim().parse().unwrap_or(0);
    let r = match repo::party(&ctx.state.db, party).await {
        Ok(Some(p)) if p.community_id == community_of(&f) => {
            catalogue::add_member(&ctx.state, &a, party, &f.username).await
        }
        Ok(_) => Err(Error::field("party", "appeals.bad_choice")),
        Err(e) => Err(e),
    };
    answer(ctx, a, "member", f, r).await
}

pub async fn post_category(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<CatalogueForm>,
) -> WebResult<Response> {
    let input = CategoryInput {
        code: f.code.clone(),
        name: f.name.clone(),
        keywords: f.keywords.clone(),
        party: f.party.clone(),
        tier: f.tier.clone(),
        ..CategoryInput::default()
    };
    let r = catalogue::add_category(&ctx.state, &a, community_of(&f), &input)
        .await
        .map(|_| ());
    answer(ctx, a, "category", f, r).await
}

pub async fn post_route(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<CatalogueForm>,
) -> WebResult<Response> {
    let input = RouteInput {
        category: f.category.clone(),
        grid: f.grid.clone(),
        building: f.building.clone(),
        party: f.party.clone(),
    };
    let r = catalogue::add_route(&ctx.state, &a, community_of(&f), &input)
        .await
        .map(|_| ());
    answer(ctx, a, "route", f, r).await
}

pub async fn post_day(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<CatalogueForm>,
) -> WebResult<Response> {
    let input = DayInput {
        day: f.day.clone(),
        kind: f.kind.clone(),
    };
    let r = catalogue::set_day(&ctx.state, &a, community_of(&f), &input).await;
    answer(ctx, a, "day", f, r).await
}
