//! The owners' register (业主名册) as an import kind: one unit a row with its owners, their ID
//! numbers in the same order, and its areas. Checking needs no database beyond the dwellings;
//! committing replaces each listed unit's owner holdings by the register's, links each owner to
//! the resident with that ID number (through the blind index) and registers the missing ones in
//! the unit's household, all in one transaction.
//!
//! The area is kept in hundredths of a square metre, read from its digits (`89.56` → 8956, by
//! [`parse_area`]): a float would turn some areas into x.xx999 and votes count them to the unit.

use std::collections::HashMap;

use jiff::civil::Date;
use yijia_kernel::vault::Vault;
use yijia_kernel::{AppState, Result};

use super::check::Dwellings;
use super::read::RawRow;
use super::{Col, RowError};
use crate::commands::holding::parse_area;
use crate::commands::{field, plain, seal};
use crate::model::{identity, parse_citizen_id, AreaSource, IdType, ResidentInput};
use crate::repo::{self, NewHolding};

pub const OWNER_ID_COUNT: &str = "registry_import.owner_id_count";
pub const AREA_NEEDED: &str = "registry_import.area_needed";
pub const BAD_AREA: &str = "registry_import.bad_area";
pub const SAME_UNIT: &str = "registry_import.same_unit";

/// One owner of a unit: the name, and the ID number with its type when the register gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub name: String,
    pub id: Option<(IdType, String)>,
}

/// A register row that passed: the unit's household, its owners, area and the area's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitOwners {
    pub household_id: i64,
    pub owners: Vec<Owner>,
    pub area_centi_m2: i64,
    pub area_source: AreaSource,
}

/// A cell listing several values: `张三、李四`, `张三,李四`, `张三；李四` (and their full-width
/// and semicolon forms).
fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An owner's ID number by the shape it has: a residence permit by its address code, an
/// 18- or 15-digit number as a citizen ID, anything else as another document's number.
fn owner_id(number: &str, today: Date) -> std::result::Result<(IdType, String), &'static str> {
    let digits = number.trim_end_matches(['X', 'x']);
    if identity::looks_like_permit(number) {
        identity::parse_permit(number, today)
            .map(|id| (IdType::HmtPermit, id.number))
            .map_err(|p| p.key())
    } else if matches!(number.len(), 15 | 18) && digits.bytes().all(|b| b.is_ascii_digit()) {
        parse_citizen_id(number, today)
            .map(|id| (IdType::Citizen, id.number))
            .map_err(|p| p.key())
    } else {
        let v = identity::normalize_document(number);
        if v.is_empty() || v.len() > 30 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Err("registry.id_format")
        } else {
            Ok((IdType::Other, v))
        }
    }
}

/// `登记`, `测绘`, `合同`, the vocabulary's labels or codes; the register's figure when empty.
fn area_source(s: &str) -> Option<AreaSource> {
    match s.trim() {
        "" | "登记" => Some(AreaSource::Register),
        "测绘" | "实测" => Some(AreaSource::Survey),
        "合同" | "预售" => Some(AreaSource::Contract),
        other => AreaSource::parse(other),
    }
}

/// Checks the register's rows. A unit listed on two rows is refused on both, each naming the
/// other, whatever else is wrong with either: which of them is the register's is not for the
/// import to guess.
pub fn check_owner_rows(
    rows: &[RawRow],
    dwellings: &Dwellings,
    today: Date,
) -> Vec<std::result::Result<UnitOwners, Vec<RowError>>> {
    let mut out: Vec<(Vec<RowError>, Option<UnitOwners>)> = Vec::with_capacity(rows.len());
    let mut first: HashMap<i64, usize> = HashMap::new();
    let mut pairs = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let (errs, household, ok) = check_one(row, dwellings, today);
        out.push((errs, ok));
        let Some(household) = household else { continue };
        match first.get(&household) {
            Some(&f) => {
                pairs.push((i, f));
                pairs.push((f, i));
            }
            None => {
                first.insert(household, i);
            }
        }
    }
    for (i, other) in pairs {
        if !out[i].0.iter().any(|e| e.code == SAME_UNIT) {
            out[i]
                .0
                .push(RowError::new(Col::Room, SAME_UNIT).arg("row", rows[other].line));
        }
    }
    out.into_iter()
        .map(|(errs, ok)| match ok {
            Some(u) if errs.is_empty() => Ok(u),
            _ => Err(errs),
        })
        .collect()
}

/// A row's problems, the unit it names (when it names one), and the unit's owners when the
/// row has no problem.
fn check_one(row: &RawRow, dwellings: &Dwellings, today: Date) -> (Vec<RowError>, Option<i64>, Option<UnitOwners>) {
    let mut errs: Vec<RowError> = row.issues.clone();
    let household = match dwellings.find(row) {
        Ok(h) => Some(h),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let names = split_list(row.get(Col::Owners));
    let numbers = split_list(row.get(Col::OwnerIds));
    if names.is_empty() {
        errs.push(RowError::new(Col::Owners, "field.required"));
    } else if names.iter().any(|n| n.chars().count() > 100) {
        errs.push(RowError::new(Col::Owners, "field.too_long").arg("max", 100));
    }
    if !numbers.is_empty() && numbers.len() != names.len() {
        errs.push(
            RowError::new(Col::OwnerIds, OWNER_ID_COUNT)
                .arg("owners", names.len())
                .arg("ids", numbers.len()),
        );
    }
    let mut owners = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let id = match numbers.get(i) {
            Some(n) => match owner_id(n, today) {
                Ok(id) => Some(id),
                Err(key) => {
                    errs.push(RowError::new(Col::OwnerIds, key).arg("owner", name));
                    None
                }
            },
            None => None,
        };
        owners.push(Owner { name: name.clone(), id });
    }
    // The exclusive area is what votes count; a register extract without it gives the
    // registered (building) area, which is the register's figure for the unit.
    let (area_col, area_text) = match row.get(Col::ExclusiveArea) {
        "" => (Col::Area, row.get(Col::Area)),
        v => (Col::ExclusiveArea, v),
    };
    let area = if area_text.is_empty() {
        errs.push(RowError::new(Col::ExclusiveArea, AREA_NEEDED));
        None
    } else {
        parse_area(area_text).or_else(|| {
            errs.push(RowError::new(area_col, BAD_AREA).arg("value", area_text));
            None
        })
    };
    let source = area_source(row.get(Col::AreaSource)).or_else(|| {
        errs.push(
            RowError::new(Col::AreaSource, "registry.choose_from")
                .arg("values", "登记、测绘、合同")
                .arg("codes", AreaSource::code_list()),
        );
        None
    });
    let ok = match (household, area, source) {
        (Some(household_id), Some(area_centi_m2), Some(area_source)) if errs.is_empty() => Some(UnitOwners {
            household_id,
            owners,
            area_centi_m2,
            area_source,
        }),
        _ => None,
    };
    (errs, household, ok)
}

