//! Owners and tenants of dwellings.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::Result;

use super::*;

/// An owner or tenant of a dwelling.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct HoldingRow {
    pub holding_id: i64,
    pub community_id: i64,
    pub household_id: i64,
    pub resident_id: Option<i64>,
    pub holder_name: String,
    pub kind: String,
    pub area_centi_m2: Option<i64>,
    pub area_source: Option<String>,
    pub developer: i64,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

impl HoldingRow {
    /// `89.50`
    pub fn area(&self) -> String {
        self.area_centi_m2
            .map(|a| format!("{}.{:02}", a / 100, a % 100))
            .unwrap_or_default()
    }
}

const HOLDING_SELECT: &str = "select holding_id, community_id, household_id, resident_id, holder_name, kind, \
     area_centi_m2, area_source, developer, starts_on, ends_on from registry_holding";

pub async fn holdings_of(db: &Db, household_id: i64) -> Result<Vec<HoldingRow>> {
    let sql = format!("{HOLDING_SELECT} where household_id = $1 order by ends_on is not null, kind, holding_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(household_id)
        .fetch_all(p)
        .await?))
}

pub async fn holding_tx(tx: &mut Tx, id: i64) -> Result<Option<HoldingRow>> {
    let sql = format!("{HOLDING_SELECT} where holding_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

/// A new owner or tenant.
pub struct NewHolding {
    pub resident_id: Option<i64>,
    pub holder_name: String,
    pub kind: &'static str,
    pub area_centi_m2: Option<i64>,
    pub area_source: Option<&'static str>,
    pub developer: bool,
    pub starts_on: Option<String>,
}

pub async fn insert_holding(tx: &mut Tx, at: &HouseholdAt, h: &NewHolding, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into registry_holding (community_id, household_id, resident_id, holder_name, kind, area_centi_m2, \
         area_source, developer, starts_on, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         returning holding_id"
    )
    .bind(at.community_id)
    .bind(at.household_id)
    .bind(h.resident_id)
    .bind(&h.holder_name)
    .bind(h.kind)
    .bind(h.area_centi_m2)
    .bind(h.area_source)
    .bind(i64::from(h.developer))
    .bind(&h.starts_on)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    }))
}

pub async fn end_holding(tx: &mut Tx, id: i64, ends_on: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_holding set ends_on = $2, updated_at = $3 where holding_id = $1"
    )
    .bind(id)
    .bind(ends_on)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Deletes a household's owner holdings, before the owners' register writes its own.
pub async fn delete_owner_holdings(tx: &mut Tx, household_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "delete from registry_holding where household_id = $1 and kind = 'owner'"
    )
    .bind(household_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}
