//! Activities, their shifts, and the sign-ups with their attendance.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ActivityRow {
    pub activity_id: i64,
    pub community_id: i64,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub title: String,
    pub kind: String,
    pub place: String,
    pub description: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub min_age: i64,
    pub skills: String,
    pub cancel_before_ms: i64,
    pub points_per_hour: i64,
    pub served: i64,
    pub status: String,
    pub created_at: i64,
}

const ACTIVITY_SELECT: &str = "select a.activity_id, a.community_id, a.team_id, t.name as team_name, a.title, a.kind, \
     a.place, a.description, a.starts_at, a.ends_at, a.min_age, a.skills, a.cancel_before_ms, a.points_per_hour, \
     a.served, a.status, a.created_at from vol_activity a left join vol_team t on t.team_id = a.team_id";

pub async fn activity(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<ActivityRow>> {
    let sql = format!("{ACTIVITY_SELECT} where a.activity_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Which activities a list shows.
#[derive(Debug, Clone, Copy)]
pub enum When {
    /// Not yet ended, soonest first.
    Coming,
    /// Ended, latest first, below a start time.
    Past { before: i64 },
}

/// A community's activities (of one team when given).
pub async fn activities(
    db: &Db,
    community_id: i64,
    team_id: Option<i64>,
    when: When,
    now: i64,
    limit: i64,
) -> Result<Vec<ActivityRow>> {
    let (cond, order, bound) = match when {
        When::Coming => ("a.ends_at >= $2", "a.starts_at", now),
        When::Past { before } => ("a.ends_at < $4 and a.starts_at < $2", "a.starts_at desc", before),
    };
    let sql = format!(
        "{ACTIVITY_SELECT} where a.community_id = $1 and {cond} and ($3 = 0 or a.team_id = $3) \
         order by {order}, a.activity_id limit $5"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(bound)
        .bind(team_id.unwrap_or(0))
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// An activity's columns as written.
pub struct NewActivity<'a> {
    pub community_id: i64,
    pub team_id: Option<i64>,
    pub title: &'a str,
    pub kind: &'a str,
    pub place: &'a str,
    pub description: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub min_age: i64,
    pub skills: &'a str,
    pub cancel_before_ms: i64,
    pub points_per_hour: i64,
    pub created_by: Option<i64>,
}

pub async fn insert_activity(tx: &mut Tx, a: &NewActivity<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into vol_activity (community_id, team_id, title, kind, place, description, starts_at, ends_at, \
         min_age, skills, cancel_before_ms, points_per_hour, status, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'published', $13, $14, $14) \
         returning activity_id"
    )
    .bind(a.community_id)
    .bind(a.team_id)
    .bind(a.title)
    .bind(a.kind)
    .bind(a.place)
    .bind(a.description)
    .bind(a.starts_at)
    .bind(a.ends_at)
    .bind(a.min_age)
    .bind(a.skills)
    .bind(a.cancel_before_ms)
    .bind(a.points_per_hour)
    .bind(a.created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn set_activity_grids(tx: &mut Tx, activity_id: i64, community_id: i64, grids: &[i64]) -> Result<()> {
    on_tx!(tx, |c| {
        for g in grids {
            sqlx::query(
                "insert into vol_activity_grid (activity_id, grid_id) \
                 select $1, grid_id from grid where grid_id = $2 and community_id = $3",
            )
            .bind(activity_id)
            .bind(g)
            .bind(community_id)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// The names of the grids an activity serves.
pub async fn activity_grids(db: &Db, activity_id: i64) -> Result<Vec<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select g.name from vol_activity_grid ag join grid g on g.grid_id = ag.grid_id \
         where ag.activity_id = $1 order by g.code"
    )
    .bind(activity_id)
    .fetch_all(p)
    .await?))
}

pub async fn set_activity_status(tx: &mut Tx, id: i64, status: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update vol_activity set status = $2, updated_at = $3 where activity_id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn set_served(tx: &mut Tx, id: i64, served: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update vol_activity set served = $2, updated_at = $3 where activity_id = $1"
    )
    .bind(id)
    .bind(served)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ShiftRow {
    pub shift_id: i64,
    pub activity_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: i64,
    pub confirmed: i64,
    pub waiting: i64,
}

const SHIFT_SELECT: &str = "select s.shift_id, s.activity_id, s.starts_at, s.ends_at, s.capacity, \
     (select count(*) from vol_signup u where u.shift_id = s.shift_id and u.status = 'confirmed') as confirmed, \
     (select count(*) from vol_signup u where u.shift_id = s.shift_id and u.status = 'waiting') as waiting \
     from vol_shift s";

pub async fn shifts(db: &Db, activity_id: i64) -> Result<Vec<ShiftRow>> {
    let sql = format!("{SHIFT_SELECT} where s.activity_id = $1 order by s.starts_at, s.shift_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(activity_id)
        .fetch_all(p)
        .await?))
}

pub async fn shift_tx(tx: &mut Tx, id: i64) -> Result<Option<ShiftRow>> {
    let sql = format!("{SHIFT_SELECT} where s.shift_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

pub async fn insert_shift(
    tx: &mut Tx,
    activity_id: i64,
    community_id: i64,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into vol_shift (activity_id, community_id, starts_at, ends_at, capacity) \
         values ($1, $2, $3, $4, $5) returning shift_id"
    )
    .bind(activity_id)
    .bind(community_id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(capacity)
    .fetch_one(&mut *c)
    .await?))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SignupRow {
    pub signup_id: i64,
    pub community_id: i64,
    pub activity_id: i64,
    pub shift_id: i64,
    pub volunteer_id: i64,
    pub name: String,
    pub status: String,
    pub created_at: i64,
    pub checked_in_at: Option<i64>,
    pub checked_in_by: Option<String>,
    pub checked_out_at: Option<i64>,
    pub minutes: Option<i64>,
    pub recorded_at: Option<i64>,
    /// The interval the credited minutes were served in (none before migration 0014).
    pub credited_from: Option<i64>,
    pub credited_to: Option<i64>,
    pub shift_starts_at: i64,
    pub shift_ends_at: i64,
    pub title: String,
    pub place: String,
    pub activity_status: String,
}

const SIGNUP_SELECT: &str = "select u.signup_id, u.community_id, u.activity_id, u.shift_id, u.volunteer_id, v.name, \
     u.status, u.created_at, u.checked_in_at, u.checked_in_by, u.checked_out_at, u.minutes, u.recorded_at, \
     u.credited_from, u.credited_to, s.starts_at as shift_starts_at, s.ends_at as shift_ends_at, a.title, a.place, a.status as activity_status \
     from vol_signup u join volunteer v on v.volunteer_id = u.volunteer_id \
     join vol_shift s on s.shift_id = u.shift_id join vol_activity a on a.activity_id = u.activity_id";

/// An activity's sign-ups, shift by shift, the waiting list in the order it was joined.
pub async fn roster(db: &Db, activity_id: i64) -> Result<Vec<SignupRow>> {
    let sql = format!(
        "{SIGNUP_SELECT} where u.activity_id = $1 and u.status <> 'cancelled' \
         order by s.starts_at, u.shift_id, u.status, u.created_at, u.signup_id"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(activity_id)
        .fetch_all(p)
        .await?))
}

/// A volunteer's sign-ups, latest first.
pub async fn signups_of(db: &Db, volunteer_id: i64, limit: i64) -> Result<Vec<SignupRow>> {
    let sql = format!("{SIGNUP_SELECT} where u.volunteer_id = $1 order by s.starts_at desc, u.signup_id desc limit $2");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(volunteer_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// A volunteer's live sign-ups to an activity (one per shift at most).
pub async fn signups_for_tx(tx: &mut Tx, activity_id: i64, volunteer_id: i64) -> Result<Vec<SignupRow>> {
    let sql = format!(
        "{SIGNUP_SELECT} where u.activity_id = $1 and u.volunteer_id = $2 and u.status <> 'cancelled' \
         order by s.starts_at"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(activity_id)
        .bind(volunteer_id)
        .fetch_all(&mut *c)
        .await?))
}

/// The sign-up row of a volunteer on a shift, in whatever state (a cancelled one is reused).
pub async fn signup_on_tx(tx: &mut Tx, shift_id: i64, volunteer_id: i64) -> Result<Option<(i64, String)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select signup_id, status from vol_signup where shift_id = $1 and volunteer_id = $2"
    )
    .bind(shift_id)
    .bind(volunteer_id)
    .fetch_optional(&mut *c)
    .await?))
}

pub async fn insert_signup(
    tx: &mut Tx,
    community_id: i64,
    activity_id: i64,
    shift_id: i64,
    volunteer_id: i64,
    status: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into vol_signup (community_id, activity_id, shift_id, volunteer_id, status, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning signup_id"
    )
    .bind(community_id)
    .bind(activity_id)
    .bind(shift_id)
    .bind(volunteer_id)
    .bind(status)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

/// A cancelled sign-up taken up again: it joins the end of the queue.
pub async fn renew_signup(tx: &mut Tx, id: i64, status: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update vol_signup set status = $2, created_at = $3, cancelled_at = null, reminded_at = null, \
         checked_in_at = null, checked_in_by = null, checked_out_at = null, checked_out_by = null \
         where signup_id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ())?
    });
    Ok(())
}

