//! Teams, volunteers and who belongs to which team.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TeamRow {
    pub team_id: i64,
    pub community_id: i64,
    pub name: String,
    pub description: String,
    pub retired_at: Option<i64>,
    /// Active members, and those of them reporting back (双报到).
    pub members: i64,
    pub report_back: i64,
    pub applied: i64,
    /// The grids it is placed in, joined by 、.
    pub grids: String,
}

/// One query for both backends: `string_agg` with its own `order by` is PostgreSQL's and also
/// SQLite's since 3.44 (sqlx bundles 3.46). The order is the grids' ids, as SQLite's plan through
/// `vol_team_grid`'s key always gave it; PostgreSQL gave no promised order before.
const TEAM_SELECT: &str = "select t.team_id, t.community_id, t.name, t.description, t.retired_at, \
     (select count(*) from vol_member m where m.team_id = t.team_id and m.status = 'active') as members, \
     (select count(*) from vol_member m join volunteer v on v.volunteer_id = m.volunteer_id \
       where m.team_id = t.team_id and m.status = 'active' and v.report_back = 1) as report_back, \
     (select count(*) from vol_member m where m.team_id = t.team_id and m.status = 'applied') as applied, \
     coalesce((select string_agg(g.name, '、' order by tg.grid_id) from vol_team_grid tg \
       join grid g on g.grid_id = tg.grid_id where tg.team_id = t.team_id), '') as grids \
     from vol_team t";

pub async fn teams(db: &Db, community_id: i64) -> Result<Vec<TeamRow>> {
    let sql = format!("{TEAM_SELECT} where t.community_id = $1 and t.retired_at is null order by t.team_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

pub async fn team(db: &Db, id: i64) -> Result<Option<TeamRow>> {
    let sql = format!("{TEAM_SELECT} where t.team_id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

/// A team's community, read in a command's transaction.
pub async fn team_community_tx(tx: &mut Tx, id: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select community_id from vol_team where team_id = $1 and retired_at is null"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?))
}

pub async fn insert_team(tx: &mut Tx, community_id: i64, name: &str, description: &str, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into vol_team (community_id, name, description, created_at, updated_at) \
         values ($1, $2, $3, $4, $4) returning team_id"
    )
    .bind(community_id)
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn team_name_taken(tx: &mut Tx, community_id: i64, name: &str) -> Result<bool> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "select count(*) from vol_team where community_id = $1 and name = $2"
    )
    .bind(community_id)
    .bind(name)
    .fetch_one(&mut *c)
    .await?)
        > 0)
}

