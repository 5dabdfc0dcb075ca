//! Who may see and change the registry. Least privilege (PIPL art. 51): the people who look
//! after residents — community administrators and staff, and a grid worker within their own
//! grids — read and keep it; supervisors and platform administrators see only the numbers.
//! Reading a full ID or phone number is a separate, audited reveal.

use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

const KEEPERS: &[Role] = &[Role::CommunityAdmin, Role::CommunityStaff, Role::GridWorker];

/// Lists, households, residents with masked numbers, care-group tags, visits.
pub const READ: Capability = Capability {
    name: "registry.read",
    roles: KEEPERS,
    reach: Reach::Within,
};

/// Adding and changing residents, tags, holdings; logging visits.
pub const WRITE: Capability = Capability {
    name: "registry.write",
    roles: KEEPERS,
    reach: Reach::Within,
};

/// Showing one ID or phone number or health note in full, with a stated purpose.
pub const REVEAL: Capability = Capability {
    name: "registry.reveal",
    roles: KEEPERS,
    reach: Reach::Within,
};

/// Counts by grid, building and care group, without names.
pub const STATS: Capability = Capability {
    name: "registry.numbers.read",
    roles: &[
        Role::PlatformAdmin,
        Role::Supervisor,
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
    ],
    reach: Reach::Within,
};

/// Importing spreadsheets into a community and exporting its lists (masked).
pub const BULK: Capability = Capability {
    name: "registry.bulk",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff],
    reach: Reach::Within,
};

/// Exporting lists with ID and phone numbers in full.
pub const EXPORT_UNMASKED: Capability = Capability {
    name: "registry.export_unmasked",
    roles: &[Role::CommunityAdmin],
    reach: Reach::Within,
};

/// Answering residents' requests to see or correct their data.
pub const REQUESTS: Capability = Capability {
    name: "registry.requests",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff],
    reach: Reach::Within,
};

/// A resident's own record and requests about it: a link in their navigation. Anyone whose
/// account is linked to a record can open it; the link is shown to residents.
pub const OWN_DATA: Capability = Capability {
    name: "registry.own_data.view",
    roles: &[Role::Resident],
    reach: Reach::Member,
};