pub async fn set_signup_status(tx: &mut Tx, id: i64, status: &str, now: i64) -> Result<()> {
    let cancelled = (status == "cancelled").then_some(now);
    on_tx!(tx, |c| sqlx::query(
        "update vol_signup set status = $2, cancelled_at = $3 where signup_id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(cancelled)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The first on a shift's waiting list.
pub async fn first_waiting_tx(tx: &mut Tx, shift_id: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select signup_id from vol_signup where shift_id = $1 and status = 'waiting' \
         order by created_at, signup_id limit 1"
    )
    .bind(shift_id)
    .fetch_optional(&mut *c)
    .await?))
}

pub async fn set_checked_in(tx: &mut Tx, id: i64, at: i64, by: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update vol_signup set checked_in_at = $2, checked_in_by = $3 where signup_id = $1"
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn set_checked_out(tx: &mut Tx, id: i64, at: i64, by: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update vol_signup set checked_out_at = $2, checked_out_by = $3 where signup_id = $1"
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The minutes now credited for a sign-up and the interval they were served in (the ledger
/// holds how they came to be).
pub async fn set_minutes(tx: &mut Tx, u: &CreditedSignup, minutes: i64, now: i64) -> Result<()> {
    let (from, to) = u.interval.unzip();
    on_tx!(tx, |c| sqlx::query(
        "update vol_signup set minutes = $2, recorded_at = $3, credited_from = $4, credited_to = $5 \
         where signup_id = $1"
    )
    .bind(u.signup_id)
    .bind(minutes)
    .bind(now)
    .bind(from)
    .bind(to)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    // The activity's totals move by the difference, under its row's lock, so that concurrent
    // credits to one activity add up (the reports read these instead of every sign-up).
    let was = u.was.unwrap_or(0);
    let counted = |m: i64| i64::from(m > 0);
    on_tx!(tx, |c| sqlx::query(
        "update vol_activity set minutes = minutes + $2, attendances = attendances + $3 where activity_id = $1"
    )
    .bind(u.activity_id)
    .bind(minutes - was)
    .bind(counted(minutes) - counted(was))
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A sign-up whose credited minutes change: which, of which activity, and what it had.
#[derive(Debug, Clone, Copy)]
pub struct CreditedSignup {
    pub signup_id: i64,
    pub activity_id: i64,
    pub was: Option<i64>,
    /// Where the new minutes lie in time: `[from, to)`, none when nothing is credited.
    pub interval: Option<(i64, i64)>,
}

/// Another credited sign-up of a volunteer whose shift meets a window: when its time was
/// credited, and for which activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CreditedRow {
    pub credited_from: Option<i64>,
    pub credited_to: Option<i64>,
    pub checked_in_at: Option<i64>,
    pub shift_starts_at: i64,
    pub minutes: i64,
    pub title: String,
}

impl CreditedRow {
    /// The interval credited. A row credited before the intervals were kept is read as starting
    /// at the later of check-in and the shift's start, which is where `served_minutes` began it.
    pub fn interval(&self) -> (i64, i64) {
        match (self.credited_from, self.credited_to) {
            (Some(f), Some(t)) => (f, t),
            _ => {
                let f = self
                    .checked_in_at
                    .map_or(self.shift_starts_at, |c| c.max(self.shift_starts_at));
                (f, f + self.minutes * 60_000)
            }
        }
    }
}

/// A volunteer's other credited sign-ups whose shifts meet `[from, to)`: what a new credit must
/// not overlap. One lookup through the volunteer's index; a credited interval lies within its
/// shift, so filtering on the shifts finds every interval that could meet the window.
pub async fn credited_near_tx(
    tx: &mut Tx,
    volunteer_id: i64,
    except_signup: i64,
    from: i64,
    to: i64,
) -> Result<Vec<CreditedRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "select u.credited_from, u.credited_to, u.checked_in_at, s.starts_at as shift_starts_at, u.minutes, a.title \
         from vol_signup u join vol_shift s on s.shift_id = u.shift_id join vol_activity a on a.activity_id = u.activity_id \
         where u.volunteer_id = $1 and u.signup_id <> $2 and u.status = 'confirmed' and u.minutes > 0 \
         and s.starts_at < $4 and s.ends_at > $3"
    )
    .bind(volunteer_id)
    .bind(except_signup)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?
    }))
}

