//! Sensitive personal information at rest (DOMAIN.md §5): ID numbers, phone numbers, care-group
//! tags and health notes are sealed with AES-256-GCM, and found by exact lookup through a keyed
//! blind index (HMAC-SHA256), so neither the database file nor a backup of it holds them in clear.
//!
//! The master key lives outside the database: the `secret_key` setting (`YIJIA_SECRET_KEY`, 64
//! hex digits), or else the file `secret.key` in the data directory, created on first start.
//! Several instances behind a load balancer must share it. Keys are derived from it, one to
//! seal, one to index and one for the audit chain's MACs, so a leaked index key does not open
//! anything and no key is used for two purposes.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::audit::AuditKey;
use crate::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// The version prefix of a sealed value, so the scheme can change without guessing.
const SEALED_PREFIX: &str = "v1:";

/// Seals and indexes sensitive fields.
pub struct Vault {
    /// A value derived from the master key under a label of its own: the database records it
    /// to tell a mismatched key at start (see `keycheck`); it opens nothing.
    check: String,
    cipher: Aes256Gcm,
    index_key: [u8; 32],
    audit_key: AuditKey,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).unwrap_or_else(|_| unreachable!("any key length works"));
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Vault {
    /// The vault of a master key, with each sub-key derived under its own label.
    pub fn from_master(master: &[u8; 32]) -> Vault {
        let seal_key = derive(master, "yijia/seal/v1");
        Vault {
            check: hex::encode(&derive(master, "yijia/key-check/v1")[..16]),
            cipher: Aes256Gcm::new(&seal_key.into()),
            index_key: derive(master, "yijia/index/v1"),
            audit_key: AuditKey::new(&derive(master, "yijia/audit-chain/v1")),
        }
    }

    /// The key's check value, which the database keeps (see `keycheck`).
    pub fn check_value(&self) -> &str {
        &self.check
    }

    /// The key the audit chain is sealed with.
    pub fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }

    /// The key from `configured` (the `secret_key` setting, hex) when given, else from
    /// `DATA_DIR/secret.key`, creating that file (readable by its owner only) when it does not
    /// exist yet.
    pub fn load(data_dir: &Path, configured: Option<&str>) -> anyhow::Result<Vault> {
        if let Some(hexkey) = configured {
            return Ok(Vault::from_master(&parse_key(hexkey.trim())?));
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Vault::from_master(
                &parse_key(text.trim()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                std::fs::create_dir_all(data_dir)?;
                write_private(&path, &hex::encode(key))?;
                tracing::info!(key.path = %path.display(), "created the key for sensitive fields; back it up apart from the database");
                Ok(Vault::from_master(&key))
            }
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    /// The key from `configured` or `DATA_DIR/secret.key` when one exists; `None` when neither
    /// does (a restore must not invent a key the backup was not sealed with).
    pub fn existing(data_dir: &Path, configured: Option<&str>) -> anyhow::Result<Option<Vault>> {
        if configured.is_some() || data_dir.join("secret.key").is_file() {
            return Vault::load(data_dir, configured).map(Some);
        }
        Ok(None)
    }

    /// `v1:` + base64(nonce ‖ ciphertext). `field` is bound as associated data, so a sealed
    /// phone number copied into the ID column does not open.
    pub fn seal(&self, field: &str, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: field.as_bytes(),
        };
        // Encryption fails only for messages beyond 64 GiB.
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{SEALED_PREFIX}{}", B64.encode(out))
    }

    /// Opens a value sealed for the same field; an error when it was sealed with another key
    /// or altered.
    pub fn open(&self, field: &str, sealed: &str) -> Result<String> {
        let fail = || Error::Internal(anyhow::anyhow!("a sealed {field} does not open with this key"));
        let raw = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .ok_or_else(fail)?;
        if raw.len() < 12 {
            return Err(fail());
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }

    /// The keyed index of a normalised value: equal values give equal indexes, and without the
    /// key nobody can test a guess. `field` keeps the indexes of different fields apart.
    pub fn blind(&self, field: &str, value: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key)
            .unwrap_or_else(|_| unreachable!("any key length works"));
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

fn parse_key(hexkey: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(hexkey).map_err(|_| anyhow::anyhow!("the secret key must be 64 hex digits"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the secret key must be 64 hex digits (32 bytes)"))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_for_its_field_and_never_shows_in_clear() {
        let v = Vault::from_master(&[7; 32]);
        let s = v.seal("resident.id_number", "11010519491231002X");
        assert!(!s.contains("11010519491231002X"));
        assert_ne!(
            s,
            v.seal("resident.id_number", "11010519491231002X"),
            "a fresh nonce each time"
        );
        assert_eq!(v.open("resident.id_number", &s).unwrap(), "11010519491231002X");
        assert!(v.open("resident.phone", &s).is_err());
        assert!(Vault::from_master(&[8; 32]).open("resident.id_number", &s).is_err());
    }

    #[test]
    fn the_blind_index_is_stable_per_key_and_field() {
        let v = Vault::from_master(&[7; 32]);
        assert_eq!(v.blind("phone", "13800000000"), v.blind("phone", "13800000000"));
        assert_ne!(v.blind("phone", "13800000000"), v.blind("id", "13800000000"));
        assert_ne!(
            v.blind("phone", "13800000000"),
            Vault::from_master(&[8; 32]).blind("phone", "13800000000")
        );
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Vault::load(dir.path(), None).unwrap();
        let sealed = a.seal("f", "x");
        let b = Vault::load(dir.path(), None).unwrap();
        assert_eq!(b.open("f", &sealed).unwrap(), "x");
        assert!(Vault::load(dir.path(), Some("zz")).is_err());
    }
}
