//! The council's pages: topics with their discussion, meetings, votes with the ballot and the
//! count, resolutions with their tasks, and the public board.

pub mod board;
pub mod meetings;
pub mod topics;
pub mod votes;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use yijia_kernel::clock::format_local;
use yijia_kernel::{Actor, Error, Result};

use crate::model::rules::{Matter, VoteKind};
use crate::model::tally::{Choice, Measure, Stage};
use crate::model::{Channel, MeetingKind, Method, RaiserRole, ScopeKind, TopicStatus, Visibility, VoteStatus};

/// Labels of the council's codes in the reader's language, and the formats pages share.
pub struct Labels {
    pub lang: &'static str,
    pub tz: String,
}

macro_rules! label_fns {
    ($($fn:ident: $ty:ident),+ $(,)?) => {
        impl Labels {
            $(pub fn $fn(&self, code: &str) -> &'static str {
                $ty::parse(code).map_or("", |v| v.label(self.lang))
            })+
        }
    };
}

label_fns!(
    scope: ScopeKind,
    raiser: RaiserRole,
    status: TopicStatus,
    meeting: MeetingKind,
    visibility: Visibility,
    method: Method,
    vote_status: VoteStatus,
    channel: Channel,
    vote_kind: VoteKind,
    matter: Matter,
    stage: Stage,
    measure: Measure,
    choice: Choice,
);

impl Labels {
    pub fn when(&self, ms: &i64) -> String {
        format_local(*ms, &self.tz)
    }

    pub fn when_opt(&self, ms: &Option<i64>) -> String {
        ms.map(|m| format_local(m, &self.tz)).unwrap_or_default()
    }

    /// An area in hundredths of a square metre, as square metres.
    pub fn area(&self, centi: &i64) -> String {
        format!("{}.{:02}", centi / 100, (centi % 100).abs())
    }
}

/// A threshold in words: "2/3 以上", "超过 1/2".
pub fn share(chrome: &yijia_web::Chrome, t: &crate::model::rules::Threshold) -> String {
    let key = if t.strict {
        "council.more_than"
    } else {
        "council.at_least"
    };
    chrome.t(key).replace("{share}", &format!("{}/{}", t.num, t.den))
}

/// `(code, label)` of every value of a closed list, for a select.
pub fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

/// Whether an option is the chosen value (the shared form macros call it).
pub fn chosen<A: AsRef<str> + ?Sized>(code: &A, value: &str) -> bool {
    code.as_ref() == value
}

/// What was typed into one of a page's forms, by field, to show it again beside its errors.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Typed(pub BTreeMap<String, String>);

impl Typed {
    /// The fields of a posted form; a name repeated (checkboxes) joins its values with commas.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Typed {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k)
                .and_modify(|old| {
                    old.push(',');
                    old.push_str(&v);
                })
                .or_insert(v);
        }
        Typed(map)
    }

    pub fn v(&self, field: &str) -> String {
        self.0.get(field).cloned().unwrap_or_default()
    }

    /// The fields with a page's one scope choice (`building:3`, `grid:2`, `compound:海亮小区`,
    /// `community:`) split into the commands' `scope_kind` and `scope`.
    pub fn scope_split(&self) -> Typed {
        let mut t = self.clone();
        if let Some((kind, value)) = self.v("scope").split_once(':') {
            if ScopeKind::parse(kind).is_some() {
                t.0.insert("scope_kind".into(), kind.to_owned());
                t.0.insert("scope".into(), value.to_owned());
            }
        }
        t
    }

    /// The fields as a command's input.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T> {
        let q = serde_urlencoded::to_string(&self.0).map_err(|_| Error::bad_request("error.bad_form"))?;
        serde_urlencoded::from_str(&q).map_err(|_| Error::bad_request("error.bad_form"))
    }
}

/// The places a topic or a vote may concern, for the scope choice.
pub struct Places {
    pub compounds: Vec<String>,
    pub buildings: Vec<(i64, String)>,
    pub grids: Vec<(i64, String)>,
}

impl Places {
    pub async fn of(db: &yijia_db::Db, community_id: i64) -> Result<Places> {
        Ok(Places {
            compounds: crate::repo::compounds(db, community_id).await?,
            buildings: yijia_registry::repo::building_choices(db, community_id).await?,
            grids: yijia_registry::repo::grid_choices(db, community_id).await?,
        })
    }
}

/// The community a page is about: the one asked for, or the only one of the reader's.
pub fn community_of(asked: Option<i64>, actor: &Actor) -> Result<i64> {
    asked.or_else(|| actor.only_community()).ok_or(Error::NotFound)
}
