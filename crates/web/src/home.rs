//! The home page: where each person's day's work starts. The modules say what goes on it
//! (`Module::home`, `Module::stats`); this page lays it out.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_db::on_db;
use yijia_kernel::permission::{Capability, VIEW_COMMUNITY};
use yijia_kernel::scope::{self, Cols};
use yijia_kernel::{Actor, Home, HomeItem, Stat, StatKind};

use crate::error::WebResult;
use crate::extract::{PageCtx, Q};
use crate::page::{render, Chrome};

#[derive(Clone, sqlx::FromRow)]
pub struct CommunityCard {
    pub community_id: i64,
    pub code: String,
    pub name: String,
    pub brand: String,
    pub address: String,
    pub logo: Option<String>,
}

pub struct StatView {
    pub label: String,
    pub value: i64,
    /// Empty when the figure links nowhere.
    pub href: String,
    pub alarm: bool,
}

pub struct TileView {
    pub label: String,
    pub href: String,
    pub icon: &'static str,
    pub hint: String,
    pub primary: bool,
}

pub struct ListView {
    pub title: String,
    pub items: Vec<HomeItem>,
    pub more: String,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    communities: Vec<CommunityCard>,
    current: Option<CommunityCard>,
    current_id: i64,
    staff: bool,
    tiles: Vec<TileView>,
    /// The day's queue (待受理, 待核实, late work in red), then how much there is.
    work: Vec<StatView>,
    stats: Vec<StatView>,
    lists: Vec<ListView>,
}

#[derive(Deserialize)]
pub struct HomeQuery {
    community: Option<i64>,
}

/// What the home page shows of a community, remembered for a moment per reader (`recent.rs`).
struct Current {
    /// The staff console's numbers.
    stats: Vec<Stat>,
    /// What each module puts there for this reader.
    home: Home,
}

/// Everyone's home page starts their day's work: a resident's tiles (我要反映 first), her
/// appeals and her grid worker; a grid worker's visits and appeals in the grid; the desk's queue
/// with what is late in red. Staff with several communities choose one.
pub async fn home(ctx: PageCtx, Q(q): Q<HomeQuery>) -> WebResult<Response> {
    let Some(actor) = ctx.actor.clone() else {
        return Ok(Redirect::to("/login").into_response());
    };
    if actor.must_change_password {
        // A one-time password is changed before anything else.
        return Ok(Redirect::to("/account").into_response());
    }
    // Keys are the reader's and a community in their reach, so a reader cannot fill the memory
    // by asking for made-up communities.
    let account = actor.account_id.unwrap_or(0);
    let now = ctx.state.now_ms();
    let recent = &ctx.state.recent;
    let loaded = || yijia_kernel::Error::Internal(anyhow::anyhow!("home data not loaded"));
    let communities = recent
        .remember(format!("home:{account}"), now, async {
            reach(&ctx, &VIEW_COMMUNITY, account).await.map(Some)
        })
        .await?
        .ok_or_else(loaded)?;
    let current_id = q
        .community
        .filter(|id| communities.iter().any(|c| c.community_id == *id))
        .or_else(|| communities.first().map(|c| c.community_id))
        .unwrap_or(0);
    let data = recent
        .remember(format!("home:{account}:{current_id}:{}", ctx.tr.lang()), now, async {
            read(&ctx, &actor, current_id).await.map(Some)
        })
        .await?
        .ok_or_else(loaded)?;
    let current = communities.iter().find(|c| c.community_id == current_id).cloned();
    let staff = actor.is_staff();
    let view = |s: &Stat| StatView {
        label: ctx.tr.t(s.label),
        value: s.value,
        href: s.href.clone().unwrap_or_default(),
        alarm: s.kind == StatKind::Late,
    };
    let (work, stats): (Vec<&Stat>, Vec<&Stat>) = data.stats.iter().partition(|s| s.kind != StatKind::Count);
    let work = work.into_iter().map(view).collect();
    let stats = stats.into_iter().map(view).collect();
    let mut tiles = data.home.tiles.clone();
    tiles.sort_by_key(|t| (!t.primary, t.order));
    let tiles = tiles
        .into_iter()
        .map(|t| TileView {
            label: ctx.tr.t(t.label),
            href: t.href,
            icon: t.icon,
            hint: t.hint,
            primary: t.primary,
        })
        .collect();
    let mut lists = data.home.lists.clone();
    lists.sort_by_key(|l| l.order);
    let lists = lists
        .into_iter()
        .map(|l| ListView {
            title: ctx.tr.t(l.title),
            items: l.items,
            more: l.more.unwrap_or_default(),
            empty: ctx.tr.t(l.empty),
        })
        .collect();
    render(HomePage {
        chrome: Chrome::new(
            &ctx,
            if staff {
                "home.staff_title"
            } else {
                "home.resident_title"
            },
        ),
        communities: communities.to_vec(),
        current,
        current_id,
        staff,
        tiles,
        work,
        stats,
        lists,
    })
}

/// The communities where the reader holds `cap`.
pub(crate) async fn reach(ctx: &PageCtx, cap: &Capability, account: i64) -> yijia_kernel::Result<Vec<CommunityCard>> {
    let sql = format!(
        "select community_id, code, name, brand, address, logo from community c where c.retired_at is null and {} order by name limit 200",
        scope::reach(cap, &Cols { community: "c.community_id", grid: None }, "$1")
    );
    Ok(on_db!(&ctx.state.db, |p| sqlx::query_as(&sql)
        .bind(account)
        .fetch_all(p)
        .await?))
}

async fn read(ctx: &PageCtx, actor: &Actor, current_id: i64) -> yijia_kernel::Result<Current> {
    let mut stats = Vec::new();
    let mut home = Home::default();
    if current_id != 0 {
        for m in ctx.state.modules.iter() {
            if actor.is_staff() {
                stats.extend(m.stats(&ctx.state, actor, current_id).await?);
            }
            let part = m.home(&ctx.state, actor, current_id, &ctx.tr).await?;
            home.tiles.extend(part.tiles);
            home.lists.extend(part.lists);
        }
    }
    Ok(Current { stats, home })
}
