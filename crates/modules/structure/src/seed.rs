//! Synthetic structure at scale for benchmarks: communities whose households would hold the
//! requested residents (about 2.5 a household), written in bulk without auditing, as a
//! benchmark fixture and never as real records.

use yijia_db::{on_tx, Tx};
use yijia_kernel::module::SeedParams;
use yijia_kernel::{AppState, Result};

const GRIDS_PER_COMMUNITY: i64 = 8;
const UNITS_PER_BUILDING: i64 = 3;
const HOUSEHOLDS_PER_UNIT: i64 = 24;
/// A seeded grid's side on the map, in degrees (about 440 m by 360 m at Lanzhou).
const GRID_DEGREES: f64 = 0.004;

pub async fn run(state: &AppState, params: SeedParams) -> Result<()> {
    let now = state.now_ms();
    let households = (i64::from(params.residents_per_community) * 2 / 5).max(1);
    let buildings = (households / (UNITS_PER_BUILDING * HOUSEHOLDS_PER_UNIT)).max(1);
    let mut tx = state.db.begin_write().await?;
    let district = upsert_area(&mut tx, "insert into district (code, name, created_at, updated_at) values ('SEED', '基准测试区', $1, $1) on conflict (code) do update set updated_at = $1 returning district_id", now).await?;
    let subdistrict: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "insert into subdistrict (district_id, code, name, created_at, updated_at) values ($1, 'SEED-S', '基准测试街道', $2, $2) \
         on conflict (code) do update set updated_at = $2 returning subdistrict_id"
    )
    .bind(district)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    });
    tx.commit().await?;
    for n in 1..=params.communities {
        let code = format!("SEED{n:04}");
        let mut tx = state.db.begin_write().await?;
        let exists: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "select community_id from community where code = $1"
        )
        .bind(&code)
        .fetch_optional(&mut *c)
        .await?);
        if exists.is_some() {
            continue;
        }
        let community: i64 = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "insert into community (district_id, subdistrict_id, code, name, brand, created_at, updated_at) values ($1, $2, $3, $4, '', $5, $5) returning community_id"
        )
        .bind(district)
        .bind(subdistrict)
        .bind(&code)
        .bind(format!("基准社区{n}"))
        .bind(now)
        .fetch_one(&mut *c)
        .await?
        });
        for g in 1..=GRIDS_PER_COMMUNITY {
            // Drawn on the map: each community a row of square grids of about 440 m, the
            // communities one above another, their buildings in rows inside (maps at scale).
            let (south, west) = (36.0 + f64::from(n) * 0.02, 103.6 + g as f64 * GRID_DEGREES);
            let corner = |lat: f64, long: f64| yijia_kernel::geo::Point { lat, long };
            let square = vec![vec![vec![
                corner(south, west),
                corner(south, west + GRID_DEGREES),
                corner(south + GRID_DEGREES, west + GRID_DEGREES),
                corner(south + GRID_DEGREES, west),
                corner(south, west),
            ]]];
            let grid: i64 = on_tx!(&mut tx, |c| {
                sqlx::query_scalar(
                "insert into grid (community_id, code, name, boundary, created_at, updated_at) values ($1, $2, $3, $4, $5, $5) returning grid_id"
            )
            .bind(community)
            .bind(format!("G{g:02}"))
            .bind(format!("第{g}网格"))
            .bind(yijia_kernel::geo::area_json(&square))
            .bind(now)
            .fetch_one(&mut *c)
            .await?
            });
            let per_grid = (buildings + GRIDS_PER_COMMUNITY - 1) / GRIDS_PER_COMMUNITY;
            for b in 1..=per_grid {
                let building: i64 = on_tx!(&mut tx, |c| {
                    sqlx::query_scalar(
                    "insert into building (community_id, grid_id, code, name, floors, lat_e6, long_e6, created_at, updated_at) values ($1, $2, $3, $4, 12, $5, $6, $7, $7) returning building_id"
                )
                .bind(community)
                .bind(grid)
                .bind(format!("G{g:02}B{b:03}"))
                .bind(format!("{g}区{b}号楼"))
                .bind(((south + ((b - 1) % 19 + 1) as f64 * GRID_DEGREES / 20.0) * 1e6) as i64)
                .bind(((west + ((b - 1) / 19 + 1) as f64 * GRID_DEGREES / 20.0) * 1e6) as i64)
                .bind(now)
                .fetch_one(&mut *c)
                .await?
                });
                for u in 1..=UNITS_PER_BUILDING {
                    let unit: i64 = on_tx!(&mut tx, |c| {
                        sqlx::query_scalar(
                        "insert into unit (community_id, grid_id, building_id, code, name, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6) returning unit_id"
                    )
                    .bind(community)
                    .bind(grid)
                    .bind(building)
                    .bind(format!("U{u}"))
                    .bind(format!("{u}单元"))
                    .bind(now)
                    .fetch_one(&mut *c)
                    .await?
                    });
                    // One statement per unit: the households as a multi-row insert.
                    let rows: Vec<String> = (1..=HOUSEHOLDS_PER_UNIT)
                        .map(|h| {
                            format!(
                                "({community}, {grid}, {building}, {unit}, '{}{:02}', '', {now}, {now})",
                                (h + 1) / 2,
                                (h - 1) % 2 + 1
                            )
                        })
                        .collect();
                    let sql = format!(
                        "insert into household (community_id, grid_id, building_id, unit_id, code, name, created_at, updated_at) values {}",
                        rows.join(", ")
                    );
                    on_tx!(&mut tx, |c| {
                        sqlx::query(&sql).execute(&mut *c).await?;
                    });
                }
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn upsert_area(tx: &mut Tx, sql: &str, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(now)
        .fetch_one(&mut *c)
        .await?))
}
