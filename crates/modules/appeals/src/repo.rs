//! Every SQL statement of the appeals module, written once for both backends.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::{Actor, Result};

use crate::model::watch::Watch;

/// A handling party.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PartyRow {
    pub party_id: i64,
    pub community_id: i64,
    pub kind: String,
    pub name: String,
    pub phone: String,
    /// Told by e-mail too of what concerns it (through the outbox); empty: in the app only.
    pub email: String,
    pub retired_at: Option<i64>,
}

const PARTY_SELECT: &str = "select party_id, community_id, kind, name, phone, email, retired_at from appeal_party";

pub async fn parties(db: &Db, community_id: i64) -> Result<Vec<PartyRow>> {
    let sql = format!("{PARTY_SELECT} where community_id = $1 order by party_id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

pub async fn party(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<PartyRow>> {
    let sql = format!("{PARTY_SELECT} where party_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

pub async fn insert_party(
    tx: &mut Tx,
    community_id: i64,
    kind: &str,
    name: &str,
    phone: &str,
    email: &str,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into appeal_party (community_id, kind, name, phone, email, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning party_id"
    )
    .bind(community_id)
    .bind(kind)
    .bind(name)
    .bind(phone)
    .bind(email)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn add_member(tx: &mut Tx, party: &PartyRow, account_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into appeal_party_member (party_id, account_id, community_id) values ($1, $2, $3) \
         on conflict (party_id, account_id) do nothing"
    )
    .bind(party.party_id)
    .bind(account_id)
    .bind(party.community_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A party's members: `(account_id, display name)`.
pub async fn members(db: &Db, community_id: i64) -> Result<Vec<(i64, i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select m.party_id, m.account_id, a.display_name from appeal_party_member m \
         join account a on a.account_id = m.account_id where m.community_id = $1 order by m.party_id, a.display_name"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

/// The accounts that work a party's queue: its members who still hold a handling role in the
/// party's community (a membership outlives a revoked role; the queue's notices must not).
pub async fn member_accounts_tx(tx: &mut Tx, party_id: i64) -> Result<Vec<i64>> {
    let sql = format!(
        "select m.account_id from appeal_party_member m join appeal_party p on p.party_id = m.party_id \
         where m.party_id = $1 and {}",
        handles("m.account_id")
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(party_id)
        .fetch_all(&mut *c)
        .await?))
}

/// True when the account bound at `account` holds a handling role over the party `p`'s
/// community. Membership alone is not reach: an administrator could add any username to a
/// party, and the queue would then show that party's appeals to an account of another
/// community (issue 19). Every read of membership goes through this condition.
fn handles(account: &str) -> String {
    yijia_kernel::scope::reach(
        &crate::permissions::HANDLE,
        &yijia_kernel::scope::Cols {
            community: "p.community_id",
            grid: None,
        },
        account,
    )
}

fn parties_of_sql() -> String {
    format!(
        "select m.party_id from appeal_party_member m join appeal_party p on p.party_id = m.party_id \
         where m.account_id = $1 and p.retired_at is null and {}",
        handles("$1")
    )
}

/// The parties an account works for, in communities where it holds a handling role.
pub async fn parties_of(conn: impl Into<Conn<'_>>, account_id: i64) -> Result<Vec<i64>> {
    let sql = parties_of_sql();
    Ok(on_conn!(conn, |c| sqlx::query_scalar(&sql)
        .bind(account_id)
        .fetch_all(c)
        .await?))
}

pub async fn cohandler_ids(conn: impl Into<Conn<'_>>, appeal_id: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(conn, |c| sqlx::query_scalar(
        "select party_id from appeal_cohandler where appeal_id = $1"
    )
    .bind(appeal_id)
    .fetch_all(c)
    .await?))
}

pub async fn is_member_tx(tx: &mut Tx, party_id: i64, account_id: i64) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "select count(*) from appeal_party_member where party_id = $1 and account_id = $2"
    )
    .bind(party_id)
    .bind(account_id)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// A category of the service catalogue, with its default party's name.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CategoryRow {
    pub category_id: i64,
    pub community_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub keywords: String,
    pub party_id: i64,
    pub party_name: String,
    pub tier: String,
    /// The extra questions, JSON (`model::attributes::AttributeDef` list).
    pub attributes: String,
    pub retired_at: Option<i64>,
}

impl CategoryRow {
    /// The category's extra questions (none is `[]`, as written).
    pub fn attribute_defs(&self) -> Result<Vec<crate::model::attributes::AttributeDef>> {
        yijia_kernel::stored::json(
            &self.attributes,
            format_args!("questions of appeal category {}", self.category_id),
        )
    }
}

const CATEGORY_SELECT: &str = "select c.category_id, c.community_id, c.code, c.name, c.description, c.keywords, \
     c.party_id, p.name as party_name, c.tier, c.attributes, c.retired_at \
     from appeal_category c join appeal_party p on p.party_id = c.party_id";

pub async fn categories(db: &Db, community_id: i64) -> Result<Vec<CategoryRow>> {
    let sql = format!("{CATEGORY_SELECT} where c.community_id = $1 order by c.code");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .fetch_all(p)
        .await?))
}

