//! Test support. Every test gets a fresh database: a new SQLite file by default, or, when
//! `YIJIA_TEST_POSTGRES_URL` is set, a new PostgreSQL database cloned from a migrated template.
//! The application is driven in-process through its router, with a client that keeps cookies.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test support fails loudly")]

mod client;
mod db;

use std::sync::Arc;

use yijia_db::Db;
use yijia_kernel::clock::Clock;
use yijia_kernel::config::Config;
use yijia_kernel::{AppState, Module};

pub use client::{Client, TestResponse};
pub use db::{Snapshot, TestDb};

/// 2026-11-27T02:00:00Z, 10:00 in Lanzhou: the start of every test's manual clock.
pub const START_MS: i64 = 1_795_744_800_000;

/// The demo snapshots of this process, by the names of the modules that made them.
static DEMOS: tokio::sync::Mutex<Vec<(Vec<&'static str>, Snapshot)>> = tokio::sync::Mutex::const_new(Vec::new());

/// An application on its own fresh database.
pub struct TestApp {
    pub state: AppState,
    pub router: axum::Router,
    pub db: TestDb,
}

impl TestApp {
    /// Starts the application with the given modules on a fresh database.
    pub async fn spawn(modules: Vec<Arc<dyn Module>>) -> TestApp {
        let db = TestDb::fresh().await;
        TestApp::on(db, modules).await
    }

    /// Starts the application on a fresh database with settings changed from the defaults
    /// (a public URL, trusted proxies, limits).
    pub async fn spawn_with(modules: Vec<Arc<dyn Module>>, configure: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::fresh().await;
        TestApp::on_with(db, modules, configure).await
    }

    /// Another instance of the application on the same database (as behind a load balancer).
    pub async fn on(db: TestDb, modules: Vec<Arc<dyn Module>>) -> TestApp {
        TestApp::on_with(db, modules, |_| {}).await
    }

    async fn on_with(db: TestDb, modules: Vec<Arc<dyn Module>>, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config {
            data_dir: db.dir().to_path_buf(),
            ..Config::default()
        };
        configure(&mut config);
        config.validate().unwrap();
        let vault = yijia_kernel::keycheck::vault_for(&db.db, &config.data_dir, config.secret_key.as_deref())
            .await
            .unwrap();
        let state = yijia_web::build_state(db.db.clone(), config, Clock::manual(START_MS), modules, vault).unwrap();
        let router = yijia_web::app(state.clone());
        TestApp { state, router, db }
    }

    pub fn client(&self) -> Client {
        Client::new(self.router.clone())
    }

    pub fn handle(&self) -> &Db {
        &self.db.db
    }

    /// The application on a copy of the demo community, which is loaded once per test process
    /// (for each set of modules) rather than once per test: loading it runs every module's demo
    /// and hashes a dozen passwords, seconds where a copy takes milliseconds.
    pub async fn spawn_demo(modules: Vec<Arc<dyn Module>>) -> TestApp {
        TestApp::spawn_demo_in(modules, &std::env::temp_dir()).await
    }

    /// The same, with the database's folder inside `parent`.
    pub async fn spawn_demo_in(modules: Vec<Arc<dyn Module>>, parent: &std::path::Path) -> TestApp {
        let key: Vec<&str> = modules.iter().map(|m| m.name()).collect();
        let snapshot = {
            let mut done = DEMOS.lock().await;
            match done.iter().find(|(k, _)| *k == key) {
                Some((_, s)) => s.clone(),
                None => {
                    let app = TestApp::spawn(modules.clone()).await;
                    app.demo().await;
                    let snapshot = app.db.snapshot().await;
                    done.push((key, snapshot.clone()));
                    snapshot
                }
            }
        };
        TestApp::on(TestDb::copy_of_in(&snapshot, parent).await, modules).await
    }

    /// Loads every module's demo data (the Xiliugou community and its accounts).
    pub async fn demo(&self) {
        for m in self.state.modules.iter() {
            m.demo(&self.state).await.unwrap();
        }
    }

    /// A client signed in with a demo account.
    pub async fn signed_in(&self, username: &str, password: &str) -> Client {
        let mut c = self.client();
        let res = c
            .post_form(
                "/login",
                &[("username", username), ("password", password), ("next", "/")],
            )
            .await;
        assert_eq!(res.status, 303, "sign-in of {username} failed: {}", res.text());
        c
    }

    /// A bearer token for an account.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let res = self
            .client()
            .post_json(
                "/api/v1/auth/token",
                &serde_json::json!({ "username": username, "password": password }),
            )
            .await;
        assert_eq!(res.status, 200, "token for {username}: {}", res.text());
        res.json()["token"].as_str().unwrap().to_owned()
    }
}
