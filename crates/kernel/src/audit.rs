//! The audit log: every write records who, what, when, before and after, in the write's own
//! transaction. Rows are append-only and hash-chained, one chain per community (chain 0 for
//! platform-wide records), so `yijia audit verify` finds a row that was changed or deleted by hand.
//!
//! Appending takes the chain's head row with an `update … returning`, which locks it on
//! PostgreSQL until commit; on SQLite the write transaction already holds the database lock.

use serde_json::Value;
use sha2::{Digest, Sha256};
use yijia_db::{on_db, on_tx, Db, Tx};

use crate::actor::Actor;
use crate::Result;

/// The hash before the first row of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audited change.
pub struct Entry<'a> {
    /// What was done, e.g. `grid.create`.
    pub action: &'a str,
    /// The kind of record, e.g. `grid`.
    pub entity: &'a str,
    pub entity_id: String,
    pub community_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// For reveals of sensitive data: the purpose the person stated.
    pub purpose: Option<&'a str>,
}

impl<'a> Entry<'a> {
    /// An entry for a change to one record.
    pub fn new(action: &'a str, entity: &'a str, entity_id: impl ToString) -> Entry<'a> {
        Entry {
            action,
            entity,
            entity_id: entity_id.to_string(),
            community_id: None,
            before: None,
            after: None,
            purpose: None,
        }
    }

    /// The community whose chain records it (`None`: the platform's chain).
    pub fn community(mut self, id: Option<i64>) -> Entry<'a> {
        self.community_id = id;
        self
    }

    /// The record as it was.
    pub fn before<T: serde::Serialize>(mut self, v: Option<&T>) -> Entry<'a> {
        self.before = v.and_then(|v| serde_json::to_value(v).ok());
        self
    }

    /// The record as it is now.
    pub fn after<T: serde::Serialize>(mut self, v: Option<&T>) -> Entry<'a> {
        self.after = v.and_then(|v| serde_json::to_value(v).ok());
        self
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub audit_event_id: i64,
    pub chain_id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor_account_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub community_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub purpose: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

fn digest(r: &Row) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        r.chain_id.to_string(),
        r.seq.to_string(),
        r.at.to_string(),
        r.actor_account_id.map(|a| a.to_string()).unwrap_or_default(),
        r.actor_label.clone(),
        r.action.clone(),
        r.entity.clone(),
        r.entity_id.clone(),
        r.community_id.map(|c| c.to_string()).unwrap_or_default(),
        opt(&r.before_json),
        opt(&r.after_json),
        opt(&r.purpose),
        r.prev_hash.clone(),
    ];
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Takes the write lock of a community's chain (the platform's for `0`) until the transaction
/// ends. On PostgreSQL this row lock is what serialises the writes of one community: a command
/// that reads rows and then writes based on them (a move, a retire) takes it first and reads
/// after. On SQLite the write transaction already holds the database's only write lock.
pub async fn lock_chain(tx: &mut Tx, chain_id: i64) -> Result<()> {
    // One statement that creates the head or, by writing it, takes its row lock.
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_head (chain_id, seq, hash) values ($1, 0, $2) \
             on conflict (chain_id) do update set seq = audit_head.seq",
        )
        .bind(chain_id)
        .bind(GENESIS)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Appends one entry to the chain of its community, inside the caller's transaction.
pub async fn record(tx: &mut Tx, at: i64, actor: &Actor, e: Entry<'_>) -> Result<()> {
    let chain_id = e.community_id.unwrap_or(0);
    // The next number and the hash to link to, taking the head's lock (a new chain starts at 1
    // after the genesis hash).
    let (seq, prev_hash): (i64, String) = on_tx!(tx, |c| {
        sqlx::query_as(
            "insert into audit_head (chain_id, seq, hash) values ($1, 1, $2) \
             on conflict (chain_id) do update set seq = audit_head.seq + 1 returning seq, hash",
        )
        .bind(chain_id)
        .bind(GENESIS)
        .fetch_one(&mut *c)
        .await?
    });
    let mut row = Row {
        audit_event_id: 0,
        chain_id,
        seq,
        at,
        actor_account_id: actor.account_id,
        actor_label: actor.audit_label(),
        action: e.action.to_owned(),
        entity: e.entity.to_owned(),
        entity_id: e.entity_id,
        community_id: e.community_id,
        before_json: e.before.map(|v| v.to_string()),
        after_json: e.after.map(|v| v.to_string()),
        purpose: e.purpose.map(str::to_owned),
        prev_hash,
        hash: String::new(),
    };
    row.hash = digest(&row);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_event (chain_id, seq, at, actor_account_id, actor_label, action, entity, entity_id, \
             community_id, before_json, after_json, purpose, prev_hash, hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(row.chain_id)
        .bind(row.seq)
        .bind(row.at)
        .bind(row.actor_account_id)
        .bind(&row.actor_label)
        .bind(&row.action)
        .bind(&row.entity)
        .bind(&row.entity_id)
        .bind(row.community_id)
        .bind(&row.before_json)
        .bind(&row.after_json)
        .bind(&row.purpose)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .execute(&mut *c)
        .await?;
        sqlx::query("update audit_head set hash = $2 where chain_id = $1")
            .bind(chain_id)
            .bind(&row.hash)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// The first row where a chain breaks.
#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    pub chain_id: i64,
    /// The sequence number where the break was found.
    pub seq: i64,
    pub audit_event_id: Option<i64>,
    pub reason: &'static str,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.audit_event_id {
            Some(id) => write!(
                f,
                "audit chain {} broken at seq {} (audit_event_id {id}): {}",
                self.chain_id, self.seq, self.reason
            ),
            None => write!(
                f,
                "audit chain {} broken at seq {}: {}",
                self.chain_id, self.seq, self.reason
            ),
        }
    }
}

