//! Reading an uploaded sheet into rows of strings, one per column of [`COLUMNS`].
//!
//! The kind of file is told by its bytes, never its name: a zip (`PK\3\4`) is read as .xlsx, an
//! OLE file as .xls, anything else as CSV text in UTF-8 (with or without a BOM), UTF-16 with a
//! BOM, or else GB18030 (what Excel on a Chinese Windows writes). Cells come back as people
//! read them: dates as `YYYY-MM-DD` (a date cell, or a serial number in a date column), whole
//! numbers without decimals. What cannot be read without guessing is reported on its row: an
//! ID number stored as a number (its last digits are already lost), an empty cell inside a
//! merged region (the value sits in the region's first row only), a formula error.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Dimensions, Reader, Xls, Xlsx};
use jiff::civil::Date;
use yijia_kernel::error::Message;

use super::{Col, ImportKind, RowError, COLUMNS};

/// The most data rows one import takes.
pub const MAX_ROWS: usize = 200_000;

/// How many non-empty rows at the top may precede the header (a title, a note).
const HEADER_SEARCH: usize = 10;

pub const EMPTY: &str = "registry_import.file_empty";
pub const NOT_SPREADSHEET: &str = "registry_import.not_spreadsheet";
pub const NO_HEADER: &str = "registry_import.no_header";
pub const NO_ROWS: &str = "registry_import.no_rows";
pub const UNKNOWN_COLUMNS: &str = "registry_import.unknown_columns";
pub const MISSING_COLUMNS: &str = "registry_import.missing_columns";
pub const WRONG_COLUMNS: &str = "registry_import.wrong_columns";
pub const DUPLICATE_COLUMNS: &str = "registry_import.duplicate_columns";
pub const TOO_MANY_ROWS: &str = "registry_import.too_many_rows";
pub const ID_AS_NUMBER: &str = "registry_import.id_as_number";
pub const MERGED_CELL: &str = "registry_import.merged_cell";
pub const CELL_ERROR: &str = "registry_import.cell_error";

/// One data row: where it is in the file, its values by column, and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The row number a spreadsheet shows (1-based, counting the header and any title above).
    pub line: u64,
    /// One value per entry of [`COLUMNS`], trimmed; empty when absent.
    pub values: Vec<String>,
    pub issues: Vec<RowError>,
}

impl RawRow {
    pub fn get(&self, col: Col) -> &str {
        self.values.get(col.index()).map_or("", String::as_str)
    }

    /// A row as the reader would give it, from the cells it names, for the checks' tests.
    #[cfg(test)]
    pub fn of(line: u64, cells: &[(Col, &str)]) -> RawRow {
        let mut values = vec![String::new(); COLUMNS.len()];
        for (c, v) in cells {
            values[c.index()] = (*v).to_owned();
        }
        RawRow {
            line,
            values,
            issues: Vec::new(),
        }
    }
}

/// A sheet read and mapped to the import's columns.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub rows: Vec<RawRow>,
    /// The columns the header named.
    pub columns: Vec<Col>,
}

/// Reads an uploaded file. A problem with the file as a whole is one message, a translation
/// key with its arguments.
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet, Message> {
    read_sheet_of(bytes, ImportKind::Residents)
}

/// Reads an uploaded file of a kind: its header is matched against that kind's columns.
pub fn read_sheet_of(bytes: &[u8], kind: ImportKind) -> Result<Sheet, Message> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Message::new(EMPTY));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        read_workbook::<Xlsx<_>>(bytes, kind, |book| {
            book.worksheet_merge_cells_at(0)
                .and_then(Result::ok)
                .unwrap_or_default()
        })
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An .xls is read without its merged regions (calamine gives them for .xlsx only).
        read_workbook::<Xls<_>>(bytes, kind, |_| Vec::new())
    } else {
        read_csv(bytes, kind)
    }
}

