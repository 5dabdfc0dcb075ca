//! The registry's part of the OpenAPI document.

use serde_json::{json, Map, Value};
use yijia_web::openapi::typed;

use crate::api::{AccountBody, AnswerBody, EndBody, LeaveBody, MergeBody, MoveBody, RequestBody, RevealBody};
use crate::commands::care_tag::TagInput;
use crate::commands::holding::HoldingInput;
use crate::commands::visit::VisitInput;
use crate::model::ResidentInput;

fn err() -> Value {
    json!({ "$ref": "#/components/responses/Error" })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn q(name: &str, kind: &str, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": kind }, "description": description })
}

fn schema_ref(schema: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{schema}") })
}

fn ok(schema: &str, description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn page_of(schema: &str) -> Value {
    json!({ "description": "A page", "content": { "application/json": { "schema": {
        "type": "object", "required": ["items"],
        "properties": { "items": { "type": "array", "items": schema_ref(schema) }, "next": { "type": ["string", "null"] } } } } } })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema_ref(schema) } } })
}

fn strings(names: &[&str]) -> Value {
    let props: Map<String, Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), json!({ "type": "string" })))
        .collect();
    json!({ "type": "object", "additionalProperties": false, "properties": props })
}

fn write_errors() -> Map<String, Value> {
    ["401", "403", "404", "409", "415", "422"]
        .iter()
        .map(|c| ((*c).to_owned(), err()))
        .collect()
}

/// A POST with a JSON body answering `schema` with `status`.
fn post(summary: &str, input: &str, status: &str, schema: &str) -> Value {
    let mut responses = write_errors();
    responses.insert(status.to_owned(), ok(schema, "Done"));
    json!({ "tags": ["registry"], "summary": summary, "requestBody": body(input), "responses": responses })
}

fn get(summary: &str, response: Value, params: Vec<Value>) -> Value {
    json!({ "tags": ["registry"], "summary": summary, "parameters": params,
        "responses": { "200": response, "401": err(), "403": err(), "404": err(), "422": err() } })
}

