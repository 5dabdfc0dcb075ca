//! Votes, the electorate they snapshot when they open, ballots and shows of hands.

use serde::Serialize;
use yijia_db::{on_conn, on_db, on_tx, Conn, Db, Tx};
use yijia_kernel::Result;

use crate::model::electorate::{AreaSource, Holding};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct VoteRow {
    pub vote_id: i64,
    pub community_id: i64,
    pub topic_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub kind: String,
    pub preset: String,
    pub matter: String,
    pub entitled: String,
    pub scope_kind: String,
    pub scope_id: Option<i64>,
    pub scope_label: String,
    pub method: String,
    pub secret: i64,
    pub changeable: i64,
    pub options: String,
    pub multiple: i64,
    pub quorum: String,
    pub status: String,
    pub opens_at: Option<i64>,
    pub closes_at: i64,
    pub closed_at: Option<i64>,
    pub electors: i64,
    pub result: Option<String>,
    pub passed: Option<i64>,
    pub created_at: i64,
}

const VOTE_SELECT: &str = "select vote_id, community_id, topic_id, meeting_id, title, kind, preset, matter, entitled, \
     scope_kind, scope_id, scope_label, method, secret, changeable, options, multiple, quorum, status, opens_at, \
     closes_at, closed_at, electors, result, passed, created_at from council_vote";

pub struct NewVote<'a> {
    pub community_id: i64,
    pub topic_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub title: &'a str,
    pub kind: &'a str,
    pub preset: &'a str,
    pub matter: &'a str,
    pub entitled: &'a str,
    pub scope_kind: &'a str,
    pub scope_id: Option<i64>,
    pub scope_label: &'a str,
    pub method: &'a str,
    pub secret: bool,
    pub changeable: bool,
    pub options: &'a str,
    pub multiple: bool,
    pub quorum: &'a str,
    pub closes_at: i64,
    pub created_by: Option<i64>,
}

pub async fn insert_vote(tx: &mut Tx, v: &NewVote<'_>, now: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into council_vote (community_id, topic_id, meeting_id, title, kind, preset, matter, entitled, \
         scope_kind, scope_id, scope_label, method, secret, changeable, options, multiple, quorum, status, \
         closes_at, created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, 'draft', $18, $19, $20, $20) returning vote_id"
    )
    .bind(v.community_id)
    .bind(v.topic_id)
    .bind(v.meeting_id)
    .bind(v.title)
    .bind(v.kind)
    .bind(v.preset)
    .bind(v.matter)
    .bind(v.entitled)
    .bind(v.scope_kind)
    .bind(v.scope_id)
    .bind(v.scope_label)
    .bind(v.method)
    .bind(i64::from(v.secret))
    .bind(i64::from(v.changeable))
    .bind(v.options)
    .bind(i64::from(v.multiple))
    .bind(v.quorum)
    .bind(v.closes_at)
    .bind(v.created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await?))
}

pub async fn vote(conn: impl Into<Conn<'_>>, id: i64) -> Result<Option<VoteRow>> {
    let sql = format!("{VOTE_SELECT} where vote_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// A community's votes, newest first (of one topic when given).
pub async fn votes(db: &Db, community_id: i64, topic_id: Option<i64>, limit: i64) -> Result<Vec<VoteRow>> {
    let sql = format!(
        "{VOTE_SELECT} where community_id = $1 and ($2 is null or topic_id = $2) order by vote_id desc limit $3"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(community_id)
        .bind(topic_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// Open votes whose closing time has passed, for the tick to close.
pub async fn votes_due(db: &Db, now: i64) -> Result<Vec<i64>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select vote_id from council_vote where status = 'open' and closes_at <= $1 order by vote_id limit 100"
    )
    .bind(now)
    .fetch_all(p)
    .await?))
}

pub async fn mark_open(tx: &mut Tx, id: i64, electors: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_vote set status = 'open', opens_at = $2, electors = $3, updated_at = $2 where vote_id = $1"
    )
    .bind(id)
    .bind(now)
    .bind(electors)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn mark_closed(tx: &mut Tx, id: i64, result: &str, passed: Option<bool>, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_vote set status = 'closed', closed_at = $2, result = $3, passed = $4, updated_at = $2 \
         where vote_id = $1"
    )
    .bind(id)
    .bind(now)
    .bind(result)
    .bind(passed.map(i64::from))
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The filter of the households of a scope; binds `$1` community, `$2` scope kind, `$3` the
/// building's or grid's id, `$4` the compound's name.
const IN_SCOPE: &str = "h.community_id = $1 and h.retired_at is null and ($2 = 'community' \
     or ($2 = 'building' and h.building_id = $3) or ($2 = 'grid' and h.grid_id = $3) \
     or ($2 = 'compound' and h.building_id in (select b.building_id from building b \
        where b.community_id = $1 and b.compound = $4 and b.retired_at is null)))";

/// Where a vote's electorate is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub community_id: i64,
    pub kind: &'a str,
    pub id: Option<i64>,
    pub label: &'a str,
}

