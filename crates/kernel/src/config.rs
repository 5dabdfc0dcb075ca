//! Settings: defaults in code, then `yijia.toml`, then `YIJIA_*` environment variables, then the
//! command line. Every setting has a variable named after its key (`session_hours`,
//! `YIJIA_SESSION_HOURS`). Secrets (the key, passwords in the database's and the mail relay's
//! URLs) never print.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use yijia_db::redact_url;

use crate::net::IpNet;

/// Every setting, with its default.
#[derive(Clone, Deserialize)]
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
    /// The master key of sealed personal data and of the audit log's MACs, 64 hex digits. Unset:
    /// the key in `DATA_DIR/secret.key`, created on first start. Instances behind one load
    /// balancer need the same key.
    pub secret_key: Option<String>,
    /// The mail relay, as lettre reads it (`smtps://user:pass@smtp.example.cn`,
    /// `smtp://127.0.0.1:25` for a local one without TLS); empty: e-mails wait in the outbox.
    pub smtp_url: String,
    /// The sender of e-mails.
    pub mail_from: String,
    /// Whether webhooks may go to loopback, private or link-local addresses (a receiver on the
    /// servers' own network). Off: a community administrator sets the webhook's address, and
    /// must not reach the servers' own network through it.
    pub webhook_private: bool,
    /// What the server logs, in tracing's filter syntax (`info,sqlx=debug`).
    pub log: String,
    /// How long a client may take to send a request's headers, in seconds: a connection that
    /// sends them a byte at a time is closed then, rather than held open for ever.
    pub header_timeout_secs: u64,
    /// How long a request's body may pause between two pieces, in seconds (a photo over a slow
    /// phone line still arrives; a body that stops coming is given up).
    pub body_timeout_secs: u64,
    /// On SIGTERM, how long requests under way and messages being sent may take to finish, in
    /// seconds, before the remaining connections are closed.
    pub shutdown_grace_secs: u64,
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
            secret_key: None,
            smtp_url: String::new(),
            mail_from: "驿家 <noreply@localhost>".to_owned(),
            webhook_private: false,
            log: "info,sqlx=warn".to_owned(),
            header_timeout_secs: 30,
            body_timeout_secs: 60,
            shutdown_grace_secs: 30,
        }
    }
}

/// Secrets show as `***`: a config printed into a log or a panic message gives nothing away.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Taken apart whole, so that a new setting cannot be added without deciding here how it
        // prints.
        let Config {
            listen,
            database_url,
            data_dir,
            secure_cookies,
            session_hours,
            max_body_bytes,
            account_max_failures,
            address_max_failures,
            lock_minutes,
            public_url,
            trusted_proxies,
            secret_key,
            smtp_url,
            mail_from,
            webhook_private,
            log,
            header_timeout_secs,
            body_timeout_secs,
            shutdown_grace_secs,
        } = self;
        f.debug_struct("Config")
            .field("listen", listen)
            .field("database_url", &redact_url(database_url))
            .field("data_dir", data_dir)
            .field("secure_cookies", secure_cookies)
            .field("session_hours", session_hours)
            .field("max_body_bytes", max_body_bytes)
            .field("account_max_failures", account_max_failures)
            .field("address_max_failures", address_max_failures)
            .field("lock_minutes", lock_minutes)
            .field("public_url", public_url)
            .field("trusted_proxies", trusted_proxies)
            .field("secret_key", &secret_key.as_ref().map(|_| "***"))
            .field("smtp_url", &redact_url(smtp_url))
            .field("mail_from", mail_from)
            .field("webhook_private", webhook_private)
            .field("log", log)
            .field("header_timeout_secs", header_timeout_secs)
            .field("body_timeout_secs", body_timeout_secs)
            .field("shutdown_grace_secs", shutdown_grace_secs)
            .finish()
    }
}

/// Sets one setting from the text of its environment variable.
type Setter = fn(&mut Config, &str) -> anyhow::Result<()>;

/// A row of [`SETTINGS`]: the field's own name as its key, so that the two cannot part.
macro_rules! setting {
    ($field:ident, $parse:expr) => {
        (stringify!($field), |c: &mut Config, v: &str| -> anyhow::Result<()> {
            c.$field = $parse(v)?;
            Ok(())
        })
    };
}

/// Each setting's key in `yijia.toml`, and how its variable's text becomes its value.
const SETTINGS: &[(&str, Setter)] = &[
    setting!(listen, text),
    setting!(database_url, text),
    setting!(data_dir, |v: &str| anyhow::Ok(PathBuf::from(v))),
    setting!(secure_cookies, switch),
    setting!(session_hours, whole),
    setting!(max_body_bytes, whole),
    setting!(account_max_failures, whole),
    setting!(address_max_failures, whole),
    setting!(lock_minutes, whole),
    setting!(public_url, base_url),
    setting!(trusted_proxies, addresses),
    setting!(secret_key, |v: &str| anyhow::Ok(Some(v.to_owned()))),
    setting!(smtp_url, text),
    setting!(mail_from, text),
    setting!(webhook_private, |v| anyhow::Ok(switch(v)?.unwrap_or(false))),
    setting!(log, text),
    setting!(header_timeout_secs, whole),
    setting!(body_timeout_secs, whole),
    setting!(shutdown_grace_secs, whole),
];

/// The environment variable of a setting: `YIJIA_` and its key in capitals.
fn variable(key: &str) -> String {
    format!("YIJIA_{}", key.to_ascii_uppercase())
}

