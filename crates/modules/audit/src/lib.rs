//! The audit log as administrators read it. Writing it is the kernel's job (every command
//! records its change in its own transaction); this module filters and shows it.

mod api;
mod pages;
pub mod permissions;
pub mod repo;

use axum::routing::get;
use axum::Router;
use yijia_kernel::module::NavEntry;
use yijia_kernel::{AppState, Capability, Module};

pub struct Audit;

impl Module for Audit {
    fn name(&self) -> &'static str {
        "audit"
    }

    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("zh-CN", include_str!("../locales/zh-CN.toml")),
            ("en", include_str!("../locales/en.toml")),
        ]
    }

    fn pages(&self) -> Router<AppState> {
        Router::new().route("/admin/audit", get(pages::list))
    }

    fn api(&self) -> yijia_kernel::ApiRoutes {
        yijia_kernel::ApiRoutes::new().route("/audit", get(api::list))
    }

    fn nav(&self) -> Vec<NavEntry> {
        vec![NavEntry {
            label: "audit.nav",
            href: "/admin/audit",
            cap: permissions::READ,
            order: 90,
            station: yijia_kernel::Station::Admin,
            icon: "scroll-text",
            tab: None,
        }]
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[permissions::READ]
    }

    fn openapi(&self) -> serde_json::Value {
        api::openapi()
    }
}
