//! The council, driven through its commands and API on the real database: topics co-signed onto
//! the agenda, meetings that give notice, votes whose electorate is fixed when they open and
//! whose counts are reproducible, ballots refused where the law refuses them, paper ballots and
//! shows of hands confirmed by a second staff member, resolutions followed up on the board.

use yijia_council::commands::ballot::{self, BallotInput, Cast, HandsInput, PaperInput};
use yijia_council::commands::comment::{self, CommentInput, ReportInput, ReviewInput};
use yijia_council::commands::meeting::{self, MeetingInput};
use yijia_council::commands::resolution::{self, ProgressInput, TaskInput, VisibilityInput};
use yijia_council::commands::topic::{self, TopicInput, TriageInput};
use yijia_council::commands::vote::{self, Counted, VoteInput};
use yijia_council::model::tally::{Measure, Stage};
use yijia_council::{repo, view};
use yijia_db::on_db;
use yijia_kernel::{Actor, Error, Result, Role};
use yijia_testkit::TestApp;

use crate::demo_app;
use crate::support::*;

// ---------------------------------------------------------------------------------------------
// Helpers

/// A building of the demo community's first grid with one dwelling per entry of `areas`: the
/// owner's exclusive area in hundredths of a square metre, held by name; 0 for a dwelling with
/// no owner on record, -1 for an owner whose area is not known. Returns the building and its
/// dwellings in order.
pub async fn building(app: &TestApp, code: &str, areas: &[i64]) -> (i64, Vec<i64>) {
    let grid = crate::grid_id(app, "G01").await;
    let now = app.state.now_ms();
    let db = app.handle();
    let building: i64 = on_db!(db, |p| sqlx::query_scalar(
        "insert into building (community_id, grid_id, code, name, compound, floors, created_at, updated_at) \
         values (1, $1, $2, $3, '测试院', 6, $4, $4) returning building_id"
    )
    .bind(grid)
    .bind(code)
    .bind(format!("测试{code}号楼"))
    .bind(now)
    .fetch_one(p)
    .await
    .unwrap());
    let unit: i64 = on_db!(db, |p| sqlx::query_scalar(
        "insert into unit (community_id, grid_id, building_id, code, name, created_at, updated_at) \
         values (1, $1, $2, 'U1', '1单元', $3, $3) returning unit_id"
    )
    .bind(grid)
    .bind(building)
    .bind(now)
    .fetch_one(p)
    .await
    .unwrap());
    let mut dwellings = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let h: i64 = on_db!(db, |p| sqlx::query_scalar(
            "insert into household (community_id, grid_id, building_id, unit_id, code, created_at, updated_at) \
             values (1, $1, $2, $3, $4, $5, $5) returning household_id"
        )
        .bind(grid)
        .bind(building)
        .bind(unit)
        .bind(format!("{}", 101 + i))
        .bind(now)
        .fetch_one(p)
        .await
        .unwrap());
        if *area != 0 {
            let a = (*area > 0).then_some(*area);
            on_db!(db, |p| sqlx::query(
                "insert into registry_holding (community_id, household_id, holder_name, kind, area_centi_m2, \
                 area_source, developer, created_at, updated_at) values (1, $1, $2, 'owner', $3, $4, 0, $5, $5)"
            )
            .bind(h)
            .bind(format!("业主{}", i + 1))
            .bind(a)
            .bind(a.map(|_| "register"))
            .bind(now)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap());
        }
        dwellings.push(h);
    }
    (building, dwellings)
}

/// A resident of a dwelling, born on `birth`, with an account of their own linked to the record.
async fn resident(app: &TestApp, username: &str, household: i64, birth: &str) -> (Actor, i64) {
    let me = person(app, username, Role::Resident).await;
    let now = app.state.now_ms();
    let id: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "insert into registry_resident (community_id, household_id, name, gender, birth_date, id_type, relation, \
         residence, account_id, created_at, updated_at) \
         values (1, $1, $2, 'female', $3, 'none', 'head', 'registered_living', $4, $5, $5) returning resident_id"
    )
    .bind(household)
    .bind(username)
    .bind(birth)
    .bind(me.account_id)
    .bind(now)
    .fetch_one(p)
    .await
    .unwrap());
    (me, id)
}