pub async fn category_tx(tx: &mut Tx, id: i64) -> Result<Option<CategoryRow>> {
    let sql = format!("{CATEGORY_SELECT} where c.category_id = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

pub struct NewCategory<'a> {
    pub community_id: i64,
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub keywords: &'a str,
    pub party_id: i64,
    pub tier: &'a str,
    pub attributes: &'a str,
}

pub async fn insert_category(tx: &mut Tx, c: &NewCategory<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |x| sqlx::query_scalar(
        "insert into appeal_category (community_id, code, name, description, keywords, party_id, tier, attributes, \
         created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning category_id"
    )
    .bind(c.community_id)
    .bind(c.code)
    .bind(c.name)
    .bind(c.description)
    .bind(c.keywords)
    .bind(c.party_id)
    .bind(c.tier)
    .bind(c.attributes)
    .bind(now)
    .fetch_one(&mut *x)
    .await?))
}

/// A routing rule with the names a page shows.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RouteRow {
    pub route_id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub grid_id: i64,
    pub grid_name: String,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    pub party_id: i64,
    pub party_name: String,
}

pub async fn routes(db: &Db, community_id: i64) -> Result<Vec<RouteRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select r.route_id, r.category_id, c.name as category_name, r.grid_id, g.name as grid_name, \
         r.building_id, b.name as building_name, r.party_id, p.name as party_name \
         from appeal_route r join appeal_category c on c.category_id = r.category_id \
         join grid g on g.grid_id = r.grid_id left join building b on b.building_id = r.building_id \
         join appeal_party p on p.party_id = r.party_id where r.community_id = $1 order by c.code, g.code, r.route_id"
    )
    .bind(community_id)
    .fetch_all(p)
    .await?))
}

pub async fn insert_route(
    tx: &mut Tx,
    community_id: i64,
    category_id: i64,
    grid_id: i64,
    building_id: Option<i64>,
    party_id: i64,
    now: i64,
) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into appeal_route (community_id, category_id, grid_id, building_id, party_id, created_at) \
         values ($1, $2, $3, $4, $5, $6) returning route_id"
    )
    .bind(community_id)
    .bind(category_id)
    .bind(grid_id)
    .bind(building_id)
    .bind(party_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

/// The party a rule sends a category to in a grid: a rule for the building wins over one for
/// the whole grid. `None` when no rule matches (the category's default party applies).
pub async fn routed_party_tx(
    tx: &mut Tx,
    category_id: i64,
    grid_id: Option<i64>,
    building_id: Option<i64>,
) -> Result<Option<i64>> {
    let Some(grid) = grid_id else { return Ok(None) };
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select r.party_id from appeal_route r join appeal_party p on p.party_id = r.party_id \
         where r.category_id = $1 and r.grid_id = $2 and (r.building_id is null or r.building_id = $3) \
         and p.retired_at is null \
         order by case when r.building_id is null then 1 else 0 end, r.route_id desc limit 1"
    )
    .bind(category_id)
    .bind(grid)
    .bind(building_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// Where a unit or a building is: `(grid_id, building_id)`, within a community.
pub async fn place_of_unit_tx(tx: &mut Tx, community_id: i64, unit_id: i64) -> Result<Option<(i64, i64)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select grid_id, building_id from unit where unit_id = $1 and community_id = $2 and retired_at is null"
    )
    .bind(unit_id)
    .bind(community_id)
    .fetch_optional(&mut *c)
    .await?))
}

