//! Showing a requester's phone number in full, to the desk or the party handling the appeal,
//! with a stated purpose; the audit log records who, which appeal and why, never the number.
//! Anonymous appeals are revealed to nobody.

use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{community_tx, field, locked, Access};

pub async fn reveal_contact(state: &AppState, actor: &Actor, appeal_id: i64, purpose: &str) -> Result<String> {
    let mut errs = FieldErrors::default();
    let purpose = text::required(&mut errs, "purpose", purpose, 200);
    errs.into_result()?;
    let mut tx = state.db.begin_write().await?;
    let a = locked(&mut tx, appeal_id).await?;
    let c = community_tx(&mut tx, a.community_id).await?;
    let access = Access::of(&mut tx, actor, &c, &a).await?;
    if !access.sees() {
        return Err(Error::NotFound);
    }
    if !(access.desk || access.handler) || a.anonymous {
        return Err(Error::Forbidden);
    }
    let sealed = a.contact_sealed.as_deref().ok_or(Error::NotFound)?;
    let value = state.vault.open(field::CONTACT, sealed)?;
    let entry = Entry::new("appeal.reveal", "appeal", appeal_id)
        .community(Some(a.community_id))
        .after(Some(&serde_json::json!({ "field": "contact", "purpose": purpose })));
    audit::record(&mut tx, state.vault.audit_key(), state.now_ms(), actor, entry).await?;
    tx.commit().await?;
    Ok(value)
}
