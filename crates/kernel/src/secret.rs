//! Passwords (Argon2id) and bearer secrets (session ids, tokens: random, stored only as hashes).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hashes a password with Argon2id and its default parameters (19 MiB, 2 passes).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// At most one Argon2 computation per core at a time. Each takes 19 MiB and tens of
/// milliseconds; without a bound, a burst of sign-ins runs them all at once on the blocking pool,
/// and the allocator keeps every buffer (memory was seen to grow by gigabytes). Waiters queue
/// in order, and a client that hangs up before its turn costs nothing.
fn argon2_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)))
}

/// Waits for a turn to run Argon2; the turn lasts as long as the permit is held.
pub async fn argon2_slot() -> anyhow::Result<tokio::sync::SemaphorePermit<'static>> {
    Ok(argon2_slots().acquire().await?)
}

/// Runs an Argon2 computation off the async workers, within the bound of [`argon2_slots`].
pub async fn with_argon2<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _slot = argon2_slot().await?;
    Ok(tokio::task::spawn_blocking(f).await?)
}

/// A hash to compare against when the account does not exist, so that a wrong username costs
/// the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3rVvq9nO3kQ8Ue3Yq1lQq5y5o6j8K1j2mY6v7dHcK2s"
}

/// A new random secret with a readable prefix, e.g. `yjs_…` for sessions, `yjt_…` for tokens.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// How a secret is stored: its SHA-256. Secrets are random and long, so a fast hash suffices.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A password a person can type from a phone: 12 characters without look-alikes.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("西邻驿家2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("西邻驿家2026", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_password("x", dummy_hash()));
    }

    #[test]
    fn secrets_are_unique_and_stored_as_hashes() {
        let a = new_secret("yjs_");
        assert_ne!(a, new_secret("yjs_"));
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }
}
