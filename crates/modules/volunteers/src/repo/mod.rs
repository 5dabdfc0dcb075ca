//! Every SQL statement of the volunteers module, written once for both backends: teams and
//! people, activities with their shifts and sign-ups, the ledgers, the reports.

pub mod activities;
pub mod ledger;
pub mod people;
pub mod reports;

pub use activities::*;
pub use ledger::*;
pub use people::*;
