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
    /// The part of the community's service it belongs to: the menu's heading.
    pub station: Station,
    /// A symbol of the icon sprite (`crates/web/assets/icons.svg`).
    pub icon: &'static str,
    /// Its place on a phone's tab bar, lower first; `None` keeps it in the full menu (更多).
    pub tab: Option<u8>,
}

/// The community's own structure, as its people name it: the menu is grouped by these, in this
/// order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Station {
    /// 民情驿站: residents' concerns (appeals).
    Concerns,
    /// 小蜜蜂驿站: volunteers.
    Volunteers,
    /// 心愿驿站: wishes and pairing care.
    Wishes,
    /// 议事厅: the council.
    Council,
    /// 台账: the registry and the community's structure.
    Ledger,
    /// 统计: reports.
    Reports,
    /// 我的: what is one's own.
    Mine,
    /// 管理: accounts and the audit log.
    Admin,
}

impl Station {
    /// Translation key of the heading.
    pub fn label(self) -> &'static str {
        match self {
            Station::Concerns => "station.concerns",
            Station::Volunteers => "station.volunteers",
            Station::Wishes => "station.wishes",
            Station::Council => "station.council",
            Station::Ledger => "station.ledger",
            Station::Reports => "station.reports",
            Station::Mine => "station.mine",
            Station::Admin => "station.admin",
        }
    }
}

/// A number for a community's dashboard.
#[derive(Clone, Debug)]
pub struct Stat {
    /// Translation key of the label.
    pub label: &'static str,
    pub value: i64,
    pub href: Option<String>,
    pub kind: StatKind,
}

/// What a dashboard number is: the day's queue comes first, late work in red.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatKind {
    /// How much there is (households, residents).
    Count,
    /// Work waiting for the reader (待受理, 待核实).
    Work,
    /// Work past its deadline: red when not zero.
    Late,
}

/// A large entry on a person's home page: something to start (我要反映), or a place of their own
/// things, with how many wait there.
#[derive(Clone, Debug)]
pub struct Tile {
    /// Translation key of the label.
    pub label: &'static str,
    pub href: String,
    pub icon: &'static str,
    /// A short line under the label (already in the reader's language), often a count.
    pub hint: String,
    /// The day's first thing to do: drawn filled, at most one a page.
    pub primary: bool,
    /// Lower comes first.
    pub order: u32,
}

/// A short list of the reader's own things on their home page, each with its state.
#[derive(Clone, Debug)]
pub struct HomeList {
    /// Translation key of the heading.
    pub title: &'static str,
    pub items: Vec<HomeItem>,
    /// The whole list, when there is more than is shown.
    pub more: Option<String>,
    /// Translation key of what the empty list says.
    pub empty: &'static str,
    /// Lower comes first.
    pub order: u32,
}

/// One line of a [`HomeList`]; texts are in the reader's language.
#[derive(Clone, Debug)]
pub struct HomeItem {
    pub text: String,
    /// A page, or `tel:` for a person to call.
    pub href: String,
    /// The state's chip: `new`, `progress`, `soon`, `overdue`, `done`, `closed`, or empty for none.
    pub tone: &'static str,
    pub state: String,
    /// Who has it, when it is due, what to do next.
    pub detail: String,
}

/// A module's part of a person's home page.
#[derive(Clone, Debug, Default)]
pub struct Home {
    pub tiles: Vec<Tile>,
    pub lists: Vec<HomeList>,
}

/// One of a module's main figures for a community, month by month: what the district page sets
/// communities side by side on, ranks them by, and draws as each one's trend.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Unique across modules (`appeals.satisfaction`): the district page's `figure=` choice.
    pub key: &'static str,
    /// Translation key of its name.
    pub label: &'static str,
    /// The unit as the reader writes it (%, 件, 小时), already translated.
    pub unit: String,
    /// Whether more is better (a satisfaction rate) or worse (overdue appeals): the ranking's order.
    pub higher_is_better: bool,
    /// One value a month asked, oldest first; `None` where nothing was measured.
    pub values: Vec<Option<f64>>,
    /// The community's own page behind the figure (its rates, its report).
    pub href: String,
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

    /// Its main figures for one community over `months` (first days, oldest first, in the
    /// community's time zone), only those the actor may see there; the district page compares
    /// communities on them.
    fn figures<'a>(
        &'a self,
        _state: &'a AppState,
        _actor: &'a Actor,
        _community: &'a crate::community::CommunityAt,
        _months: &'a [jiff::civil::Date],
        _tr: &'a crate::i18n::Tr,
    ) -> BoxFut<'a, crate::Result<Vec<Figure>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Its layers of a community's map, holding only what the actor may see there, narrowed
    /// by the map's query (its own filters' names).
    fn map_layers<'a>(
        &'a self,
        _state: &'a AppState,
        _actor: &'a Actor,
        _community: &'a crate::community::CommunityAt,
        _query: &'a crate::map::MapQuery,
        _tr: &'a crate::i18n::Tr,
    ) -> BoxFut<'a, crate::Result<Vec<crate::map::Layer>>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// A tile on the home page of the people (not staff, whose home is the console) who hold
    /// its capability in the community; the default `home` shows it.
    fn home_tile(&self, _community_id: i64) -> Option<(Tile, Capability)> {
        None
    }

    /// Its part of the reader's home page in a community: what they can start, and their own
    /// things (a resident's appeals, a grid worker's visits due), in the reader's language.
    fn home<'a>(
        &'a self,
        state: &'a AppState,
        actor: &'a Actor,
        community_id: i64,
        _tr: &'a crate::i18n::Tr,
    ) -> BoxFut<'a, crate::Result<Home>> {
        let tile = self.home_tile(community_id);
        Box::pin(async move {
            let Some((tile, cap)) = tile else {
                return Ok(Home::default());
            };
            let c = crate::community::find(state, community_id).await?;
            let held = cap.allows(actor, &c.place()) && !actor.is_staff();
            Ok(Home {
                tiles: if held { vec![tile] } else { Vec::new() },
                lists: Vec::new(),
            })
        })
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
