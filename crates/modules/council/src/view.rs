//! What a reader sees of a topic, a vote and a community's board, for the pages and the API
//! alike: hidden comments masked for all but staff, a live count for staff only while a vote is
//! open, and on the board only what may be published (no ballots, no one's personal data).

use serde::Serialize;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::commands::vote::{count, CountInput, Counted};
use crate::commands::{self, resolution::revocable_until};
use crate::model::rules::{self, Rule, VoteKind};
use crate::model::tally::{self, Check};
use crate::model::{ScopeKind, VoteStatus};
use crate::permissions::{ANSWER, MANAGE, READ, TAKE_PART};
use crate::repo::{self, CommentRow, MeetingRow, ResolutionRow, TaskRow, TaskUpdateRow, TopicRow, VoteRow};

/// How the reader stands to a community's council.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Standing {
    pub member: bool,
    pub staff: bool,
    pub answers: bool,
    pub reads: bool,
}

impl Standing {
    pub fn of(actor: &Actor, c: &CommunityAt) -> Standing {
        let place = c.place();
        Standing {
            member: TAKE_PART.allows(actor, &place),
            staff: MANAGE.allows(actor, &place),
            answers: ANSWER.allows(actor, &place),
            reads: READ.allows(actor, &place),
        }
    }

    /// May see the council's topics, meetings and votes at all.
    pub fn sees(&self) -> bool {
        self.member || self.reads
    }
}

