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
use yijia_kernel::community::CommunityAt;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::session::load_by_username;
use yijia_kernel::{Actor, AppState, Result};

use crate::commands::wish::{self, ClaimInput, ConfirmInput, FulfilInput, NoteInput, ThankInput, VetInput, WishInput};
use crate::commands::{begin, field, groups_by_blind};
use crate::model::visits::{due, Intervals, Outcome, Tier};
use crate::repo::{self, NewPairing, NewVisit};

const COMMUNITY: &str = "XLG";
const DAY: i64 = 86_400_000;
const PROOF: &[u8] = include_bytes!("../demo/proof.png");

pub async fn load(state: &AppState) -> Result<()> {
    let Some(c) = yijia_kernel::community::by_code(&state.db, COMMUNITY).await? else {
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
    let today = c.today(state);
    let groups = groups_by_blind(state, c.community_id).await?;
    let tagged = repo::tagged(&state.db, c.community_id, &CommunityReach::All, &today.to_string()).await?;
    let mut households: Vec<(i64, i64, Vec<String>)> = Vec::new();
    for t in tagged {
        let code = groups
            .iter()
            .find(|(b, _)| *b == t.kind_blind)
            .map(|(_, g)| g.code().into_owned());
        match households.iter_mut().find(|(h, _, _)| *h == t.household_id) {
            Some((_, _, codes)) => codes.extend(code),
            None => households.push((t.household_id, t.grid_id, code.into_iter().collect())),
        }
    }
    let intervals = Intervals::default();
    let starts = today - Span::new().days(365);
    let now = state.now_ms();
    let (mut tx, _) = begin(state, c.community_id).await?;
    // Three carers for the whole demo: room for the households still waiting to be suggested.
    yijia_kernel::settings::store(
        &mut tx,
        c.community_id,
        &[(crate::commands::CAPACITY.key, "30".to_owned())],
        now,
    )
    .await?;
    let mut grids_of = Vec::new();
    for carer in carers {
        let account = carer.account_id.unwrap_or_default();
        grids_of.push(repo::carer_grids_tx(&mut tx, c.community_id, account).await?);
    }
    let mut overdue_done = false;
    for (n, (household, grid, codes)) in households.iter().enumerate() {
        if n % 7 == 6 {
            continue; // waits for a carer: the coverage page suggests one
        }
        // In turn, the carers who work in the household's grid (as `pair` requires).
        let Some(k) = (0..carers.len())
            .map(|k| (n + k) % carers.len())
            .find(|k| crate::commands::pairing::works_in(&grids_of[*k], *grid))
        else {
            continue;
        };
        let carer = carers[k];
        let Some(account) = carer.account_id else { continue };
        let interval = intervals.days_for(codes);
        let name = crate::commands::name_of(carer);
        let kind = ["grid_worker", "party_member", "volunteer"][k];
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
            // Told as the command tells them, not only stored: the demo's inboxes show them.
            if let Some(p) = repo::pairing(&mut tx, id).await? {
                for tier in [Tier::GridWorker, Tier::Community] {
                    let day = today.to_string();
                    crate::commands::visit::alert(&mut tx, c, &p, "unreachable", tier, &day, None, now).await?;
                }
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

/// How far a demo wish goes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Submitted,
    Declined,
    Published,
    Released,
    Claimed,
    Fulfilled,
    Thanked,
}

/// A demo wish: who raises it (for the household, or their own), what, who claims it and how.
struct Demo<'a> {
    raiser: &'a Actor,
    on_behalf: bool,
    category: &'a str,
    title: &'a str,
    body: &'a str,
    value: i64,
    claimant: Option<(&'a Actor, &'a str, &'a str)>,
    /// What was done, and the minutes it took.
    fulfilment: (&'a str, &'a str),
    /// The decline reason, the release note or the thanks.
    words: &'a str,
    stage: Stage,
    /// Days ago it went on the wall and was fulfilled.
    days: (i64, Option<i64>),
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
    let proof = wish::prepare_photos(s, &[PROOF.to_vec()]).await?;
    let vol = Some((volunteer, "volunteer", ""));
    let member = Some((party, "party_member", ""));
    let demos = [
        // The 童心坊: a schoolbag for a pupil, raised by the grid worker; claimed by a volunteer.
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "study",
            title: "新学期的书包和文具",
            body: "二年级小学生，书包已经破了，希望有一个新书包和一套文具。",
            value: 150,
            claimant: vol,
            fulfilment: ("", ""),
            words: "",
            stage: Stage::Claimed,
            days: (5, None),
        },
        // 杨奶奶's own wish, waiting to be vetted.
        Demo {
            raiser: resident,
            on_behalf: false,
            category: "repair",
            title: "卧室窗户漏风",
            body: "冬天卧室窗户关不严，晚上很冷，希望有人帮忙修一修。",
            value: 80,
            claimant: None,
            fulfilment: ("", ""),
            words: "",
            stage: Stage::Submitted,
            days: (0, None),
        },
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "job",
            title: "想学一门手艺",
            body: "家中妈妈想参加家政或面点培训，找一份能照顾孩子的工作。",
            value: 0,
            claimant: None,
            fulfilment: ("", ""),
            words: "",
            stage: Stage::Published,
            days: (3, None),
        },
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "companionship",
            title: "周末有人陪下象棋",
            body: "老人喜欢下象棋，希望周末有志愿者来陪他下两盘。",
            value: 0,
            claimant: None,
            fulfilment: ("", ""),
            words: "",
            stage: Stage::Published,
            days: (8, None),
        },
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "other",
            title: "希望给一笔生活费",
            body: "家里开销大，希望能有一笔钱补贴生活。",
            value: 2000,
            claimant: None,
            fulfilment: ("", ""),
            words: "心愿驿站不收发现金，已转介低保和临时救助政策咨询。",
            stage: Stage::Declined,
            days: (0, None),
        },
        // The 助困坊: a wheelchair repaired by a party member, to be confirmed.
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "repair",
            title: "轮椅刹车坏了",
            body: "轮椅的刹车失灵，出门不安全，希望有人帮忙修好。",
            value: 120,
            claimant: member,
            fulfilment: ("更换了刹车片并调整了手闸，试用正常。", "90"),
            words: "",
            stage: Stage::Fulfilled,
            days: (12, Some(1)),
        },
        // A reading corner from a merchant of the alliance (staff record the claim), thanked.
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "study",
            title: "楼道里的小小读书角",
            body: "孩子们放学后没地方看书，希望在活动室有一个读书角和一些绘本。",
            value: 600,
            claimant: Some((staff, "merchant", "西柳沟新华书店")),
            fulfilment: ("书店捐赠绘本 120 册和两个书架，已在活动室布置好。", ""),
            words: "孩子们每天放学都来读书，谢谢新华书店！",
            stage: Stage::Thanked,
            days: (40, Some(26)),
        },
        // A winter coat from a volunteer, credited an hour of service, thanked.
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "daily",
            title: "一件厚棉衣",
            body: "老人的棉衣穿了十几年，想要一件暖和的新棉衣。",
            value: 300,
            claimant: vol,
            fulfilment: ("买了一件羽绒服送到家，尺码合适。", "60"),
            words: "棉衣很暖和，谢谢小刘！",
            stage: Stage::Thanked,
            days: (21, Some(16)),
        },
        // A claim given up: back on the wall.
        Demo {
            raiser: grid,
            on_behalf: true,
            category: "repair",
            title: "厨房的灯不亮了",
            body: "厨房顶灯坏了，晚上做饭看不清。",
            value: 40,
            claimant: member,
            fulfilment: ("", ""),
            words: "这周出差，放弃认领，请其他志愿者帮忙。",
            stage: Stage::Released,
            days: (2, None),
        },
    ];
    for d in demos {
        let contact = if d.on_behalf {
            ("马建国", "13909311001")
        } else {
            ("杨奶奶", "13909311009")
        };
        let input = WishInput {
            community: c.community_id.to_string(),
            household: if d.on_behalf {
                household.map(|h| h.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            category: d.category.into(),
            title: d.title.into(),
            body: d.body.into(),
            value_yuan: d.value.to_string(),
            contact_name: contact.0.into(),
            contact_phone: contact.1.into(),
        };
        let id = wish::raise(s, d.raiser, &input, &[]).await?;
        if d.stage == Stage::Submitted {
            continue;
        }
        let declined = d.stage == Stage::Declined;
        let vet = VetInput {
            action: if declined { "decline" } else { "vet" }.into(),
            reason: d.words.into(),
        };
        wish::vet(s, staff, id, &vet).await?;
        let Some((claimant, kind, name)) = d.claimant.filter(|_| d.stage >= Stage::Released) else {
            continue;
        };
        wish::claim(
            s,
            claimant,
            id,
            &ClaimInput {
                kind: kind.into(),
                name: name.into(),
                ..ClaimInput::default()
            },
        )
        .await?;
        if d.stage == Stage::Released {
            wish::release(s, claimant, id, &NoteInput { note: d.words.into() }).await?;
        }
        if d.stage >= Stage::Fulfilled {
            let f = FulfilInput {
                note: d.fulfilment.0.into(),
                minutes: d.fulfilment.1.into(),
            };
            wish::fulfil(s, claimant, id, &f, &proof).await?;
        }
        if d.stage == Stage::Thanked {
            wish::confirm(
                s,
                grid,
                id,
                &ConfirmInput {
                    action: "confirm".into(),
                    note: String::new(),
                },
            )
            .await?;
            wish::thank(s, grid, id, &ThankInput { thanks: d.words.into() }).await?;
        }
        // When it went on the wall and was fulfilled, days apart, for the fulfilment times.
        let now = s.now_ms();
        let mut tx = begin(s, c.community_id).await?.0;
        on_tx!(&mut tx, |conn| sqlx::query(
            "update care_wish set published_at = $2, fulfilled_at = $3 where wish_id = $1 and published_at is not null"
        )
        .bind(id)
        .bind(now - d.days.0 * DAY)
        .bind(d.days.1.map(|f| now - f * DAY))
        .execute(&mut *conn)
        .await
        .map(|_| ())?);
        tx.commit().await?;
    }
    Ok(())
}
