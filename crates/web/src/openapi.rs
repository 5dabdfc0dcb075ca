//! The OpenAPI 3.1 document: the core parts here, each module's paths and schemas merged in.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use yijia_kernel::AppState;

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
        "paths": {}
    })
}

/// Merges the modules' fragments (`paths`, `components.schemas`) into the core document.
pub fn build(state: &AppState) -> Value {
    let mut doc = core();
    for m in state.modules.iter() {
        let part = m.openapi();
        if let (Some(paths), Some(target)) = (
            part.get("paths").and_then(Value::as_object),
            doc["paths"].as_object_mut(),
        ) {
            for (k, v) in paths {
                target.insert(k.clone(), v.clone());
            }
        }
        if let (Some(schemas), Some(target)) = (
            part.pointer("/components/schemas").and_then(Value::as_object),
            doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut),
        ) {
            for (k, v) in schemas {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    doc
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
