//! The binary as an operator runs it.

use std::process::{Command, Stdio};

fn yijia(data_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yijia"));
    c.env_remove("YIJIA_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("YIJIA_LISTEN")
        .env_remove("YIJIA_SECRET_KEY");
    c.arg("--data-dir").arg(data_dir);
    c
}

fn run(c: &mut Command) -> (bool, String, String) {
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_with_stdin(c: &mut Command, input: &[u8]) -> (bool, String, String) {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_database_scheme_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(yijia(dir.path()).args(["--database-url", "mysql://root@localhost/yijia", "migrate"]));
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!dir.path().join("yijia.db").exists());
}

#[test]
fn an_unwritable_data_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let (ok, _, err) = run(yijia(&file).arg("migrate"));
    assert!(!ok);
    assert!(err.contains("data directory"), "{err}");
}

#[test]
fn the_operator_creates_accounts_and_keys_and_verifies_the_audit_log() {
    if yijia_testkit::TestDb::postgres_url().is_some() {
        return; // the command line runs on the embedded database here; PostgreSQL is covered in-process
    }
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(yijia(dir.path()).arg("demo"));
    assert!(ok, "{out}{err}");
    let (ok, out, _) = run(yijia(dir.path()).arg("demo"));
    assert!(ok, "the demo loads idempotently: {out}");

    let admin_create = |username: &str, role: &str| {
        let mut c = yijia(dir.path());
        c.args([
            "admin",
            "create",
            "--username",
            username,
            "--role",
            role,
            "--community",
            "XLG",
            "--password-stdin",
        ]);
        run_with_stdin(&mut c, b"a-good-password\n")
    };
    let (ok, _, err) = admin_create("wang.staff", "community_staff");
    assert!(ok, "{err}");
    let (ok, _, err) = admin_create("x", "wizard");
    assert!(!ok);
    assert!(err.contains("--username") && err.contains("--role"), "{err}");

    let (ok, out, _) = run(yijia(dir.path()).args(["apikey", "create", "--community", "XLG", "--name", "12345"]));
    assert!(ok);
    assert!(out.trim().lines().last().unwrap().starts_with("yjt_"));
    let (ok, _, err) = run(yijia(dir.path()).args(["apikey", "create", "--community", "NOPE", "--name", "x"]));
    assert!(!ok);
    assert!(!err.is_empty());

    let (ok, out, _) = run(yijia(dir.path()).args(["audit", "verify"]));
    assert!(ok, "{out}");
    let backup = dir.path().join("backup.tar.gz");
    let (ok, out, err) = run(yijia(dir.path()).args(["backup", "--to"]).arg(&backup));
    assert!(ok, "{out}{err}");
    assert!(out.contains("secret.key"), "the backup reminds where the key is: {out}");
    let anchors = std::fs::read_to_string(dir.path().join("audit-anchors.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(anchors.lines().next().unwrap()).unwrap();
    assert!(
        first["seq"].as_i64().unwrap() > 0 && first["mac"].is_string(),
        "{anchors}"
    );
    assert!(
        out.contains("audit-anchors.jsonl"),
        "the backup names the anchor file: {out}"
    );
    let restored = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(yijia(restored.path()).args(["restore", "--from"]).arg(&backup));
    assert!(!ok, "without the key the sealed data would be unreadable");
    assert!(err.contains("secret.key"), "{err}");
    // The key given in YIJIA_SECRET_KEY does as well as the file.
    let key = std::fs::read_to_string(dir.path().join("secret.key")).unwrap();
    let by_variable = tempfile::tempdir().unwrap();
    let with_key = |args: &[&str]| {
        let mut c = yijia(by_variable.path());
        c.env("YIJIA_SECRET_KEY", key.trim()).args(args);
        c
    };
    let (ok, out, err) = run(with_key(&["restore", "--from"]).arg(&backup));
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run(&mut with_key(&["audit", "verify"]));
    assert!(ok, "{out}{err}");
    assert!(
        !by_variable.path().join("secret.key").exists(),
        "no key file made beside it"
    );
    std::fs::copy(dir.path().join("secret.key"), restored.path().join("secret.key")).unwrap();
    let (ok, out, err) = run(yijia(restored.path()).args(["restore", "--from"]).arg(&backup));
    assert!(ok, "{out}{err}");
    let (ok, out, _) = run(yijia(restored.path()).args(["audit", "verify"]));
    assert!(ok, "{out}");

    // Cut a chain short and copy the previous row's number and MAC into its head: both the
    // head's MAC and the anchor written by the backup find it.
    let (ok, _, err) = run(yijia(restored.path())
        .args(["backup", "--to"])
        .arg(restored.path().join("b.tar.gz")));
    assert!(ok, "{err}");
    let status = Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
            (n,)=c.execute('select max(seq) from audit_event where chain_id=1').fetchone(); \
            c.execute('delete from audit_event where chain_id=1 and seq=?', (n,)); \
            c.execute('update audit_head set seq=?, hash=(select hash from audit_event where chain_id=1 and seq=?) where chain_id=1', (n-1, n-1)); \
            c.commit()"])
        .arg(restored.path().join("yijia.db"))
        .status();
    if status.is_ok_and(|s| s.success()) {
        let (ok, _, err) = run(yijia(restored.path()).args(["audit", "verify"]));
        assert!(!ok);
        assert!(err.contains("audit chain 1 broken"), "{err}");
        assert!(err.contains("community 1 (XLG") && err.contains("truncated"), "{err}");
    }
    let (ok, _, err) = run(yijia(restored.path())
        .args(["restore", "--from"])
        .arg(dir.path().join("yijia.db")));
    assert!(!ok);
    assert!(err.contains("backup"), "{err}");

    // Break the chain by hand: verify names the row and fails.
    let db = dir.path().join("yijia.db");
    let status = Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"update audit_event set actor_label='someone' where audit_event_id=5\"); c.commit()"])
        .arg(&db)
        .status();
    if status.is_ok_and(|s| s.success()) {
        let (ok, _, err) = run(yijia(dir.path()).args(["audit", "verify"]));
        assert!(!ok);
        assert!(err.contains("audit_event_id 5"), "{err}");
    }
}

