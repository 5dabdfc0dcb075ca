//! Topics (说事): raised by a resident, a grid worker or a party member for a scope, with photos;
//! co-signed by residents until enough put it on the agenda; triaged by staff (put on the agenda,
//! merged into another, answered directly, or declined with a reason).

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::files::{self, PreparedImage};
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result, Role};

use super::{begin, choice, community_id, name_of, optional_id, scope, setting_i64, COSIGN_THRESHOLD};
use crate::codes;
use crate::model::{RaiserRole, TopicStatus, Triage};
use crate::permissions::{MANAGE, TAKE_PART};
use crate::repo::{self, NewTopic};

/// At most this many photos with a topic, each at most 5 MB.
pub const MAX_PHOTOS: usize = 6;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicInput {
    pub community: String,
    /// building | compound | grid | community
    pub scope_kind: String,
    /// The building's or grid's id, or the compound's name.
    pub scope: String,
    pub title: String,
    pub body: String,
}

/// In which capacity the actor raises a topic: the most official role they hold.
fn raiser_role(actor: &Actor) -> RaiserRole {
    let has = |r: Role| actor.grants.iter().any(|g| g.role == r);
    if has(Role::CommunityStaff) || has(Role::CommunityAdmin) {
        RaiserRole::Staff
    } else if has(Role::GridWorker) {
        RaiserRole::GridWorker
    } else if has(Role::PartyMember) {
        RaiserRole::PartyMember
    } else {
        RaiserRole::Resident
    }
}

/// Checks photos before the write transaction (see `files::prepare_images`).
pub async fn prepare_photos(state: &AppState, photos: &[Vec<u8>]) -> Result<Vec<PreparedImage>> {
    files::prepare_images(state, "photos", photos, MAX_PHOTOS, MAX_PHOTO_BYTES).await
}

