use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use yijia_accounts::commands::{create_account::create_account, tokens::create_api_key};
use yijia_accounts::model::NewAccountInput;
use yijia_kernel::config::Config;
use yijia_kernel::i18n::Locale;
use yijia_kernel::{Actor, AppState, Error};

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an account with one role; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// One of platform_admin, supervisor, community_admin, community_staff, grid_worker,
        /// party_member, volunteer, team_leader, property_staff, department_staff, merchant, resident.
        #[arg(long)]
        role: String,
        /// Community code (every role but platform_admin and supervisor).
        #[arg(long)]
        community: Option<String>,
        /// Grid code within the community (grid_worker).
        #[arg(long)]
        grid: Option<String>,
        /// District code (supervisor).
        #[arg(long)]
        district: Option<String>,
        /// Subdistrict code (supervisor of a subdistrict).
        #[arg(long)]
        subdistrict: Option<String>,
        /// The name people see (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApikeyCommand {
    /// Create an integration API key for a community; the key is printed alone on the last line.
    Create {
        #[arg(long)]
        community: String,
        #[arg(long)]
        name: String,
    },
}

/// A domain error as one readable line, in the operator's language (`LANG`).
fn explain(state: &AppState, e: Error) -> anyhow::Error {
    let locale = std::env::var("LANG")
        .ok()
        .filter(|l| l.starts_with("zh"))
        .map_or(Locale::En, |_| Locale::ZhCn);
    let tr = state.tr(locale);
    match &e {
        Error::Validation(f) => {
            let parts: Vec<String> =
                f.0.iter()
                    .map(|(k, m)| format!("--{}: {}", k.replace('_', "-"), tr.msg(m)))
                    .collect();
            anyhow!("{}", parts.join("; "))
        }
        Error::Internal(_) => anyhow!(e),
        other => anyhow!("{}", tr.msg(&other.message())),
    }
}

pub async fn admin(config: Config, command: AdminCommand) -> anyhow::Result<ExitCode> {
    let AdminCommand::Create {
        username,
        role,
        community,
        grid,
        district,
        subdistrict,
        display_name,
        phone,
        password_stdin: _,
    } = command;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    let state = super::state(config).await?;
    let input = NewAccountInput {
        display_name: display_name.unwrap_or_else(|| username.clone()),
        username,
        phone: phone.unwrap_or_default(),
        role,
        district: district.unwrap_or_default(),
        subdistrict: subdistrict.unwrap_or_default(),
        community: community.unwrap_or_default(),
        grid: grid.unwrap_or_default(),
        password,
    };
    let parsed = input.parse().map_err(|e| explain(&state, e))?;
    let created = create_account(&state, &Actor::cli(), parsed)
        .await
        .map_err(|e| explain(&state, e))?;
    println!(
        "created account {} (id {})",
        input.username.trim().to_ascii_lowercase(),
        created.account_id
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn apikey(config: Config, command: ApikeyCommand) -> anyhow::Result<ExitCode> {
    let ApikeyCommand::Create { community, name } = command;
    let state = super::state(config).await?;
    let key = create_api_key(&state, &Actor::cli(), &community, &name)
        .await
        .map_err(|e| explain(&state, e))?;
    println!("API key for community {community} ({name}); it is shown only once:");
    println!("{key}");
    Ok(ExitCode::SUCCESS)
}

/// Creates the first platform administrator of an empty installation, with a one-time password.
pub async fn first_admin(state: &AppState) -> anyhow::Result<String> {
    let input = NewAccountInput {
        username: "admin".into(),
        display_name: "平台管理员".into(),
        role: "platform_admin".into(),
        ..NewAccountInput::default()
    };
    let mut parsed = input.parse().map_err(|e| explain(state, e))?;
    parsed.password = None;
    let created = create_account(state, &Actor::cli(), parsed)
        .await
        .map_err(|e| explain(state, e))?;
    created
        .generated_password
        .ok_or_else(|| anyhow!("no password was generated"))
}
