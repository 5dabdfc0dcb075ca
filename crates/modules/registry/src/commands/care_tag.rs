use serde::{Deserialize, Serialize};
use yijia_kernel::audit::Entry;
use yijia_kernel::error::Message;
use yijia_kernel::vault::Vault;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{care_blind, current, field, locked_resident, record, today_in};
use crate::model::{parse_date, CareGroup, CareKind, DisabilityCategory, CUSTOM_CARE_GROUPS};
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent, TagRow};

/// A care-group tag as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TagInput {
    pub kind: String,
    /// For disabilities: the certificate's category and level (1–4).
    pub category: String,
    pub level: String,
    pub note: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// What a tag says beyond its kind; sealed as one JSON value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct TagDetail {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// An opened tag, for those allowed to see it.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub care_tag_id: i64,
    pub resident_id: i64,
    /// The group's code: a national kind (`elderly_alone`) or `custom:<label>`.
    pub kind: String,
    pub detail: TagDetail,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub current: bool,
}

impl Tag {
    pub fn group(&self) -> CareGroup {
        CareGroup::from_code(&self.kind).unwrap_or(CareGroup::Kind(CareKind::Other))
    }
}

/// Opens sealed tags; `today` decides which are current.
pub fn open_tags(vault: &Vault, rows: &[TagRow], today: &str) -> Result<Vec<Tag>> {
    rows.iter()
        .map(|r| {
            let code = vault.open(field::CARE_KIND, &r.kind_sealed)?;
            let kind = CareGroup::from_code(&code)
                .ok_or_else(|| anyhow::anyhow!("care tag {} has an unknown group {code:?}", r.care_tag_id))?;
            let detail = match &r.detail_sealed {
                Some(d) => yijia_kernel::stored::json(
                    &vault.open(field::CARE_DETAIL, d)?,
                    format_args!("detail of care tag {}", r.care_tag_id),
                )?,
                None => TagDetail::default(),
            };
            Ok(Tag {
                care_tag_id: r.care_tag_id,
                resident_id: r.resident_id,
                kind: kind.code().into_owned(),
                detail,
                current: r.starts_on.as_str() <= today && r.ends_on.as_deref().is_none_or(|e| e >= today),
                starts_on: r.starts_on.clone(),
                ends_on: r.ends_on.clone(),
            })
        })
        .collect()
}

impl TagInput {
    /// Checks a tag against the groups the community offers (`custom` lists its own).
    fn parse(
        &self,
        today: jiff::civil::Date,
        custom: &[String],
    ) -> std::result::Result<(CareGroup, TagDetail, String, Option<String>), FieldErrors> {
        let mut errs = FieldErrors::default();
        let kind = CareGroup::offered(&self.kind, custom);
        if kind.is_none() {
            errs.add("kind", Message::new("registry.bad_choice"));
        }
        let mut detail = TagDetail {
            note: text::optional(&mut errs, "note", &self.note, 200),
            ..TagDetail::default()
        };
        if kind == Some(CareGroup::Kind(CareKind::Disabled)) {
            if !self.category.trim().is_empty() {
                match DisabilityCategory::parse(&self.category) {
                    Some(c) => detail.category = c.as_str().to_owned(),
                    None => errs.add("category", Message::new("registry.bad_choice")),
                }
            }
            if !self.level.trim().is_empty() {
                match self.level.trim().parse::<u8>() {
                    Ok(l @ 1..=4) => detail.level = Some(l),
                    _ => errs.add("level", Message::new("registry.bad_level")),
                }
            }
        }
        let starts = match self.starts_on.trim() {
            "" => Some(today),
            s => parse_date(s).or_else(|| {
                errs.add("starts_on", Message::new("registry.bad_date"));
                None
            }),
        };
        let ends = match self.ends_on.trim() {
            "" => None,
            s => parse_date(s).or_else(|| {
                errs.add("ends_on", Message::new("registry.bad_date"));
                None
            }),
        };
        if let (Some(s), Some(e)) = (starts, ends) {
            if e < s {
                errs.add("ends_on", Message::new("registry.ends_before_start"));
            }
        }
        match (kind, starts) {
            (Some(k), Some(s)) if errs.is_empty() => Ok((k, detail, s.to_string(), ends.map(|e| e.to_string()))),
            _ => Err(errs),
        }
    }
}

/// Tags a resident with a care group, from a day (today when left empty).
pub async fn add_tag(state: &AppState, actor: &Actor, resident_id: i64, input: &TagInput) -> Result<i64> {
    let mut tx = state.db.begin_write().await?;
    let (r, at) = locked_resident(&mut tx, actor, &WRITE, resident_id).await?;
    current(&r)?;
    let custom = yijia_kernel::settings::get_list(&mut tx, at.community_id, &CUSTOM_CARE_GROUPS).await?;
    let (kind, detail, starts_on, ends_on) = input
        .parse(today_in(state, &at.time_zone), &custom)
        .map_err(Error::Validation)?;
    let v = &state.vault;
    let detail_json = serde_json::to_string(&detail).map_err(|e| Error::Internal(e.into()))?;
    let detail_sealed = (detail != TagDetail::default()).then(|| v.seal(field::CARE_DETAIL, &detail_json));
    let id = repo::insert_tag(
        &mut tx,
        at.community_id,
        resident_id,
        &care_blind(v, at.community_id, &kind),
        &v.seal(field::CARE_KIND, &kind.code()),
        detail_sealed.as_deref(),
        &starts_on,
        ends_on.as_deref(),
        state.now_ms(),
    )
    .await?;
    // The audit and history record that a tag was added, not which: the kind is sensitive.
    let entry = Entry::new("care_tag.create", "care_tag", id)
        .community(Some(at.community_id))
        .after(Some(
            &serde_json::json!({ "resident_id": resident_id, "starts_on": starts_on }),
        ));
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(resident_id),
        kind: "care_tag.create",
        detail: r.name.clone(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a tag on a day (today when empty); the tag and its period stay in the record.
pub async fn end_tag(state: &AppState, actor: &Actor, tag_id: i64, ends_on: &str) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    let tag = repo::tag_tx(&mut tx, tag_id).await?.ok_or(Error::NotFound)?;
    let (r, at) = locked_resident(&mut tx, actor, &WRITE, tag.resident_id).await?;
    let day = match ends_on.trim() {
        "" => today_in(state, &at.time_zone),
        s => parse_date(s).ok_or_else(|| Error::field("ends_on", "registry.bad_date"))?,
    };
    let day = day.to_string();
    if day < tag.starts_on {
        return Err(Error::field("ends_on", "registry.ends_before_start"));
    }
    repo::end_tag(&mut tx, tag_id, &day, state.now_ms()).await?;
    let entry = Entry::new("care_tag.end", "care_tag", tag_id)
        .community(Some(at.community_id))
        .after(Some(
            &serde_json::json!({ "resident_id": r.resident_id, "ends_on": day }),
        ));
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(at.household_id),
        resident_id: Some(r.resident_id),
        kind: "care_tag.end",
        detail: r.name.clone(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(())
}
