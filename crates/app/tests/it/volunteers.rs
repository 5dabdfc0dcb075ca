//! Volunteers, driven through their commands on the real database: residents registering with
//! what the registry knows of them and staff registering others (a minor only with a guardian's
//! consent); teams and their leaders; shifts filled first come, first served, with a waiting list;
//! check-in by signed codes; hours entered within 10 working days; two ledgers that balance after
//! anything, spends racing included; certificates kept as issued; reminders sent once; the
//! year's report.

use std::fmt::Debug;

use yijia_db::on_db;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::{Actor, AppState, Error, Result, Role};
use yijia_testkit::TestApp;
use yijia_volunteers::commands::activity::{self, ActivityInput};
use yijia_volunteers::commands::points::{move_points, PointsInput};
use yijia_volunteers::commands::profile::{self, ProfileInput};
use yijia_volunteers::commands::team::{self, MemberInput, TeamInput};
use yijia_volunteers::commands::{attendance, certificate, redeem, signup};
use yijia_volunteers::model::card;
use yijia_volunteers::model::qr::{self, Purpose};
use yijia_volunteers::model::{rules, Ledger, SignupStatus, TxnKind};
use yijia_volunteers::{ledger, remind, repo, reports};

use crate::demo_app;
use crate::support::*;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

// ---------------------------------------------------------------------------------------------
// Helpers

/// A volunteer of the demo community who registered from their own phone: the account and the
/// profile's id.
async fn volunteer(app: &TestApp, username: &str, birth: &str, skills: &str) -> (Actor, i64) {
    volunteer_in(app, "XLG", username, birth, skills).await
}

async fn volunteer_in(app: &TestApp, community: &str, username: &str, birth: &str, skills: &str) -> (Actor, i64) {
    let me = person_in(app, community, username, Role::Volunteer).await;
    let input = ProfileInput {
        name: username.to_owned(),
        birth_date: birth.to_owned(),
        skills: skills.to_owned(),
        ..ProfileInput::default()
    };
    let id = profile::register(&app.state, &me, &input).await.unwrap();
    (me, id)
}

/// An activity of the demo community: one shift, ten places, 10 points an hour.
fn plan(team: Option<i64>, title: &str, starts: &str, ends: &str) -> ActivityInput {
    ActivityInput {
        team: team.map(|t| t.to_string()).unwrap_or_default(),
        title: title.to_owned(),
        kind: "culture".to_owned(),
        place: "西柳沟社区驿站".to_owned(),
        starts: starts.to_owned(),
        ends: ends.to_owned(),
        points_per_hour: "10".to_owned(),
        ..ActivityInput::default()
    }
}

/// Publishes an activity; its id and its shifts' ids.
async fn publish(app: &TestApp, actor: &Actor, input: ActivityInput) -> (i64, Vec<i64>) {
    let id = activity::create(&app.state, actor, &input).await.unwrap();
    let shifts = repo::shifts(app.handle(), id).await.unwrap();
    (id, shifts.iter().map(|s| s.shift_id).collect())
}

async fn new_team(app: &TestApp, staff: &Actor, name: &str, grids: &str) -> i64 {
    let input = TeamInput {
        name: name.to_owned(),
        grids: grids.to_owned(),
        ..TeamInput::default()
    };
    team::create(&app.state, staff, &input).await.unwrap()
}

async fn decide(app: &TestApp, actor: &Actor, team_id: i64, volunteer_id: i64, action: &str) -> Result<()> {
    let input = MemberInput {
        volunteer: volunteer_id.to_string(),
        action: action.to_owned(),
    };
    team::decide(&app.state, actor, team_id, &input).await
}

/// A team with a volunteer staff made its leader: (team, leader).
async fn team_with_leader(app: &TestApp, staff: &Actor, name: &str, leader: &str) -> (i64, Actor) {
    let t = new_team(app, staff, name, "").await;
    let (lead, lead_id) = volunteer(app, leader, "1980-05-05", "").await;
    decide(app, staff, t, lead_id, "add").await.unwrap();
    decide(app, staff, t, lead_id, "leader").await.unwrap();
    (t, lead)
}

async fn sign_up(app: &TestApp, who: &Actor, activity_id: i64, shift_id: i64) -> (i64, SignupStatus) {
    signup::sign_up(&app.state, who, activity_id, shift_id).await.unwrap()
}

async fn status(app: &TestApp, signup_id: i64) -> String {
    repo::signup(app.handle(), signup_id).await.unwrap().unwrap().status
}

async fn record(app: &TestApp, who: &Actor, signup_id: i64, minutes: &str, reason: &str) -> Result<()> {
    attendance::record(&app.state, who, signup_id, minutes, reason).await
}

async fn balance(app: &TestApp, volunteer_id: i64, l: Ledger) -> i64 {
    ledger::balance(app.handle(), volunteer_id, l).await.unwrap()
}

/// (transactions not summing to zero, accounts below their floor): both always zero.
async fn unbalanced(app: &TestApp) -> (i64, i64) {
    repo::unbalanced(app.handle()).await.unwrap()
}

/// The minutes the sign-ups hold, and the minutes credited to volunteers for sign-ups (a fulfilled
/// wish is credited without one).
async fn minutes_both_ways(app: &TestApp) -> (i64, i64) {
    on_db!(app.handle(), |p| sqlx::query_as(
        "select (select cast(coalesce(sum(minutes), 0) as bigint) from vol_signup), \
         (select cast(coalesce(sum(e.amount), 0) as bigint) from vol_entry e join vol_ledger_account a \
          on a.ledger_account_id = e.ledger_account_id join vol_txn t on t.txn_id = e.txn_id \
          where a.ledger = 'hours' and a.holder = 'volunteer' and t.signup_id is not null)"
    )
    .fetch_one(p)
    .await
    .unwrap())
}

/// A volunteer's account history in a ledger, newest first: (amount, kind, memo).
async fn history(app: &TestApp, volunteer_id: i64, l: Ledger) -> Vec<(i64, String, String)> {
    let account = repo::volunteer_account(app.handle(), volunteer_id, l)
        .await
        .unwrap()
        .unwrap();
    repo::history(app.handle(), account, i64::MAX, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.amount, e.kind, e.memo))
        .collect()
}

/// A small seeded generator (xorshift64*): a failing sequence replays the same way.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[usize::try_from(self.below(from.len() as u64)).unwrap()]
    }
}

// ---------------------------------------------------------------------------------------------
// Registering

#[tokio::test]
async fn residents_register_with_their_registry_record_staff_register_others_and_minors_need_a_guardian() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let c = xlg(&app).await;
    // A resident of the registry, linked to her own account.
    let household: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select household_id from household where community_id = $1 and retired_at is null \
         order by household_id limit 1"
    )
    .bind(c.community_id)
    .fetch_one(p)
    .await
    .unwrap());
    let resident = yijia_registry::model::ResidentInput {
        name: "周桂芳".into(),
        birth_date: "1968-03-04".into(),
        ..Default::default()
    };
    let rid = yijia_registry::commands::add_resident::add_resident(&app.state, &staff, household, &resident)
        .await
        .unwrap();
    let zhou = person(&app, "vol.zhou", Role::Resident).await;
    yijia_registry::commands::link_account::link_account(&app.state, &staff, rid, "vol.zhou")
        .await
        .unwrap();

    // She registers from her phone: her name and birth date are the registry's, not typed.
    let mine = ProfileInput {
        birth_date: "2015-01-01".into(),
        skills: "急救, 理发，急救".into(),
        ..ProfileInput::default()
    };
    let id = profile::register(&app.state, &zhou, &mine).await.unwrap();
    let v = repo::volunteer(app.handle(), id).await.unwrap().unwrap();
    assert_eq!(
        (v.name.as_str(), v.birth_date.as_deref(), v.origin.as_str()),
        ("周桂芳", Some("1968-03-04"), "resident")
    );
    assert_eq!((v.resident_id, v.account_id), (Some(rid), zhou.account_id));
    assert_eq!(v.skills, "急救、理发", "skills listed once each");
    assert!(v.guardian_consent_at.is_none());
    assert_eq!(
        repo::volunteer_of(app.handle(), c.community_id, zhou.account_id.unwrap())
            .await
            .unwrap()
            .map(|v| v.volunteer_id),
        Some(id)
    );
    // Once only; and not someone else.
    let again = ProfileInput {
        name: "周桂芳".into(),
        ..ProfileInput::default()
    };
    assert_eq!(
        conflict(profile::register(&app.state, &zhou, &again).await),
        "volunteers.already_registered"
    );
    let other = ProfileInput {
        resident: rid.to_string(),
        ..ProfileInput::default()
    };
    assert!(matches!(
        profile::register(&app.state, &zhou, &other).await,
        Err(Error::Forbidden)
    ));

    // Staff register a cadre sent down from the district: no account, no registry record, and
    // the phone number kept sealed.
    let cadre = ProfileInput {
        name: "马文斌".into(),
        organisation: "区住建局（下沉干部）".into(),
        phone: "13987654321".into(),
        contact_consent: "on".into(),
        ..ProfileInput::default()
    };
    let out = profile::register(&app.state, &staff, &cadre).await.unwrap();
    let o = repo::volunteer(app.handle(), out).await.unwrap().unwrap();
    assert_eq!(
        (o.origin.as_str(), o.account_id, o.resident_id, o.name.as_str()),
        ("outside", None, None, "马文斌")
    );
    assert_eq!((o.phone_masked.as_str(), o.contact_consent), ("139****4321", 1));
    let dump = serde_json::to_string(&yijia_db::dump_tables(app.handle()).await.unwrap()).unwrap();
    assert!(!dump.contains("13987654321"), "never in clear at rest");

    // Someone born 18 years ago tomorrow is a minor today: a guardian's name and consent are
    // needed; born 18 years ago today is not.
    let teen = person(&app, "vol.teen", Role::Resident).await;
    let minor = ProfileInput {
        username: "vol.teen".into(),
        name: "小明".into(),
        birth_date: "2008-11-28".into(),
        ..ProfileInput::default()
    };
    assert_eq!(
        invalid(profile::register(&app.state, &staff, &minor).await),
        fields(&[
            ("guardian_consent", "volunteers.guardian_consent_needed"),
            ("guardian_name", "volunteers.guardian_needed"),
        ])
    );
    let named_only = ProfileInput {
        guardian_name: "小明妈妈".into(),
        ..minor.clone()
    };
    assert_eq!(
        invalid(profile::register(&app.state, &staff, &named_only).await),
        fields(&[("guardian_consent", "volunteers.guardian_consent_needed")])
    );
    let consented = ProfileInput {
        guardian_consent: "1".into(),
        ..named_only
    };
    let kid = profile::register(&app.state, &staff, &consented).await.unwrap();
    let k = repo::volunteer(app.handle(), kid).await.unwrap().unwrap();
    assert_eq!(
        (k.account_id, k.guardian_name.as_str(), k.guardian_consent_at),
        (teen.account_id, "小明妈妈", Some(app.state.now_ms()))
    );
    let adult = ProfileInput {
        name: "刚成年".into(),
        birth_date: "2008-11-27".into(),
        ..ProfileInput::default()
    };
    let grown = profile::register(&app.state, &staff, &adult).await.unwrap();
    assert!(repo::volunteer(app.handle(), grown)
        .await
        .unwrap()
        .unwrap()
        .guardian_consent_at
        .is_none());
}

