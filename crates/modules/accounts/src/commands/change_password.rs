use yijia_kernel::actor::Via;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::FieldErrors;
use yijia_kernel::{secret, Actor, AppState, Error, Result};

use crate::model::check_password;
use crate::repo;

/// Changes the actor's own password after checking the current one; every other session of the
/// account ends and every personal API token is revoked, so neither a stolen session nor a token
/// taken with the old password outlives the change.
pub async fn change_password(state: &AppState, actor: &Actor, current: &str, new: &str, repeat: &str) -> Result<()> {
    let account_id = actor.account_id.ok_or(Error::Forbidden)?;
    let mut e = FieldErrors::default();
    check_password(&mut e, "new_password", new);
    if new != repeat {
        e.add(
            "repeat_password",
            yijia_kernel::error::Message::new("accounts.password_mismatch"),
        );
    }
    e.into_result()?;
    let stored = repo::password_hash(&state.db, account_id).await?;
    let (cur, new_pw) = (current.to_owned(), new.to_owned());
    let new_hash = secret::with_argon2(move || {
        if secret::verify_password(&cur, &stored) {
            secret::hash_password(&new_pw).map(Some)
        } else {
            Ok(None)
        }
    })
    .await??;
    let Some(new_hash) = new_hash else {
        return Err(Error::field("current_password", "accounts.wrong_password"));
    };
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    repo::set_password(&mut tx, account_id, &new_hash, now).await?;
    let keep = match &actor.via {
        Via::Session { session_hash } => session_hash.clone(),
        _ => String::new(),
    };
    repo::end_other_sessions(&mut tx, account_id, &keep).await?;
    let revoked = repo::revoke_tokens(&mut tx, account_id, now).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        now,
        actor,
        Entry::new("account.password_change", "account", account_id)
            .after(Some(&serde_json::json!({ "tokens_revoked": revoked }))),
    )
    .await?;
    Ok(tx.commit().await?)
}
