//! Where the structure lies: grids' boundaries and buildings' points (WGS-84), read for maps and
//! written by the commands `set_boundary`, `set_place` and `import_boundaries`.

use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::geo::{self, Point, Polygons};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::Result;

/// A grid and its boundary, when drawn.
#[derive(Debug, Clone)]
pub struct GridArea {
    pub grid_id: i64,
    pub code: String,
    pub name: String,
    pub area: Option<Polygons>,
}

/// A building and its point, when placed.
#[derive(Debug, Clone)]
pub struct BuildingPoint {
    pub building_id: i64,
    pub grid_id: i64,
    pub name: String,
    pub compound: String,
    pub at: Option<Point>,
}

/// The live grids of a community within `reach`, with their boundaries.
pub async fn grids(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<Vec<GridArea>> {
    let sql = format!(
        "select g.grid_id, g.code, g.name, g.boundary from grid g where g.community_id = $1 \
         and g.retired_at is null and {} order by g.code",
        reach.sql("g.grid_id")
    );
    let rows: Vec<(i64, String, String, Option<String>)> =
        on_db!(db, |p| sqlx::query_as(&sql).bind(community_id).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(grid_id, code, name, b)| GridArea {
            grid_id,
            code,
            name,
            // What is stored was checked when written; a row that does not read is drawn without.
            area: b.and_then(|b| geo::parse_area(&b).ok()),
        })
        .collect())
}

/// A building as read: id, grid, name, compound, and its point if placed.
type BuildingRow = (i64, i64, String, String, Option<i64>, Option<i64>);

/// The live buildings of a community within `reach`, with their points.
pub async fn buildings(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<Vec<BuildingPoint>> {
    let sql = format!(
        "select b.building_id, b.grid_id, b.name, b.compound, b.lat_e6, b.long_e6 from building b \
         where b.community_id = $1 and b.retired_at is null and {} order by b.code",
        reach.sql("b.grid_id")
    );
    let rows: Vec<BuildingRow> = on_db!(db, |p| sqlx::query_as(&sql).bind(community_id).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(building_id, grid_id, name, compound, lat, long)| BuildingPoint {
            building_id,
            grid_id,
            name,
            compound,
            at: lat.zip(long).map(|(a, b)| Point::from_e6(a, b)),
        })
        .collect())
}

/// One grid's boundary.
pub async fn grid_area(db: &Db, grid_id: i64) -> Result<Option<Polygons>> {
    let b: Option<Option<String>> = on_db!(db, |p| sqlx::query_scalar(
        "select boundary from grid where grid_id = $1"
    )
    .bind(grid_id)
    .fetch_optional(p)
    .await?);
    Ok(b.flatten().and_then(|b| geo::parse_area(&b).ok()))
}

/// One building's point.
pub async fn building_point(db: &Db, building_id: i64) -> Result<Option<Point>> {
    let r: Option<(Option<i64>, Option<i64>)> = on_db!(db, |p| sqlx::query_as(
        "select lat_e6, long_e6 from building where building_id = $1"
    )
    .bind(building_id)
    .fetch_optional(p)
    .await?);
    Ok(r.and_then(|(a, b)| a.zip(b)).map(|(a, b)| Point::from_e6(a, b)))
}

pub async fn set_boundary(tx: &mut Tx, grid_id: i64, area: Option<&Polygons>, now: i64) -> Result<()> {
    let json = area.map(geo::area_json);
    on_tx!(tx, |c| sqlx::query(
        "update grid set boundary = $1, updated_at = $2 where grid_id = $3"
    )
    .bind(json)
    .bind(now)
    .bind(grid_id)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn set_point(tx: &mut Tx, building_id: i64, at: Option<Point>, now: i64) -> Result<()> {
    let e6 = at.map(Point::to_e6);
    on_tx!(tx, |c| sqlx::query(
        "update building set lat_e6 = $1, long_e6 = $2, updated_at = $3 where building_id = $4"
    )
    .bind(e6.map(|p| p.0))
    .bind(e6.map(|p| p.1))
    .bind(now)
    .bind(building_id)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(())
}

/// The live grids of a community by code and by name, for matching imported features.
pub async fn grid_keys(tx: &mut Tx, community_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select grid_id, code, name from grid where community_id = $1 and retired_at is null"
    )
    .bind(community_id)
    .fetch_all(&mut *c)
    .await?))
}