/// How many rows were checked.
#[derive(Debug, Default)]
pub struct Verified {
    pub chains: u64,
    pub rows: u64,
}

const VERIFY_BATCH: i64 = 5000;

/// Walks every chain from its start: each row must follow the previous one (sequence and hash),
/// hash to its own stored hash, the last row must match the chain's head as it was when the
/// walk began, and no row may stand outside the chain. Safe to run while the server writes.
///
/// The hashes are not keyed: this finds rows changed or deleted by hand, not a forger who
/// rewrites every later row and the head too (that needs a key outside the database).
pub async fn verify(db: &Db) -> Result<std::result::Result<Verified, Broken>> {
    let heads: Vec<(i64, i64, String)> = on_db!(db, |p| {
        sqlx::query_as("select chain_id, seq, hash from audit_head order by chain_id")
            .fetch_all(p)
            .await?
    });
    let orphan: Option<(i64, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "select chain_id, seq, audit_event_id from audit_event e \
             where not exists (select 1 from audit_head h where h.chain_id = e.chain_id) order by chain_id, seq limit 1",
        )
        .fetch_optional(p)
        .await?
    });
    if let Some((chain_id, seq, id)) = orphan {
        return Ok(Err(Broken {
            chain_id,
            seq,
            audit_event_id: Some(id),
            reason: "row of a chain without a head",
        }));
    }
    let mut done = Verified::default();
    for (chain_id, head_seq, head_hash) in heads {
        let mut expect_seq = 1;
        let mut prev = GENESIS.to_owned();
        loop {
            let rows: Vec<Row> = on_db!(db, |p| {
                sqlx::query_as(
                    "select * from audit_event where chain_id = $1 and seq >= $2 and seq <= $3 order by seq limit $4",
                )
                .bind(chain_id)
                .bind(expect_seq)
                .bind(head_seq)
                .bind(VERIFY_BATCH)
                .fetch_all(p)
                .await?
            });
            let n = rows.len();
            for r in rows {
                let broken = |reason| Broken {
                    chain_id,
                    seq: expect_seq,
                    audit_event_id: Some(r.audit_event_id),
                    reason,
                };
                if r.seq != expect_seq {
                    return Ok(Err(Broken {
                        reason: "a row is missing before this one",
                        ..broken("")
                    }));
                }
                if r.prev_hash != prev {
                    return Ok(Err(broken("does not follow the previous row")));
                }
                if digest(&r) != r.hash {
                    return Ok(Err(broken("its content does not match its hash")));
                }
                prev = r.hash;
                expect_seq += 1;
                done.rows += 1;
            }
            if i64::try_from(n).unwrap_or(0) < VERIFY_BATCH {
                break;
            }
        }
        if expect_seq - 1 != head_seq || prev != head_hash {
            return Ok(Err(Broken {
                chain_id,
                seq: expect_seq,
                audit_event_id: None,
                reason: "rows at the end of the chain are missing",
            }));
        }
        // Rows outside the walked range: before the start, or beyond the head. The head is read
        // again, since writers may have appended (and moved it) while the chain was walked.
        let stray: Option<(i64, i64)> = on_db!(db, |p| {
            sqlx::query_as(
                "select e.seq, e.audit_event_id from audit_event e join audit_head h on h.chain_id = e.chain_id \
                 where e.chain_id = $1 and (e.seq < 1 or e.seq > h.seq) order by e.seq limit 1",
            )
            .bind(chain_id)
            .fetch_optional(p)
            .await?
        });
        if let Some((seq, id)) = stray {
            return Ok(Err(Broken {
                chain_id,
                seq,
                audit_event_id: Some(id),
                reason: "a row outside the chain",
            }));
        }
        done.chains += 1;
    }
    Ok(Ok(done))
}
