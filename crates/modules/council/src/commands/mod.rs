//! One use case per file: check who may, validate, write, notify and audit in one transaction
//! under the community's write lock, so that co-signature counts, ballots and tallies are decided
//! on what the previous write left.

pub mod ballot;
pub mod comment;
pub mod meeting;
pub mod resolution;
pub mod topic;
pub mod vote;

use yijia_db::{on_tx, Tx};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::Message;
use yijia_kernel::settings::{self, Kind, Setting};
use yijia_kernel::{Actor, FieldErrors, Result};

use crate::model::ScopeKind;

/// Co-signatures that put a raised topic on the agenda by themselves.
pub const COSIGN_THRESHOLD: Setting = Setting {
    key: "council.cosign_threshold",
    label: "council.setting_cosign_threshold",
    hint: "council.setting_cosign_threshold_hint",
    kind: Kind::Integer { min: 1, max: 100_000 },
    default: "20",
};

/// Reports that hide a comment until staff review it.
pub const HIDE_AFTER_REPORTS: Setting = Setting {
    key: "council.hide_after_reports",
    label: "council.setting_hide_after_reports",
    hint: "council.setting_hide_after_reports_hint",
    kind: Kind::Integer { min: 1, max: 1000 },
    default: "3",
};

/// Days of notice before an owners' meeting (Property Management Regulations art. 14: 15 days).
pub const NOTICE_DAYS_OWNERS: Setting = Setting {
    key: "council.notice_days_owners",
    label: "council.setting_notice_days_owners",
    hint: "council.setting_notice_days_owners_hint",
    kind: Kind::Integer { min: 0, max: 90 },
    default: "15",
};

/// Days of notice before a residents' meeting or a deliberation session.
pub const NOTICE_DAYS_OTHER: Setting = Setting {
    key: "council.notice_days_other",
    label: "council.setting_notice_days_other",
    hint: "council.setting_notice_days_other_hint",
    kind: Kind::Integer { min: 0, max: 90 },
    default: "3",
};

pub const SETTINGS: &[Setting] = &[
    COSIGN_THRESHOLD,
    HIDE_AFTER_REPORTS,
    NOTICE_DAYS_OWNERS,
    NOTICE_DAYS_OTHER,
];

pub async fn setting_i64(tx: &mut Tx, community_id: i64, s: &Setting) -> Result<i64> {
    Ok(settings::get(&mut *tx, community_id, s)
        .await?
        .parse()
        .unwrap_or_else(|_| s.default.parse().unwrap_or(0)))
}

/// An id typed into a form field: `None` when left empty, an error when not a number.
pub fn optional_id(errs: &mut FieldErrors, field: &str, v: &str) -> Option<i64> {
    yijia_kernel::text::optional_id(errs, field, v, "council.bad_choice")
}

/// The community a form names, or the only one the actor belongs to.
pub fn community_id(errs: &mut FieldErrors, v: &str, actor: &Actor) -> Option<i64> {
    yijia_kernel::text::community_id(errs, v, actor, "council.bad_choice", "council.community_needed")
}

/// A value of a closed list typed into a field; `None` and a message naming the list's values
/// when it is not one.
pub fn choice<T: yijia_kernel::vocab::Vocab>(errs: &mut FieldErrors, field: &str, v: &str) -> Option<T> {
    yijia_kernel::text::one_of(errs, field, v)
}

/// The community of a command, and its write transaction (the platform's).
pub use yijia_kernel::community::{begin, find as community};

/// The community's day of an instant, `YYYY-MM-DD`.
pub fn day_of(c: &CommunityAt, ms: i64) -> String {
    yijia_kernel::clock::local_date(ms, &c.tz()).to_string()
}

/// A scope as chosen in a form, checked against the community: its kind, the building's or
/// grid's id, and the label shown (the compound's name for a compound).
pub async fn scope(
    tx: &mut Tx,
    errs: &mut FieldErrors,
    c: &CommunityAt,
    kind: &str,
    target: &str,
) -> Result<Option<(ScopeKind, Option<i64>, String)>> {
    let Some(kind) = choice::<ScopeKind>(errs, "scope_kind", kind) else {
        return Ok(None);
    };
    let target = target.trim();
    let cid = c.community_id;
    let found: Option<(Option<i64>, String)> = match kind {
        ScopeKind::Community => Some((None, c.name.clone())),
        ScopeKind::Building | ScopeKind::Grid => {
            let table = if kind == ScopeKind::Building {
                "building"
            } else {
                "grid"
            };
            match target.parse::<i64>() {
                Ok(id) => {
                    let sql = format!(
                        "select name from {table} where {table}_id = $1 and community_id = $2 and retired_at is null"
                    );
                    let name: Option<String> = on_tx!(tx, |conn| sqlx::query_scalar(&sql)
                        .bind(id)
                        .bind(cid)
                        .fetch_optional(&mut *conn)
                        .await?);
                    name.map(|n| (Some(id), n))
                }
                Err(_) => None,
            }
        }
        ScopeKind::Compound => {
            let n: i64 = on_tx!(tx, |conn| sqlx::query_scalar(
                "select count(*) from building where community_id = $1 and compound = $2 and retired_at is null"
            )
            .bind(cid)
            .bind(target)
            .fetch_one(&mut *conn)
            .await?);
            (n > 0 && !target.is_empty()).then(|| (None, target.to_owned()))
        }
    };
    match found {
        Some((id, label)) => Ok(Some((kind, id, label))),
        None => {
            errs.add("scope", Message::new("council.bad_scope"));
            Ok(None)
        }
    }
}

/// The actor's name as it appears on what they write.
pub fn name_of(actor: &Actor) -> String {
    if actor.display_name.trim().is_empty() {
        actor.username.clone()
    } else {
        actor.display_name.clone()
    }
}