/// Every dwelling (household) of a scope, by id.
pub async fn scope_households_tx(tx: &mut Tx, s: Scope<'_>) -> Result<Vec<i64>> {
    let sql = format!("select h.household_id from household h where {IN_SCOPE} order by h.household_id");
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(s.community_id)
        .bind(s.kind)
        .bind(s.id)
        .bind(s.label)
        .fetch_all(&mut *c)
        .await?))
}

/// A holding as read: dwelling, resident, developer, area, the area's source.
type HoldingCols = (i64, Option<i64>, i64, Option<i64>, Option<String>);

/// The owners' holdings current on `today` of a scope's dwellings.
pub async fn scope_holdings_tx(tx: &mut Tx, s: Scope<'_>, today: &str) -> Result<Vec<Holding>> {
    let sql = format!(
        "select g.household_id, g.resident_id, g.developer, g.area_centi_m2, g.area_source \
         from registry_holding g join household h on h.household_id = g.household_id \
         where {IN_SCOPE} and g.community_id = $1 and g.kind = 'owner' and (g.starts_on is null or g.starts_on <= $5) \
         and (g.ends_on is null or g.ends_on >= $5) order by g.holding_id"
    );
    let rows: Vec<HoldingCols> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(s.community_id)
        .bind(s.kind)
        .bind(s.id)
        .bind(s.label)
        .bind(today)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(unit_id, resident_id, developer, area, source)| Holding {
            unit_id,
            resident_id,
            developer: developer != 0,
            area,
            area_source: source.as_deref().and_then(AreaSource::parse),
        })
        .collect())
}

/// Names the dwellings whose ids are given (room with building), for saying which are missing.
pub async fn household_labels_tx(tx: &mut Tx, ids: &[i64]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let label: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "select b.name || u.name || h.code from household h join unit u on u.unit_id = h.unit_id \
             join building b on b.building_id = h.building_id where h.household_id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
        out.push(label.unwrap_or_else(|| id.to_string()));
    }
    Ok(out)
}

/// Stores an owners' vote's units as they stand at opening.
pub async fn insert_vote_units(tx: &mut Tx, vote_id: i64, units: &[(i64, i64, i64, &str)]) -> Result<()> {
    // Integers and closed-list codes only, so the rows go in as literals, 500 to a statement.
    for chunk in units.chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|(h, owner, area, source)| format!("({vote_id}, {h}, {owner}, {area}, '{source}')"))
            .collect();
        let sql = format!(
            "insert into council_vote_unit (vote_id, household_id, owner_no, area_centi_m2, area_source) values {}",
            values.join(", ")
        );
        on_tx!(tx, |c| sqlx::query(&sql).execute(&mut *c).await.map(|_| ())?);
    }
    Ok(())
}

/// Stores the residents who vote for an owner, as `(resident, owner number)`.
pub async fn insert_owner_electors(tx: &mut Tx, vote_id: i64, owners: &[(i64, i64)]) -> Result<()> {
    for chunk in owners.chunks(500) {
        let values: Vec<String> = chunk.iter().map(|(r, o)| format!("({r}, {o})")).collect();
        let sql = format!(
            "insert into council_elector (vote_id, resident_id, voter_no, account_id, name) \
             select {vote_id}, r.resident_id, v.column2, r.account_id, r.name \
             from (values {}) v join registry_resident r on r.resident_id = v.column1",
            values.join(", ")
        );
        on_tx!(tx, |c| sqlx::query(&sql).execute(&mut *c).await.map(|_| ())?);
    }
    Ok(())
}

