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
            return Err(DbError::UnsupportedUrl(redact(raw)));
        };
        if backend == Backend::Postgres {
            url::Url::parse(raw).map_err(|_| DbError::UnsupportedUrl(redact(raw)))?;
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
        SqliteConnectOptions::from_str(&self.raw).map_err(|_| DbError::UnsupportedUrl(redact(&self.raw)))
    }

    /// The URL with any password replaced, for logs and error messages.
    pub fn redacted(&self) -> String {
        redact(&self.raw)
    }
}

fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
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
}
