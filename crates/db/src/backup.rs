//! A logical, backend-neutral copy of every table, read in one snapshot.
//!
//! Rows travel as JSON objects: PostgreSQL reads them with `row_to_json` and writes them with
//! `json_populate_recordset`, SQLite with `json_object` and `json_extract`, so the database does
//! the type conversions and a backup taken on one backend restores on the other.

use serde_json::Value;
use sqlx::Row;

use crate::{on_db, Db, DbError, TABLES};

/// All rows of all tables, in [`TABLES`] order.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Dump {
    pub format: u32,
    /// The version of the last migration applied to the database it was taken of; missing in
    /// backups taken before December 2026 (see [`restore_tables`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<i64>,
    pub tables: Vec<TableDump>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct TableDump {
    pub name: String,
    pub rows: Vec<Value>,
}

const FORMAT: u32 = 1;

/// Reads every table inside one read transaction, so the copy is consistent even while the
/// server keeps writing.
pub async fn dump_tables(db: &Db) -> Result<Dump, DbError> {
    let schema = db.schema_version().await?;
    let mut tables = Vec::with_capacity(TABLES.len());
    match db {
        Db::Sqlite(pool, _) => {
            let mut conn = pool.acquire().await?;
            // A deferred transaction in WAL mode reads from one snapshot from its first read on.
            sqlx::query("begin").execute(&mut *conn).await?;
            for table in TABLES {
                let cols: Vec<String> = sqlx::query_scalar("select name from pragma_table_info($1) order by cid")
                    .bind(table)
                    .fetch_all(&mut *conn)
                    .await?;
                let pairs: Vec<String> = cols.iter().map(|c| format!("'{c}', \"{c}\"")).collect();
                let sql = format!(
                    "select json_object({}) from \"{table}\" order by rowid",
                    pairs.join(", ")
                );
                let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut *conn).await?;
                tables.push(table_dump(table, rows)?);
            }
            sqlx::query("commit").execute(&mut *conn).await?;
        }
        Db::Postgres(pool) => {
            let mut conn = pool.acquire().await?;
            sqlx::query("begin isolation level repeatable read read only")
                .execute(&mut *conn)
                .await?;
            for table in TABLES {
                // Row order does not matter to restore (tables go in TABLES order, no table
                // references itself).
                let sql = format!("select row_to_json(t)::text from \"{table}\" t");
                let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut *conn).await?;
                tables.push(table_dump(table, rows)?);
            }
            sqlx::query("commit").execute(&mut *conn).await?;
        }
    }
    Ok(Dump {
        format: FORMAT,
        schema,
        tables,
    })
}

fn table_dump(name: &str, rows: Vec<String>) -> Result<TableDump, DbError> {
    let rows = rows
        .into_iter()
        .map(|r| serde_json::from_str(&r).map_err(|e| DbError::Backup(format!("{name}: {e}"))))
        .collect::<Result<Vec<Value>, _>>()?;
    Ok(TableDump {
        name: name.to_owned(),
        rows,
    })
}

