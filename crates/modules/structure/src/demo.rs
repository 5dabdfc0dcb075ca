//! The demo community: 西柳沟社区 in 西柳沟街道, 西固区, Lanzhou, under the brand 西邻驿家, with
//! the 海亮 compound (the party-mass service centre stands before its building 4) and the older
//! streets around it. Built through the same commands as people use, so it is audited too.

use yijia_db::on_db;
use yijia_kernel::{Actor, AppState, Result};

use crate::commands::create_area::{create_area, AreaInput};
use crate::commands::create_community::{create_community, CommunityInput};
use crate::commands::create_node::create_node;
use crate::model::{Level, NodeInput};

pub const COMMUNITY: &str = "XLG";

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
    for (code, name, compound, buildings, units, floors) in GRIDS {
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
        for _ in 0..*buildings {
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
