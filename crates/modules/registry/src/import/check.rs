//! Checking the rows of an import: every field by [`ResidentInput::parse`], the same rules as
//! the form; the dwelling by its building, unit and room codes; the ID number against the other
//! rows of the file and against the community's registry (through the blind index).
//!
//! Everything the check needs is loaded before it starts (the community's dwellings, its ID
//! index values), so it runs without a query per row.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use yijia_kernel::vault::Vault;

use super::read::RawRow;
use super::{Col, RowError};
use crate::commands::field;
use crate::model::{identity, parse_citizen_id, IdType, ResidentInput, ResidentValues};

pub const UNKNOWN_BUILDING: &str = "registry_import.unknown_building";
pub const UNKNOWN_UNIT: &str = "registry_import.unknown_unit";
pub const UNKNOWN_ROOM: &str = "registry_import.unknown_room";
pub const DUPLICATE_IN_FILE: &str = "registry_import.duplicate_in_file";
pub const SAME_AS_ROW: &str = "registry_import.same_as_row";
pub const ON_REGISTRY: &str = "registry_import.on_registry";
pub const EXAMPLE_ROW: &str = "registry_import.example_row";

/// The template's example person: a row left in by mistake is refused, not imported.
pub const EXAMPLE_NAME: &str = "张示例";
pub const EXAMPLE_ID: &str = "11010519491231002X";

/// A community's live dwellings by building, unit and room code (codes compared ignoring the
/// case of their letters).
#[derive(Debug, Default)]
pub struct Dwellings {
    rooms: HashMap<(String, String, String), i64>,
    units: HashSet<(String, String)>,
    buildings: HashSet<String>,
}

fn key(s: &str) -> String {
    s.trim().to_uppercase()
}

impl Dwellings {
    /// From [`repo::household_keys`](crate::repo::household_keys).
    pub fn new(keys: Vec<(String, String, String, i64)>) -> Dwellings {
        let mut d = Dwellings::default();
        for (b, u, r, id) in keys {
            let (b, u, r) = (key(&b), key(&u), key(&r));
            d.buildings.insert(b.clone());
            d.units.insert((b.clone(), u.clone()));
            d.rooms.insert((b, u, r), id);
        }
        d
    }

    /// The household, or which code is not known (the first of building, unit, room).
    pub(super) fn find(&self, row: &RawRow) -> Result<i64, RowError> {
        let (b, u, r) = (
            key(row.get(Col::Building)),
            key(row.get(Col::Unit)),
            key(row.get(Col::Room)),
        );
        if !self.buildings.contains(&b) {
            return Err(RowError::new(Col::Building, UNKNOWN_BUILDING).arg("code", row.get(Col::Building)));
        }
        if !self.units.contains(&(b.clone(), u.clone())) {
            return Err(RowError::new(Col::Unit, UNKNOWN_UNIT).arg("code", row.get(Col::Unit)));
        }
        self.rooms
            .get(&(b, u, r))
            .copied()
            .ok_or_else(|| RowError::new(Col::Room, UNKNOWN_ROOM).arg("code", row.get(Col::Room)))
    }
}

/// A row as the registry's parser takes it.
pub fn input_of(row: &RawRow) -> ResidentInput {
    let v = |c: Col| row.get(c).to_owned();
    ResidentInput {
        name: v(Col::Name),
        gender: v(Col::Gender),
        birth_date: v(Col::BirthDate),
        ethnicity: v(Col::Ethnicity),
        id_type: v(Col::IdType),
        id_number: v(Col::IdNumber),
        phone: v(Col::Phone),
        phone2: v(Col::Phone2),
        relation: v(Col::Relation),
        residence: v(Col::Residence),
        moved_in_on: v(Col::MovedInOn),
        occupation: v(Col::Occupation),
        employer: v(Col::Employer),
        political: v(Col::Political),
        party_branch: v(Col::PartyBranch),
        veteran: v(Col::Veteran),
        notes: v(Col::Notes),
        health: String::new(),
    }
}

