//! The import's use cases: preview an uploaded file, show a preview, commit it, cancel it.
//! Pages, the API and benchmarks call these same functions.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{Actor, AppState, Error, FieldErrors, Result};

use super::check::{check_rows, Accepted, Dwellings, Outcome, SAME_AS_ROW};
use super::owners::{check_owner_rows, write_owners};
use super::read::{read_sheet_of, RawRow};
use super::store::{self, ImportRecord, NewImport, StoredRow};
use super::{Col, ImportKind, RowError, COLUMNS, PREVIEW_ROWS};
use crate::codes;
use crate::commands::{field, plain, seal, today_in};
use crate::permissions::BULK;
use crate::repo::{self, PlainCols, SealedCols};
use yijia_kernel::community::CommunityAt;

pub const CHANGED: &str = "registry_import.changed";
pub const ALREADY_COMMITTED: &str = "registry_import.already_committed";
pub const CANCELLED: &str = "registry_import.cancelled";
pub const NOTHING_TO_COMMIT: &str = "registry_import.nothing_to_commit";

/// A preview as shown: the import and its first rejected rows.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub import: ImportRecord,
    pub community: CommunityAt,
    /// The first [`PREVIEW_ROWS`] rejected rows.
    pub rejected: Vec<RejectedRow>,
    /// The first [`PREVIEW_ROWS`] accepted rows with a remark (a repeat kept once), the remark
    /// in `errors`.
    pub noted: Vec<RejectedRow>,
}

/// A rejected row with what identifies it for a person: its number, name and address.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    pub row: i64,
    pub name: String,
    /// `B01-U1-101` as typed.
    pub address: String,
    pub errors: Vec<RowError>,
}

/// What a commit wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Committed {
    pub import_id: i64,
    pub committed_rows: i64,
}

/// The community of an import, for someone who may import into it: others are told it does
/// not exist, except those who see its registry (a grid worker), who are told they may not.
pub(super) async fn community_for_bulk(state: &AppState, actor: &Actor, community_id: i64) -> Result<CommunityAt> {
    let community = yijia_kernel::community::by_id(&state.db, community_id)
        .await?
        .ok_or(Error::NotFound)?;
    if BULK.allows(actor, &community.place()) {
        Ok(community)
    } else if crate::permissions::READ.held_by(actor)
        && yijia_kernel::scope::CommunityReach::of(&crate::permissions::READ, actor, &community.place())
            != yijia_kernel::scope::CommunityReach::Nothing
    {
        Err(Error::Forbidden)
    } else {
        Err(Error::NotFound)
    }
}

/// Someone who may not import into a community is not told its imports exist.
fn hidden(e: Error) -> Error {
    match e {
        Error::Forbidden => Error::NotFound,
        other => other,
    }
}

/// An uploaded file's name as stored: its last path part, printable, at most 200 characters.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let s = s.trim();
    if s.is_empty() {
        "upload".to_owned()
    } else {
        s.to_owned()
    }
}

