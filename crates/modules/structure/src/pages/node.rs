use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, with_error_status, Chrome, CurrentActor, FormErrors, PageCtx, PageForm, WebResult, P};

use super::{is_form_error, Shown};
use crate::commands::{
    create_node::create_node, move_node::move_node, retire_node::retire_node, update_node::update_node,
};
use crate::model::{Level, Node, NodeInput};
use crate::repo::{self, Community, ListOpts, Worker};

pub struct Crumb {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "node.html")]
struct NodePage {
    chrome: Chrome,
    level: &'static str,
    child_level: &'static str,
    children_key: String,
    new_child_key: String,
    child_code_key: String,
    code_key: String,
    node: Node,
    crumbs: Vec<Crumb>,
    children: Vec<Node>,
    workers: Vec<Worker>,
    move_targets: Vec<Node>,
    can_write: bool,
    can_write_children: bool,
    edit: Shown<NodeInput>,
    new_child: Shown<NodeInput>,
    moving: Shown<MoveForm>,
    /// A grid's outline or a building's point on the map, to set when `can_write`.
    map: Option<yijia_web::map::MapView>,
    /// Why the map's form was refused.
    map_error: Option<String>,
    /// The boundary or point as stored (WGS-84), for the boxes beside the map.
    stored: super::places::Stored,
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    pub to: String,
}

async fn crumbs(
    ctx: &PageCtx,
    account: i64,
    level: Level,
    node: &Node,
    community: &Community,
) -> WebResult<Vec<Crumb>> {
    let mut out = Vec::new();
    let mut cur = level.parent().map(|p| (p, node.parent_id));
    while let Some((l, id)) = cur {
        let Some(n) = repo::node(&ctx.state.db, account, l, id).await? else {
            break;
        };
        out.push(Crumb {
            label: n.label().to_owned(),
            href: format!("/structure/{}/{}", l.plural(), n.id),
        });
        cur = l.parent().map(|p| (p, n.parent_id));
    }
    out.push(Crumb {
        label: community.name.clone(),
        href: format!("/structure/communities/{}", community.community_id),
    });
    out.reverse();
    Ok(out)
}

/// The page's forms as shown again after one was refused; all empty on a plain visit.
struct Forms {
    edit: Option<Shown<NodeInput>>,
    new_child: Shown<NodeInput>,
    moving: Shown<MoveForm>,
    map_error: Option<String>,
}

impl Default for Forms {
    fn default() -> Forms {
        Forms {
            edit: None,
            new_child: Shown::none(),
            moving: Shown::none(),
            map_error: None,
        }
    }
}

async fn page(ctx: &PageCtx, actor: &Actor, level: Level, id: i64, forms: Forms) -> WebResult<Response> {
    let Forms {
        edit,
        new_child,
        moving,
        map_error,
    } = forms;
    let account = actor.account_id.unwrap_or(0);
    let node = repo::node(&ctx.state.db, account, level, id)
        .await?
        .ok_or(Error::NotFound)?;
    let children = match level.child() {
        Some(c) => repo::children(&ctx.state.db, account, c, id, ListOpts::page(2000)).await?,
        None => Vec::new(),
    };
    let workers = if level == Level::Grid {
        repo::grid_workers(&ctx.state.db, node.community_id)
            .await?
            .into_iter()
            .filter(|w| w.grid_id == id)
            .collect()
    } else {
        Vec::new()
    };
    // Whoever may read a row may see its community: one read serves the place and the crumbs.
    let community = repo::community(&ctx.state.db, account, node.community_id)
        .await?
        .ok_or(Error::NotFound)?;
    let place = yijia_kernel::Place {
        district_id: Some(community.district_id),
        subdistrict_id: Some(community.subdistrict_id),
        community_id: Some(node.community_id),
        grid_id: Some(node.grid_id),
    };
    let can_write = level.write_cap().allows(actor, &place) && !node.retired();
    let can_write_children = level.child().is_some_and(|c| c.write_cap().allows(actor, &place)) && !node.retired();
    let move_targets = match level.parent() {
        Some(p) if can_write && level.movable() => {
            repo::in_community(&ctx.state.db, account, p, node.community_id).await?
        }
        _ => Vec::new(),
    };
    let edit = edit.unwrap_or_else(|| Shown {
        which: "",
        input: NodeInput::default().over(&node),
        errors: FormErrors::default(),
    });
    let crumbs = crumbs(ctx, account, level, &node, &community).await?;
    let chrome = Chrome::new(ctx, &format!("structure.{}", level.entity()));
    let (map, stored) = super::places::node_map(ctx, level, &node, can_write).await?;
    let tiles = map.as_ref().map(|m| m.tiles.clone()).unwrap_or_default();
    let res = render(NodePage {
        chrome,
        level: level.entity(),
        child_level: level.child().map_or("", Level::entity),
        children_key: level
            .child()
            .map_or(String::new(), |c| format!("structure.{}", c.plural())),
        new_child_key: level
            .child()
            .map_or(String::new(), |c| format!("structure.new_{}", c.entity())),
        child_code_key: level
            .child()
            .map_or(String::new(), |c| format!("structure.code_{}", c.entity())),
        code_key: format!("structure.code_{}", level.entity()),
        node,
        crumbs,
        children,
        workers,
        move_targets,
        can_write,
        can_write_children,
        edit,
        new_child,
        moving,
        map,
        map_error,
        stored,
    })?;
    Ok(yijia_web::map::allow_tiles(res, &tiles))
}

