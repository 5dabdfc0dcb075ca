//! Every outside input gets a clear error in the envelope, never a panic or a 500, and nothing
//! is half-written.

use serde_json::json;
use tower::ServiceExt;

use crate::{demo_app, PW};

async fn client(app: &yijia_testkit::TestApp) -> yijia_testkit::Client {
    let t = app.token("xlg.admin", PW).await;
    app.client().with_bearer(&t)
}

async fn grid_count(c: &mut yijia_testkit::Client) -> usize {
    c.get("/api/v1/communities/1/grids?limit=200").await.json()["items"]
        .as_array()
        .unwrap()
        .len()
}

async fn topic_count(c: &mut yijia_testkit::Client) -> usize {
    c.get("/api/v1/council-topics?community=1").await.json()["topics"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_envelope() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let res = c
        .post_raw(
            "/api/v1/communities/1/grids",
            "application/json",
            b"{\"code\": \"G9\", ",
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "malformed_json");
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("JSON"));
    let empty = c.post_raw("/api/v1/communities/1/grids", "application/json", b"").await;
    assert_eq!(empty.status, 400);
    assert_eq!(grid_count(&mut c).await, 4);
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_name_the_field() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let res = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": 7, "name": "x" }))
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["code"].is_string(), "{}", res.text());
    let res = c
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G9", "name": "x", "owner": "me" }),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("owner"), "{}", res.text());
    let res = c
        .post_json("/api/v1/communities/1/grids", &json!(["not", "an", "object"]))
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(grid_count(&mut c).await, 4);
}

#[tokio::test]
async fn inputs_shared_with_forms_take_numbers_as_text_and_name_a_field_of_the_wrong_shape() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let before = topic_count(&mut c).await;
    // A number where the form posts text is taken as its text (the community's id here).
    let body = json!({ "community": 1, "title": "楼道灯不亮", "body": "三单元", "scope_kind": "community" });
    let res = c.post_json("/api/v1/council-topics", &body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    // A list where text belongs, and a field the input does not have: each named.
    let res = c
        .post_json(
            "/api/v1/council-topics",
            &json!({ "community": "1", "title": ["楼道灯"] }),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["fields"]["title"].is_string(), "{}", res.text());
    let res = c
        .post_json(
            "/api/v1/council-topics",
            &json!({ "community": "1", "title": "x", "owner": "me" }),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("owner"), "{}", res.text());
    assert_eq!(topic_count(&mut c).await, before + 1, "only the good one was raised");
}

#[tokio::test]
async fn limits_count_chinese_characters_not_bytes() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let forty = "网".repeat(40);
    let ok = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": "G40", "name": forty }))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.json()["name"].as_str().unwrap().chars().count(), 40);
    let long = c
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G41", "name": "网".repeat(41) }),
        )
        .await;
    assert_eq!(long.status, 422);
    assert_eq!(long.json()["error"]["fields"]["name"], "最多 40 个字（现在 41 个）。");
    let blank = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": "G42", "name": "   " }))
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(blank.json()["error"]["fields"]["name"], "此项为必填项。");
    let control = c
        .post_json(
            "/api/v1/communities/1/grids",
            &json!({ "code": "G43", "name": "a\u{0007}b" }),
        )
        .await;
    assert_eq!(control.status, 422);
    let code = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": "第九", "name": "x" }))
        .await;
    assert_eq!(code.status, 422);
    assert_eq!(grid_count(&mut c).await, 5);
}

