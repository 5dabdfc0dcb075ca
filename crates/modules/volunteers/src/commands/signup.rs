//! Signing up to a shift from a phone, and cancelling. A full shift puts the volunteer on its
//! waiting list; a cancellation before the deadline gives the place to the first one waiting,
//! who is told. Age and skill requirements are checked against the profile (DOMAIN.md §3:
//! minors only in activities suited to their age).

use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{activity_locked, Access};
use crate::codes;
use crate::model::{list, rules, SignupStatus};
use crate::permissions::JOIN;
use crate::repo::{self, SignupRow};

/// Signs the actor up to a shift of an activity; returns the sign-up and whether it is confirmed
/// or on the waiting list.
pub async fn sign_up(state: &AppState, actor: &Actor, activity_id: i64, shift_id: i64) -> Result<(i64, SignupStatus)> {
    let now = state.now_ms();
    let (mut tx, c, a) = activity_locked(state, activity_id).await?;
    JOIN.check(actor, &c.place())?;
    let me = Access::of(&mut tx, actor, &c, a.team_id)
        .await?
        .me
        .ok_or_else(|| Error::conflict(codes::REGISTER_FIRST, "volunteers.register_first"))?;
    let shift = repo::shift_tx(&mut tx, shift_id)
        .await?
        .filter(|s| s.activity_id == activity_id)
        .ok_or_else(|| Error::field("shift", "volunteers.bad_choice"))?;
    if a.status != "published" {
        return Err(Error::conflict(
            codes::ACTIVITY_CANCELLED,
            "volunteers.activity_cancelled",
        ));
    }
    if shift.starts_at <= now {
        return Err(Error::conflict(codes::SIGNUP_CLOSED, "volunteers.signup_closed"));
    }
    let day = rules::local_date(shift.starts_at, &c.tz());
    let age = rules::age_on(me.birth_date.as_deref(), day);
    if a.min_age > 0 {
        match age {
            None => return Err(Error::conflict(codes::AGE_UNKNOWN, "volunteers.age_unknown")),
            Some(y) if y < a.min_age => {
                return Err(Error::Conflict(
                    codes::TOO_YOUNG,
                    Message::new("volunteers.too_young").arg("age", a.min_age),
                ))
            }
            _ => {}
        }
    }
    if age.is_some_and(|y| y < 18) && me.guardian_consent_at.is_none() {
        return Err(Error::conflict(
            codes::GUARDIAN_CONSENT_NEEDED,
            "volunteers.guardian_consent_needed",
        ));
    }
    let mine = list(&me.skills);
    let missing: Vec<String> = list(&a.skills).into_iter().filter(|s| !mine.contains(s)).collect();
    if !missing.is_empty() {
        return Err(Error::Conflict(
            codes::SKILLS_MISSING,
            Message::new("volunteers.skills_missing").arg("skills", missing.join("、")),
        ));
    }
    let status = if shift.confirmed < shift.capacity {
        SignupStatus::Confirmed
    } else {
        SignupStatus::Waiting
    };
    let id = match repo::signup_on_tx(&mut tx, shift_id, me.volunteer_id).await? {
        Some((_, s)) if s != "cancelled" => {
            return Err(Error::conflict(
                codes::ALREADY_SIGNED_UP,
                "volunteers.already_signed_up",
            ))
        }
        Some((id, _)) => {
            repo::renew_signup(&mut tx, id, status.as_str(), now).await?;
            id
        }
        None => {
            repo::insert_signup(
                &mut tx,
                c.community_id,
                activity_id,
                shift_id,
                me.volunteer_id,
                status.as_str(),
                now,
            )
            .await?
        }
    };
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_signup.create", "vol_signup", id)
            .community(Some(c.community_id))
            .after(Some(
                &serde_json::json!({ "shift": shift_id, "status": status.as_str() }),
            )),
    )
    .await?;
    tx.commit().await?;
    Ok((id, status))
}

/// Cancels a sign-up: its volunteer before the activity's deadline, or whoever runs the
/// activity until the shift ends. A place freed goes to the first one waiting; minutes credited
/// to it are reversed.
pub async fn cancel(state: &AppState, actor: &Actor, signup_id: i64) -> Result<()> {
    let now = state.now_ms();
    let first = repo::signup(&state.db, signup_id).await?.ok_or(Error::NotFound)?;
    let (mut tx, c, a) = activity_locked(state, first.activity_id).await?;
    let u = repo::signup(&mut tx, signup_id).await?.ok_or(Error::NotFound)?;
    let access = Access::of(&mut tx, actor, &c, a.team_id).await?;
    let own = access.me.as_ref().is_some_and(|m| m.volunteer_id == u.volunteer_id);
    if !own && !access.runs() {
        return Err(Error::NotFound);
    }
    if u.status == "cancelled" {
        return Err(Error::conflict(
            codes::ALREADY_CANCELLED,
            "volunteers.already_cancelled",
        ));
    }
    if u.checked_in_at.is_some() {
        return Err(Error::conflict(
            codes::ALREADY_CHECKED_IN,
            "volunteers.already_checked_in",
        ));
    }
    let deadline = u.shift_starts_at - a.cancel_before_ms;
    if !access.runs() && now >= deadline {
        return Err(Error::conflict(codes::CANCEL_TOO_LATE, "volunteers.cancel_too_late"));
    }
    if access.runs() && now >= u.shift_ends_at {
        return Err(Error::conflict(codes::ACTIVITY_OVER, "volunteers.activity_over"));
    }
    // Minutes entered for a sign-up that is then cancelled were not given: they are taken back
    // by a reversing entry (never a delete), so the reports and certificates, which leave
    // cancelled sign-ups out, agree with the ledger.
    crate::ledger::reverse(&mut tx, &a, &u, "报名已取消", actor, now).await?;
    repo::set_signup_status(&mut tx, signup_id, "cancelled", now).await?;
    if u.status == "confirmed" {
        promote(&mut tx, &u, now).await?;
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_signup.cancel", "vol_signup", signup_id)
            .community(Some(c.community_id))
            .before(Some(&serde_json::json!({ "status": u.status, "minutes": u.minutes }))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a freed place to the first one waiting on the shift, and tells them.
async fn promote(tx: &mut yijia_db::Tx, freed: &SignupRow, now: i64) -> Result<()> {
    let Some(next) = repo::first_waiting_tx(tx, freed.shift_id).await? else {
        return Ok(());
    };
    repo::set_signup_status(tx, next, "confirmed", now).await?;
    let Some(n) = repo::signup(&mut *tx, next).await? else {
        return Ok(());
    };
    if let Some(account) = repo::volunteer(&mut *tx, n.volunteer_id)
        .await?
        .and_then(|v| v.account_id)
    {
        let note = Note {
            community_id: Some(freed.community_id),
            kind: "volunteers.note_promoted",
            args: serde_json::json!({ "title": freed.title }),
            link: format!("/volunteers/activities/{}", freed.activity_id),
        };
        notify::send(tx, &[account], &note, now).await?;
    }
    Ok(())
}
