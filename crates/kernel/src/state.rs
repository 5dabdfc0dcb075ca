//! What every handler is given.

use std::sync::Arc;

use yijia_db::Db;

use crate::clock::Clock;
use crate::config::Config;
use crate::i18n::{I18n, Locale, Tr};
use crate::module::Module;
use crate::recent::Recent;
use crate::vault::Vault;

/// Shared, cheap to clone. Holds nothing that differs between instances: app servers are
/// stateless, all state lives in the database (`recent` only remembers reads for a moment).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub i18n: Arc<I18n>,
    pub modules: Arc<Vec<Arc<dyn Module>>>,
    /// Seals and indexes sensitive personal fields; its key lives outside the database.
    pub vault: Arc<Vault>,
    /// What every signed-in request repeats, remembered for a moment (see `recent.rs`).
    pub recent: Arc<Recent>,
}

impl AppState {
    pub fn tr(&self, locale: Locale) -> Tr {
        Tr {
            i18n: self.i18n.clone(),
            locale,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
