//! All of the structure module's SQL. Reads filter by the actor's reach in the query; writes
//! load the row's place unfiltered, and the command checks the capability before changing it.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Db, Topic, Tx};
use yijia_kernel::scope::{self, Cols, CommunityReach};
use yijia_kernel::{Actor, Error, Place, Result};

use crate::model::{Level, Node, NodeValues};
use crate::permissions::{READ, VIEW_COMMUNITY};

fn node_select(level: Level) -> String {
    let text_or_null = |on: bool, col: &str| {
        if on {
            format!("x.{col}")
        } else {
            "cast(null as text)".to_owned()
        }
    };
    format!(
        "select x.{id} as id, x.community_id, x.grid_id, x.{parent} as parent_id, x.code, x.name, \
         {description} as description, {compound} as compound, {floors} as floors, \
         x.retired_at, x.created_at, x.updated_at from {table} x",
        id = level.id_col(),
        parent = level.parent_col(),
        description = text_or_null(level == Level::Grid, "description"),
        compound = text_or_null(level == Level::Building, "compound"),
        floors = if level == Level::Building {
            "x.floors"
        } else {
            "cast(null as bigint)"
        },
        table = level.entity(),
    )
}

fn reach_node() -> String {
    scope::reach(
        &READ,
        &Cols {
            community: "x.community_id",
            grid: Some("x.grid_id"),
        },
        "$1",
    )
}

/// How a list is ordered: by id for keyset paging (the API), by code for people (pages).
#[derive(Clone, Copy)]
pub enum Order {
    Id,
    Code,
}

/// Which children a list shows, and in which order.
#[derive(Clone, Copy)]
pub struct ListOpts {
    pub retired: bool,
    pub after: i64,
    pub limit: i64,
    pub order: Order,
}

impl ListOpts {
    /// Everything, retired rows last, by code: what a page shows.
    pub fn page(limit: i64) -> ListOpts {
        ListOpts {
            retired: true,
            after: 0,
            limit,
            order: Order::Code,
        }
    }
}

/// The children of a parent that the actor may read.
pub async fn children(db: &Db, account: i64, level: Level, parent_id: i64, o: ListOpts) -> Result<Vec<Node>> {
    let sql = format!(
        "{} where x.{} = $2 and x.{} > $3 {} and {} order by {} limit $4",
        node_select(level),
        level.parent_col(),
        level.id_col(),
        if o.retired { "" } else { "and x.retired_at is null" },
        reach_node(),
        match o.order {
            Order::Id => format!("x.{}", level.id_col()),
            Order::Code => "x.retired_at is not null, x.code".to_owned(),
        }
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account)
        .bind(parent_id)
        .bind(o.after)
        .bind(o.limit)
        .fetch_all(p)
        .await?))
}

