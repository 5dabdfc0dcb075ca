//! The registry's pages: the resident list and search, a household with its members, owners,
//! visits and history, a resident with masked numbers and audited reveals, the visits due, the
//! numbers by grid and building, and a resident's own data.

pub mod household;
pub mod list;
pub mod me;
pub mod numbers;
pub mod resident;
pub mod visits;

use std::borrow::Cow;

use jiff::civil::Date;
use yijia_kernel::{AppState, Result};

use crate::commands::care_tag::Tag;
use crate::model::vocab::ETHNICITIES;
use crate::model::{
    age_on, ethnicity_label, AreaSource, CareGroup, DisabilityCategory, Gender, HoldingKind, IdType, Political,
    Relation, Residence,
};
use crate::repo::ResidentRow;

/// One option of a select.
pub struct Opt {
    pub code: Cow<'static, str>,
    pub label: Cow<'static, str>,
}

fn opts<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            code: Cow::Borrowed(code(*v)),
            label: Cow::Borrowed(label(*v)),
        })
        .collect()
}

/// The options of every closed list, in the reader's language.
pub struct Choices {
    pub gender: Vec<Opt>,
    pub id_type: Vec<Opt>,
    pub relation: Vec<Opt>,
    pub residence: Vec<Opt>,
    pub political: Vec<Opt>,
    pub ethnicity: Vec<Opt>,
    pub care: Vec<Opt>,
    pub disability: Vec<Opt>,
    pub holding: Vec<Opt>,
    pub area_source: Vec<Opt>,
}

impl Choices {
    /// The choices in a community: its own care groups follow the national ones.
    pub async fn of(state: &AppState, community_id: i64, lang: &'static str) -> Result<Choices> {
        let custom =
            yijia_kernel::settings::get_list(&state.db, community_id, &crate::model::CUSTOM_CARE_GROUPS).await?;
        Ok(Choices::new(lang, &custom))
    }

    fn new(lang: &'static str, custom_care: &[String]) -> Choices {
        Choices {
            gender: opts(Gender::ALL, Gender::as_str, |v| v.label(lang)),
            id_type: opts(IdType::ALL, IdType::as_str, |v| v.label(lang)),
            relation: opts(Relation::ALL, Relation::as_str, |v| v.label(lang)),
            residence: opts(Residence::ALL, Residence::as_str, |v| v.label(lang)),
            political: opts(Political::ALL, Political::as_str, |v| v.label(lang)),
            ethnicity: ETHNICITIES
                .iter()
                .map(|(code, zh, en)| Opt {
                    code: Cow::Borrowed(code),
                    label: Cow::Borrowed(if lang == "en" { en } else { zh }),
                })
                .collect(),
            care: CareGroup::all(custom_care)
                .into_iter()
                .map(|g| Opt {
                    code: g.code(),
                    label: g.label(lang),
                })
                .collect(),
            disability: opts(DisabilityCategory::ALL, DisabilityCategory::as_str, |v| v.label(lang)),
            holding: opts(HoldingKind::ALL, HoldingKind::as_str, |v| v.label(lang)),
            area_source: opts(AreaSource::ALL, AreaSource::as_str, |v| v.label(lang)),
        }
    }
}

/// A resident made ready for a page: labels in the reader's language, age, current tags.
pub struct ResidentView {
    pub row: ResidentRow,
    pub age: Option<i64>,
    pub gender: &'static str,
    pub relation: &'static str,
    pub residence: &'static str,
    pub political: &'static str,
    pub ethnicity: &'static str,
    pub id_type: &'static str,
    /// Labels of the current care-group tags (empty for those who may not see them).
    pub tags: Vec<Cow<'static, str>>,
}

impl ResidentView {
    pub fn new(row: ResidentRow, lang: &'static str, today: Date, tags: &[Tag]) -> ResidentView {
        let birth = row.birth_date.as_deref().and_then(crate::model::parse_date);
        ResidentView {
            age: birth.map(|b| age_on(b, today)),
            gender: Gender::parse(&row.gender).map_or("", |v| v.label(lang)),
            relation: Relation::parse(&row.relation).map_or("", |v| v.label(lang)),
            residence: Residence::parse(&row.residence).map_or("", |v| v.label(lang)),
            political: Political::parse(&row.political).map_or("", |v| v.label(lang)),
            ethnicity: ethnicity_label(&row.ethnicity, lang),
            id_type: IdType::parse(&row.id_type).map_or("", |v| v.label(lang)),
            tags: tags
                .iter()
                .filter(|t| t.resident_id == row.resident_id && t.current)
                .map(|t| t.group().label(lang))
                .collect(),
            row,
        }
    }

    pub fn tag_list(&self) -> String {
        self.tags.join("、")
    }

    pub fn age_text(&self) -> String {
        self.age.map(|a| a.to_string()).unwrap_or_default()
    }
}

/// A history line's kind (`resident.move`) in the reader's language.
pub fn event_label(chrome: &yijia_web::Chrome, kind: &str) -> String {
    chrome.t(&format!("registry.event_{}", kind.replace('.', "_")))
}

/// A history line's detail in the reader's language: the fields a `resident.update` changed
/// (stored as column names) by their labels.
fn event_detail(chrome: &yijia_web::Chrome, kind: &str, detail: String) -> String {
    if kind != "resident.update" {
        return detail;
    }
    let label = |column: &str| {
        let field = match column {
            "id_masked" => "id_number",
            "has_health" => "health",
            c => c.trim_end_matches("_masked"),
        };
        let key = format!("registry.{field}");
        let text = chrome.t(&key);
        if text == key {
            column.to_owned()
        } else {
            text
        }
    };
    detail.split(", ").map(label).collect::<Vec<_>>().join(", ")
}

/// A line of a history as shown: when (in the community's time zone), what, detail, who.
pub struct HistoryLine {
    pub when: String,
    pub what: String,
    pub detail: String,
    pub who: String,
}

pub fn history_lines(chrome: &yijia_web::Chrome, tz: &str, rows: Vec<crate::repo::EventRow>) -> Vec<HistoryLine> {
    rows.into_iter()
        .map(|e| HistoryLine {
            when: yijia_kernel::clock::format_local(e.at, tz),
            what: event_label(chrome, &e.kind),
            detail: event_detail(chrome, &e.kind, e.detail),
            who: e.actor_label,
        })
        .collect()
}

pub use yijia_web::respond;
