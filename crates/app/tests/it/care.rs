//! Wishes and pairing care, driven through their commands, API and pages on the real database:
//! a child's wish from the grid worker to a volunteer's phone and back, confirmed and thanked,
//! without the child's identity ever public; one of two claims at once; lapsed claims; care
//! visits logged only by paired carers; overdue visits escalating on a clock the test drives;
//! care data shown only to those who look after the household, every reading audited.

use yijia_care::commands::pairing::{self, PairInput};
use yijia_care::commands::visit::{self, VisitInput};
use yijia_care::commands::wish::{self, ClaimInput, ConfirmInput, FulfilInput, ThankInput, VetInput, WishInput};
use yijia_care::model::VisitState;
use yijia_care::{repo, view};
use yijia_db::on_db;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, Error, Role};
use yijia_testkit::TestApp;
use yijia_volunteers::model::Ledger;

use crate::support::*;
use crate::{demo_app, PW};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A household of a grid, with its address and the names of those living there.
struct Home {
    id: i64,
    building: String,
    unit: String,
    door: String,
    names: Vec<String>,
}

async fn home_in(app: &TestApp, grid: &str, nth: i64) -> Home {
    let row: (i64, String, String, String) = on_db!(app.handle(), |p| sqlx::query_as(
        "select h.household_id, b.name, u.name, h.code from household h join grid g on g.grid_id = h.grid_id \
         join building b on b.building_id = h.building_id join unit u on u.unit_id = h.unit_id \
         where g.code = $1 and exists (select 1 from registry_resident r where r.household_id = h.household_id) \
         order by h.household_id limit 1 offset $2"
    )
    .bind(grid)
    .bind(nth)
    .fetch_one(p)
    .await
    .unwrap());
    let names = yijia_registry::repo::household_members(app.handle(), row.0)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    Home {
        id: row.0,
        building: row.1,
        unit: row.2,
        door: row.3,
        names,
    }
}

fn wish_for(household: Option<i64>, title: &str, body: &str) -> WishInput {
    WishInput {
        community: "1".into(),
        household: household.map(|h| h.to_string()).unwrap_or_default(),
        category: "study".into(),
        title: title.into(),
        body: body.into(),
        value_yuan: "150".into(),
        contact_name: "马建国".into(),
        contact_phone: "13909311001".into(),
    }
}

fn vet() -> VetInput {
    VetInput {
        action: "vet".into(),
        reason: String::new(),
    }
}

fn claim_as(kind: &str, name: &str) -> ClaimInput {
    ClaimInput {
        kind: kind.into(),
        name: name.into(),
        ..ClaimInput::default()
    }
}

fn fulfilled(note: &str, minutes: &str) -> FulfilInput {
    FulfilInput {
        note: note.into(),
        minutes: minutes.into(),
    }
}

async fn png(app: &TestApp) -> Vec<yijia_kernel::files::PreparedImage> {
    wish::prepare_photos(&app.state, &[hex(PNG_WITH_TEXT)]).await.unwrap()
}

async fn status(app: &TestApp, id: i64) -> String {
    repo::wish(app.handle(), id).await.unwrap().unwrap().status
}

async fn audits(app: &TestApp, action: &str) -> i64 {
    on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from audit_event where action = $1"
    )
    .bind(action)
    .fetch_one(p)
    .await
    .unwrap())
}

/// The tiers alerted about a pairing for a reason, in the order sent.
async fn alerted(app: &TestApp, pairing: i64, reason: &str) -> Vec<String> {
    on_db!(app.handle(), |p| sqlx::query_scalar(
        "select tier from care_alert where pairing_id = $1 and reason = $2 order by alert_id"
    )
    .bind(pairing)
    .bind(reason)
    .fetch_all(p)
    .await
    .unwrap())
}

fn visit_of(outcome: &str, day: &str) -> VisitInput {
    VisitInput {
        visited_on: day.into(),
        outcome: outcome.into(),
        condition: "精神尚可，腿脚不便".into(),
        needs: "需要有人帮忙买药".into(),
        follow_up: String::new(),
    }
}

/// A care-group household of the demo that waits for a carer, in the given grid.
async fn waiting_household(app: &TestApp, staff: &Actor) -> (i64, i64) {
    let c = xlg(app).await;
    let cov = view::coverage(&app.state, staff, &c, "zh-CN").await.unwrap();
    // The demo leaves one care-group household in seven waiting for a carer.
    let h = cov.households.iter().find(|h| h.state == VisitState::Unpaired).unwrap();
    (h.household_id, h.grid_id)
}

// ---------------------------------------------------------------------------------------------
// Wishes

