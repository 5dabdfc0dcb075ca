//! The database handle.
//!
//! Yijia runs on SQLite (embedded, the default) or PostgreSQL (for scale) from one code path:
//! every query is written once in the portable subset of SQL (`$1..$N` placeholders, `returning`,
//! `on conflict`) and compiled for both backends by the [`on_conn!`], [`on_db!`] and [`on_tx!`] macros, which
//! expand the same expression once per driver. sqlx's `Any` driver is deliberately not used: it
//! loses booleans and integer widths.

mod backup;
mod connect;
mod error;
mod health;
pub mod rows;
mod startup;
mod writer;

pub use backup::{dump_tables, restore_tables, Dump, TableDump};
pub use connect::{redact_url, Backend, DbUrl};
pub use error::{is_storage_full, is_unique_violation, DbError};
pub use health::{note_storage_full, note_write_error, storage_full, Readiness};
pub use rows::{insert_rows, Bind};
pub use startup::StartupLock;
pub use writer::Writer;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Migrations for each backend, embedded in the binary. The two folders hold the same file names.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// A pool on one of the two supported backends. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    /// The pool that reads, and the one connection that writes (see `writer.rs`).
    Sqlite(SqlitePool, Writer),
    Postgres(PgPool),
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    /// The connection, for [`on_tx!`] and [`on_conn!`].
    pub conn: TxConn,
    /// The [`Topic`]s it changes, a bit each.
    topics: u8,
}

/// The connection of a write transaction, on one of the two backends.
pub enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Where a read runs: on the pool, or inside an open transaction (to see its own writes and
/// what its locks hold still). A query taking a `Conn` is written once for both, through
/// [`on_conn!`]; callers pass `&db` or `&mut tx` (`&mut *tx` when they hold a `&mut Tx`).
pub enum Conn<'a> {
    Pool(&'a Db),
    Tx(&'a mut Tx),
}

impl Conn<'_> {
    /// The same connection for one more query, so that a function taking a `Conn` can run
    /// several.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Pool(db) => Conn::Pool(db),
            Conn::Tx(tx) => Conn::Tx(tx),
        }
    }

    /// Whether what this connection reads of `topic` may differ from what is committed: it is a
    /// transaction that changes the topic. What such a connection reads must not be remembered.
    pub fn touched(&self, topic: Topic) -> bool {
        match self {
            Conn::Pool(_) => false,
            Conn::Tx(tx) => tx.topics & (1 << topic as u8) != 0,
        }
    }
}

impl<'a> From<&'a Db> for Conn<'a> {
    fn from(db: &'a Db) -> Self {
        Conn::Pool(db)
    }
}

impl<'a> From<&'a mut Tx> for Conn<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Conn::Tx(tx)
    }
}

/// Writes committed by this process (transactions, and the few writes made outside one that a
/// reader could notice). A cache of what was read keeps the count it was filled at and is void
/// once the count moves, so whoever writes through this process reads their write next.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// What a committed write changed, for the readers that remember something of it for a moment
/// (`kernel::recent`): a memory of one topic is void once that topic is written to, and stays
/// good through the writes of everything else (appeals, steps, ballots: nearly all of them,
/// which voided every such memory while they came in). A transaction says what it changes with
/// [`Tx::touches`], next to the statement that changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Accounts, their roles, sessions and tokens: whom a secret stands for and what they may do.
    Access = 0,
    /// The communities themselves: name, time zone, place in the tree.
    Places = 1,
    /// Communities' settings and working-day calendars.
    Settings = 2,
}

const TOPICS: usize = 3;
static TOPIC_WRITES: [AtomicU64; TOPICS] = [const { AtomicU64::new(0) }; TOPICS];

/// The number of writes this process has committed so far.
pub fn writes() -> u64 {
    WRITES.load(Ordering::Acquire)
}

/// The number of committed writes so far that changed `topic`.
pub fn writes_to(topic: Topic) -> u64 {
    TOPIC_WRITES[topic as usize].load(Ordering::Acquire)
}

/// Counts a write made outside [`Tx`] (a transaction counts itself when it commits). What it
/// changed is not known, so it counts for every topic.
pub fn wrote() {
    for t in &TOPIC_WRITES {
        t.fetch_add(1, Ordering::AcqRel);
    }
    WRITES.fetch_add(1, Ordering::AcqRel);
}

