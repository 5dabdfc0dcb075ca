//! The appeals' part of the OpenAPI document.

use serde_json::{json, Value};
use yijia_web::openapi::{example, id_param, input, strings, typed, with};

use crate::api::{MemberBody, RevealBody};
use crate::commands::catalogue::{CategoryInput, DayInput, PartyInput, RouteInput};
use crate::commands::step::StepInput;
use crate::commands::submit::AppealInput;

fn op(summary: &str, body: Option<&str>, status: &str) -> Value {
    yijia_web::openapi::op("appeals", summary, body, status)
}

pub fn document() -> Value {
    let q = |name: &str, ty: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": ty } });
    let mut list = op(
        "Appeals: a community's, my party's queue (view=queue), or my own (view=mine)",
        None,
        "200",
    );
    list["parameters"] = json!([
        q("community", "integer"),
        q("view", "string"),
        q("status", "string"),
        q("party", "integer"),
        q("category", "integer"),
        q("bucket", "string"),
        q("before", "integer"),
        q("limit", "integer")
    ]);
    // A photo of the problem: one JPEG or PNG in a multipart form, re-encoded without metadata.
    let mut photo = op("Add a photo (JPEG or PNG, multipart field `file`)", None, "201");
    photo["requestBody"] = json!({ "required": true, "content": { "multipart/form-data": { "schema": {
        "type": "object", "required": ["file"],
        "properties": { "file": { "type": "string", "contentMediaType": "image/jpeg" } } } } } });
    json!({
        "paths": {
            "/appeals": { "get": list, "post": op("Raise an appeal", Some("AppealInput"), "201") },
            "/appeals/{id}": { "parameters": [id_param()], "get": op("An appeal with its timeline and the actions open to the caller", None, "200") },
            "/appeals/{id}/steps": { "parameters": [id_param()], "post": op("Take a step: accept, dispatch, take, reply, rate…", Some("StepInput"), "200") },
            "/appeals/{id}/reveal": { "parameters": [id_param()], "post": op("Show the requester's phone number, with a purpose (audited)", Some("AppealRevealInput"), "200") },
            "/appeals/{id}/photos": { "parameters": [id_param()], "post": photo },
            "/communities/{id}/appeal-rates": { "parameters": [id_param(), q("month", "string")], "get": op("响应率, 解决率, 满意率, on-time rate and handling time of a month, by party, category and grid", None, "200") },
            "/communities/{id}/appeal-catalogue": { "parameters": [id_param()], "get": op("Categories, parties and (for administrators) routing rules", None, "200") },
            "/communities/{id}/appeal-parties": { "parameters": [id_param()], "post": op("Add a handling party", Some("PartyInput"), "201") },
            "/appeal-parties/{id}/members": { "parameters": [id_param()], "post": op("Add an account to a party", Some("MemberInput"), "200") },
            "/communities/{id}/appeal-categories": { "parameters": [id_param()], "post": op("Add a category", Some("CategoryInput"), "201") },
            "/communities/{id}/appeal-routes": { "parameters": [id_param()], "post": op("Add a routing rule", Some("RouteInput"), "201") },
            "/communities/{id}/calendar": { "parameters": [id_param()], "post": op("Mark a holiday or a make-up working day", Some("DayInput"), "200") }
        },
        "components": { "schemas": {
            "AppealInput": example(
                with(
                    input::<AppealInput>(),
                    "attributes",
                    json!({ "type": "object", "additionalProperties": { "type": "string" }, "description": "Answers to the category's questions, by question code" }),
                ),
                json!({ "community": "1", "category": "3", "building": "2", "description": "3单元楼道的暖气片不热，家里只有16度" }),
            ),
            "StepInput": example(input::<StepInput>(), json!({ "action": "accept", "version": "1" })),
            "AppealRevealInput": typed::<RevealBody>(strings(&["purpose"])),
            "PartyInput": input::<PartyInput>(),
            "MemberInput": typed::<MemberBody>(strings(&["username"])),
            "CategoryInput": input::<CategoryInput>(),
            "RouteInput": input::<RouteInput>(),
            "DayInput": typed::<DayInput>(strings(&["day", "kind"]))
        } }
    })
}
