//! One error type for the whole application.
//!
//! Every variant has a stable `snake_case` code (the API's `error.code`) and a message key in the
//! translation files; pages and the API render the same error in the user's language. The cause
//! of an internal error is logged, never shown.

use std::collections::BTreeMap;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Messages for individual form or JSON fields: field name → (message key, arguments).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Message>);

/// A message key with its named arguments, translated when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message { key, args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Message {
        self.args.push((name, value.to_string()));
        self
    }
}

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: Message) {
        self.0.entry(field.to_owned()).or_insert(message);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when no field has an error, the validation error otherwise.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self))
        }
    }

    pub fn get(&self, field: &str) -> Option<&Message> {
        self.0.get(field)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("bad request: {}", .0.key)]
    BadRequest(Message),
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {}", .0.key)]
    Conflict(Message),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// A request refused at the protocol level (405, 413, 415 …) with its status.
    #[error("rejected ({status}): {}", .message.key)]
    Rejected { status: u16, message: Message },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// The stable code clients may match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation_failed",
            Error::BadRequest(m) => m.key.rsplit('.').next().unwrap_or("bad_request"),
            Error::Unauthenticated => "unauthenticated",
            Error::Forbidden => "forbidden",
            Error::NotFound => "not_found",
            Error::Conflict(m) => m.key.rsplit('.').next().unwrap_or("conflict"),
            Error::TooManyRequests { .. } => "too_many_requests",
            Error::Rejected { message, .. } => message.key.rsplit('.').next().unwrap_or("rejected"),
            Error::Internal(_) => "internal",
        }
    }

    /// The HTTP status the error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Error::Validation(_) => 422,
            Error::BadRequest(_) => 400,
            Error::Unauthenticated => 401,
            Error::Forbidden => 403,
            Error::NotFound => 404,
            Error::Conflict(_) => 409,
            Error::TooManyRequests { .. } => 429,
            Error::Rejected { status, .. } => *status,
            Error::Internal(_) => 500,
        }
    }

    /// The translation key of the overall message.
    pub fn message(&self) -> Message {
        match self {
            Error::Validation(_) => Message::new("error.validation_failed"),
            Error::BadRequest(m) | Error::Conflict(m) | Error::Rejected { message: m, .. } => m.clone(),
            Error::Unauthenticated => Message::new("error.unauthenticated"),
            Error::Forbidden => Message::new("error.forbidden"),
            Error::NotFound => Message::new("error.not_found"),
            Error::TooManyRequests { .. } => Message::new("error.too_many_requests"),
            Error::Internal(_) => Message::new("error.internal"),
        }
    }

    pub fn bad_request(key: &'static str) -> Error {
        Error::BadRequest(Message::new(key))
    }

    pub fn rejected(status: u16, key: &'static str) -> Error {
        Error::Rejected {
            status,
            message: Message::new(key),
        }
    }

    pub fn conflict(key: &'static str) -> Error {
        Error::Conflict(Message::new(key))
    }

    /// A validation error on one field.
    pub fn field(field: &str, key: &'static str) -> Error {
        let mut f = FieldErrors::default();
        f.add(field, Message::new(key));
        Error::Validation(f)
    }
}

impl From<yijia_db::DbError> for Error {
    fn from(e: yijia_db::DbError) -> Error {
        Error::Internal(anyhow::Error::new(e))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        Error::Internal(anyhow::Error::new(e))
    }
}
