//! The council's rules that need no database: the vote rule presets (`rules`), the owners'
//! electorate from the registry's holdings (`electorate`) and the tally (`tally`), in exact
//! integer arithmetic so that a recount gives the same figures; and the closed lists the
//! council's rows use.

pub mod electorate;
pub mod rules;
pub mod tally;

use yijia_kernel::vocab;

vocab!(
    /// What part of the community a topic or a vote concerns.
    ScopeKind {
        Building = "building" / "楼栋" / "Building",
        Compound = "compound" / "院落" / "Compound",
        Grid = "grid" / "网格" / "Grid",
        Community = "community" / "全社区" / "Whole community",
    }
);

vocab!(
    /// In which capacity someone raised a topic.
    RaiserRole {
        Resident = "resident" / "居民" / "Resident",
        GridWorker = "grid_worker" / "网格员" / "Grid worker",
        PartyMember = "party_member" / "党员" / "Party member",
        Staff = "staff" / "社区工作人员" / "Community staff",
    }
);

vocab!(
    /// Where a topic stands.
    TopicStatus {
        Raised = "raised" / "待处理" / "Raised",
        Agenda = "agenda" / "已列入议程" / "On the agenda",
        Merged = "merged" / "已合并" / "Merged",
        Answered = "answered" / "已直接答复" / "Answered",
        Declined = "declined" / "不予受理" / "Declined",
        Decided = "decided" / "已表决" / "Decided",
    }
);

impl TopicStatus {
    /// Whether residents may still co-sign and discuss it.
    pub fn open(self) -> bool {
        matches!(self, TopicStatus::Raised | TopicStatus::Agenda)
    }
}

vocab!(
    /// What staff decide about a raised topic.
    Triage {
        Accept = "accept" / "列入议程" / "Put on the agenda",
        Merge = "merge" / "合并到其他议题" / "Merge into another topic",
        Answer = "answer" / "直接答复" / "Answer directly",
        Decline = "decline" / "不予受理" / "Decline",
    }
);

vocab!(
    /// What kind of meeting.
    MeetingKind {
        Deliberation = "deliberation" / "议事会" / "Deliberation session",
        Owners = "owners" / "业主大会" / "Owners' meeting",
        Residents = "residents" / "居民会议" / "Residents' meeting",
    }
);

vocab!(
    /// Who may read an item on the public board.
    Visibility {
        Public = "public" / "公开" / "Anyone",
        Residents = "residents" / "仅本社区居民" / "Residents only",
    }
);

vocab!(
    /// How a vote is taken.
    Method {
        Ballot = "ballot" / "逐人投票" / "A ballot per voter",
        Hands = "hands" / "现场举手" / "Show of hands",
    }
);

vocab!(
    /// Where a vote stands.
    VoteStatus {
        Draft = "draft" / "草拟" / "Draft",
        Open = "open" / "投票中" / "Open",
        Closed = "closed" / "已结束" / "Closed",
    }
);

vocab!(
    /// How a ballot reached the vote.
    Channel {
        Phone = "phone" / "手机投票" / "Phone",
        Paper = "paper" / "纸质票" / "Paper",
        Proxy = "proxy" / "委托投票" / "Proxy",
    }
);
