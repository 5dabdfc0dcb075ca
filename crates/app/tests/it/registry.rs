//! The residents registry: masked numbers and audited reveals, scope by grid, search through
//! the blind index, lifecycle with history, visits, owners, and a resident's own data.

use serde_json::{json, Value};
use yijia_testkit::{Client, TestApp};

use crate::{demo_app, grid_id, PW};

/// A checksum-valid citizen ID from its first 17 digits (GB 11643).
pub fn citizen_id(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first17}{}", char::from(b"10X98765432"[(sum % 11) as usize]))
}

async fn as_user(app: &TestApp, user: &str) -> Client {
    let t = app.token(user, PW).await;
    app.client().with_bearer(&t)
}

/// The first live household of a grid of the demo community.
async fn household_in(app: &TestApp, grid: &str) -> i64 {
    let mut c = as_user(app, "xlg.admin").await;
    let g = grid_id(app, grid).await;
    let buildings = c.get(&format!("/api/v1/grids/{g}/buildings")).await.json();
    let b = buildings["items"][0]["id"].as_i64().unwrap();
    let units = c.get(&format!("/api/v1/buildings/{b}/units")).await.json();
    let u = units["items"][0]["id"].as_i64().unwrap();
    let households = c.get(&format!("/api/v1/units/{u}/households")).await.json();
    households["items"][0]["id"].as_i64().unwrap()
}

