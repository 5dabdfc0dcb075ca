//! Appeals and work orders (民情驿站 · 大管家): a resident's matter is taken in from any channel,
//! routed to whoever is responsible — a community team, the property company, a department —
//! handled against a deadline in the open, and rated by the resident.

pub mod api;
pub mod codes;
pub mod commands;
mod demo;
mod desk;
mod figures;
mod home;
mod map;
pub mod model;
pub mod open311;
mod openapi;
mod outgoing;
mod pages;
pub mod permissions;
pub mod query;
pub mod rates;
pub mod repo;
mod seed;
pub mod sweep;
pub mod view;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::NavEntry;
use yijia_kernel::settings::Setting;
use yijia_kernel::{AppState, BoxFut, Capability, Module};

use crate::model::deadline::{COMPLEX, EMERGENCY, NORMAL, UTILITY};

/// A photo's post: the photo and the multipart envelope around it.
const PHOTO_BODY_BYTES: usize = commands::photo::MAX_PHOTO_BYTES + 64 * 1024;
/// The form that raises an appeal, with its photos.
const INTAKE_BODY_BYTES: usize = commands::photo::MAX_INTAKE_PHOTOS * commands::photo::MAX_PHOTO_BYTES + 64 * 1024;

pub struct Appeals;

impl Module for Appeals {
    fn name(&self) -> &'static str {
        "appeals"
    }

    fn figures<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        months: &'a [jiff::civil::Date],
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::Figure>>> {
        Box::pin(figures::figures(state, actor, community, months, tr))
    }

    fn map_layers<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        query: &'a yijia_kernel::map::MapQuery,
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::map::Layer>>> {
        Box::pin(map::layers(state, actor, community, query, tr))
    }

    fn appeal_desk(&self) -> Option<&dyn yijia_kernel::ports::AppealDesk> {
        Some(self)
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        use pages::{catalogue, detail, list, new, rates};
        Router::new()
            .route("/appeals", get(list::show))
            .route(
                "/appeals/new",
                get(new::show)
                    .post(new::post)
                    .layer(DefaultBodyLimit::max(INTAKE_BODY_BYTES)),
            )
            .route("/appeals/{id}", get(detail::show))
            .route("/appeals/{id}/steps", post(detail::post_step))
            .route("/appeals/{id}/reveal", post(detail::post_reveal))
            .route(
                "/appeals/{id}/photos",
                post(detail::post_photo).layer(DefaultBodyLimit::max(PHOTO_BODY_BYTES)),
            )
            .route("/appeals/{id}/photos/{sha256}", get(detail::photo))
            .route("/appeals/rates", get(rates::show))
            .route("/appeals/rates.xlsx", get(rates::xlsx))
            .route("/appeals/catalogue", get(catalogue::show))
            .route("/appeals/catalogue/parties", post(catalogue::post_party))
            .route("/appeals/catalogue/members", post(catalogue::post_member))
            .route("/appeals/catalogue/categories", post(catalogue::post_category))
            .route("/appeals/catalogue/routes", post(catalogue::post_route))
            .route("/appeals/catalogue/days", post(catalogue::post_day))
            .merge(open311::routes())
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
                label: "appeals.nav",
                href: "/appeals",
                cap: permissions::READ,
                order: 10,
                station: yijia_kernel::Station::Concerns,
                icon: "inbox",
                tab: Some(1),
            },
            NavEntry {
                label: "appeals.nav_queue",
                href: "/appeals?view=queue",
                cap: permissions::HANDLE,
                order: 11,
                station: yijia_kernel::Station::Concerns,
                icon: "list-todo",
                tab: Some(0),
            },
            NavEntry {
                label: "appeals.nav_rates",
                href: "/appeals/rates",
                cap: permissions::RATES,
                order: 13,
                station: yijia_kernel::Station::Reports,
                icon: "chart-column",
                tab: None,
            },
            NavEntry {
                label: "appeals.nav_mine",
                href: "/appeals?view=mine",
                cap: permissions::SUBMIT,
                order: 12,
                station: yijia_kernel::Station::Concerns,
                icon: "megaphone",
                tab: Some(3),
            },
        ]
    }

    fn settings(&self) -> &'static [Setting] {
        &[
            EMERGENCY,
            UTILITY,
            NORMAL,
            COMPLEX,
            rates::BASIC_WEIGHT,
            rates::SOLVED_RATINGS,
            outgoing::WEBHOOK_URL,
            outgoing::WEBHOOK_SECRET,
        ]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[
            permissions::SUBMIT,
            permissions::INTAKE,
            permissions::OPEN311,
            permissions::READ,
            permissions::DISPATCH,
            permissions::HANDLE,
            permissions::SUPERVISE,
            permissions::CATALOGUE,
            permissions::RATES,
        ]
    }

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn stats<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community_id: i64,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::Stat>>> {
        Box::pin(async move {
            let Some(c) = yijia_kernel::community::by_id(&state.db, community_id).await? else {
                return Ok(Vec::new());
            };
            let reach = yijia_kernel::scope::CommunityReach::of(&permissions::READ, actor, &c.place());
            if reach == yijia_kernel::scope::CommunityReach::Nothing {
                return Ok(Vec::new());
            }
            let now = state.now_ms();
            let n = repo::desk_counts(&state.db, community_id, &reach, now, now + query::DUE_SOON_MS).await?;
            let stat = |label, value, q: &str, kind| yijia_kernel::Stat {
                label,
                value,
                href: Some(format!("/appeals?community={community_id}{q}")),
                kind,
            };
            use yijia_kernel::StatKind::{Count, Late, Work};
            Ok(vec![
                stat("appeals.stat_waiting", n.waiting, "&status=submitted", Work),
                stat("appeals.stat_to_verify", n.to_verify, "&status=replied", Work),
                stat("appeals.stat_due_soon", n.due_soon, "&bucket=due_soon", Work),
                stat("appeals.stat_overdue", n.overdue, "&bucket=overdue", Late),
                stat("appeals.stat_open", n.open, "", Count),
            ])
        })
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

    fn tick<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(async move { sweep::sweep(state).await.map(|_| ()) })
    }

    fn seed<'a>(
        &'a self,
        state: &'a AppState,
        params: yijia_kernel::module::SeedParams,
    ) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(seed::run(state, params))
    }
}
