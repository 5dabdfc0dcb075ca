//! Property tests: the registry's parsers (a resident's fields, citizen IDs, phones, dates, and
//! a whole uploaded sheet with its rows checked) take any text and answer values or errors,
//! never a panic. Office files carry every kind of character; a byte slice in the wrong place
//! once turned `2026年1` into a 500.

use std::collections::HashSet;

use jiff::civil::Date;
use proptest::prelude::*;

use super::check::{check_rows, input_of, Dwellings};
use super::{read_sheet, COLUMNS};
use crate::commands::holding::parse_area;
use crate::model::{self, CareGroup, Gender, IdType, Relation, Residence, ResidentInput};

fn today() -> Date {
    Date::new(2026, 11, 27).unwrap_or_default()
}

/// A cell near the shapes the parsers look for: digits, separators, 年月日, full-width forms,
/// line ends, next to any character at all.
fn cell() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        proptest::char::range('0', '9'),
        Just('-'),
        Just('/'),
        Just('.'),
        Just('X'),
        Just('年'),
        Just('月'),
        Just('日'),
        Just('\r'),
        Just('\n'),
        Just('"'),
        Just(','),
        proptest::char::range('\u{FF01}', '\u{FF5E}'),
        any::<char>(),
    ];
    proptest::collection::vec(c, 0..20).prop_map(|cs| cs.into_iter().collect())
}

fn every_field_parser(v: &str) {
    let _ = model::parse_date(v);
    let _ = model::parse_citizen_id(v, today());
    let _ = model::mask_id(v);
    let _ = model::mask_phone(v);
    let _ = model::normalize_phone(v);
    let _ = model::identity::normalize_document(v);
    let _ = model::parse_ethnicity(v);
    let _ = model::parse_flag(v);
    let _ = parse_area(v);
    let _ = CareGroup::from_code(v);
    let _ = (
        Gender::parse(v),
        IdType::parse(v),
        Relation::parse(v),
        Residence::parse(v),
    );
}

/// A resident typed with `v` in every field (and a citizen ID type so the ID path is taken).
fn resident_everywhere(v: &str) -> ResidentInput {
    let s = v.to_owned();
    ResidentInput {
        name: s.clone(),
        gender: s.clone(),
        birth_date: s.clone(),
        ethnicity: s.clone(),
        id_type: String::new(),
        id_number: s.clone(),
        phone: s.clone(),
        phone2: s.clone(),
        relation: s.clone(),
        residence: s.clone(),
        moved_in_on: s.clone(),
        occupation: s.clone(),
        employer: s.clone(),
        political: s.clone(),
        party_branch: s.clone(),
        veteran: s.clone(),
        notes: s.clone(),
        health: s,
    }
}

/// A CSV file with the template's header and the given rows, each cell quoted.
fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let header: Vec<&str> = COLUMNS.iter().map(|c| c.code).collect();
    let mut out = header.join(",");
    for row in rows {
        out.push('\n');
        let cells: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
        out.push_str(&cells.join(","));
    }
    out.into_bytes()
}

proptest! {
    // A few hundred cases each: the whole property suite stays within seconds in debug.
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_field_parser_panics_on_any_unicode(v in any::<String>()) {
        every_field_parser(&v);
        let _ = resident_everywhere(&v).parse(today());
    }

    #[test]
    fn no_field_parser_panics_near_the_shapes_it_reads(v in cell()) {
        every_field_parser(&v);
        let _ = resident_everywhere(&v).parse(today());
    }

    #[test]
    fn an_uploaded_file_of_any_bytes_is_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = read_sheet(&bytes);
    }

    #[test]
    fn rows_of_any_text_are_read_and_checked_without_a_panic(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), COLUMNS.len()), 1..4)
    ) {
        if let Ok(sheet) = read_sheet(&csv(&rows)) {
            let dwellings = Dwellings::new(vec![("1".into(), "1".into(), "101".into(), 1)]);
            let vault = yijia_kernel::vault::Vault::from_master(&[7; 32]);
            for row in &sheet.rows {
                let _ = input_of(row).parse(today());
            }
            let _ = check_rows(&sheet.rows, &dwellings, &HashSet::new(), &vault, today());
        }
    }
}
