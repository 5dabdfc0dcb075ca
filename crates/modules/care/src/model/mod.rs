//! The rules of wishes and care visits, as pure functions with their tests, and the care
//! module's closed lists.

pub mod pairing;
pub mod privacy;
pub mod visits;
pub mod wish;

use yijia_kernel::vocab;

vocab!(
    /// In which capacity someone is paired with a household.
    CarerKind {
        PartyMember = "party_member" / "党员" / "Party member",
        Volunteer = "volunteer" / "志愿者" / "Volunteer",
        GridWorker = "grid_worker" / "网格员" / "Grid worker",
    }
);

vocab!(
    /// Where a pairing's visits stand today.
    VisitState {
        OnTime = "on_time" / "按时" / "On time",
        DueSoon = "due_soon" / "即将到期" / "Due soon",
        Overdue = "overdue" / "逾期" / "Overdue",
        Unpaired = "unpaired" / "未结对" / "Not paired",
    }
);
