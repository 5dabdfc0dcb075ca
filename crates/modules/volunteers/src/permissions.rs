//! Who may do what with volunteers. Anyone of a community may become a volunteer and sign up;
//! staff run teams, profiles, activities and the ledgers; a team's leaders run their team's
//! activities (leadership is a team membership, checked per team, see `commands::Access`);
//! merchants of the alliance redeem points; supervisors read the reports.

use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

/// Registering as a volunteer, joining a team, signing up, checking in: one's own.
pub const JOIN: Capability = Capability {
    name: "volunteers.join",
    roles: &[
        Role::Resident,
        Role::PartyMember,
        Role::Volunteer,
        Role::TeamLeader,
        Role::GridWorker,
        Role::PropertyStaff,
        Role::DepartmentStaff,
        Role::CommunityStaff,
        Role::CommunityAdmin,
    ],
    reach: Reach::Member,
};

/// Teams, profiles, every activity, attendance, corrections and bonuses.
pub const MANAGE: Capability = Capability {
    name: "volunteers.manage",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff],
    reach: Reach::Within,
};

/// Recording points spent at the merchant alliance.
pub const REDEEM: Capability = Capability {
    name: "volunteers.redeem",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff, Role::Merchant],
    reach: Reach::Within,
};

/// The reports: hours by team, grid and month, top volunteers, activities held.
pub const REPORTS: Capability = Capability {
    name: "volunteers.reports.read",
    roles: &[
        Role::PlatformAdmin,
        Role::Supervisor,
        Role::CommunityAdmin,
        Role::CommunityStaff,
    ],
    reach: Reach::Within,
};