/// The page again with why the map's form (a boundary, a place) was refused.
pub(super) async fn page_with_map_error(
    ctx: &PageCtx,
    actor: &Actor,
    level: Level,
    id: i64,
    error: String,
) -> WebResult<Response> {
    let forms = Forms {
        map_error: Some(error),
        ..Forms::default()
    };
    page(ctx, actor, level, id, forms).await
}

pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor, P(id): P<i64>, level: Level) -> WebResult<Response> {
    page(&ctx, &actor, level, id, Forms::default()).await
}

fn here(level: Level, id: i64) -> String {
    format!("/structure/{}/{id}", level.plural())
}

/// The form a person sent, to show again with its errors.
enum Sent {
    Edit(NodeInput),
    Child(NodeInput),
    Move(MoveForm),
    Retire,
}

/// Shows the page again with the sent form's input and errors, or fails with the error.
async fn again(ctx: &PageCtx, actor: &Actor, level: Level, id: i64, e: Error, sent: Sent) -> WebResult<Response> {
    if !is_form_error(&e) {
        return Err(e.into());
    }
    let errors = FormErrors::from_error(&e, &ctx.tr);
    let (edit, new_child, moving) = match sent {
        Sent::Edit(input) => (
            Some(Shown {
                which: "edit",
                input,
                errors,
            }),
            Shown::none(),
            Shown::none(),
        ),
        Sent::Child(input) => (
            None,
            Shown {
                which: "child",
                input,
                errors,
            },
            Shown::none(),
        ),
        Sent::Move(input) => (
            None,
            Shown::none(),
            Shown {
                which: "move",
                input,
                errors,
            },
        ),
        Sent::Retire => (
            None,
            Shown::none(),
            Shown {
                which: "retire",
                input: MoveForm::default(),
                errors,
            },
        ),
    };
    Ok(with_error_status(
        page(
            ctx,
            actor,
            level,
            id,
            Forms {
                edit,
                new_child,
                moving,
                map_error: None,
            },
        )
        .await?,
        &e,
    ))
}

pub async fn post_update(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    level: Level,
    PageForm(input): PageForm<NodeInput>,
) -> WebResult<Response> {
    repo::visible(&ctx.state.db, actor.account_id.unwrap_or(0), level, id).await?;
    match update_node(&ctx.state, &actor, level, id, &input).await {
        Ok(()) => Ok(Redirect::to(&here(level, id)).into_response()),
        Err(e) => again(&ctx, &actor, level, id, e, Sent::Edit(input)).await,
    }
}

pub async fn post_child(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    level: Level,
    PageForm(input): PageForm<NodeInput>,
) -> WebResult<Response> {
    repo::visible(&ctx.state.db, actor.account_id.unwrap_or(0), level, id).await?;
    let child = level.child().ok_or(Error::NotFound)?;
    match create_node(&ctx.state, &actor, child, id, &input).await {
        Ok(_) => Ok(Redirect::to(&here(level, id)).into_response()),
        Err(e) => again(&ctx, &actor, level, id, e, Sent::Child(input)).await,
    }
}

pub async fn post_move(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    level: Level,
    PageForm(input): PageForm<MoveForm>,
) -> WebResult<Response> {
    repo::visible(&ctx.state.db, actor.account_id.unwrap_or(0), level, id).await?;
    let result = match input.to.trim().parse::<i64>() {
        Ok(to) => move_node(&ctx.state, &actor, level, id, to).await,
        Err(_) => Err(Error::field("to", "field.required")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&here(level, id)).into_response()),
        Err(e) => again(&ctx, &actor, level, id, e, Sent::Move(input)).await,
    }
}

pub async fn post_retire(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    P(id): P<i64>,
    level: Level,
) -> WebResult<Response> {
    repo::visible(&ctx.state.db, actor.account_id.unwrap_or(0), level, id).await?;
    match retire_node(&ctx.state, &actor, level, id).await {
        Ok(()) => Ok(Redirect::to(&here(level, id)).into_response()),
        Err(e) => again(&ctx, &actor, level, id, e, Sent::Retire).await,
    }
}
