//! Raising an appeal: a resident from a phone, or staff and grid workers for someone at the
//! counter, on the phone or at the door. The category decides the deadline tier; where the
//! appeal is decides, with the routing rules, who will be asked to handle it.

use std::collections::BTreeMap;

use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::redact::{mask_phone, normalize_phone};
use yijia_kernel::text::flag;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::photo::MAX_INTAKE_PHOTOS;
use super::{community, field, optional_id, spans, Clock};
use crate::codes;
use crate::model::attributes::check_answers;
use crate::model::{Action, Channel, Kind, Status, Tier};
use crate::permissions::{INTAKE, OPEN311, SUBMIT};
use crate::repo::{self, AppealRow, NewStep};

/// An appeal as typed; every field a string, as a form or a JSON body gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppealInput {
    pub community: String,
    pub category: String,
    pub kind: String,
    pub description: String,
    /// Where: a unit, or a building, or an address, or a point.
    pub building: String,
    pub unit: String,
    pub address: String,
    pub lat: String,
    pub long: String,
    /// The datum of `lat`/`long` when a map over GCJ-02 tiles placed them (`gcj02`); empty or
    /// `wgs84` otherwise. What is stored is always WGS-84.
    pub datum: String,
    /// "1"/"true"/"on": the requester's name and number are kept from the handling parties.
    pub anonymous: String,
    /// For staff taking it in: how it came and who it is from.
    pub channel: String,
    pub name: String,
    pub phone: String,
    /// Answers to the category's questions, by question code.
    pub attributes: BTreeMap<String, String>,
    /// A photo's address on the web, as Open311 clients send it.
    pub media_url: String,
    /// The door visit this appeal comes from (a grid worker's, for the household visited).
    pub visit: String,
}

/// How an appeal comes in, which decides who the requester is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intake {
    /// A resident (or anyone of the community) raising their own.
    Own,
    /// Staff or a grid worker taking it in for someone.
    OnBehalf(Channel),
    /// An integration through Open311, with its API key.
    Open311,
}

/// The community an appeal goes to: the one named, or the only one the actor belongs to.
fn community_id(errs: &mut FieldErrors, input: &AppealInput, actor: &Actor) -> Option<i64> {
    let id = optional_id(errs, "community", &input.community).or_else(|| crate::query::only_community(actor));
    if id.is_none() && errs.get("community").is_none() {
        errs.add("community", Message::new("appeals.community_needed"));
    }
    id
}

/// Raises an appeal and returns its id.
pub async fn submit(state: &AppState, actor: &Actor, input: &AppealInput) -> Result<i64> {
    submit_with_photos(state, actor, input, &[]).await
}

