//! The care module's JSON API under `/api/v1`: thin adapters over the commands and views the
//! pages use. Bodies take the same fields as the forms; numbers may be sent as numbers or
//! strings. A fulfilment carries its proof photos, so it is sent as `multipart/form-data`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Error, Place};
use yijia_web::form::community_of;
use yijia_web::{created, to_json, ApiInput, CurrentActor, JsonBody, PageParts, WebResult, P, Q};

use crate::commands::pairing::{self, EndInput, PairInput};
use crate::commands::visit::{self, AppealFromVisit, VisitInput};
use crate::commands::wish::{self, ClaimInput, ConfirmInput, FulfilInput, NoteInput, ThankInput, VetInput, WishInput};
use crate::commands::{self};
use crate::permissions::{LOOK_AFTER, REPORTS};
use crate::{repo, view};

pub fn routes() -> yijia_kernel::ApiRoutes {
    yijia_kernel::ApiRoutes::new()
        .route("/care-wishes", get(get_wall).post(post_wish))
        .route("/care-wishes/{id}", get(get_wish))
        .route("/care-wishes/{id}/vet", post(post_vet))
        .route("/care-wishes/{id}/claim", post(post_claim))
        .route("/care-wishes/{id}/contact", post(post_contact))
        .route("/care-wishes/{id}/release", post(post_release))
        .route("/care-wishes/{id}/fulfil", post(post_fulfil))
        .route("/care-wishes/{id}/confirm", post(post_confirm))
        .route("/care-wishes/{id}/thank", post(post_thank))
        .route("/care-pairings", get(get_mine).post(post_pairing))
        .route("/care-pairings/{id}", get(get_pairing))
        .route("/care-pairings/{id}/end", post(post_end))
        .route("/care-pairings/{id}/visits", post(post_visit))
        .route("/care-visits/{id}/appeal", post(post_appeal))
        .route("/care-coverage", get(get_coverage))
        .route("/care-overdue", get(get_overdue))
        .route("/care-reports", get(get_reports))
        // As the pages: who is vulnerable and where is never kept by a cache.
        .wrap(|r| {
            r.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("private, no-store"),
            ))
        })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    community: Option<i64>,
    status: String,
    /// For the overdue visits of a whole district.
    district: Option<i64>,
}

fn lang(a: &Actor) -> &'static str {
    a.locale.as_str()
}

