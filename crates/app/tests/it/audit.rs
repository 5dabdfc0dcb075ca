use serde_json::json;
use yijia_db::on_db;

use crate::{demo_app, PW};

#[tokio::test]
async fn every_write_is_audited_with_who_and_what() {
    let app = demo_app().await;
    let t = app.token("xlg.admin", PW).await;
    let mut c = app.client().with_bearer(&t);
    let grid = c
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G07", "name": "第七网格" }),
        )
        .await
        .json();
    c.patch_json(
        &format!("/api/v1/grids/{}", grid["id"]),
        &json!({ "name": "第七网格（新）" }),
    )
    .await;
    let log = c
        .get(&format!("/api/v1/audit?entity=grid&entity_id={}", grid["id"]))
        .await
        .json();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "grid.update");
    assert_eq!(items[0]["actor_label"], "xlg.admin");
    assert!(items[0]["before_json"].as_str().unwrap().contains("第七网格"));
    assert!(items[0]["after_json"].as_str().unwrap().contains("第七网格（新）"));
    assert_eq!(items[1]["action"], "grid.create");
    let mut page = app.signed_in("xlg.admin", PW).await;
    let html = page.get("/admin/audit?actor=xlg.admin").await.text();
    assert!(html.contains("grid.update"));
    let bad = page.get("/admin/audit?from=yesterday").await;
    assert!(bad.text().contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn the_chain_verifies_and_finds_an_edited_row() {
    let app = demo_app().await;
    let ok = yijia_kernel::audit::verify(app.handle()).await.unwrap();
    assert!(ok.is_ok());
    assert!(ok.unwrap().rows > 300);
    let id: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select audit_event_id from audit_event where action = 'grid.create' order by audit_event_id limit 1"
    )
    .fetch_one(p)
    .await
    .unwrap());
    on_db!(app.handle(), |p| sqlx::query(
        "update audit_event set after_json = '{\"name\":\"forged\"}' where audit_event_id = $1"
    )
    .bind(id)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    let broken = yijia_kernel::audit::verify(app.handle()).await.unwrap().unwrap_err();
    assert_eq!(broken.audit_event_id, Some(id));
    assert!(broken.to_string().contains(&id.to_string()));
}

#[tokio::test]
async fn the_chain_finds_a_deleted_row_in_the_middle_and_at_the_end() {
    let app = demo_app().await;
    let (chain, max): (i64, i64) = on_db!(app.handle(), |p| sqlx::query_as(
        "select chain_id, max(seq) from audit_event where chain_id <> 0 group by chain_id"
    )
    .fetch_one(p)
    .await
    .unwrap());
    on_db!(app.handle(), |p| sqlx::query(
        "delete from audit_event where chain_id = $1 and seq = $2"
    )
    .bind(chain)
    .bind(max)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    let end = yijia_kernel::audit::verify(app.handle()).await.unwrap().unwrap_err();
    assert_eq!(end.chain_id, chain);
    assert!(end.reason.contains("missing"));
    on_db!(app.handle(), |p| sqlx::query(
        "delete from audit_event where chain_id = $1 and seq = 10"
    )
    .bind(chain)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    let middle = yijia_kernel::audit::verify(app.handle()).await.unwrap().unwrap_err();
    assert_eq!(middle.seq, 10);
}

#[tokio::test]
async fn a_failed_write_leaves_no_audit_row_and_no_half_record() {
    let app = demo_app().await;
    let count = || async {
        let n: i64 = on_db!(app.handle(), |p| sqlx::query_scalar("select count(*) from audit_event")
            .fetch_one(p)
            .await
            .unwrap());
        n
    };
    let before = count().await;
    let t = app.token("xlg.admin", PW).await;
    let res = app
        .client()
        .with_bearer(&t)
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G01", "name": "重复编码" }),
        )
        .await;
    assert_eq!(res.status, 422);
    // The token issued above is itself audited; nothing else was written.
    assert_eq!(count().await, before + 1);
    assert!(yijia_kernel::audit::verify(app.handle()).await.unwrap().is_ok());
}

#[tokio::test]
async fn a_row_slipped_in_outside_the_chain_is_found() {
    let app = demo_app().await;
    on_db!(app.handle(), |p| {
        sqlx::query(
        "insert into audit_event (chain_id, seq, at, actor_account_id, actor_label, action, entity, entity_id, community_id, prev_hash, hash) \
         values (1, 0, 0, null, 'someone', 'grid.create', 'grid', '99', 1, 'x', 'y')"
    )
    .execute(p)
    .await
    .unwrap()
    .rows_affected()
    });
    let broken = yijia_kernel::audit::verify(app.handle()).await.unwrap().unwrap_err();
    assert_eq!((broken.chain_id, broken.seq), (1, 0));
}
