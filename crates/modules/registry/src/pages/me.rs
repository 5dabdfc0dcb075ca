//! A resident's own data (PIPL arts 45–46): they see their record in full, download a copy,
//! and ask for a correction; staff answer each request, with a reason when they refuse.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_web::{
    flash, is_form_error, render, with_error_status, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P, Q,
};

use super::ResidentView;
use crate::commands::care_tag::{open_tags, Tag};
use crate::commands::request::{answer, submit};
use crate::commands::{field, today_in};
use crate::permissions::REQUESTS;
use crate::query::community_for;
use crate::repo::{self, RequestRow, ResidentRow};
use yijia_kernel::community::CommunityAt;

/// A resident's own record with every field opened: it is theirs.
#[derive(Debug, serde::Serialize)]
pub struct OwnData {
    pub resident: ResidentRow,
    pub id_number: String,
    pub phone: String,
    pub phone2: String,
    pub health: String,
    pub care_groups: Vec<Tag>,
}

pub async fn own_data(state: &AppState, actor: &Actor) -> Result<Option<OwnData>> {
    let Some(account) = actor.account_id else {
        return Ok(None);
    };
    let Some(r) = repo::resident_of_account(&state.db, account).await? else {
        return Ok(None);
    };
    let s = repo::sealed_cols(&state.db, r.resident_id).await?.unwrap_or_default();
    let open = |name: &str, v: &Option<String>| -> Result<String> {
        v.as_ref().map_or(Ok(String::new()), |v| state.vault.open(name, v))
    };
    let community = yijia_kernel::community::by_id(&state.db, r.community_id)
        .await?
        .ok_or(Error::NotFound)?;
    let today = today_in(state, &community.time_zone).to_string();
    Ok(Some(OwnData {
        id_number: open(field::ID, &s.id_sealed)?,
        phone: open(field::PHONE, &s.phone_sealed)?,
        phone2: open(field::PHONE, &s.phone2_sealed)?,
        health: open(field::HEALTH, &s.health_sealed)?,
        care_groups: open_tags(&state.vault, &repo::tags_of(&state.db, &[r.resident_id]).await?, &today)?,
        resident: r,
    }))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub kind: String,
    pub body: String,
    pub status: String,
    pub answer: String,
}

/// The resident's record, opened and labelled.
struct Mine {
    d: OwnData,
    v: ResidentView,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    chrome: Chrome,
    mine: Option<Mine>,
    requests: Vec<RequestRow>,
    form: Shown<RequestForm>,
}

impl MePage {
    fn care_label(&self, t: &Tag) -> std::borrow::Cow<'static, str> {
        t.group().label(self.chrome.lang())
    }
}

async fn me_page(ctx: &PageCtx, a: &Actor, form: Shown<RequestForm>) -> WebResult<Response> {
    let data = own_data(&ctx.state, a).await?;
    let chrome = Chrome::new(ctx, "registry.my_data");
    let mine = match data {
        Some(d) => {
            let community = yijia_kernel::community::by_id(&ctx.state.db, d.resident.community_id)
                .await?
                .ok_or(Error::NotFound)?;
            let today = today_in(&ctx.state, &community.time_zone);
            let v = ResidentView::new(d.resident.clone(), chrome.lang(), today, &d.care_groups);
            Some(Mine { d, v })
        }
        None => None,
    };
    let requests = match a.account_id {
        Some(id) => repo::requests_of_account(&ctx.state.db, id).await?,
        None => Vec::new(),
    };
    let mut res = render(MePage {
        chrome,
        mine,
        requests,
        form,
    })?;
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    me_page(&ctx, &a, Shown::none()).await
}

/// The copy a resident downloads: their whole record as JSON.
pub async fn download(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    let data = own_data(&ctx.state, &a).await?.ok_or(Error::NotFound)?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| Error::Internal(e.into()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-data.json\"",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

pub async fn post_request(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<RequestForm>,
) -> WebResult<Response> {
    match submit(&ctx.state, &a, &f.kind, &f.body).await {
        Ok(_) => Ok(flash(
            Redirect::to("/me/data").into_response(),
            ctx.tr.t("registry.request_sent"),
        )),
        Err(e) if is_form_error(&e) => {
            let shown = Shown::failed("request", f, &e, &ctx.tr);
            Ok(with_error_status(me_page(&ctx, &a, shown).await?, &e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "requests.html")]
struct RequestsPage {
    chrome: Chrome,
    community: CommunityAt,
    requests: Vec<RequestRow>,
    form: Shown<RequestForm>,
    failed_id: i64,
}

impl RequestsPage {
    fn when(&self, ms: &i64) -> String {
        yijia_kernel::clock::format_local(*ms, &self.community.time_zone)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommunityQuery {
    pub community: Option<i64>,
}

async fn requests_page(
    ctx: &PageCtx,
    a: &Actor,
    community: Option<i64>,
    form: Shown<RequestForm>,
    failed_id: i64,
) -> WebResult<Response> {
    let (community, reach) = community_for(&ctx.state, a, &REQUESTS, community).await?;
    if reach != yijia_kernel::scope::CommunityReach::All {
        return Err(Error::Forbidden.into());
    }
    let requests = repo::requests_of_community(&ctx.state.db, community.community_id).await?;
    render(RequestsPage {
        chrome: Chrome::new(ctx, "registry.requests"),
        community,
        requests,
        form,
        failed_id,
    })
}

pub async fn staff_list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<CommunityQuery>) -> WebResult<Response> {
    requests_page(&ctx, &a, q.community, Shown::none(), 0).await
}

pub async fn post_answer(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<RequestForm>,
) -> WebResult<Response> {
    match answer(&ctx.state, &a, id, &f.status, &f.answer).await {
        Ok(()) => Ok(Redirect::to("/registry/requests").into_response()),
        Err(e) if is_form_error(&e) => {
            let shown = Shown::failed("answer", f, &e, &ctx.tr);
            Ok(with_error_status(requests_page(&ctx, &a, None, shown, id).await?, &e))
        }
        Err(e) => Err(e.into()),
    }
}
