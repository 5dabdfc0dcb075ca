//! The rules a vote is decided by, as data with the day they came into force (DOMAIN.md §1–§2).
//! Counting words follow Civil Code art. 1259: 以上 includes the boundary (2/3以上 is ≥ 2/3),
//! 过半数 is strictly more than half. A vote keeps the code of the preset it opened under, so a
//! later change of the law does not recount an old vote.

use jiff::civil::{date, Date};
use serde::{Deserialize, Serialize};
use yijia_kernel::vocab;

/// A share a figure must reach: `num/den` of a whole, with the boundary (以上) or without it
/// (超过, 过半数).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub num: u32,
    pub den: u32,
    /// True when the boundary itself does not reach it.
    pub strict: bool,
}

impl Threshold {
    /// `num/den` 以上: the boundary reaches it.
    pub const fn at_least(num: u32, den: u32) -> Threshold {
        Threshold {
            num,
            den,
            strict: false,
        }
    }

    /// 超过 `num/den`: only more than the boundary reaches it.
    pub const fn more_than(num: u32, den: u32) -> Threshold {
        Threshold { num, den, strict: true }
    }

    /// Whether `part` of `whole` reaches the share, in integers (no rounding). Nothing of
    /// nothing reaches no share: an empty electorate decides nothing.
    pub fn met(self, part: i64, whole: i64) -> bool {
        if whole <= 0 || part < 0 {
            return false;
        }
        let (lhs, rhs) = (
            i128::from(part) * i128::from(self.den),
            i128::from(whole) * i128::from(self.num),
        );
        if self.strict {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }

    /// The least part of `whole` that reaches the share (what the tally says is needed).
    pub fn needed(self, whole: i64) -> i64 {
        if whole <= 0 || self.den == 0 {
            return 0;
        }
        let (w, n, d) = (i128::from(whole), i128::from(self.num), i128::from(self.den));
        // ceil(w·n/d), one more when the boundary does not count and falls on a whole number.
        let boundary = (w * n).div_euclid(d);
        let exact = (w * n).rem_euclid(d) == 0;
        let least = match (self.strict, exact) {
            (false, true) => boundary,
            _ => boundary + 1,
        };
        i64::try_from(least).unwrap_or(i64::MAX)
    }
}

vocab!(
    /// What kind of decision a vote makes, and so which rules apply.
    VoteKind {
        Owners = "owners" / "业主共同决定" / "Owners' joint decision",
        Residents = "residents" / "居民会议" / "Residents' meeting",
        Poll = "poll" / "意见征询" / "Advisory poll",
    }
);

vocab!(
    /// The nine matters owners decide jointly (Civil Code art. 278).
    Matter {
        Procedure = "procedure" / "制定和修改业主大会议事规则" / "Rules of procedure of the owners' assembly",
        Covenant = "covenant" / "制定和修改管理规约" / "Management covenant",
        Committee = "committee" / "选举业主委员会或者更换业主委员会成员" / "Electing or replacing the owners' committee",
        Manager = "manager" / "选聘和解聘物业服务企业或者其他管理人" / "Hiring or dismissing the property manager",
        UseFund = "use_fund" / "使用建筑物及其附属设施的维修资金" / "Using the maintenance fund",
        RaiseFund = "raise_fund" / "筹集建筑物及其附属设施的维修资金" / "Raising the maintenance fund",
        Rebuild = "rebuild" / "改建、重建建筑物及其附属设施" / "Rebuilding or reconstructing buildings and facilities",
        ChangeUse = "change_use" / "改变共有部分的用途或者利用共有部分从事经营活动" / "Changing the use of common parts or running a business on them",
        Other = "other" / "有关共有和共同管理权利的其他重大事项" / "Other major matters of common ownership and management",
    }
);

impl Matter {
    /// The matter's number in art. 278 (1–9).
    pub fn item(self) -> usize {
        Matter::ALL.iter().position(|m| *m == self).map_or(0, |i| i + 1)
    }

    /// Items (6)–(8), approved by three quarters instead of more than half.
    pub fn special(self) -> bool {
        matches!(self, Matter::RaiseFund | Matter::Rebuild | Matter::ChangeUse)
    }
}

vocab!(
    /// Who is entitled in a residents' meeting.
    Entitled {
        Adults = "adults" / "本居住地区年满十八周岁的居民" / "Residents aged 18 and over",
        Households = "households" / "每户派代表" / "One representative per household",
        Groups = "groups" / "每个居民小组选举代表" / "Representatives of the residents' groups",
    }
);

/// The thresholds of an owners' joint decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OwnersRule {
    /// Of all the exclusive area and of all owners, who must take part.
    pub participation: Threshold,
    /// Of the participating area and owners, who must approve items (1)–(5) and (9).
    pub ordinary: Threshold,
    /// … and items (6)–(8).
    pub special: Threshold,
}

impl OwnersRule {
    pub fn approval(&self, matter: Matter) -> Threshold {
        if matter.special() {
            self.special
        } else {
            self.ordinary
        }
    }
}

/// The thresholds of a residents' meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ResidentsRule {
    /// Of those entitled, who must attend for the meeting to decide.
    pub quorum: Threshold,
    /// Of those present, who must approve.
    pub approval: Threshold,
    /// Who may require a meeting to be convened: of the residents aged 18+, of the households,
    /// of the residents' groups (any one suffices).
    pub requisition_adults: Threshold,
    pub requisition_households: Threshold,
    pub requisition_groups: Threshold,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    Owners(OwnersRule),
    Residents(ResidentsRule),
    /// An advisory question: no legal threshold, a quorum only if the vote sets one.
    Poll,
}

