//! Hand-computed tallies, boundaries included. Areas in hundredths of a square metre.

use std::collections::BTreeSet;

use super::*;
use crate::model::rules::{preset, Rule};

fn owners_rule() -> OwnersRule {
    match preset("civil-code-278").map(|p| p.rule) {
        Some(Rule::Owners(r)) => r,
        other => panic!("the Civil Code preset is an owners' rule: {other:?}"),
    }
}

fn residents_rule() -> ResidentsRule {
    match preset("residents-meeting-2018").map(|p| p.rule) {
        Some(Rule::Residents(r)) => r,
        other => panic!("the 2018 preset is a residents' rule: {other:?}"),
    }
}

const DEVELOPER: i64 = 99;

/// A lift building: 8 units, 700.00 m², 6 owners by the headcount rules (owner 3 has two
/// units, the developer's two unsold units count once).
fn building() -> Vec<Unit> {
    [
        (1, 1, 9_000),
        (2, 2, 9_000),
        (3, 3, 12_000),
        (4, 3, 6_000),
        (5, DEVELOPER, 10_000),
        (6, DEVELOPER, 10_000),
        (7, 4, 7_550),
        (8, 5, 6_450),
    ]
    .map(|(unit_id, owner, area)| Unit {
        unit_id,
        owner,
        area: Some(area),
    })
    .to_vec()
}

fn check(t: &Tally, stage: Stage, measure: Measure) -> Check {
    *t.checks
        .iter()
        .find(|c| c.stage == stage && c.measure == measure)
        .unwrap()
}

#[test]
fn a_lift_passes_with_exactly_two_thirds_of_owners_and_exactly_three_quarters_approving() {
    use Choice::*;
    let ballots = [(1, Approve), (3, Approve), (DEVELOPER, Approve), (4, Oppose)];
    let t = owners(&building(), &ballots, Matter::Rebuild, &owners_rule()).unwrap();
    // 545.50 of 700.00 m² took part (≥ 466.67 needed); 4 of 6 owners, exactly 2/3.
    let p_area = check(&t, Stage::Participation, Measure::Area);
    assert_eq!(
        (p_area.part, p_area.whole, p_area.needed, p_area.met),
        (54_550, 70_000, 46_667, true)
    );
    let p_heads = check(&t, Stage::Participation, Measure::Owners);
    assert_eq!(
        (p_heads.part, p_heads.whole, p_heads.needed, p_heads.met),
        (4, 6, 4, true)
    );
    // 470.00 of 545.50 m² approve (≥ 409.125, so 409.13 needed); 3 of 4 owners, exactly 3/4.
    let a_area = check(&t, Stage::Approval, Measure::Area);
    assert_eq!(
        (a_area.part, a_area.whole, a_area.needed, a_area.met),
        (47_000, 54_550, 40_913, true)
    );
    let a_heads = check(&t, Stage::Approval, Measure::Owners);
    assert_eq!(
        (a_heads.part, a_heads.whole, a_heads.needed, a_heads.met),
        (3, 4, 3, true)
    );
    assert!(t.passed);
    assert_eq!(t.failed_at, None);
    assert_eq!(
        t.heads,
        Counts {
            approve: 3,
            oppose: 1,
            abstain: 0
        }
    );
    assert_eq!(t.area.map(|a| a.approve), Some(47_000));
}

#[test]
fn exactly_half_of_the_owners_approving_is_not_more_than_half() {
    use Choice::*;
    // 1 (90) and the developer (200) approve, 3 (180) and 4 (75.50) oppose: the area approves
    // 290.00 of 545.50, but the owners only 2 of 4.
    let ballots = [(1, Approve), (DEVELOPER, Approve), (3, Oppose), (4, Oppose)];
    let t = owners(&building(), &ballots, Matter::Manager, &owners_rule()).unwrap();
    assert!(check(&t, Stage::Approval, Measure::Area).met);
    let heads = check(&t, Stage::Approval, Measure::Owners);
    assert_eq!((heads.part, heads.whole, heads.needed, heads.met), (2, 4, 3, false));
    assert!(!t.passed);
    assert_eq!(t.failed_at, Some(heads));
}

