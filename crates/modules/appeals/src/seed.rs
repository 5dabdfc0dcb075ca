//! Appeals at scale for benchmarks (`yijia seed`): every seeded community gets the demo's
//! parties and catalogue and its share of appeals in every state of the loop, raised over the
//! last 180 days, in multi-row inserts, without steps or auditing (a benchmark fixture).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use yijia_db::{insert_rows, on_db, Bind};
use yijia_kernel::module::SeedParams;
use yijia_kernel::{AppState, Result};

use crate::demo::CATEGORIES;
use crate::model::watch::Watch;
use crate::repo::{self, NewCategory};

const HOUR: i64 = 3_600_000;
const BATCH: usize = 500;

/// Statuses with their share in ‰, roughly a working desk's.
const MIX: &[(&str, u32)] = &[
    ("submitted", 50),
    ("accepted", 30),
    ("dispatched", 60),
    ("in_progress", 120),
    ("return_requested", 10),
    ("replied", 40),
    ("verified", 40),
    ("rated", 100),
    ("closed", 500),
    ("declined", 50),
];

const COLS: &str = "community_id, category_id, kind, channel, status, description, grid_id, building_id, unit_id, \
     address, tier, party_id, dispatch_due_at, reply_due_at, accepted_at, dispatched_at, taken_at, replied_at, \
     verified_at, rated_at, closed_at, answer, rating, decline_reason, created_at, updated_at, warned_at, overdue_at, \
     escalation, watch_at";

pub async fn run(state: &AppState, params: SeedParams) -> Result<()> {
    for n in 1..=params.communities {
        let code = format!("SEED{n:04}");
        let Some(c) = yijia_kernel::community::by_code(&state.db, &code).await? else {
            continue;
        };
        let cid = c.community_id;
        let existing: i64 = on_db!(&state.db, |x| sqlx::query_scalar(
            "select count(*) from appeal where community_id = $1"
        )
        .bind(cid)
        .fetch_one(x)
        .await?);
        let wanted = i64::from(params.appeals_per_community) - existing;
        if wanted <= 0 {
            continue;
        }
        // The catalogue, once per community: the demo's parties and categories.
        if repo::parties(&state.db, cid).await?.is_empty() {
            let now = state.now_ms();
            let mut tx = state.db.begin_write().await?;
            let mut parties = Vec::new();
            for (kind, name) in [
                ("community", "社区大管家服务队"),
                ("property", "物业公司"),
                ("department", "区热力公司"),
                ("department", "区住建局执法队"),
            ] {
                parties.push(repo::insert_party(&mut tx, cid, kind, name, "", "", now).await?);
            }
            for (code, name, party, tier, keywords) in CATEGORIES {
                let cat = NewCategory {
                    community_id: cid,
                    code,
                    name,
                    description: "",
                    keywords,
                    party_id: parties[*party],
                    tier,
                    attributes: "[]",
                };
                repo::insert_category(&mut tx, &cat, now).await?;
            }
            tx.commit().await?;
        }
        let made = fill(state, cid, wanted, u64::from(n)).await?;
        tracing::info!(community.code = %code, appeals = made, "seeded appeals");
    }
    Ok(())
}

/// Adds `wanted` synthetic appeals to a community that has its catalogue, spread over its units
/// and categories (each dispatched to the category's party); returns how many were written.
pub(crate) async fn fill(state: &AppState, cid: i64, wanted: i64, seed: u64) -> Result<i64> {
    let units: Vec<(i64, i64, i64)> = on_db!(&state.db, |x| sqlx::query_as(
        "select unit_id, building_id, grid_id from unit where community_id = $1 and retired_at is null"
    )
    .bind(cid)
    .fetch_all(x)
    .await?);
    let categories: Vec<(i64, i64, String, String)> = repo::categories(&state.db, cid)
        .await?
        .into_iter()
        .filter(|c| c.retired_at.is_none())
        .map(|c| (c.category_id, c.party_id, c.tier, c.code))
        .collect();
    if units.is_empty() || categories.is_empty() {
        return Ok(0);
    }
    let now = state.now_ms();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rows: Vec<Vec<Bind>> = Vec::with_capacity(BATCH);
    for i in 0..wanted {
        rows.push(appeal_row(&mut rng, cid, now, &units, &categories));
        if rows.len() == BATCH || i == wanted - 1 {
            let mut tx = state.db.begin_write().await?;
            insert_rows(
                &mut tx,
                &format!("insert into appeal ({COLS}) values"),
                rows.iter().map(Vec::as_slice),
            )
            .await?;
            tx.commit().await?;
            rows.clear();
        }
    }
    Ok(wanted)
}

