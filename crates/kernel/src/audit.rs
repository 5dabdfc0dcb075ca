//! The audit log: every write records who, what, when, before and after, in the write's own
//! transaction. Rows are append-only and chained, one chain per community (chain 0 for
//! platform-wide records), so `yijia audit verify` finds a row that was changed or deleted by hand.
//!
//! The chain is keyed: each row carries an HMAC-SHA256, under a key derived from the vault's
//! (outside the database), of its content, its chain, its number and the previous row's MAC.
//! Without the key nobody can rewrite a row, nor delete one and re-link the rest. The chain's
//! head carries its own MAC, so deleting the last rows and copying an earlier row's number and
//! MAC into the head is found too. What the database alone cannot show (a whole chain deleted
//! with its head, or the database put back to an older copy) the anchors show: the heads
//! written now and then to a file outside the database (see [`anchor`]).
//!
//! Rows written before the chain was keyed keep their unkeyed SHA-256 (`mac_version` 0) and are
//! verified that way; a chain may go from unkeyed rows to keyed ones, never back.
//!
//! Appending takes the chain's head row with an `update … returning`, which locks it on
//! PostgreSQL until commit; on SQLite the write transaction already holds the database lock.

pub mod anchor;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::digest::Update;
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

type HmacSha256 = Hmac<Sha256>;

/// The unkeyed SHA-256 of rows written before the chain was keyed.
pub const MAC_UNKEYED: i64 = 0;
/// HMAC-SHA256 under the [`AuditKey`].
pub const MAC_KEYED: i64 = 1;

/// The key the audit chain is sealed with: derived from the vault's master key under its own
/// label (see `Vault::audit_key`), so it is never the key that seals personal data.
#[derive(Clone)]
pub struct AuditKey(HmacSha256);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    /// The key from 32 derived bytes. The keyed state is computed once here and cloned for
    /// every MAC, which keeps a MAC on the write path as cheap as a plain hash.
    pub fn new(key: &[u8; 32]) -> AuditKey {
        AuditKey(<HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("any key length works")))
    }

    /// The MAC of a row (`mac_version` 1). Its label keeps row MACs apart from head MACs.
    pub fn row_mac(&self, r: &Row) -> String {
        let mut m = self.0.clone();
        Mac::update(&mut m, b"yijia audit row v1");
        feed(&mut m, r);
        hex::encode(m.finalize().into_bytes())
    }

    /// The MAC of a chain's head: it binds the head's number to the MAC of the row it names, so
    /// a head moved back to an earlier row does not verify.
    pub fn head_mac(&self, chain_id: i64, seq: i64, hash: &str) -> String {
        let mut m = self.0.clone();
        Mac::update(&mut m, b"yijia audit head v1");
        for f in [chain_id.to_string().as_str(), seq.to_string().as_str(), hash] {
            field(&mut m, f.as_bytes());
        }
        hex::encode(m.finalize().into_bytes())
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
    /// The row's MAC (or, for `mac_version` 0, its unkeyed hash), which the next row links to.
    pub hash: String,
    /// How `hash` was computed: [`MAC_UNKEYED`] or [`MAC_KEYED`].
    pub mac_version: i64,
}

