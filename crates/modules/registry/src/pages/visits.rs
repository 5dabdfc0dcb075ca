//! Households not visited in N days, per grid: the door-visit round of a grid worker.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use crate::permissions::READ;
use crate::query::community_for;
use crate::repo::{self, CommunityAt, DueRow};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DueQuery {
    pub community: Option<i64>,
    pub grid: Option<i64>,
    pub days: Option<i64>,
}

impl DueQuery {
    /// 1–3650 days; 30 by default.
    pub fn days(&self) -> i64 {
        self.days.unwrap_or(30).clamp(1, 3650)
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
    let since = ctx.state.now_ms() - q.days() * 86_400_000;
    let rows = repo::not_visited_since(&ctx.state.db, community.community_id, &reach, q.grid, since, 500).await?;
    render(DuePage {
        chrome: Chrome::new(&ctx, "registry.visits_due"),
        community,
        days: q.days(),
        grid: q.grid,
        rows,
    })
}
