//! Who is asking, in what language, and whether a state-changing request may come from there.

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yijia_db::Topic;
use yijia_kernel::i18n::Locale;
use yijia_kernel::{session, Actor, AppState, Error};

use crate::error::AppError;
use crate::extract::ReqCtx;
use yijia_kernel::error::codes;

/// The cookie that remembers the language of a visitor who is not signed in.
pub const LANG_COOKIE: &str = "yijia_lang";

/// Resolves the bearer token or session cookie to an actor, and the reader's locale.
/// An unknown, expired or forged session is simply nobody; an invalid bearer token is refused.
pub async fn resolve_actor(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_owned);
    let session = cookie(headers, session::COOKIE);
    let lang = cookie(headers, LANG_COOKIE).and_then(|l| Locale::parse(&l));
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language);
    let fallback = lang.or(accept).unwrap_or_default();
    let now = state.now_ms();
    let refuse = |e: Error| with_locale(AppError(e).into_response(), fallback);
    let actor = match (bearer, session) {
        (Some(token), _) => {
            match remembered(&state, "token", &token, session::resolve_token(&state.db, &token, now)).await {
                Ok(Some(a)) => Some(a),
                Ok(None) => return refuse(Error::Unauthenticated),
                Err(e) => return refuse(e),
            }
        }
        (None, Some(s)) if s.len() <= 128 => {
            let hours = state.config.session_hours;
            match remembered(
                &state,
                "session",
                &s,
                session::resolve_session(&state.db, &s, now, hours),
            )
            .await
            {
                Ok(a) => a,
                Err(e) => return refuse(e),
            }
        }
        _ => None,
    };
    let locale = actor.as_ref().map_or(fallback, |a| a.locale);
    let flash = crate::flash::read(req.headers());
    let had_flash = flash.is_some();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let in_place = req.headers().contains_key("hx-request");
    let c = ReqCtx { actor, locale, flash };
    req.extensions_mut().insert(c.clone());
    let mut res = next.run(req).await;
    crate::flash::carry(&method, &path, had_flash, &state.tr(locale), &mut res);
    crate::flash::for_htmx(in_place, &mut res);
    // The error page, drawn outside, keeps the reader's menu.
    res.extensions_mut().insert(c);
    with_locale(res, locale)
}

/// The actor a secret stood for a moment ago (see `recent.rs`), or `resolve`'s answer.
async fn remembered(
    state: &AppState,
    kind: &str,
    secret: &str,
    resolve: impl std::future::Future<Output = yijia_kernel::Result<Option<Actor>>>,
) -> yijia_kernel::Result<Option<Actor>> {
    let key = session::recent_key(kind, secret);
    let actor = state
        .recent
        .remember_topic(Topic::Access, key, state.now_ms(), resolve)
        .await?;
    Ok(actor.map(|a| Actor::clone(&a)))
}

/// The reader's locale travels back on the response, for the error renderer outside this layer.
fn with_locale(mut res: Response, locale: Locale) -> Response {
    res.extensions_mut().insert(locale);
    res
}

/// Refuses a state-changing request sent by another site with the browser's cookies: the
/// browser says so in `Sec-Fetch-Site`, or its `Origin` names another host. Requests that carry
/// a bearer token have no ambient credentials and pass.
pub async fn refuse_cross_site(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let h = req.headers();
    let bearer = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .is_some();
    if !safe && !bearer {
        let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let cross = fetch_site == Some("cross-site")
            || match (
                h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
                h.get(header::HOST).and_then(|v| v.to_str().ok()),
            ) {
                (Some(origin), Some(host)) => origin_host(origin) != Some(host),
                (Some(_), None) => true,
                _ => false,
            };
        if cross {
            return AppError(Error::rejected(403, codes::CROSS_SITE, "error.cross_site")).into_response();
        }
    }
    next.run(req).await
}

/// The token of an `Authorization: Bearer …` header (the scheme is case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn origin_host(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'))
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_host_includes_the_port() {
        assert_eq!(origin_host("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
        assert_eq!(origin_host("null"), None);
    }
}