/// Stores a residents' vote's electorate: the residents of the scope living there who were born
/// on or before `born_by` (18 on the vote's eligibility day); each votes for themselves, or for their
/// household when `per_household`.
pub async fn insert_adult_electors(
    tx: &mut Tx,
    vote_id: i64,
    s: Scope<'_>,
    born_by: &str,
    per_household: bool,
) -> Result<i64> {
    let voter = if per_household {
        "r.household_id"
    } else {
        "r.resident_id"
    };
    let sql = format!(
        "insert into council_elector (vote_id, resident_id, voter_no, account_id, name) \
         select $6, r.resident_id, {voter}, r.account_id, r.name from registry_resident r \
         join household h on h.household_id = r.household_id \
         where {IN_SCOPE} and r.left_at is null and r.residence in ('registered_living', 'living_unregistered') \
         and r.birth_date is not null and r.birth_date <= $5"
    );
    Ok(on_tx!(tx, |c| i64::try_from(
        sqlx::query(&sql)
            .bind(s.community_id)
            .bind(s.kind)
            .bind(s.id)
            .bind(s.label)
            .bind(born_by)
            .bind(vote_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    )
    .unwrap_or(i64::MAX)))
}

/// Residents of a scope living there whose birth date is not known, by name (at most 20): a
/// residents' vote cannot tell whether they are of age.
pub async fn residents_without_birth_date_tx(tx: &mut Tx, s: Scope<'_>) -> Result<Vec<String>> {
    let sql = format!(
        "select r.name from registry_resident r join household h on h.household_id = r.household_id \
         where {IN_SCOPE} and r.left_at is null and r.residence in ('registered_living', 'living_unregistered') \
         and r.birth_date is null order by r.resident_id limit 20"
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(s.community_id)
        .bind(s.kind)
        .bind(s.id)
        .bind(s.label)
        .fetch_all(&mut *c)
        .await?))
}

/// How many distinct voters a vote has.
pub async fn voter_count_tx(tx: &mut Tx, vote_id: i64) -> Result<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select count(distinct voter_no) from council_elector where vote_id = $1"
    )
    .bind(vote_id)
    .fetch_one(&mut *c)
    .await?))
}

/// The accounts of a vote's electors, to tell them it is open.
pub async fn elector_accounts_tx(tx: &mut Tx, vote_id: i64) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "select distinct account_id from council_elector where vote_id = $1 and account_id is not null"
    )
    .bind(vote_id)
    .fetch_all(&mut *c)
    .await?))
}

/// The electorate is fixed at opening by person (a resident, or an owner holding a unit), not
/// by account: whoever the registry links to that person when the ballot is cast votes as them.
/// Most owners of a compound register on their phones after the notice goes out (issue 20).
/// Through `registry_resident (account_id)` an account reaches its one or two persons, then the
/// elector's primary key.
const VOTER_OF_ACCOUNT: &str = "select e.voter_no, e.name from registry_resident r \
     join council_elector e on e.vote_id = $1 and e.resident_id = r.resident_id \
     where r.account_id = $2 order by e.resident_id limit 1";

/// The voter an account votes as in a vote, and the elector's name.
pub async fn voter_of_account(
    conn: impl Into<Conn<'_>>,
    vote_id: i64,
    account_id: i64,
) -> Result<Option<(i64, String)>> {
    Ok(on_conn!(conn, |c| sqlx::query_as(VOTER_OF_ACCOUNT)
        .bind(vote_id)
        .bind(account_id)
        .fetch_optional(c)
        .await?))
}

/// The voter a registry resident votes as in a vote (for paper ballots entered by staff).
pub async fn voter_of_resident_tx(tx: &mut Tx, vote_id: i64, resident_id: i64) -> Result<Option<(i64, String)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "select voter_no, name from council_elector where vote_id = $1 and resident_id = $2"
    )
    .bind(vote_id)
    .bind(resident_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// An elector as staff entering paper ballots see them.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ElectorRow {
    pub resident_id: i64,
    pub voter_no: i64,
    pub name: String,
    /// The household the elector lives in (an owner's: where the registry has them).
    pub household: String,
    /// Their voter has a ballot already (counted or waiting for its second check).
    pub voted: bool,
    /// How that ballot came: phone, paper or proxy.
    pub channel: Option<String>,
}

