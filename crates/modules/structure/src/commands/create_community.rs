use serde::Deserialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::error::{FieldErrors, Message};
use yijia_kernel::{text, Actor, AppState, Error, Place, Result};

use crate::permissions::TENANCY;
use crate::repo::{self, Community, CommunityValues};

/// A community's settings as a person fills them in. A form sends every field; a PATCH only
/// those it changes (see [`CommunityInput::over`]).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityInput {
    /// The subdistrict's code; on creation only.
    #[serde(default)]
    pub subdistrict: Option<String>,
    /// On creation only: other systems know the community by it (the Open311 jurisdiction).
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

impl CommunityInput {
    /// A field's value as typed, for showing a form again.
    pub fn get(&self, field: &str) -> &str {
        let v = match field {
            "subdistrict" => &self.subdistrict,
            "code" => &self.code,
            "name" => &self.name,
            "brand" => &self.brand,
            "time_zone" => &self.time_zone,
            _ => &self.address,
        };
        v.as_deref().unwrap_or("")
    }

    /// The settings of a form filled from the community as it is.
    pub fn of(c: &Community) -> CommunityInput {
        CommunityInput {
            subdistrict: None,
            code: None,
            name: Some(c.name.clone()),
            brand: Some(c.brand.clone()),
            time_zone: Some(c.time_zone.clone()),
            address: Some(c.address.clone()),
        }
    }

    /// A change: the fields left out keep their value; the code and subdistrict cannot change.
    pub fn over(&self, current: &Community) -> Result<CommunityValues> {
        let mut e = FieldErrors::default();
        for (field, v) in [("code", &self.code), ("subdistrict", &self.subdistrict)] {
            if v.is_some() {
                e.add(field, Message::new("structure.fixed"));
            }
        }
        e.into_result()?;
        let keep = |v: &Option<String>, cur: &str| v.clone().unwrap_or_else(|| cur.to_owned());
        let merged = CommunityInput {
            name: Some(keep(&self.name, &current.name)),
            brand: Some(keep(&self.brand, &current.brand)),
            time_zone: Some(keep(&self.time_zone, &current.time_zone)),
            address: Some(keep(&self.address, &current.address)),
            ..CommunityInput::default()
        };
        let mut values = merged.parse(false)?;
        values.code = current.code.clone();
        Ok(values)
    }

    fn parse(&self, creating: bool) -> Result<CommunityValues> {
        let mut e = FieldErrors::default();
        let code = if creating {
            text::code(&mut e, "code", self.get("code"))
        } else {
            String::new()
        };
        if creating && self.get("subdistrict").trim().is_empty() {
            e.add("subdistrict", Message::new("field.required"));
        }
        let tz = match self.get("time_zone").trim() {
            "" => "Asia/Shanghai",
            tz => tz,
        };
        let values = CommunityValues {
            code,
            name: text::required(&mut e, "name", self.get("name"), 40),
            brand: text::optional(&mut e, "brand", self.get("brand"), 20),
            time_zone: text::time_zone(&mut e, "time_zone", tz),
            address: text::optional(&mut e, "address", self.get("address"), 100),
        };
        e.into_result()?;
        Ok(values)
    }
}

/// Creates a community in a subdistrict (platform administrators).
pub async fn create_community(state: &AppState, actor: &Actor, input: &CommunityInput) -> Result<i64> {
    TENANCY.check(actor, &Place::default())?;
    let values = input.parse(true)?;
    let mut e = FieldErrors::default();
    let subdistrict = text::code(&mut e, "subdistrict", input.get("subdistrict"));
    e.into_result()?;
    let now = state.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (district_id, subdistrict_id) = repo::area_by_code(&mut tx, true, &subdistrict)
        .await?
        .ok_or_else(|| Error::field("subdistrict", "structure.unknown_target"))?;
    let id = repo::insert_community(&mut tx, district_id, subdistrict_id, &values, now).await?;
    let after = repo::community_snapshot(&mut tx, id).await?;
    let entry = Entry::new("community.create", "community", id)
        .community(Some(id))
        .after(after.as_ref());
    audit::record(&mut tx, state.vault.audit_key(), now, actor, entry).await?;
    tx.commit().await?;
    Ok(id)
}
