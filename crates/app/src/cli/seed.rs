//! `yijia seed`: synthetic data at scale for benchmarks. It writes thousands of made-up people,
//! so it refuses a database that holds anything but its own data and the demo's unless forced,
//! and it creates accounts with the benchmark's published password only when asked.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args as ClapArgs;
use yijia_db::on_db;
use yijia_kernel::config::Config;
use yijia_kernel::module::SeedParams;
use yijia_kernel::AppState;

#[derive(ClapArgs, Debug)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 1)]
    communities: u32,
    #[arg(long, default_value_t = 1000)]
    residents_per_community: u32,
    /// Appeals per community, in every state of the loop, raised over the last 180 days.
    #[arg(long, default_value_t = 1000)]
    appeals_per_community: u32,
    /// Volunteers per community, in 6 teams, with a year of activities, shifts and sign-ups.
    #[arg(long, visible_alias = "volunteers", default_value_t = 0)]
    volunteers_per_community: u32,
    /// Ledger entries per community (service hours and points, from those activities).
    #[arg(long, visible_alias = "ledger-entries", default_value_t = 0)]
    ledger_entries_per_community: u64,
    /// Also create the benchmark's accounts, seed.admin (platform administrator) and seed.staff
    /// (staff of SEED0001), with the published password seed-password-1: never on a server
    /// others can reach.
    #[arg(long)]
    with_accounts: bool,
    /// Seed even a database that holds data other than the seed's and the demo's.
    #[arg(long)]
    force: bool,
}

/// Usernames that the seed, the demo and the first start (`admin`) create.
fn known_usernames() -> Vec<&'static str> {
    let seed = yijia_accounts::demo::SEED_ACCOUNTS.iter().map(|(u, _)| *u);
    let demo = yijia_accounts::demo::DEMO_ACCOUNTS.iter().map(|(u, ..)| *u);
    seed.chain(demo).chain(["admin"]).collect()
}

/// The first thing in the database that neither the seed nor the demo wrote, if any: a
/// district or community under another code, or an account under another name. The seed's
/// places are all coded `SEED…` and the demo's `XIGU` / `XLG`; people, appeals and the rest
/// live in a community, so these few indexed lookups stand for the whole database.
async fn real_data(state: &AppState) -> anyhow::Result<Option<String>> {
    // The names are constants of this program, not input: written into the statement, they keep
    // it one portable query on both backends.
    let names = known_usernames()
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let queries = [
        (
            "district",
            "select code from district where code not in ('SEED', 'XIGU') limit 1".to_owned(),
        ),
        (
            "community",
            "select code from community where code <> 'XLG' and code not like 'SEED%' limit 1".to_owned(),
        ),
        (
            "account",
            format!("select username from account where username not in ({names}) limit 1"),
        ),
    ];
    for (what, sql) in queries {
        let found: Option<String> = on_db!(&state.db, |p| sqlx::query_scalar(sql.as_str())
            .fetch_optional(p)
            .await?);
        if let Some(name) = found {
            return Ok(Some(format!("{what} {name}")));
        }
    }
    Ok(None)
}

pub async fn run(config: Config, a: SeedArgs) -> anyhow::Result<ExitCode> {
    if a.communities == 0 {
        bail!("--communities must be at least 1");
    }
    let state = super::state(config).await?;
    if !a.force {
        if let Some(found) = real_data(&state).await? {
            bail!(
                "this database holds data that is neither the seed's nor the demo's ({found}); \
                 the seed would mix thousands of made-up people into it. Point --database-url or \
                 --data-dir at a database of its own, or pass --force"
            );
        }
    }
    let params = SeedParams {
        communities: a.communities,
        residents_per_community: a.residents_per_community,
        appeals_per_community: a.appeals_per_community,
        volunteers_per_community: a.volunteers_per_community,
        ledger_entries_per_community: a.ledger_entries_per_community,
        accounts: a.with_accounts,
    };
    for m in state.modules.iter() {
        m.seed(&state, params)
            .await
            .with_context(|| format!("seeding module {}", m.name()))?;
    }
    state
        .db
        .analyze(&[])
        .await
        .context("refreshing the planner's statistics")?;
    println!(
        "seeded {} communities of about {} residents",
        a.communities, a.residents_per_community
    );
    if a.with_accounts {
        println!(
            "benchmark accounts, all with the published password {}:",
            yijia_accounts::demo::SEED_PASSWORD
        );
        for (username, role) in yijia_accounts::demo::SEED_ACCOUNTS {
            println!("  {username:<12} {role}");
        }
    } else {
        println!("no accounts created (--with-accounts creates the benchmark's)");
    }
    Ok(ExitCode::SUCCESS)
}
