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

/// The code of an error as the API gives it (`error.code`): snake_case, stable, what clients
/// match on. It is declared with [`error_codes!`](crate::error_codes) by the crate that raises
/// it, next to nothing else: a message key can be renamed or reworded without a client seeing a
/// different code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(&'static str);

impl Code {
    /// Use [`error_codes!`](crate::error_codes), which also lists the crate's codes for the
    /// OpenAPI document.
    pub const fn declared(code: &'static str) -> Code {
        Code(code)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Declares a crate's error codes: `error_codes! { VOTE_CLOSED = "vote_closed", … }` gives a
/// constant for each and `ALL`, which the crate's module hands to the OpenAPI document.
#[macro_export]
macro_rules! error_codes {
    ($($name:ident = $code:literal),+ $(,)?) => {
        $(pub const $name: $crate::error::Code = $crate::error::Code::declared($code);)+
        /// Every code this crate declares.
        pub const ALL: &[$crate::error::Code] = &[$($name),+];
    };
}

/// The codes of the kernel's own errors and of the refusals at the edge (a bad query string, a
/// body that is not JSON, a method the path does not take …).
pub mod codes {
    crate::error_codes! {
        VALIDATION_FAILED = "validation_failed",
        UNAUTHENTICATED = "unauthenticated",
        FORBIDDEN = "forbidden",
        NOT_FOUND = "not_found",
        TOO_MANY_REQUESTS = "too_many_requests",
        INTERNAL = "internal",
        STORAGE_FULL = "storage_full",
        BAD_REQUEST = "bad_request",
        BAD_QUERY = "bad_query",
        BAD_FORM = "bad_form",
        MALFORMED_JSON = "malformed_json",
        NOT_AN_OBJECT = "not_an_object",
        CROSS_SITE = "cross_site",
        METHOD_NOT_ALLOWED = "method_not_allowed",
        PAYLOAD_TOO_LARGE = "payload_too_large",
        REQUEST_TIMEOUT = "request_timeout",
        UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("bad request: {}", .1.key)]
    BadRequest(Code, Message),
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {}", .1.key)]
    Conflict(Code, Message),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// A request refused at the protocol level (405, 413, 415 …) with its status.
    #[error("rejected ({status}): {}", .message.key)]
    Rejected { status: u16, code: Code, message: Message },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A unique constraint's refusal as an error on the field whose value is taken (a code, a
    /// name, a username); any other error unchanged. The one place a violation is recognised.
    pub fn unique_as_field(self, field: &str, key: &'static str) -> Error {
        match &self {
            Error::Internal(inner)
                if inner
                    .downcast_ref::<sqlx::Error>()
                    .is_some_and(yijia_db::is_unique_violation) =>
            {
                Error::field(field, key)
            }
            _ => self,
        }
    }

    /// The stable code clients may match on.
    pub fn code(&self) -> Code {
        match self {
            Error::Validation(_) => codes::VALIDATION_FAILED,
            Error::BadRequest(code, _) | Error::Conflict(code, _) | Error::Rejected { code, .. } => *code,
            Error::Unauthenticated => codes::UNAUTHENTICATED,
            Error::Forbidden => codes::FORBIDDEN,
            Error::NotFound => codes::NOT_FOUND,
            Error::TooManyRequests { .. } => codes::TOO_MANY_REQUESTS,
            Error::Internal(cause) if storage_full(cause) => codes::STORAGE_FULL,
            Error::Internal(_) => codes::INTERNAL,
        }
    }

    /// The HTTP status the error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Error::Validation(_) => 422,
            Error::BadRequest(..) => 400,
            Error::Unauthenticated => 401,
            Error::Forbidden => 403,
            Error::NotFound => 404,
            Error::Conflict(..) => 409,
            Error::TooManyRequests { .. } => 429,
            Error::Rejected { status, .. } => *status,
            // 507 Insufficient Storage (RFC 4918 §11.5): the request may succeed once space is freed.
            Error::Internal(cause) if storage_full(cause) => 507,
            Error::Internal(_) => 500,
        }
    }

    /// The translation key of the overall message.
    pub fn message(&self) -> Message {
        match self {
            Error::Validation(_) => Message::new("error.validation_failed"),
            Error::BadRequest(_, m) | Error::Conflict(_, m) | Error::Rejected { message: m, .. } => m.clone(),
            Error::Unauthenticated => Message::new("error.unauthenticated"),
            Error::Forbidden => Message::new("error.forbidden"),
            Error::NotFound => Message::new("error.not_found"),
            Error::TooManyRequests { .. } => Message::new("error.too_many_requests"),
            Error::Internal(cause) if storage_full(cause) => Message::new("error.storage_full"),
            Error::Internal(_) => Message::new("error.internal"),
        }
    }

    pub fn bad_request(code: Code, key: &'static str) -> Error {
        Error::BadRequest(code, Message::new(key))
    }

    pub fn rejected(status: u16, code: Code, key: &'static str) -> Error {
        Error::Rejected {
            status,
            code,
            message: Message::new(key),
        }
    }

    pub fn conflict(code: Code, key: &'static str) -> Error {
        Error::Conflict(code, Message::new(key))
    }

    /// A validation error on one field.
    pub fn field(field: &str, key: &'static str) -> Error {
        Error::field_message(field, Message::new(key))
    }

    /// A refused field whose message has arguments.
    pub fn field_message(field: &str, message: Message) -> Error {
        let mut f = FieldErrors::default();
        f.add(field, message);
        Error::Validation(f)
    }
}

/// Whether an internal error comes of a full disk: the database's, or a file's being written.
/// Nothing of the failed write was kept, and the same request may succeed once space is freed.
fn storage_full(cause: &anyhow::Error) -> bool {
    cause.chain().any(|e| {
        if let Some(e) = e.downcast_ref::<sqlx::Error>() {
            return yijia_db::is_storage_full(e);
        }
        if let Some(e) = e.downcast_ref::<yijia_db::DbError>() {
            return e.as_sqlx().is_some_and(yijia_db::is_storage_full);
        }
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::StorageFull)
    })
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
