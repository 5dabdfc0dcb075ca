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
