//! Who is acting, and what they hold.
//!
//! An [`Actor`] is loaded once per request from the session or token, with every live role grant.
//! A grant is a role over a scope; the scope's ancestors (district … grid) are stored with it so
//! that the same reach can be tested in Rust (for writes) and in SQL (for reads, see `scope`).

use serde::Serialize;

use crate::i18n::Locale;

/// The roles of the operator's contract. Their identifiers are stable: the CLI and API use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    Supervisor,
    CommunityAdmin,
    CommunityStaff,
    GridWorker,
    PartyMember,
    Volunteer,
    TeamLeader,
    PropertyStaff,
    DepartmentStaff,
    Merchant,
    Resident,
    /// An integration holding an API key; never assigned to a person.
    Integration,
}

impl Role {
    /// Every role: those a person can be given, in the order the console lists them, then the
    /// integration's.
    pub const ALL: [Role; 13] = [
        Role::PlatformAdmin,
        Role::Supervisor,
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::GridWorker,
        Role::PartyMember,
        Role::Volunteer,
        Role::TeamLeader,
        Role::PropertyStaff,
        Role::DepartmentStaff,
        Role::Merchant,
        Role::Resident,
        Role::Integration,
    ];

    /// Every role a person can be given.
    pub const ASSIGNABLE: &'static [Role] = Role::ALL.split_at(12).0;

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::Supervisor => "supervisor",
            Role::CommunityAdmin => "community_admin",
            Role::CommunityStaff => "community_staff",
            Role::GridWorker => "grid_worker",
            Role::PartyMember => "party_member",
            Role::Volunteer => "volunteer",
            Role::TeamLeader => "team_leader",
            Role::PropertyStaff => "property_staff",
            Role::DepartmentStaff => "department_staff",
            Role::Merchant => "merchant",
            Role::Resident => "resident",
            Role::Integration => "integration",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The scope kinds a grant of this role may have.
    pub fn scope_kinds(self) -> &'static [ScopeKind] {
        match self {
            Role::PlatformAdmin => &[ScopeKind::Platform],
            Role::Supervisor => &[ScopeKind::District, ScopeKind::Subdistrict],
            Role::GridWorker => &[ScopeKind::Grid],
            _ => &[ScopeKind::Community],
        }
    }

    /// Staff roles see the staff console at home; the others see the resident's phone view.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::PlatformAdmin | Role::Supervisor | Role::CommunityAdmin | Role::CommunityStaff | Role::GridWorker
        )
    }
}

/// The kind of thing a grant's scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Platform,
    District,
    Subdistrict,
    Community,
    Grid,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Platform => "platform",
            ScopeKind::District => "district",
            ScopeKind::Subdistrict => "subdistrict",
            ScopeKind::Community => "community",
            ScopeKind::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Option<ScopeKind> {
        [
            ScopeKind::Platform,
            ScopeKind::District,
            ScopeKind::Subdistrict,
            ScopeKind::Community,
            ScopeKind::Grid,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A role over a scope, with the scope's ancestors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub role: Role,
    pub scope: ScopeKind,
    pub district_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub community_id: Option<i64>,
    pub grid_id: Option<i64>,
}

/// Where a record sits in the tenancy tree. Filled from the record's own row, never from input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub district_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub community_id: Option<i64>,
    pub grid_id: Option<i64>,
}

impl RoleGrant {
    /// True when the place lies inside this grant's scope.
    pub fn contains(&self, place: &Place) -> bool {
        let same = |a: Option<i64>, b: Option<i64>| a.is_some() && a == b;
        match self.scope {
            ScopeKind::Platform => true,
            ScopeKind::District => same(self.district_id, place.district_id),
            ScopeKind::Subdistrict => same(self.subdistrict_id, place.subdistrict_id),
            ScopeKind::Community => same(self.community_id, place.community_id),
            ScopeKind::Grid => same(self.grid_id, place.grid_id),
        }
    }

    /// True when the grant is inside the place's community (a member of it) or contains it.
    pub fn touches(&self, place: &Place) -> bool {
        let same = |a: Option<i64>, b: Option<i64>| a.is_some() && a == b;
        self.contains(place) || (self.scope == ScopeKind::Grid && same(self.community_id, place.community_id))
    }
}

