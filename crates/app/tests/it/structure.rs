use serde_json::json;
use yijia_testkit::Client;

use crate::{demo_app, grid_id, PW};

async fn admin(app: &yijia_testkit::TestApp) -> Client {
    let t = app.token("xlg.admin", PW).await;
    app.client().with_bearer(&t)
}

#[tokio::test]
async fn a_community_admin_builds_a_grid_down_to_a_household() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let grid = c
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G05", "name": "第五网格", "description": "新建小区" }),
        )
        .await;
    assert_eq!(grid.status, 201, "{}", grid.text());
    let grid = grid.json();
    assert_eq!(grid["description"], "新建小区");
    let building = c
        .post_json(
            &format!("/api/v1/grids/{}/buildings", grid["id"]),
            &json!({ "code": "HL-7", "name": "海亮7号楼", "compound": "海亮小区", "floors": 18 }),
        )
        .await
        .json();
    assert_eq!(building["floors"], 18);
    assert_eq!(building["grid_id"], grid["id"]);
    let unit = c
        .post_json(
            &format!("/api/v1/buildings/{}/units", building["id"]),
            &json!({ "code": "U1", "name": "1单元" }),
        )
        .await
        .json();
    let household = c
        .post_json(
            &format!("/api/v1/units/{}/households", unit["id"]),
            &json!({ "code": "1802" }),
        )
        .await;
    assert_eq!(household.status, 201);
    let h = household.json();
    assert_eq!(h["grid_id"], grid["id"]);
    assert_eq!(h["parent_id"], unit["id"]);
    let list = c.get(&format!("/api/v1/units/{}/households", unit["id"])).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_code_is_unique_among_its_siblings() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let res = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": "G01", "name": "重复" }))
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.json()["error"]["fields"]["code"], "这个编码已被使用。");
}

#[tokio::test]
async fn moving_a_building_takes_its_households_to_the_new_grid() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let (g1, g3) = (grid_id(&app, "G01").await, grid_id(&app, "G03").await);
    let building = c.get(&format!("/api/v1/grids/{g1}/buildings")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let moved = c
        .post_json(&format!("/api/v1/buildings/{building}/move"), &json!({ "to": g3 }))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text());
    assert_eq!(moved.json()["grid_id"], g3);
    let unit = c.get(&format!("/api/v1/buildings/{building}/units")).await.json()["items"][0].clone();
    assert_eq!(unit["grid_id"], g3);
    let households = c.get(&format!("/api/v1/units/{}/households", unit["id"])).await.json();
    assert!(households["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["grid_id"] == g3));
    // The grid worker of the old grid no longer reaches it.
    let t = app.token("grid1", PW).await;
    assert_eq!(
        app.client()
            .with_bearer(&t)
            .get(&format!("/api/v1/buildings/{building}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_move_stays_within_the_community() {
    let app = demo_app().await;
    let admin_token = app.token("admin", PW).await;
    let mut platform = app.client().with_bearer(&admin_token);
    let other = platform
        .post_json(
            "/api/v1/communities",
            &json!({ "subdistrict": "XLGJD", "code": "HX", "name": "河湾社区" }),
        )
        .await
        .json();
    let other_grid = platform
        .post_json(
            &format!("/api/v1/communities/{}/grids", other["community_id"]),
            &json!({ "code": "G1", "name": "x" }),
        )
        .await
        .json();
    let g1 = grid_id(&app, "G01").await;
    let building = platform.get(&format!("/api/v1/grids/{g1}/buildings")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = platform
        .post_json(
            &format!("/api/v1/buildings/{building}/move"),
            &json!({ "to": other_grid["id"] }),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["to"].is_string());
}

#[tokio::test]
async fn only_a_row_without_live_children_can_be_retired() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let g1 = grid_id(&app, "G01").await;
    let res = c.post_json(&format!("/api/v1/grids/{g1}/retire"), &json!({})).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "has_children");
    let empty = c
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G09", "name": "临时网格" }),
        )
        .await
        .json();
    let res = c
        .post_json(&format!("/api/v1/grids/{}/retire", empty["id"]), &json!({}))
        .await;
    assert_eq!(res.status, 200);
    assert!(res.json()["retired_at"].is_i64());
    // A retired grid takes no new buildings.
    let res = c
        .post_json(
            &format!("/api/v1/grids/{}/buildings", empty["id"]),
            &json!({ "code": "B", "name": "楼" }),
        )
        .await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "retired");
}

#[tokio::test]
async fn community_settings_change_and_keep_their_code() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let res = c
        .patch_json(
            "/api/v1/communities/1",
            &json!({ "name": "西柳沟社区", "brand": "西邻驿家", "time_zone": "Asia/Urumqi", "address": "西固区" }),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["time_zone"], "Asia/Urumqi");
    assert_eq!(res.json()["code"], "XLG");
    let bad = c
        .patch_json(
            "/api/v1/communities/1",
            &json!({ "name": "x", "time_zone": "Mars/Olympus" }),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["time_zone"].is_string());
}

