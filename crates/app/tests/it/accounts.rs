use serde_json::json;

use crate::{demo_app, PW};

#[tokio::test]
async fn signing_in_sets_a_session_that_opens_the_console() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.staff", PW).await;
    let cookie = c.cookies.get("yijia_session").cloned().unwrap();
    assert!(cookie.starts_with("yjs_"));
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("工作台"));
    assert!(home.text().contains("西柳沟社区"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = demo_app().await;
    let mut c = app.client();
    let res = c
        .post_form("/login", &[("username", "xlg.staff"), ("password", PW), ("next", "/")])
        .await;
    let set = res.header("set-cookie").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
}

#[tokio::test]
async fn a_wrong_password_keeps_the_username_and_says_why() {
    let app = demo_app().await;
    let mut c = app.client();
    let res = c
        .post_form(
            "/login",
            &[("username", "xlg.staff"), ("password", "nope"), ("next", "/")],
        )
        .await;
    assert_eq!(res.status, 401);
    let html = res.text();
    assert!(html.contains("用户名或密码不正确"), "{html}");
    assert!(html.contains("value=\"xlg.staff\""));
    assert!(!c.cookies.contains_key("yijia_session"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password_until_the_lock_ends() {
    let app = demo_app().await;
    let mut c = app.client();
    for _ in 0..5 {
        let res = c
            .post_form("/login", &[("username", "grid1"), ("password", "guess"), ("next", "/")])
            .await;
        assert_eq!(res.status, 401);
    }
    let locked = c
        .post_form("/login", &[("username", "grid1"), ("password", PW), ("next", "/")])
        .await;
    assert_eq!(locked.status, 429);
    assert!(locked.text().contains("尝试次数过多"));
    // Another account is not affected.
    app.signed_in("grid2", PW).await;
    app.state.clock.advance_ms(16 * 60_000);
    app.signed_in("grid1", PW).await;
}

#[tokio::test]
async fn a_forged_or_expired_session_is_nobody() {
    let app = demo_app().await;
    let mut c = app.client();
    c.cookies.insert("yijia_session".into(), "yjs_forged".into());
    let res = c.get("/structure").await;
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location").unwrap(), "/login?next=%2Fstructure");
    let mut api = app.client();
    api.cookies.insert("yijia_session".into(), "yjs_forged".into());
    let res = api.get("/api/v1/me").await;
    assert_eq!(res.status, 401);
    assert_eq!(res.code(), "unauthenticated");

    let mut real = app.signed_in("xlg.staff", PW).await;
    app.state.clock.advance_ms(13 * 3_600_000);
    assert_eq!(
        real.get("/").await.status,
        303,
        "a session idle for longer than 12 hours has ended"
    );
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.staff", PW).await;
    let stolen = c.cookies.clone();
    c.post_form("/logout", &[]).await;
    let mut thief = app.client();
    thief.cookies = stolen;
    assert_eq!(thief.get("/").await.status, 303);
}

#[tokio::test]
async fn two_instances_on_one_database_share_sessions() {
    let app = demo_app().await;
    let other = yijia_testkit::TestApp::on(app.db.clone(), yijia::modules()).await;
    let c = app.signed_in("xlg.admin", PW).await;
    let mut there = other.client();
    there.cookies = c.cookies.clone();
    let res = there.get("/admin/accounts").await;
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn a_logout_ends_the_session_here_at_once_and_on_another_instance_within_moments() {
    let app = demo_app().await;
    let other = yijia_testkit::TestApp::on(app.db.clone(), yijia::modules()).await;
    let mut here = app.signed_in("xlg.admin", PW).await;
    let mut there = other.client();
    there.cookies = here.cookies.clone();
    // Both instances have just seen the session (and may remember it for a moment).
    assert_eq!(here.get("/").await.status, 200);
    assert_eq!(there.get("/").await.status, 200);
    here.post_form("/logout", &[]).await;
    let mut replay = app.client();
    replay.cookies = there.cookies.clone();
    assert_eq!(
        replay.get("/").await.status,
        303,
        "the instance that logged out forgets at once"
    );
    other.state.clock.advance_ms(yijia_kernel::recent::FRESH_MS);
    assert_eq!(there.get("/").await.status, 303, "the other instance within FRESH_MS");
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = demo_app().await;
    let mut phone = app.signed_in("party1", PW).await;
    let mut desk = app.signed_in("party1", PW).await;
    let res = desk
        .post_form(
            "/account/password",
            &[
                ("current_password", PW),
                ("new_password", "新的密码-2026"),
                ("repeat_password", "新的密码-2026"),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(desk.get("/account").await.status, 200);
    assert_eq!(phone.get("/account").await.status, 303);
    app.signed_in("party1", "新的密码-2026").await;
}

#[tokio::test]
async fn a_wrong_current_password_changes_nothing() {
    let app = demo_app().await;
    let mut c = app.signed_in("party1", PW).await;
    let res = c
        .post_form(
            "/account/password",
            &[
                ("current_password", "x"),
                ("new_password", "abcdefgh1"),
                ("repeat_password", "abcdefgh1"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("当前密码不正确"));
    app.signed_in("party1", PW).await;
}

#[tokio::test]
async fn the_token_endpoint_gives_a_bearer_that_acts_as_the_person() {
    let app = demo_app().await;
    let token = app.token("grid1", PW).await;
    let mut c = app.client().with_bearer(&token);
    let me = c.get("/api/v1/me").await.json();
    assert_eq!(me["account"]["username"], "grid1");
    assert_eq!(me["grants"][0]["role"], "grid_worker");
    let bad = app
        .client()
        .post_json("/api/v1/auth/token", &json!({ "username": "grid1", "password": "x" }))
        .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.code(), "bad_credentials");
    let mut wrong = app.client().with_bearer("yjt_not_a_token");
    assert_eq!(wrong.get("/api/v1/me").await.status, 401);
}

#[tokio::test]
async fn a_revoked_personal_token_stops_working() {
    let app = demo_app().await;
    let mut page = app.signed_in("xlg.staff", PW).await;
    let res = page.post_form("/account/tokens", &[("name", "脚本")]).await;
    let html = res.text();
    let start = html.find("yjt_").unwrap();
    let token = &html[start..start + 68];
    let mut api = app.client().with_bearer(token);
    assert_eq!(api.get("/api/v1/me").await.status, 200);
    let id = html
        .split("/account/tokens/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    page.post_form(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(api.get("/api/v1/me").await.status, 401);
}

#[tokio::test]
async fn an_integration_key_sees_its_community_only() {
    let app = demo_app().await;
    let cli = yijia_kernel::Actor::cli();
    let key = yijia_accounts::commands::tokens::create_api_key(&app.state, &cli, "XLG", "12345 热线")
        .await
        .unwrap();
    let mut c = app.client().with_bearer(&key);
    let list = c.get("/api/v1/communities").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["code"], "XLG");
    assert_eq!(c.get("/api/v1/grids/1").await.status, 404);
}

#[tokio::test]
async fn a_community_admin_creates_accounts_in_their_community_only() {
    let app = demo_app().await;
    let token = app.token("xlg.admin", PW).await;
    let mut c = app.client().with_bearer(&token);
    let ok = c
        .post_json("/api/v1/accounts", &json!({ "username": "new.worker", "display_name": "新网格员", "role": "grid_worker", "community": "XLG", "grid": "G03" }))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert!(ok.json()["generated_password"].as_str().unwrap().len() >= 12);
    let platform = c
        .post_json(
            "/api/v1/accounts",
            &json!({ "username": "boss", "display_name": "x", "role": "platform_admin" }),
        )
        .await;
    assert_eq!(platform.status, 403);
    let taken = c
        .post_json(
            "/api/v1/accounts",
            &json!({ "username": "grid1", "display_name": "x", "role": "resident", "community": "XLG" }),
        )
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken.json()["error"]["fields"]["username"].is_string());
}

#[tokio::test]
async fn the_language_choice_is_kept_on_the_account() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.staff", PW).await;
    c.post_form("/lang", &[("lang", "en"), ("back", "/")]).await;
    c.cookies.remove("yijia_lang");
    let home = c.get("/").await.text();
    assert!(home.contains("Console"), "{home}");
    assert!(home.contains("lang=\"en\""));
    let mut again = app.signed_in("xlg.staff", PW).await;
    assert!(again.get("/").await.text().contains("Console"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_are_all_counted() {
    let app = demo_app().await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let mut c = app.client();
        tasks.push(tokio::spawn(async move {
            c.post_json(
                "/api/v1/auth/token",
                &json!({ "username": "party1", "password": "guess-guess" }),
            )
            .await
            .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 7, "{statuses:?}");
    let res = app
        .client()
        .post_json("/api/v1/auth/token", &json!({ "username": "party1", "password": PW }))
        .await;
    assert_eq!(res.status, 429);
    assert!(res.header("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_people_signing_in_at_once_from_one_address_are_not_locked_out() {
    let app = demo_app().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let mut c = app.client();
        let user = ["xlg.staff", "grid1", "grid2", "party1"][i % 4];
        tasks.push(tokio::spawn(async move {
            c.post_json("/api/v1/auth/token", &json!({ "username": user, "password": PW }))
                .await
                .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
}

/// A sign-in through the API, as a client of this address would.
async fn token_attempt(c: &mut yijia_testkit::Client, username: &str, password: &str) -> yijia_testkit::TestResponse {
    c.post_json(
        "/api/v1/auth/token",
        &json!({ "username": username, "password": password }),
    )
    .await
}

/// Behind the proxy (127.0.0.1), with the address the proxy forwarded.
fn via_proxy(app: &yijia_testkit::TestApp, client: &str) -> yijia_testkit::Client {
    app.client()
        .from_peer("127.0.0.1")
        .with_header("x-forwarded-for", &format!("6.6.6.6, {client}"))
}

async fn demo_behind_proxy() -> yijia_testkit::TestApp {
    let app = yijia_testkit::TestApp::spawn_with(yijia::modules(), |c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    app.demo().await;
    app
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_another() {
    let app = demo_behind_proxy().await;
    let mut guesser = via_proxy(&app, "198.51.100.7");
    // Thirty failures over many names (so no one account locks first), then the address locks.
    for i in 0..30 {
        let res = token_attempt(&mut guesser, &format!("nobody{i}"), "guess-guess").await;
        assert_eq!(res.status, 401, "attempt {i}");
    }
    assert_eq!(token_attempt(&mut guesser, "grid1", PW).await.status, 429);
    // Someone else behind the same proxy is not affected.
    let mut other = via_proxy(&app, "203.0.113.5");
    assert_eq!(token_attempt(&mut other, "grid1", PW).await.status, 200);
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = demo_behind_proxy().await;
    // A client that connects directly cannot spread its guesses over made-up addresses.
    for i in 0..30 {
        let mut c = app
            .client()
            .from_peer("198.51.100.7")
            .with_header("x-forwarded-for", &format!("203.0.113.{i}"));
        assert_eq!(
            token_attempt(&mut c, &format!("nobody{i}"), "guess-guess").await.status,
            401
        );
    }
    let mut c = app
        .client()
        .from_peer("198.51.100.7")
        .with_header("x-forwarded-for", "203.0.113.200");
    assert_eq!(token_attempt(&mut c, "grid1", PW).await.status, 429);
    let mut elsewhere = app.client().from_peer("198.51.100.8");
    assert_eq!(token_attempt(&mut elsewhere, "grid1", PW).await.status, 200);
}

#[tokio::test]
async fn the_right_password_during_a_lock_is_refused_but_neither_counted_nor_extends_it() {
    let app = yijia_testkit::TestApp::spawn_with(yijia::modules(), |c| c.address_max_failures = 10).await;
    app.demo().await;
    let mut c = app.client().from_peer("198.51.100.7");
    for _ in 0..5 {
        assert_eq!(token_attempt(&mut c, "grid1", "guess-guess").await.status, 401);
    }
    let locked = token_attempt(&mut c, "grid1", "guess-guess").await;
    assert_eq!(locked.status, 429);
    app.state.clock.advance_ms(10 * 60_000);
    // The owner keeps trying the right password: the lock's answer, with the lock's own end.
    for _ in 0..10 {
        let res = token_attempt(&mut c, "grid1", PW).await;
        assert_eq!(res.status, 429);
        assert_eq!(res.header("retry-after").as_deref(), Some("300"));
    }
    // Those tries did not use up the address's allowance (10): a colleague there signs in.
    assert_eq!(token_attempt(&mut c, "grid2", PW).await.status, 200);
    // And the lock ends when it was going to.
    app.state.clock.advance_ms(5 * 60_000);
    assert_eq!(token_attempt(&mut c, "grid1", PW).await.status, 200);
}
