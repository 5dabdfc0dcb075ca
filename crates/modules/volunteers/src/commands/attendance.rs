//! Attendance and hours. A volunteer checks in and out by scanning the activity's code; the
//! leader can mark either for someone without a phone. Checking out credits the time actually
//! served within the shift; a forgotten check-out or a late arrival is settled by the leader
//! entering the minutes. Hours are entered within 10 working days of the activity (DOMAIN.md
//! §3); after that only staff may correct them, with a reason, as new entries, and no check-out
//! credits anything any more (it would be an entry without staff or reason).
//!
//! Hours count only time given (issue 28): one person's credited intervals never overlap, so a
//! check-out is trimmed to the time not already credited elsewhere (its memo says so) and an
//! entry that does not fit is refused; a check-out never replaces a leader's entry; and an entry
//! before the shift's end needs a reason.

use serde::Serialize;
use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::Message;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{activity_locked, entry_locks_at, number, Access};
use crate::codes;
use crate::ledger::{self, Credit};
use crate::model::qr::{self, Purpose, Refused};
use crate::model::rules;
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
    /// What the check-out did besides, when it checked out.
    #[serde(flatten)]
    pub out: Option<CheckedOut>,
}

/// What a check-out credited, and why it may be less than the time within the shift.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedOut {
    /// The minutes between arrival and leaving, within the shift.
    pub served: i64,
    /// The minutes the sign-up holds now.
    pub credited: i64,
    /// The leader had entered minutes already: they stand, the check-out only records the time.
    pub kept_entry: bool,
    /// Minutes not credited because they were credited to another activity already.
    pub not_counted: i64,
    /// Those other activities.
    pub overlaps: Vec<String>,
}

/// Reads a scanned code without acting on it: which activity, and what for.
pub fn read_code(state: &AppState, token: &str) -> Result<qr::Code> {
    qr::check(&state.vault, token, state.now_ms()).map_err(|r| match r {
        Refused::Forged => Error::bad_request(codes::QR_FORGED, "volunteers.qr_forged"),
        Refused::Expired => Error::conflict(codes::QR_EXPIRED, "volunteers.qr_expired"),
    })
}

/// Checks the actor in or out with a scanned code.
pub async fn scan(state: &AppState, actor: &Actor, token: &str) -> Result<Scanned> {
    let code = read_code(state, token)?;
    let now = state.now_ms();
    let (mut tx, c, a) = activity_locked(state, code.activity_id).await?;
    JOIN.check(actor, &c.place())?;
    held(&a)?;
    let me = Access::of(&mut tx, actor, &c, a.team_id)
        .await?
        .me
        .ok_or_else(|| Error::conflict(codes::NOT_SIGNED_UP, "volunteers.not_signed_up"))?;
    let mine = repo::signups_for_tx(&mut tx, a.activity_id, me.volunteer_id).await?;
    let u = match code.purpose {
        Purpose::CheckIn => pick_for_check_in(&mine, now)?,
        Purpose::CheckOut => pick_for_check_out(&mine, now)?,
    };
    let out = match code.purpose {
        Purpose::CheckIn => {
            repo::set_checked_in(&mut tx, u.signup_id, now, "qr").await?;
            None
        }
        Purpose::CheckOut => {
            open_for_credit(&mut tx, &c, &a, now).await?;
            repo::set_checked_out(&mut tx, u.signup_id, now, "qr").await?;
            let came = u.checked_in_at.unwrap_or(now);
            Some(check_out(&mut tx, &a, &u, came, now, actor).await?)
        }
    };
    let minutes = out.as_ref().map(|o| o.credited);
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_signup.scan", "vol_signup", u.signup_id)
            .community(Some(c.community_id))
            .after(Some(
                &serde_json::json!({ "purpose": code.purpose.as_str(), "minutes": minutes, "out": out }),
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
        out,
    })
}

/// A check-out credits time only while entries are open: after the lock, time is credited by
/// staff with a reason (`record`), never by a scan or a mark. The lock falls days after the
/// activity's end, so a check-out during or just after it does not read the calendar.
async fn open_for_credit(tx: &mut Tx, c: &CommunityAt, a: &ActivityRow, now: i64) -> Result<()> {
    if now >= a.ends_at && now >= entry_locks_at(tx, c, a).await? {
        return Err(Error::conflict(codes::ENTRY_LOCKED, "volunteers.entry_locked"));
    }
    Ok(())
}

