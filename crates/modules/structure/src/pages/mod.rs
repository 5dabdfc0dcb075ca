//! The structure's pages: the communities one may see, a community with its grids, and one
//! page shape for a grid, building, unit or household with its children.

pub mod community;
pub mod index;
pub mod node;
pub mod places;

pub use yijia_web::{is_form_error, Shown};
