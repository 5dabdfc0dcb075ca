//! Settings: defaults in code, then `yijia.toml`, then `YIJIA_*` environment variables, then the
//! command line. Secrets (the database URL may hold a password) never print.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::net::IpNet;

/// Every setting, with its default.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…`; empty means `DATA_DIR/yijia.db`.
    pub database_url: String,
    /// Where the SQLite file, uploaded files and keys live.
    pub data_dir: PathBuf,
    /// Mark cookies `Secure` (sent over HTTPS only). Unset: whenever `public_url` is `https://`;
    /// set it (env `YIJIA_SECURE_COOKIES=1` or `0`) only to override that, e.g. `true` for an HTTPS
    /// site reached without a configured public URL.
    pub secure_cookies: Option<bool>,
    /// How long a session lasts without activity, in hours.
    pub session_hours: i64,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Failed logins on one account before it is locked for `lock_minutes`.
    pub account_max_failures: i64,
    /// Failed logins from one address before it is locked for `lock_minutes`.
    pub address_max_failures: i64,
    /// How long a lock after too many failed logins lasts, in minutes.
    pub lock_minutes: i64,
    /// The address people reach Yijia at (`https://yijia.example.cn`), for links in e-mails;
    /// empty: the links are paths.
    pub public_url: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`["127.0.0.1", "10.0.0.0/8"]`; env
    /// `YIJIA_TRUSTED_PROXIES`, comma-separated). Empty: the connection's own peer is the client,
    /// so behind a proxy every sign-in would seem to come from the proxy and share one limit.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8080".to_owned(),
            database_url: String::new(),
            data_dir: PathBuf::from("./data"),
            secure_cookies: None,
            session_hours: 12,
            max_body_bytes: 2 * 1024 * 1024,
            account_max_failures: 5,
            address_max_failures: 30,
            lock_minutes: 15,
            public_url: String::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Config {
    /// Reads `yijia.toml` (when present) over the defaults, then the environment over both.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    /// Refuses values that would break or silently disable something (a session that never
    /// lasts, throttling that never locks, arithmetic that overflows).
    pub fn validate(&self) -> anyhow::Result<()> {
        let check = |name: &str, v: i64, lo: i64, hi: i64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(anyhow::anyhow!("{name} must be between {lo} and {hi}, not {v}"))
            }
        };
        check("session_hours", self.session_hours, 1, 24 * 366)?;
        check("lock_minutes", self.lock_minutes, 1, 24 * 60)?;
        check("account_max_failures", self.account_max_failures, 1, 1000)?;
        check("address_max_failures", self.address_max_failures, 1, 100_000)?;
        check(
            "max_body_bytes",
            i64::try_from(self.max_body_bytes).unwrap_or(i64::MAX),
            1024,
            1 << 30,
        )?;
        Ok(())
    }

    /// Whether people reach Yijia over HTTPS, as the public URL says.
    pub fn public_is_https(&self) -> bool {
        self.public_url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }

    /// Whether cookies carry `Secure`: the explicit setting, or else an `https` public URL.
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies.unwrap_or_else(|| self.public_is_https())
    }

    /// Applies `YIJIA_*` variables (and `DATABASE_URL` when `YIJIA_DATABASE_URL` is unset).
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = var("YIJIA_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = var("YIJIA_DATABASE_URL").or_else(|| var("DATABASE_URL")) {
            self.database_url = v;
        }
        if let Some(v) = var("YIJIA_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = var("YIJIA_PUBLIC_URL") {
            self.public_url = v.trim().trim_end_matches('/').to_owned();
        }
        if let Some(v) = var("YIJIA_SECURE_COOKIES") {
            self.secure_cookies = match v.trim() {
                "" => None,
                "1" | "true" | "yes" => Some(true),
                "0" | "false" | "no" => Some(false),
                _ => anyhow::bail!("YIJIA_SECURE_COOKIES must be 1 or 0, not {v:?}"),
            };
        }
        if let Some(v) = var("YIJIA_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .filter(|p| !p.trim().is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| anyhow::anyhow!("YIJIA_TRUSTED_PROXIES: {e}"))?;
        }
        if let Some(v) = var("YIJIA_SESSION_HOURS") {
            self.session_hours = v
                .parse()
                .ok()
                .filter(|h| *h > 0)
                .ok_or_else(|| anyhow::anyhow!("YIJIA_SESSION_HOURS must be a positive whole number, not {v:?}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_defaults() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "YIJIA_LISTEN" => Some("0.0.0.0:9000".into()),
            "DATABASE_URL" => Some("postgres://x@y/z".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.database_url, "postgres://x@y/z");
    }

    #[test]
    fn cookies_are_secure_with_an_https_public_url_unless_set_otherwise() {
        let mut c = Config::default();
        assert!(!c.cookies_secure());
        c.apply_env(|k| (k == "YIJIA_PUBLIC_URL").then(|| "HTTPS://yijia.example.cn/".into()))
            .unwrap();
        assert!(c.public_is_https() && c.cookies_secure());
        c.apply_env(|k| (k == "YIJIA_SECURE_COOKIES").then(|| "0".into()))
            .unwrap();
        assert!(!c.cookies_secure());
        assert!(c
            .apply_env(|k| (k == "YIJIA_SECURE_COOKIES").then(|| "maybe".into()))
            .is_err());
        let c: Config = toml::from_str("public_url = \"http://10.0.0.2\"\nsecure_cookies = true").unwrap();
        assert!(!c.public_is_https() && c.cookies_secure());
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_a_comma_separated_variable() {
        let c: Config = toml::from_str("trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]").unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(toml::from_str::<Config>("trusted_proxies = [\"proxy\"]").is_err());
        let mut c = Config::default();
        c.apply_env(|k| (k == "YIJIA_TRUSTED_PROXIES").then(|| "127.0.0.1, ::1".into()))
            .unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(c
            .apply_env(|k| (k == "YIJIA_TRUSTED_PROXIES").then(|| "127.0.0.1,x".into()))
            .is_err());
    }

    #[test]
    fn a_bad_number_in_the_environment_is_an_error() {
        let mut c = Config::default();
        let e = c.apply_env(|k| (k == "YIJIA_SESSION_HOURS").then(|| "soon".into()));
        assert!(e.is_err());
    }

    #[test]
    fn values_that_would_break_something_are_refused() {
        for bad in [
            "session_hours = 3000000000000",
            "session_hours = 0",
            "lock_minutes = -1",
            "account_max_failures = 0",
        ] {
            let c: Config = toml::from_str(bad).unwrap();
            assert!(c.validate().is_err(), "{bad}");
        }
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Config>("listn = \"x\"").is_err());
        let c: Config = toml::from_str("listen = \"127.0.0.1:1\"").unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
        assert_eq!(c.session_hours, 12);
    }
}
