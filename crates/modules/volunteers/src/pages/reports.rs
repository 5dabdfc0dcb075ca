//! The staff reports for a year or one month of it: hours by team and by grid per month,
//! activities held, attendances and people served, the volunteers who served most; and the same
//! as an .xlsx.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_web::chart::{Chart, ChartKind};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use super::community_of;
use crate::commands;
use crate::model::rules;
use crate::permissions::REPORTS;
use crate::reports::{self, Line, Report};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub community: Option<i64>,
    pub year: Option<i16>,
    /// 1–12 for one month's report; none or empty (the page's "whole year") for the year's.
    pub month: Option<String>,
    /// A chart's figures as .xlsx (`hours_by_team`, `held`…), or `all`.
    pub export: String,
}

/// The community, year and month asked for, when the actor may read that community's reports.
pub async fn allowed(state: &AppState, actor: &Actor, q: &ReportQuery) -> Result<(CommunityAt, i16, Option<i8>)> {
    let id = community_of(q.community, actor)?;
    let c = commands::community(state, id).await?;
    if !REPORTS.allows(actor, &c.place()) {
        return Err(Error::NotFound);
    }
    let this = rules::local_date(state.now_ms(), &c.tz()).year();
    let year = match q.year {
        None => this,
        Some(y) if (2000..=this + 1).contains(&y) => y,
        Some(_) => return Err(Error::field("year", "volunteers.bad_year")),
    };
    let month = match q.month.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) => match m.parse::<i8>() {
            Ok(m) if (1..=12).contains(&m) => Some(m),
            _ => return Err(Error::field("month", "volunteers.bad_month")),
        },
    };
    Ok((c, year, month))
}