/// The electors of a vote by voter number, found by name, for staff entering paper ballots and
/// preparing the paper register.
pub async fn electors(db: &Db, vote_id: i64, search: &str, limit: i64) -> Result<Vec<ElectorRow>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select e.resident_id, e.voter_no, e.name, \
           coalesce((select bl.name || ' ' || u.name || ' ' || h.code from registry_resident r \
             join household h on h.household_id = r.household_id join building bl on bl.building_id = h.building_id \
             join unit u on u.unit_id = h.unit_id where r.resident_id = e.resident_id), '') as household, \
           b.channel is not null as voted, b.channel \
         from council_elector e left join council_ballot b on b.vote_id = e.vote_id and b.voter_no = e.voter_no \
         where e.vote_id = $1 and ($2 = '' or e.name like $3) \
         order by e.voter_no, e.resident_id limit $4"
    )
    .bind(vote_id)
    .bind(search)
    .bind(format!("%{search}%"))
    .bind(limit)
    .fetch_all(p)
    .await?))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BallotRow {
    pub ballot_id: i64,
    pub voter_no: i64,
    pub choice: String,
    pub options: String,
    pub channel: String,
    pub proxy_name: String,
    #[serde(skip)]
    pub cast_by: Option<i64>,
    pub cast_at: i64,
    pub confirmed_at: Option<i64>,
}

const BALLOT_SELECT: &str =
    "select ballot_id, voter_no, choice, options, channel, proxy_name, cast_by, cast_at, confirmed_at from council_ballot";

pub async fn ballot(conn: impl Into<Conn<'_>>, vote_id: i64, voter_no: i64) -> Result<Option<BallotRow>> {
    let sql = format!("{BALLOT_SELECT} where vote_id = $1 and voter_no = $2");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(vote_id)
        .bind(voter_no)
        .fetch_optional(c)
        .await?))
}

/// Ballots entered from paper that wait for a second staff member, with the voter's name, for
/// the vote page.
pub async fn unconfirmed(db: &Db, vote_id: i64) -> Result<Vec<(BallotRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct Named {
        #[sqlx(flatten)]
        b: BallotRow,
        name: String,
    }
    let rows: Vec<Named> = on_db!(db, |p| sqlx::query_as(
        "select b.ballot_id, b.voter_no, b.choice, b.options, b.channel, b.proxy_name, b.cast_by, b.cast_at, \
         b.confirmed_at, coalesce((select min(e.name) from council_elector e \
           where e.vote_id = b.vote_id and e.voter_no = b.voter_no), '') as name \
         from council_ballot b where b.vote_id = $1 and b.confirmed_at is null order by b.ballot_id limit 200"
    )
    .bind(vote_id)
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(|r| (r.b, r.name)).collect())
}

pub struct NewBallot<'a> {
    pub vote_id: i64,
    pub voter_no: i64,
    pub choice: &'a str,
    pub options: &'a str,
    pub channel: &'a str,
    pub proxy_name: &'a str,
    /// The hash of the stored photo of the proxy's authorisation.
    pub proxy_file: Option<&'a str>,
    pub cast_by: Option<i64>,
    /// Set for a phone ballot, which needs no second look.
    pub confirmed_at: Option<i64>,
}

/// The stored photo (its hash) of a proxy ballot's authorisation, with the ballot's vote.
pub async fn authorisation(db: &Db, ballot_id: i64) -> Result<Option<(i64, String)>> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "select b.vote_id, f.sha256 from council_ballot b join stored_file f on f.stored_file_id = b.proxy_file \
         where b.ballot_id = $1"
    )
    .bind(ballot_id)
    .fetch_optional(p)
    .await?))
}

/// Inserts a ballot; `false` when the voter already has one (the unique index decides, so two
/// ballots racing are counted once).
pub async fn insert_ballot(tx: &mut Tx, b: &NewBallot<'_>, now: i64) -> Result<bool> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "insert into council_ballot (vote_id, voter_no, choice, options, channel, proxy_name, proxy_file, cast_by, \
         confirmed_by, cast_at, confirmed_at) values ($1, $2, $3, $4, $5, $6, \
         (select stored_file_id from stored_file where sha256 = $7), $8, \
         case when $9 is null then null else $8 end, $10, $9) on conflict do nothing"
    )
    .bind(b.vote_id)
    .bind(b.voter_no)
    .bind(b.choice)
    .bind(b.options)
    .bind(b.channel)
    .bind(b.proxy_name)
    .bind(b.proxy_file)
    .bind(b.cast_by)
    .bind(b.confirmed_at)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected())
        > 0)
}

