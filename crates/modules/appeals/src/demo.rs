//! The demo's 大管家 desk for 西柳沟社区: four handling parties with their demo accounts, a
//! catalogue of everyday matters, a routing rule, the 2026 National Day holidays, and appeals
//! in every state of the loop, each moved there by the people who would do it. Idempotent: a
//! community that already has parties is left alone.

use yijia_db::on_db;
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::commands::catalogue::{self, CategoryInput, DayInput, PartyInput, RouteInput};
use crate::commands::step::{step, StepInput};
use crate::commands::submit::{submit, AppealInput};
use crate::model::attributes::{AttributeDef, AttributeValue};
use crate::repo;

const COMMUNITY: &str = "XLG";

async fn actor(state: &AppState, username: &str) -> Result<Actor> {
    yijia_kernel::session::load_by_username(&state.db, username)
        .await?
        .ok_or(Error::NotFound)
}

/// `(code, name, party index, tier, keywords)`.
pub(crate) const CATEGORIES: &[(&str, &str, usize, &str, &str)] = &[
    ("water_leak", "漏水渗水", 1, "utility", "漏水 渗水 水管"),
    ("lift_fault", "电梯故障", 1, "emergency", "电梯 困人"),
    ("heating", "供暖问题", 2, "utility", "暖气 不热"),
    ("sanitation", "环境卫生", 1, "normal", "垃圾 卫生 清运"),
    ("parking", "停车管理", 1, "normal", "停车 占道"),
    ("noise", "噪音扰民", 0, "normal", "噪音 装修"),
    ("neighbour_dispute", "邻里纠纷", 0, "normal", "纠纷 调解"),
    ("policy", "政策咨询", 0, "normal", "低保 医保 养老"),
    ("illegal_building", "违章搭建", 3, "complex", "违建 搭建"),
];

/// `(description, category index, kind, grid worker or resident, steps)`.
type DemoAppeal = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Each appeal's steps as `(username, action)`; the loop's notes are filled in below.
const APPEALS: &[DemoAppeal] = &[
    (
        "卫生间顶棚渗水，楼上可能漏水，已经滴到地上。",
        0,
        "help",
        "resident1",
        &[],
    ),
    (
        "小区东门垃圾三天没有清运，味道很大。",
        3,
        "complaint",
        "resident1",
        &[("xlg.staff", "accept")],
    ),
    (
        "3号楼电梯停在五楼不动，按钮没反应。",
        1,
        "help",
        "resident1",
        &[("xlg.staff", "accept"), ("xlg.staff", "dispatch")],
    ),
    (
        "暖气片不热，家里只有十四度。",
        2,
        "help",
        "resident1",
        &[("xlg.staff", "accept"), ("xlg.staff", "dispatch"), ("dept1", "take")],
    ),
    (
        "楼下商铺晚上十一点后还在装修。",
        5,
        "complaint",
        "resident1",
        &[
            ("xlg.staff", "accept"),
            ("xlg.staff", "dispatch"),
            ("xlg.staff", "take"),
            ("xlg.staff", "reply"),
        ],
    ),
    (
        "单元门口长期有车辆占道，消防通道堵塞。",
        4,
        "report",
        "resident1",
        &[
            ("xlg.staff", "accept"),
            ("xlg.staff", "dispatch"),
            ("property1", "take"),
            ("property1", "reply"),
            ("xlg.staff", "verify"),
        ],
    ),
    (
        "想了解高龄补贴怎么申请。",
        7,
        "enquiry",
        "resident1",
        &[
            ("xlg.staff", "accept"),
            ("xlg.staff", "dispatch"),
            ("xlg.staff", "take"),
            ("xlg.staff", "reply"),
            ("xlg.staff", "verify"),
            ("resident1", "rate"),
        ],
    ),
    (
        "楼道灯坏了好几天。",
        3,
        "help",
        "resident1",
        &[
            ("xlg.staff", "accept"),
            ("xlg.staff", "dispatch"),
            ("property1", "take"),
            ("property1", "reply"),
            ("xlg.staff", "verify"),
            ("resident1", "rate"),
            ("xlg.staff", "close"),
        ],
    ),
    (
        "建议在小区里多放几把休息的长椅。",
        3,
        "suggestion",
        "resident1",
        &[("xlg.staff", "decline")],
    ),
    (
        "隔壁在楼顶搭了一间铁皮房。",
        8,
        "report",
        "grid1",
        &[
            ("xlg.staff", "accept"),
            ("xlg.staff", "dispatch"),
            ("dept1", "ask_return"),
        ],
    ),
];