/// Raises a topic; returns its id.
pub async fn raise(state: &AppState, actor: &Actor, input: &TopicInput, photos: &[PreparedImage]) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let title = text::required(&mut errs, "title", &input.title, 60);
    let body = text::required(&mut errs, "body", &input.body, 4000);
    let Some(cid) = cid else {
        errs.into_result()?;
        return Err(Error::NotFound);
    };
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    TAKE_PART.check(actor, &c.place())?;
    let scoped = scope(&mut tx, &mut errs, &c, &input.scope_kind, &input.scope).await?;
    errs.into_result()?;
    let (kind, scope_id, label) = scoped.ok_or(Error::NotFound)?;
    let name = name_of(actor);
    let role = raiser_role(actor);
    let id = repo::insert_topic(
        &mut tx,
        &NewTopic {
            community_id: cid,
            scope_kind: kind.as_str(),
            scope_id,
            scope_label: &label,
            title: &title,
            body: &body,
            raised_by: actor.account_id,
            raiser_name: &name,
            raiser_role: role.as_str(),
        },
        now,
    )
    .await?;
    for p in photos {
        let f = files::record_image(&mut tx, p, now).await?;
        repo::attach_file(&mut tx, id, &f.sha256).await?;
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_topic.raise", "council_topic", id)
            .community(Some(cid))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What a co-signature did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cosigned {
    pub cosigns: i64,
    /// The co-signature that reached the threshold put the topic on the agenda.
    pub on_agenda: bool,
}

/// Co-signs a topic; the co-signature that reaches the community's threshold puts it on the agenda.
pub async fn cosign(state: &AppState, actor: &Actor, topic_id: i64) -> Result<Cosigned> {
    let t = repo::topic(&state.db, topic_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    TAKE_PART.check(actor, &c.place())?;
    let t = repo::topic(&mut tx, topic_id).await?.ok_or(Error::NotFound)?;
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    if !TopicStatus::parse(&t.status).is_some_and(TopicStatus::open) {
        return Err(Error::conflict(codes::TOPIC_CLOSED, "council.topic_closed"));
    }
    if t.raised_by == Some(account) {
        return Err(Error::conflict(codes::OWN_TOPIC, "council.own_topic"));
    }
    let cosigns = repo::cosign(&mut tx, topic_id, account, now)
        .await?
        .ok_or_else(|| Error::conflict(codes::ALREADY_COSIGNED, "council.already_cosigned"))?;
    let threshold = setting_i64(&mut tx, c.community_id, &COSIGN_THRESHOLD).await?;
    let on_agenda = t.status == TopicStatus::Raised.as_str() && cosigns >= threshold;
    if on_agenda {
        repo::set_topic_status(&mut tx, topic_id, TopicStatus::Agenda.as_str(), None, "", now).await?;
        tell_raiser(&mut tx, &t, "council.note_agenda", now).await?;
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_topic.cosign", "council_topic", topic_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "cosigns": cosigns, "on_agenda": on_agenda }))),
    )
    .await?;
    tx.commit().await?;
    Ok(Cosigned { cosigns, on_agenda })
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriageInput {
    /// accept | merge | answer | decline
    pub action: String,
    /// The topic to merge into.
    pub into: String,
    /// The answer, or the reason for declining or merging.
    pub answer: String,
}

/// Staff decide what becomes of a raised topic; the raiser is told.
pub async fn triage(state: &AppState, actor: &Actor, topic_id: i64, input: &TriageInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let action = choice::<Triage>(&mut errs, "action", &input.action);
    let into = optional_id(&mut errs, "into", &input.into);
    let answer = match action {
        Some(Triage::Answer | Triage::Decline) => text::required(&mut errs, "answer", &input.answer, 2000),
        _ => text::optional(&mut errs, "answer", &input.answer, 2000),
    };
    if action == Some(Triage::Merge) && into.is_none() && errs.get("into").is_none() {
        errs.add("into", Message::new("field.required"));
    }
    errs.into_result()?;
    let action = action.ok_or(Error::NotFound)?;
    let t = repo::topic(&state.db, topic_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    MANAGE.check(actor, &c.place())?;
    let t = repo::topic(&mut tx, topic_id).await?.ok_or(Error::NotFound)?;
    let status = TopicStatus::parse(&t.status);
    let allowed = match action {
        Triage::Accept => status == Some(TopicStatus::Raised),
        _ => status.is_some_and(TopicStatus::open),
    };
    if !allowed {
        return Err(Error::conflict(
            codes::TOPIC_NOT_TRIAGEABLE,
            "council.topic_not_triageable",
        ));
    }
    let (next, merged_into, note) = match action {
        Triage::Accept => (TopicStatus::Agenda, None, "council.note_agenda"),
        Triage::Answer => (TopicStatus::Answered, None, "council.note_answered"),
        Triage::Decline => (TopicStatus::Declined, None, "council.note_declined"),
        Triage::Merge => {
            let target = match into {
                Some(i) if i != topic_id => repo::topic(&mut tx, i).await?,
                _ => None,
            };
            let ok = target.as_ref().is_some_and(|o| {
                o.community_id == t.community_id && TopicStatus::parse(&o.status).is_some_and(TopicStatus::open)
            });
            if !ok {
                return Err(Error::field("into", "council.bad_merge"));
            }
            (TopicStatus::Merged, into, "council.note_merged")
        }
    };
    repo::set_topic_status(&mut tx, topic_id, next.as_str(), merged_into, &answer, now).await?;
    tell_raiser(&mut tx, &t, note, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_topic.triage", "council_topic", topic_id)
            .community(Some(c.community_id))
            .before(Some(&serde_json::json!({ "status": t.status })))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Tells a topic's raiser what became of it.
pub(crate) async fn tell_raiser(tx: &mut yijia_db::Tx, t: &repo::TopicRow, kind: &'static str, now: i64) -> Result<()> {
    if let Some(to) = t.raised_by {
        let note = Note {
            community_id: Some(t.community_id),
            kind,
            args: serde_json::json!({ "title": t.title }),
            link: format!("/council/topics/{}", t.topic_id),
        };
        notify::send(tx, &[to], &note, now).await?;
    }
    Ok(())
}