/// How the actor reached us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    Session {
        session_hash: String,
    },
    PersonalToken,
    ApiKey {
        name: String,
    },
    /// The command line, run by the operator.
    Cli,
    /// The application's own scheduled work (the tick), naming the job.
    Schedule {
        job: &'static str,
    },
}

/// The person (or integration) acting, with every live grant.
#[derive(Clone, Debug)]
pub struct Actor {
    /// `None` for an integration's API key and for the command line.
    pub account_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub locale: Locale,
    pub grants: Vec<RoleGrant>,
    pub via: Via,
    pub must_change_password: bool,
}

impl Actor {
    /// The only community the actor's grants name, for pages and lists asked without one.
    pub fn only_community(&self) -> Option<i64> {
        let mut ids: Vec<i64> = self.grants.iter().filter_map(|g| g.community_id).collect();
        ids.sort_unstable();
        ids.dedup();
        match ids.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The operator at the command line: a platform administrator with no account.
    pub fn cli() -> Actor {
        Actor {
            account_id: None,
            username: "cli".to_owned(),
            display_name: "command line".to_owned(),
            locale: Locale::ZhCn,
            grants: vec![RoleGrant {
                role: Role::PlatformAdmin,
                scope: ScopeKind::Platform,
                district_id: None,
                subdistrict_id: None,
                community_id: None,
                grid_id: None,
            }],
            via: Via::Cli,
            must_change_password: false,
        }
    }

    /// The application acting on its own schedule: no account and no grant, so it passes no
    /// permission check; a command lets it act where it checks for it.
    pub fn schedule(job: &'static str) -> Actor {
        Actor {
            account_id: None,
            username: format!("schedule:{job}"),
            display_name: job.to_owned(),
            locale: Locale::ZhCn,
            grants: Vec::new(),
            via: Via::Schedule { job },
            must_change_password: false,
        }
    }

    /// The label recorded in the audit log.
    pub fn audit_label(&self) -> String {
        match &self.via {
            Via::ApiKey { name } => format!("apikey:{name}"),
            Via::Cli => "cli".to_owned(),
            Via::Schedule { job } => format!("schedule:{job}"),
            _ => self.username.clone(),
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether any grant is a staff role (the console is their home).
    pub fn is_staff(&self) -> bool {
        self.grants.iter().any(|g| g.role.is_staff())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, scope: ScopeKind, community: Option<i64>, grid: Option<i64>) -> RoleGrant {
        RoleGrant {
            role,
            scope,
            district_id: Some(1),
            subdistrict_id: Some(1),
            community_id: community,
            grid_id: grid,
        }
    }

    #[test]
    fn a_grid_grant_contains_its_grid_only() {
        let g = grant(Role::GridWorker, ScopeKind::Grid, Some(1), Some(10));
        let own = Place {
            community_id: Some(1),
            grid_id: Some(10),
            ..Place::default()
        };
        let other = Place {
            community_id: Some(1),
            grid_id: Some(11),
            ..Place::default()
        };
        let community = Place {
            community_id: Some(1),
            ..Place::default()
        };
        assert!(g.contains(&own));
        assert!(!g.contains(&other));
        assert!(!g.contains(&community));
        // A member of the community, it sees what the community shows all its members.
        assert!(g.touches(&community));
        assert!(g.touches(&other));
        assert!(!g.touches(&Place {
            community_id: Some(2),
            ..Place::default()
        }));
    }

    #[test]
    fn a_community_grant_does_not_reach_another_community() {
        let g = grant(Role::CommunityAdmin, ScopeKind::Community, Some(1), None);
        assert!(g.contains(&Place {
            community_id: Some(1),
            grid_id: Some(5),
            ..Place::default()
        }));
        assert!(!g.contains(&Place {
            community_id: Some(2),
            ..Place::default()
        }));
    }

    #[test]
    fn missing_ancestors_never_match() {
        let g = RoleGrant {
            role: Role::Supervisor,
            scope: ScopeKind::District,
            district_id: None,
            subdistrict_id: None,
            community_id: None,
            grid_id: None,
        };
        assert!(!g.contains(&Place::default()));
    }

    #[test]
    fn role_identifiers_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
