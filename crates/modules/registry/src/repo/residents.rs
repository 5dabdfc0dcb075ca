//! Residents: as shown (masked), their sealed and plain columns, and their writes.

use serde::Serialize;
use yijia_db::{bind_all, on_conn, on_db, on_tx, Bind, Conn, Db, Tx};
use yijia_kernel::Result;

/// A resident as shown: masked numbers only, with the address of their household.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResidentRow {
    pub resident_id: i64,
    pub community_id: i64,
    pub household_id: i64,
    pub grid_id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<String>,
    pub ethnicity: String,
    pub id_type: String,
    pub id_masked: String,
    pub phone_masked: String,
    pub phone2_masked: String,
    pub relation: String,
    pub residence: String,
    pub moved_in_on: Option<String>,
    pub occupation: String,
    pub employer: String,
    pub political: String,
    pub party_branch: String,
    pub veteran: i64,
    pub notes: String,
    pub has_health: i64,
    pub account_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub left_at: Option<i64>,
    pub grid_name: String,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
}

impl ResidentRow {
    pub fn address(&self) -> String {
        format!("{} {} {}", self.building_name, self.unit_name, self.room)
    }
}

pub(super) const RESIDENT_SELECT: &str = "select r.resident_id, r.community_id, r.household_id, h.grid_id, r.name, \
     r.gender, r.birth_date, r.ethnicity, r.id_type, r.id_masked, r.phone_masked, r.phone2_masked, \
     r.relation, r.residence, r.moved_in_on, r.occupation, r.employer, r.political, r.party_branch, \
     r.veteran, r.notes, cast(case when r.health_sealed is null then 0 else 1 end as bigint) as has_health, \
     r.account_id, r.merged_into, r.created_at, r.updated_at, r.left_at, g.name as grid_name, \
     b.name as building_name, u.name as unit_name, h.code as room \
     from registry_resident r join household h on h.household_id = r.household_id \
     join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id \
     join unit u on u.unit_id = h.unit_id";

pub async fn resident(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<ResidentRow>> {
    let sql = format!("{RESIDENT_SELECT} where r.resident_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// The registry record linked to a resident's own account.
pub async fn resident_of_account(db: &Db, account_id: i64) -> Result<Option<ResidentRow>> {
    let sql = format!("{RESIDENT_SELECT} where r.account_id = $1 and r.left_at is null order by r.resident_id limit 1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_optional(p)
        .await?))
}

pub async fn household_members(db: &Db, household_id: i64) -> Result<Vec<ResidentRow>> {
    let sql = format!(
        "{RESIDENT_SELECT} where r.household_id = $1 and r.merged_into is null \
         order by case when r.left_at is null then 0 else 1 end, case r.relation when 'head' then 0 else 1 end, r.resident_id"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(household_id)
        .fetch_all(p)
        .await?))
}

/// The sealed columns of a resident, for commands that keep or open them.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct SealedCols {
    pub id_sealed: Option<String>,
    pub id_blind: Option<String>,
    pub id_masked: String,
    pub phone_sealed: Option<String>,
    pub phone_blind: Option<String>,
    pub phone_masked: String,
    pub phone2_sealed: Option<String>,
    pub phone2_blind: Option<String>,
    pub phone2_masked: String,
    pub health_sealed: Option<String>,
}

const SEALED_SELECT: &str = "select id_sealed, id_blind, id_masked, phone_sealed, phone_blind, phone_masked, \
     phone2_sealed, phone2_blind, phone2_masked, health_sealed from registry_resident where resident_id = $1";

