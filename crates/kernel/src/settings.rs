//! Per-community settings that modules declare: each module lists its settings (key, label,
//! kind, default) in its manifest; a community administrator changes them on the community's
//! settings page; the value is read where the module needs it, falling back to the default.

use std::collections::BTreeMap;

use yijia_db::{on_conn, on_tx, Conn, Topic, Tx};

use crate::error::Message;
use crate::{AppState, FieldErrors, Result};

/// What values a setting takes.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A whole number in `min..=max`.
    Integer { min: i64, max: i64 },
    /// Text of at most `max` characters.
    Text { max: usize },
    /// Text of at most `max` characters that is a secret (a signing key): typed in a password
    /// field, and written to the audit log only as "set" or "cleared".
    Secret { max: usize },
    /// A short list, typed with commas or 、 between its items: at most `items` items of at
    /// most `len` characters each, stored joined by 、 without duplicates.
    List { items: usize, len: usize },
    /// Text a module checks itself: `check` gives the stored form or why it is refused, and
    /// `show` the stored form as the reader writes it (its labels, not its codes, in the
    /// language given), which `check` takes back.
    Checked {
        max: usize,
        check: fn(&str) -> std::result::Result<String, Message>,
        show: fn(&str, &str) -> String,
    },
}

/// What may separate the items of a list as typed (Chinese and Western punctuation, lines).
const LIST_SEPARATORS: &[char] = &[',', '，', '、', ';', '；', '\n'];

/// A setting a module declares.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Unique across modules: `module.name`, e.g. `registry.visit_due_days`.
    pub key: &'static str,
    /// Translation keys of its label and hint.
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
    pub default: &'static str,
}

/// A checked setting shown as it is stored.
pub fn as_stored(v: &str, _lang: &str) -> String {
    v.to_owned()
}

impl Setting {
    /// A stored value as a person reads and writes it in `lang`.
    pub fn shown(&self, value: &str, lang: &str) -> String {
        match self.kind {
            Kind::Checked { show, .. } => show(value, lang),
            _ => value.to_owned(),
        }
    }

    pub fn is_secret(&self) -> bool {
        matches!(self.kind, Kind::Secret { .. })
    }

    /// The value as the audit log keeps it: a secret only as whether it is set.
    pub fn audited(&self, value: &str) -> String {
        match (self.is_secret(), value.is_empty()) {
            (true, true) => String::new(),
            (true, false) => "(secret)".to_owned(),
            (false, _) => value.to_owned(),
        }
    }

    /// The value in its stored form, or why it is refused.
    /// The stored value when it still fits the setting, else the default.
    fn or_default(&self, stored: Option<&str>) -> String {
        stored
            .and_then(|v| self.parse(v).ok())
            .unwrap_or_else(|| self.default.to_owned())
    }

    pub fn parse(&self, value: &str) -> std::result::Result<String, Message> {
        let v = value.trim();
        match self.kind {
            Kind::Integer { min, max } => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
                _ => Err(Message::new("settings.out_of_range").arg("min", min).arg("max", max)),
            },
            Kind::Text { max } | Kind::Secret { max } => {
                let n = v.chars().count();
                if n > max {
                    Err(Message::new("field.too_long").arg("max", max).arg("len", n))
                } else {
                    Ok(v.to_owned())
                }
            }
            Kind::List { items, len } => {
                let mut out: Vec<&str> = Vec::new();
                for item in split_list(v) {
                    let n = item.chars().count();
                    if n > len {
                        return Err(Message::new("settings.item_too_long").arg("item", item).arg("max", len));
                    }
                    if !out.contains(&item) {
                        out.push(item);
                    }
                }
                if out.len() > items {
                    return Err(Message::new("settings.too_many_items").arg("max", items));
                }
                Ok(out.join("、"))
            }
            Kind::Checked { max, check, .. } => {
                if v.chars().count() > max {
                    return Err(Message::new("field.too_long")
                        .arg("max", max)
                        .arg("len", v.chars().count()));
                }
                check(v)
            }
        }
    }
}

fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split(LIST_SEPARATORS).map(str::trim).filter(|i| !i.is_empty())
}

/// Every stored value of a community, by key.
pub async fn stored(conn: impl Into<Conn<'_>>, community_id: i64) -> Result<BTreeMap<String, String>> {
    let rows: Vec<(String, String)> = on_conn!(conn, |c| sqlx::query_as(
        "select key, value from community_setting where community_id = $1"
    )
    .bind(community_id)
    .fetch_all(c)
    .await?);
    Ok(rows.into_iter().collect())
}

