//! Resolutions and their follow-up: staff assign tasks to the parties that carry a resolution
//! out, each with a deadline; the parties (or staff) report progress with a note; staff choose
//! whether the board shows a resolution to everyone or to the community's residents only.

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, choice, name_of};
use crate::model::Visibility;
use crate::permissions::{ANSWER, MANAGE};
use crate::repo;

/// A resolution may be challenged in court within a year of the decision (interpretation on
/// building ownership, art. 12): the last day it may be, for the page to show.
pub fn revocable_until(decided_on: &str) -> Option<String> {
    let d: jiff::civil::Date = decided_on.parse().ok()?;
    d.checked_add(jiff::Span::new().years(1)).ok().map(|d| d.to_string())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskInput {
    pub party: String,
    pub title: String,
    /// `YYYY-MM-DD`
    pub deadline: String,
}

/// Assigns a task of a resolution to a party; returns its id.
pub async fn add_task(state: &AppState, actor: &Actor, resolution_id: i64, input: &TaskInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let party = text::required(&mut errs, "party", &input.party, 40);
    let title = text::required(&mut errs, "title", &input.title, 100);
    // Stored as `YYYY-MM-DD` whichever way it was typed (`2026/12/1`, full-width digits).
    let day = text::date(&input.deadline);
    let deadline = day.map(|d| d.to_string()).unwrap_or_default();
    if day.is_none() {
        let key = if input.deadline.trim().is_empty() {
            "field.required"
        } else {
            "council.bad_date"
        };
        errs.add("deadline", Message::new(key));
    }
    errs.into_result()?;
    let r = repo::resolution(&state.db, resolution_id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, r.community_id).await?;
    MANAGE.check(actor, &c.place())?;
    let id = repo::insert_task(&mut tx, resolution_id, &party, &title, &deadline, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_task.create", "council_task", id)
            .community(Some(c.community_id))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProgressInput {
    /// 0–100
    pub progress: String,
    pub note: String,
}

/// Reports progress on a task.
pub async fn progress(state: &AppState, actor: &Actor, task_id: i64, input: &ProgressInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let progress = match input.progress.trim().parse::<i64>() {
        Ok(p) if (0..=100).contains(&p) => p,
        _ => {
            errs.add("progress", Message::new("council.bad_progress"));
            0
        }
    };
    let note = text::required(&mut errs, "note", &input.note, 1000);
    errs.into_result()?;
    let t = repo::task(&state.db, task_id).await?.ok_or(Error::NotFound)?;
    let r = repo::resolution(&state.db, t.resolution_id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, r.community_id).await?;
    ANSWER.check(actor, &c.place())?;
    repo::add_task_update(
        &mut tx,
        task_id,
        progress,
        &note,
        actor.account_id,
        &name_of(actor),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_task.progress", "council_task", task_id)
            .community(Some(c.community_id))
            .before(Some(&serde_json::json!({ "progress": t.progress })))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisibilityInput {
    /// public | residents
    pub visibility: String,
}

/// Chooses who may read a resolution on the board.
pub async fn set_visibility(
    state: &AppState,
    actor: &Actor,
    resolution_id: i64,
    input: &VisibilityInput,
) -> Result<()> {
    let mut errs = FieldErrors::default();
    let v = choice::<Visibility>(&mut errs, "visibility", &input.visibility);
    errs.into_result()?;
    let v = v.ok_or(Error::NotFound)?;
    let r = repo::resolution(&state.db, resolution_id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, r.community_id).await?;
    MANAGE.check(actor, &c.place())?;
    repo::set_resolution_visibility(&mut tx, resolution_id, v.as_str(), now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_resolution.visibility", "council_resolution", resolution_id)
            .community(Some(c.community_id))
            .before(Some(&serde_json::json!({ "visibility": r.visibility })))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
