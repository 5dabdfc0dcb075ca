//! Care-group tags, sealed.

use yijia_db::{on_db, on_tx, Db, Tx};
use yijia_kernel::Result;

/// A care-group tag, still sealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagRow {
    pub care_tag_id: i64,
    pub community_id: i64,
    pub resident_id: i64,
    pub kind_sealed: String,
    pub detail_sealed: Option<String>,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

const TAG_SELECT: &str =
    "select care_tag_id, community_id, resident_id, kind_sealed, detail_sealed, starts_on, ends_on from registry_care_tag";

/// The tags of some residents (ids from the database, never from input).
pub async fn tags_of(db: &Db, resident_ids: &[i64]) -> Result<Vec<TagRow>> {
    if resident_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = resident_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "{TAG_SELECT} where resident_id in ({}) order by starts_on, care_tag_id",
        ids.join(", ")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?))
}

pub async fn tag_tx(tx: &mut Tx, id: i64) -> Result<Option<TagRow>> {
    let sql = format!("{TAG_SELECT} where care_tag_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

#[expect(clippy::too_many_arguments, reason = "one column each")]
pub async fn insert_tag(
    tx: &mut Tx,
    community_id: i64,
    resident_id: i64,
    kind_blind: &str,
    kind_sealed: &str,
    detail_sealed: Option<&str>,
    starts_on: &str,
    ends_on: Option<&str>,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into registry_care_tag (community_id, resident_id, kind_blind, kind_sealed, detail_sealed, \
         starts_on, ends_on, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning care_tag_id"
    )
    .bind(community_id)
    .bind(resident_id)
    .bind(kind_blind)
    .bind(kind_sealed)
    .bind(detail_sealed)
    .bind(starts_on)
    .bind(ends_on)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn end_tag(tx: &mut Tx, id: i64, ends_on: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_care_tag set ends_on = $2, updated_at = $3 where care_tag_id = $1"
    )
    .bind(id)
    .bind(ends_on)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Moves a merged duplicate's tags to the record it was merged into.
pub async fn move_tags(tx: &mut Tx, from: i64, to: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update registry_care_tag set resident_id = $2, updated_at = $3 where resident_id = $1"
    )
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}
