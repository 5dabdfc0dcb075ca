//! Parsing text fields at the edge. Limits count characters, not bytes: 40 Chinese characters fit
//! a 40-character field although they take 120 bytes. Nothing here slices a string by byte
//! offsets it has not found itself: any string a client sends must yield a value or a field
//! error, never a panic (the property tests below try arbitrary Unicode).

use std::borrow::Cow;

use jiff::civil::Date;

use crate::error::{FieldErrors, Message};

/// A required text field: line ends unified, trimmed, not empty, at most `max` characters, no
/// control characters other than line feeds and tabs.
pub fn required(errs: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = unify_line_ends(value);
    let v = value.trim();
    if v.is_empty() {
        errs.add(field, Message::new("field.required"));
    } else {
        check(errs, field, v, max);
    }
    v.to_owned()
}

/// An optional text field: as [`required`], but possibly empty.
pub fn optional(errs: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let value = unify_line_ends(value);
    let v = value.trim();
    check(errs, field, v, max);
    v.to_owned()
}

/// Line breaks as one `\n`: a browser sends a textarea's breaks as CRLF (the HTML form
/// encoding requires it), and files from old office software end lines with a lone CR. Stored
/// text then has one kind of break, so limits count each break once and `\r` can stay refused
/// as a control character everywhere else.
pub fn unify_line_ends(v: &str) -> Cow<'_, str> {
    if v.contains('\r') {
        Cow::Owned(v.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(v)
    }
}

/// Full-width ASCII forms (`２０２６－０１－０５`, `１３８…`) and the ideographic space as their
/// ASCII characters: what a Chinese input method or office Excel writes for digits and dashes
/// is meant as the digits and dashes. This is NFKC restricted to the block U+FF01–U+FF5E, which is
/// all the fields that take digits need; Chinese text itself is never passed through it.
pub fn fold_width(v: &str) -> Cow<'_, str> {
    let wide = |c: char| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if !v.chars().any(wide) {
        return Cow::Borrowed(v);
    }
    Cow::Owned(
        v.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

/// A date as people type it: `2026-11-27`, `2026/11/27`, `2026.11.27`, `20261127` or
/// `2026年11月27日`, in half- or full-width digits. Each part is read as characters and must be
/// plain digits (no sign, no space inside): `None` for anything else, never a panic.
pub fn date(v: &str) -> Option<Date> {
    let folded = fold_width(v);
    let s = folded.trim();
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] => (*y, *m, *d),
        // Eight digits in a row: `YYYYMMDD`. The digits are ASCII, so the offsets are characters.
        [one] if one.len() == 8 && one.bytes().all(|b| b.is_ascii_digit()) => {
            (one.get(..4)?, one.get(4..6)?, one.get(6..)?)
        }
        _ => return None,
    };
    let number = |p: &str, max_len: usize| -> Option<i16> {
        let ok = !p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| p.parse().ok()).flatten()
    };
    let month = i8::try_from(number(m, 2)?).ok()?;
    let day = i8::try_from(number(d, 2)?).ok()?;
    Date::new(number(y, 4)?, month, day).ok()
}

fn check(errs: &mut FieldErrors, field: &str, v: &str, max: usize) {
    let n = v.chars().count();
    if n > max {
        errs.add(field, Message::new("field.too_long").arg("max", max).arg("len", n));
    } else if !is_clean(v) {
        errs.add(field, Message::new("field.control_chars"));
    }
}

