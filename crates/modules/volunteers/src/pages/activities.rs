//! The activities of a community, coming and past, and the form that publishes one.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, Q};

use super::{community_of, merged, options, Labels};
use crate::commands::activity::{self, ActivityInput};
use crate::commands::{self, Access};
use crate::model::ActivityKind;
use crate::permissions::JOIN;
use crate::repo::{self, ActivityRow, When};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
    pub team: Option<i64>,
    /// Past activities starting before this instant.
    pub before: Option<i64>,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ListPage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    coming: Vec<ActivityRow>,
    past: Vec<ActivityRow>,
    more: Option<i64>,
    can_new: bool,
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    let c = commands::community(&ctx.state, id).await?;
    let access = Access::of(&ctx.state.db, &a, &c, None).await?;
    if !JOIN.allows(&a, &c.place()) && !access.staff {
        return Err(Error::NotFound.into());
    }
    let leads = match a.account_id {
        Some(acc) => !repo::led_by(&ctx.state.db, acc).await?.is_empty(),
        None => false,
    };
    let now = ctx.state.now_ms();
    let limit = 30;
    let mut past = repo::activities(
        &ctx.state.db,
        id,
        q.team,
        When::Past {
            before: q.before.unwrap_or(i64::MAX),
        },
        now,
        limit + 1,
    )
    .await?;
    let more = (past.len() > 30).then(|| {
        past.truncate(30);
        past.last().map(|a| a.starts_at)
    });
    let chrome = Chrome::new(&ctx, "volunteers.activities_title");
    render(ListPage {
        l: Labels {
            lang: chrome.lang(),
            tz: c.time_zone.clone(),
        },
        chrome,
        community_id: id,
        coming: repo::activities(&ctx.state.db, id, q.team, When::Coming, now, 100).await?,
        past,
        more: more.flatten(),
        can_new: access.staff || leads,
    })
}

#[derive(Template)]
#[template(path = "activity_new.html")]
struct NewPage {
    chrome: Chrome,
    community_id: i64,
    kinds: Vec<(&'static str, &'static str)>,
    teams: Vec<(String, String)>,
    grids: Vec<(i64, String)>,
    form: Shown<ActivityInput>,
}

impl NewPage {
    fn grid_chosen(&self, id: &i64) -> bool {
        crate::model::list(&self.form.input.grids).contains(&id.to_string())
    }
}

async fn new_page(ctx: &PageCtx, a: &Actor, community_id: i64, form: Shown<ActivityInput>) -> WebResult<Response> {
    let c = commands::community(&ctx.state, community_id).await?;
    let access = Access::of(&ctx.state.db, a, &c, None).await?;
    let led = match a.account_id {
        Some(acc) => repo::led_by(&ctx.state.db, acc).await?,
        None => Vec::new(),
    };
    // Staff publish for any team (or the community itself); a leader for the teams they lead.
    let teams: Vec<(String, String)> = repo::teams(&ctx.state.db, community_id)
        .await?
        .into_iter()
        .filter(|t| access.staff || led.contains(&t.team_id))
        .map(|t| (t.team_id.to_string(), t.name))
        .collect();
    if !access.staff && teams.is_empty() {
        return Err(Error::NotFound.into());
    }
    let chrome = Chrome::new(ctx, "volunteers.new_activity");
    let lang = chrome.lang();
    render(NewPage {
        community_id,
        kinds: options(ActivityKind::ALL, ActivityKind::as_str, |k| k.label(lang)),
        teams,
        grids: yijia_kernel::community::grid_choices(&ctx.state.db, community_id).await?,
        form,
        chrome,
    })
}

pub async fn new(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    let input = ActivityInput {
        shifts: "1".to_owned(),
        capacity: "10".to_owned(),
        min_age: "0".to_owned(),
        team: q.team.map(|t| t.to_string()).unwrap_or_default(),
        ..ActivityInput::default()
    };
    new_page(&ctx, &a, id, Shown { input, ..Shown::none() }).await
}

pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let f: ActivityInput = merged(pairs)?;
    let id = community_of(f.community.trim().parse().ok(), &a)?;
    let result = activity::create(&ctx.state, &a, &f)
        .await
        .map(|aid| Redirect::to(&format!("/volunteers/activities/{aid}")).into_response());
    respond(
        result,
        |e| Shown::failed("activity", f, e, &ctx.tr),
        |form| new_page(&ctx, &a, id, form),
    )
    .await
}
