//! A merchant of the alliance and a volunteer at the counter: the volunteer presents their
//! points code, the merchant sees their name and points balance — nothing else (DOMAIN.md §3:
//! a volunteer's record is not given to others; records are never used commercially) — and
//! records what was spent. Without a code a merchant reaches no volunteer at all.

use serde::Serialize;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::points::{self, PointsInput};
use crate::ledger;
use crate::model::card;
use crate::model::qr::Refused;
use crate::model::{Ledger, TxnKind};
use crate::permissions::REDEEM;
use crate::repo;

/// What a merchant sees of the volunteer presenting a code.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub name: String,
    pub points: i64,
}

/// The volunteer a presented code names, if the actor may redeem in their community.
async fn presented(state: &AppState, actor: &Actor, code: &str) -> Result<i64> {
    let volunteer_id = card::check(&state.vault, code, state.now_ms()).map_err(|r| match r {
        Refused::Forged => Error::field("code", "volunteers.card_unknown"),
        Refused::Expired => Error::field("code", "volunteers.card_expired"),
    })?;
    let v = repo::volunteer(&state.db, volunteer_id).await?.ok_or(Error::NotFound)?;
    let c = super::community(state, v.community_id).await?;
    if !REDEEM.allows(actor, &c.place()) {
        return Err(Error::NotFound);
    }
    Ok(volunteer_id)
}

async fn card_of(state: &AppState, volunteer_id: i64) -> Result<Card> {
    let v = repo::volunteer(&state.db, volunteer_id).await?.ok_or(Error::NotFound)?;
    Ok(Card {
        name: v.name,
        points: ledger::balance(&state.db, volunteer_id, Ledger::Points).await?,
    })
}

/// The name and points of the volunteer presenting `code`.
pub async fn look_up(state: &AppState, actor: &Actor, code: &str) -> Result<Card> {
    let id = presented(state, actor, code).await?;
    card_of(state, id).await
}

/// Records points spent by the volunteer presenting `code`; answers their card after it.
pub async fn spend(state: &AppState, actor: &Actor, code: &str, input: &PointsInput) -> Result<Card> {
    let id = presented(state, actor, code).await?;
    points::post(state, actor, id, TxnKind::Spend, input, true).await?;
    card_of(state, id).await
}
