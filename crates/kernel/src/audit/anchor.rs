//! Anchors: each chain's head (community, number, MAC) appended now and then to a file outside
//! the database, `DATA_DIR/audit-anchors.jsonl`, one JSON line per chain and moment, and to the
//! log. The MACs inside the database show a row rewritten or removed from the middle of a chain;
//! only something kept outside it shows a chain cut short and re-sealed by someone holding the
//! key, a chain deleted whole with its head, or a database put back to an older copy of itself.
//! The file is only as good as its copies: an operator ships it off the machine (with the logs
//! or the backups), so that whoever controls the server cannot rewrite it as well.
//!
//! Anchors are written by the server once a day and by every `yijia backup`, never on a write:
//! the write path stays one MAC per event.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use yijia_db::{on_db, Db};

/// The anchor file's name in the data directory.
pub const FILE: &str = "audit-anchors.jsonl";

/// One chain's head at one moment: one line of the anchor file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// When it was taken, RFC 3339 in UTC.
    pub at: String,
    /// The chain: the community's id, 0 for the platform's.
    pub chain_id: i64,
    /// The community whose chain it is; `None` for the platform's.
    pub community_id: Option<i64>,
    /// The number of the chain's last row.
    pub seq: i64,
    /// That row's MAC.
    pub mac: String,
}

/// Where the anchor file of a data directory is.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// Appends the head of every chain that has rows to the anchor file, logs each, and returns
/// them. The lines go out in one append, so a crash leaves whole lines.
pub async fn write(db: &Db, data_dir: &Path, now_ms: i64) -> anyhow::Result<Vec<Anchor>> {
    let heads: Vec<(i64, i64, String)> = on_db!(db, |p| {
        sqlx::query_as("select chain_id, seq, hash from audit_head where seq > 0 order by chain_id")
            .fetch_all(p)
            .await?
    });
    let at = jiff::Timestamp::from_millisecond(now_ms)
        .context("the clock is out of range")?
        .to_string();
    let anchors: Vec<Anchor> = heads
        .into_iter()
        .map(|(chain_id, seq, mac)| Anchor {
            at: at.clone(),
            chain_id,
            community_id: (chain_id != 0).then_some(chain_id),
            seq,
            mac,
        })
        .collect();
    let mut lines = String::new();
    for a in &anchors {
        lines.push_str(&serde_json::to_string(a)?);
        lines.push('\n');
    }
    // On PostgreSQL nothing else may have made the data directory yet.
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let file = path(data_dir);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .with_context(|| format!("cannot open the audit anchor file {}", file.display()))?;
    f.write_all(lines.as_bytes())
        .and_then(|()| f.sync_data())
        .with_context(|| format!("cannot write the audit anchor file {}", file.display()))?;
    for a in &anchors {
        tracing::info!(
            audit.chain = a.chain_id,
            community.id = a.community_id,
            audit.seq = a.seq,
            audit.mac = %a.mac,
            "audit chain anchored"
        );
    }
    Ok(anchors)
}

/// The latest anchor of each chain in the file (a later line wins); none when there is no file
/// yet. A damaged line is an error, not skipped: the file is evidence.
pub fn latest(data_dir: &Path) -> anyhow::Result<BTreeMap<i64, Anchor>> {
    let file = path(data_dir);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", file.display())),
    };
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let a: Anchor = serde_json::from_str(line)
            .with_context(|| format!("line {} of {} is not an audit anchor", n + 1, file.display()))?;
        out.insert(a.chain_id, a);
    }
    Ok(out)
}

/// What the database holds where an anchor says a chain reached.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// The chain has no head: deleted whole.
    Missing,
    /// The chain ends before the anchored row: cut short.
    Truncated { head_seq: i64 },
    /// The anchored row is gone or carries another MAC: rewritten.
    Rewritten { mac: Option<String> },
}

/// A chain that does not reach its latest anchor.
#[derive(Debug)]
pub struct Finding {
    pub anchor: Anchor,
    /// The community's code and name, when it still exists.
    pub community: Option<String>,
    pub found: Found,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let a = &self.anchor;
        match (a.community_id, &self.community) {
            (None, _) => write!(f, "the platform's audit chain (0)")?,
            (Some(id), Some(name)) => write!(f, "the audit chain of community {id} ({name})")?,
            (Some(id), None) => write!(f, "the audit chain of community {id} (no longer in the database)")?,
        }
        write!(f, ", anchored at seq {} on {}: ", a.seq, a.at)?;
        match &self.found {
            Found::Missing => write!(f, "the chain is missing (its head is gone)"),
            Found::Truncated { head_seq } => write!(f, "truncated, the chain now ends at seq {head_seq}"),
            Found::Rewritten { mac: None } => write!(f, "the row at seq {} is missing", a.seq),
            Found::Rewritten { mac: Some(_) } => {
                write!(f, "rewritten, the row at seq {} has another MAC than anchored", a.seq)
            }
        }
    }
}

/// Checks the database against the latest anchor of each chain. Read the anchors first and the
/// database after: a server anchors only what it committed, so a chain read after its anchor
/// can only have grown, and a chain that did not is no false alarm.
pub async fn check(db: &Db, anchors: &BTreeMap<i64, Anchor>) -> anyhow::Result<Vec<Finding>> {
    let mut out = Vec::new();
    for a in anchors.values() {
        let head: Option<i64> = on_db!(db, |p| {
            sqlx::query_scalar("select seq from audit_head where chain_id = $1")
                .bind(a.chain_id)
                .fetch_optional(p)
                .await?
        });
        let found = match head {
            None => Found::Missing,
            Some(head_seq) if head_seq < a.seq => Found::Truncated { head_seq },
            Some(_) => {
                let mac: Option<String> = on_db!(db, |p| {
                    sqlx::query_scalar("select hash from audit_event where chain_id = $1 and seq = $2")
                        .bind(a.chain_id)
                        .bind(a.seq)
                        .fetch_optional(p)
                        .await?
                });
                if mac.as_deref() == Some(a.mac.as_str()) {
                    continue;
                }
                Found::Rewritten { mac }
            }
        };
        let community: Option<(String, String)> = on_db!(db, |p| {
            sqlx::query_as("select code, name from community where community_id = $1")
                .bind(a.community_id)
                .fetch_optional(p)
                .await?
        });
        out.push(Finding {
            anchor: a.clone(),
            community: community.map(|(code, name)| format!("{code} {name}")),
            found,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_line_of_each_chain_wins_and_a_damaged_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(latest(dir.path()).unwrap().is_empty(), "no file yet: no anchors");
        let line = |chain: i64, seq: i64| {
            serde_json::to_string(&Anchor {
                at: "2026-11-27T02:00:00Z".into(),
                chain_id: chain,
                community_id: (chain != 0).then_some(chain),
                seq,
                mac: format!("m{seq}"),
            })
            .unwrap()
        };
        let text = format!("{}\n{}\n\n{}\n", line(1, 5), line(0, 2), line(1, 9));
        std::fs::write(path(dir.path()), text).unwrap();
        let got = latest(dir.path()).unwrap();
        assert_eq!((got[&1].seq, got[&0].seq), (9, 2));
        std::fs::write(path(dir.path()), format!("{}\n{{\"chain_id\":", line(1, 5))).unwrap();
        let err = latest(dir.path()).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
