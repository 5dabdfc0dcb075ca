//! The wish wall (with the form to raise a wish, the wishes waiting to be vetted and the
//! reader's own), and one wish with what the reader may do to it.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, PageForm, PageParts, Shown, WebResult, P, Q};

use super::{answer, community_of, options, Labels, Typed};
use crate::commands::wish::{
    self, ClaimInput, ConfirmInput, Contact, FulfilInput, NoteInput, ThankInput, VetInput, WishInput,
};
use crate::model::wish::{ClaimantKind, WishCategory, WishStatus};
use crate::repo;
use crate::view::{self, Standing, Wall, WishView};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
    pub status: String,
    /// A household to raise a wish for (from a pairing's page).
    pub household: Option<i64>,
}

#[derive(Template)]
#[template(path = "wishes.html")]
struct WallPage {
    chrome: Chrome,
    l: Labels,
    community_id: i64,
    status: String,
    wall: Wall,
    standing: Standing,
    statuses: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    household: String,
    form: Shown<Typed>,
}

impl WallPage {
    /// The household typed, or the one the page was opened for.
    fn household_value(&self) -> String {
        Some(self.form.input.v("household"))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| self.household.clone())
    }
}

async fn wall_page(ctx: &PageCtx, a: &Actor, q: &ListQuery, form: Shown<Typed>) -> WebResult<Response> {
    let id = community_of(q.community, a)?;
    let (c, standing) = view::community_for(&ctx.state, a, id).await?;
    let wall = view::wall(&ctx.state, a, &c, q.status.trim()).await?;
    let chrome = Chrome::new(ctx, "care.wall_title");
    let lang = chrome.lang();
    render(WallPage {
        l: Labels {
            lang,
            tz: c.time_zone.clone(),
        },
        chrome,
        community_id: id,
        status: q.status.trim().to_owned(),
        wall,
        standing,
        statuses: options(&WishStatus::ALL[2..], WishStatus::as_str, |s| s.label(lang)),
        categories: options(WishCategory::ALL, WishCategory::as_str, |s| s.label(lang)),
        household: q.household.map(|h| h.to_string()).unwrap_or_default(),
        form,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    wall_page(&ctx, &a, &q, Shown::none()).await
}

/// Raises a wish from the form, photos included.
pub async fn post_new(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageParts { form, files }: PageParts<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(form);
    let q = ListQuery {
        community: typed.v("community").trim().parse().ok(),
        household: typed.v("household").trim().parse().ok(),
        ..ListQuery::default()
    };
    let result = async {
        let input: WishInput = typed.parse()?;
        let photos: Vec<Vec<u8>> = files
            .into_iter()
            .filter(|f| f.field == "photos")
            .map(|f| f.bytes)
            .collect();
        let prepared = wish::prepare_photos(&ctx.state, &photos).await?;
        let id = wish::raise(&ctx.state, &a, &input, &prepared).await?;
        Ok(format!("/care/wishes/{id}"))
    }
    .await;
    answer(&ctx, "wish", typed.clone(), result, |form| {
        wall_page(&ctx, &a, &q, form)
    })
    .await
}

#[derive(Template)]
#[template(path = "wish.html")]
struct WishPage {
    chrome: Chrome,
    l: Labels,
    v: WishView,
    kinds: Vec<(&'static str, &'static str)>,
    contact: Option<Contact>,
    form: Shown<Typed>,
}

impl WishPage {
    fn is(&self, s: &str) -> bool {
        self.v.wish.status == s
    }
}

async fn wish_page(
    ctx: &PageCtx,
    a: &Actor,
    id: i64,
    contact: Option<Contact>,
    form: Shown<Typed>,
) -> WebResult<Response> {
    let v = view::wish(&ctx.state, a, id).await?;
    let chrome = Chrome::new(ctx, "care.wish_title");
    let lang = chrome.lang();
    render(WishPage {
        l: Labels {
            lang,
            tz: v.time_zone.clone(),
        },
        chrome,
        v,
        kinds: options(ClaimantKind::ALL, ClaimantKind::as_str, |k| k.label(lang)),
        contact,
        form,
    })
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    wish_page(&ctx, &a, id, None, Shown::none()).await
}

/// Shows the claimant the contact (audited).
pub async fn post_contact(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let contact = wish::contact(&ctx.state, &a, id).await?;
    wish_page(&ctx, &a, id, Some(contact), Shown::none()).await
}

/// Runs one of the wish page's forms: back to the wish, or the page with the error.
async fn act<T: serde::de::DeserializeOwned>(
    ctx: PageCtx,
    a: Actor,
    id: i64,
    which: &'static str,
    pairs: Vec<(String, String)>,
    run: impl AsyncFnOnce(&T) -> yijia_kernel::Result<()>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(pairs);
    let result = match typed.parse::<T>() {
        Ok(input) => run(&input).await.map(|()| format!("/care/wishes/{id}")),
        Err(e) => Err(e),
    };
    answer(&ctx, which, typed, result, |form| wish_page(&ctx, &a, id, None, form)).await
}

/// A handler for one of the wish page's forms: its name, and the command it runs.
macro_rules! wish_form {
    ($($name:ident: $which:literal, $input:ty, $run:path;)+) => {$(
        pub async fn $name(
            ctx: PageCtx,
            CurrentActor(a): CurrentActor,
            P(id): P<i64>,
            PageForm(p): PageForm<Vec<(String, String)>>,
        ) -> WebResult<Response> {
            let (s, actor) = (ctx.state.clone(), a.clone());
            act(ctx, a, id, $which, p, async |i: &$input| $run(&s, &actor, id, i).await.map(|_| ())).await
        }
    )+};
}

wish_form! {
    post_vet: "vet", VetInput, wish::vet;
    post_claim: "claim", ClaimInput, wish::claim;
    post_release: "release", NoteInput, wish::release;
    post_confirm: "confirm", ConfirmInput, wish::confirm;
    post_thank: "thank", ThankInput, wish::thank;
}

/// The claimant's fulfilment with its proof photos.
pub async fn post_fulfil(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageParts { form, files }: PageParts<Vec<(String, String)>>,
) -> WebResult<Response> {
    let typed = Typed::from_pairs(form);
    let result = async {
        let input: FulfilInput = typed.parse()?;
        let photos: Vec<Vec<u8>> = files
            .into_iter()
            .filter(|f| f.field == "photos")
            .map(|f| f.bytes)
            .collect();
        let prepared = wish::prepare_photos(&ctx.state, &photos).await?;
        wish::fulfil(&ctx.state, &a, id, &input, &prepared).await?;
        Ok(format!("/care/wishes/{id}"))
    }
    .await;
    answer(&ctx, "fulfil", typed.clone(), result, |form| {
        wish_page(&ctx, &a, id, None, form)
    })
    .await
}

/// A wish's photo, for whoever may see the wish.
pub async fn photo(ctx: PageCtx, CurrentActor(a): CurrentActor, P((id, sha)): P<(i64, String)>) -> WebResult<Response> {
    view::may_see_wish(&ctx.state, &a, id).await?;
    if repo::file_kind(&ctx.state.db, id, &sha).await?.is_none() {
        return Err(Error::NotFound.into());
    }
    let (file, bytes) = yijia_kernel::files::load(&ctx.state, &sha)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(([(header::CONTENT_TYPE, file.mime)], bytes).into_response())
}
