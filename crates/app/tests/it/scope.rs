//! The boundaries of reach: what each role gets, and what it does not, through pages and API.

use serde_json::json;
use yijia_db::on_db;

use crate::{demo_app, grid_id, PW};

#[tokio::test]
async fn a_grid_worker_gets_nothing_of_another_grid() {
    let app = demo_app().await;
    let (g1, g2) = (grid_id(&app, "G01").await, grid_id(&app, "G02").await);
    let token = app.token("grid1", PW).await;
    let mut api = app.client().with_bearer(&token);
    assert_eq!(api.get(&format!("/api/v1/grids/{g1}")).await.status, 200);
    let other = api.get(&format!("/api/v1/grids/{g2}")).await;
    assert_eq!(other.status, 404);
    assert_eq!(other.code(), "not_found");
    assert_eq!(api.get(&format!("/api/v1/grids/{g2}/buildings")).await.status, 404);
    let grids = api.get("/api/v1/communities/1/grids").await.json();
    let codes: Vec<_> = grids["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, vec!["G01"]);
    // Buildings of grid B are not reachable by id either.
    let admin = app.token("admin", PW).await;
    let b2 = app
        .client()
        .with_bearer(&admin)
        .get(&format!("/api/v1/grids/{g2}/buildings"))
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(api.get(&format!("/api/v1/buildings/{b2}")).await.status, 404);
    assert_eq!(
        api.patch_json(&format!("/api/v1/buildings/{b2}"), &json!({ "name": "改名" }))
            .await
            .status,
        404
    );

    let mut page = app.signed_in("grid1", PW).await;
    assert_eq!(page.get(&format!("/structure/grids/{g1}")).await.status, 200);
    assert_eq!(page.get(&format!("/structure/grids/{g2}")).await.status, 404);
    let community = page.get("/structure/communities/1").await.text();
    assert!(community.contains("第一网格") && !community.contains("第二网格"));
}

#[tokio::test]
async fn a_grid_worker_keeps_the_households_of_their_grid_but_not_its_buildings() {
    let app = demo_app().await;
    let g1 = grid_id(&app, "G01").await;
    let token = app.token("grid1", PW).await;
    let mut api = app.client().with_bearer(&token);
    let building = api.get(&format!("/api/v1/grids/{g1}/buildings")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let unit = api.get(&format!("/api/v1/buildings/{building}/units")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = api
        .post_json(&format!("/api/v1/units/{unit}/households"), &json!({ "code": "1801" }))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let res = api
        .post_json(
            &format!("/api/v1/grids/{g1}/buildings"),
            &json!({ "code": "NEW", "name": "新楼" }),
        )
        .await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn a_community_admin_gets_nothing_of_another_community() {
    let app = demo_app().await;
    let admin = app.token("admin", PW).await;
    let mut platform = app.client().with_bearer(&admin);
    let other = platform
        .post_json(
            "/api/v1/communities",
            &json!({ "subdistrict": "XLGJD", "code": "HX", "name": "河湾社区" }),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.text());
    let other_id = other.json()["community_id"].as_i64().unwrap();
    let grid = platform
        .post_json(
            &format!("/api/v1/communities/{other_id}/grids"),
            &json!({ "code": "G01", "name": "河湾一网格" }),
        )
        .await;
    let grid_id = grid.json()["id"].as_i64().unwrap();

    let token = app.token("xlg.admin", PW).await;
    let mut c = app.client().with_bearer(&token);
    let list = c.get("/api/v1/communities").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(c.get(&format!("/api/v1/communities/{other_id}")).await.status, 404);
    assert_eq!(
        c.get(&format!("/api/v1/communities/{other_id}/grids")).await.status,
        404
    );
    assert_eq!(c.get(&format!("/api/v1/grids/{grid_id}")).await.status, 404);
    assert_eq!(
        c.post_json(
            &format!("/api/v1/communities/{other_id}/grids"),
            &json!({ "code": "X", "name": "x" })
        )
        .await
        .status,
        404
    );
    assert_eq!(
        c.patch_json(&format!("/api/v1/communities/{other_id}"), &json!({ "name": "占领" }))
            .await
            .status,
        404
    );
    let mut page = app.signed_in("xlg.admin", PW).await;
    assert_eq!(
        page.get(&format!("/structure/communities/{other_id}")).await.status,
        404
    );
    // The audit log of the other community is not theirs either.
    let audit = c.get("/api/v1/audit?entity=community").await.json();
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["community_id"] != other_id));
}

#[tokio::test]
async fn a_supervisor_reads_their_district_and_cannot_write() {
    let app = demo_app().await;
    let token = app.token("xigu.supervisor", PW).await;
    let mut c = app.client().with_bearer(&token);
    let g1 = grid_id(&app, "G01").await;
    assert_eq!(c.get(&format!("/api/v1/grids/{g1}")).await.status, 200);
    assert_eq!(
        c.get("/api/v1/communities").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let w = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": "G09", "name": "x" }))
        .await;
    assert_eq!(w.status, 403);
    assert_eq!(w.code(), "forbidden");
    assert_eq!(
        c.patch_json(&format!("/api/v1/grids/{g1}"), &json!({ "name": "x" }))
            .await
            .status,
        403
    );
    assert_eq!(
        c.patch_json("/api/v1/communities/1", &json!({ "name": "x" }))
            .await
            .status,
        403
    );
    let mut page = app.signed_in("xigu.supervisor", PW).await;
    let res = page
        .post_form("/structure/communities/1/grids", &[("code", "G09"), ("name", "x")])
        .await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn residents_see_their_community_and_its_grid_workers_but_not_the_registry() {
    let app = demo_app().await;
    let token = app.token("resident1", PW).await;
    let mut c = app.client().with_bearer(&token);
    assert_eq!(c.get("/api/v1/communities").await.json()["items"][0]["code"], "XLG");
    assert_eq!(
        c.get("/api/v1/communities/1/grids").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let g1 = grid_id(&app, "G01").await;
    assert_eq!(c.get(&format!("/api/v1/grids/{g1}")).await.status, 404);
    assert_eq!(c.get("/api/v1/accounts").await.status, 403);
    assert_eq!(c.get("/api/v1/audit").await.status, 403);
    let mut page = app.signed_in("resident1", PW).await;
    let home = page.get("/").await.text();
    assert!(
        home.contains("我的社区") && home.contains("马建国") && home.contains("13909311001"),
        "{home}"
    );
    assert_eq!(page.get("/structure").await.status, 403);
    assert_eq!(page.get("/admin/accounts").await.status, 403);
}

#[tokio::test]
async fn navigation_shows_only_what_the_role_may_open() {
    let app = demo_app().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let html = admin.get("/").await.text();
    assert!(
        html.contains("href=\"/structure\"")
            && html.contains("href=\"/admin/accounts\"")
            && html.contains("href=\"/admin/audit\"")
    );
    let mut grid = app.signed_in("grid1", PW).await;
    let html = grid.get("/").await.text();
    assert!(
        html.contains("href=\"/structure\"")
            && !html.contains("href=\"/admin/accounts\"")
            && !html.contains("href=\"/admin/audit\"")
    );
}

#[tokio::test]
async fn the_console_counts_only_what_the_actor_reaches() {
    let app = demo_app().await;
    let stat = |html: &str, label: &str| -> String {
        let before = html.split(&format!("</span>{label}<")).next().unwrap();
        before.rsplit("<span class=\"n\">").next().unwrap().to_owned()
    };
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let html = admin.get("/").await.text();
    assert_eq!(stat(&html, "网格"), "4");
    assert_eq!(stat(&html, "住户"), "324");
    let mut grid = app.signed_in("grid1", PW).await;
    let html = grid.get("/").await.text();
    assert_eq!(stat(&html, "网格"), "1");
    assert_eq!(
        stat(&html, "住户"),
        "96",
        "4 buildings × 2 units × 6 floors × 2 doors in G01"
    );
}

#[test]
fn modules_declare_what_their_navigation_needs_and_supervisors_only_read() {
    for m in yijia::modules() {
        let caps = m.capabilities();
        for n in m.nav() {
            assert!(
                caps.iter().any(|c| c.name == n.cap.name),
                "{}: nav {} uses an undeclared capability",
                m.name(),
                n.href
            );
        }
        for c in caps {
            // Supervisors read; their one act is 督办, flagging an appeal for attention from
            // above, which changes nothing of its content.
            if c.roles.contains(&yijia_kernel::Role::Supervisor) {
                assert!(
                    c.name.ends_with(".read") || c.name.ends_with(".view") || c.name == "appeals.supervise",
                    "{} lets supervisors write",
                    c.name
                );
            }
        }
    }
}

#[tokio::test]
async fn a_handling_party_takes_only_members_who_handle_appeals_in_its_community_and_its_queue_keeps_to_it() {
    let app = demo_app().await;
    crate::support::hx_with(&app, &[("hx.resident", "resident"), ("hx.property", "property_staff")]).await;

    let token = app.token("xlg.admin", PW).await;
    let mut xlg = app.client().with_bearer(&token);
    let catalogue = xlg.get("/api/v1/communities/1/appeal-catalogue").await.json();
    let party = catalogue["parties"][0]["party_id"].as_i64().unwrap();
    let path = format!("/api/v1/appeal-parties/{party}/members");
    // Another community's accounts, whatever their role there, and a resident of this one.
    for username in ["hx.resident", "hx.property", "resident1"] {
        let res = xlg.post_json(&path, &json!({ "username": username })).await;
        assert_eq!(res.status, 422, "{username}: {}", res.text());
        let said = res.json()["error"]["fields"]["username"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(said.contains("办理诉求"), "{said}");
    }
    let res = xlg.post_json(&path, &json!({ "username": "property1" })).await;
    assert!(res.status < 300, "{}", res.text());

    // A membership written before the check (or a role revoked since) reaches nothing: the queue
    // reads membership only where the account handles appeals.
    for username in ["hx.resident", "hx.property"] {
        on_db!(app.handle(), |p| sqlx::query(
            "insert into appeal_party_member (party_id, account_id, community_id) \
             select $1, account_id, 1 from account where username = $2"
        )
        .bind(party)
        .bind(username)
        .execute(p)
        .await
        .unwrap()
        .rows_affected());
        let token = app.token(username, PW).await;
        let mut api = app.client().with_bearer(&token);
        let queue = api.get("/api/v1/appeals?view=queue").await;
        assert_eq!(queue.status, 200, "{}", queue.text());
        assert_eq!(queue.json()["items"], json!([]), "{username} sees the queue");
        let mut page = app.signed_in(username, PW).await;
        let page = page.get("/appeals?view=queue").await.text();
        let first = app.client().with_bearer(&token).get("/api/v1/appeals/1").await;
        assert_eq!(first.status, 404, "{username}");
        assert!(
            !page.contains("/appeals/1\""),
            "{username}'s queue page lists an appeal"
        );
    }
    // The party's own member still has its queue.
    let token = app.token("property1", PW).await;
    let queue = app
        .client()
        .with_bearer(&token)
        .get("/api/v1/appeals?view=queue")
        .await
        .json();
    assert!(!queue["items"].as_array().unwrap().is_empty());
}
