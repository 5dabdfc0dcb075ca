//! The demo's 心愿驿站 and 结对帮扶 in 西柳沟社区, as the 睦邻暖心助困坊 and the 未成年人童心坊 run
//! them: wishes in every stage (a schoolbag raised by the grid worker for a pupil, 杨奶奶's
//! draughty window, a job-training place, a wheelchair repaired by a party member, a reading
//! corner fulfilled by a merchant of the alliance), and every care-group household but a few
//! paired with the grid worker, a party member or a volunteer, with a year of visits: most on
//! time, one elderly person living alone overdue, one visit that could not reach the person, and
//! some households still waiting for a carer. Idempotent: a community with wishes is left alone.

use jiff::civil::Date;
use jiff::Span;
use yijia_db::{on_db, on_tx};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::session::load_by_username;
use yijia_kernel::{Actor, AppState, Result};
use yijia_registry::repo::CommunityAt;

use crate::commands::wish::{self, ClaimInput, ConfirmInput, FulfilInput, NoteInput, ThankInput, VetInput, WishInput};
use crate::commands::{begin, field, groups_by_blind, today};
use crate::model::visits::{due, Intervals, Outcome};
use crate::repo::{self, NewPairing, NewVisit};

const COMMUNITY: &str = "XLG";
const DAY: i64 = 86_400_000;
const PROOF: &[u8] = include_bytes!("../demo/proof.png");

pub async fn load(state: &AppState) -> Result<()> {
    let Some(c) = yijia_registry::repo::community_by_code(&state.db, COMMUNITY).await? else {
        return Ok(());
    };
    if !repo::wall(&state.db, c.community_id, "", 1).await?.is_empty() {
        return Ok(());
    }
    let mut who = Vec::new();
    for u in ["xlg.staff", "grid1", "party1", "volunteer1", "resident1"] {
        match load_by_username(&state.db, u).await? {
            Some(a) => who.push(a),
            None => return Ok(()),
        }
    }
    let [staff, grid, party, volunteer, resident] =
        <[Actor; 5]>::try_from(who).map_err(|_| yijia_kernel::Error::NotFound)?;
    pairings(state, &c, &[&grid, &party, &volunteer]).await?;
    wishes(state, &c, &staff, &grid, &party, &volunteer, &resident).await
}