/// One row, if the actor may read it.
pub async fn node(db: &Db, account: i64, level: Level, id: i64) -> Result<Option<Node>> {
    let sql = format!(
        "{} where x.{} = $2 and {}",
        node_select(level),
        level.id_col(),
        reach_node()
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Where a row sits, with the ids of all its ancestors (and its own).
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct Ancestors {
    pub district_id: i64,
    pub subdistrict_id: i64,
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub retired_at: Option<i64>,
}

impl Ancestors {
    pub fn place(&self) -> Place {
        Place {
            district_id: Some(self.district_id),
            subdistrict_id: Some(self.subdistrict_id),
            community_id: Some(self.community_id),
            grid_id: self.grid_id,
        }
    }
}

/// The ancestors of a row of a level, or of a community when `level` is `None`, retired or not.
/// Unfiltered: for writes, which check the capability against the result.
pub async fn ancestors(tx: &mut Tx, level: Option<Level>, id: i64) -> Result<Option<Ancestors>> {
    let col = |l: Level, name: &str| match l {
        Level::Grid if name != "grid_id" => "cast(null as bigint)".to_owned(),
        Level::Building if name == "unit_id" => "cast(null as bigint)".to_owned(),
        _ => format!("x.{name}"),
    };
    let sql = match level {
        None => "select district_id, subdistrict_id, community_id, cast(null as bigint) as grid_id, \
                 cast(null as bigint) as building_id, cast(null as bigint) as unit_id, retired_at from community where community_id = $1"
            .to_owned(),
        Some(l) => format!(
            "select c.district_id, c.subdistrict_id, x.community_id, {} as grid_id, {} as building_id, {} as unit_id, \
             x.retired_at from {} x join community c on c.community_id = x.community_id where x.{} = $1",
            col(l, "grid_id"),
            col(l, "building_id"),
            col(l, "unit_id"),
            l.entity(),
            l.id_col()
        ),
    };
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

fn code_taken(e: sqlx::Error) -> Error {
    Error::from(e).unique_as_field("code", "structure.code_taken")
}

/// Inserts a row under a parent whose ancestors are given.
pub async fn insert(tx: &mut Tx, level: Level, parent: &Ancestors, v: &NodeValues, now: i64) -> Result<i64> {
    let r: std::result::Result<i64, sqlx::Error> = on_tx!(tx, |c| match level {
        Level::Grid => {
            sqlx::query_scalar(
                "insert into grid (community_id, code, name, description, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $5) returning grid_id",
            )
            .bind(parent.community_id)
            .bind(&v.code)
            .bind(&v.name)
            .bind(&v.description)
            .bind(now)
            .fetch_one(&mut *c)
            .await
        }
        Level::Building => {
            sqlx::query_scalar(
                "insert into building (community_id, grid_id, code, name, compound, floors, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $7) returning building_id",
            )
            .bind(parent.community_id)
            .bind(parent.grid_id)
            .bind(&v.code)
            .bind(&v.name)
            .bind(&v.compound)
            .bind(v.floors)
            .bind(now)
            .fetch_one(&mut *c)
            .await
        }
        Level::Unit => {
            sqlx::query_scalar(
                "insert into unit (community_id, grid_id, building_id, code, name, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $6) returning unit_id",
            )
            .bind(parent.community_id)
            .bind(parent.grid_id)
            .bind(parent.building_id)
            .bind(&v.code)
            .bind(&v.name)
            .bind(now)
            .fetch_one(&mut *c)
            .await
        }
        Level::Household => {
            sqlx::query_scalar(
                "insert into household (community_id, grid_id, building_id, unit_id, code, name, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $7) returning household_id",
            )
            .bind(parent.community_id)
            .bind(parent.grid_id)
            .bind(parent.building_id)
            .bind(parent.unit_id)
            .bind(&v.code)
            .bind(&v.name)
            .bind(now)
            .fetch_one(&mut *c)
            .await
        }
    });
    r.map_err(code_taken)
}

/// Updates the name (and the level's own fields); the code too when given.
pub async fn update(tx: &mut Tx, level: Level, id: i64, v: &NodeValues, now: i64) -> Result<()> {
    let extra = match level {
        Level::Grid => ", description = $5",
        Level::Building => ", compound = $5, floors = $6",
        _ => "",
    };
    let sql = format!(
        "update {} set name = $2, code = $3, updated_at = $4{extra} where {} = $1",
        level.entity(),
        level.id_col()
    );
    let r = on_tx!(tx, |c| {
        let q = sqlx::query(&sql).bind(id).bind(&v.name).bind(&v.code).bind(now);
        let q = match level {
            Level::Grid => q.bind(&v.description),
            Level::Building => q.bind(&v.compound).bind(v.floors),
            _ => q,
        };
        q.execute(&mut *c).await.map(|_| ())
    });
    r.map_err(code_taken)
}

/// Moves a row under a new parent, rewriting the ancestor columns of the row and of everything
/// below it, so every household stays in the grid of its building.
pub async fn move_to(tx: &mut Tx, level: Level, id: i64, parent: &Ancestors, now: i64) -> Result<()> {
    let mut affected = vec![level];
    let mut l = level;
    while let Some(c) = l.child() {
        affected.push(c);
        l = c;
    }
    let values = [
        ("grid_id", parent.grid_id),
        ("building_id", parent.building_id),
        ("unit_id", parent.unit_id),
    ];
    for table in affected {
        let sets: Vec<String> = level
            .ancestor_cols()
            .iter()
            .map(|col| {
                let v = values.iter().find(|(n, _)| n == col).and_then(|(_, v)| *v).unwrap_or(0);
                format!("{col} = {v}")
            })
            .collect();
        let sql = format!(
            "update {} set {}, updated_at = $2 where {} = $1",
            table.entity(),
            sets.join(", "),
            level.id_col()
        );
        let r = on_tx!(tx, |c| sqlx::query(&sql)
            .bind(id)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|_| ()));
        // The row's own code may be taken under the new parent.
        r.map_err(|e| Error::from(e).unique_as_field("to", "structure.code_taken_in_target"))?;
    }
    Ok(())
}

/// How many live rows sit directly below a row.
pub async fn live_children(tx: &mut Tx, level: Level, id: i64) -> Result<i64> {
    let Some(child) = level.child() else {
        return Ok(0);
    };
    let sql = format!(
        "select count(*) from {} where {} = $1 and retired_at is null",
        child.entity(),
        level.id_col()
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(&mut *c)
        .await?))
}

pub async fn retire(tx: &mut Tx, level: Level, id: i64, now: i64) -> Result<()> {
    let sql = format!(
        "update {} set retired_at = $2, updated_at = $2 where {} = $1",
        level.entity(),
        level.id_col()
    );
    on_tx!(tx, |c| {
        sqlx::query(&sql).bind(id).bind(now).execute(&mut *c).await?;
    });
    Ok(())
}

/// A row as it was before a change, for the audit log.
pub async fn snapshot(tx: &mut Tx, level: Level, id: i64) -> Result<Option<Node>> {
    let sql = format!("{} where x.{} = $1", node_select(level), level.id_col());
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Community {
    pub community_id: i64,
    pub district_id: i64,
    pub subdistrict_id: i64,
    pub code: String,
    pub name: String,
    pub brand: String,
    pub time_zone: String,
    pub address: String,
    /// The logo's content hash, served at `/files/{logo}`.
    pub logo: Option<String>,
    pub retired_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COMMUNITY_COLS: &str = "c.community_id, c.district_id, c.subdistrict_id, c.code, c.name, c.brand, c.time_zone, c.address, c.logo, c.retired_at, c.created_at, c.updated_at";

fn reach_community() -> String {
    scope::reach(
        &VIEW_COMMUNITY,
        &Cols {
            community: "c.community_id",
            grid: None,
        },
        "$1",
    )
}

/// The communities the actor belongs to or oversees.
pub async fn communities(db: &Db, account: i64, after: i64, limit: i64) -> Result<Vec<Community>> {
    let sql = format!(
        "select {COMMUNITY_COLS} from community c where c.community_id > $2 and {} order by c.community_id limit $3",
        reach_community()
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account)
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

pub async fn community(db: &Db, account: i64, id: i64) -> Result<Option<Community>> {
    let sql = format!(
        "select {COMMUNITY_COLS} from community c where c.community_id = $2 and {}",
        reach_community()
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

pub async fn community_snapshot(tx: &mut Tx, id: i64) -> Result<Option<Community>> {
    let sql = format!("select {COMMUNITY_COLS} from community c where c.community_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

/// The checked settings of a community.
#[derive(Debug, Clone)]
pub struct CommunityValues {
    pub code: String,
    pub name: String,
    pub brand: String,
    pub time_zone: String,
    pub address: String,
}

pub async fn insert_community(
    tx: &mut Tx,
    district_id: i64,
    subdistrict_id: i64,
    v: &CommunityValues,
    now: i64,
) -> Result<i64> {
    tx.touches(Topic::Places);
    let r: std::result::Result<i64, sqlx::Error> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into community (district_id, subdistrict_id, code, name, brand, time_zone, address, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning community_id",
        )
        .bind(district_id)
        .bind(subdistrict_id)
        .bind(&v.code)
        .bind(&v.name)
        .bind(&v.brand)
        .bind(&v.time_zone)
        .bind(&v.address)
        .bind(now)
        .fetch_one(&mut *c)
        .await
    });
    r.map_err(code_taken)
}

pub async fn update_community(tx: &mut Tx, id: i64, v: &CommunityValues, now: i64) -> Result<()> {
    tx.touches(Topic::Places);
    on_tx!(tx, |c| {
        sqlx::query("update community set name = $2, brand = $3, time_zone = $4, address = $5, updated_at = $6 where community_id = $1")
            .bind(id)
            .bind(&v.name)
            .bind(&v.brand)
            .bind(&v.time_zone)
            .bind(&v.address)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// A district or a subdistrict.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Area {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

pub async fn districts(db: &Db) -> Result<Vec<Area>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select district_id as id, cast(null as bigint) as parent_id, code, name from district where retired_at is null order by code"
    )
    .fetch_all(p)
    .await?
    }))
}

pub async fn subdistricts(db: &Db) -> Result<Vec<Area>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select subdistrict_id as id, district_id as parent_id, code, name from subdistrict where retired_at is null order by code"
    )
    .fetch_all(p)
    .await?
    }))
}

