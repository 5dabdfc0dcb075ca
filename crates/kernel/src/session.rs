//! Sessions and bearer tokens, resolved to an [`Actor`]. Sessions live in the database, so every
//! instance behind a load balancer sees the same ones; only hashes of the secrets are stored.

use yijia_db::{on_db, on_tx, Db, Tx};

use crate::actor::{Actor, Role, RoleGrant, ScopeKind, Via};
use crate::i18n::Locale;
use crate::secret::{new_secret, secret_hash};
use crate::Result;

/// The name of the session cookie.
pub const COOKIE: &str = "yijia_session";

/// A session is touched (its expiry pushed back) at most this often, to spare writes.
const TOUCH_EVERY_MS: i64 = 60_000;

#[derive(sqlx::FromRow)]
struct AccountRow {
    account_id: i64,
    username: String,
    display_name: String,
    locale: String,
    status: String,
    must_change_password: i64,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    scope_kind: String,
    district_id: Option<i64>,
    subdistrict_id: Option<i64>,
    community_id: Option<i64>,
    grid_id: Option<i64>,
}

/// Loads an active account with its live grants; `None` if missing or disabled.
pub async fn load_actor(db: &Db, account_id: i64, via: Via) -> Result<Option<Actor>> {
    let row: Option<AccountRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select account_id, username, display_name, locale, status, must_change_password from account where account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(p)
        .await?
    });
    let Some(a) = row.filter(|a| a.status == "active") else {
        return Ok(None);
    };
    let grants: Vec<GrantRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select role, scope_kind, district_id, subdistrict_id, community_id, grid_id from account_role \
             where account_id = $1 and revoked_at is null order by account_role_id",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?
    });
    Ok(Some(Actor {
        account_id: Some(a.account_id),
        username: a.username,
        display_name: a.display_name,
        locale: Locale::parse(&a.locale).unwrap_or_default(),
        grants: grants.into_iter().filter_map(grant).collect(),
        via,
        must_change_password: a.must_change_password != 0,
    }))
}

fn grant(g: GrantRow) -> Option<RoleGrant> {
    Some(RoleGrant {
        role: Role::parse(&g.role)?,
        scope: ScopeKind::parse(&g.scope_kind)?,
        district_id: g.district_id,
        subdistrict_id: g.subdistrict_id,
        community_id: g.community_id,
        grid_id: g.grid_id,
    })
}

/// Starts a session for an account inside the login's transaction; returns the cookie value.
/// A new id is issued at every login, so a session id planted before login is worthless.
pub async fn create(tx: &mut Tx, account_id: i64, now: i64, hours: i64) -> Result<String> {
    let secret = new_secret("yjs_");
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into account_session (session_hash, account_id, created_at, expires_at, last_seen_at) values ($1, $2, $3, $4, $3)",
        )
        .bind(secret_hash(&secret))
        .bind(account_id)
        .bind(now)
        .bind(now + hours * 3_600_000)
        .execute(&mut *c)
        .await?;
    });
    Ok(secret)
}

/// Resolves a session cookie; expired or unknown sessions resolve to nobody.
pub async fn resolve_session(db: &Db, secret: &str, now: i64, hours: i64) -> Result<Option<Actor>> {
    let hash = secret_hash(secret);
    let row: Option<(i64, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as("select account_id, expires_at, last_seen_at from account_session where session_hash = $1")
            .bind(&hash)
            .fetch_optional(p)
            .await?
    });
    let Some((account_id, expires_at, last_seen_at)) = row else {
        return Ok(None);
    };
    if expires_at <= now {
        return Ok(None);
    }
    if now - last_seen_at > TOUCH_EVERY_MS {
        on_db!(db, |p| {
            sqlx::query("update account_session set last_seen_at = $2, expires_at = $3 where session_hash = $1")
                .bind(&hash)
                .bind(now)
                .bind(now + hours * 3_600_000)
                .execute(p)
                .await?;
        });
    }
    load_actor(db, account_id, Via::Session { session_hash: hash }).await
}

/// Ends a session (logout).
pub async fn end(db: &Db, session_hash: &str) -> Result<()> {
    on_db!(db, |p| {
        sqlx::query("delete from account_session where session_hash = $1")
            .bind(session_hash)
            .execute(p)
            .await?;
    });
    Ok(())
}

/// Resolves a bearer token to the account that holds it. A personal token acts as its owner;
/// an integration's API key acts as the integration's own account, which holds the
/// `integration` role over one community, so reach is tested in SQL like anyone else's.
pub async fn resolve_token(db: &Db, secret: &str, now: i64) -> Result<Option<Actor>> {
    let row: Option<(i64, String, i64, String, Option<i64>)> = on_db!(db, |p| {
        sqlx::query_as(
            "select account_token_id, kind, account_id, name, last_used_at from account_token \
             where token_hash = $1 and revoked_at is null and account_id is not null",
        )
        .bind(secret_hash(secret))
        .fetch_optional(p)
        .await?
    });
    let Some((token_id, kind, account_id, name, last_used_at)) = row else {
        return Ok(None);
    };
    // Like a session's, a token's last use is recorded at most once a minute: a write on every
    // call would queue all API traffic behind SQLite's single writer.
    if last_used_at.is_none_or(|t| now - t > TOUCH_EVERY_MS) {
        on_db!(db, |p| {
            sqlx::query("update account_token set last_used_at = $2 where account_token_id = $1")
                .bind(token_id)
                .bind(now)
                .execute(p)
                .await?;
        });
    }
    let via = if kind == "integration" {
        Via::ApiKey { name }
    } else {
        Via::PersonalToken
    };
    load_actor(db, account_id, via).await
}
