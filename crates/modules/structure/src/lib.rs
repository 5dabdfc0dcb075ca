//! Community structure: district → subdistrict → community → grid → building → unit →
//! household. "横向到边、纵向到底": every household sits in one grid, and every grid has a grid
//! worker whose name and phone residents can see.

pub mod api;
pub mod codes;
pub mod commands;
mod demo;
pub(crate) mod layers;
pub mod model;
mod openapi;
mod pages;
pub mod permissions;
pub mod places;
pub mod repo;
mod seed;

use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::{NavEntry, SeedParams};
use yijia_kernel::{Actor, AppState, BoxFut, Capability, Module, Stat};

use crate::model::Level;

pub struct Structure;

impl Module for Structure {
    fn name(&self) -> &'static str {
        "structure"
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        let mut r = Router::new()
            .route("/structure", get(pages::index::show))
            .route(
                "/structure/districts",
                post(|c, a, f| pages::index::post_area(c, a, false, f)),
            )
            .route(
                "/structure/subdistricts",
                post(|c, a, f| pages::index::post_area(c, a, true, f)),
            )
            .route("/structure/communities", post(pages::index::post_community))
            .route(
                "/structure/communities/{id}",
                get(pages::community::show).post(pages::community::post_settings),
            )
            .route("/structure/communities/{id}/grids", post(pages::community::post_grid))
            .route("/structure/communities/{id}/logo", post(pages::community::post_logo))
            .route(
                "/structure/communities/{id}/settings",
                post(pages::community::post_module_settings),
            )
            .route(
                "/structure/communities/{id}/boundaries",
                post(pages::places::post_import),
            )
            .route("/structure/grids/{id}/boundary", post(pages::places::post_boundary))
            .route("/structure/buildings/{id}/place", post(pages::places::post_place));
        for level in Level::ALL {
            let base = format!("/structure/{}/{{id}}", level.plural());
            r = r
                .route(
                    &base,
                    get(move |c, a, p| pages::node::show(c, a, p, level))
                        .post(move |c, a, p, f| pages::node::post_update(c, a, p, level, f)),
                )
                .route(
                    &format!("{base}/children"),
                    post(move |c, a, p, f| pages::node::post_child(c, a, p, level, f)),
                )
                .route(
                    &format!("{base}/move"),
                    post(move |c, a, p, f| pages::node::post_move(c, a, p, level, f)),
                )
                .route(
                    &format!("{base}/retire"),
                    post(move |c, a, p| pages::node::post_retire(c, a, p, level)),
                );
        }
        r
    }

    fn error_codes(&self) -> &'static [yijia_kernel::error::Code] {
        codes::ALL
    }

    fn api(&self) -> yijia_kernel::ApiRoutes {
        api::routes()
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![
            NavEntry {
                label: "structure.nav",
                href: "/structure",
                cap: permissions::READ,
                order: 10,
                station: yijia_kernel::Station::Ledger,
                icon: "network",
                tab: None,
            },
            // The community's map: its grids and buildings, and every module's layers.
            NavEntry {
                label: "map.nav",
                href: "/map",
                cap: permissions::READ,
                order: 11,
                station: yijia_kernel::Station::Ledger,
                icon: "map",
                tab: None,
            },
        ]
    }

    /// The tiles under the community's maps.
    fn settings(&self) -> &'static [yijia_kernel::settings::Setting] {
        &yijia_kernel::map::SETTINGS
    }

    fn map_layers<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        _query: &'a yijia_kernel::map::MapQuery,
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::map::Layer>>> {
        Box::pin(layers::layers(state, actor, community, tr))
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[
            permissions::READ,
            permissions::VIEW_COMMUNITY,
            permissions::TENANCY,
            permissions::COMMUNITY_ADMIN,
            permissions::BUILDINGS,
            permissions::HOUSEHOLDS,
        ]
    }

    fn openapi(&self) -> serde_json::Value {
        openapi::document()
    }

    fn stats<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a Actor,
        community_id: i64,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<Stat>>> {
        Box::pin(async move {
            let counts = repo::counts(&state.db, actor, community_id).await?;
            Ok(counts
                .into_iter()
                .map(|(level, n)| Stat {
                    label: match level {
                        Level::Grid => "structure.stat_grids",
                        Level::Building => "structure.stat_buildings",
                        Level::Unit => "structure.stat_units",
                        Level::Household => "structure.stat_households",
                    },
                    value: n,
                    href: (level == Level::Grid).then(|| format!("/structure/communities/{community_id}")),
                    kind: yijia_kernel::StatKind::Count,
                })
                .collect())
        })
    }

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn seed<'a>(&'a self, state: &'a AppState, params: SeedParams) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(seed::run(state, params))
    }
}