pub async fn grid_of_building_tx(tx: &mut Tx, community_id: i64, building_id: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select grid_id from building where building_id = $1 and community_id = $2 and retired_at is null"
    )
    .bind(building_id)
    .bind(community_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// An appeal as stored, with the names pages show.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AppealRow {
    pub appeal_id: i64,
    pub community_id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub kind: String,
    pub channel: String,
    pub status: String,
    pub description: String,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub household_id: Option<i64>,
    /// Where, as people say it: the building's and the unit's names.
    pub building_name: Option<String>,
    pub unit_name: Option<String>,
    pub address: String,
    pub lat_e6: Option<i64>,
    pub long_e6: Option<i64>,
    /// Answers to the category's questions, a JSON object.
    pub attributes: String,
    pub media_url: String,
    pub anonymous: bool,
    pub requester_account_id: Option<i64>,
    pub requester_name: String,
    #[serde(skip)]
    pub contact_sealed: Option<String>,
    pub contact_masked: String,
    pub recorded_by: Option<i64>,
    pub party_id: Option<i64>,
    pub party_name: Option<String>,
    pub tier: String,
    pub dispatch_due_at: i64,
    pub reply_due_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub dispatched_at: Option<i64>,
    pub taken_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub verified_at: Option<i64>,
    pub rated_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub answer: String,
    pub rating: Option<String>,
    pub rating_comment: String,
    pub warned_at: Option<i64>,
    pub overdue_at: Option<i64>,
    pub escalation: i64,
    pub redo_count: i64,
    pub urge_count: i64,
    pub supervised: bool,
    pub duplicate_of: Option<i64>,
    pub decline_reason: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AppealRow {
    /// An anonymous requester's name and number are shown to nobody but themselves.
    pub fn hide_requester_from(&mut self, account_id: Option<i64>) {
        if self.anonymous && (account_id.is_none() || account_id != self.requester_account_id) {
            self.requester_name.clear();
            self.contact_masked.clear();
        }
    }

    /// What the deadline watch looks at.
    pub fn watch(&self) -> Watch<'_> {
        Watch {
            status: &self.status,
            dispatch_due_at: self.dispatch_due_at,
            reply_due_at: self.reply_due_at,
            created_at: self.created_at,
            dispatched_at: self.dispatched_at,
            warned_at: self.warned_at,
            overdue_at: self.overdue_at,
            escalation: self.escalation,
        }
    }
}

const APPEAL_SELECT: &str = "select a.appeal_id, a.community_id, a.category_id, c.name as category_name, a.kind, \
     a.channel, a.status, a.description, a.grid_id, a.building_id, a.unit_id, a.household_id, \
     lb.name as building_name, lu.name as unit_name, a.address, a.lat_e6, \
     a.long_e6, a.attributes, a.media_url, a.anonymous <> 0 as anonymous, a.requester_account_id, a.requester_name, a.contact_sealed, \
     a.contact_masked, a.recorded_by, a.party_id, p.name as party_name, a.tier, a.dispatch_due_at, a.reply_due_at, \
     a.accepted_at, a.dispatched_at, a.taken_at, a.replied_at, a.verified_at, a.rated_at, a.closed_at, a.answer, \
     a.rating, a.rating_comment, a.warned_at, a.overdue_at, a.escalation, a.redo_count, a.urge_count, a.supervised <> 0 as supervised, a.duplicate_of, \
     a.decline_reason, a.version, a.created_at, a.updated_at \
     from appeal a join appeal_category c on c.category_id = a.category_id \
     left join appeal_party p on p.party_id = a.party_id \
     left join building lb on lb.building_id = a.building_id left join unit lu on lu.unit_id = a.unit_id";

