//! The ledgers' accounts, transactions and entries. Entries are only inserted; a balance is the
//! sum of an account's entries, read through the index that holds the amounts.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

use crate::model::{Holder, Ledger};

/// The account of a holder in a ledger, opened on first use.
pub async fn account_tx(tx: &mut Tx, community_id: i64, ledger: Ledger, holder: Holder, now: i64) -> Result<i64> {
    let found: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "select ledger_account_id from vol_ledger_account \
         where community_id = $1 and ledger = $2 and holder = $3 and coalesce(volunteer_id, 0) = $4"
    )
    .bind(community_id)
    .bind(ledger.as_str())
    .bind(holder.as_str())
    .bind(holder.volunteer_id().unwrap_or(0))
    .fetch_optional(&mut *c)
    .await?);
    if let Some(id) = found {
        return Ok(id);
    }
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into vol_ledger_account (community_id, ledger, holder, volunteer_id, floor, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning ledger_account_id"
    )
    .bind(community_id)
    .bind(ledger.as_str())
    .bind(holder.as_str())
    .bind(holder.volunteer_id())
    .bind(holder.floor())
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

/// A volunteer's account in a ledger, if it was ever opened.
pub async fn volunteer_account(db: &Db, volunteer_id: i64, ledger: Ledger) -> Result<Option<i64>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select ledger_account_id from vol_ledger_account where volunteer_id = $1 and ledger = $2"
    )
    .bind(volunteer_id)
    .bind(ledger.as_str())
    .fetch_optional(p)
    .await?))
}

const BALANCE: &str = "select cast(coalesce(sum(amount), 0) as bigint) from vol_entry where ledger_account_id = $1";

pub async fn balance(conn: impl Into<Conn<'_>>, ledger_account_id: i64) -> Result<i64> {
    Ok(on_conn!(conn, |c| sqlx::query_scalar(BALANCE)
        .bind(ledger_account_id)
        .fetch_one(c)
        .await?))
}

/// A transaction's header.
pub struct NewTxn<'a> {
    pub community_id: i64,
    pub ledger: Ledger,
    pub kind: &'a str,
    pub memo: &'a str,
    pub activity_id: Option<i64>,
    pub signup_id: Option<i64>,
    pub actor_account_id: Option<i64>,
}

/// Writes a transaction and its entries (`(account, amount)`), which must sum to zero.
pub async fn insert_txn(tx: &mut Tx, t: &NewTxn<'_>, entries: &[(i64, i64)], now: i64) -> Result<i64> {
    let sum: i64 = entries.iter().map(|(_, a)| *a).sum();
    if sum != 0 || entries.len() < 2 {
        return Err(anyhow::anyhow!("unbalanced ledger transaction ({sum}, {} entries)", entries.len()).into());
    }
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into vol_txn (community_id, ledger, kind, memo, activity_id, signup_id, actor_account_id, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning txn_id"
    )
    .bind(t.community_id)
    .bind(t.ledger.as_str())
    .bind(t.kind)
    .bind(t.memo)
    .bind(t.activity_id)
    .bind(t.signup_id)
    .bind(t.actor_account_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    });
    let rows: Vec<[yijia_db::Bind; 3]> = entries
        .iter()
        .map(|(acc, amount)| {
            [
                yijia_db::Bind::I(id),
                yijia_db::Bind::I(*acc),
                yijia_db::Bind::I(*amount),
            ]
        })
        .collect();
    yijia_db::insert_rows(
        tx,
        "insert into vol_entry (txn_id, ledger_account_id, amount) values",
        rows.iter().map(<[yijia_db::Bind; 3]>::as_slice),
    )
    .await?;
    Ok(id)
}

/// One line of an account's history.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EntryRow {
    pub entry_id: i64,
    pub txn_id: i64,
    pub amount: i64,
    pub kind: String,
    pub memo: String,
    pub activity_id: Option<i64>,
    pub title: Option<String>,
    pub created_at: i64,
}

/// An account's entries, latest first, below an entry id.
pub async fn history(db: &Db, ledger_account_id: i64, before: i64, limit: i64) -> Result<Vec<EntryRow>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select e.entry_id, e.txn_id, e.amount, t.kind, t.memo, t.activity_id, a.title, t.created_at \
         from vol_entry e join vol_txn t on t.txn_id = e.txn_id left join vol_activity a on a.activity_id = t.activity_id \
         where e.ledger_account_id = $1 and e.entry_id < $2 order by e.entry_id desc limit $3"
    )
    .bind(ledger_account_id)
    .bind(before)
    .bind(limit)
    .fetch_all(p)
    .await?
    }))
}

/// Every transaction's sum and every floored account's balance, for the ledger's own checks:
/// (transactions that do not sum to zero, accounts below their floor).
pub async fn unbalanced(db: &Db) -> Result<(i64, i64)> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select (select count(*) from (select txn_id from vol_entry group by txn_id having sum(amount) <> 0) x), \
         (select count(*) from (select a.ledger_account_id from vol_ledger_account a join vol_entry e \
           on e.ledger_account_id = a.ledger_account_id where a.floor is not null \
           group by a.ledger_account_id, a.floor having sum(e.amount) < a.floor) y)"
    )
    .fetch_one(p)
    .await?))
}

/// The points a volunteer holds from one sign-up: what it earned, less what was taken back.
pub async fn signup_points_tx(tx: &mut Tx, signup_id: i64, volunteer_id: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select cast(coalesce(sum(e.amount), 0) as bigint) from vol_txn t \
         join vol_entry e on e.txn_id = t.txn_id \
         join vol_ledger_account a on a.ledger_account_id = e.ledger_account_id \
         where t.signup_id = $1 and t.ledger = 'points' and a.volunteer_id = $2"
    )
    .bind(signup_id)
    .bind(volunteer_id)
    .fetch_one(&mut *c)
    .await?))
}

/// Service a volunteer was credited outside the activities (a wish fulfilled, for one), latest
/// first: `(credited at, memo, minutes)`.
pub async fn other_service(db: &Db, volunteer_id: i64) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select t.created_at, t.memo, e.amount from vol_entry e join vol_txn t on t.txn_id = e.txn_id \
         join vol_ledger_account a on a.ledger_account_id = e.ledger_account_id \
         where a.holder = 'volunteer' and a.volunteer_id = $1 and a.ledger = 'hours' and t.kind = 'service' \
         and t.signup_id is null order by t.created_at desc, t.txn_id desc"
    )
    .bind(volunteer_id)
    .fetch_all(p)
    .await?))
}
