//! One use case per file: check permission, validate, write, audit, in one transaction.
//! Sensitive fields are sealed here, before any SQL sees them; audit snapshots and history
//! lines hold masked values only.

pub mod add_resident;
pub mod care_tag;
pub mod holding;
pub mod leave;
pub mod link_account;
pub mod merge;
pub mod move_resident;
pub mod request;
pub mod reveal;
pub mod update_resident;
pub mod visit;

use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::vault::Vault;
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::codes;
use crate::model::{mask_id, mask_phone, ResidentValues};
use crate::repo::{self, HouseholdAt, NewEvent, PlainCols, ResidentRow, SealedCols};

/// The fields' names as sealed: bound into each ciphertext and blind index.
pub mod field {
    pub const ID: &str = "resident.id_number";
    pub const PHONE: &str = "resident.phone";
    pub const HEALTH: &str = "resident.health";
    pub const CARE_KIND: &str = "care_tag.kind";
    pub const CARE_DETAIL: &str = "care_tag.detail";
    pub const FINDINGS: &str = "visit.findings";
    pub const IMPORT_ROW: &str = "import.row";
}

/// Today in a community's time zone, for the commands' dates (the platform's).
pub(crate) use yijia_kernel::community::today_in;

/// The blind index of a care group: keyed per community as well, so equal groups in two
/// communities do not share an index value.
pub fn care_blind(vault: &Vault, community_id: i64, group: &crate::model::CareGroup) -> String {
    vault.blind(field::CARE_KIND, &format!("{community_id}:{}", group.code()))
}

/// The blind index of a phone number as stored.
pub fn phone_blind(vault: &Vault, phone: &str) -> String {
    vault.blind(field::PHONE, &crate::model::normalize_phone(phone))
}

/// Seals the sensitive fields of parsed values. A field left out keeps what `keep` holds.
pub fn seal(vault: &Vault, v: &ResidentValues, keep: Option<&SealedCols>) -> SealedCols {
    let kept = keep.cloned().unwrap_or_default();
    let mut s = kept.clone();
    if let Some(id) = &v.id_number {
        s.id_sealed = Some(vault.seal(field::ID, id));
        s.id_blind = Some(vault.blind(field::ID, id));
        s.id_masked = mask_id(id);
    }
    let phone = |p: &Option<String>, sealed: &mut Option<String>, blind: &mut Option<String>, masked: &mut String| {
        if let Some(p) = p {
            *sealed = Some(vault.seal(field::PHONE, p));
            *blind = Some(phone_blind(vault, p));
            *masked = mask_phone(p);
        }
    };
    phone(&v.phone, &mut s.phone_sealed, &mut s.phone_blind, &mut s.phone_masked);
    phone(
        &v.phone2,
        &mut s.phone2_sealed,
        &mut s.phone2_blind,
        &mut s.phone2_masked,
    );
    if let Some(h) = &v.health {
        s.health_sealed = Some(vault.seal(field::HEALTH, h));
    }
    s
}

pub fn plain(v: &ResidentValues) -> PlainCols {
    PlainCols {
        name: v.name.clone(),
        gender: v.gender.as_str(),
        birth_date: v.birth_date.map(|d| d.to_string()),
        ethnicity: v.ethnicity.clone(),
        id_type: v.id_type.as_str(),
        relation: v.relation.as_str(),
        residence: v.residence.as_str(),
        moved_in_on: v.moved_in_on.map(|d| d.to_string()),
        occupation: v.occupation.clone(),
        employer: v.employer.clone(),
        political: v.political.as_str(),
        party_branch: v.party_branch.clone(),
        veteran: v.veteran,
        notes: v.notes.clone(),
    }
}

/// A household's place, read after taking its community's write lock, refused when retired.
pub(crate) async fn locked_household(tx: &mut Tx, id: i64) -> Result<HouseholdAt> {
    let first = repo::household(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    audit::lock_chain(tx, first.community_id).await?;
    let at = repo::household(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    if at.retired_at.is_some() {
        return Err(Error::field("household", "registry.household_retired"));
    }
    Ok(at)
}

/// A resident and their household's place, read after taking the community's write lock.
/// The actor needs `cap` over the household's grid; otherwise the resident does not exist.
pub(crate) async fn locked_resident(
    tx: &mut Tx,
    actor: &Actor,
    cap: &yijia_kernel::Capability,
    id: i64,
) -> Result<(ResidentRow, HouseholdAt)> {
    let first = repo::resident(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    audit::lock_chain(tx, first.community_id).await?;
    let r = repo::resident(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    let at = repo::household(&mut *tx, r.household_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !cap.allows(actor, &at.place()) {
        return Err(Error::NotFound);
    }
    Ok((r, at))
}

/// Refuses changes to someone no longer on the registry (moved out, died, merged).
pub(crate) fn current(r: &ResidentRow) -> Result<()> {
    if r.left_at.is_some() {
        return Err(Error::conflict(codes::RESIDENT_LEFT, "registry.resident_left"));
    }
    Ok(())
}

/// Records a write in the audit log and the registry's history, in the same transaction.
pub(crate) async fn record(
    tx: &mut Tx,
    state: &AppState,
    actor: &Actor,
    entry: Entry<'_>,
    event: NewEvent<'_>,
) -> Result<()> {
    let now = state.now_ms();
    repo::insert_event(tx, &event, now, actor).await?;
    audit::record(tx, state.vault.audit_key(), now, actor, entry).await
}