/// An activity's credited sign-ups (to reverse when it is cancelled).
pub async fn credited_signups_tx(tx: &mut Tx, activity_id: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select signup_id from vol_signup where activity_id = $1 and minutes > 0 order by signup_id"
    )
    .bind(activity_id)
    .fetch_all(&mut *c)
    .await?))
}

/// A reminder to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub signup_id: i64,
    pub account_id: i64,
    pub activity_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub community_id: i64,
    pub time_zone: String,
}

/// Confirmed sign-ups to shifts starting before `until` not yet reminded.
pub async fn to_remind(db: &Db, now: i64, until: i64) -> Result<Vec<Due>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select u.signup_id, v.account_id, u.activity_id, a.title, s.starts_at, u.community_id, c.time_zone \
         from vol_shift s join vol_signup u on u.shift_id = s.shift_id join community c on c.community_id = u.community_id \
         join volunteer v on v.volunteer_id = u.volunteer_id join vol_activity a on a.activity_id = u.activity_id \
         where s.starts_at > $1 and s.starts_at <= $2 and u.status = 'confirmed' and u.reminded_at is null \
         and v.account_id is not null and a.status = 'published' order by s.starts_at limit 500"
    )
    .bind(now)
    .bind(until)
    .fetch_all(p)
    .await?
    }))
}

