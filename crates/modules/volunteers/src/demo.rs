//! The demo's 爱之翼 corps for 西柳沟社区: the six wings placed in the grids, their leaders and
//! members (the demo's volunteer, leader and party-member accounts among them), a year of
//! activities with attendance, hours and points, a few bonuses and spends, and next week's
//! activities open to sign up to. Idempotent: a community that already has teams is left alone.

use yijia_db::on_db;
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::commands::activity::{self, ActivityInput};
use crate::commands::points::{self, PointsInput};
use crate::commands::profile::{self, ProfileInput};
use crate::commands::team::{self, MemberInput, TeamInput};
use crate::ledger::{self, Movement};
use crate::model::{rules, Holder, Ledger, TxnKind};
use crate::repo::{self, NewActivity};

const COMMUNITY: &str = "XLG";
const DAY: i64 = 86_400_000;

/// (name, description, grid codes)
const WINGS: &[(&str, &str, &[&str])] = &[
    (
        "红星之翼",
        "老党员、老军人志愿服务队：政策宣讲、矛盾调解",
        &["G01", "G02"],
    ),
    ("满天星之翼", "居民志愿服务队：环境整治、邻里互助", &["G01"]),
    ("红茂之翼", "物业公司员工志愿服务队：维修便民、安全巡查", &["G02"]),
    ("先锋之翼", "下沉干部志愿服务队：政策服务、民情走访", &["G01", "G02"]),
    ("向阳花之翼", "社区工作者志愿服务队：关爱探访、帮办代办", &["G01"]),
    ("石榴籽之翼", "少数民族志愿服务队：民族团结、文化活动", &["G02"]),
];

/// (name, organisation, team index, skills); the first of each team leads it.
const PEOPLE: &[(&str, &str, usize, &str)] = &[
    ("马德福", "", 0, "宣讲、调解"),
    ("王秀兰", "", 0, "宣讲"),
    ("李振华", "", 0, "调解"),
    ("韩桂英", "", 1, "保洁、手工"),
    ("高建军", "", 1, "维修"),
    ("孙玉梅", "", 1, "保洁"),
    ("郭强", "世茂物业", 2, "维修、电工"),
    ("吕晓东", "世茂物业", 2, "安全巡查"),
    ("冯涛", "世茂物业", 2, "维修"),
    ("黄立新", "西固区民政局", 3, "政策咨询"),
    ("曹静", "西固区人社局", 3, "政策咨询、帮办"),
    ("杜明", "西固区住建局", 3, "政策咨询"),
    ("罗敏", "西柳沟社区", 4, "关爱探访、帮办"),
    ("谢芳", "西柳沟社区", 4, "关爱探访"),
    ("马海燕", "", 5, "文化、翻译"),
    ("撒丽娜", "", 5, "文化"),
    ("马国福", "", 5, "调解、翻译"),
];

/// (title, kind, place, hours)
const KINDS: &[(&str, &str, &str, i64)] = &[
    ("政策宣讲进楼院", "publicity", "海亮小区北广场", 2),
    ("楼院环境大扫除", "sanitation", "第二网格各楼院", 3),
    ("便民维修服务日", "skills", "社区服务大厅门前", 3),
    ("民情走访", "care_visit", "第一网格各楼栋", 2),
    ("独居老人关爱探访", "care_visit", "第一网格", 2),
    ("民族团结文化活动", "culture", "社区文化活动室", 2),
    ("邻里矛盾调解", "mediation", "西邻红管家议事厅", 2),
];

async fn actor(state: &AppState, username: &str) -> Result<Actor> {
    yijia_kernel::session::load_by_username(&state.db, username)
        .await?
        .ok_or(Error::NotFound)
}

async fn grid_ids(state: &AppState, community_id: i64, codes: &[&str]) -> Result<String> {
    let mut ids = Vec::new();
    for code in codes {
        let id: Option<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
            "select grid_id from grid where community_id = $1 and code = $2"
        )
        .bind(community_id)
        .bind(*code)
        .fetch_optional(p)
        .await?);
        ids.extend(id.map(|i| i.to_string()));
    }
    Ok(ids.join(","))
}

