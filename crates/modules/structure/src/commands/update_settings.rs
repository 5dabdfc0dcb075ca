use std::collections::BTreeMap;

use yijia_kernel::audit::{self, Entry};
use yijia_kernel::settings::{self, Setting};
use yijia_kernel::{Actor, AppState, Result};

use super::{locked, writable};
use crate::permissions::COMMUNITY_ADMIN;

/// Every module's settings, in the order the modules are installed.
pub fn all_settings(state: &AppState) -> Vec<Setting> {
    state
        .modules
        .iter()
        .flat_map(|m| m.settings().iter().copied())
        .collect()
}

/// Changes a community's module settings; a community administrator's decision, audited with
/// the values before and after.
pub async fn update_settings(
    state: &AppState,
    actor: &Actor,
    community_id: i64,
    given: &BTreeMap<String, String>,
) -> Result<()> {
    let all = all_settings(state);
    let values = settings::parse_all(&all, given)?;
    let mut tx = state.db.begin_write().await?;
    let here = locked(&mut tx, None, community_id).await?;
    writable(&COMMUNITY_ADMIN, actor, &here)?;
    let audited = |key: &str, v: &str| all.iter().find(|s| s.key == key).map_or(v.to_owned(), |s| s.audited(v));
    let before: BTreeMap<String, String> = settings::stored(&state.db, community_id)
        .await?
        .into_iter()
        .map(|(k, v)| {
            let v = audited(&k, &v);
            (k, v)
        })
        .collect();
    settings::store(&mut tx, community_id, &values, state.now_ms()).await?;
    let after: BTreeMap<&str, String> = values.iter().map(|(k, v)| (*k, audited(k, v))).collect();
    let entry = Entry::new("community.settings", "community", community_id)
        .community(Some(community_id))
        .before(Some(&before))
        .after(Some(&after));
    audit::record(&mut tx, state.vault.audit_key(), state.now_ms(), actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
