//! Accounts: sign-in and sign-out, sessions, passwords, language, roles over scopes, personal
//! API tokens and integration API keys, and the administrators' account pages.

pub mod api;
pub mod codes;
pub mod commands;
pub mod demo;
pub mod model;
mod pages;
pub mod permissions;
pub mod repo;

use axum::routing::{get, post};
use axum::Router;
use yijia_kernel::module::{NavEntry, SeedParams};
use yijia_kernel::{AppState, BoxFut, Capability, Module};

pub struct Accounts;

impl Module for Accounts {
    fn name(&self) -> &'static str {
        "accounts"
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        Router::new()
            .route("/login", get(pages::login::show).post(pages::login::submit))
            .route("/logout", post(pages::login::logout))
            .route("/lang", post(pages::account::switch_language))
            .route("/account", get(pages::account::show))
            .route("/account/password", post(pages::account::change_password))
            .route("/account/tokens", post(pages::account::create_token))
            .route("/account/tokens/{id}/revoke", post(pages::account::revoke_token))
            .route("/admin/accounts", get(pages::admin::list).post(pages::admin::create))
    }

    fn error_codes(&self) -> &'static [yijia_kernel::error::Code] {
        codes::ALL
    }

    fn api(&self) -> yijia_kernel::ApiRoutes {
        yijia_kernel::ApiRoutes::new()
            .route("/auth/token", post(api::token))
            .route("/me", get(api::me))
            .route("/accounts", get(api::list).post(api::create))
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            label: "accounts.nav",
            href: "/admin/accounts",
            cap: permissions::MANAGE,
            order: 80,
            station: yijia_kernel::Station::Admin,
            icon: "shield-check",
            tab: None,
        }]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[permissions::MANAGE]
    }

    fn openapi(&self) -> serde_json::Value {
        api::openapi()
    }

    fn demo<'a>(&'a self, state: &'a AppState) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(demo::load(state))
    }

    fn seed<'a>(&'a self, state: &'a AppState, params: SeedParams) -> BoxFut<'a, yijia_kernel::Result<()>> {
        Box::pin(async move {
            if params.accounts {
                demo::seed(state).await?;
            }
            Ok(())
        })
    }
}
