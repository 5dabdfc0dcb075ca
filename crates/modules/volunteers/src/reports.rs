//! The staff reports: hours by team, by grid and by month of a year (or of one month of it), the
//! volunteers who served most, the activities held and the people they served. Months are the
//! community's own.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Tr;
use yijia_kernel::{months, Actor, AppState, Figure, Result};

use crate::permissions::REPORTS;
use crate::repo;

/// One row of a by-month table: a team or a grid, with minutes per month (index 0 = January).
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub name: String,
    pub months: [i64; 12],
    pub total: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Top {
    pub volunteer_id: i64,
    pub name: String,
    pub minutes: i64,
    pub activities: i64,
}

/// A year's report for a community, or one month's (then the other months are zero).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub year: i16,
    /// 1–12 when the report is of one month.
    pub month: Option<i8>,
    pub by_team: Vec<Line>,
    pub by_grid: Vec<Line>,
    pub total: Line,
    /// Per month: activities held, volunteers' attendances, people served.
    pub held: [i64; 12],
    pub attendances: [i64; 12],
    pub served: [i64; 12],
    pub top: Vec<Top>,
}

fn add(lines: &mut BTreeMap<String, Line>, name: &str, month: usize, minutes: i64) {
    let l = lines.entry(name.to_owned()).or_insert_with(|| Line {
        name: name.to_owned(),
        months: [0; 12],
        total: 0,
    });
    l.months[month] += minutes;
    l.total += minutes;
}

/// The instants a local year, or one month of it, begins and ends at.
fn bounds(year: i16, month: Option<i8>, c: &CommunityAt) -> Option<(i64, i64)> {
    let zone = c.tz();
    let at = |d: Date| d.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_millisecond());
    let first = Date::new(year, month.unwrap_or(1), 1).ok()?;
    let next = match month {
        Some(_) => first.checked_add(jiff::Span::new().months(1)).ok()?,
        None => Date::new(year.checked_add(1)?, 1, 1).ok()?,
    };
    Some((at(first)?, at(next)?))
}

pub async fn build(state: &AppState, c: &CommunityAt, year: i16, month: Option<i8>) -> Result<Report> {
    let (from, to) = bounds(year, month, c).unwrap_or((0, 0));
    let now = state.now_ms();
    let zone = c.tz();
    let held = repo::reports::held(&state.db, c.community_id, from, to).await?;
    let grids = repo::reports::held_grids(&state.db, c.community_id, from, to).await?;
    let teams: BTreeMap<i64, String> = repo::reports::team_names(&state.db, c.community_id)
        .await?
        .into_iter()
        .collect();
    let mut grid_of: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (a, g) in grids {
        grid_of.entry(a).or_default().push(g);
    }
    let mut by_team = BTreeMap::new();
    let mut by_grid = BTreeMap::new();
    let mut total = BTreeMap::new();
    let (mut n_held, mut attendances, mut served) = ([0; 12], [0; 12], [0; 12]);
    for h in &held {
        let month = usize::from(
            crate::model::rules::local_date(h.starts_at, &zone)
                .month()
                .unsigned_abs(),
        ) - 1;
        let team = h.team_id.and_then(|t| teams.get(&t)).map_or("—", String::as_str);
        add(&mut by_team, team, month, h.minutes);
        for g in grid_of.get(&h.activity_id).map_or(&[][..], Vec::as_slice) {
            add(&mut by_grid, g, month, h.minutes);
        }
        add(&mut total, "", month, h.minutes);
        // An activity still to come is published, not held.
        if h.starts_at <= now {
            n_held[month] += 1;
        }
        attendances[month] += h.attendances;
        served[month] += h.served;
    }
    let top = repo::reports::top(&state.db, c.community_id, from, to, 20)
        .await?
        .into_iter()
        .map(|(volunteer_id, name, minutes, activities)| Top {
            volunteer_id,
            name,
            minutes,
            activities,
        })
        .collect();
    Ok(Report {
        year,
        month,
        by_team: by_team.into_values().collect(),
        by_grid: by_grid.into_values().collect(),
        total: total.remove("").unwrap_or(Line {
            name: String::new(),
            months: [0; 12],
            total: 0,
        }),
        held: n_held,
        attendances,
        served,
        top,
    })
}

/// Minutes as hours rounded to a tenth, as [`crate::model::rules::hours`] writes them: what the
/// charts and figures show agrees with the tables.
pub fn hours(minutes: i64) -> f64 {
    ((minutes * 10 + 30) / 60) as f64 / 10.0
}

/// The community's service hours and active volunteers (those credited with time) month by
/// month, for the district's comparison; none unless the actor reads its reports.
pub async fn figures(state: &AppState, actor: &Actor, c: &CommunityAt, asked: &[Date], tr: &Tr) -> Result<Vec<Figure>> {
    if asked.is_empty() || !REPORTS.allows(actor, &c.place()) {
        return Ok(Vec::new());
    }
    let bounds = months::all_bounds(asked, &c.time_zone)?;
    let (mut minutes, mut people) = (vec![0; asked.len()], vec![0; asked.len()]);
    for (m, min, n) in repo::reports::monthly(&state.db, c.community_id, &bounds).await? {
        if let Some(i) = usize::try_from(m).ok().filter(|i| *i < asked.len()) {
            minutes[i] = min;
            people[i] = n;
        }
    }
    let href = format!("/volunteers/reports?community={}", c.community_id);
    Ok(vec![
        Figure {
            key: "volunteers.service_hours",
            label: "volunteers.figure_service_hours",
            unit: tr.t("volunteers.unit_hours"),
            higher_is_better: true,
            values: minutes.into_iter().map(|m| Some(hours(m))).collect(),
            href: href.clone(),
        },
        Figure {
            key: "volunteers.active_volunteers",
            label: "volunteers.figure_active_volunteers",
            unit: tr.t("volunteers.unit_volunteers"),
            higher_is_better: true,
            values: people.into_iter().map(|n| Some(n as f64)).collect(),
            href,
        },
    ])
}
