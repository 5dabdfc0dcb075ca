//! The query of a resident list, shared by the page, the API and the export: one place turns
//! what a person typed into a filter. A search box takes a name, or an exact ID or phone
//! number, which is looked up through its blind index.

use serde::Deserialize;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Capability, Error, Result};

use crate::commands::{care_blind, field, phone_blind, today_in};
use crate::model::{birth_range, identity, parse_citizen_id, CareGroup, Political, Residence};
use crate::repo::{Filter, Sort};
use yijia_kernel::community::CommunityAt;

/// A resident list's query string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub community: Option<i64>,
    /// A name (or part of it), an ID number or a phone number.
    pub q: String,
    pub grid: Option<i64>,
    pub building: Option<i64>,
    pub unit: Option<i64>,
    pub room: String,
    /// A care-group kind code.
    pub tag: String,
    pub age_min: Option<i64>,
    pub age_max: Option<i64>,
    pub residence: String,
    pub political: String,
    /// `1` to include those who moved out or died.
    pub include_left: String,
    pub sort: String,
    /// Page number (from 1) for pages.
    pub page: Option<i64>,
    /// Keyset paging for the API.
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// What kind of thing the search box holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Search {
    Name(String),
    Id(String),
    Phone(String),
    Nothing,
}

/// A citizen ID (valid checksum, or 15 digits), a phone number, or else a name part.
pub fn classify(q: &str, today: jiff::civil::Date) -> Search {
    let q = q.trim();
    if q.is_empty() {
        return Search::Nothing;
    }
    if let Ok(id) = parse_citizen_id(q, today) {
        return Search::Id(id.number);
    }
    let compact: String = q.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if compact.len() >= 7 && compact.trim_start_matches('+').chars().all(|c| c.is_ascii_digit()) {
        return Search::Phone(identity::normalize_phone(q));
    }
    if q.len() >= 6 && q.chars().all(|c| c.is_ascii_alphanumeric()) && q.chars().any(|c| c.is_ascii_digit()) {
        // A passport or other document number.
        return Search::Id(identity::normalize_document(q));
    }
    Search::Name(q.to_owned())
}

impl ListQuery {
    /// The filter over one community, in the community's calendar.
    pub fn filter(&self, state: &AppState, community: &CommunityAt) -> Result<Filter> {
        let today = today_in(state, &community.time_zone);
        let mut f = Filter {
            grid_id: self.grid,
            building_id: self.building,
            unit_id: self.unit,
            room: Some(self.room.trim().to_owned()).filter(|r| !r.is_empty()),
            include_left: self.include_left == "1" || self.include_left == "on",
            sort: Sort::parse(&self.sort),
            care_on: today.to_string(),
            after: self.after.unwrap_or(0),
            ..Filter::default()
        };
        match classify(&self.q, today) {
            Search::Name(n) => f.name = Some(n),
            Search::Id(id) => f.id_blind = Some(state.vault.blind(field::ID, &id)),
            Search::Phone(p) => f.phone_blind = Some(phone_blind(&state.vault, &p)),
            Search::Nothing => {}
        }
        if !self.tag.is_empty() {
            let group = CareGroup::from_code(&self.tag).ok_or_else(|| Error::field("tag", "registry.bad_choice"))?;
            f.care_blind = Some(care_blind(&state.vault, community.community_id, &group));
        }
        if !self.residence.is_empty() {
            let r =
                Residence::parse(&self.residence).ok_or_else(|| Error::field("residence", "registry.bad_choice"))?;
            f.residence = Some(r.as_str().to_owned());
            f.include_left |= !r.current();
        }
        if !self.political.is_empty() {
            let p =
                Political::parse(&self.political).ok_or_else(|| Error::field("political", "registry.bad_choice"))?;
            f.political = Some(p.as_str().to_owned());
        }
        for a in [self.age_min, self.age_max].into_iter().flatten() {
            if !(0..=150).contains(&a) {
                return Err(Error::field("age_min", "registry.bad_age"));
            }
        }
        let (from, to) = birth_range(self.age_min, self.age_max, today);
        f.born_from = from;
        f.born_to = to;
        Ok(f)
    }
}

/// The communities where the actor reaches some rows with `cap`.
pub async fn communities_in_reach(state: &AppState, actor: &Actor, cap: &Capability) -> Result<Vec<CommunityAt>> {
    Ok(yijia_kernel::community::all(&state.db)
        .await?
        .into_iter()
        .filter(|c| CommunityReach::of(cap, actor, &c.place()) != CommunityReach::Nothing)
        .collect())
}

/// The community a list is about: the one asked for, or the first the actor reaches; with how
/// much of it the actor reaches. Not found when the actor reaches none of it.
pub async fn community_for(
    state: &AppState,
    actor: &Actor,
    cap: &Capability,
    asked: Option<i64>,
) -> Result<(CommunityAt, CommunityReach)> {
    let community = match asked {
        Some(id) => yijia_kernel::community::by_id(&state.db, id).await?,
        None => communities_in_reach(state, actor, cap).await?.into_iter().next(),
    }
    .ok_or(Error::NotFound)?;
    match CommunityReach::of(cap, actor, &community.place()) {
        CommunityReach::Nothing => Err(Error::NotFound),
        reach => Ok((community, reach)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_box_tells_ids_phones_and_names_apart() {
        let today = jiff::civil::Date::new(2026, 11, 27).unwrap();
        assert_eq!(
            classify("11010519491231002x", today),
            Search::Id("11010519491231002X".into())
        );
        assert_eq!(classify("138 1234 5678", today), Search::Phone("13812345678".into()));
        assert_eq!(classify("王", today), Search::Name("王".into()));
        assert_eq!(classify("E12345678", today), Search::Id("E12345678".into()));
        assert_eq!(classify("  ", today), Search::Nothing);
    }
}
