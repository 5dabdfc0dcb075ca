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
    // lucide's icons that pages use, made by `icons.py`.
    ("icons.svg", "image/svg+xml", include_bytes!("../assets/icons.svg")),
    // Charts and maps, loaded by `app.js` only on a page that has one.
    (
        "chart.umd.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/chart.umd.min.js"),
    ),
    (
        "leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/leaflet.js"),
    ),
    (
        "leaflet.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/leaflet.css"),
    ),
    (
        "images/layers.png",
        "image/png",
        include_bytes!("../assets/images/layers.png"),
    ),
    (
        "images/layers-2x.png",
        "image/png",
        include_bytes!("../assets/images/layers-2x.png"),
    ),
    (
        "images/marker-icon.png",
        "image/png",
        include_bytes!("../assets/images/marker-icon.png"),
    ),
    (
        "images/marker-icon-2x.png",
        "image/png",
        include_bytes!("../assets/images/marker-icon-2x.png"),
    ),
    (
        "images/marker-shadow.png",
        "image/png",
        include_bytes!("../assets/images/marker-shadow.png"),
    ),
    (
        "map.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/map.js"),
    ),
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

/// A public stored file by its content hash: only community logos are public. Files that are
/// personal (appeal photos, documents) are served by their module's own route, which checks
/// access; here they are not found, even to someone who learnt their hash.
pub async fn stored(
    axum::extract::State(state): axum::extract::State<yijia_kernel::AppState>,
    Path(sha256): Path<String>,
) -> Result<Response, AppError> {
    let public: Option<i64> = yijia_db::on_db!(&state.db, |p| sqlx::query_scalar(
        "select community_id from community where logo = $1 limit 1"
    )
    .bind(&sha256)
    .fetch_optional(p)
    .await
    .map_err(|e| AppError(Error::from(e)))?);
    if public.is_none() {
        return Err(AppError(Error::NotFound));
    }
    let (file, bytes) = yijia_kernel::files::load(&state, &sha256)
        .await?
        .ok_or(AppError(Error::NotFound))?;
    Ok((
        [
            (header::CONTENT_TYPE, file.mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
