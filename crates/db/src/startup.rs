//! One instance at a time migrates the schema and loads the first data.
//!
//! Instances started together on an empty database each found it empty and each loaded the
//! demo (or created the first administrator): one of them then stopped on a taken name. While
//! an instance holds this lock, the others wait for it; when they get it, they find the schema
//! current and the data there.

use std::path::{Path, PathBuf};

use sqlx::{Postgres, Transaction};

use crate::{Backend, Db, DbError, DbUrl};

/// Any constant both sides agree on: the key of PostgreSQL's advisory lock ("yijia" in ASCII).
const PG_LOCK_KEY: i64 = 0x0079_696a_6961;

/// Held while an instance starts; released when dropped.
pub struct StartupLock {
    _held: Held,
}

#[expect(dead_code, reason = "each lock is held by being kept, and let go by being dropped")]
enum Held {
    /// On PostgreSQL, a transaction-scoped advisory lock: it goes with the transaction, even when
    /// the process dies holding it.
    Postgres(Transaction<'static, Postgres>),
    /// On SQLite, an exclusive lock on a file beside the database, which the operating system
    /// releases when the process ends.
    File(std::fs::File),
    /// A database in memory belongs to one process.
    Nothing,
}

impl StartupLock {
    /// The lock of a SQLite file, taken before the file is opened (opening a new file switches
    /// it to WAL, which a process opening it at the same moment is refused); `None` for
    /// PostgreSQL and a database in memory, whose lock is taken once connected.
    pub async fn before_connect(url: &DbUrl) -> Result<Option<StartupLock>, DbError> {
        if url.backend() != Backend::Sqlite {
            return Ok(None);
        }
        let held = file_lock(url.sqlite_options()?.get_filename()).await?;
        Ok((!matches!(held, Held::Nothing)).then_some(StartupLock { _held: held }))
    }
}

impl Db {
    /// Waits until no other instance is starting on this database, then holds the lock.
    pub async fn startup_lock(&self) -> Result<StartupLock, DbError> {
        let held = match self {
            #[expect(
                clippy::disallowed_methods,
                reason = "a plain transaction only to scope the advisory lock"
            )]
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(PG_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Held::Postgres(tx)
            }
            Db::Sqlite(pool, _) => file_lock(pool.connect_options().get_filename()).await?,
        };
        Ok(StartupLock { _held: held })
    }
}

/// The lock beside a SQLite file, held; nothing for a database in memory.
async fn file_lock(db_file: &Path) -> Result<Held, DbError> {
    Ok(match lock_path(db_file) {
        Some(path) => Held::File(lock_file(path).await?),
        None => Held::Nothing,
    })
}

/// The lock file of a database file; none for a database in memory.
fn lock_path(db_file: &Path) -> Option<PathBuf> {
    let name = db_file.file_name()?.to_str()?;
    if name.is_empty() || name == ":memory:" || db_file.as_os_str().to_string_lossy().starts_with("file::memory:") {
        return None;
    }
    Some(db_file.with_file_name(format!("{name}-start.lock")))
}

async fn lock_file(path: PathBuf) -> Result<std::fs::File, DbError> {
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| DbError::StartLock(format!("waiting for the start lock: {e}")))?;
    locked.map_err(|e| DbError::StartLock(format!("cannot take the start lock beside the database: {e}")))
}