/// Writes checked register rows inside the caller's transaction: each unit's owner holdings
/// are replaced by the register's; an owner with an ID number is linked to the community's
/// resident with that number, or registered in the unit's household when there is none.
/// Returns the number of holdings written and of residents created.
pub async fn write_owners(
    tx: &mut yijia_db::Tx,
    state: &AppState,
    community_id: i64,
    units: &[UnitOwners],
    now: i64,
    today: Date,
) -> Result<(i64, i64)> {
    let vault: &Vault = &state.vault;
    let mut by_blind: HashMap<String, i64> = repo::resident_ids_by_blind_tx(tx, community_id)
        .await?
        .into_iter()
        .collect();
    let (mut holdings, mut created) = (0i64, 0i64);
    for unit in units {
        let Some(at) = repo::household(&mut *tx, unit.household_id).await? else {
            continue;
        };
        repo::delete_owner_holdings(tx, unit.household_id).await?;
        for owner in &unit.owners {
            let resident_id = match &owner.id {
                None => None,
                Some((id_type, number)) => {
                    let blind = vault.blind(field::ID, number);
                    match by_blind.get(&blind) {
                        Some(id) => Some(*id),
                        None => {
                            let input = ResidentInput {
                                name: owner.name.clone(),
                                id_type: id_type.as_str().to_owned(),
                                id_number: number.clone(),
                                ..ResidentInput::default()
                            };
                            let values = input.parse(today).map_err(yijia_kernel::Error::Validation)?;
                            let rid = repo::insert_resident(
                                tx,
                                community_id,
                                unit.household_id,
                                &plain(&values),
                                &seal(vault, &values, None),
                                now,
                            )
                            .await?;
                            by_blind.insert(blind, rid);
                            created += 1;
                            Some(rid)
                        }
                    }
                }
            };
            let holding = NewHolding {
                resident_id,
                holder_name: owner.name.clone(),
                kind: "owner",
                area_centi_m2: Some(unit.area_centi_m2),
                area_source: Some(unit.area_source.as_str()),
                developer: false,
                starts_on: None,
            };
            repo::insert_holding(tx, &at, &holding, now).await?;
            holdings += 1;
        }
    }
    Ok((holdings, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, cells: &[(Col, &str)]) -> RawRow {
        RawRow::of(line, cells)
    }

    fn today() -> Date {
        Date::new(2026, 11, 27).unwrap()
    }

    #[test]
    fn co_owners_in_one_cell_and_an_exact_area() {
        let d = Dwellings::new(vec![
            ("1".into(), "1".into(), "101".into(), 7),
            ("1".into(), "1".into(), "102".into(), 8),
        ]);
        let rows = vec![
            row(
                2,
                &[
                    (Col::Building, "1"),
                    (Col::Unit, "1"),
                    (Col::Room, "101"),
                    (Col::ExclusiveArea, "89.56"),
                    (Col::Owners, "张三、李四"),
                    (Col::OwnerIds, "11010519491231002X；E1234567"),
                    (Col::AreaSource, "测绘"),
                ],
            ),
            row(
                3,
                &[
                    (Col::Building, "1"),
                    (Col::Unit, "1"),
                    (Col::Room, "102"),
                    (Col::Area, "100.1"),
                    (Col::Owners, "王五,赵六"),
                    (Col::OwnerIds, "11010519491231002X"),
                ],
            ),
        ];
        let out = check_owner_rows(&rows, &d, today());
        let u = out[0].as_ref().unwrap();
        assert_eq!(u.area_centi_m2, 8956);
        assert_eq!(u.area_source, AreaSource::Survey);
        assert_eq!(u.owners.len(), 2);
        assert_eq!(u.owners[1].id, Some((IdType::Other, "E1234567".into())));
        let e = out[1].as_ref().unwrap_err();
        assert_eq!(e[0].code, OWNER_ID_COUNT);
    }

    #[test]
    fn a_unit_on_two_rows_is_refused_on_both() {
        let d = Dwellings::new(vec![("1".into(), "1".into(), "101".into(), 7)]);
        let r = |line| {
            row(
                line,
                &[
                    (Col::Building, "1"),
                    (Col::Unit, "1"),
                    (Col::Room, "101"),
                    (Col::Area, "90"),
                    (Col::Owners, "张三"),
                ],
            )
        };
        let out = check_owner_rows(&[r(2), r(3)], &d, today());
        assert_eq!(out[0].as_ref().unwrap_err()[0].args["row"], "3");
        assert_eq!(out[1].as_ref().unwrap_err()[0].args["row"], "2");
    }
}