pub async fn area_by_code(tx: &mut Tx, subdistrict: bool, code: &str) -> Result<Option<(i64, i64)>> {
    let sql = if subdistrict {
        "select district_id, subdistrict_id from subdistrict where code = $1 and retired_at is null"
    } else {
        "select district_id, district_id from district where code = $1 and retired_at is null"
    };
    Ok(on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await?))
}

pub async fn insert_district(tx: &mut Tx, code: &str, name: &str, now: i64) -> Result<i64> {
    let r: std::result::Result<i64, sqlx::Error> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into district (code, name, created_at, updated_at) values ($1, $2, $3, $3) returning district_id",
        )
        .bind(code)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *c)
        .await
    });
    r.map_err(code_taken)
}

pub async fn insert_subdistrict(tx: &mut Tx, district_id: i64, code: &str, name: &str, now: i64) -> Result<i64> {
    let r: std::result::Result<i64, sqlx::Error> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into subdistrict (district_id, code, name, created_at, updated_at) values ($1, $2, $3, $4, $4) returning subdistrict_id"
    )
    .bind(district_id)
    .bind(code)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    });
    r.map_err(code_taken)
}

/// A grid worker, whose name and phone are posted for residents.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Worker {
    pub grid_id: i64,
    pub account_id: i64,
    pub display_name: String,
    pub phone: String,
}

