//! The inbox: what concerns the signed-in account, newest first, in its language; opening one
//! marks it read. The same for API clients under `/api/v1/me/notifications`.

use crate::json::{to_json, JsonBody};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};
use yijia_kernel::clock::format_local;
use yijia_kernel::notify::{self, Notification};
use yijia_kernel::{AppState, Error};

use crate::error::WebResult;
use crate::extract::{CurrentActor, PageCtx, P};
use crate::page::{render, Chrome};

const SHOWN: i64 = 100;

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    items: Vec<(Notification, String, String)>,
    unread: i64,
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    let account = a.account_id.ok_or(Error::NotFound)?;
    let (items, unread) = notify::inbox(&ctx.state.db, account, SHOWN).await?;
    let chrome = Chrome::new(&ctx, "inbox.title");
    let items = items
        .into_iter()
        .map(|n| {
            let text = n.text(&ctx.tr);
            let when = format_local(n.created_at, &n.time_zone);
            (n, text, when)
        })
        .collect();
    render(InboxPage { chrome, items, unread })
}

/// Opens a notification: marks it read and follows its link.
pub async fn open(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let account = a.account_id.ok_or(Error::NotFound)?;
    let (items, _) = notify::inbox(&ctx.state.db, account, 1000).await?;
    let n = items
        .into_iter()
        .find(|n| n.notification_id == id)
        .ok_or(Error::NotFound)?;
    notify::mark_read(&ctx.state.db, account, Some(id), ctx.state.now_ms()).await?;
    let to = if n.link.starts_with('/') {
        n.link
    } else {
        "/inbox".to_owned()
    };
    Ok(Redirect::to(&to).into_response())
}

pub async fn read_all(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    let account = a.account_id.ok_or(Error::NotFound)?;
    notify::mark_read(&ctx.state.db, account, None, ctx.state.now_ms()).await?;
    Ok(Redirect::to("/inbox").into_response())
}

pub async fn api_list(State(s): State<AppState>, CurrentActor(a): CurrentActor) -> WebResult<JsonBody> {
    let account = a.account_id.ok_or(Error::NotFound)?;
    let (items, unread) = notify::inbox(&s.db, account, SHOWN).await?;
    let tr = s.tr(a.locale);
    let items: Vec<Value> = items
        .into_iter()
        .map(|n| {
            let text = n.text(&tr);
            let mut v = serde_json::to_value(&n).unwrap_or_default();
            v["text"] = json!(text);
            v
        })
        .collect();
    to_json(json!({ "items": items, "unread": unread, "next": null }))
}

pub async fn api_read(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    let account = a.account_id.ok_or(Error::NotFound)?;
    notify::mark_read(&s.db, account, Some(id), s.now_ms()).await?;
    to_json(json!({ "notification_id": id, "read": true }))
}
