//! A short memory of what was just read, for what every signed-in request repeats: who the
//! session or token is, the home page's numbers, a community and its settings. The database
//! stays the truth and the app servers stay stateless: an entry lives `FRESH_MS` at most, and
//! none outlives a write committed by this process to what it remembers: any write
//! (`yijia_db::writes`), or for an entry of one topic, a write to that topic
//! (`yijia_db::writes_to`). A user reads their own writes at once, and another instance's writes
//! (a logout, a revoked role) take effect here within `FRESH_MS`.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use yijia_db::Topic;

/// How long an entry may be served.
pub const FRESH_MS: i64 = 2_000;
/// Beyond this many entries the stale ones are dropped, and all of them if none is stale.
const MAX_ENTRIES: usize = 20_000;

struct Entry {
    at: i64,
    /// What voids it: any write (`None`), or a write to this topic.
    topic: Option<Topic>,
    writes: u64,
    value: Arc<dyn Any + Send + Sync>,
}

/// The count of the writes that void an entry of `topic`.
fn count(topic: Option<Topic>) -> u64 {
    topic.map_or_else(yijia_db::writes, yijia_db::writes_to)
}

/// Loads of one key wait for each other (keys share these gates by hash): when an entry goes
/// stale under load, one request reads the database again and the others take its answer,
/// instead of all of them reading at once.
const GATES: usize = 64;

pub struct Recent {
    map: Mutex<HashMap<String, Entry>>,
    gates: Vec<tokio::sync::Mutex<()>>,
}

impl Default for Recent {
    fn default() -> Self {
        Recent {
            map: Mutex::default(),
            gates: (0..GATES).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }
}

impl std::fmt::Debug for Recent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recent")
    }
}

impl Recent {
    /// The value remembered under `key`, if it is still fresh at `now` and of type `T`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str, now: i64) -> Option<Arc<T>> {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let e = map.get(key)?;
        if !fresh(e, now) {
            return None;
        }
        e.value.clone().downcast::<T>().ok()
    }

    /// Remembers `value`, read at `now` when the count of the writes that void it was
    /// `writes` (taken before the read, so a write committed during it voids the entry).
    pub fn put<T: Any + Send + Sync>(&self, key: String, value: Arc<T>, now: i64, topic: Option<Topic>, writes: u64) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, e| fresh(e, now));
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(
            key,
            Entry {
                at: now,
                topic,
                writes,
                value,
            },
        );
    }

    /// The value remembered under `key`, or `load`'s, which is remembered when it is `Some`
    /// (a miss such as an unknown secret is not, so guessing fills no memory) until any write.
    pub async fn remember<T, F>(&self, key: String, now: i64, load: F) -> crate::Result<Option<Arc<T>>>
    where
        T: Any + Send + Sync,
        F: std::future::Future<Output = crate::Result<Option<T>>>,
    {
        self.remember_of(None, key, now, load).await
    }

    /// As [`Recent::remember`], for a value that only writes to `topic` can change.
    pub async fn remember_topic<T, F>(
        &self,
        topic: Topic,
        key: String,
        now: i64,
        load: F,
    ) -> crate::Result<Option<Arc<T>>>
    where
        T: Any + Send + Sync,
        F: std::future::Future<Output = crate::Result<Option<T>>>,
    {
        self.remember_of(Some(topic), key, now, load).await
    }

    /// As [`Recent::remember_topic`], for a read through a connection that may be a write
    /// transaction changing `topic` (`touched`, from `Conn::touched`): what it reads may be its
    /// own uncommitted change, so it is neither served from memory nor kept. A miss reads
    /// through the caller's connection: inside a transaction its own, never a second one from
    /// the pool (64 writers holding PostgreSQL's 16 and each waiting for another deadlock).
    pub async fn remember_read<T, F>(
        &self,
        topic: Topic,
        touched: bool,
        key: String,
        now: i64,
        load: F,
    ) -> crate::Result<Option<Arc<T>>>
    where
        T: Any + Send + Sync,
        F: std::future::Future<Output = crate::Result<Option<T>>>,
    {
        if touched {
            return Ok(load.await?.map(Arc::new));
        }
        self.remember_of(Some(topic), key, now, load).await
    }

    async fn remember_of<T, F>(
        &self,
        topic: Option<Topic>,
        key: String,
        now: i64,
        load: F,
    ) -> crate::Result<Option<Arc<T>>>
    where
        T: Any + Send + Sync,
        F: std::future::Future<Output = crate::Result<Option<T>>>,
    {
        if let Some(v) = self.get::<T>(&key, now) {
            return Ok(Some(v));
        }
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&key, &mut h);
        let gate = &self.gates[(std::hash::Hasher::finish(&h) % GATES as u64) as usize];
        let _turn = gate.lock().await;
        if let Some(v) = self.get::<T>(&key, now) {
            return Ok(Some(v));
        }
        let writes = count(topic);
        let Some(v) = load.await?.map(Arc::new) else {
            return Ok(None);
        };
        self.put(key, v.clone(), now, topic, writes);
        Ok(Some(v))
    }
}

fn fresh(e: &Entry, now: i64) -> bool {
    e.writes == count(e.topic) && (e.at..e.at + FRESH_MS).contains(&now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_until_it_is_old_or_anything_is_written() {
        let r = Recent::default();
        let w = yijia_db::writes();
        r.put("k".to_owned(), Arc::new(7_i64), 1_000, None, w);
        assert_eq!(r.get::<i64>("k", 1_000 + FRESH_MS - 1).as_deref(), Some(&7));
        assert!(r.get::<i64>("k", 1_000 + FRESH_MS).is_none(), "too old");
        assert!(r.get::<i64>("k", 999).is_none(), "a clock set back");
        assert!(r.get::<String>("k", 1_000).is_none(), "another type");
        yijia_db::wrote();
        assert!(r.get::<i64>("k", 1_000).is_none(), "a write since");
        // Filled while a write committed: void from the start.
        r.put("k".to_owned(), Arc::new(8_i64), 1_000, None, w);
        assert!(r.get::<i64>("k", 1_000).is_none());
    }

    #[tokio::test]
    async fn requests_that_miss_together_read_the_database_once_and_a_miss_is_not_kept() {
        let r = Arc::new(Recent::default());
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let asks = (0..16).map(|_| {
            let (r, loads) = (r.clone(), loads.clone());
            tokio::spawn(async move {
                r.remember("k".to_owned(), 5_000, async {
                    loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(Some(42_i64))
                })
                .await
                .unwrap()
            })
        });
        for ask in asks.collect::<Vec<_>>() {
            assert_eq!(ask.await.unwrap().as_deref(), Some(&42));
        }
        // A write elsewhere in this test process may void the entry once more.
        assert!(loads.load(std::sync::atomic::Ordering::SeqCst) <= 2);
        let none = r
            .remember::<i64, _>("gone".to_owned(), 5_000, async { Ok(None) })
            .await
            .unwrap();
        assert!(none.is_none() && r.get::<i64>("gone", 5_000).is_none());
    }
}
