//! The council (西邻红管家议事厅): residents raise matters (说事), discuss them (议事) and decide
//! them (决事). Topics are co-signed onto the agenda, meetings give notice and keep minutes, votes
//! are counted under rule presets with effective dates (Civil Code art. 278, the residents'
//! meeting, advisory polls), passed motions become resolutions whose tasks are followed up, and
//! a public board publishes what may be published.

pub mod api;
pub mod codes;
pub mod commands;
mod demo;
pub mod model;
mod openapi;
pub(crate) mod pages;
pub mod permissions;
pub mod repo;
pub mod report;
pub mod view;

use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::NavEntry;
use yijia_kernel::settings::Setting;
use yijia_kernel::{AppState, BoxFut, Capability, Module};

pub struct Council;

impl Module for Council {
    fn name(&self) -> &'static str {
        "council"
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        use pages::{board, meetings, report, topics, votes};
        Router::new()
            .route("/council", get(topics::list).post(topics::post_new))
            .route("/council/topics/{id}", get(topics::show))
            .route("/council/topics/{id}/cosign", post(topics::post_cosign))
            .route("/council/topics/{id}/triage", post(topics::post_triage))
            .route("/council/topics/{id}/comments", post(topics::post_comment))
            .route("/council/topics/{id}/photos/{sha}", get(topics::photo))
            .route("/council/comments/{id}/report", post(topics::post_report))
            .route("/council/comments/{id}/review", post(topics::post_review))
            .route("/council/meetings", get(meetings::list).post(meetings::post_new))
            .route("/council/meetings/{id}", get(meetings::show))
            .route("/council/meetings/{id}/sign-in", post(meetings::post_sign_in))
            .route("/council/meetings/{id}/minutes", post(meetings::post_minutes))
            .route("/council/votes", get(votes::list).post(votes::post_new))
            .route("/council/votes/{id}", get(votes::show))
            .route("/council/votes/{id}/open", post(votes::post_open))
            .route("/council/votes/{id}/close", post(votes::post_close))
            .route("/council/votes/{id}/ballot", post(votes::post_ballot))
            .route("/council/votes/{id}/paper", post(votes::post_paper))
            .route("/council/votes/{id}/hands", post(votes::post_hands))
            .route("/council/ballots/{id}/authorisation", get(votes::authorisation))
            .route("/council/resolutions/{id}", get(board::resolution))
            .route("/council/resolutions/{id}/tasks", post(board::post_task))
            .route("/council/resolutions/{id}/visibility", post(board::post_visibility))
            .route("/council/tasks/{id}/progress", post(board::post_progress))
            .route("/council/report", get(report::show))
            .route("/board/{community}", get(board::board))
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
                label: "council.nav",
                href: "/council",
                cap: permissions::TAKE_PART,
                order: 30,
                station: yijia_kernel::Station::Council,
                icon: "landmark",
                tab: Some(6),
            },
            NavEntry {
                label: "council.nav_votes",
                href: "/council/votes",
                cap: permissions::TAKE_PART,
                order: 31,
                station: yijia_kernel::Station::Council,
                icon: "vote",
                tab: None,
            },
            NavEntry {
                label: "council.nav_meetings",
                href: "/council/meetings",
                cap: permissions::TAKE_PART,
                order: 32,
                station: yijia_kernel::Station::Council,
                icon: "calendar",
                tab: None,
            },
            NavEntry {
                label: "council.nav_report",
                href: "/council/report",
                cap: permissions::READ,
                order: 33,
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
            permissions::MANAGE,
            permissions::ANSWER,
            permissions::READ,
        ]
    }

    fn home_tile(&self, community_id: i64) -> Option<(yijia_kernel::Tile, Capability)> {
        let tile = yijia_kernel::Tile {
            label: "council.nav",
            href: format!("/council?community={community_id}"),
            icon: "landmark",
            hint: String::new(),
            primary: false,
            order: 50,
        };
        Some((tile, permissions::TAKE_PART))
    }

    fn figures<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        months: &'a [jiff::civil::Date],
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::Figure>>> {
        Box::pin(report::figures(state, actor, community, months, tr))
    }

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn tick<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(async move { commands::vote::close_due(state).await.map(|_| ()) })
    }
}
