//! Teams (爱之翼's wings): staff create them and place them in grids; a volunteer applies and a
//! leader (or staff) approves; staff add people directly and name leaders.

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, community_id, optional_id, Access};
use crate::codes;
use crate::model::{list, MemberRole, MemberStatus};
use crate::permissions::{JOIN, MANAGE};
use crate::repo;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamInput {
    pub community: String,
    pub name: String,
    pub description: String,
    /// Grid ids, separated by commas.
    pub grids: String,
}

/// Creates a team; returns its id.
pub async fn create(state: &AppState, actor: &Actor, input: &TeamInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let name = text::required(&mut errs, "name", &input.name, 40);
    let description = text::optional(&mut errs, "description", &input.description, 1000);
    let grids: Vec<i64> = list(&input.grids).iter().filter_map(|g| g.parse().ok()).collect();
    if list(&input.grids).len() != grids.len() {
        errs.add("grids", Message::new("volunteers.bad_choice"));
    }
    errs.into_result()?;
    let cid = cid.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    MANAGE.check(actor, &c.place())?;
    if repo::team_name_taken(&mut tx, cid, &name).await? {
        return Err(Error::field("name", "volunteers.team_name_taken"));
    }
    let id = repo::insert_team(&mut tx, cid, &name, &description, now).await?;
    repo::set_team_grids(&mut tx, id, cid, &grids).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_team.create", "vol_team", id)
            .community(Some(cid))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A volunteer asks to join a team; its leaders are told.
pub async fn apply(state: &AppState, actor: &Actor, team_id: i64) -> Result<()> {
    let t = repo::team(&state.db, team_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    JOIN.check(actor, &c.place())?;
    let access = Access::of(&mut tx, actor, &c, Some(team_id)).await?;
    let me = access
        .me
        .ok_or_else(|| Error::conflict(codes::REGISTER_FIRST, "volunteers.register_first"))?;
    match repo::membership_tx(&mut tx, team_id, me.volunteer_id).await? {
        Some((_, s)) if s == "active" => {
            return Err(Error::conflict(codes::ALREADY_MEMBER, "volunteers.already_member"))
        }
        Some((_, s)) if s == "applied" => {
            return Err(Error::conflict(codes::ALREADY_APPLIED, "volunteers.already_applied"))
        }
        _ => {}
    }
    repo::put_member(
        &mut tx,
        team_id,
        me.volunteer_id,
        c.community_id,
        "member",
        "applied",
        None,
        now,
    )
    .await?;
    let leaders = repo::leader_accounts_tx(&mut tx, team_id).await?;
    let note = Note {
        community_id: Some(c.community_id),
        kind: "volunteers.note_applied",
        args: serde_json::json!({ "name": me.name, "team": t.name }),
        link: format!("/volunteers/teams/{team_id}"),
    };
    notify::send(&mut tx, &leaders, &note, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_team.apply", "vol_team", team_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "volunteer": me.volunteer_id }))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a leader or staff decide about someone in a team.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MemberInput {
    pub volunteer: String,
    /// approve | decline | add | leader | member | remove
    pub action: String,
}

/// Approves or declines an application (a leader or staff); adds a volunteer, names or unnames
/// a leader, or removes someone (staff).
pub async fn decide(state: &AppState, actor: &Actor, team_id: i64, input: &MemberInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let vid = optional_id(&mut errs, "volunteer", &input.volunteer);
    if vid.is_none() && errs.get("volunteer").is_none() {
        errs.add("volunteer", Message::new("field.required"));
    }
    errs.into_result()?;
    let vid = vid.ok_or(Error::NotFound)?;
    let t = repo::team(&state.db, team_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, t.community_id).await?;
    let access = Access::of(&mut tx, actor, &c, Some(team_id)).await?;
    if !access.runs() {
        return Err(Error::NotFound);
    }
    let v = repo::volunteer(&mut tx, vid)
        .await?
        .filter(|v| v.community_id == c.community_id && v.left_at.is_none())
        .ok_or_else(|| Error::field("volunteer", "volunteers.no_such_volunteer"))?;
    let current = repo::membership_tx(&mut tx, team_id, vid).await?;
    let (role, status) = current.clone().unwrap_or_else(|| ("member".to_owned(), String::new()));
    let applied = status == MemberStatus::Applied.as_str();
    let active = status == MemberStatus::Active.as_str();
    let (role, status, told) = match input.action.trim() {
        "approve" if applied => (role, MemberStatus::Active, Some("volunteers.note_approved")),
        "decline" if applied => (role, MemberStatus::Declined, Some("volunteers.note_declined")),
        "add" if access.staff && !active => (role, MemberStatus::Active, Some("volunteers.note_added")),
        "leader" if access.staff && active => (MemberRole::Leader.as_str().to_owned(), MemberStatus::Active, None),
        "member" if access.staff && active => (MemberRole::Member.as_str().to_owned(), MemberStatus::Active, None),
        "remove" if access.staff && active => (role, MemberStatus::Left, None),
        "approve" | "decline" | "add" | "leader" | "member" | "remove" => {
            return Err(Error::conflict(
                codes::MEMBER_STATE_CHANGED,
                "volunteers.member_state_changed",
            ))
        }
        _ => return Err(Error::field("action", "volunteers.bad_choice")),
    };
    repo::put_member(
        &mut tx,
        team_id,
        vid,
        c.community_id,
        &role,
        status.as_str(),
        actor.account_id,
        now,
    )
    .await?;
    if let (Some(kind), Some(account)) = (told, v.account_id) {
        let note = Note {
            community_id: Some(c.community_id),
            kind,
            args: serde_json::json!({ "team": t.name }),
            link: "/volunteers".to_owned(),
        };
        notify::send(&mut tx, &[account], &note, now).await?;
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_team.member", "vol_team", team_id)
            .community(Some(c.community_id))
            .before(
                current
                    .as_ref()
                    .map(|(r, s)| serde_json::json!({ "volunteer": vid, "role": r, "status": s }))
                    .as_ref(),
            )
            .after(Some(
                &serde_json::json!({ "volunteer": vid, "role": role, "status": status.as_str() }),
            )),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
