//! The registry's numbers by grid and building: households, residents, care groups, and the
//! visits of this month. Names never appear; supervisors see these numbers too.

use std::collections::BTreeMap;

use askama::Template;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{AppState, Result};
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

#[derive(Template)]
#[template(path = "numbers.html")]
struct NumbersPage {
    chrome: Chrome,
    community: CommunityAt,
    n: Numbers,
    kinds: Vec<(String, String)>,
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
    let kinds = offered_groups(&ctx.state, community.community_id)
        .await?
        .into_iter()
        .filter(|g| n.grids.iter().any(|c| c.care.contains_key(g.code().as_ref())))
        .map(|g| (g.code().into_owned(), g.label(lang).into_owned()))
        .collect();
    render(NumbersPage {
        chrome,
        community,
        n,
        kinds,
    })
}
