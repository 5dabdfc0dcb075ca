//! The service catalogue a community administrator keeps: handling parties and their members,
//! categories with a default party and a deadline tier, routing rules by grid and building, and
//! the working-day calendar deadlines are counted on.

use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::{calendar, text, Actor, AppState, Error, FieldErrors, Result};

use super::community;
use crate::codes;
use crate::model::attributes::{check_defs, AttributeDef};
use crate::model::{PartyKind, Tier};
use crate::permissions::CATALOGUE;
use crate::repo::{self, NewCategory};

/// Opens a write transaction under the community's lock, for its administrator only.
async fn begin(state: &AppState, actor: &Actor, community_id: i64) -> Result<yijia_db::Tx> {
    let c = community(state, community_id).await?;
    CATALOGUE.check(actor, &c.place())?;
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, community_id).await?;
    Ok(tx)
}

async fn finish(state: &AppState, actor: &Actor, mut tx: yijia_db::Tx, entry: Entry<'_>) -> Result<()> {
    audit::record(&mut tx, state.vault.audit_key(), state.now_ms(), actor, entry).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartyInput {
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub email: String,
}

pub async fn add_party(state: &AppState, actor: &Actor, community_id: i64, input: &PartyInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let kind = PartyKind::parse(&input.kind);
    if kind.is_none() {
        errs.add("kind", Message::new("appeals.bad_choice"));
    }
    let name = text::required(&mut errs, "name", &input.name, 60);
    let phone = text::phone(&mut errs, "phone", &input.phone);
    let email = text::email(&mut errs, "email", &input.email);
    errs.into_result()?;
    let kind = kind.ok_or_else(|| Error::field("kind", "appeals.bad_choice"))?;
    let mut tx = begin(state, actor, community_id).await?;
    let id = repo::insert_party(
        &mut tx,
        community_id,
        kind.as_str(),
        &name,
        &phone,
        &email,
        state.now_ms(),
    )
    .await
    .map_err(|e| e.unique_as_field("name", "appeals.name_taken"))?;
    let entry = Entry::new("appeal_party.create", "appeal_party", id)
        .community(Some(community_id))
        .after(Some(&serde_json::json!({ "kind": kind.as_str(), "name": name })));
    finish(state, actor, tx, entry).await?;
    Ok(id)
}

/// Adds an account to a party's members, by username. Only an account that handles appeals in
/// the party's own community can join: a property company's or a department's staff hold their
/// role there (a department serving several communities holds a grant in each). Any other
/// username is answered as unknown, so the form cannot tell who exists elsewhere.
pub async fn add_member(state: &AppState, actor: &Actor, party_id: i64, username: &str) -> Result<()> {
    let party = repo::party(&state.db, party_id).await?.ok_or(Error::NotFound)?;
    let mut tx = begin(state, actor, party.community_id).await?;
    let handles = yijia_kernel::scope::reach(
        &crate::permissions::HANDLE,
        &yijia_kernel::scope::Cols {
            community: "$2",
            grid: None,
        },
        "a.account_id",
    );
    let sql = format!("select a.account_id from account a where a.username = $1 and a.status = 'active' and {handles}");
    let account = yijia_db::on_tx!(&mut tx, |c| sqlx::query_scalar::<_, i64>(&sql)
        .bind(username.trim())
        .bind(party.community_id)
        .fetch_optional(&mut *c)
        .await?)
    .ok_or_else(|| Error::field("username", "appeals.member_not_handler"))?;
    repo::add_member(&mut tx, &party, account).await?;
    let entry = Entry::new("appeal_party.add_member", "appeal_party", party_id)
        .community(Some(party.community_id))
        .after(Some(&serde_json::json!({ "account_id": account })));
    finish(state, actor, tx, entry).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub keywords: String,
    pub party: String,
    pub tier: String,
    /// Extra questions asked with this category (Open311 attributes).
    pub attributes: Vec<AttributeDef>,
}

pub async fn add_category(state: &AppState, actor: &Actor, community_id: i64, input: &CategoryInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let code = text::code(&mut errs, "code", &input.code);
    let name = text::required(&mut errs, "name", &input.name, 40);
    let description = text::optional(&mut errs, "description", &input.description, 500);
    let keywords = text::optional(&mut errs, "keywords", &input.keywords, 200);
    let tier = Tier::parse(&input.tier);
    if tier.is_none() {
        errs.add("tier", Message::new("appeals.bad_choice"));
    }
    let party: Option<i64> = input.party.trim().parse().ok();
    if party.is_none() {
        errs.add("party", Message::new("appeals.bad_choice"));
    }
    if let Err(m) = check_defs(&input.attributes) {
        errs.add("attributes", m);
    }
    let attributes = serde_json::to_string(&input.attributes).map_err(|e| Error::Internal(e.into()))?;
    errs.into_result()?;
    let (Some(tier), Some(party)) = (tier, party) else {
        return Err(Error::bad_request(codes::BAD_CHOICE, "appeals.bad_choice"));
    };
    let mut tx = begin(state, actor, community_id).await?;
    repo::party(&mut tx, party)
        .await?
        .filter(|p| p.community_id == community_id && p.retired_at.is_none())
        .ok_or_else(|| Error::field("party", "appeals.bad_choice"))?;
    let c = NewCategory {
        community_id,
        code: &code,
        name: &name,
        description: &description,
        keywords: &keywords,
        party_id: party,
        tier: tier.as_str(),
        attributes: &attributes,
    };
    let id = repo::insert_category(&mut tx, &c, state.now_ms())
        .await
        .map_err(|e| e.unique_as_field("code", "appeals.code_taken"))?;
    let entry = Entry::new("appeal_category.create", "appeal_category", id)
        .community(Some(community_id))
        .after(Some(
            &serde_json::json!({ "code": code, "name": name, "party_id": party, "tier": tier.as_str() }),
        ));
    finish(state, actor, tx, entry).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteInput {
    pub category: String,
    pub grid: String,
    pub building: String,
    pub party: String,
}

/// A rule: this category, in this grid (or one building of it), goes to this party.
pub async fn add_route(state: &AppState, actor: &Actor, community_id: i64, input: &RouteInput) -> Result<i64> {
    let num = |v: &str| v.trim().parse::<i64>().ok();
    let mut tx = begin(state, actor, community_id).await?;
    let category = match num(&input.category) {
        Some(id) => repo::category_tx(&mut tx, id)
            .await?
            .filter(|c| c.community_id == community_id),
        None => None,
    }
    .ok_or_else(|| Error::field("category", "appeals.bad_choice"))?;
    let party = match num(&input.party) {
        Some(id) => repo::party(&mut tx, id)
            .await?
            .filter(|p| p.community_id == community_id),
        None => None,
    }
    .ok_or_else(|| Error::field("party", "appeals.bad_choice"))?;
    let grid = num(&input.grid).ok_or_else(|| Error::field("grid", "appeals.bad_choice"))?;
    let building = match input.building.trim() {
        "" => None,
        b => {
            let b = b
                .parse::<i64>()
                .map_err(|_| Error::field("building", "appeals.bad_choice"))?;
            let g = repo::grid_of_building_tx(&mut tx, community_id, b).await?;
            if g != Some(grid) {
                return Err(Error::field("building", "appeals.building_not_in_grid"));
            }
            Some(b)
        }
    };
    let grid_ok: Option<i64> = yijia_db::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select grid_id from grid where grid_id = $1 and community_id = $2 and retired_at is null"
    )
    .bind(grid)
    .bind(community_id)
    .fetch_optional(&mut *c)
    .await?);
    grid_ok.ok_or_else(|| Error::field("grid", "appeals.bad_choice"))?;
    let id = repo::insert_route(
        &mut tx,
        community_id,
        category.category_id,
        grid,
        building,
        party.party_id,
        state.now_ms(),
    )
    .await?;
    let entry = Entry::new("appeal_route.create", "appeal_route", id)
        .community(Some(community_id))
        .after(Some(&serde_json::json!({
            "category_id": category.category_id, "grid_id": grid, "building_id": building, "party_id": party.party_id,
        })));
    finish(state, actor, tx, entry).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DayInput {
    pub day: String,
    /// `holiday`, `working` (a make-up day), or `normal` to forget the exception.
    pub kind: String,
}

pub async fn set_day(state: &AppState, actor: &Actor, community_id: i64, input: &DayInput) -> Result<()> {
    let day = yijia_registry::model::parse_date(&input.day).ok_or_else(|| Error::field("day", "appeals.bad_date"))?;
    let working = match input.kind.trim() {
        "holiday" => Some(false),
        "working" => Some(true),
        "normal" => None,
        _ => return Err(Error::field("kind", "appeals.bad_choice")),
    };
    let mut tx = begin(state, actor, community_id).await?;
    calendar::set_day(&mut tx, community_id, day, working).await?;
    let entry = Entry::new("community_day.set", "community", community_id)
        .community(Some(community_id))
        .after(Some(&serde_json::json!({ "day": day.to_string(), "working": working })));
    finish(state, actor, tx, entry).await
}
