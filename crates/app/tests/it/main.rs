//! The integration suite: one binary, every test on its own fresh database, run on SQLite by
//! default and on PostgreSQL when `YIJIA_TEST_POSTGRES_URL` is set.

#![expect(clippy::unwrap_used, reason = "helpers outside #[test] functions fail loudly too")]

mod accounts;
mod api_errors;
mod appeals;
mod audit;
mod backup;
mod care;
mod charts;
mod cli;
mod concurrency;
mod council;
mod council_pages;
mod faults;
mod headers;
mod line_breaks;
mod maps;
mod no_panic;
mod openapi;
mod outbox;
mod pages;
mod registry;
mod registry_import;
mod registry_owners;
mod schema;
mod scope;
mod scope_matrix;
mod security;
mod structure;
mod support;
mod volunteers;
mod volunteers_api;

use yijia_testkit::TestApp;

/// The demo's password.
pub const PW: &str = yijia_accounts::demo::DEMO_PASSWORD;

/// The application with every module, on a fresh database.
pub async fn app() -> TestApp {
    TestApp::spawn(yijia::modules()).await
}

/// The application with the demo community loaded.
pub async fn demo_app() -> TestApp {
    TestApp::spawn_demo(yijia::modules()).await
}

/// The id of a grid of the demo community by its code, read as the platform administrator.
pub async fn grid_id(app: &TestApp, code: &str) -> i64 {
    let token = app.token("admin", PW).await;
    let mut c = app.client().with_bearer(&token);
    let res = c.get("/api/v1/communities/1/grids?limit=200").await;
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}
