//! Translations. Every string a person reads comes from a translation file: zh-CN is the default
//! and the fallback, English is switchable. Each module ships its own files; they are merged at
//! start-up, and a key missing from a language falls back to zh-CN, then to the key itself.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::Message;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Locale> {
        match s {
            "zh-CN" | "zh" | "zh-cn" => Some(Locale::ZhCn),
            "en" | "en-US" | "en-GB" => Some(Locale::En),
            _ => None,
        }
    }

    /// The best match for an `Accept-Language` header; zh-CN when nothing fits.
    pub fn from_accept_language(header: &str) -> Locale {
        for part in header.split(',') {
            let tag = part.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Locale::ZhCn;
            }
            if tag.starts_with("en") {
                return Locale::En;
            }
        }
        Locale::ZhCn
    }
}

/// All translations, by locale and key.
#[derive(Debug, Default)]
pub struct I18n {
    tables: HashMap<Locale, HashMap<String, String>>,
}

impl I18n {
    /// Merges one translation file (flat or nested TOML; nested keys join with dots).
    pub fn add(&mut self, locale: Locale, toml_text: &str) -> anyhow::Result<()> {
        let value: toml::Table = toml::from_str(toml_text)?;
        let table = self.tables.entry(locale).or_default();
        flatten("", &value, table);
        Ok(())
    }

    pub fn keys(&self, locale: Locale) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .tables
            .get(&locale)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        keys
    }

    pub fn get(&self, locale: Locale, key: &str) -> Option<&str> {
        self.tables
            .get(&locale)
            .and_then(|t| t.get(key))
            .or_else(|| self.tables.get(&Locale::ZhCn).and_then(|t| t.get(key)))
            .map(String::as_str)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// A translator for one request: the merged tables and the reader's locale.
#[derive(Clone, Debug)]
pub struct Tr {
    pub i18n: Arc<I18n>,
    pub locale: Locale,
}

impl Tr {
    /// The text for a key.
    pub fn t(&self, key: &str) -> String {
        self.i18n.get(self.locale, key).unwrap_or(key).to_owned()
    }

    /// The text for a key with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self.t(key);
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A message (key and arguments) in this locale.
    pub fn msg(&self, m: &Message) -> String {
        let args: Vec<(&str, String)> = m.args.iter().map(|(k, v)| (*k, v.clone())).collect();
        self.tf(m.key, &args)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_english_key_falls_back_to_chinese() {
        let mut i = I18n::default();
        i.add(Locale::ZhCn, "[nav]\nhome = \"首页\"\nonly = \"仅中文\"")
            .unwrap();
        i.add(Locale::En, "[nav]\nhome = \"Home\"").unwrap();
        let tr = Tr {
            i18n: Arc::new(i),
            locale: Locale::En,
        };
        assert_eq!(tr.t("nav.home"), "Home");
        assert_eq!(tr.t("nav.only"), "仅中文");
        assert_eq!(tr.t("nav.none"), "nav.none");
    }

    #[test]
    fn placeholders_are_filled() {
        let mut i = I18n::default();
        i.add(Locale::ZhCn, "x = \"最多 {max} 个字\"").unwrap();
        let tr = Tr {
            i18n: Arc::new(i),
            locale: Locale::ZhCn,
        };
        assert_eq!(tr.tf("x", &[("max", "40".into())]), "最多 40 个字");
    }

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9"), Locale::En);
        assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language("fr"), Locale::ZhCn);
    }
}
