//! Care month by month: how many visits fell due and how many of them were made by their day
//! (按时走访率), and how many households had a carer. A visit falls due `interval` days after the
//! last one that reached the person (or after the pairing began, `model::visits::due`); it is on
//! time when the next such visit came by that day, late when it came after or has not come and
//! the day is past. A due day still ahead is not counted yet, nor one after the pairing ended.
//! The figures follow each pairing's chain of visits, as the overdue alerts do, rather than
//! count visits alone: a carer who stops visiting lowers the rate instead of leaving no trace.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Tr;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{months, Actor, AppState, Figure, Result};

use crate::model::visits::{due, Outcome};
use crate::permissions::REPORTS;
use crate::repo::{self, PairingSpan};

/// One month's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    /// `YYYY-MM`.
    pub name: String,
    /// Visits that fell due in the month (and whose day has passed or that were made).
    pub due: i64,
    /// Of those, made by their day.
    pub on_time: i64,
    /// Households with a live pairing at the month's end (or today, for this month); `None` for
    /// a month still to come.
    pub paired: Option<i64>,
}

impl Month {
    /// The share of the visits due that were made on time, in percent; `None` when none fell due.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| self.on_time as f64 * 100.0 / self.due as f64)
    }
}

/// A pairing's due days with whether each visit came by it, as of `today`: `(due day, on time)`.
/// `visits` are the days of the visits that reached the person, in any order.
pub fn due_days(began: Date, interval_days: i64, visits: &[Date], today: Date) -> Vec<(Date, bool)> {
    let mut days: Vec<Date> = visits.iter().copied().filter(|v| *v >= began).collect();
    days.sort_unstable();
    days.dedup();
    let mut out = Vec::new();
    let mut last: Option<Date> = None;
    for v in days {
        let d = due(began, last, interval_days);
        // A second visit on the day the plan began is not a new visit of the plan.
        if last.is_none() && v == began {
            last = Some(v);
            continue;
        }
        out.push((d, v <= d));
        last = Some(v);
    }
    let d = due(began, last, interval_days);
    if d < today {
        out.push((d, false));
    }
    out
}

/// The day a pairing stopped: the end it was given or the day it was ended, whichever first.
fn end_of(p: &PairingSpan, c: &CommunityAt) -> Option<Date> {
    let given = p.ends_on.as_deref().and_then(|d| d.parse::<Date>().ok());
    let ended = p
        .ended_at
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(c.tz()).date());
    match (given, ended) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Which of `asked` (consecutive months' first days) holds `day`.
fn month_of(asked: &[Date], day: Date) -> Option<usize> {
    let first = asked.first()?;
    let i = (i32::from(day.year()) - i32::from(first.year())) * 12 + i32::from(day.month()) - i32::from(first.month());
    usize::try_from(i).ok().filter(|i| *i < asked.len())
}

/// The figures of the households within `reach`, month by month over `asked` (first days,
/// oldest first, consecutive). Two queries: the pairings, and the visits that reached the person.
pub async fn months(state: &AppState, c: &CommunityAt, reach: &CommunityReach, asked: &[Date]) -> Result<Vec<Month>> {
    let (Some(first), Some(last)) = (asked.first(), asked.last()) else {
        return Ok(Vec::new());
    };
    let today = c.today(state);
    let after = months::next(*last)?;
    let (since, _) = months::bounds(*first, &c.time_zone)?;
    let pairings = repo::pairing_spans(&state.db, c.community_id, reach, &after.to_string(), since).await?;
    let counted: Vec<String> = Outcome::ALL
        .iter()
        .filter(|o| o.counts())
        .map(|o| format!("'{}'", o.as_str()))
        .collect();
    let (counted, from) = (counted.join(", "), first.to_string());
    let days = repo::counted_visit_days(&state.db, c.community_id, reach, &counted, &from).await?;
    let mut visits: BTreeMap<i64, Vec<Date>> = BTreeMap::new();
    for (pairing, day) in days {
        if let Ok(d) = day.parse::<Date>() {
            visits.entry(pairing).or_default().push(d);
        }
    }
    let mut out: Vec<Month> = asked
        .iter()
        .map(|m| Month {
            name: months::name(*m),
            ..Month::default()
        })
        .collect();
    // The day each month is seen from: its last, or today for this month; none for one to come.
    let seen: Vec<Option<Date>> = asked
        .iter()
        .map(|m| {
            let end = months::next(*m).ok().and_then(|n| n.yesterday().ok())?;
            (*m <= today).then_some(end.min(today))
        })
        .collect();
    let mut paired: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); asked.len()];
    for p in &pairings {
        let Ok(began) = p.starts_on.parse::<Date>() else {
            continue;
        };
        let end = end_of(p, c);
        for (i, day) in seen.iter().enumerate() {
            if day.is_some_and(|d| began <= d && end.is_none_or(|e| d <= e)) {
                paired[i].insert(p.household_id);
            }
        }
        let chain = visits.get(&p.pairing_id).map_or(&[][..], Vec::as_slice);
        for (d, on_time) in due_days(began, p.interval_days, chain, today) {
            if end.is_some_and(|e| d > e) {
                continue;
            }
            if let Some(m) = month_of(asked, d).and_then(|i| out.get_mut(i)) {
                m.due += 1;
                m.on_time += i64::from(on_time);
            }
        }
    }
    for ((m, households), day) in out.iter_mut().zip(paired).zip(&seen) {
        m.paired = day.map(|_| households.len() as i64);
    }
    Ok(out)
}

