//! Field errors made ready for a template: translated, looked up by field name.

use std::collections::BTreeMap;

use yijia_kernel::i18n::Tr;
use yijia_kernel::{Error, FieldErrors};

/// Translated messages by field, plus a message for the form as a whole.
#[derive(Default, Debug)]
pub struct FormErrors {
    fields: BTreeMap<String, String>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn from_fields(f: &FieldErrors, tr: &Tr) -> FormErrors {
        FormErrors {
            fields: f.0.iter().map(|(k, m)| (k.clone(), tr.msg(m))).collect(),
            general: Some(tr.t("error.validation_failed")),
        }
    }

    /// Field errors of a validation error; any other error becomes the general message, except
    /// internal ones, which the caller should propagate instead of showing.
    pub fn from_error(e: &Error, tr: &Tr) -> FormErrors {
        match e {
            Error::Validation(f) => FormErrors::from_fields(f, tr),
            other => FormErrors {
                fields: BTreeMap::new(),
                general: Some(tr.msg(&other.message())),
            },
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }
}

/// Which form on a page is being shown again, with what the person typed and its errors. A
/// page with several forms names each (`which`), so an error shows beside the right one.
pub struct Shown<T> {
    pub which: &'static str,
    pub input: T,
    pub errors: FormErrors,
}

impl<T: Default> Shown<T> {
    pub fn none() -> Shown<T> {
        Shown {
            which: "",
            input: T::default(),
            errors: FormErrors::default(),
        }
    }
}

impl<T> Shown<T> {
    /// The form `which`, shown again with `e`'s messages in the reader's language.
    pub fn failed(which: &'static str, input: T, e: &Error, tr: &Tr) -> Shown<T> {
        Shown {
            which,
            input,
            errors: FormErrors::from_error(e, tr),
        }
    }

    pub fn is(&self, which: &str) -> bool {
        self.which == which
    }

    pub fn err(&self, which: &str, field: &str) -> Option<&str> {
        if self.which == which {
            self.errors.get(field)
        } else {
            None
        }
    }

    pub fn general(&self, which: &str) -> Option<&str> {
        if self.which == which {
            self.errors.general.as_deref()
        } else {
            None
        }
    }
}

/// Validation and conflict errors go back to the form; anything else becomes an error page.
pub fn is_form_error(e: &Error) -> bool {
    matches!(e, Error::Validation(_) | Error::Conflict(_) | Error::BadRequest(_))
}

/// Answers a page's post: its response when it worked; otherwise the page again (`page`) with
/// the form the error belongs to (`again`) and the error's status, or an error page for an
/// error no form can show.
pub async fn respond<A, Fut>(
    result: Result<axum::response::Response, yijia_kernel::Error>,
    again: impl FnOnce(&yijia_kernel::Error) -> A,
    page: impl FnOnce(A) -> Fut,
) -> crate::WebResult<axum::response::Response>
where
    Fut: std::future::Future<Output = crate::WebResult<axum::response::Response>>,
{
    match result {
        Ok(res) => Ok(res),
        Err(e) if is_form_error(&e) => Ok(crate::page::with_error_status(page(again(&e)).await?, &e)),
        Err(e) => Err(e.into()),
    }
}
