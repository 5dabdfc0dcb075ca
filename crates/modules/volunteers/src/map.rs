//! Volunteer activities on the community's map: the month's activities at the middle of the
//! grids they serve (an activity's place is words, not a point), for those who see the
//! activities list.

use yijia_db::on_db;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::geo;
use yijia_kernel::i18n::Tr;
use yijia_kernel::map::{Feature, Layer, MapQuery, Shape};
use yijia_kernel::{months, Actor, AppState, Result};

use crate::permissions::{JOIN, REPORTS};

type Row = (i64, String, String, i64, Option<String>);

pub async fn layers(state: &AppState, actor: &Actor, c: &CommunityAt, q: &MapQuery, tr: &Tr) -> Result<Vec<Layer>> {
    // Activities are open to every member of the community (they sign up to them).
    if !JOIN.allows(actor, &c.place()) && !REPORTS.allows(actor, &c.place()) {
        return Ok(Vec::new());
    }
    let month = q
        .get("month")
        .and_then(|m| months::parse(m))
        .unwrap_or_else(|| c.today(state).first_of_month());
    let (from, to) = months::bounds(month, &c.time_zone)?;
    let rows: Vec<Row> = on_db!(&state.db, |p| sqlx::query_as(
        "select a.activity_id, a.title, a.place, a.starts_at, g.boundary from vol_activity a \
         join vol_activity_grid ag on ag.activity_id = a.activity_id join grid g on g.grid_id = ag.grid_id \
         where a.community_id = $1 and a.status = 'published' and a.starts_at >= $2 and a.starts_at < $3 \
         order by a.starts_at limit 2000"
    )
    .bind(c.community_id)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?);
    let zone = c.tz();
    let mut seen = Vec::new();
    let features = rows
        .into_iter()
        .filter_map(|(id, title, place, starts, boundary)| {
            // An activity serving several grids is drawn once, at the first grid drawn.
            let middle = geo::middle(&geo::parse_area(&boundary?).ok()?)?;
            if seen.contains(&id) {
                return None;
            }
            seen.push(id);
            let when = jiff::Timestamp::from_millisecond(starts)
                .map(|t| t.to_zoned(zone.clone()).strftime("%m-%d %H:%M").to_string())
                .unwrap_or_default();
            Some(Feature {
                shape: Shape::Point {
                    at: geo::spread(middle, id),
                },
                label: title,
                detail: format!("{when} · {place}"),
                href: format!("/volunteers/activities/{id}"),
                tone: "",
            })
        })
        .collect();
    Ok(vec![Layer {
        key: "activities",
        label: tr.t("volunteers.map_layer"),
        style: "activity",
        features,
        filters: Vec::new(),
        shown: true,
    }])
}