impl Rule {
    pub fn kind(&self) -> VoteKind {
        match self {
            Rule::Owners(_) => VoteKind::Owners,
            Rule::Residents(_) => VoteKind::Residents,
            Rule::Poll => VoteKind::Poll,
        }
    }
}

/// A set of rules in force from a day, and where they come from.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Stored with every vote opened under it.
    pub code: &'static str,
    pub name: &'static str,
    /// The text the numbers come from.
    pub basis: &'static str,
    pub from: Date,
    /// The last day it is in force, when a later text replaced it.
    pub until: Option<Date>,
    pub rule: Rule,
}

/// Every preset Yijia ships. The residents' committee law was revised on 2025-10-28 (in force
/// 2026-01-01); its new numbers are not encoded until confirmed from the official text, so the
/// 2018 preset stays the one offered after it, marked as lapsed (see [`in_force`]).
pub const PRESETS: &[Preset] = &[
    Preset {
        code: "civil-code-278",
        name: "业主共同决定（民法典第二百七十八条）",
        basis: "《中华人民共和国民法典》第二百七十八条；最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释第八条、第九条",
        from: date(2021, 1, 1),
        until: None,
        rule: Rule::Owners(OwnersRule {
            participation: Threshold::at_least(2, 3),
            ordinary: Threshold::more_than(1, 2),
            special: Threshold::at_least(3, 4),
        }),
    },
    Preset {
        code: "residents-meeting-2018",
        name: "居民会议（城市居民委员会组织法 2018 年修正）",
        basis: "《中华人民共和国城市居民委员会组织法》（2018 年修正）第九条、第十条",
        from: date(2018, 12, 29),
        until: Some(date(2025, 12, 31)),
        rule: Rule::Residents(ResidentsRule {
            quorum: Threshold::more_than(1, 2),
            approval: Threshold::more_than(1, 2),
            requisition_adults: Threshold::at_least(1, 5),
            requisition_households: Threshold::at_least(1, 5),
            requisition_groups: Threshold::at_least(1, 3),
        }),
    },
    Preset {
        code: "poll",
        name: "意见征询",
        basis: "",
        from: date(2000, 1, 1),
        until: None,
        rule: Rule::Poll,
    },
];

pub fn preset(code: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.code == code)
}

/// The preset of a kind for a vote held on `day`, and whether it has lapsed (its text was
/// replaced and no preset for the new one is shipped yet; the vote page says so).
pub fn in_force(kind: VoteKind, day: Date) -> Option<(&'static Preset, bool)> {
    let started = PRESETS
        .iter()
        .filter(|p| p.rule.kind() == kind && p.from <= day)
        .max_by_key(|p| p.from)?;
    Some((started, started.until.is_some_and(|u| day > u)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_includes_the_boundary_and_more_than_does_not() {
        let two_thirds = Threshold::at_least(2, 3);
        assert!(two_thirds.met(2, 3));
        assert!(two_thirds.met(200, 300));
        assert!(!two_thirds.met(199, 300));
        let half = Threshold::more_than(1, 2);
        assert!(!half.met(50, 100), "exactly one half is not more than half");
        assert!(half.met(51, 100));
        assert!(half.met(1, 1));
        assert!(!half.met(0, 0), "an empty electorate decides nothing");
        // Areas in hundredths of a square metre, large enough to overflow i64 when multiplied.
        assert!(Threshold::at_least(3, 4).met(i64::MAX / 4 * 3, i64::MAX / 4 * 4));
    }

    #[test]
    fn needed_is_the_least_part_that_meets() {
        for t in [
            Threshold::at_least(2, 3),
            Threshold::more_than(1, 2),
            Threshold::at_least(3, 4),
            Threshold::at_least(1, 5),
        ] {
            for whole in 1..200 {
                let n = t.needed(whole);
                assert!(t.met(n, whole), "{t:?} {n}/{whole}");
                assert!(!t.met(n - 1, whole), "{t:?} {}/{whole}", n - 1);
            }
        }
        assert_eq!(Threshold::more_than(1, 2).needed(10), 6);
        assert_eq!(Threshold::at_least(2, 3).needed(9), 6);
        assert_eq!(Threshold::at_least(2, 3).needed(10), 7);
    }

    #[test]
    fn matters_six_to_eight_need_three_quarters() {
        let special: Vec<usize> = Matter::ALL.iter().filter(|m| m.special()).map(|m| m.item()).collect();
        assert_eq!(special, [6, 7, 8]);
        assert_eq!(Matter::Other.item(), 9);
    }

    #[test]
    fn the_preset_in_force_follows_the_day() {
        assert!(
            in_force(VoteKind::Owners, date(2020, 12, 31)).is_none(),
            "before the Civil Code"
        );
        let (p, lapsed) = in_force(VoteKind::Owners, date(2021, 1, 1)).unwrap();
        assert_eq!((p.code, lapsed), ("civil-code-278", false));
        let (p, lapsed) = in_force(VoteKind::Residents, date(2025, 12, 31)).unwrap();
        assert_eq!((p.code, lapsed), ("residents-meeting-2018", false));
        let (p, lapsed) = in_force(VoteKind::Residents, date(2026, 1, 1)).unwrap();
        assert_eq!(
            (p.code, lapsed),
            ("residents-meeting-2018", true),
            "the 2026 numbers are unconfirmed"
        );
        assert_eq!(preset("poll").map(|p| p.rule), Some(Rule::Poll));
    }
}
