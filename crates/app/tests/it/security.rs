//! Defects found by independent security testing (issue 19), each held by a test: another's
//! notification, a page asked with a bad token, tokens that outlived a password, an outsider
//! told that a wish exists, numbers typed into text on the public feeds.

use serde_json::json;
use yijia_db::on_db;

use crate::appeals::{as_user, catalogue, raise, unit_in};
use crate::{demo_app, PW};

#[tokio::test]
async fn marking_another_accounts_notification_read_is_not_found_and_changes_nothing() {
    let app = demo_app().await;
    let (_, appeal) = crate::appeals::leak(&app).await;
    // The desk is told of the new appeal; the resident is not one of the desk.
    let theirs: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select n.notification_id from notification n join account a on a.account_id = n.account_id \
         where a.username <> 'resident1' and n.read_at is null order by n.notification_id limit 1"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let mut resident = as_user(&app, "resident1").await;
    let res = resident
        .post_json(&format!("/api/v1/me/notifications/{theirs}/read"), &json!({}))
        .await;
    assert_eq!(res.status, 404, "{}", res.text());
    let read: Option<i64> = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select read_at from notification where notification_id = $1"
    )
    .bind(theirs)
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(read, None);
    // Her own is marked, and marking it again still answers 200.
    let mine: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select n.notification_id from notification n join account a on a.account_id = n.account_id \
         where a.username = 'resident1' order by n.notification_id desc limit 1"
    )
    .fetch_one(p)
    .await
    .unwrap());
    for _ in 0..2 {
        let res = resident
            .post_json(&format!("/api/v1/me/notifications/{mine}/read"), &json!({}))
            .await;
        assert_eq!(res.status, 200, "{} (appeal {appeal})", res.text());
    }
}

#[tokio::test]
async fn a_page_asked_with_an_invalid_token_answers_401_instead_of_a_redirect_loop() {
    let app = demo_app().await;
    let mut c = app.client().with_bearer("not-a-token");
    for path in ["/registry", "/login", "/"] {
        let res = c.get(path).await;
        assert_eq!(res.status, 401, "{path}");
        assert_eq!(res.header("location"), None, "{path}");
    }
    // Without credentials a page still sends the visitor to sign in.
    let res = app.client().get("/registry").await;
    assert!(res.header("location").unwrap_or_default().starts_with("/login?next="));
}

#[tokio::test]
async fn changing_the_password_revokes_the_accounts_api_tokens() {
    let app = demo_app().await;
    let token = app.token("resident1", PW).await;
    let mut api = app.client().with_bearer(&token);
    assert_eq!(api.get("/api/v1/me").await.status, 200);
    let mut page = app.signed_in("resident1", PW).await;
    let res = page
        .post_form(
            "/account/password",
            &[
                ("current_password", PW),
                ("new_password", "a-new-password-2027"),
                ("repeat_password", "a-new-password-2027"),
            ],
        )
        .await;
    assert!(res.status < 400, "{}", res.text());
    let res = api.get("/api/v1/me").await;
    assert_eq!(res.status, 401, "{}", res.text());
    // The session that changed it goes on; a new token with the new password works.
    assert_eq!(page.get("/account").await.status, 200);
    let fresh = app.token("resident1", "a-new-password-2027").await;
    assert_eq!(app.client().with_bearer(&fresh).get("/api/v1/me").await.status, 200);
}

#[tokio::test]
async fn an_outsider_is_told_a_wish_is_not_found_whatever_its_state() {
    let app = demo_app().await;
    crate::support::hx_with(&app, &[("hx.volunteer", "volunteer")]).await;
    let wish: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select min(wish_id) from care_wish"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let mut outsider = as_user(&app, "hx.volunteer").await;
    for (action, body) in [
        ("release", json!({ "note": "" })),
        ("claim", json!({ "kind": "volunteer" })),
        ("confirm", json!({ "action": "confirm" })),
        ("thank", json!({ "thanks": "谢谢" })),
        ("vet", json!({ "action": "vet" })),
        ("contact", json!({})),
    ] {
        let res = outsider
            .post_json(&format!("/api/v1/care-wishes/{wish}/{action}"), &body)
            .await;
        assert_eq!(res.status, 404, "{action}: {}", res.text());
    }
    assert_eq!(outsider.get(&format!("/api/v1/care-wishes/{wish}")).await.status, 404);
}

#[tokio::test]
async fn numbers_typed_into_an_appeal_are_masked_on_the_public_open311_feed() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    let a = raise(
        &mut resident,
        &cats["water_leak"],
        unit,
        json!({ "description": "楼上漏水，请联系我13909311009或0931-7512345，身份证11010519491231002X" }),
    )
    .await;
    let id = a["appeal_id"].as_i64().unwrap();
    let mut public = app.client();
    for path in [
        format!("/open311/v2/requests/{id}.json?jurisdiction_id=XLG"),
        "/open311/v2/requests.json?jurisdiction_id=XLG".to_owned(),
        format!("/open311/v2/requests/{id}.xml?jurisdiction_id=XLG"),
    ] {
        let body = public.get(&path).await.text();
        assert!(body.contains("139****1009"), "{path}: {body}");
        for number in ["13909311009", "7512345", "11010519491231002X"] {
            assert!(!body.contains(number), "{path} shows {number}");
        }
    }
    // Staff reading the appeal itself see what she wrote.
    let mut staff = as_user(&app, "xlg.staff").await;
    let own = staff.get(&format!("/api/v1/appeals/{id}")).await.text();
    assert!(own.contains("13909311009"), "{own}");
}
