//! Wishes, their claims, photos and history.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::Result;

/// A wish as stored. Who wished it and where they live never leave the server in this form: the
/// wall and the API give `PublicWish`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WishRow {
    pub wish_id: i64,
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub wisher_account_id: Option<i64>,
    pub raised_by: Option<i64>,
    pub raiser_name: String,
    pub on_behalf: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    pub value_yuan: i64,
    pub contact_sealed: String,
    pub status: String,
    pub decline_reason: String,
    pub proof_note: String,
    pub thanks: String,
    pub published_at: Option<i64>,
    pub fulfilled_at: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const WISH_SELECT: &str = "select wish_id, community_id, grid_id, household_id, resident_id, wisher_account_id, \
     raised_by, raiser_name, on_behalf, category, title, body, value_yuan, contact_sealed, status, decline_reason, \
     proof_note, thanks, published_at, fulfilled_at, confirmed_at, created_at, updated_at from care_wish";

/// What anyone of the community may see of a wish: its text, never its wisher.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PublicWish {
    pub wish_id: i64,
    pub community_id: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    pub value_yuan: i64,
    pub status: String,
    pub thanks: String,
    pub published_at: Option<i64>,
    /// Who claimed it (a volunteer, a team, a merchant…), while claimed and after.
    pub claimant_name: Option<String>,
}

const PUBLIC_SELECT: &str = "select w.wish_id, w.community_id, w.category, w.title, w.body, w.value_yuan, w.status, \
     w.thanks, w.published_at, (select c.claimant_name from care_wish_claim c where c.wish_id = w.wish_id \
     and (c.ended_at is null or c.outcome = 'fulfilled') order by c.claim_id desc limit 1) as claimant_name \
     from care_wish w";

pub struct NewWish<'a> {
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub wisher_account_id: Option<i64>,
    pub raised_by: Option<i64>,
    pub raiser_name: &'a str,
    pub on_behalf: bool,
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub value_yuan: i64,
    pub contact_sealed: &'a str,
}

