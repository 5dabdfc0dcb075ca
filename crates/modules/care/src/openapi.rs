//! The care module's part of the OpenAPI document.

use serde_json::{json, Value};
use yijia_web::openapi::{id_param, input};

use crate::commands::pairing::{EndInput, PairInput};
use crate::commands::visit::{AppealFromVisit, VisitInput};
use crate::commands::wish::{ClaimInput, ConfirmInput, NoteInput, ThankInput, VetInput, WishInput};

fn op(summary: &str, body: Option<&str>, status: &str) -> Value {
    yijia_web::openapi::op("care", summary, body, status)
}

pub fn document() -> Value {
    let q = |name: &str, ty: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": ty } });
    let with = |mut o: Value, params: Value| {
        o["parameters"] = params;
        o
    };
    let mut fulfil = op(
        "The claimant fulfils the wish: a note, the minutes it took (credited to a volunteer on confirmation) and at least one photo",
        None,
        "200",
    );
    fulfil["requestBody"] = json!({
        "required": true,
        "content": { "multipart/form-data": { "schema": {
            "type": "object",
            "required": ["note", "photos"],
            "properties": {
                "note": { "type": "string" },
                "minutes": { "type": "string" },
                "photos": { "type": "array", "items": { "type": "string", "format": "binary" } }
            }
        } } }
    });
    json!({
        "paths": {
            "/care-wishes": {
                "get": with(op("The wish wall (public text only, never the wisher), the wishes waiting to be vetted within my reach, mine and those I claimed", None, "200"), json!([q("community", "integer"), q("status", "string")])),
                "post": op("Raise a wish, my own or (household) for a household of a grid I look after; a text naming the household, its address or a care group is refused", Some("WishInput"), "201")
            },
            "/care-wishes/{id}": { "parameters": [id_param()], "get": op("A wish as I may see it: its history and raiser only to those who speak for the wisher and staff", None, "200") },
            "/care-wishes/{id}/vet": { "parameters": [id_param()], "post": op("Staff: put the wish on the wall (vet) or decline it with a reason", Some("VetInput"), "200") },
            "/care-wishes/{id}/claim": { "parameters": [id_param()], "post": op("Claim a wish on the wall as a volunteer, a team, a party member, a merchant or a company; of two claims at once one wins (409 for the other)", Some("ClaimInput"), "200") },
            "/care-wishes/{id}/contact": { "parameters": [id_param()], "post": op("The contact for the claimant (and who looks after the grid); every reading audited", None, "200") },
            "/care-wishes/{id}/release": { "parameters": [id_param()], "post": op("Give a claim up; the wish goes back on the wall", Some("NoteInput"), "200") },
            "/care-wishes/{id}/fulfil": { "parameters": [id_param()], "post": fulfil },
            "/care-wishes/{id}/confirm": { "parameters": [id_param()], "post": op("The wisher or their grid worker confirms the fulfilment, or sends it back (reject) with a note", Some("ConfirmInput"), "200") },
            "/care-wishes/{id}/thank": { "parameters": [id_param()], "post": op("Thank the claimant on the wall", Some("ThankInput"), "200") },
            "/care-pairings": {
                "get": op("My households as a carer, the visit due first", None, "200"),
                "post": op("Pair a household with a carer of the community; a household in no care group needs a reason and is flagged", Some("PairInput"), "201")
            },
            "/care-pairings/{id}": { "parameters": [id_param()], "get": op("A pairing with the household's care groups, visits and alerts: for its carers, its grid worker and staff; audited", None, "200") },
            "/care-pairings/{id}/end": { "parameters": [id_param()], "post": op("End a pairing with a reason", Some("PairingEndInput"), "200") },
            "/care-pairings/{id}/visits": { "parameters": [id_param()], "post": op("Log a visit (only the pairing's carer); an unreachable person alerts the grid worker and the community at once", Some("CareVisitInput"), "201") },
            "/care-visits/{id}/appeal": { "parameters": [id_param()], "post": op("Raise an appeal for a need the visit found, placed at the household's door", Some("AppealFromVisit"), "201") },
            "/care-coverage": { "get": with(op("Every care-group household within my reach: paired? visited on time? with suggested carers; audited", None, "200"), json!([q("community", "integer")])) },
            "/care-overdue": { "get": with(op("The visits overdue today within my reach, the most overdue first; with district, across a whole district (for who reads its reports)", None, "200"), json!([q("community", "integer"), q("district", "integer")])) },
            "/care-reports": { "get": with(op("Coverage and on-time visits by grid and care group, wishes by stage and category, median days to fulfilment", None, "200"), json!([q("community", "integer")])) }
        },
        "components": { "schemas": {
            "WishInput": input::<WishInput>(),
            "VetInput": input::<VetInput>(),
            "ClaimInput": input::<ClaimInput>(),
            "NoteInput": input::<NoteInput>(),
            "ConfirmInput": input::<ConfirmInput>(),
            "ThankInput": input::<ThankInput>(),
            "PairInput": input::<PairInput>(),
            "PairingEndInput": input::<EndInput>(),
            "CareVisitInput": input::<VisitInput>(),
            "AppealFromVisit": input::<AppealFromVisit>()
        } }
    })
}
