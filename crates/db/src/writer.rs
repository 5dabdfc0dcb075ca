//! One connection writes to a SQLite file; the process's write transactions queue for it.
//!
//! SQLite lets one transaction write at a time. When every pooled connection may write, those
//! that lose the race for the lock wait in SQLite's busy handler, which sleeps and polls: under
//! 64 clients the server spent much of its time in `clock_nanosleep`, answered one request in a
//! hundred after half a second, and used a fraction of what the disk allows. Here the writes
//! queue for one connection (a pool of one: its queue is fair, first come first served, and
//! nobody sleeps on a timer), which asks SQLite for a lock that no other connection of the
//! process wants. Readers use the other pool; in WAL mode they never block the writer, nor it
//! them. The writer's page cache also stays warm: a SQLite connection drops its cache whenever
//! another connection has written to the file since its last transaction, which with eight
//! connections taking turns at writing was nearly every time.
//!
//! Writers in other processes (the command line while the server runs) still meet this one in
//! SQLite's busy handler, with its timeout.

use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Connection, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::DbError;

/// How long a write waits for its turn: as long as it waited for SQLite's lock before.
const WAIT: Duration = Duration::from_secs(30);

/// The connection that writes, and its queue. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer(SqlitePool);

impl Writer {
    pub(crate) async fn open(options: SqliteConnectOptions) -> Result<Writer, DbError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WAIT)
            // Kept open: its prepared statements and page cache are what make it fast.
            .idle_timeout(None)
            .max_lifetime(None)
            .after_release(|conn, _| Box::pin(async move { Ok(in_step(conn).await) }))
            .connect_with(options)
            .await
            .map_err(DbError::connect)?;
        Ok(Writer(pool))
    }

    /// Waits for the turn, then takes SQLite's write lock, which is free unless another
    /// process holds it.
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.0.begin_with("BEGIN IMMEDIATE").await
    }

    /// The writer's pool, for one statement on its own (see `on_writer!`).
    pub fn pool(&self) -> &SqlitePool {
        &self.0
    }

    pub(crate) async fn close(&self) {
        self.0.close().await;
    }
}

/// Whether the connection coming back from a transaction agrees with SQLite about being outside
/// one; if not, it is closed and the next write opens a fresh one.
///
/// SQLite rolls a transaction back by itself when a write fails for want of space (and on some
/// I/O errors). The driver still counts it open, its `ROLLBACK` then fails ("no transaction is
/// active"), and every later `BEGIN` on that connection was refused ("attempted to call
/// begin_with at non-zero transaction depth") until a restart, long after space was back.
async fn in_step(conn: &mut SqliteConnection) -> bool {
    if !conn.is_in_transaction() {
        return true;
    }
    // A dropped transaction's rollback is queued on the connection's thread: a ping runs after
    // it, so the count it leaves is the one to judge.
    if conn.ping().await.is_err() {
        return false;
    }
    if conn.is_in_transaction() {
        tracing::warn!("a write connection was left in a transaction the database had ended; it is replaced");
        return false;
    }
    true
}