#[tokio::test]
async fn a_childs_wish_goes_from_the_grid_worker_to_a_volunteers_phone_and_back_without_the_child_being_public() {
    let app = demo_app().await;
    let grid = demo_user(&app, "grid1").await;
    let staff = demo_user(&app, "xlg.staff").await;
    let volunteer = demo_user(&app, "volunteer1").await;
    let party = demo_user(&app, "party1").await;
    let yang = demo_user(&app, "resident1").await;
    let home = home_in(&app, "G01", 2).await;
    let child = home.names.last().unwrap().clone();

    // The grid worker writes the child's name, door and group: refused, naming the kinds of
    // detail to remove and never the words (the answer must not be a registry lookup).
    let leaky = format!(
        "{}{}{}的留守儿童{child}需要一个书包",
        home.building, home.unit, home.door
    );
    let r = wish::raise(&app.state, &grid, &wish_for(Some(home.id), "书包", &leaky), &[]).await;
    let Err(Error::Validation(f)) = r else { panic!("{r:?}") };
    let m = &f.0["body"];
    assert_eq!(m.key, "care.wish_leaks");
    let kinds = m.args.iter().find(|(k, _)| *k == "kinds").unwrap().1.clone();
    assert_eq!(kinds, "姓名、门牌地址、困难群体类别");
    for w in [&child, "留守儿童", &home.building] {
        assert!(!kinds.contains(w), "{kinds} names {w}");
    }
    // Someone of another grid may not raise one for the household.
    let other_grid = person(&app, "grid.other", Role::Volunteer).await;
    let body = "二年级小学生，书包已经破了，希望有一个新书包。";
    assert!(matches!(
        wish::raise(&app.state, &other_grid, &wish_for(Some(home.id), "新书包", body), &[]).await,
        Err(Error::Forbidden)
    ));
    let id = wish::raise(&app.state, &grid, &wish_for(Some(home.id), "新书包", body), &[])
        .await
        .unwrap();

    // Not on the wall until vetted, not even by id.
    let mut yang_api = app.client().with_bearer(&app.token("resident1", PW).await);
    assert_eq!(yang_api.get(&format!("/api/v1/care-wishes/{id}")).await.status, 404);
    wish::vet(&app.state, &staff, id, &vet()).await.unwrap();
    let wall = yang_api.get("/api/v1/care-wishes?community=1").await;
    assert_eq!(wall.status, 200);
    let text = wall.text();
    assert!(text.contains("新书包"));
    let one = yang_api.get(&format!("/api/v1/care-wishes/{id}")).await.text();
    for secret in [
        child.as_str(),
        &home.door,
        "13909311001",
        "household",
        "马建国",
        "resident",
    ] {
        assert!(
            !text.contains(secret) && !one.contains(secret),
            "the wall shows {secret}: {one}"
        );
    }

    // The volunteer claims it; the party member is one tap too late.
    wish::claim(&app.state, &volunteer, id, &claim_as("volunteer", ""))
        .await
        .unwrap();
    let late = wish::claim(&app.state, &party, id, &claim_as("party_member", "")).await;
    assert_eq!(conflict(late), "care.already_claimed");
    assert!(told(&app, &grid).await.contains(&"care.note_claimed".to_owned()));

    // The contact goes to the claimant only, each reading audited.
    assert!(matches!(
        wish::contact(&app.state, &yang, id).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        wish::contact(&app.state, &party, id).await,
        Err(Error::Forbidden)
    ));
    let before = audits(&app, "care_wish.contact_reveal").await;
    let contact = wish::contact(&app.state, &volunteer, id).await.unwrap();
    assert_eq!(
        (contact.name.as_str(), contact.phone.as_str()),
        ("马建国", "13909311001")
    );
    assert_eq!(audits(&app, "care_wish.contact_reveal").await, before + 1);

    // Proof must be a photo: none, or a text file, is refused and nothing moves.
    let none = wish::fulfil(&app.state, &volunteer, id, &fulfilled("送到了", "45"), &[]).await;
    assert_eq!(invalid(none), fields(&[("photos", "care.proof_needed")]));
    let not_image = wish::prepare_photos(&app.state, &[b"just text".to_vec()])
        .await
        .map(|p| p.len());
    assert_eq!(invalid(not_image), fields(&[("photos", "file.not_an_image")]));
    assert_eq!(status(&app, id).await, "claimed");
    // Only the claimant fulfils.
    let proof = png(&app).await;
    assert!(matches!(
        wish::fulfil(&app.state, &party, id, &fulfilled("送到了", "45"), &proof).await,
        Err(Error::Forbidden)
    ));
    wish::fulfil(&app.state, &volunteer, id, &fulfilled("书包和文具已送到", "45"), &proof)
        .await
        .unwrap();

    // 杨奶奶 does not speak for the child; the grid worker confirms and the volunteer is credited.
    let confirm = ConfirmInput {
        action: "confirm".into(),
        note: String::new(),
    };
    assert!(matches!(
        wish::confirm(&app.state, &yang, id, &confirm).await,
        Err(Error::Forbidden)
    ));
    let vid = repo::volunteer_of(app.handle(), 1, volunteer.account_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    let hours = yijia_volunteers::ledger::balance(app.handle(), vid, Ledger::Hours)
        .await
        .unwrap();
    wish::confirm(&app.state, &grid, id, &confirm).await.unwrap();
    assert_eq!(
        yijia_volunteers::ledger::balance(app.handle(), vid, Ledger::Hours)
            .await
            .unwrap(),
        hours + 45
    );
    assert!(told(&app, &volunteer).await.contains(&"care.note_confirmed".to_owned()));
    // The thanks are public too: a name in them is refused.
    let leaky = ThankInput {
        thanks: format!("{child}很喜欢新书包"),
    };
    assert_eq!(
        invalid(wish::thank(&app.state, &grid, id, &leaky).await)[0].1,
        "care.wish_leaks"
    );
    let thanks = ThankInput {
        thanks: "孩子很喜欢新书包，谢谢！".into(),
    };
    wish::thank(&app.state, &grid, id, &thanks).await.unwrap();
    assert_eq!(status(&app, id).await, "thanked");
    let v = view::wish(&app.state, &yang, id).await.unwrap();
    assert_eq!(v.wish.thanks, "孩子很喜欢新书包，谢谢！");
    assert!(
        v.steps.is_empty() && v.raiser_name.is_none(),
        "history and raiser are not for everyone"
    );
    assert_eq!(v.proof_photos.len(), 1);
}

#[tokio::test]
async fn of_two_claims_at_once_one_wins() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let resident = demo_user(&app, "resident1").await;
    let a = person(&app, "shop.a", Role::Merchant).await;
    let b = person(&app, "shop.b", Role::Merchant).await;
    let input = WishInput {
        contact_name: "杨奶奶".into(),
        contact_phone: "13909311009".into(),
        category: "repair".into(),
        ..wish_for(None, "窗户漏风", "卧室窗户关不严，晚上很冷。")
    };
    let id = wish::raise(&app.state, &resident, &input, &[]).await.unwrap();
    wish::vet(&app.state, &staff, id, &vet()).await.unwrap();
    let (ca, cb) = (claim_as("merchant", "甲五金店"), claim_as("merchant", "乙装修队"));
    let (ra, rb) = tokio::join!(
        wish::claim(&app.state, &a, id, &ca),
        wish::claim(&app.state, &b, id, &cb)
    );
    let (won, lost) = if ra.is_ok() { (ra, rb) } else { (rb, ra) };
    assert!(won.is_ok());
    assert_eq!(conflict(lost), "care.already_claimed");
    let open: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from care_wish_claim where wish_id = $1 and ended_at is null"
    )
    .bind(id)
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(open, 1);
    // Claiming one's own wish is refused.
    assert_eq!(
        conflict(wish::claim(&app.state, &staff, id, &claim_as("company", "某公司")).await),
        "care.already_claimed"
    );
}