pub async fn load(state: &AppState) -> Result<()> {
    let Some(c) = yijia_kernel::community::by_code(&state.db, COMMUNITY).await? else {
        return Ok(());
    };
    let cid = c.community_id;
    if !repo::teams(&state.db, cid).await?.is_empty() {
        return Ok(());
    }
    let admin = actor(state, "xlg.admin").await?;
    let mut teams = Vec::new();
    for (name, description, grids) in WINGS {
        let input = TeamInput {
            community: cid.to_string(),
            name: (*name).into(),
            description: (*description).into(),
            grids: grid_ids(state, cid, grids).await?,
        };
        teams.push(team::create(state, &admin, &input).await?);
    }
    // The demo's own accounts register themselves; staff register the others.
    let mut members: Vec<(usize, i64)> = Vec::new();
    for (username, team, skills, report_back) in [
        ("leader1", 1, "保洁、维修", false),
        ("volunteer1", 1, "保洁", false),
        ("party1", 0, "宣讲", true),
    ] {
        let who = actor(state, username).await?;
        let input = ProfileInput {
            community: cid.to_string(),
            name: who.display_name.clone(),
            skills: skills.into(),
            contact_consent: "1".into(),
            report_back: if report_back { "1".into() } else { String::new() },
            ..ProfileInput::default()
        };
        members.push((team, profile::register(state, &who, &input).await?));
    }
    for (i, (name, organisation, team, skills)) in PEOPLE.iter().enumerate() {
        let input = ProfileInput {
            community: cid.to_string(),
            name: (*name).into(),
            organisation: (*organisation).into(),
            skills: (*skills).into(),
            contact_consent: if i % 3 == 0 { String::new() } else { "1".into() },
            publish_consent: if i % 2 == 0 { "1".into() } else { String::new() },
            report_back: if *team == 3 { "1".into() } else { String::new() },
            ..ProfileInput::default()
        };
        members.push((*team, profile::register(state, &admin, &input).await?));
    }
    let mut led = [false; 6];
    for (team, volunteer) in &members {
        let add = |action: &str| MemberInput {
            volunteer: volunteer.to_string(),
            action: action.into(),
        };
        team::decide(state, &admin, teams[*team], &add("add")).await?;
        if !led[*team] {
            team::decide(state, &admin, teams[*team], &add("leader")).await?;
            led[*team] = true;
        }
    }
    history(state, &admin, &c, &teams, &members).await?;
    let merchant = actor(state, "merchant1").await?;
    for (n, (_, v)) in members.iter().enumerate().filter(|(n, _)| n % 4 == 1) {
        let memo = |m: &str| PointsInput {
            points: (10 + n * 5).to_string(),
            memo: m.into(),
        };
        points::move_points(state, &admin, *v, TxnKind::Bonus, &memo("年度优秀志愿者奖励")).await?;
        // At the counter the volunteer shows their points code; a merchant reaches no one by id.
        let code = crate::model::card::issue(&state.vault, *v, state.now_ms());
        crate::commands::redeem::spend(state, &merchant, &code, &memo("西柳沟便民超市 兑换米面油")).await?;
    }
    coming(state, &c, &teams).await
}

