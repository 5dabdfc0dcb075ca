use yijia_db::on_db;

use crate::demo_app;
use crate::schema::catalogue;

/// The rows of every table the database's own catalogue lists, by table.
/// Rows per table; stored files' bytes are left out, since they travel as the archive's files
/// (see `a_backup_carries_the_photos_bytes_on_either_database`).
async fn counts(db: &yijia_db::Db) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in catalogue(db).await.into_keys().filter(|t| t != "stored_blob") {
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
        // Stored files' bytes travel as files in the archive, on either database.
        .filter(|t| t != "stored_blob")
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

/// `yijia backup` and `yijia restore`, run as the operator runs them, carry a photo's bytes
/// wherever the database keeps them (files beside SQLite, rows in PostgreSQL): the restored
/// installation shows the photo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_carries_the_photos_bytes_on_either_database() {
    use clap::Parser;
    let app = demo_app().await;
    let (_, href, photo) = crate::appeals::leak_with_photo(&app).await;

    let elsewhere = tempfile::tempdir().unwrap();
    let archive = elsewhere.path().join("backup.tar.gz");
    let cli = |db: &yijia_testkit::TestDb, args: &[&str]| {
        let mut all = vec!["yijia".to_owned(), "--data-dir".to_owned()];
        all.push(db.dir().display().to_string());
        all.extend(["--database-url".to_owned(), db.url()]);
        all.extend(args.iter().map(|a| (*a).to_owned()));
        yijia::cli::Args::parse_from(all)
    };
    let to = archive.display().to_string();
    yijia::cli::run(cli(&app.db, &["backup", "--to", &to])).await.unwrap();
    let target = yijia_testkit::TestDb::fresh().await;
    std::fs::copy(app.db.dir().join("secret.key"), target.dir().join("secret.key")).unwrap();
    yijia::cli::run(cli(&target, &["restore", "--from", &to]))
        .await
        .unwrap();

    let restored = yijia_testkit::TestApp::on(target, yijia::modules()).await;
    let token = restored.token("resident1", crate::PW).await;
    let again = restored.client().with_bearer(&token).get(&href).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.body, photo);
}

/// A backup taken by the release before this one (schema 15: no key check, photos' bytes in
/// the data directory, no schema in the backup) restores into this release on either
/// database, empty and not yet migrated: the rows are there, the key is recorded, the audit
/// chains verify, sealed data opens, and people sign in. The backup and its key are kept in
/// `tests/fixtures/backup-0015` (made with `yijia demo` and `yijia backup` of commit f360a97).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_from_the_previous_release_restores_into_this_one() {
    use clap::Parser;
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backup-0015");
    let target = yijia_testkit::TestDb::unmigrated().await;
    std::fs::copy(fixture.join("secret.key"), target.dir().join("secret.key")).unwrap();
    let args = [
        "yijia".to_owned(),
        "--data-dir".to_owned(),
        target.dir().display().to_string(),
        "--database-url".to_owned(),
        target.url(),
        "restore".to_owned(),
        "--from".to_owned(),
        fixture.join("backup.tar.gz").display().to_string(),
    ];
    yijia::cli::run(yijia::cli::Args::parse_from(args)).await.unwrap();
    assert_eq!(
        target.db.schema_version().await.unwrap(),
        Some(yijia_db::latest_schema()),
        "migrated to this release's schema after the rows went in"
    );

    let app = yijia_testkit::TestApp::on(target, yijia::modules()).await;
    let counts = counts(app.handle()).await;
    let rows = |t: &str| counts.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n);
    assert!(rows("registry_resident") > 500 && rows("appeal") > 100, "{counts:?}");
    assert!(
        yijia_kernel::audit::verify(app.handle(), app.state.vault.audit_key())
            .await
            .unwrap()
            .is_ok(),
        "the audit chains verify under the backup's key"
    );
    let token = app.token("xlg.admin", crate::PW).await;
    let mut c = app.client().with_bearer(&token);
    let sealed: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select resident_id from registry_resident where id_sealed is not null order by resident_id limit 1"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let shown = c
        .post_json(
            &format!("/api/v1/residents/{sealed}/reveal"),
            &serde_json::json!({ "field": "id_number", "purpose": "恢复后核对" }),
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(shown.json()["value"].as_str().unwrap().chars().count(), 18);
    let page = app.signed_in("xlg.admin", crate::PW).await.get("/appeals").await;
    assert_eq!(page.status, 200);
}

/// The previous release's backup, as its table data.
fn previous_release_dump() -> yijia_db::Dump {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backup-0015/backup.tar.gz");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()));
    let entry = archive
        .entries()
        .unwrap()
        .map(Result::unwrap)
        .find(|e| e.path().unwrap().to_str() == Some("yijia-backup.json"))
        .unwrap();
    serde_json::from_reader(entry).unwrap()
}

/// A backup that says its schema goes into that schema, and the migrations since carry its rows
/// forward as they carried the live database's; one of a schema newer than this release knows
/// is refused, and nothing is written.
#[tokio::test]
async fn a_backup_goes_into_its_own_schema_and_the_later_migrations_carry_it_forward() {
    let mut dump = previous_release_dump();
    assert_eq!(
        dump.schema, None,
        "backups before December 2026 did not say their schema"
    );
    dump.schema = Some(15);
    let target = yijia_testkit::TestDb::unmigrated().await;
    target.db.migrate_to(15).await.unwrap();
    assert_eq!(target.db.schema_version().await.unwrap(), Some(15));
    assert!(!catalogue(&target.db).await.contains_key("instance_meta"));
    yijia_db::restore_tables(&target.db, &dump).await.unwrap();
    target.db.migrate().await.unwrap();
    assert_eq!(
        target.db.schema_version().await.unwrap(),
        Some(yijia_db::latest_schema())
    );
    let residents = dump
        .tables
        .iter()
        .find(|t| t.name == "registry_resident")
        .unwrap()
        .rows
        .len();
    let restored: i64 = on_db!(&target.db, |p| sqlx::query_scalar(
        "select count(*) from registry_resident"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(restored as usize, residents);

    dump.schema = Some(yijia_db::latest_schema() + 1);
    let newer = yijia_testkit::TestDb::fresh().await;
    let refused = yijia_db::restore_tables(&newer.db, &dump)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("newer release"), "{refused}");
    let accounts: i64 = on_db!(&newer.db, |p| sqlx::query_scalar("select count(*) from account")
        .fetch_one(p)
        .await
        .unwrap());
    assert_eq!(accounts, 0);
}
