//! The council's part of the OpenAPI document.

use serde_json::{json, Value};
use yijia_web::openapi::{choices, example, id_param, input};

use crate::commands::ballot::{BallotInput, HandsInput, PaperInput};
use crate::commands::comment::{CommentInput, ReportInput, ReviewInput};
use crate::commands::meeting::{MeetingInput, MinutesInput, SignInInput};
use crate::commands::resolution::{ProgressInput, TaskInput, VisibilityInput};
use crate::commands::topic::{TopicInput, TriageInput};
use crate::commands::vote::VoteInput;

use crate::model::rules::{Entitled, Matter, VoteKind};
use crate::model::{Method, ScopeKind};

fn op(summary: &str, body: Option<&str>, status: &str) -> Value {
    yijia_web::openapi::op("council", summary, body, status)
}

pub fn document() -> Value {
    let q = |name: &str, ty: &str| json!({ "name": name, "in": "query", "required": false, "schema": { "type": ty } });
    let with = |mut o: Value, params: Value| {
        o["parameters"] = params;
        o
    };
    let mut board = op(
        "A community's public board (no sign-in): resolutions with their tasks and progress, minutes; residents-only items for its residents",
        None,
        "200",
    );
    board["security"] = json!([]);
    json!({
        "paths": {
            "/council-topics": {
                "get": with(op("A community's topics, newest first (status filters; before pages on)", None, "200"), json!([q("community", "integer"), q("status", "string"), q("before", "integer")])),
                "post": op("Raise a topic for a building, compound, grid or the whole community", Some("TopicInput"), "201")
            },
            "/council-topics/{id}": { "parameters": [id_param()], "get": op("A topic with its comments (hidden ones masked), photos and votes", None, "200") },
            "/council-topics/{id}/cosign": { "parameters": [id_param()], "post": op("Co-sign a topic; reaching the community's threshold puts it on the agenda", None, "200") },
            "/council-topics/{id}/triage": { "parameters": [id_param()], "post": op("Staff: accept to the agenda, merge (into), answer directly or decline with a reason", Some("TriageInput"), "200") },
            "/council-topics/{id}/comments": { "parameters": [id_param()], "post": op("Comment, reply (parent) or answer officially for a party (official)", Some("CommentInput"), "201") },
            "/council-comments/{id}/report": { "parameters": [id_param()], "post": op("Report an abusive comment; enough reports hide it until staff review it", Some("ReportInput"), "200") },
            "/council-comments/{id}/review": { "parameters": [id_param()], "post": op("Staff: keep a reported comment up or hide it", Some("ReviewInput"), "200") },
            "/council-meetings": {
                "get": with(op("A community's meetings, latest first", None, "200"), json!([q("community", "integer")])),
                "post": op("Schedule a meeting with its agenda; refused with less notice than the community requires", Some("MeetingInput"), "201")
            },
            "/council-meetings/{id}": { "parameters": [id_param()], "get": op("A meeting, its agenda, and (staff) who signed in", None, "200") },
            "/council-meetings/{id}/sign-in": { "parameters": [id_param()], "post": op("Sign in at a meeting (staff: someone by name)", Some("SignInInput"), "200") },
            "/council-meetings/{id}/minutes": { "parameters": [id_param()], "post": op("Record and publish the minutes", Some("MeetingMinutesInput"), "200") },
            "/council-votes": {
                "get": with(op("A community's votes, newest first", None, "200"), json!([q("community", "integer")])),
                "post": op("Draft a vote: owners' joint decision (a matter of Civil Code art. 278, by code), residents' meeting or advisory poll", Some("VoteInput"), "201")
            },
            "/council-votes/{id}": { "parameters": [id_param(), q("recount", "boolean")], "get": op("A vote, my part in it, the count with every ratio against its threshold (staff live; everyone after close), recount check", None, "200") },
            "/council-votes/{id}/electors": { "parameters": [id_param(), q("q", "string"), q("limit", "integer")], "get": op("Staff: the electors with their voter numbers (enter paper ballots by them), households, and whether and how each voted", None, "200") },
            "/council-votes/{id}/open": { "parameters": [id_param()], "post": op("Open a drafted vote, fixing its electorate; refused naming the units without owner or area", None, "200") },
            "/council-votes/{id}/close": { "parameters": [id_param()], "post": op("Close and count; a passed motion becomes a resolution", None, "200") },
            "/council-votes/{id}/ballot": { "parameters": [id_param()], "post": op("Cast (or, where allowed, change) my ballot: choice, or a poll's options by number", Some("BallotInput"), "200") },
            "/council-votes/{id}/paper": { "parameters": [id_param()], "post": op("Staff: enter a paper ballot; it counts when a second staff member enters the same choice", Some("PaperInput"), "200") },
            "/council-votes/{id}/hands": { "parameters": [id_param()], "post": op("Staff: enter a show of hands; a second staff member confirms with the same figures", Some("HandsInput"), "200") },
            "/council-resolutions/{id}": { "parameters": [id_param()], "get": op("A resolution, its one-year revocation window, tasks (overdue flagged) and updates", None, "200") },
            "/council-resolutions/{id}/tasks": { "parameters": [id_param()], "post": op("Assign a task to a party with a deadline", Some("TaskInput"), "201") },
            "/council-resolutions/{id}/visibility": { "parameters": [id_param()], "post": op("Show a resolution to anyone (public) or residents only", Some("VisibilityInput"), "200") },
            "/council-tasks/{id}/progress": { "parameters": [id_param()], "post": op("Report progress (0–100) with a note", Some("ProgressInput"), "200") },
            "/communities/{id}/board": { "parameters": [id_param()], "get": board }
        },
        "components": { "schemas": {
            "TopicInput": example(
                input::<TopicInput>(),
                json!({ "community": "1", "scope_kind": "building", "scope": "2", "title": "楼道里堆放杂物", "body": "二单元楼道堆了很多纸箱，担心起火" }),
            ),
            "TriageInput": input::<TriageInput>(),
            "CommentInput": input::<CommentInput>(),
            "ReportInput": input::<ReportInput>(),
            "ReviewInput": input::<ReviewInput>(),
            "MeetingInput": input::<MeetingInput>(),
            "SignInInput": input::<SignInInput>(),
            "MeetingMinutesInput": input::<MinutesInput>(),
            "VoteInput": example(
                vote_input(),
                json!({ "community": "1", "title": "健身器材放哪里", "kind": "poll", "scope_kind": "community", "options": "楼前空地\n院子东侧", "quorum": "1/2", "closes_at": "2026-12-31T12:00" }),
            ),
            "BallotInput": input::<BallotInput>(),
            "PaperInput": input::<PaperInput>(),
            "HandsInput": input::<HandsInput>(),
            "TaskInput": input::<TaskInput>(),
            "VisibilityInput": input::<VisibilityInput>(),
            "ProgressInput": input::<ProgressInput>()
        } }
    })
}

/// The labels of a vocabulary's codes, in Chinese (the document's language for labels).
fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str, zh: fn(T) -> &'static str) -> Value {
    let pairs: Vec<(&str, &str)> = all.iter().map(|v| (code(*v), zh(*v))).collect();
    choices(&pairs)
}

/// A vote's fields, with the codes each choice accepts.
fn vote_input() -> Value {
    let mut v = input::<VoteInput>();
    let props = &mut v["properties"];
    props["kind"] = codes(VoteKind::ALL, VoteKind::as_str, VoteKind::zh);
    props["matter"] = codes(Matter::ALL, Matter::as_str, Matter::zh);
    props["entitled"] = codes(Entitled::ALL, Entitled::as_str, Entitled::zh);
    props["scope_kind"] = codes(ScopeKind::ALL, ScopeKind::as_str, ScopeKind::zh);
    props["method"] = codes(Method::ALL, Method::as_str, Method::zh);
    v
}
