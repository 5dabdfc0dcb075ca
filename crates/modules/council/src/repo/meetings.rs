//! Meetings of the 议事厅: their agenda, who signed in, their minutes.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

use super::TopicRow;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MeetingRow {
    pub meeting_id: i64,
    pub community_id: i64,
    pub title: String,
    pub kind: String,
    pub starts_at: i64,
    pub place: String,
    pub invited: String,
    pub notice_at: i64,
    pub minutes: String,
    pub minutes_at: Option<i64>,
    pub visibility: String,
    pub attendance: i64,
    pub created_at: i64,
}

const MEETING_SELECT: &str = "select m.meeting_id, m.community_id, m.title, m.kind, m.starts_at, m.place, m.invited, \
     m.notice_at, m.minutes, m.minutes_at, m.visibility, \
     (select count(*) from council_attendance a where a.meeting_id = m.meeting_id) as attendance, m.created_at \
     from council_meeting m";

pub struct NewMeeting<'a> {
    pub community_id: i64,
    pub title: &'a str,
    pub kind: &'a str,
    pub starts_at: i64,
    pub place: &'a str,
    pub invited: &'a str,
    pub created_by: Option<i64>,
}

pub async fn insert_meeting(tx: &mut Tx, m: &NewMeeting<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into council_meeting (community_id, title, kind, starts_at, place, invited, notice_at, created_by, \
         created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $7, $7) returning meeting_id"
    )
    .bind(m.community_id)
    .bind(m.title)
    .bind(m.kind)
    .bind(m.starts_at)
    .bind(m.place)
    .bind(m.invited)
    .bind(now)
    .bind(m.created_by)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn add_agenda(tx: &mut Tx, meeting_id: i64, topic_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into council_meeting_topic (meeting_id, topic_id) values ($1, $2) on conflict do nothing"
    )
    .bind(meeting_id)
    .bind(topic_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn meeting(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<MeetingRow>> {
    let sql = format!("{MEETING_SELECT} where m.meeting_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A community's meetings, the latest first.
pub async fn meetings(db: &Db, community_id: i64, limit: i64) -> Result<Vec<MeetingRow>> {
    let sql =
        format!("{MEETING_SELECT} where m.community_id = $1 order by m.starts_at desc, m.meeting_id desc limit $2");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// The topics on a meeting's agenda.
pub async fn agenda(db: &Db, meeting_id: i64) -> Result<Vec<TopicRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select t.topic_id, t.community_id, t.scope_kind, t.scope_id, t.scope_label, t.title, t.body, t.raised_by, \
         t.raiser_name, t.raiser_role, t.status, t.merged_into, t.answer, t.cosigns, t.created_at, t.updated_at \
         from council_meeting_topic mt join council_topic t on t.topic_id = mt.topic_id \
         where mt.meeting_id = $1 order by t.topic_id"
    )
    .bind(meeting_id)
    .fetch_all(p)
    .await?))
}

/// Signs someone in; false when the account had already signed in.
pub async fn sign_in(
    tx: &mut Tx,
    meeting_id: i64,
    account_id: Option<i64>,
    name: &str,
    signed_by: Option<i64>,
    now: i64,
) -> Result<bool> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "insert into council_attendance (meeting_id, account_id, name, signed_at, signed_by) \
         values ($1, $2, $3, $4, $5) on conflict do nothing"
    )
    .bind(meeting_id)
    .bind(account_id)
    .bind(name)
    .bind(now)
    .bind(signed_by)
    .execute(&mut *c)
    .await?
    .rows_affected())
        > 0)
}

/// Who signed in, in order.
pub async fn attendance(db: &Db, meeting_id: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select name, signed_at from council_attendance where meeting_id = $1 order by attendance_id"
    )
    .bind(meeting_id)
    .fetch_all(p)
    .await?))
}

pub async fn set_minutes(tx: &mut Tx, meeting_id: i64, minutes: &str, visibility: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "update council_meeting set minutes = $2, visibility = $3, minutes_at = $4, updated_at = $4 where meeting_id = $1"
    )
    .bind(meeting_id)
    .bind(minutes)
    .bind(visibility)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}
