//! Who may see and change the structure. Supervisors read across their area and never write;
//! a grid worker reads and keeps the households of their own grids only.

use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

/// Reading grids, buildings, units and households.
pub const READ: Capability = Capability {
    name: "structure.read",
    roles: &[
        Role::PlatformAdmin,
        Role::Supervisor,
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
    ],
    reach: Reach::Within,
};

pub use yijia_kernel::permission::VIEW_COMMUNITY;

/// Creating districts, subdistricts and communities.
pub const TENANCY: Capability = Capability {
    name: "structure.tenancy",
    roles: &[Role::PlatformAdmin],
    reach: Reach::Within,
};

/// A community's settings (name, brand, time zone, address) and its grids.
pub const COMMUNITY_ADMIN: Capability = Capability {
    name: "structure.community_admin",
    roles: &[Role::PlatformAdmin, Role::CommunityAdmin],
    reach: Reach::Within,
};

/// Buildings and units.
pub const BUILDINGS: Capability = Capability {
    name: "structure.buildings",
    roles: &[Role::PlatformAdmin, Role::CommunityAdmin, Role::CommunityStaff],
    reach: Reach::Within,
};

/// Households: also the grid worker of the household's grid.
pub const HOUSEHOLDS: Capability = Capability {
    name: "structure.households",
    roles: &[
        Role::PlatformAdmin,
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
    ],
    reach: Reach::Within,
};