pub async fn grid_workers(db: &Db, community_id: i64) -> Result<Vec<Worker>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select r.grid_id, a.account_id, a.display_name, a.phone from account_role r join account a on a.account_id = r.account_id \
         where r.role = 'grid_worker' and r.revoked_at is null and a.status = 'active' and r.community_id = $1 order by a.display_name"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?
    }))
}

/// Live rows of each level in a community that the actor may read. The reach is decided once
/// for the community, so each count is a plain index scan.
pub async fn counts(db: &Db, actor: &Actor, community_id: i64) -> Result<Vec<(Level, i64)>> {
    let area: Option<(i64, i64)> = on_db!(db, |p| sqlx::query_as(
        "select district_id, subdistrict_id from community where community_id = $1"
    )
    .bind(community_id)
    .fetch_optional(p)
    .await?);
    let Some((district_id, subdistrict_id)) = area else {
        return Ok(Vec::new());
    };
    let place = Place {
        district_id: Some(district_id),
        subdistrict_id: Some(subdistrict_id),
        community_id: Some(community_id),
        grid_id: None,
    };
    let reach = CommunityReach::of(&READ, actor, &place);
    if reach == CommunityReach::Nothing {
        return Ok(Vec::new());
    }
    // One statement for the four counts: the console shows them on every visit.
    let counts: Vec<String> = Level::ALL
        .iter()
        .map(|level| {
            format!(
                "(select count(*) from {} x where x.community_id = $1 and x.retired_at is null and {})",
                level.entity(),
                reach.sql("x.grid_id")
            )
        })
        .collect();
    let sql = format!("select {}", counts.join(", "));
    let (grids, buildings, units, households): (i64, i64, i64, i64) =
        on_db!(db, |p| sqlx::query_as(&sql).bind(community_id).fetch_one(p).await?);
    Ok(Level::ALL
        .into_iter()
        .zip([grids, buildings, units, households])
        .collect())
}

/// Every live row of a level in a community that the actor may read (move targets).
pub async fn in_community(db: &Db, account: i64, level: Level, community_id: i64) -> Result<Vec<Node>> {
    let sql = format!(
        "{} where x.community_id = $2 and x.retired_at is null and {} order by x.code limit 2000",
        node_select(level),
        reach_node()
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

pub async fn set_logo(tx: &mut Tx, id: i64, sha256: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("update community set logo = $2, updated_at = $3 where community_id = $1")
            .bind(id)
            .bind(sha256)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// One row the actor may read, or not found: the same answer for "missing" and "not yours".
pub async fn visible(db: &Db, account: i64, level: Level, id: i64) -> Result<Node> {
    node(db, account, level, id).await?.ok_or(Error::NotFound)
}
