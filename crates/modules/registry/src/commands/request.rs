use yijia_kernel::audit::{self, Entry};
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use crate::codes;
use crate::permissions::REQUESTS;
use crate::repo;

/// A resident asks to correct their data, or for a copy of it (PIPL arts 45–46). Only a
/// person whose account is linked to a registry record can ask.
pub async fn submit(state: &AppState, actor: &Actor, kind: &str, body: &str) -> Result<i64> {
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let mut errs = FieldErrors::default();
    if !matches!(kind, "correction" | "copy") {
        errs.add("kind", yijia_kernel::error::Message::new("registry.bad_choice"));
    }
    let body = text::required(&mut errs, "body", body, 2000);
    errs.into_result()?;
    let r = repo::resident_of_account(&state.db, account)
        .await?
        .ok_or_else(|| Error::conflict(codes::NO_RECORD, "registry.no_record"))?;
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, r.community_id).await?;
    let now = state.now_ms();
    let id = repo::insert_request(&mut tx, &r, account, kind, &body, now).await?;
    let entry = Entry::new("request.create", "registry_request", id)
        .community(Some(r.community_id))
        .after(Some(&serde_json::json!({ "resident_id": r.resident_id, "kind": kind })));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// Staff answer a request: done, or refused with a reason (PIPL art. 50). Either way the
/// answer is required, since the resident reads it.
pub async fn answer(state: &AppState, actor: &Actor, id: i64, status: &str, text_in: &str) -> Result<()> {
    let mut errs = FieldErrors::default();
    if !matches!(status, "done" | "refused") {
        errs.add("status", yijia_kernel::error::Message::new("registry.bad_choice"));
    }
    let answer = text::required(&mut errs, "answer", text_in, 2000);
    errs.into_result()?;
    let mut tx = state.db.begin_write().await?;
    let first = repo::request_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    audit::lock_chain(&mut tx, first.community_id).await?;
    let req = repo::request_tx(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let community = yijia_kernel::community::by_id(&state.db, req.community_id)
        .await?
        .ok_or(Error::NotFound)?;
    REQUESTS.check(actor, &community.place()).map_err(|_| Error::NotFound)?;
    if req.status != "open" {
        return Err(Error::conflict(codes::REQUEST_ANSWERED, "registry.request_answered"));
    }
    let now = state.now_ms();
    repo::answer_request(&mut tx, id, status, &answer, actor.account_id, now).await?;
    let entry = Entry::new("request.answer", "registry_request", id)
        .community(Some(req.community_id))
        .after(Some(&serde_json::json!({ "status": status, "answer": answer })));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(())
}