/// Makes a resident the owner on record of a dwelling's holding (instead of a name only).
async fn owns(app: &TestApp, household: i64, resident_id: i64) {
    on_db!(app.handle(), |p| sqlx::query(
        "update registry_holding set resident_id = $1 where household_id = $2 and kind = 'owner'"
    )
    .bind(resident_id)
    .bind(household)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
}

fn owners_vote(building: i64, matter: &str, title: &str) -> VoteInput {
    VoteInput {
        community: "1".into(),
        title: title.into(),
        kind: "owners".into(),
        matter: matter.into(),
        scope_kind: "building".into(),
        scope: building.to_string(),
        closes_at: "2026-12-20T18:00".into(),
        ..VoteInput::default()
    }
}

/// Drafts and opens a vote as staff; returns its id.
async fn opened(app: &TestApp, staff: &Actor, input: &VoteInput) -> i64 {
    let id = vote::create(&app.state, staff, input).await.unwrap();
    vote::open(&app.state, staff, id).await.unwrap();
    id
}

/// The owner numbers of an owners' vote, in the order of their dwellings.
async fn owners(app: &TestApp, vote_id: i64) -> Vec<i64> {
    let mut o: Vec<i64> = repo::vote_units(app.handle(), vote_id)
        .await
        .unwrap()
        .iter()
        .map(|u| u.1)
        .collect();
    o.dedup();
    o
}

fn paper(voter: i64, choice: &str) -> PaperInput {
    PaperInput {
        voter: voter.to_string(),
        choice: choice.into(),
        ..PaperInput::default()
    }
}

/// A paper ballot entered by one staff member and confirmed by another.
async fn on_paper(app: &TestApp, (first, second): (&Actor, &Actor), vote_id: i64, voter: i64, choice: &str) {
    let input = paper(voter, choice);
    assert_eq!(
        ballot::paper(&app.state, first, vote_id, &input, None).await.unwrap(),
        Cast::Entered
    );
    assert_eq!(
        ballot::paper(&app.state, second, vote_id, &input, None).await.unwrap(),
        Cast::Confirmed
    );
}

fn choose(choice: &str) -> BallotInput {
    BallotInput {
        choice: choice.into(),
        ..BallotInput::default()
    }
}

/// A motion's count.
#[track_caller]
fn motion(c: Counted) -> yijia_council::model::tally::Tally {
    match c {
        Counted::Motion(t) => t,
        other => panic!("expected a motion's count, got {other:?}"),
    }
}

/// Each check as (stage, measure, part, whole, needed, met).
fn checks(t: &yijia_council::model::tally::Tally) -> Vec<(Stage, Measure, i64, i64, i64, bool)> {
    t.checks
        .iter()
        .map(|c| (c.stage, c.measure, c.part, c.whole, c.needed, c.met))
        .collect()
}

/// The status code and message key of an error.
#[track_caller]
fn refused<T: std::fmt::Debug>(r: Result<T>) -> (u16, &'static str) {
    match r {
        Err(e @ (Error::Conflict(..) | Error::Rejected { .. } | Error::BadRequest(..) | Error::Forbidden)) => {
            (e.status(), e.message().key)
        }
        Err(Error::Validation(f)) => (422, f.0.values().next().map_or("", |m| m.key)),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

struct Staff {
    staff: Actor,
    admin: Actor,
}

async fn staff(app: &TestApp) -> Staff {
    Staff {
        staff: demo_user(app, "xlg.staff").await,
        admin: demo_user(app, "xlg.admin").await,
    }
}

// ---------------------------------------------------------------------------------------------
// The demo

#[tokio::test]
async fn the_demo_has_topics_in_every_stage_a_lift_vote_passed_under_matter_seven_and_a_meeting_by_hands() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let topics = repo::topics(app.handle(), 1, "", i64::MAX, 100).await.unwrap();
    let mut stages: Vec<&str> = topics.iter().map(|t| t.status.as_str()).collect();
    stages.sort_unstable();
    stages.dedup();
    assert_eq!(
        stages,
        ["agenda", "answered", "decided", "declined", "merged", "raised"]
    );
    let votes = repo::votes(app.handle(), 1, None, 100).await.unwrap();
    let lift = votes.iter().find(|v| v.matter == "rebuild").unwrap();
    assert_eq!((lift.status.as_str(), lift.passed), ("closed", Some(1)));
    // The stored count is what a recount from the stored ballots gives.
    let v = view::vote(&app.state, &s.staff, lift.vote_id, true).await.unwrap();
    assert_eq!(v.recount_matches, Some(true));
    let t = motion(v.counted.unwrap());
    assert!(t.passed);
    assert_eq!(
        t.checks[2].threshold.num * 4,
        t.checks[2].threshold.den * 3,
        "matter 7 needs 3/4"
    );
    let r = v.resolution.unwrap();
    let today = "2026-11-27";
    let rv = view::resolution_view(&app.state, r, today).await.unwrap();
    assert_eq!(rv.tasks.len(), 3);
    assert!(rv.tasks.iter().any(|t| t.overdue), "the permit is late");
    let hands = votes.iter().find(|v| v.method == "hands").unwrap();
    assert_eq!((hands.kind.as_str(), hands.passed), ("residents", Some(1)));
    let open: Vec<&str> = votes
        .iter()
        .filter(|v| v.status == "open")
        .map(|v| v.kind.as_str())
        .collect();
    assert_eq!(
        open,
        ["poll", "owners"],
        "the poll and the maintenance-fund vote are open"
    );
    // 杨奶奶 may vote in the fund vote of her building.
    let yang = demo_user(&app, "resident1").await;
    let fund = votes.iter().find(|v| v.matter == "use_fund").unwrap();
    assert!(view::vote(&app.state, &yang, fund.vote_id, false)
        .await
        .unwrap()
        .me
        .is_some());
}

// ---------------------------------------------------------------------------------------------
// A topic's journey

#[tokio::test]
async fn a_topic_travels_from_a_phone_through_cosigning_a_meeting_and_a_vote_to_the_public_board() {
    let app = demo_app().await;
    let s = staff(&app).await;
    set_setting(&app, 1, "council.cosign_threshold", "2").await;
    let (b, dwellings) = building(&app, "J1", &[9_000, 9_000, 12_000, 8_000]).await;
    let (raiser, r1) = resident(&app, "j.raiser", dwellings[0], "1950-03-01").await;
    let (neighbour, r2) = resident(&app, "j.neighbour", dwellings[1], "1980-05-05").await;
    let (third, r3) = resident(&app, "j.third", dwellings[2], "1990-01-01").await;
    for (h, r) in [(dwellings[0], r1), (dwellings[1], r2), (dwellings[2], r3)] {
        owns(&app, h, r).await;
    }
    let input = TopicInput {
        community: "1".into(),
        scope_kind: "building".into(),
        scope: b.to_string(),
        title: "单元门禁坏了".into(),
        body: "单元门禁坏了两周，外人随意进出。".into(),
    };
    let id = topic::raise(&app.state, &raiser, &input, &[]).await.unwrap();
    assert_eq!(
        conflict(topic::cosign(&app.state, &raiser, id).await),
        "council.own_topic"
    );
    let first = topic::cosign(&app.state, &neighbour, id).await.unwrap();
    assert_eq!((first.cosigns, first.on_agenda), (1, false));
    assert_eq!(
        conflict(topic::cosign(&app.state, &neighbour, id).await),
        "council.already_cosigned"
    );
    let second = topic::cosign(&app.state, &third, id).await.unwrap();
    assert_eq!(
        (second.cosigns, second.on_agenda),
        (2, true),
        "the threshold puts it on the agenda"
    );
    assert!(told(&app, &raiser).await.contains(&"council.note_agenda".to_owned()));

    // An owners' meeting needs 15 days' notice.
    let mut m = MeetingInput {
        community: "1".into(),
        title: "门禁议事".into(),
        kind: "owners".into(),
        starts_at: "2026-12-10T19:00".into(),
        place: "议事厅".into(),
        topics: id.to_string(),
        ..MeetingInput::default()
    };
    assert_eq!(
        invalid(meeting::schedule(&app.state, &s.staff, &m).await),
        fields(&[("starts_at", "council.notice_too_short")])
    );
    m.starts_at = "2026-12-13T19:00".into();
    let meeting_id = meeting::schedule(&app.state, &s.staff, &m).await.unwrap();
    assert!(told(&app, &neighbour)
        .await
        .contains(&"council.note_meeting".to_owned()));
    assert_eq!(repo::agenda(app.handle(), meeting_id).await.unwrap()[0].topic_id, id);

    // The vote: the two owners with phones vote there, the fourth on paper.
    let mut input = owners_vote(b, "use_fund", "更换单元门禁");
    input.topic = id.to_string();
    let vote_id = opened(&app, &s.staff, &input).await;
    assert_eq!(repo::vote(app.handle(), vote_id).await.unwrap().unwrap().electors, 4);
    assert!(told(&app, &third).await.contains(&"council.note_vote_open".to_owned()));
    assert_eq!(
        ballot::cast(&app.state, &raiser, vote_id, &choose("approve"))
            .await
            .unwrap(),
        Cast::Counted
    );
    assert_eq!(
        ballot::cast(&app.state, &neighbour, vote_id, &choose("approve"))
            .await
            .unwrap(),
        Cast::Counted
    );
    assert_eq!(
        ballot::cast(&app.state, &third, vote_id, &choose("oppose"))
            .await
            .unwrap(),
        Cast::Counted
    );
    let fourth = *owners(&app, vote_id).await.last().unwrap();
    on_paper(&app, (&s.staff, &s.admin), vote_id, fourth, "approve").await;
    let t = motion(vote::close(&app.state, &s.staff, vote_id).await.unwrap());
    // 4 of 4 owners and 380.00 of 380.00 m² took part; 3 owners and 260.00 m² approved.
    assert_eq!(
        checks(&t),
        [
            (Stage::Participation, Measure::Area, 38_000, 38_000, 25_334, true),
            (Stage::Participation, Measure::Owners, 4, 4, 3, true),
            (Stage::Approval, Measure::Area, 26_000, 38_000, 19_001, true),
            (Stage::Approval, Measure::Owners, 3, 4, 3, true),
        ]
    );
    let topic = repo::topic(app.handle(), id).await.unwrap().unwrap();
    assert_eq!(topic.status, "decided");
    let r = repo::resolution_of_vote(app.handle(), vote_id).await.unwrap().unwrap();
    assert_eq!(r.decided_on, "2026-11-27");
    let rv = view::resolution_view(&app.state, r.clone(), "2026-11-27")
        .await
        .unwrap();
    assert_eq!(
        rv.revocable_until.as_deref(),
        Some("2027-11-27"),
        "a suit to revoke within one year"
    );

    // Follow-up: a task for the property company, which reports progress.
    let task = TaskInput {
        party: "世茂物业".into(),
        title: "更换门禁主机".into(),
        deadline: "2026-12-05".into(),
    };
    let task_id = resolution::add_task(&app.state, &s.staff, r.resolution_id, &task)
        .await
        .unwrap();
    let property = demo_user(&app, "property1").await;
    let progress = ProgressInput {
        progress: "40".into(),
        note: "主机已订货".into(),
    };
    resolution::progress(&app.state, &property, task_id, &progress)
        .await
        .unwrap();
    let bad = ProgressInput {
        progress: "140".into(),
        note: "x".into(),
    };
    assert_eq!(
        invalid(resolution::progress(&app.state, &property, task_id, &bad).await),
        fields(&[("progress", "council.bad_progress")])
    );
    assert_eq!(
        refused(resolution::progress(&app.state, &raiser, task_id, &progress).await).0,
        403,
        "a resident does not report for a party"
    );
    clock_to(&app, at("2026-12-06T09:00"));
    let rv = view::resolution_view(&app.state, r.clone(), "2026-12-06")
        .await
        .unwrap();
    assert!(rv.tasks[0].overdue, "past its deadline at 40 %");

    // The board: anyone reads it, without ballots or who voted.
    let mut anon = app.client();
    let res = anon.get("/api/v1/communities/1/board").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let text = res.text();
    assert!(text.contains("更换单元门禁") && text.contains("主机已订货"), "{text}");
    for private in ["ballot", "voter", "j.raiser", "id_masked"] {
        assert!(!text.contains(private), "the board shows {private}: {text}");
    }
    // For residents only: gone for the anonymous visitor, there for a resident.
    let residents_only = VisibilityInput {
        visibility: "residents".into(),
    };
    resolution::set_visibility(&app.state, &s.staff, r.resolution_id, &residents_only)
        .await
        .unwrap();
    assert!(!anon
        .get("/api/v1/communities/1/board")
        .await
        .text()
        .contains("更换单元门禁"));
    let board = view::board(&app.state, Some(&raiser), 1).await.unwrap();
    assert!(board.resolutions.iter().any(|x| x.resolution.title == "更换单元门禁"));
}

// ---------------------------------------------------------------------------------------------
// The thresholds on the database, at their boundaries

#[tokio::test]
async fn exactly_two_thirds_take_part_and_exactly_one_half_does_not_carry_an_ordinary_matter() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let two = (&s.staff, &s.admin);
    // Six dwellings of 100.00 m², six owners by name.
    let (b, _) = building(&app, "B6", &[10_000; 6]).await;
    let half = opened(&app, &s.staff, &owners_vote(b, "use_fund", "一半同意")).await;
    let o = owners(&app, half).await;
    assert_eq!(o.len(), 6);
    for (voter, choice) in o.iter().zip(["approve", "approve", "oppose", "oppose"]) {
        on_paper(&app, two, half, *voter, choice).await;
    }
    let t = motion(vote::close(&app.state, &s.staff, half).await.unwrap());
    assert_eq!(
        checks(&t),
        [
            (Stage::Participation, Measure::Area, 40_000, 60_000, 40_000, true),
            (Stage::Participation, Measure::Owners, 4, 6, 4, true),
            (Stage::Approval, Measure::Area, 20_000, 40_000, 20_001, false),
            (Stage::Approval, Measure::Owners, 2, 4, 3, false),
        ]
    );
    assert!(!t.passed);
    assert_eq!(
        t.failed_at.map(|c| (c.stage, c.measure)),
        Some((Stage::Approval, Measure::Area))
    );
    assert!(repo::resolution_of_vote(app.handle(), half).await.unwrap().is_none());

    // Matter 7 with exactly three quarters of those taking part: it passes.
    let quarters = opened(&app, &s.staff, &owners_vote(b, "rebuild", "四分之三同意")).await;
    for (voter, choice) in o.iter().zip(["approve", "approve", "approve", "oppose"]) {
        on_paper(&app, two, quarters, *voter, choice).await;
    }
    let t = motion(vote::close(&app.state, &s.staff, quarters).await.unwrap());
    assert!(t.passed, "{:?}", checks(&t));
    assert_eq!(
        checks(&t)[2],
        (Stage::Approval, Measure::Area, 30_000, 40_000, 30_000, true)
    );

    // One short of two thirds: it fails at participation, whatever the approval.
    let short = opened(&app, &s.staff, &owners_vote(b, "use_fund", "参与不足")).await;
    for voter in &o[..3] {
        on_paper(&app, two, short, *voter, "approve").await;
    }
    let t = motion(vote::close(&app.state, &s.staff, short).await.unwrap());
    assert_eq!(
        t.failed_at.map(|c| (c.stage, c.measure, c.part, c.needed)),
        Some((Stage::Participation, Measure::Area, 30_000, 40_000))
    );
    // Recounts give the stored figures.
    for id in [half, quarters, short] {
        let v = view::vote(&app.state, &s.staff, id, true).await.unwrap();
        assert_eq!(v.recount_matches, Some(true));
    }
}

#[tokio::test]
async fn an_owners_vote_opens_only_when_every_unit_has_an_owner_and_an_area_and_says_which_do_not() {
    let app = demo_app().await;
    let s = staff(&app).await;
    // 102 has no owner on record, 103 an owner without area.
    let (b, dwellings) = building(&app, "M3", &[9_000, 0, -1]).await;
    let id = vote::create(&app.state, &s.staff, &owners_vote(b, "use_fund", "缺面积"))
        .await
        .unwrap();
    match vote::open(&app.state, &s.staff, id).await {
        Err(Error::Conflict(_, m)) => {
            assert_eq!(m.key, "council.electorate_incomplete");
            let args = serde_json::to_string(&m.args).unwrap();
            assert!(
                args.contains("102") && args.contains("103") && !args.contains("101"),
                "{args}"
            );
        }
        other => panic!("expected the missing units, got {other:?}"),
    }
    let v = repo::vote(app.handle(), id).await.unwrap().unwrap();
    assert_eq!((v.status.as_str(), v.electors), ("draft", 0), "nothing half-written");
    assert!(repo::vote_units(app.handle(), id).await.unwrap().is_empty());
    // Completed in the registry, the vote opens.
    on_db!(app.handle(), |p| sqlx::query(
        "insert into registry_holding (community_id, household_id, holder_name, kind, area_centi_m2, area_source, \
         developer, created_at, updated_at) values (1, $1, '开发商', 'owner', 8000, 'survey', 1, 0, 0)"
    )
    .bind(dwellings[1])
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    on_db!(app.handle(), |p| sqlx::query(
        "update registry_holding set area_centi_m2 = 7000, area_source = 'contract' where household_id = $1"
    )
    .bind(dwellings[2])
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    assert_eq!(vote::open(&app.state, &s.staff, id).await.unwrap(), 3);
}

// ---------------------------------------------------------------------------------------------
// Ballots refused

#[tokio::test]
async fn ballots_from_outside_the_electorate_twice_or_after_close_are_refused_and_counted_once() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (b, dwellings) = building(&app, "K2", &[9_000, 9_000]).await;
    let (owner, r) = resident(&app, "k.owner", dwellings[0], "1960-01-01").await;
    owns(&app, dwellings[0], r).await;
    let (outsider, _) = resident(&app, "k.outsider", dwellings[1], "1970-01-01").await;
    let mut input = owners_vote(b, "use_fund", "不可改票");
    input.changeable = "0".into();
    let fixed = opened(&app, &s.staff, &input).await;
    assert_eq!(
        refused(ballot::cast(&app.state, &outsider, fixed, &choose("approve")).await),
        (403, "council.not_in_electorate"),
        "a tenant of 102 whose dwelling is owned by name only"
    );
    assert_eq!(
        invalid(ballot::cast(&app.state, &owner, fixed, &choose("maybe")).await),
        fields(&[("choice", "field.choose_from")])
    );
    ballot::cast(&app.state, &owner, fixed, &choose("approve"))
        .await
        .unwrap();
    assert_eq!(
        conflict(ballot::cast(&app.state, &owner, fixed, &choose("oppose")).await),
        "council.already_voted"
    );
    // Where the vote allows it, a phone ballot changes until close, and counts once.
    let changeable = opened(&app, &s.staff, &owners_vote(b, "use_fund", "可改票")).await;
    ballot::cast(&app.state, &owner, changeable, &choose("approve"))
        .await
        .unwrap();
    assert_eq!(
        ballot::cast(&app.state, &owner, changeable, &choose("oppose"))
            .await
            .unwrap(),
        Cast::Changed
    );
    let live = motion(
        view::vote(&app.state, &s.staff, changeable, false)
            .await
            .unwrap()
            .counted
            .unwrap(),
    );
    assert_eq!((live.heads.approve, live.heads.oppose), (0, 1));
    // Paper: the same staff member cannot confirm their own entry; differing entries count nothing.
    let voter = owners(&app, changeable).await[1];
    let p = paper(voter, "approve");
    ballot::paper(&app.state, &s.staff, changeable, &p, None).await.unwrap();
    assert_eq!(
        conflict(ballot::paper(&app.state, &s.staff, changeable, &p, None).await),
        "council.confirm_by_another"
    );
    assert_eq!(
        conflict(ballot::paper(&app.state, &s.admin, changeable, &paper(voter, "oppose"), None).await),
        "council.entries_differ"
    );
    let live = motion(
        view::vote(&app.state, &s.staff, changeable, false)
            .await
            .unwrap()
            .counted
            .unwrap(),
    );
    assert_eq!(live.heads.total(), 1, "the unconfirmed entry is not counted");
    assert_eq!(
        invalid(ballot::paper(&app.state, &s.admin, changeable, &paper(999, "approve"), None).await),
        fields(&[("voter", "council.not_in_electorate")])
    );
    let proxy = PaperInput {
        proxy_name: "代理人".into(),
        ..paper(voter, "approve")
    };
    assert_eq!(
        invalid(ballot::paper(&app.state, &s.admin, changeable, &proxy, None).await),
        fields(&[("authorisation", "council.proxy_document_needed")])
    );
    assert_eq!(
        refused(ballot::paper(&app.state, &owner, changeable, &p, None).await).0,
        403,
        "residents do not enter paper ballots"
    );
    // After the closing time, even before the tick closes it.
    clock_to(&app, at("2026-12-20T18:00"));
    assert_eq!(
        conflict(ballot::cast(&app.state, &owner, changeable, &choose("approve")).await),
        "council.vote_closed"
    );
    assert_eq!(
        vote::close_due(&app.state).await.unwrap(),
        4,
        "the two votes here and the demo's two"
    );
    assert_eq!(
        repo::vote(app.handle(), changeable).await.unwrap().unwrap().status,
        "closed"
    );
}

#[tokio::test]
async fn ballots_racing_from_one_voter_are_counted_once() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (b, dwellings) = building(&app, "R1", &[9_000, 9_000]).await;
    // Two co-owners of 101 vote as one owner.
    let (a, ra) = resident(&app, "r.a", dwellings[0], "1960-01-01").await;
    let (c, rc) = resident(&app, "r.c", dwellings[0], "1962-01-01").await;
    owns(&app, dwellings[0], ra).await;
    on_db!(app.handle(), |p| sqlx::query(
        "insert into registry_holding (community_id, household_id, resident_id, holder_name, kind, area_centi_m2, \
         area_source, developer, created_at, updated_at) values (1, $1, $2, 'r.c', 'owner', 9000, 'register', 0, 0, 0)"
    )
    .bind(dwellings[0])
    .bind(rc)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let mut input = owners_vote(b, "use_fund", "并发投票");
    input.changeable = "0".into();
    let id = opened(&app, &s.staff, &input).await;
    assert_eq!(repo::vote(app.handle(), id).await.unwrap().unwrap().electors, 2);
    let mut tasks = Vec::new();
    for i in 0..10 {
        let st = app.state.clone();
        let who = if i % 2 == 0 { a.clone() } else { c.clone() };
        tasks.push(tokio::spawn(async move {
            ballot::cast(&st, &who, id, &choose("approve")).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.message().key, "council.already_voted"),
        }
    }
    assert_eq!(ok, 1, "one ballot for the owner the two co-owners are");
    let n: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from council_ballot where vote_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(n, 1);
}

// ---------------------------------------------------------------------------------------------
// Residents' meetings and polls

#[tokio::test]
async fn a_show_of_hands_counts_once_a_second_staff_member_enters_the_same_figures() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (b, dwellings) = building(&app, "H5", &[9_000, 9_000, 9_000]).await;
    for (i, h) in dwellings.iter().enumerate() {
        resident(&app, &format!("h.adult{i}"), *h, "1980-01-01").await;
    }
    resident(&app, "h.child", dwellings[0], "2015-06-01").await;
    let input = VoteInput {
        community: "1".into(),
        title: "楼栋公约".into(),
        kind: "residents".into(),
        scope_kind: "building".into(),
        scope: b.to_string(),
        method: "hands".into(),
        closes_at: "2026-12-01T12:00".into(),
        ..VoteInput::default()
    };
    let id = opened(&app, &s.staff, &input).await;
    assert_eq!(
        repo::vote(app.handle(), id).await.unwrap().unwrap().electors,
        3,
        "the child is not entitled"
    );
    let figures = |present: &str, approve: &str| HandsInput {
        present: present.into(),
        approve: approve.into(),
        oppose: "0".into(),
        abstain: "0".into(),
    };
    assert_eq!(
        invalid(ballot::hands(&app.state, &s.staff, id, &figures("4", "3")).await),
        fields(&[("present", "council.tally_exceeds_electorate")])
    );
    assert_eq!(
        invalid(ballot::hands(&app.state, &s.staff, id, &figures("2", "3")).await),
        fields(&[("approve", "council.hands_exceed_present")])
    );
    assert_eq!(
        invalid(ballot::hands(&app.state, &s.staff, id, &figures("-1", "x")).await),
        fields(&[("approve", "council.bad_count"), ("present", "council.bad_count")])
    );
    ballot::hands(&app.state, &s.staff, id, &figures("2", "2"))
        .await
        .unwrap();
    assert_eq!(
        conflict(vote::close(&app.state, &s.staff, id).await),
        "council.hands_unconfirmed"
    );
    assert_eq!(
        conflict(ballot::hands(&app.state, &s.admin, id, &figures("2", "1")).await),
        "council.entries_differ"
    );
    assert_eq!(
        ballot::hands(&app.state, &s.admin, id, &figures("2", "2"))
            .await
            .unwrap(),
        Cast::Confirmed
    );
    let t = motion(vote::close(&app.state, &s.staff, id).await.unwrap());
    // 2 of 3 present is more than half; 2 of 2 approve.
    assert_eq!(
        checks(&t),
        [
            (Stage::Quorum, Measure::People, 2, 3, 2, true),
            (Stage::Approval, Measure::People, 2, 2, 2, true),
        ]
    );
}

/// A building of two adults, one a dwelling, and a poll over three options open to them.
async fn poll_of_two(app: &TestApp, code: &str) -> (i64, VoteInput, Actor, Actor) {
    let s = staff(app).await;
    let (b, dwellings) = building(app, code, &[9_000, 9_000]).await;
    let (one, _) = resident(app, &format!("{code}.one"), dwellings[0], "1980-01-01").await;
    let (two, _) = resident(app, &format!("{code}.two"), dwellings[1], "1985-01-01").await;
    let input = VoteInput {
        community: "1".into(),
        title: "健身器材放哪里".into(),
        kind: "poll".into(),
        scope_kind: "building".into(),
        scope: b.to_string(),
        options: "楼前空地\n院子东侧\n不需要".into(),
        quorum: "1/2".into(),
        closes_at: "2026-12-01T12:00".into(),
        ..VoteInput::default()
    };
    (opened(app, &s.staff, &input).await, input, one, two)
}

#[tokio::test]
async fn a_poll_counts_each_adult_once_over_its_options() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (id, input, one, two) = poll_of_two(&app, "P2").await;
    let pick = |o: &str| BallotInput {
        options: o.into(),
        ..BallotInput::default()
    };
    assert_eq!(
        invalid(ballot::cast(&app.state, &one, id, &pick("1,2")).await),
        fields(&[("options", "council.bad_options")]),
        "one option only"
    );
    assert_eq!(
        invalid(ballot::cast(&app.state, &one, id, &pick("4")).await),
        fields(&[("options", "council.bad_options")])
    );
    ballot::cast(&app.state, &one, id, &pick("2")).await.unwrap();
    ballot::cast(&app.state, &two, id, &pick("2")).await.unwrap();
    match vote::close(&app.state, &s.staff, id).await.unwrap() {
        Counted::Poll(p) => {
            assert_eq!((p.options, p.voters), (vec![0, 2, 0], 2));
            assert!(p.quorum.unwrap().met);
        }
        other => panic!("expected a poll, got {other:?}"),
    }
    let bad = VoteInput {
        options: "只有一个".into(),
        quorum: "3/2".into(),
        closes_at: "2026-11-01T12:00".into(),
        ..input
    };
    assert_eq!(
        invalid(vote::create(&app.state, &s.staff, &bad).await),
        fields(&[
            ("closes_at", "council.closes_in_past"),
            ("options", "council.poll_options"),
            ("quorum", "council.bad_share"),
        ])
    );
}

#[tokio::test]
async fn a_damaged_ballot_stops_the_count_instead_of_counting_as_blank() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (id, _, one, two) = poll_of_two(&app, "P3").await;
    let pick = BallotInput {
        options: "1".into(),
        ..BallotInput::default()
    };
    ballot::cast(&app.state, &one, id, &pick).await.unwrap();
    ballot::cast(&app.state, &two, id, &pick).await.unwrap();
    // Edited outside the application: read as "no option", it would still meet the quorum.
    on_db!(app.handle(), |p| sqlx::query(
        "update council_ballot set options = '[1,' where vote_id = $1"
    )
    .bind(id)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let err = vote::close(&app.state, &s.staff, id).await.unwrap_err();
    assert!(matches!(err, Error::Internal(_)), "{err:?}");
    assert!(
        err.to_string().contains(&format!("in vote {id}")),
        "names the ballot: {err}"
    );
    let status: String = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select status from council_vote where vote_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(status, "open", "nothing was closed on a count that could not be made");
}

// ---------------------------------------------------------------------------------------------
// Discussion

#[tokio::test]
async fn a_comment_reported_enough_is_hidden_until_staff_keep_it() {
    let app = demo_app().await;
    let s = staff(&app).await;
    set_setting(&app, 1, "council.hide_after_reports", "2").await;
    let author = person(&app, "d.author", Role::Resident).await;
    let input = TopicInput {
        community: "1".into(),
        scope_kind: "community".into(),
        title: "广场舞音量".into(),
        body: "晚上九点以后还在放音乐。".into(),
        ..TopicInput::default()
    };
    let id = topic::raise(&app.state, &author, &input, &[]).await.unwrap();
    let say = CommentInput {
        body: "这条评论有人觉得冒犯".into(),
        ..CommentInput::default()
    };
    let cid = comment::write(&app.state, &author, id, &say).await.unwrap();
    let why = ReportInput {
        reason: "人身攻击".into(),
    };
    let (x, y) = (
        person(&app, "d.x", Role::Resident).await,
        person(&app, "d.y", Role::Resident).await,
    );
    assert!(!comment::report(&app.state, &x, cid, &why).await.unwrap());
    assert_eq!(
        conflict(comment::report(&app.state, &x, cid, &why).await),
        "council.already_reported"
    );
    assert!(
        comment::report(&app.state, &y, cid, &why).await.unwrap(),
        "the second report hides it"
    );
    let seen = view::topic(&app.state, &x, id).await.unwrap();
    let c = seen.comments.iter().find(|c| c.comment_id == cid).unwrap();
    assert!(c.body.is_empty() && c.author_name.is_empty(), "masked for residents");
    let seen = view::topic(&app.state, &s.staff, id).await.unwrap();
    assert_eq!(seen.comments[0].body, say.body, "staff read it to review it");
    assert_eq!(repo::comments_to_review(app.handle(), 1).await.unwrap().len(), 1);
    let keep = ReviewInput { action: "keep".into() };
    comment::review(&app.state, &s.staff, cid, &keep).await.unwrap();
    let z = person(&app, "d.z", Role::Resident).await;
    assert!(
        !comment::report(&app.state, &z, cid, &why).await.unwrap(),
        "kept after review"
    );
    assert_eq!(
        refused(comment::review(&app.state, &x, cid, &keep).await).0,
        403,
        "residents do not moderate"
    );
    // An official answer needs a party's role.
    let official = CommentInput {
        body: "物业已调整音响时间".into(),
        official: "世茂物业".into(),
        ..CommentInput::default()
    };
    assert_eq!(refused(comment::write(&app.state, &x, id, &official).await).0, 403);
    // The property company's people answer for their company, whatever they type.
    let property = demo_user(&app, "property1").await;
    let posing = CommentInput {
        official: "区住建局".into(),
        ..official.clone()
    };
    let answer = comment::write(&app.state, &property, id, &posing).await.unwrap();
    assert_eq!(
        repo::comment(app.handle(), answer).await.unwrap().unwrap().official,
        "世茂物业"
    );
    let unattached = person(&app, "d.dept", Role::DepartmentStaff).await;
    assert_eq!(
        invalid(comment::write(&app.state, &unattached, id, &official).await),
        fields(&[("official", "council.not_of_party")])
    );
    // Triage: a merge must name another open topic of the community.
    let merge_self = TriageInput {
        action: "merge".into(),
        into: id.to_string(),
        ..TriageInput::default()
    };
    assert_eq!(
        invalid(topic::triage(&app.state, &s.staff, id, &merge_self).await),
        fields(&[("into", "council.bad_merge")])
    );
    let decline = TriageInput {
        action: "decline".into(),
        ..TriageInput::default()
    };
    assert_eq!(
        invalid(topic::triage(&app.state, &s.staff, id, &decline).await),
        fields(&[("answer", "field.required")]),
        "a reason is required"
    );
}

// ---------------------------------------------------------------------------------------------
// The API

#[tokio::test]
async fn the_api_answers_bad_votes_with_field_errors_and_reads_need_a_sign_in() {
    let app = demo_app().await;
    let token = app.token("xlg.staff", crate::PW).await;
    let mut c = app.client().with_bearer(&token);
    let res = c
        .post_json(
            "/api/v1/council-votes",
            &serde_json::json!({ "community": 1, "title": "x", "kind": "referendum", "scope_kind": "community", "closes_at": "tomorrow" }),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    let f = &res.json()["error"]["fields"];
    assert!(f["kind"].is_string() && f["closes_at"].is_string(), "{f}");
    // "Choose from the list" says what the list holds, so a client without the form can fix it.
    let kind = f["kind"].as_str().unwrap();
    assert!(kind.contains("业主共同决定") && kind.contains("居民会议"), "{kind}");
    let res = c
        .post_json(
            "/api/v1/council-topics",
            &serde_json::json!({ "community": 1, "scope_kind": "building", "scope": "99999", "title": "t", "body": "b" }),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["scope"].is_string());
    let listed = c.get("/api/v1/council-votes?community=1").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["votes"].as_array().unwrap().len(), 4);
    let mut anon = app.client();
    assert_eq!(anon.get("/api/v1/council-topics?community=1").await.status, 401);
    assert_eq!(
        anon.get("/board/1").await.status,
        200,
        "the board page needs no sign-in"
    );
    assert_eq!(anon.get("/api/v1/communities/999/board").await.status, 404);
    let doc = c.get("/api/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/council-votes/{id}/paper"]["post"].is_object());
}