pub fn document() -> Value {
    let community = q(
        "community",
        "integer",
        "Community id; the first one the caller reaches when left out",
    );
    let mut paths = Map::new();
    let mut path = |p: &str, v: Value| {
        paths.insert(format!("/api/v1{p}"), v);
    };
    path(
        "/residents",
        json!({ "get": get(
        "Residents within the caller's reach (masked numbers)", page_of("Resident"),
        vec![community.clone(), q("q", "string", "A name part, or an exact ID or phone number"), q("grid", "integer", ""),
             q("building", "integer", ""), q("unit", "integer", ""), q("room", "string", ""), q("tag", "string", "Care-group kind"),
             q("age_min", "integer", ""), q("age_max", "integer", ""), q("residence", "string", ""), q("political", "string", ""),
             q("include_left", "string", "1 to include those who moved out or died"),
             json!({ "$ref": "#/components/parameters/limit" }), json!({ "$ref": "#/components/parameters/after" })]) }),
    );
    path(
        "/residents/{id}",
        json!({ "parameters": [id_param()],
        "get": get("A resident (masked numbers)", ok("Resident", "The resident"), vec![]),
        "patch": { "tags": ["registry"], "summary": "Change a resident; empty id_number, phone or health keep the stored ones",
            "requestBody": body("ResidentInput"), "responses": { "200": ok("Resident", "Changed"), "401": err(), "404": err(), "409": err(), "422": err() } } }),
    );
    path(
        "/residents/{id}/reveal",
        json!({ "parameters": [id_param()],
        "post": post("Reveal one sensitive field, with a purpose (audited)", "RevealInput", "200", "Revealed") }),
    );
    path(
        "/residents/{id}/move",
        json!({ "parameters": [id_param()],
        "post": post("Move a resident to another household of the community", "MoveInput", "200", "Resident") }),
    );
    path(
        "/residents/{id}/leave",
        json!({ "parameters": [id_param()],
        "post": post("A resident moved out or died", "LeaveInput", "200", "Resident") }),
    );
    path(
        "/residents/{id}/account",
        json!({ "parameters": [id_param()],
        "post": post("Link the resident's record to an account (the person signs in as it); audited", "AccountLinkInput", "200", "Resident") }),
    );
    path(
        "/residents/{id}/merge",
        json!({ "parameters": [id_param()],
        "post": post("Merge this duplicate into another record", "MergeInput", "200", "Resident") }),
    );
    path(
        "/residents/{id}/care-tags",
        json!({ "parameters": [id_param()],
        "get": get("A resident's care-group tags", page_of("CareTag"), vec![]),
        "post": post("Tag a resident with a care group", "CareTagInput", "201", "Created") }),
    );
    path(
        "/care-tags/{id}/end",
        json!({ "parameters": [id_param()],
        "post": post("End a care-group tag", "TagEndInput", "200", "Created") }),
    );
    path(
        "/households/{id}/residents",
        json!({ "parameters": [id_param()],
        "get": get("A household's members", page_of("Resident"), vec![]),
        "post": post("Add a resident to a household", "ResidentInput", "201", "Resident") }),
    );
    path(
        "/households/{id}/visits",
        json!({ "parameters": [id_param()],
        "get": get("A household's door visits", page_of("Visit"), vec![]),
        "post": post("Log a door visit", "DoorVisitInput", "201", "Created") }),
    );
    path(
        "/households/{id}/holdings",
        json!({ "parameters": [id_param()],
        "get": get("Owners and tenants of a dwelling", page_of("Holding"), vec![]),
        "post": post("Add an owner (with exclusive area) or a tenant", "HoldingInput", "201", "Created") }),
    );
    path(
        "/holdings/{id}/end",
        json!({ "parameters": [id_param()],
        "post": { "tags": ["registry"], "summary": "End an ownership or tenancy today",
            "responses": { "200": ok("Created", "Ended"), "401": err(), "404": err(), "409": err() } } }),
    );
    path(
        "/households/{id}/history",
        json!({ "parameters": [id_param()],
        "get": get("A household's history", page_of("Event"), vec![]) }),
    );
    path(
        "/registry/visits-due",
        json!({ "get": get("Households not visited in N days", page_of("DueHousehold"),
        vec![community.clone(), q("grid", "integer", ""), q("days", "integer", "Default 30")]) }),
    );
    path(
        "/registry/numbers",
        json!({ "get": get("Households, residents, care groups and visits by grid and building",
        ok("Numbers", "The numbers"), vec![community.clone()]) }),
    );
    path(
        "/registry/requests",
        json!({ "get": get("Residents' requests about their data", page_of("Request"), vec![community]) }),
    );
    path(
        "/registry/requests/{id}/answer",
        json!({ "parameters": [id_param()],
        "post": post("Answer a request: done, or refused with a reason", "AnswerInput", "200", "Created") }),
    );
    path(
        "/me/resident",
        json!({ "get": get("My own registry record, in full", ok("OwnData", "Mine"), vec![]) }),
    );
    path(
        "/me/requests",
        json!({
        "get": get("My requests", page_of("Request"), vec![]),
        "post": post("Ask for a correction or a copy of my data", "RequestInput", "201", "Created") }),
    );

    let resident_fields = [
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "id_type",
        "id_number",
        "phone",
        "phone2",
        "relation",
        "residence",
        "moved_in_on",
        "occupation",
        "employer",
        "political",
        "party_branch",
        "veteran",
        "notes",
        "health",
    ];
    let object = json!({ "type": "object" });
    let schemas = json!({
        "Resident": { "type": "object", "required": ["resident_id", "community_id", "household_id", "name"], "properties": {
            "resident_id": { "type": "integer" }, "community_id": { "type": "integer" }, "household_id": { "type": "integer" },
            "grid_id": { "type": "integer" }, "name": { "type": "string" }, "gender": { "type": "string" },
            "birth_date": { "type": ["string", "null"] }, "ethnicity": { "type": "string" }, "id_type": { "type": "string" },
            "id_masked": { "type": "string", "description": "e.g. 110105********002X" },
            "phone_masked": { "type": "string", "description": "e.g. 138****5678" }, "phone2_masked": { "type": "string" },
            "relation": { "type": "string" }, "residence": { "type": "string" }, "left_at": { "type": ["integer", "null"] },
            "merged_into": { "type": ["integer", "null"] } } },
        "ResidentInput": typed::<ResidentInput>(strings(&resident_fields)),
        "RevealInput": typed::<RevealBody>(json!({ "type": "object", "required": ["field", "purpose"], "additionalProperties": false, "properties": {
            "field": { "type": "string", "enum": ["id_number", "phone", "phone2", "health"] }, "purpose": { "type": "string" } } })),
        "Revealed": { "type": "object", "properties": { "field": { "type": "string" }, "value": { "type": "string" } } },
        "MoveInput": typed::<MoveBody>(json!({ "type": "object", "required": ["household_id"], "additionalProperties": false, "properties": { "household_id": { "type": "integer" } } })),
        "LeaveInput": typed::<LeaveBody>(json!({ "type": "object", "required": ["reason"], "additionalProperties": false, "properties": {
            "reason": { "type": "string", "enum": ["moved_out", "deceased"] }, "on": { "type": "string", "format": "date" } } })),
        "AccountLinkInput": typed::<AccountBody>(json!({ "type": "object", "required": ["username"], "additionalProperties": false, "properties": { "username": { "type": "string", "description": "The account's username" } } })),
        "MergeInput": typed::<MergeBody>(json!({ "type": "object", "required": ["into"], "additionalProperties": false, "properties": { "into": { "type": "integer" } } })),
        "AccountInput": typed::<AccountBody>(json!({ "type": "object", "required": ["username"], "additionalProperties": false, "properties": { "username": { "type": "string" } } })),
        "CareTagInput": typed::<TagInput>(strings(&["kind", "category", "level", "note", "starts_on", "ends_on"])),
        "CareTag": object.clone(),
        "TagEndInput": typed::<EndBody>(strings(&["ends_on"])),
        "DoorVisitInput": typed::<VisitInput>(strings(&["met", "findings", "follow_up"])),
        "Visit": object.clone(),
        "HoldingInput": typed::<HoldingInput>(strings(&["kind", "holder_name", "resident_id", "area", "area_source", "developer", "starts_on"])),
        "Holding": object.clone(),
        "Event": object.clone(),
        "DueHousehold": object.clone(),
        "Numbers": object.clone(),
        "Request": object.clone(),
        "OwnData": object.clone(),
        "RequestInput": typed::<RequestBody>(json!({ "type": "object", "required": ["kind", "body"], "additionalProperties": false, "properties": {
            "kind": { "type": "string", "enum": ["correction", "copy"] }, "body": { "type": "string" } } })),
        "AnswerInput": typed::<AnswerBody>(json!({ "type": "object", "required": ["status", "answer"], "additionalProperties": false, "properties": {
            "status": { "type": "string", "enum": ["done", "refused"] }, "answer": { "type": "string" } } })),
        "Created": object,
    });
    let mut doc = json!({ "paths": paths, "components": { "schemas": schemas } });
    merge(&mut doc, crate::import::openapi());
    doc
}

/// Adds another fragment's paths and schemas to a document.
fn merge(doc: &mut Value, other: Value) {
    for part in ["/paths", "/components/schemas"] {
        if let (Some(Value::Object(into)), Some(Value::Object(from))) =
            (doc.pointer(part).cloned(), other.pointer(part))
        {
            let mut into = into;
            into.extend(from.clone());
            if let Some(slot) = doc.pointer_mut(part) {
                *slot = Value::Object(into);
            }
        }
    }
}
