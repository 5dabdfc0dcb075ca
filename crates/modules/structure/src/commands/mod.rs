//! One use case per file: check permission, validate, write, audit, in one transaction.

pub mod create_area;
pub mod create_community;
pub mod create_node;
pub mod import_boundaries;
pub mod move_node;
pub mod retire_node;
pub mod set_boundary;
pub mod set_logo;
pub mod set_place;
pub mod update_community;
pub mod update_node;
pub mod update_settings;

use yijia_db::Tx;
use yijia_kernel::{audit, Capability, Error, Result};

use crate::codes;
use crate::model::Level;
use crate::repo::{self, Ancestors};

/// Where a row sits, read after taking its community's write lock, so that no other write in
/// the community (a move, a retire, a new child) can change the answer before this one commits.
pub(crate) async fn locked(tx: &mut Tx, level: Option<Level>, id: i64) -> Result<Ancestors> {
    let first = repo::ancestors(tx, level, id).await?.ok_or(Error::NotFound)?;
    audit::lock_chain(tx, first.community_id).await?;
    repo::ancestors(tx, level, id).await?.ok_or(Error::NotFound)
}

/// The capability check, then: a retired row takes no changes and no new children.
pub(crate) fn writable(cap: &Capability, actor: &yijia_kernel::Actor, at: &Ancestors) -> Result<()> {
    cap.check(actor, &at.place())?;
    if at.retired_at.is_some() {
        return Err(Error::conflict(codes::RETIRED, "structure.retired"));
    }
    Ok(())
}
