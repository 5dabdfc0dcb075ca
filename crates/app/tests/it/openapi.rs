//! The OpenAPI document against the router: every JSON route the application serves is in the
//! document under its real path with each of its methods, and the document promises nothing the
//! router does not serve. A client generated from `/api/openapi.json` calls what is there.

use std::collections::BTreeSet;

use axum::http::Method;
use yijia_testkit::Client;

use crate::demo_app;
use crate::scope_matrix::fill;

/// The methods the router takes on a path, from the `Allow` header of the 405 it gives to a
/// method nobody routes (HEAD is implied by GET and left out).
async fn routed_methods(c: &mut Client, path: &str) -> BTreeSet<String> {
    let probe = Method::from_bytes(b"PROPFIND").unwrap();
    let res = c.send(probe, &fill(path, "1"), None, Vec::new()).await;
    assert_eq!(res.status, 405, "{path}: the router does not know it ({})", res.text());
    let allow = res
        .header("allow")
        .unwrap_or_else(|| panic!("{path}: a 405 without Allow"));
    allow
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .filter(|m| !m.is_empty() && m != "HEAD")
        .collect()
}

#[tokio::test]
async fn every_api_route_is_documented_under_its_real_path_and_every_documented_one_is_served() {
    let app = demo_app().await;
    let mut c = app.client();
    let doc = c.get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");

    let mut served = BTreeSet::new();
    for path in yijia_web::api_routes(&app.state).paths() {
        let full = format!("/api/v1{path}");
        for m in routed_methods(&mut c, &full).await {
            served.insert(format!("{m} {full}"));
        }
    }
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["get", "post", "put", "patch", "delete"] {
            if item.get(m).is_some() {
                documented.insert(format!("{} {path}", m.to_ascii_uppercase()));
            }
        }
    }
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "served but not in the document: {undocumented:#?}\nin the document but not served: {unserved:#?}"
    );
    assert!(served.len() > 100, "{} routes: the walk found too few", served.len());

    // One definition per schema name, and every $ref points at something that exists.
    assert_eq!(yijia_web::openapi::schema_clashes(&app.state), Vec::<String>::new());
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/").skip(1) {
        let pointer = format!("/{}", r.split('"').next().unwrap());
        assert!(doc.pointer(&pointer).is_some(), "dangling $ref {pointer}");
    }
    let docs = c.get("/api/docs").await;
    assert_eq!(docs.status, 200);
    assert!(docs.text().contains("/assets/swagger-ui-bundle.js"));
    assert_eq!(c.get("/assets/swagger-ui-bundle.js").await.status, 200);
}

#[tokio::test]
async fn a_method_a_path_does_not_take_is_refused_with_the_ones_it_does() {
    let app = demo_app().await;
    let mut c = app.client();
    let res = c.send(Method::DELETE, "/api/v1/appeals", None, Vec::new()).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.json()["error"]["code"], "method_not_allowed");
    let allow = res.header("allow").unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

#[tokio::test]
async fn error_codes_are_listed_in_the_document_and_what_the_api_answers_is_among_them() {
    let app = demo_app().await;
    let mut c = app.client();
    let doc = c.get("/api/openapi.json").await.json();
    let listed: BTreeSet<String> = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    for code in &listed {
        assert!(
            code.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{code} is not snake_case"
        );
    }
    // Refusals of several kinds, from the edge, the kernel and the modules.
    let token = app.token("xlg.staff", crate::PW).await;
    let mut staff = app.client().with_bearer(&token);
    let mut got = Vec::new();
    got.push(c.get("/api/v1/appeals").await.json());
    got.push(
        staff
            .send(Method::DELETE, "/api/v1/appeals", None, Vec::new())
            .await
            .json(),
    );
    got.push(staff.post_raw("/api/v1/appeals", "application/json", b"{").await.json());
    got.push(
        staff
            .post_json("/api/v1/council-votes", &serde_json::json!({ "kind": "x" }))
            .await
            .json(),
    );
    got.push(
        staff
            .post_raw("/api/v1/registry/imports/999999/commit", "application/json", b"")
            .await
            .json(),
    );
    got.push(
        app.client()
            .post_json(
                "/api/v1/auth/token",
                &serde_json::json!({ "username": "xlg.staff", "password": "wrong" }),
            )
            .await
            .json(),
    );
    for body in got {
        let code = body["error"]["code"].as_str().unwrap_or_else(|| panic!("{body}"));
        assert!(listed.contains(code), "{code} is answered but not in the document");
    }
    assert!(
        listed.contains("bad_credentials") && listed.contains("vote_closed"),
        "{listed:?}"
    );
}

#[tokio::test]
async fn request_schemas_are_the_input_types_own_fields_with_their_choices() {
    let app = demo_app().await;
    let doc = app.client().get("/api/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    let props = |name: &str| -> BTreeSet<String> {
        schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no properties"))
            .keys()
            .cloned()
            .collect()
    };
    let fields = |f: &[&str]| -> BTreeSet<String> { f.iter().map(|s| (*s).to_owned()).collect() };
    use yijia_web::openapi::fields_of;
    // Fields the hand-written list had missed: the category's answers, a photo's address, the visit.
    let appeal = fields_of::<yijia_appeals::commands::submit::AppealInput>();
    assert_eq!(props("AppealInput"), fields(appeal));
    for f in ["attributes", "media_url", "visit"] {
        assert!(appeal.contains(&f), "{f}");
    }
    assert_eq!(schemas["AppealInput"]["properties"]["attributes"]["type"], "object");
    assert_eq!(schemas["AppealInput"]["additionalProperties"], false);
    assert_eq!(
        props("VoteInput"),
        fields(fields_of::<yijia_council::commands::vote::VoteInput>())
    );
    let kind = &schemas["VoteInput"]["properties"]["kind"];
    assert!(kind["enum"].as_array().unwrap().contains(&"poll".into()), "{kind}");
    assert!(
        kind["description"].as_str().unwrap().contains("意见征询"),
        "labels: {kind}"
    );
    assert_eq!(
        props("CareVisitInput"),
        fields(fields_of::<yijia_care::commands::visit::VisitInput>())
    );
}
