//! Care households on the community's map, for those who look after them (staff; a grid
//! worker in their grids): each paired household at its building, red when its visit is late,
//! linked to its pairing. Only the address and the carer are shown, never the care group.

use yijia_db::on_db;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::geo::{self, Point};
use yijia_kernel::i18n::Tr;
use yijia_kernel::map::{Feature, Layer, Shape};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Result};

use crate::permissions::LOOK_AFTER;

type Row = (i64, i64, String, String, String, i64, i64);

pub async fn layers(state: &AppState, actor: &Actor, c: &CommunityAt, tr: &Tr) -> Result<Vec<Layer>> {
    let reach = CommunityReach::of(&LOOK_AFTER, actor, &c.place());
    if reach == CommunityReach::Nothing {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select p.pairing_id, h.household_id, h.name, p.carer_name, p.due_on, b.lat_e6, b.long_e6 \
         from care_pairing p join household h on h.household_id = p.household_id \
         join building b on b.building_id = h.building_id \
         where p.community_id = $1 and p.ended_at is null and b.lat_e6 is not null and b.long_e6 is not null \
         and {} order by p.due_on limit 2000",
        reach.sql("h.grid_id")
    );
    let rows: Vec<Row> = on_db!(&state.db, |p| sqlx::query_as(&sql)
        .bind(c.community_id)
        .fetch_all(p)
        .await?);
    let today = c.today(state).to_string();
    let features = rows
        .into_iter()
        .map(|(pairing, household, name, carer, due, lat, long)| Feature {
            shape: Shape::Point {
                at: geo::spread(Point::from_e6(lat, long), household),
            },
            label: name,
            detail: tr.tf("care.map_detail", &[("carer", carer), ("due", due.clone())]),
            href: format!("/care/pairings/{pairing}"),
            tone: if due < today { "overdue" } else { "progress" },
        })
        .collect();
    Ok(vec![Layer {
        key: "care",
        label: tr.t("care.map_layer"),
        style: "care",
        features,
        filters: Vec::new(),
        // Shown on demand: personal, and not what most opening the map look for.
        shown: false,
    }])
}
