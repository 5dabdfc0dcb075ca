use yijia_db::on_tx;
use yijia_kernel::audit::Entry;
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{current, locked_resident, record};
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent};

/// Links a resident's own account to their registry record, so they can see their data and
/// ask for corrections; an empty username removes the link. The account must belong to the
/// community (hold a role in it), and an account is linked to one record at a time.
pub async fn link_account(state: &AppState, actor: &Actor, id: i64, username: &str) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    let (r, at) = locked_resident(&mut tx, actor, &WRITE, id).await?;
    current(&r)?;
    let username = username.trim();
    let account = if username.is_empty() {
        None
    } else {
        let found: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "select a.account_id from account a where a.username = $1 and a.status = 'active' and exists \
             (select 1 from account_role g where g.account_id = a.account_id and g.revoked_at is null \
             and g.community_id = $2)"
        )
        .bind(username)
        .bind(at.community_id)
        .fetch_optional(&mut *c)
        .await?);
        Some(found.ok_or_else(|| Error::field("username", "registry.no_such_account"))?)
    };
    if let Some(account) = account {
        if repo::resident_of_account(&state.db, account)
            .await?
            .is_some_and(|other| other.resident_id != id)
        {
            return Err(Error::field("username", "registry.account_linked"));
        }
    }
    repo::set_account(&mut tx, id, account, state.now_ms()).await?;
    let entry = Entry::new("resident.link_account", "resident", id)
        .community(Some(at.community_id))
        .before(Some(&serde_json::json!({ "account_id": r.account_id })))
        .after(Some(&serde_json::json!({ "account_id": account })));
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(id),
        kind: "resident.link_account",
        detail: username.to_owned(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(())
}
