//! Points outside of service: bonuses staff award, and points spent at the merchant alliance.
//! A spend is refused when the balance does not cover it; two spends at once are decided one
//! after the other under the community's write lock, so the balance never goes below zero.
//! By a volunteer's id, only staff move points; a merchant records a spend through the code the
//! volunteer presents (`redeem`).

use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, number};
use crate::ledger::{self, Movement};
use crate::model::{Holder, Ledger, TxnKind};
use crate::permissions::{MANAGE, REDEEM};
use crate::repo;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointsInput {
    pub points: String,
    /// What for: the bonus's reason, or the merchant and what was bought.
    pub memo: String,
}

/// Awards a bonus (`bonus`) or records a spend (`spend`), as staff; returns the transaction's id.
pub async fn move_points(
    state: &AppState,
    actor: &Actor,
    volunteer_id: i64,
    kind: TxnKind,
    input: &PointsInput,
) -> Result<i64> {
    post(state, actor, volunteer_id, kind, input, false).await
}

/// Moves points; `presented`: the volunteer presented their code, so a merchant may spend.
pub(crate) async fn post(
    state: &AppState,
    actor: &Actor,
    volunteer_id: i64,
    kind: TxnKind,
    input: &PointsInput,
    presented: bool,
) -> Result<i64> {
    let mut errs = FieldErrors::default();
    if input.points.trim().is_empty() {
        errs.add("points", Message::new("field.required"));
    }
    let points = number(&mut errs, "points", &input.points, 1, 1_000_000, 0);
    let memo = text::required(&mut errs, "memo", &input.memo, 100);
    errs.into_result()?;
    let v = repo::volunteer(&state.db, volunteer_id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, v.community_id).await?;
    let vol = Holder::Volunteer(volunteer_id);
    let (cap, from, to, action) = match kind {
        TxnKind::Bonus => (MANAGE, Holder::Issued, vol, "volunteer_points.bonus"),
        TxnKind::Spend if presented => (REDEEM, vol, Holder::Redeemed, "volunteer_points.spend"),
        TxnKind::Spend => (MANAGE, vol, Holder::Redeemed, "volunteer_points.spend"),
        _ => return Err(Error::NotFound),
    };
    if !cap.allows(actor, &c.place()) {
        return Err(Error::NotFound);
    }
    let id = ledger::post(
        &mut tx,
        &Movement {
            community_id: c.community_id,
            ledger: Ledger::Points,
            kind,
            memo: &memo,
            activity_id: None,
            signup_id: None,
            actor_account_id: actor.account_id,
            from,
            to,
            amount: points,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new(action, "volunteer", volunteer_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "points": points, "memo": memo, "txn": id }))),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
