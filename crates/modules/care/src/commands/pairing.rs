//! Pairings (结对): a care-group household paired with a carer of its grid, with a visit plan
//! from its most demanding care group. A household without a care-group tag may be paired too,
//! with a reason; the pairing is flagged so that staff see why it exists.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, groups_by_blind, intervals, optional_id};
use crate::model::visits::due;
use crate::model::CarerKind;
use crate::permissions::LOOK_AFTER;
use crate::repo::{self, NewPairing};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PairInput {
    pub household: String,
    /// The carer's account.
    pub carer: String,
    /// Why: required for a household in no care group.
    pub reason: String,
    /// Days between visits; empty takes the care group's.
    pub interval_days: String,
    /// YYYY-MM-DD; empty is today.
    pub starts_on: String,
    pub ends_on: String,
}

/// A day typed into a field; `None` when left empty.
pub fn day(errs: &mut FieldErrors, field: &str, v: &str) -> Option<Date> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let got = text::date(v);
    if got.is_none() {
        errs.add(field, Message::new("care.bad_date"));
    }
    got
}

/// The kind of carer a role makes someone.
fn carer_kind(role: &str) -> CarerKind {
    match role {
        "grid_worker" => CarerKind::GridWorker,
        "party_member" => CarerKind::PartyMember,
        _ => CarerKind::Volunteer,
    }
}

/// Pairs a household with a carer; returns the pairing's id.
pub async fn pair(state: &AppState, actor: &Actor, input: &PairInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let household_id = optional_id(&mut errs, "household", &input.household);
    let carer_id = optional_id(&mut errs, "carer", &input.carer);
    for (f, v) in [("household", household_id), ("carer", carer_id)] {
        if v.is_none() && errs.get(f).is_none() {
            errs.add(f, Message::new("field.required"));
        }
    }
    let reason = text::optional(&mut errs, "reason", &input.reason, 500);
    let interval = match input.interval_days.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(d) if (1..=365).contains(&d) => Some(d),
            _ => {
                errs.add("interval_days", Message::new("care.bad_amount").arg("max", 365));
                None
            }
        },
    };
    let starts = day(&mut errs, "starts_on", &input.starts_on);
    let ends = day(&mut errs, "ends_on", &input.ends_on);
    errs.clone().into_result()?;
    let h = yijia_registry::repo::household(&state.db, household_id.unwrap_or_default())
        .await?
        .filter(|h| h.retired_at.is_none())
        .ok_or_else(|| Error::field("household", "care.bad_choice"))?;
    let groups = groups_by_blind(state, h.community_id).await?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, h.community_id).await?;
    LOOK_AFTER.check(actor, &h.place())?;
    let today = c.today(state);
    let starts = starts.unwrap_or(today);
    if ends.is_some_and(|e| e <= starts) {
        errs.add("ends_on", Message::new("care.ends_before_start"));
    }
    let carer = repo::carer_tx(&mut tx, c.community_id, carer_id.unwrap_or_default()).await?;
    match &carer {
        None => errs.add("carer", Message::new("care.bad_choice")),
        // A carer reads the household's care groups and visit notes: a grid worker of another
        // grid would read past their grid's boundary (issue 28).
        Some(k)
            if !works_in(
                &repo::carer_grids_tx(&mut tx, c.community_id, k.account_id).await?,
                h.grid_id,
            ) =>
        {
            errs.add("carer", Message::new("care.carer_other_grid"));
        }
        Some(_) => {}
    }
    let blinds = repo::household_blinds_tx(&mut tx, h.household_id, &today.to_string()).await?;
    let codes: Vec<String> = groups
        .iter()
        .filter(|(b, _)| blinds.contains(b))
        .map(|(_, g)| g.code().into_owned())
        .collect();
    let untagged = codes.is_empty();
    if untagged && reason.is_empty() && errs.get("reason").is_none() {
        errs.add("reason", Message::new("care.reason_for_untagged"));
    }
    errs.into_result()?;
    let carer = carer.ok_or(Error::NotFound)?;
    if repo::paired_tx(&mut tx, h.household_id, carer.account_id).await? {
        return Err(Error::conflict(crate::codes::ALREADY_PAIRED, "care.already_paired"));
    }
    let interval = match interval {
        Some(d) => d,
        None => intervals(&mut tx, c.community_id).await?.days_for(&codes),
    };
    let due_on = due(starts, None, interval).to_string();
    let kind = carer_kind(&carer.role);
    let (starts_s, ends_s) = (starts.to_string(), ends.map(|e| e.to_string()));
    let id = repo::insert_pairing(
        &mut tx,
        &NewPairing {
            community_id: c.community_id,
            household_id: h.household_id,
            carer_account_id: carer.account_id,
            carer_name: &carer.name,
            carer_kind: kind.as_str(),
            reason: &reason,
            untagged,
            interval_days: interval,
            starts_on: &starts_s,
            ends_on: ends_s.as_deref(),
            due_on: &due_on,
            created_by: actor.account_id,
        },
        now,
    )
    .await?;
    let note = Note {
        community_id: Some(c.community_id),
        kind: "care.note_paired",
        args: serde_json::json!({ "address": h.address(), "days": interval }),
        link: format!("/care/pairings/{id}"),
    };
    notify::send(&mut tx, &[carer.account_id], &note, now).await?;
    // The audit names the household and the carer, not the care groups (sealed in the registry).
    let after = serde_json::json!({
        "household": h.household_id, "carer": carer.account_id, "interval_days": interval,
        "untagged": untagged, "reason": reason, "starts_on": starts_s,
    });
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("care_pairing.pair", "care_pairing", id)
            .community(Some(c.community_id))
            .after(Some(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EndInput {
    pub reason: String,
}

/// Ends a pairing (the carer moved away, the household no longer needs it).
pub async fn end(state: &AppState, actor: &Actor, id: i64, input: &EndInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let reason = text::required(&mut errs, "reason", &input.reason, 500);
    errs.into_result()?;
    let p = repo::pairing(&state.db, id).await?.ok_or(Error::NotFound)?;
    let h = yijia_registry::repo::household(&state.db, p.household_id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, p.community_id).await?;
    LOOK_AFTER.check(actor, &h.place())?;
    if !repo::end_pairing(&mut tx, id, now).await? {
        return Err(Error::conflict(crate::codes::PAIRING_ENDED, "care.pairing_ended"));
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("care_pairing.end", "care_pairing", id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "reason": reason }))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// True when a carer working in `grids` (none known: anywhere in the community) may care for a
/// household of `grid`.
pub fn works_in(grids: &[i64], grid: i64) -> bool {
    grids.is_empty() || grids.contains(&grid)
}
