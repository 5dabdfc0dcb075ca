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

/// How many things the reader has unread news of: the badge on 消息 on every page, so it is
/// remembered until the next write (`recent.rs`), which is when it can change. None for a
/// visitor.
pub async fn unread_of(state: &AppState, actor: Option<&yijia_kernel::Actor>) -> yijia_kernel::Result<i64> {
    let Some(account) = actor.and_then(|a| a.account_id) else {
        return Ok(0);
    };
    let n = state
        .recent
        .remember(format!("unread:{account}"), state.now_ms(), async {
            notify::unread(&state.db, account).await.map(Some)
        })
        .await?;
    Ok(n.map_or(0, |n| *n))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    items: Vec<Shown>,
    unread: i64,
}

/// One line of the inbox: the newest notification about one thing (an appeal), with how many
/// earlier ones about it it stands for.
struct Shown {
    n: Notification,
    text: String,
    when: String,
    unread: bool,
    earlier: usize,
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    let account = a.account_id.ok_or(Error::NotFound)?;
    let (items, unread) = notify::inbox(&ctx.state.db, account, SHOWN).await?;
    let chrome = Chrome::new(&ctx, "inbox.title");
    let mut shown: Vec<Shown> = Vec::new();
    for n in items {
        if let Some(s) = shown.iter_mut().find(|s| s.n.link == n.link) {
            s.earlier += 1;
            s.unread |= n.read_at.is_none();
            continue;
        }
        shown.push(Shown {
            text: n.text(&ctx.tr),
            when: format_local(n.created_at, &n.time_zone),
            unread: n.read_at.is_none(),
            earlier: 0,
            n,
        });
    }
    render(InboxPage {
        chrome,
        items: shown,
        unread,
    })
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