/// What the header says: the column of each cell (`None`: an empty header over an empty column).
struct Header {
    /// Index in the file's row → column.
    cells: Vec<Option<Col>>,
    columns: Vec<Col>,
}

fn norm_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | '\u{feff}'))
        .collect::<String>()
        .to_ascii_lowercase()
}

fn header_col(s: &str, kind: ImportKind) -> Option<Col> {
    let h = norm_header(s);
    if h.is_empty() {
        return None;
    }
    match h.as_str() {
        "building_code" => return Some(Col::Building),
        "unit_code" => return Some(Col::Unit),
        _ => {}
    }
    let cols = kind.columns();
    // The kind's own headers first (证件号码 is one person's number in the residents' sheet, the
    // owners' numbers in the register), then the other sheet's header of the same column.
    cols.iter()
        .find(|c| c.code == h || c.zh == h)
        .or_else(|| cols.iter().find(|c| c.col.def().zh == h))
        .map(|c| c.col)
}

/// `A`, `B`, … `Z`, `AA` …: how a spreadsheet names a column.
fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// Maps a header row. Unknown, duplicate and missing columns are refused, naming them; an
/// empty header is allowed over an empty column only (`has_data(i)`).
fn map_header(cells: &[String], kind: ImportKind, has_data: impl Fn(usize) -> bool) -> Result<Header, Message> {
    let mut mapped = Vec::with_capacity(cells.len());
    let mut seen: HashMap<Col, usize> = HashMap::new();
    let mut unknown = Vec::new();
    let mut duplicate = Vec::new();
    for (i, text) in cells.iter().enumerate() {
        let col = header_col(text, kind);
        match col {
            Some(c) => {
                let n = seen.entry(c).or_insert(0);
                *n += 1;
                if *n == 2 {
                    duplicate.push(text.trim().to_owned());
                }
            }
            None if norm_header(text).is_empty() => {
                if has_data(i) {
                    unknown.push(format!("({})", column_letter(i)));
                }
            }
            None => unknown.push(text.trim().to_owned()),
        }
        mapped.push(col);
    }
    if !duplicate.is_empty() {
        return Err(Message::new(DUPLICATE_COLUMNS).arg("columns", duplicate.join(", ")));
    }
    let missing: Vec<String> = kind
        .columns()
        .iter()
        .filter(|c| c.required && !seen.contains_key(&c.col))
        .map(|c| format!("{} ({})", c.zh, c.code))
        .collect();
    match (missing.is_empty(), unknown.is_empty()) {
        (true, true) => {}
        (false, true) => return Err(Message::new(MISSING_COLUMNS).arg("columns", missing.join(", "))),
        (true, false) => return Err(Message::new(UNKNOWN_COLUMNS).arg("columns", unknown.join(", "))),
        (false, false) => {
            return Err(Message::new(WRONG_COLUMNS)
                .arg("missing", missing.join(", "))
                .arg("unknown", unknown.join(", ")))
        }
    }
    let mut columns: Vec<Col> = seen.into_keys().collect();
    columns.sort_by_key(|c| c.index());
    Ok(Header { cells: mapped, columns })
}

/// The header among the first non-empty rows: the first that names at least two known columns
/// (a title row above it is skipped), or else the first non-empty row, whose columns are then
/// reported. `None` when every row is empty.
fn find_header(texts: &[(usize, Vec<String>)], kind: ImportKind) -> Option<usize> {
    let non_empty: Vec<&(usize, Vec<String>)> = texts
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .take(HEADER_SEARCH)
        .collect();
    non_empty
        .iter()
        .find(|(_, cells)| cells.iter().filter(|c| header_col(c, kind).is_some()).count() >= 2)
        .or(non_empty.first())
        .map(|(i, _)| *i)
}

fn is_date_col(c: Col) -> bool {
    matches!(c, Col::BirthDate | Col::MovedInOn)
}

/// `1949年12月31日` → `1949-12-31`; other text as it is.
fn date_text(s: &str) -> String {
    if s.contains('年') {
        s.replace(['年', '月'], "-").replace('日', "")
    } else {
        s.to_owned()
    }
}