/// Marks a reminder sent; false when another instance sent it first.
pub async fn mark_reminded(tx: &mut Tx, id: i64, now: i64) -> Result<bool> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "update vol_signup set reminded_at = $2 where signup_id = $1 and reminded_at is null"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected())
        == 1)
}

/// A sign-up read through the pool (to find its activity before a command takes the lock).
pub async fn signup(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<SignupRow>> {
    let sql = format!("{SIGNUP_SELECT} where u.signup_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// The organising team of each activity (those without one are the community's own).
pub async fn activity_teams(db: &Db, ids: Vec<i64>) -> Result<std::collections::HashMap<i64, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "select a.activity_id, t.name from vol_activity a join vol_team t on t.team_id = a.team_id \
             where a.activity_id in ({})",
            marks.join(", ")
        );
        let rows: Vec<(i64, String)> = on_db!(db, |p| {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

#[expect(clippy::too_many_arguments, reason = "one row's columns")]
pub async fn insert_certificate(
    tx: &mut Tx,
    community_id: i64,
    volunteer_id: i64,
    code: &str,
    minutes: i64,
    shows: &str,
    issued_by: Option<i64>,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into vol_certificate (community_id, volunteer_id, code, minutes, shows, issued_by, issued_at) \
         values ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(community_id)
    .bind(volunteer_id)
    .bind(code)
    .bind(minutes)
    .bind(shows)
    .bind(issued_by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A certificate by code: (volunteer, what it shows as JSON, issued at).
pub async fn certificate(db: &Db, code: &str) -> Result<Option<(i64, String, i64)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select volunteer_id, shows, issued_at from vol_certificate where code = $1"
    )
    .bind(code)
    .fetch_optional(p)
    .await?))
}

/// A volunteer's latest certificate's code.
pub async fn latest_certificate(db: &Db, volunteer_id: i64) -> Result<Option<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select code from vol_certificate where volunteer_id = $1 order by issued_at desc, certificate_id desc limit 1"
    )
    .bind(volunteer_id)
    .fetch_optional(p)
    .await?))
}
