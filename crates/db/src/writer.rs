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
use sqlx::{Sqlite, SqlitePool, Transaction};

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
