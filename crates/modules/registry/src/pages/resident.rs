//! One resident: details with masked numbers, a reveal that asks why, care-group tags, and
//! the changes of a life on the registry (edit, move, move out or death, merge a duplicate).

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P};

use super::{history_lines, Choices, HistoryLine, ResidentView};
use crate::commands::care_tag::{add_tag, end_tag, open_tags, Tag, TagInput};
use crate::commands::{
    leave::leave, link_account::link_account, merge::merge, move_resident::move_resident, reveal::reveal,
};
use crate::commands::{today_in, update_resident::update_resident};
use crate::model::ResidentInput;
use crate::permissions::{READ, REVEAL, WRITE};
use crate::repo::{self, ResidentRow};

/// The small forms of the page: reveal, move, leave, merge, end a tag.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub field: String,
    pub purpose: String,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub reason: String,
    pub on: String,
    pub into: String,
    pub ends_on: String,
    pub username: String,
}

#[derive(Template)]
#[template(path = "resident.html")]
struct ResidentPage {
    chrome: Chrome,
    v: ResidentView,
    tags: Vec<Tag>,
    history: Vec<HistoryLine>,
    choices: Choices,
    can_write: bool,
    can_reveal: bool,
    revealed: Option<(String, String)>,
    edit: Shown<ResidentInput>,
    tag: Shown<TagInput>,
    action: Shown<ActionForm>,
}

impl ResidentPage {
    fn care_label(&self, t: &Tag) -> std::borrow::Cow<'static, str> {
        t.group().label(self.chrome.lang())
    }
}

fn input_of(r: &ResidentRow) -> ResidentInput {
    ResidentInput {
        name: r.name.clone(),
        gender: r.gender.clone(),
        birth_date: r.birth_date.clone().unwrap_or_default(),
        ethnicity: r.ethnicity.clone(),
        id_type: r.id_type.clone(),
        relation: r.relation.clone(),
        residence: r.residence.clone(),
        moved_in_on: r.moved_in_on.clone().unwrap_or_default(),
        occupation: r.occupation.clone(),
        employer: r.employer.clone(),
        political: r.political.clone(),
        party_branch: r.party_branch.clone(),
        veteran: if r.veteran == 1 { "1".into() } else { String::new() },
        notes: r.notes.clone(),
        ..ResidentInput::default()
    }
}

/// Everything the page shows again after a post.
#[derive(Default)]
pub struct Again {
    edit: Option<Shown<ResidentInput>>,
    tag: Option<Shown<TagInput>>,
    action: Option<Shown<ActionForm>>,
    revealed: Option<(String, String)>,
}