/// A row's values as stored (sealed): by column code, the empty ones left out.
fn row_json(row: &RawRow) -> String {
    let map: BTreeMap<&str, &str> = COLUMNS
        .iter()
        .map(|c| (c.code, row.get(c.col)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    serde_json::to_string(&map).unwrap_or_default()
}

/// A stored row read back.
fn row_of(vault: &yijia_kernel::vault::Vault, row_no: i64, sealed: &str) -> Result<RawRow> {
    let json = vault.open(field::IMPORT_ROW, sealed)?;
    let map: BTreeMap<String, String> =
        serde_json::from_str(&json).map_err(|e| Error::Internal(anyhow::anyhow!("import row {row_no}: {e}")))?;
    let mut values = vec![String::new(); COLUMNS.len()];
    for (k, v) in map {
        if let Some(c) = Col::from_code(&k) {
            values[c.index()] = v;
        }
    }
    Ok(RawRow {
        line: u64::try_from(row_no).unwrap_or(0),
        values,
        issues: Vec::new(),
    })
}

fn file_error(m: Message) -> Error {
    let mut f = FieldErrors::default();
    f.add("file", m);
    Error::Validation(f)
}

/// Runs CPU-heavy work (reading, checking, sealing 100 000 rows) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("import worker: {e}")))?
}

/// What the checks need from the database, loaded once.
async fn context(state: &AppState, community_id: i64) -> Result<(Dwellings, HashSet<String>)> {
    let dwellings = Dwellings::new(repo::household_keys(&state.db, community_id).await?);
    let on_registry: HashSet<String> = repo::id_blinds(&state.db, community_id).await?.into_iter().collect();
    Ok((dwellings, on_registry))
}

/// Reads and checks an uploaded file and stores it as a preview: nothing reaches the registry
/// yet. A file that cannot be read at all is a validation error on the field `file`.
pub async fn import_bytes(
    state: &AppState,
    actor: &Actor,
    community_id: i64,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<ImportSummary> {
    import_file(state, actor, community_id, ImportKind::Residents, file_name, bytes).await
}

/// The outcomes of the register's rows in the residents' sheet's terms: a unit's owners are
/// accepted or rejected as one row.
fn owner_outcomes(rows: &[RawRow], dwellings: &Dwellings, today: jiff::civil::Date) -> Vec<Outcome> {
    check_owner_rows(rows, dwellings, today)
        .into_iter()
        .map(|r| match r {
            Ok(_) => Outcome::Passed,
            Err(e) => Outcome::Rejected(e),
        })
        .collect()
}

/// Reads and checks an uploaded file of a kind (the residents' sheet or the owners' register)
/// and stores it as a preview, as [`import_bytes`].
pub async fn import_file(
    state: &AppState,
    actor: &Actor,
    community_id: i64,
    kind: ImportKind,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<ImportSummary> {
    let community = community_for_bulk(state, actor, community_id).await?;
    let account_id = actor.account_id.ok_or(Error::Forbidden)?;
    let today = today_in(state, &community.time_zone);
    let (dwellings, on_registry) = context(state, community_id).await?;
    let vault = state.vault.clone();
    let (rows, accepted) = blocking(move || {
        let sheet = read_sheet_of(&bytes, kind).map_err(file_error)?;
        drop(bytes);
        let outcomes = match kind {
            ImportKind::Residents => check_rows(&sheet.rows, &dwellings, &on_registry, &vault, today),
            ImportKind::Owners => owner_outcomes(&sheet.rows, &dwellings, today),
        };
        let mut accepted = 0i64;
        let rows: Vec<StoredRow> = sheet
            .rows
            .iter()
            .zip(outcomes)
            .map(|(row, outcome)| {
                let (errors, note) = match outcome {
                    Outcome::Accepted(_) | Outcome::Passed => (String::new(), String::new()),
                    Outcome::Repeat { row } => {
                        let note = [RowError::new(Col::IdNumber, SAME_AS_ROW).arg("row", row)];
                        (String::new(), serde_json::to_string(&note).unwrap_or_default())
                    }
                    Outcome::Rejected(errs) => (serde_json::to_string(&errs).unwrap_or_default(), String::new()),
                };
                if errors.is_empty() {
                    accepted += 1;
                }
                let line = i64::try_from(row.line).unwrap_or(i64::MAX);
                (line, vault.seal(field::IMPORT_ROW, &row_json(row)), errors, note)
            })
            .collect();
        Ok((rows, accepted))
    })
    .await?;
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let mut tx = state.db.begin_write().await?;
    let now = state.now_ms();
    let new = NewImport {
        community_id,
        account_id,
        file_name: &clean_name(file_name),
        kind: kind.as_str(),
    };
    let id = store::insert_import(&mut tx, &new, total, accepted, now).await?;
    store::insert_rows(&mut tx, id, &rows).await?;
    tx.commit().await?;
    tracing::info!(
        import.id = id,
        import.rows = total,
        import.accepted = accepted,
        "import previewed"
    );
    summary(state, actor, id).await
}

/// An import with its first rejected rows, for someone who may import into its community.
pub async fn summary(state: &AppState, actor: &Actor, import_id: i64) -> Result<ImportSummary> {
    let import = store::import(&state.db, import_id).await?.ok_or(Error::NotFound)?;
    let community = community_for_bulk(state, actor, import.community_id)
        .await
        .map_err(hidden)?;
    let rows = store::rejected(&state.db, import_id, PREVIEW_ROWS as i64).await?;
    let rejected = open_rejected(state, rows)?;
    let noted = open_rejected(state, store::noted(&state.db, import_id, PREVIEW_ROWS as i64).await?)?;
    Ok(ImportSummary {
        import,
        community,
        rejected,
        noted,
    })
}

fn open_rejected(state: &AppState, rows: Vec<(i64, String, String)>) -> Result<Vec<RejectedRow>> {
    rows.into_iter()
        .map(|(row_no, sealed, errors)| {
            let raw = row_of(&state.vault, row_no, &sealed)?;
            let errors: Vec<RowError> = yijia_kernel::stored::json(&errors, format!("errors of import row {row_no}"))?;
            // A register row names its owners where a resident's row names the person.
            let name = match raw.get(Col::Name) {
                "" => raw.get(Col::Owners),
                n => n,
            };
            Ok(RejectedRow {
                row: row_no,
                name: name.to_owned(),
                address: [Col::Building, Col::Unit, Col::Room]
                    .iter()
                    .map(|c| raw.get(*c))
                    .collect::<Vec<_>>()
                    .join("-"),
                errors,
            })
        })
        .collect()
}

/// Every rejected row of an import, for the full error report.
pub async fn all_rejected(state: &AppState, actor: &Actor, import_id: i64) -> Result<(ImportRecord, Vec<RejectedRow>)> {
    let s = summary(state, actor, import_id).await?;
    let rows = store::rejected(&state.db, import_id, i64::MAX).await?;
    Ok((s.import, open_rejected(state, rows)?))
}

/// A row ready to insert.
type Ready = (i64, PlainCols, SealedCols);

/// Writes the accepted rows of a preview to the registry, in one transaction: all of them or
/// none. The rows are checked again first, against the registry as it is now; when some no
/// longer pass (someone added the same person meanwhile, a dwelling was retired), nothing is
/// written, those rows become rejected in the preview, and the commit is refused so the person
/// can look again. A second commit is refused.
/// An import this large may change a community's size enough to mislead the query planner.
const ANALYZE_AFTER_ROWS: i64 = 1000;

pub async fn commit(state: &AppState, actor: &Actor, import_id: i64) -> Result<Committed> {
    let mut tx = state.db.begin_write().await?;
    let first = store::import(&mut tx, import_id).await?.ok_or(Error::NotFound)?;
    audit::lock_chain(&mut tx, first.community_id).await?;
    let import = store::import(&mut tx, import_id).await?.ok_or(Error::NotFound)?;
    let community = community_for_bulk(state, actor, import.community_id)
        .await
        .map_err(hidden)?;
    match import.status.as_str() {
        "committed" => return Err(Error::conflict(codes::ALREADY_COMMITTED, ALREADY_COMMITTED)),
        "cancelled" => return Err(Error::conflict(codes::CANCELLED, CANCELLED)),
        _ => {}
    }
    let stored = store::accepted_tx(&mut tx, import_id).await?;
    if stored.is_empty() {
        return Err(Error::conflict(codes::NOTHING_TO_COMMIT, NOTHING_TO_COMMIT));
    }
    let today = today_in(state, &community.time_zone);
    if import.kind == ImportKind::Owners.as_str() {
        return commit_owners(state, actor, tx, &import, &community, stored, today).await;
    }
    // Read after the community's write lock: nobody else changes its registry meanwhile.
    let (dwellings, on_registry) = context(state, community.community_id).await?;
    let vault = state.vault.clone();
    let outcome: std::result::Result<Vec<Ready>, Vec<(i64, Vec<RowError>)>> = blocking(move || {
        let rows: Vec<RawRow> = stored
            .iter()
            .map(|(n, sealed)| row_of(&vault, *n, sealed))
            .collect::<Result<_>>()?;
        let checked = check_rows(&rows, &dwellings, &on_registry, &vault, today);
        let failed: Vec<(i64, Vec<RowError>)> = rows
            .iter()
            .zip(&checked)
            .filter_map(|(r, c)| c.errors().map(|e| (i64::try_from(r.line).unwrap_or(0), e.to_vec())))
            .collect();
        if !failed.is_empty() {
            return Ok(Err(failed));
        }
        // A repeat is written once, at the row it repeats.
        Ok(Ok(checked
            .into_iter()
            .filter_map(|c| match c {
                Outcome::Accepted(a) => Some(a),
                _ => None,
            })
            .map(|(household, values): Accepted| (household, plain(&values), seal(&vault, &values, None)))
            .collect()))
    })
    .await?;
    let ready = match outcome {
        Ok(ready) => ready,
        Err(failed) => {
            drop(tx);
            return Err(mark_changed(state, &import, failed).await);
        }
    };
    let now = state.now_ms();
    // Multi-row inserts: the write lock is held for as short a time as the rows allow. The
    // bound values are made one batch at a time, so a large import is not held twice in memory.
    for chunk in ready.chunks(repo::INSERT_BATCH) {
        let rows: Vec<Vec<repo::Bind>> = chunk
            .iter()
            .map(|(household, p, s)| repo::resident_row(p, s, community.community_id, *household, now))
            .collect();
        repo::insert_resident_rows(&mut tx, rows.iter().map(Vec::as_slice)).await?;
    }
    let committed_rows = i64::try_from(ready.len()).unwrap_or(i64::MAX);
    let entry = Entry::new("resident.import", "registry_import", import_id)
        .community(Some(community.community_id))
        .after(Some(&serde_json::json!({
            "total_rows": import.total_rows,
            "committed_rows": committed_rows,
            "rejected_rows": import.total_rows - committed_rows,
        })));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    store::set_status(&mut tx, import_id, "committed", Some(now)).await?;
    store::delete_rows(&mut tx, import_id, true).await?;
    tx.commit().await?;
    if committed_rows >= ANALYZE_AFTER_ROWS {
        // Best effort: the rows are in; stale statistics only make pages slower.
        if let Err(e) = state.db.analyze(&["registry_resident", "household"]).await {
            tracing::warn!(error = %e, "could not refresh the planner's statistics after an import");
        }
    }
    tracing::info!(
        import.id = import_id,
        import.committed = committed_rows,
        "import committed"
    );
    Ok(Committed {
        import_id,
        committed_rows,
    })
}

/// Commits an owners' register: the rows are checked again against the dwellings as they are
/// now, then every listed unit's owners are replaced by the register's, in the caller's
/// transaction, all or nothing.
async fn commit_owners(
    state: &AppState,
    actor: &Actor,
    mut tx: yijia_db::Tx,
    import: &ImportRecord,
    community: &CommunityAt,
    stored: Vec<(i64, String)>,
    today: jiff::civil::Date,
) -> Result<Committed> {
    let (dwellings, _) = context(state, community.community_id).await?;
    let vault = state.vault.clone();
    type Units = std::result::Result<Vec<super::owners::UnitOwners>, Vec<(i64, Vec<RowError>)>>;
    let checked: Units = blocking(move || {
        let rows: Vec<RawRow> = stored
            .iter()
            .map(|(n, sealed)| row_of(&vault, *n, sealed))
            .collect::<Result<_>>()?;
        let checked = check_owner_rows(&rows, &dwellings, today);
        let mut units = Vec::with_capacity(rows.len());
        let mut failed = Vec::new();
        for (r, c) in rows.iter().zip(checked) {
            match c {
                Ok(u) => units.push(u),
                Err(e) => failed.push((i64::try_from(r.line).unwrap_or(0), e)),
            }
        }
        Ok(if failed.is_empty() { Ok(units) } else { Err(failed) })
    })
    .await?;
    let units = match checked {
        Ok(units) => units,
        Err(failed) => {
            drop(tx);
            return Err(mark_changed(state, import, failed).await);
        }
    };
    let now = state.now_ms();
    let (holdings, created) = write_owners(&mut tx, state, community.community_id, &units, now, today).await?;
    let committed_rows = i64::try_from(units.len()).unwrap_or(i64::MAX);
    let entry = Entry::new("holding.import", "registry_import", import.import_id)
        .community(Some(community.community_id))
        .after(Some(&serde_json::json!({
            "units": committed_rows,
            "holdings": holdings,
            "residents_created": created,
        })));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    store::set_status(&mut tx, import.import_id, "committed", Some(now)).await?;
    store::delete_rows(&mut tx, import.import_id, true).await?;
    tx.commit().await?;
    tracing::info!(
        import.id = import.import_id,
        import.units = committed_rows,
        import.residents_created = created,
        "owners' register committed"
    );
    Ok(Committed {
        import_id: import.import_id,
        committed_rows,
    })
}

/// Records the rows that failed the second check as rejected, and says so.
async fn mark_changed(state: &AppState, import: &ImportRecord, failed: Vec<(i64, Vec<RowError>)>) -> Error {
    let n = failed.len();
    let write = async {
        let mut tx = state.db.begin_write().await?;
        for (row_no, errors) in &failed {
            let json = serde_json::to_string(errors).unwrap_or_default();
            store::set_row_errors(&mut tx, import.import_id, *row_no, &json).await?;
        }
        let accepted = import.accepted_rows - i64::try_from(n).unwrap_or(0);
        store::set_accepted(&mut tx, import.import_id, accepted.max(0)).await?;
        tx.commit().await?;
        Ok::<(), Error>(())
    };
    match write.await {
        Ok(()) => Error::Conflict(codes::CHANGED, Message::new(CHANGED).arg("count", n)),
        Err(e) => e,
    }
}

/// Cancels a preview and deletes its rows. Cancelling twice is harmless; a committed import
/// cannot be cancelled.
pub async fn cancel(state: &AppState, actor: &Actor, import_id: i64) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    let import = store::import(&mut tx, import_id).await?.ok_or(Error::NotFound)?;
    community_for_bulk(state, actor, import.community_id)
        .await
        .map_err(hidden)?;
    match import.status.as_str() {
        "committed" => return Err(Error::conflict(codes::ALREADY_COMMITTED, ALREADY_COMMITTED)),
        "cancelled" => return Ok(()),
        _ => {}
    }
    store::set_status(&mut tx, import_id, "cancelled", None).await?;
    store::delete_rows(&mut tx, import_id, false).await?;
    tx.commit().await?;
    Ok(())
}

/// The imports an account made into a community, newest first.
pub async fn imports_of(
    state: &AppState,
    actor: &Actor,
    community_id: i64,
) -> Result<(CommunityAt, Vec<ImportRecord>)> {
    let community = community_for_bulk(state, actor, community_id).await?;
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let list = store::imports_of(&state.db, community_id, account, 50).await?;
    Ok((community, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_its_last_part_only() {
        assert_eq!(clean_name("C:\\Users\\王\\居民.xlsx"), "居民.xlsx");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("  "), "upload");
    }

    #[test]
    fn a_stored_row_reads_back_as_it_was() {
        let vault = yijia_kernel::vault::Vault::from_master(&[1; 32]);
        let mut values = vec![String::new(); COLUMNS.len()];
        values[Col::Name.index()] = "张三".into();
        values[Col::IdNumber.index()] = "11010519491231002X".into();
        let row = RawRow {
            line: 9,
            values,
            issues: Vec::new(),
        };
        let sealed = vault.seal(field::IMPORT_ROW, &row_json(&row));
        assert!(!sealed.contains("11010519491231002X"));
        assert_eq!(row_of(&vault, 9, &sealed).unwrap(), row);
    }
}
