//! Door visits and the households due one.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::Result;

use super::*;

/// A door visit, findings still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitRow {
    pub visit_id: i64,
    pub household_id: i64,
    pub visitor_label: String,
    pub visited_at: i64,
    pub met: String,
    pub findings_sealed: Option<String>,
    pub follow_up_sealed: Option<String>,
    pub appeal_id: Option<i64>,
}

#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_visit(
    tx: &mut Tx,
    at: &HouseholdAt,
    actor: &yijia_kernel::Actor,
    visited_at: i64,
    met: &str,
    findings_sealed: Option<&str>,
    follow_up_sealed: Option<&str>,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into registry_visit (community_id, grid_id, household_id, visitor_account_id, visitor_label, \
         visited_at, met, findings_sealed, follow_up_sealed, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         returning visit_id"
    )
    .bind(at.community_id)
    .bind(at.grid_id)
    .bind(at.household_id)
    .bind(actor.account_id)
    .bind(&actor.display_name)
    .bind(visited_at)
    .bind(met)
    .bind(findings_sealed)
    .bind(follow_up_sealed)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// A visit's household, for an appeal raised from it: `(household_id, appeal_id)`.
pub async fn visit_tx(tx: &mut Tx, visit_id: i64) -> Result<Option<(i64, Option<i64>)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select household_id, appeal_id from registry_visit where visit_id = $1"
    )
    .bind(visit_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// Records the appeal a visit raised (the first one; a visit raises one appeal).
pub async fn link_visit_appeal(tx: &mut Tx, visit_id: i64, appeal_id: i64) -> Result<bool> {
    let n = on_tx!(tx, |c| sqlx::query(
        "update registry_visit set appeal_id = $2 where visit_id = $1 and appeal_id is null"
    )
    .bind(visit_id)
    .bind(appeal_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(n == 1)
}

pub async fn visits_of(db: &Db, household_id: i64) -> Result<Vec<VisitRow>> {
    let sql =
        "select visit_id, household_id, visitor_label, visited_at, met, findings_sealed, follow_up_sealed, appeal_id \
               from registry_visit where household_id = $1 order by visited_at desc, visit_id desc limit 100";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(household_id)
        .fetch_all(p)
        .await?))
}

/// A household not visited since a moment.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct DueRow {
    pub household_id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    pub residents: i64,
    pub last_visit: Option<i64>,
}

impl DueRow {
    pub fn address(&self) -> String {
        format!("{} {} {}", self.building_name, self.unit_name, self.room)
    }
}

/// Live households with residents, in reach, whose last visit is before `since` (or never).
pub async fn not_visited_since(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    grid_id: Option<i64>,
    since: i64,
    limit: i64,
) -> Result<Vec<DueRow>> {
    let sql = format!(
        "select h.household_id, h.grid_id, g.name as grid_name, b.name as building_name, u.name as unit_name, \
         h.code as room, (select count(*) from registry_resident r where r.household_id = h.household_id \
         and r.left_at is null) as residents, \
         (select max(v.visited_at) from registry_visit v where v.household_id = h.household_id) as last_visit \
         from household h join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id \
         join unit u on u.unit_id = h.unit_id \
         where h.community_id = $1 and h.retired_at is null and {} and ($2 = 0 or h.grid_id = $2) \
         and exists (select 1 from registry_resident r where r.household_id = h.household_id and r.left_at is null) \
         and not exists (select 1 from registry_visit v where v.household_id = h.household_id and v.visited_at >= $3) \
         order by last_visit asc nulls first, b.code, u.code, h.code limit $4",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(grid_id.unwrap_or(0))
        .bind(since)
        .bind(limit)
        .fetch_all(p)
        .await?))
}
