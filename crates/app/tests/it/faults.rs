//! Faults from outside the process: a disk that fills up, a key that does not match, instances
//! that start together.

use std::io::Write;
use std::path::Path;

use serde_json::json;
use yijia_testkit::{TestApp, TestDb};

use crate::appeals::{as_user, catalogue, unit_in};
use crate::PW;

/// A small file system of its own (tmpfs), unmounted when dropped. Mounting needs root, which
/// CI has; elsewhere the test says it was skipped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills what is left of the disk with a file of its own, to the last byte.
    fn fill(&self) -> std::path::PathBuf {
        let filler = self.path().join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0xA5_u8; 64 * 1024];
        let mut size = block.len();
        // Large blocks first, then smaller ones, until not one byte more fits.
        while size > 0 {
            match f.write(&block[..size]) {
                Ok(0) | Err(_) => size /= 2,
                Ok(_) => {}
            }
        }
        let _ = f.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// A full disk refuses writes with a message the resident can read (507, not a 500), tells the
/// load balancer through `/readyz`, locks nobody out, and once space is freed the same process
/// writes again at once: no connection is left broken, nothing needs a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_writing_resumes_once_space_is_freed() {
    if TestDb::postgres_url().is_some() {
        return; // PostgreSQL's own test is below: its files are the server's, not in this folder
    }
    let Some(disk) = SmallDisk::mount(48) else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let app = TestApp::spawn_demo_in(yijia::modules(), disk.path()).await;
    full_disk(&app, &disk).await;
}

/// The same on PostgreSQL, its database's files in a tablespace on the small disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_full_disk_refuses_writes_clearly_and_writing_resumes() {
    let Some(admin) = TestDb::postgres_url() else {
        return; // a SQLite run: the test above
    };
    let Some(disk) = SmallDisk::mount(64) else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let folder = disk.path().join("pg");
    std::fs::create_dir(&folder).unwrap();
    let owned = std::process::Command::new("chown")
        .arg("postgres:postgres")
        .arg(&folder)
        .status()
        .is_ok_and(|s| s.success());
    if !owned {
        eprintln!("skipped: the PostgreSQL server's user cannot be given the small disk");
        return;
    }
    let space = format!("yijia_full_{}", std::process::id());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
    sqlx::query(&format!("create tablespace {space} location '{}'", folder.display()))
        .execute(&mut conn)
        .await
        .unwrap();
    let db = TestDb::fresh_postgres_in(&space).await;
    let name = db.url().rsplit('/').next().unwrap().to_owned();
    let app = TestApp::on(db, yijia::modules()).await;
    app.demo().await;
    full_disk(&app, &disk).await;
    app.handle().close().await;
    for sql in [
        format!("drop database \"{name}\" with (force)"),
        format!("drop tablespace {space}"),
    ] {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
}

/// Fills the disk under a running application and checks what people and the load balancer see,
/// then frees it and checks that writing resumes.
async fn full_disk(app: &TestApp, disk: &SmallDisk) {
    let mut resident = as_user(app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(app, "G01").await;
    let raise = |c: &mut yijia_testkit::Client, n: usize| {
        let body = json!({
            "category": cats["water_leak"]["category_id"], "kind": "help", "unit": unit,
            "description": format!("第{n}次反映：卫生间顶棚渗水。{}", "楼上管道老化，".repeat(200)),
            "phone": "13912345678",
        });
        let mut c = c.clone();
        async move { c.post_json("/api/v1/appeals", &body).await }
    };
    assert_eq!(app.client().get("/readyz").await.status, 200);

    let filler = disk.fill();
    let mut refused = None;
    for n in 0..5_000 {
        let res = raise(&mut resident, n).await;
        match res.status {
            201 => continue,
            507 => {
                refused = Some(res);
                break;
            }
            other => panic!("a write on a full disk answered {other}: {}", res.text()),
        }
    }
    let Some(refused) = refused else {
        panic!("the disk never filled up");
    };
    assert_eq!(refused.code(), "storage_full");
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("存储空间已满"),
        "{}",
        refused.text()
    );
    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status, 503, "{}", ready.text());
    // The right password on a full disk: not a 500, and not counted against the account.
    for _ in 0..12 {
        let res = app
            .client()
            .post_json("/api/v1/auth/token", &json!({ "username": "grid2", "password": PW }))
            .await;
        assert!(matches!(res.status, 200 | 507), "{}: {}", res.status, res.text());
    }

    std::fs::remove_file(filler).unwrap();
    assert_eq!(
        app.client().get("/readyz").await.status,
        200,
        "ready again once space is back"
    );
    for n in 0..20 {
        let res = raise(&mut resident, 10_000 + n).await;
        assert_eq!(res.status, 201, "write {n} after space came back: {}", res.text());
    }
    app.token("grid2", PW).await;
}

