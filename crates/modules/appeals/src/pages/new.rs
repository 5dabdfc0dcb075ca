//! Raising an appeal from a phone: what it is about, what happened, where; staff taking one in
//! at the counter, on the phone or at the door also say how it came and who it is from.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_db::on_db;
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_web::{flash, render, respond, Chrome, CurrentActor, PageCtx, PageParts, Shown, WebResult, Q};

use super::options;
use crate::commands::submit::{submit_with_photos, AppealInput};
use crate::model::{Channel, Kind};
use crate::permissions::{INTAKE, SUBMIT};
use crate::query::only_community;
use crate::repo::{self, CategoryRow};

#[derive(Template)]
#[template(path = "new.html")]
struct NewPage {
    chrome: Chrome,
    community_id: i64,
    categories: Vec<CategoryRow>,
    kinds: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    intake: bool,
    form: Shown<AppealInput>,
    /// Where it happened, picked on a map (the boxes stay for typing).
    map: yijia_web::map::MapView,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub community: Option<i64>,
    /// Raising the appeal from a door visit.
    pub visit: Option<i64>,
}

/// The units of a community as "building unit", for the location select.
async fn units(state: &AppState, community_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(&state.db, |p| sqlx::query_as(
        "select u.unit_id, b.name || ' ' || u.name from unit u join building b on b.building_id = u.building_id \
         where u.community_id = $1 and u.retired_at is null order by b.code, u.code"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// The unit of the reader's own household, when their account is linked to the registry.
async fn own_unit(state: &AppState, actor: &Actor) -> Result<Option<i64>> {
    let Some(account) = actor.account_id else {
        return Ok(None);
    };
    Ok(on_db!(&state.db, |p| sqlx::query_scalar(
        "select h.unit_id from registry_resident r join household h on h.household_id = r.household_id \
         where r.account_id = $1 and r.left_at is null limit 1"
    )
    .bind(account)
    .fetch_optional(p)
    .await?))
}

async fn page(ctx: &PageCtx, a: &Actor, community_id: i64, form: Shown<AppealInput>) -> WebResult<Response> {
    let c = crate::commands::community(&ctx.state, community_id).await?;
    let intake = INTAKE.allows(a, &c.place());
    if !intake && !SUBMIT.allows(a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let chrome = Chrome::new(ctx, "appeals.new");
    let lang = chrome.lang();
    let categories = repo::categories(&ctx.state.db, community_id)
        .await?
        .into_iter()
        .filter(|c| c.retired_at.is_none())
        .collect();
    // The point sent with a refused form stays where it was put.
    let at = yijia_kernel::geo::point_from_form(
        &mut yijia_kernel::FieldErrors::default(),
        &form.input.lat,
        &form.input.long,
        &form.input.datum,
    );
    let tiles = yijia_web::map::tiles(&ctx.state, community_id).await?;
    let map = yijia_web::map::MapView::new(tiles.clone(), Vec::new())
        .centre(yijia_kernel::map::centre(&ctx.state, community_id).await?)
        .picking(&ctx.tr, "appeal", at);
    let res = render(NewPage {
        community_id,
        categories,
        kinds: options(Kind::ALL, Kind::as_str, |v| v.label(lang)),
        channels: options(
            &[Channel::Counter, Channel::Phone, Channel::Visit],
            Channel::as_str,
            |v| v.label(lang),
        ),
        units: units(&ctx.state, community_id).await?,
        intake,
        form,
        chrome,
        map,
    })?;
    Ok(yijia_web::map::allow_tiles(res, &tiles))
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<NewQuery>) -> WebResult<Response> {
    let id = q.community.or_else(|| only_community(&a)).ok_or(Error::NotFound)?;
    let mut input = AppealInput::default();
    if let Some(u) = own_unit(&ctx.state, &a).await? {
        input.unit = u.to_string();
    }
    if let Some(v) = q.visit {
        input.visit = v.to_string();
        input.channel = "visit".to_owned();
    }
    let form = Shown { input, ..Shown::none() };
    page(&ctx, &a, id, form).await
}

pub async fn post(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageParts { form: f, files }: PageParts<AppealInput>,
) -> WebResult<Response> {
    let community_id = f
        .community
        .trim()
        .parse()
        .ok()
        .or_else(|| only_community(&a))
        .ok_or(Error::NotFound)?;
    let photos: Vec<&[u8]> = files
        .iter()
        .filter(|u| u.field == "photos")
        .map(|u| u.bytes.as_slice())
        .collect();
    let result = submit_with_photos(&ctx.state, &a, &f, &photos).await.map(|id| {
        let to = Redirect::to(&format!("/appeals/{id}")).into_response();
        flash(to, ctx.tr.tf("appeals.done_submit", &[("id", id.to_string())]))
    });
    respond(
        result,
        |e| Shown::failed("appeal", f, e, &ctx.tr),
        |form| page(&ctx, &a, community_id, form),
    )
    .await
}
