//! Wishes (心愿驿站) and pairing care (结对帮扶). This first part holds the rules that need no
//! database: a wish's lifecycle, what its public text may show, and when a paired household's
//! visit is due, overdue, and to whom an overdue or failed visit escalates. The tables, pages
//! and API build on it.

pub mod model;
