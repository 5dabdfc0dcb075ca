//! Moving an appeal along its loop: one function for every action, so each goes through the
//! same checks — who may, from which state, whether someone else acted first — and leaves one
//! step in the timeline and one audit entry.

use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{community_tx, locked, optional_id, spans, Access, Clock};
use crate::codes;
use crate::model::machine::next;
use crate::model::{Action, DeclineReason, Rating, Status, Tier};
use crate::repo::{self, NewStep};

/// A step as typed: the action and what it needs. Strings, as a form sends them; the API
/// takes the same fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StepInput {
    pub action: String,
    /// The version of the appeal the user was looking at; a step on an older one is refused.
    pub version: String,
    /// Shown to the requester in the timeline.
    pub note: String,
    /// Seen only by the desk and the handling parties.
    pub internal_note: String,
    /// decline: a `DeclineReason`; dispatch to another party than the rules say; a return.
    pub reason: String,
    /// dispatch, ask_help: a party's id.
    pub party: String,
    /// reply: the answer.
    pub answer: String,
    /// rate, callback.
    pub rating: String,
    /// decline as a duplicate: the appeal it repeats.
    pub duplicate_of: String,
}

/// What a step left: the appeal's new state and version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stepped {
    pub appeal_id: i64,
    pub status: String,
    pub version: i64,
}

pub const NOT_ALLOWED: &str = "appeals.not_allowed";
pub const CHANGED: &str = "appeals.changed";

/// A new deadline starts a new watch: warned, overdue and escalated again if it is missed.
fn new_deadline(a: &mut crate::repo::AppealRow) {
    a.warned_at = None;
    a.overdue_at = None;
    a.escalation = 0;
}