// ---------------------------------------------------------------------------------------------
// Teams

#[tokio::test]
async fn staff_place_a_team_in_grids_and_its_leader_decides_who_joins() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let c = xlg(&app).await;
    let grids = yijia_kernel::community::grid_choices(app.handle(), c.community_id)
        .await
        .unwrap();
    let (g1, g2) = (&grids[0], &grids[1]);
    // Given last first, listed in the grids' order on both databases.
    let t = new_team(&app, &staff, "爱之翼·便民服务队", &format!("{}，{}", g2.0, g1.0)).await;
    let row = repo::team(app.handle(), t).await.unwrap().unwrap();
    let (first, second) = if g1.0 < g2.0 { (g1, g2) } else { (g2, g1) };
    assert_eq!(row.grids, format!("{}、{}", first.1, second.1));
    let same = TeamInput {
        name: "爱之翼·便民服务队".into(),
        ..TeamInput::default()
    };
    assert_eq!(
        invalid(team::create(&app.state, &staff, &same).await),
        fields(&[("name", "volunteers.team_name_taken")])
    );

    let (lead, lead_id) = volunteer(&app, "vol.lead", "1980-05-05", "").await;
    let other = TeamInput {
        name: "自封的队".into(),
        ..TeamInput::default()
    };
    assert!(matches!(
        team::create(&app.state, &lead, &other).await,
        Err(Error::Forbidden)
    ));
    // Staff add her, then name her leader.
    assert_eq!(
        conflict(decide(&app, &staff, t, lead_id, "leader").await),
        "volunteers.member_state_changed",
        "only a member is made leader"
    );
    decide(&app, &staff, t, lead_id, "add").await.unwrap();
    decide(&app, &staff, t, lead_id, "leader").await.unwrap();
    let m = repo::memberships(app.handle(), lead_id).await.unwrap();
    assert_eq!(
        (m[0].team_id, m[0].role.as_str(), m[0].status.as_str()),
        (t, "leader", "active")
    );

    // A volunteer applies; the leader is told.
    let (ann, ann_id) = volunteer(&app, "vol.ann", "1990-01-01", "").await;
    team::apply(&app.state, &ann, t).await.unwrap();
    assert_eq!(
        told(&app, &lead).await,
        ["volunteers.note_applied", "volunteers.note_added"]
    );
    assert_eq!(
        conflict(team::apply(&app.state, &ann, t).await),
        "volunteers.already_applied"
    );
    // Someone who does not lead the team cannot decide, nor see that there is anything to decide.
    let (bob, bob_id) = volunteer(&app, "vol.bob", "1990-01-01", "").await;
    assert!(matches!(
        decide(&app, &bob, t, ann_id, "approve").await,
        Err(Error::NotFound)
    ));
    let outsider_team = new_team(&app, &staff, "另一支队", "").await;
    assert!(
        matches!(
            decide(&app, &lead, outsider_team, ann_id, "approve").await,
            Err(Error::NotFound)
        ),
        "a leader leads her own team only"
    );
    // The leader approves, but names no leaders.
    decide(&app, &lead, t, ann_id, "approve").await.unwrap();
    assert_eq!(
        conflict(decide(&app, &lead, t, ann_id, "leader").await),
        "volunteers.member_state_changed"
    );
    let m = repo::memberships(app.handle(), ann_id).await.unwrap();
    assert_eq!((m[0].role.as_str(), m[0].status.as_str()), ("member", "active"));
    assert_eq!(told(&app, &ann).await, ["volunteers.note_approved"]);
    assert_eq!(
        conflict(team::apply(&app.state, &ann, t).await),
        "volunteers.already_member"
    );
    // Bob applies and is declined; he may apply again.
    team::apply(&app.state, &bob, t).await.unwrap();
    decide(&app, &lead, t, bob_id, "decline").await.unwrap();
    assert_eq!(
        repo::memberships(app.handle(), bob_id).await.unwrap()[0].status,
        "declined"
    );
    team::apply(&app.state, &bob, t).await.unwrap();
    assert_eq!(repo::team(app.handle(), t).await.unwrap().unwrap().members, 2);
    assert_eq!(repo::team(app.handle(), t).await.unwrap().unwrap().applied, 1);
}

// ---------------------------------------------------------------------------------------------
// Signing up

#[tokio::test]
async fn a_full_shift_puts_volunteers_on_a_waiting_list_and_a_cancellation_promotes_the_first() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    // Sunday 29 November, 10:00–12:00: one shift of two places; cancellable until 12 hours before.
    let input = ActivityInput {
        capacity: "2".into(),
        ..plan(None, "敬老院包饺子", "2026-11-29T10:00", "2026-11-29T12:00")
    };
    let (a, shifts) = publish(&app, &staff, input).await;
    assert_eq!(shifts.len(), 1);
    let s = shifts[0];
    let (v1, _) = volunteer(&app, "vol.one", "1990-01-01", "").await;
    let (v2, _) = volunteer(&app, "vol.two", "1990-01-01", "").await;
    let (v3, _) = volunteer(&app, "vol.three", "1990-01-01", "").await;
    let (u1, st1) = sign_up(&app, &v1, a, s).await;
    let (u2, st2) = sign_up(&app, &v2, a, s).await;
    let (u3, st3) = sign_up(&app, &v3, a, s).await;
    assert_eq!(
        [st1, st2, st3],
        [SignupStatus::Confirmed, SignupStatus::Confirmed, SignupStatus::Waiting]
    );
    let shift = &repo::shifts(app.handle(), a).await.unwrap()[0];
    assert_eq!((shift.confirmed, shift.waiting), (2, 1));
    for who in [&v1, &v3] {
        assert_eq!(
            conflict(signup::sign_up(&app.state, who, a, s).await),
            "volunteers.already_signed_up"
        );
    }
    let stranger = person(&app, "vol.stranger", Role::Resident).await;
    assert_eq!(
        conflict(signup::sign_up(&app.state, &stranger, a, s).await),
        "volunteers.register_first"
    );

    // The first cancels in time: the one waiting gets the place and is told.
    assert!(matches!(
        signup::cancel(&app.state, &v2, u1).await,
        Err(Error::NotFound)
    ));
    signup::cancel(&app.state, &v1, u1).await.unwrap();
    assert_eq!(
        [status(&app, u1).await, status(&app, u2).await, status(&app, u3).await],
        ["cancelled", "confirmed", "confirmed"]
    );
    assert_eq!(told(&app, &v3).await, ["volunteers.note_promoted"]);
    assert!(told(&app, &v2).await.is_empty());
    // Signing up again joins the end of the queue.
    assert_eq!(sign_up(&app, &v1, a, s).await, (u1, SignupStatus::Waiting));

    // From 12 hours before the start the volunteer can no longer cancel; the organiser still can,
    // and the place goes to the one waiting.
    clock_to(&app, at("2026-11-28T22:00"));
    assert_eq!(
        conflict(signup::cancel(&app.state, &v2, u2).await),
        "volunteers.cancel_too_late"
    );
    assert_eq!(status(&app, u2).await, "confirmed");
    signup::cancel(&app.state, &staff, u2).await.unwrap();
    assert_eq!(status(&app, u1).await, "confirmed");

    // Once the shift has begun, no one signs up.
    let (v4, _) = volunteer(&app, "vol.four", "1990-01-01", "").await;
    clock_to(&app, at("2026-11-29T10:00"));
    assert_eq!(
        conflict(signup::sign_up(&app.state, &v4, a, s).await),
        "volunteers.signup_closed"
    );
}

