//! Importing residents from a spreadsheet, and exporting them into one.
//!
//! An import happens in two steps so nothing is written on a guess: the upload is read and every
//! row checked (the same [`ResidentInput::parse`](crate::model::ResidentInput::parse) as the
//! form, plus addresses and duplicates), and the rows are stored sealed with their errors as a
//! preview; committing then writes the accepted rows in one transaction, all or nothing. A closed
//! browser comes back to its previews from the list of imports.
//!
//! The import table keeps personal data only as long as it is needed (PIPL art. 19): committing
//! deletes the accepted rows (they now live in the registry), cancelling deletes every row; the
//! rejected rows stay for the error report until the import is cancelled.
//!
//! Exports are masked unless the person holds `EXPORT_UNMASKED`, and every export is audited
//! with its filter and count, never its data.

mod api;
mod check;
mod commit;
mod export;
#[cfg(test)]
mod never_panic;
mod owners;
mod pages;
mod read;
mod store;

use std::collections::BTreeMap;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use yijia_kernel::i18n::Tr;
use yijia_kernel::AppState;

pub use api::openapi;
pub use commit::{cancel, commit, import_bytes, import_file, summary, Committed, ImportSummary, RejectedRow};
pub use export::{export, template, ExportFile, ExportFormat, ExportOptions};
pub use read::{read_sheet, read_sheet_of, RawRow, Sheet, MAX_ROWS};

/// The largest upload an import accepts: a 200 000-row sheet as CSV is about 30 MB. The
/// import routes carry this limit instead of the global `max_body_bytes`.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// How many rejected rows a preview shows (the error report has them all).
pub const PREVIEW_ROWS: usize = 200;

/// A column of the import sheet, in the template's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    Building,
    Unit,
    Room,
    Name,
    Gender,
    BirthDate,
    Ethnicity,
    IdType,
    IdNumber,
    Phone,
    Phone2,
    Relation,
    Residence,
    MovedInOn,
    Occupation,
    Employer,
    Political,
    PartyBranch,
    Veteran,
    Notes,
    /// Written by the export for the reader; read back and ignored, so an exported sheet can be
    /// imported again.
    Grid,
    // The owners' register (业主名册) only.
    /// 建筑面积: the building area of the unit.
    Area,
    /// 专有部分面积: the exclusive area, which owners' votes count (DOMAIN.md §1).
    ExclusiveArea,
    /// 产权人: one or several owners in one cell.
    Owners,
    /// 证件号码 of the owners, in the same order.
    OwnerIds,
    /// 产权证号: read for the reader's check, not stored.
    Certificate,
    /// 面积来源: 登记, 测绘 or 合同; the register's figure when empty.
    AreaSource,
}

/// What an import's file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// The residents' sheet: one person a row.
    Residents,
    /// The owners' register (业主名册): one unit a row, with its owners and areas.
    Owners,
}

impl ImportKind {
    /// `residents` or `owners`, as stored and as the API takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Residents => "residents",
            ImportKind::Owners => "owners",
        }
    }

    /// The kind named by its code; an empty one is the residents' sheet.
    pub fn parse(s: &str) -> Option<ImportKind> {
        match s.trim() {
            "" | "residents" => Some(ImportKind::Residents),
            "owners" => Some(ImportKind::Owners),
            _ => None,
        }
    }

    /// The columns a file of this kind may have, in its template's order.
    pub fn columns(self) -> &'static [ColumnDef] {
        match self {
            ImportKind::Residents => resident_columns(),
            ImportKind::Owners => OWNER_COLUMNS,
        }
    }
}

/// One column: its code (the English header, the key in stored rows and errors), its Chinese
/// header, and whether a sheet must have it.
pub struct ColumnDef {
    pub col: Col,
    pub code: &'static str,
    pub zh: &'static str,
    pub required: bool,
}

const fn def(col: Col, code: &'static str, zh: &'static str, required: bool) -> ColumnDef {
    ColumnDef {
        col,
        code,
        zh,
        required,
    }
}

/// Every column, in the template's order (the grid last: only exports write it).
pub const COLUMNS: &[ColumnDef] = &[
    def(Col::Building, "building", "楼栋编号", true),
    def(Col::Unit, "unit", "单元编号", true),
    def(Col::Room, "room", "房号", true),
    def(Col::Name, "name", "姓名", true),
    def(Col::Gender, "gender", "性别", false),
    def(Col::BirthDate, "birth_date", "出生日期", false),
    def(Col::Ethnicity, "ethnicity", "民族", false),
    def(Col::IdType, "id_type", "证件类型", false),
    def(Col::IdNumber, "id_number", "证件号码", false),
    def(Col::Phone, "phone", "联系电话", false),
    def(Col::Phone2, "phone2", "备用电话", false),
    def(Col::Relation, "relation", "与户主关系", false),
    def(Col::Residence, "residence", "居住状态", false),
    def(Col::MovedInOn, "moved_in_on", "入住日期", false),
    def(Col::Occupation, "occupation", "职业", false),
    def(Col::Employer, "employer", "工作单位", false),
    def(Col::Political, "political", "政治面貌", false),
    def(Col::PartyBranch, "party_branch", "所在党支部", false),
    def(Col::Veteran, "veteran", "退役军人", false),
    def(Col::Notes, "notes", "备注", false),
    def(Col::Grid, "grid", "所在网格", false),
    def(Col::Area, "area", "建筑面积", false),
    def(Col::ExclusiveArea, "exclusive_area", "专有部分面积", false),
    def(Col::Owners, "owners", "产权人", false),
    def(Col::OwnerIds, "owner_ids", "产权人证件号码", false),
    def(Col::Certificate, "certificate", "产权证号", false),
    def(Col::AreaSource, "area_source", "面积来源", false),
];

