//! The structure's part of the OpenAPI document, generated level by level like its routes.

use serde_json::{json, Map, Value};

use yijia_web::openapi::typed;

use crate::commands::create_area::AreaInput;
use crate::commands::create_community::CommunityInput;
use crate::model::{Level, NodeInput};

fn err() -> Value {
    json!({ "$ref": "#/components/responses/Error" })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn ok(schema: &str, description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

fn page_of(schema: &str) -> Value {
    json!({ "description": "A page", "content": { "application/json": { "schema": {
        "type": "object", "required": ["items"],
        "properties": { "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{schema}") } }, "next": { "type": ["string", "null"] } } } } } })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

pub fn document() -> Value {
    let mut paths = Map::new();
    paths.insert("/api/v1/communities".into(), json!({
        "get": { "tags": ["structure"], "summary": "Communities the caller may see (code = Open311 jurisdiction_id)",
            "parameters": [{ "$ref": "#/components/parameters/limit" }, { "$ref": "#/components/parameters/after" }],
            "responses": { "200": page_of("Community"), "401": err() } },
        "post": { "tags": ["structure"], "summary": "Create a community (platform administrators)", "requestBody": body("CommunityInput"),
            "responses": { "201": ok("Community", "Created"), "401": err(), "403": err(), "409": err(), "415": err(), "422": err() } }
    }));
    paths.insert("/api/v1/communities/{id}".into(), json!({
        "parameters": [id_param()],
        "get": { "tags": ["structure"], "summary": "A community", "responses": { "200": ok("Community", "The community"), "401": err(), "404": err() } },
        "patch": { "tags": ["structure"], "summary": "Change a community's settings", "requestBody": body("CommunityInput"),
            "responses": { "200": ok("Community", "Changed"), "401": err(), "403": err(), "404": err(), "422": err() } }
    }));
    for (path, tag) in [
        ("/api/v1/districts", "district"),
        ("/api/v1/subdistricts", "subdistrict"),
    ] {
        paths.insert(path.into(), json!({
            "get": { "tags": ["structure"], "summary": format!("Every {tag} (platform administrators)"), "responses": { "200": page_of("Area"), "401": err(), "403": err() } },
            "post": { "tags": ["structure"], "summary": format!("Create a {tag}"), "requestBody": body("AreaInput"),
                "responses": { "201": { "description": "Created" }, "401": err(), "403": err(), "409": err(), "422": err() } }
        }));
    }
    for level in Level::ALL {
        let name = level.entity();
        let base = format!("/api/v1/{}/{{id}}", level.plural());
        paths.insert(base.clone(), json!({
            "parameters": [id_param()],
            "get": { "tags": ["structure"], "summary": format!("A {name}"), "responses": { "200": ok("Node", "The row"), "401": err(), "404": err() } },
            "patch": { "tags": ["structure"], "summary": format!("Rename a {name} or change its fields"), "requestBody": body("NodeInput"),
                "responses": { "200": ok("Node", "Changed"), "401": err(), "403": err(), "404": err(), "409": err(), "422": err() } }
        }));
        paths.insert(format!("{base}/retire"), json!({
            "parameters": [id_param()],
            "post": { "tags": ["structure"], "summary": format!("Retire a {name} (it must have no live children)"),
                "responses": { "200": ok("Node", "Retired"), "401": err(), "403": err(), "404": err(), "409": err() } }
        }));
        if level.movable() {
            paths.insert(format!("{base}/move"), json!({
                "parameters": [id_param()],
                "post": { "tags": ["structure"], "summary": format!("Move a {name} under another parent in the same community"),
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "required": ["to"], "additionalProperties": false, "properties": { "to": { "type": "integer" } } } } } },
                    "responses": { "200": ok("Node", "Moved"), "401": err(), "403": err(), "404": err(), "422": err() } }
            }));
        }
        let parent_path = match level.parent() {
            None => "/api/v1/communities/{id}/grids".to_owned(),
            Some(p) => format!("/api/v1/{}/{{id}}/{}", p.plural(), level.plural()),
        };
        paths.insert(parent_path, json!({
            "parameters": [id_param()],
            "get": { "tags": ["structure"], "summary": format!("The {} under a parent", level.plural()),
                "parameters": [{ "$ref": "#/components/parameters/limit" }, { "$ref": "#/components/parameters/after" }],
                "responses": { "200": page_of("Node"), "401": err(), "404": err() } },
            "post": { "tags": ["structure"], "summary": format!("Create a {name}"), "requestBody": body("NodeInput"),
                "responses": { "201": ok("Node", "Created"), "401": err(), "403": err(), "404": err(), "409": err(), "415": err(), "422": err() } }
        }));
    }
    json!({
        "paths": paths,
        "components": { "schemas": {
            "Community": { "type": "object", "properties": {
                "community_id": { "type": "integer" }, "district_id": { "type": "integer" }, "subdistrict_id": { "type": "integer" },
                "code": { "type": "string" }, "name": { "type": "string" }, "brand": { "type": "string" }, "time_zone": { "type": "string" },
                "address": { "type": "string" }, "retired_at": { "type": ["integer", "null"] }, "created_at": { "type": "integer" }, "updated_at": { "type": "integer" } } },
            "CommunityInput": typed::<CommunityInput>(json!({ "type": "object", "additionalProperties": false, "properties": {
                "subdistrict": { "type": "string", "description": "subdistrict code (creation only)" }, "code": { "type": "string", "maxLength": 32 },
                "name": { "type": "string", "maxLength": 40 }, "brand": { "type": "string", "maxLength": 20 }, "time_zone": { "type": "string", "examples": ["Asia/Shanghai"] },
                "address": { "type": "string", "maxLength": 100 } } })),
            "Area": { "type": "object", "properties": { "id": { "type": "integer" }, "parent_id": { "type": ["integer", "null"] }, "code": { "type": "string" }, "name": { "type": "string" } } },
            "AreaInput": typed::<AreaInput>(json!({ "type": "object", "required": ["code", "name"], "additionalProperties": false, "properties": {
                "district": { "type": "string", "description": "the district's code, for a subdistrict" }, "code": { "type": "string" }, "name": { "type": "string" } } })),
            "Node": { "type": "object", "description": "A grid, building, unit or household.", "properties": {
                "id": { "type": "integer" }, "community_id": { "type": "integer" }, "grid_id": { "type": "integer" }, "parent_id": { "type": "integer" },
                "code": { "type": "string" }, "name": { "type": "string" }, "description": { "type": ["string", "null"] }, "compound": { "type": ["string", "null"] },
                "floors": { "type": ["integer", "null"] }, "retired_at": { "type": ["integer", "null"] }, "created_at": { "type": "integer" }, "updated_at": { "type": "integer" },
                "workers": { "type": "array", "description": "grid workers (grids only)", "items": { "type": "object" } } } },
            "NodeInput": typed::<NodeInput>(json!({ "type": "object", "additionalProperties": false, "properties": {
                "code": { "type": "string", "maxLength": 32, "description": "required on creation; the room number for a household" },
                "name": { "type": "string", "maxLength": 40 }, "description": { "type": "string", "maxLength": 500 },
                "compound": { "type": "string", "maxLength": 40 }, "floors": { "type": ["integer", "string"] } } }))
        } }
    })
}
