use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

/// Reading the audit log of the communities in one's scope; platform-wide records (accounts
/// without a community, districts) only for platform administrators.
pub const READ: Capability = Capability {
    name: "audit.read",
    roles: &[Role::PlatformAdmin, Role::Supervisor, Role::CommunityAdmin],
    reach: Reach::Within,
};
