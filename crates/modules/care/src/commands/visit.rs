//! Care visits (走访): logged from a phone by the household's own carer. A visit that reached
//! the person sets the next one's day; one that could not reach them tells the grid worker and
//! the community at once. The tick tells the carer, then the grid worker, then the community,
//! of every visit overdue, each once for each due day. A need found may become an appeal.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::Message;
use yijia_kernel::notify::{self, Note};
use yijia_kernel::ports::RaisedAppeal;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result, Role};

use super::pairing::day;
use super::{begin, choice, escalation, field};
use crate::codes;
use crate::model::visits::{alerts, alerts_for_outcome, days_over, due, Outcome, Tier};
use crate::repo::{self, NewVisit, PairingRow};

/// How far back a visit may be logged: a carer back from a week away still logs it.
const MAX_DAYS_BACK: i64 = 30;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisitInput {
    /// YYYY-MM-DD; empty is today.
    pub visited_on: String,
    /// met | phoned | not_home | unreachable
    pub outcome: String,
    /// How the person is (health, mood, home).
    pub condition: String,
    /// What they need.
    pub needs: String,
    /// What the carer will do next.
    pub follow_up: String,
}

/// What logging a visit did.
#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub visit_id: i64,
    /// The next visit's day.
    pub due_on: String,
    /// Who was told at once (an unreachable person).
    pub told: Vec<&'static str>,
}

fn seal(state: &AppState, field: &str, v: &str) -> Option<String> {
    (!v.is_empty()).then(|| state.vault.seal(field, v))
}

