//! The registry's part of a person's home page: a resident's own grid worker to call (of the
//! grid her household is in, or the community's when her record is not linked to her account),
//! and a grid worker's way into the households.

use yijia_db::on_db;
use yijia_kernel::clock::format_local;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Tr;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::settings;
use yijia_kernel::{Actor, AppState, Home, HomeItem, HomeList, Result, Role, Tile};

use crate::pages::visits::VISIT_DUE_DAYS;
use crate::permissions::READ;
use crate::repo;

/// How many households due a door visit the home page lists.
const DUE_SHOWN: i64 = 5;

/// A grid worker's round: the households of their grids longest without a door visit.
async fn visits_due(state: &AppState, c: &CommunityAt, reach: &CommunityReach, tr: &Tr) -> Result<HomeList> {
    let id = c.community_id;
    let days = settings::get_i64(&state.db, id, &VISIT_DUE_DAYS).await?;
    let since = state.now_ms() - days * 86_400_000;
    let due = repo::not_visited_since(&state.db, id, reach, None, since, DUE_SHOWN + 1).await?;
    let more = due.len() as i64 > DUE_SHOWN;
    let items = due
        .iter()
        .take(DUE_SHOWN as usize)
        .map(|d| HomeItem {
            text: d.address(),
            href: format!("/registry/households/{}", d.household_id),
            tone: "soon",
            state: match d.last_visit {
                Some(at) => tr.tf("registry.home_last_visit", &[("when", format_local(at, &c.time_zone))]),
                None => tr.t("registry.never"),
            },
            detail: d.grid_name.clone(),
        })
        .collect();
    Ok(HomeList {
        title: "registry.visits_due",
        items,
        more: more.then(|| format!("/registry/visits?community={id}")),
        empty: "registry.home_no_visits_due",
        order: 10,
    })
}

#[derive(sqlx::FromRow)]
struct Worker {
    grid_name: String,
    display_name: String,
    phone: String,
    /// The grid of the reader's own household.
    own: bool,
}

pub async fn home(state: &AppState, actor: &Actor, community_id: i64, tr: &Tr) -> Result<Home> {
    let mut home = Home::default();
    let c = yijia_kernel::community::find(state, community_id).await?;
    let reach = CommunityReach::of(&READ, actor, &c.place());
    if reach != CommunityReach::Nothing {
        if actor.has_role(Role::GridWorker) {
            home.lists.push(visits_due(state, &c, &reach, tr).await?);
        }
        home.tiles.push(Tile {
            label: "registry.home_find",
            href: format!("/registry?community={community_id}"),
            icon: "search",
            hint: tr.t("registry.home_find_hint"),
            // A grid worker's day is door visits; the desk's is its queue.
            primary: actor.has_role(Role::GridWorker),
            order: 5,
        });
        return Ok(home);
    }
    let account = actor.account_id.unwrap_or(0);
    let workers: Vec<Worker> = on_db!(&state.db, |p| sqlx::query_as(
        "select g.name as grid_name, a.display_name, a.phone, \
         exists (select 1 from registry_resident r join household h on h.household_id = r.household_id \
         where r.account_id = $2 and r.left_at is null and h.grid_id = g.grid_id) as own \
         from account_role ar join grid g on g.grid_id = ar.grid_id join account a on a.account_id = ar.account_id \
         where ar.role = 'grid_worker' and ar.revoked_at is null and g.retired_at is null and a.status = 'active' \
         and g.community_id = $1 order by g.code, a.display_name"
    )
    .bind(community_id)
    .bind(account)
    .fetch_all(p)
    .await?);
    let has_own = workers.iter().any(|w| w.own);
    let items = workers
        .into_iter()
        .filter(|w| w.own || !has_own)
        .map(|w| HomeItem {
            text: format!("{} · {}", w.display_name, w.grid_name),
            href: if w.phone.is_empty() {
                String::new()
            } else {
                format!("tel:{}", w.phone)
            },
            tone: "",
            state: w.phone,
            detail: String::new(),
        })
        .collect();
    home.lists.push(HomeList {
        title: if has_own {
            "registry.home_my_worker"
        } else {
            "registry.home_workers"
        },
        items,
        more: None,
        empty: "registry.home_no_workers",
        order: 40,
    });
    Ok(home)
}
