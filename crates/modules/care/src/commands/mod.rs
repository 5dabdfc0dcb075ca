//! One use case per file: check who may, validate, write, notify and audit in one transaction
//! under the community's write lock, so that two claims on one wish, or a visit and the tick's
//! escalation, are decided on what the previous write left.

pub mod pairing;
pub mod visit;
pub mod wish;

use yijia_db::Tx;
use yijia_kernel::error::Message;
use yijia_kernel::settings::{self, Kind, Setting};
use yijia_kernel::{Actor, AppState, FieldErrors, Result};
use yijia_registry::model::{CareGroup, CUSTOM_CARE_GROUPS};

use crate::model::visits::{Escalation, Intervals};

/// Sealed fields of this module, each with its own key.
pub mod field {
    pub const CONTACT: &str = "care.wish.contact";
    pub const CONDITION: &str = "care.visit.condition";
    pub const NEEDS: &str = "care.visit.needs";
    pub const FOLLOW_UP: &str = "care.visit.follow_up";
}

fn check_intervals(v: &str) -> std::result::Result<String, Message> {
    Intervals::parse(v, 30)
        .map(|_| v.trim().to_owned())
        .ok_or_else(|| Message::new("care.bad_intervals"))
}

/// Days between visits by care group (`elderly_alone=7, disabled=14`).
pub const INTERVALS: Setting = Setting {
    key: "care.intervals",
    label: "care.setting_intervals",
    hint: "care.setting_intervals_hint",
    kind: Kind::Checked {
        max: 400,
        check: check_intervals,
        show: yijia_kernel::settings::as_stored,
    },
    default: "elderly_alone=7, serious_illness=7, child_in_difficulty=14, left_behind_child=14, disabled=14, tekun=14, empty_nest=14",
};

/// Days between visits for a household whose groups have no interval of their own.
pub const DEFAULT_INTERVAL: Setting = Setting {
    key: "care.default_interval_days",
    label: "care.setting_default_interval",
    hint: "care.setting_default_interval_hint",
    kind: Kind::Integer { min: 1, max: 365 },
    default: "30",
};

/// Households one carer is suggested at most.
pub const CAPACITY: Setting = Setting {
    key: "care.carer_capacity",
    label: "care.setting_capacity",
    hint: "care.setting_capacity_hint",
    kind: Kind::Integer { min: 1, max: 100 },
    default: "5",
};

/// Days a claimant has to fulfil a wish before the claim lapses.
pub const CLAIM_DAYS: Setting = Setting {
    key: "care.claim_days",
    label: "care.setting_claim_days",
    hint: "care.setting_claim_days_hint",
    kind: Kind::Integer { min: 1, max: 90 },
    default: "14",
};

pub const TELL_CARER_AFTER: Setting = Setting {
    key: "care.tell_carer_after_days",
    label: "care.setting_tell_carer",
    hint: "care.setting_tell_hint",
    kind: Kind::Integer { min: 0, max: 60 },
    default: "1",
};

pub const TELL_GRID_AFTER: Setting = Setting {
    key: "care.tell_grid_after_days",
    label: "care.setting_tell_grid",
    hint: "care.setting_tell_hint",
    kind: Kind::Integer { min: 0, max: 60 },
    default: "3",
};

pub const TELL_COMMUNITY_AFTER: Setting = Setting {
    key: "care.tell_community_after_days",
    label: "care.setting_tell_community",
    hint: "care.setting_tell_hint",
    kind: Kind::Integer { min: 0, max: 60 },
    default: "7",
};

pub const SETTINGS: &[Setting] = &[
    INTERVALS,
    DEFAULT_INTERVAL,
    CAPACITY,
    CLAIM_DAYS,
    TELL_CARER_AFTER,
    TELL_GRID_AFTER,
    TELL_COMMUNITY_AFTER,
];

pub async fn setting_i64(tx: &mut Tx, community_id: i64, s: &Setting) -> Result<i64> {
    Ok(settings::get(&mut *tx, community_id, s)
        .await?
        .parse()
        .unwrap_or_else(|_| s.default.parse().unwrap_or(0)))
}

/// The community's visit intervals.
pub async fn intervals(tx: &mut Tx, community_id: i64) -> Result<Intervals> {
    let default_days = setting_i64(tx, community_id, &DEFAULT_INTERVAL).await?;
    let v = settings::get(&mut *tx, community_id, &INTERVALS).await?;
    Ok(Intervals::parse(&v, default_days).unwrap_or(Intervals {
        default_days,
        ..Intervals::default()
    }))
}

/// After how many days overdue the community tells whom.
pub async fn escalation(db: &yijia_db::Db, community_id: i64) -> Result<Escalation> {
    Ok(Escalation {
        carer_after: settings::get_i64(db, community_id, &TELL_CARER_AFTER).await?,
        grid_after: settings::get_i64(db, community_id, &TELL_GRID_AFTER).await?,
        community_after: settings::get_i64(db, community_id, &TELL_COMMUNITY_AFTER).await?,
    })
}

/// The care groups of a community, with their blind index: the registry seals the groups, so
/// the index of each group the community may use is computed to read them back.
pub async fn groups_by_blind(state: &AppState, community_id: i64) -> Result<Vec<(String, CareGroup)>> {
    let custom = settings::get_list(&state.db, community_id, &CUSTOM_CARE_GROUPS).await?;
    Ok(CareGroup::all(&custom)
        .into_iter()
        .map(|g| (yijia_registry::commands::care_blind(&state.vault, community_id, &g), g))
        .collect())
}

/// An id typed into a form field: `None` when left empty, an error when not a number.
pub fn optional_id(errs: &mut FieldErrors, field: &str, v: &str) -> Option<i64> {
    yijia_kernel::text::optional_id(errs, field, v, "care.bad_choice")
}

/// A value of a closed list typed into a field; `None` and a message naming the list's values
/// when it is not one.
pub fn choice<T: yijia_kernel::vocab::Vocab>(errs: &mut FieldErrors, field: &str, v: &str) -> Option<T> {
    yijia_kernel::text::one_of(errs, field, v)
}

/// A whole number typed into a field within `0..=max`; 0 when left empty.
pub fn amount(errs: &mut FieldErrors, field: &str, v: &str, max: i64) -> i64 {
    let v = v.trim();
    if v.is_empty() {
        return 0;
    }
    match v.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => n,
        _ => {
            errs.add(field, Message::new("care.bad_amount").arg("max", max));
            0
        }
    }
}

/// The community a form names, or the only one the actor belongs to.
pub fn community_id(errs: &mut FieldErrors, v: &str, actor: &Actor) -> Option<i64> {
    yijia_kernel::text::community_id(errs, v, actor, "care.bad_choice", "care.community_needed")
}

/// The community of a command, and its write transaction (the platform's).
pub use yijia_kernel::community::{begin, find as community};

/// The actor's name as it appears on what they write.
pub fn name_of(actor: &Actor) -> String {
    if actor.display_name.trim().is_empty() {
        actor.username.clone()
    } else {
        actor.display_name.clone()
    }
}