#[test]
fn every_command_has_help() {
    for cmd in [
        vec![],
        vec!["serve"],
        vec!["migrate"],
        vec!["demo"],
        vec!["admin", "create"],
        vec!["apikey", "create"],
        vec!["seed"],
        vec!["backup"],
        vec!["restore"],
        vec!["audit", "verify"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_yijia"))
            .args(&cmd)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd:?}");
        assert!(!out.stdout.is_empty());
    }
}

#[tokio::test]
async fn the_seed_writes_volunteers_with_balanced_ledgers_once() {
    let dir = tempfile::tempdir().unwrap();
    let seed = [
        "seed",
        "--communities",
        "2",
        "--residents-per-community",
        "30",
        "--appeals-per-community",
        "0",
        "--volunteers-per-community",
        "40",
        "--ledger-entries-per-community",
        "3001",
        "--with-accounts",
    ];
    for _ in 0..2 {
        let (ok, _, err) = run(yijia(dir.path()).args(seed));
        assert!(ok, "{err}");
    }
    let db = yijia_db::Db::connect(&yijia_db::DbUrl::sqlite_file(&dir.path().join("yijia.db")))
        .await
        .unwrap();
    assert_eq!(yijia_volunteers::repo::unbalanced(&db).await.unwrap(), (0, 0));
    let yijia_db::Db::Sqlite(p, _) = &db else {
        unreachable!()
    };
    // The second run left the seeded communities alone; an odd count rounds down to whole transactions.
    let per_community: Vec<(i64, i64, i64)> = sqlx::query_as(
        "select t.community_id, count(*), (select count(*) from volunteer v where v.community_id = t.community_id) \
         from vol_entry e join vol_txn t on t.txn_id = e.txn_id group by t.community_id order by 1",
    )
    .fetch_all(p)
    .await
    .unwrap();
    let counts: Vec<(i64, i64)> = per_community.iter().map(|(_, e, v)| (*e, *v)).collect();
    assert_eq!(counts, vec![(3000, 40); 2]);
    // A sign-up's minutes are its hours entries, and the spends never took anyone below zero.
    let mismatched: i64 = sqlx::query_scalar(
        "select count(*) from vol_signup u where coalesce(u.minutes, 0) <> coalesce((select sum(e.amount) \
         from vol_txn t join vol_entry e on e.txn_id = t.txn_id join vol_ledger_account a \
         on a.ledger_account_id = e.ledger_account_id where t.signup_id = u.signup_id and t.ledger = 'hours' \
         and a.holder = 'volunteer'), 0)",
    )
    .fetch_one(p)
    .await
    .unwrap();
    assert_eq!(mismatched, 0);
    let spends: i64 = sqlx::query_scalar("select count(*) from vol_txn where kind = 'spend'")
        .fetch_one(p)
        .await
        .unwrap();
    assert!(spends > 0);
    // seed.staff (community staff of SEED0001) is one of its volunteers.
    let staff: i64 = sqlx::query_scalar(
        "select count(*) from volunteer v join account a on a.account_id = v.account_id where a.username = 'seed.staff'",
    )
    .fetch_one(p)
    .await
    .unwrap();
    assert_eq!(staff, 1);
}

