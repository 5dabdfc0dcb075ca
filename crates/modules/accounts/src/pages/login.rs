use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::actor::Via;
use yijia_kernel::{session, Error};
use yijia_web::{
    local_path, render, set_cookie, with_error_status, Chrome, ClientAddr, FormErrors, MaybeActor, PageCtx, PageForm,
    WebResult, Q,
};

use crate::commands::login::login;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn show(ctx: PageCtx, Q(q): Q<NextQuery>) -> WebResult<Response> {
    if ctx.actor.is_some() {
        return Ok(Redirect::to(&local_path(&q.next)).into_response());
    }
    let chrome = Chrome::new(&ctx, "accounts.login_title");
    render(LoginPage {
        chrome,
        username: String::new(),
        next: q.next,
        errors: FormErrors::default(),
    })
}

pub async fn submit(
    ctx: PageCtx,
    ClientAddr(addr): ClientAddr,
    PageForm(f): PageForm<LoginForm>,
) -> WebResult<Response> {
    match login(&ctx.state, &f.username, &f.password, &addr).await {
        Ok(secret) => {
            let cookie = set_cookie(
                session::COOKIE,
                &secret,
                ctx.state.config.session_hours * 3600,
                ctx.state.config.cookies_secure(),
                true,
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&local_path(&f.next))).into_response())
        }
        Err(e @ (Error::Rejected { .. } | Error::TooManyRequests { .. })) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            let chrome = Chrome::new(&ctx, "accounts.login_title");
            let page = render(LoginPage {
                chrome,
                username: f.username,
                next: f.next,
                errors,
            })?;
            Ok(with_error_status(page, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(ctx: PageCtx, MaybeActor(actor): MaybeActor) -> WebResult<Response> {
    if let Some(Via::Session { session_hash }) = actor.map(|a| a.via) {
        session::end(&ctx.state.db, &session_hash).await?;
    }
    let cookie = set_cookie(session::COOKIE, "", 0, ctx.state.config.cookies_secure(), true);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}
