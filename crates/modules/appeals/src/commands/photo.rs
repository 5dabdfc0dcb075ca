//! Photos of an appeal: the requester shows what is wrong, the handling party shows what it
//! did. The image's type is sniffed, its size limited and its EXIF block (GPS) stripped before
//! it is stored (kernel `files`); the photo is then served only to those who see the appeal.

use yijia_db::Tx;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::files::{self, PreparedImage};
use yijia_kernel::{Actor, AppState, Error, Result};

use super::{community_tx, locked, Access};
use crate::codes;
use crate::model::Status;
use crate::repo::AppealRow;

/// The largest photo accepted (phones' photos are 2–5 MB).
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;
/// Photos per appeal.
pub const MAX_PHOTOS: i64 = 9;
/// Photos chosen on the form that raises an appeal; more are added on its page.
pub const MAX_INTAKE_PHOTOS: usize = 3;

pub async fn add_photo(state: &AppState, actor: &Actor, appeal_id: i64, bytes: &[u8]) -> Result<String> {
    // The image is checked, cleaned and written before the write lock is taken.
    let image = prepare(state, "photo", bytes).await?;
    let mut tx = state.db.begin_write().await?;
    let a = locked(&mut tx, appeal_id).await?;
    let c = community_tx(&mut tx, a.community_id).await?;
    let access = Access::of(&mut tx, actor, &c, &a).await?;
    if !access.sees() {
        return Err(Error::NotFound);
    }
    if !(access.requester || access.desk || access.handler || access.cohandler) {
        return Err(Error::Forbidden);
    }
    if matches!(Status::parse(&a.status), Some(Status::Closed | Status::Declined)) {
        return Err(Error::conflict(codes::FINISHED, "appeals.finished"));
    }
    let n: i64 = yijia_db::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "select count(*) from appeal_photo where appeal_id = $1"
    )
    .bind(appeal_id)
    .fetch_one(&mut *c)
    .await?);
    if n >= MAX_PHOTOS {
        return Err(Error::field("photo", "appeals.too_many_photos"));
    }
    let now = state.now_ms();
    let sha256 = store(&mut tx, state.vault.audit_key(), actor, &a, &image, now).await?;
    tx.commit().await?;
    Ok(sha256)
}

/// Checks a photo, strips its metadata and writes it under the data directory; errors name
/// `field`. Its row is written by [`store`], in the transaction that attaches it.
pub(crate) async fn prepare(state: &AppState, field: &str, bytes: &[u8]) -> Result<PreparedImage> {
    let image = files::prepare_image(field, bytes, MAX_PHOTO_BYTES).await?;
    files::write_image(state, &image).await?;
    Ok(image)
}

/// Attaches a prepared photo to the appeal `a` in the caller's transaction (the appeal's
/// raising, or a photo added later).
pub(crate) async fn store(
    tx: &mut Tx,
    key: &audit::AuditKey,
    actor: &Actor,
    a: &AppealRow,
    image: &PreparedImage,
    now: i64,
) -> Result<String> {
    let file = files::record_image(tx, image, now).await?;
    yijia_db::on_tx!(tx, |c| sqlx::query(
        "insert into appeal_photo (community_id, appeal_id, sha256, status, added_by_label, created_at) \
         values ($1, $2, $3, $4, $5, $6)"
    )
    .bind(a.community_id)
    .bind(a.appeal_id)
    .bind(&file.sha256)
    .bind(&a.status)
    .bind(actor.display_name.as_str())
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    let entry = Entry::new("appeal.photo", "appeal", a.appeal_id)
        .community(Some(a.community_id))
        .after(Some(&serde_json::json!({ "sha256": file.sha256, "status": a.status })));
    audit::record(tx, key, now, actor, entry).await?;
    Ok(file.sha256)
}
