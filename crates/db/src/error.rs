use sqlx::error::{DatabaseError as _, ErrorKind};

/// What can go wrong below the domain: the cause is logged by the caller, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(sqlx::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Backup(String),
    #[error("{0}")]
    StartLock(String),
}

impl DbError {
    pub(crate) fn connect(e: sqlx::Error) -> DbError {
        DbError::Connect(e)
    }
}

fn kind(e: &sqlx::Error) -> Option<ErrorKind> {
    match e {
        sqlx::Error::Database(d) => Some(d.kind()),
        _ => None,
    }
}

/// True when the error is a unique constraint violation on either backend.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(kind(e), Some(ErrorKind::UniqueViolation))
}

/// SQLite's primary result code for a full disk (`SQLITE_FULL`); extended codes keep it in the
/// low byte.
const SQLITE_FULL: i64 = 13;
/// PostgreSQL's SQLSTATE `disk_full`.
const PG_DISK_FULL: &str = "53100";

/// True when the error says the disk (or the database's size limit) is full, on either backend:
/// the write may succeed once space is freed, and nothing of it was kept.
pub fn is_storage_full(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            if let Some(sqlite) = d.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                return sqlite
                    .code()
                    .and_then(|c| c.parse::<i64>().ok())
                    .is_some_and(|c| c & 0xff == SQLITE_FULL);
            }
            d.code().as_deref() == Some(PG_DISK_FULL)
        }
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}

impl DbError {
    /// The driver's error inside, if that is what this is.
    pub fn as_sqlx(&self) -> Option<&sqlx::Error> {
        match self {
            DbError::Sqlx(e) | DbError::Connect(e) => Some(e),
            _ => None,
        }
    }
}
