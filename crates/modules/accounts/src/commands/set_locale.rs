use serde_json::json;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::i18n::Locale;
use yijia_kernel::{Actor, AppState, Result};

use crate::repo;

/// Remembers the language a person chose, so every device they sign in from uses it.
pub async fn set_locale(state: &AppState, actor: &Actor, locale: Locale) -> Result<()> {
    let Some(id) = actor.account_id else { return Ok(()) };
    if actor.locale == locale {
        return Ok(());
    }
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    repo::set_locale(&mut tx, id, locale.as_str(), now).await?;
    let entry = Entry::new("account.locale", "account", id)
        .before(Some(&json!({ "locale": actor.locale.as_str() })))
        .after(Some(&json!({ "locale": locale.as_str() })));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
