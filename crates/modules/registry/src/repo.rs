//! All of the registry's SQL. Lists filter by the actor's reach in the query (decided once per
//! community, see [`CommunityReach`]); single rows are loaded with their place and the caller
//! checks the capability before showing or changing them.
//!
//! The registry reads the structure's tables (community, grid, building, unit, household) by
//! SQL: a resident's grid is always the grid of their household, so a household moved by the
//! structure takes its residents' scope with it.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Backend, Db, Tx};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Place, Result};

use yijia_db::bind_all;
pub use yijia_db::Bind;

/// A community with what the permission check needs.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CommunityAt {
    pub community_id: i64,
    pub district_id: i64,
    pub subdistrict_id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
}

impl CommunityAt {
    pub fn place(&self) -> Place {
        Place {
            district_id: Some(self.district_id),
            subdistrict_id: Some(self.subdistrict_id),
            community_id: Some(self.community_id),
            grid_id: None,
        }
    }
}

const COMMUNITY_SELECT: &str = "select community_id, district_id, subdistrict_id, code, name, time_zone from community";

pub async fn community(db: &Db, id: i64) -> Result<Option<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where community_id = $1 and retired_at is null");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

pub async fn community_tx(tx: &mut Tx, id: i64) -> Result<Option<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where community_id = $1 and retired_at is null");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

pub async fn community_by_code(db: &Db, code: &str) -> Result<Option<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where code = $1 and retired_at is null");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(p)
        .await?))
}

/// Every live community (few per installation); the caller keeps those the actor reaches.
pub async fn communities(db: &Db) -> Result<Vec<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where retired_at is null order by community_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?))
}

/// A household with its place and address.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct HouseholdAt {
    pub household_id: i64,
    pub community_id: i64,
    pub district_id: i64,
    pub subdistrict_id: i64,
    pub grid_id: i64,
    pub building_id: i64,
    pub unit_id: i64,
    pub code: String,
    pub grid_name: String,
    pub building_name: String,
    pub unit_name: String,
    pub retired_at: Option<i64>,
    /// The community's time zone, for "today" in its calendar.
    pub time_zone: String,
}

impl HouseholdAt {
    pub fn place(&self) -> Place {
        Place {
            district_id: Some(self.district_id),
            subdistrict_id: Some(self.subdistrict_id),
            community_id: Some(self.community_id),
            grid_id: Some(self.grid_id),
        }
    }

    /// `3号楼 2单元 302`.
    pub fn address(&self) -> String {
        format!("{} {} {}", self.building_name, self.unit_name, self.code)
    }
}

const HOUSEHOLD_SELECT: &str = "select h.household_id, h.community_id, c.district_id, c.subdistrict_id, \
     h.grid_id, h.building_id, h.unit_id, h.code, g.name as grid_name, b.name as building_name, \
     u.name as unit_name, h.retired_at, c.time_zone from household h join community c on c.community_id = h.community_id \
     join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id \
     join unit u on u.unit_id = h.unit_id";