/// Places a team in grids (the grids must be the team's community's).
pub async fn set_team_grids(tx: &mut Tx, team_id: i64, community_id: i64, grids: &[i64]) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from vol_team_grid where team_id = $1")
            .bind(team_id)
            .execute(&mut *c)
            .await?;
        for g in grids {
            sqlx::query(
                "insert into vol_team_grid (team_id, grid_id) \
                 select $1, grid_id from grid where grid_id = $2 and community_id = $3",
            )
            .bind(team_id)
            .bind(g)
            .bind(community_id)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct VolunteerRow {
    pub volunteer_id: i64,
    pub community_id: i64,
    pub account_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub name: String,
    pub origin: String,
    pub organisation: String,
    pub birth_date: Option<String>,
    pub phone_masked: String,
    pub skills: String,
    pub availability: String,
    pub contact_consent: i64,
    pub publish_consent: i64,
    pub guardian_name: String,
    pub guardian_consent_at: Option<i64>,
    pub report_back: i64,
    pub created_at: i64,
    pub left_at: Option<i64>,
}

const VOLUNTEER_SELECT: &str =
    "select volunteer_id, community_id, account_id, resident_id, name, origin, organisation, \
     birth_date, phone_masked, skills, availability, contact_consent, publish_consent, guardian_name, \
     guardian_consent_at, report_back, created_at, left_at from volunteer";

pub async fn volunteer(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<VolunteerRow>> {
    let sql = format!("{VOLUNTEER_SELECT} where volunteer_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// The account's volunteer profile in a community.
pub async fn volunteer_of(
    conn: impl Into<Conn<'_>>,
    community_id: i64,
    account_id: i64,
) -> Result<Option<VolunteerRow>> {
    let sql = format!("{VOLUNTEER_SELECT} where community_id = $1 and account_id = $2 and left_at is null");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(account_id)
        .fetch_optional(c)
        .await?))
}

/// A community's volunteers by name, a page at a time (ids below `before`).
pub async fn volunteers(
    db: &Db,
    community_id: i64,
    search: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<VolunteerRow>> {
    let sql = format!(
        "{VOLUNTEER_SELECT} where community_id = $1 and left_at is null and volunteer_id < $2 \
         and ($3 = '' or name like $4) order by volunteer_id desc limit $5"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(before)
        .bind(search)
        .bind(format!("%{search}%"))
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// A profile's columns as written.
pub struct NewVolunteer<'a> {
    pub community_id: i64,
    pub account_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub name: &'a str,
    pub origin: &'a str,
    pub organisation: &'a str,
    pub birth_date: Option<&'a str>,
    pub phone_sealed: Option<String>,
    pub phone_masked: String,
    pub skills: &'a str,
    pub availability: &'a str,
    pub contact_consent: bool,
    pub publish_consent: bool,
    pub guardian_name: &'a str,
    pub guardian_consent_at: Option<i64>,
    pub report_back: bool,
}

pub async fn insert_volunteer(tx: &mut Tx, v: &NewVolunteer<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into volunteer (community_id, account_id, resident_id, name, origin, organisation, birth_date, \
         phone_sealed, phone_masked, skills, availability, contact_consent, publish_consent, guardian_name, \
         guardian_consent_at, report_back, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) returning volunteer_id"
    )
    .bind(v.community_id)
    .bind(v.account_id)
    .bind(v.resident_id)
    .bind(v.name)
    .bind(v.origin)
    .bind(v.organisation)
    .bind(v.birth_date)
    .bind(v.phone_sealed.as_deref())
    .bind(&v.phone_masked)
    .bind(v.skills)
    .bind(v.availability)
    .bind(i64::from(v.contact_consent))
    .bind(i64::from(v.publish_consent))
    .bind(v.guardian_name)
    .bind(v.guardian_consent_at)
    .bind(i64::from(v.report_back))
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// What a volunteer may change of their own profile (and staff of anyone's).
pub async fn update_volunteer(tx: &mut Tx, id: i64, v: &NewVolunteer<'_>, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update volunteer set name = $2, organisation = $3, birth_date = $4, skills = $5, availability = $6, \
         contact_consent = $7, publish_consent = $8, guardian_name = $9, guardian_consent_at = $10, \
         report_back = $11, updated_at = $12 where volunteer_id = $1"
    )
    .bind(id)
    .bind(v.name)
    .bind(v.organisation)
    .bind(v.birth_date)
    .bind(v.skills)
    .bind(v.availability)
    .bind(i64::from(v.contact_consent))
    .bind(i64::from(v.publish_consent))
    .bind(v.guardian_name)
    .bind(v.guardian_consent_at)
    .bind(i64::from(v.report_back))
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MemberRow {
    pub team_id: i64,
    pub team_name: String,
    pub volunteer_id: i64,
    pub name: String,
    pub role: String,
    pub status: String,
    pub report_back: i64,
    pub phone_masked: String,
    pub contact_consent: i64,
    pub applied_at: i64,
}

const MEMBER_SELECT: &str = "select m.team_id, t.name as team_name, m.volunteer_id, v.name, m.role, m.status, \
     v.report_back, v.phone_masked, v.contact_consent, m.applied_at \
     from vol_member m join vol_team t on t.team_id = m.team_id join volunteer v on v.volunteer_id = m.volunteer_id";

/// A team's members and applicants (not those declined or gone).
pub async fn members(db: &Db, team_id: i64) -> Result<Vec<MemberRow>> {
    let sql = format!(
        "{MEMBER_SELECT} where m.team_id = $1 and m.status in ('active', 'applied') \
         order by m.status, m.role, v.name"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(team_id).fetch_all(p).await?))
}

/// The teams a volunteer belongs to or has applied to.
pub async fn memberships(db: &Db, volunteer_id: i64) -> Result<Vec<MemberRow>> {
    let sql = format!("{MEMBER_SELECT} where m.volunteer_id = $1 order by t.team_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(volunteer_id)
        .fetch_all(p)
        .await?))
}

/// (role, status) of a volunteer in a team.
pub async fn membership_tx(tx: &mut Tx, team_id: i64, volunteer_id: i64) -> Result<Option<(String, String)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select role, status from vol_member where team_id = $1 and volunteer_id = $2"
    )
    .bind(team_id)
    .bind(volunteer_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// Writes a membership, new or changed.
#[expect(clippy::too_many_arguments, reason = "one row's columns")]
pub async fn put_member(
    tx: &mut Tx,
    team_id: i64,
    volunteer_id: i64,
    community_id: i64,
    role: &str,
    status: &str,
    decided_by: Option<i64>,
    now: i64,
) -> Result<()> {
    let decided = (status != "applied").then_some(now);
    on_tx!(tx, |c| {
        sqlx::query(
        "insert into vol_member (team_id, volunteer_id, community_id, role, status, applied_at, decided_at, decided_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (team_id, volunteer_id) do update \
         set role = excluded.role, status = excluded.status, decided_at = excluded.decided_at, \
         decided_by = excluded.decided_by, \
         applied_at = case when excluded.status = 'applied' then excluded.applied_at else vol_member.applied_at end",
    )
    .bind(team_id)
    .bind(volunteer_id)
    .bind(community_id)
    .bind(role)
    .bind(status)
    .bind(now)
    .bind(decided)
    .bind(decided_by)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// The teams whose active leader the account is, in a community.
pub async fn led_by(conn: impl Into<Conn<'_>>, account_id: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(conn, |c| sqlx::query_scalar(
        "select m.team_id from vol_member m join volunteer v on v.volunteer_id = m.volunteer_id \
         where v.account_id = $1 and v.left_at is null and m.role = 'leader' and m.status = 'active'"
    )
    .bind(account_id)
    .fetch_all(c)
    .await?))
}

/// The accounts of a team's active leaders (told of applications and sign-ups).
pub async fn leader_accounts_tx(tx: &mut Tx, team_id: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select v.account_id from vol_member m join volunteer v on v.volunteer_id = m.volunteer_id \
         where m.team_id = $1 and m.role = 'leader' and m.status = 'active' and v.account_id is not null"
    )
    .bind(team_id)
    .fetch_all(&mut *c)
    .await?))
}
