use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::Connection;
use yijia_db::{Db, DbUrl};

/// A database made for one test, with the folder that holds its files.
#[derive(Clone)]
pub struct TestDb {
    pub db: Db,
    dir: std::sync::Arc<tempfile::TempDir>,
}

/// A database closed after it was filled once (the demo community, say), which tests copy
/// instead of filling their own: the PostgreSQL database it was, used as a template, or the
/// SQLite file inside its folder; the folder's other files (the vault's key, stored photos) come
/// along.
#[derive(Clone)]
pub struct Snapshot {
    postgres: Option<String>,
    files: std::sync::Arc<tempfile::TempDir>,
}

const SQLITE_FILE: &str = "test.db";

/// Serialises the creation of the PostgreSQL template among the tests of one process.
static TEMPLATE: tokio::sync::Mutex<Option<String>> = tokio::sync::Mutex::const_new(None);

impl TestDb {
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Whether this run uses PostgreSQL.
    pub fn postgres_url() -> Option<String> {
        std::env::var("YIJIA_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
    }

    /// A fresh database on the backend this run uses.
    pub async fn fresh() -> TestDb {
        match TestDb::postgres_url() {
            Some(admin) => TestDb {
                db: fresh_postgres(&admin).await,
                dir: std::sync::Arc::new(tempfile::tempdir().unwrap()),
            },
            None => TestDb::sqlite().await,
        }
    }

    /// Closes this database and keeps it, with its folder, as the template of later copies.
    pub async fn snapshot(self) -> Snapshot {
        self.db.close().await;
        Snapshot {
            postgres: match &self.db {
                Db::Postgres(p) => Some(p.connect_options().get_database().unwrap().to_owned()),
                Db::Sqlite(..) => None,
            },
            files: self.dir,
        }
    }

    /// A new database and folder with the contents of a snapshot.
    pub async fn copy_of(snapshot: &Snapshot) -> TestDb {
        TestDb::copy_of_in(snapshot, &std::env::temp_dir()).await
    }

    /// The same, with the folder made inside `parent` (a small file system, to fill).
    pub async fn copy_of_in(snapshot: &Snapshot, parent: &Path) -> TestDb {
        let dir = tempfile::tempdir_in(parent).unwrap();
        copy_dir(snapshot.files.path(), dir.path());
        let db = match (&snapshot.postgres, TestDb::postgres_url()) {
            (Some(template), Some(admin)) => clone_postgres(&admin, template).await,
            _ => Db::connect_sqlite(SqliteConnectOptions::new().filename(dir.path().join(SQLITE_FILE)))
                .await
                .unwrap(),
        };
        TestDb {
            db,
            dir: std::sync::Arc::new(dir),
        }
    }

    /// A fresh PostgreSQL database (this run's) whose files are in `tablespace`, with a folder.
    pub async fn fresh_postgres_in(tablespace: &str) -> TestDb {
        let admin = TestDb::postgres_url().expect("a PostgreSQL database outside a PostgreSQL run");
        let template = postgres_template(&admin).await;
        TestDb {
            db: clone_postgres_into(&admin, &template, tablespace).await,
            dir: std::sync::Arc::new(tempfile::tempdir().unwrap()),
        }
    }

    /// An empty database with no schema yet, on the backend this run uses: a restore's target
    /// as the command line finds it on a new server.
    pub async fn unmigrated() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let db = match TestDb::postgres_url() {
            Some(admin) => clone_postgres(&admin, "template0").await,
            None => Db::connect_sqlite(SqliteConnectOptions::new().filename(dir.path().join(SQLITE_FILE)))
                .await
                .unwrap(),
        };
        TestDb {
            db,
            dir: std::sync::Arc::new(dir),
        }
    }

    /// The database's URL, as an operator gives it to the command line.
    pub fn url(&self) -> String {
        match &self.db {
            Db::Postgres(p) => with_database(
                &TestDb::postgres_url().expect("a PostgreSQL test database outside a PostgreSQL run"),
                p.connect_options().get_database().unwrap_or_default(),
            ),
            Db::Sqlite(..) => format!("sqlite://{}", self.dir().join(SQLITE_FILE).display()),
        }
    }

