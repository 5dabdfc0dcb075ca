//! Votes (决事): drafted by staff under the rule preset in force, opened with the electorate as
//! it stands that day (an owners' vote only once every unit has an owner and an area), counted
//! from the stored ballots (a recount gives the same figures) and closed; a passed motion
//! becomes a resolution.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{stored, text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, choice, community_id, day_of, optional_id, scope};
use crate::codes;
use crate::model::electorate::{self, Problem};
use crate::model::rules::{self, Matter, Rule, Threshold, VoteKind};
use crate::model::tally::{self, Choice, Counts, PollError, PollResult, Tally, TallyError, Unit};
use crate::model::{Method, TopicStatus, Visibility, VoteStatus};
use crate::permissions::MANAGE;
use crate::repo::{self, NewResolution, NewVote, Scope, VoteRow};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoteInput {
    pub community: String,
    pub topic: String,
    pub meeting: String,
    pub title: String,
    /// owners | residents | poll
    pub kind: String,
    /// An owners' vote: one of the nine matters of Civil Code art. 278.
    pub matter: String,
    /// A residents' meeting: adults | households.
    pub entitled: String,
    pub scope_kind: String,
    pub scope: String,
    /// ballot | hands (a residents' meeting only)
    pub method: String,
    pub secret: String,
    /// Whether a phone ballot may be changed until close ("1" unless said otherwise).
    pub changeable: String,
    /// A poll's options, one per line.
    pub options: String,
    pub multiple: String,
    /// A poll's quorum as a share of the electorate, e.g. `1/2`; empty for none.
    pub quorum: String,
    /// Local `YYYY-MM-DDTHH:MM`.
    pub closes_at: String,
}

/// A share typed as `n/d` (0 < n ≤ d ≤ 100).
fn share(errs: &mut FieldErrors, field: &str, v: &str) -> Option<Threshold> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let parsed = v
        .split_once('/')
        .and_then(|(n, d)| Some((n.trim().parse::<u32>().ok()?, d.trim().parse::<u32>().ok()?)))
        .filter(|(n, d)| *n > 0 && n <= d && *d <= 100);
    if parsed.is_none() {
        errs.add(field, Message::new("council.bad_share"));
    }
    parsed.map(|(n, d)| Threshold::at_least(n, d))
}

