//! Signing in, with failed attempts counted per account and per address in the database.

use yijia_db::Tx;
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
async fn verify(state: &AppState, username: &str, password: &str, address: &str) -> Result<Verified> {
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
        Some(r) if ok && r.status == "active" => Ok(Verified {
            account_id: r.account_id,
            keys,
        }),
        _ => {
            tracing::info!(account.username = %valid_name, client.address = %address, "failed sign-in");
            Err(bad_credentials())
        }
    }
}

/// A password found right, its attempt still counted until [`Verified::settle`] lands.
struct Verified {
    account_id: i64,
    /// The account's and the address's throttle keys.
    keys: [String; 2],
}

impl Verified {
    /// The account's count starts again; the address only takes this attempt back. Written in
    /// the transaction of what the sign-in gives (a session), so that both land or neither.
    async fn settle(&self, tx: &mut Tx) -> Result<()> {
        repo::throttle_clear(tx, &self.keys[0]).await?;
        repo::throttle_forgive(tx, &self.keys[1]).await
    }

    /// When that transaction failed (a full disk): takes the attempt back from both counts if
    /// the database writes again, so that someone who gave the right password is not locked out
    /// by the server's own failures. Best effort: the counts forget on their own in time.
    async fn take_back(&self, state: &AppState) {
        let taken = async {
            let mut tx = state.db.begin_write().await?;
            for key in &self.keys {
                repo::throttle_forgive(&mut tx, key).await?;
            }
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        if let Err(e) = taken.await {
            tracing::warn!(error = %e, "a sign-in's attempt could not be taken back");
        }
    }
}

/// Checks a username and password (see [`verify`]) and settles the attempt; returns the account.
pub async fn authenticate(state: &AppState, username: &str, password: &str, address: &str) -> Result<i64> {
    let verified = verify(state, username, password, address).await?;
    let settled = async {
        let mut tx = state.db.begin_write().await?;
        verified.settle(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, Error>(())
    };
    if let Err(e) = settled.await {
        verified.take_back(state).await;
        return Err(e);
    }
    Ok(verified.account_id)
}

fn bad_credentials() -> Error {
    Error::Rejected {
        status: 401,
        code: codes::BAD_CREDENTIALS,
        message: Message::new("accounts.bad_credentials"),
    }
}

/// Signs in and starts a session; returns the session cookie's value. The attempt is settled
/// in the session's transaction.
pub async fn login(state: &AppState, username: &str, password: &str, address: &str) -> Result<String> {
    let verified = verify(state, username, password, address).await?;
    let started = async {
        let mut tx = state.db.begin_write().await?;
        verified.settle(&mut tx).await?;
        let secret = session::create(&mut tx, verified.account_id, state.now_ms(), state.config.session_hours).await?;
        tx.commit().await?;
        Ok::<_, Error>(secret)
    };
    match started.await {
        Ok(secret) => {
            tracing::info!(account.id = verified.account_id, "signed in");
            Ok(secret)
        }
        Err(e) => {
            verified.take_back(state).await;
            Err(e)
        }
    }
}
