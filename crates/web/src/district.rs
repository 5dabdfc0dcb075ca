//! `/district`: the communities a supervisor oversees side by side on every module's main
//! figures (`Module::figures`) for a month, ranked on the one chosen, each with its year's trend;
//! a community's name leads to its own home, a figure to the page behind it.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use yijia_db::on_db;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::months;
use yijia_kernel::permission::COMPARE_COMMUNITIES;
use yijia_kernel::scope::{self, Cols};
use yijia_kernel::{Error, Figure, NavEntry, Station};

use crate::chart::{sparkline, Chart, ChartKind};
use crate::error::WebResult;
use crate::extract::{CurrentActor, PageCtx, Q};
use crate::page::{render, Chrome};

/// The months each trend covers.
const TREND_MONTHS: usize = 12;

/// The page's entry in the menu, under 统计.
pub fn nav() -> NavEntry {
    NavEntry {
        label: "district.nav",
        href: "/district",
        cap: COMPARE_COMMUNITIES,
        order: 1,
        station: Station::Reports,
        icon: "trophy",
        tab: None,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DistrictQuery {
    /// The last month compared (`YYYY-MM`); this month by default.
    pub month: String,
    /// The figure ranked on (`appeals.satisfaction`); the first by default.
    pub figure: String,
    /// Only the communities of this district, for one who oversees several.
    pub district: Option<i64>,
    pub export: String,
}

/// One figure's column.
pub struct Column {
    pub key: &'static str,
    pub label: String,
    pub unit: String,
}

/// One community's row: its figures for the month, and the ranked figure's trend.
pub struct Row {
    pub rank: usize,
    pub community_id: i64,
    pub name: String,
    pub value: Option<f64>,
    pub href: String,
    pub spark: String,
    /// The month's value of each column, as shown.
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "district.html")]
struct DistrictPage {
    chrome: Chrome,
    month: String,
    columns: Vec<Column>,
    chosen: String,
    chosen_label: String,
    rows: Vec<Row>,
    districts: Vec<(i64, String)>,
    district: Option<i64>,
    charts: Vec<Chart>,
}

impl DistrictPage {
    fn shown(&self, v: &Option<f64>) -> String {
        cell(*v)
    }

    fn is_district(&self, id: &i64) -> bool {
        self.district == Some(*id)
    }
}

fn cell(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{x:.0}"),
        Some(x) => format!("{x:.1}"),
        None => "—".to_owned(),
    }
}

type CommunityRow = (i64, i64, String, String);

