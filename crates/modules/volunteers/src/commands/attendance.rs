//! Attendance and hours. A volunteer checks in and out by scanning the activity's code; the
//! leader can mark either for someone without a phone. Checking out credits the time actually
//! served within the shift; a forgotten check-out or a late arrival is settled by the leader
//! entering the minutes. Hours are entered within 10 working days of the activity (DOMAIN.md
//! §3); after that only staff may correct them, with a reason, as new entries.

use serde::Serialize;
use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};
use yijia_registry::repo::CommunityAt;

use super::{activity_locked, entry_locks_at, number, Access};
use crate::ledger::{self, Movement};
use crate::model::qr::{self, Purpose, Refused};
use crate::model::{rules, Holder, Ledger, TxnKind};
use crate::permissions::JOIN;
use crate::repo::{self, ActivityRow, SignupRow};

/// How early before its shift a volunteer may check in.
pub const EARLY_MS: i64 = 60 * 60_000;
/// How long after its shift a volunteer may still check out by code.
pub const LATE_OUT_MS: i64 = 3 * 3_600_000;

/// What a scan did.
#[derive(Debug, Clone, Serialize)]
pub struct Scanned {
    pub signup_id: i64,
    pub activity_id: i64,
    pub title: String,
    /// `in` or `out`.
    pub purpose: &'static str,
    pub at: i64,
    /// Credited on checking out.
    pub minutes: Option<i64>,
}

/// Reads a scanned code without acting on it: which activity, and what for.
pub fn read_code(state: &AppState, token: &str) -> Result<qr::Code> {
    qr::check(&state.vault, token, state.now_ms()).map_err(|r| match r {
        Refused::Forged => Error::bad_request("volunteers.qr_forged"),
        Refused::Expired => Error::conflict("volunteers.qr_expired"),
    })
}

