use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

/// Creating accounts and granting roles: platform administrators anywhere, community
/// administrators inside their community (and never roles above it).
pub const MANAGE: Capability = Capability {
    name: "accounts.manage",
    roles: &[Role::PlatformAdmin, Role::CommunityAdmin],
    reach: Reach::Within,
};
