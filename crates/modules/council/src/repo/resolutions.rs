//! Resolutions, the tasks that carry them out and their updates.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ResolutionRow {
    pub resolution_id: i64,
    pub community_id: i64,
    pub vote_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub decided_on: String,
    pub visibility: String,
    pub tasks: i64,
    /// The mean progress of its tasks, 0–100.
    pub progress: i64,
    pub created_at: i64,
}

const RESOLUTION_SELECT: &str = "select r.resolution_id, r.community_id, r.vote_id, r.topic_id, r.title, r.body, \
     r.decided_on, r.visibility, \
     (select count(*) from council_task t where t.resolution_id = r.resolution_id) as tasks, \
     coalesce((select cast(sum(t.progress) as bigint) / count(*) from council_task t \
       where t.resolution_id = r.resolution_id), 0) as progress, r.created_at \
     from council_resolution r";

pub struct NewResolution<'a> {
    pub community_id: i64,
    pub vote_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub decided_on: &'a str,
    pub visibility: &'a str,
}

pub async fn insert_resolution(tx: &mut Tx, r: &NewResolution<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into council_resolution (community_id, vote_id, topic_id, title, body, decided_on, visibility, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning resolution_id"
    )
    .bind(r.community_id)
    .bind(r.vote_id)
    .bind(r.topic_id)
    .bind(r.title)
    .bind(r.body)
    .bind(r.decided_on)
    .bind(r.visibility)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn resolution(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<ResolutionRow>> {
    let sql = format!("{RESOLUTION_SELECT} where r.resolution_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub async fn resolution_of_vote(conn: impl Into<Conn<'_>>, vote_id: i64) -> Result<Option<ResolutionRow>> {
    let sql = format!("{RESOLUTION_SELECT} where r.vote_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(vote_id)
        .fetch_optional(c)
        .await?))
}

/// A community's resolutions, newest first; only the public ones when `public_only`.
pub async fn resolutions(db: &Db, community_id: i64, public_only: bool, limit: i64) -> Result<Vec<ResolutionRow>> {
    let sql = format!(
        "{RESOLUTION_SELECT} where r.community_id = $1 and ($2 = 0 or r.visibility = 'public') \
         order by r.decided_on desc, r.resolution_id desc limit $3"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(i64::from(public_only))
        .bind(limit)
        .fetch_all(p)
        .await?))
}

pub async fn set_resolution_visibility(tx: &mut Tx, id: i64, visibility: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_resolution set visibility = $2, updated_at = $3 where resolution_id = $1"
    )
    .bind(id)
    .bind(visibility)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TaskRow {
    pub task_id: i64,
    pub resolution_id: i64,
    pub party: String,
    pub title: String,
    pub deadline: String,
    pub progress: i64,
    pub done_at: Option<i64>,
    pub updated_at: i64,
}

const TASK_SELECT: &str =
    "select task_id, resolution_id, party, title, deadline, progress, done_at, updated_at from council_task";

pub async fn insert_task(
    tx: &mut Tx,
    resolution_id: i64,
    party: &str,
    title: &str,
    deadline: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into council_task (resolution_id, party, title, deadline, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning task_id"
    )
    .bind(resolution_id)
    .bind(party)
    .bind(title)
    .bind(deadline)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn tasks(db: &Db, resolution_id: i64) -> Result<Vec<TaskRow>> {
    let sql = format!("{TASK_SELECT} where resolution_id = $1 order by deadline, task_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(resolution_id)
        .fetch_all(p)
        .await?))
}

pub async fn task(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<TaskRow>> {
    let sql = format!("{TASK_SELECT} where task_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Records progress on a task, with its note, and moves the task's figure.
pub async fn add_task_update(
    tx: &mut Tx,
    task_id: i64,
    progress: i64,
    note: &str,
    account_id: Option<i64>,
    author: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into council_task_update (task_id, progress, note, account_id, author_name, created_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(task_id)
        .bind(progress)
        .bind(note)
        .bind(account_id)
        .bind(author)
        .bind(now)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "update council_task set progress = $2, updated_at = $3, \
             done_at = case when $2 >= 100 then coalesce(done_at, $3) else null end where task_id = $1",
        )
        .bind(task_id)
        .bind(progress)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TaskUpdateRow {
    pub task_id: i64,
    pub progress: i64,
    pub note: String,
    pub author_name: String,
    pub created_at: i64,
}

/// The updates of a resolution's tasks, newest first.
pub async fn task_updates(db: &Db, resolution_id: i64) -> Result<Vec<TaskUpdateRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select u.task_id, u.progress, u.note, u.author_name, u.created_at from council_task_update u \
         join council_task t on t.task_id = u.task_id where t.resolution_id = $1 order by u.update_id desc limit 200"
    )
    .bind(resolution_id)
    .fetch_all(p)
    .await?))
}

/// Open tasks of a community past their deadline (`today` is the community's day).
pub async fn overdue_tasks(db: &Db, community_id: i64, today: &str) -> Result<Vec<TaskRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select t.task_id, t.resolution_id, t.party, t.title, t.deadline, t.progress, t.done_at, t.updated_at \
         from council_task t join council_resolution r on r.resolution_id = t.resolution_id \
         where r.community_id = $1 and t.done_at is null and t.deadline < $2 order by t.deadline limit 200"
    )
    .bind(community_id)
    .bind(today)
    .fetch_all(p)
    .await?))
}
