//! Appeals on the community's map: a month's appeals pinned where they happened (their own
//! point, else their building's), narrowed by category and state, for those who read appeals
//! (a grid worker: of their grids).

use yijia_kernel::community::CommunityAt;
use yijia_kernel::geo::Point;
use yijia_kernel::i18n::Tr;
use yijia_kernel::map::{Feature, Filter, Layer, MapQuery, Shape};
use yijia_kernel::months;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Result};

use crate::model::Status;
use crate::pages::{status_text, tone};
use crate::permissions::READ;
use crate::repo::{self, MapFilter};

/// The most pins a map draws; a month of a large community stays below it.
const MOST: i64 = 2_000;

/// The states one filters the map by.
const STATES: [(&str, &str); 4] = [
    ("", "map.all"),
    ("open", "appeals.map_open"),
    ("overdue", "appeals.map_overdue"),
    ("finished", "appeals.map_finished"),
];

pub async fn layers(state: &AppState, actor: &Actor, c: &CommunityAt, q: &MapQuery, tr: &Tr) -> Result<Vec<Layer>> {
    let reach = CommunityReach::of(&READ, actor, &c.place());
    if reach == CommunityReach::Nothing {
        return Ok(Vec::new());
    }
    let this_month = c.today(state).first_of_month();
    let month = q.get("month").and_then(|m| months::parse(m)).unwrap_or(this_month);
    let (from, to) = months::bounds(month, &c.time_zone)?;
    let categories = repo::categories(&state.db, c.community_id).await?;
    let category = q
        .get("category")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|id| categories.iter().any(|k| k.category_id == *id));
    let chosen_state = q
        .get("state")
        .filter(|s| STATES.iter().any(|(v, _)| v == s))
        .cloned()
        .unwrap_or_default();
    let rows = repo::on_map(
        &state.db,
        &MapFilter {
            community_id: c.community_id,
            reach: reach.sql("a.grid_id"),
            category,
            state: chosen_state.clone(),
            from,
            to,
            now: state.now_ms(),
        },
        MOST,
    )
    .await?;
    let zone = c.tz();
    let features = rows
        .into_iter()
        .map(|r| {
            let status = Status::parse(&r.status);
            let when = jiff::Timestamp::from_millisecond(r.created_at)
                .map(|t| t.to_zoned(zone.clone()).strftime("%m-%d %H:%M").to_string())
                .unwrap_or_default();
            Feature {
                shape: Shape::Point { at: spread(&r) },
                label: format!("#{} {}", r.appeal_id, r.category),
                detail: format!("{} · {when}", status_text(status, false, tr)),
                href: format!("/appeals/{}", r.appeal_id),
                tone: tone(status, r.overdue),
            }
        })
        .collect();
    let mut category_options = vec![(String::new(), tr.t("map.all"))];
    category_options.extend(categories.iter().map(|k| (k.category_id.to_string(), k.name.clone())));
    let month_options = months::ending(this_month, 12)
        .into_iter()
        .rev()
        .map(|m| (months::name(m), months::name(m)))
        .collect();
    Ok(vec![Layer {
        key: "appeals",
        label: tr.t("appeals.title"),
        style: "appeal",
        features,
        filters: vec![
            Filter {
                name: "month",
                label: tr.t("appeals.month"),
                options: month_options,
                chosen: months::name(month),
            },
            Filter {
                name: "category",
                label: tr.t("appeals.category"),
                options: category_options,
                chosen: category.map(|c| c.to_string()).unwrap_or_default(),
            },
            Filter {
                name: "state",
                label: tr.t("appeals.status"),
                options: STATES.iter().map(|(v, k)| ((*v).to_owned(), tr.t(k))).collect(),
                chosen: chosen_state,
            },
        ],
        shown: true,
    }])
}

/// An appeal's pin: its own point, or a few metres from its building's.
fn spread(r: &repo::MapRow) -> Point {
    let at = Point::from_e6(r.lat_e6, r.long_e6);
    if r.at_building {
        yijia_kernel::geo::spread(at, r.appeal_id)
    } else {
        at
    }
}