/// `="0123"` (Excel's way of keeping text in a CSV) → `0123`.
fn unwrap_formula_text(s: &str) -> &str {
    s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')).unwrap_or(s)
}

/// A number Excel wrote in scientific notation (`1.10105E+17`): the digits are gone.
fn scientific(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
}

/// The columns of digits and Latin letters, whose full-width forms (`１０１`, `Ｂ０１`, `－`, as
/// a Chinese input method types them) are folded to ASCII before anything is checked: the
/// codes are compared, the numbers parsed and hashed in one form.
fn folds_width(col: Col) -> bool {
    matches!(
        col,
        Col::IdNumber
            | Col::Phone
            | Col::Phone2
            | Col::Building
            | Col::Unit
            | Col::Room
            | Col::OwnerIds
            | Col::Area
            | Col::ExclusiveArea
    )
}

/// A text cell of a column, cleaned; or the reason it cannot be used.
fn text_cell(col: Col, raw: &str) -> Result<String, RowError> {
    let folded = if folds_width(col) {
        yijia_kernel::text::fold_width(raw)
    } else {
        Cow::Borrowed(raw)
    };
    let s = unwrap_formula_text(folded.trim()).trim();
    if matches!(col, Col::IdNumber | Col::OwnerIds) && scientific(s) {
        return Err(RowError::new(col, ID_AS_NUMBER));
    }
    Ok(if is_date_col(col) { date_text(s) } else { s.to_owned() })
}

/// An Excel serial day number (1900 system) as a date: day 1 is 1900-01-01, and Excel counts a
/// 29 February 1900 that never was.
fn serial_date(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = if days >= 61 {
        Date::new(1899, 12, 30).ok()?
    } else {
        Date::new(1899, 12, 31).ok()?
    };
    base.checked_add(jiff::Span::new().days(days)).ok()
}

/// A whole number as digits, or the float as Rust writes it (never in exponent form).
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A workbook cell of a column, as text; or the reason it cannot be used.
fn data_cell(col: Col, d: &Data) -> Result<String, RowError> {
    match d {
        Data::Empty => Ok(String::new()),
        Data::String(s) => text_cell(col, s),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) if matches!(col, Col::IdNumber | Col::OwnerIds) => {
            // Above 15 digits a double no longer holds every digit: the number is already wrong.
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Ok(number_text(*f))
            } else {
                Err(RowError::new(col, ID_AS_NUMBER))
            }
        }
        Data::Float(f) if is_date_col(col) => Ok(serial_date(*f).map_or_else(|| number_text(*f), |d| d.to_string())),
        Data::Float(f) => Ok(number_text(*f)),
        Data::Bool(b) => Ok(if *b { "1" } else { "0" }.to_owned()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Ok(format!("{y:04}-{m:02}-{d:02}"))
        }
        Data::DateTime(dt) => Ok(number_text(dt.as_f64())),
        Data::DateTimeIso(s) => Ok(s
            .get(..10)
            .filter(|d| crate::model::parse_date(d).is_some())
            .unwrap_or(s)
            .to_owned()),
        Data::DurationIso(s) => Ok(s.clone()),
        Data::Error(e) => Err(RowError::new(col, CELL_ERROR).arg("value", e)),
    }
}

