//! All of the accounts module's SQL.

use yijia_db::{on_db, on_tx, Db, Topic, Tx};
use yijia_kernel::scope::{self, Cols};
use yijia_kernel::{Error, Result, Role, RoleGrant, ScopeKind};

use crate::model::{AccountView, GrantView, ScopeCodes};
use crate::permissions::MANAGE;

#[derive(sqlx::FromRow)]
pub struct LoginRow {
    pub account_id: i64,
    pub password_hash: String,
    pub status: String,
}

pub async fn find_login(db: &Db, username: &str) -> Result<Option<LoginRow>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select account_id, password_hash, status from account where username = $1")
            .bind(username)
            .fetch_optional(p)
            .await?
    }))
}

pub struct InsertAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub phone: &'a str,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub now: i64,
}

/// Inserts an account; a taken username is a conflict.
pub async fn insert_account(tx: &mut Tx, a: &InsertAccount<'_>) -> Result<i64> {
    tx.touches(Topic::Access);
    let r: std::result::Result<i64, sqlx::Error> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into account (username, display_name, phone, password_hash, must_change_password, created_at, updated_at, password_changed_at) \
             values ($1, $2, $3, $4, $5, $6, $6, $6) returning account_id",
        )
        .bind(a.username)
        .bind(a.display_name)
        .bind(a.phone)
        .bind(a.password_hash)
        .bind(i64::from(a.must_change_password))
        .bind(a.now)
        .fetch_one(&mut *c)
        .await
    });
    r.map_err(|e| Error::from(e).unique_as_field("username", "accounts.username_taken"))
}

/// Finds the scope the codes name for a role, with its ancestors; `None` when a code is unknown.
pub async fn resolve_scope(
    tx: &mut Tx,
    role: Role,
    codes: &ScopeCodes,
) -> Result<std::result::Result<RoleGrant, &'static str>> {
    let kind = if role == Role::Supervisor && codes.subdistrict.is_empty() {
        ScopeKind::District
    } else {
        role.scope_kinds()[0]
    };
    let grant = |district_id, subdistrict_id, community_id, grid_id| RoleGrant {
        role,
        scope: kind,
        district_id,
        subdistrict_id,
        community_id,
        grid_id,
    };
    let found: Option<RoleGrant> = match kind {
        ScopeKind::Platform => Some(grant(None, None, None, None)),
        ScopeKind::District => {
            let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
                "select district_id from district where code = $1 and retired_at is null"
            )
            .bind(&codes.district)
            .fetch_optional(&mut *c)
            .await?);
            id.map(|d| grant(Some(d), None, None, None))
        }
        ScopeKind::Subdistrict => {
            let ids: Option<(i64, i64)> = on_tx!(tx, |c| {
                sqlx::query_as(
                    "select district_id, subdistrict_id from subdistrict where code = $1 and retired_at is null",
                )
                .bind(&codes.subdistrict)
                .fetch_optional(&mut *c)
                .await?
            });
            ids.map(|(d, s)| grant(Some(d), Some(s), None, None))
        }
        ScopeKind::Community => {
            let ids: Option<(i64, i64, i64)> = on_tx!(tx, |c| {
                sqlx::query_as(
                "select district_id, subdistrict_id, community_id from community where code = $1 and retired_at is null"
            )
            .bind(&codes.community)
            .fetch_optional(&mut *c)
            .await?
            });
            ids.map(|(d, s, cm)| grant(Some(d), Some(s), Some(cm), None))
        }
        ScopeKind::Grid => {
            let ids: Option<(i64, i64, i64, i64)> = on_tx!(tx, |c| {
                sqlx::query_as(
                "select c.district_id, c.subdistrict_id, c.community_id, g.grid_id from grid g join community c on c.community_id = g.community_id \
                 where c.code = $1 and g.code = $2 and g.retired_at is null"
            )
            .bind(&codes.community)
            .bind(&codes.grid)
            .fetch_optional(&mut *c)
            .await?
            });
            ids.map(|(d, s, cm, g)| grant(Some(d), Some(s), Some(cm), Some(g)))
        }
    };
    Ok(found.ok_or(match kind {
        ScopeKind::District => "district",
        ScopeKind::Subdistrict => "subdistrict",
        ScopeKind::Grid => "grid",
        _ => "community",
    }))
}