/// Writes the timeline of every appeal of a community that has none, from its timestamps: the
/// demo's synthetic appeals then read like worked ones, on the page and in Open311's updates.
pub(crate) async fn timelines(state: &AppState, cid: i64) -> Result<()> {
    type Stamps = (
        i64,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Stamps> = on_db!(&state.db, |x| sqlx::query_as(
        "select appeal_id, status, created_at, accepted_at, dispatched_at, taken_at, replied_at, verified_at, \
         rated_at, closed_at, party_id from appeal a where community_id = $1 \
         and not exists (select 1 from appeal_step s where s.appeal_id = a.appeal_id)"
    )
    .bind(cid)
    .fetch_all(x)
    .await?);
    let mut steps: Vec<Vec<Bind>> = Vec::new();
    for (id, status, created, accepted, dispatched, taken, replied, verified, rated, closed, party) in rows {
        let declined = status == "declined";
        let moves = [
            (Some(created), "submit", "submitted", "submitted"),
            (accepted, "accept", "submitted", "accepted"),
            (dispatched, "dispatch", "accepted", "dispatched"),
            (taken, "take", "dispatched", "in_progress"),
            (replied, "reply", "in_progress", "replied"),
            (verified, "verify", "replied", "verified"),
            (rated, "rate", "verified", "rated"),
            (closed.filter(|_| !declined), "close", "rated", "closed"),
            (closed.filter(|_| declined), "decline", "submitted", "declined"),
        ];
        for (at, action, from, to) in moves {
            let Some(at) = at else { continue };
            steps.push(vec![
                Bind::I(cid),
                Bind::I(id),
                Bind::I(at),
                Bind::S("社区大管家服务台".to_owned()),
                Bind::S(action.to_owned()),
                Bind::S(from.to_owned()),
                Bind::S(to.to_owned()),
                if action == "dispatch" {
                    party.map_or(Bind::NI, Bind::I)
                } else {
                    Bind::NI
                },
            ]);
        }
    }
    for chunk in steps.chunks(BATCH) {
        let mut tx = state.db.begin_write().await?;
        insert_rows(
            &mut tx,
            "insert into appeal_step (community_id, appeal_id, at, actor_label, action, from_status, to_status, party_id) values",
            chunk.iter().map(Vec::as_slice),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// What residents say, by category code (the demo and the benchmarks' appeals).
fn description(code: &str, rng: &mut StdRng) -> &'static str {
    let said: &[&str] = match code {
        "water_leak" => &["卫生间顶棚渗水。", "楼上漏水，墙面发霉。", "厨房水管接头漏水。"],
        "lift_fault" => &["电梯门关不上。", "电梯运行时有异响。", "电梯按钮失灵。"],
        "heating" => &["暖气不热，室温只有十五度。", "暖气片漏水。"],
        "sanitation" => &["垃圾桶满了没人清运。", "楼道里堆放杂物。", "小区绿化带有垃圾。"],
        "parking" => &["消防通道被车辆占用。", "小区门口乱停车。"],
        "noise" => &["楼下商铺夜间噪音大。", "邻居装修超时施工。"],
        "neighbour_dispute" => &["楼上邻居漏水不愿维修，需要调解。", "邻居占用公共楼道。"],
        "policy" => &["想咨询高龄补贴的申请。", "咨询医保报销流程。", "低保年审需要什么材料？"],
        "illegal_building" => &["楼顶有人搭建彩钢房。", "一楼住户私自扩建院墙。"],
        _ => &["请社区帮忙处理。"],
    };
    said[rng.gen_range(0..said.len())]
}

/// One synthetic appeal, its timestamps consistent with its state.
fn appeal_row(
    rng: &mut StdRng,
    cid: i64,
    now: i64,
    units: &[(i64, i64, i64)],
    cats: &[(i64, i64, String, String)],
) -> Vec<Bind> {
    let (unit, building, grid) = units[rng.gen_range(0..units.len())];
    let (category, party, tier, code) = &cats[rng.gen_range(0..cats.len())];
    let (category, party, tier) = (*category, *party, tier.as_str());
    let mut pick = rng.gen_range(0..1000u32);
    let status = MIX
        .iter()
        .find(|(_, share)| {
            let hit = pick < *share;
            pick = pick.saturating_sub(*share);
            hit
        })
        .map_or("closed", |(s, _)| *s);
    let created = now - rng.gen_range(0..180 * 24 * HOUR);
    let at = |from: i64, hours: i64, rng: &mut StdRng| (from + rng.gen_range(HOUR / 4..hours.max(1) * HOUR)).min(now);
    let reached = |s: &str| MIX.iter().position(|(m, _)| *m == s) <= MIX.iter().position(|(m, _)| *m == status);
    let declined = status == "declined";
    let accepted = (!declined && status != "submitted").then(|| at(created, 30, rng));
    let dispatched = accepted.filter(|_| reached("dispatched")).map(|a| at(a, 2, rng));
    let taken = dispatched.filter(|_| reached("in_progress")).map(|d| at(d, 24, rng));
    let replied = taken
        .filter(|_| reached("replied") && status != "return_requested")
        .map(|t| at(t, 200, rng));
    let verified = replied.filter(|_| reached("verified")).map(|r| at(r, 24, rng));
    let rated = verified.filter(|_| reached("rated")).map(|v| at(v, 48, rng));
    let closed = rated
        .filter(|_| status == "closed")
        .map(|r| at(r, 24, rng))
        .or(declined.then(|| at(created, 24, rng)));
    let rating = rated.map(|_| match rng.gen_range(0..10) {
        0 => "unsatisfied",
        1 | 2 => "basic",
        _ => "satisfied",
    });
    let dispatch_hours = match tier {
        "emergency" => 1,
        "utility" => 2,
        _ => 24,
    };
    let opt = |v: Option<i64>| v.map_or(Bind::NI, Bind::I);
    let unwatched = Watch {
        status,
        dispatch_due_at: created + dispatch_hours * HOUR,
        reply_due_at: dispatched.map(|d| d + 7 * 24 * HOUR),
        created_at: created,
        dispatched_at: dispatched,
        warned_at: None,
        overdue_at: None,
        escalation: 0,
    };
    // Past deadlines were watched already, as a running desk's would have been: the watch
    // does not wake up to a backlog of old warnings.
    let watched = unwatched.due().filter(|d| *d < now);
    let watch = Watch {
        warned_at: watched.map(|d| d - HOUR),
        overdue_at: watched,
        escalation: watched.map_or(0, |d| if now - d > 24 * HOUR { 2 } else { 1 }),
        ..unwatched
    };
    let updated = [closed, rated, verified, replied, taken, dispatched, accepted]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or(created);
    vec![
        Bind::I(cid),
        Bind::I(category),
        Bind::S("help".to_owned()),
        Bind::S(if rng.gen_bool(0.7) { "app" } else { "counter" }.to_owned()),
        Bind::S(status.to_owned()),
        Bind::S(description(code, rng).to_owned()),
        Bind::I(grid),
        Bind::I(building),
        Bind::I(unit),
        Bind::S(String::new()),
        Bind::S(tier.to_owned()),
        opt(dispatched.map(|_| party)),
        Bind::I(watch.dispatch_due_at),
        opt(watch.reply_due_at),
        opt(accepted),
        opt(dispatched),
        opt(taken),
        opt(replied),
        opt(verified),
        opt(rated),
        opt(closed),
        Bind::S(if replied.is_some() { "已处理。" } else { "" }.to_owned()),
        rating.map_or(Bind::N, |r| Bind::S(r.to_owned())),
        if declined {
            Bind::S("out_of_remit".to_owned())
        } else {
            Bind::N
        },
        Bind::I(created),
        Bind::I(updated),
        opt(watch.warned_at),
        opt(watch.overdue_at),
        Bind::I(watch.escalation),
        opt(watch.next_at()),
    ]
}
