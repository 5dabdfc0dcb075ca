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