pub async fn insert_grant(tx: &mut Tx, account_id: i64, g: &RoleGrant, now: i64) -> Result<i64> {
    tx.touches(Topic::Access);
    let scope_id = match g.scope {
        ScopeKind::Platform => None,
        ScopeKind::District => g.district_id,
        ScopeKind::Subdistrict => g.subdistrict_id,
        ScopeKind::Community => g.community_id,
        ScopeKind::Grid => g.grid_id,
    };
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into account_role (account_id, role, scope_kind, scope_id, district_id, subdistrict_id, community_id, grid_id, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning account_role_id",
        )
        .bind(account_id)
        .bind(g.role.as_str())
        .bind(g.scope.as_str())
        .bind(scope_id)
        .bind(g.district_id)
        .bind(g.subdistrict_id)
        .bind(g.community_id)
        .bind(g.grid_id)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    }))
}

/// The accounts an actor may manage: all for a platform administrator, otherwise those holding
/// a grant inside the actor's communities.
pub async fn list_accounts(db: &Db, actor_account: i64, after: i64, limit: i64) -> Result<Vec<AccountView>> {
    let sql = format!(
        "select a.account_id, a.username, a.display_name, a.phone, a.locale, a.status, a.created_at from account a \
         where a.account_id > $2 and (exists (select 1 from account_role p where p.account_id = $1 and p.role = 'platform_admin' and p.revoked_at is null) \
         or exists (select 1 from account_role g where g.account_id = a.account_id and g.revoked_at is null and g.community_id is not null and {})) \
         order by a.account_id limit $3",
        scope::reach(&MANAGE, &Cols { community: "g.community_id", grid: None }, "$1")
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(actor_account)
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// The live grants of some accounts, with the name of each scope.
pub async fn grants_of(db: &Db, first: i64, last: i64) -> Result<Vec<GrantView>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select r.account_id, r.role, r.scope_kind, \
             coalesce(g.name, c.name, s.name, d.name) as scope_name, r.community_id, r.grid_id \
             from account_role r left join grid g on g.grid_id = r.grid_id left join community c on c.community_id = r.community_id \
             left join subdistrict s on s.subdistrict_id = r.subdistrict_id left join district d on d.district_id = r.district_id \
             where r.revoked_at is null and r.account_id between $1 and $2 order by r.account_role_id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(p)
        .await?
    }))
}

pub async fn account_view(db: &Db, account_id: i64) -> Result<Option<AccountView>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select account_id, username, display_name, phone, locale, status, created_at from account where account_id = $1")
            .bind(account_id)
            .fetch_optional(p)
            .await?
    }))
}

/// When a key's lock ends, if it is locked now.
pub async fn throttle_locked_until(tx: &mut Tx, key: &str, now: i64) -> Result<Option<i64>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select locked_until from account_throttle where throttle_key = $1 and locked_until > $2")
            .bind(key)
            .bind(now)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// Counts one sign-in attempt under a key, before the password is checked, so that parallel