/// A setting's value in a community, or its default when none is stored (or the stored one
/// no longer fits the setting).
pub async fn get(conn: impl Into<Conn<'_>>, community_id: i64, s: &Setting) -> Result<String> {
    let v: Option<String> = on_conn!(conn, |c| sqlx::query_scalar(
        "select value from community_setting where community_id = $1 and key = $2"
    )
    .bind(community_id)
    .bind(s.key)
    .fetch_optional(c)
    .await?);
    Ok(s.or_default(v.as_deref()))
}

/// A setting's value as [`get`] gives it, from a moment's memory of the community's settings
/// (`recent.rs`), for what reads settings on every call (an appeal's deadlines): no statement
/// while nobody changes them, and a change through [`store`] is read at once. A miss reads
/// through `conn` (see `Recent::remember_read`).
pub async fn current(state: &AppState, conn: impl Into<Conn<'_>>, community_id: i64, s: &Setting) -> Result<String> {
    let conn = conn.into();
    let touched = conn.touched(Topic::Settings);
    let all = state
        .recent
        .remember_read(
            Topic::Settings,
            touched,
            format!("settings:{community_id}"),
            state.now_ms(),
            async { Ok(Some(stored(conn, community_id).await?)) },
        )
        .await?;
    Ok(s.or_default(all.as_ref().and_then(|m| m.get(s.key)).map(String::as_str)))
}

/// A whole-number setting's value.
pub async fn get_i64(conn: impl Into<Conn<'_>>, community_id: i64, s: &Setting) -> Result<i64> {
    Ok(get(conn, community_id, s).await?.parse().unwrap_or(0))
}

/// A list setting's items, in the order typed.
pub async fn get_list(conn: impl Into<Conn<'_>>, community_id: i64, s: &Setting) -> Result<Vec<String>> {
    Ok(split_list(&get(conn, community_id, s).await?)
        .map(str::to_owned)
        .collect())
}

/// Checks every given value against its setting; unknown keys are ignored.
pub fn parse_all(all: &[Setting], given: &BTreeMap<String, String>) -> Result<Vec<(&'static str, String)>> {
    let mut errs = FieldErrors::default();
    let mut out = Vec::new();
    for s in all {
        if let Some(v) = given.get(s.key) {
            match s.parse(v) {
                Ok(v) => out.push((s.key, v)),
                Err(m) => errs.add(s.key, m),
            }
        }
    }
    errs.into_result()?;
    Ok(out)
}

/// Stores values inside the caller's write transaction.
pub async fn store(tx: &mut Tx, community_id: i64, values: &[(&str, String)], now: i64) -> Result<()> {
    tx.touches(Topic::Settings);
    for (key, value) in values {
        on_tx!(tx, |c| sqlx::query(
            "insert into community_setting (community_id, key, value, updated_at) values ($1, $2, $3, $4) \
             on conflict (community_id, key) do update set value = $3, updated_at = $4"
        )
        .bind(community_id)
        .bind(key)
        .bind(value)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAYS: Setting = Setting {
        key: "t.days",
        label: "",
        hint: "",
        kind: Kind::Integer { min: 1, max: 365 },
        default: "30",
    };

    #[test]
    fn a_value_outside_the_range_is_refused_and_a_good_one_normalised() {
        assert_eq!(DAYS.parse(" 07 ").unwrap(), "7");
        assert_eq!(DAYS.parse("0").unwrap_err().key, "settings.out_of_range");
        assert!(DAYS.parse("x").is_err());
        let given = BTreeMap::from([
            ("t.days".to_owned(), "400".to_owned()),
            ("other".to_owned(), "x".to_owned()),
        ]);
        assert!(parse_all(&[DAYS], &given).is_err());
    }

    const TAGS: Setting = Setting {
        key: "t.tags",
        label: "",
        hint: "",
        kind: Kind::List { items: 3, len: 4 },
        default: "",
    };

    #[test]
    fn a_list_is_split_on_any_comma_deduplicated_and_bounded() {
        assert_eq!(TAGS.parse(" 独居, 失独，独居、 ;").unwrap(), "独居、失独");
        assert_eq!(TAGS.parse("").unwrap(), "");
        assert_eq!(TAGS.parse("一二三四五").unwrap_err().key, "settings.item_too_long");
        assert_eq!(TAGS.parse("a,b,c,d").unwrap_err().key, "settings.too_many_items");
    }
}
