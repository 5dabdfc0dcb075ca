use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::i18n::Locale;
use yijia_kernel::Error;
use yijia_web::{
    local_path, render, set_cookie, with_error_status, Chrome, CurrentActor, FormErrors, MaybeActor, PageCtx, PageForm,
    WebResult, P,
};

use crate::commands::{change_password, set_locale, tokens};
use crate::model::GrantView;
use crate::repo::{self, TokenView};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    username: String,
    grants: Vec<GrantView>,
    tokens: Vec<TokenView>,
    must_change: bool,
    password_errors: FormErrors,
    password_changed: bool,
    token_errors: FormErrors,
    new_token: Option<String>,
}

async fn page(
    ctx: &PageCtx,
    actor: &yijia_kernel::Actor,
    password_errors: FormErrors,
    password_changed: bool,
    token_errors: FormErrors,
    new_token: Option<String>,
) -> WebResult<Response> {
    let id = actor.account_id.ok_or(Error::Forbidden)?;
    let grants = repo::grants_of(&ctx.state.db, id, id).await?;
    let tokens = repo::tokens_of(&ctx.state.db, id).await?;
    let chrome = Chrome::new(ctx, "accounts.account_title");
    render(AccountPage {
        chrome,
        username: actor.username.clone(),
        grants,
        tokens,
        must_change: actor.must_change_password && !password_changed,
        password_errors,
        password_changed,
        token_errors,
        new_token,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor) -> WebResult<Response> {
    page(&ctx, &actor, FormErrors::default(), false, FormErrors::default(), None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

pub async fn change_password(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    PageForm(f): PageForm<PasswordForm>,
) -> WebResult<Response> {
    match change_password::change_password(
        &ctx.state,
        &actor,
        &f.current_password,
        &f.new_password,
        &f.repeat_password,
    )
    .await
    {
        Ok(()) => page(&ctx, &actor, FormErrors::default(), true, FormErrors::default(), None).await,
        Err(e @ Error::Validation(_)) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            let res = page(&ctx, &actor, errors, false, FormErrors::default(), None).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    PageForm(f): PageForm<TokenForm>,
) -> WebResult<Response> {
    match tokens::create_personal(&ctx.state, &actor, &f.name).await {
        Ok(token) => {
            page(
                &ctx,
                &actor,
                FormErrors::default(),
                false,
                FormErrors::default(),
                Some(token),
            )
            .await
        }
        Err(e @ Error::Validation(_)) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            let res = page(&ctx, &actor, FormErrors::default(), false, errors, None).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    tokens::revoke(&ctx.state, &actor, id).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// Switches the language: remembered on the account when signed in, in a cookie always.
pub async fn switch_language(
    ctx: PageCtx,
    MaybeActor(actor): MaybeActor,
    PageForm(f): PageForm<LangForm>,
) -> WebResult<Response> {
    let locale = Locale::parse(&f.lang).ok_or_else(|| Error::field("lang", "accounts.unknown_language"))?;
    if let Some(a) = &actor {
        set_locale::set_locale(&ctx.state, a, locale).await?;
    }
    let cookie = set_cookie(
        "yijia_lang",
        locale.as_str(),
        365 * 24 * 3600,
        ctx.state.config.cookies_secure(),
        false,
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&local_path(&f.back))).into_response())
}
