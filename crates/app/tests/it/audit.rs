use serde_json::json;
use yijia_db::on_db;
use yijia_kernel::audit::{self, anchor};
use yijia_testkit::{TestApp, START_MS};

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
    // An action reads in words, with its code beside it for those who filter by it.
    assert!(html.contains("修改网格") && html.contains("grid.update"), "{html}");
    let bad = page.get("/admin/audit?from=yesterday").await;
    assert!(bad.text().contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn the_chain_verifies_and_finds_an_edited_row() {
    let app = demo_app().await;
    let ok = yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap();
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
    let broken = yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap()
        .unwrap_err();
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
    let end = yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap()
        .unwrap_err();
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
    let middle = yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap()
        .unwrap_err();
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
    assert!(yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap()
        .is_ok());
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
    let broken = yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!((broken.chain_id, broken.seq), (1, 0));
}

/// The last row of a community's chain and the one before it.
async fn chain_end(app: &TestApp, chain: i64) -> (i64, i64, String) {
    on_db!(app.handle(), |p| sqlx::query_as(
        "select max(seq), max(seq) - 1, (select hash from audit_event where chain_id = $1 and seq = \
         (select max(seq) - 1 from audit_event where chain_id = $1)) from audit_event where chain_id = $1"
    )
    .bind(chain)
    .fetch_one(p)
    .await
    .unwrap())
}

/// The latest anchors of the test's data directory, and what the database shows against them.
async fn against_anchors(app: &TestApp) -> Vec<anchor::Finding> {
    let anchors = anchor::latest(app.db.dir()).unwrap();
    anchor::check(app.handle(), &anchors).await.unwrap()
}

/// One more write on community 1's chain.
async fn add_grid(app: &TestApp) {
    let t = app.token("xlg.admin", PW).await;
    let res = app
        .client()
        .with_bearer(&t)
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G09", "name": "第九网格" }),
        )
        .await;
    assert_eq!(res.status, 201);
}

async fn verify(app: &TestApp) -> Result<audit::Verified, audit::Broken> {
    audit::verify(app.handle(), app.state.vault.audit_key()).await.unwrap()
}

#[tokio::test]
async fn anchoring_appends_each_chains_head_to_the_file_and_a_clean_chain_reaches_it() {
    let app = demo_app().await;
    let written = anchor::write(app.handle(), app.db.dir(), START_MS).await.unwrap();
    assert!(written.iter().any(|a| a.community_id == Some(1) && a.seq > 10));
    let text = std::fs::read_to_string(app.db.dir().join(anchor::FILE)).unwrap();
    assert_eq!(text.lines().count(), written.len());
    assert!(text.contains("\"at\":\"2026-11-27T02:00:00Z\""), "{text}");
    // Writes after the anchor only lengthen the chains.
    add_grid(&app).await;
    assert!(verify(&app).await.is_ok());
    assert!(against_anchors(&app).await.is_empty());
    // A second anchor is appended, and the latest of each chain is the one checked.
    let again = anchor::write(app.handle(), app.db.dir(), START_MS + 1).await.unwrap();
    let latest = anchor::latest(app.db.dir()).unwrap();
    assert_eq!(latest.len(), again.len());
    assert!(latest[&1].seq > written.iter().find(|a| a.chain_id == 1).unwrap().seq);
    assert!(against_anchors(&app).await.is_empty());
}

#[tokio::test]
async fn a_chain_cut_short_with_its_head_copied_back_is_found() {
    let app = demo_app().await;
    anchor::write(app.handle(), app.db.dir(), START_MS).await.unwrap();
    let (last, prev, prev_hash) = chain_end(&app, 1).await;
    // The two statements of the attack: no hashing needed.
    on_db!(app.handle(), |p| {
        sqlx::query("delete from audit_event where chain_id = 1 and seq = $1")
            .bind(last)
            .execute(p)
            .await
            .unwrap();
        sqlx::query("update audit_head set seq = $1, hash = $2 where chain_id = 1")
            .bind(prev)
            .bind(&prev_hash)
            .execute(p)
            .await
            .unwrap();
    });
    let broken = verify(&app).await.unwrap_err();
    assert_eq!((broken.chain_id, broken.seq), (1, prev), "{broken}");
    assert!(broken.reason.contains("head"), "{broken}");
    let found = against_anchors(&app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].found, anchor::Found::Truncated { head_seq: prev });
    let told = found[0].to_string();
    assert!(
        told.contains("community 1 (XLG") && told.contains("truncated"),
        "{told}"
    );
    // Taking the head's MAC away as well does not help.
    on_db!(app.handle(), |p| sqlx::query(
        "update audit_head set head_mac = null where chain_id = 1"
    )
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    assert_eq!(verify(&app).await.unwrap_err().chain_id, 1);
}