/// Cells read as plain text, for finding the header.
fn plain(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Builds the rows after the header. `cell(row, i)` gives the text (or the problem) of cell
/// `i`; `merged(row, i)` whether an empty cell lies inside a merged region. Empty rows are
/// skipped; more than [`MAX_ROWS`] are refused.
fn build_rows(
    header: &Header,
    rows: impl Iterator<Item = (u64, usize)>,
    cell: impl Fn(usize, usize, Col) -> Result<String, RowError>,
    merged: impl Fn(usize, usize) -> bool,
    width: impl Fn(usize) -> usize,
) -> Result<Vec<RawRow>, Message> {
    let mut out = Vec::new();
    for (line, r) in rows {
        let mut values = vec![String::new(); COLUMNS.len()];
        let mut issues: Vec<RowError> = Vec::new();
        let mut any = false;
        for i in 0..width(r).min(header.cells.len()) {
            let Some(col) = header.cells[i] else { continue };
            match cell(r, i, col) {
                Ok(v) => {
                    any |= !v.is_empty();
                    values[col.index()] = v;
                }
                Err(e) => {
                    any = true;
                    issues.push(e);
                }
            }
        }
        if !any {
            continue;
        }
        for (i, col) in header.cells.iter().enumerate() {
            let Some(col) = col else { continue };
            if values[col.index()].is_empty() && merged(r, i) && !issues.iter().any(|e| e.column == col.code()) {
                issues.push(RowError::new(*col, MERGED_CELL));
            }
        }
        if out.len() == MAX_ROWS {
            return Err(Message::new(TOO_MANY_ROWS).arg("max", MAX_ROWS));
        }
        out.push(RawRow { line, values, issues });
    }
    if out.is_empty() {
        return Err(Message::new(NO_ROWS));
    }
    Ok(out)
}

fn read_workbook<R: Reader<Cursor<Vec<u8>>>>(
    bytes: &[u8],
    kind: ImportKind,
    merged_regions: impl Fn(&mut R) -> Vec<Dimensions>,
) -> Result<Sheet, Message> {
    let garbled = || Message::new(NOT_SPREADSHEET);
    let mut book: R = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| garbled())?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|_| garbled())?,
        None => return Err(Message::new(NO_HEADER)),
    };
    let merges = merged_regions(&mut book);
    let Some((top, left)) = range.start() else {
        return Err(Message::new(NO_HEADER));
    };
    let grid: Vec<&[Data]> = range.rows().collect();
    let texts: Vec<(usize, Vec<String>)> = grid
        .iter()
        .take(HEADER_SEARCH * 4)
        .enumerate()
        .map(|(i, row)| (i, row.iter().map(plain).collect()))
        .collect();
    let Some(h) = find_header(&texts, kind) else {
        return Err(Message::new(NO_HEADER));
    };
    let has_data = |i: usize| {
        grid[h + 1..]
            .iter()
            .any(|row| row.get(i).is_some_and(|d| *d != Data::Empty))
    };
    let header = map_header(&texts[h].1, kind, has_data)?;
    let abs = |r: usize, i: usize| (top + r as u32, left + i as u32);
    let merged = |r: usize, i: usize| {
        let (row, col) = abs(r, i);
        merges.iter().any(|m| {
            (m.start.0..=m.end.0).contains(&row) && (m.start.1..=m.end.1).contains(&col) && (row, col) != m.start
        })
    };
    let rows = build_rows(
        &header,
        (h + 1..grid.len()).map(|r| (u64::from(top) + r as u64 + 1, r)),
        |r, i, col| grid[r].get(i).map_or(Ok(String::new()), |d| data_cell(col, d)),
        merged,
        |r| grid[r].len(),
    )?;
    Ok(Sheet {
        rows,
        columns: header.columns,
    })
}

/// CSV text: UTF-8 or UTF-16 by their BOM, UTF-8 without one when valid, else GB18030.
fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling_and_without_replacement(&bytes[bom..]);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(Cow::Borrowed(s)),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes),
    }
}

/// The separator of the first line: a comma, or a tab (Excel's "Unicode text") or a semicolon
/// (a CSV saved with a European list separator) when there are more of those.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [(b'\t', count('\t')), (b';', count(';'))]
        .into_iter()
        .filter(|(_, n)| *n > count(','))
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(d, _)| d)
}

