//! The public board (居务公开) of a community, readable without signing in, and one resolution
//! with its tasks: staff assign them and choose who may read the resolution, the parties report
//! progress.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_kernel::{Actor, Error, Result};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P};

use super::{options, Labels, Typed};
use crate::commands::day_of;
use crate::commands::resolution::{self, ProgressInput, TaskInput, VisibilityInput};
use crate::model::Visibility;
use crate::repo;
use crate::view::{self, Board, ResolutionView, Standing};

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    l: Labels,
    b: Board,
}

/// The board: what anyone may read, and for the community's residents what is theirs too.
pub async fn board(ctx: PageCtx, P(community): P<i64>) -> WebResult<Response> {
    let b = view::board(&ctx.state, ctx.actor.as_ref(), community).await?;
    let chrome = Chrome::new(&ctx, "council.board_title");
    render(BoardPage {
        l: Labels {
            lang: chrome.lang(),
            tz: b.time_zone.clone(),
        },
        chrome,
        b,
    })
}

#[derive(Template)]
#[template(path = "resolution.html")]
struct ResolutionPage {
    chrome: Chrome,
    l: Labels,
    r: ResolutionView,
    visibilities: Vec<(&'static str, &'static str)>,
    standing: Standing,
    form: Shown<Typed>,
}

async fn resolution_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<Typed>) -> WebResult<Response> {
    let r = repo::resolution(&ctx.state.db, id).await?.ok_or(Error::NotFound)?;
    let (c, standing) = view::community_for(&ctx.state, a, r.community_id).await?;
    let today = day_of(&c, ctx.state.now_ms());
    let chrome = Chrome::new(ctx, "council.resolution");
    let lang = chrome.lang();
    render(ResolutionPage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        r: view::resolution_view(&ctx.state, r, &today).await?,
        visibilities: options(Visibility::ALL, Visibility::as_str, |v| v.label(lang)),
        standing,
        form,
    })
}

pub async fn resolution(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    resolution_page(&ctx, &a, id, Shown::none()).await
}

async fn answer(
    ctx: PageCtx,
    a: Actor,
    id: i64,
    which: &'static str,
    typed: Typed,
    result: Result<()>,
) -> WebResult<Response> {
    let result = result.map(|()| Redirect::to(&format!("/council/resolutions/{id}")).into_response());
    respond(
        result,
        |e| Shown::failed(which, typed, e, &ctx.tr),
        |form| resolution_page(&ctx, &a, id, form),
    )
    .await
}

pub async fn post_task(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<TaskInput>() {
        Ok(input) => resolution::add_task(&ctx.state, &a, id, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "task", typed, result).await
}

pub async fn post_visibility(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<VisibilityInput>() {
        Ok(input) => resolution::set_visibility(&ctx.state, &a, id, &input).await,
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "visibility", typed, result).await
}

pub async fn post_progress(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(task_id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let t = repo::task(&ctx.state.db, task_id).await?.ok_or(Error::NotFound)?;
    let mut typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<ProgressInput>() {
        Ok(input) => resolution::progress(&ctx.state, &a, task_id, &input).await,
        Err(e) => Err(e),
    };
    // The page shows the error beside this task's form.
    typed.0.insert("task".into(), task_id.to_string());
    answer(ctx, a, t.resolution_id, "progress", typed, result).await
}