pub async fn appeal(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<AppealRow>> {
    let sql = format!("{APPEAL_SELECT} where a.appeal_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// Writes a new appeal; `a.appeal_id`, the names and `version` are ignored.
pub async fn insert_appeal(tx: &mut Tx, a: &AppealRow) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into appeal (community_id, category_id, kind, channel, status, description, grid_id, building_id, \
         unit_id, household_id, address, lat_e6, long_e6, anonymous, requester_account_id, requester_name, \
         contact_sealed, contact_masked, recorded_by, party_id, tier, dispatch_due_at, created_at, updated_at, \
         attributes, media_url, watch_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $23, $24, $25, $26) returning appeal_id"
    )
    .bind(a.community_id)
    .bind(a.category_id)
    .bind(&a.kind)
    .bind(&a.channel)
    .bind(&a.status)
    .bind(&a.description)
    .bind(a.grid_id)
    .bind(a.building_id)
    .bind(a.unit_id)
    .bind(a.household_id)
    .bind(&a.address)
    .bind(a.lat_e6)
    .bind(a.long_e6)
    .bind(i64::from(a.anonymous))
    .bind(a.requester_account_id)
    .bind(&a.requester_name)
    .bind(&a.contact_sealed)
    .bind(&a.contact_masked)
    .bind(a.recorded_by)
    .bind(a.party_id)
    .bind(&a.tier)
    .bind(a.dispatch_due_at)
    .bind(a.created_at)
    .bind(&a.attributes)
    .bind(&a.media_url)
    .bind(a.watch().next_at())
    .fetch_one(&mut *c)
    .await?))
}

/// Writes what a step changed, if nobody changed the appeal since `a.version` was read.
/// `false` when someone did: the caller tells the user rather than overwrite their work.
pub async fn update_appeal(tx: &mut Tx, a: &AppealRow) -> Result<bool> {
    let n = on_tx!(tx, |c| sqlx::query(
        "update appeal set status = $1, party_id = $2, reply_due_at = $3, accepted_at = $4, dispatched_at = $5, \
         taken_at = $6, replied_at = $7, verified_at = $8, rated_at = $9, closed_at = $10, answer = $11, \
         rating = $12, rating_comment = $13, redo_count = $14, urge_count = $15, supervised = $16, \
         duplicate_of = $17, updated_at = $18, decline_reason = $21, warned_at = $22, overdue_at = $23, \
         escalation = $24, watch_at = $25, version = version + 1 \
         where appeal_id = $19 and version = $20"
    )
    .bind(&a.status)
    .bind(a.party_id)
    .bind(a.reply_due_at)
    .bind(a.accepted_at)
    .bind(a.dispatched_at)
    .bind(a.taken_at)
    .bind(a.replied_at)
    .bind(a.verified_at)
    .bind(a.rated_at)
    .bind(a.closed_at)
    .bind(&a.answer)
    .bind(&a.rating)
    .bind(&a.rating_comment)
    .bind(a.redo_count)
    .bind(a.urge_count)
    .bind(i64::from(a.supervised))
    .bind(a.duplicate_of)
    .bind(a.updated_at)
    .bind(a.appeal_id)
    .bind(a.version)
    .bind(&a.decline_reason)
    .bind(a.warned_at)
    .bind(a.overdue_at)
    .bind(a.escalation)
    .bind(a.watch().next_at())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(n == 1)
}

pub async fn add_cohandler(tx: &mut Tx, a: &AppealRow, party_id: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into appeal_cohandler (appeal_id, party_id, community_id, created_at) values ($1, $2, $3, $4) \
         on conflict (appeal_id, party_id) do nothing"
    )
    .bind(a.appeal_id)
    .bind(party_id)
    .bind(a.community_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn cohandlers(db: &Db, appeal_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select h.party_id, p.name from appeal_cohandler h join appeal_party p on p.party_id = h.party_id \
         where h.appeal_id = $1 order by h.created_at"
    )
    .bind(appeal_id)
    .fetch_all(p)
    .await?))
}

