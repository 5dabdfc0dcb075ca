use yijia_kernel::audit::Entry;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{current, field, locked_resident, plain, record, seal, today_in};
use crate::model::ResidentInput;
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent};

/// Changes a resident's details. An empty ID number, phone or health note keeps the stored
/// one; the stored ID still takes part in the checks (birth date and gender must agree).
pub async fn update_resident(state: &AppState, actor: &Actor, id: i64, input: &ResidentInput) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    let (before, at) = locked_resident(&mut tx, actor, &WRITE, id).await?;
    current(&before)?;
    let stored = repo::sealed_cols(&mut tx, id).await?.unwrap_or_default();
    let mut input = input.clone();
    if input.id_number.trim().is_empty() {
        if let Some(sealed) = &stored.id_sealed {
            input.id_number = state.vault.open(field::ID, sealed)?;
        }
    }
    let values = input.parse(today_in(state, &at.time_zone)).map_err(Error::Validation)?;
    let sealed = seal(&state.vault, &values, Some(&stored));
    if let Some(blind) = &sealed.id_blind {
        if repo::id_taken(&mut tx, at.community_id, blind, id).await? {
            return Err(Error::field("id_number", "registry.id_taken"));
        }
    }
    repo::update_resident(&mut tx, id, &plain(&values), &sealed, state.now_ms()).await?;
    let after = repo::resident(&mut tx, id).await?;
    let entry = Entry::new("resident.update", "resident", id)
        .community(Some(at.community_id))
        .before(Some(&before))
        .after(after.as_ref());
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(id),
        kind: "resident.update",
        detail: changed_fields(&before, after.as_ref()),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The names of the fields that changed, for the history line (values stay in the audit log).
fn changed_fields(before: &repo::ResidentRow, after: Option<&repo::ResidentRow>) -> String {
    let (Ok(serde_json::Value::Object(b)), Some(Ok(serde_json::Value::Object(a)))) =
        (serde_json::to_value(before), after.map(serde_json::to_value))
    else {
        return String::new();
    };
    a.iter()
        .filter(|(k, v)| k.as_str() != "updated_at" && b.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
