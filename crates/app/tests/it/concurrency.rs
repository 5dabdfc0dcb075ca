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
        yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
            .await
            .unwrap()
            .is_ok(),
        "the audit chain stays whole under concurrency"
    );
}

/// A request that is dropped while its write transaction begins (a phone that loses signal,
/// a client that times out) must not leave a pooled connection inside a transaction nobody
/// holds: every later write on it would fail, and on SQLite it would keep the write lock.
/// Each attempt is abandoned after a different delay, to land in every gap of the `BEGIN`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_abandoned_while_it_begins_leaves_every_connection_usable() {
    use std::future::Future;
    use std::task::Poll;
    let app = demo_app().await;
    let db = app.state.db.clone();
    for attempt in 0..60u64 {
        let mut begin = Box::pin(db.begin_write());
        for _ in 0..=attempt % 6 {
            let ready = std::future::poll_fn(|cx| Poll::Ready(begin.as_mut().poll(cx).is_ready())).await;
            if ready {
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(15 * (attempt / 6 + 1)));
        }
        drop(begin);
    }
    // More writes than the pool has connections, one after another: each connection is used.
    for _ in 0..20 {
        let tx = tokio::time::timeout(std::time::Duration::from_secs(20), db.begin_write())
            .await
            .expect("a write waited 20 s for a lock nobody holds")
            .expect("a write could not begin");
        tx.commit().await.unwrap();
    }
}

/// While a write transaction is open (a long import, say), pages and the API still read:
/// readers do not queue behind the writer. Writes that arrive meanwhile all land once it ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_go_on_while_a_write_is_open_and_the_writes_behind_it_all_land() {
    let app = demo_app().await;
    let g1 = grid_id(&app, "G01").await;
    let token = app.token("xlg.admin", PW).await;
    let path = format!("/api/v1/grids/{g1}/buildings");
    // Used once first: a token's first use records it, which is a write.
    assert_eq!(app.client().with_bearer(&token).get(&path).await.status, 200);

    let held = app.state.db.begin_write().await.unwrap();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.client().with_bearer(&token).get(&path),
    )
    .await
    .expect("a read waited for the open write");
    assert_eq!(read.status, 200);
    let mut writes = Vec::new();
    for i in 0..6 {
        let mut c = app.client().with_bearer(&token);
        let path = path.clone();
        writes.push(tokio::spawn(async move {
            c.post_json(&path, &json!({ "code": format!("Q{i}"), "name": format!("排队楼{i}") }))
                .await
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // On SQLite one transaction writes at a time; PostgreSQL lets writes to other rows go on.
    if let yijia_db::Db::Sqlite(..) = app.handle() {
        assert!(
            writes.iter().all(|w| !w.is_finished()),
            "a write went ahead of the open one"
        );
    }
    drop(held);
    for w in writes {
        let res = w.await.unwrap();
        assert_eq!(res.status, 201, "{}", res.text());
    }
}

/// Moves, retirements and new households racing in one community never leave a household
/// filed under another grid than its building's, nor a live household in a retired unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_moves_and_creations_keep_the_tree_consistent() {
    let app = demo_app().await;
    let (g1, g2) = (grid_id(&app, "G01").await, grid_id(&app, "G02").await);
    let token = app.token("xlg.admin", PW).await;
    let mut c = app.client().with_bearer(&token);
    let building = c.get(&format!("/api/v1/grids/{g1}/buildings")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let unit = c.get(&format!("/api/v1/buildings/{building}/units")).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let spare = c
        .post_json(
            &format!("/api/v1/buildings/{building}/units"),
            &json!({ "code": "U9", "name": "9单元" }),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let mut m = app.client().with_bearer(&token);
        tasks.push(tokio::spawn(async move {
            let to = if i % 2 == 0 { g2 } else { g1 };
            m.post_json(&format!("/api/v1/buildings/{building}/move"), &json!({ "to": to }))
                .await
                .status
        }));
        let mut h = app.client().with_bearer(&token);
        tasks.push(tokio::spawn(async move {
            h.post_json(
                &format!("/api/v1/units/{unit}/households"),
                &json!({ "code": format!("R{i}") }),
            )
            .await
            .status
        }));
        let mut s = app.client().with_bearer(&token);
        tasks.push(tokio::spawn(async move {
            s.post_json(
                &format!("/api/v1/units/{spare}/households"),
                &json!({ "code": format!("S{i}") }),
            )
            .await
            .status
        }));
    }
    let mut r = app.client().with_bearer(&token);
    tasks.push(tokio::spawn(async move {
        r.post_json(&format!("/api/v1/units/{spare}/retire"), &json!({}))
            .await
            .status
    }));
    for t in tasks {
        let status = t.await.unwrap();
        assert!([200, 201, 409].contains(&status), "unexpected {status}");
    }
    let misfiled: i64 = yijia_db::on_db!(app.handle(), |p| {
        sqlx::query_scalar(
        "select count(*) from household h join building b on b.building_id = h.building_id where h.grid_id <> b.grid_id"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    assert_eq!(misfiled, 0);
    let orphaned: i64 = yijia_db::on_db!(app.handle(), |p| {
        sqlx::query_scalar(
        "select count(*) from household h join unit u on u.unit_id = h.unit_id where u.retired_at is not null and h.retired_at is null"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    assert_eq!(orphaned, 0);
    assert!(yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap()
        .is_ok());
}
