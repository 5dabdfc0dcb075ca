//! Activities of the 小蜜蜂驿站: a team's leader or staff publish one with its time, place,
//! requirements and shifts; they may cancel it (everyone signed up is told) and, afterwards,
//! say how many people it served.

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::settings::{self, Kind, Setting};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{activity_locked, begin, community_id, number, optional_id, Access};
use crate::codes;
use crate::model::{list, ActivityKind};
use crate::repo::{self, NewActivity};

/// Points a volunteer earns per hour served, unless the activity says otherwise.
pub const POINTS_PER_HOUR: Setting = Setting {
    key: "volunteers.points_per_hour",
    label: "volunteers.setting_points_per_hour",
    hint: "volunteers.setting_points_per_hour_hint",
    kind: Kind::Integer { min: 0, max: 1000 },
    default: "10",
};

/// Until how many hours before the start a sign-up may be cancelled, unless the activity says.
pub const CANCEL_HOURS: Setting = Setting {
    key: "volunteers.cancel_hours",
    label: "volunteers.setting_cancel_hours",
    hint: "volunteers.setting_cancel_hours_hint",
    kind: Kind::Integer { min: 0, max: 168 },
    default: "12",
};

/// An activity as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActivityInput {
    pub community: String,
    pub team: String,
    pub title: String,
    pub kind: String,
    pub place: String,
    pub description: String,
    /// Local date and time, `YYYY-MM-DDTHH:MM` (a `datetime-local` field).
    pub starts: String,
    pub ends: String,
    /// The time is split into this many equal shifts, each with this capacity.
    pub shifts: String,
    pub capacity: String,
    /// 18: adults only.
    pub min_age: String,
    pub skills: String,
    /// Grid ids, separated by commas.
    pub grids: String,
    pub cancel_hours: String,
    pub points_per_hour: String,
}

const MAX_MS: i64 = 24 * 3_600_000;

fn local_instant(errs: &mut FieldErrors, field: &str, v: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
    yijia_kernel::text::local_instant(errs, field, v, tz, "volunteers.bad_time")
}