#[tokio::test]
async fn errors_speak_the_readers_language() {
    let app = demo_app().await;
    let mut c = client(&app).await.with_header("accept-language", "en-US,en;q=0.9");
    // A token's account has zh-CN as its language; an anonymous call follows Accept-Language.
    let mut anon = app.client().with_header("accept-language", "en");
    let res = anon.get("/api/v1/me").await;
    assert_eq!(res.json()["error"]["message"], "Please sign in first.");
    let res = c
        .post_json("/api/v1/communities/1/grids", &json!({ "code": "G9", "name": "" }))
        .await;
    assert_eq!(res.json()["error"]["fields"]["name"], "此项为必填项。");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let huge = format!("{{\"code\":\"G9\",\"name\":\"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let res = c
        .post_raw("/api/v1/communities/1/grids", "application/json", huge.as_bytes())
        .await;
    assert_eq!(res.status, 413);
    assert_eq!(res.code(), "payload_too_large");
    let mut page = app.signed_in("xlg.admin", PW).await;
    let res = page
        .post_raw(
            "/structure/communities/1/grids",
            "application/x-www-form-urlencoded",
            format!("code=G9&name={}", "x".repeat(3 * 1024 * 1024)).as_bytes(),
        )
        .await;
    assert_eq!(res.status, 413);
    assert!(res.text().contains("提交的内容太大"));
}

#[tokio::test]
async fn wrong_content_types_are_refused_with_415() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let res = c
        .post_raw(
            "/api/v1/communities/1/grids",
            "text/plain",
            b"{\"code\":\"G9\",\"name\":\"x\"}",
        )
        .await;
    assert_eq!(res.status, 415);
    assert_eq!(res.code(), "unsupported_media_type");
    let res = c
        .post_raw(
            "/api/v1/communities/1/grids",
            "application/x-www-form-urlencoded",
            b"code=G9&name=x",
        )
        .await;
    assert_eq!(res.status, 415);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_envelope() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let res = c.get("/api/v1/nothing-here").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "not_found");
    let res = c
        .send(axum::http::Method::DELETE, "/api/v1/communities", None, Vec::new())
        .await;
    assert_eq!(res.status, 405);
    assert_eq!(res.code(), "method_not_allowed");
    let res = c.get("/api/v1/grids/not-a-number").await;
    assert_eq!(res.status, 404);
    let res = c.get("/api/v1/grids/99999999999999999999999").await;
    assert_eq!(res.status, 404);
    let res = c.get("/api/v1/communities?limit=abc").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "bad_query");
    let res = c.get("/api/v1/communities?colour=red").await;
    assert_eq!(res.status, 400);
    let mut page = app.client();
    let res = page.get("/no/such/page").await;
    assert_eq!(res.status, 404);
    assert!(res.text().contains("没有找到"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = demo_app().await;
    let browser = app.signed_in("xlg.admin", PW).await;
    let mut evil = browser.clone().with_header("sec-fetch-site", "cross-site");
    let res = evil
        .post_form("/structure/communities/1/grids", &[("code", "EVIL"), ("name", "x")])
        .await;
    assert_eq!(res.status, 403);
    assert!(res.text().contains("其他网站"));
    let mut req = browser.clone();
    let res = req
        .send(
            axum::http::Method::POST,
            "/login",
            Some("application/x-www-form-urlencoded"),
            b"username=a&password=b".to_vec(),
        )
        .await;
    assert_ne!(res.status, 403, "a same-origin post passes");
    // Another origin, as a form on an attacker's page would send.
    assert_eq!(evil_form_post(&app, &browser, None).await, 403);
    let mut c = client(&app).await;
    assert!(!c.get("/api/v1/communities/1/grids").await.text().contains("EVIL"));
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = demo_app().await;
    let mut c = app.client();
    assert_eq!(c.get("/healthz").await.text(), "ok");
    assert_eq!(c.get("/readyz").await.status, 200);
    let m = c.get("/metrics").await;
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    assert!(m.text().contains("yijia_http_requests_total{class=\"2xx\"}"));
    assert!(m.text().contains("yijia_database_up 1"));
}

#[tokio::test]
async fn nul_bytes_and_trailing_garbage_are_refused_at_the_edge() {
    let app = demo_app().await;
    let mut c = client(&app).await;
    let res = c
        .post_raw(
            "/api/v1/communities/1/grids",
            "application/json",
            br#"{"code":"T1","name":"x"} garbage"#,
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "malformed_json");
    let res = c
        .post_raw(
            "/api/v1/communities/1/grids",
            "application/json",
            br#"{"code":"T1","name":"a\u0000b"}"#,
        )
        .await;
    assert_eq!(res.status, 422);
    let res = c.get("/api/v1/audit?actor=%00").await;
    assert_eq!(res.status, 400);
    let res = app
        .client()
        .post_json(
            "/api/v1/auth/token",
            &json!({ "username": "a\u{0}", "password": "xxxxxxxxxx" }),
        )
        .await;
    assert_eq!(res.status, 422);
    let res = app
        .client()
        .post_form("/login", &[("username", "a\u{0}b"), ("password", "x")])
        .await;
    assert_eq!(res.status, 400);
    let res = app
        .client()
        .post_json(
            "/api/v1/auth/token",
            &json!({ "username": "x".repeat(10_000), "password": "y".repeat(10_000) }),
        )
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(grid_count(&mut c).await, 4);
}

#[tokio::test]
async fn redirects_never_leave_the_site_nor_break() {
    let app = demo_app().await;
    for next in ["/\t/evil.example", "/\n", "https://evil.example", "\\\\evil.example"] {
        let res = app
            .client()
            .post_form("/login", &[("username", "xlg.staff"), ("password", PW), ("next", next)])
            .await;
        assert_eq!(res.status, 303, "{next:?}");
        assert_eq!(res.header("location").unwrap(), "/", "{next:?}");
        let res = app.client().post_form("/lang", &[("lang", "en"), ("back", next)]).await;
        assert_eq!(res.header("location").unwrap(), "/", "{next:?}");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_other_schemes_do_not_bypass_the_origin_check() {
    let app = demo_app().await;
    let token = app.token("xlg.admin", PW).await;
    let mut lower = app.client().with_header("authorization", &format!("bearer {token}"));
    assert_eq!(lower.get("/api/v1/me").await.status, 200);
    let browser = app.signed_in("xlg.admin", PW).await;
    assert_eq!(
        evil_form_post(&app, &browser, Some(("authorization", "Basic eDp4"))).await,
        403
    );
}

/// A form on another site posting to ours with the victim's session cookie.
async fn evil_form_post(
    app: &yijia_testkit::TestApp,
    victim: &yijia_testkit::Client,
    extra: Option<(&str, &str)>,
) -> u16 {
    let mut req = axum::http::Request::post("/structure/communities/1/grids")
        .header("host", "yijia.test")
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("yijia_session={}", victim.cookies["yijia_session"]));
    if let Some((k, v)) = extra {
        req = req.header(k, v);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(axum::body::Body::from("code=EVIL&name=x")).unwrap())
        .await
        .unwrap();
    res.status().as_u16()
}
