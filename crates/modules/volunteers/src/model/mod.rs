//! The volunteers' closed lists and the rules that need no database: ages, served minutes,
//! points, star levels, the working-day lock, and the signed check-in codes (`qr`).

pub mod card;
pub mod qr;
pub mod rules;

use yijia_kernel::vocab;

vocab!(
    /// What an activity of the 小蜜蜂驿站 does.
    ActivityKind {
        Culture = "culture" / "文化活动" / "Culture",
        Publicity = "publicity" / "政策宣传" / "Publicity",
        Mediation = "mediation" / "矛盾调解" / "Mediation",
        Skills = "skills" / "技能服务" / "Skills service",
        CareVisit = "care_visit" / "关爱探访" / "Care visit",
        Sanitation = "sanitation" / "环境卫生" / "Sanitation",
        Other = "other" / "其他" / "Other",
    }
);

vocab!(
    /// Where a volunteer comes from.
    Origin {
        Resident = "resident" / "本社区居民" / "Resident",
        Outside = "outside" / "社区外人员" / "From outside",
    }
);

vocab!(
    /// A sign-up to a shift.
    SignupStatus {
        Confirmed = "confirmed" / "已报名" / "Signed up",
        Waiting = "waiting" / "候补" / "Waiting list",
        Cancelled = "cancelled" / "已取消" / "Cancelled",
    }
);

vocab!(
    /// A person's place in a team.
    MemberStatus {
        Applied = "applied" / "待审核" / "Applied",
        Active = "active" / "在队" / "Member",
        Declined = "declined" / "未通过" / "Declined",
        Left = "left" / "已退出" / "Left",
    }
);

vocab!(MemberRole {
    Leader = "leader" / "队长" / "Leader",
    Member = "member" / "队员" / "Member",
});

vocab!(
    /// The two ledgers: service time in minutes, and points.
    Ledger {
        Hours = "hours" / "服务时长" / "Service hours",
        Points = "points" / "积分" / "Points",
    }
);

vocab!(
    /// Why a ledger transaction was written.
    TxnKind {
        Service = "service" / "服务记录" / "Service recorded",
        Correction = "correction" / "更正" / "Correction",
        Earned = "earned" / "服务积分" / "Points for service",
        Bonus = "bonus" / "奖励积分" / "Bonus",
        Spend = "spend" / "积分兑换" / "Redeemed",
        Reversal = "reversal" / "取消冲销" / "Reversed on cancellation",
    }
);

/// Who holds a ledger account: a volunteer, or one of the community's counter accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    Volunteer(i64),
    /// Minutes of service the community's activities gave (the other side of every credit).
    Service,
    /// Points the community awarded.
    Issued,
    /// Points spent at the merchant alliance.
    Redeemed,
}

impl Holder {
    pub fn as_str(self) -> &'static str {
        match self {
            Holder::Volunteer(_) => "volunteer",
            Holder::Service => "service",
            Holder::Issued => "issued",
            Holder::Redeemed => "redeemed",
        }
    }

    pub fn volunteer_id(self) -> Option<i64> {
        match self {
            Holder::Volunteer(id) => Some(id),
            _ => None,
        }
    }

    /// A volunteer's balances never go below zero; the community's counter accounts carry the
    /// other side of every entry and so run negative.
    pub fn floor(self) -> Option<i64> {
        self.volunteer_id().map(|_| 0)
    }
}

/// A comma-separated list as typed (Chinese or Western separators) → trimmed, distinct items.
pub fn list(v: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in v
        .split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}
