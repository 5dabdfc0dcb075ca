use yijia_kernel::audit::Entry;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{locked_household, plain, record, seal, today_in};
use crate::model::ResidentInput;
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent};

/// Adds a resident to a household. A citizen ID already on the community's registry is
/// refused: the person is found and moved instead, so no one is counted twice.
pub async fn add_resident(state: &AppState, actor: &Actor, household_id: i64, input: &ResidentInput) -> Result<i64> {
    let mut tx = state.db.begin_write().await?;
    let at = locked_household(&mut tx, household_id).await?;
    WRITE.check(actor, &at.place())?;
    let values = input.parse(today_in(state, &at.time_zone)).map_err(Error::Validation)?;
    let sealed = seal(&state.vault, &values, None);
    if let Some(blind) = &sealed.id_blind {
        if repo::id_taken(&mut tx, at.community_id, blind, 0).await? {
            return Err(Error::field("id_number", "registry.id_taken"));
        }
    }
    let now = state.now_ms();
    let id = repo::insert_resident(&mut tx, at.community_id, at.household_id, &plain(&values), &sealed, now).await?;
    let after = repo::resident(&mut tx, id).await?;
    let entry = Entry::new("resident.create", "resident", id)
        .community(Some(at.community_id))
        .after(after.as_ref());
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(id),
        kind: "resident.create",
        detail: values.name.clone(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(id)
}