/// Writes a dump into a migrated, empty database in one transaction: all of it or nothing.
///
/// A backup of an older schema restores too. Restored into the schema it was taken of (see
/// [`Db::migrate_to`]), the later migrations then carry its rows forward as they carried the
/// live database's. Into a newer schema (a backup that does not say its schema), each table gets
/// the columns the backup has, and the columns added since take their defaults. A backup of a
/// newer schema than this release knows is refused.
pub async fn restore_tables(db: &Db, dump: &Dump) -> Result<(), DbError> {
    if dump.format != FORMAT {
        return Err(DbError::Backup(format!("unknown backup format {}", dump.format)));
    }
    if let Some(schema) = dump.schema.filter(|v| *v > crate::latest_schema()) {
        return Err(DbError::Backup(format!(
            "this backup was taken by a newer release of Yijia (schema {schema}, this release knows up to {}): restore it with that release or a later one",
            crate::latest_schema()
        )));
    }
    for t in &dump.tables {
        if !TABLES.contains(&t.name.as_str()) {
            return Err(DbError::Backup(format!(
                "the backup names an unknown table {:?}",
                t.name
            )));
        }
    }
    for table in TABLES {
        if !table_exists(db, table).await? {
            continue; // a table newer than the backup's schema: the later migrations make it
        }
        let sql = format!("select count(*) from \"{table}\"");
        let n: i64 = on_db!(db, |p| sqlx::query_scalar(&sql).fetch_one(p).await?);
        if n > 0 {
            return Err(DbError::Backup(format!(
                "the target database is not empty (table {table} has {n} rows): restore into a new database"
            )));
        }
    }
    let mut tx = db.begin_write().await?;
    let in_order = TABLES
        .iter()
        .filter_map(|name| dump.tables.iter().find(|t| t.name == *name));
    for t in in_order {
        // The columns the backup has: those added since take their defaults.
        let in_backup = |col: &String| {
            t.rows
                .first()
                .and_then(Value::as_object)
                .is_none_or(|row| row.contains_key(col))
        };
        for chunk in t.rows.chunks(500) {
            let json = Value::Array(chunk.to_vec()).to_string();
            match &mut tx.conn {
                crate::TxConn::Sqlite(c) => {
                    let cols: Vec<String> = sqlx::query_scalar("select name from pragma_table_info($1) order by cid")
                        .bind(&t.name)
                        .fetch_all(&mut **c)
                        .await?;
                    let cols: Vec<String> = cols.into_iter().filter(in_backup).collect();
                    let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
                    let values = cols
                        .iter()
                        .map(|c| format!("json_extract(value, '$.{c}')"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!("insert into \"{}\" ({list}) select {values} from json_each($1)", t.name);
                    sqlx::query(&sql).bind(&json).execute(&mut **c).await?;
                }
                crate::TxConn::Postgres(c) => {
                    let cols: Vec<String> = sqlx::query_scalar(
                        "select column_name::text from information_schema.columns \
                         where table_schema = current_schema() and table_name = $1 order by ordinal_position",
                    )
                    .bind(&t.name)
                    .fetch_all(&mut **c)
                    .await?;
                    let list = cols
                        .into_iter()
                        .filter(in_backup)
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "insert into \"{0}\" ({list}) select {list} from json_populate_recordset(null::\"{0}\", $1::json)",
                        t.name
                    );
                    sqlx::query(&sql).bind(&json).execute(&mut **c).await?;
                }
            }
        }
    }
    if let crate::TxConn::Postgres(c) = &mut tx.conn {
        // Identity columns must continue after the restored keys, whatever the key is called
        // (`team_id` of `vol_team` as much as `appeal_id` of `appeal`).
        for table in TABLES {
            let keys: Vec<(String, String)> = sqlx::query(
                "select column_name::text, pg_get_serial_sequence($1, column_name)::text \
                 from information_schema.columns where table_schema = current_schema() and table_name = $1",
            )
            .bind(table)
            .fetch_all(&mut **c)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<Option<String>, _>(1)?)))
            .collect::<Result<Vec<(String, Option<String>)>, sqlx::Error>>()?
            .into_iter()
            .filter_map(|(column, seq)| Some((column, seq?)))
            .collect();
            for (key, seq) in keys {
                let sql =
                    format!("select setval($1, coalesce((select max(\"{key}\") from \"{table}\"), 0) + 1, false)");
                sqlx::query(&sql).bind(&seq).execute(&mut **c).await?;
            }
        }
    }
    tx.commit().await
}

/// Whether the schema has the table yet.
async fn table_exists(db: &Db, table: &str) -> Result<bool, DbError> {
    let n: i64 = match db {
        Db::Sqlite(p, _) => {
            sqlx::query_scalar("select count(*) from sqlite_master where type = 'table' and name = $1")
                .bind(table)
                .fetch_one(p)
                .await?
        }
        Db::Postgres(p) => sqlx::query_scalar(
            "select count(*) from information_schema.tables where table_schema = current_schema() and table_name = $1",
        )
        .bind(table)
        .fetch_one(p)
        .await?,
    };
    Ok(n > 0)
}
