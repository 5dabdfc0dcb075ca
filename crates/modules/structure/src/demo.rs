//! The demo community: 西柳沟社区 in 西柳沟街道, 西固区, Lanzhou, under the brand 西邻驿家, with
//! the 海亮 compound (the party-mass service centre stands before its building 4) and the older
//! streets around it. Built through the same commands as people use, so it is audited too.

use yijia_db::on_db;
use yijia_kernel::{Actor, AppState, Result};

use crate::commands::create_area::{create_area, AreaInput};
use crate::commands::create_community::{create_community, CommunityInput};
use crate::commands::create_node::create_node;
use crate::commands::set_boundary::set_boundary;
use crate::commands::set_place::set_place;
use crate::model::{Level, NodeInput};
use yijia_kernel::geo::Point;

pub const COMMUNITY: &str = "XLG";

/// The south-west corner of the demo's grids (WGS-84, near 西柳沟街道; drawn for the demo, not
/// surveyed), and each grid's size in degrees: about 300 m by 280 m, four grids in two rows.
const CORNER: Point = Point {
    lat: 36.1020,
    long: 103.6270,
};
const GRID_LAT: f64 = 0.0025;
const GRID_LONG: f64 = 0.0033;

/// The demo grid `i`'s outline: a rectangle in a two-by-two block.
fn demo_area(i: usize) -> Vec<Vec<Vec<Point>>> {
    let (row, col) = ((i / 2) as f64, (i % 2) as f64);
    let south = CORNER.lat + row * GRID_LAT;
    let west = CORNER.long + col * GRID_LONG;
    let p = |lat: f64, long: f64| Point { lat, long };
    vec![vec![vec![
        p(south, west),
        p(south, west + GRID_LONG),
        p(south + GRID_LAT, west + GRID_LONG),
        p(south + GRID_LAT, west),
        p(south, west),
    ]]]
}

/// Building `n` (of `of`) of grid `i`: in a row across the grid's middle.
fn demo_point(i: usize, n: u32, of: u32) -> Point {
    let (row, col) = ((i / 2) as f64, (i % 2) as f64);
    Point {
        lat: CORNER.lat + (row + 0.5) * GRID_LAT,
        long: CORNER.long + (col + f64::from(n) / f64::from(of + 1)) * GRID_LONG,
    }
}

/// (grid code, grid name, compound, buildings, units per building, floors)
const GRIDS: &[(&str, &str, &str, u32, u32, u32)] = &[
    ("G01", "第一网格（海亮小区北）", "海亮小区", 4, 2, 6),
    ("G02", "第二网格（海亮小区南）", "海亮小区", 4, 2, 6),
    ("G03", "第三网格（西柳沟老街）", "西柳沟家属院", 3, 2, 5),
    ("G04", "第四网格（福利路）", "福利路小区", 3, 3, 4),
];

pub async fn load(state: &AppState) -> Result<()> {
    let exists: Option<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
        "select community_id from community where code = $1"
    )
    .bind(COMMUNITY)
    .fetch_optional(p)
    .await?);
    if exists.is_some() {
        return Ok(());
    }
    let cli = Actor::cli();
    let area = |district: &str, code: &str, name: &str| AreaInput {
        district: district.into(),
        code: code.into(),
        name: name.into(),
    };
    create_area(state, &cli, false, &area("", "XIGU", "西固区")).await?;
    create_area(state, &cli, true, &area("XIGU", "XLGJD", "西柳沟街道")).await?;
    let community = create_community(
        state,
        &cli,
        &CommunityInput {
            subdistrict: Some("XLGJD".into()),
            code: Some(COMMUNITY.into()),
            name: Some("西柳沟社区".into()),
            brand: Some("西邻驿家".into()),
            time_zone: Some("Asia/Shanghai".into()),
            address: Some("甘肃省兰州市西固区西柳沟街道海亮小区南门四号楼前 党群服务中心".into()),
        },
    )
    .await?;
    let mut building_no = 0;
    for (i, (code, name, compound, buildings, units, floors)) in GRIDS.iter().enumerate() {
        let grid = create_node(
            state,
            &cli,
            Level::Grid,
            community,
            &NodeInput {
                code: Some((*code).into()),
                name: Some((*name).into()),
                ..NodeInput::default()
            },
        )
        .await?;
        set_boundary(state, &cli, grid, Some(&demo_area(i))).await?;
        for n in 1..=*buildings {
            building_no += 1;
            let b = create_node(
                state,
                &cli,
                Level::Building,
                grid,
                &NodeInput {
                    code: Some(format!("B{building_no:02}")),
                    name: Some(format!("{compound}{building_no}号楼")),
                    compound: Some((*compound).into()),
                    floors: Some(floors.to_string()),
                    ..NodeInput::default()
                },
            )
            .await?;
            set_place(state, &cli, b, Some(demo_point(i, n, *buildings))).await?;
            for u in 1..=*units {
                let unit = create_node(
                    state,
                    &cli,
                    Level::Unit,
                    b,
                    &NodeInput {
                        code: Some(format!("U{u}")),
                        name: Some(format!("{u}单元")),
                        ..NodeInput::default()
                    },
                )
                .await?;
                for floor in 1..=*floors {
                    for door in 1..=2 {
                        let room = format!("{floor}0{door}");
                        create_node(
                            state,
                            &cli,
                            Level::Household,
                            unit,
                            &NodeInput {
                                code: Some(room.clone()),
                                name: Some(format!("{building_no}-{u}-{room}")),
                                ..NodeInput::default()
                            },
                        )
                        .await?;
                    }
                }
            }
        }
    }
    Ok(())
}
