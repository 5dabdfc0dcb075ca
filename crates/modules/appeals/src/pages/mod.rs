//! The appeals' pages: raising one from a phone, the lists (the community's, a party's queue,
//! my own), one appeal with its timeline and the steps open to the reader, and the catalogue.

pub mod catalogue;
pub mod detail;
pub mod list;
pub mod new;
pub mod rates;

use crate::model::{Action, Channel, DeclineReason, Kind, PartyKind, Rating, Status, Tier};

/// Labels of the appeals' codes in the reader's language, for templates.
pub struct Labels {
    pub lang: &'static str,
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
    status: Status,
    kind: Kind,
    channel: Channel,
    tier: Tier,
    party_kind: PartyKind,
    rating: Rating,
    action: Action,
    decline: DeclineReason,
);

pub use yijia_web::form::{chosen, options};

/// The chip a state is drawn with (the design system's tones); late work is red whatever its
/// state.
pub fn tone(status: Option<Status>, overdue: bool) -> &'static str {
    use Status::*;
    match status {
        _ if overdue => "overdue",
        Some(Submitted | Accepted) => "new",
        Some(Dispatched | InProgress | ReturnRequested | Replied) => "progress",
        Some(Verified | Rated) => "done",
        Some(Closed | Declined) | None => "closed",
    }
}

/// A state in the words its reader needs: the resident who raised the appeal is told that a
/// reply waits for the community's check, and that a checked one waits for her rating.
pub fn status_text(status: Option<Status>, requester: bool, tr: &yijia_kernel::i18n::Tr) -> String {
    match status {
        Some(Status::Replied) if requester => tr.t("appeals.requester_replied"),
        Some(Status::Verified) if requester => tr.t("appeals.requester_verified"),
        Some(s) => s.label(tr.lang()).to_owned(),
        None => String::new(),
    }
}

impl Labels {
    /// The chip's tone of a state, for templates.
    pub fn tone(&self, status: &str, overdue: &bool) -> &'static str {
        tone(Status::parse(status), *overdue)
    }
}
