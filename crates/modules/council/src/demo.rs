//! The demo council of 西柳沟社区: topics in every stage with their discussion, a deliberation
//! session coming up, a residents' meeting held two months ago with its minutes and a show of
//! hands, the owners' vote that decided to install a lift in a 海亮小区 building half a year ago
//! (matter 7, areas from the register) with its resolution being carried out, an owners' vote
//! on the maintenance fund open in 杨奶奶's building, and an open poll. Idempotent: a community
//! that already has topics is left alone.

use jiff::civil::Date;
use yijia_db::{on_tx, Tx};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::session::load_by_username;
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_registry::repo::{self as registry, NewHolding};

use crate::commands::ballot;
use crate::commands::comment::{self, CommentInput};
use crate::commands::meeting::{self, MeetingInput};
use crate::commands::topic::{self, TopicInput, TriageInput};
use crate::commands::vote::{self, VoteInput};
use crate::repo::{self, NewBallot, NewMeeting, NewTopic, NewVote};

const COMMUNITY: &str = "XLG";
const DAY: i64 = 86_400_000;

/// The demo's people, as the actors they act as.
struct People {
    admin: Actor,
    staff: Actor,
    grid: Actor,
    party: Actor,
    volunteer: Actor,
    property: Actor,
    resident: Actor,
}

async fn people(state: &AppState) -> Result<Option<People>> {
    let mut got = Vec::new();
    for u in [
        "xlg.admin",
        "xlg.staff",
        "grid1",
        "party1",
        "volunteer1",
        "property1",
        "resident1",
    ] {
        match load_by_username(&state.db, u).await? {
            Some(a) => got.push(a),
            None => return Ok(None),
        }
    }
    let mut it = got.into_iter();
    let mut next = || it.next().ok_or(Error::NotFound);
    Ok(Some(People {
        admin: next()?,
        staff: next()?,
        grid: next()?,
        party: next()?,
        volunteer: next()?,
        property: next()?,
        resident: next()?,
    }))
}

pub async fn load(state: &AppState) -> Result<()> {
    let Some(c) = yijia_kernel::community::by_code(&state.db, COMMUNITY).await? else {
        return Ok(());
    };
    if !repo::topics(&state.db, c.community_id, "", i64::MAX, 1)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let Some(p) = people(state).await? else {
        return Ok(());
    };
    let Some((home_building, lift_building)) = buildings(state, &c, &p.resident).await? else {
        return Ok(());
    };
    let now = state.now_ms();
    lift_vote(state, &c, &p, lift_building, now - 200 * DAY).await?;
    residents_meeting(state, &c, &p, now - 60 * DAY).await?;
    topics(state, &c, &p, home_building).await?;
    fund_vote(state, &c, &p, home_building).await?;
    poll(state, &c, &p).await?;
    tracing::info!(community.code = COMMUNITY, "loaded the demo council");
    Ok(())
}

/// 杨奶奶's building, and another building of 海亮小区 for the lift.
async fn buildings(state: &AppState, c: &CommunityAt, resident: &Actor) -> Result<Option<(i64, i64)>> {
    let Some(account) = resident.account_id else {
        return Ok(None);
    };
    let Some(r) = registry::resident_of_account(&state.db, account).await? else {
        return Ok(None);
    };
    let Some(home) = registry::household(&state.db, r.household_id).await? else {
        return Ok(None);
    };
    let lift = yijia_kernel::community::building_choices(&state.db, c.community_id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| *id != home.building_id);
    Ok(lift.map(|l| (home.building_id, l)))
}

