//! Signing in, with failed attempts counted per account and per address in the database.

use yijia_kernel::error::Message;
use yijia_kernel::{secret, session, AppState, Error, Result};

use crate::repo;

/// Checks a username and password. Too many failures lock the account (and the address) for a
/// while; while locked, even the right password is refused, so guessing gains nothing.
pub async fn authenticate(state: &AppState, username: &str, password: &str, address: &str) -> Result<i64> {
    let now = state.now_ms();
    let cfg = &state.config;
    let username = username.trim().to_ascii_lowercase();
    // Usernames are at most 32 characters; a longer one is still counted, under a bounded key.
    let key_name: String = username.chars().take(64).collect();
    let keys = [format!("account:{key_name}"), format!("address:{address}")];
    let mut had_failures = false;
    for (i, key) in keys.iter().enumerate() {
        if let Some(t) = repo::throttle(&state.db, key).await? {
            if t.locked_until > now {
                let secs = u64::try_from((t.locked_until - now + 999) / 1000).unwrap_or(60);
                return Err(Error::TooManyRequests { retry_after_secs: secs });
            }
            had_failures |= i == 0 && t.failures > 0;
        }
    }
    if username.is_empty() || password.is_empty() || password.chars().count() > crate::model::MAX_PASSWORD {
        return Err(bad_credentials());
    }
    let row = repo::find_login(&state.db, &username).await?;
    let hash = row
        .as_ref()
        .map_or(secret::dummy_hash(), |r| r.password_hash.as_str())
        .to_owned();
    let pw = password.to_owned();
    let ok = secret::with_argon2(move || secret::verify_password(&pw, &hash)).await?;
    let window = cfg.lock_minutes * 60_000;
    match row {
        Some(r) if ok && r.status == "active" => {
            if had_failures {
                let mut tx = state.db.begin_write().await?;
                repo::throttle_clear(&mut tx, &keys[0]).await?;
                tx.commit().await?;
            }
            Ok(r.account_id)
        }
        _ => {
            let mut tx = state.db.begin_write().await?;
            repo::throttle_fail(&mut tx, &keys[0], now, window, cfg.account_max_failures).await?;
            repo::throttle_fail(&mut tx, &keys[1], now, window, cfg.address_max_failures).await?;
            tx.commit().await?;
            tracing::info!(account.username = %username, client.address = %address, "failed sign-in");
            Err(bad_credentials())
        }
    }
}

fn bad_credentials() -> Error {
    Error::Rejected {
        status: 401,
        message: Message::new("accounts.bad_credentials"),
    }
}

/// Signs in and starts a session; returns the session cookie's value.
pub async fn login(state: &AppState, username: &str, password: &str, address: &str) -> Result<String> {
    let account_id = authenticate(state, username, password, address).await?;
    let mut tx = state.db.begin_write().await?;
    let secret = session::create(&mut tx, account_id, state.now_ms(), state.config.session_hours).await?;
    tx.commit().await?;
    tracing::info!(account.id = account_id, "signed in");
    Ok(secret)
}
