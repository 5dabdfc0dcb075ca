//! Topics, their co-signatures and photos, comments and reports of comments.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TopicRow {
    pub topic_id: i64,
    pub community_id: i64,
    pub scope_kind: String,
    pub scope_id: Option<i64>,
    pub scope_label: String,
    pub title: String,
    pub body: String,
    #[serde(skip)]
    pub raised_by: Option<i64>,
    pub raiser_name: String,
    pub raiser_role: String,
    pub status: String,
    pub merged_into: Option<i64>,
    pub answer: String,
    pub cosigns: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const TOPIC_SELECT: &str = "select topic_id, community_id, scope_kind, scope_id, scope_label, title, body, \
     raised_by, raiser_name, raiser_role, status, merged_into, answer, cosigns, created_at, updated_at \
     from council_topic";

pub struct NewTopic<'a> {
    pub community_id: i64,
    pub scope_kind: &'a str,
    pub scope_id: Option<i64>,
    pub scope_label: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub raised_by: Option<i64>,
    pub raiser_name: &'a str,
    pub raiser_role: &'a str,
}

pub async fn insert_topic(tx: &mut Tx, t: &NewTopic<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into council_topic (community_id, scope_kind, scope_id, scope_label, title, body, raised_by, \
         raiser_name, raiser_role, status, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'raised', $10, $10) returning topic_id"
    )
    .bind(t.community_id)
    .bind(t.scope_kind)
    .bind(t.scope_id)
    .bind(t.scope_label)
    .bind(t.title)
    .bind(t.body)
    .bind(t.raised_by)
    .bind(t.raiser_name)
    .bind(t.raiser_role)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn topic(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<TopicRow>> {
    let sql = format!("{TOPIC_SELECT} where topic_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A community's topics, newest first, of one status or all; a page at a time (ids below `before`).
pub async fn topics(db: &Db, community_id: i64, status: &str, before: i64, limit: i64) -> Result<Vec<TopicRow>> {
    let sql = format!(
        "{TOPIC_SELECT} where community_id = $1 and ($2 = '' or status = $2) and topic_id < $3 \
         order by topic_id desc limit $4"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(status)
        .bind(before)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

pub async fn set_topic_status(
    tx: &mut Tx,
    id: i64,
    status: &str,
    merged_into: Option<i64>,
    answer: &str,
    now: i64,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_topic set status = $2, merged_into = $3, answer = $4, updated_at = $5 where topic_id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(merged_into)
    .bind(answer)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Records a co-signature; false when the account had already co-signed. Returns the count.
pub async fn cosign(tx: &mut Tx, topic_id: i64, account_id: i64, now: i64) -> Result<Option<i64>> {
    let added = on_tx!(tx, |c| sqlx::query(
        "insert into council_cosign (topic_id, account_id, created_at) values ($1, $2, $3) on conflict do nothing"
    )
    .bind(topic_id)
    .bind(account_id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected());
    if added == 0 {
        return Ok(None);
    }
    Ok(Some(on_tx!(tx, |c| sqlx::query_scalar(
        "update council_topic set cosigns = cosigns + 1, updated_at = $2 where topic_id = $1 returning cosigns"
    )
    .bind(topic_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await?)))
}

pub async fn cosigned(db: &Db, topic_id: i64, account_id: i64) -> Result<bool> {
    Ok(on_db!(db, |p| sqlx::query_scalar::<_, i64>(
        "select count(*) from council_cosign where topic_id = $1 and account_id = $2"
    )
    .bind(topic_id)
    .bind(account_id)
    .fetch_one(p)
    .await?)
        > 0)
}

/// Attaches a stored photo (by its hash) to a topic.
pub async fn attach_file(tx: &mut Tx, topic_id: i64, sha256: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into council_topic_file (topic_id, stored_file_id) \
         select $1, stored_file_id from stored_file where sha256 = $2 on conflict do nothing"
    )
    .bind(topic_id)
    .bind(sha256)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The sha256 of a topic's photos, as the file store names them.
pub async fn topic_files(db: &Db, topic_id: i64) -> Result<Vec<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select f.sha256 from council_topic_file t join stored_file f on f.stored_file_id = t.stored_file_id \
         where t.topic_id = $1 order by f.stored_file_id"
    )
    .bind(topic_id)
    .fetch_all(p)
    .await?))
}

pub async fn topic_has_file(db: &Db, topic_id: i64, sha256: &str) -> Result<bool> {
    Ok(on_db!(db, |p| sqlx::query_scalar::<_, i64>(
        "select count(*) from council_topic_file t join stored_file f on f.stored_file_id = t.stored_file_id \
         where t.topic_id = $1 and f.sha256 = $2"
    )
    .bind(topic_id)
    .bind(sha256)
    .fetch_one(p)
    .await?)
        > 0)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CommentRow {
    pub comment_id: i64,
    pub topic_id: i64,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub account_id: Option<i64>,
    pub author_name: String,
    pub official: String,
    pub body: String,
    pub reports: i64,
    pub hidden_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub created_at: i64,
}

const COMMENT_SELECT: &str = "select comment_id, topic_id, parent_id, account_id, author_name, official, body, \
     reports, hidden_at, reviewed_at, created_at from council_comment";

pub struct NewComment<'a> {
    pub topic_id: i64,
    pub parent_id: Option<i64>,
    pub account_id: Option<i64>,
    pub author_name: &'a str,
    pub official: &'a str,
    pub body: &'a str,
}

pub async fn insert_comment(tx: &mut Tx, n: &NewComment<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into council_comment (topic_id, parent_id, account_id, author_name, official, body, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning comment_id"
    )
    .bind(n.topic_id)
    .bind(n.parent_id)
    .bind(n.account_id)
    .bind(n.author_name)
    .bind(n.official)
    .bind(n.body)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn comment(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<CommentRow>> {
    let sql = format!("{COMMENT_SELECT} where comment_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A topic's comments in the order they were written (replies follow their parent on the page).
pub async fn comments(db: &Db, topic_id: i64) -> Result<Vec<CommentRow>> {
    let sql = format!("{COMMENT_SELECT} where topic_id = $1 order by comment_id limit 2000");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(topic_id).fetch_all(p).await?))
}

/// Comments hidden by reports that staff have not reviewed yet, across a community.
pub async fn comments_to_review(db: &Db, community_id: i64) -> Result<Vec<CommentRow>> {
    let sql = format!(
        "{COMMENT_SELECT} where hidden_at is not null and reviewed_at is null and topic_id in \
         (select topic_id from council_topic where community_id = $1) order by comment_id limit 200"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// Records a report; the comment's report count after it, or `None` when this account had
/// already reported it.
pub async fn report_comment(
    tx: &mut Tx,
    comment_id: i64,
    account_id: i64,
    reason: &str,
    now: i64,
) -> Result<Option<i64>> {
    let added = on_tx!(tx, |c| sqlx::query(
        "insert into council_comment_report (comment_id, account_id, reason, created_at) values ($1, $2, $3, $4) \
         on conflict do nothing"
    )
    .bind(comment_id)
    .bind(account_id)
    .bind(reason)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected());
    if added == 0 {
        return Ok(None);
    }
    Ok(Some(on_tx!(tx, |c| sqlx::query_scalar(
        "update council_comment set reports = reports + 1 where comment_id = $1 returning reports"
    )
    .bind(comment_id)
    .fetch_one(&mut *c)
    .await?)))
}

/// Hides a comment (`hidden` true) or shows it again; either way staff's review is recorded
/// when `reviewed` is given.
pub async fn set_comment_hidden(
    tx: &mut Tx,
    comment_id: i64,
    hidden_at: Option<i64>,
    reviewed_at: Option<i64>,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_comment set hidden_at = $2, reviewed_at = $3 where comment_id = $1"
    )
    .bind(comment_id)
    .bind(hidden_at)
    .bind(reviewed_at)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The accounts that co-signed a topic.
pub async fn cosigners_tx(tx: &mut Tx, topic_id: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select account_id from council_cosign where topic_id = $1 order by account_id"
    )
    .bind(topic_id)
    .fetch_all(&mut *c)
    .await?))
}

/// Who asks for a residents' meeting by raising or co-signing a topic, against the whole
/// community: `(adults asking, adults, households asking, households)`, counting residents
/// living there born on or before `born_by` (18 today).
pub async fn requisition_shares(db: &Db, community_id: i64, topic_id: i64, born_by: &str) -> Result<[i64; 4]> {
    const LIVING: &str = "r.community_id = $1 and r.left_at is null \
         and r.residence in ('registered_living', 'living_unregistered') and r.birth_date <= $2";
    let asking = format!(
        "select count(distinct r.resident_id), count(distinct r.household_id) from registry_resident r \
         where {LIVING} and r.account_id in (select account_id from council_cosign where topic_id = $3 \
           union select raised_by from council_topic where topic_id = $3)"
    );
    let all = format!("select count(*), count(distinct r.household_id) from registry_resident r where {LIVING}");
    let (a, h): (i64, i64) = on_db!(db, |p| sqlx::query_as(&asking)
        .bind(community_id)
        .bind(born_by)
        .bind(topic_id)
        .fetch_one(p)
        .await?);
    let (ta, th): (i64, i64) = on_db!(db, |p| sqlx::query_as(&all)
        .bind(community_id)
        .bind(born_by)
        .fetch_one(p)
        .await?);
    Ok([a, ta, h, th])
}

/// The parties (by name) an account works for in a community, as the appeals' parties list them.
pub async fn parties_of(tx: &mut Tx, community_id: i64, account_id: i64) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select p.name from appeal_party_member m join appeal_party p on p.party_id = m.party_id \
         where m.account_id = $1 and p.community_id = $2 and p.retired_at is null order by p.name"
    )
    .bind(account_id)
    .bind(community_id)
    .fetch_all(&mut *c)
    .await?))
}

/// The community's compounds (院落), by name, for the choices of forms.
pub async fn compounds(db: &Db, community_id: i64) -> Result<Vec<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select distinct compound from building where community_id = $1 and retired_at is null and compound <> '' \
         order by compound"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}