#[tokio::test]
async fn minors_join_only_activities_for_their_age_and_skills_are_required() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let teen = person(&app, "vol.teen", Role::Resident).await;
    let profile_of_teen = ProfileInput {
        name: "小红".into(),
        birth_date: "2011-04-01".into(),
        guardian_name: "小红爸爸".into(),
        guardian_consent: "1".into(),
        ..ProfileInput::default()
    };
    profile::register(&app.state, &teen, &profile_of_teen).await.unwrap();
    let adults = ActivityInput {
        min_age: "18".into(),
        ..plan(None, "夜间巡逻", "2026-11-30T20:00", "2026-11-30T22:00")
    };
    let (a, sa) = publish(&app, &staff, adults).await;
    match signup::sign_up(&app.state, &teen, a, sa[0]).await {
        Err(Error::Conflict(_, m)) => {
            assert_eq!(m.key, "volunteers.too_young");
            assert_eq!(m.args, [("age", "18".to_owned())]);
        }
        other => panic!("a 15-year-old on a night patrol: {other:?}"),
    }
    let (grown, _) = volunteer(&app, "vol.grown", "1990-01-01", "").await;
    assert_eq!(sign_up(&app, &grown, a, sa[0]).await.1, SignupStatus::Confirmed);
    // An activity for everyone takes her, with her guardian's consent.
    let (open, so) = publish(
        &app,
        &staff,
        plan(None, "社区读书会", "2026-11-30T15:00", "2026-11-30T16:00"),
    )
    .await;
    assert_eq!(sign_up(&app, &teen, open, so[0]).await.1, SignupStatus::Confirmed);

    // Skills: every one the activity asks for.
    let skilled = ActivityInput {
        skills: "急救、手语".into(),
        ..plan(None, "听障老人探访", "2026-12-01T09:00", "2026-12-01T11:00")
    };
    let (k, sk) = publish(&app, &staff, skilled).await;
    let (half, _) = volunteer(&app, "vol.half", "1990-01-01", "急救").await;
    match signup::sign_up(&app.state, &half, k, sk[0]).await {
        Err(Error::Conflict(_, m)) => {
            assert_eq!(m.key, "volunteers.skills_missing");
            assert_eq!(m.args, [("skills", "手语".to_owned())]);
        }
        other => panic!("missing a skill: {other:?}"),
    }
    let (both, _) = volunteer(&app, "vol.both", "1990-01-01", "手语，急救").await;
    assert_eq!(sign_up(&app, &both, k, sk[0]).await.1, SignupStatus::Confirmed);
    // A shift of another activity is no choice.
    assert_eq!(
        invalid(signup::sign_up(&app.state, &both, k, so[0]).await),
        fields(&[("shift", "volunteers.bad_choice")])
    );
}

// ---------------------------------------------------------------------------------------------
// Attendance

/// The key of a code refused as not ours.
#[track_caller]
fn bad_request<T: Debug>(r: Result<T>) -> &'static str {
    match r {
        Err(Error::BadRequest(_, m)) => m.key,
        other => panic!("expected a bad request, got {other:?}"),
    }
}

fn code(state: &AppState, activity_id: i64, purpose: Purpose) -> String {
    qr::issue(&state.vault, activity_id, purpose, state.now_ms())
}

#[tokio::test]
async fn volunteers_check_in_and_out_by_code_and_are_credited_the_time_served_within_the_shift() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    // Saturday 28 November, 10:00–12:00, 7 points an hour; another activity in the afternoon.
    let input = ActivityInput {
        points_per_hour: "7".into(),
        ..plan(None, "社区大扫除", "2026-11-28T10:00", "2026-11-28T12:00")
    };
    let (a, sa) = publish(&app, &staff, input).await;
    let (b, _) = publish(
        &app,
        &staff,
        plan(None, "垃圾分类宣传", "2026-11-28T14:00", "2026-11-28T16:00"),
    )
    .await;
    let (v1, id1) = volunteer(&app, "vol.one", "1990-01-01", "").await;
    let (v2, id2) = volunteer(&app, "vol.two", "1990-01-01", "").await;
    let (v3, _) = volunteer(&app, "vol.three", "1990-01-01", "").await;
    let (u1, _) = sign_up(&app, &v1, a, sa[0]).await;
    let (u2, _) = sign_up(&app, &v2, a, sa[0]).await;
    sign_up(&app, &v3, a, sa[0]).await;

    // Too early: more than an hour before.
    assert_eq!(
        conflict(attendance::scan(&app.state, &v1, &code(&app.state, a, Purpose::CheckIn)).await),
        "volunteers.too_early"
    );
    // 09:50: the code on the leader's screen checks her in, once.
    clock_to(&app, at("2026-11-28T09:50"));
    let shown = code(&app.state, a, Purpose::CheckIn);
    let s = attendance::scan(&app.state, &v1, &shown).await.unwrap();
    assert_eq!((s.signup_id, s.purpose, s.minutes), (u1, "in", None));
    assert_eq!(
        conflict(attendance::scan(&app.state, &v1, &shown).await),
        "volunteers.already_checked_in"
    );
    let row = repo::signup(app.handle(), u1).await.unwrap().unwrap();
    assert_eq!(
        (row.checked_in_at, row.checked_in_by.as_deref()),
        (Some(at("2026-11-28T09:50")), Some("qr"))
    );
    // Altered codes, made-up codes: not ours.
    let other_activity = shown.replacen(&format!("{a}."), &format!("{b}."), 1);
    let checkout = shown.replacen(".in.", ".out.", 1);
    let mut resigned = shown.clone();
    let last = resigned.pop().unwrap();
    resigned.push(if last == 'A' { 'B' } else { 'A' });
    for forged in [other_activity, checkout, resigned, "garbage".to_owned(), String::new()] {
        assert_eq!(
            bad_request(attendance::scan(&app.state, &v2, &forged).await),
            "volunteers.qr_forged",
            "{forged}"
        );
    }
    // Another activity's code: she is not signed up to it.
    assert_eq!(
        conflict(attendance::scan(&app.state, &v1, &code(&app.state, b, Purpose::CheckIn)).await),
        "volunteers.not_signed_up"
    );
    // A photo of the code sent home stops working after a few minutes.
    app.state.clock.advance_ms(qr::VALID_MS + 1);
    assert_eq!(
        conflict(attendance::scan(&app.state, &v2, &shown).await),
        "volunteers.qr_expired"
    );
    assert!(repo::signup(app.handle(), u2)
        .await
        .unwrap()
        .unwrap()
        .checked_in_at
        .is_none());

    // 10:17: the second arrives late.
    clock_to(&app, at("2026-11-28T10:17"));
    attendance::scan(&app.state, &v2, &code(&app.state, a, Purpose::CheckIn))
        .await
        .unwrap();
    // 11:40:30: the check-out code. The third never checked in; the second leaves.
    clock_to(&app, at("2026-11-28T11:40") + 30_000);
    let out = code(&app.state, a, Purpose::CheckOut);
    assert_eq!(
        conflict(attendance::scan(&app.state, &v3, &out).await),
        "volunteers.not_checked_in"
    );
    let s = attendance::scan(&app.state, &v2, &out).await.unwrap();
    assert_eq!(
        (s.purpose, s.minutes),
        ("out", Some(83)),
        "10:17 to 11:40, whole minutes"
    );
    assert_eq!(
        conflict(attendance::scan(&app.state, &v2, &out).await),
        "volunteers.already_checked_out"
    );
    // 12:20: the first leaves, credited the shift only (she came early and stayed late).
    clock_to(&app, at("2026-11-28T12:20"));
    let s = attendance::scan(&app.state, &v1, &code(&app.state, a, Purpose::CheckOut))
        .await
        .unwrap();
    assert_eq!(s.minutes, Some(120));
    assert_eq!(
        repo::signup(app.handle(), u1).await.unwrap().unwrap().minutes,
        Some(120)
    );

    // Both ledgers: minutes, and points at 7 an hour rounded down.
    assert_eq!(balance(&app, id1, Ledger::Hours).await, 120);
    assert_eq!(balance(&app, id1, Ledger::Points).await, 14);
    assert_eq!(balance(&app, id2, Ledger::Hours).await, 83);
    assert_eq!(balance(&app, id2, Ledger::Points).await, 83 * 7 / 60);
    assert_eq!(
        history(&app, id1, Ledger::Hours).await,
        [(120, "service".to_owned(), String::new())]
    );
    assert_eq!(
        history(&app, id1, Ledger::Points).await,
        [(14, "earned".to_owned(), String::new())]
    );
    assert_eq!(unbalanced(&app).await, (0, 0));
    let (signups, entries) = minutes_both_ways(&app).await;
    assert_eq!(signups, entries);
}