#[test]
fn abstaining_takes_part_but_does_not_approve() {
    use Choice::*;
    // As the lift vote, with owner 4 abstaining: still 3 of 4 approve.
    let ballots = [(1, Approve), (3, Approve), (DEVELOPER, Approve), (4, Abstain)];
    let t = owners(&building(), &ballots, Matter::Rebuild, &owners_rule()).unwrap();
    assert!(t.passed);
    // Owner 2 approving instead of the developer: 4 owners but 360.00 m² take part.
    let ballots = [(1, Approve), (2, Approve), (3, Approve), (5, Abstain)];
    let t = owners(&building(), &ballots, Matter::Rebuild, &owners_rule()).unwrap();
    let p_area = check(&t, Stage::Participation, Measure::Area);
    assert_eq!((p_area.part, p_area.met), (9_000 + 9_000 + 18_000 + 6_450, false));
    assert_eq!(t.failed_at, Some(p_area), "the first check that fails is the reason");
}

#[test]
fn the_participation_and_special_boundaries_to_the_hundredth_of_a_square_metre() {
    use Choice::*;
    let three = |third: i64| {
        [(1, 1, 10_000), (2, 2, 10_000), (3, 3, third)].map(|(unit_id, owner, area)| Unit {
            unit_id,
            owner,
            area: Some(area),
        })
    };
    let two_take_part = [(1, Approve), (2, Approve)];
    // 200.00 of 300.00 m² is exactly 2/3: enough.
    let t = owners(&three(10_000), &two_take_part, Matter::Other, &owners_rule()).unwrap();
    assert!(t.passed);
    // 200.00 of 300.01 m² is not.
    let t = owners(&three(10_001), &two_take_part, Matter::Other, &owners_rule()).unwrap();
    assert!(!check(&t, Stage::Participation, Measure::Area).met);
    assert!(!t.passed);
    // Raising the fund: 4 owners of 100.00 m² each; 3 approve 300.00 of 400.00 m², exactly 3/4.
    let four: Vec<Unit> = (1..=4)
        .map(|i| Unit {
            unit_id: i,
            owner: i,
            area: Some(10_000),
        })
        .collect();
    let ballots = [(1, Approve), (2, Approve), (3, Approve), (4, Oppose)];
    assert!(
        owners(&four, &ballots, Matter::RaiseFund, &owners_rule())
            .unwrap()
            .passed
    );
    // Owner 4's unit 0.01 m² larger: 300.00 of 400.01 is under 3/4.
    let mut bigger = four.clone();
    bigger[3].area = Some(10_001);
    let t = owners(&bigger, &ballots, Matter::RaiseFund, &owners_rule()).unwrap();
    let a = check(&t, Stage::Approval, Measure::Area);
    assert_eq!((a.met, a.needed), (false, 30_001));
    // The same figures on an ordinary matter pass by more than half.
    assert!(
        owners(&bigger, &ballots, Matter::UseFund, &owners_rule())
            .unwrap()
            .passed
    );
}

#[test]
fn bad_owners_ballots_and_an_incomplete_electorate_are_refused() {
    use Choice::*;
    let mut units = building();
    units[1].area = None;
    units[6].area = None;
    assert_eq!(missing_areas(&units), [2, 7]);
    assert_eq!(
        owners(&units, &[], Matter::Other, &owners_rule()),
        Err(TallyError::MissingArea(vec![2, 7]))
    );
    let rule = owners_rule();
    assert_eq!(
        owners(&building(), &[(1, Approve), (42, Approve)], Matter::Other, &rule),
        Err(TallyError::NotInElectorate(42))
    );
    assert_eq!(
        owners(&building(), &[(3, Approve), (3, Oppose)], Matter::Other, &rule),
        Err(TallyError::SecondBallot(3)),
        "an owner of two units votes once"
    );
}

#[test]
fn a_recount_in_any_order_gives_the_same_figures() {
    use Choice::*;
    let mut ballots = vec![
        (1, Approve),
        (3, Oppose),
        (DEVELOPER, Approve),
        (4, Abstain),
        (5, Approve),
    ];
    let first = owners(&building(), &ballots, Matter::Covenant, &owners_rule()).unwrap();
    ballots.reverse();
    let again = owners(&building(), &ballots, Matter::Covenant, &owners_rule()).unwrap();
    assert_eq!(first, again);
}