/// Raises an appeal with the photos chosen on its form, all or nothing: a photo that is not
/// an image, or too large, leaves no appeal behind.
pub async fn submit_with_photos(state: &AppState, actor: &Actor, input: &AppealInput, photos: &[&[u8]]) -> Result<i64> {
    let mut errs = FieldErrors::default();
    if photos.len() > MAX_INTAKE_PHOTOS {
        errs.add(
            "photos",
            Message::new("appeals.too_many_intake_photos").arg("max", MAX_INTAKE_PHOTOS),
        );
    }
    let cid = community_id(&mut errs, input, actor);
    let category_id = optional_id(&mut errs, "category", &input.category);
    if input.category.trim().is_empty() {
        errs.add("category", Message::new("field.required"));
    }
    let kind = match input.kind.trim() {
        "" => Some(Kind::Help),
        k => Kind::parse(k).or_else(|| {
            errs.add("kind", Message::new("appeals.bad_choice"));
            None
        }),
    };
    // Open311 allows 4 000 characters; every channel gets the same room.
    let description = text::required(&mut errs, "description", &input.description, 4000);
    if !description.is_empty() && description.chars().count() < 5 {
        errs.add("description", Message::new("appeals.too_short"));
    }
    let visit = optional_id(&mut errs, "visit", &input.visit);
    let building = optional_id(&mut errs, "building", &input.building);
    let unit = optional_id(&mut errs, "unit", &input.unit);
    let address = text::optional(&mut errs, "address", &input.address, 200);
    let point = yijia_kernel::geo::point_from_form(&mut errs, &input.lat, &input.long, &input.datum).map(|p| p.to_e6());
    let (lat, long) = (point.map(|p| p.0), point.map(|p| p.1));
    let community = match cid {
        Some(id) => Some(community(state, id).await?),
        None => None,
    };
    let intake = community.as_ref().map(|c| {
        let place = c.place();
        if OPEN311.allows(actor, &place) {
            Intake::Open311
        } else if INTAKE.allows(actor, &place) && visit.is_some() {
            Intake::OnBehalf(Channel::Visit)
        } else if INTAKE.allows(actor, &place) && !input.channel.trim().is_empty() {
            match Channel::parse(&input.channel).filter(|c| *c != Channel::Open311) {
                Some(ch) => Intake::OnBehalf(ch),
                None => {
                    errs.add("channel", Message::new("appeals.bad_choice"));
                    Intake::Own
                }
            }
        } else {
            Intake::Own
        }
    });
    let name = text::optional(&mut errs, "name", &input.name, 50);
    let phone = text::phone(&mut errs, "phone", &input.phone);
    let media_url = text::optional(&mut errs, "media_url", &input.media_url, 500);
    if !(media_url.is_empty() || media_url.starts_with("https://") || media_url.starts_with("http://")) {
        errs.add("media_url", Message::new("appeals.bad_url"));
    }
    errs.into_result()?;
    let (Some(community), Some(intake)) = (community, intake) else {
        return Err(Error::NotFound);
    };
    // Photos are checked, cleaned and written before the write lock is taken.
    let mut images = Vec::with_capacity(photos.len());
    for bytes in photos {
        images.push(super::photo::prepare(state, "photos", bytes).await?);
    }
    if intake == Intake::Own && !SUBMIT.allows(actor, &community.place()) {
        return Err(Error::Forbidden);
    }
    let (Some(category_id), Some(kind)) = (category_id, kind) else {
        return Err(Error::bad_request(codes::BAD_CHOICE, "appeals.bad_choice"));
    };
    let channel = match intake {
        Intake::Own => Channel::App,
        Intake::OnBehalf(c) => c,
        Intake::Open311 => Channel::Open311,
    };

    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, community.community_id).await?;
    let clock = Clock::of(state, &mut tx, &community).await?;
    let category = repo::category_tx(&mut tx, category_id)
        .await?
        .filter(|c| c.community_id == community.community_id && c.retired_at.is_none())
        .ok_or_else(|| Error::field("category", "appeals.bad_choice"))?;
    let mut errs = FieldErrors::default();
    let answers = check_answers(&mut errs, &category.attribute_defs()?, &input.attributes);
    errs.into_result()?;
    // From a visit: the household visited is where, and the visit will point to the appeal.
    let (unit, household) = match visit {
        Some(v) => {
            let (household, raised) = yijia_registry::repo::visit_tx(&mut tx, v)
                .await?
                .ok_or_else(|| Error::field("visit", "appeals.bad_choice"))?;
            if raised.is_some() {
                return Err(Error::field("visit", "appeals.visit_raised"));
            }
            let at = yijia_registry::repo::household(&mut tx, household)
                .await?
                .filter(|h| h.community_id == community.community_id)
                .ok_or_else(|| Error::field("visit", "appeals.bad_choice"))?;
            (Some(at.unit_id), Some(household))
        }
        None => (unit, None),
    };
    let (grid_id, building_id) = match (unit, building) {
        (Some(u), _) => {
            let (g, b) = repo::place_of_unit_tx(&mut tx, community.community_id, u)
                .await?
                .ok_or_else(|| Error::field("unit", "appeals.bad_choice"))?;
            (Some(g), Some(b))
        }
        (None, Some(b)) => {
            let g = repo::grid_of_building_tx(&mut tx, community.community_id, b)
                .await?
                .ok_or_else(|| Error::field("building", "appeals.bad_choice"))?;
            (Some(g), Some(b))
        }
        (None, None) => (None, None),
    };
    let tier = Tier::parse(&category.tier).unwrap_or(Tier::Normal);
    let now = state.now_ms();
    let due = spans(state, &mut tx, community.community_id, tier).await?.dispatch;
    let phone = (!phone.is_empty()).then(|| normalize_phone(&phone));
    let mut a = AppealRow {
        appeal_id: 0,
        community_id: community.community_id,
        category_id,
        category_name: category.name.clone(),
        kind: kind.as_str().to_owned(),
        channel: channel.as_str().to_owned(),
        status: Status::Submitted.as_str().to_owned(),
        description,
        grid_id,
        building_id,
        unit_id: unit,
        household_id: household,
        building_name: None,
        unit_name: None,
        address,
        lat_e6: lat,
        long_e6: long,
        anonymous: flag(&input.anonymous),
        attributes: serde_json::to_string(&answers).map_err(|e| Error::Internal(e.into()))?,
        media_url,
        requester_account_id: if intake == Intake::Own { actor.account_id } else { None },
        requester_name: if intake == Intake::Own {
            actor.display_name.clone()
        } else {
            name
        },
        contact_masked: phone.as_deref().map(mask_phone).unwrap_or_default(),
        contact_sealed: phone.map(|p| state.vault.seal(field::CONTACT, &p)),
        recorded_by: if matches!(intake, Intake::OnBehalf(_)) {
            actor.account_id
        } else {
            None
        },
        party_id: None,
        party_name: None,
        tier: tier.as_str().to_owned(),
        dispatch_due_at: due.after(now, &clock.tz, &clock.calendar),
        reply_due_at: None,
        accepted_at: None,
        dispatched_at: None,
        taken_at: None,
        replied_at: None,
        verified_at: None,
        rated_at: None,
        closed_at: None,
        answer: String::new(),
        rating: None,
        rating_comment: String::new(),
        warned_at: None,
        overdue_at: None,
        escalation: 0,
        redo_count: 0,
        urge_count: 0,
        supervised: false,
        duplicate_of: None,
        decline_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    a.appeal_id = repo::insert_appeal(&mut tx, &a).await?;
    if let Some(v) = visit {
        yijia_registry::repo::link_visit_appeal(&mut tx, v, a.appeal_id).await?;
    }
    let step = NewStep {
        action: Action::Submit.as_str(),
        from: Status::Submitted.as_str(),
        to: Status::Submitted.as_str(),
        party_id: None,
        public_note: "",
        internal_note: "",
    };
    repo::insert_step(&mut tx, &a, &step, actor, now).await?;
    // The audit names the category and channel; the description and the contact stay in the appeal.
    let entry = Entry::new("appeal.submit", "appeal", a.appeal_id)
        .community(Some(a.community_id))
        .after(Some(&serde_json::json!({
            "category_id": category_id, "kind": a.kind, "channel": a.channel, "grid_id": grid_id,
        })));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    for image in &images {
        super::photo::store(&mut tx, state.vault.audit_key(), actor, &a, image, now).await?;
    }
    super::tell(&mut tx, state, actor, &a, Action::Submit, None, now).await?;
    tx.commit().await?;
    Ok(a.appeal_id)
}
