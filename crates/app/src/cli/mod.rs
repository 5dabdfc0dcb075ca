//! The operator's contract (DESIGN.md): every subcommand, its flags and the environment.

mod admin;
mod backup;
mod http;
mod seed;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use yijia_db::{Db, DbUrl, StartupLock};
use yijia_kernel::clock::Clock;
use yijia_kernel::config::Config;
use yijia_kernel::AppState;

#[derive(Parser, Debug)]
#[command(
    name = "yijia",
    version,
    about = "Yijia 驿家 — community governance and service platform"
)]
pub struct Args {
    /// Settings file (TOML); `./yijia.toml` is read when present.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://… (default: DATA_DIR/yijia.db).
    #[arg(long, global = true, env = "YIJIA_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Folder for the SQLite file and stored files.
    #[arg(long, global = true, env = "YIJIA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply migrations, then serve (the default; without a subcommand the demo loads into an empty database).
    Serve(serve::ServeArgs),
    /// Apply migrations and exit.
    Migrate,
    /// Load the demo community (西柳沟社区); running it again changes nothing.
    Demo,
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Manage integration API keys.
    Apikey {
        #[command(subcommand)]
        command: admin::ApikeyCommand,
    },
    /// Write synthetic data at scale for benchmarks.
    Seed(seed::SeedArgs),
    /// Write a consistent backup of the database and stored files.
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Restore a backup into an empty database.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Check the audit log's hash chains.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Exit 0 when every chain is intact; otherwise name the first broken row and exit 1.
    Verify,
}

/// Settings from the file, the environment and the flags, in that order of strength.
pub fn config(args: &Args) -> anyhow::Result<Config> {
    let file = match &args.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("yijia.toml")).filter(|p| p.exists()),
    };
    let mut c = Config::load(file.as_deref())?;
    if let Some(u) = &args.database_url {
        c.database_url = u.clone();
    }
    if let Some(d) = &args.data_dir {
        c.data_dir = d.clone();
    }
    Ok(c)
}

/// Makes sure the data folder exists and can be written, with a clear message otherwise.
fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let probe = dir.join(".yijia-write-check");
    std::fs::write(&probe, b"ok").with_context(|| format!("the data directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Opens and migrates the database the settings name. Instances starting together take turns
/// (see `StartupLock`), so one migrates and the others find the schema current.
pub async fn open(config: &Config) -> anyhow::Result<Db> {
    let (db, _lock) = connect_locked(config).await?;
    db.migrate().await.context("applying migrations")?;
    Ok(db)
}

/// The backend the settings name.
pub fn backend_of(config: &Config) -> anyhow::Result<yijia_db::Backend> {
    if config.database_url.is_empty() {
        return Ok(yijia_db::Backend::Sqlite);
    }
    Ok(DbUrl::parse(&config.database_url)?.backend())
}

/// Opens the database the settings name, without migrating it, holding the start lock: on
/// SQLite it is taken before the file is opened, since opening a new file switches it to WAL,
/// which a second process opening it at the same moment is refused ("database is locked").
pub(crate) async fn connect_locked(config: &Config) -> anyhow::Result<(Db, StartupLock)> {
    let url = url_of(config)?;
    let early = StartupLock::before_connect(&url).await?;
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("database {}", url.redacted()))?;
    let lock = match early {
        Some(lock) => lock,
        None => db.startup_lock().await?,
    };
    Ok((db, lock))
}

/// The database URL the settings name, its data directory made ready for SQLite.
fn url_of(config: &Config) -> anyhow::Result<DbUrl> {
    let url = if config.database_url.is_empty() {
        prepare_data_dir(&config.data_dir)?;
        DbUrl::sqlite_file(&config.data_dir.join("yijia.db"))
    } else {
        let url = DbUrl::parse(&config.database_url)?;
        if url.backend() == yijia_db::Backend::Sqlite {
            prepare_data_dir(&config.data_dir)?;
        }
        url
    };
    Ok(url)
}

/// The database migrated, its key checked (or recorded at the first start, see `keycheck`), and
/// the state built on them.
pub async fn state(config: Config) -> anyhow::Result<AppState> {
    let (db, lock) = connect_locked(&config).await?;
    db.migrate().await.context("applying migrations")?;
    let vault = yijia_kernel::keycheck::vault_for(&db, &config.data_dir, config.secret_key.as_deref()).await?;
    drop(lock);
    yijia_web::build_state(db, config, Clock::System, crate::modules(), vault)
}

/// Loads every module's demo data, in module order.
pub async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    for m in state.modules.iter() {
        m.demo(state)
            .await
            .with_context(|| format!("demo data of module {}", m.name()))?;
    }
    Ok(())
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = config(&args)?;
    match args.command {
        None => {
            serve::run(
                config,
                serve::ServeArgs {
                    listen: None,
                    demo: true,
                },
            )
            .await
        }
        Some(Command::Serve(s)) => serve::run(config, s).await,
        Some(Command::Migrate) => {
            let db = open(&config).await?;
            db.close().await;
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo) => {
            let state = state(config).await?;
            let _lock = state.db.startup_lock().await?;
            load_demo(&state).await?;
            println!("demo community loaded: 西柳沟社区 (XLG)");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Admin { command }) => admin::admin(config, command).await,
        Some(Command::Apikey { command }) => admin::apikey(config, command).await,
        Some(Command::Seed(a)) => seed::run(config, a).await,
        Some(Command::Backup { to }) => backup::backup(config, &to).await,
        Some(Command::Restore { from }) => backup::restore(config, &from).await,
        Some(Command::Audit {
            command: AuditCommand::Verify,
        }) => audit_verify(config).await,
    }
}

/// `yijia audit verify`: every chain in the database, then the database against the latest
/// anchor of each chain. Exit 0 only when both hold; otherwise each problem is named on stderr.
async fn audit_verify(config: Config) -> anyhow::Result<ExitCode> {
    use yijia_kernel::audit::{self, anchor};
    // The anchors before the database: a chain read after its anchor can only have grown.
    let anchors = anchor::latest(&config.data_dir)?;
    let vault = yijia_kernel::vault::Vault::existing(&config.data_dir, config.secret_key.as_deref())?.ok_or_else(|| {
        anyhow::anyhow!(
            "the audit log is sealed with the installation's key and there is none here: put its secret.key in {} or set YIJIA_SECRET_KEY",
            config.data_dir.display()
        )
    })?;
    let db = open(&config).await?;
    let chains = audit::verify(&db, vault.audit_key()).await?;
    let findings = anchor::check(&db, &anchors).await?;
    db.close().await;
    let verified = match chains {
        Ok(v) => Some(v),
        Err(broken) => {
            eprintln!("{broken}");
            None
        }
    };
    for f in &findings {
        eprintln!("{f}");
    }
    match verified {
        Some(v) if findings.is_empty() => {
            println!(
                "audit log intact: {} chains, {} entries; {} chains reach their anchors in {}",
                v.chains,
                v.rows,
                anchors.len(),
                anchor::path(&config.data_dir).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => Ok(ExitCode::FAILURE),
    }
}
