//! Households not visited in N days, per grid: the door-visit round of a grid worker.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use yijia_kernel::settings::{self, Kind, Setting};
use yijia_kernel::{AppState, Result};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use crate::permissions::READ;
use crate::query::community_for;
use crate::repo::{self, DueRow};
use yijia_kernel::community::CommunityAt;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DueQuery {
    pub community: Option<i64>,
    pub grid: Option<i64>,
    pub days: Option<i64>,
}

/// How many days without a visit make a household due, unless the list asks otherwise.
pub const VISIT_DUE_DAYS: Setting = Setting {
    key: "registry.visit_due_days",
    label: "registry.setting_visit_due_days",
    hint: "registry.setting_visit_due_days_hint",
    kind: Kind::Integer { min: 1, max: 3650 },
    default: "30",
};

impl DueQuery {
    /// The days asked for (1–3650), or the community's setting.
    pub async fn days(&self, state: &AppState, community_id: i64) -> Result<i64> {
        match self.days {
            Some(d) => Ok(d.clamp(1, 3650)),
            None => settings::get_i64(&state.db, community_id, &VISIT_DUE_DAYS).await,
        }
    }
}

#[derive(Template)]
#[template(path = "visits.html")]
struct DuePage {
    chrome: Chrome,
    community: CommunityAt,
    days: i64,
    grid: Option<i64>,
    rows: Vec<DueRow>,
}

impl DuePage {
    fn when(&self, ms: &Option<i64>) -> String {
        ms.map(|m| yijia_kernel::clock::format_local(m, &self.community.time_zone))
            .unwrap_or_else(|| self.chrome.t("registry.never"))
    }
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<DueQuery>) -> WebResult<Response> {
    let (community, reach) = community_for(&ctx.state, &a, &READ, q.community).await?;
    let days = q.days(&ctx.state, community.community_id).await?;
    let since = ctx.state.now_ms() - days * 86_400_000;
    let rows = repo::not_visited_since(&ctx.state.db, community.community_id, &reach, q.grid, since, 500).await?;
    render(DuePage {
        chrome: Chrome::new(&ctx, "registry.visits_due"),
        community,
        days,
        grid: q.grid,
        rows,
    })
}