/// The columns of the owners' register, in its template's order. Its headers are the ones the
/// real-estate register's extracts use (楼栋, not 楼栋编号); the residents' headers are read too.
pub const OWNER_COLUMNS: &[ColumnDef] = &[
    def(Col::Building, "building", "楼栋", true),
    def(Col::Unit, "unit", "单元", true),
    def(Col::Room, "room", "房号", true),
    def(Col::Area, "area", "建筑面积", false),
    def(Col::ExclusiveArea, "exclusive_area", "专有部分面积", false),
    def(Col::Owners, "owners", "产权人", true),
    def(Col::OwnerIds, "owner_ids", "证件号码", false),
    def(Col::Certificate, "certificate", "产权证号", false),
    def(Col::AreaSource, "area_source", "面积来源", false),
    def(Col::Notes, "notes", "备注", false),
];

/// The columns of the residents' sheet (up to the export's grid column).
pub fn resident_columns() -> &'static [ColumnDef] {
    &COLUMNS[..=Col::Grid as usize]
}

/// The columns of the template (all but the export's grid column).
pub fn template_columns() -> impl Iterator<Item = &'static ColumnDef> {
    resident_columns().iter().filter(|c| c.col != Col::Grid)
}

impl Col {
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn def(self) -> &'static ColumnDef {
        &COLUMNS[self.index()]
    }

    pub fn code(self) -> &'static str {
        self.def().code
    }

    /// The column's header for a reader: Chinese, or the code for English readers.
    pub fn header(self, lang: &str) -> &'static str {
        if lang == "en" {
            self.code()
        } else {
            self.def().zh
        }
    }

    /// The column whose code is `code`.
    pub fn from_code(code: &str) -> Option<Col> {
        COLUMNS.iter().find(|c| c.code == code).map(|c| c.col)
    }
}

/// Everything wrong with one value of a row: the column's code (or `row`), a translation key
/// and its arguments. Stored as JSON with the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub column: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
}

impl RowError {
    pub fn new(col: Col, code: &str) -> RowError {
        RowError {
            column: col.code().to_owned(),
            code: code.to_owned(),
            args: BTreeMap::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> RowError {
        self.args.insert(name.to_owned(), value.to_string());
        self
    }

    /// The message in the reader's language.
    pub fn message(&self, tr: &Tr) -> String {
        let args: Vec<(&str, String)> = self.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        tr.tf(&self.code, &args)
    }

    /// The column's label in the reader's language.
    pub fn column_label(&self, tr: &Tr) -> String {
        column_label(&self.column, tr)
    }
}

/// A column's label in the reader's language, from its code.
pub fn column_label(code: &str, tr: &Tr) -> String {
    if Col::from_code(code).is_some() {
        tr.t(&format!("registry_import.col.{code}"))
    } else {
        code.to_owned()
    }
}

/// The import pages: the list with the upload form, a preview, its error report, commit and
/// cancel; the templates; the export.
pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/registry/imports",
            get(pages::list)
                .post(pages::upload)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/registry/imports/{id}", get(pages::show))
        .route("/registry/imports/{id}/errors.csv", get(pages::errors_csv))
        .route("/registry/imports/{id}/commit", post(pages::post_commit))
        .route("/registry/imports/{id}/cancel", post(pages::post_cancel))
        .route("/registry/import/template.xlsx", get(pages::template_xlsx))
        .route("/registry/import/template.csv", get(pages::template_csv))
        .route("/registry/export", get(pages::export))
}

/// The import API under `/api/v1`: upload a file as the raw body, read a preview, commit or
/// cancel it.
pub fn api_routes() -> yijia_kernel::ApiRoutes {
    yijia_kernel::ApiRoutes::new()
        .route(
            "/registry/imports",
            post(api::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/registry/imports/{id}", get(api::show))
        .route("/registry/imports/{id}/commit", post(api::commit))
        .route("/registry/imports/{id}/cancel", post(api::cancel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_sits_at_its_own_index() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(c.col.index(), i, "{}", c.code);
            assert_eq!(Col::from_code(c.code), Some(c.col));
        }
    }

    fn keys(locale: yijia_kernel::i18n::Locale, text: &str) -> Vec<String> {
        let mut i = yijia_kernel::i18n::I18n::default();
        i.add(locale, text).unwrap();
        i.keys(locale).into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn both_languages_have_the_same_messages_and_a_label_for_every_column() {
        use yijia_kernel::i18n::Locale;
        let zh = keys(Locale::ZhCn, include_str!("../../locales/import.zh-CN.toml"));
        let en = keys(Locale::En, include_str!("../../locales/import.en.toml"));
        assert_eq!(zh, en);
        for c in COLUMNS {
            assert!(zh.contains(&format!("registry_import.col.{}", c.code)), "{}", c.code);
        }
        for key in [
            read::EMPTY,
            read::NOT_SPREADSHEET,
            read::NO_HEADER,
            read::NO_ROWS,
            read::UNKNOWN_COLUMNS,
            read::MISSING_COLUMNS,
            read::WRONG_COLUMNS,
            read::DUPLICATE_COLUMNS,
            read::TOO_MANY_ROWS,
            read::ID_AS_NUMBER,
            read::MERGED_CELL,
            read::CELL_ERROR,
            check::UNKNOWN_BUILDING,
            check::UNKNOWN_UNIT,
            check::UNKNOWN_ROOM,
            check::DUPLICATE_IN_FILE,
            check::ON_REGISTRY,
            check::EXAMPLE_ROW,
            commit::CHANGED,
            commit::ALREADY_COMMITTED,
            commit::CANCELLED,
            commit::NOTHING_TO_COMMIT,
        ] {
            assert!(zh.contains(&key.to_owned()), "{key}");
        }
    }
}
