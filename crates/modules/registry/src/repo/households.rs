//! Households: their place and address, and how imports find them by building, unit and room.

use serde::Serialize;
use yijia_db::{on_conn, on_db, Conn, Db};
use yijia_kernel::{Place, Result};

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

pub async fn household(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<HouseholdAt>> {
    let sql = format!("{HOUSEHOLD_SELECT} where h.household_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
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
