//! The database remembers which key its data is sealed with.
//!
//! The key lives outside the database (`YIJIA_SECRET_KEY` or `DATA_DIR/secret.key`), and every
//! instance on one database must hold the same one. An instance started without it used to make
//! a key of its own and seal new data with it; each instance then failed on what the others had
//! sealed. Now the first start records a check value derived from the key (it opens nothing),
//! and an instance whose key gives another value refuses to start and says what to do.

use std::path::Path;

use anyhow::bail;
use yijia_db::{on_db, Db};

use crate::vault::Vault;

/// The row of `instance_meta` that holds the check value.
pub const CHECK_KEY: &str = "vault_check";

/// The vault for this database: the configured key or the data directory's `secret.key`,
/// checked against the value the database recorded at its first start; recorded now when there
/// is none yet. A new key file is made only for a database that has recorded no key.
pub async fn vault_for(db: &Db, data_dir: &Path, configured: Option<&str>) -> anyhow::Result<Vault> {
    let recorded = recorded(db).await?;
    let vault = match (&recorded, Vault::existing(data_dir, configured)?) {
        (_, Some(vault)) => vault,
        (None, None) => Vault::load(data_dir, None)?,
        (Some(_), None) => bail!(
            "this database's personal data is sealed with a secret key that this instance does not have: \
             set YIJIA_SECRET_KEY to the key the other instances use, or copy secret.key from the data directory \
             of the first instance into {}",
            data_dir.display()
        ),
    };
    match recorded {
        Some(value) if value != vault.check_value() => bail!(
            "the secret key of this instance ({}) is not the one this database was set up with: \
             every instance on one database needs the same key; give this one the key the others use \
             (YIJIA_SECRET_KEY, or the first instance's secret.key in {})",
            if configured.is_some() {
                "YIJIA_SECRET_KEY"
            } else {
                "secret.key"
            },
            data_dir.display()
        ),
        Some(_) => {}
        None => record(db, vault.check_value()).await?,
    }
    Ok(vault)
}

/// The check value the database recorded, if any.
pub async fn recorded(db: &Db) -> anyhow::Result<Option<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select meta_value from instance_meta where meta_key = $1"
    )
    .bind(CHECK_KEY)
    .fetch_optional(p)
    .await?))
}

/// Records the check value, unless another instance starting at the same moment did first; its
/// value is then compared at the next start (and instances start under one lock).
async fn record(db: &Db, value: &str) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    yijia_db::on_tx!(tx, |c| sqlx::query(
        "insert into instance_meta (meta_key, meta_value) values ($1, $2) on conflict (meta_key) do nothing"
    )
    .bind(CHECK_KEY)
    .bind(value)
    .execute(c)
    .await
    .map(|_| ()))?;
    tx.commit().await?;
    Ok(())
}
