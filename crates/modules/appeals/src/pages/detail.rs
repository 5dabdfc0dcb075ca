//! One appeal: what, where, who has it and by when, the answer, the timeline, and a form for
//! each step the reader may take now. A step on a page that has gone stale (someone else acted
//! meanwhile) is refused and the page shown again with the new state.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_kernel::clock::format_local;
use yijia_kernel::Actor;
use yijia_web::{flash, render, respond, Chrome, CurrentActor, PageCtx, PageForm, PageUpload, Shown, WebResult, P};

use super::{options, Labels};
use crate::commands::photo::add_photo;
use crate::commands::reveal::reveal_contact;
use crate::commands::step::{step, StepInput};
use crate::commands::Access;
use crate::model::{Action, DeclineReason, Rating, Status};
use crate::repo::{self, PartyRow, PhotoRow, StepRow};
use crate::view::{load, AppealView};

#[derive(Template)]
#[template(path = "detail.html")]
struct DetailPage {
    chrome: Chrome,
    l: Labels,
    v: AppealView,
    access: Access,
    tz: String,
    parties: Vec<PartyRow>,
    reasons: Vec<(&'static str, &'static str)>,
    ratings: Vec<(&'static str, &'static str)>,
    form: Shown<StepInput>,
    revealed: Option<String>,
    /// The reader's steps, the primary one first.
    ordered: Vec<&'static str>,
}

impl DetailPage {
    fn when(&self, ms: &i64) -> String {
        format_local(*ms, &self.tz)
    }

    fn party_name(&self, s: &StepRow) -> String {
        s.party_id
            .and_then(|id| self.parties.iter().find(|p| p.party_id == id))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// The photos taken before the appeal was handled (as it was raised) or after (while it
    /// was handled and as it was answered): the state it was in when each was added says which.
    fn photos(&self, before: &bool) -> Vec<&PhotoRow> {
        self.v
            .photos
            .iter()
            .filter(|p| {
                let raised = matches!(
                    Status::parse(&p.status),
                    Some(Status::Submitted | Status::Accepted | Status::Dispatched) | None
                );
                raised == *before
            })
            .collect()
    }

    fn photos_heading(&self, before: &bool) -> &'static str {
        if *before {
            "appeals.photos_before"
        } else {
            "appeals.photos_after"
        }
    }

    /// The reader is the resident who raised it, on her own appeal.
    fn own_view(&self) -> bool {
        self.access.requester && !self.access.inside()
    }

    /// The state in the reader's words (`pages::status_text`).
    fn state(&self) -> String {
        super::status_text(Status::parse(&self.v.row.status), self.own_view(), &self.chrome.tr)
    }

    /// The public note is the resident's own 补充说明 when she writes it; staff write it to her.
    fn note_label(&self) -> String {
        self.chrome.t(if self.own_view() {
            "appeals.requester_note"
        } else {
            "appeals.public_note"
        })
    }

    /// The step the appeal waits for from this reader, first and filled; the others wait in
    /// dialogs.
    fn is_primary(&self, act: &&str) -> bool {
        primary(&self.v.actions) == Some(*act)
    }

    fn live_parties(&self) -> Vec<(String, String)> {
        self.parties
            .iter()
            .filter(|p| p.retired_at.is_none())
            .map(|p| (p.party_id.to_string(), p.name.clone()))
            .collect()
    }
}

/// The step each state waits for, in the loop's order; notes, urging and supervising never are.
const PRIMARY: [Action; 9] = [
    Action::Accept,
    Action::Dispatch,
    Action::Take,
    Action::Reply,
    Action::Verify,
    Action::Rate,
    Action::Callback,
    Action::Close,
    Action::ApproveReturn,
];