/// An instance holding another key than the one the database was set up with refuses to start
/// and says what to do, rather than seal new data that the other instances cannot open; one
/// with no key at all does not make itself one.
#[tokio::test]
async fn an_instance_with_another_key_refuses_to_start_on_the_database() {
    let app = crate::app().await;
    let first = app.state.vault.check_value().to_owned();
    let db = app.handle();
    let elsewhere = tempfile::tempdir().unwrap();

    let other_key = "ab".repeat(32);
    let refused = yijia_kernel::keycheck::vault_for(db, elsewhere.path(), Some(&other_key))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("not the one this database was set up with"),
        "{refused}"
    );
    assert!(refused.contains("YIJIA_SECRET_KEY"), "{refused}");

    let refused = yijia_kernel::keycheck::vault_for(db, elsewhere.path(), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("does not have"), "{refused}");
    assert!(
        !elsewhere.path().join("secret.key").exists(),
        "no key of its own was made"
    );

    // The same key, from the same file or given in the setting, is let through.
    let same = yijia_kernel::keycheck::vault_for(db, app.db.dir(), None).await.unwrap();
    assert_eq!(same.check_value(), first);
    let hex = std::fs::read_to_string(app.db.dir().join("secret.key")).unwrap();
    let same = yijia_kernel::keycheck::vault_for(db, elsewhere.path(), Some(hex.trim()))
        .await
        .unwrap();
    assert_eq!(same.check_value(), first);
}

/// While one instance holds the start lock, another waits for it, on either database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_waits_for_the_first_to_finish_starting() {
    let app = crate::app().await;
    let db = app.handle().clone();
    let first = db.startup_lock().await.unwrap();
    let second = tokio::spawn(async move { db.startup_lock().await.map(|_| ()) });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second start went on while the first held the lock"
    );
    drop(first);
    tokio::time::timeout(std::time::Duration::from_secs(10), second)
        .await
        .expect("the second start is let in once the first is done")
        .unwrap()
        .unwrap();
}

/// A request whose body stops coming (a phone that lost its signal halfway through a photo, or
/// a client holding connections open on purpose) is answered 408 once the body timeout passes,
/// in the reader's language, instead of being waited for as long as the connection stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_coming_is_given_up_with_408() {
    use axum::body::Body;
    use futures_util::StreamExt;
    use tower::ServiceExt;

    let app = yijia_testkit::TestApp::spawn_with(yijia::modules(), |c| c.body_timeout_secs = 1).await;
    app.demo().await;
    let token = app.token("resident1", PW).await;
    let started = std::time::Instant::now();
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from_static(
        b"{\"description\": \"\xe5\x8d\xab",
    ))]);
    let stalled = first.chain(futures_util::stream::pending());
    let req = axum::http::Request::post("/api/v1/appeals")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from_stream(stalled))
        .unwrap();
    let res = tokio::time::timeout(std::time::Duration::from_secs(20), app.router.clone().oneshot(req))
        .await
        .expect("the stalled body was waited for without end")
        .unwrap();
    assert_eq!(res.status(), 408);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "request_timeout");
    assert!(v["error"]["message"].as_str().unwrap().contains("中断"), "{v}");
}

/// Two instances behind a load balancer: a photo sent through one is served by the other, even
/// when each has a data directory of its own (on PostgreSQL the bytes are in the database).
#[tokio::test]
async fn a_photo_sent_through_one_instance_is_served_by_another() {
    let app = crate::demo_app().await;
    let other = TestApp::on(app.db.sharing(), yijia::modules()).await;
    let (_, href, photo) = crate::appeals::leak_with_photo(&app).await;

    let token = other.token("resident1", PW).await;
    let there = other.client().with_bearer(&token).get(&href).await;
    assert_eq!(there.status, 200, "{}", there.text());
    assert_eq!(there.body, photo);
    if matches!(app.handle(), yijia_db::Db::Postgres(_)) {
        assert!(
            !app.db.dir().join("files").exists(),
            "on PostgreSQL nothing is written to one instance's folder"
        );
    }
}
