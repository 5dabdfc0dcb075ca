//! One use case per file: check who may, validate, write the change and its ledger entries,
//! audit, in one transaction under the community's write lock (the audit chain's head), so
//! that capacity, balances and attendance are decided on what the previous write left.

pub mod activity;
pub mod attendance;
pub mod certificate;
pub mod points;
pub mod profile;
pub mod redeem;
pub mod signup;
pub mod team;

use yijia_db::{Conn, Tx};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::Message;
use yijia_kernel::{Actor, AppState, Error, FieldErrors, Result};

use crate::model::rules;
use crate::permissions::MANAGE;
use crate::repo::{self, ActivityRow, VolunteerRow};

pub use yijia_kernel::text::flag;

/// An id typed into a form field: `None` when left empty, an error when not a number.
pub fn optional_id(errs: &mut FieldErrors, field: &str, v: &str) -> Option<i64> {
    yijia_kernel::text::optional_id(errs, field, v, "volunteers.bad_choice")
}

/// A whole number typed into a field, within `min..=max`; `default` when left empty.
pub fn number(errs: &mut FieldErrors, field: &str, v: &str, min: i64, max: i64, default: i64) -> i64 {
    let v = v.trim();
    if v.is_empty() {
        return default;
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errs.add(
                field,
                Message::new("volunteers.bad_number").arg("min", min).arg("max", max),
            );
            default
        }
    }
}

/// The community a form names, or the only one the actor belongs to.
pub fn community_id(errs: &mut FieldErrors, v: &str, actor: &Actor) -> Option<i64> {
    yijia_kernel::text::community_id(errs, v, actor, "volunteers.bad_choice", "volunteers.community_needed")
}

/// The community of a command, and its write transaction (the platform's).
pub use yijia_kernel::community::{begin, find as community};

/// The last instant hours may still be entered for an activity (DOMAIN.md §3).
pub async fn entry_locks_at(tx: &mut Tx, c: &CommunityAt, a: &ActivityRow) -> Result<i64> {
    let calendar = yijia_kernel::calendar::load(tx, c.community_id).await?;
    Ok(rules::entry_locks_at(a.ends_at, &c.tz(), &calendar))
}

/// How an actor stands to an activity (and its team).
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// Community staff: runs every team and activity.
    pub staff: bool,
    /// An active leader of the activity's team.
    pub leader: bool,
    /// The actor's own volunteer profile in the community, if any.
    pub me: Option<VolunteerRow>,
}

impl Access {
    /// Runs the activity: its team's leaders and staff.
    pub fn runs(&self) -> bool {
        self.staff || self.leader
    }

    /// Read through the pool for a page, or in a command's write transaction (which must not
    /// wait on the pool for a second connection while it holds the write lock).
    pub async fn of(conn: impl Into<Conn<'_>>, actor: &Actor, c: &CommunityAt, team_id: Option<i64>) -> Result<Access> {
        let mut conn = conn.into();
        let (leads, me) = match actor.account_id {
            Some(id) => (
                repo::led_by(conn.reborrow(), id).await?,
                repo::volunteer_of(conn, c.community_id, id).await?,
            ),
            None => (Vec::new(), None),
        };
        Ok(Access {
            staff: MANAGE.allows(actor, &c.place()),
            leader: team_id.is_some_and(|t| leads.contains(&t)),
            me,
        })
    }
}

/// An activity and its community, in a command's transaction under the community's lock.
pub async fn activity_locked(state: &AppState, id: i64) -> Result<(Tx, CommunityAt, ActivityRow)> {
    let first = repo::activity(&state.db, id).await?.ok_or(Error::NotFound)?;
    let (mut tx, c) = begin(state, first.community_id).await?;
    let a = repo::activity(&mut tx, id).await?.ok_or(Error::NotFound)?;
    Ok((tx, c, a))
}