/// The ID number as the registry would store it, when it can be told even though some other
/// field of the row is wrong: so a duplicate is reported on both rows whatever else they hold.
fn normal_id(input: &ResidentInput, today: Date) -> Option<String> {
    let number = input.id_number.trim();
    if number.is_empty() {
        return None;
    }
    let kind = if input.id_type.trim().is_empty() {
        IdType::Citizen
    } else {
        IdType::parse_loose(&input.id_type)?
    };
    match kind {
        IdType::Citizen | IdType::HmtPermit => parse_citizen_id(number, today).ok().map(|id| id.number),
        IdType::Passport | IdType::Other => Some(identity::normalize_document(number)),
        IdType::None => None,
    }
}

/// A row that passed: its household and values.
pub type Accepted = (i64, ResidentValues);

/// What the check says of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "outcomes are made once per row and consumed at once; boxing every accepted row costs an allocation each"
)]
pub enum Outcome {
    Accepted(Accepted),
    /// The same person as an earlier accepted row, field for field (a sheet pasted together
    /// from two lists repeats people): kept once, at that row, and said so on the preview.
    Repeat {
        row: u64,
    },
    /// Accepted by a check whose values are read again at commit (the owners' register).
    Passed,
    Rejected(Vec<RowError>),
}

impl Outcome {
    /// The errors of a rejected row.
    pub fn errors(&self) -> Option<&[RowError]> {
        match self {
            Outcome::Rejected(e) => Some(e),
            _ => None,
        }
    }
}

/// The errors of one row, at most one per column, in the sheet's column order.
#[derive(Default)]
struct Errors(Vec<RowError>);

impl Errors {
    fn add(&mut self, e: RowError) {
        if !self.0.iter().any(|x| x.column == e.column) {
            self.0.push(e);
        }
    }

    fn sorted(mut self) -> Vec<RowError> {
        let order = |e: &RowError| Col::from_code(&e.column).map_or(usize::MAX, Col::index);
        self.0.sort_by_key(order);
        self.0
    }
}

