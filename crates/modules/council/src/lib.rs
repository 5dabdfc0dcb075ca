//! The council (西邻红管家议事厅): residents raise matters (说事), discuss them (议事) and decide
//! them (决事). This first part holds the rules a vote is decided by, as data with effective
//! dates, and the tally that applies them; the topics, meetings, ballots and the board build on it.

pub mod model;
