use serde_json::json;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{secret, Actor, AppState, Error, Place, Result};

use crate::model::NewAccount;
use crate::permissions::MANAGE;
use crate::repo::{self, InsertAccount};

/// The new account, and its password when one was generated (shown once, never stored plain).
pub struct Created {
    pub account_id: i64,
    pub generated_password: Option<String>,
}

/// Creates an account with one role grant. The actor must manage accounts over the grant's
/// scope: a community administrator can give roles inside their community only.
pub async fn create_account(state: &AppState, actor: &Actor, input: NewAccount) -> Result<Created> {
    // Argon2 is costly: only someone who may create accounts somewhere gets to make us run it.
    if !MANAGE.held_by(actor) {
        return Err(Error::Forbidden);
    }
    let (password, generated) = match &input.password {
        Some(p) => (p.clone(), None),
        None => {
            let p = secret::new_password();
            (p.clone(), Some(p))
        }
    };
    let hash = secret::with_argon2(move || secret::hash_password(&password)).await??;
    insert(state, actor, &input, &hash, generated).await
}

/// Creates an account whose password is already hashed: the demo's accounts, which share one
/// published password, are made with one Argon2 computation instead of one each (each takes
/// 19 MiB, and the allocator kept them: a first start with the demo held 275 MB).
pub async fn create_with_hash(state: &AppState, actor: &Actor, input: NewAccount, hash: &str) -> Result<Created> {
    if !MANAGE.held_by(actor) {
        return Err(Error::Forbidden);
    }
    insert(state, actor, &input, hash, None).await
}

async fn insert(
    state: &AppState,
    actor: &Actor,
    input: &NewAccount,
    hash: &str,
    generated: Option<String>,
) -> Result<Created> {
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let grant = match repo::resolve_scope(&mut tx, input.role, &input.scope).await? {
        Ok(g) => g,
        Err(field) => return Err(Error::field(field, "accounts.unknown_scope")),
    };
    let place = Place {
        district_id: grant.district_id,
        subdistrict_id: grant.subdistrict_id,
        community_id: grant.community_id,
        grid_id: grant.grid_id,
    };
    MANAGE.check(actor, &place)?;
    let account_id = repo::insert_account(
        &mut tx,
        &InsertAccount {
            username: &input.username,
            display_name: &input.display_name,
            phone: &input.phone,
            password_hash: hash,
            must_change_password: generated.is_some(),
            now,
        },
    )
    .await?;
    repo::insert_grant(&mut tx, account_id, &grant, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("account.create", "account", account_id)
            .community(grant.community_id)
            .after(Some(&json!({
                "username": input.username,
                "display_name": input.display_name,
                "role": grant.role.as_str(),
                "scope": grant.scope.as_str(),
                "grid_id": grant.grid_id,
            }))),
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        account_id,
        generated_password: generated,
    })
}
