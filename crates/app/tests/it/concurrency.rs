use serde_json::json;

use crate::{demo_app, grid_id, PW};

/// SQLite allows one writer at a time; write transactions start with BEGIN IMMEDIATE and wait
/// their turn, so concurrent writers all succeed instead of failing with "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_writers_all_succeed() {
    let app = demo_app().await;
    let g1 = grid_id(&app, "G01").await;
    let token = app.token("xlg.admin", PW).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let mut c = app.client().with_bearer(&token);
        tasks.push(tokio::spawn(async move {
            // Each writer reads, then writes twice (create and rename), in separate transactions.
            let res = c
                .post_json(
                    &format!("/api/v1/grids/{g1}/buildings"),
                    &json!({ "code": format!("C{i:02}"), "name": format!("并发楼{i}") }),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.text());
            let id = res.json()["id"].as_i64().unwrap();
            let res = c
                .patch_json(
                    &format!("/api/v1/buildings/{id}"),
                    &json!({ "name": format!("并发楼{i}（改）") }),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.text());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut c = app.client().with_bearer(&token);
    let list = c.get(&format!("/api/v1/grids/{g1}/buildings?limit=200")).await.json();
    let renamed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["name"].as_str().unwrap().ends_with("（改）"))
        .count();
    assert_eq!(renamed, 32);
    assert!(
        yijia_kernel::audit::verify(app.handle()).await.unwrap().is_ok(),
        "the audit chain stays whole under concurrency"
    );
}
