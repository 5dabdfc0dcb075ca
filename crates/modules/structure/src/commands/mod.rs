//! One use case per file: check permission, validate, write, audit, in one transaction.

pub mod create_area;
pub mod create_community;
pub mod create_node;
pub mod move_node;
pub mod retire_node;
pub mod update_community;
pub mod update_node;

use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, Result};

/// Records a structure change in the audit log, inside the change's transaction.
pub(crate) async fn audit<T: serde::Serialize>(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    action: &str,
    entity: &str,
    id: i64,
    community_id: Option<i64>,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
    audit::record(
        tx,
        now,
        actor,
        Entry {
            action,
            entity,
            entity_id: id.to_string(),
            community_id,
            before: json(before),
            after: json(after),
            purpose: None,
        },
    )
    .await
}