fn primary(actions: &[&'static str]) -> Option<&'static str> {
    PRIMARY.iter().map(|a| a.as_str()).find(|p| actions.contains(p))
}

async fn page(
    ctx: &PageCtx,
    a: &Actor,
    id: i64,
    form: Shown<StepInput>,
    revealed: Option<String>,
) -> WebResult<Response> {
    let (v, access) = load(&ctx.state, a, id).await?;
    let c = crate::commands::community(&ctx.state, v.row.community_id).await?;
    let chrome = Chrome::new(ctx, "appeals.appeal");
    let mut ordered = v.actions.clone();
    let first = primary(&v.actions);
    ordered.sort_by_key(|a| Some(*a) != first);
    let lang = chrome.lang();
    let res = render(DetailPage {
        l: Labels { lang },
        parties: repo::parties(&ctx.state.db, v.row.community_id).await?,
        reasons: options(DeclineReason::ALL, DeclineReason::as_str, |r| r.label(lang)),
        ratings: options(Rating::ALL, Rating::as_str, |r| r.label(lang)),
        tz: c.time_zone,
        chrome,
        v,
        access,
        form,
        revealed: revealed.clone(),
        ordered,
    })?;
    Ok(if revealed.is_some() {
        ([(axum::http::header::CACHE_CONTROL, "no-store")], res).into_response()
    } else {
        res
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    page(&ctx, &a, id, Shown::none(), None).await
}

pub async fn post_step(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<StepInput>,
) -> WebResult<Response> {
    let result = match step(&ctx.state, &a, id, &f).await {
        Ok(_) => {
            let said = what_happened(&ctx, &a, id, &f.action).await?;
            Ok(flash(Redirect::to(&format!("/appeals/{id}")).into_response(), said))
        }
        Err(e) => Err(e),
    };
    // Each action's form has its own field ids; the error goes back to the form it came from.
    let which = crate::model::Action::parse(&f.action).map_or("step", |a| a.as_str());
    respond(
        result,
        |e| Shown::failed(which, f, e, &ctx.tr),
        |form| page(&ctx, &a, id, form, None),
    )
    .await
}

/// What a step did, said at the top of the page it comes back to: a dispatch names the party
/// and when it is due.
async fn what_happened(ctx: &PageCtx, a: &Actor, id: i64, action: &str) -> WebResult<String> {
    let Some(action) = Action::parse(action) else {
        return Ok(ctx.tr.t("flash.saved"));
    };
    if action != Action::Dispatch {
        return Ok(ctx
            .tr
            .tf("appeals.done", &[("action", action.label(ctx.tr.lang()).to_owned())]));
    }
    let (v, _) = load(&ctx.state, a, id).await?;
    let c = crate::commands::community(&ctx.state, v.row.community_id).await?;
    Ok(ctx.tr.tf(
        "appeals.done_dispatch",
        &[
            ("party", v.row.party_name.clone().unwrap_or_default()),
            (
                "when",
                v.due_at.map(|d| format_local(d, &c.time_zone)).unwrap_or_default(),
            ),
        ],
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RevealForm {
    pub purpose: String,
}

pub async fn post_reveal(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(f): PageForm<RevealForm>,
) -> WebResult<Response> {
    match reveal_contact(&ctx.state, &a, id, &f.purpose).await {
        Ok(value) => page(&ctx, &a, id, Shown::none(), Some(value)).await,
        Err(e) => {
            let input = StepInput::default();
            respond(
                Err(e),
                |e| Shown::failed("reveal", input, e, &ctx.tr),
                |form| page(&ctx, &a, id, form, None),
            )
            .await
        }
    }
}

pub async fn post_photo(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    upload: Result<PageUpload, yijia_web::AppError>,
) -> WebResult<Response> {
    let result = match upload {
        Ok(PageUpload(file)) => add_photo(&ctx.state, &a, id, &file.bytes).await,
        Err(yijia_web::AppError(e)) => Err(e),
    }
    .map(|_| {
        flash(
            Redirect::to(&format!("/appeals/{id}#photos")).into_response(),
            ctx.tr.t("appeals.done_photo"),
        )
    });
    respond(
        result,
        |e| Shown::failed("photo", StepInput::default(), e, &ctx.tr),
        |form| page(&ctx, &a, id, form, None),
    )
    .await
}

/// A photo of an appeal, to those who may see the appeal.
pub async fn photo(ctx: PageCtx, CurrentActor(a): CurrentActor, P((id, sha)): P<(i64, String)>) -> WebResult<Response> {
    let (v, _) = load(&ctx.state, &a, id).await?;
    if !v.photos.iter().any(|p| p.sha256 == sha) {
        return Err(yijia_kernel::Error::NotFound.into());
    }
    let (file, bytes) = yijia_kernel::files::load(&ctx.state, &sha)
        .await?
        .ok_or(yijia_kernel::Error::NotFound)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.mime),
            (axum::http::header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
