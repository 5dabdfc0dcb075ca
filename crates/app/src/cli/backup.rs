//! `yijia backup` and `yijia restore`: a gzipped tar holding the rows of every table (read in
//! one snapshot, backend-neutral JSON) and the stored files. A backup taken on SQLite restores
//! on PostgreSQL and back.

use std::fs::File;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use futures_util::TryStreamExt;
use yijia_db::Db;
use yijia_kernel::clock::Clock;
use yijia_kernel::config::Config;
use yijia_kernel::files;
use yijia_kernel::vault::Vault;

const DUMP_NAME: &str = "yijia-backup.json";
const FILES_DIR: &str = "files";

pub async fn backup(config: Config, to: &Path) -> anyhow::Result<ExitCode> {
    let db = super::open(&config).await?;
    // Anchored before the dump is read, so the anchors never name a row the backup lacks: this
    // backup restored into this data directory verifies against them.
    let anchors = yijia_kernel::audit::anchor::write(&db, &config.data_dir, Clock::System.now_ms()).await?;
    let dump = yijia_db::dump_tables(&db).await?;
    let json = serde_json::to_vec(&dump)?;
    let tmp = to.with_extension("partial");
    {
        let file = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::default()));
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        tar.append_data(&mut header, DUMP_NAME, json.as_slice())?;
        let files = config.data_dir.join(FILES_DIR);
        if files.is_dir() {
            tar.append_dir_all(FILES_DIR, &files)?;
        }
        append_kept_files(&db, &mut tar).await?;
        tar.into_inner()?.finish()?.sync_all()?;
    }
    // Renamed only when complete: a backup file that exists is a whole backup.
    std::fs::rename(&tmp, to).with_context(|| format!("cannot write {}", to.display()))?;
    let rows: usize = dump.tables.iter().map(|t| t.rows.len()).sum();
    println!(
        "backup written to {} ({} tables, {rows} rows)",
        to.display(),
        dump.tables.len()
    );
    println!(
        "sensitive fields in it are sealed with the key in {} (or YIJIA_SECRET_KEY), which is not in the backup: keep a copy of the key apart from it",
        config.data_dir.join("secret.key").display()
    );
    println!(
        "the heads of {} audit chains were appended to {}: keep a copy of it off this machine, with the backups",
        anchors.len(),
        yijia_kernel::audit::anchor::path(&config.data_dir).display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(config: Config, from: &Path) -> anyhow::Result<ExitCode> {
    let file = File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut archive = tar::Archive::new(GzDecoder::new(file));
    let mut dump: Option<yijia_db::Dump> = None;
    let files_target = config.data_dir.join(FILES_DIR);
    let staging = config.data_dir.join(".restore-files");
    for entry in archive
        .entries()
        .context("not a Yijia backup (cannot read the archive)")?
    {
        let mut entry = entry.context("not a Yijia backup (damaged archive)")?;
        let path = entry.path()?.into_owned();
        if path == Path::new(DUMP_NAME) {
            dump = Some(serde_json::from_reader(&mut entry).context("the backup's table data is damaged")?);
        } else if path.starts_with(FILES_DIR) {
            std::fs::create_dir_all(&staging)?;
            entry.unpack_in(&staging)?;
        }
    }
    let Some(dump) = dump else {
        bail!("not a Yijia backup: {DUMP_NAME} is missing");
    };
    // Everything that can refuse the restore is checked before a row is written.
    let has_files = staging.join(FILES_DIR).is_dir();
    let into_database = files::in_database(super::backend_of(&config)?);
    if has_files && !into_database && files_target.exists() {
        let _ = std::fs::remove_dir_all(&staging);
        bail!(
            "{} already exists: restore into an empty data directory",
            files_target.display()
        );
    }
    if let Err(e) = check_key(&config, &dump) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let restored = async {
        let (db, _lock) = super::connect_locked(&config).await?;
        // Into the schema the backup was taken of, then the later migrations carry it forward
        // (see `restore_tables`).
        match dump.schema {
            Some(v) if v <= yijia_db::latest_schema() => db.migrate_to(v).await?,
            _ => db.migrate().await?,
        }
        yijia_db::restore_tables(&db, &dump).await?;
        db.migrate().await.context("applying the migrations since the backup")?;
        anyhow::Ok(db)
    };
    let db = match restored.await {
        Ok(db) => db,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if has_files && into_database {
        let kept = files::keep_folder(&db, &staging.join(FILES_DIR)).await;
        let _ = std::fs::remove_dir_all(&staging);
        kept?;
    } else if has_files {
        std::fs::rename(staging.join(FILES_DIR), &files_target)?;
        let _ = std::fs::remove_dir_all(&staging);
    }
    let rows: usize = dump.tables.iter().map(|t| t.rows.len()).sum();
    println!("restored {rows} rows from {}", from.display());
    Ok(ExitCode::SUCCESS)
}

/// A backup with sealed fields restores only where their key is: otherwise every ID and phone
/// number would be restored unreadable. Likewise a keyed audit log: under another key it would
/// never verify again.
fn check_key(config: &Config, dump: &yijia_db::Dump) -> anyhow::Result<()> {
    let rows = |table: &'static str| {
        dump.tables
            .iter()
            .filter(move |t| t.name == table)
            .flat_map(|t| t.rows.iter())
    };
    let sealed =
        rows("registry_resident").find_map(|row| row.get("id_sealed").and_then(|v| v.as_str()).map(str::to_owned));
    let head = rows("audit_head").find_map(|row| {
        Some((
            row.get("chain_id")?.as_i64()?,
            row.get("seq")?.as_i64()?,
            row.get("hash")?.as_str()?,
            row.get("head_mac")?.as_str()?,
        ))
    });
    let check = rows("instance_meta").find_map(|row| {
        (row.get("meta_key")?.as_str()? == yijia_kernel::keycheck::CHECK_KEY)
            .then(|| row.get("meta_value")?.as_str().map(str::to_owned))?
    });
    if sealed.is_none() && head.is_none() && check.is_none() {
        return Ok(());
    }
    let missing = || {
        anyhow::anyhow!(
            "this backup holds sealed personal data or a keyed audit log: put its key in place first (copy secret.key from the old data directory into {}, or set YIJIA_SECRET_KEY)",
            config.data_dir.display()
        )
    };
    let vault = Vault::existing(&config.data_dir, config.secret_key.as_deref())?.ok_or_else(missing)?;
    // The recorded check value first: it tells a wrong key even of a backup with nothing sealed.
    if check.is_some_and(|c| c != vault.check_value()) {
        bail!("this backup was taken of a database set up with another key than the one in place: use the key of the installation it came from");
    }
    if let Some(sealed) = sealed {
        if vault.open(yijia_registry::commands::field::ID, &sealed).is_err() {
            bail!("this backup's personal data was sealed with another key than the one in place: use the key of the installation it came from");
        }
    }
    if let Some((chain_id, seq, hash, mac)) = head {
        if vault.audit_key().head_mac(chain_id, seq, hash) != mac {
            bail!("this backup's audit log was sealed with another key than the one in place: use the key of the installation it came from");
        }
    }
    Ok(())
}

/// On PostgreSQL stored files' bytes are rows (see `files`); they go into the archive as files,
/// where SQLite's are, so that a backup restores on either database.
async fn append_kept_files<W: std::io::Write>(db: &Db, tar: &mut tar::Builder<W>) -> anyhow::Result<()> {
    let Db::Postgres(pool) = db else {
        return Ok(());
    };
    let mut rows = sqlx::query_as::<_, (String, Vec<u8>)>("select sha256, bytes from stored_blob").fetch(pool);
    while let Some((sha256, bytes)) = rows.try_next().await? {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        let name = format!("{FILES_DIR}/{}/{sha256}", sha256.get(..2).unwrap_or("00"));
        tar.append_data(&mut header, name, bytes.as_slice())?;
    }
    Ok(())
}
