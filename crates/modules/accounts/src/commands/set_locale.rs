use yijia_kernel::i18n::Locale;
use yijia_kernel::{Actor, AppState, Result};

use crate::repo;

/// Remembers the language a person chose, so every device they sign in from uses it.
pub async fn set_locale(state: &AppState, actor: &Actor, locale: Locale) -> Result<()> {
    if let Some(id) = actor.account_id {
        let mut tx = state.db.begin_write().await?;
        repo::set_locale(&mut tx, id, locale.as_str(), state.now_ms()).await?;
        tx.commit().await?;
    }
    Ok(())
}
