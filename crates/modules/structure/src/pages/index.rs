use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_kernel::{Error, Place};
use yijia_web::{render, with_error_status, Chrome, CurrentActor, FormErrors, PageCtx, PageForm, WebResult};

use super::{is_form_error, Shown};
use crate::commands::create_area::{create_area, AreaInput};
use crate::commands::create_community::{create_community, CommunityInput};
use crate::permissions::{READ, TENANCY};
use crate::repo::{self, Area, Community};

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    chrome: Chrome,
    communities: Vec<Community>,
    tenancy: bool,
    districts: Vec<Area>,
    subdistricts: Vec<Area>,
    area: Shown<AreaInput>,
    community: Shown<CommunityInput>,
}

async fn page(
    ctx: &PageCtx,
    actor: &yijia_kernel::Actor,
    area: Shown<AreaInput>,
    community: Shown<CommunityInput>,
) -> WebResult<Response> {
    if !READ.held_by(actor) {
        return Err(Error::Forbidden.into());
    }
    let communities = repo::communities(&ctx.state.db, actor.account_id.unwrap_or(0), 0, 500).await?;
    let tenancy = TENANCY.allows(actor, &Place::default());
    let (districts, subdistricts) = if tenancy {
        (
            repo::districts(&ctx.state.db).await?,
            repo::subdistricts(&ctx.state.db).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    if !tenancy && communities.len() == 1 && area.which.is_empty() {
        if let Some(c) = communities.first() {
            return Ok(Redirect::to(&format!("/structure/communities/{}", c.community_id)).into_response());
        }
    }
    let chrome = Chrome::new(ctx, "structure.nav");
    render(IndexPage {
        chrome,
        communities,
        tenancy,
        districts,
        subdistricts,
        area,
        community,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor) -> WebResult<Response> {
    page(&ctx, &actor, Shown::none(), Shown::none()).await
}

async fn again(
    ctx: &PageCtx,
    actor: &yijia_kernel::Actor,
    e: Error,
    area: Shown<AreaInput>,
    community: Shown<CommunityInput>,
) -> WebResult<Response> {
    if !is_form_error(&e) {
        return Err(e.into());
    }
    Ok(with_error_status(page(ctx, actor, area, community).await?, &e))
}

pub async fn post_area(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    sub: bool,
    PageForm(input): PageForm<AreaInput>,
) -> WebResult<Response> {
    match create_area(&ctx.state, &actor, sub, &input).await {
        Ok(_) => Ok(Redirect::to("/structure").into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            let which = if sub { "subdistrict" } else { "district" };
            again(&ctx, &actor, e, Shown { which, input, errors }, Shown::none()).await
        }
    }
}

pub async fn post_community(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    PageForm(input): PageForm<CommunityInput>,
) -> WebResult<Response> {
    match create_community(&ctx.state, &actor, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/structure/communities/{id}")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            again(
                &ctx,
                &actor,
                e,
                Shown::none(),
                Shown {
                    which: "community",
                    input,
                    errors,
                },
            )
            .await
        }
    }
}
