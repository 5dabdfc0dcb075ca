//! The same reach as [`Capability::allows`](crate::Capability::allows), written as SQL.
//!
//! Reads filter in the query, never after fetching: a list joins the actor's grants through an
//! `exists` over `account_role`. The actor's account id is bound as a parameter; the role names
//! come from the capability's static list, never from input.

use crate::actor::{Actor, Place, ScopeKind};
use crate::permission::{Capability, Reach};

/// The columns of the row being filtered.
pub struct Cols<'a> {
    /// The row's `community_id` column, e.g. `b.community_id`.
    pub community: &'a str,
    /// The row's `grid_id` column, if the row sits in a grid.
    pub grid: Option<&'a str>,
}

/// An SQL boolean expression that is true when the account bound at `account_param` (e.g. `$1`)
/// holds `cap` over the row.
pub fn reach(cap: &Capability, cols: &Cols<'_>, account_param: &str) -> String {
    let roles = cap
        .roles
        .iter()
        .map(|r| format!("'{}'", r.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let comm = cols.community;
    let grid = match (cols.grid, cap.reach) {
        (_, Reach::Member) => format!(" or (r.scope_kind = 'grid' and r.community_id = {comm})"),
        (Some(g), Reach::Within) => format!(" or (r.scope_kind = 'grid' and r.grid_id = {g})"),
        (None, Reach::Within) => String::new(),
    };
    format!(
        "exists (select 1 from account_role r where r.account_id = {account_param} \
         and r.revoked_at is null and r.role in ({roles}) and (r.scope_kind = 'platform' \
         or (r.scope_kind = 'district' and r.district_id = (select sc.district_id from community sc where sc.community_id = {comm})) \
         or (r.scope_kind = 'subdistrict' and r.subdistrict_id = (select sc.subdistrict_id from community sc where sc.community_id = {comm})) \
         or (r.scope_kind = 'community' and r.community_id = {comm}){grid}))"
    )
}

/// How much of one community an actor reaches with a capability, decided once for a query
/// over many rows of that community (counts, reports) instead of once per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommunityReach {
    /// The whole community.
    All,
    /// Only rows in these grids (a grid worker's).
    Grids(Vec<i64>),
    Nothing,
}

impl CommunityReach {
    /// Decides the reach from the actor's grants, as [`reach`] would row by row.
    pub fn of(cap: &Capability, actor: &Actor, community: &Place) -> CommunityReach {
        let whole = Place {
            grid_id: None,
            ..*community
        };
        if cap.allows(actor, &whole) {
            return CommunityReach::All;
        }
        let grids: Vec<i64> = actor
            .grants
            .iter()
            .filter(|g| {
                cap.roles.contains(&g.role) && g.scope == ScopeKind::Grid && g.community_id == community.community_id
            })
            .filter_map(|g| g.grid_id)
            .collect();
        if grids.is_empty() {
            CommunityReach::Nothing
        } else {
            CommunityReach::Grids(grids)
        }
    }

    /// An SQL condition on the row's grid column. The ids come from the database, not input.
    pub fn sql(&self, grid_col: &str) -> String {
        match self {
            CommunityReach::All => "1 = 1".to_owned(),
            CommunityReach::Nothing => "1 = 0".to_owned(),
            CommunityReach::Grids(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!("{grid_col} in ({})", list.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Role, RoleGrant, Via};
    use crate::i18n::Locale;

    fn actor(grants: Vec<RoleGrant>) -> Actor {
        Actor {
            account_id: Some(1),
            username: "t".into(),
            display_name: "t".into(),
            locale: Locale::ZhCn,
            grants,
            via: Via::PersonalToken,
            must_change_password: false,
        }
    }

    fn grant(role: Role, scope: ScopeKind, community: i64, grid: Option<i64>) -> RoleGrant {
        RoleGrant {
            role,
            scope,
            district_id: Some(1),
            subdistrict_id: Some(1),
            community_id: Some(community),
            grid_id: grid,
        }
    }

    const CAP: Capability = Capability {
        name: "t",
        roles: &[Role::CommunityAdmin, Role::GridWorker],
        reach: Reach::Within,
    };

    #[test]
    fn a_community_grant_reaches_the_whole_community_and_a_grid_grant_its_grids() {
        let place = Place {
            district_id: Some(1),
            subdistrict_id: Some(1),
            community_id: Some(7),
            grid_id: None,
        };
        let admin = actor(vec![grant(Role::CommunityAdmin, ScopeKind::Community, 7, None)]);
        assert_eq!(CommunityReach::of(&CAP, &admin, &place), CommunityReach::All);
        let worker = actor(vec![
            grant(Role::GridWorker, ScopeKind::Grid, 7, Some(3)),
            grant(Role::GridWorker, ScopeKind::Grid, 8, Some(9)),
        ]);
        assert_eq!(
            CommunityReach::of(&CAP, &worker, &place),
            CommunityReach::Grids(vec![3])
        );
        assert_eq!(
            CommunityReach::Grids(vec![3, 4]).sql("x.grid_id"),
            "x.grid_id in (3, 4)"
        );
        let resident = actor(vec![grant(Role::Resident, ScopeKind::Community, 7, None)]);
        assert_eq!(CommunityReach::of(&CAP, &resident, &place), CommunityReach::Nothing);
    }
}
