use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args as ClapArgs;
use yijia_db::on_db;
use yijia_kernel::config::Config;
use yijia_kernel::outbox::{self, Senders, Stopping};
use yijia_kernel::AppState;

#[derive(ClapArgs, Debug)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "YIJIA_LISTEN")]
    pub listen: Option<String>,
    /// Load the demo community when the database is empty.
    #[arg(long)]
    pub demo: bool,
}

async fn is_empty(state: &AppState) -> anyhow::Result<bool> {
    let n: i64 = on_db!(&state.db, |p| sqlx::query_scalar(
        "select (select count(*) from account) + (select count(*) from community)"
    )
    .fetch_one(p)
    .await?);
    Ok(n == 0)
}

pub async fn run(mut config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    init_logs(&config.log)?;
    if let Some(l) = args.listen {
        config.listen = l;
    }
    let addr: SocketAddr = config
        .listen
        .parse()
        .with_context(|| format!("--listen {:?} is not an address such as 127.0.0.1:8080", config.listen))?;
    let state = super::state(config).await?;
    // Under the start lock: of instances started together on an empty database, one loads the
    // first data and the others find it there.
    let lock = state.db.startup_lock().await?;
    if is_empty(&state).await? {
        if args.demo {
            super::load_demo(&state).await?;
            print_demo_accounts();
        } else {
            let password = super::admin::first_admin(&state).await?;
            println!(
                "No accounts yet: created the platform administrator `admin` with the one-time password {password}"
            );
            println!("Sign in and change it at once.");
        }
    } else if args.demo {
        tracing::info!("database not empty: the demo was not loaded");
    }
    drop(lock);
    if yijia_kernel::files::in_database(state.db.backend()) {
        // Photos kept in this instance's folder before their bytes moved into the database.
        match yijia_kernel::files::keep_folder(&state.db, &state.config.data_dir.join("files")).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                files = n,
                "moved stored files from the data directory into the database"
            ),
            Err(e) => tracing::warn!(error = %e, "could not move stored files into the database"),
        }
    }
    match yijia_kernel::files::sweep_partial(&state.config.data_dir) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "removed pieces of file writes that never finished"),
        Err(e) => tracing::warn!(error = %e, "could not look for unfinished file writes"),
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    // The port actually taken, when port 0 asked for any free one.
    let addr = listener.local_addr().unwrap_or(addr);
    let app = yijia_web::app(state.clone());
    tokio::spawn(tick_forever(state.clone()));
    let senders = yijia_kernel::outbox::Senders::from_config(&state.config)?;
    let (stop_delivery, stopping) = Stopping::new();
    let delivery = tokio::spawn(deliver_forever(state.clone(), senders, stopping));
    tracing::info!(listen = %addr, startup_ms = started.elapsed().as_millis(), "Yijia is serving");
    println!(
        "Yijia 驿家 is serving at http://{addr}/ (started in {} ms)",
        started.elapsed().as_millis()
    );
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let limits = super::http::Limits {
        headers: Duration::from_secs(state.config.header_timeout_secs),
        grace,
    };
    let stopped = Instant::now();
    super::http::serve(listener, app, limits, async {
        shutdown().await;
        tracing::info!("shutting down");
        // Messages being sent finish; those taken and not started go back at once.
        let _ = stop_delivery.send(true);
    })
    .await;
    let left = grace.saturating_sub(stopped.elapsed()).max(Duration::from_secs(1));
    if tokio::time::timeout(left, delivery).await.is_err() {
        tracing::warn!("messages were still being sent at the end of the grace period; their leases run out");
    }
    state.db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// How often a serving instance anchors the audit chains' heads (and once when it starts).
/// Each anchor is a line per community; a day keeps the file small, and a chain cut short
/// within the day is still caught by the next backup's or the next day's anchor.
const ANCHOR_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Runs every module's background work once a minute, and anchors the audit chains once a day;
/// a failure is logged and retried at the next tick.
async fn tick_forever(state: yijia_kernel::AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut anchored: Option<Instant> = None;
    loop {
        every.tick().await;
        if anchored.is_none_or(|t| t.elapsed() >= ANCHOR_EVERY) {
            match yijia_kernel::audit::anchor::write(&state.db, &state.config.data_dir, state.now_ms()).await {
                Ok(_) => anchored = Some(Instant::now()),
                Err(e) => tracing::warn!(error = %e, "anchoring the audit chains failed; retried next minute"),
            }
        }
        for m in state.modules.iter() {
            if let Err(e) = m.tick(&state).await {
                tracing::warn!(module = m.name(), error = %e, "background work failed; retried next minute");
            }
        }
    }
}

/// Sends the outbox's messages every few seconds (webhooks should arrive while they matter),
/// round after round while a backlog lasts; a failed round is logged and the next one tries
/// again. Ends when the process stops, once the messages on their way are recorded.
async fn deliver_forever(state: yijia_kernel::AppState, senders: Senders, mut stopping: Stopping) {
    let mut every = tokio::time::interval(Duration::from_secs(5));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for round in 0_u64.. {
        tokio::select! {
            _ = every.tick() => {}
            () = stopping.wait() => return,
        }
        loop {
            match outbox::deliver_round(&state, &senders, &stopping).await {
                Ok(done) if done.full_batch && !stopping.now() => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox delivery failed; retried in a moment");
                    break;
                }
            }
        }
        if stopping.now() {
            return;
        }
        // Once an hour, messages delivered long ago go.
        if round % 720 == 0 {
            if let Err(e) = outbox::prune(&state.db, state.now_ms()).await {
                tracing::warn!(error = %e, "outbox clean-up failed");
            }
        }
    }
}

fn print_demo_accounts() {
    println!(
        "Loaded the demo community 西柳沟社区 (西邻驿家). Demo accounts, all with the password {}:",
        yijia_accounts::demo::DEMO_PASSWORD
    );
    for (username, name, _, role, _) in yijia_accounts::demo::DEMO_ACCOUNTS {
        println!("  {username:<16} {role:<17} {name}");
    }
}

/// Logs as the `log` setting says. A filter that does not read stops the start rather than
/// falling back to the default: the operator who mistyped `sqlx=debug` learns it at once, not
/// after searching the log for lines that were never written.
fn init_logs(filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .map_err(|e| anyhow::anyhow!("the log filter {filter:?} (YIJIA_LOG) does not read: {e}"))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
