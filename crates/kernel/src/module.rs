//! The manifest every domain module implements.
//!
//! A module brings its pages, its JSON API, its navigation entries, its capabilities, its
//! per-community settings, its translations, its numbers for the dashboards, its part of the OpenAPI document and its demo
//! and seed data. The application lists the installed modules once, in `crates/app`.

use std::future::Future;
use std::pin::Pin;

use axum::Router;

use crate::actor::Actor;
use crate::permission::Capability;
use crate::state::AppState;

pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A link in the navigation, shown to those who hold its capability somewhere.
#[derive(Clone, Debug)]
pub struct NavEntry {
    /// Translation key of the label.
    pub label: &'static str,
    pub href: &'static str,
    pub cap: Capability,
    /// Lower comes first.
    pub order: u32,
}

/// A number for a community's dashboard.
#[derive(Clone, Debug)]
pub struct Stat {
    /// Translation key of the label.
    pub label: &'static str,
    pub value: i64,
    pub href: Option<String>,
}

/// Parameters of `yijia seed`.
#[derive(Clone, Copy, Debug)]
pub struct SeedParams {
    pub communities: u32,
    pub residents_per_community: u32,
    pub appeals_per_community: u32,
    /// Volunteers per community, with teams, a year of activities and their sign-ups.
    pub volunteers_per_community: u32,
    /// Entries of the volunteers' two ledgers per community (service hours and points).
    pub ledger_entries_per_community: u64,
    /// Also create the benchmark's accounts, which have a published password.
    pub accounts: bool,
}

pub trait Module: Send + Sync + 'static {
    /// A short, stable name (`structure`, `accounts`, …).
    fn name(&self) -> &'static str;

    /// Translation files: `(locale, toml)`.
    fn translations(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Server-rendered pages, mounted at the root.
    fn pages(&self) -> Router<AppState> {
        Router::new()
    }

    /// JSON endpoints, mounted under `/api/v1`.
    fn api(&self) -> crate::ApiRoutes {
        crate::ApiRoutes::new()
    }

    fn nav(&self) -> Vec<NavEntry> {
        Vec::new()
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[]
    }

    /// Per-community settings, changed by a community administrator on the community's page.
    fn settings(&self) -> &'static [crate::settings::Setting] {
        &[]
    }

    /// The codes this module's errors carry (its `codes::ALL`), listed in the OpenAPI document.
    fn error_codes(&self) -> &'static [crate::error::Code] {
        &[]
    }

    /// This module's `paths` and `components.schemas` for the OpenAPI document.
    fn openapi(&self) -> serde_json::Value {
        serde_json::json!({})
    }

    /// Numbers for the community dashboard, filtered to what the actor may see.
    fn stats<'a>(
        &'a self,
        _state: &'a AppState,
        _actor: &'a Actor,
        _community_id: i64,
    ) -> BoxFut<'a, crate::Result<Vec<Stat>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Loads this module's part of the demo community; must be idempotent.
    fn demo<'a>(&'a self, _state: &'a AppState) -> BoxFut<'a, crate::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Background work run about once a minute by every serving instance (deadline watches and
    /// the like). It must be safe to run on several instances at once and after a restart:
    /// state lives in the database, and each change is claimed by a conditional update.
    fn tick<'a>(&'a self, _state: &'a AppState) -> BoxFut<'a, crate::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// The appeal desk, if this module offers it (see `ports`).
    fn appeal_desk(&self) -> Option<&dyn crate::ports::AppealDesk> {
        None
    }

    /// The service hours ledger, if this module offers it (see `ports`).
    fn service_hours(&self) -> Option<&dyn crate::ports::ServiceHours> {
        None
    }

    /// Writes synthetic data at scale for benchmarks.
    fn seed<'a>(&'a self, _state: &'a AppState, _params: SeedParams) -> BoxFut<'a, crate::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
