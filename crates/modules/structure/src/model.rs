//! The levels of the structure below a community, and their checked input.

use serde::{Deserialize, Serialize};
use yijia_kernel::error::{FieldErrors, Message};
use yijia_kernel::{text, Capability};

use crate::permissions;

/// A level of the tree below a community. Every level has a code unique among its siblings and
/// a name; each row carries `community_id` and `grid_id` so that reach is tested on the row itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Grid,
    Building,
    Unit,
    Household,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Grid, Level::Building, Level::Unit, Level::Household];

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.entity() == s || l.plural() == s)
    }

    /// The table, and the entity name in the audit log.
    pub fn entity(self) -> &'static str {
        match self {
            Level::Grid => "grid",
            Level::Building => "building",
            Level::Unit => "unit",
            Level::Household => "household",
        }
    }

    /// The path segment: `grids`, `buildings` …
    pub fn plural(self) -> &'static str {
        match self {
            Level::Grid => "grids",
            Level::Building => "buildings",
            Level::Unit => "units",
            Level::Household => "households",
        }
    }

    pub fn id_col(self) -> &'static str {
        match self {
            Level::Grid => "grid_id",
            Level::Building => "building_id",
            Level::Unit => "unit_id",
            Level::Household => "household_id",
        }
    }

    /// The parent level; `None` for grids, whose parent is the community.
    pub fn parent(self) -> Option<Level> {
        match self {
            Level::Grid => None,
            Level::Building => Some(Level::Grid),
            Level::Unit => Some(Level::Building),
            Level::Household => Some(Level::Unit),
        }
    }

    pub fn parent_col(self) -> &'static str {
        self.parent().map_or("community_id", Level::id_col)
    }

    pub fn child(self) -> Option<Level> {
        match self {
            Level::Grid => Some(Level::Building),
            Level::Building => Some(Level::Unit),
            Level::Unit => Some(Level::Household),
            Level::Household => None,
        }
    }

    /// Who may create, change, move and retire rows of this level.
    pub fn write_cap(self) -> &'static Capability {
        match self {
            Level::Grid => &permissions::COMMUNITY_ADMIN,
            Level::Building | Level::Unit => &permissions::BUILDINGS,
            Level::Household => &permissions::HOUSEHOLDS,
        }
    }

    /// Whether a row of this level can move to another parent (grids stay in their community).
    pub fn movable(self) -> bool {
        self != Level::Grid
    }

    /// The columns of the level's own ancestors that a move rewrites in it and below it.
    pub fn ancestor_cols(self) -> &'static [&'static str] {
        match self {
            Level::Grid => &[],
            Level::Building => &["grid_id"],
            Level::Unit => &["grid_id", "building_id"],
            Level::Household => &["grid_id", "building_id", "unit_id"],
        }
    }
}

/// A row of any level, as pages and the API show it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Node {
    pub id: i64,
    pub community_id: i64,
    pub grid_id: i64,
    pub parent_id: i64,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub compound: Option<String>,
    pub floors: Option<i64>,
    pub retired_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Node {
    pub fn retired(&self) -> bool {
        self.retired_at.is_some()
    }

    /// The label a person reads: name, or the code where the name is empty (household rooms).
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.code
        } else {
            &self.name
        }
    }
}

/// The fields a person fills in for a node. Every field is optional: a form sends them all, a
/// PATCH only those it changes (see [`NodeInput::over`]).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeInput {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub compound: Option<String>,
    #[serde(default, deserialize_with = "number_or_text")]
    pub floors: Option<String>,
}

/// Accepts `"floors": 6` from JSON and `floors=6` from a form alike.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        N(i64),
        T(String),
    }
    Ok(Option::<NumOrText>::deserialize(d)?.map(|v| match v {
        NumOrText::N(n) => n.to_string(),
        NumOrText::T(t) => t,
    }))
}

/// Checked values for a node of a given level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeValues {
    pub code: String,
    pub name: String,
    pub description: String,
    pub compound: String,
    pub floors: Option<i64>,
}

