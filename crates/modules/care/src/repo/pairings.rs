//! Pairings, the households in a care group, and the people who may be paired with them.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::Result;

/// A pairing with where its household is.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PairingRow {
    pub pairing_id: i64,
    pub community_id: i64,
    pub household_id: i64,
    pub carer_account_id: i64,
    pub carer_name: String,
    pub carer_kind: String,
    pub reason: String,
    pub untagged: i64,
    pub interval_days: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub last_visit_on: Option<String>,
    pub due_on: String,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub grid_id: i64,
    pub grid_name: String,
    pub address: String,
}

const PAIRING_SELECT: &str = "select p.pairing_id, p.community_id, p.household_id, p.carer_account_id, p.carer_name, \
     p.carer_kind, p.reason, p.untagged, p.interval_days, p.starts_on, p.ends_on, p.last_visit_on, p.due_on, \
     p.created_at, p.ended_at, h.grid_id, g.name as grid_name, b.name || ' ' || u.name || ' ' || h.code as address \
     from care_pairing p join household h on h.household_id = p.household_id join grid g on g.grid_id = h.grid_id \
     join building b on b.building_id = h.building_id join unit u on u.unit_id = h.unit_id";

pub struct NewPairing<'a> {
    pub community_id: i64,
    pub household_id: i64,
    pub carer_account_id: i64,
    pub carer_name: &'a str,
    pub carer_kind: &'a str,
    pub reason: &'a str,
    pub untagged: bool,
    pub interval_days: i64,
    pub starts_on: &'a str,
    pub ends_on: Option<&'a str>,
    pub due_on: &'a str,
    pub created_by: Option<i64>,
}

pub async fn insert_pairing(tx: &mut Tx, p: &NewPairing<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into care_pairing (community_id, household_id, carer_account_id, carer_name, carer_kind, reason, \
         untagged, interval_days, starts_on, ends_on, due_on, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) returning pairing_id"
    )
    .bind(p.community_id)
    .bind(p.household_id)
    .bind(p.carer_account_id)
    .bind(p.carer_name)
    .bind(p.carer_kind)
    .bind(p.reason)
    .bind(i64::from(p.untagged))
    .bind(p.interval_days)
    .bind(p.starts_on)
    .bind(p.ends_on)
    .bind(p.due_on)
    .bind(p.created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn pairing(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<PairingRow>> {
    let sql = format!("{PAIRING_SELECT} where p.pairing_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A carer's live pairings, the visit due first.
pub async fn pairings_of_carer(db: &Db, account_id: i64) -> Result<Vec<PairingRow>> {
    let sql = format!(
        "{PAIRING_SELECT} where p.carer_account_id = $1 and p.ended_at is null order by p.due_on, p.pairing_id"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(p)
        .await?))
}

/// A household's live pairings.
pub async fn pairings_of_household(db: &Db, household_id: i64) -> Result<Vec<PairingRow>> {
    let sql = format!("{PAIRING_SELECT} where p.household_id = $1 and p.ended_at is null order by p.pairing_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(household_id)
        .fetch_all(p)
        .await?))
}

/// A community's live pairings within the reader's reach, the visit due first.
pub async fn pairings_in(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<Vec<PairingRow>> {
    let sql = format!(
        "{PAIRING_SELECT} where p.community_id = $1 and p.ended_at is null and {} order by p.due_on, p.pairing_id",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// Whether the carer has a live pairing with the household.
pub async fn paired_tx(tx: &mut Tx, household_id: i64, account_id: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "select count(*) from care_pairing where household_id = $1 and carer_account_id = $2 and ended_at is null"
    )
    .bind(household_id)
    .bind(account_id)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Whether someone is a live carer of the household (to read its care data).
pub async fn is_carer(db: &Db, household_id: i64, account_id: i64) -> Result<bool> {
    let n: i64 = on_db!(db, |p| sqlx::query_scalar(
        "select count(*) from care_pairing where household_id = $1 and carer_account_id = $2 and ended_at is null"
    )
    .bind(household_id)
    .bind(account_id)
    .fetch_one(p)
    .await?);
    Ok(n > 0)
}

const LAPSED: &str = "select pairing_id from care_pairing where community_id = $1 and ended_at is null \
     and ends_on is not null and ends_on < $2 order by pairing_id";

/// A community's pairings still open whose end date is before `today`.
pub async fn lapsed_pairings(conn: impl Into<Conn<'_>>, community_id: i64, today: &str) -> Result<Vec<i64>> {
    Ok(on_conn!(conn, |c| sqlx::query_scalar(LAPSED)
        .bind(community_id)
        .bind(today)
        .fetch_all(c)
        .await?))
}

pub async fn end_pairing(tx: &mut Tx, id: i64, now: i64) -> Result<bool> {
    let n = on_tx!(tx, |c| sqlx::query(
        "update care_pairing set ended_at = $2, updated_at = $2 where pairing_id = $1 and ended_at is null"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Records the last visit that reached the person and the next visit's day.
pub async fn set_due(tx: &mut Tx, id: i64, last_visit_on: &str, due_on: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update care_pairing set last_visit_on = $2, due_on = $3, updated_at = $4 where pairing_id = $1"
    )
    .bind(id)
    .bind(last_visit_on)
    .bind(due_on)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A live pairing whose visit is overdue.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct OverdueRow {
    pub pairing_id: i64,
    pub community_id: i64,
    pub household_id: i64,
    pub grid_id: i64,
    pub carer_account_id: i64,
    pub carer_name: String,
    pub due_on: String,
}

const OVERDUE_SELECT: &str = "select p.pairing_id, p.community_id, p.household_id, h.grid_id, p.carer_account_id, \
     p.carer_name, p.due_on from care_pairing p join household h on h.household_id = p.household_id \
     where p.ended_at is null";

/// The overdue pairings of one community (the tick, a community's page), most overdue first.
pub async fn overdue_in(db: &Db, community_id: i64, today: &str) -> Result<Vec<OverdueRow>> {
    let sql = format!("{OVERDUE_SELECT} and p.due_on < $2 and p.community_id = $1 order by p.due_on, p.pairing_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(today)
        .fetch_all(p)
        .await?))
}

/// The overdue pairings of some communities that share a day (ids from the database), most
/// overdue first.
pub async fn overdue_in_communities(db: &Db, community_ids: &[i64], today: &str) -> Result<Vec<OverdueRow>> {
    if community_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = community_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "{OVERDUE_SELECT} and p.due_on < $1 and p.community_id in ({}) order by p.due_on, p.pairing_id",
        ids.join(", ")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(today).fetch_all(p).await?))
}

/// The tiers already told about the overdue pairings of a community, each for the day its visit
/// is due now: `(pairing, tier)`.
pub async fn overdue_told(db: &Db, community_id: i64, today: &str) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select a.pairing_id, a.tier from care_alert a join care_pairing p on p.pairing_id = a.pairing_id \
         and a.due_on = p.due_on where p.community_id = $1 and p.ended_at is null and p.due_on < $2 \
         and a.reason = 'overdue'"
    )
    .bind(community_id)
    .bind(today)
    .fetch_all(p)
    .await?))
}

/// A resident in a care group today: `(household, care group's blind index, resident's name)`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaggedRow {
    pub household_id: i64,
    pub grid_id: i64,
    pub kind_blind: String,
    pub name: String,
    pub address: String,
}

