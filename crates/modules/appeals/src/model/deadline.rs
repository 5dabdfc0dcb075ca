//! Deadlines: each tier has a span to dispatch an appeal (from its submission) and a span to
//! reply (from its dispatch, or from a redo). Spans are clock hours, calendar days, or working
//! days on the community's calendar; defaults from DOMAIN.md §7 (Beijing DB11/T 2021-2022),
//! changed per community in its settings, e.g. `24h, 5wd` for "dispatch within a day, finish
//! within five working days" as Jinan does.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use yijia_kernel::calendar::Calendar;
use yijia_kernel::error::Message;
use yijia_kernel::settings::{Kind, Setting};

use super::Tier;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Hours(u32),
    Days(u32),
    WorkingDays(u32),
}

impl Span {
    /// `2h`, `7d`, `5wd` (or 2小时, 7天, 5工作日).
    pub fn parse(s: &str) -> Option<Span> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit())?;
        let n: u32 = s[..split].parse().ok().filter(|n| (1..=999).contains(n))?;
        match s[split..].trim() {
            "h" | "小时" => Some(Span::Hours(n)),
            "d" | "天" => Some(Span::Days(n)),
            "wd" | "工作日" | "个工作日" => Some(Span::WorkingDays(n)),
            _ => None,
        }
    }

    /// In Chinese words, as `parse` reads them back: 2小时, 3天, 5个工作日.
    pub fn words(self) -> String {
        match self {
            Span::Hours(n) => format!("{n}小时"),
            Span::Days(n) => format!("{n}天"),
            Span::WorkingDays(n) => format!("{n}个工作日"),
        }
    }

    pub fn code(self) -> String {
        match self {
            Span::Hours(n) => format!("{n}h"),
            Span::Days(n) => format!("{n}d"),
            Span::WorkingDays(n) => format!("{n}wd"),
        }
    }

    /// The instant this span after `start` (epoch ms). Working days end at midnight after the
    /// last one, in the community's time zone: "within 5 working days" means the whole fifth day.
    pub fn after(self, start_ms: i64, tz: &TimeZone, cal: &Calendar) -> i64 {
        let start = Timestamp::from_millisecond(start_ms).unwrap_or(Timestamp::UNIX_EPOCH);
        let zoned = start.to_zoned(tz.clone());
        let due = match self {
            Span::Hours(n) => zoned.checked_add(i64::from(n).hours()).ok(),
            Span::Days(n) => zoned.checked_add(i64::from(n).days()).ok(),
            Span::WorkingDays(n) => cal
                .add_working_days(zoned.date(), n)
                .tomorrow()
                .ok()
                .and_then(|d| d.to_zoned(tz.clone()).ok()),
        };
        due.map_or(start_ms, |z| z.timestamp().as_millisecond())
    }
}

/// A tier's two spans: to dispatch, and to reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierSpans {
    pub dispatch: Span,
    pub reply: Span,
}

impl TierSpans {
    /// `dispatch, reply`, e.g. `2h, 24h`.
    pub fn parse(s: &str) -> Option<TierSpans> {
        let mut parts = s.split([',', '，', '/', ';', '；']).map(str::trim);
        let spans = TierSpans {
            dispatch: Span::parse(parts.next()?)?,
            reply: Span::parse(parts.next()?)?,
        };
        parts.next().is_none().then_some(spans)
    }
}

fn check_spans(v: &str) -> Result<String, Message> {
    TierSpans::parse(v)
        .map(|t| format!("{}, {}", t.dispatch.code(), t.reply.code()))
        .ok_or_else(|| Message::new("appeals.bad_spans"))
}

/// `1h, 2h` as a Chinese reader writes it, `1小时，2小时`; codes in English.
fn show_spans(v: &str, lang: &str) -> String {
    match TierSpans::parse(v) {
        Some(t) if lang == "zh-CN" => format!("{}，{}", t.dispatch.words(), t.reply.words()),
        _ => v.to_owned(),
    }
}

macro_rules! tier_setting {
    ($name:ident, $key:literal, $label:literal, $default:literal) => {
        pub const $name: Setting = Setting {
            key: $key,
            label: $label,
            hint: "appeals.setting_deadline_hint",
            kind: Kind::Checked {
                max: 40,
                check: check_spans,
                show: show_spans,
            },
            default: $default,
        };
    };
}

tier_setting!(
    EMERGENCY,
    "appeals.deadline_emergency",
    "appeals.setting_deadline_emergency",
    "1h, 2h"
);
tier_setting!(
    UTILITY,
    "appeals.deadline_utility",
    "appeals.setting_deadline_utility",
    "2h, 24h"
);
tier_setting!(
    NORMAL,
    "appeals.deadline_normal",
    "appeals.setting_deadline_normal",
    "24h, 7d"
);
tier_setting!(
    COMPLEX,
    "appeals.deadline_complex",
    "appeals.setting_deadline_complex",
    "24h, 15d"
);

pub fn setting_of(tier: Tier) -> &'static Setting {
    match tier {
        Tier::Emergency => &EMERGENCY,
        Tier::Utility => &UTILITY,
        Tier::Normal => &NORMAL,
        Tier::Complex => &COMPLEX,
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn deadlines_read_in_chinese_words_and_are_taken_back() {
        assert_eq!(show_spans("1h, 2h", "zh-CN"), "1小时，2小时");
        assert_eq!(show_spans("2d, 5wd", "zh-CN"), "2天，5个工作日");
        assert_eq!(show_spans("1h, 2h", "en"), "1h, 2h");
        assert_eq!(check_spans("1小时，2小时").as_deref(), Ok("1h, 2h"));
        assert_eq!(check_spans("2天，5个工作日").as_deref(), Ok("2d, 5wd"));
    }

    fn ms(y: i16, m: i8, d: i8, h: i8, tz: &TimeZone) -> i64 {
        date(y, m, d)
            .at(h, 0, 0, 0)
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn spans_parse_in_both_spellings_and_defaults_are_the_beijing_standard() {
        assert_eq!(Span::parse("5wd"), Some(Span::WorkingDays(5)));
        assert_eq!(Span::parse("15天"), Some(Span::Days(15)));
        assert_eq!(Span::parse("2 小时"), Some(Span::Hours(2)));
        assert_eq!(Span::parse("0h"), None);
        assert_eq!(Span::parse("h"), None);
        assert_eq!(Span::parse("3w"), None);
        assert_eq!(check_spans(" 24h，5工作日").unwrap(), "24h, 5wd");
        assert!(check_spans("24h").is_err() && check_spans("1h, 2h, 3h").is_err());
        assert_eq!(
            TierSpans::parse(NORMAL.default),
            Some(TierSpans {
                dispatch: Span::Hours(24),
                reply: Span::Days(7)
            })
        );
    }

    #[test]
    fn a_working_day_deadline_ends_at_midnight_after_the_last_working_day() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let mut cal = Calendar::default();
        cal.days.insert(date(2026, 12, 1), false);
        // Friday 2026-11-27 15:00 + 3 working days: Mon 30, (Tue 1 Dec off), Wed 2, Thu 3 → Fri 4 00:00.
        let start = ms(2026, 11, 27, 15, &tz);
        assert_eq!(Span::WorkingDays(3).after(start, &tz, &cal), ms(2026, 12, 4, 0, &tz));
        assert_eq!(Span::Hours(2).after(start, &tz, &cal), ms(2026, 11, 27, 17, &tz));
        assert_eq!(Span::Days(7).after(start, &tz, &cal), ms(2026, 12, 4, 15, &tz));
    }
}