async fn get_wall(State(s): State<AppState>, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<JsonBody> {
    let id = community_of(q.community, &a)?;
    let (c, _) = view::community_for(&s, &a, id).await?;
    to_json(view::wall(&s, &a, &c, q.status.trim()).await?)
}

async fn post_wish(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<WishInput>,
) -> WebResult<Response> {
    let id = wish::raise(&s, &a, &input, &[]).await?;
    created(view::wish(&s, &a, id).await?)
}

async fn get_wish(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(view::wish(&s, &a, id).await?)
}

/// Runs a command on a wish, and answers with the wish as the reader now sees it.
async fn on_wish<T>(
    s: &AppState,
    a: &Actor,
    id: i64,
    input: T,
    run: impl AsyncFnOnce(&T) -> yijia_kernel::Result<()>,
) -> WebResult<JsonBody> {
    run(&input).await?;
    to_json(view::wish(s, a, id).await?)
}

/// A handler of the API for one action on a wish: its name, and the command it runs.
macro_rules! wish_action {
    ($($name:ident: $input:ty, $run:path;)+) => {$(
        async fn $name(
            State(s): State<AppState>,
            CurrentActor(a): CurrentActor,
            P(id): P<i64>,
            ApiInput(input): ApiInput<$input>,
        ) -> WebResult<JsonBody> {
            on_wish(&s, &a, id, input, async |i: &$input| $run(&s, &a, id, i).await.map(|_| ())).await
        }
    )+};
}

wish_action! {
    post_vet: VetInput, wish::vet;
    post_claim: ClaimInput, wish::claim;
    post_release: NoteInput, wish::release;
    post_confirm: ConfirmInput, wish::confirm;
    post_thank: ThankInput, wish::thank;
}

async fn post_contact(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(wish::contact(&s, &a, id).await?)
}

/// The proof comes as `multipart/form-data`: `note`, `minutes` and one or more `photos`.
async fn post_fulfil(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    PageParts { form, files }: PageParts<FulfilInput>,
) -> WebResult<JsonBody> {
    let photos: Vec<Vec<u8>> = files
        .into_iter()
        .filter(|f| f.field == "photos")
        .map(|f| f.bytes)
        .collect();
    let prepared = wish::prepare_photos(&s, &photos).await?;
    wish::fulfil(&s, &a, id, &form, &prepared).await?;
    to_json(view::wish(&s, &a, id).await?)
}

/// The reader's own pairings as a carer.
async fn get_mine(State(s): State<AppState>, CurrentActor(a): CurrentActor) -> WebResult<JsonBody> {
    let (pairings, _) = view::carer_page(&s, &a).await?;
    to_json(json!({ "pairings": pairings }))
}

async fn post_pairing(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    ApiInput(input): ApiInput<PairInput>,
) -> WebResult<Response> {
    let id = pairing::pair(&s, &a, &input).await?;
    created(view::pairing(&s, &a, id, lang(&a)).await?)
}

async fn get_pairing(State(s): State<AppState>, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<JsonBody> {
    to_json(view::pairing(&s, &a, id, lang(&a)).await?)
}

async fn post_end(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<EndInput>,
) -> WebResult<JsonBody> {
    pairing::end(&s, &a, id, &input).await?;
    to_json(json!({ "pairing_id": id, "ended": true }))
}

async fn post_visit(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<VisitInput>,
) -> WebResult<Response> {
    created(visit::log(&s, &a, id, &input).await?)
}

async fn post_appeal(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    ApiInput(input): ApiInput<AppealFromVisit>,
) -> WebResult<Response> {
    let appeal_id = visit::raise_appeal(&s, &a, id, &input).await?;
    created(json!({ "visit_id": id, "appeal_id": appeal_id, "href": format!("/appeals/{appeal_id}") }))
}

async fn get_coverage(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<ListQuery>,
) -> WebResult<JsonBody> {
    let id = community_of(q.community, &a)?;
    let (c, _) = view::community_for(&s, &a, id).await?;
    to_json(view::coverage(&s, &a, &c, lang(&a)).await?)
}

/// The visits overdue today: in a community within the reader's reach (staff, grid workers), or
/// across a district for whoever reads its reports (a district officer), the most overdue first.
async fn get_overdue(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<ListQuery>,
) -> WebResult<JsonBody> {
    if let Some(d) = q.district {
        let place = Place {
            district_id: Some(d),
            subdistrict_id: None,
            community_id: None,
            grid_id: None,
        };
        REPORTS.check(&a, &place)?;
        // Each community's own day: communities in one time zone are read together.
        let mut by_day: std::collections::BTreeMap<String, Vec<i64>> = std::collections::BTreeMap::new();
        for c in yijia_kernel::community::all(&s.db)
            .await?
            .iter()
            .filter(|c| c.district_id == d)
        {
            by_day.entry(c.today(&s).to_string()).or_default().push(c.community_id);
        }
        let mut overdue = Vec::new();
        for (day, ids) in &by_day {
            overdue.extend(repo::overdue_in_communities(&s.db, ids, day).await?);
        }
        overdue.sort_by(|x, y| (&x.due_on, x.pairing_id).cmp(&(&y.due_on, y.pairing_id)));
        return to_json(json!({ "today": by_day.keys().next(), "overdue": overdue }));
    }
    let id = community_of(q.community, &a)?;
    let (c, _) = view::community_for(&s, &a, id).await?;
    let reach = CommunityReach::of(&LOOK_AFTER, &a, &c.place());
    if reach == CommunityReach::Nothing {
        return Err(Error::Forbidden.into());
    }
    let today = c.today(&s);
    let overdue: Vec<repo::OverdueRow> = repo::overdue_in(&s.db, c.community_id, &today.to_string())
        .await?
        .into_iter()
        .filter(|o| match &reach {
            CommunityReach::Grids(g) => g.contains(&o.grid_id),
            _ => true,
        })
        .collect();
    to_json(json!({ "today": today.to_string(), "overdue": overdue }))
}

async fn get_reports(
    State(s): State<AppState>,
    CurrentActor(a): CurrentActor,
    Q(q): Q<ListQuery>,
) -> WebResult<JsonBody> {
    let id = community_of(q.community, &a)?;
    let c = commands::community(&s, id).await?;
    to_json(view::reports(&s, &a, &c, lang(&a)).await?)
}
