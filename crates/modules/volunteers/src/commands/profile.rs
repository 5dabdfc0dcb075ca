//! A volunteer's profile: a resident registering from their phone (their name and birth date come
//! from the registry), or staff registering someone, a resident or a person from outside. A
//! minor is registered only with a guardian's name and consent (DOMAIN.md §3).

use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::redact::{mask_phone, normalize_phone};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{begin, community_id, flag, optional_id};
use crate::codes;
use crate::model::{list, rules, Origin};
use crate::permissions::{JOIN, MANAGE};
use crate::repo::{self, NewVolunteer};

/// A profile as typed; every field a string, as a form or a JSON body gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileInput {
    pub community: String,
    pub name: String,
    /// Staff registering a resident of the registry: the resident's id.
    pub resident: String,
    /// Staff linking the profile to an account, by its user name.
    pub username: String,
    pub organisation: String,
    pub birth_date: String,
    pub phone: String,
    pub skills: String,
    pub availability: String,
    pub contact_consent: String,
    pub publish_consent: String,
    pub guardian_name: String,
    pub guardian_consent: String,
    pub report_back: String,
}

/// What the audit log keeps of a profile: no phone number, no birth date.
#[derive(Serialize)]
struct Audited<'a> {
    name: &'a str,
    origin: &'a str,
    organisation: &'a str,
    skills: &'a str,
    contact_consent: bool,
    publish_consent: bool,
    guardian: bool,
    report_back: bool,
}

struct Checked {
    name: String,
    organisation: String,
    birth_date: Option<String>,
    phone: String,
    skills: String,
    availability: String,
    guardian_name: String,
    guardian_consent: bool,
}

fn check(
    errs: &mut FieldErrors,
    input: &ProfileInput,
    registry_birth: Option<&str>,
    today: jiff::civil::Date,
) -> Checked {
    let name = text::required(errs, "name", &input.name, 40);
    let organisation = text::optional(errs, "organisation", &input.organisation, 60);
    let typed = input.birth_date.trim();
    let birth_date = match registry_birth {
        Some(b) => Some(b.to_owned()),
        None if typed.is_empty() => None,
        None => match text::date(typed) {
            Some(d) if d <= today && d.year() >= 1900 => Some(d.to_string()),
            _ => {
                errs.add("birth_date", Message::new("volunteers.bad_birth_date"));
                None
            }
        },
    };
    let phone = text::phone(errs, "phone", &input.phone);
    let skills = list(&text::optional(errs, "skills", &input.skills, 200)).join("、");
    let availability = text::optional(errs, "availability", &input.availability, 200);
    let guardian_name = text::optional(errs, "guardian_name", &input.guardian_name, 40);
    let guardian_consent = flag(&input.guardian_consent);
    let minor = rules::age_on(birth_date.as_deref(), today).is_some_and(|a| a < 18);
    if minor && guardian_name.is_empty() {
        errs.add("guardian_name", Message::new("volunteers.guardian_needed"));
    }
    if minor && !guardian_consent {
        errs.add("guardian_consent", Message::new("volunteers.guardian_consent_needed"));
    }
    Checked {
        name,
        organisation,
        birth_date,
        phone,
        skills,
        availability,
        guardian_name,
        guardian_consent: minor && guardian_consent,
    }
}

