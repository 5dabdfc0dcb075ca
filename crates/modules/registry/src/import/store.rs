//! The SQL of imports: `registry_import` and its sealed rows in `registry_import_row`.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

/// An import as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ImportRecord {
    pub import_id: i64,
    pub community_id: i64,
    pub account_id: i64,
    pub file_name: String,
    /// What the file holds: `residents` (the residents' sheet) or `owners` (the owners' register).
    pub kind: String,
    /// `previewed`, `committed` or `cancelled`.
    pub status: String,
    pub total_rows: i64,
    pub accepted_rows: i64,
    pub created_at: i64,
    pub committed_at: Option<i64>,
}

impl ImportRecord {
    pub fn rejected_rows(&self) -> i64 {
        self.total_rows - self.accepted_rows
    }
}

const SELECT: &str = "select import_id, community_id, account_id, file_name, kind, status, total_rows, accepted_rows, \
     created_at, committed_at from registry_import";

/// A new import as stored: its community, who made it, its file's name and kind.
pub struct NewImport<'a> {
    pub community_id: i64,
    pub account_id: i64,
    pub file_name: &'a str,
    pub kind: &'a str,
}

pub async fn insert_import(tx: &mut Tx, new: &NewImport<'_>, total: i64, accepted: i64, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into registry_import (community_id, account_id, file_name, kind, status, total_rows, accepted_rows, created_at) \
         values ($1, $2, $3, $4, 'previewed', $5, $6, $7) returning import_id"
    )
    .bind(new.community_id)
    .bind(new.account_id)
    .bind(new.file_name)
    .bind(new.kind)
    .bind(total)
    .bind(accepted)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// A row as stored: its number, its sealed data, its errors (JSON, empty when accepted) and a
/// note for the preview (JSON, empty when none).
pub type StoredRow = (i64, String, String, String);

/// Rows per `insert`: 4 values each stays far below both backends' limit on bound values.
const BATCH: usize = 1000;

/// Stores rows in multi-row inserts.
pub async fn insert_rows(tx: &mut Tx, import_id: i64, rows: &[StoredRow]) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, ${}, ${}, ${})", 4 * i + 2, 4 * i + 3, 4 * i + 4, 4 * i + 5))
            .collect();
        let sql = format!(
            "insert into registry_import_row (import_id, row_no, data_sealed, errors, note) values {}",
            values.join(", ")
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql).bind(import_id);
            for (row_no, data, errors, note) in chunk {
                q = q.bind(*row_no).bind(data).bind(errors).bind(note);
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Accepted rows with a note `(row number, sealed data, note JSON)` in file order, at most `limit`.
pub async fn noted(db: &Db, import_id: i64, limit: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select row_no, data_sealed, note from registry_import_row where import_id = $1 and errors = '' \
         and note <> '' order by row_no limit $2"
    )
    .bind(import_id)
    .bind(limit)
    .fetch_all(p)
    .await?))
}

pub async fn import(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<ImportRecord>> {
    let sql = format!("{SELECT} where import_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// An account's imports into a community, newest first.
pub async fn imports_of(db: &Db, community_id: i64, account_id: i64, limit: i64) -> Result<Vec<ImportRecord>> {
    let sql = format!(
        "{SELECT} where community_id = $1 and account_id = $2 order by created_at desc, import_id desc limit $3"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(account_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Rejected rows `(row number, sealed data, errors JSON)` in file order, at most `limit`.
pub async fn rejected(db: &Db, import_id: i64, limit: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select row_no, data_sealed, errors from registry_import_row where import_id = $1 and errors <> '' \
         order by row_no limit $2"
    )
    .bind(import_id)
    .bind(limit)
    .fetch_all(p)
    .await?))
}

/// Accepted rows `(row number, sealed data)` in file order.
pub async fn accepted_tx(tx: &mut Tx, import_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select row_no, data_sealed from registry_import_row where import_id = $1 and errors = '' order by row_no"
    )
    .bind(import_id)
    .fetch_all(&mut *c)
    .await?))
}

pub async fn set_row_errors(tx: &mut Tx, import_id: i64, row_no: i64, errors: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_import_row set errors = $3 where import_id = $1 and row_no = $2"
    )
    .bind(import_id)
    .bind(row_no)
    .bind(errors)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn set_accepted(tx: &mut Tx, import_id: i64, accepted: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_import set accepted_rows = $2 where import_id = $1"
    )
    .bind(import_id)
    .bind(accepted)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Ends a preview: `committed` (with the moment) or `cancelled`.
pub async fn set_status(tx: &mut Tx, import_id: i64, status: &str, committed_at: Option<i64>) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_import set status = $2, committed_at = $3 where import_id = $1"
    )
    .bind(import_id)
    .bind(status)
    .bind(committed_at)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Deletes the stored rows of an import: only the accepted ones (after a commit, their data
/// now lives in the registry), or all.
pub async fn delete_rows(tx: &mut Tx, import_id: i64, accepted_only: bool) -> Result<()> {
    let sql = if accepted_only {
        "delete from registry_import_row where import_id = $1 and errors = ''"
    } else {
        "delete from registry_import_row where import_id = $1"
    };
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(import_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}
