//! The teams of a community (staff create them), and one team: its members and applicants for
//! its leaders and staff to decide on, adding people and naming leaders for staff.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P, Q};

use super::{community_of, merged, Labels};
use crate::commands::team::{self, MemberInput, TeamInput};
use crate::commands::{self, Access};
use crate::permissions::JOIN;
use crate::repo::{self, ActivityRow, MemberRow, TeamRow, VolunteerRow, When};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TeamsQuery {
    pub community: Option<i64>,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    chrome: Chrome,
    community_id: i64,
    teams: Vec<TeamRow>,
    grids: Vec<(i64, String)>,
    staff: bool,
    form: Shown<TeamInput>,
}

async fn teams_page(ctx: &PageCtx, a: &Actor, community_id: i64, form: Shown<TeamInput>) -> WebResult<Response> {
    let c = commands::community(&ctx.state, community_id).await?;
    let access = Access::of(&ctx.state.db, a, &c, None).await?;
    if !JOIN.allows(a, &c.place()) && !access.staff {
        return Err(Error::NotFound.into());
    }
    render(TeamsPage {
        chrome: Chrome::new(ctx, "volunteers.nav_teams"),
        community_id,
        teams: repo::teams(&ctx.state.db, community_id).await?,
        grids: yijia_kernel::community::grid_choices(&ctx.state.db, community_id).await?,
        staff: access.staff,
        form,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<TeamsQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    teams_page(&ctx, &a, id, Shown::none()).await
}

pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let f: TeamInput = merged(pairs)?;
    let id = community_of(f.community.trim().parse().ok(), &a)?;
    let result = team::create(&ctx.state, &a, &f)
        .await
        .map(|t| Redirect::to(&format!("/volunteers/teams/{t}")).into_response());
    respond(
        result,
        |e| Shown::failed("team", f, e, &ctx.tr),
        |form| teams_page(&ctx, &a, id, form),
    )
    .await
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Chrome,
    l: Labels,
    t: TeamRow,
    members: Vec<MemberRow>,
    others: Vec<VolunteerRow>,
    activities: Vec<ActivityRow>,
    staff: bool,
    form: Shown<MemberInput>,
}

async fn team_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<MemberInput>) -> WebResult<Response> {
    let t = repo::team(&ctx.state.db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(&ctx.state, t.community_id).await?;
    let access = Access::of(&ctx.state.db, a, &c, Some(id)).await?;
    if !access.runs() {
        return Err(Error::NotFound.into());
    }
    let members = repo::members(&ctx.state.db, id).await?;
    // Staff add people from the community's volunteers who are not in the team yet.
    let others = if access.staff {
        repo::volunteers(&ctx.state.db, t.community_id, "", i64::MAX, 500)
            .await?
            .into_iter()
            .filter(|v| !members.iter().any(|m| m.volunteer_id == v.volunteer_id))
            .collect()
    } else {
        Vec::new()
    };
    let now = ctx.state.now_ms();
    let chrome = Chrome::new(ctx, "volunteers.team");
    render(TeamPage {
        l: Labels {
            lang: chrome.lang(),
            tz: c.time_zone.clone(),
        },
        chrome,
        activities: repo::activities(&ctx.state.db, t.community_id, Some(id), When::Coming, now, 20).await?,
        t,
        members,
        others,
        staff: access.staff,
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    team_page(&ctx, &a, id, Shown::none()).await
}

pub async fn post_member(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<MemberInput>,
) -> WebResult<Response> {
    let result = team::decide(&ctx.state, &a, id, &f)
        .await
        .map(|()| Redirect::to(&format!("/volunteers/teams/{id}")).into_response());
    respond(
        result,
        |e| Shown::failed("member", f, e, &ctx.tr),
        |form| team_page(&ctx, &a, id, form),
    )
    .await
}

/// A volunteer applies from their page; errors come back there.
pub async fn post_apply(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let t = repo::team(&ctx.state.db, id).await?.ok_or(Error::NotFound)?;
    team::apply(&ctx.state, &a, id).await?;
    Ok(Redirect::to(&format!("/volunteers?community={}", t.community_id)).into_response())
}