/// No control characters but line feeds and tabs. Run it on text whose line ends were unified
/// ([`unify_line_ends`]), or a browser's CRLF is refused.
pub fn is_clean(v: &str) -> bool {
    !v.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
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
    let v: String = fold_width(value).trim().chars().filter(|c| *c != ' ').collect();
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

/// A value of a vocabulary typed into a field; `None` and `field.choose_from`, which names the
/// accepted values in the reader's language, when it is not one of them.
pub fn one_of<T: crate::vocab::Vocab>(errs: &mut FieldErrors, field: &str, v: &str) -> Option<T> {
    let got = T::parse(v);
    if got.is_none() {
        errs.add(
            field,
            if v.trim().is_empty() {
                Message::new("field.required")
            } else {
                Message::new("field.choose_from")
                    .arg("values", T::zh_list())
                    .arg("codes", T::code_list())
            },
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

    crate::vocab!(
        /// A two-value list for the choice tests (and the never-panic run below).
        Sample {
        One = "one" / "一" / "One",
        Two = "two" / "二" / "Two",
    });

    #[test]
    fn a_choice_outside_the_list_names_the_list() {
        let mut e = FieldErrors::default();
        assert_eq!(one_of::<Sample>(&mut e, "k", "二").map(|s| s.label("en")), Some("Two"));
        assert_eq!(one_of::<Sample>(&mut e, "k", "three"), None);
        let m = e.get("k").unwrap();
        assert_eq!(m.key, "field.choose_from");
        assert_eq!(
            m.args,
            vec![("values", "一、二".to_owned()), ("codes", "one, two".to_owned())]
        );
        let mut e = FieldErrors::default();
        assert_eq!(one_of::<Sample>(&mut e, "k", " "), None);
        assert_eq!(e.get("k").unwrap().key, "field.required");
    }

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
    fn a_browsers_crlf_line_breaks_are_kept_as_line_feeds() {
        let mut e = FieldErrors::default();
        let v = required(&mut e, "description", "第一行\r\n第二行\r第三行\r\n", 100);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(v, "第一行\n第二行\n第三行");
        let v = optional(&mut e, "notes", "a\r\n\r\nb", 4);
        assert!(e.is_empty(), "a break counts once: {e:?}");
        assert_eq!(v, "a\n\nb");
    }

    #[test]
    fn other_control_characters_are_still_refused() {
        let mut e = FieldErrors::default();
        required(&mut e, "name", "a\u{0007}b", 10);
        assert_eq!(e.get("name").map(|m| m.key), Some("field.control_chars"));
        let mut e = FieldErrors::default();
        optional(&mut e, "name", "a\u{0}b", 10);
        assert_eq!(e.get("name").map(|m| m.key), Some("field.control_chars"));
    }

    #[test]
    fn dates_are_read_in_the_forms_people_type() {
        let want = Date::new(2026, 1, 5).ok();
        for v in [
            "2026-01-05",
            "2026/1/5",
            "2026.01.05",
            "20260105",
            " 2026年1月5日 ",
            "２０２６－０１－０５",
            "２０26-01-05",
            "２０２６年１月５日",
            "２０２６０１０５",
        ] {
            assert_eq!(date(v), want, "{v}");
        }
    }

    #[test]
    fn a_date_that_is_not_one_is_none_not_a_panic() {
        for v in [
            "2026年1",
            "2026年1月",
            "２０２６年",
            "西柳沟小区一号",
            "2026-02-30",
            "2026-+1-05",
            "2026- 1-05",
            "12345678901",
            "",
            "----",
            "2026-01-05-01",
        ] {
            assert_eq!(date(v), None, "{v}");
        }
    }

    #[test]
    fn full_width_phone_numbers_are_read_as_digits() {
        let mut e = FieldErrors::default();
        assert_eq!(phone(&mut e, "phone", "１３８１２３４５６７８"), "13812345678");
        assert_eq!(phone(&mut e, "phone", "０９３１－１２３４５６７"), "0931-1234567");
        assert!(e.is_empty(), "{e:?}");
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

/// Every parser here takes any string a client can send and answers a value or a field error:
/// arbitrary Unicode (and the awkward parts of it: multi-byte characters next to digits, line
/// ends, full-width forms) must never panic.
#[cfg(test)]
mod never_panic {
    use proptest::prelude::*;

    use super::*;

    /// Strings near the shapes the parsers look for: digits and separators mixed with multi-byte
    /// characters, so the byte offsets a parser might compute fall inside a character.
    fn near_miss() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                proptest::char::range('0', '9'),
                Just('-'),
                Just('/'),
                Just('.'),
                Just('+'),
                Just('年'),
                Just('月'),
                Just('日'),
                Just('\r'),
                Just('\n'),
                proptest::char::range('\u{FF01}', '\u{FF5E}'),
                any::<char>(),
            ],
            0..24,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    /// Short runs of one- and three-byte digits with no separator: the `YYYYMMDD` branch of a
    /// date parser that slices bytes panicked on these (`2026年1` is eight bytes).
    fn packed_digits() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                proptest::char::range('0', '9'),
                proptest::char::range('０', '９'),
                Just('年'),
                Just('é'),
            ],
            0..10,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    fn every_parser(v: &str) {
        let mut e = FieldErrors::default();
        let tz = jiff::tz::TimeZone::UTC;
        let kept = required(&mut e, "a", v, 40);
        assert!(!kept.contains('\r'));
        let kept = optional(&mut e, "b", v, 40);
        assert!(!kept.contains('\r'));
        code(&mut e, "c", v);
        phone(&mut e, "d", v);
        email(&mut e, "e", v);
        time_zone(&mut e, "f", v);
        flag(v);
        optional_id(&mut e, "g", v, "bad");
        one_of::<super::tests::Sample>(&mut e, "h", v);
        local_instant(&mut e, "i", v, &tz, "bad");
        assert!(!unify_line_ends(v).contains('\r'));
        assert!(!fold_width(v).chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c)));
        if let Some(d) = date(v) {
            assert!((0..=9999).contains(&d.year()));
        }
    }

    proptest! {
        // A few hundred cases each: the whole property suite stays within seconds in debug.
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn no_parser_panics_on_any_unicode(v in any::<String>()) {
            every_parser(&v);
        }

        #[test]
        fn no_parser_panics_near_the_shapes_it_reads(v in near_miss()) {
            every_parser(&v);
        }

        #[test]
        fn no_parser_panics_on_packed_digits(v in packed_digits()) {
            every_parser(&v);
        }

        #[test]
        fn a_full_width_date_reads_as_its_ascii_twin(y in 1900i16..2100, m in 1i8..=12, d in 1i8..=28) {
            let ascii = format!("{y:04}-{m:02}-{d:02}");
            let wide: String = ascii
                .chars()
                .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c))
                .collect();
            prop_assert_eq!(date(&wide), Date::new(y, m, d).ok());
            prop_assert_eq!(date(&ascii), Date::new(y, m, d).ok());
        }
    }
}
