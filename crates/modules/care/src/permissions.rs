//! Who may do what with wishes and pairings. Care-group data and visit notes are sensitive
//! (DOMAIN.md §5): besides the capabilities below, a carer sees only the households they are
//! paired with, which the commands check pairing by pairing.

use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

const STAFF: &[Role] = &[Role::CommunityAdmin, Role::CommunityStaff];

/// The wish wall, and raising a wish of one's own: everyone of the community.
pub const TAKE_PART: Capability = Capability {
    name: "care.take_part",
    roles: &[
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
        Role::PartyMember,
        Role::Volunteer,
        Role::TeamLeader,
        Role::Merchant,
        Role::Resident,
    ],
    reach: Reach::Member,
};

/// Claiming a wish: volunteers, team leaders, party members and merchants of the alliance for
/// themselves; staff for a company that called in.
pub const CLAIM: Capability = Capability {
    name: "care.claim",
    roles: &[
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
        Role::PartyMember,
        Role::Volunteer,
        Role::TeamLeader,
        Role::Merchant,
    ],
    reach: Reach::Member,
};

/// Posting a wish for someone, confirming its fulfilment, pairing households of a grid and
/// seeing their care groups, visits and coverage: the grid worker within their grids, staff.
pub const LOOK_AFTER: Capability = Capability {
    name: "care.look_after",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff, Role::GridWorker],
    reach: Reach::Within,
};

/// Vetting wishes, changing settings, being told of visits overdue for a week.
pub const MANAGE: Capability = Capability {
    name: "care.manage",
    roles: STAFF,
    reach: Reach::Within,
};

/// The reports: numbers by grid, care group, stage and category, without names; a district
/// officer compares communities with them.
pub const REPORTS: Capability = Capability {
    name: "care.reports.read",
    roles: &[
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
        Role::Supervisor,
    ],
    reach: Reach::Within,
};
