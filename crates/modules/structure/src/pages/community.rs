use std::collections::BTreeMap;

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_kernel::{Actor, Error, FieldErrors, Place};
use yijia_web::{
    render, with_error_status, Chrome, CurrentActor, FormErrors, PageCtx, PageForm, PageUpload, WebResult, P,
};

use super::{is_form_error, Shown};
use crate::commands::create_community::CommunityInput;
use crate::commands::create_node::create_node;
use crate::commands::set_logo::set_logo;
use crate::commands::update_community::update_community;
use crate::commands::update_settings::{all_settings, update_settings};
use crate::model::{Level, Node, NodeInput};
use crate::permissions::{COMMUNITY_ADMIN, READ};
use crate::repo::{self, Community, ListOpts, Worker};

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    chrome: Chrome,
    community: Community,
    grids: Vec<Node>,
    workers: Vec<Worker>,
    can_admin: bool,
    settings: Shown<CommunityInput>,
    new_grid: Shown<NodeInput>,
    module_settings: Vec<SettingField>,
}

/// A module setting as its form field shows it.
pub struct SettingField {
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// Typed in a password field.
    pub secret: bool,
}

impl CommunityPage {
    fn workers_of(&self, grid_id: &i64) -> String {
        self.workers
            .iter()
            .filter(|w| w.grid_id == *grid_id)
            .map(|w| {
                if w.phone.is_empty() {
                    w.display_name.clone()
                } else {
                    format!("{} {}", w.display_name, w.phone)
                }
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

async fn page(
    ctx: &PageCtx,
    actor: &Actor,
    id: i64,
    settings: Option<Shown<CommunityInput>>,
    new_grid: Shown<NodeInput>,
) -> WebResult<Response> {
    page_with(ctx, actor, id, settings, new_grid, None).await
}

/// Module settings as typed, with their errors, to show again.
type TypedSettings = (BTreeMap<String, String>, FieldErrors);

async fn page_with(
    ctx: &PageCtx,
    actor: &Actor,
    id: i64,
    settings: Option<Shown<CommunityInput>>,
    new_grid: Shown<NodeInput>,
    typed: Option<TypedSettings>,
) -> WebResult<Response> {
    let account = actor.account_id.unwrap_or(0);
    let community = repo::community(&ctx.state.db, account, id)
        .await?
        .ok_or(Error::NotFound)?;
    let place = Place {
        district_id: Some(community.district_id),
        subdistrict_id: Some(community.subdistrict_id),
        community_id: Some(id),
        grid_id: None,
    };
    if !READ.held_by(actor) {
        return Err(Error::Forbidden.into());
    }
    let grids = repo::children(&ctx.state.db, account, Level::Grid, id, ListOpts::page(1000)).await?;
    let workers = repo::grid_workers(&ctx.state.db, id).await?;
    let settings = settings.unwrap_or_else(|| Shown {
        which: "",
        input: CommunityInput::of(&community),
        errors: FormErrors::default(),
    });
    let stored = yijia_kernel::settings::stored(&ctx.state.db, id).await?;
    let (typed, typed_errors) = typed.unwrap_or_default();
    let module_settings = all_settings(&ctx.state)
        .into_iter()
        .map(|s| SettingField {
            key: s.key,
            label: s.label,
            hint: s.hint,
            // What was typed comes back as typed; a stored value in the reader's words.
            value: typed
                .get(s.key)
                .cloned()
                .unwrap_or_else(|| s.shown(stored.get(s.key).map_or(s.default, String::as_str), ctx.tr.lang())),
            error: typed_errors.get(s.key).map(|m| ctx.tr.msg(m)),
            secret: s.is_secret(),
        })
        .collect();
    let chrome = Chrome::new(ctx, "structure.community");
    render(CommunityPage {
        chrome,
        module_settings,
        can_admin: COMMUNITY_ADMIN.allows(actor, &place),
        community,
        grids,
        workers,
        settings,
        new_grid,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    page(&ctx, &actor, id, None, Shown::none()).await
}

pub async fn post_settings(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    PageForm(input): PageForm<CommunityInput>,
) -> WebResult<Response> {
    repo::community(&ctx.state.db, actor.account_id.unwrap_or(0), id)
        .await?
        .ok_or(Error::NotFound)?;
    match update_community(&ctx.state, &actor, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/structure/communities/{id}")).into_response()),
        Err(e) if is_form_error(&e) => settings_again(&ctx, &actor, id, "settings", input, &e).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn post_module_settings(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    PageForm(given): PageForm<BTreeMap<String, String>>,
) -> WebResult<Response> {
    repo::community(&ctx.state.db, actor.account_id.unwrap_or(0), id)
        .await?
        .ok_or(Error::NotFound)?;
    match update_settings(&ctx.state, &actor, id, &given).await {
        Ok(()) => Ok(Redirect::to(&format!("/structure/communities/{id}#h-module-settings")).into_response()),
        Err(Error::Validation(f)) => {
            let e = Error::Validation(f.clone());
            let res = page_with(&ctx, &actor, id, None, Shown::none(), Some((given, f))).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn post_grid(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    PageForm(input): PageForm<NodeInput>,
) -> WebResult<Response> {
    repo::community(&ctx.state.db, actor.account_id.unwrap_or(0), id)
        .await?
        .ok_or(Error::NotFound)?;
    match create_node(&ctx.state, &actor, Level::Grid, id, &input).await {
        Ok(grid) => Ok(Redirect::to(&format!("/structure/grids/{grid}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            let res = page(
                &ctx,
                &actor,
                id,
                None,
                Shown {
                    which: "grid",
                    input,
                    errors,
                },
            )
            .await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn post_logo(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    upload: Result<PageUpload, yijia_web::AppError>,
) -> WebResult<Response> {
    repo::community(&ctx.state.db, actor.account_id.unwrap_or(0), id)
        .await?
        .ok_or(Error::NotFound)?;
    let result = match upload {
        Ok(PageUpload(file)) => set_logo(&ctx.state, &actor, id, &file.bytes).await.map(|_| ()),
        Err(yijia_web::AppError(e)) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/structure/communities/{id}")).into_response()),
        Err(e) if is_form_error(&e) => settings_again(&ctx, &actor, id, "logo", CommunityInput::default(), &e).await,
        Err(e) => Err(e.into()),
    }
}

/// The page again with why a file of grid boundaries was refused.
pub(super) async fn boundaries_again(ctx: &PageCtx, actor: &Actor, id: i64, e: &Error) -> WebResult<Response> {
    settings_again(ctx, actor, id, "boundaries", CommunityInput::default(), e).await
}

/// The page again with the settings (or logo) form's input and its errors.
async fn settings_again(
    ctx: &PageCtx,
    actor: &Actor,
    id: i64,
    which: &'static str,
    input: CommunityInput,
    e: &Error,
) -> WebResult<Response> {
    let errors = FormErrors::from_error(e, &ctx.tr);
    let res = page(ctx, actor, id, Some(Shown { which, input, errors }), Shown::none()).await?;
    Ok(with_error_status(res, e))
}