/// Logs a visit to the household of one of the carer's pairings.
pub async fn log(state: &AppState, actor: &Actor, pairing_id: i64, input: &VisitInput) -> Result<Logged> {
    let mut errs = FieldErrors::default();
    let outcome = choice::<Outcome>(&mut errs, "outcome", &input.outcome);
    let visited = day(&mut errs, "visited_on", &input.visited_on);
    let condition = text::optional(&mut errs, "condition", &input.condition, 2000);
    let needs = text::optional(&mut errs, "needs", &input.needs, 2000);
    let follow_up = text::optional(&mut errs, "follow_up", &input.follow_up, 2000);
    errs.clone().into_result()?;
    let p = repo::pairing(&state.db, pairing_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, p.community_id).await?;
    let p = repo::pairing(&mut tx, pairing_id).await?.ok_or(Error::NotFound)?;
    let today = c.today(state);
    // A pairing past its end date is over even before the tick marks it ended.
    let past_end = p.ends_on.as_deref().is_some_and(|e| e < today.to_string().as_str());
    if actor.account_id != Some(p.carer_account_id) || p.ended_at.is_some() || past_end {
        return Err(Error::conflict(codes::NOT_PAIRED, "care.not_paired"));
    }
    let visited = visited.unwrap_or(today);
    let starts: Date = p.starts_on.parse().unwrap_or(today);
    if visited > today {
        errs.add("visited_on", Message::new("care.visit_in_future"));
    } else if visited < starts || days_over(visited, today) > MAX_DAYS_BACK {
        errs.add(
            "visited_on",
            Message::new("care.visit_too_early").arg("days", MAX_DAYS_BACK),
        );
    }
    errs.into_result()?;
    let outcome = outcome.ok_or(Error::NotFound)?;
    let visited_s = visited.to_string();
    let visit_id = repo::insert_visit(
        &mut tx,
        &NewVisit {
            community_id: c.community_id,
            pairing_id,
            household_id: p.household_id,
            carer_account_id: p.carer_account_id,
            visited_on: &visited_s,
            outcome: outcome.as_str(),
            condition_sealed: seal(state, field::CONDITION, &condition),
            needs_sealed: seal(state, field::NEEDS, &needs),
            follow_up_sealed: seal(state, field::FOLLOW_UP, &follow_up),
        },
        now,
    )
    .await?;
    let mut due_on = p.due_on.clone();
    if outcome.counts() {
        let last = p
            .last_visit_on
            .as_deref()
            .and_then(|l| l.parse::<Date>().ok())
            .map_or(visited, |l| l.max(visited));
        due_on = due(starts, Some(last), p.interval_days).to_string();
        repo::set_due(&mut tx, pairing_id, &last.to_string(), &due_on, now).await?;
    }
    let mut told = Vec::new();
    for tier in alerts_for_outcome(outcome) {
        if alert(&mut tx, &c, &p, "unreachable", tier, &visited_s, Some(visit_id), now).await? {
            told.push(tier.as_str());
        }
    }
    // The audit names the outcome and the day; what was found stays sealed in the visit.
    let after = serde_json::json!({ "pairing": pairing_id, "visited_on": visited_s, "outcome": outcome.as_str(), "due_on": due_on });
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("care_visit.log", "care_visit", visit_id)
            .community(Some(c.community_id))
            .after(Some(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(Logged { visit_id, due_on, told })
}

/// Sends one tier's alert about a pairing unless it was sent for this day before; `true` when
/// it went out now.
#[expect(clippy::too_many_arguments, reason = "the alert's parts, each its own column")]
pub(crate) async fn alert(
    tx: &mut Tx,
    c: &CommunityAt,
    p: &PairingRow,
    reason: &'static str,
    tier: Tier,
    due_on: &str,
    visit_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    if !repo::insert_alert(
        tx,
        c.community_id,
        p.pairing_id,
        reason,
        tier.as_str(),
        due_on,
        visit_id,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    let mut kind = if reason == "unreachable" {
        "care.note_unreachable"
    } else {
        "care.note_overdue"
    };
    let to = match tier {
        Tier::Carer => vec![p.carer_account_id],
        Tier::GridWorker => match repo::grid_workers_tx(tx, p.grid_id).await? {
            // A grid with nobody to tell would record the alert as sent and never repeat it: the
            // community is told instead, and told why (issue 28).
            workers if workers.is_empty() => {
                kind = "care.note_no_grid_worker";
                staff_of(tx, c).await?
            }
            workers => workers,
        },
        Tier::Community => staff_of(tx, c).await?,
    };
    let note = Note {
        community_id: Some(c.community_id),
        kind,
        args: serde_json::json!({ "address": p.address, "carer": p.carer_name, "due_on": due_on }),
        link: format!("/care/pairings/{}", p.pairing_id),
    };
    notify::send(tx, &to, &note, now).await?;
    Ok(true)
}

/// The community's administrators and staff, told at the community's tier.
async fn staff_of(tx: &mut Tx, c: &CommunityAt) -> Result<Vec<i64>> {
    notify::holders(
        tx,
        c.community_id,
        &[Role::CommunityAdmin.as_str(), Role::CommunityStaff.as_str()],
        false,
    )
    .await
}

/// Ends the pairings whose end date has passed, in each community's own day: from then on the
/// carer no longer sees the household, logs no visit to it, and coverage no longer counts it.
/// Run by the tick before the escalation, which then tells nobody of a pairing that is over.
pub async fn end_lapsed(state: &AppState) -> Result<usize> {
    let mut ended = 0;
    for c in yijia_kernel::community::all(&state.db).await? {
        let today = c.today(state).to_string();
        if repo::lapsed_pairings(&state.db, c.community_id, &today)
            .await?
            .is_empty()
        {
            continue;
        }
        let now = state.now_ms();
        let (mut tx, c) = begin(state, c.community_id).await?;
        let ids = repo::lapsed_pairings(&mut tx, c.community_id, &today).await?;
        for id in &ids {
            repo::end_pairing(&mut tx, *id, now).await?;
        }
        audit::record(
            &mut tx,
            state.vault.audit_key(),
            now,
            &Actor::schedule("care.end_lapsed"),
            Entry::new("care_pairing.end_lapsed", "community", c.community_id)
                .community(Some(c.community_id))
                .after(Some(&serde_json::json!({ "pairings": ids }))),
        )
        .await?;
        tx.commit().await?;
        ended += ids.len();
    }
    Ok(ended)
}

/// The tick: for every community, each overdue visit's tiers whose day has come are told, each
/// once. Returns how many alerts went out.
pub async fn escalate(state: &AppState) -> Result<usize> {
    let mut sent = 0;
    for c in yijia_kernel::community::all(&state.db).await? {
        sent += escalate_in(state, &c).await?;
    }
    Ok(sent)
}

/// One community's escalation. What is due and what was told are read first, without the write
/// lock; the lock is taken only when some tier's day has come and it was not told yet, so a
/// backlog already told costs two reads a minute.
async fn escalate_in(state: &AppState, c: &CommunityAt) -> Result<usize> {
    let today = c.today(state);
    let today_s = today.to_string();
    let overdue = repo::overdue_in(&state.db, c.community_id, &today_s).await?;
    if overdue.is_empty() {
        return Ok(0);
    }
    let e = escalation(&state.db, c.community_id).await?;
    let told: std::collections::BTreeSet<(i64, String)> = repo::overdue_told(&state.db, c.community_id, &today_s)
        .await?
        .into_iter()
        .collect();
    let todo: Vec<(&repo::OverdueRow, Vec<Tier>)> = overdue
        .iter()
        .filter_map(|o| {
            let due_on = o.due_on.parse::<Date>().ok()?;
            let tiers: Vec<Tier> = alerts(due_on, today, e)
                .into_iter()
                .filter(|t| !told.contains(&(o.pairing_id, t.as_str().to_owned())))
                .collect();
            (!tiers.is_empty()).then_some((o, tiers))
        })
        .collect();
    if todo.is_empty() {
        return Ok(0);
    }
    let now = state.now_ms();
    let (mut tx, c) = begin(state, c.community_id).await?;
    let mut sent = 0;
    for (o, tiers) in todo {
        let Some(p) = repo::pairing(&mut tx, o.pairing_id).await? else {
            continue;
        };
        // A visit logged since the read moved the due day: nothing to tell for the old one.
        if p.due_on != o.due_on || p.ended_at.is_some() {
            continue;
        }
        for tier in tiers {
            if alert(&mut tx, &c, &p, "overdue", tier, &o.due_on, None, now).await? {
                sent += 1;
            }
        }
    }
    if sent > 0 {
        audit::record(
            &mut tx,
            state.vault.audit_key(),
            now,
            &Actor::schedule("care.escalate"),
            Entry::new("care_alert.escalate", "community", c.community_id)
                .community(Some(c.community_id))
                .after(Some(&serde_json::json!({ "alerts": sent }))),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(sent)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppealFromVisit {
    /// The appeal's category.
    pub category: String,
    /// What is needed, as the appeal's description.
    pub description: String,
}

/// Raises an appeal for a need a visit found: the carer raises it, placed at the household's
/// door, and the visit keeps a link to it. Returns the appeal's id.
pub async fn raise_appeal(state: &AppState, actor: &Actor, visit_id: i64, input: &AppealFromVisit) -> Result<i64> {
    let v = repo::visit(&state.db, visit_id).await?.ok_or(Error::NotFound)?;
    if actor.account_id != Some(v.carer_account_id) {
        return Err(Error::Forbidden);
    }
    if v.appeal_id.is_some() {
        return Err(Error::conflict(codes::APPEAL_RAISED, "care.appeal_raised"));
    }
    let h = yijia_registry::repo::household(&state.db, v.household_id)
        .await?
        .ok_or(Error::NotFound)?;
    let appeal = RaisedAppeal {
        community_id: h.community_id,
        category: &input.category,
        description: &input.description,
        building_id: h.building_id,
        unit_id: h.unit_id,
    };
    let appeal_id = state.appeal_desk()?.raise(state, actor, appeal).await?;
    let (mut tx, _) = begin(state, h.community_id).await?;
    repo::link_visit(&mut tx, visit_id, None, Some(appeal_id)).await?;
    tx.commit().await?;
    Ok(appeal_id)
}
