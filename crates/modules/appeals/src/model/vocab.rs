//! The appeals' closed lists.

use yijia_kernel::vocab;

vocab!(
    /// What the requester wants (DOMAIN.md §7).
    Kind {
        Enquiry = "enquiry" / "咨询" / "Enquiry",
        Help = "help" / "求助" / "Request for help",
        Complaint = "complaint" / "投诉" / "Complaint",
        Report = "report" / "举报" / "Report",
        Suggestion = "suggestion" / "建议" / "Suggestion",
    }
);

vocab!(
    /// How the appeal came in.
    Channel {
        App = "app" / "手机" / "Phone app",
        Visit = "visit" / "走访" / "Door visit",
        Counter = "counter" / "服务大厅" / "Service hall",
        Phone = "phone" / "电话" / "Phone call",
        Open311 = "open311" / "Open311" / "Open311",
    }
);

vocab!(
    /// Where an appeal is in its loop; see `machine.rs` for the moves between them.
    Status {
        Submitted = "submitted" / "已提交" / "Submitted",
        Accepted = "accepted" / "已受理" / "Accepted",
        Declined = "declined" / "不予受理" / "Declined",
        Dispatched = "dispatched" / "已派单" / "Dispatched",
        InProgress = "in_progress" / "办理中" / "In progress",
        ReturnRequested = "return_requested" / "申请退单" / "Return requested",
        Replied = "replied" / "已办结" / "Replied",
        Verified = "verified" / "已核实" / "Verified",
        Rated = "rated" / "已评价" / "Rated",
        Closed = "closed" / "已归档" / "Closed",
    }
);

vocab!(
    /// Who a handling party is, under the 大管家 model.
    PartyKind {
        Community = "community" / "社区" / "Community team",
        Property = "property" / "物业" / "Property company",
        Department = "department" / "职能部门" / "Department",
    }
);

vocab!(
    /// Deadline tiers (DOMAIN.md §7); their spans are community settings.
    Tier {
        Emergency = "emergency" / "紧急" / "Emergency",
        Utility = "utility" / "水电气暖" / "Water, power, gas, heating",
        Normal = "normal" / "一般" / "Normal",
        Complex = "complex" / "复杂" / "Complex",
    }
);

vocab!(Rating {
    Satisfied = "satisfied" / "满意" / "Satisfied",
    Basic = "basic" / "基本满意" / "Basically satisfied",
    Unsatisfied = "unsatisfied" / "不满意" / "Unsatisfied",
});

vocab!(
    /// Why an appeal is not taken up.
    DeclineReason {
        OutOfRemit = "out_of_remit" / "不属于受理范围" / "Outside our remit",
        Referred = "referred" / "已转其他渠道" / "Referred to another channel",
        Duplicate = "duplicate" / "重复诉求，已并入" / "Duplicate, merged into another",
        Emergency = "emergency" / "紧急情况请拨打110/119/120" / "Emergency: call 110/119/120",
    }
);
