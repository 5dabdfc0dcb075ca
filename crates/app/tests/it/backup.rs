use yijia_db::on_db;

use crate::demo_app;
use crate::schema::catalogue;

/// The rows of every table the database's own catalogue lists, by table.
async fn counts(db: &yijia_db::Db) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in catalogue(db).await.into_keys() {
        let sql = format!("select count(*) from \"{t}\"");
        let n: i64 = on_db!(db, |p| sqlx::query_scalar(&sql).fetch_one(p).await.unwrap());
        out.push((t, n));
    }
    out
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_database_whole() {
    let app = demo_app().await;
    let dump = yijia_db::dump_tables(app.handle()).await.unwrap();
    let left_out: Vec<String> = catalogue(app.handle())
        .await
        .into_keys()
        .filter(|t| !dump.tables.iter().any(|d| d.name == *t))
        .collect();
    assert!(left_out.is_empty(), "tables the backup leaves out: {left_out:?}");
    let json = serde_json::to_string(&dump).unwrap();
    let target = yijia_testkit::TestDb::fresh().await;
    let dump: yijia_db::Dump = serde_json::from_str(&json).unwrap();
    yijia_db::restore_tables(&target.db, &dump).await.unwrap();
    assert_eq!(counts(app.handle()).await, counts(&target.db).await);
    assert!(
        yijia_kernel::audit::verify(&target.db, app.state.vault.audit_key())
            .await
            .unwrap()
            .is_ok(),
        "the audit chain survives the round trip"
    );
    // An instance on the restored data starts only with the key the data was sealed with.
    std::fs::copy(app.db.dir().join("secret.key"), target.dir().join("secret.key")).unwrap();
    // New rows continue after the restored keys.
    let restored = yijia_testkit::TestApp::on(target.clone(), yijia::modules()).await;
    let t = restored.token("xlg.admin", crate::PW).await;
    let res = restored
        .client()
        .with_bearer(&t)
        .post_json(
            "/api/v1/communities/1/grids",
            &serde_json::json!({ "code": "G08", "name": "恢复后新建" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    // … also where the key is not named after its table (`team_id` of `vol_team`).
    let res = restored
        .client()
        .with_bearer(&t)
        .post_json(
            "/api/v1/volunteer-teams",
            &serde_json::json!({ "community": "1", "name": "恢复后新队" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    // Restoring again into the now non-empty database is refused and changes nothing.
    let before = counts(&target.db).await;
    assert!(yijia_db::restore_tables(&target.db, &dump).await.is_err());
    assert_eq!(before, counts(&target.db).await);
}