/// Makes a building's register ready for an owners' vote: every dwelling without an owner is
/// the developer's (unsold), and the owners of lived-in dwellings are their heads' records.
async fn owners_of_building(tx: &mut Tx, building_id: i64, now: i64) -> Result<()> {
    let empty: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "select h.household_id from household h where h.building_id = $1 and h.retired_at is null \
         and not exists (select 1 from registry_holding g where g.household_id = h.household_id and g.kind = 'owner') \
         order by h.household_id"
    )
    .bind(building_id)
    .fetch_all(&mut *c)
    .await?);
    for (i, hid) in empty.iter().enumerate() {
        let Some(at) = registry::household(&mut *tx, *hid).await? else {
            continue;
        };
        let developer = NewHolding {
            resident_id: None,
            holder_name: "兰州海亮房地产开发有限公司".into(),
            kind: "owner",
            area_centi_m2: Some(8_856 + 1_000 * i64::try_from(i % 3).unwrap_or(0)),
            area_source: Some("survey"),
            developer: true,
            starts_on: None,
        };
        registry::insert_holding(tx, &at, &developer, now).await?;
    }
    on_tx!(tx, |c| sqlx::query(
        "update registry_holding set resident_id = (select min(r.resident_id) from registry_resident r \
           where r.household_id = registry_holding.household_id and r.relation = 'head' and r.left_at is null) \
         where kind = 'owner' and developer = 0 and resident_id is null \
         and household_id in (select household_id from household where building_id = $1)"
    )
    .bind(building_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

fn date_of(c: &CommunityAt, ms: i64) -> Date {
    yijia_kernel::clock::local_date(ms, &c.tz())
}

/// The owners' vote on a lift, held half a year ago on paper: a staff member entered each
/// ballot and another confirmed it; it passed under matter 7 and its tasks are under way.
async fn lift_vote(state: &AppState, c: &CommunityAt, p: &People, building_id: i64, closed: i64) -> Result<()> {
    let cid = c.community_id;
    let opened = closed - 20 * DAY;
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, cid).await?;
    owners_of_building(&mut tx, building_id, opened).await?;
    let name = yijia_kernel::community::building_choices(&state.db, cid)
        .await?
        .into_iter()
        .find(|(id, _)| *id == building_id)
        .map(|(_, n)| n)
        .unwrap_or_default();
    let title = format!("{name}加装电梯");
    let topic_id = repo::insert_topic(
        &mut tx,
        &NewTopic {
            community_id: cid,
            scope_kind: "building",
            scope_id: Some(building_id),
            scope_label: &name,
            title: &title,
            body: "楼里老人多，六楼的住户上下楼很困难。申请按照兰州市既有住宅加装电梯的办法，在每个单元加装一部电梯，费用按楼层分摊，可申请政府补贴。",
            raised_by: p.party.account_id,
            raiser_name: &p.party.display_name,
            raiser_role: "party_member",
        },
        opened - 30 * DAY,
    )
    .await?;
    let vote_id = repo::insert_vote(
        &mut tx,
        &NewVote {
            community_id: cid,
            topic_id: Some(topic_id),
            meeting_id: None,
            title: &title,
            kind: "owners",
            preset: "civil-code-278",
            matter: "rebuild",
            entitled: "",
            scope_kind: "building",
            scope_id: Some(building_id),
            scope_label: &name,
            method: "ballot",
            secret: false,
            changeable: false,
            options: "[]",
            multiple: false,
            quorum: "",
            closes_at: closed,
            created_by: p.staff.account_id,
        },
        opened,
    )
    .await?;
    let v = repo::vote(&mut tx, vote_id).await?.ok_or(Error::NotFound)?;
    let electors = vote::snapshot(&mut tx, &v, date_of(c, opened), &c.tz()).await?;
    repo::mark_open(&mut tx, vote_id, electors, opened).await?;
    let mut owners: Vec<i64> = repo::vote_units(&mut tx, vote_id).await?.iter().map(|u| u.1).collect();
    owners.sort_unstable();
    owners.dedup();
    let (entered_by, confirmed_by) = (p.staff.account_id.unwrap_or(0), p.admin.account_id.unwrap_or(0));
    for (i, owner) in owners.iter().enumerate() {
        // About one owner in ten did not return a ballot; most of the rest approved.
        let choice = match i % 24 {
            9 | 19 => continue,
            7 | 15 => "oppose",
            22 => "abstain",
            _ => "approve",
        };
        let at = opened + i64::try_from(i).unwrap_or(0) * 3_600_000;
        repo::insert_ballot(
            &mut tx,
            &NewBallot {
                vote_id,
                voter_no: *owner,
                choice,
                options: "[]",
                channel: "paper",
                proxy_name: "",
                proxy_file: None,
                cast_by: Some(entered_by),
                confirmed_at: None,
            },
            at,
        )
        .await?;
        if let Some(b) = repo::ballot(&mut tx, vote_id, *owner).await? {
            repo::confirm_ballot(&mut tx, b.ballot_id, confirmed_by, at + 600_000).await?;
        }
    }
    let v = repo::vote(&mut tx, vote_id).await?.ok_or(Error::NotFound)?;
    vote::settle(&mut tx, c, &v, closed).await?;
    if let Some(r) = repo::resolution_of_vote(&mut tx, vote_id).await? {
        let plus = |days: i64| date_of(c, closed + days * DAY).to_string();
        let tasks = [
            (
                "世茂物业",
                "编制施工期间的安全和出行方案",
                plus(30),
                100,
                "方案已在单元门口公示。",
            ),
            (
                "区住建局",
                "办理加装电梯的审批手续",
                plus(90),
                60,
                "规划许可已批复，施工许可在办理中。",
            ),
            (
                "社区居委会",
                "协调低层住户，公示费用分摊方案",
                plus(240),
                30,
                "已召开两次协调会。",
            ),
        ];
        for (party, task, deadline, progress, note) in tasks {
            let id = repo::insert_task(&mut tx, r.resolution_id, party, task, &deadline, closed + DAY).await?;
            let author = if party == "世茂物业" { &p.property } else { &p.staff };
            repo::add_task_update(
                &mut tx,
                id,
                progress,
                note,
                author.account_id,
                &author.display_name,
                closed + 20 * DAY,
            )
            .await?;
        }
    }
    record(&mut tx, state, c, "lift_vote", vote_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A residents' meeting of household representatives two months ago: minutes published, the
/// environment covenant passed by a show of hands entered by one staff member and confirmed by
/// another.
async fn residents_meeting(state: &AppState, c: &CommunityAt, p: &People, held: i64) -> Result<()> {
    let cid = c.community_id;
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, cid).await?;
    let meeting_id = repo::insert_meeting(
        &mut tx,
        &NewMeeting {
            community_id: cid,
            title: "西柳沟社区居民会议（户代表）",
            kind: "residents",
            starts_at: held,
            place: "党群服务中心二楼议事厅",
            invited: "世茂物业、西柳沟街道办事处",
            created_by: p.staff.account_id,
        },
        held - 10 * DAY,
    )
    .await?;
    let title = "通过《西柳沟社区环境卫生公约》";
    let vote_id = repo::insert_vote(
        &mut tx,
        &NewVote {
            community_id: cid,
            topic_id: None,
            meeting_id: Some(meeting_id),
            title,
            kind: "residents",
            preset: "residents-meeting-2018",
            matter: "",
            entitled: "households",
            scope_kind: "community",
            scope_id: None,
            scope_label: &c.name,
            method: "hands",
            secret: false,
            changeable: false,
            options: "[]",
            multiple: false,
            quorum: "",
            closes_at: held + 2 * 3_600_000,
            created_by: p.staff.account_id,
        },
        held - 10 * DAY,
    )
    .await?;
    let v = repo::vote(&mut tx, vote_id).await?.ok_or(Error::NotFound)?;
    let electors = vote::snapshot(&mut tx, &v, date_of(c, held), &c.tz()).await?;
    repo::mark_open(&mut tx, vote_id, electors, held).await?;
    // Three in five households sent someone; four in five of those present raised their hands.
    let present = electors * 3 / 5;
    let approve = present * 4 / 5;
    let oppose = (present - approve) / 2;
    let figures = [present, approve, oppose, present - approve - oppose];
    repo::put_hands(
        &mut tx,
        vote_id,
        figures,
        p.staff.account_id.unwrap_or(0),
        held + 3_000_000,
    )
    .await?;
    repo::confirm_hands(&mut tx, vote_id, p.admin.account_id.unwrap_or(0), held + 3_300_000).await?;
    let v = repo::vote(&mut tx, vote_id).await?.ok_or(Error::NotFound)?;
    vote::settle(&mut tx, c, &v, held + 2 * 3_600_000).await?;
    let minutes = format!(
        "会议由社区党委书记主持，应到户代表 {electors} 人，实到 {present} 人，超过半数，会议有效。\n\
         一、通报上半年社区环境整治情况；\n二、审议《西柳沟社区环境卫生公约》，现场举手表决：同意 {approve} 人，\
         反对 {oppose} 人，弃权 {} 人，公约通过；\n三、世茂物业就垃圾清运时间作出说明。",
        figures[3]
    );
    repo::set_minutes(&mut tx, meeting_id, &minutes, "public", held + DAY).await?;
    if let Some(r) = repo::resolution_of_vote(&mut tx, vote_id).await? {
        let deadline = date_of(c, held + 30 * DAY).to_string();
        let id = repo::insert_task(
            &mut tx,
            r.resolution_id,
            "世茂物业",
            "调整垃圾清运时间为每日两次",
            &deadline,
            held + DAY,
        )
        .await?;
        repo::add_task_update(
            &mut tx,
            id,
            100,
            "已改为早七点、晚七点两次清运。",
            p.property.account_id,
            &p.property.display_name,
            held + 20 * DAY,
        )
        .await?;
        let deadline = date_of(c, held + 45 * DAY).to_string();
        repo::insert_task(
            &mut tx,
            r.resolution_id,
            "社区居委会",
            "在各楼栋张贴公约",
            &deadline,
            held + DAY,
        )
        .await?;
    }
    record(&mut tx, state, c, "residents_meeting", meeting_id).await?;
    tx.commit().await?;
    Ok(())
}

fn topic_input(c: &CommunityAt, scope_kind: &str, scope: &str, title: &str, body: &str) -> TopicInput {
    TopicInput {
        community: c.community_id.to_string(),
        scope_kind: scope_kind.into(),
        scope: scope.into(),
        title: title.into(),
        body: body.into(),
    }
}

fn triage(action: &str, into: Option<i64>, answer: &str) -> TriageInput {
    TriageInput {
        action: action.into(),
        into: into.map(|i| i.to_string()).unwrap_or_default(),
        answer: answer.into(),
    }
}

fn say(body: &str, parent: Option<i64>, official: &str) -> CommentInput {
    CommentInput {
        body: body.into(),
        parent: parent.map(|i| i.to_string()).unwrap_or_default(),
        official: official.into(),
    }
}

/// Topics raised from phones in every stage, with their discussion and a session coming up.
async fn topics(state: &AppState, c: &CommunityAt, p: &People, home_building: i64) -> Result<()> {
    let s = state;
    let home = home_building.to_string();
    let lights = topic::raise(
        s,
        &p.resident,
        &topic_input(
            c,
            "building",
            &home,
            "楼道灯坏了很久",
            "我们单元三楼到六楼的楼道灯坏了快一个月，晚上上下楼看不见，老人容易摔倒。",
        ),
        &[],
    )
    .await?;
    topic::cosign(s, &p.volunteer, lights).await?;
    topic::cosign(s, &p.party, lights).await?;

    let parking = topic::raise(
        s,
        &p.grid,
        &topic_input(
            c,
            "compound",
            "海亮小区",
            "海亮小区停车难",
            "晚上车位不够，车停在消防通道和绿地上。建议规划夜间停车位，错峰使用周边单位的停车场。",
        ),
        &[],
    )
    .await?;
    topic::triage(s, &p.staff, parking, &triage("accept", None, "")).await?;
    let first = comment::write(
        s,
        &p.resident,
        parking,
        &say("我家楼下每天晚上都堵着，救护车进不来。", None, ""),
    )
    .await?;
    comment::write(
        s,
        &p.volunteer,
        parking,
        &say("同意，可以先和旁边学校商量晚上借用操场停车。", Some(first), ""),
    )
    .await?;
    comment::write(
        s,
        &p.property,
        parking,
        &say(
            "物业将在下周完成车位摸底，划出临时夜间车位，并在消防通道加装提示牌。",
            None,
            "世茂物业",
        ),
    )
    .await?;
    let fire_lane = topic::raise(
        s,
        &p.resident,
        &topic_input(c, "compound", "海亮小区", "消防通道被占", "晚上消防通道停满了车。"),
        &[],
    )
    .await?;
    topic::triage(
        s,
        &p.staff,
        fire_lane,
        &triage("merge", Some(parking), "与“海亮小区停车难”一并议事。"),
    )
    .await?;

    let clinic = topic::raise(
        s,
        &p.party,
        &topic_input(
            c,
            "community",
            "",
            "社区卫生服务站周末开门吗",
            "很多上班的居民只有周末有空量血压、开药。",
        ),
        &[],
    )
    .await?;
    topic::triage(
        s,
        &p.staff,
        clinic,
        &triage(
            "answer",
            None,
            "卫生服务站周六上午 8:30–12:00 开放，已在公告栏和群里通知。",
        ),
    )
    .await?;

    let stalls = topic::raise(
        s,
        &p.volunteer,
        &topic_input(
            c,
            "compound",
            "海亮小区",
            "在小区里开设摊位",
            "建议在中心绿地摆摊，方便买菜。",
        ),
        &[],
    )
    .await?;
    topic::triage(
        s,
        &p.staff,
        stalls,
        &triage(
            "decline",
            None,
            "中心绿地属于全体业主共有，摆摊改变共有部分用途须经业主共同决定；可先到便民超市代购点。",
        ),
    )
    .await?;

    let day = date_of(c, s.now_ms() + 5 * DAY);
    meeting::schedule(
        s,
        &p.staff,
        &MeetingInput {
            community: c.community_id.to_string(),
            title: "海亮小区停车问题议事会".into(),
            kind: "deliberation".into(),
            starts_at: format!("{day}T19:00"),
            place: "党群服务中心二楼议事厅".into(),
            invited: "世茂物业、西柳沟派出所、区住建局".into(),
            topics: parking.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// An owners' vote on the maintenance fund open in 杨奶奶's building: a few paper ballots in;
/// 杨奶奶 can vote from her phone.
async fn fund_vote(state: &AppState, c: &CommunityAt, p: &People, building_id: i64) -> Result<()> {
    let s = state;
    let now = s.now_ms();
    {
        let mut tx = s.db.begin_write().await?;
        audit::lock_chain(&mut tx, c.community_id).await?;
        owners_of_building(&mut tx, building_id, now).await?;
        tx.commit().await?;
    }
    let roof = topic::raise(
        s,
        &p.grid,
        &topic_input(
            c,
            "building",
            &building_id.to_string(),
            "屋面防水老化漏雨",
            "顶层三户反映下雨天屋顶渗水。建议使用专项维修资金翻修屋面防水。",
        ),
        &[],
    )
    .await?;
    topic::triage(s, &p.staff, roof, &triage("accept", None, "")).await?;
    let closes = date_of(c, now + 14 * DAY);
    let vote_id = vote::create(
        s,
        &p.staff,
        &VoteInput {
            community: c.community_id.to_string(),
            topic: roof.to_string(),
            title: "使用专项维修资金翻修屋面防水".into(),
            kind: "owners".into(),
            matter: "use_fund".into(),
            scope_kind: "building".into(),
            scope: building_id.to_string(),
            closes_at: format!("{closes}T18:00"),
            ..VoteInput::default()
        },
    )
    .await?;
    vote::open(s, &p.staff, vote_id).await?;
    let units = repo::vote_units(&s.db, vote_id).await?;
    let mine = match p.resident.account_id {
        Some(a) => repo::voter_of_account(&s.db, vote_id, a).await?.map(|(v, _)| v),
        None => None,
    };
    let mut owners: Vec<i64> = units.iter().map(|u| u.1).filter(|o| Some(*o) != mine).collect();
    owners.sort_unstable();
    owners.dedup();
    for (i, owner) in owners.iter().take(6).enumerate() {
        let input = ballot::PaperInput {
            voter: owner.to_string(),
            choice: if i == 4 { "oppose" } else { "approve" }.into(),
            ..ballot::PaperInput::default()
        };
        ballot::paper(s, &p.staff, vote_id, &input, None).await?;
        ballot::paper(s, &p.admin, vote_id, &input, None).await?;
    }
    Ok(())
}

/// An advisory poll on the canteen's hours, open to every adult of the community.
async fn poll(state: &AppState, c: &CommunityAt, p: &People) -> Result<()> {
    let closes = date_of(c, state.now_ms() + 10 * DAY);
    let id = vote::create(
        state,
        &p.staff,
        &VoteInput {
            community: c.community_id.to_string(),
            title: "社区老年食堂开放时段意见征询".into(),
            kind: "poll".into(),
            scope_kind: "community".into(),
            options: "早餐 7:00–9:00\n午餐 11:30–13:00\n晚餐 17:30–19:00".into(),
            multiple: "1".into(),
            closes_at: format!("{closes}T20:00"),
            ..VoteInput::default()
        },
    )
    .await?;
    vote::open(state, &p.staff, id).await?;
    Ok(())
}

/// Audits what the demo wrote directly (the past, which no command can write).
async fn record(tx: &mut Tx, state: &AppState, c: &CommunityAt, what: &str, id: i64) -> Result<()> {
    let entry = Entry::new("council.demo", "community", c.community_id)
        .community(Some(c.community_id))
        .after(Some(&serde_json::json!({ "what": what, "id": id })));
    audit::record(tx, state.vault.audit_key(), state.now_ms(), &Actor::cli(), entry).await
}
