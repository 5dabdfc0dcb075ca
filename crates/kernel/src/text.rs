//! Parsing text fields at the edge. Limits count characters, not bytes: 40 Chinese characters fit
//! a 40-character field although they take 120 bytes.

use crate::error::{FieldErrors, Message};

/// A required text field: trimmed, not empty, at most `max` characters, no control characters.
pub fn required(errs: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errs.add(field, Message::new("field.required"));
    } else {
        check(errs, field, v, max);
    }
    v.to_owned()
}

/// An optional text field: trimmed, possibly empty, at most `max` characters.
pub fn optional(errs: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    check(errs, field, v, max);
    v.to_owned()
}

fn check(errs: &mut FieldErrors, field: &str, v: &str, max: usize) {
    let n = v.chars().count();
    if n > max {
        errs.add(field, Message::new("field.too_long").arg("max", max).arg("len", n));
    } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errs.add(field, Message::new("field.control_chars"));
    }
}

/// A code (community, grid, building …): 1–32 of ASCII letters, digits, `-` and `_`.
pub fn code(errs: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        errs.add(field, Message::new("field.required"));
    } else if v.chars().count() > 32 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        errs.add(field, Message::new("field.bad_code"));
    }
    v.to_owned()
}

/// A phone number a person can be reached at: a mainland mobile (optionally +86 / 0086) or a
/// landline `0AA(A)-NNNNNNN(N)` (DOMAIN.md §4). Empty is allowed; the caller decides if required.
pub fn phone(errs: &mut FieldErrors, field: &str, value: &str) -> String {
    let v: String = value.trim().chars().filter(|c| *c != ' ').collect();
    if !v.is_empty() && !is_phone(&v) {
        errs.add(field, Message::new("field.bad_phone"));
    }
    v
}

fn is_phone(v: &str) -> bool {
    let mobile = v
        .strip_prefix("+86")
        .or_else(|| v.strip_prefix("0086"))
        .or_else(|| v.strip_prefix("86").filter(|r| r.len() == 11))
        .unwrap_or(v);
    let b = mobile.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    // Landline: 0 + 2–3 digit area code, optional dash, 7–8 digit number.
    let digits: String = v.chars().filter(|c| *c != '-').collect();
    let dashes = v.matches('-').count();
    v.starts_with('0')
        && dashes <= 1
        && digits.chars().all(|c| c.is_ascii_digit())
        && (10..=12).contains(&digits.len())
        && v.find('-').is_none_or(|i| (3..=4).contains(&i))
}

/// An e-mail address (`name@example.cn`), as a mail server would take it. Empty is allowed.
pub fn email(errs: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim();
    if !v.is_empty() && (v.chars().count() > 200 || v.parse::<lettre::Address>().is_err()) {
        errs.add(field, Message::new("field.bad_email"));
    }
    v.to_owned()
}

/// An IANA time zone name that the bundled database knows.
pub fn time_zone(errs: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim();
    if jiff::tz::TimeZone::get(v).is_err() {
        errs.add(field, Message::new("field.bad_time_zone"));
    }
    v.to_owned()
}

/// "1", "true", "on" or "yes": a ticked box, as forms and JSON clients send it.
pub fn flag(v: &str) -> bool {
    matches!(v.trim(), "1" | "true" | "on" | "yes")
}

/// An id typed into a form field: `None` when left empty; when not a number, `None` and the
/// module's `bad` message on the field.
pub fn optional_id(errs: &mut FieldErrors, field: &str, v: &str, bad: &'static str) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    v.parse().ok().or_else(|| {
        errs.add(field, Message::new(bad));
        None
    })
}

/// A value of a closed list typed into a field; `None` and a message when it is not one
/// (`field.required` when empty, the module's `bad` message otherwise).
pub fn choice<T: Copy>(
    errs: &mut FieldErrors,
    field: &str,
    v: &str,
    parse: fn(&str) -> Option<T>,
    bad: &'static str,
) -> Option<T> {
    let got = parse(v);
    if got.is_none() {
        errs.add(
            field,
            Message::new(if v.trim().is_empty() { "field.required" } else { bad }),
        );
    }
    got
}

/// The community a form names in its `community` field, or the only one the actor belongs to;
/// `None` with the module's `bad` message (not a number) or `needed` (none to take).
pub fn community_id(
    errs: &mut FieldErrors,
    v: &str,
    actor: &crate::Actor,
    bad: &'static str,
    needed: &'static str,
) -> Option<i64> {
    let id = optional_id(errs, "community", v, bad).or_else(|| actor.only_community());
    if id.is_none() && errs.get("community").is_none() {
        errs.add("community", Message::new(needed));
    }
    id
}

/// A required local date and time typed into a `datetime-local` field (`YYYY-MM-DDTHH:MM`), as
/// the instant it is in `tz`; `None` and a message on the field when empty or not a time (the
/// module's `bad` message).
pub fn local_instant(
    errs: &mut FieldErrors,
    field: &str,
    v: &str,
    tz: &jiff::tz::TimeZone,
    bad: &'static str,
) -> Option<i64> {
    if v.trim().is_empty() {
        errs.add(field, Message::new("field.required"));
        return None;
    }
    let at = v
        .trim()
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|d| d.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp().as_millisecond());
    if at.is_none() {
        errs.add(field, Message::new(bad));
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        let mut e = FieldErrors::default();
        let forty = "西".repeat(40);
        required(&mut e, "name", &forty, 40);
        assert!(e.is_empty());
        required(&mut e, "name", &"西".repeat(41), 40);
        assert_eq!(e.get("name").map(|m| m.key), Some("field.too_long"));
    }

    #[test]
    fn blank_required_text_is_refused() {
        let mut e = FieldErrors::default();
        required(&mut e, "name", "   ", 10);
        assert_eq!(e.get("name").map(|m| m.key), Some("field.required"));
    }

    #[test]
    fn mobile_and_landline_numbers_are_accepted() {
        for ok in [
            "13812345678",
            "+8613812345678",
            "008613812345678",
            "0931-1234567",
            "093112345678",
            "010-12345678",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in ["12812345678", "1381234567", "abc", "0931--1234567", "+8612345678901"] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn codes_are_ascii_only() {
        let mut e = FieldErrors::default();
        code(&mut e, "code", "XLG-01");
        assert!(e.is_empty());
        code(&mut e, "code", "西柳沟");
        assert!(!e.is_empty());
    }
}
