//! Exporting a resident list, and the import template. Both write the import's columns, so an
//! exported sheet can be corrected and imported again. ID and phone numbers are masked unless
//! the person holds `EXPORT_UNMASKED` and asks for them in full; every export is audited in the
//! community's chain with its filter (search terms that are numbers masked), its size and
//! whether it was masked — never its rows.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use yijia_db::on_db;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::check::{EXAMPLE_ID, EXAMPLE_NAME};
use super::{resident_columns, template_columns, Col, ColumnDef};
use crate::codes;
use crate::commands::{field, today_in};
use crate::model::{ethnicity_label, mask_id, mask_phone, Gender, IdType, Political, Relation, Residence};
use crate::permissions::{BULK, EXPORT_UNMASKED, READ};
use crate::query::{classify, community_for, ListQuery, Search};
use crate::repo::{self, ResidentRow};

/// The most residents one export holds.
pub const MAX_EXPORT: i64 = 200_000;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "" | "xlsx" => Some(ExportFormat::Xlsx),
            "csv" => Some(ExportFormat::Csv),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => XLSX_TYPE,
            ExportFormat::Csv => CSV_TYPE,
        }
    }
}

/// How to export: the format, and whether numbers are asked for in full.
#[derive(Clone, Copy, Debug)]
pub struct ExportOptions {
    pub format: ExportFormat,
    pub full: bool,
}

/// A file made for download.
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// ASCII only, for `Content-Disposition`.
    pub file_name: String,
    pub count: usize,
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// The columns written as text, so Excel keeps every digit of what is typed into them.
fn text_column(c: Col) -> bool {
    matches!(
        c,
        Col::IdNumber | Col::Phone | Col::Phone2 | Col::Room | Col::Building | Col::Unit
    )
}

/// A sheet of strings: a bold, frozen header; ID, phone and address columns formatted as text.
fn write_sheet(book: &mut Workbook, name: &str, cols: &[&ColumnDef], lang: &str, rows: &[Vec<String>]) -> Result<()> {
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (i, c) in cols.iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        let width = match c.col {
            Col::IdNumber => 22,
            Col::Phone | Col::Phone2 | Col::BirthDate | Col::MovedInOn => 14,
            Col::Employer | Col::Notes | Col::PartyBranch | Col::Grid => 20,
            _ => 11,
        };
        sheet.set_column_width(col, width).map_err(xlsx_error)?;
        if text_column(c.col) {
            sheet.set_column_format(col, &text).map_err(xlsx_error)?;
        }
        sheet
            .write_string_with_format(0, col, c.col.header(lang), &bold)
            .map_err(xlsx_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|e| Error::Internal(e.into()))?;
        for (i, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            if text_column(cols[i].col) {
                sheet.write_string_with_format(r, col, v, &text).map_err(xlsx_error)?;
            } else {
                sheet.write_string(r, col, v).map_err(xlsx_error)?;
            }
        }
    }
    Ok(())
}

/// CSV with a UTF-8 BOM, so Excel opens Chinese text correctly.
pub fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let fail = |e: csv::Error| Error::Internal(anyhow::anyhow!("csv: {e}"));
    w.write_record(header).map_err(fail)?;
    for row in rows {
        w.write_record(row).map_err(fail)?;
    }
    w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))
}

/// A closed-list value as the reader's sheet writes it: the Chinese label, or the code in English.
fn vocab<T: Copy>(v: Option<T>, zh: fn(T) -> &'static str, code: fn(T) -> &'static str, lang: &str) -> String {
    v.map(|v| if lang == "en" { code(v) } else { zh(v) })
        .unwrap_or_default()
        .to_owned()
}

fn flag(b: bool, lang: &str) -> String {
    match (b, lang) {
        (false, _) => String::new(),
        (true, "en") => "yes".to_owned(),
        (true, _) => "是".to_owned(),
    }
}

