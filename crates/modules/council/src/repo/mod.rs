//! The council's reads and writes. Functions taking a `Tx` run inside a command's transaction;
//! those taking a `Db` are the pages' and the API's reads.

mod meetings;
mod report;
mod resolutions;
mod topics;
mod votes;

pub use meetings::*;
pub use report::*;
pub use resolutions::*;
pub use topics::*;
pub use votes::*;
