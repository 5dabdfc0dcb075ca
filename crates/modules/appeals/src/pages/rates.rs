//! The rates dashboard: a month's 响应率, 解决率, 满意率, on-time rate and handling time for
//! the community and by party, category and grid, with bars drawn in SVG, and the same tables
//! as an .xlsx for the monthly report.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::months;
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_web::chart::{Chart, ChartKind};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use crate::permissions::RATES;
use crate::query::only_community;
use crate::rates::{report, trend, Rates, Report};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RatesQuery {
    pub community: Option<i64>,
    pub month: String,
    /// A chart's figures as .xlsx (`trend`, `by_category`…), or `all`.
    pub export: String,
}

/// The community and month asked for, when the actor may see that community's rates. The month
/// defaults to the current one in the community's time zone.
pub async fn allowed(
    state: &AppState,
    actor: &Actor,
    community: Option<i64>,
    month: &str,
) -> Result<(CommunityAt, jiff::civil::Date)> {
    let id = community.or_else(|| only_community(actor)).ok_or(Error::NotFound)?;
    let c = crate::commands::community(state, id).await?;
    if !RATES.allows(actor, &c.place()) {
        return Err(Error::NotFound);
    }
    let month = match month.trim() {
        "" => yijia_kernel::community::today_in(state, &c.time_zone).first_of_month(),
        m => months::parse(m).ok_or_else(|| Error::field("month", "appeals.bad_month"))?,
    };
    Ok((c, month))
}

#[derive(Template)]
#[template(path = "rates.html")]
struct RatesPage {
    chrome: Chrome,
    r: Report,
    community_name: String,
    charts: Vec<Chart>,
}

impl RatesPage {
    fn pct(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:.1}%")).unwrap_or_else(|| "—".to_owned())
    }

    fn hours(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".to_owned())
    }

    /// A bar's width in an SVG of 100 units.
    fn bar(&self, v: &Option<f64>) -> String {
        format!("{:.1}", v.unwrap_or(0.0).clamp(0.0, 100.0))
    }

    fn name<'a>(&self, r: &'a Rates) -> std::borrow::Cow<'a, str> {
        if r.name.is_empty() {
            std::borrow::Cow::Owned(self.chrome.t("appeals.none_yet"))
        } else {
            std::borrow::Cow::Borrowed(r.name.as_str())
        }
    }

    fn groups(&self) -> Vec<(String, &Vec<Rates>)> {
        vec![
            (self.chrome.t("appeals.by_party"), &self.r.by_party),
            (self.chrome.t("appeals.by_category"), &self.r.by_category),
            (self.chrome.t("appeals.by_grid"), &self.r.by_grid),
        ]
    }
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<RatesQuery>) -> WebResult<Response> {
    if let Some(choice) = yijia_web::choose_community(&ctx, &a, &crate::permissions::RATES, q.community).await? {
        return Ok(choice);
    }
    let (c, month) = allowed(&ctx.state, &a, q.community, &q.month).await?;
    let r = report(&ctx.state, &c, month).await?;
    let year = trend(&ctx.state, &c, &months::ending(month, 12)).await?;
    let chrome = Chrome::new(&ctx, "appeals.rates");
    let charts = charts(&chrome, &r, &year);
    if !q.export.is_empty() {
        let stem = format!("appeal-rates-{}-{}", c.code, r.month);
        return Ok(yijia_web::chart::export(&charts, &q.export, &stem).ok_or(Error::NotFound)??);
    }
    render(RatesPage {
        chrome,
        r,
        community_name: c.name,
        charts,
    })
}

