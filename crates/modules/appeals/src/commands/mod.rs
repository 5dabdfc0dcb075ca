//! One use case per file: check who may, validate, write the appeal and its step, audit, in one
//! transaction under the community's write lock.

pub mod catalogue;
pub mod photo;
pub mod reveal;
pub mod step;
pub mod submit;

use std::sync::Arc;

use jiff::tz::TimeZone;
use yijia_db::{Conn, Tx};
use yijia_kernel::audit;
use yijia_kernel::calendar::{self, Calendar};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{Actor, AppState, Error, Place, Result};

use crate::model::deadline::{setting_of, TierSpans};
use crate::model::{Action, Tier, Who};
use crate::permissions::{DISPATCH, HANDLE, READ, SUPERVISE};
use crate::repo::{self, AppealRow};

/// The sealed fields' names.
pub mod field {
    pub const CONTACT: &str = "appeal.contact";
}

/// An id typed into a form field: `None` when left empty, an error when not a number.
pub fn optional_id(errs: &mut yijia_kernel::FieldErrors, field: &str, v: &str) -> Option<i64> {
    yijia_kernel::text::optional_id(errs, field, v, "appeals.bad_choice")
}

pub use yijia_kernel::community::find as community;

/// The appeal's place: its community, and its grid when it has one.
pub fn place_of(c: &CommunityAt, a: &AppealRow) -> Place {
    Place {
        grid_id: a.grid_id,
        ..c.place()
    }
}

/// How an actor stands to one appeal.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    /// The community's desk: accepts, dispatches, verifies, closes.
    pub desk: bool,
    /// Reads the appeal through their role (staff, the grid's worker).
    pub reader: bool,
    /// A member of the party it is dispatched to.
    pub handler: bool,
    /// A member of a party asked to help.
    pub cohandler: bool,
    /// The resident who raised it.
    pub requester: bool,
    pub supervisor: bool,
}

impl Access {
    /// Read through the pool for a page or the API, or in a command's write transaction (which
    /// must not wait on the pool for a second connection while it holds the write lock: 64
    /// writers at once would deadlock).
    pub async fn of(conn: impl Into<Conn<'_>>, actor: &Actor, c: &CommunityAt, a: &AppealRow) -> Result<Access> {
        let mut conn = conn.into();
        let mine = match actor.account_id {
            Some(id) if HANDLE.allows(actor, &c.place()) => repo::parties_of(conn.reborrow(), id).await?,
            _ => Vec::new(),
        };
        let helpers = if mine.is_empty() {
            Vec::new()
        } else {
            repo::cohandler_ids(conn, a.appeal_id).await?
        };
        Ok(Access::from(actor, c, a, &mine, &helpers))
    }

    fn from(actor: &Actor, c: &CommunityAt, a: &AppealRow, mine: &[i64], helpers: &[i64]) -> Access {
        let place = place_of(c, a);
        Access {
            desk: DISPATCH.allows(actor, &place),
            reader: READ.allows(actor, &place),
            handler: a.party_id.is_some_and(|p| mine.contains(&p)),
            cohandler: helpers.iter().any(|p| mine.contains(p)),
            requester: actor.account_id.is_some() && actor.account_id == a.requester_account_id,
            supervisor: SUPERVISE.allows(actor, &place),
        }
    }

    /// May see the appeal at all.
    pub fn sees(&self) -> bool {
        self.desk || self.reader || self.handler || self.cohandler || self.requester || self.supervisor
    }

    /// May see internal notes and the full handling record (everyone but a plain requester).
    pub fn inside(&self) -> bool {
        self.desk || self.reader || self.handler || self.cohandler || self.supervisor
    }

    pub fn may(&self, who: Who) -> bool {
        match who {
            Who::Dispatcher => self.desk,
            Who::Handler => self.handler,
            Who::Requester => self.requester,
            Who::RequesterOrDispatcher => self.requester || self.desk,
            Who::Supervisor => self.supervisor,
            Who::Worker => self.desk || self.handler || self.cohandler,
        }
    }
}

/// An appeal read again after taking its community's write lock, so every step sees the
/// state the previous one left.
pub(crate) async fn locked(tx: &mut Tx, id: i64) -> Result<AppealRow> {
    let first = repo::appeal(&mut *tx, id).await?.ok_or(Error::NotFound)?;
    audit::lock_chain(tx, first.community_id).await?;
    repo::appeal(&mut *tx, id).await?.ok_or(Error::NotFound)
}

/// What deadlines are counted with in a community: its time zone and working-day calendar.
pub struct Clock {
    pub tz: TimeZone,
    pub calendar: Arc<Calendar>,
}

impl Clock {
    /// The community's clock, from a moment's memory (`calendar::current`): no statement
    /// while the write lock is held, unless the calendar changed since.
    pub async fn of(state: &AppState, tx: &mut Tx, c: &CommunityAt) -> Result<Clock> {
        Ok(Clock {
            tz: TimeZone::get(&c.time_zone).unwrap_or(TimeZone::UTC),
            calendar: calendar::current(state, tx, c.community_id).await?,
        })
    }
}