#[tokio::test]
async fn a_claim_not_fulfilled_in_time_goes_back_on_the_wall() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let grid = demo_user(&app, "grid1").await;
    let party = demo_user(&app, "party1").await;
    set_setting(&app, 1, "care.claim_days", "3").await;
    let id = wish::raise(
        &app.state,
        &grid,
        &wish_for(None, "一套绘本", "孩子想要一套绘本。"),
        &[],
    )
    .await
    .unwrap();
    wish::vet(&app.state, &staff, id, &vet()).await.unwrap();
    wish::claim(&app.state, &party, id, &claim_as("party_member", ""))
        .await
        .unwrap();
    let now = app.state.now_ms();
    clock_to(&app, now + 3 * 86_400_000 - 60_000);
    assert_eq!(wish::expire_lapsed(&app.state).await.unwrap(), 0, "not yet");
    clock_to(&app, now + 3 * 86_400_000 + 60_000);
    assert_eq!(wish::expire_lapsed(&app.state).await.unwrap(), 1);
    assert_eq!(status(&app, id).await, "published");
    assert!(told(&app, &party).await.contains(&"care.note_claim_expired".to_owned()));
    // The wisher's side (here the grid worker who raised it) learns it is back on the wall.
    assert!(told(&app, &grid)
        .await
        .contains(&"care.note_claim_lapsed_wisher".to_owned()));
    assert_eq!(wish::expire_lapsed(&app.state).await.unwrap(), 0, "once");
    // Back on the wall, someone else may claim it.
    let volunteer = demo_user(&app, "volunteer1").await;
    wish::claim(&app.state, &volunteer, id, &claim_as("volunteer", ""))
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Pairings and visits

