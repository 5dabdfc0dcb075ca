//! Care groups (特殊群体): the national kinds every community has, and the tags a community
//! adds for itself in its settings (e.g. 失独家庭). A custom group is stored as
//! `custom:<label>`; its label is what the community typed, in every language.

use std::borrow::Cow;

use yijia_kernel::settings::{Kind, Setting};

use super::CareKind;

/// The community setting that lists its own care groups.
pub const CUSTOM_CARE_GROUPS: Setting = Setting {
    key: "registry.custom_care_groups",
    label: "registry.setting_custom_care_groups",
    hint: "registry.setting_custom_care_groups_hint",
    kind: Kind::List { items: 20, len: 12 },
    default: "",
};

const CUSTOM_PREFIX: &str = "custom:";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CareGroup {
    Kind(CareKind),
    Custom(String),
}

impl From<CareKind> for CareGroup {
    fn from(k: CareKind) -> CareGroup {
        CareGroup::Kind(k)
    }
}

impl CareGroup {
    /// The stable code: stored (sealed), used by the API and by filters.
    pub fn code(&self) -> Cow<'static, str> {
        match self {
            CareGroup::Kind(k) => Cow::Borrowed(k.as_str()),
            CareGroup::Custom(label) => Cow::Owned(format!("{CUSTOM_PREFIX}{label}")),
        }
    }

    pub fn label(&self, lang: &str) -> Cow<'static, str> {
        match self {
            CareGroup::Kind(k) => Cow::Borrowed(k.label(lang)),
            CareGroup::Custom(label) => Cow::Owned(label.clone()),
        }
    }

    /// Reads a code as stored or asked for in a filter. Any custom label is accepted: a tag
    /// outlives the setting that offered it.
    pub fn from_code(code: &str) -> Option<CareGroup> {
        match code.strip_prefix(CUSTOM_PREFIX) {
            Some(label) if !label.trim().is_empty() => Some(CareGroup::Custom(label.trim().to_owned())),
            Some(_) => None,
            None => CareKind::parse(code).map(CareGroup::Kind),
        }
    }

    /// Reads a code chosen for a new tag: a national kind, or one of the community's own.
    /// A custom group may also be given by its bare label.
    pub fn offered(code: &str, custom: &[String]) -> Option<CareGroup> {
        let code = code.trim();
        if let Some(kind) = CareKind::parse(code) {
            return Some(CareGroup::Kind(kind));
        }
        let label = code.strip_prefix(CUSTOM_PREFIX).unwrap_or(code).trim();
        custom
            .iter()
            .find(|c| c.as_str() == label)
            .map(|c| CareGroup::Custom(c.clone()))
    }

    /// Every group a community offers, the national ones first. A custom label that repeats a
    /// national kind's name is left out, so one group is never listed twice.
    pub fn all(custom: &[String]) -> Vec<CareGroup> {
        let national = CareKind::ALL.iter().map(|k| CareGroup::Kind(*k));
        let own = custom
            .iter()
            .filter(|c| CareKind::parse(c).is_none())
            .map(|c| CareGroup::Custom(c.clone()));
        national.chain(own).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_groups_round_trip_through_their_code_and_must_be_offered_to_be_chosen() {
        let own = vec!["失独家庭".to_owned(), "独居老人".to_owned()];
        let g = CareGroup::offered("custom:失独家庭", &own).unwrap();
        assert_eq!(g.code(), "custom:失独家庭");
        assert_eq!(g.label("en"), "失独家庭");
        assert_eq!(CareGroup::from_code(&g.code()), Some(g.clone()));
        assert_eq!(CareGroup::offered("失独家庭", &own), Some(g));
        assert_eq!(CareGroup::offered("custom:高龄老人", &own), None);
        assert_eq!(
            CareGroup::from_code("custom:高龄老人"),
            Some(CareGroup::Custom("高龄老人".into()))
        );
        assert_eq!(CareGroup::from_code("custom: "), None);
        assert_eq!(
            CareGroup::offered("独居老人", &own),
            Some(CareGroup::Kind(CareKind::ElderlyAlone))
        );
        // The national kind's Chinese name is not listed a second time as a custom group.
        assert_eq!(CareGroup::all(&own).len(), CareKind::ALL.len() + 1);
    }
}
