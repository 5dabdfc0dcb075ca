//! Posting to the ledgers. Every movement is one transaction of two entries that sum to zero,
//! from one holder to another; nothing is ever updated or deleted, a correction is posted as
//! another movement. A volunteer's account has a floor of zero: a movement that would take it
//! below is refused, checked in the same transaction under the community's write lock, so two
//! spends at once cannot both pass on the same balance.

use yijia_db::Tx;
use yijia_kernel::error::Message;
use yijia_kernel::{Error, Result};

use crate::model::{Holder, Ledger, TxnKind};
use crate::repo::{self, NewTxn};

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
        let balance = repo::balance_tx(tx, from).await?;
        if balance - m.amount < floor {
            return Err(Error::Conflict(
                Message::new(match m.ledger {
                    Ledger::Points => "volunteers.not_enough_points",
                    Ledger::Hours => "volunteers.not_enough_hours",
                })
                .arg("balance", balance),
            ));
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

/// A volunteer's balance read in a command's transaction.
pub async fn balance_tx(tx: &mut Tx, community_id: i64, volunteer_id: i64, ledger: Ledger, now: i64) -> Result<i64> {
    let account = repo::account_tx(tx, community_id, ledger, Holder::Volunteer(volunteer_id), now).await?;
    repo::balance_tx(tx, account).await
}
