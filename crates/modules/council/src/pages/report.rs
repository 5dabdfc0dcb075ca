//! The council's report for staff and supervisors: a year of participation month by month, as
//! charts with their tables, each downloadable as .xlsx.

use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use yijia_kernel::{months, Error};
use yijia_web::chart::{Chart, ChartKind};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use super::community_of;
use crate::permissions::READ;
use crate::report::{self, Month};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub community: Option<i64>,
    /// The last month shown, `YYYY-MM`; this month when empty.
    pub month: String,
    /// A chart's figures as .xlsx (`topics`, `turnout`…), or `all`.
    pub export: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    community_id: i64,
    community_name: String,
    month: String,
    charts: Vec<Chart>,
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ReportQuery>) -> WebResult<Response> {
    if let Some(choice) = yijia_web::choose_community(&ctx, &a, &READ, q.community).await? {
        return Ok(choice);
    }
    let id = community_of(q.community, &a)?;
    let c = crate::commands::community(&ctx.state, id).await?;
    if !READ.allows(&a, &c.place()) {
        return Err(Error::NotFound.into());
    }
    let month = match q.month.trim() {
        "" => c.today(&ctx.state).first_of_month(),
        m => months::parse(m).ok_or_else(|| Error::field("month", "council.bad_month"))?,
    };
    let year = report::months(&ctx.state, &c, &months::ending(month, 12)).await?;
    let chrome = Chrome::new(&ctx, "council.report_title");
    let month = months::name(month);
    let charts = charts(&chrome, c.community_id, &month, &year);
    if !q.export.is_empty() {
        let stem = format!("council-{}-{month}", c.code);
        return Ok(yijia_web::chart::export(&charts, &q.export, &stem).ok_or(Error::NotFound)??);
    }
    render(ReportPage {
        chrome,
        community_id: c.community_id,
        community_name: c.name,
        month,
        charts,
    })
}

/// Raising and discussing topics, meeting, and voting, month by month.
fn charts(chrome: &Chrome, community_id: i64, month: &str, year: &[Month]) -> Vec<Chart> {
    let t = |k: &str| chrome.t(k);
    let tr = &chrome.tr;
    let page = format!("/council/report?community={community_id}&month={month}");
    let names: Vec<String> = year.iter().map(|m| m.name.clone()).collect();
    let of = |f: fn(&Month) -> i64| year.iter().map(|m| Some(f(m) as f64)).collect::<Vec<_>>();
    let chart =
        |id: &str, title: &str, kind: ChartKind| Chart::new(tr, id, t(title), kind, t("council.month"), names.clone());
    vec![
        chart("topics", "council.chart_topics", ChartKind::Bar)
            .series(t("council.series_topics"), of(|m| m.topics))
            .series(t("council.series_cosigns"), of(|m| m.cosigns))
            .series(t("council.series_comments"), of(|m| m.comments))
            .exported_from(&page),
        chart("meetings", "council.chart_meetings", ChartKind::Bar)
            .series(t("council.series_meetings"), of(|m| m.meetings))
            .series(t("council.series_sign_ins"), of(|m| m.sign_ins))
            .exported_from(&page),
        chart("votes", "council.chart_votes", ChartKind::Bar)
            .series(t("council.series_votes"), of(|m| m.votes))
            .series(t("council.series_electors"), of(|m| m.electors))
            .series(t("council.series_voted"), of(|m| m.voted))
            .exported_from(&page),
        chart("turnout", "council.chart_turnout", ChartKind::Line)
            .percent()
            .series(t("council.series_turnout"), year.iter().map(Month::turnout).collect())
            .exported_from(&page),
    ]
}