/// The months a report shows: the one asked for, or all twelve (0 = January).
fn columns(month: Option<i8>) -> Vec<usize> {
    match month {
        Some(m) => vec![usize::from(m.unsigned_abs()).clamp(1, 12) - 1],
        None => (0..12).collect(),
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    chrome: Chrome,
    community_id: i64,
    r: Report,
    charts: Vec<Chart>,
}

impl ReportPage {
    fn hours(&self, minutes: &i64) -> String {
        rules::hours(*minutes)
    }
    fn is_month(&self, m: &i8) -> bool {
        self.r.month == Some(*m)
    }
    /// Title, heading of the names' column, lines: the period's hours of each team and grid
    /// (the charts hold them month by month).
    fn tables(&self) -> [(&'static str, &'static str, &[Line]); 2] {
        [
            ("volunteers.by_team", "volunteers.team", &self.r.by_team),
            ("volunteers.by_grid", "volunteers.grids", &self.r.by_grid),
        ]
    }
    /// The period's totals: label, value.
    fn totals(&self) -> [(&'static str, String); 4] {
        let sum = |v: &[i64; 12]| v.iter().sum::<i64>().to_string();
        [
            ("volunteers.hours", rules::hours(self.r.total.total)),
            ("volunteers.activities_held", sum(&self.r.held)),
            ("volunteers.attendances", sum(&self.r.attendances)),
            ("volunteers.served", sum(&self.r.served)),
        ]
    }
    /// A month's name ("3月", "Month 3") from its number, 1–12.
    fn month_name(&self, n: impl std::fmt::Display) -> String {
        month_name(&self.chrome, n)
    }
}

fn month_name(chrome: &Chrome, n: impl std::fmt::Display) -> String {
    chrome.tr.tf("volunteers.month_n", &[("n", n.to_string())])
}

/// The report as charts, month by month over the months shown: the hours of each team (parts
/// of the month's whole) and of each grid (an activity may serve several grids, so these are
/// side by side, not stacked), the activities held, and the people who took part and were served.
fn charts(chrome: &Chrome, community_id: i64, r: &Report) -> Vec<Chart> {
    let t = |k: &str| chrome.t(k);
    let tr = &chrome.tr;
    let cols = columns(r.month);
    let page = format!(
        "/volunteers/reports?community={community_id}&year={}{}",
        r.year,
        r.month.map(|m| format!("&month={m}")).unwrap_or_default()
    );
    let labels: Vec<String> = cols.iter().map(|i| month_name(chrome, i + 1)).collect();
    let hours = |line: &Line| {
        cols.iter()
            .map(|i| Some(reports::hours(line.months[*i])))
            .collect::<Vec<_>>()
    };
    let counts = |v: &[i64; 12]| cols.iter().map(|i| Some(v[*i] as f64)).collect::<Vec<_>>();
    let by = |id: &str, title: &str, kind: ChartKind, lines: &[Line]| {
        lines.iter().fold(
            Chart::new(tr, id, t(title), kind, t("volunteers.month"), labels.clone())
                .unit(t("volunteers.unit_hours"))
                .decimals(1),
            |c, l| c.series(l.name.clone(), hours(l)),
        )
    };
    vec![
        by(
            "hours_by_team",
            "volunteers.chart_hours_by_team",
            ChartKind::Stacked,
            &r.by_team,
        )
        .exported_from(&page),
        by(
            "hours_by_grid",
            "volunteers.chart_hours_by_grid",
            ChartKind::Bar,
            &r.by_grid,
        )
        .exported_from(&page),
        Chart::new(
            tr,
            "held",
            t("volunteers.chart_held"),
            ChartKind::Bar,
            t("volunteers.month"),
            labels.clone(),
        )
        .unit(t("volunteers.unit_activities"))
        .series(t("volunteers.series_held"), counts(&r.held))
        .exported_from(&page),
        Chart::new(
            tr,
            "people",
            t("volunteers.chart_people"),
            ChartKind::Bar,
            t("volunteers.month"),
            labels,
        )
        .unit(t("volunteers.unit_people"))
        .series(t("volunteers.series_attendances"), counts(&r.attendances))
        .series(t("volunteers.series_served"), counts(&r.served))
        .exported_from(&page),
    ]
}

/// The name of the report's workbooks, without `.xlsx`: `volunteer-hours-XLG-2026(-11)`.
fn stem(c: &CommunityAt, year: i16, month: Option<i8>) -> String {
    format!(
        "volunteer-hours-{}-{year}{}",
        c.code,
        month.map(|m| format!("-{m:02}")).unwrap_or_default()
    )
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ReportQuery>) -> WebResult<Response> {
    if let Some(choice) = yijia_web::choose_community(&ctx, &a, &REPORTS, q.community).await? {
        return Ok(choice);
    }
    let (c, year, month) = allowed(&ctx.state, &a, &q).await?;
    let r = reports::build(&ctx.state, &c, year, month).await?;
    let chrome = Chrome::new(&ctx, "volunteers.nav_reports");
    let charts = charts(&chrome, c.community_id, &r);
    if !q.export.is_empty() {
        return Ok(yijia_web::chart::export(&charts, &q.export, &stem(&c, year, month)).ok_or(Error::NotFound)??);
    }
    render(ReportPage {
        chrome,
        community_id: c.community_id,
        r,
        charts,
    })
}

pub async fn xlsx(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ReportQuery>) -> WebResult<Response> {
    let (c, year, month) = allowed(&ctx.state, &a, &q).await?;
    let r = reports::build(&ctx.state, &c, year, month).await?;
    let t = |k: &str| ctx.tr.t(k);
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let cols = columns(month);
    let months: Vec<String> = cols.iter().map(|i| format!("{year}-{:02}", i + 1)).collect();
    let total = vec![r.total.clone()];
    for (name, rows) in [
        (t("volunteers.by_team"), &r.by_team),
        (t("volunteers.by_grid"), &r.by_grid),
        (t("volunteers.total"), &total),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(fail)?;
        sheet.write_string_with_format(0, 0, &name, &bold).map_err(fail)?;
        for (i, m) in months.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16 + 1, m, &bold)
                .map_err(fail)?;
        }
        sheet
            .write_string_with_format(0, cols.len() as u16 + 1, t("volunteers.total"), &bold)
            .map_err(fail)?;
        sheet.set_column_width(0, 20).map_err(fail)?;
        for (n, line) in rows.iter().enumerate() {
            write_hours(sheet, n as u32 + 1, line, &cols).map_err(fail)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name(t("volunteers.top")).map_err(fail)?;
    for (i, h) in ["volunteers.name", "volunteers.hours", "volunteers.service_count"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, i as u16, t(h), &bold).map_err(fail)?;
    }
    for (n, top) in r.top.iter().enumerate() {
        let row = n as u32 + 1;
        sheet.write_string(row, 0, &top.name).map_err(fail)?;
        sheet.write_number(row, 1, top.minutes as f64 / 60.0).map_err(fail)?;
        sheet.write_number(row, 2, top.activities as f64).map_err(fail)?;
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
                format!("attachment; filename=\"{}.xlsx\"", stem(&c, year, month)),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// One line of hours: its name, the hours of each month shown, the period's.
fn write_hours(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    line: &Line,
    cols: &[usize],
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    sheet.write_string(row, 0, &line.name)?;
    for (n, i) in cols.iter().enumerate() {
        sheet.write_number(row, n as u16 + 1, line.months[*i] as f64 / 60.0)?;
    }
    sheet.write_number(row, cols.len() as u16 + 1, line.total as f64 / 60.0)?;
    Ok(())
}
