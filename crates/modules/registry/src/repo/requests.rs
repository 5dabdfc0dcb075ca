//! Residents' requests about their own data.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::Result;

use super::*;

/// A resident's request about their data.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RequestRow {
    pub request_id: i64,
    pub community_id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    pub kind: String,
    pub body: String,
    pub status: String,
    pub answer: String,
    pub created_at: i64,
    pub answered_at: Option<i64>,
}

const REQUEST_SELECT: &str = "select q.request_id, q.community_id, q.resident_id, r.name as resident_name, q.kind, \
     q.body, q.status, q.answer, q.created_at, q.answered_at from registry_request q \
     join registry_resident r on r.resident_id = q.resident_id";

pub async fn insert_request(
    tx: &mut Tx,
    r: &ResidentRow,
    account_id: i64,
    kind: &str,
    body: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into registry_request (community_id, resident_id, account_id, kind, body, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning request_id"
    )
    .bind(r.community_id)
    .bind(r.resident_id)
    .bind(account_id)
    .bind(kind)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn requests_of_account(db: &Db, account_id: i64) -> Result<Vec<RequestRow>> {
    let sql = format!("{REQUEST_SELECT} where q.account_id = $1 order by q.created_at desc limit 50");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(p)
        .await?))
}

pub async fn requests_of_community(db: &Db, community_id: i64) -> Result<Vec<RequestRow>> {
    let sql = format!(
        "{REQUEST_SELECT} where q.community_id = $1 order by case q.status when 'open' then 0 else 1 end, q.created_at desc limit 200"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

pub async fn request_tx(tx: &mut Tx, id: i64) -> Result<Option<RequestRow>> {
    let sql = format!("{REQUEST_SELECT} where q.request_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

pub async fn answer_request(tx: &mut Tx, id: i64, status: &str, answer: &str, by: Option<i64>, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "update registry_request set status = $2, answer = $3, answered_by = $4, answered_at = $5 where request_id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(answer)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}
