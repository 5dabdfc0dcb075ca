//! Signing in, with failed attempts counted per account and per address in the database.

use yijia_kernel::error::Message;
use yijia_kernel::{secret, session, AppState, Error, Result};

use crate::codes;
use crate::repo;

/// Checks a username and password. Each attempt is counted per account and per address before
/// the password is checked, so that parallel guesses are all counted; past the limit the
/// account (or the address) is locked for a while. While either is locked the attempt is refused
/// without being counted or checked: the right password then gets the lock's message, but neither
/// extends the lock nor spends the address's allowance (one person retrying a locked account must
/// not lock out everyone else at their address), and the answer is the same whatever the password,
/// so a lock reveals nothing. A successful sign-in starts the account's count again and takes its
/// attempt back from the address's, so people who sign in are never locked out by their own
/// traffic. Attempts are counted once an Argon2 turn is granted, so the attempts in flight are few
/// even when many sign in at once from one address. `address` is the client's, as
/// [`yijia_web::ClientAddr`] finds it behind trusted proxies.
pub async fn authenticate(state: &AppState, username: &str, password: &str, address: &str) -> Result<i64> {
    let cfg = &state.config;
    let username = username.trim().to_ascii_lowercase();
    let mut e = yijia_kernel::FieldErrors::default();
    let valid_name = crate::model::username(&mut e, "username", &username);
    let plausible = e.is_empty() && !password.is_empty() && password.chars().count() <= crate::model::MAX_PASSWORD;
    // A name that cannot exist is still counted against the address, under one shared key.
    let account_key = if plausible {
        format!("account:{valid_name}")
    } else {
        "account:(invalid)".to_owned()
    };
    let keys = [account_key, format!("address:{address}")];
    let window = cfg.lock_minutes * 60_000;
    let _turn = secret::argon2_slot().await?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let mut locked = None;
    for key in &keys {
        locked = locked.max(repo::throttle_locked_until(&mut tx, key, now).await?);
    }
    if locked.is_none() {
        for (key, max) in keys.iter().zip([cfg.account_max_failures, cfg.address_max_failures]) {
            locked = locked.max(repo::throttle_attempt(&mut tx, key, now, window, max).await?);
        }
    }
    tx.commit().await?;
    if let Some(until) = locked {
        let secs = u64::try_from((until - now + 999) / 1000).unwrap_or(60);
        return Err(Error::TooManyRequests { retry_after_secs: secs });
    }
    if !plausible {
        return Err(bad_credentials());
    }
    let row = repo::find_login(&state.db, &valid_name).await?;
    let hash = row
        .as_ref()
        .map_or(secret::dummy_hash(), |r| r.password_hash.as_str())
        .to_owned();
    let pw = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || secret::verify_password(&pw, &hash))
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    match row {
        Some(r) if ok && r.status == "active" => {
            // The account's count starts again; the address only takes this attempt back.
            let mut tx = state.db.begin_write().await?;
            repo::throttle_clear(&mut tx, &keys[0]).await?;
            repo::throttle_forgive(&mut tx, &keys[1]).await?;
            tx.commit().await?;
            Ok(r.account_id)
        }
        _ => {
            tracing::info!(account.username = %valid_name, client.address = %address, "failed sign-in");
            Err(bad_credentials())
        }
    }
}

fn bad_credentials() -> Error {
    Error::Rejected {
        status: 401,
        code: codes::BAD_CREDENTIALS,
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
