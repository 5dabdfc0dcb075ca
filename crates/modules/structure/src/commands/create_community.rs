use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::FieldErrors;
use yijia_kernel::{text, Actor, AppState, Error, Place, Result};

use crate::permissions::TENANCY;
use crate::repo::{self, CommunityValues};

/// A community's settings as a person fills them in.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityInput {
    #[serde(default)]
    pub subdistrict: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub address: String,
}

impl CommunityInput {
    pub fn parse(&self, creating: bool) -> Result<CommunityValues> {
        let mut e = FieldErrors::default();
        let code = if creating {
            text::code(&mut e, "code", &self.code)
        } else {
            String::new()
        };
        if creating && self.subdistrict.trim().is_empty() {
            e.add("subdistrict", yijia_kernel::error::Message::new("field.required"));
        }
        let tz = if self.time_zone.trim().is_empty() {
            "Asia/Shanghai"
        } else {
            self.time_zone.as_str()
        };
        let values = CommunityValues {
            code,
            name: text::required(&mut e, "name", &self.name, 40),
            brand: text::optional(&mut e, "brand", &self.brand, 20),
            time_zone: text::time_zone(&mut e, "time_zone", tz),
            address: text::optional(&mut e, "address", &self.address, 100),
        };
        e.into_result()?;
        Ok(values)
    }
}

/// Creates a community in a subdistrict (platform administrators).
pub async fn create_community(state: &AppState, actor: &Actor, input: &CommunityInput) -> Result<i64> {
    let values = input.parse(true)?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (district_id, subdistrict_id) = repo::area_by_code(&mut tx, true, input.subdistrict.trim())
        .await?
        .ok_or_else(|| Error::field("subdistrict", "structure.unknown_target"))?;
    TENANCY.check(
        actor,
        &Place {
            district_id: Some(district_id),
            subdistrict_id: Some(subdistrict_id),
            ..Place::default()
        },
    )?;
    let id = repo::insert_community(&mut tx, district_id, subdistrict_id, &values, now).await?;
    let after = repo::community_snapshot(&mut tx, id).await?;
    let entry = Entry::new("community.create", "community", id)
        .community(Some(id))
        .after(after.as_ref());
    audit::record(&mut tx, now, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}