/// A photo of an appeal.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PhotoRow {
    pub sha256: String,
    pub status: String,
    pub added_by_label: String,
    pub created_at: i64,
}

pub async fn photos(db: &Db, appeal_id: i64) -> Result<Vec<PhotoRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select sha256, status, added_by_label, created_at from appeal_photo where appeal_id = $1 order by photo_id"
    )
    .bind(appeal_id)
    .fetch_all(p)
    .await?))
}

/// A step of an appeal's timeline.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StepRow {
    pub step_id: i64,
    pub appeal_id: i64,
    pub at: i64,
    pub actor_label: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub party_id: Option<i64>,
    pub public_note: String,
    pub internal_note: String,
}

pub struct NewStep<'a> {
    pub action: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub party_id: Option<i64>,
    pub public_note: &'a str,
    pub internal_note: &'a str,
}

pub async fn insert_step(tx: &mut Tx, a: &AppealRow, s: &NewStep<'_>, actor: &Actor, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "insert into appeal_step (community_id, appeal_id, at, actor_account_id, actor_label, action, from_status, \
         to_status, party_id, public_note, internal_note) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(a.community_id)
    .bind(a.appeal_id)
    .bind(now)
    .bind(actor.account_id)
    .bind(actor.display_name.as_str())
    .bind(s.action)
    .bind(s.from)
    .bind(s.to)
    .bind(s.party_id)
    .bind(s.public_note)
    .bind(s.internal_note)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn steps(db: &Db, appeal_id: i64) -> Result<Vec<StepRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select step_id, appeal_id, at, actor_label, action, from_status, to_status, party_id, public_note, \
         internal_note from appeal_step where appeal_id = $1 order by step_id"
    )
    .bind(appeal_id)
    .fetch_all(p)
    .await?))
}

/// Which appeals a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub community_id: Option<i64>,
    /// A grid worker's grids; `None` for the whole community.
    pub grids: Option<Vec<i64>>,
    pub status: Option<String>,
    pub party_id: Option<i64>,
    pub category_id: Option<i64>,
    /// The requester's own appeals.
    pub requester: Option<i64>,
    /// Appeals of these parties, as lead or co-handler (a party's queue).
    pub parties: Option<Vec<i64>>,
    /// Past their current deadline at this instant.
    pub overdue_at: Option<i64>,
    /// Due before this instant but not yet past `now` (due soon).
    pub due_before: Option<(i64, i64)>,
    /// Keyset paging: ids below this one (newest first).
    pub before: Option<i64>,
    /// Only appeals still being worked (a queue is work to do, not an archive).
    pub open_only: bool,
}

/// Statuses still waiting for a dispatch, and still waiting for a reply.
const WAITING_DISPATCH: &str = "('submitted', 'accepted')";
const WAITING_REPLY: &str = "('dispatched', 'in_progress', 'return_requested')";

/// The SQL of an appeal's current deadline (the dispatch's, then the reply's; none once replied),
/// as `view::due_at` computes it; `prefix` is the table's alias and a dot, or empty.
fn due_at_sql(prefix: &str) -> String {
    format!(
        "(case when {prefix}status in {WAITING_DISPATCH} then {prefix}dispatch_due_at \
         when {prefix}status in {WAITING_REPLY} then {prefix}reply_due_at end)"
    )
}

