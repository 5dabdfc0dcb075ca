//! The resident list: search by name, ID or phone; filter by place, care group, age band and
//! status; sorted and paged; only within the actor's reach.

use askama::Template;
use axum::response::Response;
use yijia_kernel::scope::CommunityReach;
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use super::{Choices, ResidentView};
use crate::commands::care_tag::open_tags;
use crate::commands::today_in;
use crate::permissions::{BULK, READ};
use crate::query::{communities_in_reach, community_for, ListQuery};
use crate::repo::{self, BuildingChoice};
use yijia_kernel::community::CommunityAt;

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    community: CommunityAt,
    communities: Vec<CommunityAt>,
    q: ListQuery,
    choices: Choices,
    buildings: Vec<BuildingChoice>,
    grids: Vec<(i64, String)>,
    residents: Vec<ResidentView>,
    total: i64,
    page: i64,
    pages: i64,
    can_bulk: bool,
    /// The query string without `page`, for the pager and the export link.
    base: String,
    error: Option<String>,
}

impl ListPage {
    fn grid_is(&self, id: &i64) -> bool {
        self.q.grid == Some(*id)
    }

    fn building_is(&self, id: &i64) -> bool {
        self.q.building == Some(*id)
    }
}

fn query_string(q: &ListQuery, community: i64) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("community", community.to_string())];
    let mut push = |k: &'static str, v: String| {
        if !v.is_empty() {
            pairs.push((k, v));
        }
    };
    push("q", q.q.clone());
    push("grid", q.grid.map(|v| v.to_string()).unwrap_or_default());
    push("building", q.building.map(|v| v.to_string()).unwrap_or_default());
    push("room", q.room.clone());
    push("tag", q.tag.clone());
    push("age_min", q.age_min.map(|v| v.to_string()).unwrap_or_default());
    push("age_max", q.age_max.map(|v| v.to_string()).unwrap_or_default());
    push("residence", q.residence.clone());
    push("political", q.political.clone());
    push("include_left", q.include_left.clone());
    push("sort", q.sort.clone());
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

pub async fn show(ctx: PageCtx, CurrentActor(actor): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let state = &ctx.state;
    // One read of the communities serves both the choice and the default.
    let communities = communities_in_reach(state, &actor, &READ).await?;
    let asked = q.community.or_else(|| communities.first().map(|c| c.community_id));
    let (community, reach) = community_for(state, &actor, &READ, asked).await?;
    let chrome = Chrome::new(&ctx, "registry.title");
    let lang = chrome.lang();
    let today = today_in(state, &community.time_zone);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (residents, total, error) = match q.filter(state, &community) {
        Ok(filter) => {
            let rows = repo::list(
                &state.db,
                community.community_id,
                &reach,
                &filter,
                PAGE_SIZE,
                (page - 1) * PAGE_SIZE,
            )
            .await?;
            let total = repo::count(&state.db, community.community_id, &reach, &filter).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.resident_id).collect();
            let tags = open_tags(&state.vault, &repo::tags_of(&state.db, &ids).await?, &today.to_string())?;
            let views = rows
                .into_iter()
                .map(|r| ResidentView::new(r, lang, today, &tags))
                .collect();
            (views, total, None)
        }
        Err(e) => (Vec::new(), 0, Some(chrome.tr.msg(&e.message()))),
    };
    let buildings = repo::buildings(&state.db, community.community_id, &reach).await?;
    let mut grids: Vec<(i64, String)> = buildings.iter().map(|b| (b.grid_id, b.grid_name.clone())).collect();
    grids.dedup();
    let whole = matches!(reach, CommunityReach::All);
    render(ListPage {
        base: query_string(&q, community.community_id),
        can_bulk: whole && BULK.allows(&actor, &community.place()),
        choices: Choices::of(state, community.community_id, lang).await?,
        chrome,
        communities,
        buildings,
        grids,
        residents,
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        community,
        q,
        error,
    })
}
