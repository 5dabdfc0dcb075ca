//! Appeals: a resident's matter from a phone to a rating through the desk and the property
//! company; routing rules; deadlines on the working-day calendar; steps refused out of order,
//! by the wrong person, or on a stale page; the requester's public timeline; audited reveals.

use serde_json::{json, Value};
use yijia_testkit::{Client, TestApp};

use crate::{demo_app, grid_id, PW};

pub(crate) async fn as_user(app: &TestApp, user: &str) -> Client {
    let t = app.token(user, PW).await;
    app.client().with_bearer(&t)
}

fn says(app: &TestApp, key: &str) -> String {
    app.state.tr(yijia_kernel::i18n::Locale::ZhCn).t(key)
}

/// The demo catalogue: `(categories by code, parties by name)`.
pub(crate) async fn catalogue(c: &mut Client) -> (Value, Value) {
    let cat = c.get("/api/v1/communities/1/appeal-catalogue").await.json();
    let by = |list: &Value, key: &str| -> Value {
        list.as_array()
            .unwrap()
            .iter()
            .map(|x| (x[key].as_str().unwrap().to_owned(), x.clone()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    (by(&cat["categories"], "code"), by(&cat["parties"], "name"))
}

/// A unit of a demo grid.
pub(crate) async fn unit_in(app: &TestApp, grid: &str) -> i64 {
    let mut c = as_user(app, "xlg.admin").await;
    let g = grid_id(app, grid).await;
    let b = c.get(&format!("/api/v1/grids/{g}/buildings")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    c.get(&format!("/api/v1/buildings/{b}/units")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap()
}

pub(crate) async fn raise(c: &mut Client, category: &Value, unit: i64, extra: Value) -> Value {
    let mut body = json!({
        "category": category["category_id"], "kind": "help", "unit": unit,
        "description": "卫生间顶棚渗水，已经滴到地上了。", "phone": "13912345678",
    });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let res = c.post_json("/api/v1/appeals", &body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

/// A leak raised by the demo's resident from her phone, in grid G01: her client and its id.
pub(crate) async fn leak(app: &TestApp) -> (Client, Value) {
    let mut resident = as_user(app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let a = raise(&mut resident, &cats["water_leak"], unit_in(app, "G01").await, json!({})).await;
    (resident, a["appeal_id"].clone())
}

pub(crate) async fn act(c: &mut Client, id: &Value, body: Value) -> (u16, Value) {
    let res = c.post_json(&format!("/api/v1/appeals/{id}/steps"), &body).await;
    (res.status, res.json())
}

const HOUR: i64 = 3_600_000;

#[tokio::test]
async fn a_resident_raises_a_leak_which_the_property_company_fixes_and_she_rates() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, parties) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    let a = raise(&mut resident, &cats["water_leak"], unit, json!({})).await;
    let id = a["appeal_id"].clone();
    assert_eq!(a["status"], "submitted");
    assert_eq!(a["channel"], "app");
    assert_eq!(a["contact_masked"], "139****5678");
    // Water is the utility tier: dispatch within 2 hours of submission.
    assert_eq!(
        a["due_at"].as_i64().unwrap(),
        a["created_at"].as_i64().unwrap() + 2 * HOUR
    );

    let mut desk = as_user(&app, "xlg.staff").await;
    assert_eq!(
        act(&mut desk, &id, json!({ "action": "accept", "note": "已受理" }))
            .await
            .0,
        200
    );
    let (s, d) = act(
        &mut desk,
        &id,
        json!({ "action": "dispatch", "internal_note": "物业负责管道" }),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        d["party_id"], parties["世茂物业"]["party_id"],
        "the category's default party"
    );
    assert_eq!(d["reply_due_at"].as_i64().unwrap(), app.state.now_ms() + 24 * HOUR);

    let mut property = as_user(&app, "property1").await;
    let queue = property.get("/api/v1/appeals?view=queue&bucket=new").await.json();
    assert!(queue["items"].as_array().unwrap().iter().any(|x| x["appeal_id"] == id));
    assert_eq!(
        act(&mut property, &id, json!({ "action": "take", "note": "下午上门" }))
            .await
            .0,
        200
    );
    let (s, _) = act(
        &mut property,
        &id,
        json!({ "action": "reply", "answer": "已更换楼上漏水的管道接头。" }),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        act(
            &mut desk,
            &id,
            json!({ "action": "verify", "internal_note": "电话核实" })
        )
        .await
        .0,
        200
    );
    let (s, d) = act(
        &mut resident,
        &id,
        json!({ "action": "rate", "rating": "satisfied", "note": "很及时" }),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "rated");
    let (s, d) = act(&mut desk, &id, json!({ "action": "close" })).await;
    assert_eq!((s, d["status"].as_str()), (200, Some("closed")));
    let queue = property.get("/api/v1/appeals?view=queue").await.json();
    assert!(
        !queue["items"].as_array().unwrap().iter().any(|x| x["appeal_id"] == id),
        "finished: out of the queue"
    );
    let filed = property.get("/api/v1/appeals?view=queue&status=closed").await.json();
    assert!(
        filed["items"].as_array().unwrap().iter().any(|x| x["appeal_id"] == id),
        "and found by status"
    );

    // Her timeline: every step, who took it, the public notes and never the internal ones.
    let mine = resident.get(&format!("/api/v1/appeals/{id}")).await.json();
    let actions: Vec<&str> = mine["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["submit", "accept", "dispatch", "take", "reply", "verify", "rate", "close"]
    );
    let text = mine.to_string();
    assert!(text.contains("下午上门") && text.contains("已更换楼上漏水的管道接头"));
    assert!(
        !text.contains("物业负责管道") && !text.contains("电话核实"),
        "internal notes stay inside"
    );
    assert!(mine["actions"].as_array().unwrap().is_empty());
    let inside = desk.get(&format!("/api/v1/appeals/{id}")).await.json().to_string();
    assert!(inside.contains("物业负责管道"));
    // Her own list, and the contact never stored in clear.
    let list = resident.get("/api/v1/appeals?view=mine").await.json();
    assert!(list["items"].as_array().unwrap().iter().any(|x| x["appeal_id"] == id));
    let dump = serde_json::to_string(&yijia_db::dump_tables(app.handle()).await.unwrap()).unwrap();
    assert!(!dump.contains("13912345678"));
}

#[tokio::test]
async fn steps_out_of_order_by_the_wrong_person_or_on_a_stale_page_change_nothing() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let a = raise(&mut resident, &cats["noise"], unit_in(&app, "G01").await, json!({})).await;
    let id = a["appeal_id"].clone();
    let mut desk = as_user(&app, "xlg.staff").await;
    let before = desk.get(&format!("/api/v1/appeals/{id}")).await.json();

    let (s, e) = act(&mut desk, &id, json!({ "action": "reply", "answer": "x" })).await;
    assert_eq!(s, 409);
    assert_eq!(e["error"]["message"], says(&app, "appeals.not_allowed"));
    let (s, _) = act(&mut resident, &id, json!({ "action": "accept" })).await;
    assert_eq!(s, 403, "the requester does not accept her own appeal");
    let mut property = as_user(&app, "property1").await;
    let (s, _) = act(&mut property, &id, json!({ "action": "accept" })).await;
    assert_eq!(s, 404, "not dispatched to the property company: not theirs to see");
    let (s, e) = act(&mut desk, &id, json!({ "action": "fly" })).await;
    assert_eq!(s, 422);
    assert_eq!(e["error"]["fields"]["action"], says(&app, "appeals.bad_choice"));
    assert_eq!(
        act(&mut desk, &id, json!({ "action": "rate", "rating": "satisfied" }))
            .await
            .0,
        409
    );
    let (s, e) = act(&mut desk, &id, json!({ "action": "callback" })).await;
    assert_eq!(s, 422, "a call-back records a rating");
    assert_eq!(e["error"]["fields"]["rating"], says(&app, "field.required"));
    let (s, e) = act(&mut desk, &id, json!({ "action": "decline", "reason": "duplicate" })).await;
    assert_eq!(s, 422, "a duplicate names the appeal it repeats");
    assert_eq!(e["error"]["fields"]["duplicate_of"], says(&app, "field.required"));
    let after = desk.get(&format!("/api/v1/appeals/{id}")).await.json();
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["steps"], before["steps"]);

    // Two staff on the same page: the first step wins, the second is told the page is stale.
    let version = before["version"].clone();
    let (s, _) = act(&mut desk, &id, json!({ "action": "accept", "version": version })).await;
    assert_eq!(s, 200);
    let mut admin = as_user(&app, "xlg.admin").await;
    let (s, e) = act(&mut admin, &id, json!({ "action": "accept", "version": version })).await;
    assert_eq!(s, 409);
    assert_eq!(e["error"]["message"], says(&app, "appeals.changed"));
}

#[tokio::test]
async fn two_staff_dispatching_at_once_leave_one_dispatch() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, parties) = catalogue(&mut resident).await;
    let a = raise(&mut resident, &cats["parking"], unit_in(&app, "G01").await, json!({})).await;
    let id = a["appeal_id"].clone();
    let mut desk = as_user(&app, "xlg.staff").await;
    assert_eq!(act(&mut desk, &id, json!({ "action": "accept" })).await.0, 200);
    let community = parties["社区大管家服务队"]["party_id"].clone();
    let mut tasks = Vec::new();
    for (user, party) in [("xlg.staff", Value::Null), ("xlg.admin", community)] {
        let mut c = as_user(&app, user).await;
        let id = id.clone();
        let body = json!({ "action": "dispatch", "party": party, "reason": "物业人手不足" });
        tasks.push(tokio::spawn(async move { act(&mut c, &id, body).await.0 }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    codes.sort_unstable();
    assert_eq!(codes, [200, 409]);
    let steps = desk.get(&format!("/api/v1/appeals/{id}")).await.json()["steps"].clone();
    let dispatches = steps
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "dispatch")
        .count();
    assert_eq!(dispatches, 1);
}

#[tokio::test]
async fn routing_rules_pick_the_party_and_sending_it_elsewhere_needs_a_reason() {
    let app = demo_app().await;
    let mut grid3 = as_user(&app, "grid1").await;
    let (cats, parties) = catalogue(&mut grid3).await;
    let mut desk = as_user(&app, "xlg.staff").await;
    let mut dispatched_to = Vec::new();
    // The demo sends sanitation in G03 (no property company there) to the community's team.
    for grid in ["G03", "G01"] {
        let a = raise(
            &mut desk,
            &cats["sanitation"],
            unit_in(&app, grid).await,
            json!({ "channel": "counter", "name": "王大爷" }),
        )
        .await;
        assert_eq!(a["channel"], "counter");
        assert_eq!(a["requester_name"], "王大爷");
        act(&mut desk, &a["appeal_id"], json!({ "action": "accept" })).await;
        let (_, d) = act(&mut desk, &a["appeal_id"], json!({ "action": "dispatch" })).await;
        dispatched_to.push(d["party_name"].as_str().unwrap().to_owned());
    }
    assert_eq!(dispatched_to, ["社区大管家服务队", "世茂物业"]);

    let a = raise(
        &mut desk,
        &cats["sanitation"],
        unit_in(&app, "G01").await,
        json!({ "channel": "phone" }),
    )
    .await;
    let id = a["appeal_id"].clone();
    act(&mut desk, &id, json!({ "action": "accept" })).await;
    let other = parties["社区大管家服务队"]["party_id"].clone();
    let (s, e) = act(&mut desk, &id, json!({ "action": "dispatch", "party": other })).await;
    assert_eq!(s, 422);
    assert_eq!(e["error"]["fields"]["reason"], says(&app, "field.required"));
    let (s, d) = act(
        &mut desk,
        &id,
        json!({ "action": "dispatch", "party": other, "reason": "物业合同到期" }),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(d["party_name"], "社区大管家服务队");
    let step = d["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(step["internal_note"], "物业合同到期");
}

/// Deadlines count from the settings as they are now: the commands remember a community's
/// settings between requests, and a change of a tier's deadline applies to the very next
/// appeal all the same.
#[tokio::test]
async fn a_changed_deadline_applies_to_the_next_appeal_at_once() {
    let app = demo_app().await;
    let mut desk = as_user(&app, "xlg.staff").await;
    let (cats, _) = catalogue(&mut desk).await;
    let unit = unit_in(&app, "G01").await;
    let due = |a: &Value| a["due_at"].as_i64().unwrap() - a["created_at"].as_i64().unwrap();
    let first = raise(&mut desk, &cats["water_leak"], unit, json!({ "channel": "phone" })).await;
    assert_eq!(due(&first), 2 * HOUR, "the utility tier's default");

    let mut admin = app.signed_in("xlg.admin", PW).await;
    let saved = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("appeals.deadline_utility", "5h, 24h")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let next = raise(&mut desk, &cats["water_leak"], unit, json!({ "channel": "phone" })).await;
    assert_eq!(due(&next), 5 * HOUR, "the new setting, at once");
}

#[tokio::test]
async fn reply_deadlines_in_working_days_skip_the_communitys_holidays() {
    let app = demo_app().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let saved = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("appeals.deadline_complex", "24h, 3工作日")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let bad = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("appeals.deadline_complex", "soon")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let mut api = as_user(&app, "xlg.admin").await;
    let day = api
        .post_json(
            "/api/v1/communities/1/calendar",
            &json!({ "day": "2026-12-01", "kind": "holiday" }),
        )
        .await;
    assert_eq!(day.status, 200, "{}", day.text());

    let mut desk = as_user(&app, "xlg.staff").await;
    let (cats, _) = catalogue(&mut desk).await;
    let a = raise(
        &mut desk,
        &cats["illegal_building"],
        unit_in(&app, "G02").await,
        json!({ "channel": "phone" }),
    )
    .await;
    act(&mut desk, &a["appeal_id"], json!({ "action": "accept" })).await;
    let (_, d) = act(&mut desk, &a["appeal_id"], json!({ "action": "dispatch" })).await;
    // Dispatched Friday 27 Nov 10:00: Mon 30, (Tue 1 Dec a holiday), Wed 2, Thu 3 → due at the
    // end of Thursday, midnight Beijing time.
    // The test clock starts on Friday 2026-11-27 at 10:00 in Lanzhou: 6 days 14 hours on.
    let end_of_thursday = yijia_testkit::START_MS + (6 * 24 + 14) * HOUR;
    assert_eq!(d["reply_due_at"].as_i64().unwrap(), end_of_thursday);

    // The department's queue: due soon a day before, overdue after.
    let mut dept = as_user(&app, "dept1").await;
    let in_bucket = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["appeal_id"] == a["appeal_id"])
    };
    assert!(!in_bucket(
        &dept.get("/api/v1/appeals?view=queue&bucket=due_soon").await.json()
    ));
    app.state
        .clock
        .advance_ms(end_of_thursday - app.state.now_ms() - 2 * HOUR);
    assert!(in_bucket(
        &dept.get("/api/v1/appeals?view=queue&bucket=due_soon").await.json()
    ));
    app.state.clock.advance_ms(3 * HOUR);
    assert!(in_bucket(
        &dept.get("/api/v1/appeals?view=queue&bucket=overdue").await.json()
    ));
    let mine = dept.get(&format!("/api/v1/appeals/{}", a["appeal_id"])).await.json();
    assert_eq!(mine["overdue"], true);
}

#[tokio::test]
async fn an_unsatisfied_rating_sends_it_back_and_a_call_back_records_the_second() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let a = raise(
        &mut resident,
        &cats["policy"],
        unit_in(&app, "G01").await,
        json!({ "kind": "enquiry" }),
    )
    .await;
    let id = a["appeal_id"].clone();
    let mut desk = as_user(&app, "xlg.staff").await;
    for step in ["accept", "dispatch", "take"] {
        assert_eq!(act(&mut desk, &id, json!({ "action": step })).await.0, 200, "{step}");
    }
    act(&mut desk, &id, json!({ "action": "reply", "answer": "请到街道办理。" })).await;
    act(&mut desk, &id, json!({ "action": "verify" })).await;
    let (_, d) = act(
        &mut resident,
        &id,
        json!({ "action": "rate", "rating": "unsatisfied", "note": "没说清楚要带什么材料" }),
    )
    .await;
    assert_eq!(d["status"], "in_progress");
    assert_eq!(d["redo_count"], 1);
    act(
        &mut desk,
        &id,
        json!({ "action": "reply", "answer": "带身份证和户口本到街道民政窗口。" }),
    )
    .await;
    act(&mut desk, &id, json!({ "action": "verify" })).await;
    let (s, d) = act(
        &mut desk,
        &id,
        json!({ "action": "callback", "rating": "basic", "note": "电话回访" }),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        (d["status"].as_str(), d["rating"].as_str()),
        (Some("rated"), Some("basic"))
    );

    // The district's supervisor reads it and may supervise (督办) an open appeal, nothing else.
    let open = raise(&mut resident, &cats["policy"], unit_in(&app, "G01").await, json!({})).await["appeal_id"].clone();
    let mut sup = as_user(&app, "xigu.supervisor").await;
    assert_eq!(sup.get(&format!("/api/v1/appeals/{open}")).await.status, 200);
    assert_eq!(act(&mut sup, &open, json!({ "action": "accept" })).await.0, 403);
    let (s, d) = act(&mut sup, &open, json!({ "action": "supervise", "note": "请加快办理" })).await;
    assert_eq!((s, d["supervised"].as_bool()), (200, Some(true)));
    assert_eq!(
        act(&mut sup, &id, json!({ "action": "supervise" })).await.0,
        409,
        "rated: nothing left to push"
    );
}

#[tokio::test]
async fn bad_intake_is_refused_with_reasons_and_nothing_is_written() {
    let app = demo_app().await;
    let mut platform = as_user(&app, "admin").await;
    let other = platform
        .post_json(
            "/api/v1/communities",
            &json!({ "subdistrict": "XLGJD", "code": "HX", "name": "河湾社区" }),
        )
        .await
        .json()["community_id"]
        .as_i64()
        .unwrap();
    let party = platform
        .post_json(
            &format!("/api/v1/communities/{other}/appeal-parties"),
            &json!({ "kind": "property", "name": "河湾物业" }),
        )
        .await;
    assert_eq!(party.status, 201, "{}", party.text());
    let foreign = platform
        .post_json(
            &format!("/api/v1/communities/{other}/appeal-categories"),
            &json!({ "code": "leak", "name": "漏水", "party": party.json()["id"], "tier": "utility" }),
        )
        .await
        .json()["id"]
        .clone();

    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let before = resident.get("/api/v1/appeals?view=mine").await.json()["items"]
        .as_array()
        .unwrap()
        .len();
    let post = |body: Value| {
        let mut c = resident.clone();
        async move { c.post_json("/api/v1/appeals", &body).await }
    };
    let r = post(json!({ "community": 1, "category": foreign, "description": "楼上漏水很严重。" })).await;
    assert_eq!(r.status, 422, "a category of another community");
    assert_eq!(
        r.json()["error"]["fields"]["category"],
        says(&app, "appeals.bad_choice")
    );
    let r = post(json!({ "category": cats["noise"]["category_id"], "description": "吵", "lat": "91", "long": "103.8", "phone": "12345" })).await;
    assert_eq!(r.status, 422);
    let fields = r.json()["error"]["fields"].clone();
    assert_eq!(fields["description"], says(&app, "appeals.too_short"));
    assert_eq!(fields["lat"], says(&app, "map.bad_coordinate"));
    assert_eq!(fields["phone"], says(&app, "field.bad_phone"));
    let r = post(json!({ "category": cats["noise"]["category_id"], "description": "晚上很吵很吵。", "lat": "36.06" }))
        .await;
    assert_eq!(r.json()["error"]["fields"]["long"], says(&app, "map.point_incomplete"));
    let r =
        post(json!({ "category": cats["noise"]["category_id"], "description": "晚上很吵很吵。", "kind": "rumour" }))
            .await;
    assert_eq!(r.json()["error"]["fields"]["kind"], says(&app, "appeals.bad_choice"));
    let r = post(json!({ "category": cats["noise"]["category_id"], "description": "晚上很吵很吵。", "unit": 999_999 }))
        .await;
    assert_eq!(r.json()["error"]["fields"]["unit"], says(&app, "appeals.bad_choice"));
    let r = post(
        json!({ "category": cats["noise"]["category_id"], "description": "晚上很吵很吵。", "channel": "counter" }),
    )
    .await;
    assert_eq!(r.status, 201, "a resident's channel is always the app");
    assert_eq!(r.json()["channel"], "app");
    let after = resident.get("/api/v1/appeals?view=mine").await.json()["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before + 1, "only the good one was written");
}

#[tokio::test]
async fn the_contact_is_revealed_with_a_purpose_to_the_handlers_and_never_for_an_anonymous_appeal() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    let named = raise(&mut resident, &cats["water_leak"], unit, json!({})).await["appeal_id"].clone();
    let anon = raise(&mut resident, &cats["water_leak"], unit, json!({ "anonymous": true })).await["appeal_id"].clone();
    let mut desk = as_user(&app, "xlg.staff").await;
    let reveal = |id: &Value| format!("/api/v1/appeals/{id}/reveal");
    let r = desk.post_json(&reveal(&named), &json!({ "purpose": "" })).await;
    assert_eq!(r.status, 422);
    let r = desk
        .post_json(&reveal(&named), &json!({ "purpose": "约上门时间" }))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["value"], "13912345678");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        desk.post_json(&reveal(&anon), &json!({ "purpose": "约上门时间" }))
            .await
            .status,
        403
    );
    let shown = desk.get(&format!("/api/v1/appeals/{anon}")).await.json();
    assert_eq!(
        (shown["requester_name"].as_str(), shown["contact_masked"].as_str()),
        (Some(""), Some(""))
    );
    let mine = resident.get(&format!("/api/v1/appeals/{anon}")).await.json();
    assert_eq!(mine["contact_masked"], "139****5678", "she still sees her own");
    let mut property = as_user(&app, "property1").await;
    assert_eq!(
        property
            .post_json(&reveal(&named), &json!({ "purpose": "x" }))
            .await
            .status,
        404
    );
    let log = as_user(&app, "xlg.admin")
        .await
        .get("/api/v1/audit?entity=appeal")
        .await
        .json()
        .to_string();
    assert!(log.contains("appeal.reveal") && log.contains("约上门时间") && !log.contains("13912345678"));
}

/// The desk console's number of appeals waiting to be accepted.
async fn waiting_on_console(desk: &mut Client) -> i64 {
    let page = desk.get("/").await.text();
    let after = page.split("status=submitted\"><span class=\"n\">").nth(1).unwrap();
    after[..after.find('<').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn the_desk_console_counts_an_appeal_the_moment_it_is_raised() {
    let app = demo_app().await;
    let mut desk = app.signed_in("xlg.staff", PW).await;
    let before = waiting_on_console(&mut desk).await;
    // Read twice: the console remembers its numbers for a moment, but not past a write.
    assert_eq!(waiting_on_console(&mut desk).await, before);
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    raise(&mut resident, &cats["noise"], unit, json!({})).await;
    assert_eq!(waiting_on_console(&mut desk).await, before + 1);
}

#[tokio::test]
async fn the_pages_take_a_residents_appeal_and_show_each_party_its_work() {
    let app = demo_app().await;
    let mut resident = app.signed_in("resident1", PW).await;
    let form = resident.get("/appeals/new").await;
    assert_eq!(form.status, 200);
    let page = form.text();
    assert!(page.contains("漏水渗水") && page.contains("我要反映"));
    let (cats, _) = catalogue(&mut as_user(&app, "resident1").await).await;
    let cat = cats["water_leak"]["category_id"].to_string();
    let unit = unit_in(&app, "G01").await.to_string();
    let bad = resident
        .post_form("/appeals/new", &[("category", &cat), ("description", "漏")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains(&says(&app, "appeals.too_short")));
    let ok = resident
        .post_form(
            "/appeals/new",
            &[
                ("community", "1"),
                ("category", &cat),
                ("description", "厨房水管漏水了。"),
                ("unit", &unit),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let at = ok.header("location").unwrap();
    let mine = resident.get(&at).await.text();
    assert!(mine.contains("厨房水管漏水了") && mine.contains("已提交"));
    assert!(resident.get("/appeals?view=mine").await.text().contains("漏水渗水"));

    let mut desk = app.signed_in("xlg.staff", PW).await;
    let list = desk.get("/appeals").await.text();
    assert!(list.contains("厨房水管漏水了"));
    let detail = desk.get(&at).await.text();
    assert!(detail.contains("name=\"action\" value=\"accept\""));
    // Every step's form has its own field ids, so each label names its own field.
    let ids: Vec<&str> = detail
        .split(" id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");
    assert!(detail.contains("id=\"decline-reason\""));
    let api = as_user(&app, "xlg.staff")
        .await
        .get(&format!("/api/v1{at}"))
        .await
        .json();
    let building = api["building_name"]
        .as_str()
        .expect("the unit chosen is stored")
        .to_owned();
    assert!(detail.contains(&building), "the place chosen is shown");
    let id = at.rsplit('/').next().unwrap();
    let accepted = desk
        .post_form(
            &format!("/appeals/{id}/steps"),
            &[("action", "accept"), ("version", "1")],
        )
        .await;
    assert_eq!(accepted.status, 303);
    let stale = desk
        .post_form(
            &format!("/appeals/{id}/steps"),
            &[("action", "dispatch"), ("version", "1")],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.text().contains(&says(&app, "appeals.changed")));
    assert_eq!(
        desk.post_form(
            &format!("/appeals/{id}/steps"),
            &[("action", "dispatch"), ("version", "2")]
        )
        .await
        .status,
        303
    );

    let mut property = app.signed_in("property1", PW).await;
    let queue = property.get("/appeals?view=queue&bucket=new").await.text();
    assert!(queue.contains(&format!("/appeals/{id}")));
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let cat_page = admin.get("/appeals/catalogue").await.text();
    assert!(cat_page.contains("世茂物业") && cat_page.contains("2026-10-01"));
    let dup = admin
        .post_form(
            "/appeals/catalogue/parties",
            &[("community", "1"), ("kind", "property"), ("name", "世茂物业")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text().contains(&says(&app, "appeals.name_taken")));
    assert_eq!(desk.get("/appeals/catalogue").await.status, 404, "the administrator's");
}

/// A small real JPEG of one `shade` whose EXIF block carries a GPS position and whose comment a
/// name, with the start of a video after its end, as a phone's "motion photo" has.
fn jpeg_with_gps_of(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(32, 24, image::Rgb([shade, 120, 200]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();
    let mut b = jpeg[..2].to_vec();
    for (marker, payload) in [
        (0xE1, &b"Exif\0\0GPS:36.0611,103.8343"[..]),
        (0xFE, "王秀兰".as_bytes()),
    ] {
        b.extend_from_slice(&[0xFF, marker]);
        b.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        b.extend_from_slice(payload);
    }
    b.extend_from_slice(&jpeg[2..]);
    b.extend_from_slice(b"\0\0\0\x18ftypmp42");
    b
}

/// A leak raised by the demo's resident, with a phone photo added: her client, and the photo's
/// address and bytes as she is shown them.
pub(crate) async fn leak_with_photo(app: &TestApp) -> (Client, String, Vec<u8>) {
    let (mut resident, id) = leak(app).await;
    let sent = resident
        .post_file(
            &format!("/api/v1/appeals/{id}/photos"),
            "photo",
            "leak.jpg",
            &jpeg_with_gps(),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text());
    let href = sent.json()["href"].as_str().unwrap().to_owned();
    let shown = resident.get(&href).await;
    assert_eq!(shown.status, 200);
    (resident, href, shown.body)
}

pub(crate) fn jpeg_with_gps() -> Vec<u8> {
    jpeg_with_gps_of(40)
}

#[tokio::test]
async fn photos_lose_their_gps_and_are_shown_only_to_those_who_see_the_appeal() {
    let app = demo_app().await;
    let (mut resident, id) = leak(&app).await;
    let path = format!("/api/v1/appeals/{id}/photos");
    let added = resident.post_file(&path, "photo", "leak.jpg", &jpeg_with_gps()).await;
    assert_eq!(added.status, 201, "{}", added.text());
    let href = added.json()["href"].as_str().unwrap().to_owned();
    let got = resident.get(&href).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type").as_deref(), Some("image/jpeg"));
    let body = String::from_utf8_lossy(&got.body);
    assert!(!body.contains("GPS"), "EXIF stripped before storing");
    assert!(
        !body.contains("王秀兰") && !body.contains("ftyp"),
        "comment and trailer too"
    );
    assert!(got.body.starts_with(&[0xFF, 0xD8]) && got.body.ends_with(&[0xFF, 0xD9]));
    let sha = href.rsplit('/').next().unwrap();
    assert_eq!(
        app.client().get(&format!("/files/{sha}")).await.status,
        404,
        "not a public file"
    );

    let not_image = resident
        .post_file(&path, "photo", "leak.jpg", b"<svg onload=alert(1)>")
        .await;
    assert_eq!(not_image.status, 422);
    assert_eq!(
        not_image.json()["error"]["fields"]["photo"],
        says(&app, "file.not_an_image")
    );
    let mut huge = jpeg_with_gps();
    huge.resize(8 * 1024 * 1024 + 10, 0);
    let too_large = resident.post_file(&path, "photo", "big.jpg", &huge).await;
    assert!(matches!(too_large.status, 413 | 422), "{}", too_large.status);

    // The property company sees it once the appeal is theirs, not before.
    let mut property = as_user(&app, "property1").await;
    assert_eq!(property.get(&href).await.status, 404);
    let mut desk = as_user(&app, "xlg.staff").await;
    act(&mut desk, &id, json!({ "action": "accept" })).await;
    act(&mut desk, &id, json!({ "action": "dispatch" })).await;
    assert_eq!(property.get(&href).await.status, 200);
    let view = resident.get(&format!("/api/v1/appeals/{id}")).await.json();
    assert_eq!(view["photos"].as_array().unwrap().len(), 1);

    // The company's photo of the work done is shown apart from hers of the leak.
    act(&mut property, &id, json!({ "action": "take" })).await;
    let after = property
        .post_file(&path, "photo", "fixed.jpg", &jpeg_with_gps_of(41))
        .await;
    assert_eq!(after.status, 201, "{}", after.text());
    let page = app
        .signed_in("resident1", PW)
        .await
        .get(&format!("/appeals/{id}"))
        .await
        .text();
    let (raised, handled) = page
        .split_once("办理中和办结后的照片")
        .expect("a heading for the photos of the work");
    assert!(
        raised.contains("反映时的照片") && raised.contains(sha),
        "hers as raised"
    );
    let after_sha = after.json()["href"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        handled.contains(&after_sha) && !handled.contains(sha),
        "the company's after"
    );
}

#[tokio::test]
async fn photos_chosen_on_the_phone_form_come_with_the_appeal_or_nothing_is_raised() {
    let app = demo_app().await;
    let mut resident = app.signed_in("resident1", PW).await;
    let (cats, _) = catalogue(&mut as_user(&app, "resident1").await).await;
    let cat = cats["water_leak"]["category_id"].to_string();
    let unit = unit_in(&app, "G01").await.to_string();
    let fields = [
        ("community", "1"),
        ("category", cat.as_str()),
        ("description", "卫生间顶棚渗水，照片在此。"),
        ("unit", unit.as_str()),
        // As the form's "use where I am" fills them in.
        ("lat", "36.061100"),
        ("long", "103.834300"),
    ];
    let raised = || async {
        let items = as_user(&app, "resident1")
            .await
            .get("/api/v1/appeals?view=mine&limit=200")
            .await
            .json()["items"]
            .clone();
        let said = |a: &&Value| a["description"] == "卫生间顶棚渗水，照片在此。";
        items.as_array().unwrap().iter().filter(said).count()
    };

    // A file that is not an image: the form comes back with the reason, and no appeal is made.
    let bad = resident
        .post_multipart(
            "/appeals/new",
            &fields,
            &[
                ("photos", "a.jpg", &jpeg_with_gps()),
                ("photos", "b.jpg", b"not a picture"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains(&says(&app, "file.not_an_image")));
    assert!(
        bad.text().contains("卫生间顶棚渗水，照片在此。"),
        "what was typed is kept"
    );
    let jpeg = jpeg_with_gps();
    let too_many = resident
        .post_multipart("/appeals/new", &fields, &[("photos", "a.jpg", jpeg.as_slice()); 4])
        .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(raised().await, 0);

    // Two photos and an empty file input (a browser sends one when nothing more is chosen).
    let other = jpeg_with_gps_of(200);
    let ok = resident
        .post_multipart(
            "/appeals/new",
            &fields,
            &[
                ("photos", "a.jpg", &jpeg_with_gps()),
                ("photos", "b.jpg", &other),
                ("photos", "", b""),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let id = ok.header("location").unwrap().rsplit('/').next().unwrap().to_owned();
    let view = resident.get(&format!("/api/v1/appeals/{id}")).await.json();
    assert_eq!(view["photos"].as_array().unwrap().len(), 2, "{view}");
    assert_eq!(
        (view["lat_e6"].as_i64(), view["long_e6"].as_i64()),
        (Some(36_061_100), Some(103_834_300))
    );
    assert_eq!(raised().await, 1);
}

#[tokio::test]
async fn the_months_rates_match_a_hand_count_and_follow_the_communitys_formula() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    let mut desk = as_user(&app, "xlg.staff").await;
    let mut property = as_user(&app, "property1").await;
    let clock = &app.state.clock;
    // The demo's appeals are November's: ours are December's, from Tuesday 1 Dec 10:00.
    clock.advance_ms(4 * 24 * HOUR);

    // t = 0: two leaks (utility: dispatch within 2 h, reply within 24 h) and two noise
    // complaints (normal: 24 h, 7 days).
    let leak1 = raise(&mut resident, &cats["water_leak"], unit, json!({})).await["appeal_id"].clone();
    let leak2 = raise(&mut resident, &cats["water_leak"], unit, json!({})).await["appeal_id"].clone();
    let noise1 = raise(&mut resident, &cats["noise"], unit, json!({})).await["appeal_id"].clone();
    let noise2 = raise(&mut resident, &cats["noise"], unit, json!({})).await["appeal_id"].clone();
    clock.advance_ms(HOUR);
    for step in ["accept", "dispatch"] {
        act(&mut desk, &leak1, json!({ "action": step })).await; // accepted after 1 h: in time
    }
    clock.advance_ms(2 * HOUR);
    for step in ["accept", "dispatch"] {
        act(&mut desk, &leak2, json!({ "action": step })).await; // after 3 h: late
        act(&mut desk, &noise1, json!({ "action": step })).await; // after 3 h of 24: in time
    }
    act(&mut desk, &noise2, json!({ "action": "decline", "reason": "referred" })).await;
    clock.advance_ms(2 * HOUR); // t = 5 h: leak 1 replied in time, rated satisfied
    act(&mut property, &leak1, json!({ "action": "take" })).await;
    act(&mut property, &leak1, json!({ "action": "reply", "answer": "修好了" })).await;
    act(&mut desk, &leak1, json!({ "action": "verify" })).await;
    act(
        &mut resident,
        &leak1,
        json!({ "action": "rate", "rating": "satisfied" }),
    )
    .await;
    clock.advance_ms(25 * HOUR); // t = 30 h: leak 2 replied 3 h after its deadline, basically satisfied
    act(&mut property, &leak2, json!({ "action": "take" })).await;
    act(&mut property, &leak2, json!({ "action": "reply", "answer": "修好了" })).await;
    act(&mut desk, &leak2, json!({ "action": "verify" })).await;
    act(&mut resident, &leak2, json!({ "action": "rate", "rating": "basic" })).await;
    clock.advance_ms(HOUR); // t = 31 h: noise 1 replied, unsatisfied on the call-back: redo
    act(&mut desk, &noise1, json!({ "action": "take" })).await;
    act(&mut desk, &noise1, json!({ "action": "reply", "answer": "已劝说" })).await;
    act(&mut desk, &noise1, json!({ "action": "verify" })).await;
    let (_, d) = act(
        &mut desk,
        &noise1,
        json!({ "action": "callback", "rating": "unsatisfied" }),
    )
    .await;
    assert_eq!(d["status"], "in_progress");

    let r = desk
        .get("/api/v1/communities/1/appeal-rates?month=2026-12")
        .await
        .json();
    // 4 raised, 1 declined; in time: leak 1 and noise 1 of 3; replied: leak 1 (in time) and
    // leak 2 (late), noise 1's reply undone by the redo; rated: satisfied, basic, unsatisfied.
    let rates = |v: &Value| -> Vec<Value> {
        ["response", "solved", "satisfaction", "on_time", "avg_handling_hours"]
            .iter()
            .map(|k| v[*k].clone())
            .collect()
    };
    assert_eq!(r["total"]["counts"]["total"], 4);
    assert_eq!(
        rates(&r["total"]),
        [json!(66.7), json!(66.7), json!(66.7), json!(50.0), json!(17.5)]
    );
    let row = |group: &str, name: &str| -> Value {
        r[group]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        rates(&row("by_party", "世茂物业")),
        [json!(50.0), json!(100.0), json!(100.0), json!(50.0), json!(17.5)]
    );
    assert_eq!(
        rates(&row("by_party", "社区大管家服务队")),
        [json!(100.0), json!(0.0), json!(0.0), Value::Null, Value::Null]
    );
    let undispatched = row("by_party", "");
    assert_eq!(
        (
            undispatched["counts"]["declined"].clone(),
            undispatched["response"].clone()
        ),
        (json!(1), Value::Null)
    );
    assert_eq!(row("by_category", "漏水渗水")["counts"]["total"], 2);
    assert_eq!(row("by_grid", "第一网格（海亮小区北）")["counts"]["total"], 4);

    let empty = desk
        .get("/api/v1/communities/1/appeal-rates?month=2027-01")
        .await
        .json();
    assert_eq!(empty["total"]["counts"]["total"], 0);
    assert_eq!(empty["total"]["response"], Value::Null);
    let bad = desk.get("/api/v1/communities/1/appeal-rates?month=2026-13").await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["fields"]["month"], says(&app, "appeals.bad_month"));

    // The formula: "basically satisfied" at 50 %, only "satisfied" counts as solved.
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let saved = admin
        .post_form(
            "/structure/communities/1/settings",
            &[
                ("appeals.satisfaction_basic_weight", "50"),
                ("appeals.solved_ratings", "满意"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    // The settings page shows them in words, not codes, and takes the words back.
    let shown = admin.get("/structure/communities/1").await.text();
    for (key, words) in [
        ("appeals.solved_ratings", "满意"),
        ("appeals.deadline_emergency", "1小时，2小时"),
    ] {
        assert!(
            shown.contains(&format!(r#"name="{key}" type="text" value="{words}""#)),
            "{key} shown as {words}"
        );
    }
    let bad = admin
        .post_form(
            "/structure/communities/1/settings",
            &[("appeals.solved_ratings", "happy")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let r2 = desk
        .get("/api/v1/communities/1/appeal-rates?month=2026-12")
        .await
        .json();
    assert_eq!(
        (r2["total"]["satisfaction"].clone(), r2["total"]["solved"].clone()),
        (json!(50.0), json!(33.3))
    );

    // The dashboard and its workbook; supervisors see numbers, residents nothing.
    let page = admin.get("/appeals/rates?month=2026-12").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("满意率") && page.text().contains("世茂物业"));
    let book = admin.get("/appeals/rates.xlsx?month=2026-12").await;
    assert_eq!(book.status, 200);
    assert!(book.body.starts_with(b"PK"), "an .xlsx is a zip");
    let mut sup = as_user(&app, "xigu.supervisor").await;
    assert_eq!(sup.get("/api/v1/communities/1/appeal-rates").await.status, 200);
    assert_eq!(resident.get("/api/v1/communities/1/appeal-rates").await.status, 404);
}

/// An integration's API key for the demo community.
async fn api_key(app: &TestApp) -> String {
    let cli = yijia_kernel::Actor::cli();
    yijia_accounts::commands::tokens::create_api_key(&app.state, &cli, "XLG", "12345 热线")
        .await
        .unwrap()
}

#[tokio::test]
async fn open311_lists_services_takes_requests_with_a_key_and_answers_in_json_and_xml() {
    let app = demo_app().await;
    let key = api_key(&app).await;
    let mut c = app.client();
    let services = c.get("/open311/v2/services.json?jurisdiction_id=XLG").await;
    assert_eq!(services.status, 200);
    let list = services.json();
    let lift = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "lift_fault")
        .unwrap()
        .clone();
    assert_eq!(
        (lift["metadata"].as_bool(), lift["type"].as_str()),
        (Some(true), Some("realtime"))
    );
    let def = c
        .get("/open311/v2/services/lift_fault.xml?jurisdiction_id=XLG")
        .await
        .text();
    assert!(def.contains("<service_definition><service_code>lift_fault</service_code><attributes><attribute><variable>true</variable><code>trapped</code>"));
    assert!(c
        .get("/open311/v2/discovery.xml")
        .await
        .text()
        .contains("<specification>http://wiki.open311.org/GeoReport_v2</specification>"));

    let form = |fields: &[(&str, &str)]| serde_urlencoded::to_string(fields).unwrap();
    let post = |body: String| {
        let mut c = app.client();
        async move {
            c.post_raw(
                "/open311/v2/requests.json",
                "application/x-www-form-urlencoded",
                body.as_bytes(),
            )
            .await
        }
    };
    let good = [
        ("jurisdiction_id", "XLG"),
        ("service_code", "lift_fault"),
        ("lat", "36.0611"),
        ("long", "103.8343"),
        ("attribute[trapped]", "yes"),
        ("description", "3号楼电梯困人"),
        ("first_name", "王"),
        ("phone", "13912345678"),
        ("api_key", key.as_str()),
    ];
    let created = post(form(&good)).await;
    assert_eq!(created.status, 200, "{}", created.text());
    let id = created.json()[0]["service_request_id"].as_str().unwrap().to_owned();

    // Bad posts: the specification's error list with 400 or 403, nothing written.
    let without = |drop: &str| form(&good.iter().filter(|(k, _)| *k != drop).copied().collect::<Vec<_>>());
    let with = |k: &str, v: &str| {
        form(
            &good
                .iter()
                .map(|(a, b)| if *a == k { (*a, v) } else { (*a, *b) })
                .collect::<Vec<_>>(),
        )
    };
    for (body, status, says_) in [
        (without("service_code"), 400, "service_code is required"),
        (without("api_key"), 403, "api_key is required"),
        (with("api_key", "wrong"), 403, "api_key is not valid"),
        (with("lat", "360"), 400, "lat"),
        (with("attribute[trapped]", "perhaps"), 400, "attribute[trapped]"),
        (with("service_code", "nope"), 404, "service_code nope not found"),
    ] {
        let r = post(body).await;
        assert_eq!(r.status, status, "{}", r.text());
        let e = &r.json()[0];
        assert_eq!(e["code"], status);
        assert!(e["description"].as_str().unwrap().contains(says_), "{e}");
    }
    let no_place = form(&[
        ("jurisdiction_id", "XLG"),
        ("service_code", "noise"),
        ("api_key", key.as_str()),
    ]);
    assert_eq!(post(no_place).await.status, 400, "a location is required");
    let xml_error = {
        let mut c = app.client();
        c.post_raw(
            "/open311/v2/requests.xml",
            "application/x-www-form-urlencoded",
            without("service_code").as_bytes(),
        )
        .await
        .text()
    };
    assert!(xml_error.contains(
        "<errors><error><code>400</code><description>service_code is required</description></error></errors>"
    ));

    // The request, as anyone may read it: open, its service, its place; never who asked.
    let one = c
        .get(&format!("/open311/v2/requests/{id}.json?jurisdiction_id=XLG"))
        .await
        .json();
    let r = &one[0];
    assert_eq!(
        (r["status"].as_str(), r["service_code"].as_str()),
        (Some("open"), Some("lift_fault"))
    );
    assert_eq!(r["lat"], 36.0611);
    assert!(r["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    assert!(r["expected_datetime"].is_string(), "the dispatch deadline");
    assert!(!one.to_string().contains("13912345678") && !one.to_string().contains("\"王\""));
    let token = c
        .get(&format!("/open311/v2/tokens/{id}.json?jurisdiction_id=XLG"))
        .await
        .json();
    assert_eq!(token[0]["service_request_id"], id.as_str());
    // It reached the desk like any appeal, from the Open311 channel.
    let mut desk = as_user(&app, "xlg.staff").await;
    let seen = desk.get(&format!("/api/v1/appeals/{id}")).await.json();
    assert_eq!(
        (seen["channel"].as_str(), seen["attributes"].as_str()),
        (Some("open311"), Some(r#"{"trapped":"yes"}"#))
    );

    // Searching: by id, by code, by status, by dates (the default window is 90 days).
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .map(|r| {
                r["service_request_id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{r}"))
                    .to_owned()
            })
            .collect()
    };
    let found = ids(c
        .get("/open311/v2/requests.json?jurisdiction_id=XLG&service_code=lift_fault&status=open")
        .await
        .json());
    assert!(found.contains(&id));
    let closed = ids(c
        .get("/open311/v2/requests.json?jurisdiction_id=XLG&status=closed")
        .await
        .json());
    assert!(
        !closed.contains(&id) && !closed.is_empty(),
        "the demo has finished appeals"
    );
    let before = ids(c
        .get("/open311/v2/requests.json?jurisdiction_id=XLG&end_date=2026-01-01T00:00:00Z")
        .await
        .json());
    assert!(before.is_empty());
    let wide = c
        .get("/open311/v2/requests.json?jurisdiction_id=XLG&start_date=2026-01-01&end_date=2026-12-31")
        .await;
    assert_eq!(wide.status, 400, "more than 90 days");
    let bad_date = c
        .get("/open311/v2/requests.xml?jurisdiction_id=XLG&start_date=yesterday")
        .await;
    assert_eq!(bad_date.status, 400);
    assert!(bad_date.text().starts_with("<?xml"));
    assert_eq!(
        c.get("/open311/v2/requests/999999.json?jurisdiction_id=XLG")
            .await
            .status,
        404
    );
    assert_eq!(
        c.get("/open311/v2/services.json?jurisdiction_id=NOPE").await.status,
        404
    );
    let updates = c
        .get("/open311/v2/servicerequestupdates.xml?jurisdiction_id=XLG")
        .await
        .text();
    assert!(updates.contains("<service_request_updates><request_update><update_id>"));
    assert!(!updates.contains("电话核实"), "internal notes never leave");
}

/// The texts of an account's unread notifications.
async fn inbox(c: &mut Client) -> Vec<String> {
    let v = c.get("/api/v1/me/notifications").await.json();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["read_at"].is_null())
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_party_is_told_what_concerns_it_and_a_missed_deadline_is_escalated_once() {
    let app = demo_app().await;
    let (mut resident, id) = leak(&app).await;
    let mut desk = as_user(&app, "xlg.staff").await;
    let mut admin = as_user(&app, "xlg.admin").await;
    let mut property = as_user(&app, "property1").await;
    let mut sup = as_user(&app, "xigu.supervisor").await;
    let new = format!("新诉求 #{id}（漏水渗水）待受理");
    assert!(inbox(&mut desk).await.contains(&new));
    assert!(inbox(&mut admin).await.contains(&new));
    assert!(
        inbox(&mut property)
            .await
            .iter()
            .all(|t| !t.contains(&format!("#{id}"))),
        "not theirs yet"
    );

    // Utility tier: dispatch within 2 h, warned half an hour before (a quarter of the span).
    // (The demo's own appeals, raised at the same moment, are watched too: only ours is checked.)
    let sweep = || yijia_appeals::sweep::sweep(&app.state);
    let watch = |v: Value| {
        (
            v["warned_at"].is_i64(),
            v["overdue_at"].is_i64(),
            v["escalation"].as_i64().unwrap(),
        )
    };
    sweep().await.unwrap();
    assert_eq!(
        watch(desk.get(&format!("/api/v1/appeals/{id}")).await.json()),
        (false, false, 0)
    );
    app.state.clock.advance_ms(90 * 60_000);
    sweep().await.unwrap();
    assert_eq!(
        watch(desk.get(&format!("/api/v1/appeals/{id}")).await.json()),
        (true, false, 0)
    );
    assert!(inbox(&mut desk)
        .await
        .contains(&format!("诉求 #{id}（漏水渗水）即将到期")));
    app.state.clock.advance_ms(31 * 60_000);
    // Two instances sweeping at once tell everyone once; a third sweep finds nothing left to do.
    let (x, y) = tokio::join!(sweep(), sweep());
    x.unwrap();
    y.unwrap();
    assert_eq!(sweep().await.unwrap().overdue, 0);
    assert_eq!(
        watch(desk.get(&format!("/api/v1/appeals/{id}")).await.json()),
        (true, true, 1)
    );
    let overdue = format!("诉求 #{id}（漏水渗水）已超期");
    assert_eq!(inbox(&mut desk).await.iter().filter(|t| **t == overdue).count(), 1);
    assert!(inbox(&mut admin)
        .await
        .contains(&format!("超期上报：诉求 #{id}（漏水渗水）")));
    assert!(desk.get(&format!("/api/v1/appeals/{id}")).await.json()["overdue_at"].is_i64());
    let console = app.signed_in("xlg.staff", PW).await.get("/").await.text();
    assert!(
        console.contains("超期诉求") && console.contains("bucket=overdue"),
        "{console}"
    );
    // A day later, still not dispatched: the district's supervisor hears of it.
    app.state.clock.advance_ms(24 * HOUR);
    sweep().await.unwrap();
    assert_eq!(watch(desk.get(&format!("/api/v1/appeals/{id}")).await.json()).2, 2);
    assert!(inbox(&mut sup)
        .await
        .contains(&format!("超期上报：诉求 #{id}（漏水渗水）")));

    // Dispatch: the property company is told, and the requester of the progress.
    act(&mut desk, &id, json!({ "action": "accept" })).await;
    act(&mut desk, &id, json!({ "action": "dispatch" })).await;
    assert!(inbox(&mut property)
        .await
        .contains(&format!("新派单：诉求 #{id}（漏水渗水）")));
    // The requester is told what happened and who has it until when, not just "news".
    let told = inbox(&mut resident).await;
    let about = format!("您的诉求 #{id}（漏水渗水）");
    assert!(
        told.iter()
            .any(|t| t.starts_with(&format!("{about}已派单给世茂物业，预计20")) && t.ends_with("前办结。")),
        "{told:?}"
    );
    assert!(told.contains(&format!("{about}已受理，正在安排办理单位。")), "{told:?}");
    // Two unread steps of one appeal are one thing to read: the badge counts it once, and
    // opening the newest reads both.
    let mine = resident.get("/api/v1/me/notifications").await.json();
    let unread_links: std::collections::BTreeSet<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["read_at"].is_null())
        .map(|n| n["link"].as_str().unwrap())
        .collect();
    assert_eq!(mine["unread"].as_i64(), Some(unread_links.len() as i64));
    let newest = mine["items"][0]["notification_id"].as_i64().unwrap();
    assert_eq!(mine["items"][0]["link"], format!("/appeals/{id}"));
    resident
        .post_json(&format!("/api/v1/me/notifications/{newest}/read"), &json!({}))
        .await;
    assert!(inbox(&mut resident).await.iter().all(|t| !t.starts_with(&about)));
    let seen = desk.get(&format!("/api/v1/appeals/{id}")).await.json();
    assert!(seen["overdue_at"].is_null(), "a new deadline, a new watch");

    // The inbox page: opening a message marks it read and goes to the appeal.
    let mut page = app.signed_in("property1", PW).await;
    let html = page.get("/inbox").await.text();
    assert!(html.contains(&format!("新派单：诉求 #{id}（漏水渗水）")));
    let first = property.get("/api/v1/me/notifications").await.json()["items"][0].clone();
    let opened = page.get(&format!("/inbox/{}", first["notification_id"])).await;
    assert_eq!(opened.status, 303);
    assert_eq!(opened.header("location").unwrap(), first["link"].as_str().unwrap());
    let after = property.get("/api/v1/me/notifications").await.json();
    assert!(after["items"][0]["read_at"].is_i64());
    assert_eq!(page.get("/inbox/999999").await.status, 404, "another's or none");
}

#[tokio::test]
async fn a_grid_worker_raises_an_appeal_from_a_door_visit_and_the_visit_points_to_it() {
    let app = demo_app().await;
    let mut grid1 = as_user(&app, "grid1").await;
    let (cats, _) = catalogue(&mut grid1).await;
    let unit = unit_in(&app, "G01").await;
    let household = grid1.get(&format!("/api/v1/units/{unit}/households")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let visit = grid1
        .post_json(
            &format!("/api/v1/households/{household}/visits"),
            &json!({ "met": "王大爷", "findings": "厨房顶棚漏水，老人行动不便" }),
        )
        .await;
    assert_eq!(visit.status, 201, "{}", visit.text());
    let visit_id = visit.json()["visit_id"].as_i64().unwrap();
    let body = json!({ "category": cats["water_leak"]["category_id"], "description": "走访发现厨房顶棚漏水。", "visit": visit_id, "name": "王大爷" });
    let raised = grid1.post_json("/api/v1/appeals", &body).await;
    assert_eq!(raised.status, 201, "{}", raised.text());
    let a = raised.json();
    assert_eq!(
        (a["channel"].as_str(), a["household_id"].as_i64(), a["unit_id"].as_i64()),
        (Some("visit"), Some(household), Some(unit))
    );
    let visits = grid1
        .get(&format!("/api/v1/households/{household}/visits"))
        .await
        .json();
    let logged = visits["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["visit_id"] == visit_id)
        .unwrap()
        .clone();
    assert_eq!(logged["appeal_id"], a["appeal_id"]);
    let again = grid1.post_json("/api/v1/appeals", &body).await;
    assert_eq!(again.status, 422, "one appeal per visit");
    assert_eq!(
        again.json()["error"]["fields"]["visit"],
        says(&app, "appeals.visit_raised")
    );
    // On the household page the visit links to its appeal.
    let page = app
        .signed_in("grid1", PW)
        .await
        .get(&format!("/registry/households/{household}"))
        .await
        .text();
    assert!(page.contains(&format!("/appeals/{}", a["appeal_id"])));
}

#[tokio::test]
async fn sixty_four_residents_raising_appeals_at_once_are_all_taken_in() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    let body =
        json!({ "category": cats["noise"]["category_id"], "unit": unit, "description": "晚上十一点后楼下还在装修。" });
    let count = |v: Value| v["items"].as_array().unwrap().len();
    let before = count(resident.get("/api/v1/appeals?view=mine&limit=200").await.json());
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let mut c = resident.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            c.post_json("/api/v1/appeals", &body).await.status
        }));
    }
    for t in tasks {
        assert_eq!(
            t.await.unwrap(),
            201,
            "every writer succeeds, none waits forever on a busy database"
        );
    }
    assert_eq!(
        count(resident.get("/api/v1/appeals?view=mine&limit=200").await.json()),
        before + 64
    );
}