impl NodeInput {
    /// The input with every field it leaves out taken from the row as it is: a PATCH changes
    /// only what it names.
    pub fn over(&self, current: &Node) -> NodeInput {
        let keep = |v: &Option<String>, cur: Option<String>| v.clone().or(cur);
        NodeInput {
            code: keep(&self.code, Some(current.code.clone())),
            name: keep(&self.name, Some(current.name.clone())),
            description: keep(&self.description, current.description.clone()),
            compound: keep(&self.compound, current.compound.clone()),
            floors: keep(&self.floors, current.floors.map(|f| f.to_string())),
        }
    }

    /// Checks the input for a level.
    pub fn parse(&self, level: Level) -> yijia_kernel::Result<NodeValues> {
        let mut e = FieldErrors::default();
        let code = text::code(&mut e, "code", self.code());
        let name = if level == Level::Household {
            text::optional(&mut e, "name", self.name(), 40)
        } else {
            text::required(&mut e, "name", self.name(), 40)
        };
        let description = text::optional(&mut e, "description", self.description.as_deref().unwrap_or(""), 500);
        let compound = text::optional(&mut e, "compound", self.compound.as_deref().unwrap_or(""), 40);
        let floors = match self.floors.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => match f.parse::<i64>() {
                Ok(n) if (1..=200).contains(&n) => Some(n),
                _ => {
                    e.add("floors", Message::new("structure.bad_floors"));
                    None
                }
            },
        };
        e.into_result()?;
        Ok(NodeValues {
            code,
            name,
            description,
            compound,
            floors,
        })
    }

    /// The code as typed, for showing a form again.
    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }

    /// The name as typed, for showing a form again.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_household_may_have_only_a_room_number() {
        let i = NodeInput {
            code: Some("302".into()),
            ..Default::default()
        };
        assert!(i.parse(Level::Household).is_ok());
        assert!(i.parse(Level::Building).is_err());
    }

    #[test]
    fn floors_must_be_a_sensible_number() {
        let mut i = NodeInput {
            code: Some("B1".into()),
            name: Some("1号楼".into()),
            floors: Some("0".into()),
            ..Default::default()
        };
        assert!(i.parse(Level::Building).is_err());
        i.floors = Some("33".into());
        assert_eq!(i.parse(Level::Building).unwrap().floors, Some(33));
        i.floors = Some("三十".into());
        assert!(i.parse(Level::Building).is_err());
    }

    #[test]
    fn a_patch_keeps_the_fields_it_leaves_out() {
        let current = Node {
            id: 1,
            community_id: 1,
            grid_id: 1,
            parent_id: 1,
            code: "B1".into(),
            name: "1号楼".into(),
            description: None,
            compound: Some("海亮小区".into()),
            floors: Some(6),
            retired_at: None,
            created_at: 0,
            updated_at: 0,
        };
        let patch = NodeInput {
            name: Some("一号楼".into()),
            ..Default::default()
        };
        let v = patch.over(&current).parse(Level::Building).unwrap();
        assert_eq!(
            (v.code.as_str(), v.name.as_str(), v.compound.as_str(), v.floors),
            ("B1", "一号楼", "海亮小区", Some(6))
        );
    }

    #[test]
    fn json_numbers_and_form_text_both_fill_floors() {
        let j: NodeInput = serde_json::from_str(r#"{"code":"B1","name":"x","floors":6}"#).unwrap();
        assert_eq!(j.floors.as_deref(), Some("6"));
        let bad = serde_json::from_str::<NodeInput>(r#"{"code":"B1","name":"x","colour":"red"}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn levels_chain_from_grid_to_household() {
        assert_eq!(Level::Grid.child(), Some(Level::Building));
        assert_eq!(Level::Household.parent(), Some(Level::Unit));
        assert_eq!(Level::Unit.parent_col(), "building_id");
        assert_eq!(Level::Grid.parent_col(), "community_id");
    }
}
