//! The appeals' domain: closed lists, the state machine, deadlines, and what an appeal is as
//! typed by a resident, staff at the counter or an Open311 client.

pub mod attributes;
pub mod deadline;
pub mod machine;
pub mod vocab;
pub mod watch;

pub use machine::{Action, Who};
pub use vocab::{Channel, DeclineReason, Kind, PartyKind, Rating, Status, Tier};
