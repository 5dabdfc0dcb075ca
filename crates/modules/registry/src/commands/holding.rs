use serde::Deserialize;
use yijia_kernel::audit::Entry;
use yijia_kernel::error::Message;
use yijia_kernel::{text, Actor, AppState, Error, FieldErrors, Result};

use super::{locked_household, record, today_in};
use crate::codes;
use crate::model::{parse_date, parse_flag, AreaSource, HoldingKind};
use crate::permissions::WRITE;
use crate::repo::{self, NewEvent, NewHolding};

/// An owner or tenant as typed. The area is in m² with up to two decimals.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HoldingInput {
    pub kind: String,
    pub holder_name: String,
    /// A resident of the registry, when the holder is one.
    pub resident_id: String,
    pub area: String,
    pub area_source: String,
    /// The developer's unsold dwelling (it counts once in owners' votes).
    pub developer: String,
    pub starts_on: String,
}

/// `89.5` → 8950 (0.01 m²). Refuses negatives, more than two decimals and absurd sizes.
pub fn parse_area(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    let centi = whole.checked_mul(100)?.checked_add(frac)?;
    (1..=10_000_000).contains(&centi).then_some(centi)
}

impl HoldingInput {
    fn parse(&self) -> std::result::Result<NewHolding, FieldErrors> {
        let mut errs = FieldErrors::default();
        let kind = HoldingKind::parse(&self.kind).unwrap_or_else(|| {
            errs.add("kind", Message::new("registry.bad_choice"));
            HoldingKind::Owner
        });
        let holder_name = text::required(&mut errs, "holder_name", &self.holder_name, 100);
        let resident_id = match self.resident_id.trim() {
            "" => None,
            s => s.parse().ok().or_else(|| {
                errs.add("resident_id", Message::new("registry.bad_resident"));
                None
            }),
        };
        let area_centi_m2 = match self.area.trim() {
            "" if kind == HoldingKind::Owner => {
                errs.add("area", Message::new("registry.area_needed"));
                None
            }
            "" => None,
            s => parse_area(s).or_else(|| {
                errs.add("area", Message::new("registry.bad_area"));
                None
            }),
        };
        let area_source = match self.area_source.trim() {
            "" if area_centi_m2.is_some() => {
                errs.add("area_source", Message::new("registry.area_source_needed"));
                None
            }
            "" => None,
            s => AreaSource::parse(s).map(AreaSource::as_str).or_else(|| {
                errs.add("area_source", Message::new("registry.bad_choice"));
                None
            }),
        };
        let starts_on = match self.starts_on.trim() {
            "" => None,
            s => parse_date(s).map(|d| d.to_string()).or_else(|| {
                errs.add("starts_on", Message::new("registry.bad_date"));
                None
            }),
        };
        if errs.is_empty() {
            Ok(NewHolding {
                resident_id,
                holder_name,
                kind: kind.as_str(),
                area_centi_m2,
                area_source,
                developer: parse_flag(&self.developer),
                starts_on,
            })
        } else {
            Err(errs)
        }
    }
}

/// Records an owner (with the exclusive area and its source) or a tenant of a dwelling.
pub async fn add_holding(state: &AppState, actor: &Actor, household_id: i64, input: &HoldingInput) -> Result<i64> {
    let h = input.parse().map_err(Error::Validation)?;
    let mut tx = state.db.begin_write().await?;
    let at = locked_household(&mut tx, household_id).await?;
    WRITE.check(actor, &at.place())?;
    if let Some(rid) = h.resident_id {
        let r = repo::resident(&mut tx, rid).await?;
        if r.is_none_or(|r| r.community_id != at.community_id) {
            return Err(Error::field("resident_id", "registry.bad_resident"));
        }
    }
    let id = repo::insert_holding(&mut tx, &at, &h, state.now_ms()).await?;
    let entry = Entry::new("holding.create", "holding", id)
        .community(Some(at.community_id))
        .after(Some(&serde_json::json!({
            "household_id": household_id, "kind": h.kind, "holder_name": h.holder_name,
            "area_centi_m2": h.area_centi_m2, "area_source": h.area_source, "developer": h.developer,
        })));
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(household_id),
        resident_id: h.resident_id,
        kind: "holding.create",
        detail: h.holder_name.clone(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends an ownership or tenancy today (sold, lease over); it stays in the history.
pub async fn end_holding(state: &AppState, actor: &Actor, holding_id: i64) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    let h = repo::holding_tx(&mut tx, holding_id).await?.ok_or(Error::NotFound)?;
    let at = locked_household(&mut tx, h.household_id).await?;
    WRITE.check(actor, &at.place()).map_err(|_| Error::NotFound)?;
    if h.ends_on.is_some() {
        return Err(Error::conflict(codes::HOLDING_ENDED, "registry.holding_ended"));
    }
    let day = today_in(state, &at.time_zone).to_string();
    repo::end_holding(&mut tx, holding_id, &day, state.now_ms()).await?;
    let entry = Entry::new("holding.end", "holding", holding_id)
        .community(Some(at.community_id))
        .before(Some(&h));
    let event = NewEvent {
        community_id: at.community_id,
        household_id: Some(h.household_id),
        resident_id: h.resident_id,
        kind: "holding.end",
        detail: h.holder_name.clone(),
    };
    record(&mut tx, state, actor, entry, event).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_area;

    #[test]
    fn areas_are_read_in_hundredths_of_a_square_metre() {
        assert_eq!(parse_area("89.5"), Some(8950));
        assert_eq!(parse_area("120"), Some(12000));
        assert_eq!(parse_area("0.01"), Some(1));
        assert_eq!(parse_area("-3"), None);
        assert_eq!(parse_area("1.234"), None);
        assert_eq!(parse_area("0"), None);
        assert_eq!(parse_area("abc"), None);
    }
}
