//! The history lines of households and residents.

use serde::Serialize;
use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::Result;

/// A line of a household's or resident's history.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventRow {
    pub event_id: i64,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub at: i64,
    pub actor_label: String,
    pub kind: String,
    pub detail: String,
}

/// What one history line records.
pub struct NewEvent<'a> {
    pub community_id: i64,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub kind: &'a str,
    pub detail: String,
}

pub async fn insert_event(tx: &mut Tx, e: &NewEvent<'_>, at: i64, actor: &yijia_kernel::Actor) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "insert into registry_event (community_id, household_id, resident_id, at, actor_account_id, actor_label, kind, detail) \
         values ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(e.community_id)
    .bind(e.household_id)
    .bind(e.resident_id)
    .bind(at)
    .bind(actor.account_id)
    .bind(actor.audit_label())
    .bind(e.kind)
    .bind(&e.detail)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// The history of a household (with its residents' lines) or of one resident, newest first.
pub async fn history(
    db: &Db,
    community_id: i64,
    household_id: Option<i64>,
    resident_id: Option<i64>,
) -> Result<Vec<EventRow>> {
    let sql = "select event_id, household_id, resident_id, at, actor_label, kind, detail from registry_event \
               where community_id = $1 and (household_id = $2 or resident_id = $3) order by at desc, event_id desc limit 200";
    Ok(on_db!(db, |p| sqlx::query_as(sql)
        .bind(community_id)
        .bind(household_id.unwrap_or(-1))
        .bind(resident_id.unwrap_or(-1))
        .fetch_all(p)
        .await?))
}
