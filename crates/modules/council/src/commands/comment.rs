//! Discussion (议事): comments and replies under a topic; official answers on behalf of a party
//! (the property company, a department, the community); reports of abusive comments, which hide
//! a comment after the community's number of reports until staff review it.

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, name_of, optional_id, setting_i64, HIDE_AFTER_REPORTS};
use yijia_kernel::community::CommunityAt;

use crate::codes;
use crate::model::TopicStatus;
use crate::permissions::{ANSWER, MANAGE, TAKE_PART};
use crate::repo::{self, NewComment};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
    /// The comment replied to.
    pub parent: String,
    /// Set for an official answer: the party it speaks for (物业公司, 住建部门 …).
    pub official: String,
}

/// Writes a comment, a reply or an official answer; returns its id.
pub async fn write(state: &AppState, actor: &Actor, topic_id: i64, input: &CommentInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let body = text::required(&mut errs, "body", &input.body, 2000);
    let parent = optional_id(&mut errs, "parent", &input.parent);
    let official = text::optional(&mut errs, "official", &input.official, 40);
    errs.into_result()?;
    let t = repo::topic(&state.db, topic_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    let official = if official.is_empty() {
        TAKE_PART.check(actor, &c.place())?;
        official
    } else {
        ANSWER.check(actor, &c.place())?;
        official_for(&mut tx, actor, &c, official).await?
    };
    if matches!(
        TopicStatus::parse(&t.status),
        Some(TopicStatus::Merged | TopicStatus::Declined)
    ) {
        return Err(Error::conflict(codes::TOPIC_CLOSED, "council.topic_closed"));
    }
    if let Some(p) = parent {
        if repo::comment(&mut tx, p).await?.is_none_or(|c| c.topic_id != topic_id) {
            return Err(Error::field("parent", "council.bad_choice"));
        }
    }
    let name = name_of(actor);
    let id = repo::insert_comment(
        &mut tx,
        &NewComment {
            topic_id,
            parent_id: parent,
            account_id: actor.account_id,
            author_name: &name,
            official: &official,
            body: &body,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_comment.write", "council_comment", id)
            .community(Some(c.community_id))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The party an official answer speaks for: staff name any; the property company's and the
/// departments' people answer for the party they work for (the one typed, when several).
async fn official_for(tx: &mut yijia_db::Tx, actor: &Actor, c: &CommunityAt, typed: String) -> Result<String> {
    let community_id = c.community_id;
    if MANAGE.allows(actor, &c.place()) {
        return Ok(typed);
    }
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let mine = repo::parties_of(&mut *tx, community_id, account).await?;
    match mine.as_slice() {
        [] => Err(Error::field("official", "council.not_of_party")),
        [one] => Ok(one.clone()),
        _ => mine
            .into_iter()
            .find(|p| *p == typed)
            .ok_or_else(|| Error::field("official", "council.not_of_party")),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportInput {
    pub reason: String,
}

/// Reports a comment; returns whether it is now hidden.
pub async fn report(state: &AppState, actor: &Actor, comment_id: i64, input: &ReportInput) -> Result<bool> {
    let mut errs = FieldErrors::default();
    let reason = text::optional(&mut errs, "reason", &input.reason, 200);
    errs.into_result()?;
    let cm = repo::comment(&state.db, comment_id).await?.ok_or(Error::NotFound)?;
    let t = repo::topic(&state.db, cm.topic_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    TAKE_PART.check(actor, &c.place())?;
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let cm = repo::comment(&mut tx, comment_id).await?.ok_or(Error::NotFound)?;
    let reports = repo::report_comment(&mut tx, comment_id, account, &reason, now)
        .await?
        .ok_or_else(|| Error::conflict(codes::ALREADY_REPORTED, "council.already_reported"))?;
    let limit = setting_i64(&mut tx, c.community_id, &HIDE_AFTER_REPORTS).await?;
    // A comment staff reviewed and kept stays up; new reports do not hide it again.
    let hide = cm.hidden_at.is_none() && cm.reviewed_at.is_none() && reports >= limit;
    if hide {
        repo::set_comment_hidden(&mut tx, comment_id, Some(now), None).await?;
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_comment.report", "council_comment", comment_id)
            .community(Some(c.community_id))
            .after(Some(
                &serde_json::json!({ "reports": reports, "hidden": hide, "reason": reason }),
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(hide || cm.hidden_at.is_some())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewInput {
    /// keep | hide
    pub action: String,
}

/// Staff review a comment: keep it up (it will not be hidden by reports again) or hide it.
pub async fn review(state: &AppState, actor: &Actor, comment_id: i64, input: &ReviewInput) -> Result<()> {
    let hide = match input.action.trim() {
        "keep" => false,
        "hide" => true,
        "" => return Err(Error::field("action", "field.required")),
        _ => return Err(Error::field("action", "council.bad_choice")),
    };
    let cm = repo::comment(&state.db, comment_id).await?.ok_or(Error::NotFound)?;
    let t = repo::topic(&state.db, cm.topic_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    MANAGE.check(actor, &c.place())?;
    repo::set_comment_hidden(&mut tx, comment_id, hide.then_some(now), Some(now)).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("council_comment.review", "council_comment", comment_id)
            .community(Some(c.community_id))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
