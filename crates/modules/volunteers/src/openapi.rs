//! The volunteers' part of the OpenAPI document.

use serde_json::{json, Value};
use yijia_web::openapi::{id_param, input, strings, typed};

use crate::api::{CheckinBody, MarkBody, MinutesBody, PointsRequest, PresentedBody, SignupBody};
use crate::commands::activity::ActivityInput;
use crate::commands::profile::ProfileInput;
use crate::commands::team::{MemberInput, TeamInput};

fn op(summary: &str, body: Option<&str>, status: &str) -> Value {
    yijia_web::openapi::op("volunteers", summary, body, status)
}

pub fn document() -> Value {
    let q = |name: &str, ty: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": ty } });
    let code = json!({ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } });
    let with = |mut o: Value, params: Value| {
        o["parameters"] = params;
        o
    };
    let mut verify = op(
        "Check a certificate by its code (no sign-in): what it shows, nothing more",
        None,
        "200",
    );
    verify["security"] = json!([]);
    json!({
        "paths": {
            "/volunteers": { "post": op("Register as a volunteer (or, for staff, register someone)", Some("VolunteerInput"), "201") },
            "/volunteers/me": { "get": with(op("My volunteer profile, hours, points, teams and sign-ups", None, "200"), json!([q("community", "integer")])) },
            "/volunteers/checkin": { "post": op("Check in or out with a scanned activity code", Some("CheckinInput"), "200") },
            "/volunteers/me/card": { "get": with(op("My points code to show a merchant, valid for 15 minutes", None, "200"), json!([q("community", "integer")])) },
            "/volunteer-points/lookup": { "post": op("A merchant reads the name and points balance of the volunteer presenting a code, nothing else", Some("PresentedInput"), "200") },
            "/volunteer-points/spend": { "post": op("A merchant records points spent by the volunteer presenting a code", Some("PresentedInput"), "201") },
            "/volunteers/{id}": { "parameters": [id_param()], "get": op("A volunteer with balances (themselves and staff)", None, "200") },
            "/volunteers/{id}/ledger": { "parameters": [id_param(), q("ledger", "string"), q("before", "integer"), q("limit", "integer")], "get": op("Balance and entries of the hours (minutes) or points ledger, latest first", None, "200") },
            "/volunteers/{id}/points": { "parameters": [id_param()], "post": op("Award a bonus (kind=bonus) or record points spent (kind=spend), as staff", Some("PointsInput"), "201") },
            "/volunteers/{id}/certificates": { "parameters": [id_param()], "post": op("Issue a certificate of the record as it stands", None, "201") },
            "/volunteer-certificates/{code}": { "parameters": [code], "get": verify },
            "/volunteer-teams": { "get": with(op("A community's teams", None, "200"), json!([q("community", "integer")])), "post": op("Create a team", Some("TeamInput"), "201") },
            "/volunteer-teams/{id}/apply": { "parameters": [id_param()], "post": op("Apply to join a team", None, "200") },
            "/volunteer-teams/{id}/members": { "parameters": [id_param()], "post": op("Approve, decline, add, name a leader, remove", Some("TeamMemberInput"), "200") },
            "/volunteer-activities": { "get": with(op("A community's coming (or past: when=past) activities", None, "200"), json!([q("community", "integer"), q("when", "string"), q("before", "integer")])), "post": op("Publish an activity with its shifts", Some("ActivityInput"), "201") },
            "/volunteer-activities/{id}": { "parameters": [id_param()], "get": op("An activity with its shifts, my sign-ups, and the roster for those who run it", None, "200") },
            "/volunteer-activities/{id}/code": { "parameters": [id_param(), q("purpose", "string")], "get": op("A fresh check-in (purpose=in) or check-out (out) code, valid for 5 minutes", None, "200") },
            "/volunteer-activities/{id}/signups": { "parameters": [id_param()], "post": op("Sign up to a shift (confirmed, or on the waiting list when full)", Some("SignupInput"), "201") },
            "/volunteer-activities/{id}/cancel": { "parameters": [id_param()], "post": op("Cancel the activity", None, "200") },
            "/volunteer-signups/{id}/cancel": { "parameters": [id_param()], "post": op("Cancel a sign-up", None, "200") },
            "/volunteer-signups/{id}/mark": { "parameters": [id_param()], "post": op("Mark someone checked in or out (what=in|out)", Some("MarkInput"), "200") },
            "/volunteer-signups/{id}/minutes": { "parameters": [id_param()], "post": op("Enter or correct the minutes served (a correction needs a reason)", Some("ServedMinutesInput"), "200") },
            "/communities/{id}/volunteer-report": { "parameters": [id_param(), q("year", "integer"), q("month", "integer")], "get": op("Hours by team, grid and month (of a year, or of one month when month is 1–12), activities held, people served, top volunteers", None, "200") }
        },
        "components": { "schemas": {
            "VolunteerInput": input::<ProfileInput>(),
            "CheckinInput": typed::<CheckinBody>(strings(&["token"])),
            "PointsInput": input::<PointsRequest>(),
            "PresentedInput": typed::<PresentedBody>(strings(&["code", "points", "memo"])),
            "TeamInput": input::<TeamInput>(),
            "TeamMemberInput": input::<MemberInput>(),
            "ActivityInput": input::<ActivityInput>(),
            "SignupInput": typed::<SignupBody>(strings(&["shift"])),
            "MarkInput": typed::<MarkBody>(strings(&["what"])),
            "ServedMinutesInput": input::<MinutesBody>()
        } }
    })
}
