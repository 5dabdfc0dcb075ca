//! The registry's numbers by grid and building: households, residents, care groups, and the
//! visits of this month. Names never appear; supervisors see these numbers too.

use std::collections::BTreeMap;

use askama::Template;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use yijia_kernel::i18n::Tr;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{months, Actor, AppState, Error, Figure, Result};
use yijia_web::chart::{Chart, ChartKind};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use crate::commands::{care_blind, today_in};
use crate::model::{CareGroup, CUSTOM_CARE_GROUPS};
use crate::permissions::STATS;
use crate::query::community_for;
use crate::repo;
use yijia_kernel::community::CommunityAt;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NumbersQuery {
    pub community: Option<i64>,
    /// A chart's figures as .xlsx (`age_bands`, `care_by_grid`, `visits`), or `all`.
    pub export: String,
}

/// The counts of one grid or one building.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub grid_id: i64,
    pub building_id: Option<i64>,
    pub name: String,
    pub households: i64,
    pub residents: i64,
    /// Current care-group members by group code. Groups the community no longer offers are
    /// not counted: their blind index is not known without the setting that named them.
    pub care: BTreeMap<String, i64>,
    /// Visits since the first of the month (grids only).
    pub visits_this_month: i64,
}

/// Grids, each followed by its buildings.
#[derive(Debug, Default, Serialize)]
pub struct Numbers {
    pub grids: Vec<Counts>,
    pub buildings: Vec<Counts>,
}

