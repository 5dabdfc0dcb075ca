//! One writer at a time per SQLite file, queued in the process (issue 22).
//!
//! SQLite lets one transaction write at a time. When pooled connections all `BEGIN IMMEDIATE`
//! at once, the losers wait in SQLite's busy handler, which sleeps and polls: under 64 clients
//! the server spent most of its time in `clock_nanosleep` and created appeals at a fraction of
//! what the disk allows. Here writers first queue on an async lock (fair, first come first
//! served, no sleeping), and only the one at its head asks SQLite for the write lock, which is
//! then free. Readers do not queue, and in WAL mode they never block the writer. Waiting
//! writers hold no pooled connection, so they cannot starve the transaction they wait for.
//!
//! The queue is per database file, so that two pools on one file (two application states in
//! one process, as tests make them) queue together. Writers in other processes still meet in
//! SQLite's busy handler, with its timeout.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::OwnedMutexGuard;

use crate::DbError;

/// A writer's turn: SQLite's write lock is its until this is dropped.
pub type Turn = OwnedMutexGuard<()>;

/// As long as SQLite's own busy timeout: a writer waits no longer here than it did there.
const WAIT: Duration = Duration::from_secs(10);

static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> = LazyLock::new(Mutex::default);

/// Waits for the turn to write to the pool's file.
pub(crate) async fn turn(pool: &SqlitePool) -> Result<Turn, DbError> {
    let queue = {
        let file = pool.connect_options().get_filename().to_path_buf();
        let mut queues = QUEUES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        queues.entry(file).or_default().clone()
    };
    tokio::time::timeout(WAIT, queue.lock_owned())
        .await
        .map_err(|_| DbError::WriterBusy(WAIT))
}
