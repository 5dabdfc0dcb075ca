//! Wishes (心愿驿站): raised by the wisher, or by a grid worker for a child or an elderly person
//! who does not use a phone; vetted by staff onto the wall or declined with a reason; claimed by
//! one claimant; fulfilled with a photo; confirmed (or sent back) by the wisher or the grid
//! worker; thanked in public. A claim not fulfilled in time lapses on the tick. The wall never
//! shows who wished: the text is checked for names, the address and care groups when written,
//! and the contact the claimant is given is sealed and its every reading audited.

use serde::{Deserialize, Serialize};
use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::Message;
use yijia_kernel::files::{self, PreparedImage};
use yijia_kernel::notify::{self, Note};
use yijia_kernel::ports::ServiceCredit;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Place, Result, Role};
use yijia_registry::model::{CareGroup, CareKind};
use yijia_registry::repo::HouseholdAt;

use super::{amount, begin, choice, community_id, field, name_of, optional_id, setting_i64, CLAIM_DAYS};
use crate::codes;
use crate::model::privacy::{address_forms, details, Known};
use crate::model::wish::{next, ClaimantKind, WishAction, WishCategory, WishStatus};
use crate::permissions::{CLAIM, LOOK_AFTER, MANAGE, TAKE_PART};
use crate::repo::{self, NewClaim, NewWish, WishRow, WishText};

pub const MAX_PHOTOS: usize = 4;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WishInput {
    pub community: String,
    /// The wisher's household, when a grid worker or staff raise it for them; empty for one's own.
    pub household: String,
    pub category: String,
    pub title: String,
    pub body: String,
    /// Estimated value in yuan.
    pub value_yuan: String,
    /// Whom the claimant calls: the wisher, or for a child the grid worker or a guardian.
    pub contact_name: String,
    pub contact_phone: String,
}

/// The contact a claimant is given, sealed in the wish.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

/// Checks photos before the write transaction.
pub async fn prepare_photos(state: &AppState, photos: &[Vec<u8>]) -> Result<Vec<PreparedImage>> {
    files::prepare_images(state, "photos", photos, MAX_PHOTOS, MAX_PHOTO_BYTES).await
}

/// What the public text of a wish must not hold (see `model::privacy`): the names of the
/// household's members and the wisher's own, the household's door, the community's care groups.
/// Read before the write lock, through the pool.
async fn known(
    state: &AppState,
    community_id: i64,
    household: Option<&HouseholdAt>,
    own: Option<&str>,
) -> Result<Known> {
    let mut k = Known::default();
    if let Some(h) = household {
        k.doors.extend(address_forms(&h.building_name, &h.unit_name, &h.code));
        let members = yijia_registry::repo::household_members(&state.db, h.household_id).await?;
        k.names.extend(members.into_iter().map(|m| m.name));
    }
    k.names.extend(own.map(str::to_owned));
    for kind in CareKind::ALL.iter().filter(|k| **k != CareKind::Other) {
        k.care.push(kind.label("zh-CN").to_owned());
        k.care.push(kind.label("en").to_owned());
    }
    let custom =
        yijia_kernel::settings::get_list(&state.db, community_id, &yijia_registry::model::CUSTOM_CARE_GROUPS).await?;
    k.care
        .extend(CareGroup::all(&custom).into_iter().filter_map(|g| match g {
            CareGroup::Custom(label) => Some(label),
            CareGroup::Kind(_) => None,
        }));
    Ok(k)
}

/// [`known`] for a wish already raised: its household's, without the wisher's account name.
async fn known_of(state: &AppState, w: &WishRow) -> Result<Known> {
    let household = match w.household_id {
        Some(h) => yijia_registry::repo::household(&state.db, h).await?,
        None => None,
    };
    known(state, w.community_id, household.as_ref(), None).await
}

/// Refuses public text that gives away who wished, where, how to reach them or their care
/// group, naming the kinds of detail in the reader's language and never the words themselves.
fn check_public(errs: &mut FieldErrors, actor: &Actor, field: &str, text: &str, known: &Known) {
    let found = details(text, known);
    if !found.is_empty() {
        let lang = actor.locale.as_str();
        let kinds: Vec<&str> = found.iter().map(|d| d.label(lang)).collect();
        let sep = if lang == "en" { ", " } else { "、" };
        errs.add(field, Message::new("care.wish_leaks").arg("kinds", kinds.join(sep)));
    }
}

