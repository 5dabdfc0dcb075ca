//! The home page: a staff console with the community's numbers for staff, a phone view with the
//! community's contacts for everyone else.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yijia_db::on_db;
use yijia_kernel::permission::VIEW_COMMUNITY;
use yijia_kernel::scope::{self, Cols};
use yijia_kernel::{Actor, Stat};

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

#[derive(Clone, sqlx::FromRow)]
pub struct WorkerCard {
    pub grid_name: String,
    pub display_name: String,
    pub phone: String,
}

pub struct StatView {
    pub label: String,
    pub value: i64,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "home_staff.html")]
struct StaffHome {
    chrome: Chrome,
    communities: Vec<CommunityCard>,
    current: Option<CommunityCard>,
    current_id: i64,
    stats: Vec<StatView>,
}

#[derive(Template)]
#[template(path = "home_resident.html")]
struct ResidentHome {
    chrome: Chrome,
    current: Option<CommunityCard>,
    workers: Vec<WorkerCard>,
}

#[derive(Deserialize)]
pub struct HomeQuery {
    community: Option<i64>,
}

/// What the home page shows of a community, remembered for a moment per reader (`recent.rs`).
struct Current {
    /// The staff console's numbers.
    stats: Vec<Stat>,
    /// Everyone else's contacts: the community's grid workers.
    workers: Vec<WorkerCard>,
}

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
            reach(&ctx, account).await.map(Some)
        })
        .await?
        .ok_or_else(loaded)?;
    let current_id = q
        .community
        .filter(|id| communities.iter().any(|c| c.community_id == *id))
        .or_else(|| communities.first().map(|c| c.community_id))
        .unwrap_or(0);
    let data = recent
        .remember(format!("home:{account}:{current_id}"), now, async {
            read(&ctx, &actor, current_id).await.map(Some)
        })
        .await?
        .ok_or_else(loaded)?;
    let current = communities.iter().find(|c| c.community_id == current_id).cloned();
    if actor.is_staff() {
        let stats = data
            .stats
            .iter()
            .map(|s| StatView {
                label: ctx.tr.t(s.label),
                value: s.value,
                href: s.href.clone(),
            })
            .collect();
        return render(StaffHome {
            chrome: Chrome::new(&ctx, "home.staff_title"),
            communities: communities.to_vec(),
            current,
            current_id,
            stats,
        });
    }
    render(ResidentHome {
        chrome: Chrome::new(&ctx, "home.resident_title"),
        current,
        workers: data.workers.clone(),
    })
}

/// The communities the reader may see.
async fn reach(ctx: &PageCtx, account: i64) -> yijia_kernel::Result<Vec<CommunityCard>> {
    let sql = format!(
        "select community_id, code, name, brand, address, logo from community c where c.retired_at is null and {} order by name limit 200",
        scope::reach(&VIEW_COMMUNITY, &Cols { community: "c.community_id", grid: None }, "$1")
    );
    Ok(on_db!(&ctx.state.db, |p| sqlx::query_as(&sql)
        .bind(account)
        .fetch_all(p)
        .await?))
}

async fn read(ctx: &PageCtx, actor: &Actor, current_id: i64) -> yijia_kernel::Result<Current> {
    let mut stats = Vec::new();
    let mut workers = Vec::new();
    if actor.is_staff() {
        if current_id != 0 {
            for m in ctx.state.modules.iter() {
                stats.extend(m.stats(&ctx.state, actor, current_id).await?);
            }
        }
    } else {
        workers = on_db!(&ctx.state.db, |p| {
            sqlx::query_as(
                "select g.name as grid_name, a.display_name, a.phone from account_role r \
                 join grid g on g.grid_id = r.grid_id join account a on a.account_id = r.account_id \
                 where r.role = 'grid_worker' and r.revoked_at is null and g.retired_at is null and a.status = 'active' \
                 and g.community_id = $1 order by g.code, a.display_name",
            )
            .bind(current_id)
            .fetch_all(p)
            .await?
        });
    }
    Ok(Current { stats, workers })
}