/// The template's example row.
fn example(lang: &str) -> Vec<String> {
    let en = lang == "en";
    template_columns()
        .map(|c| {
            match c.col {
                Col::Building => "B01",
                Col::Unit => "U1",
                Col::Room => "101",
                Col::Name => EXAMPLE_NAME,
                Col::Gender => Gender::Female.label_or_code(en),
                Col::BirthDate => "1949-12-31",
                Col::Ethnicity => ethnicity_label("01", lang),
                Col::IdType => IdType::Citizen.label_or_code(en),
                Col::IdNumber => EXAMPLE_ID,
                Col::Phone => "13912345678",
                Col::Phone2 => "0931-7512345",
                Col::Relation => Relation::Head.label_or_code(en),
                Col::Residence => Residence::RegisteredLiving.label_or_code(en),
                Col::MovedInOn => "2010-05-01",
                Col::Occupation => {
                    if en {
                        "Retired"
                    } else {
                        "退休"
                    }
                }
                Col::Political => Political::Masses.label_or_code(en),
                Col::Veteran => {
                    if en {
                        "no"
                    } else {
                        "否"
                    }
                }
                Col::Notes => {
                    if en {
                        "Example row: delete it before importing"
                    } else {
                        "示例行，导入前请删除"
                    }
                }
                Col::Employer
                | Col::PartyBranch
                | Col::Grid
                | Col::Area
                | Col::ExclusiveArea
                | Col::Owners
                | Col::OwnerIds
                | Col::Certificate
                | Col::AreaSource => "",
            }
            .to_owned()
        })
        .collect()
}

/// What the instructions sheet lists: each closed list with the values it takes.
fn instructions(lang: &str) -> Vec<Vec<String>> {
    let en = lang == "en";
    let list = |values: Vec<&'static str>| values.join(if en { ", " } else { "、" });
    let of = |c: Col| -> String {
        match c {
            Col::Gender => list(Gender::ALL.iter().map(|v| v.label_or_code(en)).collect()),
            Col::IdType => list(IdType::ALL.iter().map(|v| v.label_or_code(en)).collect()),
            Col::Relation => list(Relation::ALL.iter().map(|v| v.label_or_code(en)).collect()),
            Col::Residence => list(Residence::ALL.iter().map(|v| v.label_or_code(en)).collect()),
            Col::Political => list(Political::ALL.iter().map(|v| v.label_or_code(en)).collect()),
            _ => String::new(),
        }
    };
    template_columns()
        .map(|c| {
            let required = if c.required {
                if en {
                    "required"
                } else {
                    "必填"
                }
            } else {
                ""
            };
            vec![c.col.header(lang).to_owned(), required.to_owned(), of(c.col)]
        })
        .collect()
}

trait LabelOrCode {
    fn label_or_code(self, en: bool) -> &'static str;
}

macro_rules! label_or_code {
    ($($t:ty),*) => {$(
        impl LabelOrCode for $t {
            fn label_or_code(self, en: bool) -> &'static str {
                if en { self.as_str() } else { self.zh() }
            }
        }
    )*};
}

label_or_code!(Gender, IdType, Relation, Residence, Political);

/// The import template: the header in the reader's language (Chinese headers, or the column
/// codes for English readers; both are read back) and one example row with a valid ID. The
/// .xlsx formats the ID and phone columns as text and adds a sheet of accepted values.
pub fn template(format: ExportFormat, lang: &str) -> Result<ExportFile> {
    let cols: Vec<&ColumnDef> = template_columns().collect();
    let rows = vec![example(lang)];
    let bytes = match format {
        ExportFormat::Xlsx => {
            let mut book = Workbook::new();
            write_sheet(
                &mut book,
                if lang == "en" { "residents" } else { "居民" },
                &cols,
                lang,
                &rows,
            )?;
            let notes = book.add_worksheet();
            notes
                .set_name(if lang == "en" { "instructions" } else { "填写说明" })
                .map_err(xlsx_error)?;
            let bold = Format::new().set_bold();
            let heads: [&str; 3] = if lang == "en" {
                ["column", "", "values"]
            } else {
                ["列", "", "可填写的值"]
            };
            for (i, h) in heads.iter().enumerate() {
                notes
                    .write_string_with_format(0, i as u16, *h, &bold)
                    .map_err(xlsx_error)?;
            }
            notes.set_column_width(0, 14).map_err(xlsx_error)?;
            notes.set_column_width(2, 80).map_err(xlsx_error)?;
            for (r, row) in instructions(lang).iter().enumerate() {
                for (i, v) in row.iter().enumerate() {
                    notes.write_string(r as u32 + 1, i as u16, v).map_err(xlsx_error)?;
                }
            }
            book.save_to_buffer().map_err(xlsx_error)?
        }
        ExportFormat::Csv => {
            let header: Vec<String> = cols.iter().map(|c| c.col.header(lang).to_owned()).collect();
            csv_bytes(&header, &rows)?
        }
    };
    Ok(ExportFile {
        bytes,
        content_type: format.content_type(),
        file_name: format!("registry-import-template.{}", format.as_str()),
        count: 1,
    })
}