/// Runs `$body` with `$c` bound to the backend's pool; the body is compiled once per backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite($c, _) => $body,
            $crate::Db::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the executor that writes: on SQLite the writer's connection
/// (see `writer.rs`), on PostgreSQL the pool. For a write of one statement that needs no
/// transaction (a session's last use): one round trip instead of three, in the writers' queue.
#[macro_export]
macro_rules! on_writer {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite(_, w) => {
                let $c = w.pool();
                $body
            }
            $crate::Db::Postgres($c) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to an executor of a [`Conn`]: the backend's pool or the
/// transaction's connection. The body is compiled four times and may use `$c` once.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::Conn<'_>>::into($conn) {
            $crate::Conn::Pool($crate::Db::Sqlite($c, _)) => $body,
            $crate::Conn::Pool($crate::Db::Postgres($c)) => $body,
            $crate::Conn::Tx(tx) => $crate::on_tx!(tx, |$c| $body),
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut Connection`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut ($tx).conn {
            $crate::TxConn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::TxConn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

impl Db {
    /// Opens a pool for the URL. SQLite gets WAL, foreign keys and a busy timeout on every
    /// connection; the file is created if missing, inside an existing folder only.
    pub async fn connect(url: &DbUrl) -> Result<Db, DbError> {
        match url.backend() {
            Backend::Sqlite => Db::connect_sqlite(url.sqlite_options()?).await,
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url.as_str())
                    .await
                    .map_err(DbError::connect)?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// Opens a SQLite pool from ready-made options: the one place where SQLite's settings live.
    pub async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Db, DbError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 16 MiB of page cache a connection (SQLite's default is 2 MiB): bulk writes into a
            // registry of a million residents touch index pages all over the file.
            .pragma("cache_size", "-16384")
            // The write-ahead log is cut back to 64 MiB after each checkpoint that empties it:
            // without a limit it keeps the size of its largest burst (a big import) for ever.
            .pragma("journal_size_limit", "67108864");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(DbError::connect)?;
        Ok(Db::Sqlite(pool, Writer::open(options).await?))
    }

    /// Applies the embedded migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(p, _) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Applies the embedded migrations up to `version` (a backup's schema, to restore it into
    /// before the later migrations run); those applied already stay.
    pub async fn migrate_to(&self, version: i64) -> Result<(), DbError> {
        let upto = |all: &sqlx::migrate::Migrator| {
            let mut m = sqlx::migrate::Migrator {
                migrations: std::borrow::Cow::Owned(all.iter().filter(|m| m.version <= version).cloned().collect()),
                ..sqlx::migrate::Migrator::DEFAULT
            };
            m.set_locking(all.locking);
            m
        };
        match self {
            Db::Sqlite(p, _) => upto(&SQLITE_MIGRATIONS).run(p).await?,
            Db::Postgres(p) => upto(&POSTGRES_MIGRATIONS).run(p).await?,
        }
        Ok(())
    }

    /// The version of the last migration applied; `None` before the first.
    pub async fn schema_version(&self) -> Result<Option<i64>, DbError> {
        let v: Option<i64> = on_db!(self, |p| sqlx::query_scalar(
            "select max(version) from _sqlx_migrations where success"
        )
        .fetch_one(p)
        .await?);
        Ok(v)
    }

    /// Begins a write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write
    /// lock up front: a deferred transaction that reads and then writes fails with "database is
    /// locked" when another writer got in between, whereas an immediate one waits its turn.
    ///
    /// The `BEGIN` runs in a task of its own, so that a caller dropped halfway (a client that
    /// hangs up while its request waits for the lock) cannot return a connection to the pool
    /// inside a transaction that nobody holds: sqlx's SQLite driver leaves one behind when
    /// cancelled between its `BEGIN` and the check that follows it, and every later write on
    /// that connection then fails. The task always ends with a `Tx`, which rolls back on drop.
    pub async fn begin_write(&self) -> Result<Tx, DbError> {
        let db = self.clone();
        let begun = tokio::spawn(async move {
            let conn = match db {
                Db::Sqlite(_, writer) => TxConn::Sqlite(writer.begin().await?),
                #[expect(clippy::disallowed_methods, reason = "PostgreSQL's plain BEGIN is what we want")]
                Db::Postgres(p) => TxConn::Postgres(p.begin().await?),
            };
            Ok::<_, sqlx::Error>(Tx { conn, topics: 0 })
        });
        match begun.await {
            Ok(Ok(tx)) => Ok(tx),
            Ok(Err(e)) => {
                health::note_write_error(&e);
                Err(e.into())
            }
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only when the runtime is shutting down.
            Err(_) => Err(sqlx::Error::PoolClosed.into()),
        }
    }

    /// Which backend this is, for the rare query whose best form differs between the planners.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Refreshes the planner's statistics after a bulk write (a seed, a large import): without
    /// them PostgreSQL plans a million-row table as if it were empty, and staff pages take
    /// seconds. `tables` empty means every table. SQLite gets `pragma optimize`, which analyzes
    /// only what changed enough to matter.
    pub async fn analyze(&self, tables: &[&str]) -> Result<(), DbError> {
        match self {
            Db::Sqlite(p, _) => sqlx::query("pragma optimize").execute(p).await.map(|_| ())?,
            Db::Postgres(p) => {
                // Table names are ours (compile-time constants), never user input.
                sqlx::query(&format!("analyze {}", tables.join(", ")))
                    .execute(p)
                    .await
                    .map(|_| ())?
            }
        }
        Ok(())
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> bool {
        on_db!(self, |p| sqlx::query("select 1").execute(p).await.is_ok())
    }

    /// Closes the pool, waiting for the connections in use to come back.
    pub async fn close(&self) {
        if let Db::Sqlite(_, writer) = self {
            writer.close().await;
        }
        on_db!(self, |p| p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        let done = match self.conn {
            TxConn::Sqlite(t) => t.commit().await,
            TxConn::Postgres(t) => t.commit().await,
        };
        // Counted even when the commit reports an error: it may have landed all the same. After
        // the commit, not before: a reader that remembered the old rows meanwhile is voided.
        for (i, t) in TOPIC_WRITES.iter().enumerate() {
            if self.topics & (1 << i) != 0 {
                t.fetch_add(1, Ordering::AcqRel);
            }
        }
        WRITES.fetch_add(1, Ordering::AcqRel);
        match done {
            Ok(()) => Ok(()),
            Err(e) => {
                health::note_write_error(&e);
                Err(e.into())
            }
        }
    }

    /// Says that this transaction changes `topic`: once it commits, what readers remember of
    /// the topic is void (see [`Topic`]).
    pub fn touches(&mut self, topic: Topic) {
        self.topics |= 1 << topic as u8;
    }

    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The version of the last migration this release carries.
pub fn latest_schema() -> i64 {
    SQLITE_MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The tables of the schema in an order where each table comes after those it references:
/// backup writes them in this order and restore reads them back in it.
pub const TABLES: &[&str] = &[
    "instance_meta",
    "district",
    "subdistrict",
    "community",
    "grid",
    "building",
    "unit",
    "household",
    "account",
    "account_role",
    "account_session",
    "account_token",
    "account_throttle",
    "audit_head",
    "audit_event",
    "stored_file",
    "community_setting",
    "registry_resident",
    "registry_care_tag",
    "registry_holding",
    "registry_event",
    "registry_visit",
    "registry_request",
    "registry_import",
    "registry_import_row",
    "community_day",
    "appeal_party",
    "appeal_party_member",
    "appeal_category",
    "appeal_route",
    "appeal",
    "appeal_cohandler",
    "appeal_step",
    "appeal_photo",
    "notification",
    "outbox",
    "vol_team",
    "vol_team_grid",
    "volunteer",
    "vol_member",
    "vol_activity",
    "vol_activity_grid",
    "vol_shift",
    "vol_signup",
    "vol_ledger_account",
    "vol_txn",
    "vol_entry",
    "vol_certificate",
    "council_topic",
    "council_topic_file",
    "council_cosign",
    "council_comment",
    "council_comment_report",
    "council_meeting",
    "council_meeting_topic",
    "council_attendance",
    "council_vote",
    "council_vote_unit",
    "council_elector",
    "council_ballot",
    "council_hands",
    "council_resolution",
    "council_task",
    "council_task_update",
    "care_wish",
    "care_wish_file",
    "care_wish_claim",
    "care_wish_step",
    "care_pairing",
    "care_visit",
    "care_alert",
];