/// One field, length first, so that no two different rows feed the same bytes.
fn field(h: &mut impl Update, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// Feeds a row's content, its place in the chain and its link to the previous row.
fn feed(h: &mut impl Update, r: &Row) {
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    field(h, r.chain_id.to_string().as_bytes());
    field(h, r.seq.to_string().as_bytes());
    field(h, r.at.to_string().as_bytes());
    field(h, num(r.actor_account_id).as_bytes());
    field(h, r.actor_label.as_bytes());
    field(h, r.action.as_bytes());
    field(h, r.entity.as_bytes());
    field(h, r.entity_id.as_bytes());
    field(h, num(r.community_id).as_bytes());
    field(h, r.before_json.as_deref().unwrap_or_default().as_bytes());
    field(h, r.after_json.as_deref().unwrap_or_default().as_bytes());
    field(h, r.purpose.as_deref().unwrap_or_default().as_bytes());
    field(h, r.prev_hash.as_bytes());
}

/// The unkeyed SHA-256 of a row (`mac_version` 0), as rows were hashed before the chain was
/// keyed: kept to verify those rows. Anyone can compute it, which is why it is no longer written.
pub fn unkeyed_digest(r: &Row) -> String {
    let mut h = Sha256::new();
    feed(&mut h, r);
    hex::encode(h.finalize())
}

/// Takes the write lock of a community's chain (the platform's for `0`) until the transaction
/// ends. On PostgreSQL this row lock is what serialises the writes of one community: a command
/// that reads rows and then writes based on them (a move, a retire) takes it first and reads
/// after. On SQLite the write transaction already holds the database's only write lock.
pub async fn lock_chain(tx: &mut Tx, chain_id: i64) -> Result<()> {
    if tx.backend() == yijia_db::Backend::Sqlite {
        // Nothing to take: the statement would only cost a round trip to SQLite's thread while
        // every other writer waits (issue 22). `record` creates a missing head when it appends.
        return Ok(());
    }
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
pub async fn record(tx: &mut Tx, key: &AuditKey, at: i64, actor: &Actor, e: Entry<'_>) -> Result<()> {
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
        mac_version: MAC_KEYED,
    };
    row.hash = key.row_mac(&row);
    // Sealed along with the head in the update below: no extra statement per event.
    let head_mac = key.head_mac(chain_id, seq, &row.hash);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_event (chain_id, seq, at, actor_account_id, actor_label, action, entity, entity_id, \
             community_id, before_json, after_json, purpose, prev_hash, hash, mac_version) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
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
        .bind(row.mac_version)
        .execute(&mut *c)
        .await?;
        sqlx::query("update audit_head set hash = $2, head_mac = $3 where chain_id = $1")
            .bind(chain_id)
            .bind(&row.hash)
            .bind(&head_mac)
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

/// Walks every chain from its start: each row must follow the previous one (sequence and MAC),
/// carry its own MAC under `key` (rows from before the chain was keyed: their unkeyed hash, and
/// only before the first keyed row), the last row must match the chain's head as it was when
/// the walk began, the head's own MAC must match, and no row may stand outside the chain. Safe
/// to run while the server writes.
///
/// What the database cannot show by itself, a chain deleted whole with its head or a database
/// put back to an older copy of itself, [`anchor::check`] finds against the anchor file.
pub async fn verify(db: &Db, key: &AuditKey) -> Result<std::result::Result<Verified, Broken>> {
    let heads: Vec<(i64, i64, String, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as("select chain_id, seq, hash, head_mac from audit_head order by chain_id")
            .fetch_all(p)
            .await?
    });
    let mut done = Verified::default();
    for (chain_id, head_seq, head_hash, head_mac) in heads {
        let mut expect_seq = 1;
        let mut prev = GENESIS.to_owned();
        let mut keyed = false;
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
                let expected = match r.mac_version {
                    // An unkeyed row after a keyed one is a keyed row rewritten by someone
                    // without the key.
                    MAC_UNKEYED if keyed => return Ok(Err(broken("an unkeyed row after keyed ones"))),
                    MAC_UNKEYED => unkeyed_digest(&r),
                    MAC_KEYED => {
                        keyed = true;
                        key.row_mac(&r)
                    }
                    _ => return Ok(Err(broken("an unknown MAC version"))),
                };
                if expected != r.hash {
                    return Ok(Err(broken("its content does not match its MAC")));
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
        // The head names the last row; its own MAC shows it was not moved back to an earlier
        // row. Heads last written before the chain was keyed have none, and may lack it only
        // while the chain is unkeyed (an empty chain's head, made by `lock_chain`, is unkeyed).
        let head_ok = match &head_mac {
            Some(m) => *m == key.head_mac(chain_id, head_seq, &head_hash),
            None => !keyed,
        };
        if !head_ok {
            return Ok(Err(Broken {
                chain_id,
                seq: head_seq,
                audit_event_id: None,
                reason: "the chain's head does not match its MAC: rows at the end of the chain are missing, or the head was edited",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        Row {
            audit_event_id: 1,
            chain_id: 3,
            seq: 7,
            at: 1_795_744_800_000,
            actor_account_id: Some(2),
            actor_label: "xlg.admin".into(),
            action: "grid.create".into(),
            entity: "grid".into(),
            entity_id: "9".into(),
            community_id: Some(3),
            before_json: None,
            after_json: Some("{\"name\":\"第七网格\"}".into()),
            purpose: None,
            prev_hash: GENESIS.into(),
            hash: String::new(),
            mac_version: MAC_KEYED,
        }
    }

    #[test]
    fn a_row_mac_needs_the_key_and_covers_the_content() {
        let key = AuditKey::new(&[7; 32]);
        let mac = key.row_mac(&row());
        assert_eq!(mac, key.row_mac(&row()));
        assert_ne!(mac, AuditKey::new(&[8; 32]).row_mac(&row()));
        assert_ne!(mac, unkeyed_digest(&row()), "the unkeyed hash is not a MAC");
        let mut moved = row();
        moved.seq = 8;
        assert_ne!(mac, key.row_mac(&moved));
    }

    #[test]
    fn a_head_mac_binds_its_number_and_is_never_a_row_mac() {
        let key = AuditKey::new(&[7; 32]);
        let mac = key.row_mac(&row());
        let head = key.head_mac(3, 7, &mac);
        assert_ne!(head, key.head_mac(3, 6, &mac));
        assert_ne!(head, key.head_mac(4, 7, &mac));
        assert_ne!(head, mac);
        assert_eq!(format!("{key:?}"), "AuditKey(..)", "the key never prints");
    }
}
