//! The council's rules that need no database: the vote rule presets (`rules`), the owners'
//! electorate from the registry's holdings (`electorate`) and the tally (`tally`), in exact
//! integer arithmetic so that a recount gives the same figures.

pub mod electorate;
pub mod rules;
pub mod tally;