/// [`check_public`] for one field, answered at once: used inside a step's transaction, after
/// its permission check, on what [`known_of`] read before the lock.
fn public(actor: &Actor, field: &str, text: &str, known: &Known) -> Result<()> {
    let mut errs = FieldErrors::default();
    check_public(&mut errs, actor, field, text, known);
    errs.into_result()
}

/// The place of a wish: its household's grid within the community.
pub fn place_of(c: &CommunityAt, w: &WishRow) -> Place {
    Place {
        grid_id: w.grid_id,
        ..c.place()
    }
}

/// Whether the actor speaks for the wisher: the wisher themselves, or who looks after their grid.
pub fn speaks_for_wisher(actor: &Actor, c: &CommunityAt, w: &WishRow) -> bool {
    (actor.account_id.is_some() && actor.account_id == w.wisher_account_id) || LOOK_AFTER.allows(actor, &place_of(c, w))
}

/// Raises a wish; returns its id.
pub async fn raise(state: &AppState, actor: &Actor, input: &WishInput, photos: &[PreparedImage]) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let category = choice::<WishCategory>(&mut errs, "category", &input.category);
    let title = text::required(&mut errs, "title", &input.title, 40);
    let body = text::required(&mut errs, "body", &input.body, 1000);
    let value = amount(&mut errs, "value_yuan", &input.value_yuan, 100_000);
    let contact_name = text::required(&mut errs, "contact_name", &input.contact_name, 20);
    let contact_phone = text::phone(&mut errs, "contact_phone", &input.contact_phone);
    if contact_phone.is_empty() && errs.get("contact_phone").is_none() {
        errs.add("contact_phone", Message::new("field.required"));
    }
    let household_id = optional_id(&mut errs, "household", &input.household);
    let Some(cid) = cid else {
        errs.into_result()?;
        return Err(Error::NotFound);
    };
    // Who may raise it is decided first: the text check below reads the registry, and its
    // answer must never serve as a lookup for whoever can post (issue 28).
    TAKE_PART.check(actor, &crate::commands::community(state, cid).await?.place())?;
    // Read before the write lock: whose wish it is, and what its text must not hold.
    let (household, resident, on_behalf) = match household_id {
        Some(id) => {
            let h = yijia_registry::repo::household(&state.db, id).await?;
            if h.as_ref()
                .is_none_or(|h| h.community_id != cid || h.retired_at.is_some())
            {
                errs.add("household", Message::new("care.bad_choice"));
            }
            (h, None, true)
        }
        None => {
            let r = match actor.account_id {
                Some(a) => yijia_registry::repo::resident_of_account(&state.db, a).await?,
                None => None,
            };
            let h = match r.as_ref().filter(|r| r.community_id == cid) {
                Some(r) => yijia_registry::repo::household(&state.db, r.household_id).await?,
                None => None,
            };
            (h, r, false)
        }
    };
    if let (true, Some(h)) = (on_behalf, household.as_ref().filter(|h| h.community_id == cid)) {
        LOOK_AFTER.check(actor, &h.place())?;
    }
    let own_name = (!on_behalf).then(|| name_of(actor));
    let known = known(state, cid, household.as_ref(), own_name.as_deref()).await?;
    check_public(&mut errs, actor, "title", &title, &known);
    check_public(&mut errs, actor, "body", &body, &known);
    errs.into_result()?;
    let category = category.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    TAKE_PART.check(actor, &c.place())?;
    if let (true, Some(h)) = (on_behalf, household.as_ref()) {
        LOOK_AFTER.check(actor, &h.place())?;
    }
    let contact = Contact {
        name: contact_name,
        phone: contact_phone,
    };
    let sealed = state.vault.seal(
        field::CONTACT,
        &serde_json::to_string(&contact).map_err(|e| Error::Internal(e.into()))?,
    );
    let raiser = name_of(actor);
    let id = repo::insert_wish(
        &mut tx,
        &NewWish {
            community_id: cid,
            grid_id: household.as_ref().map(|h| h.grid_id),
            household_id: household.as_ref().map(|h| h.household_id),
            resident_id: resident.as_ref().map(|r| r.resident_id),
            wisher_account_id: if on_behalf { None } else { actor.account_id },
            raised_by: actor.account_id,
            raiser_name: &raiser,
            on_behalf,
            category: category.as_str(),
            title: &title,
            body: &body,
            value_yuan: value,
            contact_sealed: &sealed,
        },
        now,
    )
    .await?;
    for p in photos {
        let f = files::record_image(&mut tx, p, now).await?;
        repo::attach_file(&mut tx, id, &f.sha256, "wish").await?;
    }
    repo::insert_step(&mut tx, id, actor, "submit", "", now).await?;
    let staff = notify::holders(
        &mut tx,
        cid,
        &[Role::CommunityAdmin.as_str(), Role::CommunityStaff.as_str()],
        false,
    )
    .await?;
    tell(&mut tx, &staff, cid, id, "care.note_wish_to_vet", &title, now).await?;
    // The audit keeps what the wall shows and who raised it; the contact stays sealed.
    let after = serde_json::json!({ "category": category.as_str(), "title": title, "on_behalf": on_behalf, "household": household_id });
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("care_wish.raise", "care_wish", id)
            .community(Some(cid))
            .after(Some(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn tell(
    tx: &mut Tx,
    to: &[i64],
    cid: i64,
    wish_id: i64,
    kind: &'static str,
    title: &str,
    now: i64,
) -> Result<()> {
    if to.is_empty() {
        return Ok(());
    }
    let note = Note {
        community_id: Some(cid),
        kind,
        args: serde_json::json!({ "title": title }),
        link: format!("/care/wishes/{wish_id}"),
    };
    notify::send(tx, to, &note, now).await
}

/// Who raised the wish and who wished it, to be told of its progress.
fn wisher_side(w: &WishRow) -> Vec<i64> {
    [w.raised_by, w.wisher_account_id].into_iter().flatten().collect()
}

/// Reads a wish and starts the transaction on its community, the wish read again under the lock.
/// The background work's own reading; a person's goes through [`open_as`].
async fn open(state: &AppState, id: i64) -> Result<(Tx, CommunityAt, WishRow)> {
    let w = repo::wish(&state.db, id).await?.ok_or(Error::NotFound)?;
    let (mut tx, c) = begin(state, w.community_id).await?;
    let w = repo::wish(&mut tx, id).await?.ok_or(Error::NotFound)?;
    Ok((tx, c, w))
}

/// [`open`] for a person: a wish of a community the actor does not belong to is not found, before
/// anything about its state is said (a 409 "not now" would tell an outsider it exists).
async fn open_as(state: &AppState, actor: &Actor, id: i64) -> Result<(Tx, CommunityAt, WishRow)> {
    let (tx, c, w) = open(state, id).await?;
    if !TAKE_PART.allows(actor, &c.place()) && !speaks_for_wisher(actor, &c, &w) {
        return Err(Error::NotFound);
    }
    Ok((tx, c, w))
}

/// A wish as a person may see it: not found outside its community.
async fn visible(state: &AppState, actor: &Actor, id: i64) -> Result<WishRow> {
    let w = repo::wish(&state.db, id).await?.ok_or(Error::NotFound)?;
    let c = crate::commands::community(state, w.community_id).await?;
    if !TAKE_PART.allows(actor, &c.place()) && !speaks_for_wisher(actor, &c, &w) {
        return Err(Error::NotFound);
    }
    Ok(w)
}

/// Moves the wish by an action from where it stands, or refuses with why.
async fn step(tx: &mut Tx, actor: &Actor, w: &WishRow, action: WishAction, note: &str, now: i64) -> Result<WishStatus> {
    let from = WishStatus::parse(&w.status).ok_or(Error::NotFound)?;
    let to = next(from, action).ok_or_else(|| {
        if action == WishAction::Claim && from == WishStatus::Claimed {
            Error::conflict(codes::ALREADY_CLAIMED, "care.already_claimed")
        } else {
            Error::conflict(codes::WISH_NOT_NOW, "care.wish_not_now")
        }
    })?;
    if !repo::move_wish(tx, w.wish_id, from.as_str(), to.as_str(), now).await? {
        return Err(Error::conflict(codes::WISH_NOT_NOW, "care.wish_not_now"));
    }
    repo::insert_step(tx, w.wish_id, actor, action.as_str(), note, now).await?;
    Ok(to)
}

async fn record(
    tx: &mut Tx,
    key: &audit::AuditKey,
    actor: &Actor,
    w: &WishRow,
    action: &str,
    after: serde_json::Value,
    now: i64,
) -> Result<()> {
    audit::record(
        tx,
        key,
        now,
        actor,
        Entry::new(action, "care_wish", w.wish_id)
            .community(Some(w.community_id))
            .before(Some(&serde_json::json!({ "status": w.status })))
            .after(Some(&after)),
    )
    .await
}

/// One of two answers typed as `action`, the second of which needs a reason in `field`.
fn either(action: &str, yes: WishAction, no: WishAction, field: &str, reason: &str) -> Result<(WishAction, String)> {
    let mut errs = FieldErrors::default();
    let action = choice::<WishAction>(&mut errs, "action", action);
    if action.is_some_and(|a| a != yes && a != no) {
        errs.add("action", Message::new("care.bad_choice"));
    }
    let reason = if action == Some(no) {
        text::required(&mut errs, field, reason, 500)
    } else {
        text::optional(&mut errs, field, reason, 500)
    };
    errs.into_result()?;
    Ok((action.ok_or(Error::NotFound)?, reason))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct VetInput {
    /// vet | decline
    pub action: String,
    /// Why it was declined (told to the raiser).
    pub reason: String,
}

/// Staff put a wish on the wall or decline it with a reason; the raiser is told.
pub async fn vet(state: &AppState, actor: &Actor, id: i64, input: &VetInput) -> Result<()> {
    let (action, reason) = either(
        &input.action,
        WishAction::Vet,
        WishAction::Decline,
        "reason",
        &input.reason,
    )?;
    let now = state.now_ms();
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    MANAGE.check(actor, &c.place())?;
    let to = step(&mut tx, actor, &w, action, &reason, now).await?;
    if action == WishAction::Decline {
        repo::set_wish_text(&mut tx, id, WishText::DeclineReason, &reason).await?;
    }
    let note = if action == WishAction::Vet {
        "care.note_published"
    } else {
        "care.note_declined"
    };
    tell(&mut tx, &wisher_side(&w), c.community_id, id, note, &w.title, now).await?;
    record(
        &mut tx,
        state.vault.audit_key(),
        actor,
        &w,
        "care_wish.vet",
        serde_json::json!({ "status": to.as_str(), "reason": reason }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimInput {
    /// volunteer | team | party_member | merchant | company
    pub kind: String,
    /// For a team: its id.
    pub team: String,
    /// For a merchant or a company: its name as the wall shows it.
    pub name: String,
}

/// Claims a wish on the wall. Of two claims at once, the first to take the community's write
/// lock wins; the second is told the wish is taken.
pub async fn claim(state: &AppState, actor: &Actor, id: i64, input: &ClaimInput) -> Result<i64> {
    // Who may claim at all comes first: a resident is refused as such, not told her form is wrong.
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let w = visible(state, actor, id).await?;
    let place = crate::commands::community(state, w.community_id).await?.place();
    CLAIM.check(actor, &place)?;
    let staff = MANAGE.allows(actor, &place);
    let mut errs = FieldErrors::default();
    let kind = choice::<ClaimantKind>(&mut errs, "kind", &input.kind);
    let team_id = optional_id(&mut errs, "team", &input.team);
    let typed_name = text::optional(&mut errs, "name", &input.name, 40);
    // The wall shows the claimant's name: one claims in a name only as its member (issue 28: a
    // volunteer claimed as a bookshop, as the district's civil affairs bureau, as a team he was
    // not in). A merchant claims as itself; a company that called in is recorded by staff.
    match kind {
        Some(ClaimantKind::Team) if team_id.is_none() && errs.get("team").is_none() => {
            errs.add("team", Message::new("field.required"));
        }
        Some(ClaimantKind::Team)
            if !staff && !repo::in_team(&state.db, account, team_id.unwrap_or_default()).await? =>
        {
            errs.add("team", Message::new("care.not_in_team"));
        }
        Some(ClaimantKind::Merchant) if !staff && !actor.has_role(Role::Merchant) => {
            errs.add("kind", Message::new("care.not_a_merchant"));
        }
        Some(ClaimantKind::Company) if !staff => errs.add("kind", Message::new("care.company_by_staff")),
        Some(ClaimantKind::Merchant | ClaimantKind::Company) if staff && typed_name.is_empty() => {
            errs.add("name", Message::new("field.required"));
        }
        Some(ClaimantKind::PartyMember) if !actor.has_role(Role::PartyMember) => {
            errs.add("kind", Message::new("care.not_a_party_member"));
        }
        _ => {}
    }
    let volunteer_id = repo::volunteer_of(&state.db, w.community_id, account).await?;
    if kind == Some(ClaimantKind::Volunteer) && volunteer_id.is_none() {
        errs.add("kind", Message::new("care.not_a_volunteer"));
    }
    errs.into_result()?;
    let kind = kind.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    CLAIM.check(actor, &c.place())?;
    if w.raised_by == Some(account) || w.wisher_account_id == Some(account) {
        return Err(Error::conflict(codes::OWN_WISH, "care.own_wish"));
    }
    let name = match kind {
        ClaimantKind::Team => {
            let team = repo::team_tx(&mut tx, c.community_id, team_id.unwrap_or_default()).await?;
            team.ok_or_else(|| Error::field("team", "care.bad_choice"))?
        }
        // Staff record the claim of a merchant or company that called in, under its name.
        ClaimantKind::Merchant | ClaimantKind::Company if staff => typed_name,
        ClaimantKind::Merchant | ClaimantKind::Company | ClaimantKind::Volunteer | ClaimantKind::PartyMember => {
            name_of(actor)
        }
    };
    step(&mut tx, actor, &w, WishAction::Claim, &name, now).await?;
    let days = setting_i64(&mut tx, c.community_id, &CLAIM_DAYS).await?;
    let claim_id = repo::insert_claim(
        &mut tx,
        &NewClaim {
            wish_id: id,
            community_id: c.community_id,
            claimant_kind: kind.as_str(),
            account_id: account,
            claimant_name: &name,
            volunteer_id,
            team_id: (kind == ClaimantKind::Team).then_some(team_id).flatten(),
            due_at: now + days * DAY_MS,
        },
        now,
    )
    .await?;
    tell(
        &mut tx,
        &wisher_side(&w),
        c.community_id,
        id,
        "care.note_claimed",
        &w.title,
        now,
    )
    .await?;
    record(
        &mut tx,
        state.vault.audit_key(),
        actor,
        &w,
        "care_wish.claim",
        serde_json::json!({ "status": "claimed", "kind": kind.as_str(), "name": name }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(claim_id)
}

/// The contact a claimant is given: for the open claim's claimant and whoever looks after the
/// wish's grid. Each reading is audited.
pub async fn contact(state: &AppState, actor: &Actor, id: i64) -> Result<Contact> {
    let now = state.now_ms();
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    let claim = repo::open_claim(&mut tx, id).await?;
    let claimant = claim.is_some_and(|cl| Some(cl.account_id) == actor.account_id);
    if !claimant && !LOOK_AFTER.allows(actor, &place_of(&c, &w)) {
        return Err(Error::Forbidden);
    }
    let plain = state.vault.open(field::CONTACT, &w.contact_sealed)?;
    let contact: Contact = serde_json::from_str(&plain).map_err(|e| Error::Internal(e.into()))?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("care_wish.contact_reveal", "care_wish", id).community(Some(c.community_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(contact)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    pub note: String,
}

/// The claimant (or staff) gives the claim up: the wish goes back on the wall.
pub async fn release(state: &AppState, actor: &Actor, id: i64, input: &NoteInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let note = text::optional(&mut errs, "note", &input.note, 500);
    errs.into_result()?;
    let now = state.now_ms();
    let known = known_of(state, &visible(state, actor, id).await?).await?;
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    let claim = repo::open_claim(&mut tx, id)
        .await?
        .ok_or_else(|| Error::conflict(codes::WISH_NOT_NOW, "care.wish_not_now"))?;
    if Some(claim.account_id) != actor.account_id && !MANAGE.allows(actor, &c.place()) {
        return Err(Error::Forbidden);
    }
    public(actor, "note", &note, &known)?;
    step(&mut tx, actor, &w, WishAction::Release, &note, now).await?;
    repo::end_claim(&mut tx, claim.claim_id, "released", 0, now).await?;
    tell(
        &mut tx,
        &wisher_side(&w),
        c.community_id,
        id,
        "care.note_released",
        &w.title,
        now,
    )
    .await?;
    record(
        &mut tx,
        state.vault.audit_key(),
        actor,
        &w,
        "care_wish.release",
        serde_json::json!({ "status": "published", "note": note }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FulfilInput {
    /// What was done, for the wisher and the wall.
    pub note: String,
    /// Minutes of service it took, credited to a volunteer when confirmed.
    pub minutes: String,
}

/// The claimant fulfils the wish with at least one photo of it done.
pub async fn fulfil(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &FulfilInput,
    photos: &[PreparedImage],
) -> Result<()> {
    let mut errs = FieldErrors::default();
    let note = text::required(&mut errs, "note", &input.note, 500);
    let minutes = amount(&mut errs, "minutes", &input.minutes, 24 * 60);
    if photos.is_empty() {
        errs.add("photos", Message::new("care.proof_needed"));
    }
    errs.into_result()?;
    let now = state.now_ms();
    let known = known_of(state, &visible(state, actor, id).await?).await?;
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    let claim = repo::open_claim(&mut tx, id)
        .await?
        .ok_or_else(|| Error::conflict(codes::WISH_NOT_NOW, "care.wish_not_now"))?;
    if Some(claim.account_id) != actor.account_id {
        return Err(Error::Forbidden);
    }
    // The proof note is read on the wall: a volunteer wrote "送到…徐艳家，独居老人，电话…".
    public(actor, "note", &note, &known)?;
    step(&mut tx, actor, &w, WishAction::Fulfil, &note, now).await?;
    repo::set_wish_text(&mut tx, id, WishText::ProofNote, &note).await?;
    repo::set_claim_minutes(&mut tx, claim.claim_id, minutes).await?;
    for p in photos {
        let f = files::record_image(&mut tx, p, now).await?;
        repo::attach_file(&mut tx, id, &f.sha256, "proof").await?;
    }
    let mut to = wisher_side(&w);
    if let Some(g) = w.grid_id {
        to.extend(repo::grid_workers_tx(&mut tx, g).await?);
    }
    tell(&mut tx, &to, c.community_id, id, "care.note_fulfilled", &w.title, now).await?;
    record(
        &mut tx,
        state.vault.audit_key(),
        actor,
        &w,
        "care_wish.fulfil",
        serde_json::json!({ "status": "fulfilled", "note": note, "minutes": minutes }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfirmInput {
    /// confirm | reject
    pub action: String,
    /// Why it is sent back.
    pub note: String,
}

/// The wisher or their grid worker confirms the fulfilment, or sends it back to the claimant.
/// Confirming credits a volunteer claimant the minutes they gave.
pub async fn confirm(state: &AppState, actor: &Actor, id: i64, input: &ConfirmInput) -> Result<()> {
    let (action, note) = either(
        &input.action,
        WishAction::Confirm,
        WishAction::Reject,
        "note",
        &input.note,
    )?;
    let now = state.now_ms();
    let known = known_of(state, &visible(state, actor, id).await?).await?;
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    if !speaks_for_wisher(actor, &c, &w) {
        return Err(Error::Forbidden);
    }
    public(actor, "note", &note, &known)?;
    let claim = repo::fulfilling_claim_tx(&mut tx, id)
        .await?
        .ok_or_else(|| Error::conflict(codes::WISH_NOT_NOW, "care.wish_not_now"))?;
    let to = step(&mut tx, actor, &w, action, &note, now).await?;
    let mut credited = 0;
    if action == WishAction::Confirm {
        if let (Some(vid), true) = (claim.volunteer_id, claim.credited_minutes > 0) {
            let memo = format!("心愿：{}", w.title);
            let credit = ServiceCredit {
                community_id: c.community_id,
                volunteer_id: vid,
                minutes: claim.credited_minutes,
                memo: &memo,
                actor_account_id: actor.account_id,
            };
            state.service_hours()?.credit(&mut tx, credit, now).await?;
            credited = claim.credited_minutes;
        }
        repo::end_claim(&mut tx, claim.claim_id, "fulfilled", claim.credited_minutes, now).await?;
    }
    let note_kind = if action == WishAction::Confirm {
        "care.note_confirmed"
    } else {
        "care.note_sent_back"
    };
    tell(
        &mut tx,
        &[claim.account_id],
        c.community_id,
        id,
        note_kind,
        &w.title,
        now,
    )
    .await?;
    record(
        &mut tx,
        state.vault.audit_key(),
        actor,
        &w,
        "care_wish.confirm",
        serde_json::json!({ "status": to.as_str(), "note": note, "credited_minutes": credited }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThankInput {
    /// A thank-you the wall shows under the wish.
    pub thanks: String,
}

/// The wisher or their grid worker thanks the claimant on the wall.
pub async fn thank(state: &AppState, actor: &Actor, id: i64, input: &ThankInput) -> Result<()> {
    let mut errs = FieldErrors::default();
    let thanks = text::required(&mut errs, "thanks", &input.thanks, 300);
    errs.into_result()?;
    let known = known_of(state, &visible(state, actor, id).await?).await?;
    let now = state.now_ms();
    let (mut tx, c, w) = open_as(state, actor, id).await?;
    if !speaks_for_wisher(actor, &c, &w) {
        return Err(Error::Forbidden);
    }
    public(actor, "thanks", &thanks, &known)?;
    let claim = repo::fulfilling_claim_tx(&mut tx, id).await?;
    step(&mut tx, actor, &w, WishAction::Thank, &thanks, now).await?;
    repo::set_wish_text(&mut tx, id, WishText::Thanks, &thanks).await?;
    let to: Vec<i64> = claim.map(|c| c.account_id).into_iter().collect();
    tell(&mut tx, &to, c.community_id, id, "care.note_thanked", &w.title, now).await?;
    record(
        &mut tx,
        state.vault.audit_key(),
        actor,
        &w,
        "care_wish.thank",
        serde_json::json!({ "status": "thanked", "thanks": thanks }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The tick: claims whose time ran out lapse, and their wishes go back on the wall. Returns how
/// many lapsed.
pub async fn expire_lapsed(state: &AppState) -> Result<usize> {
    let now = state.now_ms();
    let actor = Actor::schedule("care.claims");
    let mut n = 0;
    for cl in repo::lapsed_claims(&state.db, now).await? {
        let (mut tx, c, w) = open(state, cl.wish_id).await?;
        let still = repo::open_claim(&mut tx, cl.wish_id).await?;
        if still
            .as_ref()
            .is_none_or(|s| s.claim_id != cl.claim_id || s.due_at >= now)
            || w.status != WishStatus::Claimed.as_str()
        {
            continue;
        }
        step(&mut tx, &actor, &w, WishAction::Expire, "", now).await?;
        repo::end_claim(&mut tx, cl.claim_id, "expired", 0, now).await?;
        tell(
            &mut tx,
            &[cl.account_id],
            c.community_id,
            w.wish_id,
            "care.note_claim_expired",
            &w.title,
            now,
        )
        .await?;
        // The wisher's side waits for it too: they learn it is back on the wall.
        tell(
            &mut tx,
            &wisher_side(&w),
            c.community_id,
            w.wish_id,
            "care.note_claim_lapsed_wisher",
            &w.title,
            now,
        )
        .await?;
        record(
            &mut tx,
            state.vault.audit_key(),
            &actor,
            &w,
            "care_wish.expire",
            serde_json::json!({ "status": "published" }),
            now,
        )
        .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}