/// Drafts a vote; returns its id. It opens separately, once its electorate is complete.
pub async fn create(state: &AppState, actor: &Actor, input: &VoteInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let topic = optional_id(&mut errs, "topic", &input.topic);
    let meeting = optional_id(&mut errs, "meeting", &input.meeting);
    let title = text::required(&mut errs, "title", &input.title, 100);
    let kind = choice::<VoteKind>(&mut errs, "kind", &input.kind);
    let matter = match kind {
        Some(VoteKind::Owners) => choice::<Matter>(&mut errs, "matter", &input.matter).map(Matter::as_str),
        _ => Some(""),
    };
    let entitled = match kind {
        Some(VoteKind::Residents) if input.entitled.trim().is_empty() => Some("adults"),
        Some(VoteKind::Residents) => match input.entitled.trim() {
            e @ ("adults" | "households") => Some(e),
            _ => {
                errs.add("entitled", Message::new("council.entitled_unsupported"));
                None
            }
        },
        _ => Some(""),
    };
    let method = if input.method.trim().is_empty() {
        Some(Method::Ballot)
    } else {
        choice::<Method>(&mut errs, "method", &input.method)
    };
    if method == Some(Method::Hands) && kind != Some(VoteKind::Residents) {
        errs.add("method", Message::new("council.hands_only_residents"));
    }
    // One option a line; `str::lines` alone would keep a lone CR (old office software) inside.
    let options: Vec<String> = text::unify_line_ends(&input.options)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if kind == Some(VoteKind::Poll) && !(2..=20).contains(&options.len()) {
        errs.add("options", Message::new("council.poll_options"));
    }
    if options.iter().any(|o| o.chars().count() > 100) {
        errs.add("options", Message::new("council.option_too_long").arg("max", 100));
    } else if !options.iter().all(|o| text::is_clean(o)) {
        errs.add("options", Message::new("field.control_chars"));
    }
    let quorum = share(&mut errs, "quorum", &input.quorum);
    let Some(cid) = cid else {
        errs.into_result()?;
        return Err(Error::NotFound);
    };
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    MANAGE.check(actor, &c.place())?;
    let closes = text::local_instant(&mut errs, "closes_at", &input.closes_at, &c.tz(), "council.bad_time");
    if closes.is_some_and(|t| t <= now) {
        errs.add("closes_at", Message::new("council.closes_in_past"));
    }
    let scoped = scope(&mut tx, &mut errs, &c, &input.scope_kind, &input.scope).await?;
    if let Some(t) = topic {
        if repo::topic(&mut tx, t).await?.is_none_or(|t| t.community_id != cid) {
            errs.add("topic", Message::new("council.bad_choice"));
        }
    }
    if let Some(m) = meeting {
        if repo::meeting(&mut tx, m).await?.is_none_or(|m| m.community_id != cid) {
            errs.add("meeting", Message::new("council.bad_choice"));
        }
    }
    let today = yijia_kernel::clock::local_date(now, &c.tz());
    let preset = kind.and_then(|k| rules::in_force(k, today));
    if kind.is_some() && preset.is_none() {
        errs.add("kind", Message::new("council.no_preset"));
    }
    errs.into_result()?;
    let (Some(kind), Some(matter), Some(entitled), Some(method), Some(closes), Some((skind, sid, label)), Some((p, _))) =
        (kind, matter, entitled, method, closes, scoped, preset)
    else {
        return Err(Error::NotFound);
    };
    let options = serde_json::to_string(&options).map_err(|e| Error::Internal(e.into()))?;
    let quorum = quorum.map(|q| format!("{}/{}", q.num, q.den)).unwrap_or_default();
    let id = repo::insert_vote(
        &mut tx,
        &NewVote {
            community_id: cid,
            topic_id: topic,
            meeting_id: meeting,
            title: &title,
            kind: kind.as_str(),
            preset: p.code,
            matter,
            entitled,
            scope_kind: skind.as_str(),
            scope_id: sid,
            scope_label: &label,
            method: method.as_str(),
            secret: text::flag(&input.secret),
            changeable: input.changeable.trim().is_empty() || text::flag(&input.changeable),
            options: &options,
            multiple: text::flag(&input.multiple),
            quorum: &quorum,
            closes_at: closes,
            created_by: actor.account_id,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_vote.create", "council_vote", id)
            .community(Some(cid))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A vote and its community, in a command's transaction under the community's lock.
pub(crate) async fn locked(state: &AppState, id: i64) -> Result<(Tx, yijia_kernel::community::CommunityAt, VoteRow)> {
    let first = repo::vote(&state.db, id).await?.ok_or(Error::NotFound)?;
    let (mut tx, c) = begin(state, first.community_id).await?;
    let v = repo::vote(&mut tx, id).await?.ok_or(Error::NotFound)?;
    Ok((tx, c, v))
}

fn scope_of(v: &VoteRow) -> Scope<'_> {
    Scope {
        community_id: v.community_id,
        kind: &v.scope_kind,
        id: v.scope_id,
        label: &v.scope_label,
    }
}

/// The day someone born on it turns 18 on `day` (29 February counts from 1 March).
pub fn born_by(day: jiff::civil::Date) -> String {
    let year = day.year() - 18;
    jiff::civil::Date::new(year, day.month(), day.day())
        .or_else(|_| jiff::civil::Date::new(year, 2, 28))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Opens a drafted vote: takes its electorate as it stands today. An owners' vote opens only when
/// every unit in scope has an owner and one area, and a residents' vote only when every resident
/// living in scope has a birth date; the error names what is missing.
pub async fn open(state: &AppState, actor: &Actor, vote_id: i64) -> Result<i64> {
    let now = state.now_ms();
    let (mut tx, c, v) = locked(state, vote_id).await?;
    MANAGE.check(actor, &c.place())?;
    if v.status != VoteStatus::Draft.as_str() {
        return Err(Error::conflict(codes::VOTE_NOT_DRAFT, "council.vote_not_draft"));
    }
    if v.closes_at <= now {
        return Err(Error::field("closes_at", "council.closes_in_past"));
    }
    let today = yijia_kernel::clock::local_date(now, &c.tz());
    let electors = snapshot(&mut tx, &v, today, &c.tz()).await?;
    repo::mark_open(&mut tx, vote_id, electors, now).await?;
    let told = repo::elector_accounts_tx(&mut tx, vote_id).await?;
    let note = yijia_kernel::notify::Note {
        community_id: Some(c.community_id),
        kind: "council.note_vote_open",
        args: serde_json::json!({ "title": v.title,
            "closes": yijia_kernel::clock::format_local(v.closes_at, &c.time_zone) }),
        link: format!("/council/votes/{vote_id}"),
    };
    yijia_kernel::notify::send(&mut tx, &told, &note, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_vote.open", "council_vote", vote_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "electors": electors }))),
    )
    .await?;
    tx.commit().await?;
    Ok(electors)
}

/// The day whose adults a residents' vote counts: the day of its meeting, or, voted without a
/// meeting, the day it closes. Someone who turns 18 between the opening and the meeting is a
/// member of the meeting (issue 20).
pub async fn eligibility_day(tx: &mut Tx, v: &VoteRow, zone: &jiff::tz::TimeZone) -> Result<jiff::civil::Date> {
    let at = match v.meeting_id {
        Some(m) => repo::meeting(&mut *tx, m).await?.map_or(v.closes_at, |m| m.starts_at),
        None => v.closes_at,
    };
    Ok(yijia_kernel::clock::local_date(at, zone))
}

/// Stores a vote's electorate: the owners' holdings as they stand on `today`, or the residents
/// who are adults on the vote's [`eligibility_day`]; returns how many may vote (owners by the
/// headcount rules, or voters). Errors name what keeps it from being complete.
pub(crate) async fn snapshot(
    tx: &mut Tx,
    v: &VoteRow,
    today: jiff::civil::Date,
    zone: &jiff::tz::TimeZone,
) -> Result<i64> {
    let s = scope_of(v);
    if v.kind == VoteKind::Owners.as_str() {
        let households = repo::scope_households_tx(tx, s).await?;
        let holdings = repo::scope_holdings_tx(tx, s, &today.to_string()).await?;
        let e = electorate::build(&households, &holdings);
        if !e.problems.is_empty() {
            let ids: Vec<i64> = e
                .problems
                .iter()
                .map(|p| match p {
                    Problem::NoOwner(u) | Problem::NoArea(u) | Problem::AreasDiffer(u) => *u,
                })
                .collect();
            let shown: Vec<i64> = ids.iter().take(20).copied().collect();
            let labels = repo::household_labels_tx(tx, &shown).await?;
            return Err(Error::Conflict(
                codes::ELECTORATE_INCOMPLETE,
                Message::new("council.electorate_incomplete")
                    .arg("count", ids.len())
                    .arg("units", labels.join("、")),
            ));
        }
        if e.units.is_empty() {
            return Err(Error::conflict(codes::ELECTORATE_EMPTY, "council.electorate_empty"));
        }
        let units: Vec<(i64, i64, i64, &str)> = e
            .units
            .iter()
            .map(|u| {
                let source = e.sources.get(&u.unit_id).map_or("", |s| s.as_str());
                (u.unit_id, u.owner, u.area.unwrap_or(0), source)
            })
            .collect();
        repo::insert_vote_units(tx, v.vote_id, &units).await?;
        let owners: Vec<(i64, i64)> = e.owner_of.iter().map(|(r, o)| (*r, *o)).collect();
        repo::insert_owner_electors(tx, v.vote_id, &owners).await?;
    } else {
        let unknown = repo::residents_without_birth_date_tx(tx, s).await?;
        if !unknown.is_empty() {
            return Err(Error::Conflict(
                codes::BIRTH_DATES_MISSING,
                Message::new("council.birth_dates_missing").arg("names", unknown.join("、")),
            ));
        }
        let per_household = v.entitled == "households";
        let day = eligibility_day(tx, v, zone).await?;
        let n = repo::insert_adult_electors(tx, v.vote_id, s, &born_by(day), per_household).await?;
        if n == 0 {
            return Err(Error::conflict(codes::ELECTORATE_EMPTY, "council.electorate_empty"));
        }
    }
    let electors = if v.kind == VoteKind::Owners.as_str() {
        owners_count(&repo::vote_units(&mut *tx, v.vote_id).await?)
    } else {
        repo::voter_count_tx(tx, v.vote_id).await?
    };
    Ok(electors)
}

fn owners_count(units: &[(i64, i64, i64)]) -> i64 {
    let owners: BTreeSet<i64> = units.iter().map(|u| u.1).collect();
    i64::try_from(owners.len()).unwrap_or(i64::MAX)
}

/// A vote counted: a motion's tally, or a poll's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Counted {
    Motion(Tally),
    Poll(PollResult),
}

impl Counted {
    /// Whether a motion passed; a poll passes nothing (its quorum says whether it is
    /// representative).
    pub fn passed(&self) -> Option<bool> {
        match self {
            Counted::Motion(t) => Some(t.passed),
            Counted::Poll(p) => p.quorum.map(|q| q.met),
        }
    }
}

/// Why a count failed, as a message for the reader.
fn count_error(e: TallyError) -> Error {
    match e {
        TallyError::MissingArea(units) => Error::Conflict(
            codes::ELECTORATE_INCOMPLETE,
            Message::new("council.electorate_incomplete")
                .arg("count", units.len())
                .arg("units", ""),
        ),
        TallyError::NotInElectorate(_) => Error::conflict(codes::NOT_IN_ELECTORATE, "council.not_in_electorate"),
        TallyError::SecondBallot(_) => Error::conflict(codes::ALREADY_VOTED, "council.already_voted"),
        TallyError::Inconsistent(_) => {
            Error::conflict(codes::TALLY_EXCEEDS_ELECTORATE, "council.tally_exceeds_electorate")
        }
    }
}

/// What a count reads: the units (owners' votes), the voters, the counted ballots and the
/// confirmed show of hands.
pub struct CountInput {
    pub units: Vec<(i64, i64, i64)>,
    pub voters: Vec<i64>,
    pub ballots: Vec<(i64, String, String)>,
    pub hands: Option<repo::HandsRow>,
}

impl CountInput {
    /// What a count needs, read in a command's transaction (to close the vote on what it
    /// locked) or through the pool (for a page).
    pub async fn read(conn: impl Into<yijia_db::Conn<'_>>, v: &VoteRow) -> Result<CountInput> {
        let mut c = conn.into();
        let owners = v.kind == VoteKind::Owners.as_str();
        Ok(CountInput {
            units: if owners {
                repo::vote_units(c.reborrow(), v.vote_id).await?
            } else {
                Vec::new()
            },
            voters: if owners || v.method == Method::Hands.as_str() {
                Vec::new()
            } else {
                repo::voters(c.reborrow(), v.vote_id).await?
            },
            ballots: repo::counted_ballots(c.reborrow(), v.vote_id).await?,
            hands: repo::hands(c, v.vote_id).await?.filter(|h| h.confirmed_at.is_some()),
        })
    }
}

/// Counts a vote from what is stored, under the rule preset it was opened with.
pub fn count(v: &VoteRow, input: &CountInput) -> Result<Counted> {
    let preset =
        rules::preset(&v.preset).ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown preset {}", v.preset)))?;
    match preset.rule {
        Rule::Owners(rule) => {
            let units: Vec<Unit> = input
                .units
                .iter()
                .map(|(unit_id, owner, area)| Unit {
                    unit_id: *unit_id,
                    owner: *owner,
                    area: Some(*area),
                })
                .collect();
            let ballots: Vec<(i64, Choice)> = input
                .ballots
                .iter()
                .filter_map(|(voter, c, _)| Choice::parse(c).map(|c| (*voter, c)))
                .collect();
            let matter = Matter::parse(&v.matter).unwrap_or(Matter::Other);
            tally::owners(&units, &ballots, matter, &rule)
                .map(Counted::Motion)
                .map_err(count_error)
        }
        Rule::Residents(rule) => {
            let (entitled, present, counts) = if v.method == Method::Hands.as_str() {
                let h = input
                    .hands
                    .as_ref()
                    .ok_or_else(|| Error::conflict(codes::HANDS_UNCONFIRMED, "council.hands_unconfirmed"))?;
                let counts = Counts {
                    approve: h.approve,
                    oppose: h.oppose,
                    abstain: h.abstain,
                };
                (v.electors, h.present, counts)
            } else {
                let mut counts = Counts::default();
                let electorate: BTreeSet<i64> = input.voters.iter().copied().collect();
                for (voter, c, _) in &input.ballots {
                    if !electorate.contains(voter) {
                        return Err(count_error(TallyError::NotInElectorate(*voter)));
                    }
                    match Choice::parse(c) {
                        Some(Choice::Approve) => counts.approve += 1,
                        Some(Choice::Oppose) => counts.oppose += 1,
                        _ => counts.abstain += 1,
                    }
                }
                let entitled = i64::try_from(electorate.len()).unwrap_or(i64::MAX);
                (entitled, counts.total(), counts)
            };
            tally::residents(entitled, present, counts, &rule)
                .map(Counted::Motion)
                .map_err(count_error)
        }
        Rule::Poll => {
            let electorate: BTreeSet<i64> = input.voters.iter().copied().collect();
            let options: Vec<String> = stored::json(&v.options, format!("options of vote {}", v.vote_id))?;
            let ballots = input
                .ballots
                .iter()
                .map(|(voter, _, o)| {
                    let choices = stored::json(o, format!("ballot of voter {voter} in vote {}", v.vote_id))?;
                    Ok((*voter, choices))
                })
                .collect::<Result<Vec<_>>>()?;
            let quorum = share(&mut FieldErrors::default(), "quorum", &v.quorum);
            tally::poll(&electorate, &ballots, options.len(), v.multiple != 0, quorum)
                .map(Counted::Poll)
                .map_err(|e| match e {
                    PollError::Tally(t) => count_error(t),
                    PollError::BadChoice(_) => Error::conflict(codes::BAD_OPTIONS, "council.bad_options"),
                })
        }
    }
}

/// Closes an open vote (staff, or the tick once its time has come): counts it, stores the
/// count, and makes a passed motion a resolution. Returns the count.
pub async fn close(state: &AppState, actor: &Actor, vote_id: i64) -> Result<Counted> {
    let now = state.now_ms();
    let (mut tx, c, v) = locked(state, vote_id).await?;
    if !matches!(actor.via, yijia_kernel::actor::Via::Schedule { .. }) {
        MANAGE.check(actor, &c.place())?;
    }
    if v.status != VoteStatus::Open.as_str() {
        return Err(Error::conflict(codes::VOTE_NOT_OPEN, "council.vote_not_open"));
    }
    let counted = settle(&mut tx, &c, &v, now).await?;
    let passed = counted.passed();
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_vote.close", "council_vote", vote_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "passed": passed }))),
    )
    .await?;
    tx.commit().await?;
    Ok(counted)
}

/// Counts an open vote, stores the count and closes it; a passed motion becomes a resolution
/// decided on the community's day of `now`, and the vote's topic is marked decided.
pub(crate) async fn settle(
    tx: &mut Tx,
    c: &yijia_kernel::community::CommunityAt,
    v: &VoteRow,
    now: i64,
) -> Result<Counted> {
    let counted = count(v, &CountInput::read(&mut *tx, v).await?)?;
    let result = serde_json::to_string(&counted).map_err(|e| Error::Internal(e.into()))?;
    let passed = counted.passed();
    repo::mark_closed(tx, v.vote_id, &result, passed, now).await?;
    let motion = v.kind != VoteKind::Poll.as_str();
    if motion && passed == Some(true) {
        let body = match &v.topic_id {
            Some(t) => repo::topic(&mut *tx, *t).await?.map(|t| t.body).unwrap_or_default(),
            None => String::new(),
        };
        repo::insert_resolution(
            tx,
            &NewResolution {
                community_id: v.community_id,
                vote_id: Some(v.vote_id),
                topic_id: v.topic_id,
                title: &v.title,
                body: &body,
                decided_on: &day_of(c, now),
                visibility: Visibility::Public.as_str(),
            },
            now,
        )
        .await?;
    }
    if let (true, Some(t)) = (motion, v.topic_id) {
        if let Some(topic) = repo::topic(&mut *tx, t).await? {
            repo::set_topic_status(tx, t, TopicStatus::Decided.as_str(), None, &topic.answer, now).await?;
            super::topic::tell_raiser(tx, &topic, "council.note_decided", now).await?;
        }
    }
    Ok(counted)
}

/// Closes every open vote whose time has come; returns how many.
pub async fn close_due(state: &AppState) -> Result<usize> {
    let due = repo::votes_due(&state.db, state.now_ms()).await?;
    let system = Actor::schedule("council.close_votes");
    let mut n = 0;
    for id in due {
        match close(state, &system, id).await {
            Ok(_) => n += 1,
            Err(e) => tracing::warn!(vote = id, error = %e, "a vote due could not be closed"),
        }
    }
    Ok(n)
}
