//! The merchant's counter page: the volunteer presents their points code (scanned into the
//! address, or typed), the page shows their name and points balance — nothing else — and the
//! merchant records what was spent against the same code.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, Q};

use crate::commands::points::PointsInput;
use crate::commands::redeem::{self, Card};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RedeemInput {
    pub code: String,
    pub points: String,
    pub memo: String,
    /// Set after a spend was recorded.
    pub done: String,
}

#[derive(Template)]
#[template(path = "redeem.html")]
struct RedeemPage {
    chrome: Chrome,
    code: String,
    card: Option<Card>,
    done: bool,
    form: Shown<RedeemInput>,
}

async fn page(ctx: &PageCtx, a: &Actor, code: &str, done: bool, mut form: Shown<RedeemInput>) -> WebResult<Response> {
    let card = if code.trim().is_empty() {
        None
    } else {
        match redeem::look_up(&ctx.state, a, code).await {
            Ok(card) => Some(card),
            // A bad or stale code is told on the form; anything else is the page's answer.
            Err(e @ Error::Validation(_)) => {
                form = Shown::failed("look_up", form.input, &e, &ctx.tr);
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    render(RedeemPage {
        chrome: Chrome::new(ctx, "volunteers.redeem_title"),
        code: code.trim().to_owned(),
        card,
        done,
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<RedeemInput>) -> WebResult<Response> {
    let code = q.code.clone();
    let done = !q.done.is_empty();
    page(&ctx, &a, &code, done, Shown::none()).await
}

pub async fn post(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<RedeemInput>,
) -> WebResult<Response> {
    let input = PointsInput {
        points: f.points.clone(),
        memo: f.memo.clone(),
    };
    let code = f.code.trim().to_owned();
    let result = redeem::spend(&ctx.state, &a, &code, &input).await.map(|_| {
        let query = serde_urlencoded::to_string([("code", code.as_str()), ("done", "1")]).unwrap_or_default();
        Redirect::to(&format!("/volunteers/redeem?{query}")).into_response()
    });
    respond(
        result,
        |e| Shown::failed("spend", f, e, &ctx.tr),
        |form| page(&ctx, &a, &code, false, form),
    )
    .await
}
