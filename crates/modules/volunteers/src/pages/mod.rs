//! The volunteers' pages: the volunteer's own phone page, activities with their rosters, the
//! check-in code and its scan, teams, the staff's people and ledgers, certificates and the
//! public verification page, and the reports.

pub mod activities;
pub mod activity;
pub mod certificate;
pub mod me;
pub mod people;
pub mod reports;
pub mod scan;
pub mod teams;

use serde::de::DeserializeOwned;
use yijia_kernel::clock::format_local;
use yijia_kernel::{Actor, Error, Result};

use crate::model::{rules, ActivityKind, MemberRole, MemberStatus, SignupStatus, TxnKind};

/// Labels of the volunteers' codes in the reader's language, and the formats pages share.
pub struct Labels {
    pub lang: &'static str,
    pub tz: String,
}

macro_rules! label_fns {
    ($($fn:ident: $ty:ident),+ $(,)?) => {
        impl Labels {
            $(pub fn $fn(&self, code: &str) -> &'static str {
                $ty::parse(code).map_or("", |v| v.label(self.lang))
            })+
        }
    };
}

label_fns!(
    kind: ActivityKind,
    signup: SignupStatus,
    member: MemberStatus,
    role: MemberRole,
    txn: TxnKind,
);

impl Labels {
    pub fn when(&self, ms: &i64) -> String {
        format_local(*ms, &self.tz)
    }

    pub fn when_opt(&self, ms: &Option<i64>) -> String {
        ms.map(|m| format_local(m, &self.tz)).unwrap_or_default()
    }

    pub fn hours(&self, minutes: &i64) -> String {
        rules::hours(*minutes)
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

/// Whether an option is the chosen value (the shared form macros call it).
pub fn chosen<A: AsRef<str> + ?Sized>(code: &A, value: &str) -> bool {
    code.as_ref() == value
}

/// A form whose checkboxes repeat a name (`grids=1&grids=2`): the repeated values are joined
/// with commas into one field, as the commands read lists.
pub fn merged<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        match out.iter_mut().find(|(ok, _)| *ok == k) {
            Some((_, ov)) => {
                ov.push(',');
                ov.push_str(&v);
            }
            None => out.push((k, v)),
        }
    }
    let q = serde_urlencoded::to_string(&out).map_err(|_| Error::bad_request("error.bad_form"))?;
    serde_urlencoded::from_str(&q).map_err(|_| Error::bad_request("error.bad_form"))
}

/// The community a page is about: the one asked for, or the only one of the reader's.
pub fn community_of(asked: Option<i64>, actor: &Actor) -> Result<i64> {
    asked.or_else(|| actor.only_community()).ok_or(Error::NotFound)
}