fn text(v: &str) -> anyhow::Result<String> {
    Ok(v.to_owned())
}

/// An address without its trailing slash, so that a path joins it with one.
fn base_url(v: &str) -> anyhow::Result<String> {
    Ok(v.trim().trim_end_matches('/').to_owned())
}

/// A yes or no: `1`, `true`, `yes` or `0`, `false`, `no`; empty: unset. Anything else is an
/// error rather than a guess, since both switches weaken a protection when on.
fn switch(v: &str) -> anyhow::Result<Option<bool>> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "1" | "true" | "yes" => Ok(Some(true)),
        "0" | "false" | "no" => Ok(Some(false)),
        _ => anyhow::bail!("must be 1 or 0, not {v:?}"),
    }
}

fn whole<T: std::str::FromStr>(v: &str) -> anyhow::Result<T> {
    v.trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("must be a whole number, not {v:?}"))
}

/// Addresses and blocks separated by commas (`127.0.0.1, 10.0.0.0/8`).
fn addresses(v: &str) -> anyhow::Result<Vec<IpNet>> {
    v.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{e}"))
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
        for (name, secs) in [
            ("header_timeout_secs", self.header_timeout_secs),
            ("body_timeout_secs", self.body_timeout_secs),
            ("shutdown_grace_secs", self.shutdown_grace_secs),
        ] {
            check(name, i64::try_from(secs).unwrap_or(i64::MAX), 1, 3600)?;
        }
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

    /// Applies the `YIJIA_*` variables that are set (and `DATABASE_URL`, the name other tools
    /// use, when `YIJIA_DATABASE_URL` is not).
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = var("DATABASE_URL") {
            self.database_url = v;
        }
        for (key, set) in SETTINGS {
            let name = variable(key);
            if let Some(v) = var(&name) {
                set(self, &v).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            }
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
        c.apply_env(env(&[
            ("YIJIA_DATABASE_URL", "sqlite://a.db"),
            ("DATABASE_URL", "sqlite://b.db"),
        ]))
        .unwrap();
        assert_eq!(c.database_url, "sqlite://a.db", "Yijia's own name wins");
    }

    /// An environment that holds only `vars`.
    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())
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
    fn the_secret_key_and_the_passwords_in_urls_never_print() {
        let key = "0123456789abcdef".repeat(4);
        let c = Config {
            database_url: "postgres://yijia:hunter2@db.example.cn:5432/yijia".into(),
            smtp_url: "smtps://mail:swordfish@smtp.example.cn".into(),
            secret_key: Some(key.clone()),
            ..Config::default()
        };
        let printed = format!("{c:?}");
        for secret in ["hunter2", "swordfish", key.as_str()] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        for kept in [
            "postgres://yijia:***@db.example.cn:5432/yijia",
            "smtps://mail:***@smtp.example.cn",
            "secret_key: Some(\"***\")",
            "session_hours: 12",
        ] {
            assert!(printed.contains(kept), "{kept} not in {printed}");
        }
        assert!(format!("{:?}", Config::default()).contains("secret_key: None"));
    }

    #[test]
    fn the_key_mail_and_webhook_settings_come_from_their_variables() {
        let key = "ab".repeat(32);
        let mut c = Config::default();
        c.apply_env(env(&[
            ("YIJIA_SECRET_KEY", &key),
            ("YIJIA_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("YIJIA_MAIL_FROM", "驿家 <noreply@xlg.example.cn>"),
            ("YIJIA_WEBHOOK_PRIVATE", "1"),
            ("YIJIA_LOCK_MINUTES", "30"),
        ]))
        .unwrap();
        assert_eq!(c.secret_key, Some(key));
        assert_eq!(c.smtp_url, "smtp://127.0.0.1:2525");
        assert_eq!(c.mail_from, "驿家 <noreply@xlg.example.cn>");
        assert!(c.webhook_private);
        assert_eq!(c.lock_minutes, 30);
        let e = c.apply_env(env(&[("YIJIA_WEBHOOK_PRIVATE", "perhaps")])).unwrap_err();
        assert!(e.to_string().starts_with("YIJIA_WEBHOOK_PRIVATE:"), "{e}");
    }

    /// The keys the file accepts, as serde names them when refusing an unknown one.
    fn file_keys() -> Vec<String> {
        let refusal = toml::from_str::<Config>("no_such_setting = 1").unwrap_err().to_string();
        let (_, expected) = refusal.split_once("expected one of").unwrap();
        expected
            .split(',')
            .map(|k| k.split('`').nth(1).unwrap().to_owned())
            .collect()
    }

    #[test]
    fn every_setting_has_its_variable_and_the_readme_lists_it() {
        let keys = file_keys();
        assert!(keys.len() >= 16, "{keys:?}");
        let with_variable: Vec<String> = SETTINGS.iter().map(|(k, _)| (*k).to_owned()).collect();
        assert_eq!(
            keys, with_variable,
            "the settings table follows the struct, in its order"
        );
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
        for key in &keys {
            let row = format!("| `{key}` | `{}` |", variable(key));
            assert!(readme.contains(&row), "README.md has no row starting {row}");
        }
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Config>("listn = \"x\"").is_err());
        let c: Config = toml::from_str("listen = \"127.0.0.1:1\"").unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
        assert_eq!(c.session_hours, 12);
    }
}
