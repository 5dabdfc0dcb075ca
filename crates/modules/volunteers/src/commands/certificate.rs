//! Certificates (志愿服务证明): issued free by the recording community to the volunteer, from
//! their record as it stands, with a code anyone can check on the public verification page.
//! What a certificate shows is kept as issued (DOMAIN.md §3: truthful, verifiable).

use rand::Rng;
use serde::{Deserialize, Serialize};
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::Message;
use yijia_kernel::settings::{self, Kind, Setting};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::begin;
use crate::model::rules;
use crate::permissions::MANAGE;
use crate::repo;

fn check_stars(v: &str) -> std::result::Result<String, Message> {
    rules::parse_stars(v)
        .map(|t| t.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
        .ok_or_else(|| Message::new("volunteers.bad_stars"))
}

/// Star levels' thresholds in hours. The often quoted 100/300/600/1000/1500 are unverified
/// (DOMAIN.md §3), so each community sets its own.
pub const STAR_HOURS: Setting = Setting {
    key: "volunteers.star_hours",
    label: "volunteers.setting_star_hours",
    hint: "volunteers.setting_star_hours_hint",
    kind: Kind::Checked {
        max: 100,
        check: check_stars,
        show: yijia_kernel::settings::as_stored,
    },
    default: "100,300,600,1000,1500",
};

/// One service on a certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    pub date: String,
    pub title: String,
    pub place: String,
    pub organiser: String,
    pub minutes: i64,
}

/// What a certificate shows, as issued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shows {
    pub name: String,
    pub community: String,
    pub minutes: i64,
    pub services: Vec<Service>,
    /// How many services in all (the list holds the latest ones).
    pub service_count: i64,
    pub stars: usize,
    pub issued_on: String,
}

/// The most services a certificate lists, latest first.
pub const MAX_LISTED: usize = 30;

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// Issues a certificate of a volunteer's record now; returns its code.
pub async fn issue(state: &AppState, actor: &Actor, volunteer_id: i64) -> Result<String> {
    let v = repo::volunteer(&state.db, volunteer_id).await?.ok_or(Error::NotFound)?;
    let own = actor.account_id.is_some() && actor.account_id == v.account_id;
    let c = super::community(state, v.community_id).await?;
    if !own && !MANAGE.allows(actor, &c.place()) {
        return Err(Error::NotFound);
    }
    let now = state.now_ms();
    let zone = c.tz();
    let served: Vec<_> = repo::signups_of(&state.db, volunteer_id, 10_000)
        .await?
        .into_iter()
        .filter(|u| u.status == "confirmed" && u.minutes.unwrap_or(0) > 0)
        .collect();
    let teams = repo::activity_teams(&state.db, served.iter().map(|u| u.activity_id).collect()).await?;
    let mut services: Vec<(i64, Service)> = served
        .iter()
        .map(|u| {
            let service = Service {
                date: rules::local_date(u.shift_starts_at, &zone).to_string(),
                title: u.title.clone(),
                place: u.place.clone(),
                organiser: teams.get(&u.activity_id).cloned().unwrap_or_else(|| c.name.clone()),
                minutes: u.minutes.unwrap_or(0),
            };
            (u.shift_starts_at, service)
        })
        .collect();
    // Service credited outside the activities (a wish fulfilled) is service too.
    for (at, memo, minutes) in repo::other_service(&state.db, volunteer_id).await? {
        let service = Service {
            date: rules::local_date(at, &zone).to_string(),
            title: memo,
            place: String::new(),
            organiser: c.name.clone(),
            minutes,
        };
        services.push((at, service));
    }
    services.sort_by_key(|s| std::cmp::Reverse(s.0));
    let minutes = services.iter().map(|(_, s)| s.minutes).sum();
    let thresholds = rules::parse_stars(&settings::get(&state.db, c.community_id, &STAR_HOURS).await?)
        .or_else(|| rules::parse_stars(STAR_HOURS.default))
        .unwrap_or_default();
    let shows = Shows {
        name: v.name.clone(),
        community: c.name.clone(),
        minutes,
        service_count: i64::try_from(services.len()).unwrap_or(i64::MAX),
        services: services.into_iter().take(MAX_LISTED).map(|(_, s)| s).collect(),
        stars: rules::stars(minutes, &thresholds),
        issued_on: rules::local_date(now, &zone).to_string(),
    };
    let shows_json = serde_json::to_string(&shows).map_err(anyhow::Error::from)?;
    let (mut tx, c) = begin(state, c.community_id).await?;
    let code = new_code();
    repo::insert_certificate(
        &mut tx,
        c.community_id,
        volunteer_id,
        &code,
        minutes,
        &shows_json,
        actor.account_id,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("volunteer_certificate.issue", "volunteer", volunteer_id)
            .community(Some(c.community_id))
            .after(Some(&serde_json::json!({ "code": code, "minutes": minutes }))),
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// A certificate by its code, as issued: (volunteer, what it shows, issued at).
pub async fn verify(state: &AppState, code: &str) -> Result<(i64, Shows, i64)> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 12 || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return Err(Error::NotFound);
    }
    let (volunteer_id, shows, at) = repo::certificate(&state.db, &code).await?.ok_or(Error::NotFound)?;
    let shows = serde_json::from_str(&shows).map_err(anyhow::Error::from)?;
    Ok((volunteer_id, shows, at))
}
