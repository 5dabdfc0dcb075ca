//! Meetings of the 议事厅: scheduled with their agenda of topics and the parties invited, never
//! with less notice than the community requires (15 days for an owners' meeting); attendance
//! signed in; minutes recorded and published on the board.

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, choice, community_id, name_of, setting_i64, NOTICE_DAYS_OTHER, NOTICE_DAYS_OWNERS};
use crate::codes;
use crate::model::{MeetingKind, TopicStatus, Visibility};
use crate::permissions::{MANAGE, TAKE_PART};
use crate::repo::{self, NewMeeting};

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeetingInput {
    pub community: String,
    pub title: String,
    /// deliberation | owners | residents
    pub kind: String,
    /// Local `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub place: String,
    pub invited: String,
    /// Topic ids on the agenda, separated by commas.
    pub topics: String,
}

/// Schedules a meeting and gives notice to those who raised or co-signed its topics; returns its id.
pub async fn schedule(state: &AppState, actor: &Actor, input: &MeetingInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let title = text::required(&mut errs, "title", &input.title, 60);
    let kind = choice::<MeetingKind>(&mut errs, "kind", &input.kind);
    let place = text::required(&mut errs, "place", &input.place, 100);
    let invited = text::optional(&mut errs, "invited", &input.invited, 200);
    let topics: Vec<i64> = input
        .topics
        .split([',', '，', ' '])
        .filter(|s| !s.trim().is_empty())
        .filter_map(|s| match s.trim().parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errs.add("topics", Message::new("council.bad_choice"));
                None
            }
        })
        .collect();
    let Some(cid) = cid else {
        errs.into_result()?;
        return Err(Error::NotFound);
    };
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    MANAGE.check(actor, &c.place())?;
    let starts = text::local_instant(&mut errs, "starts_at", &input.starts_at, &c.tz(), "council.bad_time");
    if let (Some(kind), Some(starts)) = (kind, starts) {
        let s = if kind == MeetingKind::Owners {
            NOTICE_DAYS_OWNERS
        } else {
            NOTICE_DAYS_OTHER
        };
        let days = setting_i64(&mut tx, cid, &s).await?;
        if starts - now < days * DAY_MS {
            errs.add("starts_at", Message::new("council.notice_too_short").arg("days", days));
        }
    }
    let mut agenda = Vec::with_capacity(topics.len());
    for id in &topics {
        match repo::topic(&mut tx, *id).await? {
            Some(t) if t.community_id == cid && TopicStatus::parse(&t.status).is_some_and(TopicStatus::open) => {
                agenda.push(t)
            }
            _ => errs.add("topics", Message::new("council.bad_agenda").arg("id", id)),
        }
    }
    errs.into_result()?;
    let (kind, starts) = kind.zip(starts).ok_or(Error::NotFound)?;
    let id = repo::insert_meeting(
        &mut tx,
        &NewMeeting {
            community_id: cid,
            title: &title,
            kind: kind.as_str(),
            starts_at: starts,
            place: &place,
            invited: &invited,
            created_by: actor.account_id,
        },
        now,
    )
    .await?;
    let mut told: Vec<i64> = Vec::new();
    for t in &agenda {
        repo::add_agenda(&mut tx, id, t.topic_id).await?;
        if t.status == TopicStatus::Raised.as_str() {
            repo::set_topic_status(&mut tx, t.topic_id, TopicStatus::Agenda.as_str(), None, "", now).await?;
        }
        told.extend(t.raised_by);
        told.extend(repo::cosigners_tx(&mut tx, t.topic_id).await?);
    }
    told.sort_unstable();
    told.dedup();
    let note = Note {
        community_id: Some(cid),
        kind: "council.note_meeting",
        args: serde_json::json!({ "title": title, "place": place,
            "at": yijia_kernel::clock::format_local(starts, &c.time_zone) }),
        link: format!("/council/meetings/{id}"),
    };
    notify::send(&mut tx, &told, &note, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_meeting.schedule", "council_meeting", id)
            .community(Some(cid))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignInInput {
    /// Staff signing in someone present without a phone: their name. Empty: the actor signs in.
    pub name: String,
}

/// Signs the actor in at a meeting, or (staff) someone by name; false when already signed in.
pub async fn sign_in(state: &AppState, actor: &Actor, meeting_id: i64, input: &SignInInput) -> Result<bool> {
    let mut errs = FieldErrors::default();
    let name = text::optional(&mut errs, "name", &input.name, 40);
    errs.into_result()?;
    let m = repo::meeting(&state.db, meeting_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, m.community_id).await?;
    let added = if name.is_empty() {
        TAKE_PART.check(actor, &c.place())?;
        let account = actor.account_id.ok_or(Error::Forbidden)?;
        repo::sign_in(&mut tx, meeting_id, Some(account), &name_of(actor), None, now).await?
    } else {
        MANAGE.check(actor, &c.place())?;
        repo::sign_in(&mut tx, meeting_id, None, &name, actor.account_id, now).await?
    };
    if added {
        audit::record(
            &mut tx,
            state.vault.audit_key(),
            now,
            actor,
            Entry::new("council_meeting.sign_in", "council_meeting", meeting_id)
                .community(Some(c.community_id))
                .after(Some(input)),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(added)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinutesInput {
    pub minutes: String,
    /// public | residents
    pub visibility: String,
}

/// Records a meeting's minutes and publishes them on the board.
pub async fn minutes(state: &AppState, actor: &Actor, meeting_id: i64, input: &MinutesInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let minutes = text::required(&mut errs, "minutes", &input.minutes, 20_000);
    let visibility = if input.visibility.trim().is_empty() {
        Some(Visibility::Public)
    } else {
        choice::<Visibility>(&mut errs, "visibility", &input.visibility)
    };
    errs.into_result()?;
    let m = repo::meeting(&state.db, meeting_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, m.community_id).await?;
    MANAGE.check(actor, &c.place())?;
    if m.starts_at > now {
        return Err(Error::conflict(codes::MEETING_NOT_HELD, "council.meeting_not_held"));
    }
    let visibility = visibility.unwrap_or(Visibility::Public);
    repo::set_minutes(&mut tx, meeting_id, &minutes, visibility.as_str(), now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_meeting.minutes", "council_meeting", meeting_id)
            .community(Some(c.community_id))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
