//! A wish's lifecycle: submitted (by the wisher, or a grid worker on their behalf), vetted and
//! published on the wall or declined with a reason, claimed by one claimant, fulfilled with
//! proof, confirmed by the wisher or the grid worker, thanked. A claim not fulfilled in time
//! expires, and a claimant may release it: the wish goes back on the wall.

use yijia_kernel::vocab;

vocab!(
    /// Where a wish stands.
    WishStatus {
        Submitted = "submitted" / "待审核" / "Submitted",
        Declined = "declined" / "未通过" / "Declined",
        Published = "published" / "心愿墙" / "On the wall",
        Claimed = "claimed" / "已认领" / "Claimed",
        Fulfilled = "fulfilled" / "已圆梦待确认" / "Fulfilled, to confirm",
        Confirmed = "confirmed" / "已确认" / "Confirmed",
        Thanked = "thanked" / "已致谢" / "Thanked",
    }
);

vocab!(
    /// What someone does to a wish.
    WishAction {
        Vet = "vet" / "审核通过" / "Approve",
        Decline = "decline" / "不予通过" / "Decline",
        Claim = "claim" / "认领" / "Claim",
        Release = "release" / "放弃认领" / "Release the claim",
        Expire = "expire" / "认领超时" / "Claim expired",
        Fulfil = "fulfil" / "圆梦" / "Fulfil",
        Confirm = "confirm" / "确认" / "Confirm",
        Reject = "reject" / "未实现，退回" / "Not fulfilled, send back",
        Thank = "thank" / "致谢" / "Thank",
    }
);

vocab!(
    /// Who claims a wish.
    ClaimantKind {
        Volunteer = "volunteer" / "志愿者" / "Volunteer",
        Team = "team" / "志愿队伍" / "Volunteer team",
        PartyMember = "party_member" / "党员" / "Party member",
        Merchant = "merchant" / "联盟商家" / "Merchant of the alliance",
        Company = "company" / "爱心企业" / "Company",
    }
);

vocab!(
    /// What a wish is for.
    WishCategory {
        Study = "study" / "学习用品" / "School things",
        Daily = "daily" / "生活用品" / "Daily needs",
        Repair = "repair" / "维修帮助" / "A repair",
        Companionship = "companionship" / "陪伴关爱" / "Company and care",
        Job = "job" / "就业培训" / "Work and training",
        Health = "health" / "健康服务" / "Health",
        Other = "other" / "其他" / "Other",
    }
);

/// The status a wish moves to when `action` is taken on it in `from`, or `None` when the action
/// does not apply there (a claim on a wish already claimed, a confirmation before fulfilment).
pub fn next(from: WishStatus, action: WishAction) -> Option<WishStatus> {
    use WishAction as A;
    use WishStatus as S;
    match (from, action) {
        (S::Submitted, A::Vet) => Some(S::Published),
        (S::Submitted, A::Decline) => Some(S::Declined),
        (S::Published, A::Claim) => Some(S::Claimed),
        (S::Claimed, A::Release | A::Expire) => Some(S::Published),
        (S::Claimed, A::Fulfil) => Some(S::Fulfilled),
        (S::Fulfilled, A::Confirm) => Some(S::Confirmed),
        // The wisher says it did not happen: back to the claimant to fulfil.
        (S::Fulfilled, A::Reject) => Some(S::Claimed),
        (S::Confirmed, A::Thank) => Some(S::Thanked),
        _ => None,
    }
}

/// Whether a wish's text may be shown on the public wall: never before it is vetted, never
/// after it was declined.
pub fn on_wall(s: WishStatus) -> bool {
    !matches!(s, WishStatus::Submitted | WishStatus::Declined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wish_goes_from_submitted_to_thanked_and_back_on_the_wall_when_a_claim_lapses() {
        use WishAction as A;
        use WishStatus as S;
        let path = [
            (A::Vet, S::Published),
            (A::Claim, S::Claimed),
            (A::Release, S::Published),
            (A::Claim, S::Claimed),
            (A::Expire, S::Published),
            (A::Claim, S::Claimed),
            (A::Fulfil, S::Fulfilled),
            (A::Reject, S::Claimed),
            (A::Fulfil, S::Fulfilled),
            (A::Confirm, S::Confirmed),
            (A::Thank, S::Thanked),
        ];
        let mut at = S::Submitted;
        for (action, then) in path {
            at = next(at, action).unwrap_or_else(|| panic!("{action:?} from {at:?}"));
            assert_eq!(at, then);
        }
    }

    #[test]
    fn actions_out_of_turn_are_refused() {
        use WishAction as A;
        use WishStatus as S;
        assert_eq!(next(S::Claimed, A::Claim), None, "a claimed wish is not claimed twice");
        assert_eq!(next(S::Submitted, A::Claim), None, "not before it is vetted");
        assert_eq!(next(S::Published, A::Confirm), None);
        assert_eq!(next(S::Declined, A::Vet), None);
        assert_eq!(next(S::Thanked, A::Release), None);
        // Every status has some action out of it but the two ends.
        for s in S::ALL {
            let moves = A::ALL.iter().filter(|a| next(*s, **a).is_some()).count();
            assert_eq!(moves == 0, matches!(s, S::Declined | S::Thanked), "{s:?}");
        }
        assert!(!on_wall(S::Submitted) && !on_wall(S::Declined) && on_wall(S::Claimed));
    }
}
