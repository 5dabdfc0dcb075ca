//! Open311 answers in both of its formats from one tree: JSON as the GeoReport v2 examples
//! write it, and XML with the specification's element names (a list's items are repeated
//! elements under the list's element).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// A value of an answer.
#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Num(f64),
    Int(i64),
    Bool(bool),
    Null,
    /// An object: its fields in order.
    Obj(Vec<(&'static str, Node)>),
    /// A list whose items are `item` elements in XML.
    List(&'static str, Vec<Node>),
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(s.into())
    }

    pub fn opt(s: Option<String>) -> Node {
        s.map_or(Node::Null, Node::Text)
    }

    fn json(&self) -> Value {
        match self {
            Node::Text(s) => Value::String(s.clone()),
            Node::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Node::Int(n) => Value::from(*n),
            Node::Bool(b) => Value::Bool(*b),
            Node::Null => Value::Null,
            Node::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.json()))
                    .collect::<Map<_, _>>(),
            ),
            Node::List(_, items) => Value::Array(items.iter().map(Node::json).collect()),
        }
    }

    fn xml(&self, tag: &str, out: &mut String) {
        match self {
            Node::Null => {
                out.push('<');
                out.push_str(tag);
                out.push_str("/>");
            }
            Node::List(item, items) => {
                open(tag, out);
                for i in items {
                    i.xml(item, out);
                }
                close(tag, out);
            }
            Node::Obj(fields) => {
                open(tag, out);
                for (k, v) in fields {
                    v.xml(k, out);
                }
                close(tag, out);
            }
            Node::Text(s) => {
                open(tag, out);
                escape(s, out);
                close(tag, out);
            }
            Node::Num(n) => {
                open(tag, out);
                out.push_str(&n.to_string());
                close(tag, out);
            }
            Node::Int(n) => {
                open(tag, out);
                out.push_str(&n.to_string());
                close(tag, out);
            }
            Node::Bool(b) => {
                open(tag, out);
                out.push_str(if *b { "true" } else { "false" });
                close(tag, out);
            }
        }
    }
}

fn open(tag: &str, out: &mut String) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
}

fn close(tag: &str, out: &mut String) {
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// The two formats, from a path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `services.json` → (`services`, Json). Anything else is not an Open311 path.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (stem, ext) = file.rsplit_once('.')?;
        let f = match ext {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        Some((stem, f))
    }

    /// The answer: `root` names the XML document element.
    pub fn answer(self, status: StatusCode, root: &str, node: &Node) -> Response {
        match self {
            Format::Json => (
                status,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                node.json().to_string(),
            )
                .into_response(),
            Format::Xml => {
                let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
                node.xml(root, &mut out);
                (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response()
            }
        }
    }

    /// Errors as the specification lists them: `[{code, description}]`.
    pub fn errors(self, status: StatusCode, descriptions: &[String]) -> Response {
        let items = descriptions
            .iter()
            .map(|d| {
                Node::Obj(vec![
                    ("code", Node::Int(i64::from(status.as_u16()))),
                    ("description", Node::text(d.clone())),
                ])
            })
            .collect();
        self.answer(status, "errors", &Node::List("error", items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tree_gives_the_json_and_the_xml_of_the_specification() {
        let n = Node::List(
            "request",
            vec![Node::Obj(vec![
                ("service_request_id", Node::text("7")),
                ("lat", Node::Num(36.06)),
                ("status_notes", Node::Null),
                ("description", Node::text("a < b & \u{1}c")),
            ])],
        );
        assert_eq!(
            n.json(),
            serde_json::json!([{ "service_request_id": "7", "lat": 36.06, "status_notes": null, "description": "a < b & \u{1}c" }])
        );
        let mut x = String::new();
        n.xml("service_requests", &mut x);
        assert_eq!(
            x,
            "<service_requests><request><service_request_id>7</service_request_id><lat>36.06</lat>\
             <status_notes/><description>a &lt; b &amp; c</description></request></service_requests>"
        );
        assert_eq!(Format::split("services.xml"), Some(("services", Format::Xml)));
        assert_eq!(Format::split("services.html"), None);
    }
}
