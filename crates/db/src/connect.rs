use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use crate::DbError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL whose scheme has been checked. An unknown scheme is an error, never a silently
/// created file.
#[derive(Clone, Debug)]
pub struct DbUrl {
    raw: String,
    backend: Backend,
    /// The SQLite file, when given as a path rather than a URL (paths may hold `%` or `?`).
    file: Option<PathBuf>,
}

impl DbUrl {
    pub fn parse(raw: &str) -> Result<DbUrl, DbError> {
        let backend = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(DbError::UnsupportedUrl(redact_url(raw)));
        };
        if backend == Backend::Postgres {
            url::Url::parse(raw).map_err(|_| DbError::UnsupportedUrl(redact_url(raw)))?;
        }
        Ok(DbUrl {
            raw: raw.to_owned(),
            backend,
            file: None,
        })
    }

    /// The default: a SQLite file in the data directory.
    pub fn sqlite_file(path: &Path) -> DbUrl {
        DbUrl {
            raw: format!("sqlite://{}", path.display()),
            backend: Backend::Sqlite,
            file: Some(path.to_path_buf()),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub(crate) fn sqlite_options(&self) -> Result<SqliteConnectOptions, DbError> {
        if let Some(path) = &self.file {
            return Ok(SqliteConnectOptions::new().filename(path));
        }
        SqliteConnectOptions::from_str(&self.raw).map_err(|_| DbError::UnsupportedUrl(redact_url(&self.raw)))
    }

    /// The URL with any password replaced, for logs and error messages.
    pub fn redacted(&self) -> String {
        redact_url(&self.raw)
    }
}

/// `raw` with its password replaced by `***`, wherever a URL carries one: after the user
/// (`postgres://u:pw@h/db`, `smtps://u:pw@mail`) or as a `password` parameter, which sqlx reads
/// too. A URL too broken to read, with a user part, keeps only its scheme: where its password
/// ends cannot be told.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut u) = url::Url::parse(raw) else {
        return match raw.split_once("://") {
            Some((scheme, rest)) if rest.contains('@') => format!("{scheme}://***"),
            _ => raw.to_owned(),
        };
    };
    let in_query = u.query_pairs().any(|(k, _)| k == "password");
    if u.password().is_none() && !in_query {
        return raw.to_owned();
    }
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    if in_query {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" { "***".into() } else { v };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_scheme_is_refused() {
        assert!(matches!(
            DbUrl::parse("mysql://root@localhost/x"),
            Err(DbError::UnsupportedUrl(_))
        ));
        assert!(matches!(DbUrl::parse("data/yijia.db"), Err(DbError::UnsupportedUrl(_))));
    }

    #[test]
    fn postgres_and_sqlite_urls_pick_their_backend() {
        assert_eq!(DbUrl::parse("postgres://u@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(
            DbUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(DbUrl::parse("sqlite://x.db").unwrap().backend(), Backend::Sqlite);
    }

    #[test]
    fn passwords_never_reach_messages() {
        let e = DbUrl::parse("postgres://u:secret@h/db").unwrap().redacted();
        assert!(!e.contains("secret"));
    }

    #[test]
    fn a_redacted_url_keeps_all_but_the_password() {
        assert_eq!(
            redact_url("postgres://yijia:hunter2@db.example.cn:5432/yijia?sslmode=require"),
            "postgres://yijia:***@db.example.cn:5432/yijia?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://yijia@db/yijia?password=hunter2&sslmode=require"),
            "postgres://yijia@db/yijia?password=***&sslmode=require"
        );
        assert_eq!(
            redact_url("smtps://mail:hunter2@smtp.example.cn"),
            "smtps://mail:***@smtp.example.cn"
        );
        assert_eq!(redact_url("sqlite://data/yijia.db"), "sqlite://data/yijia.db");
        assert_eq!(redact_url(""), "");
        assert_eq!(redact_url("postgres://u:hunter2@[bad/db"), "postgres://***");
    }
}
