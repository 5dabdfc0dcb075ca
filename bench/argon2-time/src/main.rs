//! `argon2-time PHC_HASH [RUNS]`, password on stdin: verifies the password against the stored
//! hash RUNS times on one thread (after two warm-up runs) and prints one machine-readable line:
//! `ARGON2 {"runs":N,"median_ms":..,"min_ms":..,"max_ms":..,"params":"m=..,t=..,p=.."}`.
//! Exits non-zero if the password does not match (a benchmark of a failing verify is useless).

use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(phc) = args.get(1) else {
        eprintln!("usage: argon2-time PHC_HASH [RUNS] < password");
        return ExitCode::from(2);
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(15).max(1);
    let mut password = String::new();
    if std::io::stdin().read_to_string(&mut password).is_err() {
        eprintln!("cannot read the password from stdin");
        return ExitCode::from(2);
    }
    let password = password.trim_end_matches(['\n', '\r']);
    let hash = match PasswordHash::new(phc) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("not a PHC hash: {e}");
            return ExitCode::from(2);
        }
    };
    let verify = || Argon2::default().verify_password(password.as_bytes(), &hash).is_ok();
    for _ in 0..2 {
        if !verify() {
            eprintln!("the password does not match the hash");
            return ExitCode::from(1);
        }
    }
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let _ = verify();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let median = if ms.len() % 2 == 1 {
        ms[ms.len() / 2]
    } else {
        (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0
    };
    let params: Vec<String> = hash.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    println!(
        "ARGON2 {{\"runs\":{},\"median_ms\":{:.3},\"min_ms\":{:.3},\"max_ms\":{:.3},\"params\":\"{}\",\"algorithm\":\"{}\"}}",
        ms.len(),
        median,
        ms[0],
        ms[ms.len() - 1],
        params.join(","),
        hash.algorithm
    );
    ExitCode::SUCCESS
}
