//! Demo and benchmark accounts. The demo gives one account per role in 西柳沟社区, all with the
//! same published password: it is for trying Yijia out, never for real data.

use yijia_kernel::{secret, Actor, AppState, Result};

use crate::commands::create_account::{create_account, create_with_hash};
use crate::model::NewAccountInput;
use crate::repo;

/// The password of every demo account, printed at start-up.
pub const DEMO_PASSWORD: &str = "xilin-demo-2026";

/// (username, name, phone, role, grid code)
pub const DEMO_ACCOUNTS: &[(&str, &str, &str, &str, &str)] = &[
    ("admin", "平台管理员", "", "platform_admin", ""),
    ("xigu.supervisor", "西固区督导", "0931-7551234", "supervisor", ""),
    ("xlg.admin", "李书记", "0931-7512345", "community_admin", ""),
    ("xlg.staff", "王晓燕", "0931-7512346", "community_staff", ""),
    ("grid1", "马建国", "13909311001", "grid_worker", "G01"),
    ("grid2", "张丽", "13909311002", "grid_worker", "G02"),
    ("party1", "赵红梅", "13909311003", "party_member", ""),
    ("volunteer1", "刘洋", "13909311004", "volunteer", ""),
    ("leader1", "陈志强", "13909311005", "team_leader", ""),
    ("property1", "世茂物业 孙经理", "13909311006", "property_staff", ""),
    ("dept1", "区住建局 周科员", "13909311007", "department_staff", ""),
    ("merchant1", "西柳沟便民超市", "13909311008", "merchant", ""),
    ("resident1", "杨奶奶", "13909311009", "resident", ""),
];

pub async fn load(state: &AppState) -> Result<()> {
    let cli = Actor::cli();
    let hash = secret::with_argon2(|| secret::hash_password(DEMO_PASSWORD)).await??;
    for (username, name, phone, role, grid) in DEMO_ACCOUNTS {
        if repo::find_login(&state.db, username).await?.is_some() {
            continue;
        }
        let input = NewAccountInput {
            username: (*username).into(),
            display_name: (*name).into(),
            phone: (*phone).into(),
            role: (*role).into(),
            district: if *role == "supervisor" {
                "XIGU".into()
            } else {
                String::new()
            },
            community: "XLG".into(),
            grid: (*grid).into(),
            password: DEMO_PASSWORD.into(),
            ..NewAccountInput::default()
        };
        create_with_hash(state, &cli, input.parse()?, &hash).await?;
    }
    Ok(())
}

/// The password of the benchmark's accounts, published in `bench/`: they exist only when
/// `yijia seed --with-accounts` is asked for them.
pub const SEED_PASSWORD: &str = "seed-password-1";

/// The benchmark's accounts (username, role): a platform administrator and a community staff
/// member of the first seeded community.
pub const SEED_ACCOUNTS: &[(&str, &str)] = &[("seed.admin", "platform_admin"), ("seed.staff", "community_staff")];

/// Creates the benchmark's accounts that do not exist yet.
pub async fn seed(state: &AppState) -> Result<()> {
    let cli = Actor::cli();
    for (username, role) in SEED_ACCOUNTS.iter().copied() {
        if repo::find_login(&state.db, username).await?.is_some() {
            continue;
        }
        let input = NewAccountInput {
            username: username.into(),
            display_name: username.into(),
            role: role.into(),
            community: "SEED0001".into(),
            password: SEED_PASSWORD.into(),
            ..NewAccountInput::default()
        };
        create_account(state, &cli, input.parse()?).await?;
    }
    Ok(())
}
