//! Posting to the ledgers. Every movement is one transaction of two entries that sum to zero,
//! from one holder to another; nothing is ever updated or deleted, a correction is posted as
//! another movement. A volunteer's account has a floor of zero: a movement that would take it
//! below is refused, checked in the same transaction under the community's write lock, so two
//! spends at once cannot both pass on the same balance.

use yijia_db::Tx;
use yijia_kernel::error::Message;
use yijia_kernel::{Actor, Error, Result};

use crate::codes;
use crate::model::{rules, Holder, Ledger, TxnKind};
use crate::repo::{self, ActivityRow, NewTxn, SignupRow};

/// One movement on a ledger.
pub struct Movement<'a> {
    pub community_id: i64,
    pub ledger: Ledger,
    pub kind: TxnKind,
    pub memo: &'a str,
    pub activity_id: Option<i64>,
    pub signup_id: Option<i64>,
    pub actor_account_id: Option<i64>,
    /// Debited.
    pub from: Holder,
    /// Credited.
    pub to: Holder,
    /// Positive.
    pub amount: i64,
}

/// Posts a movement; refused when it would take a floored account below its floor.
pub async fn post(tx: &mut Tx, m: &Movement<'_>, now: i64) -> Result<i64> {
    if m.amount <= 0 {
        return Err(anyhow::anyhow!("a movement moves a positive amount, not {}", m.amount).into());
    }
    let from = repo::account_tx(tx, m.community_id, m.ledger, m.from, now).await?;
    let to = repo::account_tx(tx, m.community_id, m.ledger, m.to, now).await?;
    if let Some(floor) = m.from.floor() {
        let balance = repo::balance(&mut *tx, from).await?;
        if balance - m.amount < floor {
            let (code, key) = match m.ledger {
                Ledger::Points => (codes::NOT_ENOUGH_POINTS, "volunteers.not_enough_points"),
                Ledger::Hours => (codes::NOT_ENOUGH_HOURS, "volunteers.not_enough_hours"),
            };
            return Err(Error::Conflict(code, Message::new(key).arg("balance", balance)));
        }
    }
    let header = NewTxn {
        community_id: m.community_id,
        ledger: m.ledger,
        kind: m.kind.as_str(),
        memo: m.memo,
        activity_id: m.activity_id,
        signup_id: m.signup_id,
        actor_account_id: m.actor_account_id,
    };
    repo::insert_txn(tx, &header, &[(from, -m.amount), (to, m.amount)], now).await
}

/// A volunteer's balance in a ledger (zero before their first entry).
pub async fn balance(db: &yijia_db::Db, volunteer_id: i64, ledger: Ledger) -> Result<i64> {
    match repo::volunteer_account(db, volunteer_id, ledger).await? {
        Some(a) => repo::balance(db, a).await,
        None => Ok(0),
    }
}

/// A volunteer's balance read in a command's transaction, their account opened if need be.
pub async fn balance_in(tx: &mut Tx, community_id: i64, volunteer_id: i64, ledger: Ledger, now: i64) -> Result<i64> {
    let account = repo::account_tx(tx, community_id, ledger, Holder::Volunteer(volunteer_id), now).await?;
    repo::balance(&mut *tx, account).await
}

/// What a sign-up is to be credited from now on.
pub struct Credit<'a> {
    pub minutes: i64,
    /// Where the minutes lie in time, `[from, to)`; none when nothing is credited.
    pub interval: Option<(i64, i64)>,
    /// Why (empty for a first credit by check-out).
    pub memo: &'a str,
    /// A cancellation taking the credit back: posted as `reversal`, not as a correction.
    pub reversal: bool,
}

/// Brings a sign-up's credited minutes to `credit.minutes`: the difference is posted to the
/// hours ledger, and the points it earns (or no longer earns) to the points ledger. Points
/// already spent are not taken back below zero. Rows are only added: a reduction, a reversal
/// included, is a movement the other way with its memo.
pub async fn settle(
    tx: &mut Tx,
    a: &ActivityRow,
    u: &SignupRow,
    credit: &Credit<'_>,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let minutes = credit.minutes;
    let was = u.minutes.unwrap_or(0);
    let delta = minutes - was;
    let kind = if credit.reversal {
        TxnKind::Reversal
    } else if u.minutes.is_some() {
        TxnKind::Correction
    } else {
        TxnKind::Service
    };
    let vol = Holder::Volunteer(u.volunteer_id);
    let base = Movement {
        community_id: a.community_id,
        ledger: Ledger::Hours,
        kind,
        memo: credit.memo,
        activity_id: Some(a.activity_id),
        signup_id: Some(u.signup_id),
        actor_account_id: actor.account_id,
        from: Holder::Service,
        to: vol,
        amount: delta.abs(),
    };
    if delta > 0 {
        post(tx, &base, now).await?;
    } else if delta < 0 {
        post(
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
        kind: match kind {
            TxnKind::Service => TxnKind::Earned,
            k => k,
        },
        from: Holder::Issued,
        amount: points.abs(),
        ..base
    };
    if points > 0 {
        post(tx, &earned, now).await?;
    } else if points < 0 {
        let left = balance_in(tx, a.community_id, u.volunteer_id, Ledger::Points, now).await?;
        let back = points.abs().min(left);
        if back > 0 {
            post(
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
        interval: credit.interval.filter(|_| minutes > 0),
    };
    repo::set_minutes(tx, &credited, minutes, now).await
}

/// Takes back everything a sign-up was credited, because it or its activity was cancelled.
pub async fn reverse(tx: &mut Tx, a: &ActivityRow, u: &SignupRow, memo: &str, actor: &Actor, now: i64) -> Result<()> {
    if u.minutes.unwrap_or(0) == 0 {
        return Ok(());
    }
    let credit = Credit {
        minutes: 0,
        interval: None,
        memo,
        reversal: true,
    };
    settle(tx, a, u, &credit, actor, now).await
}
