//! Who votes in an owners' joint decision, built from the registry's holdings (DOMAIN.md §1):
//! one unit, one owner (a unit's co-owners are one); the same buyer of several units — the same
//! person, or the same set of co-owners — counts once; all the developer's unsold or undelivered
//! units count once (SPC interpretation 法释〔2009〕7号, art. 9). Co-owners are not chained across
//! units: A+B of 101 and B+C of 102 are two owners, since neither unit was bought by the same
//! buyer as the other. Each unit keeps its exclusive area
//! and where the figure comes from; a unit with no owner, no area or two different areas keeps
//! the vote from opening, and the problems say which units.

use std::collections::BTreeMap;

use yijia_kernel::vocab;

use super::tally::Unit;

vocab!(
    /// Where a unit's exclusive area comes from, in order of precedence (interpretation art. 8).
    AreaSource {
        Register = "register" / "不动产登记簿" / "Real-estate register",
        Survey = "survey" / "测绘报告" / "Survey",
        Contract = "contract" / "房屋买卖合同" / "Sales contract",
    }
);

/// An owner's holding of a unit, as the registry keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holding {
    pub unit_id: i64,
    /// The owner's record in the registry, when known; a holder known only by name is an owner of
    /// that unit alone (two people of one name are not taken for one).
    pub resident_id: Option<i64>,
    pub developer: bool,
    /// Hundredths of a square metre.
    pub area: Option<i64>,
    pub area_source: Option<AreaSource>,
}

/// Why the electorate is not complete yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    NoOwner(i64),
    NoArea(i64),
    /// Two holdings of the unit give different areas.
    AreasDiffer(i64),
}

/// The owners' electorate of a scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Electorate {
    /// Every unit in scope with an owner; `area` is `None` where it is missing or disputed.
    pub units: Vec<Unit>,
    /// Which owner each resident votes as.
    pub owner_of: BTreeMap<i64, i64>,
    /// The area's source of each unit that has one.
    pub sources: BTreeMap<i64, AreaSource>,
    pub problems: Vec<Problem>,
}

/// The owner number of the developer: all its units count as one owner.
pub const DEVELOPER: i64 = 0;

/// Builds the electorate of `units` (every unit in scope, so that one without an owner is found)
/// from their owners' holdings.
pub fn build(units: &[i64], holdings: &[Holding]) -> Electorate {
    let mut of_unit: BTreeMap<i64, Vec<&Holding>> = BTreeMap::new();
    for h in holdings {
        of_unit.entry(h.unit_id).or_default().push(h);
    }
    // Owners as people: residents by their record, nameless holders by their unit (negative, so
    // they never meet a resident's id); a unit's owner is the set of its holders.
    let person = |h: &Holding| h.resident_id.unwrap_or(-h.unit_id);
    let mut numbers: BTreeMap<Vec<i64>, i64> = BTreeMap::new();
    let mut e = Electorate::default();
    for &unit_id in units {
        let Some(hs) = of_unit.get(&unit_id).filter(|hs| !hs.is_empty()) else {
            e.problems.push(Problem::NoOwner(unit_id));
            continue;
        };
        let owner = if hs.iter().any(|h| h.developer) {
            DEVELOPER
        } else {
            let mut buyer: Vec<i64> = hs.iter().map(|h| person(h)).collect();
            buyer.sort_unstable();
            buyer.dedup();
            let next = i64::try_from(numbers.len()).unwrap_or(i64::MAX) + 1;
            *numbers.entry(buyer).or_insert(next)
        };
        // The register's figure before the survey's before the contract's; two figures from the
        // best source there is are a dispute to settle first.
        let best = hs
            .iter()
            .filter(|h| h.area.is_some())
            .map(|h| rank(h.area_source))
            .min();
        let mut areas: Vec<(i64, Option<AreaSource>)> = hs
            .iter()
            .filter(|h| Some(rank(h.area_source)) == best)
            .filter_map(|h| h.area.map(|a| (a, h.area_source)))
            .collect();
        areas.sort_unstable_by_key(|(a, _)| *a);
        areas.dedup_by_key(|(a, _)| *a);
        let area = match areas.as_slice() {
            [] => {
                e.problems.push(Problem::NoArea(unit_id));
                None
            }
            [(a, source)] => {
                if let Some(s) = source {
                    e.sources.insert(unit_id, *s);
                }
                Some(*a)
            }
            _ => {
                e.problems.push(Problem::AreasDiffer(unit_id));
                None
            }
        };
        e.units.push(Unit { unit_id, owner, area });
        // A person of two buyers (A+B of 101, A alone of 102) votes online as the first of them;
        // the other's ballot is cast by its other co-owner or entered from paper by voter number.
        for h in hs.iter().filter(|h| !h.developer) {
            if let Some(r) = h.resident_id {
                e.owner_of.entry(r).or_insert(owner);
            }
        }
    }
    e
}