#[tokio::test]
async fn visits_reset_the_plan_and_overdue_ones_reach_the_carer_then_the_grid_worker_then_the_community() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let admin = demo_user(&app, "xlg.admin").await;
    let party = demo_user(&app, "party1").await;
    let volunteer = demo_user(&app, "volunteer1").await;
    let c = xlg(&app).await;
    let (household, grid_id) = waiting_household(&app, &staff).await;
    let pair = PairInput {
        household: household.to_string(),
        carer: party.account_id.unwrap().to_string(),
        interval_days: "7".into(),
        ..PairInput::default()
    };
    let id = pairing::pair(&app.state, &staff, &pair).await.unwrap();
    assert_eq!(
        conflict(pairing::pair(&app.state, &staff, &pair).await),
        "care.already_paired"
    );
    assert!(told(&app, &party).await.contains(&"care.note_paired".to_owned()));

    // Someone not paired with the household cannot log a visit to it.
    let today = c.today(&app.state);
    assert_eq!(
        conflict(visit::log(&app.state, &volunteer, id, &visit_of("met", "")).await),
        "care.not_paired"
    );
    let tomorrow = (today + jiff::Span::new().days(1)).to_string();
    assert_eq!(
        invalid(visit::log(&app.state, &party, id, &visit_of("met", &tomorrow)).await),
        fields(&[("visited_on", "care.visit_in_future")])
    );
    assert_eq!(
        invalid(visit::log(&app.state, &party, id, &visit_of("waved", "")).await),
        fields(&[("outcome", "field.choose_from")])
    );
    let logged = visit::log(&app.state, &party, id, &visit_of("met", "")).await.unwrap();
    let due = today + jiff::Span::new().days(7);
    assert_eq!(logged.due_on, due.to_string());

    // The clock runs on: a day past due the carer is told, three days the grid worker, seven the
    // community; each once, however often the tick runs.
    let noon = |d: jiff::civil::Date| at(&format!("{d}T12:00"));
    let escalate = || visit::escalate(&app.state);
    clock_to(&app, noon(due));
    escalate().await.unwrap();
    assert_eq!(
        alerted(&app, id, "overdue").await,
        Vec::<String>::new(),
        "due today is not overdue"
    );
    clock_to(&app, noon(due + jiff::Span::new().days(1)));
    escalate().await.unwrap();
    escalate().await.unwrap();
    assert_eq!(alerted(&app, id, "overdue").await, ["carer"]);
    assert!(told(&app, &party).await.contains(&"care.note_overdue".to_owned()));
    clock_to(&app, noon(due + jiff::Span::new().days(3)));
    escalate().await.unwrap();
    assert_eq!(alerted(&app, id, "overdue").await, ["carer", "grid_worker"]);
    let staff_told = |a: &Actor| {
        let a = a.clone();
        let app = &app;
        async move { told(app, &a).await.iter().filter(|k| *k == "care.note_overdue").count() }
    };
    let admin_before = staff_told(&admin).await;
    clock_to(&app, noon(due + jiff::Span::new().days(7)));
    escalate().await.unwrap();
    assert_eq!(
        alerted(&app, id, "overdue").await,
        ["carer", "grid_worker", "community"]
    );
    assert!(staff_told(&admin).await > admin_before);

    // The person cannot be reached: the grid worker and the community at once; the plan stays.
    let now_day = due + jiff::Span::new().days(7);
    let r = visit::log(&app.state, &party, id, &visit_of("unreachable", ""))
        .await
        .unwrap();
    assert_eq!(r.told, ["grid_worker", "community"]);
    assert_eq!(r.due_on, due.to_string());
    assert_eq!(alerted(&app, id, "unreachable").await, ["grid_worker", "community"]);
    assert!(told(&app, &staff).await.contains(&"care.note_unreachable".to_owned()));
    let workers: Vec<i64> = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select account_id from account_role where role = 'grid_worker' and grid_id = $1 and revoked_at is null"
    )
    .bind(grid_id)
    .fetch_all(p)
    .await
    .unwrap());
    for w in workers {
        assert!(told(&app, &load(&app, w).await)
            .await
            .contains(&"care.note_unreachable".to_owned()));
    }
    // Seen the next day: the plan starts again from that day and nothing more is sent.
    clock_to(&app, noon(now_day + jiff::Span::new().days(1)));
    let seen = visit::log(&app.state, &party, id, &visit_of("met", "")).await.unwrap();
    assert_eq!(seen.due_on, (now_day + jiff::Span::new().days(8)).to_string());
    let sent = alerted(&app, id, "overdue").await.len();
    escalate().await.unwrap();
    assert_eq!(alerted(&app, id, "overdue").await.len(), sent);
    let cov = view::coverage(&app.state, &staff, &c, "zh-CN").await.unwrap();
    let h = cov.households.iter().find(|h| h.household_id == household).unwrap();
    assert_eq!(h.state, VisitState::OnTime);
}

#[tokio::test]
async fn a_household_in_no_care_group_is_paired_only_with_a_reason_and_flagged() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let volunteer = demo_user(&app, "volunteer1").await;
    let c = xlg(&app).await;
    let today = c.today(&app.state).to_string();
    let tagged: Vec<i64> = repo::tagged(app.handle(), 1, &CommunityReach::All, &today)
        .await
        .unwrap()
        .iter()
        .map(|t| t.household_id)
        .collect();
    let untagged: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select household_id from household where community_id = 1 and retired_at is null order by household_id"
    )
    .fetch_all(p)
    .await
    .unwrap())
    .into_iter()
    .find(|h: &i64| !tagged.contains(h))
    .unwrap();
    let mut input = PairInput {
        household: untagged.to_string(),
        carer: volunteer.account_id.unwrap().to_string(),
        ..PairInput::default()
    };
    assert_eq!(
        invalid(pairing::pair(&app.state, &staff, &input).await),
        fields(&[("reason", "care.reason_for_untagged")])
    );
    // A carer who is not of the community, a day that is not one.
    let outsider = person_in(&app, "XLG", "plain.resident", Role::Resident).await;
    let bad = PairInput {
        carer: outsider.account_id.unwrap().to_string(),
        starts_on: "2026-02-30".into(),
        reason: "独自照顾瘫痪的老伴".into(),
        ..input.clone()
    };
    assert_eq!(
        invalid(pairing::pair(&app.state, &staff, &bad).await),
        fields(&[("starts_on", "care.bad_date")])
    );
    let bad = PairInput {
        starts_on: String::new(),
        ..bad
    };
    assert_eq!(
        invalid(pairing::pair(&app.state, &staff, &bad).await),
        fields(&[("carer", "care.bad_choice")])
    );
    input.reason = "独自照顾瘫痪的老伴".into();
    let id = pairing::pair(&app.state, &staff, &input).await.unwrap();
    let p = repo::pairing(app.handle(), id).await.unwrap().unwrap();
    assert_eq!((p.untagged, p.interval_days), (1, 30));
    let cov = view::coverage(&app.state, &staff, &c, "zh-CN").await.unwrap();
    assert!(cov.untagged.iter().any(|l| l.pairing.pairing_id == id));
    assert!(cov.households.iter().all(|h| h.household_id != untagged));
}

