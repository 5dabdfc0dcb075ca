//! Volunteers (小蜜蜂驿站 · 爱之翼): teams placed in the grids, volunteer profiles, activities
//! with shifts that volunteers sign up to from a phone, check-in by a signed code, service
//! hours and points kept in two double-entry ledgers, and certificates anyone can verify.

pub mod api;
pub mod codes;
pub mod commands;
mod demo;
mod home;
mod hours;
pub mod ledger;
mod map;
pub mod model;
mod openapi;
mod pages;
pub mod pdf;
pub mod permissions;
pub mod remind;
pub mod repo;
pub mod reports;
pub mod seed;

use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::NavEntry;
use yijia_kernel::settings::Setting;
use yijia_kernel::{AppState, BoxFut, Capability, Module};

pub struct Volunteers;

impl Module for Volunteers {
    fn name(&self) -> &'static str {
        "volunteers"
    }

    fn service_hours(&self) -> Option<&dyn yijia_kernel::ports::ServiceHours> {
        Some(self)
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        use pages::{activities, activity, certificate, me, people, redeem, reports, scan, teams};
        Router::new()
            .route("/volunteers", get(me::show).post(me::post_register))
            .route("/volunteers/profile", post(me::post_profile))
            .route("/volunteers/activities", get(activities::list))
            .route(
                "/volunteers/activities/new",
                get(activities::new).post(activities::post_new),
            )
            .route("/volunteers/activities/{id}", get(activity::show))
            .route("/volunteers/activities/{id}/signups", post(activity::post_signup))
            .route("/volunteers/activities/{id}/cancel", post(activity::post_cancel))
            .route("/volunteers/activities/{id}/served", post(activity::post_served))
            .route("/volunteers/activities/{id}/code", get(scan::code))
            .route("/volunteers/signups/{id}/cancel", post(activity::post_cancel_signup))
            .route("/volunteers/signups/{id}/mark", post(activity::post_mark))
            .route("/volunteers/signups/{id}/minutes", post(activity::post_minutes))
            .route("/volunteers/scan", get(scan::show).post(scan::post))
            .route("/volunteers/teams", get(teams::list).post(teams::post_new))
            .route("/volunteers/teams/{id}", get(teams::show))
            .route("/volunteers/teams/{id}/apply", post(teams::post_apply))
            .route("/volunteers/teams/{id}/members", post(teams::post_member))
            .route("/volunteers/people", get(people::list).post(people::post_new))
            .route("/volunteers/people/{id}", get(people::show))
            .route("/volunteers/people/{id}/points", post(people::post_points))
            .route("/volunteers/people/{id}/certificate", post(certificate::post_issue))
            .route("/volunteers/certificates/{code}", get(certificate::show))
            .route("/volunteers/certificates/{code}/pdf", get(certificate::pdf))
            .route("/volunteers/redeem", get(redeem::show).post(redeem::post))
            .route("/volunteers/reports", get(reports::show))
            .route("/volunteers/reports.xlsx", get(reports::xlsx))
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
                label: "volunteers.nav",
                href: "/volunteers",
                cap: permissions::JOIN,
                order: 20,
                station: yijia_kernel::Station::Volunteers,
                icon: "handshake",
                tab: Some(4),
            },
            NavEntry {
                label: "volunteers.nav_activities",
                href: "/volunteers/activities",
                cap: permissions::JOIN,
                order: 21,
                station: yijia_kernel::Station::Volunteers,
                icon: "calendar",
                tab: None,
            },
            NavEntry {
                label: "volunteers.nav_teams",
                href: "/volunteers/teams",
                cap: permissions::MANAGE,
                order: 22,
                station: yijia_kernel::Station::Volunteers,
                icon: "users",
                tab: None,
            },
            NavEntry {
                label: "volunteers.nav_people",
                href: "/volunteers/people",
                cap: permissions::MANAGE,
                order: 23,
                station: yijia_kernel::Station::Volunteers,
                icon: "user",
                tab: None,
            },
            NavEntry {
                label: "volunteers.redeem_title",
                href: "/volunteers/redeem",
                cap: permissions::REDEEM,
                order: 25,
                station: yijia_kernel::Station::Volunteers,
                icon: "gift",
                tab: Some(4),
            },
            NavEntry {
                label: "volunteers.nav_reports",
                href: "/volunteers/reports",
                cap: permissions::REPORTS,
                order: 24,
                station: yijia_kernel::Station::Reports,
                icon: "chart-column",
                tab: None,
            },
        ]
    }

    fn settings(&self) -> &'static [Setting] {
        &[
            commands::activity::POINTS_PER_HOUR,
            commands::activity::CANCEL_HOURS,
            commands::certificate::STAR_HOURS,
        ]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[
            permissions::JOIN,
            permissions::MANAGE,
            permissions::REDEEM,
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
        query: &'a yijia_kernel::map::MapQuery,
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> yijia_kernel::BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::map::Layer>>> {
        Box::pin(map::layers(state, actor, community, query, tr))
    }

    fn figures<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a yijia_kernel::Actor,
        community: &'a yijia_kernel::community::CommunityAt,
        months: &'a [jiff::civil::Date],
        tr: &'a yijia_kernel::i18n::Tr,
    ) -> BoxFut<'a, yijia_kernel::Result<Vec<yijia_kernel::Figure>>> {
        Box::pin(reports::figures(state, actor, community, months, tr))
    }

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn tick<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(async move { remind::remind(state).await.map(|_| ()) })
    }

    fn seed<'a>(
        &'a self,
        state: &'a AppState,
        params: yijia_kernel::module::SeedParams,
    ) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(seed::run(state, params))
    }
}
