//! Counting a vote: every ratio against its threshold, and why the motion passed or failed.
//! Pure functions of the electorate and the ballots as stored, so a recount gives the same
//! figures. Areas are in hundredths of a square metre (the register's precision), in integers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use yijia_kernel::vocab;

use super::rules::{Matter, OwnersRule, ResidentsRule, Threshold};

vocab!(
    /// What a ballot says about a motion.
    Choice {
        Approve = "approve" / "同意" / "Approve",
        Oppose = "oppose" / "反对" / "Oppose",
        Abstain = "abstain" / "弃权" / "Abstain",
    }
);

vocab!(
    /// What a check measures.
    Measure {
        Area = "area" / "专有部分面积" / "Exclusive area",
        Owners = "owners" / "业主人数" / "Owners",
        People = "people" / "人数" / "People",
        Households = "households" / "户数" / "Households",
        Groups = "groups" / "居民小组数" / "Residents' groups",
    }
);

vocab!(
    /// Which stage of the decision a check belongs to.
    Stage {
        Participation = "participation" / "参与表决" / "Participation",
        Quorum = "quorum" / "到会" / "Attendance",
        Approval = "approval" / "同意" / "Approval",
        Requisition = "requisition" / "提议召开" / "Requisition",
    }
);

/// One ratio of the tally against its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub stage: Stage,
    pub measure: Measure,
    pub part: i64,
    pub whole: i64,
    pub threshold: Threshold,
    pub met: bool,
    /// The least part that would have met it.
    pub needed: i64,
}

impl Check {
    fn new(stage: Stage, measure: Measure, part: i64, whole: i64, threshold: Threshold) -> Check {
        Check {
            stage,
            measure,
            part,
            whole,
            threshold,
            met: threshold.met(part, whole),
            needed: threshold.needed(whole),
        }
    }
}

/// How many ballots said what.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub approve: i64,
    pub oppose: i64,
    pub abstain: i64,
}

impl Counts {
    fn add(&mut self, choice: Choice, n: i64) {
        match choice {
            Choice::Approve => self.approve += n,
            Choice::Oppose => self.oppose += n,
            Choice::Abstain => self.abstain += n,
        }
    }

    pub fn total(&self) -> i64 {
        self.approve + self.oppose + self.abstain
    }
}

/// A counted motion: every check in order, and the first that failed (none when it passed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub checks: Vec<Check>,
    pub passed: bool,
    pub failed_at: Option<Check>,
    /// Ballots by headcount (owners, people), and for an owners' vote by area.
    pub heads: Counts,
    pub area: Option<Counts>,
}

impl Tally {
    fn of(checks: Vec<Check>, heads: Counts, area: Option<Counts>) -> Tally {
        let failed_at = checks.iter().find(|c| !c.met).copied();
        Tally {
            passed: failed_at.is_none(),
            checks,
            failed_at,
            heads,
            area,
        }
    }
}

/// Why ballots cannot be counted as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TallyError {
    /// Units whose exclusive area is not known: the electorate is incomplete.
    MissingArea(Vec<i64>),
    /// A ballot from someone not in the electorate.
    NotInElectorate(i64),
    /// A second ballot from the same voter.
    SecondBallot(i64),
    /// Figures entered for a meeting that do not fit together (more present than entitled, more
    /// ballots than present).
    Inconsistent(&'static str),
}

/// A unit in an owners' vote: its owner and its exclusive area.
///
/// `owner` is the owner as the headcount rules count them (interpretation art. 9): one unit's
/// co-owners are one owner; an owner of several units has the same `owner` on each; every unsold
/// or undelivered unit of the developer has the developer's one `owner`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub unit_id: i64,
    pub owner: i64,
    /// Hundredths of a square metre; `None` until the register, survey or contract gives it.
    pub area: Option<i64>,
}

/// The units whose area is missing, which keep an owners' vote from opening.
pub fn missing_areas(units: &[Unit]) -> Vec<i64> {
    units.iter().filter(|u| u.area.is_none()).map(|u| u.unit_id).collect()
}

