//! A page about one community, opened without naming one by someone who sees several (a
//! district supervisor's 诉求统计): the communities it can be opened for, instead of a 404.

use askama::Template;
use axum::response::Response;
use yijia_kernel::permission::Capability;
use yijia_kernel::Actor;

use crate::error::WebResult;
use crate::extract::PageCtx;
use crate::home::{reach, CommunityCard};
use crate::page::{render, Chrome};

#[derive(Template)]
#[template(path = "choose.html")]
struct ChoosePage {
    chrome: Chrome,
    communities: Vec<CommunityCard>,
    /// The page's path; each community's link adds `?community=ID`.
    path: String,
}

/// When `asked` names no community and the actor has no single one: the page that lets them
/// choose among those where they hold `cap`. `None` when the page can go on by itself.
pub async fn choose_community(
    ctx: &PageCtx,
    actor: &Actor,
    cap: &Capability,
    asked: Option<i64>,
) -> WebResult<Option<Response>> {
    if asked.is_some() || actor.only_community().is_some() {
        return Ok(None);
    }
    let communities = reach(ctx, cap, actor.account_id.unwrap_or(0)).await?;
    render(ChoosePage {
        chrome: Chrome::new(ctx, "choose.community"),
        communities,
        path: ctx.path.clone(),
    })
    .map(Some)
}
