use serde::{Deserialize, Serialize};
use yijia_db::{on_db, Db};
use yijia_kernel::paging::Paged;
use yijia_kernel::scope::{self, Cols};
use yijia_kernel::Result;

use crate::permissions::READ;

/// Filters a person can set; all optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    /// `YYYY-MM-DD`, in China Standard Time, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Show entries older than this id (the next page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct Event {
    pub audit_event_id: i64,
    pub at: i64,
    pub actor_label: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub community_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub purpose: Option<String>,
}

impl Event {
    pub fn when(&self) -> String {
        yijia_kernel::clock::format_local(self.at, "Asia/Shanghai")
    }
}

/// Start of a day in China Standard Time, in epoch milliseconds; `None` if not a date.
pub fn day_start(date: &str) -> Option<i64> {
    let d = yijia_kernel::text::date(date)?;
    let z = d.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").ok()?).ok()?;
    Some(z.timestamp().as_millisecond())
}

impl Filter {
    /// How many entries a page shows.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }
}

/// A page of the entries the actor may read that match the filter, newest first; `next` is
/// the `before` of the following page.
pub async fn events(db: &Db, account: i64, f: &Filter, from: Option<i64>, to: Option<i64>) -> Result<Paged<Event>> {
    let sql = format!(
        "select audit_event_id, at, actor_label, action, entity, entity_id, community_id, before_json, after_json, purpose \
         from audit_event e where ((e.community_id is null and exists (select 1 from account_role p where p.account_id = $1 \
         and p.role = 'platform_admin' and p.revoked_at is null)) or (e.community_id is not null and {})) \
         and ($2 = '' or e.actor_label = $2) and ($3 = '' or e.entity = $3) and ($4 = '' or e.entity_id = $4) \
         and e.at >= $5 and e.at < $6 and e.audit_event_id < $7 order by e.audit_event_id desc limit $8",
        scope::reach(&READ, &Cols { community: "e.community_id", grid: None }, "$1")
    );
    let rows: Vec<Event> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account)
        .bind(f.actor.trim())
        .bind(f.entity.trim())
        .bind(f.entity_id.trim())
        .bind(from.unwrap_or(i64::MIN))
        .bind(to.unwrap_or(i64::MAX))
        .bind(f.before.unwrap_or(i64::MAX))
        .bind(f.limit() + 1)
        .fetch_all(p)
        .await?);
    Ok(Paged::from_rows(rows, f.limit(), |e| e.audit_event_id))
}
