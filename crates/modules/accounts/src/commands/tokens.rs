//! Personal API tokens (act as their owner) and integration API keys (act for a community).

use serde_json::json;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::FieldErrors;
use yijia_kernel::{secret, text, Actor, AppState, Error, Result};

use crate::repo;

/// Issues a personal token for the actor; the secret is returned once and stored as a hash.
pub async fn create_personal(state: &AppState, actor: &Actor, name: &str) -> Result<String> {
    let account_id = actor.account_id.ok_or(Error::Forbidden)?;
    let mut e = FieldErrors::default();
    let name = text::required(&mut e, "name", name, 40);
    e.into_result()?;
    issue(state, actor, "personal", Some(account_id), None, &name).await
}

/// Creates an integration API key for a community (the command line's `apikey create`).
pub async fn create_api_key(
    state: &AppState,
    actor: &Actor,
    community_code: &str,
    name: &str,
) -> Result<String> {
    let mut e = FieldErrors::default();
    let name = text::required(&mut e, "name", name, 40);
    e.into_result()?;
    let community_id = repo::community_id_by_code(&state.db, community_code.trim())
        .await?
        .ok_or_else(|| Error::field("community", "accounts.unknown_scope"))?;
    issue(state, actor, "integration", None, Some(community_id), &name).await
}

async fn issue(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    account_id: Option<i64>,
    community_id: Option<i64>,
    name: &str,
) -> Result<String> {
    let now = state.now_ms();
    let token = secret::new_secret("yjt_");
    let mut tx = state.db.begin_write().await?;
    let id = repo::insert_token(
        &mut tx,
        kind,
        account_id,
        community_id,
        name,
        &secret::secret_hash(&token),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        actor,
        Entry {
            action: "token.create",
            entity: "account_token",
            entity_id: id.to_string(),
            community_id,
            before: None,
            after: Some(json!({ "kind": kind, "name": name, "account_id": account_id })),
            purpose: None,
        },
    )
    .await?;
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
        now,
        actor,
        Entry {
            action: "token.revoke",
            entity: "account_token",
            entity_id: token_id.to_string(),
            community_id: None,
            before: None,
            after: None,
            purpose: None,
        },
    )
    .await?;
    Ok(tx.commit().await?)
}