async fn add(c: &mut Client, household: i64, body: Value) -> Value {
    let res = c
        .post_json(&format!("/api/v1/households/{household}/residents"), &body)
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

/// A message as the API answers it, in the default language.
fn says(app: &TestApp, key: &str) -> String {
    app.state.tr(yijia_kernel::i18n::Locale::ZhCn).t(key)
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_resident_is_stored_sealed_shown_masked_and_revealed_only_with_a_purpose() {
    let app = demo_app().await;
    let h = household_in(&app, "G01").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let r = add(
        &mut staff,
        h,
        json!({ "name": "测试老人", "id_number": "11010519491231002X", "phone": "13812345678", "health": "高血压" }),
    )
    .await;
    assert_eq!(r["id_masked"], "110105********002X");
    assert_eq!(r["phone_masked"], "138****5678");
    assert_eq!(r["birth_date"], "1949-12-31", "taken from the ID");
    assert_eq!(r["gender"], "female");
    let id = r["resident_id"].as_i64().unwrap();

    // Nothing in the database holds the numbers or the health note in clear.
    let dump = serde_json::to_string(&yijia_db::dump_tables(app.handle()).await.unwrap()).unwrap();
    for secret in ["11010519491231002X", "13812345678", "高血压"] {
        assert!(!dump.contains(secret), "{secret} stored in clear");
    }
    if yijia_testkit::TestDb::postgres_url().is_none() {
        for file in ["yijia.db", "yijia.db-wal"] {
            let bytes = std::fs::read(app.db.dir().join(file)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("11010519491231002X") && !text.contains("13812345678"),
                "{file}"
            );
        }
    }

    let no_purpose = staff
        .post_json(
            &format!("/api/v1/residents/{id}/reveal"),
            &json!({ "field": "id_number", "purpose": "" }),
        )
        .await;
    assert_eq!(no_purpose.status, 422);
    assert_eq!(
        no_purpose.json()["error"]["fields"]["purpose"],
        says(&app, "registry.purpose_needed")
    );
    let shown = staff
        .post_json(
            &format!("/api/v1/residents/{id}/reveal"),
            &json!({ "field": "id_number", "purpose": "核实低保申请" }),
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(shown.json()["value"], "11010519491231002X");
    assert_eq!(shown.header("cache-control").as_deref(), Some("no-store"));

    // The audit log has who, which field and why — never the value.
    let mut admin = as_user(&app, "xlg.admin").await;
    let log = admin.get("/api/v1/audit?entity=resident").await;
    let text = log.text();
    assert!(text.contains("核实低保申请"), "{text}");
    assert!(text.contains("id_number"));
    assert!(!text.contains("11010519491231002X"));

    // Those without the right never see it: the grid worker of another grid, a supervisor.
    let mut grid2 = as_user(&app, "grid2").await;
    let other = grid2
        .post_json(
            &format!("/api/v1/residents/{id}/reveal"),
            &json!({ "field": "phone", "purpose": "看看" }),
        )
        .await;
    assert_eq!(other.status, 404);
    let mut sup = as_user(&app, "xigu.supervisor").await;
    assert_eq!(sup.get(&format!("/api/v1/residents/{id}")).await.status, 404);
    let mut grid1 = as_user(&app, "grid1").await;
    assert_eq!(grid1.get(&format!("/api/v1/residents/{id}")).await.status, 200);
}

#[tokio::test]
async fn a_wrong_checksum_a_future_birth_and_a_second_registration_are_refused_with_reasons() {
    let app = demo_app().await;
    let h = household_in(&app, "G01").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let bad = staff
        .post_json(
            &format!("/api/v1/households/{h}/residents"),
            &json!({ "name": "甲", "id_number": "110105194912310021" }),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.json()["error"]["fields"]["id_number"],
        says(&app, "registry.id_checksum")
    );
    let future = citizen_id("62010420300101001");
    let res = staff
        .post_json(
            &format!("/api/v1/households/{h}/residents"),
            &json!({ "name": "乙", "id_number": future }),
        )
        .await;
    assert_eq!(
        res.json()["error"]["fields"]["id_number"],
        says(&app, "registry.id_future_birth")
    );
    let mismatch = staff
        .post_json(
            &format!("/api/v1/households/{h}/residents"),
            &json!({ "name": "丙", "id_number": "11010519491231002X", "gender": "男" }),
        )
        .await;
    assert_eq!(
        mismatch.json()["error"]["fields"]["gender"],
        says(&app, "registry.gender_mismatch")
    );
    add(&mut staff, h, json!({ "name": "丁", "id_number": "110105491231002" })).await;
    let again = staff
        .post_json(
            &format!("/api/v1/households/{h}/residents"),
            &json!({ "name": "丁", "id_number": "11010519491231002X" }),
        )
        .await;
    assert_eq!(
        again.status, 422,
        "the legacy 15-digit number was converted, so this is the same person"
    );
    assert_eq!(
        again.json()["error"]["fields"]["id_number"],
        says(&app, "registry.id_taken")
    );
}

#[tokio::test]
async fn search_finds_people_by_name_part_exact_id_and_phone_within_the_grid_workers_grids() {
    let app = demo_app().await;
    let h1 = household_in(&app, "G01").await;
    let h2 = household_in(&app, "G02").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let id = citizen_id("62010419800101001");
    add(
        &mut staff,
        h1,
        json!({ "name": "甄一号", "id_number": id, "phone": "+86 139 0000 1111" }),
    )
    .await;
    add(&mut staff, h2, json!({ "name": "甄二号" })).await;
    let found = |v: Value| {
        items(&v)
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found(staff.get("/api/v1/residents?q=甄").await.json()),
        ["甄一号", "甄二号"]
    );
    assert_eq!(
        found(staff.get(&format!("/api/v1/residents?q={id}")).await.json()),
        ["甄一号"]
    );
    assert_eq!(
        found(staff.get("/api/v1/residents?q=13900001111").await.json()),
        ["甄一号"]
    );
    let mut grid1 = as_user(&app, "grid1").await;
    assert_eq!(found(grid1.get("/api/v1/residents?q=甄").await.json()), ["甄一号"]);
    let all = grid1.get("/api/v1/residents?limit=200").await.json();
    let g1 = grid_id(&app, "G01").await;
    assert!(
        items(&all).iter().all(|r| r["grid_id"] == g1),
        "a grid worker sees only their grid"
    );
    // Percent and underscore are literal in a name search.
    assert!(items(&staff.get("/api/v1/residents?q=%25").await.json()).is_empty());
}

#[tokio::test]
async fn care_tags_filter_and_count_and_are_never_stored_in_clear() {
    let app = demo_app().await;
    let h = household_in(&app, "G01").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let r = add(&mut staff, h, json!({ "name": "独居测试", "birth_date": "1940-05-01" })).await;
    let id = r["resident_id"].as_i64().unwrap();
    let before = staff.get("/api/v1/registry/numbers").await.json();
    let count = |n: &Value| -> i64 {
        n["grids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["care"]["serious_illness"].as_i64().unwrap_or(0))
            .sum()
    };
    let tag = staff
        .post_json(
            &format!("/api/v1/residents/{id}/care-tags"),
            &json!({ "kind": "serious_illness", "note": "透析" }),
        )
        .await;
    assert_eq!(tag.status, 201, "{}", tag.text());
    let after = staff.get("/api/v1/registry/numbers").await.json();
    assert_eq!(count(&after), count(&before) + 1);
    let listed = staff
        .get("/api/v1/residents?tag=serious_illness&age_min=80")
        .await
        .json();
    assert!(items(&listed).iter().any(|r| r["resident_id"] == id));
    let bad_disability = staff
        .post_json(
            &format!("/api/v1/residents/{id}/care-tags"),
            &json!({ "kind": "disabled", "level": "7" }),
        )
        .await;
    assert_eq!(
        bad_disability.json()["error"]["fields"]["level"],
        says(&app, "registry.bad_level")
    );
    let dump = serde_json::to_string(&yijia_db::dump_tables(app.handle()).await.unwrap()).unwrap();
    assert!(!dump.contains("serious_illness") && !dump.contains("透析"));
    // A supervisor sees the numbers, not the people.
    let mut sup = as_user(&app, "xigu.supervisor").await;
    assert_eq!(sup.get("/api/v1/registry/numbers?community=1").await.status, 200);
    assert_eq!(sup.get("/api/v1/residents?community=1").await.status, 404);
}

#[tokio::test]
async fn a_community_adds_its_own_care_groups_which_tag_filter_and_count_like_the_national_ones() {
    let app = demo_app().await;
    let h = household_in(&app, "G01").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let id = add(&mut staff, h, json!({ "name": "失独测试", "birth_date": "1950-03-01" })).await["resident_id"]
        .as_i64()
        .unwrap();
    let tag = |kind: &str| json!({ "kind": kind });
    let path = format!("/api/v1/residents/{id}/care-tags");
    let not_offered = staff.post_json(&path, &tag("custom:失独家庭")).await;
    assert_eq!(not_offered.status, 422, "a group the community has not set up");
    assert_eq!(
        not_offered.json()["error"]["fields"]["kind"],
        says(&app, "registry.bad_choice")
    );

    let mut admin = app.signed_in("xlg.admin", PW).await;
    let key = "registry.custom_care_groups";
    let too_long = admin
        .post_form(
            "/structure/communities/1/settings",
            &[(key, "失独家庭，一个超过十二个字的很长很长的标签")],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.text().contains("超过 12 个字"), "{}", too_long.text());
    let saved = admin
        .post_form(
            "/structure/communities/1/settings",
            &[(key, " 失独家庭， 高龄补贴、失独家庭 ")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert!(admin
        .get("/structure/communities/1")
        .await
        .text()
        .contains("value=\"失独家庭、高龄补贴\""));

    // Chosen by code or by bare label; shown, filtered and counted under its label.
    assert_eq!(staff.post_json(&path, &tag("custom:失独家庭")).await.status, 201);
    assert_eq!(staff.post_json(&path, &tag("高龄补贴")).await.status, 201);
    let tags = staff.get(&path).await.json();
    let mut kinds: Vec<_> = items(&tags)
        .iter()
        .map(|t| t["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["custom:失独家庭", "custom:高龄补贴"]);
    let listed = staff.get("/api/v1/residents?tag=custom:失独家庭").await.json();
    assert_eq!(
        items(&listed).iter().map(|r| &r["resident_id"]).collect::<Vec<_>>(),
        [&json!(id)]
    );
    let numbers = staff.get("/api/v1/registry/numbers").await.json();
    let counted: i64 = items(&json!({ "items": numbers["grids"] }))
        .iter()
        .map(|g| g["care"]["custom:失独家庭"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(counted, 1);
    let mut grid1 = app.signed_in("grid1", PW).await;
    let page = grid1.get(&format!("/registry/residents/{id}")).await.text();
    assert!(
        page.contains("<option value=\"custom:高龄补贴\">高龄补贴</option>"),
        "offered on the tag form"
    );
    assert!(page.contains("<strong>失独家庭</strong>"));
    let dump = serde_json::to_string(&yijia_db::dump_tables(app.handle()).await.unwrap()).unwrap();
    assert!(!dump.contains("custom:失独"), "sealed like every care group");

    // Removing a group from the settings keeps the tags residents already have.
    let cleared = admin.post_form("/structure/communities/1/settings", &[(key, "")]).await;
    assert_eq!(cleared.status, 303);
    assert!(grid1
        .get(&format!("/registry/residents/{id}"))
        .await
        .text()
        .contains("<strong>失独家庭</strong>"));
    assert_eq!(staff.post_json(&path, &tag("custom:失独家庭")).await.status, 422);
}

#[tokio::test]
async fn moving_leaving_and_merging_keep_every_change_in_the_history() {
    let app = demo_app().await;
    let h1 = household_in(&app, "G01").await;
    let h2 = household_in(&app, "G02").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let a = add(&mut staff, h1, json!({ "name": "搬家人" })).await["resident_id"]
        .as_i64()
        .unwrap();
    let moved = staff
        .post_json(&format!("/api/v1/residents/{a}/move"), &json!({ "household_id": h2 }))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    let mut grid1 = as_user(&app, "grid1").await;
    assert_eq!(
        grid1.get(&format!("/api/v1/residents/{a}")).await.status,
        404,
        "now in grid 2"
    );
    for h in [h1, h2] {
        let history = staff.get(&format!("/api/v1/households/{h}/history")).await.json();
        assert!(
            items(&history).iter().any(|e| e["kind"] == "resident.move"),
            "household {h}"
        );
    }
    let dup = add(&mut staff, h2, json!({ "name": "搬家人" })).await["resident_id"]
        .as_i64()
        .unwrap();
    let tag = staff
        .post_json(
            &format!("/api/v1/residents/{dup}/care-tags"),
            &json!({ "kind": "empty_nest" }),
        )
        .await;
    assert_eq!(tag.status, 201);
    let merged = staff
        .post_json(&format!("/api/v1/residents/{dup}/merge"), &json!({ "into": a }))
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text());
    let tags = staff.get(&format!("/api/v1/residents/{a}/care-tags")).await.json();
    assert_eq!(items(&tags).len(), 1, "the duplicate's tag moved over");
    let left = staff
        .post_json(
            &format!("/api/v1/residents/{a}/leave"),
            &json!({ "reason": "deceased", "on": "2026-11-20" }),
        )
        .await;
    assert_eq!(left.status, 200);
    assert_eq!(left.json()["residence"], "deceased");
    let listed = staff.get("/api/v1/residents?q=搬家人").await.json();
    assert!(items(&listed).is_empty(), "off the current lists");
    let with_left = staff.get("/api/v1/residents?q=搬家人&include_left=1").await.json();
    assert_eq!(
        items(&with_left).len(),
        1,
        "kept, and the merged duplicate stays hidden"
    );
    let change = staff
        .patch_json(&format!("/api/v1/residents/{a}"), &json!({ "name": "改名" }))
        .await;
    assert_eq!(change.status, 409);
    let future = staff
        .post_json(
            &format!("/api/v1/residents/{dup}/leave"),
            &json!({ "reason": "moved_out", "on": "2099-01-01" }),
        )
        .await;
    assert_eq!(future.status, 409, "a merged record is no longer current");
}

#[tokio::test]
async fn a_grid_worker_logs_a_visit_and_the_household_leaves_the_due_list() {
    let app = demo_app().await;
    let mut grid1 = as_user(&app, "grid1").await;
    let due = grid1.get("/api/v1/registry/visits-due?days=30").await.json();
    let first = items(&due)[0].clone();
    let h = first["household_id"].as_i64().unwrap();
    let empty = grid1
        .post_json(&format!("/api/v1/households/{h}/visits"), &json!({}))
        .await;
    assert_eq!(empty.status, 422);
    let visit = grid1
        .post_json(
            &format!("/api/v1/households/{h}/visits"),
            &json!({ "met": "户主", "findings": "厨房水管漏水", "follow_up": "报物业" }),
        )
        .await;
    assert_eq!(visit.status, 201, "{}", visit.text());
    let due = grid1.get("/api/v1/registry/visits-due?days=30").await.json();
    assert!(items(&due).iter().all(|d| d["household_id"] != h));
    let visits = grid1.get(&format!("/api/v1/households/{h}/visits")).await.json();
    assert_eq!(items(&visits)[0]["findings"], "厨房水管漏水");
    assert_eq!(items(&visits)[0]["follow_up"], "报物业");
    let dump = serde_json::to_string(&yijia_db::dump_tables(app.handle()).await.unwrap()).unwrap();
    assert!(
        !dump.contains("厨房水管漏水") && !dump.contains("报物业"),
        "findings and follow-up are sealed"
    );
    let numbers = grid1.get("/api/v1/registry/numbers").await.json();
    assert!(numbers["grids"][0]["visits_this_month"].as_i64().unwrap() >= 1);
    let h2 = household_in(&app, "G02").await;
    let other = grid1
        .post_json(&format!("/api/v1/households/{h2}/visits"), &json!({ "met": "x" }))
        .await;
    assert_eq!(other.status, 403);
}

#[tokio::test]
async fn owners_carry_their_exclusive_area_and_its_source() {
    let app = demo_app().await;
    let h = household_in(&app, "G03").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let no_area = staff
        .post_json(
            &format!("/api/v1/households/{h}/holdings"),
            &json!({ "kind": "owner", "holder_name": "业主甲" }),
        )
        .await;
    assert_eq!(
        no_area.json()["error"]["fields"]["area"],
        says(&app, "registry.area_needed")
    );
    let ok = staff
        .post_json(
            &format!("/api/v1/households/{h}/holdings"),
            &json!({ "kind": "owner", "holder_name": "业主甲", "area": "89.5", "area_source": "survey" }),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    let list = staff.get(&format!("/api/v1/households/{h}/holdings")).await.json();
    let mine = items(&list).into_iter().find(|x| x["holder_name"] == "业主甲").unwrap();
    assert_eq!(mine["area_centi_m2"], 8950);
    assert_eq!(mine["area_source"], "survey");
    let tenant = staff
        .post_json(
            &format!("/api/v1/households/{h}/holdings"),
            &json!({ "kind": "tenant", "holder_name": "租户乙" }),
        )
        .await;
    assert_eq!(tenant.status, 201);
}

#[tokio::test]
async fn a_resident_sees_their_own_data_and_asks_for_a_correction_that_staff_answer() {
    let app = demo_app().await;
    let mut me = as_user(&app, "resident1").await;
    let mine = me.get("/api/v1/me/resident").await;
    assert_eq!(mine.status, 200, "{}", mine.text());
    let mine = mine.json();
    assert_eq!(mine["resident"]["name"], "杨秀兰");
    assert_eq!(
        mine["id_number"].as_str().unwrap().len(),
        18,
        "their own number in full"
    );
    let asked = me
        .post_json(
            "/api/v1/me/requests",
            &json!({ "kind": "correction", "body": "我的电话换了" }),
        )
        .await;
    assert_eq!(asked.status, 201);
    let id = asked.json()["request_id"].as_i64().unwrap();
    let mut staff = as_user(&app, "xlg.staff").await;
    let no_reason = staff
        .post_json(
            &format!("/api/v1/registry/requests/{id}/answer"),
            &json!({ "status": "refused", "answer": "" }),
        )
        .await;
    assert_eq!(no_reason.status, 422, "a refusal states its reason");
    let answered = staff
        .post_json(
            &format!("/api/v1/registry/requests/{id}/answer"),
            &json!({ "status": "done", "answer": "已更新" }),
        )
        .await;
    assert_eq!(answered.status, 200);
    let again = staff
        .post_json(
            &format!("/api/v1/registry/requests/{id}/answer"),
            &json!({ "status": "done", "answer": "x" }),
        )
        .await;
    assert_eq!(again.status, 409);
    let mine = me.get("/api/v1/me/requests").await.json();
    assert_eq!(items(&mine)[0]["answer"], "已更新");
    // A resident cannot read the registry.
    assert_eq!(me.get("/api/v1/residents").await.status, 404);
}

#[tokio::test]
async fn the_registry_pages_render_for_a_grid_worker_on_a_phone() {
    let app = demo_app().await;
    let mut c = app.signed_in("grid1", PW).await;
    let list = c.get("/registry").await;
    assert_eq!(list.status, 200, "{}", list.text());
    // The filter form sends its empty fields too.
    let empty = c
        .get("/registry?community=1&q=&grid=&building=&room=&tag=&age_min=&age_max=&residence=&political=&sort=address")
        .await;
    assert_eq!(empty.status, 200, "{}", empty.text());
    assert_eq!(c.get("/registry/visits?community=1&days=").await.status, 200);
    let html = list.text();
    assert!(html.contains("居民台账"));
    let first = html.split("/registry/residents/").nth(1).unwrap();
    let id: String = first.chars().take_while(char::is_ascii_digit).collect();
    let page = c.get(&format!("/registry/residents/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("********"), "the ID shows masked");
    let revealed = c
        .post_form(
            &format!("/registry/residents/{id}/reveal"),
            &[("field", "id_number"), ("purpose", "上门核对")],
        )
        .await;
    assert_eq!(revealed.status, 200);
    assert!(revealed.text().contains("class=\"revealed\""));
    let without = c
        .post_form(
            &format!("/registry/residents/{id}/reveal"),
            &[("field", "id_number"), ("purpose", "")],
        )
        .await;
    assert_eq!(without.status, 422);
    assert!(without.text().contains("请说明查看的目的"));
    for path in ["/registry/numbers", "/registry/visits?days=7"] {
        assert_eq!(c.get(path).await.status, 200, "{path}");
    }
    let h = household_in(&app, "G01").await;
    let visit = c
        .post_form(
            &format!("/registry/households/{h}/visits"),
            &[("met", "户主"), ("findings", "一切正常"), ("follow_up", "")],
        )
        .await;
    assert_eq!(visit.status, 303);
    assert!(c
        .get(&format!("/registry/households/{h}"))
        .await
        .text()
        .contains("一切正常"));
    let mut resident = app.signed_in("resident1", PW).await;
    let me = resident.get("/me/data").await;
    assert_eq!(me.status, 200);
    assert!(me.text().contains("杨秀兰"));
}

#[tokio::test]
async fn a_community_admin_sets_how_long_before_a_household_is_due_a_visit() {
    let app = demo_app().await;
    let mut grid1 = as_user(&app, "grid1").await;
    let h = household_in(&app, "G01").await;
    let visit = grid1
        .post_json(&format!("/api/v1/households/{h}/visits"), &json!({ "met": "户主" }))
        .await;
    assert_eq!(visit.status, 201);
    app.state.clock.advance_ms(10 * 86_400_000);
    let due = |v: &Value| items(v).iter().any(|d| d["household_id"] == h);
    assert!(
        !due(&grid1.get("/api/v1/registry/visits-due").await.json()),
        "30 days by default"
    );

    let mut admin = app.signed_in("xlg.admin", PW).await;
    let bad = admin
        .post_form("/structure/communities/1/settings", &[("registry.visit_due_days", "0")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("请填写 1 到 3650 之间的整数"), "{}", bad.text());
    let ok = admin
        .post_form("/structure/communities/1/settings", &[("registry.visit_due_days", "7")])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    assert!(
        due(&grid1.get("/api/v1/registry/visits-due").await.json()),
        "now 7 days"
    );
    assert!(admin
        .get("/structure/communities/1")
        .await
        .text()
        .contains("value=\"7\""));

    let mut staff = app.signed_in("xlg.staff", PW).await;
    let refused = staff
        .post_form("/structure/communities/1/settings", &[("registry.visit_due_days", "1")])
        .await;
    assert_eq!(refused.status, 403, "a community administrator's decision");
}

#[tokio::test]
async fn staff_link_a_residents_own_account_so_they_can_see_their_data() {
    let app = demo_app().await;
    let h = household_in(&app, "G01").await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let id = add(&mut staff, h, json!({ "name": "党员本人", "phone": "13700000001" })).await["resident_id"]
        .as_i64()
        .unwrap();
    let mut party = as_user(&app, "party1").await;
    assert_eq!(party.get("/api/v1/me/resident").await.status, 404);
    let link = |name: &str| json!({ "username": name });
    let unknown = staff
        .post_json(&format!("/api/v1/residents/{id}/account"), &link("nobody"))
        .await;
    assert_eq!(
        unknown.json()["error"]["fields"]["username"],
        says(&app, "registry.no_such_account")
    );
    let taken = staff
        .post_json(&format!("/api/v1/residents/{id}/account"), &link("resident1"))
        .await;
    assert_eq!(
        taken.json()["error"]["fields"]["username"],
        says(&app, "registry.account_linked")
    );
    let ok = staff
        .post_json(&format!("/api/v1/residents/{id}/account"), &link("party1"))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let mine = party.get("/api/v1/me/resident").await.json();
    assert_eq!(mine["resident"]["name"], "党员本人");
    assert_eq!(mine["phone"], "13700000001");
    let unlinked = staff
        .post_json(&format!("/api/v1/residents/{id}/account"), &link(""))
        .await;
    assert_eq!(unlinked.status, 200);
    assert_eq!(party.get("/api/v1/me/resident").await.status, 404);
}

/// Every demo resident with an ID number has the sex and birth date that number states (the
/// 17th digit odd for men, the birth date in digits 7–14), unsealed as the registry does; and
/// 杨奶奶's own record is a woman of 60 or more.
#[tokio::test]
async fn every_demo_resident_agrees_with_their_id_number() {
    let app = demo_app().await;
    let rows: Vec<(String, String, Option<String>, String)> = yijia_db::on_db!(app.handle(), |p| sqlx::query_as(
        "select name, gender, birth_date, id_sealed from registry_resident where id_sealed is not null"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert!(rows.len() > 100, "the demo has residents: {}", rows.len());
    for (name, gender, birth, sealed) in &rows {
        let id = app
            .state
            .vault
            .open(yijia_registry::commands::field::ID, sealed)
            .unwrap();
        assert_eq!(id.len(), 18, "{name}");
        let male = (id.as_bytes()[16] - b'0') % 2 == 1;
        assert_eq!(gender, if male { "male" } else { "female" }, "{name}: {id}");
        let digits = format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
        assert_eq!(birth.as_deref(), Some(digits.as_str()), "{name}: {id}");
    }
    let (gender, birth): (String, String) = yijia_db::on_db!(app.handle(), |p| sqlx::query_as(
        "select r.gender, r.birth_date from registry_resident r join account a on a.account_id = r.account_id \
         where a.username = 'resident1'"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(gender, "female");
    assert!(birth.as_str() <= "1966-12-31", "born {birth}");
}