/// A community read in a command's write transaction.
pub async fn community_tx(tx: &mut Tx, id: i64) -> Result<CommunityAt> {
    yijia_kernel::community::by_id(&mut *tx, id)
        .await?
        .ok_or(Error::NotFound)
}

/// A tier's spans in a community (its setting, or the default).
pub async fn spans(state: &AppState, tx: &mut Tx, community_id: i64, tier: Tier) -> Result<TierSpans> {
    let s = setting_of(tier);
    let v = yijia_kernel::settings::current(state, tx, community_id, s).await?;
    TierSpans::parse(&v)
        .or_else(|| TierSpans::parse(s.default))
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("tier {} has no valid spans", tier.as_str())))
}

/// The community's desk: its administrators and staff.
pub(crate) const DESK_ROLES: &[&str] = &["community_admin", "community_staff"];

/// Tells whoever a step concerns, in the step's transaction: the desk of a new appeal or a
/// return, the party of a dispatch, a redo or an urge, a helper party of its request, and the
/// requester of every step they can see.
pub(crate) async fn tell(
    tx: &mut Tx,
    state: &AppState,
    actor: &Actor,
    a: &AppealRow,
    action: Action,
    helper: Option<i64>,
    now: i64,
) -> Result<()> {
    let note = |kind: &'static str| Note {
        community_id: Some(a.community_id),
        kind,
        args: serde_json::json!({ "id": a.appeal_id, "category": a.category_name }),
        link: format!("/appeals/{}", a.appeal_id),
    };
    let party = match a.party_id {
        Some(p) => repo::member_accounts_tx(tx, p).await?,
        None => Vec::new(),
    };
    // Which note, to whom, and the party it concerns (told by e-mail too, if it has one).
    let (kind, to, told_party): (&'static str, Vec<i64>, Option<i64>) = match action {
        Action::Submit => (
            "appeals.note_new",
            notify::holders_now(state, &mut *tx, a.community_id, DESK_ROLES, false).await?,
            None,
        ),
        Action::AskReturn => (
            "appeals.note_return",
            notify::holders_now(state, &mut *tx, a.community_id, DESK_ROLES, false).await?,
            None,
        ),
        Action::Dispatch => ("appeals.note_dispatched", party.clone(), a.party_id),
        Action::Redo => ("appeals.note_redo", party.clone(), a.party_id),
        Action::Rate | Action::Callback if a.status == "in_progress" => {
            ("appeals.note_redo", party.clone(), a.party_id)
        }
        Action::Urge | Action::Supervise if a.party_id.is_some() => ("appeals.note_urged", party.clone(), a.party_id),
        Action::Urge | Action::Supervise => (
            "appeals.note_urged",
            notify::holders_now(state, &mut *tx, a.community_id, DESK_ROLES, false).await?,
            None,
        ),
        Action::AskHelp => match helper {
            Some(h) => ("appeals.note_help", repo::member_accounts_tx(tx, h).await?, Some(h)),
            None => ("", Vec::new(), None),
        },
        _ => ("", Vec::new(), None),
    };
    crate::outgoing::send(tx, state, a, crate::outgoing::Event::of(action), told_party, now).await?;
    let others: Vec<i64> = to.into_iter().filter(|id| Some(*id) != actor.account_id).collect();
    if !kind.is_empty() && !others.is_empty() {
        notify::send(tx, &others, &note(kind), now).await?;
    }
    // The requester hears of every public step but their own and notes.
    let public = !matches!(
        action,
        Action::Submit | Action::Note | Action::AskHelp | Action::AskReturn
    );
    if let Some(r) = a
        .requester_account_id
        .filter(|r| public && Some(*r) != actor.account_id)
    {
        let mut told = note(progress_of(action));
        told.args = serde_json::json!({
            "id": a.appeal_id,
            "category": a.category_name,
            "party": a.party_name.clone().unwrap_or_default(),
            "due_at": a.reply_due_at,
        });
        notify::send(tx, &[r], &told, now).await?;
    }
    Ok(())
}

/// What the requester is told of a step: what happened and who has it next.
fn progress_of(action: Action) -> &'static str {
    match action {
        Action::Accept => "appeals.progress_accept",
        Action::Dispatch => "appeals.progress_dispatch",
        Action::Take => "appeals.progress_take",
        Action::Reply => "appeals.progress_reply",
        Action::Verify => "appeals.progress_verify",
        Action::Decline => "appeals.progress_decline",
        Action::Redo => "appeals.progress_redo",
        Action::ApproveReturn => "appeals.progress_returned",
        Action::Close => "appeals.progress_close",
        _ => "appeals.note_progress",
    }
}