/// The month's report and the year before it as charts: the rates and the count month by
/// month, then where this month's appeals came from and how each party handled them.
fn charts(chrome: &Chrome, r: &Report, year: &[Rates]) -> Vec<Chart> {
    let t = |k: &str| chrome.t(k);
    let page = format!("/appeals/rates?community={}&month={}", r.community_id, r.month);
    let months: Vec<String> = year.iter().map(|m| m.name.clone()).collect();
    let of = |f: fn(&Rates) -> Option<f64>| year.iter().map(f).collect::<Vec<_>>();
    let named = |rows: &[Rates]| -> Vec<String> {
        rows.iter()
            .map(|x| {
                if x.name.is_empty() {
                    t("appeals.none_yet")
                } else {
                    x.name.clone()
                }
            })
            .collect()
    };
    let counts = |rows: &[Rates]| rows.iter().map(|x| Some(x.counts.total as f64)).collect::<Vec<_>>();
    let tr = &chrome.tr;
    vec![
        Chart::new(
            tr,
            "trend",
            t("appeals.chart_trend_rates"),
            ChartKind::Line,
            t("appeals.month"),
            months.clone(),
        )
        .percent()
        .series(t("appeals.rate_response"), of(|m| m.response))
        .series(t("appeals.rate_solved"), of(|m| m.solved))
        .series(t("appeals.rate_satisfaction"), of(|m| m.satisfaction))
        .series(t("appeals.rate_on_time"), of(|m| m.on_time))
        .exported_from(&page),
        Chart::new(
            tr,
            "count",
            t("appeals.chart_trend_count"),
            ChartKind::Bar,
            t("appeals.month"),
            months,
        )
        .unit(t("appeals.unit_items"))
        .series(
            t("appeals.count_total"),
            year.iter().map(|m| Some(m.counts.total as f64)).collect(),
        )
        .exported_from(&page),
        Chart::new(
            tr,
            "by_category",
            t("appeals.chart_by_category"),
            ChartKind::Across,
            t("appeals.by_category"),
            named(&r.by_category),
        )
        .unit(t("appeals.unit_items"))
        .series(t("appeals.count_total"), counts(&r.by_category))
        .exported_from(&page),
        Chart::new(
            tr,
            "by_grid",
            t("appeals.chart_by_grid"),
            ChartKind::Across,
            t("appeals.by_grid"),
            named(&r.by_grid),
        )
        .unit(t("appeals.unit_items"))
        .series(t("appeals.count_total"), counts(&r.by_grid))
        .exported_from(&page),
        Chart::new(
            tr,
            "by_party",
            t("appeals.chart_by_party"),
            ChartKind::Across,
            t("appeals.by_party"),
            named(&r.by_party),
        )
        .percent()
        .series(
            t("appeals.rate_on_time"),
            r.by_party.iter().map(|x| x.on_time).collect(),
        )
        .series(
            t("appeals.rate_satisfaction"),
            r.by_party.iter().map(|x| x.satisfaction).collect(),
        )
        .exported_from(&page),
    ]
}

/// The report as a workbook: one sheet per dimension, counts beside the rates.
pub async fn xlsx(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<RatesQuery>) -> WebResult<Response> {
    let (c, month) = allowed(&ctx.state, &a, q.community, &q.month).await?;
    let r = report(&ctx.state, &c, month).await?;
    let t = |k: &str| ctx.tr.t(k);
    let heads: Vec<String> = [
        "appeals.name",
        "appeals.count_total",
        "appeals.count_declined",
        "appeals.rate_response",
        "appeals.rate_solved",
        "appeals.rate_satisfaction",
        "appeals.rate_on_time",
        "appeals.avg_hours",
        "appeals.count_rated",
        "appeals.count_replied",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let total = vec![r.total.clone()];
    for (name, rows) in [
        (t("appeals.total"), &total),
        (t("appeals.by_party"), &r.by_party),
        (t("appeals.by_category"), &r.by_category),
        (t("appeals.by_grid"), &r.by_grid),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(&name).map_err(fail)?;
        for (i, h) in heads.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, h, &bold).map_err(fail)?;
        }
        sheet.set_column_width(0, 24).map_err(fail)?;
        for (n, x) in rows.iter().enumerate() {
            let row = n as u32 + 1;
            let label = if x.name.is_empty() {
                t("appeals.none_yet")
            } else {
                x.name.clone()
            };
            sheet.write_string(row, 0, &label).map_err(fail)?;
            sheet.write_number(row, 1, x.counts.total as f64).map_err(fail)?;
            sheet.write_number(row, 2, x.counts.declined as f64).map_err(fail)?;
            for (col, v) in [
                (3, x.response),
                (4, x.solved),
                (5, x.satisfaction),
                (6, x.on_time),
                (7, x.avg_handling_hours),
            ] {
                if let Some(v) = v {
                    sheet.write_number(row, col, v).map_err(fail)?;
                }
            }
            sheet.write_number(row, 8, x.counts.rated as f64).map_err(fail)?;
            sheet.write_number(row, 9, x.counts.replied as f64).map_err(fail)?;
        }
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
                format!("attachment; filename=\"appeal-rates-{}-{}.xlsx\"", c.code, r.month),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
