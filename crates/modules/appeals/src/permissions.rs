//! Who may do what with appeals. The desk (community administrators and staff) accepts,
//! dispatches, verifies and closes; a handling party's members work the appeals sent to it
//! (membership is checked per appeal, see `commands::Access`); grid workers read their grids'
//! appeals and take them in on door visits; residents raise and follow their own.

use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

const DESK: &[Role] = &[Role::CommunityAdmin, Role::CommunityStaff];

/// Raising one's own appeal from a phone.
pub const SUBMIT: Capability = Capability {
    name: "appeals.submit",
    roles: &[
        Role::Resident,
        Role::PartyMember,
        Role::Volunteer,
        Role::TeamLeader,
        Role::GridWorker,
        Role::CommunityStaff,
        Role::CommunityAdmin,
    ],
    reach: Reach::Member,
};

/// Taking an appeal in for someone else: at the counter, on the phone, on a door visit. A grid
/// worker may take one in for any place of their community (a neighbour's call is taken too).
pub const INTAKE: Capability = Capability {
    name: "appeals.intake",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff, Role::GridWorker],
    reach: Reach::Member,
};

/// Raising appeals through Open311: an integration's API key, for its community.
pub const OPEN311: Capability = Capability {
    name: "appeals.open311",
    roles: &[Role::Integration],
    reach: Reach::Within,
};

/// Reading every appeal of a community (a grid worker: of their grids).
pub const READ: Capability = Capability {
    name: "appeals.read",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff, Role::GridWorker],
    reach: Reach::Within,
};

/// Accepting, declining, dispatching, verifying, calling back and closing.
pub const DISPATCH: Capability = Capability {
    name: "appeals.dispatch",
    roles: DESK,
    reach: Reach::Within,
};

/// Working a party's queue; the account must also be a member of the party.
pub const HANDLE: Capability = Capability {
    name: "appeals.handle",
    roles: &[
        Role::PropertyStaff,
        Role::DepartmentStaff,
        Role::CommunityStaff,
        Role::CommunityAdmin,
        Role::GridWorker,
    ],
    reach: Reach::Member,
};

/// Supervising (督办): marking an appeal for attention from above.
pub const SUPERVISE: Capability = Capability {
    name: "appeals.supervise",
    roles: &[Role::CommunityAdmin, Role::Supervisor],
    reach: Reach::Within,
};

/// The rates (响应率, 解决率, 满意率, on time, handling time): numbers, no names.
pub const RATES: Capability = Capability {
    name: "appeals.rates.read",
    roles: &[
        Role::PlatformAdmin,
        Role::Supervisor,
        Role::CommunityAdmin,
        Role::CommunityStaff,
    ],
    reach: Reach::Within,
};

/// The service catalogue: parties, categories, routing rules, the holiday calendar.
pub const CATALOGUE: Capability = Capability {
    name: "appeals.catalogue",
    roles: &[Role::PlatformAdmin, Role::CommunityAdmin],
    reach: Reach::Within,
};