async fn page(ctx: &PageCtx, actor: &Actor, id: i64, again: Again) -> WebResult<Response> {
    let state = &ctx.state;
    let row = repo::resident(&state.db, id).await?.ok_or(Error::NotFound)?;
    let at = repo::household(&state.db, row.household_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !READ.allows(actor, &at.place()) {
        return Err(Error::NotFound.into());
    }
    let today = today_in(state, &at.time_zone);
    let tags = open_tags(
        &state.vault,
        &repo::tags_of(&state.db, &[id]).await?,
        &today.to_string(),
    )?;
    let history = repo::history(&state.db, row.community_id, None, Some(id)).await?;
    let chrome = Chrome::new(ctx, "registry.resident");
    let lang = chrome.lang();
    let current = row.left_at.is_none();
    let edit = again.edit.unwrap_or_else(|| Shown {
        which: "",
        input: input_of(&row),
        errors: Default::default(),
    });
    render(ResidentPage {
        can_write: current && WRITE.allows(actor, &at.place()),
        can_reveal: REVEAL.allows(actor, &at.place()),
        choices: Choices::of(state, row.community_id, lang).await?,
        v: ResidentView::new(row, lang, today, &tags),
        tags,
        history: history_lines(&chrome, &at.time_zone, history),
        revealed: again.revealed,
        edit,
        tag: again.tag.unwrap_or_else(Shown::none),
        action: again.action.unwrap_or_else(Shown::none),
        chrome,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    page(&ctx, &a, id, Again::default()).await
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/registry/residents/{id}")).into_response()
}

/// Answers a post (see [`super::respond`]) with this page.
async fn respond(
    ctx: &PageCtx,
    a: &Actor,
    id: i64,
    result: Result<Response, Error>,
    again: impl FnOnce(&Error) -> Again,
) -> WebResult<Response> {
    super::respond(result, again, |g| page(ctx, a, id, g)).await
}

impl Again {
    fn action(which: &'static str, f: ActionForm, e: &Error, ctx: &PageCtx) -> Again {
        Again {
            action: Some(Shown::failed(which, f, e, &ctx.tr)),
            ..Again::default()
        }
    }
}

pub async fn post_edit(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ResidentInput>,
) -> WebResult<Response> {
    let result = update_resident(&ctx.state, &a, id, &f).await.map(|()| back(id));
    respond(&ctx, &a, id, result, |e| Again {
        edit: Some(Shown::failed("edit", f, e, &ctx.tr)),
        ..Again::default()
    })
    .await
}

pub async fn post_reveal(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionForm>,
) -> WebResult<Response> {
    let value = match reveal(&ctx.state, &a, id, &f.field, &f.purpose).await {
        Ok(v) => v,
        Err(e) => return respond(&ctx, &a, id, Err(e), |e| Again::action("reveal", f, e, &ctx)).await,
    };
    let label = ctx.tr.t(&format!("registry.{}", f.field));
    let again = Again {
        revealed: Some((label, value)),
        ..Again::default()
    };
    // The value is shown once, in this response only; it is never cached.
    let mut res = page(&ctx, &a, id, again).await?;
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

pub async fn post_tag(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<TagInput>,
) -> WebResult<Response> {
    let result = add_tag(&ctx.state, &a, id, &f).await.map(|_| back(id));
    respond(&ctx, &a, id, result, |e| Again {
        tag: Some(Shown::failed("tag", f, e, &ctx.tr)),
        ..Again::default()
    })
    .await
}

pub async fn post_end_tag(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P((id, tag_id)): P<(i64, i64)>,
    PageForm(f): PageForm<ActionForm>,
) -> WebResult<Response> {
    let result = end_tag(&ctx.state, &a, tag_id, &f.ends_on).await.map(|()| back(id));
    respond(&ctx, &a, id, result, |e| Again::action("end_tag", f, e, &ctx)).await
}

pub async fn post_move(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionForm>,
) -> WebResult<Response> {
    let result = async {
        let r = repo::resident(&ctx.state.db, id).await?.ok_or(Error::NotFound)?;
        let to = repo::household_by_codes(&ctx.state.db, r.community_id, &f.building, &f.unit, &f.room)
            .await?
            .ok_or_else(|| Error::field("room", "registry.bad_household"))?;
        move_resident(&ctx.state, &a, id, to).await.map(|()| back(id))
    }
    .await;
    respond(&ctx, &a, id, result, |e| Again::action("move", f, e, &ctx)).await
}

pub async fn post_leave(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionForm>,
) -> WebResult<Response> {
    let result = leave(&ctx.state, &a, id, &f.reason, &f.on).await.map(|()| back(id));
    respond(&ctx, &a, id, result, |e| Again::action("leave", f, e, &ctx)).await
}

pub async fn post_merge(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionForm>,
) -> WebResult<Response> {
    let result = match f.into.trim().trim_start_matches('#').parse::<i64>() {
        Ok(into) => merge(&ctx.state, &a, id, into).await.map(|()| back(into)),
        Err(_) => Err(Error::field("into", "registry.bad_resident")),
    };
    respond(&ctx, &a, id, result, |e| Again::action("merge", f, e, &ctx)).await
}

pub async fn post_account(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<ActionForm>,
) -> WebResult<Response> {
    let result = link_account(&ctx.state, &a, id, &f.username).await.map(|()| back(id));
    respond(&ctx, &a, id, result, |e| Again::action("account", f, e, &ctx)).await
}
