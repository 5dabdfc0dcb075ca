use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::FieldErrors;
use yijia_kernel::{text, Actor, AppState, Error, Place, Result};

use crate::permissions::TENANCY;
use crate::repo;

/// A district (no parent) or a subdistrict (with its district's code).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
}

/// Creates a district, or a subdistrict when `input.district` names its district.
pub async fn create_area(state: &AppState, actor: &Actor, subdistrict: bool, input: &AreaInput) -> Result<i64> {
    let mut e = FieldErrors::default();
    TENANCY.check(actor, &Place::default())?;
    let code = text::code(&mut e, "code", &input.code);
    let name = text::required(&mut e, "name", &input.name, 40);
    let district = if subdistrict {
        text::code(&mut e, "district", &input.district)
    } else {
        String::new()
    };
    e.into_result()?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let id = if subdistrict {
        let (district_id, _) = repo::area_by_code(&mut tx, false, &district)
            .await?
            .ok_or_else(|| Error::field("district", "structure.unknown_target"))?;
        repo::insert_subdistrict(&mut tx, district_id, &code, &name, now).await?
    } else {
        repo::insert_district(&mut tx, &code, &name, now).await?
    };
    let entity = if subdistrict { "subdistrict" } else { "district" };
    let after = serde_json::json!({ "code": code, "name": name, "district": input.district });
    let action = format!("{entity}.create");
    let entry = Entry::new(&action, entity, id).after(Some(&after));
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}
