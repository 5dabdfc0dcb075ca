//! Saying what an action did on the page it leads to, without JavaScript: a form posts, the
//! handler redirects, and the next page shows "已受理" at its top once.
//!
//! A handler names what happened with [`flash`]; any other page form that succeeds and redirects
//! is said to be saved. The text travels in a short-lived cookie, which the page that shows it
//! clears. It is shown escaped, as any text.

use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::Response;
use yijia_kernel::i18n::Tr;

use crate::guard::cookie;

const COOKIE: &str = "yijia_flash";
/// Longer texts are cut: a cookie is sent with every request until the page shows it.
const MAX_CHARS: usize = 200;

/// What an action did, in the reader's language, carried on its response.
#[derive(Clone, Debug)]
pub struct Flash(pub String);

/// Says `text` on the page `res` redirects to.
pub fn flash(mut res: Response, text: impl Into<String>) -> Response {
    res.extensions_mut().insert(Flash(text.into()));
    res
}

/// The flash a request carries, read from its cookie.
pub fn read(headers: &HeaderMap) -> Option<String> {
    let raw = cookie(headers, COOKIE)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("m={raw}")).ok()?;
    pairs.into_iter().next().map(|(_, m)| m).filter(|m| !m.is_empty())
}

/// Sets or clears the cookie on the way out. A page form's successful redirect sets it (to the
/// handler's text, or to "saved"); an HTML page that showed a flash clears it. Other answers
/// (a redirect between GETs, an image, the API) leave it for the page that will show it.
pub fn carry(method: &Method, path: &str, had: bool, tr: &Tr, res: &mut Response) {
    let api = crate::error::is_api(path);
    let named = res.extensions_mut().remove::<Flash>();
    let redirect = res.status().is_redirection() && res.headers().contains_key(header::LOCATION);
    let quiet = matches!(path, "/login" | "/logout" | "/lang");
    let text = match named {
        Some(Flash(t)) => Some(t),
        None if method == Method::POST && redirect && !api && !quiet => Some(tr.t("flash.saved")),
        None => None,
    };
    let value = match text {
        Some(t) if redirect => {
            let t: String = t.chars().take(MAX_CHARS).collect();
            let encoded = serde_urlencoded::to_string([("m", t)]).unwrap_or_default();
            let encoded = encoded.strip_prefix("m=").unwrap_or_default();
            format!("{COOKIE}={encoded}; Path=/; Max-Age=60; SameSite=Lax; HttpOnly")
        }
        _ if had && shows_page(res) => format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"),
        _ => return,
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A form sent in place by htmx (`HX-Request`) that succeeded is followed by a whole page load,
/// not swapped into the form's page: its redirect becomes htmx's own (`HX-Redirect`).
pub fn for_htmx(in_place: bool, res: &mut Response) {
    if !in_place || !res.status().is_redirection() {
        return;
    }
    if let Some(to) = res.headers_mut().remove(header::LOCATION) {
        *res.status_mut() = axum::http::StatusCode::OK;
        res.headers_mut().insert("hx-redirect", to);
    }
}

fn shows_page(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"))
}
