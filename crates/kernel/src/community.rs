//! The community every command runs in: found by id or code, its write lock taken, its
//! calendar day, and the grids and buildings other modules offer as choices. It was the
//! registry's; every module needs it, so it belongs to the platform (ADR 0008).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use yijia_db::{on_conn, Conn, Db, Topic, Tx};

use crate::{audit, AppState, Error, Place, Result};

/// A community with what the permission check needs.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CommunityAt {
    pub community_id: i64,
    pub district_id: i64,
    pub subdistrict_id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
}

impl CommunityAt {
    pub fn place(&self) -> Place {
        Place {
            district_id: Some(self.district_id),
            subdistrict_id: Some(self.subdistrict_id),
            community_id: Some(self.community_id),
            grid_id: None,
        }
    }

    /// The community's time zone (Asia/Shanghai when the name is unknown).
    pub fn tz(&self) -> TimeZone {
        zone(&self.time_zone)
    }

    /// Today in the community's calendar.
    pub fn today(&self, state: &AppState) -> Date {
        today_in(state, &self.time_zone)
    }
}

const COMMUNITY_SELECT: &str = "select community_id, district_id, subdistrict_id, code, name, time_zone from community";

/// A live community by id.
pub async fn by_id(c: impl Into<Conn<'_>>, id: i64) -> Result<Option<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where community_id = $1 and retired_at is null");
    Ok(on_conn!(c, |e| sqlx::query_as(&sql).bind(id).fetch_optional(e).await?))
}

/// A live community by its code (`xlg`).
pub async fn by_code(c: impl Into<Conn<'_>>, code: &str) -> Result<Option<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where code = $1 and retired_at is null");
    Ok(on_conn!(c, |e| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(e)
        .await?))
}

/// Every live community (few per installation); the caller keeps those the actor reaches.
pub async fn all(db: &Db) -> Result<Vec<CommunityAt>> {
    let sql = format!("{COMMUNITY_SELECT} where retired_at is null order by community_id");
    Ok(on_conn!(db, |e| sqlx::query_as(&sql).fetch_all(e).await?))
}

/// A community by id for a command: not found when it is not there or retired. From a moment's
/// memory (`recent.rs`): a community changes seldom, and a change is read at once.
pub async fn find(state: &AppState, id: i64) -> Result<CommunityAt> {
    let c = state
        .recent
        .remember_topic(
            Topic::Places,
            format!("community:{id}"),
            state.now_ms(),
            by_id(&state.db, id),
        )
        .await?;
    c.map(|c| CommunityAt::clone(&c)).ok_or(Error::NotFound)
}

/// Starts a command's transaction on a community: its write lock taken (the audit chain's), the
/// community read inside it, so that what the command decides rests on what the last write left.
pub async fn begin(state: &AppState, community_id: i64) -> Result<(Tx, CommunityAt)> {
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, community_id).await?;
    let c = by_id(&mut tx, community_id).await?.ok_or(Error::NotFound)?;
    Ok((tx, c))
}

/// Today in a time zone (Asia/Shanghai when the name is unknown).
pub fn today_in(state: &AppState, time_zone: &str) -> Date {
    jiff::Timestamp::from_millisecond(state.now_ms())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone(time_zone))
        .date()
}

/// A time zone by name; a community's is checked when it is set, so the fallbacks are for
/// data from elsewhere.
fn zone(name: &str) -> TimeZone {
    TimeZone::get(name)
        .or_else(|_| TimeZone::get("Asia/Shanghai"))
        .unwrap_or(TimeZone::UTC)
}

/// A community's live grids (id, name), for the choices of every module's forms.
pub async fn grid_choices(db: &Db, community_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(db, |e| sqlx::query_as(
        "select grid_id, name from grid where community_id = $1 and retired_at is null order by code"
    )
    .bind(community_id)
    .fetch_all(e)
    .await?))
}

/// A community's live buildings (id, name), for the choices of every module's forms.
pub async fn building_choices(db: &Db, community_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_conn!(db, |e| sqlx::query_as(
        "select building_id, name from building where community_id = $1 and retired_at is null order by code"
    )
    .bind(community_id)
    .fetch_all(e)
    .await?))
}