pub async fn load(state: &AppState) -> Result<()> {
    let Some(community) = yijia_kernel::community::by_code(&state.db, COMMUNITY).await? else {
        return Ok(());
    };
    let cid = community.community_id;
    if !repo::parties(&state.db, cid).await?.is_empty() {
        return Ok(());
    }
    let admin = actor(state, "xlg.admin").await?;
    let mut parties = Vec::new();
    for (kind, name, phone, members) in [
        (
            "community",
            "社区大管家服务队",
            "0931-7512346",
            &["xlg.staff", "grid1", "grid2"][..],
        ),
        ("property", "世茂物业", "0931-7560001", &["property1"][..]),
        ("department", "区热力公司", "0931-7560002", &["dept1"][..]),
        ("department", "区住建局执法队", "0931-7560003", &["dept1"][..]),
    ] {
        let input = PartyInput {
            kind: kind.into(),
            name: name.into(),
            phone: phone.into(),
            email: String::new(),
        };
        let id = catalogue::add_party(state, &admin, cid, &input).await?;
        for m in members {
            catalogue::add_member(state, &admin, id, m).await?;
        }
        parties.push(id);
    }
    let mut categories = Vec::new();
    for (code, name, party, tier, keywords) in CATEGORIES {
        let input = CategoryInput {
            code: (*code).into(),
            name: (*name).into(),
            party: parties[*party].to_string(),
            tier: (*tier).into(),
            keywords: (*keywords).into(),
            attributes: questions(code),
            ..CategoryInput::default()
        };
        categories.push(catalogue::add_category(state, &admin, cid, &input).await?);
    }
    // In the old street (G03) there is no property company: sanitation is the community's.
    let g03: Option<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
        "select grid_id from grid where community_id = $1 and code = 'G03'"
    )
    .bind(cid)
    .fetch_optional(p)
    .await?);
    if let Some(grid) = g03 {
        let route = RouteInput {
            category: categories[3].to_string(),
            grid: grid.to_string(),
            party: parties[0].to_string(),
            ..RouteInput::default()
        };
        catalogue::add_route(state, &admin, cid, &route).await?;
    }
    // National Day 2026: 1–8 October off, two weekend days worked instead.
    let days = (1..=8).map(|d| (format!("2026-10-0{d}"), "holiday")).chain([
        ("2026-09-27".to_owned(), "working"),
        ("2026-10-10".to_owned(), "working"),
    ]);
    for (day, kind) in days {
        let input = DayInput { day, kind: kind.into() };
        catalogue::set_day(state, &admin, cid, &input).await?;
    }
    let unit: Option<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
        "select unit_id from unit where community_id = $1 and retired_at is null order by unit_id limit 1"
    )
    .bind(cid)
    .fetch_optional(p)
    .await?);
    for (description, category, kind, by, steps) in APPEALS {
        let who = actor(state, by).await?;
        let on_behalf = *by != "resident1";
        let input = AppealInput {
            community: cid.to_string(),
            category: categories[*category].to_string(),
            kind: (*kind).into(),
            description: (*description).into(),
            unit: unit.map(|u| u.to_string()).unwrap_or_default(),
            channel: if on_behalf { "visit".into() } else { String::new() },
            name: if on_behalf { "王大爷".into() } else { String::new() },
            phone: "13909311009".into(),
            attributes: if CATEGORIES[*category].0 == "lift_fault" {
                [("trapped".to_owned(), "no".to_owned())].into()
            } else {
                Default::default()
            },
            ..AppealInput::default()
        };
        let id = submit(state, &who, &input).await?;
        for (username, action) in *steps {
            let input = demo_step(action);
            step(state, &actor(state, username).await?, id, &input).await?;
        }
    }
    // A season's worth of the desk's work behind them, for the lists and the rates: appeals
    // in every state over the last six months, each with the party its category goes to.
    crate::seed::fill(state, cid, 300, 2026).await?;
    crate::seed::timelines(state, cid).await?;
    Ok(())
}

/// The extra questions of two demo categories: is someone trapped in the lift, where is the leak.
fn questions(code: &str) -> Vec<AttributeDef> {
    let list = |code: &str, description: &str, required: bool, values: &[(&str, &str)]| AttributeDef {
        code: code.into(),
        datatype: "singlevaluelist".into(),
        required,
        description: description.into(),
        datatype_description: String::new(),
        values: values
            .iter()
            .map(|(k, n)| AttributeValue {
                key: (*k).into(),
                name: (*n).into(),
            })
            .collect(),
    };
    match code {
        "lift_fault" => vec![list(
            "trapped",
            "是否有人被困？",
            true,
            &[("yes", "有人被困"), ("no", "无人被困")],
        )],
        "water_leak" => vec![list(
            "where",
            "漏水的位置",
            false,
            &[
                ("ceiling", "顶棚"),
                ("wall", "墙面"),
                ("pipe", "水管"),
                ("other", "其他"),
            ],
        )],
        _ => Vec::new(),
    }
}

/// What each demo step says.
fn demo_step(action: &str) -> StepInput {
    let mut s = StepInput {
        action: action.into(),
        ..StepInput::default()
    };
    match action {
        "accept" => s.note = "已受理，正在安排处理。".into(),
        "decline" => {
            s.reason = "out_of_remit".into();
            s.note = "已转交社区议事厅，作为议题讨论。".into();
        }
        "take" => s.note = "已接单，今天上门查看。".into(),
        "reply" => s.answer = "已上门处理完毕，请您查看。".into(),
        "verify" => s.internal_note = "电话核实，情况属实。".into(),
        "rate" => s.rating = "satisfied".into(),
        "ask_return" => s.reason = "属于规划部门职责，申请退回重新派单。".into(),
        _ => {}
    }
    s
}
