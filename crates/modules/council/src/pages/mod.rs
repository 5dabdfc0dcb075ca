//! The council's pages: topics with their discussion, meetings, votes with the ballot and the
//! count, resolutions with their tasks, and the public board.

pub mod board;
pub mod meetings;
pub mod report;
pub mod topics;
pub mod votes;

use yijia_kernel::clock::format_local;
use yijia_kernel::Result;

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

pub use yijia_web::form::{chosen, community_of, options, Typed};

/// The fields with a page's one scope choice (`building:3`, `grid:2`, `compound:海亮小区`,
/// `community:`) split into the commands' `scope_kind` and `scope`.
pub fn scope_split(typed: &Typed) -> Typed {
    let mut t = typed.clone();
    if let Some((kind, value)) = typed.v("scope").split_once(':') {
        if ScopeKind::parse(kind).is_some() {
            t.0.insert("scope_kind".into(), kind.to_owned());
            t.0.insert("scope".into(), value.to_owned());
        }
    }
    t
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
            buildings: yijia_kernel::community::building_choices(db, community_id).await?,
            grids: yijia_kernel::community::grid_choices(db, community_id).await?,
        })
    }
}
