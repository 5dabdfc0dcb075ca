//! When a paired household is due a visit, and who must know when it is overdue. The plan's
//! interval follows the household's most demanding care group (weekly for an elderly person
//! living alone, monthly for others by default; configurable). Only a visit that met the person
//! resets the clock. An overdue visit alerts the carer first, then the grid worker, then the
//! community, on a schedule; a visit that could not reach the person alerts the grid worker and
//! the community at once: an elderly person living alone who has not been seen is an emergency.

use jiff::civil::Date;
use jiff::Span;
use serde::Serialize;
use yijia_kernel::vocab;

vocab!(
    /// Who an overdue visit is escalated to, in order.
    Tier {
        Carer = "carer" / "结对人" / "Carer",
        GridWorker = "grid_worker" / "网格员" / "Grid worker",
        Community = "community" / "社区" / "Community",
    }
);

vocab!(
    /// What a visit found.
    Outcome {
        Met = "met" / "见到本人" / "Met in person",
        Phoned = "phoned" / "电话联系" / "Reached by phone",
        NotHome = "not_home" / "未见到（已留言）" / "Not at home, message left",
        Unreachable = "unreachable" / "无法联系" / "Could not be reached",
    }
);

impl Outcome {
    /// Whether the visit saw (or spoke to) the person, and so counts as the visit of the plan.
    pub fn counts(self) -> bool {
        matches!(self, Outcome::Met | Outcome::Phoned)
    }
}

/// Days between visits by care group; the household's most demanding group decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Intervals {
    /// `(care group code, days)`.
    pub by_group: Vec<(String, i64)>,
    /// For a household paired without a group that has its own interval.
    pub default_days: i64,
}

impl Default for Intervals {
    fn default() -> Intervals {
        Intervals {
            by_group: vec![
                ("elderly_alone".into(), 7),
                ("serious_illness".into(), 7),
                ("child_in_difficulty".into(), 14),
                ("left_behind_child".into(), 14),
                ("disabled".into(), 14),
                ("tekun".into(), 14),
                ("empty_nest".into(), 14),
            ],
            default_days: 30,
        }
    }
}

impl Intervals {
    /// The interval for a household in `groups` (care group codes).
    pub fn days_for<S: AsRef<str>>(&self, groups: &[S]) -> i64 {
        groups
            .iter()
            .filter_map(|g| self.by_group.iter().find(|(c, _)| c == g.as_ref()).map(|(_, d)| *d))
            .min()
            .unwrap_or(self.default_days)
    }

    /// Parses `group=days` items separated by commas or 、 (a community setting), e.g.
    /// `elderly_alone=7, disabled=14`; `None` when an item is not of that form.
    pub fn parse(v: &str, default_days: i64) -> Option<Intervals> {
        let mut by_group = Vec::new();
        for item in v
            .split([',', '，', '、', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (g, d) = item.split_once('=')?;
            let d: i64 = d.trim().parse().ok().filter(|d| (1..=365).contains(d))?;
            by_group.push((g.trim().to_owned(), d));
        }
        Some(Intervals { by_group, default_days })
    }
}

/// The day the next visit is due: `interval` days after the last visit that counted, or after
/// the pairing began when there was none.
pub fn due(began: Date, last_counted: Option<Date>, interval_days: i64) -> Date {
    let from = last_counted.map_or(began, |l| l.max(began));
    from.checked_add(Span::new().days(interval_days)).unwrap_or(from)
}

/// After how many days past due each tier is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub carer_after: i64,
    pub grid_after: i64,
    pub community_after: i64,
}

impl Default for Escalation {
    fn default() -> Escalation {
        Escalation {
            carer_after: 1,
            grid_after: 3,
            community_after: 7,
        }
    }
}

/// Days `today` is past `due` (0 or less when not overdue).
pub fn days_over(due: Date, today: Date) -> i64 {
    i64::from((today - due).get_days())
}

/// The tiers to tell about a visit due on `due`, as of `today`: each tier whose day has come.
pub fn alerts(due: Date, today: Date, e: Escalation) -> Vec<Tier> {
    let over = days_over(due, today);
    [
        (Tier::Carer, e.carer_after),
        (Tier::GridWorker, e.grid_after),
        (Tier::Community, e.community_after),
    ]
    .into_iter()
    .filter(|(_, after)| over >= *after)
    .map(|(t, _)| t)
    .collect()
}

/// The tiers a visit's outcome tells at once: an unreachable person goes to the grid worker and
/// the community the same day.
pub fn alerts_for_outcome(o: Outcome) -> Vec<Tier> {
    match o {
        Outcome::Unreachable => vec![Tier::GridWorker, Tier::Community],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn the_most_demanding_group_sets_the_interval() {
        let i = Intervals::default();
        assert_eq!(i.days_for(&["minority", "elderly_alone"]), 7);
        assert_eq!(i.days_for(&["disabled"]), 14);
        assert_eq!(i.days_for::<&str>(&[]), 30, "paired without a group (allowed, flagged)");
        let custom = Intervals::parse("elderly_alone=3、disabled = 10", 21).unwrap();
        assert_eq!(
            (
                custom.days_for(&["elderly_alone", "disabled"]),
                custom.days_for(&["veteran"])
            ),
            (3, 21)
        );
        assert_eq!(Intervals::parse("elderly_alone", 30), None);
        assert_eq!(Intervals::parse("elderly_alone=0", 30), None);
    }

    #[test]
    fn only_a_visit_that_reached_the_person_resets_the_clock() {
        let began = date(2026, 11, 1);
        assert_eq!(due(began, None, 7), date(2026, 11, 8));
        assert_eq!(due(began, Some(date(2026, 11, 5)), 7), date(2026, 11, 12));
        // A visit recorded before the pairing began does not count for it.
        assert_eq!(due(began, Some(date(2026, 10, 20)), 7), date(2026, 11, 8));
        assert_eq!(
            due(date(2026, 2, 22), None, 7),
            date(2026, 3, 1),
            "over the end of February"
        );
        assert!(Outcome::Met.counts() && Outcome::Phoned.counts());
        assert!(!Outcome::NotHome.counts() && !Outcome::Unreachable.counts());
    }

    #[test]
    fn an_overdue_visit_reaches_the_carer_then_the_grid_worker_then_the_community() {
        let e = Escalation::default();
        let d = date(2026, 11, 8);
        assert_eq!(alerts(d, date(2026, 11, 8), e), [], "due today is not overdue");
        assert_eq!(alerts(d, date(2026, 11, 9), e), [Tier::Carer]);
        assert_eq!(alerts(d, date(2026, 11, 10), e), [Tier::Carer]);
        assert_eq!(alerts(d, date(2026, 11, 11), e), [Tier::Carer, Tier::GridWorker]);
        assert_eq!(
            alerts(d, date(2026, 11, 15), e),
            [Tier::Carer, Tier::GridWorker, Tier::Community],
            "an elderly person living alone unseen for two weeks"
        );
        assert_eq!(days_over(d, date(2026, 11, 1)), -7);
        assert_eq!(
            alerts_for_outcome(Outcome::Unreachable),
            [Tier::GridWorker, Tier::Community]
        );
        assert!(alerts_for_outcome(Outcome::NotHome).is_empty());
    }
}
