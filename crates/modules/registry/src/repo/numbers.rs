//! The counts of the registry's numbers page, and the building choices of its filters.

use serde::Serialize;
use yijia_db::{on_db, Db};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{months, Result};

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

/// The residents living in the households within reach by age band: `(band, n)`, where band
/// `i < cutoffs.len()` holds those born after `cutoffs[i]` (and on or before the one before),
/// `cutoffs.len()` those born on or before the last, and `cutoffs.len() + 1` those whose birth
/// date is not known. Cutoffs are days (`YYYY-MM-DD`), latest first; only the plain birth date
/// is read, nothing sealed.
pub async fn age_bands(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    cutoffs: &[String],
) -> Result<Vec<(i64, i64)>> {
    let mut band = format!(
        "case when r.birth_date is null or r.birth_date = '' then {}",
        cutoffs.len() + 1
    );
    for i in 0..cutoffs.len() {
        band.push_str(&format!(" when r.birth_date > ${} then {i}", i + 2));
    }
    band.push_str(&format!(" else {} end", cutoffs.len()));
    let sql = format!(
        "select band, count(*) from (select cast({band} as bigint) as band from registry_resident r \
         join household h on h.household_id = r.household_id \
         where h.community_id = $1 and h.retired_at is null and r.left_at is null and {}) x group by band",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql).bind(community_id);
        for c in cutoffs {
            q = q.bind(c);
        }
        q.fetch_all(p).await?
    }))
}

/// Visits to the households within reach month by month over the months bounded by `bounds`
/// ([`months::all_bounds`]): `(month index, visits, households visited)`, months without any
/// left out.
pub async fn visit_months(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    bounds: &[i64],
) -> Result<Vec<(i64, i64, i64)>> {
    let n = bounds.len().saturating_sub(1);
    if n == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select m, count(*), count(distinct household_id) from \
         (select {bucket} as m, v.household_id from registry_visit v join household h on h.household_id = v.household_id \
          where v.community_id = $1 and v.visited_at >= $2 and v.visited_at < ${last} and {reach}) x \
         where m is not null group by m",
        bucket = months::bucket_sql("v.visited_at", 2, n),
        last = 2 + n,
        reach = reach.sql("h.grid_id"),
    );
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql).bind(community_id);
        for b in bounds {
            q = q.bind(*b);
        }
        q.fetch_all(p).await?
    }))
}

/// The live households within reach.
pub async fn household_count(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<i64> {
    let sql = format!(
        "select count(*) from household h where h.community_id = $1 and h.retired_at is null and {}",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_scalar(&sql)
        .bind(community_id)
        .fetch_one(p)
        .await?))
}
