//! The care module's tables: wishes with their claims, files and steps; pairings, visits and
//! the alerts sent about them; and the numbers the reports count.

mod pairings;
mod reports;
mod visits;
mod wishes;

pub use pairings::*;
pub use reports::*;
pub use visits::*;
pub use wishes::*;