#[tokio::test]
async fn care_data_is_for_the_carers_the_grid_worker_and_staff_and_every_reading_is_audited() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let yang = demo_user(&app, "resident1").await;
    let volunteer = demo_user(&app, "volunteer1").await;
    let party = demo_user(&app, "party1").await;
    let c = xlg(&app).await;
    let (household, _) = waiting_household(&app, &staff).await;
    let id = pairing::pair(
        &app.state,
        &staff,
        &PairInput {
            household: household.to_string(),
            carer: party.account_id.unwrap().to_string(),
            ..PairInput::default()
        },
    )
    .await
    .unwrap();
    visit::log(&app.state, &party, id, &visit_of("met", "")).await.unwrap();
    for outsider in [&yang, &volunteer] {
        assert!(matches!(
            view::pairing(&app.state, outsider, id, "zh-CN").await,
            Err(Error::NotFound)
        ));
        assert!(view::coverage(&app.state, outsider, &c, "zh-CN").await.is_err());
    }
    let before = audits(&app, "care_pairing.view").await;
    let v = view::pairing(&app.state, &party, id, "zh-CN").await.unwrap();
    assert_eq!(v.visits[0].needs, "需要有人帮忙买药");
    assert!(
        v.members.iter().any(|m| !m.groups.is_empty()),
        "the carer sees the care groups"
    );
    view::pairing(&app.state, &staff, id, "zh-CN").await.unwrap();
    assert_eq!(audits(&app, "care_pairing.view").await, before + 2);
    // Through the API too.
    let mut yang_api = app.client().with_bearer(&app.token("resident1", PW).await);
    assert_eq!(yang_api.get(&format!("/api/v1/care-pairings/{id}")).await.status, 404);
    assert_eq!(yang_api.get("/api/v1/care-coverage?community=1").await.status, 403);
    let mut party_api = app.client().with_bearer(&app.token("party1", PW).await);
    let mine = party_api.get("/api/v1/care-pairings").await.json();
    assert!(mine["pairings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["pairing"]["pairing_id"] == id));
    // The notes are sealed in the database.
    let sealed: String = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select needs_sealed from care_visit where pairing_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await
    .unwrap());
    assert!(!sealed.contains("买药"));
}

// ---------------------------------------------------------------------------------------------
// API, pages, reports

