//! The points code a volunteer presents at a merchant of the alliance: bound to the volunteer,
//! good for a few minutes, and signed with the instance's index key. A merchant reaches a
//! volunteer's name and points only through a code the volunteer shows, never by walking
//! volunteer ids (issue 28: a merchant read everyone's history that way).

use yijia_kernel::vault::Vault;

use super::qr::{same, Refused};

/// How long a presented code stays good: long enough to pay at the counter, too short to keep.
pub const VALID_MS: i64 = 15 * 60_000;

const FIELD: &str = "volunteers.card";

fn body(volunteer_id: i64, expires_at: i64) -> String {
    format!("P{volunteer_id}.{expires_at}")
}

/// A code for the volunteer, good for [`VALID_MS`] from `now`.
pub fn issue(vault: &Vault, volunteer_id: i64, now: i64) -> String {
    let b = body(volunteer_id, now + VALID_MS);
    let sig = vault.blind(FIELD, &b);
    format!("{b}.{sig}")
}

/// Reads a presented code: the volunteer it was issued to, when it is genuine and still good.
pub fn check(vault: &Vault, token: &str, now: i64) -> Result<i64, Refused> {
    let mut parts = token.trim().split('.');
    let (Some(v), Some(e), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Refused::Forged);
    };
    let (Some(Ok(volunteer_id)), Ok(expires_at)) = (v.strip_prefix('P').map(str::parse::<i64>), e.parse::<i64>())
    else {
        return Err(Refused::Forged);
    };
    if !same(
        vault.blind(FIELD, &body(volunteer_id, expires_at)).as_bytes(),
        sig.as_bytes(),
    ) {
        return Err(Refused::Forged);
    }
    if now > expires_at {
        return Err(Refused::Expired);
    }
    Ok(volunteer_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_presented_code_reads_back_until_it_expires_and_cannot_be_altered() {
        let v = Vault::from_master(&[7; 32]);
        let t = issue(&v, 42, 1_000);
        assert_eq!(check(&v, &t, 1_000 + VALID_MS), Ok(42));
        assert_eq!(check(&v, &t, 1_001 + VALID_MS), Err(Refused::Expired));
        assert_eq!(check(&v, &t.replacen("P42.", "P43.", 1), 1_000), Err(Refused::Forged));
        assert_eq!(check(&Vault::from_master(&[8; 32]), &t, 1_000), Err(Refused::Forged));
        // A check-in code is not a points code, even with the same key.
        let checkin = super::super::qr::issue(&v, 42, super::super::qr::Purpose::CheckIn, 1_000);
        assert_eq!(check(&v, &checkin, 1_000), Err(Refused::Forged));
        for junk in ["", "42", "P42.1", "P.1.x", "Px.1.x", "P1.2.x.y"] {
            assert_eq!(check(&v, junk, 0), Err(Refused::Forged), "{junk}");
        }
    }
}