#[tokio::test]
async fn the_leader_enters_forgotten_hours_within_ten_working_days_then_only_staff_correct_them() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let (t, lead) = team_with_leader(&app, &staff, "环境卫生队", "vol.lead").await;
    // The leader publishes Saturday 28 November, 10:00–12:00, for her team.
    let (a, sa) = publish(
        &app,
        &lead,
        plan(Some(t), "楼道清理", "2026-11-28T10:00", "2026-11-28T12:00"),
    )
    .await;
    let (v, vid) = volunteer(&app, "vol.forgetful", "1990-01-01", "").await;
    let (w, _) = volunteer(&app, "vol.other", "1990-01-01", "").await;
    let (u, _) = sign_up(&app, &v, a, sa[0]).await;
    sign_up(&app, &w, a, sa[0]).await;
    assert_eq!(conflict(record(&app, &lead, u, "60", "").await), "volunteers.not_begun");
    // He came without his phone: the leader marks him in, and he forgets to check out.
    clock_to(&app, at("2026-11-28T09:55"));
    attendance::mark(&app.state, &lead, u, "in").await.unwrap();
    assert!(matches!(
        attendance::mark(&app.state, &w, u, "in").await,
        Err(Error::NotFound)
    ));
    clock_to(&app, at("2026-11-28T13:00"));

    // Only whoever runs the activity enters minutes, never more than the shift.
    assert!(matches!(record(&app, &w, u, "100", "").await, Err(Error::NotFound)));
    assert_eq!(
        invalid(record(&app, &lead, u, "121", "").await),
        fields(&[("minutes", "volunteers.minutes_over_shift")])
    );
    assert_eq!(
        invalid(record(&app, &lead, u, "", "").await),
        fields(&[("minutes", "field.required")])
    );
    record(&app, &lead, u, "100", "").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 100);
    assert_eq!(balance(&app, vid, Ledger::Points).await, 16);
    // A second entry is a correction, with its reason.
    assert_eq!(
        invalid(record(&app, &lead, u, "110", "").await),
        fields(&[("reason", "volunteers.reason_needed")])
    );
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 100);
    record(&app, &lead, u, "110", "签到时间记错了").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 110);
    assert_eq!(balance(&app, vid, Ledger::Points).await, 18);
    assert_eq!(
        history(&app, vid, Ledger::Hours).await,
        [
            (10, "correction".to_owned(), "签到时间记错了".to_owned()),
            (100, "service".to_owned(), String::new()),
        ]
    );

    // The 10th working day after Saturday 28 November is Friday 11 December: the leader may
    // still correct until its end, and no longer from midnight.
    clock_to(&app, at("2026-12-11T23:59"));
    record(&app, &lead, u, "105", "复核").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 105);
    clock_to(&app, at("2026-12-12T00:00"));
    assert_eq!(
        conflict(record(&app, &lead, u, "100", "再次复核").await),
        "volunteers.entry_locked"
    );
    assert_eq!(
        invalid(record(&app, &staff, u, "95", "").await),
        fields(&[("reason", "volunteers.reason_needed")])
    );
    record(&app, &staff, u, "95", "经社区核实").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 95);
    assert_eq!(balance(&app, vid, Ledger::Points).await, rules::points_for(95, 10));
    let amounts: Vec<i64> = history(&app, vid, Ledger::Hours).await.iter().map(|e| e.0).collect();
    assert_eq!(amounts, [-10, -5, 10, 100]);
    assert_eq!(repo::signup(app.handle(), u).await.unwrap().unwrap().minutes, Some(95));
    assert_eq!(unbalanced(&app).await, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// The ledgers

/// A confirmed sign-up as the model of the test keeps it.
struct Served {
    signup_id: i64,
    who: usize,
    most: i64,
    per_hour: i64,
    minutes: i64,
}

#[tokio::test]
async fn after_any_mix_of_service_corrections_bonuses_and_spends_the_ledgers_balance() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let merchant = demo_user(&app, "merchant1").await;
    let mut rng = Rng(0x5eed_2026_1127);
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(volunteer(&app, &format!("vol.mix{i}"), "1990-01-01", "").await);
    }
    // Three activities over the next days, two shifts of two places each, at different rates;
    // everyone signs up to shifts at random, some end up waiting, some cancel.
    let mut served = Vec::new();
    for (day, per_hour) in [(28, 10), (29, 7), (30, 13)] {
        let input = ActivityInput {
            shifts: "2".into(),
            capacity: "2".into(),
            points_per_hour: per_hour.to_string(),
            ..plan(
                None,
                &format!("随机活动{day}"),
                &format!("2026-11-{day}T09:00"),
                &format!("2026-11-{day}T12:00"),
            )
        };
        let (a, shifts) = publish(&app, &staff, input).await;
        for (v, _) in &people {
            if rng.below(4) == 0 {
                continue;
            }
            let (u, _) = sign_up(&app, v, a, rng.pick(&shifts)).await;
            if rng.below(5) == 0 {
                signup::cancel(&app.state, v, u).await.unwrap();
            }
        }
        for u in repo::roster(app.handle(), a).await.unwrap() {
            if u.status == "confirmed" {
                served.push(Served {
                    signup_id: u.signup_id,
                    who: people.iter().position(|(_, id)| *id == u.volunteer_id).unwrap(),
                    most: rules::shift_minutes(u.shift_starts_at, u.shift_ends_at),
                    per_hour,
                    minutes: 0,
                });
            }
        }
    }
    assert!(served.len() >= 6, "enough sign-ups to mix: {}", served.len());
    clock_to(&app, at("2026-12-01T09:00"));
    // What the demo served before.
    let (_, demo_minutes) = minutes_both_ways(&app).await;

    // The model: each volunteer's points.
    let mut points = vec![0_i64; people.len()];
    let (mut spent, mut refused) = (0, 0);
    for step in 0..120 {
        let who = usize::try_from(rng.below(people.len() as u64)).unwrap();
        let vid = people[who].1;
        match rng.below(3) {
            0 => {
                let i = usize::try_from(rng.below(served.len() as u64)).unwrap();
                let s = &mut served[i];
                let m = i64::try_from(rng.below(u64::try_from(s.most).unwrap() + 1)).unwrap();
                record(&app, &staff, s.signup_id, &m.to_string(), &format!("核对 {step}"))
                    .await
                    .unwrap();
                let d = rules::points_for(m, s.per_hour) - rules::points_for(s.minutes, s.per_hour);
                // Points already spent are not taken back below zero.
                let p = &mut points[s.who];
                *p = if d >= 0 { *p + d } else { *p - (-d).min(*p) };
                s.minutes = m;
            }
            1 => {
                let n = i64::try_from(rng.below(40)).unwrap() + 1;
                let input = PointsInput {
                    points: n.to_string(),
                    memo: "优秀志愿者".into(),
                };
                move_points(&app.state, &staff, vid, TxnKind::Bonus, &input)
                    .await
                    .unwrap();
                points[who] += n;
            }
            _ => {
                let n = i64::try_from(rng.below(60)).unwrap() + 1;
                let input = PointsInput {
                    points: n.to_string(),
                    memo: "便民超市兑换".into(),
                };
                let code = card::issue(&app.state.vault, vid, app.state.now_ms());
                let r = redeem::spend(&app.state, &merchant, &code, &input).await;
                if points[who] >= n {
                    r.unwrap();
                    points[who] -= n;
                    spent += 1;
                } else {
                    assert_eq!(conflict(r), "volunteers.not_enough_points");
                    refused += 1;
                }
            }
        }
    }
    assert!(
        spent > 0 && refused > 0,
        "both outcomes of a spend were tried: {spent}, {refused}"
    );

    assert_eq!(unbalanced(&app).await, (0, 0));
    let (signups, entries) = minutes_both_ways(&app).await;
    assert_eq!(signups, entries);
    assert_eq!(entries - demo_minutes, served.iter().map(|s| s.minutes).sum::<i64>());
    for (who, (_, vid)) in people.iter().enumerate() {
        let minutes: i64 = served.iter().filter(|s| s.who == who).map(|s| s.minutes).sum();
        assert_eq!(balance(&app, *vid, Ledger::Hours).await, minutes, "volunteer {who}");
        assert_eq!(
            balance(&app, *vid, Ledger::Points).await,
            points[who],
            "volunteer {who}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_spends_at_once_never_take_a_balance_below_zero() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let merchant = demo_user(&app, "merchant1").await;
    let (v, vid) = volunteer(&app, "vol.rich", "1990-01-01", "").await;
    const N: i64 = 100;
    // Each spend is more than twice a sixteenth of the balance: at most seven fit.
    const EACH: i64 = 13;
    let bonus = PointsInput {
        points: N.to_string(),
        memo: "年度优秀志愿者".into(),
    };
    move_points(&app.state, &staff, vid, TxnKind::Bonus, &bonus)
        .await
        .unwrap();
    // Neither the volunteer nor the merchant crosses into the other's role; the merchant spends
    // through the code the volunteer presents, never by id.
    let spend = PointsInput {
        points: EACH.to_string(),
        memo: "便民超市兑换".into(),
    };
    let code = card::issue(&app.state.vault, vid, app.state.now_ms());
    assert!(matches!(
        redeem::spend(&app.state, &v, &code, &spend).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        move_points(&app.state, &merchant, vid, TxnKind::Spend, &spend).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        move_points(&app.state, &merchant, vid, TxnKind::Bonus, &bonus).await,
        Err(Error::NotFound)
    ));

    let mut tasks = Vec::new();
    for i in 0..16 {
        let state = app.state.clone();
        let merchant = merchant.clone();
        let code = code.clone();
        let input = PointsInput {
            points: EACH.to_string(),
            memo: format!("便民超市兑换 {i}"),
        };
        tasks.push(tokio::spawn(async move {
            redeem::spend(&state, &merchant, &code, &input).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::Conflict(_, m)) if m.key == "volunteers.not_enough_points" => {}
            Err(other) => panic!("a spend failed otherwise than for want of points: {other:?}"),
        }
    }
    assert!(ok * EACH <= N);
    assert_eq!(
        ok,
        N / EACH,
        "decided one after the other, every spend that fits passes"
    );
    let left = balance(&app, vid, Ledger::Points).await;
    assert_eq!(left, N - ok * EACH);
    assert!(left >= 0);
    assert_eq!(unbalanced(&app).await, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Certificates

#[tokio::test]
async fn a_certificate_shows_the_record_as_issued_and_anyone_can_verify_it() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let c = xlg(&app).await;
    let t = new_team(&app, &staff, "社区理发队", "").await;
    let (a1, s1) = publish(
        &app,
        &staff,
        plan(Some(t), "义务理发", "2026-11-28T09:00", "2026-11-28T11:00"),
    )
    .await;
    let (a2, s2) = publish(
        &app,
        &staff,
        plan(None, "政策宣传", "2026-11-29T14:00", "2026-11-29T15:30"),
    )
    .await;
    let (v, vid) = volunteer(&app, "vol.barber", "1975-09-09", "理发").await;
    let (other, _) = volunteer(&app, "vol.nosy", "1990-01-01", "").await;
    let (u1, _) = sign_up(&app, &v, a1, s1[0]).await;
    let (u2, _) = sign_up(&app, &v, a2, s2[0]).await;
    clock_to(&app, at("2026-11-30T10:00"));
    record(&app, &staff, u1, "120", "").await.unwrap();
    record(&app, &staff, u2, "90", "").await.unwrap();
    // Stars at 2, 3 and 10 hours in this community: 3.5 hours are two stars.
    set_setting(&app, c.community_id, "volunteers.star_hours", "2,3,10").await;

    let code = certificate::issue(&app.state, &v, vid).await.unwrap();
    let (id, shows, issued_at) = certificate::verify(&app.state, &code).await.unwrap();
    assert_eq!((id, issued_at), (vid, app.state.now_ms()));
    assert_eq!(
        (shows.name.as_str(), shows.community.as_str(), shows.issued_on.as_str()),
        ("vol.barber", c.name.as_str(), "2026-11-30")
    );
    assert_eq!((shows.minutes, shows.service_count, shows.stars), (210, 2, 2));
    let services: Vec<(&str, &str, &str, i64)> = shows
        .services
        .iter()
        .map(|s| (s.date.as_str(), s.title.as_str(), s.organiser.as_str(), s.minutes))
        .collect();
    assert_eq!(
        services,
        [
            ("2026-11-29", "政策宣传", c.name.as_str(), 90),
            ("2026-11-28", "义务理发", "社区理发队", 120),
        ]
    );
    let printed = serde_json::to_string(&shows).unwrap();
    // Typed by hand, in lower case and with spaces around it.
    let typed = format!(" {} ", code.to_lowercase());
    assert_eq!(
        serde_json::to_string(&certificate::verify(&app.state, &typed).await.unwrap().1).unwrap(),
        printed
    );
    // Only the volunteer or staff issue one.
    assert!(matches!(
        certificate::issue(&app.state, &other, vid).await,
        Err(Error::NotFound)
    ));

    // The record changes afterwards: the certificate issued does not.
    record(&app, &staff, u2, "60", "宣传提前结束").await.unwrap();
    set_setting(&app, c.community_id, "volunteers.star_hours", "1,2,3,4").await;
    let (_, again, _) = certificate::verify(&app.state, &code).await.unwrap();
    assert_eq!(serde_json::to_string(&again).unwrap(), printed);
    // A new one shows the record as it stands, with the stars the setting gives now.
    let newer = certificate::issue(&app.state, &staff, vid).await.unwrap();
    assert_ne!(newer, code);
    let (_, now_shows, _) = certificate::verify(&app.state, &newer).await.unwrap();
    assert_eq!((now_shows.minutes, now_shows.stars), (180, 3));
    assert_eq!(now_shows.services[0].minutes, 60);

    for unknown in [
        "ABCDEFGHJKMN".to_owned(),
        code[..11].to_owned(),
        format!("{code}A"),
        String::new(),
        "'; drop table vol_certificate; --".to_owned(),
        "文字文字文字文字文字文字".to_owned(),
    ] {
        assert!(
            matches!(certificate::verify(&app.state, &unknown).await, Err(Error::NotFound)),
            "{unknown}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Reminders

/// How many reminders each has had.
async fn reminded(app: &TestApp, who: &[&Actor]) -> Vec<usize> {
    let mut out = Vec::new();
    for w in who {
        let n = told(app, w)
            .await
            .iter()
            .filter(|k| *k == "volunteers.note_reminder")
            .count();
        out.push(n);
    }
    out
}

/// A tick of the reminders; how many were sent (the demo's volunteers' among them).
async fn tick(app: &TestApp) -> usize {
    remind::remind(&app.state).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_signed_up_is_reminded_once_a_day_before_their_shift() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    // It is Friday 10:00. Saturday 16:00, one place; Sunday 14:00; a Saturday activity cancelled.
    let one_place = ActivityInput {
        capacity: "1".into(),
        ..plan(None, "义诊", "2026-11-28T16:00", "2026-11-28T18:00")
    };
    let (a, sa) = publish(&app, &staff, one_place).await;
    let (b, sb) = publish(
        &app,
        &staff,
        plan(None, "图书整理", "2026-11-29T14:00", "2026-11-29T15:00"),
    )
    .await;
    let (cancelled, sc) = publish(
        &app,
        &staff,
        plan(None, "户外观影", "2026-11-28T15:00", "2026-11-28T17:00"),
    )
    .await;
    let (v1, _) = volunteer(&app, "vol.one", "1990-01-01", "").await;
    let (v2, _) = volunteer(&app, "vol.two", "1990-01-01", "").await;
    let (v3, _) = volunteer(&app, "vol.three", "1990-01-01", "").await;
    let (v4, _) = volunteer(&app, "vol.four", "1990-01-01", "").await;
    let all = [&v1, &v2, &v3, &v4];
    let (u1, _) = sign_up(&app, &v1, a, sa[0]).await;
    assert_eq!(sign_up(&app, &v2, a, sa[0]).await.1, SignupStatus::Waiting);
    sign_up(&app, &v3, b, sb[0]).await;
    sign_up(&app, &v4, cancelled, sc[0]).await;
    activity::cancel(&app.state, &staff, cancelled).await.unwrap();

    tick(&app).await;
    assert_eq!(reminded(&app, &all).await, [0, 0, 0, 0], "30 hours ahead");
    // 24 hours before Saturday 16:00: the one confirmed, not the one waiting.
    clock_to(&app, at("2026-11-27T16:00"));
    assert!(tick(&app).await >= 1);
    assert_eq!(reminded(&app, &all).await, [1, 0, 0, 0]);
    assert_eq!(tick(&app).await, 0, "never twice");
    app.state.clock.advance_ms(HOUR);
    tick(&app).await;
    assert_eq!(reminded(&app, &all).await, [1, 0, 0, 0]);
    // The first cancels; the one who takes her place is reminded at the next tick.
    signup::cancel(&app.state, &v1, u1).await.unwrap();
    assert!(tick(&app).await >= 1);
    assert_eq!(tick(&app).await, 0);
    assert_eq!(reminded(&app, &all).await, [1, 1, 0, 0]);
    assert_eq!(sign_up(&app, &v1, a, sa[0]).await.1, SignupStatus::Waiting);

    // Two instances ticking at once send Sunday's reminder once.
    clock_to(&app, at("2026-11-28T14:00"));
    let other = app.state.clone();
    let (x, y) = tokio::join!(remind::remind(&app.state), remind::remind(&other));
    assert!(x.unwrap() + y.unwrap() >= 1);
    assert_eq!(reminded(&app, &all).await, [1, 1, 1, 0]);
    // Nothing for shifts begun, nor for the cancelled activity, ever.
    clock_to(&app, at("2026-11-28T16:30"));
    tick(&app).await;
    assert_eq!(reminded(&app, &all).await, [1, 1, 1, 0]);
}

// ---------------------------------------------------------------------------------------------
// Reports

/// A community beside the demo's, with one grid and nothing else yet: the community, the grid's
/// id and name, and a member of its staff.
async fn empty_community(app: &TestApp) -> (CommunityAt, (i64, String), Actor) {
    use yijia_structure::commands::create_community::{create_community, CommunityInput};
    use yijia_structure::commands::create_node::create_node;
    use yijia_structure::model::{Level, NodeInput};
    let cli = Actor::cli();
    let input = CommunityInput {
        subdistrict: Some("XLGJD".into()),
        code: Some("BBY".into()),
        name: Some("白银路社区".into()),
        time_zone: Some("Asia/Shanghai".into()),
        ..CommunityInput::default()
    };
    let cid = create_community(&app.state, &cli, &input).await.unwrap();
    let grid = NodeInput {
        code: Some("B01".into()),
        name: Some("白银路第一网格".into()),
        ..NodeInput::default()
    };
    let g = create_node(&app.state, &cli, Level::Grid, cid, &grid).await.unwrap();
    let c = yijia_kernel::community::by_id(app.handle(), cid)
        .await
        .unwrap()
        .unwrap();
    let staff = person_in(app, "BBY", "bby.staff", Role::CommunityStaff).await;
    (c, (g, "白银路第一网格".to_owned()), staff)
}

#[tokio::test]
async fn the_report_sums_minutes_by_team_grid_and_local_month_of_a_year_or_a_month() {
    let app = demo_app().await;
    let (c, (g, grid_name), staff) = empty_community(&app).await;
    let t1 = new_team(&app, &staff, "报表甲队", "").await;
    let t2 = new_team(&app, &staff, "报表乙队", "").await;
    let (v1, id1) = volunteer_in(&app, "BBY", "vol.r1", "1990-01-01", "").await;
    let (v2, id2) = volunteer_in(&app, "BBY", "vol.r2", "1990-01-01", "").await;
    let (v3, id3) = volunteer_in(&app, "BBY", "vol.r3", "1990-01-01", "").await;

    let in_grid = ActivityInput {
        grids: g.to_string(),
        ..plan(Some(t1), "甲队一", "2026-12-05T09:00", "2026-12-05T11:00")
    };
    let (a1, s1) = publish(&app, &staff, in_grid).await;
    let one_place = ActivityInput {
        capacity: "1".into(),
        ..plan(Some(t1), "甲队二", "2026-12-20T14:00", "2026-12-20T17:00")
    };
    let (a2, s2) = publish(&app, &staff, one_place).await;
    let (a3, s3) = publish(
        &app,
        &staff,
        plan(Some(t2), "乙队十一月", "2026-11-30T09:00", "2026-11-30T10:30"),
    )
    .await;
    // 07:00 on New Year's Day in Lanzhou is still 2026 in UTC: it counts in January 2027.
    let (a4, s4) = publish(
        &app,
        &staff,
        plan(Some(t2), "乙队元旦", "2027-01-01T07:00", "2027-01-01T09:00"),
    )
    .await;
    let (a5, s5) = publish(
        &app,
        &staff,
        plan(Some(t2), "乙队取消", "2026-12-10T09:00", "2026-12-10T10:00"),
    )
    .await;
    publish(
        &app,
        &staff,
        plan(Some(t2), "乙队二月", "2027-02-10T09:00", "2027-02-10T10:00"),
    )
    .await;
    let (u11, _) = sign_up(&app, &v1, a1, s1[0]).await;
    let (u12, _) = sign_up(&app, &v2, a1, s1[0]).await;
    let (u21, _) = sign_up(&app, &v1, a2, s2[0]).await;
    let (u22, st) = sign_up(&app, &v2, a2, s2[0]).await;
    assert_eq!(st, SignupStatus::Waiting);
    let (u32, _) = sign_up(&app, &v2, a3, s3[0]).await;
    let (u33, _) = sign_up(&app, &v3, a3, s3[0]).await;
    let (u43, _) = sign_up(&app, &v3, a4, s4[0]).await;
    let (u53, _) = sign_up(&app, &v3, a5, s5[0]).await;
    clock_to(&app, at("2026-12-10T09:30"));
    // Rained off while under way: a cancelled activity gives no hours.
    activity::cancel(&app.state, &staff, a5).await.unwrap();
    assert_eq!(
        conflict(record(&app, &staff, u53, "30", "补录").await),
        "volunteers.activity_cancelled"
    );

    clock_to(&app, at("2027-01-02T12:00"));
    for (u, m) in [
        (u11, "120"),
        (u12, "90"),
        (u21, "150"),
        (u32, "60"),
        (u33, "45"),
        (u43, "100"),
    ] {
        record(&app, &staff, u, m, "补录").await.unwrap();
    }
    assert_eq!(
        conflict(record(&app, &staff, u22, "30", "补录").await),
        "volunteers.not_confirmed"
    );
    activity::served(&app.state, &staff, a1, "35").await.unwrap();

    let report = reports::build(&app.state, &c, 2026, None).await.unwrap();
    let lines = |lines: &[reports::Line]| -> Vec<(String, [i64; 12], i64)> {
        lines.iter().map(|l| (l.name.clone(), l.months, l.total)).collect()
    };
    assert_eq!(
        lines(&report.by_team),
        [
            ("报表乙队".to_owned(), months(60 + 45, 0), 105),
            ("报表甲队".to_owned(), months(0, 120 + 90 + 150), 360),
        ]
    );
    assert_eq!(lines(&report.by_grid), [(grid_name, months(0, 120 + 90), 210)]);
    assert_eq!((report.total.months, report.total.total), (months(105, 360), 465));
    assert_eq!(report.held, months(1, 2), "the cancelled one not held");
    assert_eq!(report.attendances, months(2, 3));
    assert_eq!(report.served, months(0, 35));
    let top: Vec<(i64, i64, i64)> = report
        .top
        .iter()
        .map(|t| (t.volunteer_id, t.minutes, t.activities))
        .collect();
    assert_eq!(top, [(id1, 270, 2), (id2, 150, 2), (id3, 45, 1)]);

    // December alone: November's hours and volunteers are not in it.
    let december = reports::build(&app.state, &c, 2026, Some(12)).await.unwrap();
    assert_eq!(december.month, Some(12));
    assert_eq!(lines(&december.by_team), [("报表甲队".to_owned(), months(0, 360), 360)]);
    assert_eq!((december.held, december.attendances), (months(0, 2), months(0, 3)));
    let top: Vec<(i64, i64)> = december.top.iter().map(|t| (t.volunteer_id, t.minutes)).collect();
    assert_eq!(top, [(id1, 270), (id2, 90)]);
    // A correction moves the activity's totals with the sign-up's: down to nothing, it is no
    // longer an attendance.
    record(&app, &staff, u12, "0", "未到岗，误录").await.unwrap();
    let corrected = reports::build(&app.state, &c, 2026, Some(12)).await.unwrap();
    assert_eq!((corrected.total.total, corrected.attendances), (270, months(0, 2)));
    record(&app, &staff, u11, "100", "核对签到表").await.unwrap();
    let corrected = reports::build(&app.state, &c, 2026, None).await.unwrap();
    assert_eq!(corrected.total.months, months(105, 100 + 150));

    let next = reports::build(&app.state, &c, 2027, None).await.unwrap();
    let mut january = [0; 12];
    january[0] = 100;
    assert_eq!(lines(&next.by_team), [("报表乙队".to_owned(), january, 100)]);
    assert_eq!(next.total.months, january);
    assert_eq!(next.held, january.map(|m| m / 100), "February's is still to come");
}

/// A year's months with November's and December's values.
fn months(november: i64, december: i64) -> [i64; 12] {
    let mut m = [0; 12];
    m[10] = november;
    m[11] = december;
    m
}

#[tokio::test]
async fn points_spent_before_a_correction_are_not_paid_out_again_by_a_later_one() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let (t, lead) = team_with_leader(&app, &staff, "修正测试队", "vol.fixlead").await;
    let (a, sa) = publish(
        &app,
        &lead,
        plan(Some(t), "便民维修", "2026-11-28T10:00", "2026-11-28T12:00"),
    )
    .await;
    let (v, vid) = volunteer(&app, "vol.spender", "1990-01-01", "").await;
    let (u, _) = sign_up(&app, &v, a, sa[0]).await;
    clock_to(&app, at("2026-11-28T13:00"));
    // 120 minutes at 10 an hour: 20 points, all spent at the alliance.
    record(&app, &lead, u, "120", "").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Points).await, 20);
    let spend = PointsInput {
        points: "20".to_owned(),
        memo: "便民超市".to_owned(),
    };
    move_points(&app.state, &staff, vid, TxnKind::Spend, &spend)
        .await
        .unwrap();
    // Halved: the 10 points it no longer earns are already spent, none can be taken back.
    record(&app, &lead, u, "60", "只服务了一小时").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Points).await, 0);
    // Set back to the two hours: the volunteer still holds the 20 points' worth (spent), so
    // nothing more is paid.
    record(&app, &lead, u, "120", "核实后恢复").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Points).await, 0);
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 120);
    assert_eq!(unbalanced(&app).await, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Issue 28: hours are a public record of service; they count only time given.

/// Pairs of one volunteer's credited sign-ups whose intervals overlap, and credited sign-ups
/// whose interval is not as long as their minutes: both always zero.
async fn overlapping(app: &TestApp, volunteer_id: i64) -> (i64, i64) {
    on_db!(app.handle(), |p| sqlx::query_as(
        "select (select count(*) from vol_signup x join vol_signup y on y.volunteer_id = x.volunteer_id \
           and x.signup_id < y.signup_id \
           where x.volunteer_id = $1 and x.status = 'confirmed' and y.status = 'confirmed' \
           and x.minutes > 0 and y.minutes > 0 \
           and x.credited_from < y.credited_to and y.credited_from < x.credited_to), \
         (select count(*) from vol_signup where volunteer_id = $1 and minutes > 0 \
           and (credited_from is null or credited_to - credited_from <> minutes * 60000))"
    )
    .bind(volunteer_id)
    .fetch_one(p)
    .await
    .unwrap())
}

/// A certificate's total issued now for a volunteer, as anyone verifying it reads it.
async fn certified(app: &TestApp, who: &Actor, volunteer_id: i64) -> i64 {
    let code = certificate::issue(&app.state, who, volunteer_id).await.unwrap();
    certificate::verify(&app.state, &code).await.unwrap().1.minutes
}

#[tokio::test]
async fn after_the_entry_lock_a_check_out_credits_nothing_like_an_entry() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let (t, lead) = team_with_leader(&app, &staff, "楼道队", "vol.lead28").await;
    let (a, sa) = publish(
        &app,
        &lead,
        plan(Some(t), "楼道清理", "2026-11-28T10:00", "2026-11-28T12:00"),
    )
    .await;
    let (v, vid) = volunteer(&app, "vol.late28", "1990-01-01", "").await;
    let (u, _) = sign_up(&app, &v, a, sa[0]).await;
    clock_to(&app, at("2026-11-28T10:03"));
    attendance::mark(&app.state, &lead, u, "in").await.unwrap();
    // Twenty days later the leader may no longer enter minutes, nor credit them by a mark out.
    clock_to(&app, at("2026-12-18T10:00"));
    assert_eq!(
        conflict(record(&app, &lead, u, "57", "").await),
        "volunteers.entry_locked"
    );
    assert_eq!(
        conflict(attendance::mark(&app.state, &lead, u, "out").await),
        "volunteers.entry_locked"
    );
    // Staff neither: after the lock, time is credited by an entry with its reason only.
    assert_eq!(
        conflict(attendance::mark(&app.state, &staff, u, "out").await),
        "volunteers.entry_locked"
    );
    let row = repo::signup(app.handle(), u).await.unwrap().unwrap();
    assert_eq!((row.checked_out_at, row.minutes), (None, None));
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 0);
    assert_eq!(balance(&app, vid, Ledger::Points).await, 0);
    record(&app, &staff, u, "57", "经社区核实").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 57);
    assert_eq!(unbalanced(&app).await, (0, 0));
}