#[tokio::test]
async fn the_api_names_the_fields_it_refuses_and_fulfils_with_photos() {
    let app = demo_app().await;
    let mut grid = app.client().with_bearer(&app.token("grid1", PW).await);
    let bad = grid
        .post_json(
            "/api/v1/care-wishes",
            &serde_json::json!({ "category": "gold", "title": "", "body": "x", "value_yuan": -3, "contact_name": "马", "contact_phone": "12" }),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    let f = &bad.json()["error"]["fields"];
    for k in ["category", "title", "value_yuan", "contact_phone"] {
        assert!(f.get(k).is_some(), "{k} in {f}");
    }
    let ok = grid
        .post_json(
            "/api/v1/care-wishes",
            &serde_json::json!({ "community": 1, "category": "daily", "title": "一床厚被子", "body": "冬天被子太薄。", "value_yuan": 200, "contact_name": "马建国", "contact_phone": "13909311001" }),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    let id = ok.json()["wish"]["wish_id"].as_i64().unwrap();
    let mut staff = app.client().with_bearer(&app.token("xlg.staff", PW).await);
    assert_eq!(
        staff
            .post_json(
                &format!("/api/v1/care-wishes/{id}/vet"),
                &serde_json::json!({ "action": "vet" })
            )
            .await
            .status,
        200
    );
    let mut vol = app.client().with_bearer(&app.token("volunteer1", PW).await);
    let claimed = vol
        .post_json(
            &format!("/api/v1/care-wishes/{id}/claim"),
            &serde_json::json!({ "kind": "volunteer" }),
        )
        .await;
    assert_eq!(claimed.json()["wish"]["status"], "claimed");
    let again = vol
        .post_json(
            &format!("/api/v1/care-wishes/{id}/claim"),
            &serde_json::json!({ "kind": "volunteer" }),
        )
        .await;
    assert_eq!(again.status, 409);
    let text = vol
        .post_multipart(
            &format!("/api/v1/care-wishes/{id}/fulfil"),
            &[("note", "送到了")],
            &[("photos", "a.txt", b"hello")],
        )
        .await;
    assert_eq!(text.status, 422);
    assert!(text.json()["error"]["fields"]["photos"].is_string(), "{}", text.text());
    let done = vol
        .post_multipart(
            &format!("/api/v1/care-wishes/{id}/fulfil"),
            &[("note", "送到了"), ("minutes", "30")],
            &[("photos", "p.png", &hex(PNG_WITH_TEXT))],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["wish"]["status"], "fulfilled");
    // A district officer follows the visits overdue across the district; a resident may not.
    let mut officer = app.client().with_bearer(&app.token("xigu.supervisor", PW).await);
    let overdue = officer.get("/api/v1/care-overdue?district=1").await;
    assert_eq!(overdue.status, 200, "{}", overdue.text());
    assert!(
        !overdue.json()["overdue"].as_array().unwrap().is_empty(),
        "the demo's overdue visit"
    );
    let mut yang = app.client().with_bearer(&app.token("resident1", PW).await);
    assert_eq!(yang.get("/api/v1/care-overdue?district=1").await.status, 403);
    assert_eq!(
        officer.get("/api/v1/care-overdue?district=2").await.status,
        403,
        "another district"
    );
    let doc = app.client().get("/api/openapi.json").await.json();
    for p in [
        "/api/v1/care-wishes",
        "/api/v1/care-wishes/{id}/fulfil",
        "/api/v1/care-pairings/{id}/visits",
        "/api/v1/care-reports",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} in the OpenAPI document");
    }
}

#[tokio::test]
async fn the_pages_serve_the_wall_the_carer_the_grid_worker_and_the_reports() {
    let app = demo_app().await;
    let mut yang = app.signed_in("resident1", PW).await;
    let wall = yang.get("/care/wishes").await;
    assert_eq!(wall.status, 200);
    assert!(wall.text().contains("一件厚棉衣") && !wall.text().contains("希望给一笔生活费"));
    let leaky = yang
        .post_multipart(
            "/care/wishes",
            &[
                ("community", "1"),
                ("category", "daily"),
                ("title", "一个电暖器"),
                ("body", "我是独居老人，屋里冷"),
                ("contact_name", "杨奶奶"),
                ("contact_phone", "13909311009"),
            ],
            &[],
        )
        .await;
    assert_eq!(leaky.status, 422);
    assert!(leaky.text().contains("独居老人") && leaky.text().contains("请删去"));
    assert_eq!(yang.get("/care/coverage").await.status, 403);
    assert_eq!(yang.get("/care/reports.xlsx").await.status, 403);

    let mut party = app.signed_in("party1", PW).await;
    let mine = party.get("/care").await;
    assert_eq!(mine.status, 200);
    assert!(mine.text().contains("data-pairing"));
    let mut grid = app.signed_in("grid1", PW).await;
    let cov = grid.get("/care/coverage").await;
    assert_eq!(cov.status, 200);
    assert!(cov.text().contains("data-household"));
    let mut staff = app.signed_in("xlg.staff", PW).await;
    let reports = staff.get("/care/reports").await;
    assert_eq!(reports.status, 200);
    assert!(reports.text().contains("by-grid"));
    let xlsx = staff.get("/care/reports.xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.header("content-type").unwrap().contains("spreadsheetml"));
    assert!(xlsx.body.starts_with(b"PK"));
}

#[tokio::test]
async fn a_grid_worker_is_paired_only_with_households_of_their_own_grid() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let grid1 = demo_user(&app, "grid1").await;
    let household_in = |grid: &'static str| {
        let app = &app;
        async move {
            let id: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
                "select h.household_id from household h join grid g on g.grid_id = h.grid_id \
                 where g.code = $1 and h.retired_at is null order by h.household_id limit 1"
            )
            .bind(grid)
            .fetch_one(p)
            .await
            .unwrap());
            id
        }
    };
    let other = PairInput {
        household: household_in("G02").await.to_string(),
        carer: grid1.account_id.unwrap().to_string(),
        reason: "邻居托付".into(),
        ..PairInput::default()
    };
    assert_eq!(
        invalid(pairing::pair(&app.state, &staff, &other).await),
        fields(&[("carer", "care.carer_other_grid")])
    );
    // The demo pairs nobody across a grid either.
    let across: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from care_pairing p join household h on h.household_id = p.household_id \
         join account_role r on r.account_id = p.carer_account_id and r.role = 'grid_worker' \
         where r.grid_id <> h.grid_id"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(across, 0);
    let own = PairInput {
        household: household_in("G01").await.to_string(),
        ..other
    };
    let res = pairing::pair(&app.state, &staff, &own).await;
    assert!(res.is_ok() || conflict(res) == "care.already_paired");
}

// ---------------------------------------------------------------------------------------------
// Issue 28: what others read of a wish, and in whose name it is claimed

/// A wish raised by the grid worker for a household of grid G01, vetted onto the wall.
async fn on_the_wall(app: &TestApp) -> i64 {
    let grid = demo_user(app, "grid1").await;
    let staff = demo_user(app, "xlg.staff").await;
    let home = home_in(app, "G01", 3).await;
    let body = "老人想学用智能手机和家人视频。";
    let id = wish::raise(&app.state, &grid, &wish_for(Some(home.id), "学手机", body), &[])
        .await
        .unwrap();
    wish::vet(&app.state, &staff, id, &vet()).await.unwrap();
    id
}

fn kinds_of<T: std::fmt::Debug>(r: Result<T, Error>, field: &str) -> String {
    let Err(Error::Validation(f)) = r else { panic!("{r:?}") };
    let m = &f.0[field];
    assert_eq!(m.key, "care.wish_leaks");
    m.args.iter().find(|(k, _)| *k == "kinds").unwrap().1.clone()
}

