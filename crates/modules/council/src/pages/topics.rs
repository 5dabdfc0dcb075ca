//! Topics: the list with the form to raise one (with photos), and one topic with its
//! co-signatures, discussion, staff's triage and the votes taken on it.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error, Result};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, PageParts, Shown, WebResult, P, Q};

use super::{community_of, options, Labels, Typed};
use crate::commands::comment::{self, CommentInput, ReportInput, ReviewInput};
use crate::commands::topic::{self, TopicInput, TriageInput};
use crate::model::{TopicStatus, Triage};
use crate::repo::{self, CommentRow, TopicRow};
use crate::view::{self, Standing, TopicView};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
    pub status: String,
    pub before: Option<i64>,
}

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    status: String,
    topics: Vec<TopicRow>,
    next: Option<i64>,
    statuses: Vec<(&'static str, &'static str)>,
    compounds: Vec<String>,
    buildings: Vec<(i64, String)>,
    grids: Vec<(i64, String)>,
    to_review: Vec<CommentRow>,
    standing: Standing,
    form: Shown<Typed>,
}

async fn list_page(ctx: &PageCtx, a: &Actor, q: &ListQuery, form: Shown<Typed>) -> WebResult<Response> {
    let id = community_of(q.community, a)?;
    let (c, standing) = view::community_for(&ctx.state, a, id).await?;
    let db = &ctx.state.db;
    let topics = repo::topics(db, id, q.status.trim(), q.before.unwrap_or(i64::MAX), 30).await?;
    let places = super::Places::of(db, id).await?;
    let next = (topics.len() == 30)
        .then(|| topics.last().map(|t| t.topic_id))
        .flatten();
    let chrome = Chrome::new(ctx, "council.topics_title");
    let lang = chrome.lang();
    render(TopicsPage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        community_id: id,
        status: q.status.trim().to_owned(),
        topics,
        next,
        statuses: options(TopicStatus::ALL, TopicStatus::as_str, |s| s.label(lang)),
        compounds: places.compounds,
        buildings: places.buildings,
        grids: places.grids,
        to_review: if standing.staff {
            repo::comments_to_review(db, id).await?
        } else {
            Vec::new()
        },
        standing,
        form,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    list_page(&ctx, &a, &q, Shown::none()).await
}

/// Raises a topic from the form, photos included.
pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageParts { form, files }: PageParts<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(form);
    let q = ListQuery {
        community: typed.v("community").trim().parse().ok(),
        ..ListQuery::default()
    };
    let result = async {
        let input: TopicInput = super::scope_split(&typed).parse()?;
        let photos: Vec<Vec<u8>> = files
            .into_iter()
            .filter(|f| f.field == "photos" && !f.bytes.is_empty())
            .map(|f| f.bytes)
            .collect();
        let prepared = topic::prepare_photos(&ctx.state, &photos).await?;
        let id = topic::raise(&ctx.state, &a, &input, &prepared).await?;
        Ok(Redirect::to(&format!("/council/topics/{id}")).into_response())
    }
    .await;
    respond(
        result,
        |e| Shown::failed("topic", typed.clone(), e, &ctx.tr),
        |form| list_page(&ctx, &a, &q, form),
    )
    .await
}

#[derive(Template)]
#[template(path = "topic.html")]
struct TopicPage {
    chrome: Chrome,
    l: Labels,
    v: TopicView,
    triage: Vec<(&'static str, &'static str)>,
    form: Shown<Typed>,
}

impl TopicPage {
    /// The comments a comment's replies are, in order.
    fn replies(&self, parent: &i64) -> Vec<&CommentRow> {
        self.v
            .comments
            .iter()
            .filter(|c| c.parent_id == Some(*parent))
            .collect()
    }

    fn roots(&self) -> Vec<&CommentRow> {
        self.v.comments.iter().filter(|c| c.parent_id.is_none()).collect()
    }

    fn share(&self, t: &crate::model::rules::Threshold) -> String {
        super::share(&self.chrome, t)
    }

    fn open(&self) -> bool {
        TopicStatus::parse(&self.v.topic.status).is_some_and(TopicStatus::open)
    }
}

async fn topic_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<Typed>) -> WebResult<Response> {
    let v = view::topic(&ctx.state, a, id).await?;
    let chrome = Chrome::new(ctx, "council.topic_title");
    let lang = chrome.lang();
    render(TopicPage {
        l: Labels {
            lang,
            tz: v.time_zone.clone(),
        },
        chrome,
        v,
        triage: options(Triage::ALL, Triage::as_str, |t| t.label(lang)),
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    topic_page(&ctx, &a, id, Shown::none()).await
}

/// Answers one of the topic page's forms: back to the topic when it worked, or the page with
/// the error beside the form.
async fn answer(
    ctx: PageCtx,
    a: Actor,
    id: i64,
    which: &'static str,
    typed: Typed,
    result: Result<()>,
) -> WebResult<Response> {
    let result = result.map(|()| Redirect::to(&format!("/council/topics/{id}")).into_response());
    respond(
        result,
        |e| Shown::failed(which, typed, e, &ctx.tr),
        |form| topic_page(&ctx, &a, id, form),
    )
    .await
}

pub async fn post_cosign(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let result = topic::cosign(&ctx.state, &a, id).await.map(|_| ());
    answer(ctx, a, id, "cosign", Typed::default(), result).await
}

pub async fn post_triage(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<TriageInput>() {
        Ok(input) => topic::triage(&ctx.state, &a, id, &input).await,
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "triage", typed, result).await
}

pub async fn post_comment(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let which = if typed.v("official").is_empty() {
        "comment"
    } else {
        "official"
    };
    let result = match typed.parse::<CommentInput>() {
        Ok(input) => comment::write(&ctx.state, &a, id, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, which, typed, result).await
}

async fn topic_of_comment(ctx: &PageCtx, comment_id: i64) -> Result<i64> {
    Ok(repo::comment(&ctx.state.db, comment_id)
        .await?
        .ok_or(Error::NotFound)?
        .topic_id)
}

pub async fn post_report(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(cid): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let id = topic_of_comment(&ctx, cid).await?;
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<ReportInput>() {
        Ok(input) => comment::report(&ctx.state, &a, cid, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "report", typed, result).await
}

pub async fn post_review(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(cid): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let id = topic_of_comment(&ctx, cid).await?;
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<ReviewInput>() {
        Ok(input) => comment::review(&ctx.state, &a, cid, &input).await,
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "review", typed, result).await
}

/// A topic's photo, for those who may read the topic.
pub async fn photo(ctx: PageCtx, CurrentActor(a): CurrentActor, P((id, sha)): P<(i64, String)>) -> WebResult<Response> {
    view::topic(&ctx.state, &a, id).await?;
    if !repo::topic_has_file(&ctx.state.db, id, &sha).await? {
        return Err(Error::NotFound.into());
    }
    let (file, bytes) = yijia_kernel::files::load(&ctx.state, &sha)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(([(header::CONTENT_TYPE, file.mime)], bytes).into_response())
}