/// What the export adds to each listed resident: address codes and sealed numbers.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Extra {
    resident_id: i64,
    building_code: String,
    unit_code: String,
    id_sealed: Option<String>,
    phone_sealed: Option<String>,
    phone2_sealed: Option<String>,
}

/// The address codes and sealed numbers of residents (ids from the database, never input).
async fn extras(db: &yijia_db::Db, ids: &[i64]) -> Result<std::collections::HashMap<i64, Extra>> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "select r.resident_id, b.code as building_code, u.code as unit_code, r.id_sealed, r.phone_sealed, \
             r.phone2_sealed from registry_resident r join household h on h.household_id = r.household_id \
             join building b on b.building_id = h.building_id join unit u on u.unit_id = h.unit_id \
             where r.resident_id in ({})",
            list.join(", ")
        );
        let rows: Vec<Extra> = on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        out.extend(rows.into_iter().map(|e| (e.resident_id, e)));
    }
    Ok(out)
}

/// One resident as an export row, in [`COLUMNS`] order.
fn export_row(
    r: &ResidentRow,
    extra: Option<&Extra>,
    full: bool,
    vault: &yijia_kernel::vault::Vault,
    lang: &str,
) -> Result<Vec<String>> {
    let open = |sealed: Option<&String>, name: &str, masked: &str| -> Result<String> {
        match (full, sealed) {
            (true, Some(s)) => vault.open(name, s),
            _ => Ok(masked.to_owned()),
        }
    };
    let id = open(extra.and_then(|e| e.id_sealed.as_ref()), field::ID, &r.id_masked)?;
    let phone = open(
        extra.and_then(|e| e.phone_sealed.as_ref()),
        field::PHONE,
        &r.phone_masked,
    )?;
    let phone2 = open(
        extra.and_then(|e| e.phone2_sealed.as_ref()),
        field::PHONE,
        &r.phone2_masked,
    )?;
    Ok(resident_columns()
        .iter()
        .map(|c| match c.col {
            Col::Building => extra.map(|e| e.building_code.clone()).unwrap_or_default(),
            Col::Unit => extra.map(|e| e.unit_code.clone()).unwrap_or_default(),
            Col::Room => r.room.clone(),
            Col::Name => r.name.clone(),
            Col::Gender => vocab(Gender::parse(&r.gender), Gender::zh, Gender::as_str, lang),
            Col::BirthDate => r.birth_date.clone().unwrap_or_default(),
            Col::Ethnicity => ethnicity_label(&r.ethnicity, lang).to_owned(),
            Col::IdType => vocab(IdType::parse(&r.id_type), IdType::zh, IdType::as_str, lang),
            Col::IdNumber => id.clone(),
            Col::Phone => phone.clone(),
            Col::Phone2 => phone2.clone(),
            Col::Relation => vocab(Relation::parse(&r.relation), Relation::zh, Relation::as_str, lang),
            Col::Residence => vocab(Residence::parse(&r.residence), Residence::zh, Residence::as_str, lang),
            Col::MovedInOn => r.moved_in_on.clone().unwrap_or_default(),
            Col::Occupation => r.occupation.clone(),
            Col::Employer => r.employer.clone(),
            Col::Political => vocab(Political::parse(&r.political), Political::zh, Political::as_str, lang),
            Col::PartyBranch => r.party_branch.clone(),
            Col::Veteran => flag(r.veteran == 1, lang),
            Col::Notes => r.notes.clone(),
            Col::Grid => r.grid_name.clone(),
            // The owners' register's columns are not in a residents' export.
            Col::Area | Col::ExclusiveArea | Col::Owners | Col::OwnerIds | Col::Certificate | Col::AreaSource => {
                String::new()
            }
        })
        .collect())
}

