//! The appeal loop as an explicit state machine (DOMAIN.md §6–§7): every action names the
//! states it may start from and the state it leads to, and who may take it. Anything else is
//! refused before a row is touched.

use yijia_kernel::vocab;

use super::{Rating, Status};

vocab!(
    /// What someone does to an appeal; each becomes a step of its timeline.
    Action {
        Submit = "submit" / "提交诉求" / "Submitted",
        Accept = "accept" / "受理" / "Accepted",
        Decline = "decline" / "不予受理" / "Declined",
        Dispatch = "dispatch" / "派单" / "Dispatched",
        Take = "take" / "接单" / "Taken up",
        AskReturn = "ask_return" / "申请退单" / "Return requested",
        ApproveReturn = "approve_return" / "同意退单" / "Return approved",
        RefuseReturn = "refuse_return" / "驳回退单" / "Return refused",
        AskHelp = "ask_help" / "请求协办" / "Help requested",
        Reply = "reply" / "办结回复" / "Replied",
        Verify = "verify" / "核实办结" / "Reply verified",
        Redo = "redo" / "退回重办" / "Sent back for redo",
        Rate = "rate" / "评价" / "Rated",
        Callback = "callback" / "回访" / "Called back",
        Close = "close" / "归档" / "Closed",
        Urge = "urge" / "催办" / "Urged",
        Supervise = "supervise" / "督办" / "Supervised",
        Note = "note" / "备注" / "Note",
    }
);

/// Who may take an action on an appeal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Community staff who accept, dispatch, verify and close (the 大管家 desk).
    Dispatcher,
    /// A member of the party the appeal is dispatched to.
    Handler,
    /// The resident who raised it.
    Requester,
    /// Urging: the requester or the desk.
    RequesterOrDispatcher,
    /// Supervision (督办): community administrators and district or subdistrict supervisors.
    Supervisor,
    /// A note: the desk, the handling party or a co-handler.
    Worker,
}

impl Action {
    pub fn who(self) -> Who {
        use Action::*;
        match self {
            Submit | Rate => Who::Requester,
            Accept | Decline | Dispatch | ApproveReturn | RefuseReturn | Verify | Redo | Callback | Close => {
                Who::Dispatcher
            }
            Take | AskReturn | AskHelp | Reply => Who::Handler,
            Urge => Who::RequesterOrDispatcher,
            Supervise => Who::Supervisor,
            Note => Who::Worker,
        }
    }
}

/// Still being worked: urging and supervising make sense.
pub fn is_open(s: Status) -> bool {
    !matches!(s, Status::Declined | Status::Rated | Status::Closed)
}

/// The state an action leads to from `from`, or `None` when it is not allowed there. A rating
/// of "unsatisfied" (by the requester or on a call-back) sends the appeal back to be redone.
pub fn next(from: Status, action: Action, rating: Option<Rating>) -> Option<Status> {
    use Status::*;
    let to = match (from, action) {
        (Submitted, Action::Accept) => Accepted,
        (Submitted | Accepted, Action::Decline) => Declined,
        (Accepted, Action::Dispatch) => Dispatched,
        (Dispatched, Action::Take) => InProgress,
        (Dispatched | InProgress, Action::AskReturn) => ReturnRequested,
        (ReturnRequested, Action::ApproveReturn) => Accepted,
        (ReturnRequested, Action::RefuseReturn) => InProgress,
        (InProgress, Action::AskHelp) => InProgress,
        (InProgress, Action::Reply) => Replied,
        (Replied, Action::Verify) => Verified,
        (Replied, Action::Redo) => InProgress,
        (Verified, Action::Rate | Action::Callback) => match rating? {
            Rating::Unsatisfied => InProgress,
            Rating::Satisfied | Rating::Basic => Rated,
        },
        (Rated, Action::Close) => Closed,
        (s, Action::Urge | Action::Supervise) if is_open(s) => s,
        (s, Action::Note) => s,
        _ => return None,
    };
    Some(to)
}

/// The actions that may follow a state, in the order a page offers them.
pub fn actions_from(s: Status) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| *a != Action::Submit)
        .filter(|a| {
            let rating = matches!(a, Action::Rate | Action::Callback).then_some(Rating::Satisfied);
            next(s, *a, rating).is_some()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_loop_runs_and_an_unsatisfied_rating_sends_it_back() {
        use Action::*;
        let mut s = Status::Submitted;
        for (a, to) in [
            (Accept, Status::Accepted),
            (Dispatch, Status::Dispatched),
            (Take, Status::InProgress),
            (Reply, Status::Replied),
            (Verify, Status::Verified),
        ] {
            s = next(s, a, None).unwrap();
            assert_eq!(s, to);
        }
        assert_eq!(next(s, Rate, None), None, "a rating needs its value");
        assert_eq!(next(s, Rate, Some(Rating::Unsatisfied)), Some(Status::InProgress));
        assert_eq!(next(s, Callback, Some(Rating::Basic)), Some(Status::Rated));
        assert_eq!(next(Status::Rated, Close, None), Some(Status::Closed));
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert_eq!(next(Status::Submitted, Action::Reply, None), None);
        assert_eq!(next(Status::Closed, Action::Urge, None), None);
        assert_eq!(next(Status::Declined, Action::Accept, None), None);
        assert_eq!(next(Status::Dispatched, Action::Reply, None), None, "taken up first");
        assert_eq!(
            next(Status::Replied, Action::Rate, Some(Rating::Satisfied)),
            None,
            "verified first"
        );
        assert_eq!(
            actions_from(Status::ReturnRequested),
            [
                Action::ApproveReturn,
                Action::RefuseReturn,
                Action::Urge,
                Action::Supervise,
                Action::Note
            ]
        );
    }
}