pub async fn sealed_cols(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<SealedCols>> {
    Ok(on_conn!(conn, |c| sqlx::query_as(SEALED_SELECT)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Plain columns of a resident as written.
#[derive(Debug, Clone)]
pub struct PlainCols {
    pub name: String,
    pub gender: &'static str,
    pub birth_date: Option<String>,
    pub ethnicity: String,
    pub id_type: &'static str,
    pub relation: &'static str,
    pub residence: &'static str,
    pub moved_in_on: Option<String>,
    pub occupation: String,
    pub employer: String,
    pub political: &'static str,
    pub party_branch: String,
    pub veteran: bool,
    pub notes: String,
}

/// The values of [`RESIDENT_COLS`] in order.
pub fn resident_binds(p: &PlainCols, s: &SealedCols) -> Vec<Bind> {
    let opt = |v: &Option<String>| v.clone().map_or(Bind::N, Bind::S);
    vec![
        Bind::S(p.name.clone()),
        Bind::S(p.gender.to_owned()),
        opt(&p.birth_date),
        Bind::S(p.ethnicity.clone()),
        Bind::S(p.id_type.to_owned()),
        opt(&s.id_sealed),
        opt(&s.id_blind),
        Bind::S(s.id_masked.clone()),
        opt(&s.phone_sealed),
        opt(&s.phone_blind),
        Bind::S(s.phone_masked.clone()),
        opt(&s.phone2_sealed),
        opt(&s.phone2_blind),
        Bind::S(s.phone2_masked.clone()),
        Bind::S(p.relation.to_owned()),
        Bind::S(p.residence.to_owned()),
        opt(&p.moved_in_on),
        Bind::S(p.occupation.clone()),
        Bind::S(p.employer.clone()),
        Bind::S(p.political.to_owned()),
        Bind::S(p.party_branch.clone()),
        Bind::I(i64::from(p.veteran)),
        opt(&s.health_sealed),
        Bind::S(p.notes.clone()),
    ]
}

const RESIDENT_COLS: &str = "name, gender, birth_date, ethnicity, id_type, id_sealed, id_blind, id_masked, \
     phone_sealed, phone_blind, phone_masked, phone2_sealed, phone2_blind, phone2_masked, relation, residence, \
     moved_in_on, occupation, employer, political, party_branch, veteran, health_sealed, notes";

pub async fn insert_resident(
    tx: &mut Tx,
    community_id: i64,
    household_id: i64,
    p: &PlainCols,
    s: &SealedCols,
    now: i64,
) -> Result<i64> {
    let mut binds = resident_binds(p, s);
    let n = binds.len();
    binds.extend([Bind::I(community_id), Bind::I(household_id), Bind::I(now)]);
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let sql = format!(
        "insert into registry_resident ({RESIDENT_COLS}, community_id, household_id, created_at, updated_at) \
         values ({}, ${}, ${}, ${}, ${}) returning resident_id",
        placeholders.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 3
    );
    Ok(on_tx!(tx, |c| bind_all!(sqlx::query_scalar(&sql), &binds)
        .fetch_one(&mut *c)
        .await?))
}

pub async fn update_resident(tx: &mut Tx, id: i64, p: &PlainCols, s: &SealedCols, now: i64) -> Result<()> {
    let mut binds = resident_binds(p, s);
    let sets: Vec<String> = RESIDENT_COLS
        .split(", ")
        .enumerate()
        .map(|(i, col)| format!("{} = ${}", col.trim(), i + 1))
        .collect();
    let n = binds.len();
    binds.extend([Bind::I(now), Bind::I(id)]);
    let sql = format!(
        "update registry_resident set {}, updated_at = ${} where resident_id = ${}",
        sets.join(", "),
        n + 1,
        n + 2
    );
    on_tx!(tx, |c| bind_all!(sqlx::query(&sql), &binds)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Moves a resident to another household of the same community.
pub async fn set_household(tx: &mut Tx, id: i64, household_id: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_resident set household_id = $2, updated_at = $3 where resident_id = $1"
    )
    .bind(id)
    .bind(household_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Takes a resident off the current lists: moved out, died, or merged into `merged_into`.
pub async fn set_left(tx: &mut Tx, id: i64, residence: &str, merged_into: Option<i64>, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_resident set residence = $2, merged_into = $3, left_at = $4, updated_at = $4 \
         where resident_id = $1"
    )
    .bind(id)
    .bind(residence)
    .bind(merged_into)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Links a registry record to the resident's own account (one record per account).
pub async fn set_account(tx: &mut Tx, id: i64, account_id: Option<i64>, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_resident set account_id = $2, updated_at = $3 where resident_id = $1"
    )
    .bind(id)
    .bind(account_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The same, inside a write transaction (the check a write relies on).
pub async fn id_taken(tx: &mut Tx, community_id: i64, blind: &str, except: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "select count(*) from registry_resident where community_id = $1 and id_blind = $2 \
         and left_at is null and resident_id <> $3"
    )
    .bind(community_id)
    .bind(blind)
    .bind(except)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Every current ID blind index of a community (for an import's duplicate check).
pub async fn id_blinds(db: &Db, community_id: i64) -> Result<Vec<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select id_blind from registry_resident where community_id = $1 and id_blind is not null and left_at is null"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// The community's current residents with an ID number, by the number's blind index: how an
/// import finds the person a number belongs to without unsealing anyone.
pub async fn resident_ids_by_blind_tx(tx: &mut Tx, community_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select id_blind, resident_id from registry_resident where community_id = $1 and id_blind is not null \
         and left_at is null and merged_into is null"
    )
    .bind(community_id)
    .fetch_all(&mut *c)
    .await?))
}

/// Rows per multi-row insert: 28 values a row stays under every backend's bind limit.
pub const INSERT_BATCH: usize = 400;

/// A whole row for [`insert_resident_rows`]: the resident's values, then its community,
/// household, created and updated.
pub fn resident_row(p: &PlainCols, s: &SealedCols, community_id: i64, household_id: i64, now: i64) -> Vec<Bind> {
    let mut b = resident_binds(p, s);
    b.extend([Bind::I(community_id), Bind::I(household_id), Bind::I(now), Bind::I(now)]);
    b
}

/// Inserts many residents in one statement; each row is a [`resident_row`].
pub async fn insert_resident_rows<'a>(tx: &mut Tx, rows: impl Iterator<Item = &'a [Bind]>) -> Result<()> {
    let head = format!(
        "insert into registry_resident ({RESIDENT_COLS}, community_id, household_id, created_at, updated_at) values"
    );
    Ok(yijia_db::insert_rows(tx, &head, rows).await?)
}
