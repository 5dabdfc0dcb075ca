//! The volunteer's phone page: register, then my sign-ups, my hours and points with their
//! history, my star level and certificate, the activities open to sign up to, and my teams.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::settings;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, Q};

use super::{community_of, Labels};
use crate::commands::certificate::STAR_HOURS;
use crate::commands::profile::{self, ProfileInput};
use crate::commands::{self, Access};
use crate::ledger;
use crate::model::{card, rules, Ledger};
use crate::permissions::{JOIN, MANAGE};
use crate::repo::{self, ActivityRow, EntryRow, MemberRow, SignupRow, TeamRow, VolunteerRow, When};
use qrcode::render::svg;
use qrcode::QrCode;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeQuery {
    pub community: Option<i64>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    me: Option<VolunteerRow>,
    minutes: i64,
    points: i64,
    stars: usize,
    next_star: Option<i64>,
    signups: Vec<SignupRow>,
    coming: Vec<ActivityRow>,
    teams: Vec<TeamRow>,
    memberships: Vec<MemberRow>,
    hours_history: Vec<EntryRow>,
    points_history: Vec<EntryRow>,
    certificate: Option<String>,
    /// My points code to show a merchant: the code, its QR image, until when it is good.
    card: Option<(String, String, i64)>,
    staff: bool,
    leads: bool,
    form: Shown<ProfileInput>,
    chrome_now: i64,
}

impl MePage {
    fn member_of(&self, team_id: &i64) -> Option<&MemberRow> {
        self.memberships.iter().find(|m| m.team_id == *team_id)
    }

    fn upcoming(&self, u: &SignupRow) -> bool {
        u.status != "cancelled" && u.shift_ends_at > self.now()
    }

    fn now(&self) -> i64 {
        self.chrome_now
    }
}

async fn page(ctx: &PageCtx, a: &Actor, community_id: i64, form: Shown<ProfileInput>) -> WebResult<Response> {
    let state = &ctx.state;
    let c = commands::community(state, community_id).await?;
    if !JOIN.allows(a, &c.place()) && !MANAGE.allows(a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let access = Access::of(&state.db, a, &c, None).await?;
    let leads = match a.account_id {
        Some(id) => !repo::led_by(&state.db, id).await?.is_empty(),
        None => false,
    };
    let now = state.now_ms();
    let mut p = MePage {
        chrome: Chrome::new(ctx, "volunteers.me_title"),
        l: Labels {
            lang: "zh-CN",
            tz: c.time_zone.clone(),
        },
        community_id,
        me: None,
        minutes: 0,
        points: 0,
        stars: 0,
        next_star: None,
        signups: Vec::new(),
        coming: repo::activities(&state.db, community_id, None, When::Coming, now, 20).await?,
        teams: repo::teams(&state.db, community_id).await?,
        memberships: Vec::new(),
        hours_history: Vec::new(),
        points_history: Vec::new(),
        certificate: None,
        card: None,
        staff: access.staff,
        leads,
        form,
        chrome_now: now,
    };
    p.l.lang = p.chrome.lang();
    if let Some(me) = access.me {
        let id = me.volunteer_id;
        p.minutes = ledger::balance(&state.db, id, Ledger::Hours).await?;
        p.points = ledger::balance(&state.db, id, Ledger::Points).await?;
        let thresholds = rules::parse_stars(&settings::get(&state.db, community_id, &STAR_HOURS).await?)
            .or_else(|| rules::parse_stars(STAR_HOURS.default))
            .unwrap_or_default();
        p.stars = rules::stars(p.minutes, &thresholds);
        p.next_star = thresholds.get(p.stars).copied();
        p.signups = repo::signups_of(&state.db, id, 20).await?;
        p.memberships = repo::memberships(&state.db, id).await?;
        for (l, into) in [
            (Ledger::Hours, &mut p.hours_history),
            (Ledger::Points, &mut p.points_history),
        ] {
            if let Some(acc) = repo::volunteer_account(&state.db, id, l).await? {
                *into = repo::history(&state.db, acc, i64::MAX, 10).await?;
            }
        }
        p.certificate = repo::latest_certificate(&state.db, id).await?;
        p.card = Some(card_of(state, id, now)?);
        if p.form.input.name.is_empty() {
            p.form.input = ProfileInput {
                name: me.name.clone(),
                organisation: me.organisation.clone(),
                birth_date: me.birth_date.clone().unwrap_or_default(),
                skills: me.skills.clone(),
                availability: me.availability.clone(),
                contact_consent: flag_of(me.contact_consent),
                publish_consent: flag_of(me.publish_consent),
                guardian_name: me.guardian_name.clone(),
                guardian_consent: flag_of(i64::from(me.guardian_consent_at.is_some())),
                ..ProfileInput::default()
            };
        }
        p.me = Some(me);
    }
    render(p)
}

/// The points code a volunteer shows a merchant; its image opens the merchant's counter page
/// when the public address is configured, else it holds the code for the merchant to type.
fn card_of(state: &yijia_kernel::AppState, volunteer_id: i64, now: i64) -> Result<(String, String, i64), Error> {
    let code = card::issue(&state.vault, volunteer_id, now);
    let content = if state.config.public_url.is_empty() {
        code.clone()
    } else {
        format!("{}/volunteers/redeem?code={code}", state.config.public_url)
    };
    let svg = QrCode::new(content.as_bytes())
        .map_err(|e| Error::Internal(anyhow::anyhow!("points code: {e}")))?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok((code, svg, now + card::VALID_MS))
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<MeQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    page(&ctx, &a, id, Shown::none()).await
}

pub async fn post_register(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<ProfileInput>,
) -> WebResult<Response> {
    let id = community_of(f.community.trim().parse().ok(), &a)?;
    let result = profile::register(&ctx.state, &a, &f)
        .await
        .map(|_| Redirect::to(&format!("/volunteers?community={id}")).into_response());
    respond(
        result,
        |e| Shown::failed("profile", f, e, &ctx.tr),
        |form| page(&ctx, &a, id, form),
    )
    .await
}

/// The volunteer's own profile changed (consents, skills, availability).
pub async fn post_profile(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<ProfileInput>,
) -> WebResult<Response> {
    let id = community_of(f.community.trim().parse().ok(), &a)?;
    let c = commands::community(&ctx.state, id).await?;
    let me = Access::of(&ctx.state.db, &a, &c, None)
        .await?
        .me
        .ok_or(Error::NotFound)?;
    let result = profile::update(
        &ctx.state,
        &a,
        me.volunteer_id,
        &ProfileInput {
            community: String::new(),
            ..f.clone()
        },
    )
    .await
    .map(|()| Redirect::to(&format!("/volunteers?community={id}")).into_response());
    respond(
        result,
        |e| Shown::failed("edit", f, e, &ctx.tr),
        |form| page(&ctx, &a, id, form),
    )
    .await
}

fn flag_of(v: i64) -> String {
    if v == 1 {
        "1".to_owned()
    } else {
        String::new()
    }
}