/// An owners' joint decision (Civil Code art. 278): one ballot per owner, carrying all of the
/// owner's area. Participation is checked against the whole electorate, approval against those
/// who took part (abstaining is taking part).
pub fn owners(
    units: &[Unit],
    ballots: &[(i64, Choice)],
    matter: Matter,
    rule: &OwnersRule,
) -> Result<Tally, TallyError> {
    let missing = missing_areas(units);
    if !missing.is_empty() {
        return Err(TallyError::MissingArea(missing));
    }
    let mut area_of: BTreeMap<i64, i64> = BTreeMap::new();
    for u in units {
        *area_of.entry(u.owner).or_default() += u.area.unwrap_or(0);
    }
    let total_area: i64 = area_of.values().sum();
    let owners = i64::try_from(area_of.len()).unwrap_or(i64::MAX);
    let (mut heads, mut area) = (Counts::default(), Counts::default());
    let mut seen = BTreeSet::new();
    for (owner, choice) in ballots {
        let a = *area_of.get(owner).ok_or(TallyError::NotInElectorate(*owner))?;
        if !seen.insert(*owner) {
            return Err(TallyError::SecondBallot(*owner));
        }
        heads.add(*choice, 1);
        area.add(*choice, a);
    }
    let approval = rule.approval(matter);
    let checks = vec![
        Check::new(
            Stage::Participation,
            Measure::Area,
            area.total(),
            total_area,
            rule.participation,
        ),
        Check::new(
            Stage::Participation,
            Measure::Owners,
            heads.total(),
            owners,
            rule.participation,
        ),
        Check::new(Stage::Approval, Measure::Area, area.approve, area.total(), approval),
        Check::new(Stage::Approval, Measure::Owners, heads.approve, heads.total(), approval),
    ];
    Ok(Tally::of(checks, heads, Some(area)))
}

/// A residents' meeting: `entitled` people (adults, household or group representatives, as the
/// meeting is constituted), `present` of them attending, and the ballots of those present. The
/// present who did not vote count against: a decision needs more than half of those present.
pub fn residents(entitled: i64, present: i64, ballots: Counts, rule: &ResidentsRule) -> Result<Tally, TallyError> {
    if entitled < 0 || present < 0 || ballots.approve < 0 || ballots.oppose < 0 || ballots.abstain < 0 {
        return Err(TallyError::Inconsistent("negative"));
    }
    if present > entitled {
        return Err(TallyError::Inconsistent("present_over_entitled"));
    }
    if ballots.total() > present {
        return Err(TallyError::Inconsistent("ballots_over_present"));
    }
    let checks = vec![
        Check::new(Stage::Quorum, Measure::People, present, entitled, rule.quorum),
        Check::new(
            Stage::Approval,
            Measure::People,
            ballots.approve,
            present,
            rule.approval,
        ),
    ];
    Ok(Tally::of(checks, ballots, None))
}

/// Counts of one electorate for a requisition: `(asking, of all)`.
pub type Share = (i64, i64);

/// Whether residents may require a residents' meeting: any one of the shares suffices. The
/// checks say which were met.
pub fn requisition(adults: Share, households: Share, groups: Share, rule: &ResidentsRule) -> (bool, Vec<Check>) {
    let checks = vec![
        Check::new(
            Stage::Requisition,
            Measure::People,
            adults.0,
            adults.1,
            rule.requisition_adults,
        ),
        Check::new(
            Stage::Requisition,
            Measure::Households,
            households.0,
            households.1,
            rule.requisition_households,
        ),
        Check::new(
            Stage::Requisition,
            Measure::Groups,
            groups.0,
            groups.1,
            rule.requisition_groups,
        ),
    ];
    (checks.iter().any(|c| c.met), checks)
}

/// An advisory poll's result: how many chose each option, how many took part, and the quorum
/// check when the poll has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResult {
    pub options: Vec<i64>,
    pub voters: i64,
    pub quorum: Option<Check>,
}

/// Counts a poll of `options` choices; each ballot is `(voter, chosen options)`, with one
/// option unless `multiple`. Voters outside `electorate` and second ballots are refused.
pub fn poll(
    electorate: &BTreeSet<i64>,
    ballots: &[(i64, Vec<usize>)],
    options: usize,
    multiple: bool,
    quorum: Option<Threshold>,
) -> Result<PollResult, PollError> {
    let mut counts = vec![0; options];
    let mut seen = BTreeSet::new();
    for (voter, chosen) in ballots {
        if !electorate.contains(voter) {
            return Err(PollError::Tally(TallyError::NotInElectorate(*voter)));
        }
        if !seen.insert(*voter) {
            return Err(PollError::Tally(TallyError::SecondBallot(*voter)));
        }
        let distinct: BTreeSet<usize> = chosen.iter().copied().collect();
        if distinct.is_empty() || distinct.len() != chosen.len() || (!multiple && distinct.len() > 1) {
            return Err(PollError::BadChoice(*voter));
        }
        for o in distinct {
            *counts.get_mut(o).ok_or(PollError::BadChoice(*voter))? += 1;
        }
    }
    let voters = i64::try_from(seen.len()).unwrap_or(i64::MAX);
    let whole = i64::try_from(electorate.len()).unwrap_or(i64::MAX);
    Ok(PollResult {
        options: counts,
        voters,
        quorum: quorum.map(|q| Check::new(Stage::Quorum, Measure::People, voters, whole, q)),
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PollError {
    Tally(TallyError),
    /// No option, an option twice, several where one is allowed, or one that is not there.
    BadChoice(i64),
}

#[cfg(test)]
#[path = "tally_tests.rs"]
mod tests;
