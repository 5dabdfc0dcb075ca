//! The council's rules that need no database: the vote rule presets (`rules`) and the tally
//! (`tally`), in exact integer arithmetic so that a recount gives the same figures.

pub mod rules;
pub mod tally;