fn ids(v: &[i64]) -> String {
    if v.is_empty() {
        return "null".to_owned();
    }
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

pub async fn list(db: &Db, f: &Filter, limit: i64) -> Result<Vec<AppealRow>> {
    // Ids in the conditions come from the database (grids, parties), never from input.
    let mut conds = vec![
        "($1 is null or a.community_id = $1)".to_owned(),
        "($2 is null or a.status = $2)".to_owned(),
        "($3 is null or a.party_id = $3)".to_owned(),
        "($4 is null or a.category_id = $4)".to_owned(),
        "($5 is null or a.requester_account_id = $5)".to_owned(),
        "($6 is null or a.appeal_id < $6)".to_owned(),
    ];
    if let Some(g) = &f.grids {
        conds.push(format!("a.grid_id in ({})", ids(g)));
    }
    if f.open_only {
        conds.push(format!("a.status not in {FINISHED}"));
    }
    let due = due_at_sql("a.");
    if f.overdue_at.is_some() {
        conds.push(format!("{due} < $7"));
    }
    if f.due_before.is_some() {
        conds.push(format!("{due} >= $8 and {due} < $9"));
    }
    let conds = conds.join(" and ");
    let sql = match &f.parties {
        None => format!("{APPEAL_SELECT} where {conds} order by a.appeal_id desc limit $10"),
        // A party's queue: the newest of the appeals it leads and of those it helps with, each
        // picked through its own index, then the page from both (an `or` of the two would
        // read every appeal the parties ever had).
        Some(p) => {
            let list = ids(p);
            format!(
                "{APPEAL_SELECT} where a.appeal_id in (\
                 select appeal_id from (select a.appeal_id from appeal a where a.party_id in ({list}) and {conds} \
                 order by a.appeal_id desc limit $10) as lead \
                 union select appeal_id from (select a.appeal_id from appeal a join appeal_cohandler h \
                 on h.appeal_id = a.appeal_id where h.party_id in ({list}) and {conds} \
                 order by a.appeal_id desc limit $10) as helped) \
                 order by a.appeal_id desc limit $10"
            )
        }
    };
    let (now, soon) = f.due_before.unzip();
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(f.community_id)
        .bind(f.status.as_deref())
        .bind(f.party_id)
        .bind(f.category_id)
        .bind(f.requester)
        .bind(f.before)
        .bind(f.overdue_at)
        .bind(now)
        .bind(soon)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// An Open311 search: a community's appeals by id, category, open or closed, and time raised.
#[derive(Debug, Clone, Default)]
pub struct Open311Filter {
    pub community_id: i64,
    pub ids: Option<Vec<i64>>,
    pub categories: Option<Vec<i64>>,
    /// `Some(true)`: finished ones only (closed, declined, rated); `Some(false)`: open ones.
    pub closed: Option<bool>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

const FINISHED: &str = "('closed', 'declined', 'rated')";

pub async fn open311_requests(db: &Db, f: &Open311Filter, limit: i64) -> Result<Vec<AppealRow>> {
    // The lists are numbers parsed from the request or ids read from the database.
    let mut conds = vec![
        "a.community_id = $1".to_owned(),
        "($2 is null or a.created_at >= $2)".to_owned(),
        "($3 is null or a.created_at < $3)".to_owned(),
    ];
    if let Some(ids) = &f.ids {
        conds.push(format!("a.appeal_id in ({})", self::ids(ids)));
    }
    if let Some(c) = &f.categories {
        conds.push(format!("a.category_id in ({})", self::ids(c)));
    }
    match f.closed {
        Some(true) => conds.push(format!("a.status in {FINISHED}")),
        Some(false) => conds.push(format!("a.status not in {FINISHED}")),
        None => {}
    }
    let sql = format!(
        "{APPEAL_SELECT} where {} order by a.appeal_id desc limit $4",
        conds.join(" and ")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(f.community_id)
        .bind(f.from)
        .bind(f.to)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// The public steps of a community's appeals in `[from, to)`, each with whether the appeal
/// was finished after it (Open311 `servicerequestupdates`). Internal notes are never read.
pub async fn public_steps(db: &Db, community_id: i64, from: i64, to: i64, limit: i64) -> Result<Vec<(StepRow, bool)>> {
    let rows: Vec<StepRow> = on_db!(db, |p| sqlx::query_as(
        "select step_id, appeal_id, at, actor_label, action, from_status, to_status, party_id, public_note, \
         '' as internal_note from appeal_step where community_id = $1 and at >= $2 and at < $3 \
         and (action <> 'note' or public_note <> '') order by step_id limit $4"
    )
    .bind(community_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|s| {
            let finished = matches!(s.to_status.as_str(), "closed" | "declined" | "rated");
            (s, finished)
        })
        .collect())
}

/// A community's desk numbers within the reader's reach, at `now`; due soon means before `soon`.
pub async fn desk_counts(
    db: &Db,
    community_id: i64,
    reach: &yijia_kernel::scope::CommunityReach,
    now: i64,
    soon: i64,
) -> Result<DeskCounts> {
    let due = due_at_sql("");
    let sql = format!(
        "select cast(coalesce(sum(case when status = 'submitted' then 1 else 0 end), 0) as bigint) as waiting, \
         cast(coalesce(sum(case when status = 'replied' then 1 else 0 end), 0) as bigint) as to_verify, \
         cast(coalesce(sum(case when {due} >= $2 and {due} < $3 then 1 else 0 end), 0) as bigint) as due_soon, \
         count(*) as open, cast(coalesce(sum(case when {due} < $2 then 1 else 0 end), 0) as bigint) as overdue \
         from appeal where community_id = $1 and status not in {FINISHED} and {}",
        reach.sql("grid_id")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(now)
        .bind(soon)
        .fetch_one(p)
        .await?))
}

/// The desk's day: how many appeals wait for it in each bucket.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct DeskCounts {
    /// 待受理
    pub waiting: i64,
    /// 待核实: replied as done, for the desk to verify.
    pub to_verify: i64,
    pub due_soon: i64,
    pub open: i64,
    pub overdue: i64,
}

/// An appeal as a pin on the map: at its own point, else at its building's.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MapRow {
    pub appeal_id: i64,
    pub status: String,
    pub category: String,
    pub created_at: i64,
    pub lat_e6: i64,
    pub long_e6: i64,
    pub overdue: bool,
    /// Placed at its building, having no point of its own.
    pub at_building: bool,
}

/// What a map of appeals is narrowed to.
pub struct MapFilter {
    pub community_id: i64,
    /// SQL on `a.grid_id` from the reader's reach (ids from the database).
    pub reach: String,
    pub category: Option<i64>,
    /// `open`, `overdue`, `finished`, or any.
    pub state: String,
    /// Raised in `[from, to)`.
    pub from: i64,
    pub to: i64,
    pub now: i64,
}

/// The appeals of a month that have a place on the map, newest first, at most `limit`.
pub async fn on_map(db: &Db, f: &MapFilter, limit: i64) -> Result<Vec<MapRow>> {
    let due = due_at_sql("a.");
    let state = match f.state.as_str() {
        "open" => format!("a.status not in {FINISHED}"),
        "overdue" => format!("{due} < $5"),
        "finished" => format!("a.status in {FINISHED}"),
        _ => "1 = 1".to_owned(),
    };
    let sql = format!(
        "select a.appeal_id, a.status, c.name as category, a.created_at, \
         coalesce(a.lat_e6, b.lat_e6) as lat_e6, coalesce(a.long_e6, b.long_e6) as long_e6, \
         coalesce({due} < $5, false) as overdue, a.lat_e6 is null as at_building \
         from appeal a join appeal_category c on c.category_id = a.category_id \
         left join building b on b.building_id = a.building_id \
         where a.community_id = $1 and a.created_at >= $2 and a.created_at < $3 \
         and ($4 is null or a.category_id = $4) and ({state}) and ({reach}) \
         and coalesce(a.lat_e6, b.lat_e6) is not null and coalesce(a.long_e6, b.long_e6) is not null \
         order by a.created_at desc limit $6",
        reach = f.reach,
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(f.community_id)
        .bind(f.from)
        .bind(f.to)
        .bind(f.category)
        .bind(f.now)
        .bind(limit)
        .fetch_all(p)
        .await?))
}
