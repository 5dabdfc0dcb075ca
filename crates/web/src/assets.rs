//! Front-end assets, embedded in the binary: nothing is fetched from another host at run time.
//! Vendored files come from npm (see `assets/VENDORED.md`).

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use yijia_kernel::Error;

use crate::error::AppError;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/htmx.min.js"),
    ),
    ("logo.svg", "image/svg+xml", include_bytes!("../assets/logo.svg")),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/swagger-ui.css"),
    ),
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-ui-bundle.js"),
    ),
    (
        "api-docs.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/api-docs.js"),
    ),
];

pub async fn serve(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, mime, body) = FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or(AppError(Error::NotFound))?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    )
        .into_response())
}
