use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{field, locked_resident};
use crate::codes;
use crate::permissions::REVEAL;
use crate::repo;

/// The sensitive fields one can reveal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revealable {
    IdNumber,
    Phone,
    Phone2,
    Health,
}

impl Revealable {
    pub fn parse(s: &str) -> Option<Revealable> {
        match s {
            "id_number" => Some(Revealable::IdNumber),
            "phone" => Some(Revealable::Phone),
            "phone2" => Some(Revealable::Phone2),
            "health" => Some(Revealable::Health),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Revealable::IdNumber => "id_number",
            Revealable::Phone => "phone",
            Revealable::Phone2 => "phone2",
            Revealable::Health => "health",
        }
    }
}

/// Shows one sensitive field in full. The person states why (at least a few words); the reveal
/// is audited with the field and the purpose — never the value — before the value is returned.
pub async fn reveal(state: &AppState, actor: &Actor, id: i64, which: &str, purpose: &str) -> Result<String> {
    let which = Revealable::parse(which).ok_or_else(|| Error::field("field", "registry.bad_choice"))?;
    // The purpose is written to the audit log: one kind of line break there too.
    let purpose = yijia_kernel::text::unify_line_ends(purpose);
    let purpose = purpose.trim();
    if purpose.chars().count() < 2 {
        return Err(Error::field("purpose", "registry.purpose_needed"));
    }
    if purpose.chars().count() > 200 {
        return Err(Error::field("purpose", "registry.purpose_too_long"));
    }
    let mut tx = state.db.begin_write().await?;
    let (_, at) = locked_resident(&mut tx, actor, &REVEAL, id).await?;
    let s = repo::sealed_cols(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let (sealed, name) = match which {
        Revealable::IdNumber => (s.id_sealed, field::ID),
        Revealable::Phone => (s.phone_sealed, field::PHONE),
        Revealable::Phone2 => (s.phone2_sealed, field::PHONE),
        Revealable::Health => (s.health_sealed, field::HEALTH),
    };
    let sealed = sealed.ok_or_else(|| Error::conflict(codes::NOTHING_TO_REVEAL, "registry.nothing_to_reveal"))?;
    let value = state.vault.open(name, &sealed)?;
    let mut entry = Entry::new("resident.reveal", "resident", id)
        .community(Some(at.community_id))
        .after(Some(&serde_json::json!({ "field": which.as_str() })));
    entry.purpose = Some(purpose);
    audit::record(&mut tx, state.vault.audit_key(), state.now_ms(), actor, entry).await?;
    tx.commit().await?;
    Ok(value)
}