fn usernames(dir: &std::path::Path) -> Vec<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print('\\n'.join(r[0] for r in sqlite3.connect(sys.argv[1]).execute('select username from account order by 1')))",
        ])
        .arg(dir.join("yijia.db"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

const SMALL_SEED: [&str; 7] = [
    "seed",
    "--communities",
    "1",
    "--residents-per-community",
    "5",
    "--appeals-per-community",
    "3",
];

#[test]
fn the_seed_makes_no_administrator_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(yijia(dir.path()).args(SMALL_SEED));
    assert!(ok, "{out}{err}");
    assert!(usernames(dir.path()).is_empty(), "{:?}", usernames(dir.path()));
    assert!(out.contains("no accounts"), "{out}");
    let (ok, out, err) = run(yijia(dir.path()).args(SMALL_SEED).arg("--with-accounts"));
    assert!(ok, "{out}{err}");
    assert_eq!(usernames(dir.path()), ["seed.admin", "seed.staff"]);
    assert!(out.contains("seed.admin") && out.contains("seed-password-1"), "{out}");
}

#[test]
fn the_seed_refuses_a_database_with_real_data_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    // The demo is not real data: the Open311 check seeds next to it.
    let (ok, out, err) = run(yijia(dir.path()).arg("demo"));
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run(yijia(dir.path()).args(SMALL_SEED));
    assert!(ok, "{out}{err}");
    let mut c = yijia(dir.path());
    c.args([
        "admin",
        "create",
        "--username",
        "wang.li",
        "--role",
        "platform_admin",
        "--password-stdin",
    ]);
    let (ok, _, err) = run_with_stdin(&mut c, b"a-good-password\n");
    assert!(ok, "{err}");
    let (ok, _, err) = run(yijia(dir.path()).args(SMALL_SEED));
    assert!(!ok);
    assert!(err.contains("account wang.li") && err.contains("--force"), "{err}");
    let (ok, out, err) = run(yijia(dir.path()).args(SMALL_SEED).arg("--force"));
    assert!(ok, "{out}{err}");
}

/// Instances started together on an empty database take turns at the start: one migrates and
/// loads the first data, the others find both there. Before, one of them stopped on a name the
/// other had just taken.
#[test]
fn instances_started_together_on_an_empty_database_all_start() {
    if yijia_testkit::TestDb::postgres_url().is_some() {
        return; // PostgreSQL's start lock is tested in-process (faults.rs)
    }
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            yijia(dir.path())
                .arg("demo")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (ok, out, err) = run(yijia(dir.path()).args(["audit", "verify"]));
    assert!(ok, "{out}{err}");
}

/// Starts `yijia serve` on a free port with extra settings; returns the child and its address.
fn serve(data_dir: &std::path::Path, settings: &[(&str, &str)]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut c = yijia(data_dir);
    c.args(["serve", "--listen", "127.0.0.1:0"])
        .env("YIJIA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in settings {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("is serving at http://")
                .map(|(_, rest)| rest.split('/').next().unwrap().to_owned())
        })
        .unwrap_or_else(|| panic!("the server did not say where it serves"));
    // The rest of what it prints is read and dropped, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

/// A client that sends its headers a piece at a time (or never finishes them) is cut off after
/// the header timeout; a SIGTERM while a request's body is still coming ends the process after
/// the grace period, not whenever that client decides to finish.
#[test]
fn a_half_sent_request_is_cut_off_and_does_not_hold_up_a_shutdown() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    if yijia_testkit::TestDb::postgres_url().is_some() {
        return; // the command line runs on the embedded database here
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = serve(
        dir.path(),
        &[("YIJIA_HEADER_TIMEOUT_SECS", "1"), ("YIJIA_SHUTDOWN_GRACE_SECS", "2")],
    );

    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let started = Instant::now();
    let mut buf = [0_u8; 512];
    let got = slow.read(&mut buf);
    assert!(
        matches!(got, Ok(0) | Err(_)) || String::from_utf8_lossy(&buf).contains("408"),
        "{got:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a half-sent header was waited for {:?}",
        started.elapsed()
    );

    // Headers whole, body promised and never sent: a request under way.
    let mut stuck = std::net::TcpStream::connect(&addr).unwrap();
    stuck
        .write_all(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if asked.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the server did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "stopping took {:?}",
        asked.elapsed()
    );
    drop(stuck);
}
