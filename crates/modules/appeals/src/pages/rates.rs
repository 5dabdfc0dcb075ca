//! The rates dashboard: a month's 响应率, 解决率, 满意率, on-time rate and handling time for
//! the community and by party, category and grid, with bars drawn in SVG, and the same tables
//! as an .xlsx for the monthly report.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::{Actor, AppState, Error, Result};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use crate::permissions::RATES;
use crate::query::only_community;
use crate::rates::{parse_month, report, Rates, Report};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RatesQuery {
    pub community: Option<i64>,
    pub month: String,
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
        m => parse_month(m).ok_or_else(|| Error::field("month", "appeals.bad_month"))?,
    };
    Ok((c, month))
}

#[derive(Template)]
#[template(path = "rates.html")]
struct RatesPage {
    chrome: Chrome,
    r: Report,
    community_name: String,
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
    render(RatesPage {
        chrome: Chrome::new(&ctx, "appeals.rates"),
        r,
        community_name: c.name,
    })
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