#[tokio::test]
async fn three_activities_at_the_same_hour_credit_the_hour_once() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let mut activities = Vec::new();
    for title in ["宣传甲", "宣传乙", "宣传丙"] {
        activities.push(publish(&app, &staff, plan(None, title, "2026-11-28T10:00", "2026-11-28T11:00")).await);
    }
    let (v, vid) = volunteer(&app, "vol.everywhere", "1990-01-01", "").await;
    let mut signups = Vec::new();
    for (a, sa) in &activities {
        signups.push(sign_up(&app, &v, *a, sa[0]).await.0);
    }
    clock_to(&app, at("2026-11-28T10:00"));
    for (a, _) in &activities {
        attendance::scan(&app.state, &v, &code(&app.state, *a, Purpose::CheckIn))
            .await
            .unwrap();
    }
    clock_to(&app, at("2026-11-28T10:04"));
    let mut credited = Vec::new();
    for (a, _) in &activities {
        let s = attendance::scan(&app.state, &v, &code(&app.state, *a, Purpose::CheckOut))
            .await
            .unwrap();
        let out = s.out.unwrap();
        credited.push((out.served, out.credited, out.not_counted, out.overlaps));
    }
    // Four real minutes: the first check-out credits them, the others say why they credit none.
    assert_eq!(
        credited,
        [
            (4, 4, 0, vec![]),
            (4, 0, 4, vec!["宣传甲".to_owned()]),
            (4, 0, 4, vec!["宣传甲".to_owned()]),
        ]
    );
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 4);
    assert_eq!(overlapping(&app, vid).await, (0, 0));
    // A leader's entry that would credit the same time again is refused, saying what is left.
    clock_to(&app, at("2026-11-28T11:30"));
    let refused = record(&app, &staff, signups[1], "60", "补录").await;
    match refused {
        Err(Error::Conflict(_, m)) => {
            assert_eq!(m.key, "volunteers.time_already_credited");
            assert!(m.args.iter().any(|(k, v)| *k == "free" && v == "56"), "{m:?}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    record(&app, &staff, signups[1], "56", "补录后半段").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 60);
    assert_eq!(
        conflict(record(&app, &staff, signups[2], "1", "补录").await),
        "volunteers.time_already_credited"
    );
    assert_eq!(overlapping(&app, vid).await, (0, 0));
    assert_eq!(certified(&app, &staff, vid).await, 60);
    assert_eq!(unbalanced(&app).await, (0, 0));
}

#[tokio::test]
async fn cancelling_a_sign_up_or_an_activity_reverses_what_it_credited() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let c = xlg(&app).await;
    let (t, lead) = team_with_leader(&app, &staff, "宣传队", "vol.lead12").await;
    let (a, sa) = publish(
        &app,
        &lead,
        plan(Some(t), "政策宣传", "2026-11-28T10:00", "2026-11-28T12:00"),
    )
    .await;
    let (b, sb) = publish(
        &app,
        &lead,
        plan(Some(t), "义务巡逻", "2026-11-29T10:00", "2026-11-29T12:00"),
    )
    .await;
    let (v, vid) = volunteer(&app, "vol.cancel28", "1990-01-01", "").await;
    let (u1, _) = sign_up(&app, &v, a, sa[0]).await;
    let (u2, _) = sign_up(&app, &v, b, sb[0]).await;
    // 60 minutes entered for a sign-up, which is then cancelled: the credit is reversed.
    clock_to(&app, at("2026-11-28T11:05"));
    record(&app, &lead, u1, "60", "提前到岗").await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 60);
    signup::cancel(&app.state, &lead, u1).await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 0);
    assert_eq!(balance(&app, vid, Ledger::Points).await, 0);
    assert_eq!(
        history(&app, vid, Ledger::Hours).await,
        [
            (-60, "reversal".to_owned(), "报名已取消".to_owned()),
            (60, "service".to_owned(), "提前到岗".to_owned()),
        ]
    );
    // An activity under way, 8 minutes credited, then cancelled: reversed too.
    clock_to(&app, at("2026-11-29T10:00"));
    attendance::scan(&app.state, &v, &code(&app.state, b, Purpose::CheckIn))
        .await
        .unwrap();
    clock_to(&app, at("2026-11-29T10:08"));
    attendance::scan(&app.state, &v, &code(&app.state, b, Purpose::CheckOut))
        .await
        .unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 8);
    activity::cancel(&app.state, &lead, b).await.unwrap();
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 0);
    assert_eq!(balance(&app, vid, Ledger::Points).await, 0);
    assert_eq!(
        history(&app, vid, Ledger::Hours).await[0],
        (-8, "reversal".to_owned(), "活动已取消：义务巡逻".to_owned())
    );
    assert_eq!(repo::signup(app.handle(), u2).await.unwrap().unwrap().minutes, Some(0));
    // Ledger, certificate and report agree.
    assert_eq!(certified(&app, &v, vid).await, 0);
    let report = reports::build(&app.state, &c, 2026, Some(11)).await.unwrap();
    assert!(report.top.iter().all(|t| t.volunteer_id != vid));
    let (signups, entries) = minutes_both_ways(&app).await;
    assert_eq!(signups, entries);
    assert_eq!(unbalanced(&app).await, (0, 0));
}

