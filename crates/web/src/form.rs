//! Field errors made ready for a template: translated, looked up by field name.

use std::collections::BTreeMap;

use yijia_kernel::error::codes;
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

    /// What is wrong, in a sentence or a few: the fields' messages, or the general one when no
    /// field is named (for a form whose fields a script fills, such as a map's).
    pub fn said(&self) -> String {
        if self.fields.is_empty() {
            return self.general.clone().unwrap_or_default();
        }
        self.fields.values().cloned().collect::<Vec<_>>().join(" ")
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
    matches!(e, Error::Validation(_) | Error::Conflict(..) | Error::BadRequest(..))
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

/// `(code, label)` of every value of a closed list, for a select.
pub fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

/// Whether an option is the chosen value (the shared form macros call it; templates compare
/// codes of several string types).
pub fn chosen<A: AsRef<str> + ?Sized>(code: &A, value: &str) -> bool {
    code.as_ref() == value
}

/// The community a page is about: the one asked for, or the only one of the reader's.
pub fn community_of(asked: Option<i64>, actor: &yijia_kernel::Actor) -> yijia_kernel::Result<i64> {
    asked.or_else(|| actor.only_community()).ok_or(Error::NotFound)
}

/// What was typed into one of a page's forms, by field, to show it again beside its errors.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Typed(pub BTreeMap<String, String>);

impl Typed {
    /// The fields of a posted form; a name repeated (checkboxes, `grids=1&grids=2`) joins its
    /// values with commas into one field, as the commands read lists.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Typed {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k)
                .and_modify(|old| {
                    old.push(',');
                    old.push_str(&v);
                })
                .or_insert(v);
        }
        Typed(map)
    }

    pub fn v(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_default()
    }

    /// The fields as a command's input.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> yijia_kernel::Result<T> {
        let q =
            serde_urlencoded::to_string(&self.0).map_err(|_| Error::bad_request(codes::BAD_FORM, "error.bad_form"))?;
        serde_urlencoded::from_str(&q).map_err(|_| Error::bad_request(codes::BAD_FORM, "error.bad_form"))
    }
}