#[tokio::test]
async fn a_chain_deleted_whole_with_its_head_is_found_by_its_anchor() {
    let app = demo_app().await;
    anchor::write(app.handle(), app.db.dir(), START_MS).await.unwrap();
    on_db!(app.handle(), |p| {
        sqlx::query("delete from audit_event where chain_id = 1")
            .execute(p)
            .await
            .unwrap();
        sqlx::query("delete from audit_head where chain_id = 1")
            .execute(p)
            .await
            .unwrap();
    });
    // The database alone cannot tell: what is left is whole.
    assert!(verify(&app).await.is_ok());
    let found = against_anchors(&app).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].found, anchor::Found::Missing);
    let told = found[0].to_string();
    assert!(told.contains("community 1 (XLG") && told.contains("missing"), "{told}");
}

#[tokio::test]
async fn a_row_rewritten_without_the_key_is_found() {
    let app = demo_app().await;
    anchor::write(app.handle(), app.db.dir(), START_MS).await.unwrap();
    let (last, _, _) = chain_end(&app, 1).await;
    let mut row: audit::Row = on_db!(app.handle(), |p| sqlx::query_as(
        "select * from audit_event where chain_id = 1 and seq = $1"
    )
    .bind(last)
    .fetch_one(p)
    .await
    .unwrap());
    // The attacker rewrites the row and re-hashes it and the head the only way open without
    // the key: the old unkeyed hash, once claiming it keyed, once marked as an old row.
    row.actor_label = "someone else".to_owned();
    let forged = audit::unkeyed_digest(&row);
    for version in [audit::MAC_KEYED, audit::MAC_UNKEYED] {
        on_db!(app.handle(), |p| {
            sqlx::query(
                "update audit_event set actor_label = $1, hash = $2, mac_version = $3 where audit_event_id = $4",
            )
            .bind(&row.actor_label)
            .bind(&forged)
            .bind(version)
            .bind(row.audit_event_id)
            .execute(p)
            .await
            .unwrap();
            sqlx::query("update audit_head set hash = $1, head_mac = null where chain_id = 1")
                .bind(&forged)
                .execute(p)
                .await
                .unwrap();
        });
        let broken = verify(&app).await.unwrap_err();
        assert_eq!(broken.audit_event_id, Some(row.audit_event_id), "{broken}");
        let found = against_anchors(&app).await;
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].found,
            anchor::Found::Rewritten {
                mac: Some(forged.clone())
            }
        );
        assert!(found[0].to_string().contains("rewritten"), "{}", found[0]);
    }
}

/// Writes rows as an unkeyed chain from the genesis: what a database from before the key holds,
/// or all an attacker without the key can forge. Returns the last row's hash.
async fn rechain_unkeyed(app: &TestApp, rows: Vec<audit::Row>) -> String {
    let mut prev = audit::GENESIS.to_owned();
    for mut r in rows {
        r.prev_hash = prev;
        r.hash = audit::unkeyed_digest(&r);
        on_db!(app.handle(), |p| {
            sqlx::query(
            "update audit_event set actor_label = $1, prev_hash = $2, hash = $3, mac_version = 0 where audit_event_id = $4"
        )
        .bind(&r.actor_label)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .bind(r.audit_event_id)
        .execute(p)
        .await
        .unwrap()
        .rows_affected()
        });
        prev = r.hash;
    }
    prev
}

async fn rows_of(app: &TestApp, sql: &str) -> Vec<audit::Row> {
    on_db!(app.handle(), |p| sqlx::query_as(sql).fetch_all(p).await.unwrap())
}

#[tokio::test]
async fn rows_from_before_the_key_still_verify_and_the_first_keyed_row_holds_them() {
    let app = demo_app().await;
    // Chain 1 as a database from before the key holds it: unkeyed hashes, a head without MAC.
    let rows = rows_of(&app, "select * from audit_event where chain_id = 1 order by seq").await;
    let last = rechain_unkeyed(&app, rows).await;
    on_db!(app.handle(), |p| sqlx::query(
        "update audit_head set hash = $1, head_mac = null where chain_id = 1"
    )
    .bind(&last)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    assert!(verify(&app).await.is_ok(), "old rows verify the old way");
    // A new write is keyed and links to the last old row.
    add_grid(&app).await;
    assert!(verify(&app).await.is_ok());
    // Rewriting an old row and re-hashing every old row after it no longer passes: the keyed
    // row's MAC covers its link to them.
    let mut old = rows_of(
        &app,
        "select * from audit_event where chain_id = 1 and mac_version = 0 order by seq",
    )
    .await;
    old[3].actor_label = "someone else".to_owned();
    rechain_unkeyed(&app, old).await;
    let broken = verify(&app).await.unwrap_err();
    assert_eq!(broken.chain_id, 1);
    assert!(broken.reason.contains("previous"), "{broken}");
}