/// Everyone of a community in a care group today, within the reader's reach.
pub async fn tagged(db: &Db, community_id: i64, reach: &CommunityReach, today: &str) -> Result<Vec<TaggedRow>> {
    let sql = format!(
        "select r.household_id, h.grid_id, t.kind_blind, r.name, b.name || ' ' || u.name || ' ' || h.code as address \
         from registry_care_tag t join registry_resident r on r.resident_id = t.resident_id \
         join household h on h.household_id = r.household_id join building b on b.building_id = h.building_id \
         join unit u on u.unit_id = h.unit_id \
         where t.community_id = $1 and r.left_at is null and h.retired_at is null and t.starts_on <= $2 \
         and (t.ends_on is null or t.ends_on >= $2) and {} order by h.grid_id, r.household_id, r.resident_id",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(today)
        .fetch_all(p)
        .await?))
}

/// The care groups (blind indexes) of a household's residents today.
pub async fn household_blinds_tx(tx: &mut Tx, household_id: i64, today: &str) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "select distinct t.kind_blind from registry_care_tag t join registry_resident r on r.resident_id = t.resident_id \
         where r.household_id = $1 and r.left_at is null and t.starts_on <= $2 and (t.ends_on is null or t.ends_on >= $2)"
    )
    .bind(household_id)
    .bind(today)
    .fetch_all(&mut *c)
    .await?
    }))
}

/// Someone who may be paired with a household: a party member, a volunteer, a team leader or a
/// grid worker of the community. Their grid is the one their role is placed in, or else the one
/// they live in.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CarerRow {
    pub account_id: i64,
    pub name: String,
    pub role: String,
    pub grid_id: Option<i64>,
    /// Households they are paired with now.
    pub load: i64,
}

const CARER_SELECT: &str = "select a.account_id, coalesce(nullif(a.display_name, ''), a.username) as name, \
     min(r.role) as role, coalesce(max(r.grid_id), (select max(h.grid_id) from registry_resident rr \
     join household h on h.household_id = rr.household_id where rr.account_id = a.account_id and rr.left_at is null)) as grid_id, \
     (select count(*) from care_pairing p where p.carer_account_id = a.account_id and p.ended_at is null) as load \
     from account_role r join account a on a.account_id = r.account_id \
     where r.community_id = $1 and r.revoked_at is null and a.status = 'active' \
     and r.role in ('party_member', 'volunteer', 'team_leader', 'grid_worker')";

pub async fn carers(db: &Db, community_id: i64) -> Result<Vec<CarerRow>> {
    let sql = format!("{CARER_SELECT} group by a.account_id, a.display_name, a.username order by name, a.account_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// The grids a carer works in: a grid worker's own grids and the grid they live in. Empty when
/// neither is known (a volunteer whose home is not in the registry), who may care anywhere in
/// the community.
pub async fn carer_grids_tx(tx: &mut Tx, community_id: i64, account_id: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select r.grid_id from account_role r where r.community_id = $1 and r.account_id = $2 \
         and r.role = 'grid_worker' and r.revoked_at is null and r.grid_id is not null \
         union select h.grid_id from registry_resident rr join household h on h.household_id = rr.household_id \
         where rr.community_id = $1 and rr.account_id = $2 and rr.left_at is null"
    )
    .bind(community_id)
    .bind(account_id)
    .fetch_all(&mut *c)
    .await?))
}

/// One possible carer, checked inside the pairing's transaction.
pub async fn carer_tx(tx: &mut Tx, community_id: i64, account_id: i64) -> Result<Option<CarerRow>> {
    let sql = format!("{CARER_SELECT} and a.account_id = $2 group by a.account_id, a.display_name, a.username");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(account_id)
        .fetch_optional(&mut *c)
        .await?))
}
