//! Personal API tokens (act as their owner) and integration API keys (act for a community).

use serde_json::json;
use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::FieldErrors;
use yijia_kernel::{secret, text, Actor, AppState, Error, Place, Result, Role};

use crate::model::ScopeCodes;
use crate::permissions::MANAGE;
use crate::repo;

/// The password hash of an account that cannot sign in: it is not a hash, so nothing verifies.
const NO_PASSWORD: &str = "!";

/// Issues a personal token for the actor; the secret is returned once and stored as a hash.
pub async fn create_personal(state: &AppState, actor: &Actor, name: &str) -> Result<String> {
    let account_id = actor.account_id.ok_or(Error::Forbidden)?;
    let mut e = FieldErrors::default();
    let name = text::required(&mut e, "name", name, 40);
    e.into_result()?;
    let tx = state.db.begin_write().await?;
    issue(tx, state, actor, "personal", account_id, None, &name).await
}

/// Creates an integration API key for a community (the command line's `apikey create`). The
/// integration gets an account of its own, which cannot sign in, holding the `integration`
/// role over the community: its key reaches what that role reaches, and nothing else.
pub async fn create_api_key(state: &AppState, actor: &Actor, community_code: &str, name: &str) -> Result<String> {
    let mut e = FieldErrors::default();
    let name = text::required(&mut e, "name", name, 40);
    e.into_result()?;
    let codes = ScopeCodes {
        community: community_code.trim().to_owned(),
        ..ScopeCodes::default()
    };
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let grant = repo::resolve_scope(&mut tx, Role::Integration, &codes)
        .await?
        .map_err(|_| Error::field("community", "accounts.unknown_scope"))?;
    let place = Place {
        district_id: grant.district_id,
        subdistrict_id: grant.subdistrict_id,
        community_id: grant.community_id,
        grid_id: None,
    };
    MANAGE.check(actor, &place)?;
    let username = format!(
        "int-{}-{}",
        codes.community.to_ascii_lowercase(),
        &secret::new_secret("")[..8]
    );
    let account = repo::InsertAccount {
        username: &username,
        display_name: &name,
        phone: "",
        password_hash: NO_PASSWORD,
        must_change_password: false,
        now,
    };
    let account_id = repo::insert_account(&mut tx, &account).await?;
    repo::insert_grant(&mut tx, account_id, &grant, now).await?;
    let after = json!({ "username": username, "display_name": name, "role": grant.role.as_str() });
    let entry = Entry::new("account.create", "account", account_id)
        .community(grant.community_id)
        .after(Some(&after));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    issue(tx, state, actor, "integration", account_id, grant.community_id, &name).await
}

async fn issue(
    mut tx: Tx,
    state: &AppState,
    actor: &Actor,
    kind: &str,
    account_id: i64,
    community_id: Option<i64>,
    name: &str,
) -> Result<String> {
    let now = state.now_ms();
    let token = secret::new_secret("yjt_");
    let id = repo::insert_token(
        &mut tx,
        kind,
        Some(account_id),
        community_id,
        name,
        &secret::secret_hash(&token),
        now,
    )
    .await?;
    let after = json!({ "kind": kind, "name": name, "account_id": account_id });
    let entry = Entry::new("token.create", "account_token", id)
        .community(community_id)
        .after(Some(&after));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes one of the actor's own tokens.
pub async fn revoke(state: &AppState, actor: &Actor, token_id: i64) -> Result<()> {
    let account_id = actor.account_id.ok_or(Error::Forbidden)?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    if !repo::revoke_token(&mut tx, account_id, token_id, now).await? {
        return Err(Error::NotFound);
    }
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("token.revoke", "account_token", token_id),
    )
    .await?;
    Ok(tx.commit().await?)
}
