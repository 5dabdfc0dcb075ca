//! No panic reaches a client: text that a parser might once have sliced mid-character (`2026年1`
//! in a date field) is a field error in the reader's language, and a handler that does panic
//! answers the internal-error envelope (API) or the error page (pages) and is counted in
//! `/metrics`.

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use yijia_kernel::{AppState, Module};
use yijia_testkit::{Client, TestApp};

use crate::{demo_app, PW};

async fn staff(app: &TestApp) -> Client {
    let t = app.token("xlg.admin", PW).await;
    app.client().with_bearer(&t)
}

fn says(app: &TestApp, key: &str) -> String {
    app.state.tr(yijia_kernel::i18n::Locale::ZhCn).t(key)
}

#[tokio::test]
async fn a_date_with_chinese_characters_in_it_is_a_field_error_not_a_500() {
    let app = demo_app().await;
    let mut c = staff(&app).await;
    let res = c
        .post_json(
            "/api/v1/residents/1/care-tags",
            &json!({ "kind": "elderly_alone", "starts_on": "2026年1" }),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text());
    assert_eq!(
        res.json()["error"]["fields"]["starts_on"],
        says(&app, "registry.bad_date")
    );
    let h = household_of(&mut c, 1).await;
    for field in ["birth_date", "moved_in_on"] {
        for typed in ["2026年1", "1990年１２", "２０26年", "一九九〇年"] {
            let res = c
                .post_json(
                    &format!("/api/v1/households/{h}/residents"),
                    &json!({ "name": "日期测试", field: typed }),
                )
                .await;
            assert_eq!(res.status, 422, "{field} {typed}: {}", res.text());
            assert_eq!(
                res.json()["error"]["fields"][field],
                says(&app, "registry.bad_date"),
                "{field} {typed}"
            );
        }
    }
}

#[tokio::test]
async fn full_width_digits_in_a_date_are_read_as_the_date_they_spell() {
    let app = demo_app().await;
    let mut c = staff(&app).await;
    let res = c
        .post_json(
            "/api/v1/residents/1/care-tags",
            &json!({ "kind": "elderly_alone", "starts_on": "２０２６-01-05" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let tags = c.get("/api/v1/residents/1/care-tags").await.json();
    let tag = tags
        .as_array()
        .or_else(|| tags["items"].as_array())
        .and_then(|t| t.iter().find(|t| t["kind"] == "elderly_alone"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(tag["starts_on"], "2026-01-05", "{tags}");
    let h = household_of(&mut c, 1).await;
    let res = c
        .post_json(
            &format!("/api/v1/households/{h}/residents"),
            &json!({ "name": "全角日期", "birth_date": "１９４０－０５－０１", "moved_in_on": "2001年3月9日" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["birth_date"], "1940-05-01");
    assert_eq!(res.json()["moved_in_on"], "2001-03-09");
}

/// The household a resident lives in.
async fn household_of(c: &mut Client, resident: i64) -> i64 {
    let r = c.get(&format!("/api/v1/residents/{resident}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["household_id"].as_i64().unwrap()
}

/// A module whose only routes panic, as a bug in a handler would.
struct Panicking;

async fn boom() -> &'static str {
    panic!("a bug in a handler")
}

impl Module for Panicking {
    fn name(&self) -> &'static str {
        "panicking"
    }

    fn pages(&self) -> Router<AppState> {
        Router::new().route("/test-panic", get(boom))
    }

    fn api(&self) -> yijia_kernel::ApiRoutes {
        yijia_kernel::ApiRoutes::new().route("/test-panic", get(boom))
    }
}

fn panics_counted(metrics: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("yijia_panics_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no yijia_panics_total in {metrics}"))
}

#[tokio::test]
async fn a_panicking_handler_answers_the_error_envelope_or_page_and_is_counted() {
    let mut modules = yijia::modules();
    modules.push(Arc::new(Panicking));
    let app = TestApp::spawn(modules).await;
    let mut c = app.client();
    let before = panics_counted(&c.get("/metrics").await.text());
    let api = c.get("/api/v1/test-panic").await;
    assert_eq!(api.status, 500);
    assert!(api.header("content-type").unwrap().starts_with("application/json"));
    let body = api.json();
    assert_eq!(body["error"]["code"], "internal", "{body}");
    assert_eq!(body["error"]["message"], says(&app, "error.internal"), "{body}");
    assert!(
        !api.text().contains("a bug in a handler"),
        "the cause is logged, never shown"
    );
    let page = c.get("/test-panic").await;
    assert_eq!(page.status, 500);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    assert!(page.text().contains(&says(&app, "error.internal")), "{}", page.text());
    assert!(!page.text().contains("a bug in a handler"));
    let after = panics_counted(&c.get("/metrics").await.text());
    // Other tests run in the same process: the counter rose by at least these two.
    assert!(after >= before + 2, "{before} → {after}");
}
