//! Whether the database takes writes, for `/readyz`.
//!
//! A full disk does not stop the database from answering a read, so a ping says ready while
//! every write fails. On SQLite the disk it writes to is this machine's, and readiness asks it
//! how much room is left: a small write of its own would prove nothing, since it lands in the
//! space a larger write that failed left behind in the write-ahead log. On PostgreSQL, whose
//! disk is not this machine's to ask, once a write has failed for want of space readiness is
//! decided by a write of its own that needs fresh room (and is rolled back), until one succeeds.
//! Either way a load balancer sends people to an instance that can keep what they
//! submit, and back to this one as soon as space is freed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::{is_storage_full, on_tx, Db, DbError};

/// Set when a write failed because the disk is full; cleared when readiness finds room again.
static FULL: AtomicBool = AtomicBool::new(false);

/// Below this much free space the SQLite file's disk counts as full: an appeal with its steps,
/// audit rows and notifications needs a few pages, a checkpoint of the write-ahead log more.
const MIN_FREE: u64 = 4 * 1024 * 1024;

/// The space left to unprivileged writers on the disk of a database file; `None` when it cannot
/// be told (a database in memory, another operating system).
fn free_bytes(db_file: &std::path::Path) -> Option<u64> {
    let dir = db_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    #[cfg(unix)]
    {
        let fs = rustix::fs::statvfs(dir).ok()?;
        Some(fs.f_bavail.saturating_mul(fs.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// How long the probe waits for its turn at the writer: a long import holds it, and a busy
/// instance is still a ready one.
const PROBE_WAIT: Duration = Duration::from_secs(5);

/// What `/readyz` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// The database does not answer.
    Unreachable,
    /// The database answers but cannot keep a write: the disk is full.
    Full,
}

/// Notes what a failed write says of the disk (called wherever a write's error surfaces).
pub fn note_write_error(e: &sqlx::Error) {
    if is_storage_full(e) {
        note_storage_full();
    }
}

/// Notes that a write failed because the disk is full (for an error already told apart).
pub fn note_storage_full() {
    FULL.store(true, Ordering::Release);
}

/// Notes that there is room again.
fn note_write_landed() {
    // A load first: most commits find it clear and leave the cache line alone.
    if FULL.load(Ordering::Relaxed) {
        FULL.store(false, Ordering::Release);
    }
}

/// Whether a write failed for want of space and readiness has not found room since.
pub fn storage_full() -> bool {
    FULL.load(Ordering::Acquire)
}

impl Db {
    /// Whether the database answers and whether it has room to write.
    pub async fn readiness(&self) -> Readiness {
        if !self.ping().await {
            return Readiness::Unreachable;
        }
        if let Db::Sqlite(pool, _) = self {
            let free = free_bytes(pool.connect_options().get_filename());
            return if free.is_some_and(|f| f < MIN_FREE) {
                note_storage_full();
                Readiness::Full
            } else {
                note_write_landed();
                Readiness::Ready
            };
        }
        if !storage_full() {
            return Readiness::Ready;
        }
        match tokio::time::timeout(PROBE_WAIT, self.room_probe()).await {
            Ok(Ok(())) => {
                note_write_landed();
                Readiness::Ready
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the database still cannot write");
                if storage_full() {
                    Readiness::Full
                } else {
                    Readiness::Unreachable
                }
            }
            // Waiting behind other writes is not a full disk: they will tell.
            Err(_) => Readiness::Ready,
        }
    }

    /// A write that needs room on the disk, then rolled back: a megabyte that does not compress,
    /// which the database must find fresh space for (a small row would fit in the room a failed
    /// larger write left, and say ready while appeals still fail).
    async fn room_probe(&self) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        let done = on_tx!(tx, |c| sqlx::query(
            "insert into instance_meta (meta_key, meta_value) \
             select 'room_probe', string_agg(md5(random()::text), '') from generate_series(1, 32768) \
             on conflict (meta_key) do update set meta_value = excluded.meta_value"
        )
        .execute(c)
        .await
        .map(|_| ()));
        if let Err(e) = &done {
            note_write_error(e);
        }
        // Dropped without a commit: rolled back, nothing kept.
        drop(tx);
        Ok(done?)
    }
}
