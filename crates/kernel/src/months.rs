//! Months as reports count them: a calendar month in the community's time zone, named `YYYY-MM`,
//! bounded by the instants it begins and ends at. Every module's monthly figures use these, so
//! that "November" covers the same appeals, hours and visits on every page.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::{Error, Result};

/// `YYYY-MM` (as an `<input type=month>` sends it) → the month's first day.
pub fn parse(s: &str) -> Option<Date> {
    let (y, m) = s.trim().split_once('-')?;
    Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()
}

/// `YYYY-MM` of a month's first day.
pub fn name(first: Date) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

/// `[start, end)` of the month beginning on `first`, in epoch ms, in the time zone named.
pub fn bounds(first: Date, tz: &str) -> Result<(i64, i64)> {
    let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
    let at = |d: Date| {
        d.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| Error::Internal(e.into()))
    };
    Ok((at(first)?, at(next(first)?)?))
}

/// The first day of the month after.
pub fn next(first: Date) -> Result<Date> {
    first
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| Error::Internal(e.into()))
}

/// The `n` months ending with the one beginning on `last`, oldest first.
pub fn ending(last: Date, n: usize) -> Vec<Date> {
    let mut out: Vec<Date> = (0..n as i64)
        .filter_map(|i| last.first_of_month().checked_sub(jiff::Span::new().months(i)).ok())
        .collect();
    out.reverse();
    out
}

/// The instants `months` (first days, oldest first, consecutive) begin at, and the end of the
/// last: `n + 1` bounds, bound as parameters to [`bucket_sql`]'s expression.
pub fn all_bounds(months: &[Date], tz: &str) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(months.len() + 1);
    for (i, m) in months.iter().enumerate() {
        let (start, end) = bounds(*m, tz)?;
        out.push(start);
        if i + 1 == months.len() {
            out.push(end);
        }
    }
    Ok(out)
}

/// An SQL expression giving which of `n` months the instant in `col` falls in (0 the oldest),
/// with the bounds of [`all_bounds`] bound from parameter `$first` on; null outside them. One
/// query then counts a whole year, grouped by this expression, where a query a month would not.
pub fn bucket_sql(col: &str, first: usize, n: usize) -> String {
    // A bigint, as PostgreSQL would otherwise type the case as integer.
    let mut s = format!("cast(case when {col} < ${first} then null");
    for i in 0..n {
        s.push_str(&format!(" when {col} < ${} then {i}", first + i + 1));
    }
    s.push_str(" end as bigint)");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_bounded_in_the_communitys_time_zone() {
        let (start, end) = bounds(parse("2026-11").unwrap(), "Asia/Shanghai").unwrap();
        assert_eq!(start, 1_793_462_400_000, "2026-11-01 00:00 +08:00");
        assert_eq!(end - start, 30 * 24 * 3_600_000);
        assert!(parse("2026-13").is_none() && parse("x").is_none());
    }

    #[test]
    fn an_instant_falls_in_the_month_whose_bounds_hold_it() {
        assert_eq!(
            bucket_sql("a.t", 3, 2),
            "cast(case when a.t < $3 then null when a.t < $4 then 0 when a.t < $5 then 1 end as bigint)"
        );
        let b = all_bounds(&ending(parse("2026-12").unwrap(), 2), "Asia/Shanghai").unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], 1_793_462_400_000, "November 2026 begins");
        assert_eq!(b[2] - b[1], 31 * 24 * 3_600_000, "December ends");
    }

    #[test]
    fn twelve_months_back_cross_the_year_oldest_first() {
        let m = ending(parse("2026-02").unwrap(), 3);
        let names: Vec<String> = m.into_iter().map(name).collect();
        assert_eq!(names, ["2025-12", "2026-01", "2026-02"]);
    }
}