/// Pairs the care-group households, all but one in seven, with a year of visits.
async fn pairings(state: &AppState, c: &CommunityAt, carers: &[&Actor]) -> Result<()> {
    let today = today(state, c);
    let groups = groups_by_blind(state, c.community_id).await?;
    let tagged = repo::tagged(&state.db, c.community_id, &CommunityReach::All, &today.to_string()).await?;
    let mut households: Vec<(i64, Vec<String>)> = Vec::new();
    for t in tagged {
        let code = groups
            .iter()
            .find(|(b, _)| *b == t.kind_blind)
            .map(|(_, g)| g.code().into_owned());
        match households.iter_mut().find(|(h, _)| *h == t.household_id) {
            Some((_, codes)) => codes.extend(code),
            None => households.push((t.household_id, code.into_iter().collect())),
        }
    }
    let intervals = Intervals::default();
    let starts = today - Span::new().days(365);
    let now = state.now_ms();
    let (mut tx, _) = begin(state, c.community_id).await?;
    let mut overdue_done = false;
    for (n, (household, codes)) in households.iter().enumerate() {
        if n % 7 == 6 {
            continue; // waits for a carer: the coverage page suggests one
        }
        let carer = carers[n % carers.len()];
        let Some(account) = carer.account_id else { continue };
        let interval = intervals.days_for(codes);
        let name = crate::commands::name_of(carer);
        let kind = ["grid_worker", "party_member", "volunteer"][n % 3];
        let id = repo::insert_pairing(
            &mut tx,
            &NewPairing {
                community_id: c.community_id,
                household_id: *household,
                carer_account_id: account,
                carer_name: &name,
                carer_kind: kind,
                reason: "",
                untagged: false,
                interval_days: interval,
                starts_on: &starts.to_string(),
                ends_on: None,
                due_on: &due(starts, None, interval).to_string(),
                created_by: None,
            },
            now - 365 * DAY,
        )
        .await?;
        // Visits every interval, a day or two early now and then; the first weekly household
        // was last seen ten days ago, so its visit is overdue and the tick escalates it.
        let stop = if interval == 7 && !overdue_done {
            overdue_done = true;
            today - Span::new().days(10)
        } else {
            today - Span::new().days((n as i64 % 3).min(interval - 1))
        };
        let mut day = starts;
        let mut last: Option<Date> = None;
        let mut k = 0;
        loop {
            day += Span::new().days(interval - i64::from(k % 4 == 3));
            if day > stop {
                break;
            }
            let outcome = match (k + n) % 23 {
                0 => Outcome::NotHome,
                5 => Outcome::Phoned,
                _ => Outcome::Met,
            };
            visit(state, &mut tx, c, id, *household, account, day, outcome, now).await?;
            if outcome.counts() {
                last = Some(day);
            }
            k += 1;
        }
        if n == 1 {
            visit(
                state,
                &mut tx,
                c,
                id,
                *household,
                account,
                today,
                Outcome::Unreachable,
                now,
            )
            .await?;
            for tier in ["grid_worker", "community"] {
                repo::insert_alert(
                    &mut tx,
                    c.community_id,
                    id,
                    "unreachable",
                    tier,
                    &today.to_string(),
                    None,
                    now,
                )
                .await?;
            }
        }
        if let Some(l) = last {
            repo::set_due(
                &mut tx,
                id,
                &l.to_string(),
                &due(starts, Some(l), interval).to_string(),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "one visit's columns")]
async fn visit(
    state: &AppState,
    tx: &mut yijia_db::Tx,
    c: &CommunityAt,
    pairing_id: i64,
    household_id: i64,
    carer: i64,
    day: Date,
    outcome: Outcome,
    now: i64,
) -> Result<()> {
    let (condition, needs) = match outcome {
        Outcome::Met => ("精神不错，饮食起居正常。", ""),
        Outcome::Phoned => ("电话联系，本人说一切都好。", ""),
        Outcome::NotHome => ("家中无人，已在门上留言。", ""),
        Outcome::Unreachable => ("敲门无人应答，电话两次未接通。", "请网格员尽快上门核实"),
    };
    let seal = |f: &str, v: &str| (!v.is_empty()).then(|| state.vault.seal(f, v));
    repo::insert_visit(
        tx,
        &NewVisit {
            community_id: c.community_id,
            pairing_id,
            household_id,
            carer_account_id: carer,
            visited_on: &day.to_string(),
            outcome: outcome.as_str(),
            condition_sealed: seal(field::CONDITION, condition),
            needs_sealed: seal(field::NEEDS, needs),
            follow_up_sealed: None,
        },
        now,
    )
    .await?;
    Ok(())
}

fn wish_input(
    c: &CommunityAt,
    household: Option<i64>,
    category: &str,
    title: &str,
    body: &str,
    value: i64,
    contact: (&str, &str),
) -> WishInput {
    WishInput {
        community: c.community_id.to_string(),
        household: household.map(|h| h.to_string()).unwrap_or_default(),
        category: category.into(),
        title: title.into(),
        body: body.into(),
        value_yuan: value.to_string(),
        contact_name: contact.0.into(),
        contact_phone: contact.1.into(),
    }
}

/// Wishes in every stage.
async fn wishes(
    state: &AppState,
    c: &CommunityAt,
    staff: &Actor,
    grid: &Actor,
    party: &Actor,
    volunteer: &Actor,
    resident: &Actor,
) -> Result<()> {
    let s = state;
    let grid_id = grid.grants.iter().find_map(|g| g.grid_id);
    let household: Option<i64> = on_db!(&s.db, |p| {
        sqlx::query_scalar(
        "select household_id from household where grid_id = $1 and retired_at is null order by household_id limit 1 offset 3"
    )
    .bind(grid_id.unwrap_or_default())
    .fetch_optional(p)
    .await?
    });
    let vet = VetInput {
        action: "vet".into(),
        reason: String::new(),
    };
    let proof = wish::prepare_photos(s, &[PROOF.to_vec()]).await?;
    let gc = ("马建国", "13909311001");
    // The 童心坊: a schoolbag for a pupil, raised by the grid worker; claimed by a volunteer.
    let bag = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "study",
            "新学期的书包和文具",
            "二年级小学生，书包已经破了，希望有一个新书包和一套文具。",
            150,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, bag, &vet).await?;
    wish::claim(
        s,
        volunteer,
        bag,
        &ClaimInput {
            kind: "volunteer".into(),
            ..ClaimInput::default()
        },
    )
    .await?;
    // 杨奶奶's own wish, waiting to be vetted.
    wish::raise(
        s,
        resident,
        &wish_input(
            c,
            None,
            "repair",
            "卧室窗户漏风",
            "冬天卧室窗户关不严，晚上很冷，希望有人帮忙修一修。",
            80,
            ("杨奶奶", "13909311009"),
        ),
        &[],
    )
    .await?;
    // On the wall, waiting for someone.
    let job = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "job",
            "想学一门手艺",
            "家中妈妈想参加家政或面点培训，找一份能照顾孩子的工作。",
            0,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, job, &vet).await?;
    let chat = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "companionship",
            "周末有人陪下象棋",
            "老人喜欢下象棋，希望周末有志愿者来陪他下两盘。",
            0,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, chat, &vet).await?;
    // Declined: a request the station cannot take.
    let cash = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "other",
            "希望给一笔生活费",
            "家里开销大，希望能有一笔钱补贴生活。",
            2000,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(
        s,
        staff,
        cash,
        &VetInput {
            action: "decline".into(),
            reason: "心愿驿站不收发现金，已转介低保和临时救助政策咨询。".into(),
        },
    )
    .await?;
    // The 助困坊: a wheelchair repaired by a party member, waiting for the grid worker's confirmation.
    let chair = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "repair",
            "轮椅刹车坏了",
            "轮椅的刹车失灵，出门不安全，希望有人帮忙修好。",
            120,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, chair, &vet).await?;
    wish::claim(
        s,
        party,
        chair,
        &ClaimInput {
            kind: "party_member".into(),
            ..ClaimInput::default()
        },
    )
    .await?;
    wish::fulfil(
        s,
        party,
        chair,
        &FulfilInput {
            note: "更换了刹车片并调整了手闸，试用正常。".into(),
            minutes: "90".into(),
        },
        &proof,
    )
    .await?;
    // Confirmed, then thanked: reading corner by a merchant of the alliance (recorded by staff).
    let books = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "study",
            "楼道里的小小读书角",
            "孩子们放学后没地方看书，希望在活动室有一个读书角和一些绘本。",
            600,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, books, &vet).await?;
    wish::claim(
        s,
        staff,
        books,
        &ClaimInput {
            kind: "merchant".into(),
            name: "西柳沟新华书店".into(),
            ..ClaimInput::default()
        },
    )
    .await?;
    wish::fulfil(
        s,
        staff,
        books,
        &FulfilInput {
            note: "书店捐赠绘本 120 册和两个书架，已在活动室布置好。".into(),
            minutes: String::new(),
        },
        &proof,
    )
    .await?;
    wish::confirm(
        s,
        grid,
        books,
        &ConfirmInput {
            action: "confirm".into(),
            note: String::new(),
        },
    )
    .await?;
    wish::thank(
        s,
        grid,
        books,
        &ThankInput {
            thanks: "孩子们每天放学都来读书，谢谢新华书店！".into(),
        },
    )
    .await?;
    // Confirmed and thanked: a winter coat by a volunteer, credited 60 minutes.
    let coat = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "daily",
            "一件厚棉衣",
            "老人的棉衣穿了十几年，想要一件暖和的新棉衣。",
            300,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, coat, &vet).await?;
    wish::claim(
        s,
        volunteer,
        coat,
        &ClaimInput {
            kind: "volunteer".into(),
            ..ClaimInput::default()
        },
    )
    .await?;
    wish::fulfil(
        s,
        volunteer,
        coat,
        &FulfilInput {
            note: "买了一件羽绒服送到家，尺码合适。".into(),
            minutes: "60".into(),
        },
        &proof,
    )
    .await?;
    wish::confirm(
        s,
        grid,
        coat,
        &ConfirmInput {
            action: "confirm".into(),
            note: String::new(),
        },
    )
    .await?;
    wish::thank(
        s,
        grid,
        coat,
        &ThankInput {
            thanks: "棉衣很暖和，谢谢小刘！".into(),
        },
    )
    .await?;
    // A claim given up: back on the wall.
    let lamp = wish::raise(
        s,
        grid,
        &wish_input(
            c,
            household,
            "repair",
            "厨房的灯不亮了",
            "厨房顶灯坏了，晚上做饭看不清。",
            40,
            gc,
        ),
        &[],
    )
    .await?;
    wish::vet(s, staff, lamp, &vet).await?;
    wish::claim(
        s,
        party,
        lamp,
        &ClaimInput {
            kind: "party_member".into(),
            ..ClaimInput::default()
        },
    )
    .await?;
    wish::release(
        s,
        party,
        lamp,
        &NoteInput {
            note: "这周出差，放弃认领，请其他志愿者帮忙。".into(),
        },
    )
    .await?;
    // The wall shows when they were published and fulfilled, weeks apart.
    let mut tx = begin(s, c.community_id).await?.0;
    for (id, published, fulfilled) in [
        (books, 40, Some(26)),
        (coat, 21, Some(16)),
        (chair, 12, Some(1)),
        (bag, 5, None),
    ] {
        let now = s.now_ms();
        on_tx!(&mut tx, |conn| sqlx::query(
            "update care_wish set published_at = $2, fulfilled_at = $3 where wish_id = $1"
        )
        .bind(id)
        .bind(now - published * DAY)
        .bind(fulfilled.map(|f: i64| now - f * DAY))
        .execute(&mut *conn)
        .await
        .map(|_| ())?);
    }
    tx.commit().await?;
    Ok(())
}
