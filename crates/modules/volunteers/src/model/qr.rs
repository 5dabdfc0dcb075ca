//! The codes shown at an activity for volunteers to scan: bound to the activity and to check-in
//! or check-out, valid for a few minutes, and signed with the instance's index key so that none
//! can be made up or altered. The leader's screen shows a fresh one every minute, so a photo of
//! the code sent to someone at home stops working soon after.

use yijia_kernel::vault::Vault;

/// How long a code shown on the leader's screen stays good.
pub const VALID_MS: i64 = 5 * 60_000;

/// What a code lets its scanner do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    CheckIn,
    CheckOut,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::CheckIn => "in",
            Purpose::CheckOut => "out",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "in" => Some(Purpose::CheckIn),
            "out" => Some(Purpose::CheckOut),
            _ => None,
        }
    }
}

/// A code as read back: which activity, what for, until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub activity_id: i64,
    pub purpose: Purpose,
    pub expires_at: i64,
}

/// Why a scanned code is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a code of ours, or altered.
    Forged,
    Expired,
}

const FIELD: &str = "volunteers.qr";

fn body(activity_id: i64, purpose: Purpose, expires_at: i64) -> String {
    format!("{activity_id}.{}.{expires_at}", purpose.as_str())
}

/// A code for the activity, good for [`VALID_MS`] from `now`.
pub fn issue(vault: &Vault, activity_id: i64, purpose: Purpose, now: i64) -> String {
    let b = body(activity_id, purpose, now + VALID_MS);
    let sig = vault.blind(FIELD, &b);
    format!("{b}.{sig}")
}

/// Reads a scanned code: its signature first, then its time.
pub fn check(vault: &Vault, token: &str, now: i64) -> Result<Code, Refused> {
    let mut parts = token.trim().split('.');
    let (Some(a), Some(p), Some(e), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refused::Forged);
    };
    let (Ok(activity_id), Some(purpose), Ok(expires_at)) = (a.parse::<i64>(), Purpose::parse(p), e.parse::<i64>())
    else {
        return Err(Refused::Forged);
    };
    let want = vault.blind(FIELD, &body(activity_id, purpose, expires_at));
    if !same(want.as_bytes(), sig.as_bytes()) {
        return Err(Refused::Forged);
    }
    if now > expires_at {
        return Err(Refused::Expired);
    }
    Ok(Code {
        activity_id,
        purpose,
        expires_at,
    })
}

/// Compares in time independent of where the first difference is, so the signature cannot be
/// guessed byte by byte from response times.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(k: u8) -> Vault {
        Vault::from_master(&[k; 32])
    }

    #[test]
    fn a_fresh_code_reads_back() {
        let v = vault(1);
        let t = issue(&v, 42, Purpose::CheckIn, 1_000);
        let c = check(&v, &t, 1_000 + VALID_MS).unwrap();
        assert_eq!((c.activity_id, c.purpose), (42, Purpose::CheckIn));
    }

    #[test]
    fn expired_forged_and_altered_codes_are_refused() {
        let v = vault(1);
        let t = issue(&v, 42, Purpose::CheckIn, 1_000);
        assert_eq!(check(&v, &t, 1_001 + VALID_MS), Err(Refused::Expired));
        // Another instance's key.
        assert_eq!(check(&vault(2), &t, 1_000), Err(Refused::Forged));
        // Another activity, or check-out, with the same signature.
        let other = t.replacen("42.", "43.", 1);
        assert_eq!(check(&v, &other, 1_000), Err(Refused::Forged));
        let out = t.replacen(".in.", ".out.", 1);
        assert_eq!(check(&v, &out, 1_000), Err(Refused::Forged));
        // A later expiry.
        let longer = t.replacen(&format!(".{}.", 1_000 + VALID_MS), ".99999999999.", 1);
        assert_eq!(check(&v, &longer, 1_000), Err(Refused::Forged));
        for junk in ["", "1.in.2", "a.b.c.d", "1.in.2.x.y", "1.sideways.2.abc"] {
            assert_eq!(check(&v, junk, 0), Err(Refused::Forged), "{junk}");
        }
    }
}
