//! Which appeals a list shows, decided from who asks: the desk and grid workers see their
//! community (a grid worker: their grids), a party's members their queue, a resident their own.

use serde::Deserialize;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::permissions::{READ, SUPERVISE};
use crate::repo::{self, Filter};

/// A list as asked for by a page or the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
    /// `community` (the default), `queue` (my parties'), `mine` (raised by me).
    pub view: String,
    pub status: String,
    pub party: Option<i64>,
    pub category: Option<i64>,
    /// In a queue: `new`, `in_progress`, `due_soon`, `overdue`.
    pub bucket: String,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// How far ahead "due soon" looks.
pub const DUE_SOON_MS: i64 = 24 * 3_600_000;

/// The only community an actor's roles name, for lists asked without one.
pub fn only_community(actor: &Actor) -> Option<i64> {
    actor.only_community()
}

impl ListQuery {
    pub fn view(&self) -> &str {
        match self.view.as_str() {
            "queue" | "mine" => self.view.as_str(),
            _ => "community",
        }
    }

    pub async fn filter(&self, state: &AppState, actor: &Actor) -> Result<Filter> {
        let now = state.now_ms();
        let status = crate::model::Status::parse(&self.status).map(|s| s.as_str().to_owned());
        if !self.status.trim().is_empty() && status.is_none() {
            return Err(Error::field("status", "appeals.bad_choice"));
        }
        let mut f = Filter {
            community_id: self.community,
            status,
            party_id: self.party,
            category_id: self.category,
            before: self.before,
            ..Filter::default()
        };
        match self.view() {
            "mine" => f.requester = Some(actor.account_id.ok_or(Error::Forbidden)?),
            "queue" => {
                let account = actor.account_id.ok_or(Error::Forbidden)?;
                f.parties = Some(repo::parties_of(&state.db, account).await?);
                // Finished appeals leave the queue; asking for a status shows any.
                f.open_only = f.status.is_none();
                match self.bucket.as_str() {
                    "new" => f.status = Some("dispatched".to_owned()),
                    "in_progress" => f.status = Some("in_progress".to_owned()),
                    "due_soon" => f.due_before = Some((now, now + DUE_SOON_MS)),
                    "overdue" => f.overdue_at = Some(now),
                    "" => {}
                    _ => return Err(Error::field("bucket", "appeals.bad_choice")),
                }
            }
            _ => {
                let id = self
                    .community
                    .or_else(|| only_community(actor))
                    .ok_or(Error::NotFound)?;
                let c = crate::commands::community(state, id).await?;
                f.community_id = Some(id);
                f.grids = match CommunityReach::of(&READ, actor, &c.place()) {
                    CommunityReach::All => None,
                    CommunityReach::Grids(g) => Some(g),
                    CommunityReach::Nothing if SUPERVISE.allows(actor, &c.place()) => None,
                    CommunityReach::Nothing => return Err(Error::NotFound),
                };
                // The desk's own buckets; a status picks 待受理 and 待核实.
                match self.bucket.as_str() {
                    "overdue" => f.overdue_at = Some(now),
                    "due_soon" => f.due_before = Some((now, now + DUE_SOON_MS)),
                    // A queue's bucket means nothing here and is ignored, as it always was.
                    _ => {}
                }
            }
        }
        Ok(f)
    }

    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }
}