/// Credits a check-out: the time within the shift, less what is credited to the volunteer
/// elsewhere already; nothing when the leader entered minutes first (the entry stands; the
/// check-out's time is kept on the sign-up and in the audit trail).
async fn check_out(
    tx: &mut Tx,
    a: &ActivityRow,
    u: &SignupRow,
    came: i64,
    left: i64,
    actor: &Actor,
) -> Result<CheckedOut> {
    let served = rules::served_minutes(came, left, u.shift_starts_at, u.shift_ends_at);
    if let Some(entered) = u.minutes {
        return Ok(CheckedOut {
            served,
            credited: entered,
            kept_entry: true,
            not_counted: 0,
            overlaps: Vec::new(),
        });
    }
    let from = came.max(u.shift_starts_at);
    let to = from + served * 60_000;
    let others = repo::credited_near_tx(tx, u.volunteer_id, u.signup_id, from, to).await?;
    let taken: Vec<(i64, i64)> = others.iter().map(repo::CreditedRow::interval).collect();
    let best = rules::longest(&rules::free_pieces(from, to, &taken));
    let credited = best.map_or(0, |(f, t)| (t - f) / 60_000);
    let interval = best.map(|(f, _)| (f, f + credited * 60_000));
    let overlaps: Vec<String> = others
        .iter()
        .filter(|o| {
            let (f, t) = o.interval();
            f < to && t > from
        })
        .map(|o| o.title.clone())
        .collect();
    let not_counted = served - credited;
    let memo = if not_counted > 0 {
        format!(
            "与「{}」已计入的时间重叠，少计 {not_counted} 分钟",
            overlaps.join("」「")
        )
    } else {
        String::new()
    };
    let credit = Credit {
        minutes: credited,
        interval,
        memo: &memo,
        reversal: false,
    };
    ledger::settle(tx, a, u, &credit, actor, left).await?;
    Ok(CheckedOut {
        served,
        credited,
        kept_entry: false,
        not_counted,
        overlaps,
    })
}

/// A cancelled activity gives no hours, however it is recorded: the reports leave it out, so a
/// ledger crediting it would disagree with them (and with what was actually served).
fn held(a: &ActivityRow) -> Result<()> {
    if a.status == "published" {
        Ok(())
    } else {
        Err(Error::conflict(
            codes::ACTIVITY_CANCELLED,
            "volunteers.activity_cancelled",
        ))
    }
}

/// The sign-up a check-in code applies to: a confirmed one whose shift is open now.
fn pick_for_check_in(mine: &[SignupRow], now: i64) -> Result<SignupRow> {
    let confirmed: Vec<&SignupRow> = mine.iter().filter(|u| u.status == "confirmed").collect();
    if confirmed.is_empty() {
        return Err(if mine.iter().any(|u| u.status == "waiting") {
            Error::conflict(codes::STILL_WAITING, "volunteers.still_waiting")
        } else {
            Error::conflict(codes::NOT_SIGNED_UP, "volunteers.not_signed_up")
        });
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
            codes::ALREADY_CHECKED_IN,
            Message::new("volunteers.already_checked_in").arg("at", at),
        ));
    }
    if confirmed.iter().all(|u| now < u.shift_starts_at - EARLY_MS) {
        return Err(Error::conflict(codes::TOO_EARLY, "volunteers.too_early"));
    }
    Err(Error::conflict(codes::ACTIVITY_OVER, "volunteers.activity_over"))
}

/// The sign-up a check-out code applies to: checked in, not yet out, the shift not long over.
fn pick_for_check_out(mine: &[SignupRow], now: i64) -> Result<SignupRow> {
    let open = mine
        .iter()
        .find(|u| u.checked_in_at.is_some() && u.checked_out_at.is_none() && now < u.shift_ends_at + LATE_OUT_MS);
    match open {
        // Leaving before the shift began credits nothing and would end the attendance.
        Some(u) if now < u.shift_starts_at => Err(Error::conflict(codes::NOT_BEGUN, "volunteers.not_begun")),
        Some(u) => Ok(u.clone()),
        None if mine.iter().any(|u| u.checked_out_at.is_some()) => Err(Error::conflict(
            codes::ALREADY_CHECKED_OUT,
            "volunteers.already_checked_out",
        )),
        None => Err(Error::conflict(codes::NOT_CHECKED_IN, "volunteers.not_checked_in")),
    }
}