#[tokio::test]
async fn a_proof_note_or_thanks_that_shows_who_or_where_is_refused_by_kind_and_nothing_is_saved() {
    let app = demo_app().await;
    let id = on_the_wall(&app).await;
    let volunteer = demo_user(&app, "volunteer1").await;
    wish::claim(&app.state, &volunteer, id, &claim_as("volunteer", ""))
        .await
        .unwrap();
    let proof = png(&app).await;
    let leaky = fulfilled("已送到海亮小区1号楼1单元202徐艳家，独居老人，电话13909311001", "30");
    let kinds = kinds_of(wish::fulfil(&app.state, &volunteer, id, &leaky, &proof).await, "note");
    for kind in ["门牌地址", "电话号码", "困难群体类别"] {
        assert!(kinds.contains(kind), "{kinds}");
    }
    assert!(!kinds.contains("徐艳") && !kinds.contains("202"), "{kinds}");
    assert_eq!(status(&app, id).await, "claimed", "nothing saved");
    for (note, want) in [
        ("送到1-1-601", "门牌地址"),
        ("送到海亮小区一号楼一单元601", "门牌地址"),
        ("空巢老人收到了", "困难群体类别"),
    ] {
        let kinds = kinds_of(
            wish::fulfil(&app.state, &volunteer, id, &fulfilled(note, "30"), &proof).await,
            "note",
        );
        assert_eq!(kinds, want, "{note}");
    }
    wish::fulfil(
        &app.state,
        &volunteer,
        id,
        &fulfilled("手机已经教会了，可以视频了。", "30"),
        &proof,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_text_check_answers_only_after_the_permission_check_and_never_with_the_registrys_words() {
    let app = demo_app().await;
    let merchant = demo_user(&app, "merchant1").await;
    let home = home_in(&app, "G01", 2).await;
    let guess = format!("{}{}{} {}", home.building, home.unit, home.door, home.names[0]);
    // For a household: not the merchant's to raise, whatever the text says.
    assert!(matches!(
        wish::raise(&app.state, &merchant, &wish_for(Some(home.id), "想要", &guess), &[]).await,
        Err(Error::Forbidden)
    ));
    // Her own: refused by the shape of the address, naming no word of it.
    let kinds = kinds_of(
        wish::raise(&app.state, &merchant, &wish_for(None, "想要", &guess), &[]).await,
        "body",
    );
    assert_eq!(kinds, "门牌地址");
    assert!(!kinds.contains(&home.names[0]) && !kinds.contains(&home.door));
}

#[tokio::test]
async fn a_claim_in_a_name_is_only_for_its_members_and_a_resident_may_not_claim() {
    let app = demo_app().await;
    let id = on_the_wall(&app).await;
    let volunteer = demo_user(&app, "volunteer1").await;
    for (input, field, key) in [
        (claim_as("merchant", "西柳沟新华书店"), "kind", "care.not_a_merchant"),
        (claim_as("company", "区民政局"), "kind", "care.company_by_staff"),
    ] {
        assert_eq!(
            invalid(wish::claim(&app.state, &volunteer, id, &input).await),
            fields(&[(field, key)])
        );
    }
    let not_mine: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select t.team_id from vol_team t where t.community_id = 1 and not exists (select 1 from vol_member m \
         join volunteer v on v.volunteer_id = m.volunteer_id join account a on a.account_id = v.account_id \
         where m.team_id = t.team_id and a.username = 'volunteer1' and m.status = 'active') order by t.team_id limit 1"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let team = ClaimInput {
        kind: "team".into(),
        team: not_mine.to_string(),
        ..ClaimInput::default()
    };
    assert_eq!(
        invalid(wish::claim(&app.state, &volunteer, id, &team).await),
        fields(&[("team", "care.not_in_team")])
    );
    let resident = demo_user(&app, "resident1").await;
    assert!(matches!(
        wish::claim(&app.state, &resident, id, &claim_as("volunteer", "")).await,
        Err(Error::Forbidden)
    ));
    // A merchant claims as itself, whatever name it types; the wall shows its own.
    let merchant = demo_user(&app, "merchant1").await;
    wish::claim(&app.state, &merchant, id, &claim_as("merchant", "区民政局"))
        .await
        .unwrap();
    let name: String = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select claimant_name from care_wish_claim where wish_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(name, "西柳沟便民超市");
}

#[tokio::test]
async fn a_pairing_past_its_end_date_takes_no_visit_and_the_tick_ends_it() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let party = demo_user(&app, "party1").await;
    let c = xlg(&app).await;
    let (household, _) = waiting_household(&app, &staff).await;
    let today = c.today(&app.state);
    let pair = PairInput {
        household: household.to_string(),
        carer: party.account_id.unwrap().to_string(),
        ends_on: (today + jiff::Span::new().days(2)).to_string(),
        ..PairInput::default()
    };
    let id = pairing::pair(&app.state, &staff, &pair).await.unwrap();
    visit::log(&app.state, &party, id, &visit_of("met", "")).await.unwrap();
    // Three days on, it ended yesterday: no visit, even before the tick runs.
    clock_to(&app, at(&format!("{}T09:00", today + jiff::Span::new().days(3))));
    assert_eq!(
        conflict(visit::log(&app.state, &party, id, &visit_of("met", "")).await),
        "care.not_paired"
    );
    assert_eq!(visit::end_lapsed(&app.state).await.unwrap(), 1);
    assert_eq!(visit::end_lapsed(&app.state).await.unwrap(), 0, "once");
    let p = repo::pairing(app.handle(), id).await.unwrap().unwrap();
    assert!(p.ended_at.is_some());
    // The carer's own list no longer holds the household.
    let mine = repo::pairings_of_carer(app.handle(), party.account_id.unwrap())
        .await
        .unwrap();
    assert!(mine.iter().all(|p| p.pairing_id != id));
}

