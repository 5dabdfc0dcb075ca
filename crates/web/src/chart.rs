//! The chart component: figures a page has already computed, drawn as a chart by the browser and
//! kept as a table beside it, so the page reads without JavaScript, a screen reader reads the
//! numbers, and the same figures leave as an .xlsx. The data travels in the page itself (one
//! attribute), never through another request; `app.js` loads the vendored Chart.js only on a page
//! that has a chart.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use yijia_kernel::i18n::Tr;
use yijia_kernel::Error;

/// How the series are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// Bars side by side, one colour a series.
    Bar,
    /// Bars of the series stacked: parts of a whole (hours by team in a month).
    Stacked,
    /// Lines over time.
    Line,
    /// Bars across the page, for long names (categories, grids).
    Across,
}

/// One row of figures: a value for each label, `None` where there is nothing to measure (a rate
/// of a month without appeals), which the table shows as "—" and the chart as a gap.
#[derive(Clone, Debug, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A chart with its table. `id` is unique on its page and names the export (`?export=id`).
#[derive(Clone, Debug, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub kind: ChartKind,
    /// What the labels are (月份, 分类, 网格): the table's first column.
    pub axis: String,
    /// The unit of the values (%, 小时, 件), shown in the table's headings.
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// Values are percentages: the axis stops at 100.
    pub percent: bool,
    /// Decimal places shown in the table.
    pub decimals: usize,
    #[serde(skip)]
    pub export_href: String,
    #[serde(skip)]
    words: Words,
}

/// The component's own words, in the reader's language.
#[derive(Clone, Debug, Default)]
struct Words {
    data: String,
    export: String,
    empty: String,
}

impl Chart {
    /// A chart of `labels` along `axis`; series are added with [`Chart::series`]. `page_href` is
    /// the page's own address with its query, to which the export adds `export=id`.
    pub fn new(tr: &Tr, id: &str, title: String, kind: ChartKind, axis: String, labels: Vec<String>) -> Chart {
        Chart {
            id: id.to_owned(),
            title,
            kind,
            axis,
            unit: String::new(),
            labels,
            series: Vec::new(),
            percent: false,
            decimals: 0,
            export_href: String::new(),
            words: Words {
                data: tr.t("chart.data"),
                export: tr.t("chart.export"),
                empty: tr.t("chart.empty"),
            },
        }
    }

    pub fn series(mut self, name: String, values: Vec<Option<f64>>) -> Chart {
        self.series.push(Series { name, values });
        self
    }

    pub fn unit(mut self, unit: String) -> Chart {
        self.unit = unit;
        self
    }

    /// Percentages, shown with one decimal.
    pub fn percent(mut self) -> Chart {
        self.percent = true;
        self.unit = "%".to_owned();
        self.decimals = 1;
        self
    }

    pub fn decimals(mut self, n: usize) -> Chart {
        self.decimals = n;
        self
    }

    /// Where its figures download as .xlsx: the page's address (path and query, without
    /// `export`) with `export=id` added.
    pub fn exported_from(mut self, page_href: &str) -> Chart {
        let sep = if page_href.contains('?') { "&" } else { "?" };
        self.export_href = format!("{page_href}{sep}export={}", self.id);
        self
    }

    /// Whether there is nothing to draw: no labels, or every value missing or zero.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
            || self
                .series
                .iter()
                .all(|s| s.values.iter().all(|v| v.is_none_or(|x| x == 0.0)))
    }

    /// A value as the table shows it.
    pub fn cell(&self, series: &Series, i: &usize) -> String {
        match series.values.get(*i).copied().flatten() {
            Some(v) => format!("{v:.*}", self.decimals),
            None => "—".to_owned(),
        }
    }

    /// A series' heading in the table: its name and the unit.
    pub fn heading(&self, series: &Series) -> String {
        if self.unit.is_empty() {
            series.name.clone()
        } else {
            format!("{}（{}）", series.name, self.unit)
        }
    }

    /// What the browser draws, as the `data-chart` attribute holds it.
    pub fn data(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A sentence for the drawn chart's accessible name; the table holds the figures.
    pub fn summary(&self) -> String {
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        format!("{}：{}", self.title, names.join("、"))
    }

    pub fn data_words(&self) -> &str {
        &self.words.data
    }

    pub fn export_words(&self) -> &str {
        &self.words.export
    }

    pub fn empty_words(&self) -> &str {
        &self.words.empty
    }
}

/// The chart `id` of `charts` as a workbook named `stem-id.xlsx` (labels down, series across),
/// or every chart, a sheet each, when `id` is `all`; `None` when no chart has that id.
pub fn export(charts: &[Chart], id: &str, stem: &str) -> Option<Result<Response, Error>> {
    let chosen: Vec<&Chart> = charts.iter().filter(|c| id == "all" || c.id == id).collect();
    if chosen.is_empty() {
        return None;
    }
    Some(workbook(&chosen).map(|bytes| {
        (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{stem}-{id}.xlsx\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response()
    }))
}

fn workbook(charts: &[&Chart]) -> Result<Vec<u8>, Error> {
    let fail = |e: XlsxError| Error::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (n, c) in charts.iter().enumerate() {
        let sheet = book.add_worksheet();
        // A sheet's name is at most 31 characters and unique; the title may be neither.
        let name: String = c
            .title
            .chars()
            .filter(|ch| !"[]:*?/\\".contains(*ch))
            .take(28)
            .collect();
        sheet
            .set_name(format!("{}{name}", if n > 0 { format!("{n} ") } else { String::new() }))
            .map_err(fail)?;
        sheet.write_string_with_format(0, 0, &c.axis, &bold).map_err(fail)?;
        sheet.set_column_width(0, 24).map_err(fail)?;
        for (j, s) in c.series.iter().enumerate() {
            let col = u16::try_from(j + 1).map_err(|e| Error::Internal(e.into()))?;
            sheet
                .write_string_with_format(0, col, c.heading(s), &bold)
                .map_err(fail)?;
            sheet.set_column_width(col, 14).map_err(fail)?;
        }
        for (i, label) in c.labels.iter().enumerate() {
            let row = u32::try_from(i + 1).map_err(|e| Error::Internal(e.into()))?;
            sheet.write_string(row, 0, label).map_err(fail)?;
            for (j, s) in c.series.iter().enumerate() {
                if let Some(v) = s.values.get(i).copied().flatten() {
                    sheet.write_number(row, (j + 1) as u16, v).map_err(fail)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// A small trend line drawn on the server (an SVG path in a 100 × 24 box): for a figure beside
/// others in a table row, where a whole chart would be too much. Missing values break the line.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    if values.len() < 2 || known.is_empty() {
        return String::new();
    }
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = 100.0 / (values.len() - 1) as f64;
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let x = i as f64 * step;
                let y = 22.0 - (v - lo) / span * 20.0;
                d.push_str(&format!("{}{x:.1} {y:.1} ", if pen_down { "L" } else { "M" }));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_spans_the_box_and_breaks_at_a_gap() {
        let d = sparkline(&[Some(1.0), Some(3.0), None, Some(2.0)]);
        // lowest at the bottom (22), highest at the top (2), a new stroke after the gap
        assert_eq!(d, "M0.0 22.0 L33.3 2.0 M100.0 12.0");
        assert_eq!(sparkline(&[Some(5.0)]), "");
        assert_eq!(sparkline(&[None, None]), "");
        // a flat line sits at the bottom rather than dividing by zero
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)]), "M0.0 22.0 L100.0 22.0");
    }
}