pub async fn insert_wish(tx: &mut Tx, w: &NewWish<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into care_wish (community_id, grid_id, household_id, resident_id, wisher_account_id, raised_by, \
         raiser_name, on_behalf, category, title, body, value_yuan, contact_sealed, status, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', $14, $14) returning wish_id"
    )
    .bind(w.community_id)
    .bind(w.grid_id)
    .bind(w.household_id)
    .bind(w.resident_id)
    .bind(w.wisher_account_id)
    .bind(w.raised_by)
    .bind(w.raiser_name)
    .bind(i64::from(w.on_behalf))
    .bind(w.category)
    .bind(w.title)
    .bind(w.body)
    .bind(w.value_yuan)
    .bind(w.contact_sealed)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn wish(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<WishRow>> {
    let sql = format!("{WISH_SELECT} where wish_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub async fn public_wish(db: &Db, id: i64) -> Result<Option<PublicWish>> {
    let sql = format!("{PUBLIC_SELECT} where w.wish_id = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

/// The wall: a community's wishes past vetting, of one status or all, newest first.
pub async fn wall(db: &Db, community_id: i64, status: &str, limit: i64) -> Result<Vec<PublicWish>> {
    let sql = format!(
        "{PUBLIC_SELECT} where w.community_id = $1 and w.status not in ('submitted', 'declined') \
         and ($2 = '' or w.status = $2) order by w.wish_id desc limit $3"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(status)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Wishes waiting to be vetted, within the reader's reach of the community.
pub async fn to_vet(db: &Db, community_id: i64, reach: &CommunityReach) -> Result<Vec<PublicWish>> {
    let sql = format!(
        "{PUBLIC_SELECT} where w.community_id = $1 and w.status = 'submitted' and {} order by w.wish_id",
        reach.sql("w.grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

/// The wishes someone raised or is the wisher of, newest first.
pub async fn wishes_of(db: &Db, account_id: i64) -> Result<Vec<PublicWish>> {
    let sql =
        format!("{PUBLIC_SELECT} where w.raised_by = $1 or w.wisher_account_id = $1 order by w.wish_id desc limit 50");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(p)
        .await?))
}

/// Moves a wish from one status to another; `false` when it was no longer in `from` (someone
/// else acted first).
pub async fn move_wish(tx: &mut Tx, id: i64, from: &str, to: &str, now: i64) -> Result<bool> {
    let stamp = match to {
        "published" => ", published_at = coalesce(published_at, $4)",
        "fulfilled" => ", fulfilled_at = $4",
        "confirmed" => ", confirmed_at = $4",
        _ => "",
    };
    let sql = format!("update care_wish set status = $3, updated_at = $4{stamp} where wish_id = $1 and status = $2");
    let n = on_tx!(tx, |c| sqlx::query(&sql)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Sets one of the wish's texts written along the way: `decline_reason`, `proof_note`, `thanks`.
pub async fn set_wish_text(tx: &mut Tx, id: i64, column: WishText, value: &str) -> Result<()> {
    let sql = format!("update care_wish set {} = $2 where wish_id = $1", column.column());
    on_tx!(tx, |c| sqlx::query(&sql)
        .bind(id)
        .bind(value)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum WishText {
    DeclineReason,
    ProofNote,
    Thanks,
}

impl WishText {
    fn column(self) -> &'static str {
        match self {
            WishText::DeclineReason => "decline_reason",
            WishText::ProofNote => "proof_note",
            WishText::Thanks => "thanks",
        }
    }
}

pub async fn attach_file(tx: &mut Tx, wish_id: i64, sha256: &str, kind: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into care_wish_file (wish_id, stored_file_id, kind) \
         select $1, stored_file_id, $3 from stored_file where sha256 = $2 on conflict do nothing"
    )
    .bind(wish_id)
    .bind(sha256)
    .bind(kind)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The photos of a wish of one kind (`wish` or `proof`), by content hash.
pub async fn files(db: &Db, wish_id: i64, kind: &str) -> Result<Vec<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select f.sha256 from care_wish_file w join stored_file f on f.stored_file_id = w.stored_file_id \
         where w.wish_id = $1 and w.kind = $2 order by f.stored_file_id"
    )
    .bind(wish_id)
    .bind(kind)
    .fetch_all(p)
    .await?))
}

/// Whether a file is one of a wish's, and which kind.
pub async fn file_kind(db: &Db, wish_id: i64, sha256: &str) -> Result<Option<String>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select w.kind from care_wish_file w join stored_file f on f.stored_file_id = w.stored_file_id \
         where w.wish_id = $1 and f.sha256 = $2"
    )
    .bind(wish_id)
    .bind(sha256)
    .fetch_optional(p)
    .await?))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ClaimRow {
    pub claim_id: i64,
    pub wish_id: i64,
    pub community_id: i64,
    pub claimant_kind: String,
    #[serde(skip)]
    pub account_id: i64,
    pub claimant_name: String,
    #[serde(skip)]
    pub volunteer_id: Option<i64>,
    pub team_id: Option<i64>,
    pub claimed_at: i64,
    pub due_at: i64,
    pub ended_at: Option<i64>,
    pub outcome: String,
    pub credited_minutes: i64,
}

const CLAIM_SELECT: &str = "select claim_id, wish_id, community_id, claimant_kind, account_id, claimant_name, \
     volunteer_id, team_id, claimed_at, due_at, ended_at, outcome, credited_minutes from care_wish_claim";

pub struct NewClaim<'a> {
    pub wish_id: i64,
    pub community_id: i64,
    pub claimant_kind: &'a str,
    pub account_id: i64,
    pub claimant_name: &'a str,
    pub volunteer_id: Option<i64>,
    pub team_id: Option<i64>,
    pub due_at: i64,
}

pub async fn insert_claim(tx: &mut Tx, c: &NewClaim<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |conn| sqlx::query_scalar(
        "insert into care_wish_claim (wish_id, community_id, claimant_kind, account_id, claimant_name, volunteer_id, \
         team_id, claimed_at, due_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning claim_id"
    )
    .bind(c.wish_id)
    .bind(c.community_id)
    .bind(c.claimant_kind)
    .bind(c.account_id)
    .bind(c.claimant_name)
    .bind(c.volunteer_id)
    .bind(c.team_id)
    .bind(now)
    .bind(c.due_at)
    .fetch_one(&mut *conn)
    .await?))
}

/// The wish's open claim.
pub async fn open_claim(conn: impl Into<Conn<'_>>, wish_id: i64) -> Result<Option<ClaimRow>> {
    let sql = format!("{CLAIM_SELECT} where wish_id = $1 and ended_at is null");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(wish_id)
        .fetch_optional(c)
        .await?))
}

/// The claim that fulfilled a wish (its open claim until confirmed, then the fulfilled one).
pub async fn fulfilling_claim_tx(tx: &mut Tx, wish_id: i64) -> Result<Option<ClaimRow>> {
    let sql = format!(
        "{CLAIM_SELECT} where wish_id = $1 and (ended_at is null or outcome = 'fulfilled') order by claim_id desc limit 1"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(wish_id)
        .fetch_optional(&mut *c)
        .await?))
}

