//! Identity documents and phone numbers (DOMAIN.md §4): the GB 11643 citizen ID with its check
//! character, legacy 15-digit numbers, and how each is shown masked.

use jiff::civil::Date;

/// Why a citizen ID number was refused; each is a translation key under `registry.id_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// Not 15 or 18 characters of digits (and a final X).
    Format,
    /// The birth date inside is not a real date.
    BadDate,
    /// The birth date inside lies in the future.
    FutureBirth,
    /// The check character does not match.
    Checksum,
    /// A residence permit number without the address code 810000, 820000 or 830000.
    NotPermit,
}

impl IdProblem {
    pub fn key(self) -> &'static str {
        match self {
            IdProblem::Format => "registry.id_format",
            IdProblem::BadDate => "registry.id_bad_date",
            IdProblem::FutureBirth => "registry.id_future_birth",
            IdProblem::Checksum => "registry.id_checksum",
            IdProblem::NotPermit => "registry.id_not_permit",
        }
    }
}

/// A valid 18-character citizen ID and what it says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenId {
    pub number: String,
    pub birth: Date,
    /// The 17th character: odd for men, even for women.
    pub male: bool,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character of the first 17 digits.
fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

/// Parses a citizen ID (or a Hong Kong, Macao or Taiwan residence permit, which has the same
/// shape): 18 characters with a valid check character, or a legacy 15-digit number, which is
/// converted. The birth date must be real and not after `today`.
pub fn parse_citizen_id(input: &str, today: Date) -> Result<CitizenId, IdProblem> {
    // Full-width digits (`１１０１…`, as an input method or office Excel writes them) are digits.
    let s: String = yijia_kernel::text::fold_width(input).trim().to_ascii_uppercase();
    let b = s.as_bytes();
    let number = match b.len() {
        18 if b[..17].iter().all(u8::is_ascii_digit) && (b[17].is_ascii_digit() || b[17] == b'X') => {
            if check_char(&b[..17]) != b[17] {
                return Err(IdProblem::Checksum);
            }
            s
        }
        15 if b.iter().all(u8::is_ascii_digit) => {
            let mut n = format!("{}19{}", &s[..6], &s[6..]);
            let c = check_char(n.as_bytes());
            n.push(char::from(c));
            n
        }
        _ => return Err(IdProblem::Format),
    };
    let digits = |r: std::ops::Range<usize>| number[r].parse::<i16>().map_err(|_| IdProblem::Format);
    let birth =
        Date::new(digits(6..10)?, digits(10..12)? as i8, digits(12..14)? as i8).map_err(|_| IdProblem::BadDate)?;
    if birth > today {
        return Err(IdProblem::FutureBirth);
    }
    let male = (number.as_bytes()[16] - b'0') % 2 == 1;
    Ok(CitizenId { number, birth, male })
}

/// The address codes of the residence permits of Hong Kong, Macao and Taiwan residents.
pub const PERMIT_ADDRESS_CODES: [&str; 3] = ["810000", "820000", "830000"];

/// Whether a number (as typed, possibly full-width) carries a residence permit's address code.
pub fn looks_like_permit(input: &str) -> bool {
    let s = yijia_kernel::text::fold_width(input);
    let s = s.trim();
    s.len() == 18 && PERMIT_ADDRESS_CODES.iter().any(|p| s.starts_with(p))
}

/// Parses the residence permit of a Hong Kong, Macao or Taiwan resident by its own rule: 18
/// characters, the address code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan), then
/// the birth date, sequence and check character as in GB 11643. Permits were first issued in
/// 2018, so no legacy 15-digit form exists.
pub fn parse_permit(input: &str, today: Date) -> Result<CitizenId, IdProblem> {
    let folded = yijia_kernel::text::fold_width(input);
    if folded.trim().len() != 18 {
        return Err(IdProblem::Format);
    }
    let id = parse_citizen_id(&folded, today)?;
    if !PERMIT_ADDRESS_CODES.iter().any(|p| id.number.starts_with(p)) {
        return Err(IdProblem::NotPermit);
    }
    Ok(id)
}

