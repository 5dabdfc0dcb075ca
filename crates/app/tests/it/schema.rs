//! The schema as each database's own catalogue describes it. The two backends' migrations must
//! make the same tables with the same columns, and a test about every table walks the
//! catalogue rather than a list kept by hand, so that a new table is in it from the start.

use std::collections::BTreeMap;

use yijia_db::{on_db, Db};
use yijia_testkit::TestDb;

/// A column: its name, and whether it refuses null.
#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub not_null: bool,
}

/// Every table the migrations made, by name, with its columns in their order. Left out are the
/// catalogue's own tables (SQLite's `sqlite_stat1`, once `pragma optimize` has run) and sqlx's
/// `_sqlx_migrations`: its record of the migrations applied, which holds each backend's own
/// checksums, is not in a backup (the restored database has its own from being migrated), and
/// is not ours to keep alike.
pub async fn catalogue(db: &Db) -> BTreeMap<String, Vec<Column>> {
    // A key column refuses null on PostgreSQL whatever it says; SQLite's `integer primary key`
    // (the rowid) cannot hold null either, though its catalogue calls it nullable.
    let sql = match db {
        Db::Sqlite(..) => {
            "select m.name, p.name, p.\"notnull\" or p.pk > 0 from sqlite_master m \
             join pragma_table_info(m.name) p \
             where m.type = 'table' and m.name not like 'sqlite\\_%' escape '\\' and m.name <> '_sqlx_migrations' \
             order by m.name, p.cid"
        }
        Db::Postgres(_) => {
            "select c.table_name::text, c.column_name::text, (c.is_nullable = 'NO')::int::int8 \
             from information_schema.columns c join information_schema.tables t \
             on t.table_schema = c.table_schema and t.table_name = c.table_name \
             where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' \
             and c.table_name <> '_sqlx_migrations' \
             order by c.table_name, c.ordinal_position"
        }
    };
    let rows: Vec<(String, String, i64)> = on_db!(db, |p| sqlx::query_as(sql).fetch_all(p).await.unwrap());
    let mut tables: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for (table, name, not_null) in rows {
        tables.entry(table).or_default().push(Column {
            name,
            not_null: not_null != 0,
        });
    }
    tables
}

#[tokio::test]
async fn the_sqlite_and_postgresql_migrations_make_the_same_tables_and_columns() {
    if TestDb::postgres_url().is_none() {
        eprintln!("skipped: comparing the migrations needs PostgreSQL (YIJIA_TEST_POSTGRES_URL)");
        return;
    }
    let sqlite = catalogue(&TestDb::sqlite().await.db).await;
    let postgres = catalogue(&TestDb::fresh().await.db).await;
    let mut differences = Vec::new();
    for table in sqlite.keys().filter(|t| !postgres.contains_key(*t)) {
        differences.push(format!("{table}: only on SQLite"));
    }
    for table in postgres.keys().filter(|t| !sqlite.contains_key(*t)) {
        differences.push(format!("{table}: only on PostgreSQL"));
    }
    for (table, on_sqlite) in &sqlite {
        if let Some(on_postgres) = postgres.get(table) {
            differences.extend(
                compare(on_sqlite, on_postgres)
                    .into_iter()
                    .map(|d| format!("{table}: {d}")),
            );
        }
    }
    assert!(
        differences.is_empty(),
        "the migrations differ:\n{}",
        differences.join("\n")
    );
    assert!(sqlite.contains_key("appeal"), "the catalogue was not read: {sqlite:?}");
}

/// How two tables' columns differ, column by column; their order only when nothing else does.
fn compare<'a>(on_sqlite: &'a [Column], on_postgres: &'a [Column]) -> Vec<String> {
    let find = |cols: &'a [Column], name: &str| cols.iter().find(|c| c.name == name);
    let mut out = Vec::new();
    for c in on_sqlite {
        match find(on_postgres, &c.name) {
            None => out.push(format!("column {} only on SQLite", c.name)),
            Some(p) if p.not_null != c.not_null => out.push(format!(
                "column {} takes null on {} only",
                c.name,
                if c.not_null { "PostgreSQL" } else { "SQLite" }
            )),
            Some(_) => {}
        }
    }
    for c in on_postgres.iter().filter(|c| find(on_sqlite, &c.name).is_none()) {
        out.push(format!("column {} only on PostgreSQL", c.name));
    }
    if out.is_empty() && on_sqlite != on_postgres {
        let names = |cols: &[Column]| cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
        out.push(format!(
            "columns in another order: SQLite {}; PostgreSQL {}",
            names(on_sqlite),
            names(on_postgres)
        ));
    }
    out
}