#[tokio::test]
async fn a_grid_without_a_grid_worker_has_its_alert_sent_to_the_community_saying_why() {
    let app = demo_app().await;
    let staff = demo_user(&app, "xlg.staff").await;
    let party = demo_user(&app, "party1").await;
    let c = xlg(&app).await;
    let (household, grid_id) = waiting_household(&app, &staff).await;
    // Nobody works the household's grid any more.
    on_db!(app.handle(), |p| sqlx::query(
        "update account_role set revoked_at = 1 where role = 'grid_worker' and grid_id = $1"
    )
    .bind(grid_id)
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let pair = PairInput {
        household: household.to_string(),
        carer: party.account_id.unwrap().to_string(),
        interval_days: "7".into(),
        ..PairInput::default()
    };
    let id = pairing::pair(&app.state, &staff, &pair).await.unwrap();
    let today = c.today(&app.state);
    visit::log(&app.state, &party, id, &visit_of("met", "")).await.unwrap();
    // Three days past due is the grid worker's day.
    clock_to(&app, at(&format!("{}T12:00", today + jiff::Span::new().days(10))));
    visit::escalate(&app.state).await.unwrap();
    assert!(told(&app, &staff)
        .await
        .contains(&"care.note_no_grid_worker".to_owned()));
}

#[tokio::test]
async fn care_answers_are_never_cached() {
    let app = demo_app().await;
    let id = on_the_wall(&app).await;
    let mut page = app.signed_in("grid1", PW).await;
    let token = app.token("grid1", PW).await;
    let mut api = app.client().with_bearer(&token);
    for res in [
        page.get("/care/wishes").await,
        page.get(&format!("/care/wishes/{id}")).await,
        api.get("/api/v1/care-wishes?community=1").await,
        api.get("/api/v1/care-pairings").await,
    ] {
        assert_eq!(res.header("cache-control").as_deref(), Some("private, no-store"));
    }
}

/// Every role, the signed-out visitor, the claimant and the wisher, against the wall, a wish's
/// API and its page: only those who look after the household (its grid's worker, staff) read
/// whose wish it is; nobody else reads a member's name, the door or the contact.
#[tokio::test]
async fn the_wish_wall_shows_each_reader_only_what_is_theirs_role_by_field() {
    let app = demo_app().await;
    let grid = demo_user(&app, "grid1").await;
    let staff = demo_user(&app, "xlg.staff").await;
    let home = home_in(&app, "G01", 4).await;
    let mut input = wish_for(Some(home.id), "一台收音机", "老人想听戏，想要一台收音机。");
    input.contact_name = "联系人甲乙".into();
    input.contact_phone = "13909315555".into();
    let id = wish::raise(&app.state, &grid, &input, &[]).await.unwrap();
    wish::vet(&app.state, &staff, id, &vet()).await.unwrap();
    let volunteer = demo_user(&app, "volunteer1").await;
    wish::claim(&app.state, &volunteer, id, &claim_as("volunteer", ""))
        .await
        .unwrap();

    let mut private: Vec<String> = home.names.clone();
    private.extend([
        format!("{}{}{}", home.building, home.unit, home.door),
        "联系人甲乙".to_owned(),
        "13909315555".to_owned(),
        "139****5555".to_owned(),
    ]);
    let urls = [
        "/api/v1/care-wishes?community=1".to_owned(),
        format!("/api/v1/care-wishes/{id}"),
        "/care/wishes".to_owned(),
        format!("/care/wishes/{id}"),
    ];
    // The claimant reads the contact only by asking for it (audited), never on the page.
    let readers = [
        "resident1",
        "volunteer1",
        "leader1",
        "party1",
        "merchant1",
        "property1",
        "dept1",
        "grid2",
        "xigu.supervisor",
    ];
    let mut leaks = Vec::new();
    for reader in readers.iter().map(|r| Some(*r)).chain([None]) {
        let (mut api, mut page) = match reader {
            Some(u) => (
                app.client().with_bearer(&app.token(u, PW).await),
                app.signed_in(u, PW).await,
            ),
            None => (app.client(), app.client()),
        };
        for url in &urls {
            let client = if url.starts_with("/api/") { &mut api } else { &mut page };
            let res = client.get(url).await;
            let body = res.text();
            for p in &private {
                if res.status == 200 && body.contains(p.as_str()) {
                    leaks.push(format!("{} {url}: {p}", reader.unwrap_or("signed out")));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    // The contact is given, audited, to the claimant and the grid's worker; to nobody else.
    for (reader, status) in [("volunteer1", 200), ("grid1", 200), ("merchant1", 403), ("grid2", 403)] {
        let mut api = app.client().with_bearer(&app.token(reader, PW).await);
        let res = api
            .post_json(&format!("/api/v1/care-wishes/{id}/contact"), &serde_json::json!({}))
            .await;
        assert_eq!(res.status, status, "{reader}: {}", res.text());
        assert_eq!(res.text().contains("13909315555"), status == 200, "{reader}");
    }
}
