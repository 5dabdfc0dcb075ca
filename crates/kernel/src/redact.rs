//! Masking of the numbers people type into free text before it is published: a resident who
//! writes "请联系我 13909311001" in an appeal's description must not see that number on a public
//! feed (Open311's `GET requests`, the public board). What is kept is what the registry's own
//! masks keep (DOMAIN.md §4): a phone's first three and last four digits, an ID number's address
//! code and last four characters.
//!
//! Detection is by the shape of a run of digits, with spaces or dashes between groups as people
//! type them ("139 0931 1001", "0931-7512345") and full-width digits as a Chinese input method
//! writes them. A number of another shape (an amount, a date, a room) is left as it is.

/// A personal number found in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Number {
    Phone,
    Id,
}

/// The kinds of personal number `text` holds, each once, in the order found.
pub fn numbers_in(text: &str) -> Vec<Number> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let end = run_end(&chars, i);
        let digits: String = chars[i..end].iter().filter_map(|c| digit(*c)).collect();
        if let Some((_, kind)) = kind(&digits) {
            if !found.contains(&kind) {
                found.push(kind);
            }
        }
        i = end;
    }
    found
}

/// `text` with every mobile, landline and ID number masked.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() || (i > 0 && digit(chars[i - 1]).is_some()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = run_end(&chars, i);
        let digits: String = chars[i..end].iter().filter_map(|c| digit(*c)).collect();
        match kind(&digits) {
            Some((keep, _)) => out.push_str(&masked(&chars[i..end], keep)),
            None => out.extend(&chars[i..end]),
        }
        i = end;
    }
    out
}

/// An ASCII or full-width digit as its ASCII form; the X that ends an ID number counts too.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Where a run of digits that starts at `start` ends: single spaces or dashes between digits are
/// part of it, and an X right after 17 digits (an ID number's check character).
fn run_end(chars: &[char], start: usize) -> usize {
    let mut i = start;
    let mut count = 0;
    while i < chars.len() {
        if digit(chars[i]).is_some() {
            count += 1;
            i += 1;
        } else if matches!(chars[i], ' ' | '-' | '－') && chars.get(i + 1).is_some_and(|c| digit(*c).is_some()) {
            i += 1;
        } else if count == 17 && matches!(chars[i], 'X' | 'x' | 'Ｘ') {
            return i + 1;
        } else {
            break;
        }
    }
    i
}

/// How many leading and trailing characters a number of this shape keeps, and what it is, if it
/// is personal.
fn kind(digits: &str) -> Option<((usize, usize), Number)> {
    let d = digits.as_bytes();
    let n = d.len();
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1]);
    if mobile(d) || (n == 13 && d.starts_with(b"86") && mobile(&d[2..])) {
        return Some(((n - 8, 4), Number::Phone));
    }
    if d[0] == b'0' && (10..=12).contains(&n) {
        return Some(((4, 2), Number::Phone));
    }
    match n {
        18 => Some(((6, 4), Number::Id)),
        // 17 digits here were followed by the X this run ended with, which stays.
        17 | 15 => Some(((6, 3), Number::Id)),
        _ => None,
    }
}

/// The run with all but `keep` digits at each end replaced by `*`; separators and an ID's X stay.
fn masked(run: &[char], (head, tail): (usize, usize)) -> String {
    let total = run.iter().filter(|c| digit(**c).is_some()).count();
    let mut seen = 0;
    run.iter()
        .map(|c| {
            if digit(*c).is_none() {
                return *c;
            }
            seen += 1;
            if seen <= head || seen > total - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A phone number in one canonical form: a mobile without `+86`/`0086` and spaces, a landline
/// as typed without spaces. The blind index is computed over this form.
pub fn normalize_phone(v: &str) -> String {
    let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let mobile = v.strip_prefix("+86").or_else(|| v.strip_prefix("0086")).unwrap_or(&v);
    if mobile.len() == 11 && mobile.starts_with('1') {
        mobile.to_owned()
    } else {
        v
    }
}

/// `138****5678` for a mobile; a landline keeps its area code and last four digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n < 7 {
        return "*".repeat(n);
    }
    // Counted in characters, and leaving at least one star before the last four: "0///00-" has
    // its dash at 6, and a mask of a 7-digit number must hide something.
    let head_len = if phone.starts_with('0') {
        chars.iter().position(|&c| c == '-').unwrap_or(3).min(4)
    } else {
        3
    }
    .min(n - 5);
    let head: String = chars[..head_len].iter().collect();
    let tail: String = chars[n - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(n - head_len - 4))
}

#[cfg(test)]
mod tests {
    use super::{mask_numbers, numbers_in, Number};

    #[test]
    fn the_kinds_of_number_in_a_text_are_named_once() {
        assert_eq!(numbers_in("电话13909311001或13909311002"), [Number::Phone]);
        assert_eq!(
            numbers_in("证件 11010519491231002X，电话 0931-7512345"),
            [Number::Id, Number::Phone]
        );
        assert!(numbers_in("1号楼2单元601，2026-12-07").is_empty());
    }

    #[test]
    fn a_mobile_number_keeps_its_first_three_and_last_four_digits() {
        assert_eq!(mask_numbers("电话13909311001，谢谢"), "电话139****1001，谢谢");
        assert_eq!(mask_numbers("139 0931 1001"), "139 **** 1001");
        assert_eq!(mask_numbers("+8613909311001"), "+86139****1001");
        assert_eq!(mask_numbers("１３９０９３１１００１"), "１３９****１００１");
    }

    #[test]
    fn a_landline_and_an_id_number_are_masked() {
        assert_eq!(mask_numbers("0931-7512345"), "0931-*****45");
        assert_eq!(mask_numbers("身份证11010519491231002X。"), "身份证110105********002X。");
        assert_eq!(mask_numbers("110105491231002"), "110105******002");
    }

    #[test]
    fn other_numbers_are_left_as_they_are() {
        for s in [
            "1号楼2单元601",
            "2026-12-07",
            "金额1000000元",
            "12345678901234567890",
            "房号 1801",
            "",
        ] {
            assert_eq!(mask_numbers(s), s);
        }
    }
}