/// Checks every row. `on_registry` holds the blind index values of the ID numbers already on
/// the community's registry.
pub fn check_rows(
    rows: &[RawRow],
    dwellings: &Dwellings,
    on_registry: &HashSet<String>,
    vault: &Vault,
    today: Date,
) -> Vec<Outcome> {
    let mut ids: Vec<Option<String>> = Vec::with_capacity(rows.len());
    let mut outcomes: Vec<(Errors, Option<Accepted>)> = Vec::with_capacity(rows.len());
    for row in rows {
        let mut errs = Errors::default();
        for issue in &row.issues {
            errs.add(issue.clone());
        }
        let household = match dwellings.find(row) {
            Ok(h) => Some(h),
            Err(e) => {
                // An empty code is the parser's `required`, or the merged-cell issue already given.
                let col = Col::from_code(&e.column).unwrap_or(Col::Building);
                if row.get(col).is_empty() {
                    errs.add(RowError::new(col, "field.required"));
                } else {
                    errs.add(e);
                }
                None
            }
        };
        let input = input_of(row);
        let parsed = input.parse(today);
        let id = match &parsed {
            Ok(v) => v.id_number.clone(),
            Err(_) => normal_id(&input, today),
        };
        if let Err(fields) = &parsed {
            for (name, m) in &fields.0 {
                let Some(col) = Col::from_code(name) else { continue };
                let mut e = RowError::new(col, m.key);
                for (k, v) in &m.args {
                    e = e.arg(k, v);
                }
                errs.add(e);
            }
        }
        if input.name.trim() == EXAMPLE_NAME && id.as_deref() == Some(EXAMPLE_ID) {
            errs.add(RowError::new(Col::Name, EXAMPLE_ROW));
        }
        if let Some(id) = &id {
            if on_registry.contains(&vault.blind(field::ID, id)) {
                errs.add(RowError::new(Col::IdNumber, ON_REGISTRY));
            }
        }
        ids.push(id);
        outcomes.push((errs, household.zip(parsed.ok())));
    }
    // Rows sharing an ID number. A row equal to an earlier accepted one in every field is a
    // repeat and kept once; rows that differ are a conflict nobody can settle by guessing, so
    // all of them are refused: the first names the second, every other names the first.
    let same = |a: usize, b: usize| match (&outcomes[a].1, &outcomes[b].1) {
        (Some(x), Some(y)) => x == y,
        _ => rows[a].values == rows[b].values,
    };
    let passed = |i: usize| outcomes[i].0 .0.is_empty() && outcomes[i].1.is_some();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        if let Some(id) = id {
            groups.entry(id.as_str()).or_default().push(i);
        }
    }
    let mut repeat_of: HashMap<usize, usize> = HashMap::new();
    let mut conflicts: Vec<(usize, usize)> = Vec::new();
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    for group in groups {
        let mut distinct: Vec<usize> = Vec::new();
        for &i in &group {
            match distinct.iter().find(|&&d| same(d, i)) {
                Some(&d) if passed(d) => {
                    repeat_of.insert(i, d);
                }
                Some(_) => {}
                None => distinct.push(i),
            }
        }
        if let [first, second, ..] = distinct[..] {
            for &i in &group {
                conflicts.push((i, if i == first { second } else { first }));
            }
        }
    }
    for (i, other) in conflicts {
        repeat_of.remove(&i);
        outcomes[i]
            .0
            .add(RowError::new(Col::IdNumber, DUPLICATE_IN_FILE).arg("row", rows[other].line));
    }
    outcomes
        .into_iter()
        .enumerate()
        .map(|(i, (errs, ok))| match (ok, repeat_of.get(&i)) {
            (Some(_), Some(&first)) if errs.0.is_empty() => Outcome::Repeat { row: rows[first].line },
            (Some(a), None) if errs.0.is_empty() => Outcome::Accepted(a),
            _ => Outcome::Rejected(errs.sorted()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, cells: &[(Col, &str)]) -> RawRow {
        RawRow::of(line, cells)
    }

    fn person(line: u64, room: &str, name: &str, id: &str) -> RawRow {
        row(
            line,
            &[
                (Col::Building, "B01"),
                (Col::Unit, "U1"),
                (Col::Room, room),
                (Col::Name, name),
                (Col::IdNumber, id),
            ],
        )
    }

    fn dwellings() -> Dwellings {
        Dwellings::new(vec![
            ("B01".into(), "U1".into(), "101".into(), 7),
            ("B01".into(), "U1".into(), "102".into(), 8),
        ])
    }

    fn today() -> Date {
        Date::new(2026, 11, 27).unwrap()
    }

    fn codes(r: &Outcome) -> Vec<(String, String)> {
        match r {
            Outcome::Rejected(e) => e.iter().map(|e| (e.column.clone(), e.code.clone())).collect(),
            _ => Vec::new(),
        }
    }

    fn accepted(r: &Outcome) -> &Accepted {
        match r {
            Outcome::Accepted(a) => a,
            other => panic!("not accepted: {other:?}"),
        }
    }

    #[test]
    fn a_good_row_finds_its_household_and_a_bad_address_names_the_code() {
        let vault = Vault::from_master(&[7; 32]);
        let rows = vec![
            person(2, "101", "张三", "110105194912310021"),
            person(3, "102", "李四", ""),
            row(
                4,
                &[
                    (Col::Building, "b01"),
                    (Col::Unit, "U9"),
                    (Col::Room, "101"),
                    (Col::Name, "王五"),
                ],
            ),
            row(
                5,
                &[
                    (Col::Building, "B09"),
                    (Col::Unit, "U1"),
                    (Col::Room, "101"),
                    (Col::Name, "赵六"),
                ],
            ),
            row(6, &[(Col::Unit, "U1"), (Col::Room, "101"), (Col::Name, "钱七")]),
        ];
        let out = check_rows(&rows, &dwellings(), &HashSet::new(), &vault, today());
        assert_eq!(
            codes(&out[0]),
            vec![("id_number".into(), "registry.id_checksum".into())]
        );
        assert_eq!(accepted(&out[1]).0, 8);
        assert_eq!(codes(&out[2]), vec![("unit".into(), UNKNOWN_UNIT.into())]);
        assert_eq!(codes(&out[3]), vec![("building".into(), UNKNOWN_BUILDING.into())]);
        assert_eq!(codes(&out[4]), vec![("building".into(), "field.required".into())]);
    }

    #[test]
    fn a_duplicate_id_is_reported_on_both_rows_naming_the_other() {
        let vault = Vault::from_master(&[7; 32]);
        let rows = vec![
            person(2, "101", "张三", "11010519491231002X"),
            person(3, "102", "张三", "11010519491231002x"),
            person(4, "102", "张三", "11010519491231002X"),
        ];
        let out = check_rows(&rows, &dwellings(), &HashSet::new(), &vault, today());
        let arg = |r: &Outcome| r.errors().unwrap()[0].args["row"].clone();
        assert_eq!(arg(&out[0]), "3");
        assert_eq!(arg(&out[1]), "2");
        assert_eq!(arg(&out[2]), "2");
    }

    #[test]
    fn an_identical_repeat_is_kept_once_and_two_different_people_with_one_id_name_each_other() {
        let vault = Vault::from_master(&[7; 32]);
        let mut repeat = person(3, "101", "张三", "１１０１０５１９４９１２３１００２ｘ");
        repeat.values[Col::Gender.index()] = "女".into();
        let rows = [
            person(2, "101", "张三", "11010519491231002X"),
            repeat,
            person(5, "102", "李四", "11010519491231002X"),
        ];
        let out = check_rows(&rows[..2], &dwellings(), &HashSet::new(), &vault, today());
        assert_eq!(accepted(&out[0]).0, 7);
        assert_eq!(out[1], Outcome::Repeat { row: 2 });
        let out = check_rows(&rows[..3], &dwellings(), &HashSet::new(), &vault, today());
        let named = |r: &Outcome| {
            let e = r.errors().unwrap();
            assert_eq!(e[0].code, DUPLICATE_IN_FILE);
            e[0].args["row"].clone()
        };
        assert_eq!(named(&out[0]), "5");
        assert_eq!(named(&out[1]), "2");
        assert_eq!(named(&out[2]), "2");
    }

    #[test]
    fn a_wrong_choice_names_the_accepted_values_and_synonyms_of_id_types_pass() {
        let vault = Vault::from_master(&[7; 32]);
        let mut r = person(2, "101", "张三", "11010519491231002X");
        r.values[Col::Relation.index()] = "表哥".into();
        r.values[Col::IdType.index()] = "二代身份证".into();
        let out = check_rows(&[r], &dwellings(), &HashSet::new(), &vault, today());
        let e = &out[0].errors().unwrap()[0];
        assert_eq!(
            (e.column.as_str(), e.code.as_str()),
            ("relation", "registry.choose_from")
        );
        assert!(e.args["values"].starts_with("户主、配偶、子女"), "{:?}", e.args);
    }

    #[test]
    fn an_id_already_on_the_registry_or_the_templates_example_is_refused() {
        let vault = Vault::from_master(&[7; 32]);
        let taken: HashSet<String> = [vault.blind(field::ID, "11010519491231002X")].into();
        let rows = vec![
            person(2, "101", "张三", "11010519491231002X"),
            person(3, "102", EXAMPLE_NAME, EXAMPLE_ID),
        ];
        let out = check_rows(&rows, &dwellings(), &taken, &vault, today());
        assert_eq!(codes(&out[0]), vec![("id_number".into(), ON_REGISTRY.into())]);
        assert!(codes(&out[1]).contains(&("name".into(), EXAMPLE_ROW.into())));
    }
}