/// The list query as the audit log keeps it: the values given, a searched ID or phone number
/// masked.
fn audited_query(q: &ListQuery, today: jiff::civil::Date) -> serde_json::Value {
    let search = match classify(&q.q, today) {
        Search::Id(id) => mask_id(&id),
        Search::Phone(p) => mask_phone(&p),
        Search::Name(n) => n,
        Search::Nothing => String::new(),
    };
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            m.insert(k.to_owned(), serde_json::Value::String(v));
        }
    };
    let num = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    put("q", search);
    put("grid", num(q.grid));
    put("building", num(q.building));
    put("unit", num(q.unit));
    put("room", q.room.clone());
    put("tag", q.tag.clone());
    put("age_min", num(q.age_min));
    put("age_max", num(q.age_max));
    put("residence", q.residence.clone());
    put("political", q.political.clone());
    put("include_left", q.include_left.clone());
    serde_json::Value::Object(m)
}

/// Exports the residents the list query finds, within the actor's reach, masked unless `full`
/// (refused without `EXPORT_UNMASKED`). Refused without `BULK` over the community. The export
/// is audited before the file is handed out.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
    opts: ExportOptions,
    lang: &str,
) -> Result<ExportFile> {
    let (community, reach) = community_for(state, actor, &READ, q.community).await?;
    BULK.check(actor, &community.place())?;
    if opts.full {
        EXPORT_UNMASKED.check(actor, &community.place())?;
    }
    let filter = q.filter(state, &community)?;
    let rows = repo::list(&state.db, community.community_id, &reach, &filter, MAX_EXPORT + 1, 0).await?;
    if rows.len() as i64 > MAX_EXPORT {
        return Err(Error::Conflict(
            codes::EXPORT_TOO_LARGE,
            yijia_kernel::error::Message::new("registry_import.export_too_large").arg("max", MAX_EXPORT),
        ));
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.resident_id).collect();
    let extras = extras(&state.db, &ids).await?;
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| export_row(r, extras.get(&r.resident_id), opts.full, &state.vault, lang))
        .collect::<Result<_>>()?;
    let cols: Vec<&ColumnDef> = resident_columns().iter().collect();
    let bytes = match opts.format {
        ExportFormat::Xlsx => {
            let mut book = Workbook::new();
            write_sheet(
                &mut book,
                if lang == "en" { "residents" } else { "居民" },
                &cols,
                lang,
                &table,
            )?;
            book.save_to_buffer().map_err(xlsx_error)?
        }
        ExportFormat::Csv => {
            let header: Vec<String> = cols.iter().map(|c| c.col.header(lang).to_owned()).collect();
            csv_bytes(&header, &table)?
        }
    };
    let today = today_in(state, &community.time_zone);
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, community.community_id).await?;
    let entry = Entry::new("resident.export", "community", community.community_id)
        .community(Some(community.community_id))
        .after(Some(&serde_json::json!({
            "filter": audited_query(q, today),
            "count": rows.len(),
            "masked": !opts.full,
            "format": opts.format.as_str(),
        })));
    audit::record(&mut tx, state.vault.audit_key(), state.now_ms(), actor, entry).await?;
    tx.commit().await?;
    Ok(ExportFile {
        bytes,
        content_type: opts.format.content_type(),
        file_name: format!(
            "residents-{}-{today}{}.{}",
            community.code,
            if opts.full { "-full" } else { "" },
            opts.format.as_str()
        ),
        count: rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read::read_sheet;

    #[test]
    fn the_templates_read_back_as_one_row_of_the_example() {
        for lang in ["zh-CN", "en"] {
            for format in [ExportFormat::Xlsx, ExportFormat::Csv] {
                let file = template(format, lang).unwrap();
                let sheet = read_sheet(&file.bytes).unwrap();
                assert_eq!(sheet.rows.len(), 1, "{lang} {format:?}");
                let row = &sheet.rows[0];
                assert_eq!(row.get(Col::IdNumber), EXAMPLE_ID);
                assert_eq!(row.get(Col::Room), "101");
                let input = crate::import::check::input_of(row);
                let today = jiff::civil::Date::new(2026, 11, 27).unwrap();
                input.parse(today).unwrap();
            }
        }
        assert!(template(ExportFormat::Csv, "zh-CN").unwrap().bytes.starts_with(BOM));
    }
}
