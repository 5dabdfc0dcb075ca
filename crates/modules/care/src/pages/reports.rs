//! The community's care reports: coverage and on-time visits by grid and by care group, wishes
//! by stage and category, fulfilment time; the same as an .xlsx. Numbers only, no names.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use yijia_kernel::months;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::Error;
use yijia_web::chart::{Chart, ChartKind};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use super::community_of;
use crate::model::wish::{WishCategory, WishStatus};
use crate::permissions::REPORTS;
use crate::trend::{self, Month};
use crate::view::{self, CoverageLine, Reports};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub community: Option<i64>,
    /// A chart's figures as .xlsx (`coverage_by_grid`, `on_time_trend`…), or `all`.
    pub export: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    community_id: i64,
    r: Reports,
    /// Wishes by category (rows) and status (columns).
    grid: Vec<(&'static str, Vec<i64>)>,
    statuses: Vec<&'static str>,
    charts: Vec<Chart>,
}

impl ReportsPage {
    /// The two coverage tables: title, element id, lines.
    fn sections(&self) -> [(String, &'static str, &[CoverageLine]); 2] {
        [
            (self.chrome.t("care.by_grid"), "by-grid", &self.r.by_grid),
            (self.chrome.t("care.by_group"), "by-group", &self.r.by_group),
        ]
    }
}

/// Wishes counted by category and status, in the order of the lists.
fn wish_grid(r: &Reports, lang: &str) -> (Vec<(&'static str, Vec<i64>)>, Vec<&'static str>) {
    let rows = WishCategory::ALL
        .iter()
        .map(|c| {
            let counts = WishStatus::ALL
                .iter()
                .map(|s| {
                    r.wishes
                        .iter()
                        .filter(|(st, cat, _)| st == s.as_str() && cat == c.as_str())
                        .map(|(_, _, n)| *n)
                        .sum()
                })
                .collect();
            (c.label(lang), counts)
        })
        .collect();
    (rows, WishStatus::ALL.iter().map(|s| s.label(lang)).collect())
}

async fn build(
    ctx: &PageCtx,
    a: &yijia_kernel::Actor,
    q: &ReportQuery,
    lang: &'static str,
) -> WebResult<(yijia_kernel::community::CommunityAt, Reports)> {
    let id = community_of(q.community, a)?;
    let c = crate::commands::community(&ctx.state, id).await?;
    let r = view::reports(&ctx.state, a, &c, lang).await?;
    Ok((c, r))
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ReportQuery>) -> WebResult<Response> {
    if let Some(choice) = yijia_web::choose_community(&ctx, &a, &REPORTS, q.community).await? {
        return Ok(choice);
    }
    let chrome = Chrome::new(&ctx, "care.reports_title");
    let lang = chrome.lang();
    let (c, r) = build(&ctx, &a, &q, lang).await?;
    // The reader's reach, as the coverage above it: a grid worker's own grids.
    let reach = CommunityReach::of(&REPORTS, &a, &c.place());
    let year = trend::months(&ctx.state, &c, &reach, &months::ending(c.today(&ctx.state), 12)).await?;
    let charts = charts(&chrome, c.community_id, &r, &year);
    if !q.export.is_empty() {
        let stem = format!("care-{}", c.code);
        return Ok(yijia_web::chart::export(&charts, &q.export, &stem).ok_or(Error::NotFound)??);
    }
    let (grid, statuses) = wish_grid(&r, lang);
    render(ReportsPage {
        chrome,
        community_id: c.community_id,
        r,
        grid,
        statuses,
        charts,
    })
}

/// The coverage as parts of each grid's and each care group's households (visited on time,
/// paired but overdue, not paired), then the year's visits on time and households paired.
fn charts(chrome: &Chrome, community_id: i64, r: &Reports, year: &[Month]) -> Vec<Chart> {
    let t = |k: &str| chrome.t(k);
    let tr = &chrome.tr;
    let page = format!("/care/reports?community={community_id}");
    let coverage = |id: &str, title: &str, axis: &str, lines: &[CoverageLine]| {
        let of = |f: fn(&CoverageLine) -> usize| lines.iter().map(|l| Some(f(l) as f64)).collect::<Vec<_>>();
        Chart::new(
            tr,
            id,
            t(title),
            ChartKind::Stacked,
            t(axis),
            lines.iter().map(|l| l.label.clone()).collect(),
        )
        .unit(t("care.unit_households"))
        .series(t("care.on_time"), of(|l| l.on_time))
        .series(t("care.paired_overdue"), of(|l| l.paired.saturating_sub(l.on_time)))
        .series(t("care.unpaired"), of(|l| l.households.saturating_sub(l.paired)))
        .exported_from(&page)
    };
    let names: Vec<String> = year.iter().map(|m| m.name.clone()).collect();
    vec![
        coverage(
            "coverage_by_grid",
            "care.chart_coverage_by_grid",
            "care.grid",
            &r.by_grid,
        ),
        coverage(
            "coverage_by_group",
            "care.chart_coverage_by_group",
            "care.care_group",
            &r.by_group,
        ),
        Chart::new(
            tr,
            "on_time_trend",
            t("care.chart_on_time_trend"),
            ChartKind::Line,
            t("care.month"),
            names.clone(),
        )
        .percent()
        .series(t("care.on_time_rate"), year.iter().map(Month::on_time_rate).collect())
        .exported_from(&page),
        Chart::new(
            tr,
            "paired_trend",
            t("care.chart_paired_trend"),
            ChartKind::Bar,
            t("care.month"),
            names,
        )
        .unit(t("care.unit_households"))
        .series(
            t("care.paired_households"),
            year.iter().map(|m| m.paired.map(|n| n as f64)).collect(),
        )
        .exported_from(&page),
    ]
}

fn coverage_sheet(
    sheet: &mut Worksheet,
    t: &dyn Fn(&str) -> String,
    lines: &[CoverageLine],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (i, h) in [
        "care.report_name",
        "care.households",
        "care.paired",
        "care.pair_rate",
        "care.on_time",
        "care.on_time_rate",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(0, i as u16, t(h), bold)?;
    }
    sheet.set_column_width(0, 20)?;
    for (n, line) in lines.iter().enumerate() {
        let row = n as u32 + 1;
        sheet.write_string(row, 0, &line.label)?;
        sheet.write_number(row, 1, line.households as f64)?;
        sheet.write_number(row, 2, line.paired as f64)?;
        sheet.write_string(row, 3, line.rate(&line.paired))?;
        sheet.write_number(row, 4, line.on_time as f64)?;
        sheet.write_string(row, 5, line.rate(&line.on_time))?;
    }
    Ok(())
}

pub async fn xlsx(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ReportQuery>) -> WebResult<Response> {
    let lang = a.locale.as_str();
    let (c, r) = build(&ctx, &a, &q, lang).await?;
    let t = |k: &str| ctx.tr.t(k);
    let fail = |e: XlsxError| Error::Internal(e.into());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let mut total = r.total.clone();
    total.label = t("care.total");
    for (name, lines) in [
        (t("care.by_grid"), r.by_grid.clone()),
        (t("care.by_group"), r.by_group.clone()),
        (t("care.total"), vec![total]),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(fail)?;
        coverage_sheet(sheet, &t, &lines, &bold).map_err(fail)?;
    }
    let (grid, statuses) = wish_grid(&r, lang);
    let sheet = book.add_worksheet();
    sheet.set_name(t("care.wishes_by_stage")).map_err(fail)?;
    sheet
        .write_string_with_format(0, 0, t("care.category"), &bold)
        .map_err(fail)?;
    for (i, s) in statuses.iter().enumerate() {
        sheet
            .write_string_with_format(0, i as u16 + 1, *s, &bold)
            .map_err(fail)?;
    }
    for (n, (cat, counts)) in grid.iter().enumerate() {
        let row = n as u32 + 1;
        sheet.write_string(row, 0, *cat).map_err(fail)?;
        for (i, v) in counts.iter().enumerate() {
            sheet.write_number(row, i as u16 + 1, *v as f64).map_err(fail)?;
        }
    }
    let row = grid.len() as u32 + 2;
    sheet
        .write_string_with_format(row, 0, t("care.median_days"), &bold)
        .map_err(fail)?;
    if let Some(d) = r.median_days {
        sheet.write_number(row, 1, d).map_err(fail)?;
    }
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"care-{}.xlsx\"", c.code),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
