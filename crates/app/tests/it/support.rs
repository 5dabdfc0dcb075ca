//! Helpers the integration tests share: the demo community and its people as actors, new
//! accounts with one role, the test's clock in the community's time, settings, and the keys of
//! the errors commands answer with.

use std::fmt::Debug;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use yijia_accounts::model::ScopeCodes;
use yijia_accounts::repo::InsertAccount;
use yijia_db::on_db;
use yijia_kernel::actor::Via;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::{Actor, Error, Result, Role};
use yijia_testkit::TestApp;

/// The demo community, 西柳沟社区.
pub async fn xlg(app: &TestApp) -> CommunityAt {
    yijia_kernel::community::by_code(app.handle(), "XLG")
        .await
        .unwrap()
        .unwrap()
}

pub async fn load(app: &TestApp, account_id: i64) -> Actor {
    yijia_kernel::session::load_actor(app.handle(), account_id, Via::PersonalToken)
        .await
        .unwrap()
        .unwrap()
}

/// A demo account, as the actor it acts as.
pub async fn demo_user(app: &TestApp, username: &str) -> Actor {
    let id: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select account_id from account where username = $1"
    )
    .bind(username)
    .fetch_one(p)
    .await
    .unwrap());
    load(app, id).await
}

/// A new account with one role in the demo community (its password is never used).
pub async fn person(app: &TestApp, username: &str, role: Role) -> Actor {
    person_in(app, "XLG", username, role).await
}

/// A new account with one role in a community, by the community's code.
pub async fn person_in(app: &TestApp, community: &str, username: &str, role: Role) -> Actor {
    let now = app.state.now_ms();
    let mut tx = app.handle().begin_write().await.unwrap();
    let scope = ScopeCodes {
        community: community.into(),
        ..ScopeCodes::default()
    };
    let grant = yijia_accounts::repo::resolve_scope(&mut tx, role, &scope)
        .await
        .unwrap()
        .unwrap();
    let account = InsertAccount {
        username,
        display_name: username,
        phone: "",
        password_hash: "-",
        must_change_password: false,
        now,
    };
    let id = yijia_accounts::repo::insert_account(&mut tx, &account).await.unwrap();
    yijia_accounts::repo::insert_grant(&mut tx, id, &grant, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    load(app, id).await
}

pub fn zone() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap()
}

/// A local time in the demo community (`YYYY-MM-DDTHH:MM`) as an instant.
pub fn at(local: &str) -> i64 {
    local
        .parse::<DateTime>()
        .unwrap()
        .to_zoned(zone())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// Moves the test's clock forward to an instant.
pub fn clock_to(app: &TestApp, ms: i64) {
    let now = app.state.now_ms();
    assert!(ms >= now, "the clock only moves forward");
    app.state.clock.advance_ms(ms - now);
}

/// The kinds of the notifications in an account's inbox, newest first.
pub async fn told(app: &TestApp, who: &Actor) -> Vec<String> {
    let (items, _) = yijia_kernel::notify::inbox(app.handle(), who.account_id.unwrap(), 200)
        .await
        .unwrap();
    items.into_iter().map(|n| n.kind).collect()
}

pub async fn set_setting(app: &TestApp, community_id: i64, key: &str, value: &str) {
    let mut tx = app.handle().begin_write().await.unwrap();
    yijia_kernel::settings::store(&mut tx, community_id, &[(key, value.to_owned())], app.state.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The key of the conflict a command answered with.
#[track_caller]
pub fn conflict<T: Debug>(r: Result<T>) -> &'static str {
    match r {
        Err(Error::Conflict(_, m)) => m.key,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// The fields a command found invalid, with their message keys, by field name.
#[track_caller]
pub fn invalid<T: Debug>(r: Result<T>) -> Vec<(String, &'static str)> {
    match r {
        Err(Error::Validation(f)) => f.0.into_iter().map(|(k, m)| (k, m.key)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

pub fn fields(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    list.iter().map(|(f, k)| ((*f).to_owned(), *k)).collect()
}

/// A 1×1 PNG with a `tEXt` chunk holding a position, as a phone might write it.
pub const PNG_WITH_TEXT: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000e744558744750530033362e312c3130332e369fd13a640000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082";

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A second community, 河湾社区 (HX), beside the demo's in its subdistrict, with accounts of the
/// given `(username, role)` there (password: the demo's). Answers the community's id.
pub async fn hx_with(app: &TestApp, accounts: &[(&str, &str)]) -> i64 {
    let admin = app.token("admin", crate::PW).await;
    let mut platform = app.client().with_bearer(&admin);
    let other = platform
        .post_json(
            "/api/v1/communities",
            &serde_json::json!({ "subdistrict": "XLGJD", "code": "HX", "name": "河湾社区" }),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.text());
    for (username, role) in accounts {
        let body = serde_json::json!({ "username": username, "display_name": username, "role": role,
            "community": "HX", "password": crate::PW });
        let res = platform.post_json("/api/v1/accounts", &body).await;
        assert_eq!(res.status, 201, "{username}: {}", res.text());
    }
    other.json()["community_id"].as_i64().unwrap()
}
