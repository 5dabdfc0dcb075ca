//! The registry's domain types: what a resident is, parsed from a form, a JSON body or an
//! imported row by one parser, so every channel applies the same rules.

pub mod care;
pub mod identity;
pub mod vocab;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use yijia_kernel::error::Message;
use yijia_kernel::{text, FieldErrors};

pub use care::{CareGroup, CUSTOM_CARE_GROUPS};
pub use identity::{mask_id, mask_phone, normalize_phone, parse_citizen_id, IdProblem};
pub use vocab::{
    ethnicity_label, parse_ethnicity, AreaSource, CareKind, DisabilityCategory, Gender, HoldingKind, IdType, Political,
    Relation, Residence,
};

/// A resident as typed: every field a string, as a form, a JSON body or a spreadsheet row
/// gives it. On an update, an empty ID number, phone or health note keeps the stored one
/// (those are never sent back to the browser in clear).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResidentInput {
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub phone2: String,
    pub relation: String,
    pub residence: String,
    pub moved_in_on: String,
    pub occupation: String,
    pub employer: String,
    pub political: String,
    pub party_branch: String,
    pub veteran: String,
    pub notes: String,
    pub health: String,
}

/// A resident's fields after every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentValues {
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<Date>,
    /// GB/T 3304 code, or empty when not given.
    pub ethnicity: String,
    pub id_type: IdType,
    /// Normalised (an 18-character citizen ID, upper case); `None`: not given.
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub relation: Relation,
    pub residence: Residence,
    pub moved_in_on: Option<Date>,
    pub occupation: String,
    pub employer: String,
    pub political: Political,
    pub party_branch: String,
    pub veteran: bool,
    pub notes: String,
    pub health: Option<String>,
}

/// A date as people type it (`2026-11-27`, `2026/11/27`, `20261127`, `２０２６年11月27日` …):
/// the kernel's one date parser, so every module reads dates alike.
pub use yijia_kernel::text::date as parse_date;

/// A yes/no cell: `1`, `true`, `on`, `yes`, `是` are yes; empty and anything else no.
pub fn parse_flag(s: &str) -> bool {
    matches!(s.trim(), "1" | "true" | "on" | "yes" | "是" | "Y" | "y")
}

/// "Choose from the list", naming the list: a person fixing a sheet sees what it takes
/// (`values` in Chinese labels, `codes` for English readers and API clients).
pub fn choose_from(values: String, codes: String) -> Message {
    Message::new("registry.choose_from")
        .arg("values", values)
        .arg("codes", codes)
}

/// A closed list's value typed into a field; its default when empty, else the list it is not
/// one of (`list()` gives the Chinese labels and the codes).
fn pick<T: Copy>(
    errs: &mut FieldErrors,
    field: &str,
    value: &str,
    default: T,
    parse: impl Fn(&str) -> Option<T>,
    list: impl Fn() -> (String, String),
) -> T {
    if value.trim().is_empty() {
        return default;
    }
    parse(value).unwrap_or_else(|| {
        let (values, codes) = list();
        errs.add(field, choose_from(values, codes));
        default
    })
}

/// The ethnicities as an error names them.
fn ethnicity_list() -> (String, String) {
    let zh: Vec<&str> = vocab::ETHNICITIES.iter().map(|(_, zh, _)| *zh).collect();
    let codes: Vec<&str> = vocab::ETHNICITIES.iter().map(|(code, _, _)| *code).collect();
    (zh.join("、"), codes.join(", "))
}

/// The labels and codes of a closed list, for [`pick`].
macro_rules! list {
    ($t:ty) => {
        || (<$t>::zh_list(), <$t>::code_list())
    };
}

fn opt_date(errs: &mut FieldErrors, field: &str, value: &str, today: Date) -> Option<Date> {
    if value.trim().is_empty() {
        return None;
    }
    match parse_date(value) {
        Some(d) if d > today => {
            errs.add(field, Message::new("registry.date_in_future"));
            None
        }
        Some(d) => Some(d),
        None => {
            errs.add(field, Message::new("registry.bad_date"));
            None
        }
    }
}

fn opt_phone(errs: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let v = text::phone(errs, field, value);
    (!v.is_empty()).then(|| normalize_phone(&v))
}

