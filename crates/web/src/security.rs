//! Headers that tell the browser what a Yijia page may do: load scripts, styles and images from
//! Yijia only, never be framed, keep its addresses (which may carry a check-in token) to itself,
//! trust the declared content type, and, when Yijia is served over HTTPS, never fall back to HTTP.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use yijia_kernel::config::Config;

/// No inline script anywhere (pages load theirs from `/assets`), so an injected `<script>` or
/// `onclick=` does not run. Styles allow `'unsafe-inline'`: htmx adds a `<style>` for its
/// indicators and Swagger UI sets `style` attributes; an injected style can restyle a page but
/// not run code, a trade we accept rather than patch vendored code. Images allow `data:` and
/// `blob:` for Swagger UI's icons and photo previews.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
     object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// A year, the usual HSTS lifetime; no `includeSubDomains`, since other services may live on
/// the district's subdomains without TLS.
const HSTS: &str = "max-age=31536000";

/// The headers every response carries, worked out once from the settings.
#[derive(Clone)]
pub struct SecurityHeaders(Arc<Vec<(HeaderName, HeaderValue)>>);

impl SecurityHeaders {
    /// The fixed headers, plus `Strict-Transport-Security` when the public URL is `https`.
    pub fn from_config(config: &Config) -> SecurityHeaders {
        let mut h = vec![
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            // Not even the origin goes to other sites: nothing there needs to know where from.
            (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ];
        if config.public_is_https() {
            h.push((header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS)));
        }
        SecurityHeaders(Arc::new(h))
    }
}

/// Adds the headers to every response, pages, API, assets and errors alike; a header a handler
/// set itself is kept.
pub async fn add_headers(State(h): State<SecurityHeaders>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in h.0.iter() {
        headers.entry(name).or_insert_with(|| value.clone());
    }
    res
}
