//! The arithmetic of service: how old a volunteer is on the day, how many minutes they served,
//! the points those earn, the star level their hours reach, and until when hours may be entered.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use yijia_kernel::calendar::Calendar;

/// Hours are entered within 10 working days of the activity (DOMAIN.md §3), then locked.
pub const ENTRY_WORKING_DAYS: u32 = 10;

pub use yijia_kernel::clock::local_date;

/// Full years between a birth date (`YYYY-MM-DD`) and a day; `None` when the date is unknown.
pub fn age_on(birth: Option<&str>, day: Date) -> Option<i64> {
    let b: Date = birth?.trim().parse().ok()?;
    let mut years = i64::from(day.year()) - i64::from(b.year());
    if (day.month(), day.day()) < (b.month(), b.day()) {
        years -= 1;
    }
    Some(years)
}

/// The time actually served within a shift: from the later of arrival and the shift's start to
/// the earlier of leaving and its end, in whole minutes.
pub fn served_minutes(checked_in: i64, checked_out: i64, shift_start: i64, shift_end: i64) -> i64 {
    let from = checked_in.max(shift_start);
    let to = checked_out.min(shift_end);
    ((to - from) / 60_000).max(0)
}

/// The parts of `[from, to)` not covered by any of `taken` (intervals `[f, t)`), in order: where
/// a new credit may lie so that one person's credited time never overlaps.
pub fn free_pieces(from: i64, to: i64, taken: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut taken: Vec<(i64, i64)> = taken.iter().copied().filter(|(f, t)| f < t).collect();
    taken.sort_unstable();
    let mut out = Vec::new();
    let mut at = from;
    for (f, t) in taken {
        if t <= at {
            continue;
        }
        if f >= to {
            break;
        }
        if f > at {
            out.push((at, f));
        }
        at = at.max(t);
    }
    if at < to {
        out.push((at, to));
    }
    out
}

/// The longest of the free pieces (the earliest among equals).
pub fn longest(pieces: &[(i64, i64)]) -> Option<(i64, i64)> {
    pieces
        .iter()
        .copied()
        .fold(None, |best: Option<(i64, i64)>, p| match best {
            Some(b) if b.1 - b.0 >= p.1 - p.0 => Some(b),
            _ => Some(p),
        })
}

/// A shift's length in minutes: the most anyone can be credited for it.
pub fn shift_minutes(starts_at: i64, ends_at: i64) -> i64 {
    ((ends_at - starts_at) / 60_000).max(0)
}

/// Points earned by minutes of service at a rate per hour, rounded down.
pub fn points_for(minutes: i64, per_hour: i64) -> i64 {
    minutes.saturating_mul(per_hour) / 60
}

/// The last instant hours may be entered for an activity ending at `ends_at`: the end of the
/// 10th working day after its day, in the community's time zone.
pub fn entry_locks_at(ends_at: i64, tz: &TimeZone, calendar: &Calendar) -> i64 {
    let last = calendar.add_working_days(local_date(ends_at, tz), ENTRY_WORKING_DAYS);
    last.tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(tz.clone()).ok())
        .map_or(i64::MAX, |z| z.timestamp().as_millisecond())
}

/// Star levels: thresholds in hours, ascending, from a setting like "100,300,600,1000,1500".
pub fn parse_stars(v: &str) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    for part in super::list(v) {
        let h: i64 = part.parse().ok().filter(|h| *h > 0 && *h <= 100_000)?;
        if out.last().is_some_and(|l| *l >= h) {
            return None;
        }
        out.push(h);
    }
    (!out.is_empty() && out.len() <= 10).then_some(out)
}

/// How many stars a number of minutes reaches.
pub fn stars(minutes: i64, thresholds_hours: &[i64]) -> usize {
    thresholds_hours.iter().filter(|h| minutes >= **h * 60).count()
}

/// Minutes as hours with one decimal, as certificates and reports show them.
pub fn hours(minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_birthdays_passed() {
        let day: Date = "2026-06-01".parse().unwrap();
        assert_eq!(age_on(Some("2008-06-01"), day), Some(18));
        assert_eq!(age_on(Some("2008-06-02"), day), Some(17));
        assert_eq!(age_on(Some("garbage"), day), None);
        assert_eq!(age_on(None, day), None);
    }

    #[test]
    fn served_minutes_stay_within_the_shift() {
        let h = 3_600_000;
        // Arrived 30 min early, left 1 h late: credited the 2 h shift only.
        assert_eq!(served_minutes(9 * h - h / 2, 12 * h, 9 * h, 11 * h), 120);
        // Arrived 15 min late.
        assert_eq!(served_minutes(9 * h + h / 4, 11 * h, 9 * h, 11 * h), 105);
        // Left before arriving (clock trouble): nothing.
        assert_eq!(served_minutes(10 * h, 9 * h, 9 * h, 11 * h), 0);
    }

    #[test]
    fn free_pieces_leave_out_what_is_taken() {
        assert_eq!(free_pieces(0, 10, &[]), [(0, 10)]);
        assert_eq!(free_pieces(0, 10, &[(2, 4), (3, 5), (8, 12)]), [(0, 2), (5, 8)]);
        assert_eq!(free_pieces(0, 10, &[(-5, 20)]), []);
        assert_eq!(free_pieces(0, 10, &[(10, 20), (-3, 0)]), [(0, 10)]);
        assert_eq!(longest(&[(0, 2), (5, 8), (9, 12)]), Some((5, 8)));
        assert_eq!(longest(&[]), None);
    }

    #[test]
    fn points_round_down() {
        assert_eq!(points_for(90, 10), 15);
        assert_eq!(points_for(59, 1), 0);
    }

    #[test]
    fn stars_from_thresholds() {
        let t = parse_stars("100,300，600、1000,1500").unwrap();
        assert_eq!(t, vec![100, 300, 600, 1000, 1500]);
        assert_eq!(stars(99 * 60 + 59, &t), 0);
        assert_eq!(stars(100 * 60, &t), 1);
        assert_eq!(stars(1500 * 60, &t), 5);
        assert!(parse_stars("300,100").is_none());
        assert!(parse_stars("").is_none());
        assert!(parse_stars("a").is_none());
    }

    #[test]
    fn hours_with_one_decimal() {
        assert_eq!(hours(90), "1.5");
        assert_eq!(hours(0), "0.0");
        assert_eq!(hours(125), "2.1");
    }

    #[test]
    fn entry_locks_after_ten_working_days() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let cal = Calendar::default();
        // Friday 2026-11-27 10:00 local; 10 working days later is Friday 2026-12-11.
        let ends = "2026-11-27T10:00:00+08:00[Asia/Shanghai]"
            .parse::<jiff::Zoned>()
            .unwrap();
        let lock = entry_locks_at(ends.timestamp().as_millisecond(), &tz, &cal);
        let expect = "2026-12-12T00:00:00+08:00[Asia/Shanghai]"
            .parse::<jiff::Zoned>()
            .unwrap();
        assert_eq!(lock, expect.timestamp().as_millisecond());
    }
}