/// The community's visits on time and households paired month by month, for the district's
/// comparison; none unless the actor reads the whole community's care reports.
pub async fn figures(state: &AppState, actor: &Actor, c: &CommunityAt, asked: &[Date], tr: &Tr) -> Result<Vec<Figure>> {
    if asked.is_empty() || !REPORTS.allows(actor, &c.place()) {
        return Ok(Vec::new());
    }
    let year = months(state, c, &CommunityReach::All, asked).await?;
    let href = format!("/care/reports?community={}", c.community_id);
    Ok(vec![
        Figure {
            key: "care.visits_on_time",
            label: "care.figure_visits_on_time",
            unit: "%".to_owned(),
            higher_is_better: true,
            values: year.iter().map(Month::on_time_rate).collect(),
            href: href.clone(),
        },
        Figure {
            key: "care.paired_households",
            label: "care.figure_paired_households",
            unit: tr.t("care.unit_households"),
            higher_is_better: true,
            values: year.iter().map(|m| m.paired.map(|n| n as f64)).collect(),
            href,
        },
    ])
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn each_visit_settles_the_day_it_was_due_and_a_missing_one_counts_late_once_its_day_passed() {
        let began = date(2026, 9, 1);
        let visits = [
            date(2026, 9, 7),
            date(2026, 9, 20),
            date(2026, 9, 25),
            date(2026, 8, 30),
        ];
        assert_eq!(
            due_days(began, 7, &visits, date(2026, 10, 10)),
            [
                (date(2026, 9, 8), true),
                (date(2026, 9, 14), false),
                (date(2026, 9, 27), true),
                (date(2026, 10, 2), false),
            ],
            "the visit before the pairing began does not count; the last due day passed unvisited"
        );
        // The day still to come is not counted.
        assert_eq!(due_days(began, 7, &[], date(2026, 9, 8)), []);
        assert_eq!(due_days(began, 7, &[], date(2026, 9, 9)), [(date(2026, 9, 8), false)]);
        // Visiting on the day the plan began leaves the first due day a week on.
        assert_eq!(
            due_days(began, 7, &[began, date(2026, 9, 8)], date(2026, 9, 10)),
            [(date(2026, 9, 8), true)]
        );
    }

    #[test]
    fn a_day_falls_in_its_month_of_those_asked() {
        let asked = months::ending(date(2026, 2, 1), 3);
        assert_eq!(month_of(&asked, date(2025, 12, 31)), Some(0));
        assert_eq!(month_of(&asked, date(2026, 2, 28)), Some(2));
        assert_eq!(month_of(&asked, date(2025, 11, 30)), None);
        assert_eq!(month_of(&asked, date(2026, 3, 1)), None);
    }

    #[test]
    fn the_rate_is_of_the_visits_due() {
        let m = Month {
            due: 4,
            on_time: 3,
            ..Month::default()
        };
        assert_eq!(m.on_time_rate(), Some(75.0));
        assert_eq!(Month::default().on_time_rate(), None);
    }
}