/// Changes a phone ballot's choice (a vote that allows it, before close).
pub async fn change_ballot(tx: &mut Tx, ballot_id: i64, choice: &str, options: &str, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_ballot set choice = $2, options = $3, cast_at = $4, confirmed_at = $4 where ballot_id = $1"
    )
    .bind(ballot_id)
    .bind(choice)
    .bind(options)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

pub async fn confirm_ballot(tx: &mut Tx, ballot_id: i64, by: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_ballot set confirmed_by = $2, confirmed_at = $3 where ballot_id = $1 and confirmed_at is null"
    )
    .bind(ballot_id)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The counted (confirmed) ballots of a vote: `(voter, choice, options)`.
const COUNTED_BALLOTS: &str = "select voter_no, choice, options from council_ballot \
     where vote_id = $1 and confirmed_at is not null order by voter_no";

pub async fn counted_ballots(conn: impl Into<Conn<'_>>, vote_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on_conn!(conn, |c| sqlx::query_as(COUNTED_BALLOTS)
        .bind(vote_id)
        .fetch_all(c)
        .await?))
}

/// An owners' vote's units as stored at opening: `(household, owner, area)`.
const VOTE_UNITS: &str =
    "select household_id, owner_no, area_centi_m2 from council_vote_unit where vote_id = $1 order by household_id";

pub async fn vote_units(conn: impl Into<Conn<'_>>, vote_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    Ok(on_conn!(conn, |c| sqlx::query_as(VOTE_UNITS)
        .bind(vote_id)
        .fetch_all(c)
        .await?))
}

/// Whether an owners' vote counts the developer's unsold units (owner number 0) as an owner.
pub async fn has_developer(db: &Db, vote_id: i64) -> Result<bool> {
    Ok(on_db!(db, |p| sqlx::query_scalar::<_, i64>(
        "select count(*) from council_vote_unit where vote_id = $1 and owner_no = $2"
    )
    .bind(vote_id)
    .bind(crate::model::electorate::DEVELOPER)
    .fetch_one(p)
    .await?)
        > 0)
}

/// The distinct voters of a vote.
const VOTERS: &str = "select distinct voter_no from council_elector where vote_id = $1";

pub async fn voters(conn: impl Into<Conn<'_>>, vote_id: i64) -> Result<Vec<i64>> {
    Ok(on_conn!(conn, |c| sqlx::query_scalar(VOTERS)
        .bind(vote_id)
        .fetch_all(c)
        .await?))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct HandsRow {
    pub present: i64,
    pub approve: i64,
    pub oppose: i64,
    pub abstain: i64,
    #[serde(skip)]
    pub entered_by: i64,
    pub entered_at: i64,
    pub confirmed_at: Option<i64>,
}

const HANDS_SELECT: &str =
    "select present, approve, oppose, abstain, entered_by, entered_at, confirmed_at from council_hands";

pub async fn hands(conn: impl Into<Conn<'_>>, vote_id: i64) -> Result<Option<HandsRow>> {
    let sql = format!("{HANDS_SELECT} where vote_id = $1");
    Ok(on_conn!(conn, |c| sqlx::query_as(&sql)
        .bind(vote_id)
        .fetch_optional(c)
        .await?))
}

/// A show of hands' figures: `[present, approve, oppose, abstain]`.
pub type Figures = [i64; 4];

/// Enters (or, before confirmation, replaces) a show of hands' figures.
pub async fn put_hands(tx: &mut Tx, vote_id: i64, f: Figures, by: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from council_hands where vote_id = $1 and confirmed_at is null")
            .bind(vote_id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "insert into council_hands (vote_id, present, approve, oppose, abstain, entered_by, entered_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(vote_id)
        .bind(f[0])
        .bind(f[1])
        .bind(f[2])
        .bind(f[3])
        .bind(by)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

pub async fn confirm_hands(tx: &mut Tx, vote_id: i64, by: i64, now: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "update council_hands set confirmed_by = $2, confirmed_at = $3 where vote_id = $1"
    )
    .bind(vote_id)
    .bind(by)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}
