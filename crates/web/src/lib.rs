//! The web layer: assembles the router from the installed modules, resolves who is asking,
//! refuses cross-site posts, renders every error in the reader's language (an HTML page, or the
//! JSON envelope under `/api`), and serves the embedded assets, health checks and metrics.

pub mod assets;
pub mod chart;
mod choose;
mod district;
pub mod error;
pub mod extract;
pub mod flash;
pub mod form;
mod guard;
mod health;
mod home;
mod inbox;
pub mod json;
pub mod map;
mod menu;
pub mod metrics;
pub mod openapi;
mod openapi_input;
pub mod page;
pub mod security;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{middleware, Router};
use yijia_db::Db;
use yijia_kernel::clock::Clock;
use yijia_kernel::config::Config;
use yijia_kernel::i18n::{I18n, Locale};
use yijia_kernel::vault::Vault;
use yijia_kernel::{ApiRoutes, AppState, Module};

pub use choose::choose_community;
pub use error::{AppError, WebResult};
pub use extract::{
    local_path, media_type, ApiInput, ApiJson, ClientAddr, CurrentActor, MaybeActor, PageCtx, PageForm, PageParts,
    PageUpload, Upload, P, Q,
};
pub use flash::flash;
pub use form::{is_form_error, respond, FormErrors, Shown};
pub use guard::cookie;
pub use json::{answer, created, to_json, JsonBody};
pub use page::{render, set_cookie, with_error_status, Chrome};

/// The core translations (layout, errors, home pages).
const CORE_TRANSLATIONS: &[(&str, &str)] = &[
    ("zh-CN", include_str!("../locales/zh-CN.toml")),
    ("en", include_str!("../locales/en.toml")),
];

/// Builds the shared state, merging every module's translations into the core ones. The vault
/// holds the key this database's data is sealed with (`keycheck::vault_for` checks it).
pub fn build_state(
    db: Db,
    config: Config,
    clock: Clock,
    modules: Vec<Arc<dyn Module>>,
    vault: Vault,
) -> anyhow::Result<AppState> {
    let mut i18n = I18n::default();
    let files = CORE_TRANSLATIONS
        .iter()
        .chain(modules.iter().flat_map(|m| m.translations().iter()));
    for (locale, text) in files {
        let locale = Locale::parse(locale).ok_or_else(|| anyhow::anyhow!("unknown locale {locale}"))?;
        i18n.add(locale, text)?;
    }
    Ok(AppState {
        db,
        vault: Arc::new(vault),
        clock,
        config: Arc::new(config),
        i18n: Arc::new(i18n),
        modules: Arc::new(modules),
        recent: Arc::default(),
    })
}

/// Every JSON endpoint, relative to `/api/v1`: the inbox's and each module's.
pub fn api_routes(state: &AppState) -> ApiRoutes {
    let core = ApiRoutes::new()
        .route("/me/notifications", get(inbox::api_list))
        .route("/me/notifications/{id}/read", axum::routing::post(inbox::api_read));
    state.modules.iter().fold(core, |api, m| api.merge(m.api()))
}

/// The whole application as a router, apart from serving it, so tests drive it in-process.
pub fn app(state: AppState) -> Router {
    let mut pages = Router::new()
        .route("/", get(home::home))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .route("/assets/{*name}", get(assets::serve))
        .route("/files/{sha256}", get(assets::stored))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::docs))
        .route("/menu", get(menu::menu))
        .route("/map", get(map::page))
        .route("/district", get(district::page))
        .route("/style", get(menu::style))
        .route("/inbox", get(inbox::show))
        .route("/inbox/read", axum::routing::post(inbox::read_all))
        .route("/inbox/{id}", get(inbox::open));
    for m in state.modules.iter() {
        pages = pages.merge(m.pages());
    }
    let api = api_routes(&state).into_router();
    let max_body = state.config.max_body_bytes;
    let body_timeout = std::time::Duration::from_secs(state.config.body_timeout_secs);
    let security = security::SecurityHeaders::from_config(&state.config);
    pages
        .nest("/api/v1", api)
        .fallback(error::not_found)
        // Inside out: a panic becomes an internal error, cross-site refusal, then who is asking (and in which language, which
        // travels back on the response), then the error renderer that needs that language.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panic_response))
        .layer(middleware::from_fn(guard::refuse_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), guard::resolve_actor))
        .layer(middleware::from_fn_with_state(state.clone(), error::render_errors))
        .layer(DefaultBodyLimit::max(max_body))
        // A body that stops coming is given up (408) rather than held open for ever.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_timeout))
        .layer(middleware::from_fn(metrics::count))
        // A last net for a panic in the layers above the handler's own (who is asking, the
        // error renderer): the plain envelope, untranslated, rather than a dropped connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panic_response))
        // Outermost, so that every answer carries them, a refusal or a panic's too.
        .layer(middleware::from_fn_with_state(security, security::add_headers))
        .with_state(state)
}