impl ResidentInput {
    /// Checks every field. A citizen ID must pass GB 11643 (a legacy 15-digit number is
    /// converted); the birth date and gender, when given, must agree with it, and are taken
    /// from it when left empty.
    pub fn parse(&self, today: Date) -> Result<ResidentValues, FieldErrors> {
        let mut errs = FieldErrors::default();
        let name = text::required(&mut errs, "name", &self.name, 50);
        let mut gender = pick(
            &mut errs,
            "gender",
            &self.gender,
            Gender::Unknown,
            Gender::parse,
            list!(Gender),
        );
        let mut birth_date = opt_date(&mut errs, "birth_date", &self.birth_date, today);
        let ethnicity = if self.ethnicity.trim().is_empty() {
            String::new()
        } else {
            parse_ethnicity(&self.ethnicity).map(str::to_owned).unwrap_or_else(|| {
                let (values, codes) = ethnicity_list();
                errs.add("ethnicity", choose_from(values, codes));
                String::new()
            })
        };
        let number = self.id_number.trim();
        let default_type = if number.is_empty() {
            IdType::None
        } else {
            IdType::Citizen
        };
        let id_type = pick(
            &mut errs,
            "id_type",
            &self.id_type,
            default_type,
            IdType::parse_loose,
            list!(IdType),
        );
        // A permit's number says what it is: offices list permit holders under 身份证 too, and
        // the registry would otherwise hold a permit as a citizen ID.
        let id_type = if id_type == IdType::Citizen && identity::looks_like_permit(number) {
            IdType::HmtPermit
        } else {
            id_type
        };
        let parse_number = if id_type == IdType::HmtPermit {
            identity::parse_permit
        } else {
            parse_citizen_id
        };
        let id_number = match id_type {
            _ if number.is_empty() => None,
            IdType::Citizen | IdType::HmtPermit => match parse_number(number, today) {
                Ok(id) => {
                    let id_gender = if id.male { Gender::Male } else { Gender::Female };
                    match birth_date {
                        Some(b) if b != id.birth => errs.add("birth_date", Message::new("registry.birth_mismatch")),
                        _ => birth_date = Some(id.birth),
                    }
                    match gender {
                        Gender::Unknown => gender = id_gender,
                        g if g != id_gender => errs.add("gender", Message::new("registry.gender_mismatch")),
                        _ => {}
                    }
                    Some(id.number)
                }
                Err(problem) => {
                    errs.add("id_number", Message::new(problem.key()));
                    None
                }
            },
            IdType::None => {
                errs.add("id_type", Message::new("registry.id_type_needed"));
                None
            }
            IdType::Passport | IdType::Other => {
                let v = identity::normalize_document(number);
                if v.len() > 30 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    errs.add("id_number", Message::new("registry.id_format"));
                }
                Some(v)
            }
        };
        let phone = opt_phone(&mut errs, "phone", &self.phone);
        let phone2 = opt_phone(&mut errs, "phone2", &self.phone2);
        let relation = pick(
            &mut errs,
            "relation",
            &self.relation,
            Relation::Other,
            Relation::parse,
            list!(Relation),
        );
        let residence = pick(
            &mut errs,
            "residence",
            &self.residence,
            Residence::RegisteredLiving,
            Residence::parse,
            list!(Residence),
        );
        let moved_in_on = opt_date(&mut errs, "moved_in_on", &self.moved_in_on, today);
        let occupation = text::optional(&mut errs, "occupation", &self.occupation, 50);
        let employer = text::optional(&mut errs, "employer", &self.employer, 100);
        let political = pick(
            &mut errs,
            "political",
            &self.political,
            Political::Masses,
            Political::parse,
            list!(Political),
        );
        let party_branch = text::optional(&mut errs, "party_branch", &self.party_branch, 100);
        let notes = text::optional(&mut errs, "notes", &self.notes, 1000);
        let health = text::optional(&mut errs, "health", &self.health, 1000);
        if errs.is_empty() {
            Ok(ResidentValues {
                name,
                gender,
                birth_date,
                ethnicity,
                id_type,
                id_number,
                phone,
                phone2,
                relation,
                residence,
                moved_in_on,
                occupation,
                employer,
                political,
                party_branch,
                veteran: parse_flag(&self.veteran),
                notes,
                health: (!health.is_empty()).then_some(health),
            })
        } else {
            Err(errs)
        }
    }
}

/// Whole years between a birth date and a day.
pub fn age_on(birth: Date, day: Date) -> i64 {
    let mut years = i64::from(day.year() - birth.year());
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// The birth dates that give ages `min..=max` on `day`, as `[from, to]` ISO strings.
pub fn birth_range(min: Option<i64>, max: Option<i64>, day: Date) -> (Option<String>, Option<String>) {
    let shift = |years: i64| day.checked_sub(jiff::Span::new().years(years)).ok();
    // Age ≥ min: born on or before day − min years. Age ≤ max: born after day − (max+1) years.
    let to = min.and_then(shift).map(|d| d.to_string());
    let from = max
        .and_then(|m| shift(m + 1))
        .and_then(|d| d.tomorrow().ok())
        .map(|d| d.to_string());
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 27).unwrap()
    }

    fn input(id: &str) -> ResidentInput {
        ResidentInput {
            name: "张三".into(),
            id_number: id.into(),
            ..ResidentInput::default()
        }
    }

    #[test]
    fn birth_date_and_gender_are_taken_from_the_id_when_left_empty() {
        let v = input("11010519491231002X").parse(today()).unwrap();
        assert_eq!(v.birth_date, Some(Date::new(1949, 12, 31).unwrap()));
        assert_eq!(v.gender, Gender::Female);
        assert_eq!(v.id_type, IdType::Citizen);
    }

    #[test]
    fn a_birth_date_or_gender_that_contradicts_the_id_is_refused() {
        let mut i = input("11010519491231002X");
        i.birth_date = "1950-01-01".into();
        i.gender = "男".into();
        let e = i.parse(today()).unwrap_err();
        assert_eq!(e.get("birth_date").unwrap().key, "registry.birth_mismatch");
        assert_eq!(e.get("gender").unwrap().key, "registry.gender_mismatch");
    }

    #[test]
    fn a_bad_checksum_and_a_bad_phone_are_reported_per_field() {
        let mut i = input("110105194912310021");
        i.phone = "12345".into();
        let e = i.parse(today()).unwrap_err();
        assert_eq!(e.get("id_number").unwrap().key, "registry.id_checksum");
        assert_eq!(e.get("phone").unwrap().key, "field.bad_phone");
    }

    #[test]
    fn ages_and_age_bands_count_whole_years() {
        let b = Date::new(1956, 11, 28).unwrap();
        assert_eq!(age_on(b, today()), 69);
        assert_eq!(age_on(Date::new(1956, 11, 27).unwrap(), today()), 70);
        let (from, to) = birth_range(Some(70), Some(79), today());
        assert_eq!(to.as_deref(), Some("1956-11-27"));
        assert_eq!(from.as_deref(), Some("1946-11-28"));
        assert_eq!(parse_date("2026/1/5"), Some(Date::new(2026, 1, 5).unwrap()));
        assert_eq!(parse_date("20260105"), Some(Date::new(2026, 1, 5).unwrap()));
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
