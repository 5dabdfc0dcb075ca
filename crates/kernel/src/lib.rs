//! The kernel every module builds on: the error type, the clock, actors with their role grants
//! and the permission check, the audit writer, the [`Module`] trait, text validation, paging and
//! translations. It knows nothing of any one module.

pub mod actor;
pub mod api_routes;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod community;
pub mod config;
pub mod error;
pub mod files;
pub mod geo;
pub mod i18n;
pub mod keycheck;
pub mod map;
pub mod module;
pub mod months;
pub mod net;
pub mod notify;
pub mod outbox;
pub mod paging;
pub mod permission;
pub mod ports;
pub mod recent;
pub mod redact;
pub mod scope;
pub mod secret;
pub mod session;
pub mod settings;
pub mod state;
pub mod stored;
pub mod text;
pub mod vault;
pub mod vocab;

#[doc(hidden)]
pub use serde;

pub use actor::{Actor, Place, Role, RoleGrant, ScopeKind};
pub use api_routes::ApiRoutes;
pub use error::{Error, FieldErrors, Result};
pub use module::{BoxFut, Figure, Home, HomeItem, HomeList, Module, NavEntry, Stat, StatKind, Station, Tile};
pub use permission::{Capability, Reach};
pub use state::AppState;