    /// The same database for another instance, as a load balancer's second server has it: on
    /// PostgreSQL with a data directory of its own holding only the shared key; on SQLite, one
    /// machine, the same directory.
    pub fn sharing(&self) -> TestDb {
        let dir = match &self.db {
            Db::Postgres(_) => {
                let dir = tempfile::tempdir().unwrap();
                std::fs::copy(self.dir().join("secret.key"), dir.path().join("secret.key")).unwrap();
                std::sync::Arc::new(dir)
            }
            Db::Sqlite(..) => self.dir.clone(),
        };
        TestDb {
            db: self.db.clone(),
            dir,
        }
    }

    /// A fresh SQLite database whichever backend this run uses, for a test that compares the two.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect_sqlite(SqliteConnectOptions::new().filename(dir.path().join(SQLITE_FILE)))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        TestDb {
            db,
            dir: std::sync::Arc::new(dir),
        }
    }
}

/// The migrations' fingerprint: a template made from other migrations is never reused.
fn migrations_hash() -> String {
    use sha2::{Digest, Sha256};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut h = Sha256::new();
    for n in names {
        h.update(std::fs::read(n).unwrap());
    }
    hex::encode(h.finalize())[..12].to_owned()
}

/// Copies a folder's files and subfolders into another, existing folder.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn with_database(admin: &str, name: &str) -> String {
    let mut u = url_parts(admin);
    u.1 = name.to_owned();
    format!("{}/{}{}", u.0, u.1, u.2)
}

/// Splits `postgres://user@host:port/db?x` into (`postgres://user@host:port`, `db`, `?x`).
fn url_parts(url: &str) -> (String, String, String) {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    match base[scheme_end..].find('/') {
        Some(i) => (
            base[..scheme_end + i].to_owned(),
            base[scheme_end + i + 1..].to_owned(),
            query,
        ),
        None => (base.to_owned(), String::new(), query),
    }
}

/// The process that made a test database (`yijia_t_{pid}_{random}`), if the name says.
fn run_of(db: &str) -> Option<u32> {
    db.strip_prefix("yijia_t_")?.split('_').next()?.parse().ok()
}

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

async fn fresh_postgres(admin: &str) -> Db {
    let template = postgres_template(admin).await;
    clone_postgres(admin, &template).await
}

/// The migrated, empty template database of this run, made on first use.
async fn postgres_template(admin: &str) -> String {
    let template = {
        let mut guard = TEMPLATE.lock().await;
        if guard.is_none() {
            let name = format!("yijia_tpl_{}", migrations_hash());
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .expect("YIJIA_TEST_POSTGRES_URL does not answer");
            let exists: Option<i32> = sqlx::query_scalar("select 1 from pg_database where datname = $1")
                .bind(&name)
                .fetch_optional(&mut conn)
                .await
                .unwrap();
            if exists.is_none() {
                // Databases left by earlier runs go first; those of a run still going on (another
                // checkout's suite on the same server) stay, and so do the templates while one is.
                let old: Vec<String> = sqlx::query_scalar(
                    "select datname from pg_database where datname like 'yijia_t_%' or datname like 'yijia_tpl_%'",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let live = |d: &String| run_of(d).is_some_and(|pid| pid != std::process::id() && alive(pid));
                let another_run = old.iter().any(live);
                for d in old.iter().filter(|d| !live(d)) {
                    if d.starts_with("yijia_tpl_") && another_run {
                        continue;
                    }
                    let _ = sqlx::query(&format!("drop database if exists \"{d}\" with (force)"))
                        .execute(&mut conn)
                        .await;
                }
                sqlx::query(&format!("create database \"{name}\""))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let db = Db::connect(&DbUrl::parse(&with_database(admin, &name)).unwrap())
                    .await
                    .unwrap();
                db.migrate().await.unwrap();
                db.close().await;
            }
            conn.close().await.unwrap();
            *guard = Some(name);
        }
        guard.clone().unwrap()
    };
    template
}

/// A new database of this process's, copied from `template`.
async fn clone_postgres(admin: &str, template: &str) -> Db {
    clone_postgres_into(admin, template, "pg_default").await
}

/// A copy of `template` whose files are in `tablespace`.
async fn clone_postgres_into(admin: &str, template: &str, tablespace: &str) -> Db {
    let name = format!("yijia_t_{}_{:012x}", std::process::id(), rand::random::<u64>() >> 16);
    let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(&format!(
        "create database \"{name}\" template \"{template}\" tablespace \"{tablespace}\""
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    Db::connect(&DbUrl::parse(&with_database(admin, &name)).unwrap())
        .await
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