#[tokio::test]
async fn the_grid_shows_its_workers_to_those_who_may_see_it() {
    let app = demo_app().await;
    let g1 = grid_id(&app, "G01").await;
    let mut c = admin(&app).await;
    let grid = c.get(&format!("/api/v1/grids/{g1}")).await.json();
    assert_eq!(grid["workers"][0]["display_name"], "马建国");
    assert_eq!(grid["workers"][0]["phone"], "13909311001");
}

#[tokio::test]
async fn lists_page_with_a_cursor() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let first = c.get("/api/v1/communities/1/grids?limit=3").await.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let next = first["next"].as_str().unwrap();
    let rest = c
        .get(&format!("/api/v1/communities/1/grids?limit=3&after={next}"))
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next"].is_null());
}

#[tokio::test]
async fn the_demo_loads_once() {
    let app = demo_app().await;
    app.demo().await;
    let mut c = admin(&app).await;
    assert_eq!(
        c.get("/api/v1/communities/1/grids").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn a_patch_changes_only_what_it_names() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    let before = c.get("/api/v1/buildings/1").await.json();
    assert_eq!(before["compound"], "海亮小区");
    let res = c
        .patch_json("/api/v1/buildings/1", &json!({ "name": "海亮小区一号楼" }))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let after = res.json();
    assert_eq!(after["name"], "海亮小区一号楼");
    assert_eq!(after["compound"], before["compound"]);
    assert_eq!(after["floors"], before["floors"]);
    assert_eq!(after["code"], before["code"]);
    let household = c.get("/api/v1/households/1").await.json();
    let res = c.patch_json("/api/v1/households/1", &json!({})).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["name"], household["name"], "an empty patch changes nothing");
    assert_eq!(res.json()["code"], household["code"]);
    let code = c.patch_json("/api/v1/communities/1", &json!({ "code": "HACK" })).await;
    assert_eq!(code.status, 422);
    assert!(code.json()["error"]["fields"]["code"].is_string());
    let kept = c
        .patch_json("/api/v1/communities/1", &json!({ "brand": "西邻驿家·新" }))
        .await
        .json();
    assert_eq!(kept["name"], "西柳沟社区");
    assert!(kept["address"].as_str().unwrap().contains("党群服务中心"));
}

#[tokio::test]
async fn a_move_onto_a_taken_code_is_refused_and_changes_nothing() {
    let app = demo_app().await;
    let mut c = admin(&app).await;
    // Room 101 exists in unit 1 and unit 2 alike.
    let res = c.post_json("/api/v1/households/1/move", &json!({ "to": 2 })).await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert!(res.json()["error"]["fields"]["to"].is_string());
    assert_eq!(c.get("/api/v1/households/1").await.json()["parent_id"], 1);
    let res = c.post_json("/api/v1/buildings/1/move", &json!({ "to": 99999 })).await;
    assert_eq!(res.status, 422);
}