#[test]
fn a_residents_meeting_needs_more_than_half_present_and_more_than_half_of_them_approving() {
    let rule = residents_rule();
    let votes = |approve, oppose, abstain| Counts {
        approve,
        oppose,
        abstain,
    };
    // 1 000 adults: 500 present is exactly half, no quorum.
    let t = residents(1_000, 500, votes(400, 50, 50), &rule).unwrap();
    let q = check(&t, Stage::Quorum, Measure::People);
    assert_eq!((q.met, q.needed), (false, 501));
    assert!(!t.passed);
    assert_eq!(t.failed_at, Some(q));
    // 501 present; 251 approve is more than half of them, 250 is not (the silent count against).
    assert!(residents(1_000, 501, votes(251, 100, 0), &rule).unwrap().passed);
    let t = residents(1_000, 501, votes(250, 10, 10), &rule).unwrap();
    let a = check(&t, Stage::Approval, Measure::People);
    assert_eq!((a.part, a.whole, a.needed, a.met), (250, 501, 251, false));
    // Figures that cannot be.
    assert_eq!(
        residents(1_000, 1_001, votes(0, 0, 0), &rule),
        Err(TallyError::Inconsistent("present_over_entitled"))
    );
    assert_eq!(
        residents(1_000, 600, votes(400, 150, 51), &rule),
        Err(TallyError::Inconsistent("ballots_over_present"))
    );
    assert!(residents(1_000, 600, votes(-1, 0, 0), &rule).is_err());
}

#[test]
fn a_fifth_of_adults_or_households_or_a_third_of_groups_may_require_a_meeting() {
    let rule = residents_rule();
    // 200 of 1 000 adults is exactly 1/5: enough on its own.
    let (ok, checks) = requisition((200, 1_000), (0, 300), (0, 9), &rule);
    assert!(ok);
    assert_eq!(checks.iter().map(|c| c.met).collect::<Vec<_>>(), [true, false, false]);
    // 199 adults, 59 of 300 households (60 needed), 2 of 9 groups: not enough.
    let (ok, checks) = requisition((199, 1_000), (59, 300), (2, 9), &rule);
    assert!(!ok);
    assert_eq!(checks.iter().map(|c| c.needed).collect::<Vec<_>>(), [200, 60, 3]);
    // 3 of 9 groups is exactly 1/3.
    assert!(requisition((0, 1_000), (0, 300), (3, 9), &rule).0);
}

#[test]
fn a_poll_counts_each_option_and_its_quorum() {
    let electorate: BTreeSet<i64> = (1..=10).collect();
    let ballots = vec![(1, vec![0]), (2, vec![1]), (3, vec![0]), (4, vec![2]), (5, vec![0])];
    let r = poll(&electorate, &ballots, 3, false, Some(Threshold::at_least(1, 2))).unwrap();
    assert_eq!(r.options, [3, 1, 1]);
    assert_eq!(r.voters, 5);
    assert_eq!(r.quorum.map(|q| (q.part, q.whole, q.met)), Some((5, 10, true)));
    let r = poll(&electorate, &ballots, 3, false, Some(Threshold::more_than(1, 2))).unwrap();
    assert_eq!(r.quorum.map(|q| q.met), Some(false), "5 of 10 is not more than half");
    // Several options where the poll allows it.
    let many = vec![(1, vec![0, 2]), (2, vec![2])];
    assert_eq!(poll(&electorate, &many, 3, true, None).unwrap().options, [1, 0, 2]);
    assert_eq!(poll(&electorate, &many, 3, false, None), Err(PollError::BadChoice(1)));
    for bad in [vec![], vec![1, 1], vec![3]] {
        assert_eq!(
            poll(&electorate, &[(7, bad.clone())], 3, true, None),
            Err(PollError::BadChoice(7)),
            "{bad:?}"
        );
    }
    assert_eq!(
        poll(&electorate, &[(11, vec![0])], 3, false, None),
        Err(PollError::Tally(TallyError::NotInElectorate(11)))
    );
    assert_eq!(
        poll(&electorate, &[(1, vec![0]), (1, vec![1])], 3, false, None),
        Err(PollError::Tally(TallyError::SecondBallot(1)))
    );
}
