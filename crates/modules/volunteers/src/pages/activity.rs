//! One activity: what, when, where, its shifts with places left, signing up and cancelling;
//! for its team's leaders and staff, the roster with attendance, the minutes to enter, the
//! check-in and check-out codes, the people served, and cancelling the activity.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error, Result};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P};

use super::Labels;
use crate::commands::{self, activity, attendance, signup, Access};
use crate::model::rules;
use crate::permissions::JOIN;
use crate::repo::{self, ActivityRow, ShiftRow, SignupRow};

/// Every form of the page; each uses the fields it needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionInput {
    pub shift: String,
    pub what: String,
    pub minutes: String,
    pub reason: String,
    pub served: String,
    /// The sign-up a roster form is about, to show its error beside it.
    pub signup: String,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    chrome: Chrome,
    l: Labels,
    a: ActivityRow,
    grids: Vec<String>,
    shifts: Vec<ShiftRow>,
    mine: Vec<SignupRow>,
    roster: Vec<SignupRow>,
    registered: bool,
    runs: bool,
    now: i64,
    form: Shown<ActionInput>,
}

impl ActivityPage {
    fn my_signup(&self, shift_id: &i64) -> Option<&SignupRow> {
        self.mine
            .iter()
            .find(|u| u.shift_id == *shift_id && u.status != "cancelled")
    }

    fn on_shift(&self, shift_id: &i64) -> Vec<&SignupRow> {
        self.roster.iter().filter(|u| u.shift_id == *shift_id).collect()
    }

    fn shift_minutes(&self, s: &ShiftRow) -> i64 {
        rules::shift_minutes(s.starts_at, s.ends_at)
    }

    /// The minutes a leader's form suggests: what is credited, or the time between the marks.
    fn suggested(&self, u: &SignupRow) -> String {
        match (u.minutes, u.checked_in_at, u.checked_out_at) {
            (Some(m), _, _) => m.to_string(),
            (None, Some(i), Some(o)) => rules::served_minutes(i, o, u.shift_starts_at, u.shift_ends_at).to_string(),
            (None, Some(i), None) => {
                rules::served_minutes(i, u.shift_ends_at, u.shift_starts_at, u.shift_ends_at).to_string()
            }
            _ => String::new(),
        }
    }

    fn error_of(&self, u: &SignupRow) -> Option<&str> {
        if self.form.input.signup != u.signup_id.to_string() {
            return None;
        }
        // The field's own message first: a validation error's general one only says to look
        // at the marked fields, and the roster marks none.
        let w = self.form.which;
        self.form
            .err(w, "minutes")
            .or_else(|| self.form.err(w, "reason"))
            .or_else(|| self.form.err(w, "what"))
            .or_else(|| self.form.general(w))
    }
}

async fn load(
    ctx: &PageCtx,
    a: &Actor,
    id: i64,
) -> Result<(ActivityRow, yijia_kernel::community::CommunityAt, Access)> {
    let act = repo::activity(&ctx.state.db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(&ctx.state, act.community_id).await?;
    let access = Access::of(&ctx.state.db, a, &c, act.team_id).await?;
    if !JOIN.allows(a, &c.place()) && !access.runs() {
        return Err(Error::NotFound);
    }
    Ok((act, c, access))
}

async fn page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<ActionInput>) -> WebResult<Response> {
    let (act, c, access) = load(ctx, a, id).await?;
    let db = &ctx.state.db;
    let mine = match &access.me {
        Some(me) => repo::signups_of(db, me.volunteer_id, 500)
            .await?
            .into_iter()
            .filter(|u| u.activity_id == id)
            .collect(),
        None => Vec::new(),
    };
    // Names on the roster are for those who run the activity only (DOMAIN.md §3).
    let roster = if access.runs() {
        repo::roster(db, id).await?
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(ctx, "volunteers.activity");
    render(ActivityPage {
        l: Labels {
            lang: chrome.lang(),
            tz: c.time_zone.clone(),
        },
        chrome,
        grids: repo::activity_grids(db, id).await?,
        shifts: repo::shifts(db, id).await?,
        mine,
        roster,
        registered: access.me.is_some(),
        runs: access.runs(),
        now: ctx.state.now_ms(),
        a: act,
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    page(&ctx, &a, id, Shown::none()).await
}

/// Answers one of the page's forms: back to the page when it worked, or the page with the
/// error beside the form.
async fn answer(
    ctx: PageCtx,
    a: Actor,
    id: i64,
    which: &'static str,
    f: ActionInput,
    result: Result<()>,
) -> WebResult<Response> {
    let result = result.map(|()| Redirect::to(&format!("/volunteers/activities/{id}")).into_response());
    respond(
        result,
        |e| Shown::failed(which, f, e, &ctx.tr),
        |form| page(&ctx, &a, id, form),
    )
    .await
}

pub async fn post_signup(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionInput>,
) -> WebResult<Response> {
    let shift = f
        .shift
        .trim()
        .parse()
        .map_err(|_| Error::field("shift", "volunteers.bad_choice"));
    let result = match shift {
        Ok(s) => signup::sign_up(&ctx.state, &a, id, s).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "signup", f, result).await
}

pub async fn post_cancel(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let result = activity::cancel(&ctx.state, &a, id).await;
    answer(ctx, a, id, "cancel", ActionInput::default(), result).await
}

pub async fn post_served(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionInput>,
) -> WebResult<Response> {
    let result = activity::served(&ctx.state, &a, id, &f.served).await;
    answer(ctx, a, id, "served", f, result).await
}

/// The activity a sign-up belongs to, for the page to go back to.
async fn activity_of(ctx: &PageCtx, signup_id: i64) -> Result<i64> {
    Ok(repo::signup(&ctx.state.db, signup_id)
        .await?
        .ok_or(Error::NotFound)?
        .activity_id)
}

pub async fn post_cancel_signup(ctx: PageCtx, CurrentActor(a): CurrentActor, P(sid): P<i64>) -> WebResult<Response> {
    let id = activity_of(&ctx, sid).await?;
    let result = signup::cancel(&ctx.state, &a, sid).await;
    let f = ActionInput {
        signup: sid.to_string(),
        ..ActionInput::default()
    };
    answer(ctx, a, id, "signup", f, result).await
}

pub async fn post_mark(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(sid): P<i64>,
    PageForm(mut f): PageForm<ActionInput>,
) -> WebResult<Response> {
    let id = activity_of(&ctx, sid).await?;
    // The roster shows what the mark credited, overlaps included, from the sign-up and its history.
    let result = attendance::mark(&ctx.state, &a, sid, f.what.trim()).await.map(|_| ());
    f.signup = sid.to_string();
    answer(ctx, a, id, "roster", f, result).await
}

pub async fn post_minutes(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(sid): P<i64>,
    PageForm(mut f): PageForm<ActionInput>,
) -> WebResult<Response> {
    let id = activity_of(&ctx, sid).await?;
    let result = attendance::record(&ctx.state, &a, sid, &f.minutes, &f.reason).await;
    f.signup = sid.to_string();
    answer(ctx, a, id, "roster", f, result).await
}