fn read_csv(bytes: &[u8], kind: ImportKind) -> Result<Sheet, Message> {
    let text = decode(bytes).ok_or_else(|| Message::new(NOT_SPREADSHEET))?;
    // Binary files (images, PDFs, a zip cut short) decode as text only by accident; control
    // characters other than line ends and tabs give them away.
    let control = text
        .chars()
        .take(64 * 1024)
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        .count();
    if control > 0 {
        return Err(Message::new(NOT_SPREADSHEET));
    }
    if text.trim().is_empty() {
        return Err(Message::new(EMPTY));
    }
    // The csv reader counts a record's line by `\n` only, one behind after each `\r\n`.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut records: Vec<(u64, Vec<String>)> = Vec::new();
    let mut data_rows = 0usize;
    for rec in reader.records() {
        let rec = rec.map_err(|_| Message::new(NOT_SPREADSHEET))?;
        let line = rec.position().map_or(0, csv::Position::line);
        let cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            data_rows += 1;
            // The header and a title may come first; stop reading once the limit is clearly passed.
            if data_rows > MAX_ROWS + HEADER_SEARCH {
                return Err(Message::new(TOO_MANY_ROWS).arg("max", MAX_ROWS));
            }
        }
        records.push((line, cells));
    }
    let texts: Vec<(usize, Vec<String>)> = records
        .iter()
        .take(HEADER_SEARCH * 4)
        .enumerate()
        .map(|(i, (_, cells))| (i, cells.clone()))
        .collect();
    let Some(h) = find_header(&texts, kind) else {
        return Err(Message::new(NO_HEADER));
    };
    let has_data = |i: usize| {
        records[h + 1..]
            .iter()
            .any(|(_, row)| row.get(i).is_some_and(|c| !c.trim().is_empty()))
    };
    // Rows wider than the header have unnamed columns after it; they are reported when they hold data.
    let width = records[h..].iter().map(|(_, row)| row.len()).max().unwrap_or(0);
    let mut names = records[h].1.clone();
    names.resize(width, String::new());
    let header = map_header(&names, kind, has_data)?;
    let rows = build_rows(
        &header,
        (h + 1..records.len()).map(|r| (records[r].0, r)),
        |r, i, col| records[r].1.get(i).map_or(Ok(String::new()), |c| text_cell(col, c)),
        |_, _| false,
        |r| records[r].1.len(),
    )?;
    Ok(Sheet {
        rows,
        columns: header.columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Result<Sheet, Message> {
        read_sheet(text.as_bytes())
    }

    #[test]
    fn serial_numbers_become_dates_across_the_1900_leap_year_bug() {
        assert_eq!(serial_date(1.0), Date::new(1900, 1, 1).ok());
        assert_eq!(serial_date(59.0), Date::new(1900, 2, 28).ok());
        assert_eq!(serial_date(61.0), Date::new(1900, 3, 1).ok());
        assert_eq!(serial_date(18264.0), Date::new(1950, 1, 1).ok());
        assert_eq!(serial_date(45943.5), Date::new(2025, 10, 13).ok());
        assert_eq!(serial_date(0.0), None);
    }

    #[test]
    fn whole_numbers_keep_every_digit_and_no_exponent() {
        assert_eq!(number_text(13_812_345_678.0), "13812345678");
        assert_eq!(number_text(101.0), "101");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(
            data_cell(Col::IdNumber, &Data::Float(110_105_194_912_310_020.0))
                .unwrap_err()
                .code,
            ID_AS_NUMBER
        );
        assert_eq!(
            data_cell(Col::IdNumber, &Data::Float(110_105_491_231_002.0)).unwrap(),
            "110105491231002"
        );
        assert_eq!(data_cell(Col::BirthDate, &Data::Float(18264.0)).unwrap(), "1950-01-01");
        assert_eq!(text_cell(Col::IdNumber, "1.10105E+17").unwrap_err().code, ID_AS_NUMBER);
        assert_eq!(
            text_cell(Col::IdNumber, "=\"11010519491231002X\"").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(text_cell(Col::BirthDate, "1949年12月31日").unwrap(), "1949-12-31");
    }

    #[test]
    fn a_title_row_above_the_header_is_skipped_and_blank_rows_are_not_counted() {
        let s = csv(
            "西柳沟社区居民信息表,,,\r\n楼栋编号,单元编号,房号,姓名\r\nB01,U1,101,张三\r\n,,,\r\nB01,U1,102,李四\r\n",
        )
        .unwrap();
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].line, 3);
        assert_eq!(s.rows[1].line, 5);
        assert_eq!(s.rows[1].get(Col::Name), "李四");
    }

    #[test]
    fn english_codes_and_marked_headers_are_accepted() {
        let s = csv("building_code,unit,room*, 姓名 \nB01,U1,101,张三\n").unwrap();
        assert_eq!(s.rows[0].get(Col::Building), "B01");
        assert_eq!(s.rows[0].get(Col::Room), "101");
    }

    #[test]
    fn wrong_headers_are_named() {
        let e = csv("楼栋编号,单元编号,房号,姓名,爱好\nB01,U1,101,张三,下棋\n").unwrap_err();
        assert_eq!(e.key, UNKNOWN_COLUMNS);
        assert_eq!(e.args[0].1, "爱好");
        let e = csv("楼栋编号,单元编号,姓名\nB01,U1,张三\n").unwrap_err();
        assert_eq!(e.key, MISSING_COLUMNS);
        assert!(e.args[0].1.contains("房号"));
        let e = csv("楼栋编号,单元编号,房号,姓名,姓名\nB01,U1,101,张三,张三\n").unwrap_err();
        assert_eq!(e.key, DUPLICATE_COLUMNS);
        let e = csv("楼栋编号,单元编号,房号,姓名,\nB01,U1,101,张三,x\n").unwrap_err();
        assert_eq!(e.args[0].1, "(E)");
        let e = csv("楼栋编号,单元编号,房号,姓名\nB01,U1,101,张三,,x\n").unwrap_err();
        assert_eq!(e.args[0].1, "(F)");
        assert!(csv("楼栋编号,单元编号,房号,姓名,\nB01,U1,101,张三,\n").is_ok());
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(read_sheet(b"").unwrap_err().key, EMPTY);
        assert_eq!(read_sheet(b"\xEF\xBB\xBF").unwrap_err().key, EMPTY);
        assert_eq!(
            read_sheet(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err().key,
            NOT_SPREADSHEET
        );
        assert_eq!(read_sheet(b"PK\x03\x04\x14\0\0\0").unwrap_err().key, NOT_SPREADSHEET);
        assert_eq!(csv("\n\n  \n").unwrap_err().key, EMPTY);
        assert_eq!(csv("楼栋编号,单元编号,房号,姓名\n").unwrap_err().key, NO_ROWS);
    }

    #[test]
    fn gb18030_and_semicolons_are_read() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("楼栋编号;单元编号;房号;姓名\nB01;U1;101;张三\n");
        let s = read_sheet(&bytes).unwrap();
        assert_eq!(s.rows[0].get(Col::Name), "张三");
    }

    #[test]
    fn full_width_numbers_and_codes_are_read_as_ascii_but_names_are_not() {
        let sheet = csv("楼栋编号,单元编号,房号,姓名,证件号码,联系电话\n\
             Ｂ０１,Ｕ１,１０１,张　三,１１０１０５１９４９１２３１００２Ｘ,１３８－１２３４－５６７８\n")
        .unwrap();
        let r = &sheet.rows[0];
        assert_eq!(r.get(Col::Building), "B01");
        assert_eq!(r.get(Col::Unit), "U1");
        assert_eq!(r.get(Col::Room), "101");
        assert_eq!(r.get(Col::IdNumber), "11010519491231002X");
        assert_eq!(r.get(Col::Phone), "138-1234-5678");
        assert_eq!(r.get(Col::Name), "张　三");
    }

    #[test]
    fn columns_are_lettered_as_in_a_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
