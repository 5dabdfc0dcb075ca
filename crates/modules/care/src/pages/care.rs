//! The carer's phone page (my households, the next visits due, the overdue first), the grid
//! worker's coverage page (every care-group household: paired? visited on time? with suggested
//! carers), and a pairing's page with the household's care data, its visits and the form to
//! log one.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use yijia_kernel::Actor;
use yijia_web::{render, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P, Q};

use super::{answer, community_of, options, Labels, Typed};
use crate::commands::pairing::{self, EndInput, PairInput};
use crate::commands::visit::{self, AppealFromVisit, VisitInput};
use crate::model::visits::Outcome;
use crate::view::{self, Coverage, PairingLine, PairingView, Standing};

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    chrome: Chrome,
    l: Labels,
    lines: Vec<PairingLine>,
}

pub async fn mine(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    let (lines, tz) = view::carer_page(&ctx.state, &a).await?;
    let chrome = Chrome::new(&ctx, "care.mine_title");
    render(MinePage {
        l: Labels {
            lang: chrome.lang(),
            tz,
        },
        chrome,
        lines,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CoverageQuery {
    pub community: Option<i64>,
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    today: String,
    cov: Coverage,
    standing: Standing,
    form: Shown<Typed>,
}

async fn coverage_page(ctx: &PageCtx, a: &Actor, community: Option<i64>, form: Shown<Typed>) -> WebResult<Response> {
    let id = community_of(community, a)?;
    let (c, standing) = view::community_for(&ctx.state, a, id).await?;
    let chrome = Chrome::new(ctx, "care.coverage_title");
    let lang = chrome.lang();
    let cov = view::coverage(&ctx.state, a, &c, lang).await?;
    render(CoveragePage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        community_id: id,
        today: c.today(&ctx.state).to_string(),
        cov,
        standing,
        form,
    })
}

pub async fn coverage(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<CoverageQuery>) -> WebResult<Response> {
    coverage_page(&ctx, &a, q.community, Shown::none()).await
}

/// Pairs a household from the coverage page (a suggestion taken, or a carer chosen).
pub async fn post_pair(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let community = typed.v("community").trim().parse().ok();
    // The page's community is for showing the page again; the household names its own.
    let mut fields = typed.clone();
    fields.0.remove("community");
    let result = match fields.parse::<PairInput>() {
        Ok(input) => pairing::pair(&ctx.state, &a, &input)
            .await
            .map(|id| format!("/care/pairings/{id}")),
        Err(e) => Err(e),
    };
    answer(&ctx, "pair", typed, result, |form| {
        coverage_page(&ctx, &a, community, form)
    })
    .await
}

#[derive(Template)]
#[template(path = "pairing.html")]
struct PairingPage {
    chrome: Chrome,
    l: Labels,
    v: PairingView,
    today: String,
    outcomes: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    form: Shown<Typed>,
}

impl PairingPage {
    /// The day typed, or today.
    fn visited_value(&self) -> String {
        Some(self.form.input.v("visited_on"))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| self.today.clone())
    }
}

async fn pairing_page(ctx: &PageCtx, a: &Actor, id: i64, form: Shown<Typed>) -> WebResult<Response> {
    let chrome = Chrome::new(ctx, "care.pairing_title");
    let lang = chrome.lang();
    let v = view::pairing(&ctx.state, a, id, lang).await?;
    // The view read the community already: its day comes with it.
    let categories = ctx
        .state
        .appeal_desk()?
        .open_categories(&ctx.state, v.line.pairing.community_id)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    render(PairingPage {
        l: Labels {
            lang,
            tz: v.time_zone.clone(),
        },
        chrome,
        today: v.today.clone(),
        v,
        outcomes: options(Outcome::ALL, Outcome::as_str, |o| o.label(lang)),
        categories,
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    pairing_page(&ctx, &a, id, Shown::none()).await
}

pub async fn post_visit(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<VisitInput>() {
        Ok(input) => visit::log(&ctx.state, &a, id, &input)
            .await
            .map(|l| format!("/care/pairings/{id}#v{}", l.visit_id)),
        Err(e) => Err(e),
    };
    answer(&ctx, "visit", typed, result, |form| pairing_page(&ctx, &a, id, form)).await
}

pub async fn post_end(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<EndInput>() {
        Ok(input) => pairing::end(&ctx.state, &a, id, &input)
            .await
            .map(|()| "/care/coverage".to_owned()),
        Err(e) => Err(e),
    };
    answer(&ctx, "end", typed, result, |form| pairing_page(&ctx, &a, id, form)).await
}

/// Raises an appeal for a need a visit found; back to the pairing, or its page with the error.
pub async fn post_appeal(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(visit_id): P<i64>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let pairing_id: i64 = typed.v("pairing").trim().parse().unwrap_or_default();
    let mut fields = typed.clone();
    fields.0.remove("pairing");
    let result = match fields.parse::<AppealFromVisit>() {
        Ok(input) => visit::raise_appeal(&ctx.state, &a, visit_id, &input)
            .await
            .map(|appeal| format!("/appeals/{appeal}")),
        Err(e) => Err(e),
    };
    answer(&ctx, "appeal", typed, result, |form| {
        pairing_page(&ctx, &a, pairing_id, form)
    })
    .await
}