/// Midnight of the first of this month in the community's time zone, in epoch ms.
fn month_start(state: &AppState, tz: &str) -> i64 {
    let today = today_in(state, tz);
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    today
        .first_of_month()
        .to_zoned(zone)
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

async fn offered_groups(state: &AppState, community_id: i64) -> Result<Vec<CareGroup>> {
    let custom = yijia_kernel::settings::get_list(&state.db, community_id, &CUSTOM_CARE_GROUPS).await?;
    Ok(CareGroup::all(&custom))
}

pub async fn numbers(state: &AppState, community: &CommunityAt, reach: &CommunityReach) -> Result<Numbers> {
    let today = today_in(state, &community.time_zone).to_string();
    let groups: BTreeMap<String, CareGroup> = offered_groups(state, community.community_id)
        .await?
        .into_iter()
        .map(|g| (care_blind(&state.vault, community.community_id, &g), g))
        .collect();
    let mut care_by_building: BTreeMap<i64, BTreeMap<String, i64>> = BTreeMap::new();
    for (building, blind, n) in repo::care_counts(&state.db, community.community_id, reach, &today).await? {
        if let Some(g) = groups.get(&blind) {
            *care_by_building
                .entry(building)
                .or_default()
                .entry(g.code().into_owned())
                .or_default() += n;
        }
    }
    let visits: BTreeMap<i64, i64> = repo::visit_counts(
        &state.db,
        community.community_id,
        reach,
        month_start(state, &community.time_zone),
    )
    .await?
    .into_iter()
    .collect();
    let mut out = Numbers::default();
    for b in repo::building_counts(&state.db, community.community_id, reach).await? {
        let care = care_by_building.remove(&b.building_id).unwrap_or_default();
        if out.grids.last().is_none_or(|g| g.grid_id != b.grid_id) {
            out.grids.push(Counts {
                grid_id: b.grid_id,
                name: b.grid_name.clone(),
                visits_this_month: visits.get(&b.grid_id).copied().unwrap_or(0),
                ..Counts::default()
            });
        }
        if let Some(g) = out.grids.last_mut() {
            g.households += b.households;
            g.residents += b.residents;
            for (k, n) in &care {
                *g.care.entry(k.clone()).or_default() += n;
            }
        }
        out.buildings.push(Counts {
            grid_id: b.grid_id,
            building_id: Some(b.building_id),
            name: b.building_name,
            households: b.households,
            residents: b.residents,
            care,
            visits_this_month: 0,
        });
    }
    Ok(out)
}

/// The age bands of the page, by the age they begin at; the last is open.
const AGE_BANDS: [i64; 6] = [0, 7, 18, 35, 60, 80];

/// Residents within reach by age band (as [`AGE_BANDS`], then "not known"), from the plain birth
/// date as of today in the community.
pub async fn ages(state: &AppState, community: &CommunityAt, reach: &CommunityReach) -> Result<Vec<i64>> {
    let today = today_in(state, &community.time_zone);
    // Younger than a band's first age: born after today that many years ago. Latest first.
    let cutoffs: Vec<String> = AGE_BANDS[1..]
        .iter()
        .map(|age| {
            today
                .checked_sub(jiff::Span::new().years(*age))
                .map(|d| d.to_string())
                .map_err(|e| Error::Internal(e.into()))
        })
        .collect::<Result<_>>()?;
    let mut out = vec![0; AGE_BANDS.len() + 1];
    for (band, n) in repo::age_bands(&state.db, community.community_id, reach, &cutoffs).await? {
        if let Some(slot) = usize::try_from(band).ok().and_then(|b| out.get_mut(b)) {
            *slot = n;
        }
    }
    Ok(out)
}

/// Visits and households visited within reach, month by month over `asked` (consecutive
/// months' first days, oldest first).
pub async fn visits_by_month(
    state: &AppState,
    community: &CommunityAt,
    reach: &CommunityReach,
    asked: &[jiff::civil::Date],
) -> Result<Vec<(i64, i64)>> {
    let mut out = vec![(0, 0); asked.len()];
    if asked.is_empty() {
        return Ok(out);
    }
    let bounds = months::all_bounds(asked, &community.time_zone)?;
    for (m, visits, households) in repo::visit_months(&state.db, community.community_id, reach, &bounds).await? {
        if let Some(slot) = usize::try_from(m).ok().and_then(|i| out.get_mut(i)) {
            *slot = (visits, households);
        }
    }
    Ok(out)
}

/// The households visited month by month, as a count and as a share of the community's
/// households, for the district's comparison; none unless the actor sees the whole
/// community's numbers.
pub async fn figures(
    state: &AppState,
    actor: &Actor,
    community: &CommunityAt,
    asked: &[jiff::civil::Date],
    tr: &Tr,
) -> Result<Vec<Figure>> {
    if asked.is_empty() || !STATS.allows(actor, &community.place()) {
        return Ok(Vec::new());
    }
    let reach = CommunityReach::All;
    let visited = visits_by_month(state, community, &reach, asked).await?;
    let households = repo::household_count(&state.db, community.community_id, &reach).await?;
    let href = format!("/registry/numbers?community={}", community.community_id);
    Ok(vec![
        Figure {
            key: "registry.households_visited",
            label: "registry.figure_households_visited",
            unit: tr.t("registry.unit_households"),
            higher_is_better: true,
            values: visited.iter().map(|(_, h)| Some(*h as f64)).collect(),
            href: href.clone(),
        },
        Figure {
            key: "registry.visit_coverage",
            label: "registry.figure_visit_coverage",
            unit: "%".to_owned(),
            higher_is_better: true,
            values: visited
                .iter()
                .map(|(_, h)| (households > 0).then(|| *h as f64 * 100.0 / households as f64))
                .collect(),
            href,
        },
    ])
}

#[derive(Template)]
#[template(path = "numbers.html")]
struct NumbersPage {
    chrome: Chrome,
    community: CommunityAt,
    n: Numbers,
    kinds: Vec<(String, String)>,
    charts: Vec<Chart>,
}

impl NumbersPage {
    fn care(&self, c: &Counts, kind: &str) -> i64 {
        c.care.get(kind).copied().unwrap_or(0)
    }

    fn buildings_of(&self, grid: &i64) -> Vec<&Counts> {
        self.n.buildings.iter().filter(|b| b.grid_id == *grid).collect()
    }
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<NumbersQuery>) -> WebResult<Response> {
    let (community, reach) = community_for(&ctx.state, &a, &STATS, q.community).await?;
    let n = numbers(&ctx.state, &community, &reach).await?;
    let chrome = Chrome::new(&ctx, "registry.numbers");
    let lang = chrome.lang();
    let kinds: Vec<(String, String)> = offered_groups(&ctx.state, community.community_id)
        .await?
        .into_iter()
        .filter(|g| n.grids.iter().any(|c| c.care.contains_key(g.code().as_ref())))
        .map(|g| (g.code().into_owned(), g.label(lang).into_owned()))
        .collect();
    let ages = ages(&ctx.state, &community, &reach).await?;
    let year = months::ending(today_in(&ctx.state, &community.time_zone), 12);
    let visits = visits_by_month(&ctx.state, &community, &reach, &year).await?;
    let month_names: Vec<String> = year.into_iter().map(months::name).collect();
    let charts = charts(&chrome, &community, &n, &kinds, &ages, &month_names, &visits);
    if !q.export.is_empty() {
        let stem = format!("registry-numbers-{}", community.code);
        return Ok(yijia_web::chart::export(&charts, &q.export, &stem).ok_or(Error::NotFound)??);
    }
    render(NumbersPage {
        chrome,
        community,
        n,
        kinds,
        charts,
    })
}

/// The residents by age band, the care groups' members in each grid (parts of the grid's
/// whole: a person in two groups counts in both), and the grid workers' visits over 12 months.
fn charts(
    chrome: &Chrome,
    community: &CommunityAt,
    n: &Numbers,
    kinds: &[(String, String)],
    ages: &[i64],
    months: &[String],
    visits: &[(i64, i64)],
) -> Vec<Chart> {
    let t = |k: &str| chrome.t(k);
    let tr = &chrome.tr;
    let page = format!("/registry/numbers?community={}", community.community_id);
    let bands: Vec<String> = AGE_BANDS
        .iter()
        .enumerate()
        .map(|(i, from)| match AGE_BANDS.get(i + 1) {
            Some(next) => tr.tf(
                "registry.age_band",
                &[("from", from.to_string()), ("to", (next - 1).to_string())],
            ),
            None => tr.tf("registry.age_band_over", &[("from", from.to_string())]),
        })
        .chain([t("registry.age_unknown")])
        .collect();
    let grids: Vec<String> = n.grids.iter().map(|g| g.name.clone()).collect();
    let care = kinds.iter().fold(
        Chart::new(
            tr,
            "care_by_grid",
            t("registry.chart_care_by_grid"),
            ChartKind::Stacked,
            t("registry.grid"),
            grids,
        )
        .unit(t("registry.unit_people")),
        |c, (code, label)| {
            c.series(
                label.clone(),
                n.grids
                    .iter()
                    .map(|g| Some(g.care.get(code).copied().unwrap_or(0) as f64))
                    .collect(),
            )
        },
    );
    vec![
        Chart::new(
            tr,
            "age_bands",
            t("registry.chart_age_bands"),
            ChartKind::Bar,
            t("registry.age"),
            bands,
        )
        .unit(t("registry.unit_people"))
        .series(t("registry.residents"), ages.iter().map(|n| Some(*n as f64)).collect())
        .exported_from(&page),
        care.exported_from(&page),
        Chart::new(
            tr,
            "visits",
            t("registry.chart_visits"),
            ChartKind::Bar,
            t("registry.month"),
            months.to_vec(),
        )
        .series(
            t("registry.series_visits"),
            visits.iter().map(|(v, _)| Some(*v as f64)).collect(),
        )
        .series(
            t("registry.series_households_visited"),
            visits.iter().map(|(_, h)| Some(*h as f64)).collect(),
        )
        .exported_from(&page),
    ]
}