/// guesses are counted too. Returns when the key is locked until, if it is: after more than
/// `max` attempts in a window, for one window's length. A window (or a lock) that is over
/// starts the count again: a lock the moment it ends, even when all its failures came in one
/// instant (the first attempt at `Retry-After` used to count on and lock again).
pub async fn throttle_attempt(tx: &mut Tx, key: &str, now: i64, window_ms: i64, max: i64) -> Result<Option<i64>> {
    let (attempts, locked_until): (i64, i64) = on_tx!(tx, |c| {
        sqlx::query_as(
            "insert into account_throttle (throttle_key, failures, window_start, locked_until) values ($1, 1, $2, 0) \
             on conflict (throttle_key) do update set \
             failures = case when account_throttle.locked_until <= $2 and (account_throttle.locked_until > 0 \
                 or account_throttle.window_start <= $2 - $3) then 1 else account_throttle.failures + 1 end, \
             window_start = case when account_throttle.locked_until <= $2 and (account_throttle.locked_until > 0 \
                 or account_throttle.window_start <= $2 - $3) then $2 else account_throttle.window_start end, \
             locked_until = case when account_throttle.locked_until <= $2 and (account_throttle.locked_until > 0 \
                 or account_throttle.window_start <= $2 - $3) then 0 else account_throttle.locked_until end \
             returning failures, locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(window_ms)
        .fetch_one(&mut *c)
        .await?
    });
    if locked_until > now {
        return Ok(Some(locked_until));
    }
    if attempts <= max {
        return Ok(None);
    }
    let until = now + window_ms;
    on_tx!(tx, |c| {
        sqlx::query("update account_throttle set locked_until = $2 where throttle_key = $1")
            .bind(key)
            .bind(until)
            .execute(&mut *c)
            .await?;
    });
    Ok(Some(until))
}

/// Takes back one counted attempt (a successful sign-in from an address).
pub async fn throttle_forgive(tx: &mut Tx, key: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("update account_throttle set failures = failures - 1 where throttle_key = $1 and failures > 0")
            .bind(key)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

pub async fn throttle_clear(tx: &mut Tx, key: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from account_throttle where throttle_key = $1")
            .bind(key)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

#[derive(sqlx::FromRow, Debug, serde::Serialize)]
pub struct TokenView {
    pub account_token_id: i64,
    pub kind: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl TokenView {
    /// When the token was last used, for display (times show in China Standard Time).
    pub fn last_used(&self) -> String {
        self.last_used_at.map_or_else(
            || "—".to_owned(),
            |ms| yijia_kernel::clock::format_local(ms, "Asia/Shanghai"),
        )
    }
}

pub async fn insert_token(
    tx: &mut Tx,
    kind: &str,
    account_id: Option<i64>,
    community_id: Option<i64>,
    name: &str,
    hash: &str,
    now: i64,
) -> Result<i64> {
    tx.touches(Topic::Access);
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into account_token (token_hash, kind, account_id, community_id, name, created_at) values ($1, $2, $3, $4, $5, $6) returning account_token_id",
        )
        .bind(hash)
        .bind(kind)
        .bind(account_id)
        .bind(community_id)
        .bind(name)
        .bind(now)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub async fn tokens_of(db: &Db, account_id: i64) -> Result<Vec<TokenView>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select account_token_id, kind, name, created_at, last_used_at from account_token \
             where account_id = $1 and revoked_at is null order by account_token_id desc",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?
    }))
}

/// Revokes one of the account's own tokens; false when there is no such live token.
pub async fn revoke_token(tx: &mut Tx, account_id: i64, token_id: i64, now: i64) -> Result<bool> {
    tx.touches(Topic::Access);
    let n = on_tx!(tx, |c| {
        sqlx::query("update account_token set revoked_at = $3 where account_token_id = $1 and account_id = $2 and revoked_at is null")
            .bind(token_id)
            .bind(account_id)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

pub async fn password_hash(db: &Db, account_id: i64) -> Result<String> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select password_hash from account where account_id = $1"
    )
    .bind(account_id)
    .fetch_one(p)
    .await?))
}

pub async fn set_password(tx: &mut Tx, account_id: i64, hash: &str, now: i64) -> Result<()> {
    tx.touches(Topic::Access);
    on_tx!(tx, |c| {
        sqlx::query("update account set password_hash = $2, must_change_password = 0, password_changed_at = $3, updated_at = $3 where account_id = $1")
            .bind(account_id)
            .bind(hash)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Ends every session of an account but one (after a password change).
pub async fn end_other_sessions(tx: &mut Tx, account_id: i64, keep: &str) -> Result<()> {
    tx.touches(Topic::Access);
    on_tx!(tx, |c| {
        sqlx::query("delete from account_session where account_id = $1 and session_hash <> $2")
            .bind(account_id)
            .bind(keep)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Revokes every live personal token of an account (after a password change: a token taken
/// with the old password must not outlive it).
pub async fn revoke_tokens(tx: &mut Tx, account_id: i64, now: i64) -> Result<u64> {
    tx.touches(Topic::Access);
    Ok(on_tx!(tx, |c| {
        sqlx::query("update account_token set revoked_at = $2 where account_id = $1 and revoked_at is null")
            .bind(account_id)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
    }))
}

pub async fn set_locale(tx: &mut Tx, account_id: i64, locale: &str, now: i64) -> Result<()> {
    tx.touches(Topic::Access);
    on_tx!(tx, |c| {
        sqlx::query("update account set locale = $2, updated_at = $3 where account_id = $1")
            .bind(account_id)
            .bind(locale)
            .bind(now)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}