#[tokio::test]
async fn a_check_out_never_overrides_an_entry_and_an_early_entry_needs_a_reason() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let (t, lead) = team_with_leader(&app, &staff, "助老队", "vol.lead13").await;
    let (a, sa) = publish(
        &app,
        &lead,
        plan(Some(t), "助老探访", "2026-11-28T10:00", "2026-11-28T11:00"),
    )
    .await;
    let (v, vid) = volunteer(&app, "vol.entry28", "1990-01-01", "").await;
    let (w, wid) = volunteer(&app, "vol.absent28", "1990-01-01", "").await;
    let (u, _) = sign_up(&app, &v, a, sa[0]).await;
    let (uw, _) = sign_up(&app, &w, a, sa[0]).await;
    // Three minutes after the start, a whole shift for someone who never came: not without a reason.
    clock_to(&app, at("2026-11-28T10:03"));
    assert_eq!(
        invalid(record(&app, &lead, uw, "60", "").await),
        fields(&[("reason", "volunteers.reason_needed")])
    );
    assert_eq!(balance(&app, wid, Ledger::Hours).await, 0);
    attendance::scan(&app.state, &v, &code(&app.state, a, Purpose::CheckIn))
        .await
        .unwrap();
    // The leader enters the hour after the end; the volunteer's later check-out keeps it.
    clock_to(&app, at("2026-11-28T11:00"));
    record(&app, &lead, u, "60", "").await.unwrap();
    clock_to(&app, at("2026-11-28T11:10"));
    let s = attendance::scan(&app.state, &v, &code(&app.state, a, Purpose::CheckOut))
        .await
        .unwrap();
    let out = s.out.unwrap();
    assert_eq!((s.minutes, out.kept_entry, out.served), (Some(60), true, 57));
    assert_eq!(balance(&app, vid, Ledger::Hours).await, 60);
    assert_eq!(
        history(&app, vid, Ledger::Hours).await,
        [(60, "service".to_owned(), String::new())]
    );
    let row = repo::signup(app.handle(), u).await.unwrap().unwrap();
    assert_eq!(
        row.checked_out_at,
        Some(at("2026-11-28T11:10")),
        "the check-out is kept"
    );
    // An entry after a check-out is the later one: it needs its reason, and both stay in the history.
    assert_eq!(
        invalid(record(&app, &lead, u, "50", "").await),
        fields(&[("reason", "volunteers.reason_needed")])
    );
    record(&app, &lead, u, "57", "按签到签退时间").await.unwrap();
    assert_eq!(
        history(&app, vid, Ledger::Hours).await,
        [
            (-3, "correction".to_owned(), "按签到签退时间".to_owned()),
            (60, "service".to_owned(), String::new()),
        ]
    );
    assert_eq!(unbalanced(&app).await, (0, 0));
}

