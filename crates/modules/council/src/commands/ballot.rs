//! Ballots: one per voter, from a phone (changeable until close when the vote allows it), or
//! entered by staff from paper or for a proxy (with the proxy's authorisation), which counts once
//! a second staff member enters the same choice; and a show of hands at a residents' meeting,
//! entered by one staff member and confirmed by another entering the same figures.

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::files::{self, PreparedImage};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::vote::locked;
use super::{choice, optional_id};
use crate::codes;
use crate::model::rules::VoteKind;
use crate::model::tally::Choice;
use crate::model::{Channel, Method, VoteStatus};
use crate::permissions::{MANAGE, TAKE_PART};
use crate::repo::{self, NewBallot, VoteRow};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BallotInput {
    /// approve | oppose | abstain (a motion)
    pub choice: String,
    /// A poll's chosen options, by number from 1, separated by commas.
    pub options: String,
}

/// A ballot's content checked against the vote: `(choice, options as JSON)`.
fn content(errs: &mut FieldErrors, v: &VoteRow, choice_typed: &str, options_typed: &str) -> (String, String) {
    if v.kind != VoteKind::Poll.as_str() {
        let c = choice::<Choice>(errs, "choice", choice_typed);
        return (c.map(|c| c.as_str().to_owned()).unwrap_or_default(), "[]".to_owned());
    }
    let count = serde_json::from_str::<Vec<String>>(&v.options).map_or(0, |o| o.len());
    let mut chosen: Vec<usize> = Vec::new();
    for part in options_typed.split([',', '，', ' ']).filter(|s| !s.trim().is_empty()) {
        match part.trim().parse::<usize>() {
            Ok(n) if (1..=count).contains(&n) && !chosen.contains(&(n - 1)) => chosen.push(n - 1),
            _ => {
                errs.add("options", Message::new("council.bad_options"));
                return (String::new(), "[]".to_owned());
            }
        }
    }
    if chosen.is_empty() || (v.multiple == 0 && chosen.len() > 1) {
        errs.add("options", Message::new("council.bad_options"));
    }
    chosen.sort_unstable();
    (
        String::new(),
        serde_json::to_string(&chosen).unwrap_or_else(|_| "[]".to_owned()),
    )
}

/// Whether the vote takes ballots now.
fn taking(v: &VoteRow, now: i64) -> Result<()> {
    if v.status != VoteStatus::Open.as_str() || v.closes_at <= now {
        return Err(Error::conflict(codes::VOTE_CLOSED, "council.vote_closed"));
    }
    if v.method == Method::Hands.as_str() {
        return Err(Error::conflict(codes::VOTE_BY_HANDS, "council.vote_by_hands"));
    }
    Ok(())
}

/// What became of a ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cast {
    Counted,
    Changed,
    /// Entered from paper, waiting for a second staff member.
    Entered,
    /// A second staff member entered the same choice: it counts.
    Confirmed,
}

