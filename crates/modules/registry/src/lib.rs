//! The residents registry (居民台账): who lives where, who needs care, who looks after whom.
//! Every other module reads it. ID numbers, phone numbers, care-group tags, health notes and
//! visit findings are sealed at rest and shown masked; a full number is an audited reveal.

pub mod api;
pub mod codes;
pub mod commands;
mod demo;
mod home;
pub mod import;
pub mod model;
mod openapi;
mod pages;
pub mod permissions;
pub mod query;
pub mod repo;
mod seed;
mod synth;

use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::{NavEntry, SeedParams};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, BoxFut, Capability, Module, Stat};

pub struct Registry;

impl Module for Registry {
    fn name(&self) -> &'static str {
        "registry"
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
            ("zh-CN", include_str!("../locales/import.zh-CN.toml")),
            ("en", include_str!("../locales/import.en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        use pages::{household, list, me, numbers, resident, visits};
        Router::new()
            .route("/registry", get(list::show))
            .route("/registry/numbers", get(numbers::show))
            .route("/registry/visits", get(visits::show))
            .route("/registry/requests", get(me::staff_list))
            .route("/registry/requests/{id}/answer", post(me::post_answer))
            .route(
                "/registry/residents/{id}",
                get(resident::show).post(resident::post_edit),
            )
            .route("/registry/residents/{id}/reveal", post(resident::post_reveal))
            .route("/registry/residents/{id}/tags", post(resident::post_tag))
            .route("/registry/residents/{id}/tags/{tag}/end", post(resident::post_end_tag))
            .route("/registry/residents/{id}/move", post(resident::post_move))
            .route("/registry/residents/{id}/leave", post(resident::post_leave))
            .route("/registry/residents/{id}/merge", post(resident::post_merge))
            .route("/registry/residents/{id}/account", post(resident::post_account))
            .route("/registry/households/{id}", get(household::show))
            .route("/registry/households/{id}/residents", post(household::post_member))
            .route("/registry/households/{id}/visits", post(household::post_visit))
            .route("/registry/households/{id}/holdings", post(household::post_holding))
            .route(
                "/registry/households/{id}/holdings/{holding}/end",
                post(household::post_end_holding),
            )
            .route("/me/data", get(me::show))
            .route("/me/data.json", get(me::download))
            .route("/me/requests", post(me::post_request))
            .merge(import::page_routes())
    }

    fn error_codes(&self) -> &'static [yijia_kernel::error::Code] {
        codes::ALL
    }

    fn api(&self) -> yijia_kernel::ApiRoutes {
        api::routes().merge(import::api_routes())
    }

    fn openapi(&self) -> serde_json::Value {
        openapi::document()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                label: "registry.nav",
                href: "/registry",
                cap: permissions::READ,
                order: 20,
                station: yijia_kernel::Station::Ledger,
                icon: "users",
                tab: Some(2),
            },
            NavEntry {
                label: "registry.my_data",
                href: "/me/data",
                cap: permissions::OWN_DATA,
                order: 90,
                station: yijia_kernel::Station::Mine,
                icon: "user",
                tab: None,
            },
        ]
    }

    fn settings(&self) -> &'static [yijia_kernel::settings::Setting] {
        &[pages::visits::VISIT_DUE_DAYS, model::CUSTOM_CARE_GROUPS]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[
            permissions::READ,
            permissions::WRITE,
            permissions::REVEAL,
            permissions::STATS,
            permissions::BULK,
            permissions::EXPORT_UNMASKED,
            permissions::REQUESTS,
            permissions::OWN_DATA,
        ]
    }

    fn stats<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a Actor,
        community_id: i64,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<Stat>>> {
        Box::pin(async move {
            let Some(community) = yijia_kernel::community::by_id(&state.db, community_id).await? else {
                return Ok(Vec::new());
            };
            let reach = CommunityReach::of(&permissions::STATS, actor, &community.place());
            if reach == CommunityReach::Nothing {
                return Ok(Vec::new());
            }
            let n = pages::numbers::numbers(state, &community, &reach).await?;
            let href = Some(format!("/registry/numbers?community={community_id}"));
            let sum = |f: fn(&pages::numbers::Counts) -> i64| n.grids.iter().map(f).sum::<i64>();
            Ok(vec![
                Stat {
                    label: "registry.residents",
                    value: sum(|g| g.residents),
                    href: href.clone(),
                    kind: yijia_kernel::StatKind::Count,
                },
                Stat {
                    label: "registry.care_group_members",
                    value: sum(|g| g.care.values().sum()),
                    href: href.clone(),
                    kind: yijia_kernel::StatKind::Count,
                },
                Stat {
                    label: "registry.visits_this_month",
                    value: sum(|g| g.visits_this_month),
                    href,
                    kind: yijia_kernel::StatKind::Count,
                },
            ])
        })
    }

    fn figures<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        months: &'a [jiff::civil::Date],
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::Figure>>> {
        Box::pin(pages::numbers::figures(state, actor, community, months, tr))
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

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn seed<'a>(&'a self, state: &'a AppState, params: SeedParams) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(seed::run(state, params))
    }
}