// ---------------------------------------------------------------------------------------------
// The property: whatever happens, reports and certificates agree with the ledger, and no two
// credited intervals of one volunteer overlap.

/// One step of a random sequence, on three volunteers and three activities that overlap in time.
#[derive(Debug, Clone)]
enum Step {
    SignUp(usize, usize),
    CheckIn(usize, usize),
    CheckOut(usize, usize),
    /// Minutes entered by staff, with a reason or without.
    Entry(usize, usize, i64, bool),
    CancelSignup(usize, usize),
    CancelActivity(usize),
    Spend(usize, i64),
    /// The clock moves on, in minutes.
    Wait(i64),
}

fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
    use proptest::prelude::*;
    let who = 0..3_usize;
    let what = 0..3_usize;
    let step = prop_oneof![
        3 => (who.clone(), what.clone()).prop_map(|(v, a)| Step::SignUp(v, a)),
        3 => (who.clone(), what.clone()).prop_map(|(v, a)| Step::CheckIn(v, a)),
        3 => (who.clone(), what.clone()).prop_map(|(v, a)| Step::CheckOut(v, a)),
        3 => (who.clone(), what.clone(), 0..=70_i64, any::<bool>()).prop_map(|(v, a, m, r)| Step::Entry(v, a, m, r)),
        1 => (who.clone(), what.clone()).prop_map(|(v, a)| Step::CancelSignup(v, a)),
        1 => what.prop_map(Step::CancelActivity),
        1 => (who, 1..30_i64).prop_map(|(v, p)| Step::Spend(v, p)),
        4 => (1..40_i64).prop_map(Step::Wait),
    ];
    proptest::collection::vec(step, 4..24)
}

