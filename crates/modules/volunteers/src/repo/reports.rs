//! What the reports sum. An activity carries the minutes credited to its sign-ups, kept with
//! them in the same transaction (`set_minutes`), so the hours come from the activities alone;
//! only the top volunteers are summed from the sign-ups, over the period's activities.

use yijia_db::{on_db, Db};
use yijia_kernel::{months, Result};

/// One activity held in a period, with what it gave.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldRow {
    pub activity_id: i64,
    pub team_id: Option<i64>,
    pub kind: String,
    pub starts_at: i64,
    pub served: i64,
    pub minutes: i64,
    pub attendances: i64,
}

/// The activities of a community starting in `[from, to)` that were not cancelled.
pub async fn held(db: &Db, community_id: i64, from: i64, to: i64) -> Result<Vec<HeldRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select activity_id, team_id, kind, starts_at, served, minutes, attendances from vol_activity \
         where community_id = $1 and starts_at >= $2 and starts_at < $3 and status = 'published'"
    )
    .bind(community_id)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?))
}

/// The names of a community's teams, retired ones too (their activities stay in the reports);
/// without the member counts of `teams`, which would cost the report more than its sums.
pub async fn team_names(db: &Db, community_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select team_id, name from vol_team where community_id = $1"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// The grids each activity of the period served: (activity, grid name).
pub async fn held_grids(db: &Db, community_id: i64, from: i64, to: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select ag.activity_id, g.name from vol_activity a join vol_activity_grid ag on ag.activity_id = a.activity_id \
         join grid g on g.grid_id = ag.grid_id \
         where a.community_id = $1 and a.starts_at >= $2 and a.starts_at < $3 and a.status = 'published'"
    )
    .bind(community_id)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?
    }))
}

/// The volunteers who served most in the period: (id, name, minutes, activities).
pub async fn top(db: &Db, community_id: i64, from: i64, to: i64, limit: i64) -> Result<Vec<(i64, String, i64, i64)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select v.volunteer_id, v.name, x.minutes, x.activities from \
         (select u.volunteer_id, cast(sum(u.minutes) as bigint) as minutes, count(*) as activities \
          from vol_activity a join vol_signup u on u.activity_id = a.activity_id \
          where a.community_id = $1 and a.starts_at >= $2 and a.starts_at < $3 and u.status = 'confirmed' \
          and u.minutes > 0 group by u.volunteer_id order by 2 desc limit $4) x \
         join volunteer v on v.volunteer_id = x.volunteer_id order by x.minutes desc, v.volunteer_id"
    )
    .bind(community_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(p)
    .await?))
}

/// A volunteer's totals: (minutes credited, activities served) over all time.
pub async fn served_by(db: &Db, volunteer_id: i64) -> Result<(i64, i64)> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select cast(coalesce(sum(minutes), 0) as bigint), count(*) from vol_signup \
         where volunteer_id = $1 and status = 'confirmed' and minutes > 0"
    )
    .bind(volunteer_id)
    .fetch_one(p)
    .await?))
}

/// Month by month over the months bounded by `bounds` ([`months::all_bounds`]): the minutes
/// credited and the volunteers credited with any, by the month the activity started in:
/// `(month index, minutes, volunteers)`, months without any left out. One query for them all.
pub async fn monthly(db: &Db, community_id: i64, bounds: &[i64]) -> Result<Vec<(i64, i64, i64)>> {
    let n = bounds.len().saturating_sub(1);
    if n == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select m, cast(coalesce(sum(minutes), 0) as bigint), count(distinct volunteer_id) from \
         (select {bucket} as m, u.minutes, u.volunteer_id from vol_activity a \
          join vol_signup u on u.activity_id = a.activity_id \
          where a.community_id = $1 and a.status = 'published' and a.starts_at >= $2 and a.starts_at < ${last} \
          and u.status = 'confirmed' and u.minutes > 0) x \
         where m is not null group by m",
        bucket = months::bucket_sql("a.starts_at", 2, n),
        last = 2 + n,
    );
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql).bind(community_id);
        for b in bounds {
            q = q.bind(*b);
        }
        q.fetch_all(p).await?
    }))
}
