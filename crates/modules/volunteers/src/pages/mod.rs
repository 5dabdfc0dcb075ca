//! The volunteers' pages: the volunteer's own phone page, activities with their rosters, the
//! check-in code and its scan, teams, the staff's people and ledgers, certificates and the
//! public verification page, and the reports.

pub mod activities;
pub mod activity;
pub mod certificate;
pub mod me;
pub mod people;
pub mod redeem;
pub mod reports;
pub mod scan;
pub mod teams;

use serde::de::DeserializeOwned;
use yijia_kernel::clock::format_local;
use yijia_kernel::Result;

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

pub use yijia_web::form::{chosen, community_of, options};

/// A form whose checkboxes repeat a name, as a command's input (see `Typed::from_pairs`).
pub fn merged<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T> {
    yijia_web::form::Typed::from_pairs(pairs).parse()
}