pub async fn claims_of_wish(db: &Db, wish_id: i64) -> Result<Vec<ClaimRow>> {
    let sql = format!("{CLAIM_SELECT} where wish_id = $1 order by claim_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(wish_id).fetch_all(p).await?))
}

/// Ends the open claim with an outcome (`released`, `expired`, `fulfilled`).
pub async fn end_claim(tx: &mut Tx, claim_id: i64, outcome: &str, minutes: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update care_wish_claim set ended_at = $3, outcome = $2, credited_minutes = $4 where claim_id = $1"
    )
    .bind(claim_id)
    .bind(outcome)
    .bind(now)
    .bind(minutes)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Open claims whose time ran out, across every community (the tick).
pub async fn lapsed_claims(db: &Db, now: i64) -> Result<Vec<ClaimRow>> {
    let sql = format!(
        "{CLAIM_SELECT} where ended_at is null and due_at < $1 \
         and wish_id in (select wish_id from care_wish where status = 'claimed') order by claim_id limit 500"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql).bind(now).fetch_all(p).await?))
}

/// The wishes someone has claimed and not yet seen confirmed.
pub async fn claimed_by(db: &Db, account_id: i64) -> Result<Vec<PublicWish>> {
    let sql = format!(
        "{PUBLIC_SELECT} where w.wish_id in (select wish_id from care_wish_claim where account_id = $1 \
         and ended_at is null) order by w.wish_id desc"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub step_id: i64,
    pub wish_id: i64,
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub note: String,
}

pub async fn insert_step(
    tx: &mut Tx,
    wish_id: i64,
    actor: &yijia_kernel::Actor,
    action: &str,
    note: &str,
    now: i64,
) -> Result<()> {
    let name = if actor.display_name.trim().is_empty() {
        actor.username.clone()
    } else {
        actor.display_name.clone()
    };
    on_tx!(tx, |c| sqlx::query(
        "insert into care_wish_step (wish_id, at, actor_account_id, actor_name, action, note) \
         values ($1, $2, $3, $4, $5, $6)"
    )
    .bind(wish_id)
    .bind(now)
    .bind(actor.account_id)
    .bind(&name)
    .bind(action)
    .bind(note)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn steps(db: &Db, wish_id: i64) -> Result<Vec<StepRow>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "select step_id, wish_id, at, actor_name, action, note from care_wish_step where wish_id = $1 order by at, step_id"
    )
    .bind(wish_id)
    .fetch_all(p)
    .await?
    }))
}

/// Records the minutes the claimant says the fulfilment took, credited on confirmation.
pub async fn set_claim_minutes(tx: &mut Tx, claim_id: i64, minutes: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update care_wish_claim set credited_minutes = $2 where claim_id = $1"
    )
    .bind(claim_id)
    .bind(minutes)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The live accounts of a grid's grid workers.
pub async fn grid_workers_tx(tx: &mut Tx, grid_id: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select distinct r.account_id from account_role r join account a on a.account_id = r.account_id \
         where r.role = 'grid_worker' and r.grid_id = $1 and r.revoked_at is null and a.status = 'active'"
    )
    .bind(grid_id)
    .fetch_all(&mut *c)
    .await?))
}

/// The volunteer record of an account in a community, still active.
pub async fn volunteer_of(db: &Db, community_id: i64, account_id: i64) -> Result<Option<i64>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select volunteer_id from volunteer where community_id = $1 and account_id = $2 and left_at is null \
         order by volunteer_id limit 1"
    )
    .bind(community_id)
    .bind(account_id)
    .fetch_optional(p)
    .await?))
}

/// A team of the community that has not been retired: its name.
/// True when the account is an active member (or leader) of the team.
pub async fn in_team(db: &Db, account_id: i64, team_id: i64) -> Result<bool> {
    let n: i64 = on_db!(db, |p| sqlx::query_scalar(
        "select count(*) from vol_member m join volunteer v on v.volunteer_id = m.volunteer_id \
         where m.team_id = $1 and v.account_id = $2 and m.status = 'active'"
    )
    .bind(team_id)
    .bind(account_id)
    .fetch_one(p)
    .await?);
    Ok(n > 0)
}

pub async fn team_tx(tx: &mut Tx, community_id: i64, team_id: i64) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select name from vol_team where team_id = $1 and community_id = $2 and retired_at is null"
    )
    .bind(team_id)
    .bind(community_id)
    .fetch_optional(&mut *c)
    .await?))
}
