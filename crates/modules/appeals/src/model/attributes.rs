//! A category's extra questions (Open311 "attributes"): e.g. a lift fault asks whether someone
//! is trapped. Defined per category, asked by every channel, checked on every appeal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use yijia_kernel::error::Message;
use yijia_kernel::{text, FieldErrors};

/// One question, as Open311's service definition describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeDef {
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist`, `multivaluelist`.
    pub datatype: String,
    #[serde(default)]
    pub required: bool,
    pub description: String,
    #[serde(default)]
    pub datatype_description: String,
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

const DATATYPES: &[&str] = &[
    "string",
    "number",
    "datetime",
    "text",
    "singlevaluelist",
    "multivaluelist",
];

/// Checks definitions as an administrator gives them.
pub fn check_defs(defs: &[AttributeDef]) -> Result<(), Message> {
    let mut seen = Vec::new();
    for d in defs {
        let listed = d.datatype.ends_with("valuelist");
        let code_ok = !d.code.is_empty()
            && d.code.len() <= 40
            && d.code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !code_ok || seen.contains(&&d.code) || !DATATYPES.contains(&d.datatype.as_str()) {
            return Err(Message::new("appeals.bad_attributes"));
        }
        if listed == d.values.is_empty() || d.description.trim().is_empty() {
            return Err(Message::new("appeals.bad_attributes"));
        }
        seen.push(&d.code);
    }
    Ok(())
}

/// Checks the answers given against the definitions; returns them in stored form. Errors are
/// reported on `attribute[code]`, as Open311 names the fields.
pub fn check_answers(
    errs: &mut FieldErrors,
    defs: &[AttributeDef],
    given: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for code in given.keys().filter(|c| !defs.iter().any(|d| &d.code == *c)) {
        errs.add(&format!("attribute[{code}]"), Message::new("appeals.unknown_attribute"));
    }
    for d in defs {
        let field = format!("attribute[{}]", d.code);
        // A text answer typed in a browser's textarea arrives with CRLF breaks; stored with `\n`.
        let unified = given.get(&d.code).map(|v| text::unify_line_ends(v)).unwrap_or_default();
        let v = unified.trim();
        if v.is_empty() {
            if d.required {
                errs.add(&field, Message::new("field.required"));
            }
            continue;
        }
        let known = |k: &str| d.values.iter().any(|x| x.key == k);
        let ok = match d.datatype.as_str() {
            "number" => v.parse::<f64>().is_ok_and(f64::is_finite),
            "datetime" => v.parse::<jiff::Timestamp>().is_ok(),
            "singlevaluelist" => known(v),
            "multivaluelist" => v.split(',').map(str::trim).all(known),
            "text" => v.chars().count() <= 2000,
            _ => v.chars().count() <= 200,
        };
        if ok && text::is_clean(v) {
            out.insert(d.code.clone(), v.to_owned());
        } else {
            errs.add(&field, Message::new("appeals.bad_attribute_value"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trapped() -> AttributeDef {
        AttributeDef {
            code: "trapped".into(),
            datatype: "singlevaluelist".into(),
            required: true,
            description: "有人被困吗？".into(),
            datatype_description: String::new(),
            values: vec![
                AttributeValue {
                    key: "yes".into(),
                    name: "有".into(),
                },
                AttributeValue {
                    key: "no".into(),
                    name: "没有".into(),
                },
            ],
        }
    }

    #[test]
    fn answers_must_be_known_values_of_known_questions() {
        let defs = [trapped()];
        assert!(check_defs(&defs).is_ok());
        let mut errs = FieldErrors::default();
        let ok = check_answers(&mut errs, &defs, &BTreeMap::from([("trapped".into(), "yes".into())]));
        assert!(errs.is_empty());
        assert_eq!(ok["trapped"], "yes");
        let mut errs = FieldErrors::default();
        check_answers(
            &mut errs,
            &defs,
            &BTreeMap::from([("trapped".into(), "maybe".into()), ("floor".into(), "5".into())]),
        );
        assert_eq!(
            errs.get("attribute[trapped]").unwrap().key,
            "appeals.bad_attribute_value"
        );
        assert_eq!(errs.get("attribute[floor]").unwrap().key, "appeals.unknown_attribute");
        let mut errs = FieldErrors::default();
        check_answers(&mut errs, &defs, &BTreeMap::new());
        assert_eq!(errs.get("attribute[trapped]").unwrap().key, "field.required");
        let mut no_values = trapped();
        no_values.values.clear();
        assert!(check_defs(&[no_values]).is_err());
    }
}
