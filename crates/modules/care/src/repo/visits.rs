//! Care visits and the alerts sent about pairings.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::Result;

/// A visit, its notes still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub visit_id: i64,
    pub pairing_id: i64,
    pub household_id: i64,
    pub carer_account_id: i64,
    pub carer_name: String,
    pub visited_on: String,
    pub outcome: String,
    pub condition_sealed: Option<String>,
    pub needs_sealed: Option<String>,
    pub follow_up_sealed: Option<String>,
    pub appeal_id: Option<i64>,
    pub wish_id: Option<i64>,
    pub created_at: i64,
}

pub struct NewVisit<'a> {
    pub community_id: i64,
    pub pairing_id: i64,
    pub household_id: i64,
    pub carer_account_id: i64,
    pub visited_on: &'a str,
    pub outcome: &'a str,
    pub condition_sealed: Option<String>,
    pub needs_sealed: Option<String>,
    pub follow_up_sealed: Option<String>,
}

pub async fn insert_visit(tx: &mut Tx, v: &NewVisit<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into care_visit (community_id, pairing_id, household_id, carer_account_id, visited_on, outcome, \
         condition_sealed, needs_sealed, follow_up_sealed, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning visit_id"
    )
    .bind(v.community_id)
    .bind(v.pairing_id)
    .bind(v.household_id)
    .bind(v.carer_account_id)
    .bind(v.visited_on)
    .bind(v.outcome)
    .bind(&v.condition_sealed)
    .bind(&v.needs_sealed)
    .bind(&v.follow_up_sealed)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

/// Links a visit to the wish or appeal raised from the need it found.
pub async fn link_visit(tx: &mut Tx, visit_id: i64, wish_id: Option<i64>, appeal_id: Option<i64>) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "update care_visit set wish_id = coalesce($2, wish_id), appeal_id = coalesce($3, appeal_id) where visit_id = $1"
    )
    .bind(visit_id)
    .bind(wish_id)
    .bind(appeal_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

pub async fn visit(db: &Db, visit_id: i64) -> Result<Option<VisitRow>> {
    let sql = format!("{VISIT_SELECT} where v.visit_id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(visit_id)
        .fetch_optional(p)
        .await?))
}

const VISIT_SELECT: &str = "select v.visit_id, v.pairing_id, v.household_id, v.carer_account_id, p.carer_name, \
     v.visited_on, v.outcome, v.condition_sealed, v.needs_sealed, v.follow_up_sealed, v.appeal_id, v.wish_id, \
     v.created_at from care_visit v join care_pairing p on p.pairing_id = v.pairing_id";

/// A household's visits by all its carers, newest first.
pub async fn visits_of_household(db: &Db, household_id: i64, limit: i64) -> Result<Vec<VisitRow>> {
    let sql = format!("{VISIT_SELECT} where v.household_id = $1 order by v.visited_on desc, v.visit_id desc limit $2");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(household_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Records that an alert went out; `false` when this one was sent before (each tier once for
/// each due day).
#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_alert(
    tx: &mut Tx,
    community_id: i64,
    pairing_id: i64,
    reason: &str,
    tier: &str,
    due_on: &str,
    visit_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    let n = on_tx!(tx, |c| sqlx::query(
        "insert into care_alert (community_id, pairing_id, reason, tier, due_on, visit_id, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing"
    )
    .bind(community_id)
    .bind(pairing_id)
    .bind(reason)
    .bind(tier)
    .bind(due_on)
    .bind(visit_id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// An alert as the pages list it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AlertRow {
    pub alert_id: i64,
    pub pairing_id: i64,
    pub reason: String,
    pub tier: String,
    pub due_on: String,
    pub created_at: i64,
}

/// The alerts of a pairing, newest first.
pub async fn alerts_of(db: &Db, pairing_id: i64) -> Result<Vec<AlertRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select alert_id, pairing_id, reason, tier, due_on, created_at from care_alert where pairing_id = $1 \
         order by created_at desc, alert_id desc limit 50"
    )
    .bind(pairing_id)
    .fetch_all(p)
    .await?))
}
