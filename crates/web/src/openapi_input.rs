//! Request schemas taken from the input types themselves, so that the document cannot list a
//! field the type does not have, nor miss one it has.
//!
//! A struct's derived `Deserialize` names its fields to the deserializer it is given
//! (`deserialize_struct(name, fields, visitor)`); [`fields_of`] hands it one that only writes
//! the list down.

use serde::de::{self, Deserialize, Visitor};
use serde_json::Value;

/// The fields of a struct as its `Deserialize` knows them (after `rename`s), in declared order.
/// Panics for a type that is not a struct with named fields: a programming error in a
/// module's document, found by the document's own test.
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(FieldList) {
        Err(Found(fields)) => fields,
        Ok(_) => unreachable!("the field list deserializer never produces a value"),
    }
}

/// A request body of an input shared with a form: its fields as text (numbers and booleans
/// accepted), none other allowed. See `ApiInput`.
pub fn input<'de, T: Deserialize<'de>>() -> Value {
    crate::openapi::strings(fields_of::<T>())
}

/// A request body of a typed input (`ApiJson`): the schema as written, its properties checked
/// against the type's fields in debug builds (the document's tests), so neither can drift.
pub fn typed<'de, T: Deserialize<'de>>(schema: Value) -> Value {
    if cfg!(debug_assertions) {
        let mut documented: Vec<&str> = schema["properties"]
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut fields = fields_of::<T>().to_vec();
        documented.sort_unstable();
        fields.sort_unstable();
        assert_eq!(
            documented,
            fields,
            "{}: the schema's properties against the type's fields",
            std::any::type_name::<T>()
        );
    }
    schema
}

/// The schema with one property's schema replaced (a list, an object, a choice of codes);
/// the property must be one of the type's.
pub fn with(mut schema: Value, field: &str, property: Value) -> Value {
    let slot = &mut schema["properties"][field];
    debug_assert!(slot.is_object(), "{field} is not a field of this input");
    *slot = property;
    schema
}

/// The schema with an example body, for the document's readers and the clients generated from
/// it; every field of the example must be one of the schema's (checked in debug builds, as in
/// [`typed`]: the document is built on each request, and its tests catch a slip).
pub fn example(mut schema: Value, body: Value) -> Value {
    if let Some(fields) = body.as_object().filter(|_| cfg!(debug_assertions)) {
        for f in fields.keys() {
            assert!(
                schema["properties"][f].is_object(),
                "the example's {f} is not a field of this input"
            );
        }
    }
    schema["examples"] = Value::Array(vec![body]);
    schema
}

struct FieldList;

/// Carries the list out of `Deserialize::deserialize`, which can only return an error.
#[derive(Debug)]
struct Found(&'static [&'static str]);

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "fields {:?}", self.0)
    }
}

impl std::error::Error for Found {}

impl de::Error for Found {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        panic!("not a struct with named fields: {msg}")
    }
}

impl<'de> de::Deserializer<'de> for FieldList {
    type Error = Found;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Found> {
        Err(Found(fields))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Found> {
        panic!("not a struct with named fields")
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, serde::Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Sample {
        community: String,
        #[serde(rename = "type")]
        kind: String,
    }

    #[test]
    fn lists_a_structs_fields_as_serde_names_them() {
        assert_eq!(fields_of::<Sample>(), ["community", "type"]);
        let schema = input::<Sample>();
        assert_eq!(schema["additionalProperties"], false);
        assert!(schema["properties"]["type"].is_object());
    }
}
