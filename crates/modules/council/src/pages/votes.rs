//! Votes: the list with the form to draft one (staff), and one vote with the voter's ballot, the
//! count with every ratio against its threshold, and for staff opening, closing, paper ballots
//! (proxies with their authorisation) and the show of hands.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Result};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, PageParts, Shown, WebResult, P, Q};

use super::{community_of, options, Labels, Typed};
use crate::commands::ballot::{self, BallotInput, HandsInput, PaperInput};
use crate::commands::topic::MAX_PHOTO_BYTES;
use crate::commands::vote::{self, Counted, VoteInput};
use crate::model::rules::{Matter, Threshold, VoteKind};
use crate::model::tally::{Check, Choice};
use crate::model::{Method, VoteStatus};
use crate::repo::{self, BallotRow, VoteRow};
use crate::view::{self, Standing, VoteView};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
    /// Prefills the new vote's topic.
    pub topic: Option<i64>,
}

#[derive(Template)]
#[template(path = "votes.html")]
struct VotesPage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    votes: Vec<VoteRow>,
    kinds: Vec<(&'static str, &'static str)>,
    matters: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    compounds: Vec<String>,
    buildings: Vec<(i64, String)>,
    grids: Vec<(i64, String)>,
    standing: Standing,
    form: Shown<Typed>,
}

