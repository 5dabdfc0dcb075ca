//! One use case per file: check permission, validate, write, audit, in one transaction.

pub mod create_area;
pub mod create_community;
pub mod create_node;
pub mod move_node;
pub mod retire_node;
pub mod set_logo;
pub mod update_community;
pub mod update_node;
