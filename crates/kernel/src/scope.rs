//! The same reach as [`Capability::allows`](crate::Capability::allows), written as SQL.
//!
//! Reads filter in the query, never after fetching: a list joins the actor's grants through an
//! `exists` over `account_role`. The actor's account id is bound as a parameter; the role names
//! come from the capability's static list, never from input.

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