/// `110105********002X`: the address code and the last four characters.
pub fn mask_id(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n <= 4 => "*".repeat(n),
        n if n < 12 => {
            let tail: String = chars[n - 2..].iter().collect();
            format!("{}{tail}", "*".repeat(n - 2))
        }
        n => {
            let head: String = chars[..6].iter().collect();
            let tail: String = chars[n - 4..].iter().collect();
            format!("{head}{}{tail}", "*".repeat(n - 10))
        }
    }
}

pub use yijia_kernel::redact::{mask_phone, normalize_phone};

/// The normalised form of another document's number (passport, other): upper case, no spaces.
pub fn normalize_document(v: &str) -> String {
    yijia_kernel::text::fold_width(v)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 27).unwrap()
    }

    #[test]
    fn the_standard_example_is_valid_and_says_female_born_1949() {
        let id = parse_citizen_id("11010519491231002x", today()).unwrap();
        assert_eq!(id.number, "11010519491231002X");
        assert_eq!(id.birth, Date::new(1949, 12, 31).unwrap());
        assert!(!id.male);
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            parse_citizen_id("110105194912310021", today()),
            Err(IdProblem::Checksum)
        );
    }

    #[test]
    fn a_legacy_fifteen_digit_number_is_converted() {
        // 110105491231002 → 11010519491231002 + check X
        let id = parse_citizen_id("110105491231002", today()).unwrap();
        assert_eq!(id.number, "11010519491231002X");
    }

    #[test]
    fn impossible_and_future_birth_dates_are_refused() {
        let mut n = b"11010520270101001".to_vec();
        n.push(check_char(&n));
        let future = String::from_utf8(n).unwrap();
        assert_eq!(parse_citizen_id(&future, today()), Err(IdProblem::FutureBirth));
        let mut n = b"11010519490230001".to_vec();
        n.push(check_char(&n));
        assert_eq!(
            parse_citizen_id(&String::from_utf8(n).unwrap(), today()),
            Err(IdProblem::BadDate)
        );
        assert_eq!(parse_citizen_id("12345", today()), Err(IdProblem::Format));
        assert_eq!(parse_citizen_id("1101051949123100ZX", today()), Err(IdProblem::Format));
    }

    fn with_check(first17: &str) -> String {
        let c = char::from(check_char(first17.as_bytes()));
        format!("{first17}{c}")
    }

    #[test]
    fn a_hong_kong_permit_is_valid_by_its_own_rule_and_a_bad_check_digit_is_refused() {
        let hk = with_check("81000019900101002");
        let id = parse_permit(&hk, today()).unwrap();
        assert_eq!(id.birth, Date::new(1990, 1, 1).unwrap());
        assert!(!id.male);
        assert!(looks_like_permit(&hk));
        let wide: String = hk
            .chars()
            .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap())
            .collect();
        assert_eq!(parse_permit(&wide, today()).unwrap().number, hk);
        let last = if hk.ends_with('0') { '1' } else { '0' };
        let bad = format!("{}{last}", &hk[..17]);
        assert_eq!(parse_permit(&bad, today()), Err(IdProblem::Checksum));
        assert_eq!(parse_permit("11010519491231002X", today()), Err(IdProblem::NotPermit));
        // 81 alone is not the address code: 811234 is no permit.
        assert_eq!(
            parse_permit(&with_check("81123419900101002"), today()),
            Err(IdProblem::NotPermit)
        );
        assert_eq!(parse_permit("810000900101002", today()), Err(IdProblem::Format));
        assert!(parse_permit(&with_check("83000019851231001"), today()).unwrap().male);
    }

    #[test]
    fn a_phone_with_its_dash_late_is_masked_without_overflow() {
        assert_eq!(mask_phone("0///00-"), "0/*/00-");
        assert_eq!(mask_phone("1234567"), "12*4567");
        assert_eq!(mask_phone("０９３１-1234567"), "０９３*****4567");
    }

    #[test]
    fn numbers_are_masked_as_people_expect() {
        assert_eq!(mask_id("11010519491231002X"), "110105********002X");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0931-8123456"), "0931****3456");
        assert_eq!(normalize_phone("+86 138 1234 5678"), "13812345678");
        assert_eq!(mask_id("E1234567"), "******67");
    }
}