pub async fn page(ctx: PageCtx, CurrentActor(actor): CurrentActor, Q(q): Q<DistrictQuery>) -> WebResult<Response> {
    let sql = format!(
        "select c.community_id, c.district_id, c.name, d.name from community c \
         join district d on d.district_id = c.district_id where c.retired_at is null and {} \
         order by d.name, c.name limit 200",
        scope::reach(
            &COMPARE_COMMUNITIES,
            &Cols {
                community: "c.community_id",
                grid: None
            },
            "$1"
        )
    );
    let all: Vec<CommunityRow> = on_db!(&ctx.state.db, |p| sqlx::query_as(&sql)
        .bind(actor.account_id.unwrap_or(0))
        .fetch_all(p)
        .await?);
    if all.is_empty() {
        return Err(Error::NotFound.into());
    }
    let mut districts: Vec<(i64, String)> = all.iter().map(|c| (c.1, c.3.clone())).collect();
    districts.dedup();
    let district = q.district.filter(|d| districts.iter().any(|x| x.0 == *d));
    let chosen_communities: Vec<&CommunityRow> = all.iter().filter(|c| district.is_none_or(|d| c.1 == d)).collect();

    let first = yijia_kernel::community::find(&ctx.state, chosen_communities[0].0).await?;
    let this_month = first.today(&ctx.state).first_of_month();
    let month = match q.month.trim() {
        "" => this_month,
        m => months::parse(m).ok_or_else(|| Error::field("month", "district.bad_month"))?,
    };
    let window = months::ending(month, TREND_MONTHS);

    // Every community's figures, module by module.
    let mut per: Vec<(CommunityAt, Vec<Figure>)> = Vec::new();
    for c in &chosen_communities {
        let community = yijia_kernel::community::find(&ctx.state, c.0).await?;
        let mut figures = Vec::new();
        for m in ctx.state.modules.iter() {
            figures.extend(m.figures(&ctx.state, &actor, &community, &window, &ctx.tr).await?);
        }
        per.push((community, figures));
    }
    let mut columns: Vec<Column> = Vec::new();
    for f in per.iter().flat_map(|(_, fs)| fs.iter()) {
        if !columns.iter().any(|c| c.key == f.key) {
            columns.push(Column {
                key: f.key,
                label: ctx.tr.t(f.label),
                unit: f.unit.clone(),
            });
        }
    }
    let chosen = columns
        .iter()
        .find(|c| c.key == q.figure)
        .or_else(|| columns.first())
        .map(|c| c.key)
        .unwrap_or_default();
    let higher_is_better = per
        .iter()
        .flat_map(|(_, fs)| fs.iter())
        .find(|f| f.key == chosen)
        .is_none_or(|f| f.higher_is_better);
    let last = |f: &Figure| f.values.last().copied().flatten();
    let mut rows: Vec<Row> = per
        .iter()
        .map(|(c, fs)| {
            let ranked = fs.iter().find(|f| f.key == chosen);
            Row {
                rank: 0,
                community_id: c.community_id,
                name: c.name.clone(),
                value: ranked.and_then(last),
                href: ranked.map(|f| f.href.clone()).unwrap_or_default(),
                spark: ranked.map(|f| sparkline(&f.values)).unwrap_or_default(),
                cells: columns
                    .iter()
                    .map(|col| cell(fs.iter().find(|f| f.key == col.key).and_then(last)))
                    .collect(),
            }
        })
        .collect();
    // Best first; communities without the figure last, by name.
    rows.sort_by(|a, b| match (a.value, b.value) {
        (Some(x), Some(y)) if higher_is_better => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    share_ties(&mut rows);

    let chosen_col = columns.iter().find(|c| c.key == chosen);
    let chosen_label = chosen_col.map(|c| c.label.clone()).unwrap_or_default();
    let page_href = format!(
        "/district?month={}&figure={chosen}{}",
        months::name(month),
        district.map(|d| format!("&district={d}")).unwrap_or_default()
    );
    let tr = &ctx.tr;
    let mut charts = Vec::new();
    if let Some(col) = chosen_col {
        charts.push(
            Chart::new(
                tr,
                "ranking",
                format!("{} · {}", col.label, months::name(month)),
                ChartKind::Across,
                tr.t("district.community"),
                rows.iter().map(|r| r.name.clone()).collect(),
            )
            .unit(col.unit.clone())
            .decimals(1)
            .series(col.label.clone(), rows.iter().map(|r| r.value).collect())
            .exported_from(&page_href),
        );
        let mut trend = Chart::new(
            tr,
            "trend",
            tr.tf("district.trend_title", &[("figure", col.label.clone())]),
            ChartKind::Line,
            tr.t("district.month"),
            window.iter().map(|m| months::name(*m)).collect(),
        )
        .unit(col.unit.clone())
        .decimals(1);
        for (c, fs) in &per {
            if let Some(f) = fs.iter().find(|f| f.key == chosen) {
                trend = trend.series(c.name.clone(), f.values.clone());
            }
        }
        charts.push(trend.exported_from(&page_href));
    }
    if !q.export.is_empty() {
        return Ok(
            crate::chart::export(&charts, &q.export, &format!("district-{}", months::name(month)))
                .ok_or(Error::NotFound)??,
        );
    }
    render(DistrictPage {
        chrome: Chrome::new(&ctx, "district.title"),
        month: months::name(month),
        columns,
        chosen: chosen.to_owned(),
        chosen_label,
        rows,
        districts,
        district,
        charts,
    })
}

/// Ranks best first, equal values sharing a rank (1, 2, 2, 4); a community without the figure
/// has none (0).
fn share_ties(rows: &mut [Row]) {
    for i in 0..rows.len() {
        rows[i].rank = match rows[i].value {
            None => 0,
            Some(_) if i > 0 && rows[i - 1].value == rows[i].value => rows[i - 1].rank,
            Some(_) => i + 1,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: Option<f64>) -> Row {
        Row {
            rank: 0,
            community_id: 0,
            name: String::new(),
            value,
            href: String::new(),
            spark: String::new(),
            cells: Vec::new(),
        }
    }

    #[test]
    fn equal_figures_share_a_rank_and_missing_ones_have_none() {
        let mut rows: Vec<Row> = [Some(9.0), Some(7.0), Some(7.0), Some(5.0), None]
            .into_iter()
            .map(row)
            .collect();
        share_ties(&mut rows);
        let ranks: Vec<usize> = rows.iter().map(|r| r.rank).collect();
        assert_eq!(ranks, [1, 2, 2, 4, 0]);
    }
}