/// Checks the actor in or out with a scanned code.
pub async fn scan(state: &AppState, actor: &Actor, token: &str) -> Result<Scanned> {
    let code = read_code(state, token)?;
    let now = state.now_ms();
    let (mut tx, c, a) = activity_locked(state, code.activity_id).await?;
    JOIN.check(actor, &c.place())?;
    held(&a)?;
    let me = Access::of_tx(&mut tx, actor, &c, a.team_id)
        .await?
        .me
        .ok_or_else(|| Error::conflict("volunteers.not_signed_up"))?;
    let mine = repo::signups_for_tx(&mut tx, a.activity_id, me.volunteer_id).await?;
    let u = match code.purpose {
        Purpose::CheckIn => pick_for_check_in(&mine, now)?,
        Purpose::CheckOut => pick_for_check_out(&mine, now)?,
    };
    let minutes = match code.purpose {
        Purpose::CheckIn => {
            repo::set_checked_in(&mut tx, u.signup_id, now, "qr").await?;
            None
        }
        Purpose::CheckOut => {
            repo::set_checked_out(&mut tx, u.signup_id, now, "qr").await?;
            let served = rules::served_minutes(u.checked_in_at.unwrap_or(now), now, u.shift_starts_at, u.shift_ends_at);
            settle(&mut tx, &c, &a, &u, served, "", actor, now).await?;
            Some(served)
        }
    };
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_signup.scan", "vol_signup", u.signup_id)
            .community(Some(c.community_id))
            .after(Some(
                &serde_json::json!({ "purpose": code.purpose.as_str(), "minutes": minutes }),
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(Scanned {
        signup_id: u.signup_id,
        activity_id: a.activity_id,
        title: a.title,
        purpose: code.purpose.as_str(),
        at: now,
        minutes,
    })
}

/// A cancelled activity gives no hours, however it is recorded: the reports leave it out, so a
/// ledger crediting it would disagree with them (and with what was actually served).
fn held(a: &ActivityRow) -> Result<()> {
    if a.status == "published" {
        Ok(())
    } else {
        Err(Error::conflict("volunteers.activity_cancelled"))
    }
}

/// The sign-up a check-in code applies to: a confirmed one whose shift is open now.
fn pick_for_check_in(mine: &[SignupRow], now: i64) -> Result<SignupRow> {
    let confirmed: Vec<&SignupRow> = mine.iter().filter(|u| u.status == "confirmed").collect();
    if confirmed.is_empty() {
        let key = if mine.iter().any(|u| u.status == "waiting") {
            "volunteers.still_waiting"
        } else {
            "volunteers.not_signed_up"
        };
        return Err(Error::conflict(key));
    }
    if let Some(u) = confirmed
        .iter()
        .find(|u| u.checked_in_at.is_none() && now >= u.shift_starts_at - EARLY_MS && now < u.shift_ends_at)
    {
        return Ok((*u).clone());
    }
    if let Some(at) = confirmed
        .iter()
        .find_map(|u| u.checked_in_at.filter(|_| now < u.shift_ends_at))
    {
        return Err(Error::Conflict(
            Message::new("volunteers.already_checked_in").arg("at", at),
        ));
    }
    if confirmed.iter().all(|u| now < u.shift_starts_at - EARLY_MS) {
        return Err(Error::conflict("volunteers.too_early"));
    }
    Err(Error::conflict("volunteers.activity_over"))
}

/// The sign-up a check-out code applies to: checked in, not yet out, the shift not long over.
fn pick_for_check_out(mine: &[SignupRow], now: i64) -> Result<SignupRow> {
    let open = mine
        .iter()
        .find(|u| u.checked_in_at.is_some() && u.checked_out_at.is_none() && now < u.shift_ends_at + LATE_OUT_MS);
    match open {
        // Leaving before the shift began credits nothing and would end the attendance.
        Some(u) if now < u.shift_starts_at => Err(Error::conflict("volunteers.not_begun")),
        Some(u) => Ok(u.clone()),
        None if mine.iter().any(|u| u.checked_out_at.is_some()) => {
            Err(Error::conflict("volunteers.already_checked_out"))
        }
        None => Err(Error::conflict("volunteers.not_checked_in")),
    }
}

/// The leader marks someone in or out (`in` / `out`) now.
pub async fn mark(state: &AppState, actor: &Actor, signup_id: i64, what: &str) -> Result<()> {
    let now = state.now_ms();
    let first = repo::signup(&state.db, signup_id).await?.ok_or(Error::NotFound)?;
    let (mut tx, c, a) = activity_locked(state, first.activity_id).await?;
    if !Access::of_tx(&mut tx, actor, &c, a.team_id).await?.runs() {
        return Err(Error::NotFound);
    }
    let u = repo::signup_tx(&mut tx, signup_id).await?.ok_or(Error::NotFound)?;
    held(&a)?;
    if u.status != "confirmed" {
        return Err(Error::conflict("volunteers.not_confirmed"));
    }
    match what {
        "in" => {
            if u.checked_in_at.is_some() {
                return Err(Error::Conflict(
                    Message::new("volunteers.already_checked_in").arg("at", u.checked_in_at.unwrap_or(now)),
                ));
            }
            if now < u.shift_starts_at - EARLY_MS {
                return Err(Error::conflict("volunteers.too_early"));
            }
            repo::set_checked_in(&mut tx, signup_id, now, "leader").await?;
        }
        "out" => {
            let Some(came) = u.checked_in_at else {
                return Err(Error::conflict("volunteers.not_checked_in"));
            };
            if u.checked_out_at.is_some() {
                return Err(Error::conflict("volunteers.already_checked_out"));
            }
            repo::set_checked_out(&mut tx, signup_id, now, "leader").await?;
            let served = rules::served_minutes(came, now, u.shift_starts_at, u.shift_ends_at);
            settle(&mut tx, &c, &a, &u, served, "", actor, now).await?;
        }
        _ => return Err(Error::field("what", "volunteers.bad_choice")),
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_signup.mark", "vol_signup", signup_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "mark": what }))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The leader (or staff) enters the minutes a volunteer served, or corrects them.
pub async fn record(state: &AppState, actor: &Actor, signup_id: i64, minutes: &str, reason: &str) -> Result<()> {
    let mut errs = FieldErrors::default();
    let reason = text::optional(&mut errs, "reason", reason, 200);
    if minutes.trim().is_empty() {
        errs.add("minutes", Message::new("field.required"));
    }
    let first = repo::signup(&state.db, signup_id).await?.ok_or(Error::NotFound)?;
    let most = rules::shift_minutes(first.shift_starts_at, first.shift_ends_at);
    let m = number(&mut errs, "minutes", minutes, 0, i64::MAX, 0);
    if m > most {
        errs.add(
            "minutes",
            Message::new("volunteers.minutes_over_shift").arg("max", most),
        );
    }
    errs.into_result()?;
    let now = state.now_ms();
    let (mut tx, c, a) = activity_locked(state, first.activity_id).await?;
    let access = Access::of_tx(&mut tx, actor, &c, a.team_id).await?;
    if !access.runs() {
        return Err(Error::NotFound);
    }
    let u = repo::signup_tx(&mut tx, signup_id).await?.ok_or(Error::NotFound)?;
    held(&a)?;
    if u.status != "confirmed" {
        return Err(Error::conflict("volunteers.not_confirmed"));
    }
    if now < u.shift_starts_at {
        return Err(Error::conflict("volunteers.not_begun"));
    }
    let locked = now >= entry_locks_at(&mut tx, &c, &a).await?;
    if locked && !access.staff {
        return Err(Error::conflict("volunteers.entry_locked"));
    }
    if (locked || u.minutes.is_some()) && reason.is_empty() {
        return Err(Error::field("reason", "volunteers.reason_needed"));
    }
    settle(&mut tx, &c, &a, &u, m, &reason, actor, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_signup.minutes", "vol_signup", signup_id)
            .community(Some(c.community_id))
            .before(Some(&u.minutes))
            .after(Some(
                &serde_json::json!({ "minutes": m, "reason": reason, "locked": locked }),
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Brings a sign-up's credited minutes to `minutes`: the difference is posted to the hours
/// ledger, and the points it earns (or no longer earns) to the points ledger. Points already
/// spent are not taken back below zero.
#[expect(clippy::too_many_arguments, reason = "one posting's context")]
async fn settle(
    tx: &mut Tx,
    c: &CommunityAt,
    a: &ActivityRow,
    u: &SignupRow,
    minutes: i64,
    memo: &str,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let was = u.minutes.unwrap_or(0);
    let delta = minutes - was;
    let kind = if u.minutes.is_some() {
        TxnKind::Correction
    } else {
        TxnKind::Service
    };
    let vol = Holder::Volunteer(u.volunteer_id);
    let base = Movement {
        community_id: c.community_id,
        ledger: Ledger::Hours,
        kind,
        memo,
        activity_id: Some(a.activity_id),
        signup_id: Some(u.signup_id),
        actor_account_id: actor.account_id,
        from: Holder::Service,
        to: vol,
        amount: delta.abs(),
    };
    if delta > 0 {
        ledger::post(tx, &base, now).await?;
    } else if delta < 0 {
        ledger::post(
            tx,
            &Movement {
                from: vol,
                to: Holder::Service,
                ..base
            },
            now,
        )
        .await?;
    }
    // Measured against what the sign-up has earned so far, not against its old minutes: a
    // take-back limited by points already spent must not be paid out again by a later raise.
    let earned_so_far = repo::signup_points_tx(tx, u.signup_id, u.volunteer_id).await?;
    let points = rules::points_for(minutes, a.points_per_hour) - earned_so_far;
    let earned = Movement {
        ledger: Ledger::Points,
        kind: if kind == TxnKind::Service {
            TxnKind::Earned
        } else {
            TxnKind::Correction
        },
        from: Holder::Issued,
        amount: points.abs(),
        ..base
    };
    if points > 0 {
        ledger::post(tx, &earned, now).await?;
    } else if points < 0 {
        let left = ledger::balance_tx(tx, c.community_id, u.volunteer_id, Ledger::Points, now).await?;
        let back = points.abs().min(left);
        if back > 0 {
            ledger::post(
                tx,
                &Movement {
                    from: vol,
                    to: Holder::Issued,
                    amount: back,
                    ..earned
                },
                now,
            )
            .await?;
        }
    }
    let credited = repo::CreditedSignup {
        signup_id: u.signup_id,
        activity_id: a.activity_id,
        was: u.minutes,
    };
    repo::set_minutes(tx, &credited, minutes, now).await
}
