//! The OpenAPI 3.1 document: the core parts here, each module's paths and schemas merged in.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use yijia_kernel::error::codes;
use yijia_kernel::AppState;

pub use crate::openapi_input::{example, fields_of, input, typed, with};

/// The schema of the error envelope, referenced by every operation's error responses.
fn core() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Yijia API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Community governance and service platform. Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer TOKEN`. Errors share one envelope. Lists answer `{items, next}`; pass `next` back as `after`."
        },
        "servers": [{ "url": "/" }],
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": { "type": "string", "examples": ["validation_failed"] },
                                "message": { "type": "string" },
                                "fields": { "type": "object", "additionalProperties": { "type": "string" } }
                            }
                        }
                    }
                }
            },
            "responses": {
                "Error": {
                    "description": "An error, in the shared envelope.",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                }
            },
            "parameters": {
                "limit": { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 200 } },
                "after": { "name": "after", "in": "query", "required": false, "schema": { "type": "integer" } }
            }
        },
        "security": [{ "bearer": [] }],
        "paths": inbox_paths()
    })
}

/// The signed-in account's inbox (web/src/inbox.rs).
fn inbox_paths() -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    json!({
        "/api/v1/me/notifications": {
            "get": {
                "summary": "My notifications, newest first (the latest 100), in my language",
                "operationId": "listMyNotifications",
                "tags": ["inbox"],
                "responses": {
                    "200": {
                        "description": "The notifications, and how many things have unread news: the notifications about one thing (one appeal's steps, which share a `link`) count once.",
                        "content": { "application/json": { "schema": {
                            "type": "object",
                            "required": ["items", "unread"],
                            "properties": {
                                "items": { "type": "array", "items": { "$ref": "#/components/schemas/Notification" } },
                                "unread": { "type": "integer" },
                                "next": { "type": "null" }
                            }
                        } } }
                    },
                    "401": error
                }
            }
        },
        "/api/v1/me/notifications/{id}/read": {
            "post": {
                "summary": "Marks one of my notifications read, with my unread ones about the same thing (the same link)",
                "operationId": "readMyNotification",
                "tags": ["inbox"],
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": {
                    "200": {
                        "description": "Marked read (also when it already was).",
                        "content": { "application/json": { "schema": {
                            "type": "object",
                            "required": ["notification_id", "read"],
                            "properties": { "notification_id": { "type": "integer" }, "read": { "type": "boolean" } }
                        } } }
                    },
                    "401": error,
                    "404": error
                }
            }
        }
    })
}

/// The schema of an inbox entry.
fn notification_schema() -> Value {
    json!({
        "type": "object",
        "required": ["notification_id", "kind", "args", "link", "created_at", "text", "time_zone"],
        "properties": {
            "notification_id": { "type": "integer" },
            "community_id": { "type": ["integer", "null"] },
            "kind": { "type": "string", "description": "A translation key, e.g. appeals.note_new." },
            "args": { "type": "string", "description": "The key's arguments, a JSON object as text." },
            "link": { "type": "string", "description": "The page it concerns, a path on this site." },
            "created_at": { "type": "integer", "description": "Epoch milliseconds." },
            "read_at": { "type": ["integer", "null"] },
            "time_zone": { "type": "string", "description": "The community's time zone, to show created_at in." },
            "text": { "type": "string", "description": "The notification in the reader's language." }
        }
    })
}

/// Merges the modules' fragments (`paths`, `components.schemas`) into the core document. A
/// module writes its paths as it routes them, relative to `/api/v1`; the document gives them
/// in full, so that a client generated from it calls what is served.
pub fn build(state: &AppState) -> Value {
    merged(state).0
}

/// The schema names that two parts of the document both define: the document can hold only
/// one of them, so a client would be told the wrong shape for the other. A test keeps it empty.
pub fn schema_clashes(state: &AppState) -> Vec<String> {
    merged(state).1
}

fn merged(state: &AppState) -> (Value, Vec<String>) {
    let mut doc = core();
    doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"] = error_codes(state);
    let mut clashes = Vec::new();
    doc["components"]["schemas"]["Notification"] = notification_schema();
    for m in state.modules.iter() {
        let part = m.openapi();
        if let (Some(paths), Some(target)) = (
            part.get("paths").and_then(Value::as_object),
            doc["paths"].as_object_mut(),
        ) {
            for (k, v) in paths {
                target.insert(full_path(k), v.clone());
            }
        }
        if let (Some(schemas), Some(target)) = (
            part.pointer("/components/schemas").and_then(Value::as_object),
            doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut),
        ) {
            for (k, v) in schemas {
                if target.get(k).is_some_and(|old| old != v) {
                    clashes.push(format!("{} redefines {k}", m.name()));
                }
                target.insert(k.clone(), v.clone());
            }
        }
    }
    every_error_documented(&mut doc);
    (doc, clashes)
}

/// Every operation can answer with an error in the shared envelope: a bad query string (400), a
/// body of another type (415), a sign-in that lapsed (401) …, whatever its own list says. An
/// operation without a `default` response gets the envelope as its default.
fn every_error_documented(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(responses) = item
                .get_mut(method)
                .and_then(|op| op.get_mut("responses"))
                .and_then(Value::as_object_mut)
            {
                responses
                    .entry("default")
                    .or_insert_with(|| json!({ "$ref": "#/components/responses/Error" }));
            }
        }
    }
}

/// `error.code`: every code the kernel and the modules declare. Clients match on these; the
/// message beside it is for people and may change.
fn error_codes(state: &AppState) -> Value {
    let mut all: Vec<&str> = codes::ALL.iter().map(|c| c.as_str()).collect();
    all.extend(
        state
            .modules
            .iter()
            .flat_map(|m| m.error_codes().iter().map(|c| c.as_str())),
    );
    all.sort_unstable();
    all.dedup();
    json!({
        "type": "string",
        "enum": all,
        "description": "Stable, snake_case; independent of the message's wording. `validation_failed` comes with `fields`.",
        "examples": ["validation_failed"]
    })
}

/// `/appeals` → `/api/v1/appeals`; a path already under `/api/` stays as it is.
fn full_path(path: &str) -> String {
    if path.starts_with("/api/") {
        path.to_owned()
    } else {
        format!("/api/v1{path}")
    }
}

pub async fn document(State(state): State<AppState>) -> Json<Value> {
    Json(build(&state))
}

/// Swagger UI, served from the binary.
pub async fn docs() -> Response {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Yijia API</title><link rel=\"stylesheet\" href=\"/assets/swagger-ui.css\"></head>\
         <body><main><h1 class=\"visually-hidden\">Yijia API</h1><div id=\"swagger-ui\"></div></main>\
         <script src=\"/assets/swagger-ui-bundle.js\"></script><script src=\"/assets/api-docs.js\"></script></body></html>",
    )
    .into_response()
}

/// A request body whose fields are all strings (numbers and booleans accepted).
pub fn strings(fields: &[&str]) -> Value {
    let props: Map<String, Value> = fields
        .iter()
        .map(|f| ((*f).to_owned(), json!({ "type": ["string", "number", "boolean"] })))
        .collect();
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// A field that takes one of a list of codes: the codes as an enum, each with its label in
/// `x-enum-descriptions` and in the description, so that a client (and its generated code) knows
/// what "choose from the list" means.
pub fn choices(codes: &[(&str, &str)]) -> Value {
    let listed: Vec<String> = codes.iter().map(|(c, l)| format!("`{c}`: {l}")).collect();
    json!({
        "type": "string",
        "enum": codes.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        "x-enum-descriptions": codes.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
        "description": listed.join("; "),
    })
}

/// The `{id}` path parameter.
pub fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

/// An operation of a module (`tag`) answering `status` with a JSON object, with an optional
/// request body schema by name.
pub fn op(tag: &str, summary: &str, body: Option<&str>, status: &str) -> Value {
    let mut o = json!({
        "tags": [tag],
        "summary": summary,
        "responses": {
            status: { "description": "OK", "content": { "application/json": { "schema": { "type": "object" } } } },
            "default": { "$ref": "#/components/responses/Error" }
        }
    });
    if let Some(b) = body {
        o["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{b}") } } }
        });
    }
    o
}
