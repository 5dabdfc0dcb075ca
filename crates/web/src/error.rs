//! Errors as people see them. Handlers return [`AppError`]; the response carries the error to
//! [`render_errors`], which knows the reader's language and whether they asked the API (the JSON
//! envelope of DESIGN.md) or a page (an HTML page, or the login page when not signed in). Bare
//! error statuses from the router (404, 405) and the body limit (413) are rendered the same way.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::{json, Map, Value};
use yijia_kernel::error::codes;
use yijia_kernel::i18n::{Locale, Tr};
use yijia_kernel::{AppState, Error};

use crate::extract::{PageCtx, ReqCtx};
use crate::page::Chrome;

/// An error on its way out of a handler.
#[derive(Debug)]
pub struct AppError(pub Error);

pub type WebResult<T> = Result<T, AppError>;

impl<E: Into<Error>> From<E> for AppError {
    fn from(e: E) -> AppError {
        AppError(e.into())
    }
}

/// The error, handed from the handler's response to the renderer.
#[derive(Clone)]
struct Carried(Arc<Error>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = status.into_response();
        res.extensions_mut().insert(Carried(Arc::new(self.0)));
        res
    }
}

/// The fallback for paths no route matches.
pub async fn not_found() -> AppError {
    AppError(Error::NotFound)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    message: String,
    status: u16,
}

pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    // A client that sent credentials of its own (a bearer token) is told they failed; sent to
    // the login page it would carry the same header there and be sent on again, forever.
    let own_credentials = req.headers().contains_key(header::AUTHORIZATION);
    let back = format!("{path}{query}");
    let res = next.run(req).await;
    let locale = res.extensions().get::<Locale>().copied().unwrap_or_default();
    let asker = res.extensions().get::<ReqCtx>().cloned();
    // A 405 says which methods the path takes (RFC 9110 §15.5.6); the rendered error keeps it.
    let allow = res.headers().get(header::ALLOW).cloned();
    let error = match res.extensions().get::<Carried>() {
        Some(Carried(e)) => e.clone(),
        None if res.status().as_u16() >= 400 && !res.headers().contains_key(header::CONTENT_TYPE) => {
            Arc::new(from_status(res.status()))
        }
        None => return res,
    };
    let tr = state.tr(locale);
    if let Error::Internal(cause) = &*error {
        tracing::error!(http.path = %path, error = %format!("{cause:#}"), "request failed");
        if error.code() == codes::STORAGE_FULL {
            // `/readyz` now asks the disk itself until a write lands again.
            yijia_db::note_storage_full();
        }
    }
    let mut rendered = if is_api(&path) {
        envelope(&error, &tr)
    } else if matches!(*error, Error::Unauthenticated) && !own_credentials {
        to_login(&path, &query)
    } else {
        let reader = asker.and_then(|c| c.actor);
        // A failed count draws the page without the badge rather than a second error.
        let unread = crate::inbox::unread_of(&state, reader.as_ref()).await.unwrap_or(0);
        let ctx = PageCtx {
            state,
            actor: reader,
            tr,
            path: path.clone(),
            query: query.trim_start_matches('?').to_owned(),
            flash: None,
            unread,
            back,
        };
        page(&error, &ctx)
    };
    if let Some(allow) = allow {
        rendered.headers_mut().insert(header::ALLOW, allow);
    }
    rendered
}

/// The login page, to come back here once signed in.
fn to_login(path: &str, query: &str) -> Response {
    let next_url = format!("{path}{query}");
    let target = format!("/login?next={}", encode(&next_url));
    Redirect::to(&target).into_response()
}

pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api"
}

fn from_status(status: StatusCode) -> Error {
    match status.as_u16() {
        404 => Error::NotFound,
        405 => Error::rejected(405, codes::METHOD_NOT_ALLOWED, "error.method_not_allowed"),
        413 => Error::rejected(413, codes::PAYLOAD_TOO_LARGE, "error.payload_too_large"),
        415 => Error::rejected(415, codes::UNSUPPORTED_MEDIA_TYPE, "error.unsupported_media_type"),
        401 => Error::Unauthenticated,
        403 => Error::Forbidden,
        429 => Error::TooManyRequests { retry_after_secs: 60 },
        s if s < 500 => Error::rejected(s, codes::BAD_REQUEST, "error.bad_request"),
        _ => Error::Internal(anyhow::anyhow!("status {status} without a body")),
    }
}

/// `{"error": {"code", "message", "fields"}}`.
pub fn envelope(error: &Error, tr: &Tr) -> Response {
    let mut body = Map::new();
    body.insert("code".into(), json!(error.code().as_str()));
    body.insert("message".into(), json!(tr.msg(&error.message())));
    if let Error::Validation(fields) = error {
        let f: Map<String, Value> = fields.0.iter().map(|(k, m)| (k.clone(), json!(tr.msg(m)))).collect();
        body.insert("fields".into(), Value::Object(f));
    }
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, axum::Json(json!({ "error": body }))).into_response();
    add_retry_after(error, &mut res);
    res
}

/// The error as a page of the site, with the reader's menu, so that they can go on from it.
fn page(error: &Error, ctx: &PageCtx) -> Response {
    let p = ErrorPage {
        chrome: Chrome::titled(ctx, ctx.tr.t("error.title")),
        message: ctx.tr.msg(&error.message()),
        status: error.status(),
    };
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = match p.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "error").into_response(),
    };
    add_retry_after(error, &mut res);
    res
}

fn add_retry_after(error: &Error, res: &mut Response) {
    if let Error::TooManyRequests { retry_after_secs } = error {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A panic in a handler is a bug: it is logged and counted (`yijia_panics_total`), and the
/// client gets the internal error instead of a dropped connection: [`render_errors`] turns the
/// carried error into the JSON envelope for the API or the error page for pages, in the
/// reader's language.
pub fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = cause
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %detail, "handler panicked");
    crate::metrics::count_panic();
    let mut res = (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(json!({ "error": { "code": "internal", "message": "internal error" } })),
    )
        .into_response();
    res.extensions_mut()
        .insert(Carried(Arc::new(Error::Internal(anyhow::anyhow!("panic")))));
    res
}
