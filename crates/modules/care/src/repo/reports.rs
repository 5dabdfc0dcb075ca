//! What the reports count: pairings and their visit state, wishes by stage and category, and
//! how long wishes took from the wall to fulfilment.

use yijia_db::{on_db, Db};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::Result;

/// Live pairings per grid: `(grid_id, grid name, pairings, overdue)`.
pub async fn pairing_counts(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    today: &str,
) -> Result<Vec<(i64, String, i64, i64)>> {
    let sql = format!(
        "select h.grid_id, g.name, count(*), cast(coalesce(sum(case when p.due_on < $2 then 1 else 0 end), 0) as bigint) \
         from care_pairing p join household h on h.household_id = p.household_id join grid g on g.grid_id = h.grid_id \
         where p.community_id = $1 and p.ended_at is null and {} group by h.grid_id, g.name order by g.name",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(today)
        .fetch_all(p)
        .await?))
}

/// Wishes per status and category: `(status, category, n)`.
pub async fn wish_counts(db: &Db, community_id: i64) -> Result<Vec<(String, String, i64)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select status, category, count(*) from care_wish where community_id = $1 group by status, category"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// For each wish fulfilled, the ms from the wall to fulfilment, fastest first.
pub async fn fulfilment_times(db: &Db, community_id: i64) -> Result<Vec<i64>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select fulfilled_at - published_at from care_wish where community_id = $1 and fulfilled_at is not null \
         and published_at is not null order by 1"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// A pairing as the monthly figures follow it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PairingSpan {
    pub pairing_id: i64,
    pub household_id: i64,
    pub starts_on: String,
    pub interval_days: i64,
    pub ends_on: Option<String>,
    pub ended_at: Option<i64>,
}

/// The pairings within `reach` that began before the day `until` and had not ended by the
/// instant `since`.
pub async fn pairing_spans(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    until: &str,
    since: i64,
) -> Result<Vec<PairingSpan>> {
    let sql = format!(
        "select p.pairing_id, p.household_id, p.starts_on, p.interval_days, p.ends_on, p.ended_at \
         from care_pairing p join household h on h.household_id = p.household_id \
         where p.community_id = $1 and p.starts_on < $2 and (p.ended_at is null or p.ended_at >= $3) and {}",
        reach.sql("h.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(until)
        .bind(since)
        .fetch_all(p)
        .await?))
}

/// The days of the visits that reached the person (`outcomes`, quoted for SQL) in the households
/// within `reach`, `(pairing, day)`: each pairing's last before the day `from`, and all since;
/// what the due days from `from` on follow from.
pub async fn counted_visit_days(
    db: &Db,
    community_id: i64,
    reach: &CommunityReach,
    outcomes: &str,
    from: &str,
) -> Result<Vec<(i64, String)>> {
    let visits = format!(
        "from care_visit v join household h on h.household_id = v.household_id \
         where v.community_id = $1 and v.outcome in ({outcomes}) and {}",
        reach.sql("h.grid_id")
    );
    let sql = format!(
        "select v.pairing_id, max(v.visited_on) {visits} and v.visited_on < $2 group by v.pairing_id \
         union all select v.pairing_id, v.visited_on {visits} and v.visited_on >= $2"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(from)
        .fetch_all(p)
        .await?))
}