#[tokio::test]
async fn a_community_topic_counts_its_raiser_and_cosigners_towards_requiring_a_residents_meeting() {
    let app = demo_app().await;
    let (_, dwellings) = building(&app, "Q2", &[9_000, 9_000]).await;
    let (raiser, _) = resident(&app, "q.raiser", dwellings[0], "1970-01-01").await;
    let (adult, _) = resident(&app, "q.adult", dwellings[1], "1990-01-01").await;
    let (child, _) = resident(&app, "q.child", dwellings[1], "2012-01-01").await;
    let input = TopicInput {
        community: "1".into(),
        scope_kind: "community".into(),
        title: "召开居民会议讨论停车收费".into(),
        body: "请社区召开居民会议。".into(),
        ..TopicInput::default()
    };
    let id = topic::raise(&app.state, &raiser, &input, &[]).await.unwrap();
    topic::cosign(&app.state, &adult, id).await.unwrap();
    topic::cosign(&app.state, &child, id).await.unwrap();
    let (adults, households): (i64, i64) = on_db!(app.handle(), |p| {
        sqlx::query_as(
        "select count(*), count(distinct household_id) from registry_resident where community_id = 1 \
         and left_at is null and residence in ('registered_living', 'living_unregistered') and birth_date <= '2008-11-27'"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    let rq = view::topic(&app.state, &raiser, id).await.unwrap().requisition.unwrap();
    let got: Vec<(Measure, i64, i64, i64, bool)> = rq
        .checks
        .iter()
        .map(|c| (c.measure, c.part, c.whole, c.needed, c.met))
        .collect();
    // Two adults of two households ask (the child does not count); a fifth is needed.
    assert_eq!(
        got,
        [
            (Measure::People, 2, adults, (adults + 4) / 5, false),
            (Measure::Households, 2, households, (households + 4) / 5, false),
        ]
    );
    assert!(!rq.met);
}

// ---------------------------------------------------------------------------------------------
// Issue 20: who is in the electorate

#[tokio::test]
async fn an_owner_whose_account_is_linked_after_the_vote_opens_votes_from_her_phone_once() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (b, dwellings) = building(&app, "L2", &[9_000, 9_000]).await;
    // Her record is the owner on the register, but she has no account yet when the notice goes out.
    let (_, r) = resident(&app, "l.placeholder", dwellings[0], "1960-01-01").await;
    owns(&app, dwellings[0], r).await;
    on_db!(app.handle(), |p| sqlx::query(
        "update registry_resident set account_id = null where resident_id = $1"
    )
    .bind(r)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let mut input = owners_vote(b, "use_fund", "后注册的业主");
    input.changeable = "0".into();
    let id = opened(&app, &s.staff, &input).await;
    // She registers on her phone; staff link the account to her record.
    let her = person(&app, "l.owner", Role::Resident).await;
    let token = app.token("xlg.admin", crate::PW).await;
    let res = app
        .client()
        .with_bearer(&token)
        .post_json(
            &format!("/api/v1/residents/{r}/account"),
            &serde_json::json!({ "username": "l.owner" }),
        )
        .await;
    assert!(res.status < 300, "{}", res.text());
    ballot::cast(&app.state, &her, id, &choose("approve")).await.unwrap();
    assert_eq!(
        conflict(ballot::cast(&app.state, &her, id, &choose("approve")).await),
        "council.already_voted"
    );
    // The account linked at opening, if any, is not what counts: nobody else votes as her.
    let t = motion(vote::close(&app.state, &s.staff, id).await.unwrap());
    assert_eq!(checks(&t)[1].2, 1, "one owner took part");
}

#[tokio::test]
async fn a_residents_vote_counts_adults_on_its_closing_day_on_each_side_of_an_18th_birthday() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (b, dwellings) = building(&app, "Y3", &[9_000, 9_000, 9_000]).await;
    // The vote closes on 2026-12-20: one turns 18 that day, one the day after.
    resident(&app, "y.adult", dwellings[0], "1980-01-01").await;
    resident(&app, "y.eighteen", dwellings[1], "2008-12-20").await;
    resident(&app, "y.tomorrow", dwellings[2], "2008-12-21").await;
    let input = VoteInput {
        community: "1".into(),
        title: "楼道整治".into(),
        kind: "residents".into(),
        scope_kind: "building".into(),
        scope: b.to_string(),
        closes_at: "2026-12-20T18:00".into(),
        ..VoteInput::default()
    };
    let id = opened(&app, &s.staff, &input).await;
    let electors: Vec<String> = repo::electors(app.handle(), id, "", 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(electors.len(), 2, "{electors:?}");
    assert!(electors.contains(&"y.eighteen".to_owned()) && !electors.contains(&"y.tomorrow".to_owned()));
    // The page says on which day they are counted.
    let mut page = app.signed_in("xlg.staff", crate::PW).await;
    let html = page.get(&format!("/council/votes/{id}")).await.text();
    assert!(html.contains("2026-12-20"), "the eligibility day is stated");
}

#[tokio::test]
async fn staff_list_a_votes_electors_with_voter_numbers_and_enter_paper_ballots_by_them() {
    let app = demo_app().await;
    let s = staff(&app).await;
    let (b, dwellings) = building(&app, "E3", &[9_000, 9_000, 9_000]).await;
    let (owner, r) = resident(&app, "e.owner", dwellings[0], "1960-01-01").await;
    owns(&app, dwellings[0], r).await;
    for (i, h) in dwellings.iter().enumerate().skip(1) {
        let (_, r) = resident(&app, &format!("e.owner{i}"), *h, "1960-01-01").await;
        owns(&app, *h, r).await;
    }
    let id = opened(&app, &s.staff, &owners_vote(b, "use_fund", "选民名册")).await;
    ballot::cast(&app.state, &owner, id, &choose("approve")).await.unwrap();
    let token = app.token("xlg.staff", crate::PW).await;
    let mut api = app.client().with_bearer(&token);
    let list = api.get(&format!("/api/v1/council-votes/{id}/electors")).await;
    assert_eq!(list.status, 200, "{}", list.text());
    let items = list.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3);
    let mine = items.iter().find(|e| e["name"] == "e.owner").unwrap();
    assert_eq!(
        (mine["voted"].as_bool(), mine["channel"].as_str()),
        (Some(true), Some("phone"))
    );
    assert!(mine["household"].as_str().unwrap().contains("101"));
    // A paper ballot entered by the voter number the list gives, confirmed by a second member.
    let other = items.iter().find(|e| e["voted"] == false).unwrap()["voter_no"]
        .as_i64()
        .unwrap();
    let paper = serde_json::json!({ "voter": other.to_string(), "choice": "oppose" });
    assert!(
        api.post_json(&format!("/api/v1/council-votes/{id}/paper"), &paper)
            .await
            .status
            < 300
    );
    let admin = app.token("xlg.admin", crate::PW).await;
    let res = app
        .client()
        .with_bearer(&admin)
        .post_json(&format!("/api/v1/council-votes/{id}/paper"), &paper)
        .await;
    assert!(res.status < 300, "{}", res.text());
    // Residents do not read the register.
    let theirs = app.token("resident1", crate::PW).await;
    let res = app
        .client()
        .with_bearer(&theirs)
        .get(&format!("/api/v1/council-votes/{id}/electors"))
        .await;
    assert_eq!(res.status, 403);
    // The document lists the matters a vote accepts, with their labels.
    let doc = api.get("/api/openapi.json").await.json();
    let matter = &doc["components"]["schemas"]["VoteInput"]["properties"]["matter"];
    assert!(
        matter["enum"].as_array().unwrap().iter().any(|m| m == "manager"),
        "{matter}"
    );
}
