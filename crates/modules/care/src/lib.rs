//! Wishes (心愿驿站) and pairing care (结对帮扶): small wishes raised by residents or by a grid
//! worker for them, vetted onto a wall that never shows who wished, claimed, fulfilled with a
//! photo, confirmed and thanked; care-group households paired with carers of their grid, whose
//! visits are logged from a phone and whose overdue visits reach the carer, the grid worker and
//! the community in turn.

pub mod api;
pub mod codes;
pub mod commands;
mod demo;
mod home;
mod map;
pub mod model;
mod openapi;
pub(crate) mod pages;
pub mod permissions;
pub mod repo;
pub mod trend;
pub mod view;

use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::NavEntry;
use yijia_kernel::settings::Setting;
use yijia_kernel::{AppState, BoxFut, Capability, Module};

pub struct Care;

impl Module for Care {
    fn name(&self) -> &'static str {
        "care"
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        use pages::{care, reports, wishes};
        Router::new()
            .route("/care/wishes", get(wishes::list).post(wishes::post_new))
            .route("/care/wishes/{id}", get(wishes::show))
            .route("/care/wishes/{id}/vet", post(wishes::post_vet))
            .route("/care/wishes/{id}/claim", post(wishes::post_claim))
            .route("/care/wishes/{id}/contact", post(wishes::post_contact))
            .route("/care/wishes/{id}/release", post(wishes::post_release))
            .route("/care/wishes/{id}/fulfil", post(wishes::post_fulfil))
            .route("/care/wishes/{id}/confirm", post(wishes::post_confirm))
            .route("/care/wishes/{id}/thank", post(wishes::post_thank))
            .route("/care/wishes/{id}/photos/{sha}", get(wishes::photo))
            .route("/care", get(care::mine))
            .route("/care/coverage", get(care::coverage).post(care::post_pair))
            .route("/care/pairings/{id}", get(care::show))
            .route("/care/pairings/{id}/visits", post(care::post_visit))
            .route("/care/pairings/{id}/end", post(care::post_end))
            .route("/care/visits/{id}/appeal", post(care::post_appeal))
            .route("/care/reports", get(reports::show))
            .route("/care/reports.xlsx", get(reports::xlsx))
            // Care pages and photos show who is vulnerable and where: never kept by a shared
            // cache or the browser's history store (issue 28).
            .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, no-store"),
            ))
    }

    fn error_codes(&self) -> &'static [yijia_kernel::error::Code] {
        codes::ALL
    }

    fn api(&self) -> yijia_kernel::ApiRoutes {
        api::routes()
    }

    fn openapi(&self) -> serde_json::Value {
        openapi::document()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                label: "care.nav_wishes",
                href: "/care/wishes",
                cap: permissions::TAKE_PART,
                order: 40,
                station: yijia_kernel::Station::Wishes,
                icon: "gift",
                tab: Some(5),
            },
            NavEntry {
                label: "care.nav_mine",
                href: "/care",
                cap: permissions::CLAIM,
                order: 41,
                station: yijia_kernel::Station::Wishes,
                icon: "hand-helping",
                tab: None,
            },
            NavEntry {
                label: "care.nav_coverage",
                href: "/care/coverage",
                cap: permissions::LOOK_AFTER,
                order: 42,
                station: yijia_kernel::Station::Ledger,
                icon: "heart",
                tab: None,
            },
            NavEntry {
                label: "care.nav_reports",
                href: "/care/reports",
                cap: permissions::REPORTS,
                order: 43,
                station: yijia_kernel::Station::Reports,
                icon: "chart-column",
                tab: None,
            },
        ]
    }

    fn settings(&self) -> &'static [Setting] {
        commands::SETTINGS
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[
            permissions::TAKE_PART,
            permissions::CLAIM,
            permissions::LOOK_AFTER,
            permissions::MANAGE,
            permissions::REPORTS,
        ]
    }

    fn home<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community_id: i64,
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<yijia_kernel::Home>> {
        Box::pin(home::home(state, actor, community_id, tr))
    }

    fn map_layers<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        _query: &'a yijia_kernel::map::MapQuery,
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> yijia_kernel::BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::map::Layer>>> {
        Box::pin(map::layers(state, actor, community, tr))
    }

    fn figures<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        months: &'a [jiff::civil::Date],
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::Figure>>> {
        Box::pin(trend::figures(state, actor, community, months, tr))
    }

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn tick<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(async move {
            commands::wish::expire_lapsed(state).await?;
            commands::visit::end_lapsed(state).await?;
            commands::visit::escalate(state).await.map(|_| ())
        })
    }
}