/// Who is signed up to what before the first step (volunteer × activity), then the steps.
fn sequences() -> impl proptest::strategy::Strategy<Value = (Vec<bool>, Vec<Step>)> {
    use proptest::prelude::*;
    (proptest::collection::vec(any::<bool>(), 9), steps())
}

/// A refusal is an answer; an internal error is a bug.
#[track_caller]
fn answered<T: Debug>(r: Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(Error::Conflict(..) | Error::Validation(_) | Error::NotFound | Error::BadRequest(..)) => None,
        Err(other) => panic!("a command failed: {other:?}"),
    }
}

/// Runs one sequence in a community of its own, then checks the ledger against the report and
/// the certificates, and the credited intervals against each other.
async fn run_sequence(app: &TestApp, case: usize, roster: &[bool], sequence: &[Step]) {
    use yijia_structure::commands::create_community::{create_community, CommunityInput};
    let cli = Actor::cli();
    let code = format!("PT{case:03}");
    let input = CommunityInput {
        subdistrict: Some("XLGJD".into()),
        code: Some(code.clone()),
        name: Some(format!("性质测试社区{case}")),
        time_zone: Some("Asia/Shanghai".into()),
        ..CommunityInput::default()
    };
    let cid = create_community(&app.state, &cli, &input).await.unwrap();
    let c = yijia_kernel::community::by_id(app.handle(), cid)
        .await
        .unwrap()
        .unwrap();
    let staff = person_in(app, &code, &format!("pt{case}.staff"), Role::CommunityStaff).await;
    let mut people = Vec::new();
    for i in 0..3 {
        people.push(volunteer_in(app, &code, &format!("pt{case}.v{i}"), "1990-01-01", "").await);
    }
    // Tomorrow, three activities over one another: 10:00–11:00, 10:30–11:30, 10:00–12:00.
    let day = rules::local_date(app.state.now_ms(), &zone()).tomorrow().unwrap();
    let mut acts = Vec::new();
    for (i, (s, e)) in [("10:00", "11:00"), ("10:30", "11:30"), ("10:00", "12:00")]
        .into_iter()
        .enumerate()
    {
        let plan = ActivityInput {
            community: cid.to_string(),
            capacity: "2".into(),
            ..plan(None, &format!("活动{i}"), &format!("{day}T{s}"), &format!("{day}T{e}"))
        };
        acts.push(publish(app, &staff, plan).await);
    }
    clock_to(app, at(&format!("{day}T09:30")));
    let mut signups = std::collections::HashMap::new();
    for (i, _) in roster.iter().enumerate().filter(|(_, on)| **on) {
        let (v, a) = (i / 3, i % 3);
        let (act, shifts) = &acts[a];
        let (id, _) = signup::sign_up(&app.state, &people[v].0, *act, shifts[0])
            .await
            .unwrap();
        signups.insert((v, a), id);
    }
    // The steps begin as the first activities start (check-in opened an hour before).
    clock_to(app, at(&format!("{day}T10:00")));
    for step in sequence {
        match *step {
            Step::SignUp(v, a) => {
                let (act, shifts) = &acts[a];
                if let Some((id, _)) = answered(signup::sign_up(&app.state, &people[v].0, *act, shifts[0]).await) {
                    signups.insert((v, a), id);
                }
            }
            Step::CheckIn(v, a) | Step::CheckOut(v, a) => {
                let purpose = if matches!(step, Step::CheckIn(..)) {
                    Purpose::CheckIn
                } else {
                    Purpose::CheckOut
                };
                answered(attendance::scan(&app.state, &people[v].0, &code_for(&app.state, acts[a].0, purpose)).await);
            }
            Step::Entry(v, a, m, with_reason) => {
                if let Some(u) = signups.get(&(v, a)) {
                    let reason = if with_reason { "核对" } else { "" };
                    answered(record(app, &staff, *u, &m.to_string(), reason).await);
                }
            }
            Step::CancelSignup(v, a) => {
                if let Some(u) = signups.get(&(v, a)) {
                    answered(signup::cancel(&app.state, &staff, *u).await);
                }
            }
            Step::CancelActivity(a) => {
                answered(activity::cancel(&app.state, &staff, acts[a].0).await);
            }
            Step::Spend(v, p) => {
                let input = PointsInput {
                    points: p.to_string(),
                    memo: "便民超市兑换".into(),
                };
                answered(move_points(&app.state, &staff, people[v].1, TxnKind::Spend, &input).await);
            }
            Step::Wait(m) => app.state.clock.advance_ms(m * MIN),
        }
    }

    let report = reports::build(&app.state, &c, day.year(), None).await.unwrap();
    let mut all = 0;
    for (who, (_, vid)) in people.iter().enumerate() {
        let held = balance(app, *vid, Ledger::Hours).await;
        all += held;
        assert!(balance(app, *vid, Ledger::Points).await >= 0);
        assert_eq!(
            certified(app, &staff, *vid).await,
            held,
            "certificate of volunteer {who}"
        );
        let reported = report
            .top
            .iter()
            .find(|t| t.volunteer_id == *vid)
            .map_or(0, |t| t.minutes);
        assert_eq!(reported, held, "report of volunteer {who}");
        assert_eq!(overlapping(app, *vid).await, (0, 0), "intervals of volunteer {who}");
    }
    assert_eq!(report.total.total, all, "the report's total");
}

fn code_for(state: &AppState, activity_id: i64, purpose: Purpose) -> String {
    code(state, activity_id, purpose)
}

#[test]
fn whatever_happens_reports_and_certificates_agree_with_the_ledger_and_credited_time_never_overlaps() {
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(demo_app());
    // A bounded number of cases, each in a community of its own on one database, so that the
    // property runs in well under a minute on both backends.
    let config = Config {
        cases: 32,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let case = std::cell::Cell::new(0);
    TestRunner::new(config)
        .run(&sequences(), |(roster, sequence)| {
            case.set(case.get() + 1);
            rt.block_on(run_sequence(&app, case.get(), &roster, &sequence));
            Ok(())
        })
        .unwrap();
    rt.block_on(async {
        assert_eq!(unbalanced(&app).await, (0, 0));
        let (signups, entries) = minutes_both_ways(&app).await;
        assert_eq!(signups, entries);
    });
}
