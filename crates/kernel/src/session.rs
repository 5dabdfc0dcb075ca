//! Sessions and bearer tokens, resolved to an [`Actor`]. Sessions live in the database, so every
//! instance behind a load balancer sees the same ones; only hashes of the secrets are stored.

use yijia_db::{on_db, on_tx, on_writer, Db, Topic, Tx};

use crate::actor::{Actor, Role, RoleGrant, ScopeKind, Via};
use crate::i18n::Locale;
use crate::secret::{new_secret, secret_hash};
use crate::Result;

/// The name of the session cookie.
pub const COOKIE: &str = "yijia_session";

/// A session is touched (its expiry pushed back) at most this often, to spare writes.
const TOUCH_EVERY_MS: i64 = 60_000;

/// An account with one of its live grants (none: all grant columns null), from one query.
#[derive(sqlx::FromRow)]
struct AccountGrantRow {
    account_id: i64,
    username: String,
    display_name: String,
    locale: String,
    status: String,
    must_change_password: i64,
    role: Option<String>,
    scope_kind: Option<String>,
    district_id: Option<i64>,
    subdistrict_id: Option<i64>,
    community_id: Option<i64>,
    grid_id: Option<i64>,
}

/// Loads an active account with its live grants; `None` if missing or disabled. One query:
/// it runs on every request.
pub async fn load_actor(db: &Db, account_id: i64, via: Via) -> Result<Option<Actor>> {
    let rows: Vec<AccountGrantRow> = on_db!(db, |p| {
        sqlx::query_as(
            "select a.account_id, a.username, a.display_name, a.locale, a.status, a.must_change_password, \
             r.role, r.scope_kind, r.district_id, r.subdistrict_id, r.community_id, r.grid_id \
             from account a left join account_role r on r.account_id = a.account_id and r.revoked_at is null \
             where a.account_id = $1 order by r.account_role_id",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?
    });
    let Some(a) = rows.first().filter(|a| a.status == "active") else {
        return Ok(None);
    };
    Ok(Some(Actor {
        account_id: Some(a.account_id),
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        locale: Locale::parse(&a.locale).unwrap_or_default(),
        must_change_password: a.must_change_password != 0,
        grants: rows.iter().filter_map(grant).collect(),
        via,
    }))
}

fn grant(g: &AccountGrantRow) -> Option<RoleGrant> {
    Some(RoleGrant {
        role: Role::parse(g.role.as_deref()?)?,
        scope: ScopeKind::parse(g.scope_kind.as_deref()?)?,
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
        // Through the writer, as every write: see yijia_db's writer.rs.
        on_writer!(db, |w| {
            sqlx::query("update account_session set last_seen_at = $2, expires_at = $3 where session_hash = $1")
                .bind(&hash)
                .bind(now)
                .bind(now + hours * 3_600_000)
                .execute(w)
                .await?;
        });
    }
    load_actor(db, account_id, Via::Session { session_hash: hash }).await
}

/// Ends a session (logout); other instances may still honour it for `recent::FRESH_MS`.
pub async fn end(db: &Db, session_hash: &str) -> Result<()> {
    let mut tx = db.begin_write().await?;
    tx.touches(Topic::Access);
    on_tx!(&mut tx, |c| {
        sqlx::query("delete from account_session where session_hash = $1")
            .bind(session_hash)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await?;
    Ok(())
}

/// The key under which `recent` remembers whom a session or token secret stands for: its
/// hash, so the memory holds no secret.
pub fn recent_key(kind: &str, secret: &str) -> String {
    format!("{kind}:{}", secret_hash(secret))
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
        on_writer!(db, |w| {
            sqlx::query("update account_token set last_used_at = $2 where account_token_id = $1")
                .bind(token_id)
                .bind(now)
                .execute(w)
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

/// An account's actor by user name (the demo acts as its people), for the command line.
pub async fn load_by_username(db: &Db, username: &str) -> Result<Option<Actor>> {
    let id: Option<i64> = on_db!(db, |p| sqlx::query_scalar(
        "select account_id from account where username = $1"
    )
    .bind(username)
    .fetch_optional(p)
    .await?);
    match id {
        Some(id) => load_actor(db, id, Via::Cli).await,
        None => Ok(None),
    }
}