/// A community the reader may see the council of.
pub async fn community_for(state: &AppState, actor: &Actor, id: i64) -> Result<(CommunityAt, Standing)> {
    let c = commands::community(state, id).await?;
    let s = Standing::of(actor, &c);
    if !s.sees() {
        return Err(Error::NotFound);
    }
    Ok((c, s))
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicView {
    pub topic: TopicRow,
    pub comments: Vec<CommentRow>,
    pub photos: Vec<String>,
    pub cosigned: bool,
    /// The reader raised it (and so cannot co-sign it).
    pub own: bool,
    pub votes: Vec<VoteRow>,
    /// A topic of the whole community doubles as a request for a residents' meeting: whether
    /// those who raised and co-signed it reach a share that requires one (adults, households).
    pub requisition: Option<Requisition>,
    #[serde(skip)]
    pub standing: Standing,
    #[serde(skip)]
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requisition {
    pub met: bool,
    pub checks: Vec<Check>,
}

/// The requisition checks of a community topic under the residents' preset in force today;
/// residents' groups are left out while the registry does not know them.
async fn requisition(state: &AppState, c: &CommunityAt, topic: &TopicRow) -> Result<Option<Requisition>> {
    if topic.scope_kind != ScopeKind::Community.as_str() {
        return Ok(None);
    }
    let today = yijia_kernel::clock::local_date(state.now_ms(), &c.tz());
    let Some((preset, _)) = rules::in_force(VoteKind::Residents, today) else {
        return Ok(None);
    };
    let Rule::Residents(rule) = preset.rule else {
        return Ok(None);
    };
    let born_by = crate::commands::vote::born_by(today);
    let [a, ta, h, th] = repo::requisition_shares(&state.db, c.community_id, topic.topic_id, &born_by).await?;
    let (_, all) = tally::requisition((a, ta), (h, th), (0, 0), &rule);
    let checks: Vec<Check> = all.into_iter().filter(|c| c.whole > 0).collect();
    Ok(Some(Requisition {
        met: checks.iter().any(|c| c.met),
        checks,
    }))
}

pub async fn topic(state: &AppState, actor: &Actor, id: i64) -> Result<TopicView> {
    let topic = repo::topic(&state.db, id).await?.ok_or(Error::NotFound)?;
    let (c, standing) = community_for(state, actor, topic.community_id).await?;
    let mut comments = repo::comments(&state.db, id).await?;
    if !standing.staff {
        // A hidden comment keeps its place in the thread, without its words or its author.
        for cm in comments.iter_mut().filter(|c| c.hidden_at.is_some()) {
            cm.body = String::new();
            cm.author_name = String::new();
        }
    }
    let cosigned = match actor.account_id {
        Some(a) => repo::cosigned(&state.db, id, a).await?,
        None => false,
    };
    Ok(TopicView {
        own: actor.account_id.is_some() && actor.account_id == topic.raised_by,
        requisition: requisition(state, &c, &topic).await?,
        photos: repo::topic_files(&state.db, id).await?,
        votes: repo::votes(&state.db, topic.community_id, Some(id), 20).await?,
        topic,
        comments,
        cosigned,
        standing,
        time_zone: c.time_zone,
    })
}

/// The reader's part in a vote.
#[derive(Debug, Clone, Serialize)]
pub struct MyPart {
    pub voter: i64,
    pub name: String,
    pub ballot: Option<repo::BallotRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VoteView {
    pub vote: VoteRow,
    pub options: Vec<String>,
    pub preset_name: &'static str,
    pub preset_basis: &'static str,
    /// The preset's text has been replaced and the new numbers are not shipped yet.
    pub lapsed: bool,
    pub me: Option<MyPart>,
    /// The count: stored at close, or (staff only) live while open.
    pub counted: Option<Counted>,
    /// Whether a recount from the stored ballots gives the stored figures (asked for by staff).
    pub recount_matches: Option<bool>,
    /// Why a live count could not be made (the show of hands is not confirmed yet …).
    pub count_note: Option<String>,
    pub resolution: Option<ResolutionRow>,
    /// A residents' vote: the day on which its electors are adults (its meeting's, or its
    /// closing day), and whether that is the meeting's day.
    pub eligible_on: Option<(String, bool)>,
    #[serde(skip)]
    pub standing: Standing,
    #[serde(skip)]
    pub time_zone: String,
}

pub async fn vote(state: &AppState, actor: &Actor, id: i64, recount: bool) -> Result<VoteView> {
    let v = repo::vote(&state.db, id).await?.ok_or(Error::NotFound)?;
    let (c, standing) = community_for(state, actor, v.community_id).await?;
    let preset = rules::preset(&v.preset);
    let day = yijia_kernel::clock::local_date(v.opens_at.unwrap_or(v.created_at), &c.tz());
    let lapsed = preset.is_some_and(|p| p.until.is_some_and(|u| day > u));
    let me = match actor.account_id {
        Some(a) => match repo::voter_of_account(&state.db, id, a).await? {
            Some((voter, name)) => Some(MyPart {
                voter,
                name,
                ballot: repo::ballot(&state.db, id, voter).await?,
            }),
            None => None,
        },
        None => None,
    };
    let stored: Option<Counted> = match v.result.as_deref() {
        Some(r) => Some(yijia_kernel::stored::json(r, format!("result of vote {}", v.vote_id))?),
        None => None,
    };
    let closed = v.status == VoteStatus::Closed.as_str();
    let official = standing.staff || standing.reads;
    let (mut counted, mut recount_matches, mut count_note) = (stored.clone(), None, None);
    let open = v.status == VoteStatus::Open.as_str();
    if official && (open || (closed && recount)) {
        match count(&v, &CountInput::read(&state.db, &v).await?) {
            Ok(now) if closed => recount_matches = Some(Some(&now) == stored.as_ref()),
            Ok(now) => counted = Some(now),
            // A count refused by the rules is a note on the page; damaged data is an error.
            Err(e @ Error::Internal(_)) => return Err(e),
            Err(e) => count_note = Some(e.message().key.to_owned()),
        }
    }
    let eligible_on = if v.kind == crate::model::rules::VoteKind::Owners.as_str() {
        None
    } else {
        let meeting = match v.meeting_id {
            Some(m) => repo::meeting(&state.db, m).await?,
            None => None,
        };
        let at = meeting.as_ref().map_or(v.closes_at, |m| m.starts_at);
        Some((commands::day_of(&c, at), meeting.is_some()))
    };
    Ok(VoteView {
        eligible_on,
        options: yijia_kernel::stored::json(&v.options, format!("options of vote {}", v.vote_id))?,
        preset_name: preset.map_or("", |p| p.name),
        preset_basis: preset.map_or("", |p| p.basis),
        lapsed,
        me,
        counted,
        recount_matches,
        count_note,
        resolution: repo::resolution_of_vote(&state.db, id).await?,
        vote: v,
        standing,
        time_zone: c.time_zone,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct ResolutionView {
    pub resolution: ResolutionRow,
    /// The last day a suit to revoke it may be brought (one year from the decision).
    pub revocable_until: Option<String>,
    pub tasks: Vec<TaskView>,
    pub updates: Vec<TaskUpdateRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: TaskRow,
    pub overdue: bool,
}

pub async fn resolution_view(state: &AppState, r: ResolutionRow, today: &str) -> Result<ResolutionView> {
    let tasks = repo::tasks(&state.db, r.resolution_id)
        .await?
        .into_iter()
        .map(|t| TaskView {
            overdue: t.done_at.is_none() && t.deadline.as_str() < today,
            task: t,
        })
        .collect();
    Ok(ResolutionView {
        revocable_until: revocable_until(&r.decided_on),
        updates: repo::task_updates(&state.db, r.resolution_id).await?,
        tasks,
        resolution: r,
    })
}

/// A community's public board (居务公开): resolutions with their implementation, and minutes of
/// meetings. Items for residents only are shown to the community's members.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub community: String,
    /// The reader is of the community (and so may open a resolution's page).
    pub member: bool,
    pub resolutions: Vec<ResolutionView>,
    pub meetings: Vec<MeetingRow>,
    #[serde(skip)]
    pub time_zone: String,
}

impl Board {
    /// What the public reads: phone and ID numbers typed into the texts are masked (a minute
    /// that names who to call is for the community's own members).
    fn mask_numbers(&mut self) {
        use yijia_kernel::redact::mask_numbers as m;
        for r in &mut self.resolutions {
            r.resolution.title = m(&r.resolution.title);
            r.resolution.body = m(&r.resolution.body);
            for t in &mut r.tasks {
                t.task.title = m(&t.task.title);
            }
            for u in &mut r.updates {
                u.note = m(&u.note);
            }
        }
        for meeting in &mut self.meetings {
            meeting.title = m(&meeting.title);
            meeting.place = m(&meeting.place);
            meeting.minutes = m(&meeting.minutes);
        }
    }
}

pub async fn board(state: &AppState, actor: Option<&Actor>, community_id: i64) -> Result<Board> {
    let c = commands::community(state, community_id).await?;
    let member = actor.is_some_and(|a| Standing::of(a, &c).sees());
    let today = commands::day_of(&c, state.now_ms());
    let mut resolutions = Vec::new();
    for r in repo::resolutions(&state.db, community_id, !member, 50).await? {
        resolutions.push(resolution_view(state, r, &today).await?);
    }
    let meetings = repo::meetings(&state.db, community_id, 50)
        .await?
        .into_iter()
        .filter(|m| m.minutes_at.is_some() && (member || m.visibility == "public"))
        .collect();
    let mut board = Board {
        member,
        community: c.name,
        resolutions,
        meetings,
        time_zone: c.time_zone,
    };
    if !member {
        board.mask_numbers();
    }
    Ok(board)
}
