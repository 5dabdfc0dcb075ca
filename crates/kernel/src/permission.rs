//! Capabilities: what a role may do, declared by the module that owns the action.
//!
//! Deny by default: an actor may do a thing at a place only when one of its grants has a role the
//! capability lists and that grant's scope reaches the place. Supervisors appear only in read
//! capabilities, so they can never write.

use crate::actor::{Actor, Place, Role};

/// How far a grant must reach for the capability to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The place must lie inside the grant's scope.
    Within,
    /// It is enough that the grant lies inside the place's community (a grid worker, a resident
    /// of the community) or contains it.
    Member,
}

/// A named permission and the roles that hold it.
#[derive(Clone, Copy, Debug)]
pub struct Capability {
    pub name: &'static str,
    pub roles: &'static [Role],
    pub reach: Reach,
}

impl Capability {
    /// Whether the actor may use this capability at the place.
    pub fn allows(&self, actor: &Actor, place: &Place) -> bool {
        actor.grants.iter().any(|g| {
            self.roles.contains(&g.role)
                && match self.reach {
                    Reach::Within => g.contains(place),
                    Reach::Member => g.touches(place),
                }
        })
    }

    /// Whether the actor holds this capability anywhere (to show a navigation entry).
    pub fn held_by(&self, actor: &Actor) -> bool {
        actor.grants.iter().any(|g| self.roles.contains(&g.role))
    }

    /// `Ok` when allowed; `Forbidden` otherwise.
    pub fn check(&self, actor: &Actor, place: &Place) -> crate::Result<()> {
        if self.allows(actor, place) {
            Ok(())
        } else {
            Err(crate::Error::Forbidden)
        }
    }
}

/// Seeing a community exists, its name, settings and grid workers' contacts: every member of it
/// (an integration too). Shared by the home page and the structure module.
pub const VIEW_COMMUNITY: Capability = Capability {
    name: "community.view",
    roles: &Role::ALL,
    reach: Reach::Member,
};

/// Setting the communities one oversees side by side on every module's main figures (the
/// district page): a supervisor over their district or subdistrict, the platform's administrator.
pub const COMPARE_COMMUNITIES: Capability = Capability {
    name: "community.compare",
    roles: &[Role::PlatformAdmin, Role::Supervisor],
    reach: Reach::Within,
};