/// Takes one step on an appeal.
pub async fn step(state: &AppState, actor: &Actor, appeal_id: i64, input: &StepInput) -> Result<Stepped> {
    let mut errs = FieldErrors::default();
    let action = Action::parse(&input.action).filter(|a| *a != Action::Submit);
    if action.is_none() {
        errs.add("action", Message::new("appeals.bad_choice"));
    }
    let version = optional_id(&mut errs, "version", &input.version);
    let note = text::optional(&mut errs, "note", &input.note, 1000);
    let internal = text::optional(&mut errs, "internal_note", &input.internal_note, 1000);
    let reason = text::optional(&mut errs, "reason", &input.reason, 500);
    let party = optional_id(&mut errs, "party", &input.party);
    let answer = text::optional(&mut errs, "answer", &input.answer, 2000);
    let duplicate_of = optional_id(&mut errs, "duplicate_of", &input.duplicate_of);
    let rating = match input.rating.trim() {
        "" => None,
        r => Rating::parse(r).or_else(|| {
            errs.add("rating", Message::new("appeals.bad_choice"));
            None
        }),
    };
    errs.into_result()?;
    let action = action.ok_or_else(|| Error::field("action", "appeals.bad_choice"))?;

    let mut tx = state.db.begin_write().await?;
    let before = locked(&mut tx, appeal_id).await?;
    let c = community_tx(&mut tx, before.community_id).await?;
    let access = Access::of(&mut tx, actor, &c, &before).await?;
    if !access.sees() {
        return Err(Error::NotFound);
    }
    // A stale page first (its user sees the new state), then a step the state does not allow,
    // then a step that is someone else's to take.
    if version.is_some_and(|v| v != before.version) {
        return Err(Error::conflict(codes::CHANGED, CHANGED));
    }
    let from = Status::parse(&before.status).ok_or_else(|| Error::Internal(anyhow::anyhow!("bad status")))?;
    if matches!(action, Action::Rate | Action::Callback) && rating.is_none() {
        return Err(Error::field("rating", "field.required"));
    }
    let to = next(from, action, rating).ok_or_else(|| Error::conflict(codes::NOT_ALLOWED, NOT_ALLOWED))?;
    if !access.may(action.who()) {
        return Err(Error::Forbidden);
    }

    let now = state.now_ms();
    let mut a = before.clone();
    a.status = to.as_str().to_owned();
    a.updated_at = now;
    let public_note = note;
    let mut step_party = None;
    let clock = Clock::of(state, &mut tx, &c).await?;
    let tier = Tier::parse(&a.tier).unwrap_or(Tier::Normal);
    // The reply deadline this step may start.
    let reply_span = spans(state, &mut tx, a.community_id, tier).await?.reply;
    let reply_due = |from_ms: i64| reply_span.after(from_ms, &clock.tz, &clock.calendar);
    let required = |v: &str, field: &str| {
        if v.is_empty() {
            Err(Error::field(field, "field.required"))
        } else {
            Ok(())
        }
    };
    match action {
        Action::Accept => a.accepted_at = Some(now),
        Action::Decline => {
            let why = DeclineReason::parse(&reason).ok_or_else(|| Error::field("reason", "appeals.bad_choice"))?;
            if why == DeclineReason::Duplicate {
                let other = duplicate_of.ok_or_else(|| Error::field("duplicate_of", "field.required"))?;
                let original = repo::appeal(&mut tx, other)
                    .await?
                    .filter(|o| o.community_id == a.community_id && o.appeal_id != a.appeal_id)
                    .ok_or_else(|| Error::field("duplicate_of", "appeals.bad_choice"))?;
                a.duplicate_of = Some(original.appeal_id);
            }
            a.decline_reason = Some(why.as_str().to_owned());
            a.closed_at = Some(now);
        }
        Action::Dispatch => {
            let category = repo::category_tx(&mut tx, a.category_id)
                .await?
                .ok_or(Error::NotFound)?;
            let routed = repo::routed_party_tx(&mut tx, a.category_id, a.grid_id, a.building_id)
                .await?
                .unwrap_or(category.party_id);
            let chosen = party.unwrap_or(routed);
            // Sending it elsewhere than the rules say is allowed, with a reason on record.
            if chosen != routed {
                required(&reason, "reason")?;
            }
            let p = repo::party(&mut tx, chosen)
                .await?
                .filter(|p| p.community_id == a.community_id && p.retired_at.is_none())
                .ok_or_else(|| Error::field("party", "appeals.bad_choice"))?;
            a.party_id = Some(p.party_id);
            a.party_name = Some(p.name);
            a.dispatched_at = Some(now);
            a.reply_due_at = Some(reply_due(now));
            new_deadline(&mut a);
            step_party = a.party_id;
        }
        Action::Take => a.taken_at = Some(now),
        Action::AskReturn => required(&reason, "reason")?,
        Action::ApproveReturn => {
            step_party = a.party_id;
            a.party_id = None;
            a.party_name = None;
            a.dispatched_at = None;
            a.taken_at = None;
            a.reply_due_at = None;
        }
        Action::RefuseReturn => required(&format!("{public_note}{internal}{reason}"), "reason")?,
        Action::AskHelp => {
            let p = party.ok_or_else(|| Error::field("party", "field.required"))?;
            let helper = repo::party(&mut tx, p)
                .await?
                .filter(|h| {
                    h.community_id == a.community_id && h.retired_at.is_none() && Some(h.party_id) != a.party_id
                })
                .ok_or_else(|| Error::field("party", "appeals.bad_choice"))?;
            repo::add_cohandler(&mut tx, &a, helper.party_id, now).await?;
            step_party = Some(helper.party_id);
        }
        Action::Reply => {
            required(&answer, "answer")?;
            a.answer = answer;
            a.replied_at = Some(now);
        }
        Action::Verify => a.verified_at = Some(now),
        Action::Redo => {
            required(&reason, "reason")?;
            a.replied_at = None;
            a.redo_count += 1;
            a.reply_due_at = Some(reply_due(now));
            new_deadline(&mut a);
        }
        Action::Rate | Action::Callback => {
            a.rating = rating.map(|r| r.as_str().to_owned());
            a.rating_comment = public_note.clone();
            a.rated_at = Some(now);
            if to == Status::InProgress {
                a.redo_count += 1;
                a.replied_at = None;
                a.verified_at = None;
                a.reply_due_at = Some(reply_due(now));
                new_deadline(&mut a);
            }
        }
        Action::Close => a.closed_at = Some(now),
        Action::Urge => a.urge_count += 1,
        Action::Supervise => a.supervised = true,
        Action::Note => required(&format!("{public_note}{internal}"), "internal_note")?,
        Action::Submit => return Err(Error::conflict(codes::NOT_ALLOWED, NOT_ALLOWED)),
    }
    if !repo::update_appeal(&mut tx, &a).await? {
        return Err(Error::conflict(codes::CHANGED, CHANGED));
    }
    let internal_note = [reason.as_str(), internal.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // A decline's reason is public (the appeal carries it); other reasons stay inside.
    let internal_note = if action == Action::Decline {
        internal
    } else {
        internal_note
    };
    let step = NewStep {
        action: action.as_str(),
        from: from.as_str(),
        to: to.as_str(),
        party_id: step_party,
        public_note: &public_note,
        internal_note: &internal_note,
    };
    repo::insert_step(&mut tx, &a, &step, actor, now).await?;
    let audit_action = format!("appeal.{}", action.as_str());
    let entry = Entry::new(&audit_action, "appeal", a.appeal_id)
        .community(Some(a.community_id))
        .before(Some(
            &serde_json::json!({ "status": from.as_str(), "party_id": before.party_id }),
        ))
        .after(Some(
            &serde_json::json!({ "status": to.as_str(), "party_id": a.party_id }),
        ));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    let helper = (action == Action::AskHelp).then_some(step_party).flatten();
    super::tell(&mut tx, state, actor, &a, action, helper, now).await?;
    tx.commit().await?;
    Ok(Stepped {
        appeal_id,
        status: a.status,
        version: a.version + 1,
    })
}