async fn list_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<Typed>) -> WebResult<Response> {
    let (c, standing) = view::community_for(&ctx.state, a, id).await?;
    let db = &ctx.state.db;
    let places = super::Places::of(db, id).await?;
    let chrome = Chrome::new(ctx, "council.votes_title");
    let lang = chrome.lang();
    render(VotesPage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        community_id: id,
        votes: repo::votes(db, id, None, 100).await?,
        kinds: options(VoteKind::ALL, VoteKind::as_str, |k| k.label(lang)),
        matters: Matter::ALL.iter().map(|m| (m.as_str(), m.label(lang))).collect(),
        methods: options(Method::ALL, Method::as_str, |m| m.label(lang)),
        compounds: places.compounds,
        buildings: places.buildings,
        grids: places.grids,
        standing,
        form,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let id = community_of(q.community, &a)?;
    let mut shown: Shown<Typed> = Shown::none();
    if let Some(t) = q.topic {
        shown.input.0.insert("topic".into(), t.to_string());
        if let Some(topic) = repo::topic(&ctx.state.db, t).await? {
            shown.input.0.insert("title".into(), topic.title);
        }
    }
    list_page(&ctx, &a, id, shown).await
}

pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let id = community_of(typed.v("community").trim().parse().ok(), &a)?;
    let result = match super::scope_split(&typed).parse::<VoteInput>() {
        Ok(input) => vote::create(&ctx.state, &a, &input)
            .await
            .map(|v| Redirect::to(&format!("/council/votes/{v}")).into_response()),
        Err(e) => Err(e),
    };
    respond(
        result,
        |e| Shown::failed("vote", typed.clone(), e, &ctx.tr),
        |form| list_page(&ctx, &a, id, form),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoteQuery {
    pub recount: bool,
    /// Staff looking for a voter to enter a paper ballot for.
    pub q: String,
}

#[derive(Template)]
#[template(path = "vote.html")]
struct VotePage {
    chrome: Chrome,
    l: Labels,
    v: VoteView,
    choices: Vec<(&'static str, &'static str)>,
    electors: Vec<repo::ElectorRow>,
    developer: bool,
    unconfirmed: Vec<(BallotRow, String)>,
    hands: Option<repo::HandsRow>,
    search: String,
    now: i64,
    form: Shown<Typed>,
}

impl VotePage {
    fn is_open(&self) -> bool {
        self.v.vote.status == VoteStatus::Open.as_str() && self.v.vote.closes_at > self.now
    }

    fn hands_confirmed(&self) -> bool {
        self.hands.as_ref().is_some_and(|h| h.confirmed_at.is_some())
    }

    fn by_hands(&self) -> bool {
        self.v.vote.method == Method::Hands.as_str()
    }

    fn poll(&self) -> bool {
        self.v.vote.kind == VoteKind::Poll.as_str()
    }

    fn motion(&self) -> Option<&crate::model::tally::Tally> {
        match &self.v.counted {
            Some(Counted::Motion(t)) => Some(t),
            _ => None,
        }
    }

    fn poll_result(&self) -> Option<&crate::model::tally::PollResult> {
        match &self.v.counted {
            Some(Counted::Poll(p)) => Some(p),
            _ => None,
        }
    }

    /// A check's figures, areas in square metres.
    fn figure(&self, c: &Check, n: &i64) -> String {
        if c.measure == crate::model::tally::Measure::Area {
            self.l.area(n)
        } else {
            n.to_string()
        }
    }

    fn share(&self, t: &Threshold) -> String {
        let key = if t.strict {
            "council.more_than"
        } else {
            "council.at_least"
        };
        self.chrome.t(key).replace("{share}", &format!("{}/{}", t.num, t.den))
    }

    fn option_label(&self, i: &usize) -> String {
        self.v.options.get(*i).cloned().unwrap_or_default()
    }

    /// Whether the reader's ballot chose the option (numbered from 1).
    fn my_option(&self, n: &usize) -> bool {
        let Some(b) = self.v.me.as_ref().and_then(|m| m.ballot.as_ref()) else {
            return false;
        };
        serde_json::from_str::<Vec<usize>>(&b.options).is_ok_and(|o| o.contains(&(n - 1)))
    }

    /// The reader may cast a ballot, or change the one cast from their phone where allowed.
    fn may_cast(&self) -> bool {
        match &self.v.me {
            None => false,
            Some(me) => me
                .ballot
                .as_ref()
                .is_none_or(|b| self.v.vote.changeable != 0 && b.channel == crate::model::Channel::Phone.as_str()),
        }
    }

    fn my_choice(&self) -> String {
        self.v
            .me
            .as_ref()
            .and_then(|m| m.ballot.as_ref())
            .map(|b| b.choice.clone())
            .unwrap_or_default()
    }
}

async fn vote_page(ctx: &PageCtx, a: &Actor, id: i64, q: &VoteQuery, form: Shown<Typed>) -> WebResult<Response> {
    let v = view::vote(&ctx.state, a, id, q.recount).await?;
    let db = &ctx.state.db;
    let staff = v.standing.staff;
    let (electors, developer, unconfirmed, hands) = if staff {
        let developer = v.vote.kind == VoteKind::Owners.as_str() && repo::has_developer(db, id).await?;
        (
            repo::electors(db, id, q.q.trim(), 50).await?,
            developer,
            repo::unconfirmed(db, id).await?,
            repo::hands(db, id).await?,
        )
    } else {
        (Vec::new(), false, Vec::new(), None)
    };
    let chrome = Chrome::new(ctx, "council.vote_title");
    let lang = chrome.lang();
    render(VotePage {
        l: Labels {
            lang,
            tz: v.time_zone.clone(),
        },
        chrome,
        choices: options(Choice::ALL, Choice::as_str, |c| c.label(lang)),
        v,
        electors,
        developer,
        unconfirmed,
        hands,
        search: q.q.trim().to_owned(),
        now: ctx.state.now_ms(),
        form,
    })
}

pub async fn show(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<VoteQuery>,
) -> WebResult<Response> {
    vote_page(&ctx, &a, id, &q, Shown::none()).await
}

async fn answer(
    ctx: PageCtx,
    a: Actor,
    id: i64,
    which: &'static str,
    typed: Typed,
    result: Result<()>,
) -> WebResult<Response> {
    let result = result.map(|()| Redirect::to(&format!("/council/votes/{id}")).into_response());
    let q = VoteQuery::default();
    respond(
        result,
        |e| Shown::failed(which, typed, e, &ctx.tr),
        |form| vote_page(&ctx, &a, id, &q, form),
    )
    .await
}

pub async fn post_open(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let result = vote::open(&ctx.state, &a, id).await.map(|_| ());
    answer(ctx, a, id, "manage", Typed::default(), result).await
}

pub async fn post_close(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let result = vote::close(&ctx.state, &a, id).await.map(|_| ());
    answer(ctx, a, id, "manage", Typed::default(), result).await
}

pub async fn post_ballot(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<BallotInput>() {
        Ok(input) => ballot::cast(&ctx.state, &a, id, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "ballot", typed, result).await
}

/// A paper ballot, with the proxy's authorisation as a photo when a proxy voted.
pub async fn post_paper(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageParts { form, files }: PageParts<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(form);
    let result = async {
        let input: PaperInput = typed.parse()?;
        let doc = files
            .into_iter()
            .find(|f| f.field == "authorisation" && !f.bytes.is_empty());
        let prepared = match doc {
            Some(f) => {
                let image = yijia_kernel::files::prepare_image("authorisation", &f.bytes, MAX_PHOTO_BYTES).await?;
                yijia_kernel::files::write_image(&ctx.state, &image).await?;
                Some(image)
            }
            None => None,
        };
        ballot::paper(&ctx.state, &a, id, &input, prepared.as_ref())
            .await
            .map(|_| ())
    }
    .await;
    answer(ctx, a, id, "paper", typed, result).await
}

pub async fn post_hands(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<HandsInput>() {
        Ok(input) => ballot::hands(&ctx.state, &a, id, &input).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(ctx, a, id, "hands", typed, result).await
}

/// A proxy's authorisation, for the staff checking the ballot it came with.
pub async fn authorisation(ctx: PageCtx, CurrentActor(a): CurrentActor, P(ballot_id): P<i64>) -> WebResult<Response> {
    let (vote_id, sha) = repo::authorisation(&ctx.state.db, ballot_id)
        .await?
        .ok_or(yijia_kernel::Error::NotFound)?;
    let v = view::vote(&ctx.state, &a, vote_id, false).await?;
    if !(v.standing.staff || v.standing.reads) {
        return Err(yijia_kernel::Error::NotFound.into());
    }
    let (file, bytes) = yijia_kernel::files::load(&ctx.state, &sha)
        .await?
        .ok_or(yijia_kernel::Error::NotFound)?;
    Ok(([(axum::http::header::CONTENT_TYPE, file.mime)], bytes).into_response())
}