/// The leader marks someone in or out (`in` / `out`) now; a mark out answers what it credited.
pub async fn mark(state: &AppState, actor: &Actor, signup_id: i64, what: &str) -> Result<Option<CheckedOut>> {
    let now = state.now_ms();
    let first = repo::signup(&state.db, signup_id).await?.ok_or(Error::NotFound)?;
    let (mut tx, c, a) = activity_locked(state, first.activity_id).await?;
    if !Access::of(&mut tx, actor, &c, a.team_id).await?.runs() {
        return Err(Error::NotFound);
    }
    let u = repo::signup(&mut tx, signup_id).await?.ok_or(Error::NotFound)?;
    held(&a)?;
    if u.status != "confirmed" {
        return Err(Error::conflict(codes::NOT_CONFIRMED, "volunteers.not_confirmed"));
    }
    let mut out = None;
    match what {
        "in" => {
            if u.checked_in_at.is_some() {
                return Err(Error::Conflict(
                    codes::ALREADY_CHECKED_IN,
                    Message::new("volunteers.already_checked_in").arg("at", u.checked_in_at.unwrap_or(now)),
                ));
            }
            if now < u.shift_starts_at - EARLY_MS {
                return Err(Error::conflict(codes::TOO_EARLY, "volunteers.too_early"));
            }
            repo::set_checked_in(&mut tx, signup_id, now, "leader").await?;
        }
        "out" => {
            let Some(came) = u.checked_in_at else {
                return Err(Error::conflict(codes::NOT_CHECKED_IN, "volunteers.not_checked_in"));
            };
            if u.checked_out_at.is_some() {
                return Err(Error::conflict(
                    codes::ALREADY_CHECKED_OUT,
                    "volunteers.already_checked_out",
                ));
            }
            open_for_credit(&mut tx, &c, &a, now).await?;
            repo::set_checked_out(&mut tx, signup_id, now, "leader").await?;
            out = Some(check_out(&mut tx, &a, &u, came, now, actor).await?);
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
            .after(Some(&serde_json::json!({ "mark": what, "out": out }))),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
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
    let access = Access::of(&mut tx, actor, &c, a.team_id).await?;
    if !access.runs() {
        return Err(Error::NotFound);
    }
    let u = repo::signup(&mut tx, signup_id).await?.ok_or(Error::NotFound)?;
    held(&a)?;
    if u.status != "confirmed" {
        return Err(Error::conflict(codes::NOT_CONFIRMED, "volunteers.not_confirmed"));
    }
    if now < u.shift_starts_at {
        return Err(Error::conflict(codes::NOT_BEGUN, "volunteers.not_begun"));
    }
    let locked = now >= entry_locks_at(&mut tx, &c, &a).await?;
    if locked && !access.staff {
        return Err(Error::conflict(codes::ENTRY_LOCKED, "volunteers.entry_locked"));
    }
    // Before the shift's end the time is not all given yet: crediting it needs the leader's
    // reason (a volunteer who must leave early and forgot to check out, say).
    let early = now < u.shift_ends_at;
    if (locked || early || u.minutes.is_some()) && reason.is_empty() {
        return Err(Error::field("reason", "volunteers.reason_needed"));
    }
    let interval = place_entry(&mut tx, &u, m).await?;
    let credit = Credit {
        minutes: m,
        interval,
        memo: &reason,
        reversal: false,
    };
    ledger::settle(&mut tx, &a, &u, &credit, actor, now).await?;
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

/// Where an entry of `minutes` lies in the shift: where the sign-up's time was
/// credited before, else from its check-in, else the first free stretch long enough; refused
/// when no stretch free of the volunteer's other credited time is long enough.
async fn place_entry(tx: &mut Tx, u: &SignupRow, minutes: i64) -> Result<Option<(i64, i64)>> {
    if minutes == 0 {
        return Ok(None);
    }
    let (from, to) = (u.shift_starts_at, u.shift_ends_at);
    let others = repo::credited_near_tx(tx, u.volunteer_id, u.signup_id, from, to).await?;
    let taken: Vec<(i64, i64)> = others.iter().map(repo::CreditedRow::interval).collect();
    let pieces = rules::free_pieces(from, to, &taken);
    let length = minutes * 60_000;
    let fits = |start: i64| pieces.iter().any(|(f, t)| *f <= start && start + length <= *t);
    let wanted = [u.credited_from, u.checked_in_at.map(|c| c.max(from))];
    if let Some(start) = wanted.into_iter().flatten().find(|s| fits(*s)) {
        return Ok(Some((start, start + length)));
    }
    if let Some((f, _)) = pieces.iter().find(|(f, t)| t - f >= length) {
        return Ok(Some((*f, f + length)));
    }
    let free = rules::longest(&pieces).map_or(0, |(f, t)| (t - f) / 60_000);
    let titles: Vec<String> = others.into_iter().map(|o| o.title).collect();
    Err(Error::Conflict(
        codes::TIME_ALREADY_CREDITED,
        Message::new("volunteers.time_already_credited")
            .arg("free", free)
            .arg("titles", titles.join("、")),
    ))
}