/// A year of activities, two a week, each with its team's members attending and their hours
/// and points credited. Written directly: the commands refuse (rightly) to sign anyone up to
/// the past.
async fn history(
    state: &AppState,
    admin: &Actor,
    c: &yijia_kernel::community::CommunityAt,
    teams: &[i64],
    members: &[(usize, i64)],
) -> Result<()> {
    let now = state.now_ms();
    let today = now - now.rem_euclid(DAY);
    let mut team_grids = Vec::new();
    for (_, _, codes) in WINGS {
        let ids = grid_ids(state, c.community_id, codes).await?;
        team_grids.push(ids.split(',').filter_map(|g| g.parse().ok()).collect::<Vec<i64>>());
    }
    // Oldest first, so that the ledgers' entries come in the order they happened.
    for week in (1..=52_i64).rev() {
        for slot in 0..2_i64 {
            let n = week * 2 + slot;
            let team = usize::try_from(n % 6).unwrap_or(0);
            let (title, kind, place, hours) = KINDS[usize::try_from(n % 7).unwrap_or(0)];
            // Saturday or Wednesday mornings, 09:00 in Lanzhou (01:00 UTC).
            let starts = today - week * 7 * DAY + slot * 3 * DAY + 3_600_000;
            let ends = starts + hours * 3_600_000;
            let mut tx = state.db.begin_write().await?;
            let a = NewActivity {
                community_id: c.community_id,
                team_id: Some(teams[team]),
                title,
                kind,
                place,
                description: "",
                starts_at: starts,
                ends_at: ends,
                min_age: 0,
                skills: "",
                cancel_before_ms: 12 * 3_600_000,
                points_per_hour: 10,
                created_by: admin.account_id,
            };
            let aid = repo::insert_activity(&mut tx, &a, starts - 7 * DAY).await?;
            let sid = repo::insert_shift(&mut tx, aid, c.community_id, starts, ends, 12).await?;
            repo::set_served(&mut tx, aid, 20 + n % 30, ends).await?;
            repo::set_activity_grids(&mut tx, aid, c.community_id, &team_grids[team]).await?;
            for (i, (_, v)) in members
                .iter()
                .filter(|(t, _)| *t == team || (n + 1) % 5 == 0)
                .enumerate()
            {
                let u =
                    repo::insert_signup(&mut tx, c.community_id, aid, sid, *v, "confirmed", starts - 3 * DAY).await?;
                // Someone is always a little late.
                let came = starts + i64::try_from(i % 3).unwrap_or(0) * 10 * 60_000;
                repo::set_checked_in(&mut tx, u, came, "qr").await?;
                repo::set_checked_out(&mut tx, u, ends, "qr").await?;
                let minutes = rules::served_minutes(came, ends, starts, ends);
                let base = Movement {
                    community_id: c.community_id,
                    ledger: Ledger::Hours,
                    kind: TxnKind::Service,
                    memo: "",
                    activity_id: Some(aid),
                    signup_id: Some(u),
                    actor_account_id: None,
                    from: Holder::Service,
                    to: Holder::Volunteer(*v),
                    amount: minutes,
                };
                ledger::post(&mut tx, &base, ends).await?;
                let earned = Movement {
                    ledger: Ledger::Points,
                    kind: TxnKind::Earned,
                    from: Holder::Issued,
                    amount: rules::points_for(minutes, 10),
                    ..base
                };
                ledger::post(&mut tx, &earned, ends).await?;
                let credited = repo::CreditedSignup {
                    signup_id: u,
                    activity_id: aid,
                    was: None,
                    interval: Some((came.max(starts), came.max(starts) + minutes * 60_000)),
                };
                repo::set_minutes(&mut tx, &credited, minutes, ends).await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Next week's activities, published by their leaders, open to sign up to.
async fn coming(state: &AppState, c: &yijia_kernel::community::CommunityAt, teams: &[i64]) -> Result<()> {
    let leader = actor(state, "leader1").await?;
    let zone = c.tz();
    for (day, (title, kind, place, hours), shifts) in [(2, KINDS[1], 2), (5, KINDS[4], 1), (9, KINDS[2], 1)] {
        let date = rules::local_date(state.now_ms() + day * DAY, &zone);
        let input = ActivityInput {
            community: c.community_id.to_string(),
            team: teams[1].to_string(),
            title: title.into(),
            kind: kind.into(),
            place: place.into(),
            description: "欢迎报名，请穿志愿者马甲，准时到场扫码签到。".into(),
            starts: format!("{date}T09:00"),
            ends: format!("{date}T{:02}:00", 9 + hours),
            shifts: shifts.to_string(),
            capacity: "8".into(),
            ..ActivityInput::default()
        };
        activity::create(state, &leader, &input).await?;
    }
    Ok(())
}