/// Publishes an activity with its shifts; returns its id.
pub async fn create(state: &AppState, actor: &Actor, input: &ActivityInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let team_id = optional_id(&mut errs, "team", &input.team);
    let title = text::required(&mut errs, "title", &input.title, 60);
    let kind = ActivityKind::parse(&input.kind);
    if kind.is_none() {
        errs.add("kind", Message::new("volunteers.bad_choice"));
    }
    let place = text::required(&mut errs, "place", &input.place, 100);
    let description = text::optional(&mut errs, "description", &input.description, 2000);
    let shifts = number(&mut errs, "shifts", &input.shifts, 1, 12, 1);
    let capacity = number(&mut errs, "capacity", &input.capacity, 1, 1000, 10);
    let min_age = number(&mut errs, "min_age", &input.min_age, 0, 80, 0);
    let skills = list(&text::optional(&mut errs, "skills", &input.skills, 200)).join("、");
    let grids: Vec<i64> = list(&input.grids).iter().filter_map(|g| g.parse().ok()).collect();
    if list(&input.grids).len() != grids.len() {
        errs.add("grids", Message::new("volunteers.bad_choice"));
    }
    let Some(cid) = cid else {
        return Err(Error::Validation(errs));
    };
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    let access = Access::of(&mut tx, actor, &c, team_id).await?;
    if !access.runs() {
        return Err(Error::Forbidden);
    }
    if let Some(t) = team_id {
        if repo::team_community_tx(&mut tx, t).await? != Some(cid) {
            errs.add("team", Message::new("volunteers.bad_choice"));
        }
    }
    let zone = c.tz();
    let starts = local_instant(&mut errs, "starts", &input.starts, &zone);
    let ends = local_instant(&mut errs, "ends", &input.ends, &zone);
    if let (Some(s), Some(e)) = (starts, ends) {
        if s <= now {
            errs.add("starts", Message::new("volunteers.starts_past"));
        }
        if e <= s {
            errs.add("ends", Message::new("volunteers.ends_before_start"));
        } else if e - s > MAX_MS {
            errs.add("ends", Message::new("volunteers.too_long"));
        } else if (e - s) / shifts < 15 * 60_000 {
            errs.add("shifts", Message::new("volunteers.shifts_too_short"));
        }
    }
    let cancel_default = settings::get(&mut tx, cid, &CANCEL_HOURS).await?.parse().unwrap_or(12);
    let cancel_hours = number(&mut errs, "cancel_hours", &input.cancel_hours, 0, 168, cancel_default);
    let points_default = settings::get(&mut tx, cid, &POINTS_PER_HOUR)
        .await?
        .parse()
        .unwrap_or(10);
    let points_per_hour = number(
        &mut errs,
        "points_per_hour",
        &input.points_per_hour,
        0,
        1000,
        points_default,
    );
    errs.into_result()?;
    let (Some(starts), Some(ends), Some(kind)) = (starts, ends, kind) else {
        return Err(Error::NotFound);
    };
    let new = NewActivity {
        community_id: cid,
        team_id,
        title: &title,
        kind: kind.as_str(),
        place: &place,
        description: &description,
        starts_at: starts,
        ends_at: ends,
        min_age,
        skills: &skills,
        cancel_before_ms: cancel_hours * 3_600_000,
        points_per_hour,
        created_by: actor.account_id,
    };
    let id = repo::insert_activity(&mut tx, &new, now).await?;
    let step = (ends - starts) / shifts;
    for i in 0..shifts {
        let s = starts + i * step;
        let e = if i == shifts - 1 { ends } else { s + step };
        repo::insert_shift(&mut tx, id, cid, s, e, capacity).await?;
    }
    repo::set_activity_grids(&mut tx, id, cid, &grids).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_activity.create", "vol_activity", id)
            .community(Some(cid))
            .after(Some(input)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Cancels an activity that has not ended; everyone signed up or waiting is told, and whatever
/// was credited for it is reversed.
pub async fn cancel(state: &AppState, actor: &Actor, id: i64) -> Result<()> {
    let now = state.now_ms();
    let (mut tx, c, a) = activity_locked(state, id).await?;
    if !Access::of(&mut tx, actor, &c, a.team_id).await?.runs() {
        return Err(Error::NotFound);
    }
    if a.status == "cancelled" {
        return Err(Error::conflict(
            codes::ALREADY_CANCELLED,
            "volunteers.already_cancelled",
        ));
    }
    if a.ends_at <= now {
        return Err(Error::conflict(codes::ACTIVITY_OVER, "volunteers.activity_over"));
    }
    // What was credited while it ran is reversed, each sign-up by a reversing entry with the
    // reason: the reports leave cancelled activities out, and the ledger must agree with them.
    let memo = format!("活动已取消：{}", a.title);
    let credited = repo::credited_signups_tx(&mut tx, id).await?;
    for signup_id in &credited {
        if let Some(u) = repo::signup(&mut tx, *signup_id).await? {
            crate::ledger::reverse(&mut tx, &a, &u, &memo, actor, now).await?;
        }
    }
    repo::set_activity_status(&mut tx, id, "cancelled", now).await?;
    let accounts = signed_up_accounts(&mut tx, id).await?;
    let note = Note {
        community_id: Some(c.community_id),
        kind: "volunteers.note_activity_cancelled",
        args: serde_json::json!({ "title": a.title }),
        link: format!("/volunteers/activities/{id}"),
    };
    notify::send(&mut tx, &accounts, &note, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_activity.cancel", "vol_activity", id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "reversed": credited }))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records how many people an activity served, once it has begun.
pub async fn served(state: &AppState, actor: &Actor, id: i64, served: &str) -> Result<()> {
    let mut errs = FieldErrors::default();
    let n = number(&mut errs, "served", served, 0, 100_000, 0);
    errs.into_result()?;
    let now = state.now_ms();
    let (mut tx, c, a) = activity_locked(state, id).await?;
    if !Access::of(&mut tx, actor, &c, a.team_id).await?.runs() {
        return Err(Error::NotFound);
    }
    if a.starts_at > now {
        return Err(Error::conflict(codes::NOT_BEGUN, "volunteers.not_begun"));
    }
    repo::set_served(&mut tx, id, n, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_activity.served", "vol_activity", id)
            .community(Some(c.community_id))
            .before(Some(&a.served))
            .after(Some(&n)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn signed_up_accounts(tx: &mut yijia_db::Tx, activity_id: i64) -> Result<Vec<i64>> {
    Ok(yijia_db::on_tx!(tx, |c| sqlx::query_scalar(
        "select v.account_id from vol_signup u join volunteer v on v.volunteer_id = u.volunteer_id \
         where u.activity_id = $1 and u.status <> 'cancelled' and v.account_id is not null"
    )
    .bind(activity_id)
    .fetch_all(&mut *c)
    .await?))
}