pub async fn household(db: &Db, id: i64) -> Result<Option<HouseholdAt>> {
    let sql = format!("{HOUSEHOLD_SELECT} where h.household_id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

pub async fn household_tx(tx: &mut Tx, id: i64) -> Result<Option<HouseholdAt>> {
    let sql = format!("{HOUSEHOLD_SELECT} where h.household_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

/// Every live household of a community, keyed by building code, unit code and room, for
/// imports that name a dwelling the way a spreadsheet does.
pub async fn household_keys(db: &Db, community_id: i64) -> Result<Vec<(String, String, String, i64)>> {
    let sql = "select b.code, u.code, h.code, h.household_id from household h \
               join building b on b.building_id = h.building_id join unit u on u.unit_id = h.unit_id \
               where h.community_id = $1 and h.retired_at is null";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

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

const RESIDENT_SELECT: &str = "select r.resident_id, r.community_id, r.household_id, h.grid_id, r.name, \
     r.gender, r.birth_date, r.ethnicity, r.id_type, r.id_masked, r.phone_masked, r.phone2_masked, \
     r.relation, r.residence, r.moved_in_on, r.occupation, r.employer, r.political, r.party_branch, \
     r.veteran, r.notes, cast(case when r.health_sealed is null then 0 else 1 end as bigint) as has_health, \
     r.account_id, r.merged_into, r.created_at, r.updated_at, r.left_at, g.name as grid_name, \
     b.name as building_name, u.name as unit_name, h.code as room \
     from registry_resident r join household h on h.household_id = r.household_id \
     join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id \
     join unit u on u.unit_id = h.unit_id";

pub async fn resident(db: &Db, id: i64) -> Result<Option<ResidentRow>> {
    let sql = format!("{RESIDENT_SELECT} where r.resident_id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

pub async fn resident_tx(tx: &mut Tx, id: i64) -> Result<Option<ResidentRow>> {
    let sql = format!("{RESIDENT_SELECT} where r.resident_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
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

pub async fn sealed_cols(tx: &mut Tx, id: i64) -> Result<Option<SealedCols>> {
    let sql = SEALED_SELECT;
    Ok(on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

pub async fn sealed_cols_db(db: &Db, id: i64) -> Result<Option<SealedCols>> {
    let sql = SEALED_SELECT;
    Ok(on_db!(db, |p| sqlx::query_as(sql).bind(id).fetch_optional(p).await?))
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

/// How a list of residents is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Address,
    Name,
    Age,
    Recent,
    /// By id, for keyset paging in the API.
    Id,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "name" => Sort::Name,
            "age" => Sort::Age,
            "recent" => Sort::Recent,
            "id" => Sort::Id,
            _ => Sort::Address,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Sort::Address => "b.code, u.code, h.code, r.resident_id",
            Sort::Name => "r.name, r.resident_id",
            Sort::Age => "r.birth_date, r.resident_id",
            Sort::Recent => "r.updated_at desc, r.resident_id desc",
            Sort::Id => "r.resident_id",
        }
    }
}

/// A resident list's filter, every part optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Part of the name.
    pub name: Option<String>,
    /// Blind index of an exact ID number; or of a phone number.
    pub id_blind: Option<String>,
    pub phone_blind: Option<String>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub room: Option<String>,
    /// Blind index of a care-group kind; `care_on` is the day the tag must be current on.
    pub care_blind: Option<String>,
    pub care_on: String,
    /// Birth dates between (inclusive), from an age band.
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    pub residence: Option<String>,
    pub political: Option<String>,
    /// Include people who moved out or died.
    pub include_left: bool,
    pub sort: Sort,
    /// Keyset paging by id (the API); used with [`Sort::Id`].
    pub after: i64,
}

/// Conditions joined by `and`, with their bound values numbered in order.
struct Conds {
    conds: Vec<String>,
    binds: Vec<Bind>,
}

impl Conds {
    /// Binds a value and returns its placeholder.
    fn param(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// Adds a condition whose `?` is the placeholder of `b`.
    fn add(&mut self, cond: &str, b: Bind) {
        let p = self.param(b);
        self.conds.push(cond.replace('?', &p));
    }
}

fn filter_sql(backend: Backend, community_id: i64, reach: &CommunityReach, f: &Filter) -> (String, Vec<Bind>) {
    let mut c = Conds {
        // The household's community, not the resident's (always the same): it lets the planner
        // start from the households of the grids in reach, which is 40× faster on a large
        // community than scanning its residents.
        conds: vec![
            "h.community_id = $1".to_owned(),
            "r.merged_into is null".to_owned(),
            reach.sql("h.grid_id"),
        ],
        binds: vec![Bind::I(community_id)],
    };
    if !f.include_left {
        c.conds.push("r.left_at is null".to_owned());
    }
    if let Some(n) = &f.name {
        let escaped = n.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        c.add("r.name like ? escape '\\'", Bind::S(format!("%{escaped}%")));
    }
    // An exact lookup goes through the blind indexes, which lead with the resident's community.
    // On PostgreSQL so does a whole community listed by id (the API's paging), through
    // `registry_resident_community`: the household-first plan sorted every resident, 1.3 s at
    // 20 000 residents against 6 ms. SQLite walks its rowid already and would slow down (8 → 30 ms).
    let whole = *reach == CommunityReach::All && f.grid_id.is_none() && f.building_id.is_none();
    let by_id = whole && f.sort == Sort::Id && backend == Backend::Postgres;
    if f.id_blind.is_some() || f.phone_blind.is_some() || by_id {
        c.conds.push("r.community_id = $1".to_owned());
    }
    if let Some(v) = &f.id_blind {
        c.add("r.id_blind = ?", Bind::S(v.clone()));
    }
    if let Some(v) = &f.phone_blind {
        c.add("(r.phone_blind = ? or r.phone2_blind = ?)", Bind::S(v.clone()));
    }
    if let Some(v) = f.grid_id {
        c.add("h.grid_id = ?", Bind::I(v));
    }
    if let Some(v) = f.building_id {
        c.add("h.building_id = ?", Bind::I(v));
    }
    if let Some(v) = f.unit_id {
        c.add("h.unit_id = ?", Bind::I(v));
    }
    if let Some(v) = &f.room {
        c.add("h.code = ?", Bind::S(v.clone()));
    }
    if let Some(v) = &f.care_blind {
        let k = c.param(Bind::S(v.clone()));
        let d = c.param(Bind::S(f.care_on.clone()));
        c.conds.push(format!(
            "exists (select 1 from registry_care_tag t where t.resident_id = r.resident_id and t.kind_blind = {k} \
             and t.starts_on <= {d} and (t.ends_on is null or t.ends_on >= {d}))"
        ));
    }
    if let Some(v) = &f.born_from {
        c.add("r.birth_date >= ?", Bind::S(v.clone()));
    }
    if let Some(v) = &f.born_to {
        c.add("r.birth_date <= ?", Bind::S(v.clone()));
    }
    if let Some(v) = &f.residence {
        c.add("r.residence = ?", Bind::S(v.clone()));
    }
    if let Some(v) = &f.political {
        c.add("r.political = ?", Bind::S(v.clone()));
    }
    if f.after > 0 {
        c.add("r.resident_id > ?", Bind::I(f.after));
    }
    (c.conds.join(" and "), c.binds)
}

/// One page of a community's residents within the actor's reach.
pub async fn list(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ResidentRow>> {
    let (cond, mut binds) = filter_sql(db.backend(), community_id, reach, f);
    let n = binds.len();
    binds.extend([Bind::I(limit), Bind::I(offset)]);
    let sql = format!(
        "{RESIDENT_SELECT} where {cond} order by {} limit ${} offset ${}",
        f.sort.sql(),
        n + 1,
        n + 2
    );
    Ok(on_db!(db, |p| bind_all!(sqlx::query_as(&sql), &binds)
        .fetch_all(p)
        .await?))
}

pub async fn count(db: &Db, community_id: i64, reach: &CommunityReach, f: &Filter) -> Result<i64> {
    let (cond, binds) = filter_sql(db.backend(), community_id, reach, f);
    let sql = format!(
        "select count(*) from registry_resident r join household h on h.household_id = r.household_id where {cond}"
    );
    Ok(on_db!(db, |p| bind_all!(sqlx::query_scalar(&sql), &binds)
        .fetch_one(p)
        .await?))
}

/// A care-group tag, still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagRow {
    pub care_tag_id: i64,
    pub community_id: i64,
    pub resident_id: i64,
    pub kind_sealed: String,
    pub detail_sealed: Option<String>,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

const TAG_SELECT: &str =
    "select care_tag_id, community_id, resident_id, kind_sealed, detail_sealed, starts_on, ends_on from registry_care_tag";

/// The tags of some residents (ids from the database, never from input).
pub async fn tags_of(db: &Db, resident_ids: &[i64]) -> Result<Vec<TagRow>> {
    if resident_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = resident_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "{TAG_SELECT} where resident_id in ({}) order by starts_on, care_tag_id",
        ids.join(", ")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?))
}

pub async fn tag_tx(tx: &mut Tx, id: i64) -> Result<Option<TagRow>> {
    let sql = format!("{TAG_SELECT} where care_tag_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_tag(
    tx: &mut Tx,
    community_id: i64,
    resident_id: i64,
    kind_blind: &str,
    kind_sealed: &str,
    detail_sealed: Option<&str>,
    starts_on: &str,
    ends_on: Option<&str>,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into registry_care_tag (community_id, resident_id, kind_blind, kind_sealed, detail_sealed, \
         starts_on, ends_on, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning care_tag_id"
    )
    .bind(community_id)
    .bind(resident_id)
    .bind(kind_blind)
    .bind(kind_sealed)
    .bind(detail_sealed)
    .bind(starts_on)
    .bind(ends_on)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn end_tag(tx: &mut Tx, id: i64, ends_on: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_care_tag set ends_on = $2, updated_at = $3 where care_tag_id = $1"
    )
    .bind(id)
    .bind(ends_on)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Moves a merged duplicate's tags to the record it was merged into.
pub async fn move_tags(tx: &mut Tx, from: i64, to: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_care_tag set resident_id = $2, updated_at = $3 where resident_id = $1"
    )
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A line of a household's or resident's history.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventRow {
    pub event_id: i64,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub at: i64,
    pub actor_label: String,
    pub kind: String,
    pub detail: String,
}

/// What one history line records.
pub struct NewEvent<'a> {
    pub community_id: i64,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub kind: &'a str,
    pub detail: String,
}

pub async fn insert_event(tx: &mut Tx, e: &NewEvent<'_>, at: i64, actor: &yijia_kernel::Actor) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "insert into registry_event (community_id, household_id, resident_id, at, actor_account_id, actor_label, kind, detail) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(e.community_id)
    .bind(e.household_id)
    .bind(e.resident_id)
    .bind(at)
    .bind(actor.account_id)
    .bind(actor.audit_label())
    .bind(e.kind)
    .bind(&e.detail)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// The history of a household (with its residents' lines) or of one resident, newest first.
pub async fn history(
    db: &Db,
    community_id: i64,
    household_id: Option<i64>,
    resident_id: Option<i64>,
) -> Result<Vec<EventRow>> {
    let sql = "select event_id, household_id, resident_id, at, actor_label, kind, detail from registry_event \
               where community_id = $1 and (household_id = $2 or resident_id = $3) order by at desc, event_id desc limit 200";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(community_id)
        .bind(household_id.unwrap_or(-1))
        .bind(resident_id.unwrap_or(-1))
        .fetch_all(p)
        .await?))
}

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

/// A building in reach, for a filter's choices.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BuildingChoice {
    pub grid_id: i64,
    pub grid_name: String,
    pub building_id: i64,
    pub building_name: String,
}

/// The live buildings of a community within reach, by grid and code.
pub async fn buildings(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<Vec<BuildingChoice>> {
    let sql = format!(
        "select g.grid_id, g.name as grid_name, b.building_id, b.name as building_name from building b \
         join grid g on g.grid_id = b.grid_id where b.community_id = $1 and b.retired_at is null and {} \
         order by g.code, b.code",
        reach.sql("b.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// Counts for one building of a grid (a grid's totals are the sum of its buildings).
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize)]
pub struct BuildingCounts {
    pub grid_id: i64,
    pub grid_name: String,
    pub building_id: i64,
    pub building_name: String,
    pub households: i64,
    pub residents: i64,
}

pub async fn building_counts(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<Vec<BuildingCounts>> {
    let sql = format!(
        "select g.grid_id, g.name as grid_name, b.building_id, b.name as building_name, \
         count(distinct h.household_id) as households, count(r.resident_id) as residents \
         from household h join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id \
         left join registry_resident r on r.household_id = h.household_id and r.left_at is null \
         where h.community_id = $1 and h.retired_at is null and {} \
         group by g.grid_id, g.code, g.name, b.building_id, b.code, b.name order by g.code, b.code",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// Current care-group tags per building and kind (by blind index): `(building_id, kind_blind, n)`.
pub async fn care_counts(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    today: &str,
) -> Result<Vec<(i64, String, i64)>> {
    let sql = format!(
        "select h.building_id, t.kind_blind, count(distinct t.resident_id) from registry_care_tag t \
         join registry_resident r on r.resident_id = t.resident_id join household h on h.household_id = r.household_id \
         where t.community_id = $1 and r.left_at is null and t.starts_on <= $2 and (t.ends_on is null or t.ends_on >= $2) \
         and {} group by h.building_id, t.kind_blind",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(today)
        .fetch_all(p)
        .await?))
}

/// Visits per grid since a moment (the start of the month).
pub async fn visit_counts(db: &Db, community_id: i64, reach: &CommunityReach, since: i64) -> Result<Vec<(i64, i64)>> {
    let sql = format!(
        "select h.grid_id, count(*) from registry_visit v join household h on h.household_id = v.household_id \
         where v.community_id = $1 and v.visited_at >= $2 and {} group by h.grid_id",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(since)
        .fetch_all(p)
        .await?))
}

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

/// A live household of a community found by its building code, unit code and room.
pub async fn household_by_codes(
    db: &Db,
    community_id: i64,
    building: &str,
    unit: &str,
    room: &str,
) -> Result<Option<i64>> {
    let sql = "select h.household_id from household h join building b on b.building_id = h.building_id \
               join unit u on u.unit_id = h.unit_id where h.community_id = $1 and b.code = $2 and u.code = $3 \
               and h.code = $4 and h.retired_at is null";
    Ok(on_db!(db, |p| sqlx::query_scalar(sql)
        .bind(community_id)
        .bind(building.trim())
        .bind(unit.trim())
        .bind(room.trim())
        .fetch_optional(p)
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

/// A community's live grids (id, name), for the choices of other modules' forms.
pub async fn grid_choices(db: &Db, community_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select grid_id, name from grid where community_id = $1 and retired_at is null order by code"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// A community's live buildings (id, name), for the choices of other modules' forms.
pub async fn building_choices(db: &Db, community_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select building_id, name from building where community_id = $1 and retired_at is null order by code"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}
