//! All of the registry's SQL. Lists filter by the actor's reach in the query (decided once per
//! community, see [`CommunityReach`]); single rows are loaded with their place and the caller
//! checks the capability before showing or changing them.
//!
//! The registry reads the structure's tables (community, grid, building, unit, household) by
//! SQL: a resident's grid is always the grid of their household, so a household moved by the
//! structure takes its residents' scope with it.

mod events;
mod holdings;
mod households;
mod list;
mod numbers;
mod requests;
mod residents;
mod tags;
mod visits;

pub use events::*;
pub use holdings::*;
pub use households::*;
pub use list::*;
pub use numbers::*;
pub use requests::*;
pub use residents::*;
pub use tags::*;
pub use visits::*;
pub use yijia_db::Bind;