/// Casts the actor's own ballot from a phone.
pub async fn cast(state: &AppState, actor: &Actor, vote_id: i64, input: &BallotInput) -> Result<Cast> {
    let now = state.now_ms();
    let (mut tx, c, v) = locked(state, vote_id).await?;
    TAKE_PART.check(actor, &c.place())?;
    taking(&v, now)?;
    let mut errs = FieldErrors::default();
    let (choice, options) = content(&mut errs, &v, &input.choice, &input.options);
    errs.into_result()?;
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let (voter, _) = repo::voter_of_account(&mut tx, vote_id, account)
        .await?
        .ok_or_else(|| Error::rejected(403, codes::NOT_IN_ELECTORATE, "council.not_in_electorate"))?;
    let done = match repo::ballot(&mut tx, vote_id, voter).await? {
        None => {
            let inserted = repo::insert_ballot(
                &mut tx,
                &NewBallot {
                    vote_id,
                    voter_no: voter,
                    choice: &choice,
                    options: &options,
                    channel: Channel::Phone.as_str(),
                    proxy_name: "",
                    proxy_file: None,
                    cast_by: Some(account),
                    confirmed_at: Some(now),
                },
                now,
            )
            .await?;
            if !inserted {
                return Err(Error::conflict(codes::ALREADY_VOTED, "council.already_voted"));
            }
            Cast::Counted
        }
        Some(b) if v.changeable != 0 && b.channel == Channel::Phone.as_str() => {
            repo::change_ballot(&mut tx, b.ballot_id, &choice, &options, now).await?;
            Cast::Changed
        }
        Some(_) => return Err(Error::conflict(codes::ALREADY_VOTED, "council.already_voted")),
    };
    // A secret ballot's audit entry says that the voter voted, not how.
    let after = if v.secret != 0 {
        serde_json::json!({ "voter": voter })
    } else {
        serde_json::json!({ "voter": voter, "choice": choice, "options": options })
    };
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_vote.ballot", "council_vote", vote_id)
            .community(Some(c.community_id))
            .after(Some(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaperInput {
    /// The voter as the electorate numbers them (the owner, the household or the resident).
    pub voter: String,
    pub choice: String,
    pub options: String,
    /// Set when a proxy voted: the proxy's name (the authorisation is attached as a photo).
    pub proxy_name: String,
}

/// Enters a paper ballot (or a proxy's): the first entry waits; a second staff member entering
/// the same choice makes it count, a different one is refused and the first entry stands.
pub async fn paper(
    state: &AppState,
    actor: &Actor,
    vote_id: i64,
    input: &PaperInput,
    authorisation: Option<&PreparedImage>,
) -> Result<Cast> {
    let now = state.now_ms();
    let (mut tx, c, v) = locked(state, vote_id).await?;
    MANAGE.check(actor, &c.place())?;
    taking(&v, now)?;
    let mut errs = FieldErrors::default();
    let voter = optional_id(&mut errs, "voter", &input.voter);
    if voter.is_none() && errs.get("voter").is_none() {
        errs.add("voter", Message::new("field.required"));
    }
    let (choice, options) = content(&mut errs, &v, &input.choice, &input.options);
    let proxy = text::optional(&mut errs, "proxy_name", &input.proxy_name, 40);
    if !proxy.is_empty() && authorisation.is_none() {
        errs.add("authorisation", Message::new("council.proxy_document_needed"));
    }
    errs.into_result()?;
    let voter = voter.ok_or(Error::NotFound)?;
    let eligible = if v.kind == VoteKind::Owners.as_str() {
        repo::vote_units(&mut tx, vote_id).await?.iter().any(|u| u.1 == voter)
    } else {
        repo::voters(&mut tx, vote_id).await?.contains(&voter)
    };
    if !eligible {
        return Err(Error::field("voter", "council.not_in_electorate"));
    }
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let done = match repo::ballot(&mut tx, vote_id, voter).await? {
        None => {
            let sha = match authorisation {
                Some(a) => Some(files::record_image(&mut tx, a, now).await?.sha256),
                None => None,
            };
            let channel = if proxy.is_empty() {
                Channel::Paper
            } else {
                Channel::Proxy
            };
            repo::insert_ballot(
                &mut tx,
                &NewBallot {
                    vote_id,
                    voter_no: voter,
                    choice: &choice,
                    options: &options,
                    channel: channel.as_str(),
                    proxy_name: &proxy,
                    proxy_file: sha.as_deref(),
                    cast_by: Some(account),
                    confirmed_at: None,
                },
                now,
            )
            .await?;
            Cast::Entered
        }
        Some(b) if b.confirmed_at.is_some() => {
            return Err(Error::conflict(codes::ALREADY_VOTED, "council.already_voted"))
        }
        Some(b) if b.cast_by == Some(account) => {
            return Err(Error::conflict(codes::CONFIRM_BY_ANOTHER, "council.confirm_by_another"))
        }
        Some(b) if b.choice != choice || b.options != options => {
            return Err(Error::conflict(codes::ENTRIES_DIFFER, "council.entries_differ"))
        }
        Some(b) => {
            repo::confirm_ballot(&mut tx, b.ballot_id, account, now).await?;
            Cast::Confirmed
        }
    };
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_vote.paper", "council_vote", vote_id)
            .community(Some(c.community_id))
            .after(Some(
                &serde_json::json!({ "voter": voter, "step": done, "proxy": proxy }),
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HandsInput {
    pub present: String,
    pub approve: String,
    pub oppose: String,
    pub abstain: String,
}

/// Enters the figures of a show of hands; a second staff member entering the same figures
/// confirms them, different figures are refused (the first entry stands until its author
/// corrects it).
pub async fn hands(state: &AppState, actor: &Actor, vote_id: i64, input: &HandsInput) -> Result<Cast> {
    let mut errs = FieldErrors::default();
    let mut figure = |field: &str, v: &str| -> i64 {
        match v.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                let key = if v.trim().is_empty() {
                    "field.required"
                } else {
                    "council.bad_count"
                };
                errs.add(field, Message::new(key));
                0
            }
        }
    };
    let f = [
        figure("present", &input.present),
        figure("approve", &input.approve),
        figure("oppose", &input.oppose),
        figure("abstain", &input.abstain),
    ];
    let now = state.now_ms();
    let (mut tx, c, v) = locked(state, vote_id).await?;
    MANAGE.check(actor, &c.place())?;
    if v.method != Method::Hands.as_str() {
        return Err(Error::conflict(codes::VOTE_BY_BALLOT, "council.vote_by_ballot"));
    }
    if v.status != VoteStatus::Open.as_str() {
        return Err(Error::conflict(codes::VOTE_CLOSED, "council.vote_closed"));
    }
    if f[0] > v.electors {
        errs.add(
            "present",
            Message::new("council.tally_exceeds_electorate").arg("electors", v.electors),
        );
    }
    if f[1] + f[2] + f[3] > f[0] {
        errs.add("approve", Message::new("council.hands_exceed_present"));
    }
    errs.into_result()?;
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let done = match repo::hands(&mut tx, vote_id).await? {
        Some(h) if h.confirmed_at.is_some() => {
            return Err(Error::conflict(codes::HANDS_CONFIRMED, "council.hands_confirmed"))
        }
        Some(h) if h.entered_by != account => {
            if [h.present, h.approve, h.oppose, h.abstain] != f {
                return Err(Error::conflict(codes::ENTRIES_DIFFER, "council.entries_differ"));
            }
            repo::confirm_hands(&mut tx, vote_id, account, now).await?;
            Cast::Confirmed
        }
        _ => {
            repo::put_hands(&mut tx, vote_id, f, account, now).await?;
            Cast::Entered
        }
    };
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_vote.hands", "council_vote", vote_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "figures": f, "step": done }))),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}
