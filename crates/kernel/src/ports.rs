//! What one module asks of another, defined here so that neither depends on the other
//! (ADR 0008). The module that offers a port implements it and hands it out from its
//! [`Module`](crate::Module) manifest; the app lists the modules; the module that asks finds the
//! port through the state. Care raises appeals and credits volunteers' hours this way.

use yijia_db::Tx;

use crate::module::BoxFut;
use crate::{Actor, AppState, Result};

/// An appeal raised by another module on someone's behalf, placed at a dwelling's door.
#[derive(Debug, Clone)]
pub struct RaisedAppeal<'a> {
    pub community_id: i64,
    /// The category's id, as chosen from [`AppealDesk::open_categories`].
    pub category: &'a str,
    pub description: &'a str,
    pub building_id: i64,
    pub unit_id: i64,
}

/// The appeals module's desk: what it offers the modules that find needs.
pub trait AppealDesk: Send + Sync {
    /// A community's categories open to new appeals, as (id, name) in their order.
    fn open_categories<'a>(&'a self, state: &'a AppState, community_id: i64) -> BoxFut<'a, Result<Vec<(i64, String)>>>;

    /// Raises an appeal as the actor would through the appeal form (the same checks, the same
    /// errors); returns its id.
    fn raise<'a>(&'a self, state: &'a AppState, actor: &'a Actor, appeal: RaisedAppeal<'a>) -> BoxFut<'a, Result<i64>>;
}

/// Minutes of service given by a volunteer outside the volunteers' own activities (a wish
/// fulfilled, say), credited to their service hours.
#[derive(Debug, Clone)]
pub struct ServiceCredit<'a> {
    pub community_id: i64,
    pub volunteer_id: i64,
    pub minutes: i64,
    /// What the service was, shown on the volunteer's ledger.
    pub memo: &'a str,
    pub actor_account_id: Option<i64>,
}

/// The volunteers' hours ledger.
pub trait ServiceHours: Send + Sync {
    /// Credits the minutes inside the caller's transaction, so that they stand or fall with it.
    fn credit<'a>(&'a self, tx: &'a mut Tx, credit: ServiceCredit<'a>, now: i64) -> BoxFut<'a, Result<()>>;
}

impl AppState {
    /// The appeal desk of the installed modules.
    pub fn appeal_desk(&self) -> Result<&dyn AppealDesk> {
        self.modules
            .iter()
            .find_map(|m| m.appeal_desk())
            .ok_or_else(|| anyhow::anyhow!("no installed module offers the appeal desk").into())
    }

    /// The service hours ledger of the installed modules.
    pub fn service_hours(&self) -> Result<&dyn ServiceHours> {
        self.modules
            .iter()
            .find_map(|m| m.service_hours())
            .ok_or_else(|| anyhow::anyhow!("no installed module offers the service hours ledger").into())
    }
}