/// A source's precedence (0 first); a figure of unknown source comes last.
fn rank(s: Option<AreaSource>) -> usize {
    s.and_then(|s| AreaSource::ALL.iter().position(|x| *x == s))
        .unwrap_or(AreaSource::ALL.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holding(unit_id: i64, resident_id: Option<i64>, area: Option<i64>) -> Holding {
        Holding {
            unit_id,
            resident_id,
            developer: false,
            area,
            area_source: area.map(|_| AreaSource::Register),
        }
    }

    fn developer(unit_id: i64, area: i64) -> Holding {
        Holding {
            developer: true,
            ..holding(unit_id, None, Some(area))
        }
    }

    #[test]
    fn co_owners_are_one_owner_a_multi_unit_owner_counts_once_the_developer_once() {
        let holdings = [
            // 1 and 7: A and B own them together; 2: A alone; 3, 4: unsold; 5: C; 6: a holder
            // by name.
            holding(1, Some(10), Some(9_000)),
            holding(1, Some(11), Some(9_000)),
            holding(2, Some(10), Some(6_000)),
            developer(3, 10_000),
            developer(4, 10_000),
            holding(5, Some(12), Some(7_550)),
            holding(6, None, Some(8_000)),
            holding(7, Some(11), Some(9_000)),
            holding(7, Some(10), Some(9_000)),
        ];
        let e = build(&[1, 2, 3, 4, 5, 6, 7], &holdings);
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        let owners: Vec<(i64, i64)> = e.units.iter().map(|u| (u.unit_id, u.owner)).collect();
        assert_eq!(
            owners,
            [(1, 1), (2, 2), (3, DEVELOPER), (4, DEVELOPER), (5, 3), (6, 4), (7, 1)]
        );
        let mut distinct: Vec<i64> = e.units.iter().map(|u| u.owner).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            5,
            "A+B (of two units), A alone, the developer, C, the named holder"
        );
        assert_eq!(e.owner_of.get(&11), Some(&1), "B votes as the owner A and B are");
        assert_eq!(
            e.owner_of.get(&10),
            Some(&1),
            "A online as the first of the two buyers A is in"
        );
        assert_eq!(e.owner_of.get(&12), Some(&3));
    }

    #[test]
    fn co_owners_chained_across_units_are_not_merged() {
        // 甲+乙 own 101, 乙+丙 own 102, 丁 owns 103: three owners (SPC interpretation art. 9).
        let holdings = [
            holding(101, Some(1), Some(9_000)),
            holding(101, Some(2), Some(9_000)),
            holding(102, Some(2), Some(8_000)),
            holding(102, Some(3), Some(8_000)),
            holding(103, Some(4), Some(7_000)),
        ];
        let e = build(&[101, 102, 103], &holdings);
        let owners: Vec<i64> = e.units.iter().map(|u| u.owner).collect();
        assert_eq!(owners, [1, 2, 3]);
    }

    #[test]
    fn the_same_holdings_in_another_order_give_the_same_electorate() {
        let mut holdings = vec![
            holding(1, Some(11), Some(9_000)),
            holding(2, Some(10), Some(6_000)),
            holding(1, Some(10), Some(9_000)),
            holding(3, Some(12), Some(5_000)),
        ];
        let first = build(&[1, 2, 3], &holdings);
        holdings.reverse();
        assert_eq!(build(&[1, 2, 3], &holdings), first);
    }

    #[test]
    fn units_without_owner_or_area_or_with_two_areas_are_named() {
        let mut survey = holding(3, Some(13), Some(8_010));
        survey.area_source = Some(AreaSource::Survey);
        let holdings = [
            holding(2, Some(12), None),
            // The register's 80.00 m² stands over the survey's 80.10.
            holding(3, Some(13), Some(8_000)),
            survey,
            holding(4, Some(14), Some(7_000)),
            holding(4, Some(15), Some(7_000)),
            // Two register figures that differ.
            holding(5, Some(16), Some(6_000)),
            holding(5, Some(17), Some(6_500)),
        ];
        let e = build(&[1, 2, 3, 4, 5], &holdings);
        assert_eq!(
            e.problems,
            [Problem::NoOwner(1), Problem::NoArea(2), Problem::AreasDiffer(5)]
        );
        assert_eq!(super::super::tally::missing_areas(&e.units), [2, 5]);
        let area_of = |id: i64| e.units.iter().find(|u| u.unit_id == id).and_then(|u| u.area);
        assert_eq!(
            (area_of(3), e.sources.get(&3)),
            (Some(8_000), Some(&AreaSource::Register))
        );
        assert_eq!(
            e.sources.get(&4),
            Some(&AreaSource::Register),
            "co-owners giving one figure agree"
        );
    }
}