/// Registers the actor as a volunteer of a community, or, for staff with `resident` or
/// `username` given, someone else. Returns the profile's id.
pub async fn register(state: &AppState, actor: &Actor, input: &ProfileInput) -> Result<i64> {
    let mut errs = FieldErrors::default();
    let cid = community_id(&mut errs, &input.community, actor);
    let resident_id = optional_id(&mut errs, "resident", &input.resident);
    errs.clone().into_result()?;
    let cid = cid.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, cid).await?;
    let staff = MANAGE.allows(actor, &c.place());
    let for_other =
        resident_id.is_some() || !input.username.trim().is_empty() || (staff && !input.name.trim().is_empty());
    if for_other && !staff {
        return Err(Error::Forbidden);
    }
    if !for_other && !JOIN.allows(actor, &c.place()) {
        return Err(Error::Forbidden);
    }
    // Whose profile: an account (the actor's own, or one staff names) and a resident record.
    let account_id = if for_other {
        match input.username.trim() {
            "" => None,
            u => Some(
                account_by_username(&mut tx, u)
                    .await?
                    .ok_or_else(|| Error::field("username", "volunteers.no_such_account"))?,
            ),
        }
    } else {
        actor.account_id
    };
    let resident = match (resident_id, account_id) {
        (Some(r), _) => Some(
            yijia_registry::repo::resident(&mut tx, r)
                .await?
                .filter(|r| r.community_id == cid && r.left_at.is_none())
                .ok_or_else(|| Error::field("resident", "volunteers.no_such_resident"))?,
        ),
        (None, Some(a)) => resident_of_account(&mut tx, cid, a).await?,
        (None, None) => None,
    };
    if let Some(a) = account_id {
        if repo::volunteer_of(&mut tx, cid, a).await?.is_some() {
            return Err(Error::conflict(
                codes::ALREADY_REGISTERED,
                "volunteers.already_registered",
            ));
        }
    }
    let today = rules::local_date(now, &c.tz());
    let mut input = input.clone();
    if let Some(r) = &resident {
        if input.name.trim().is_empty() {
            input.name.clone_from(&r.name);
        }
    }
    let v = check(
        &mut errs,
        &input,
        resident.as_ref().and_then(|r| r.birth_date.as_deref()),
        today,
    );
    errs.into_result()?;
    let origin = if resident.is_some() {
        Origin::Resident
    } else {
        Origin::Outside
    };
    let phone = normalize_phone(&v.phone);
    let new = NewVolunteer {
        community_id: cid,
        account_id,
        resident_id: resident.as_ref().map(|r| r.resident_id),
        name: &v.name,
        origin: origin.as_str(),
        organisation: &v.organisation,
        birth_date: v.birth_date.as_deref(),
        phone_sealed: (!phone.is_empty()).then(|| state.vault.seal(PHONE_FIELD, &phone)),
        phone_masked: mask_phone(&phone),
        skills: &v.skills,
        availability: &v.availability,
        contact_consent: flag(&input.contact_consent),
        publish_consent: flag(&input.publish_consent),
        guardian_name: &v.guardian_name,
        guardian_consent_at: v.guardian_consent.then_some(now),
        report_back: flag(&input.report_back),
    };
    let id = repo::insert_volunteer(&mut tx, &new, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer.register", "volunteer", id)
            .community(Some(cid))
            .after(Some(&audited(&new))),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a profile: its volunteer, or staff.
pub async fn update(state: &AppState, actor: &Actor, id: i64, input: &ProfileInput) -> Result<()> {
    let first = repo::volunteer(&state.db, id).await?.ok_or(Error::NotFound)?;
    let now = state.now_ms();
    let (mut tx, c) = begin(state, first.community_id).await?;
    let old = repo::volunteer(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let own = actor.account_id.is_some() && actor.account_id == old.account_id;
    if !own && !MANAGE.allows(actor, &c.place()) {
        return Err(Error::NotFound);
    }
    let mut errs = FieldErrors::default();
    let registry_birth = match old.resident_id {
        Some(r) => yijia_registry::repo::resident(&mut tx, r)
            .await?
            .and_then(|r| r.birth_date),
        None => None,
    };
    let v = check(
        &mut errs,
        input,
        registry_birth.as_deref(),
        rules::local_date(now, &c.tz()),
    );
    errs.into_result()?;
    let new = NewVolunteer {
        community_id: old.community_id,
        account_id: old.account_id,
        resident_id: old.resident_id,
        name: &v.name,
        origin: &old.origin,
        organisation: &v.organisation,
        birth_date: v.birth_date.as_deref(),
        phone_sealed: None,
        phone_masked: old.phone_masked.clone(),
        skills: &v.skills,
        availability: &v.availability,
        contact_consent: flag(&input.contact_consent),
        publish_consent: flag(&input.publish_consent),
        guardian_name: &v.guardian_name,
        // A consent given stays dated from when it was first given.
        guardian_consent_at: v.guardian_consent.then(|| old.guardian_consent_at.unwrap_or(now)),
        report_back: if MANAGE.allows(actor, &c.place()) {
            flag(&input.report_back)
        } else {
            old.report_back == 1
        },
    };
    repo::update_volunteer(&mut tx, id, &new, now).await?;
    let before = Audited {
        name: &old.name,
        origin: &old.origin,
        organisation: &old.organisation,
        skills: &old.skills,
        contact_consent: old.contact_consent == 1,
        publish_consent: old.publish_consent == 1,
        guardian: old.guardian_consent_at.is_some(),
        report_back: old.report_back == 1,
    };
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer.update", "volunteer", id)
            .community(Some(c.community_id))
            .before(Some(&before))
            .after(Some(&audited(&new))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const PHONE_FIELD: &str = "volunteer.phone";

fn audited<'a>(v: &'a NewVolunteer<'a>) -> Audited<'a> {
    Audited {
        name: v.name,
        origin: v.origin,
        organisation: v.organisation,
        skills: v.skills,
        contact_consent: v.contact_consent,
        publish_consent: v.publish_consent,
        guardian: v.guardian_consent_at.is_some(),
        report_back: v.report_back,
    }
}

async fn account_by_username(tx: &mut yijia_db::Tx, username: &str) -> Result<Option<i64>> {
    Ok(yijia_db::on_tx!(tx, |c| sqlx::query_scalar(
        "select account_id from account where username = $1 and status = 'active'"
    )
    .bind(username)
    .fetch_optional(&mut *c)
    .await?))
}

async fn resident_of_account(
    tx: &mut yijia_db::Tx,
    community_id: i64,
    account_id: i64,
) -> Result<Option<yijia_registry::repo::ResidentRow>> {
    let id: Option<i64> = yijia_db::on_tx!(tx, |c| {
        sqlx::query_scalar(
        "select resident_id from registry_resident where account_id = $1 and community_id = $2 and left_at is null limit 1"
    )
    .bind(account_id)
    .bind(community_id)
    .fetch_optional(&mut *c)
    .await?
    });
    match id {
        Some(id) => yijia_registry::repo::resident(&mut *tx, id).await,
        None => Ok(None),
    }
}
