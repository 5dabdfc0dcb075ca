//! Line breaks as a browser sends them: a textarea's breaks arrive as CRLF (the HTML form
//! encoding requires it). They are accepted and stored as `\n` in appeals, council topics and
//! comments, whether the text came through a form or a JSON body.

use serde_json::json;

use crate::appeals::{as_user, catalogue, unit_in};
use crate::demo_app;

#[tokio::test]
async fn a_crlf_two_line_appeal_description_is_stored_with_a_line_feed() {
    let app = demo_app().await;
    let mut resident = as_user(&app, "resident1").await;
    let (cats, _) = catalogue(&mut resident).await;
    let unit = unit_in(&app, "G01").await;
    let res = resident
        .post_json(
            "/api/v1/appeals",
            &json!({
                "category": cats["water_leak"]["category_id"], "kind": "help", "unit": unit,
                "description": "第一行：楼上渗水\r\n第二行：已经滴到地上", "phone": "13912345678",
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["appeal_id"].as_i64().unwrap();
    assert_eq!(res.json()["description"], "第一行：楼上渗水\n第二行：已经滴到地上");
    let stored = sqlx_text(&app, "select description from appeal where appeal_id = $1", id).await;
    assert_eq!(stored, "第一行：楼上渗水\n第二行：已经滴到地上");
    // A lone CR (old office software) is a break too; other control characters still are not.
    let bell = resident
        .post_json(
            "/api/v1/appeals",
            &json!({
                "category": cats["water_leak"]["category_id"], "unit": unit,
                "description": "第一行\r第二行\u{0007}",
            }),
        )
        .await;
    assert_eq!(bell.status, 422, "{}", bell.text());
    assert_eq!(bell.json()["error"]["fields"]["description"], "含有不可见的控制字符。");
}

#[tokio::test]
async fn a_crlf_council_topic_and_comment_are_stored_with_line_feeds() {
    let app = demo_app().await;
    let mut staff = as_user(&app, "xlg.staff").await;
    let res = staff
        .post_json(
            "/api/v1/council-topics",
            &json!({
                "community": 1, "scope_kind": "community", "title": "楼道堆物清理",
                "body": "一、楼道堆物\r\n二、消防通道\r\n",
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let id = res.json()["topic"]["topic_id"].as_i64().unwrap();
    let body: String = sqlx_text(&app, "select body from council_topic where topic_id = $1", id).await;
    assert_eq!(body, "一、楼道堆物\n二、消防通道");
    let res = staff
        .post_json(
            &format!("/api/v1/council-topics/{id}/comments"),
            &json!({ "body": "同意。\r\n建议周末清理。" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let cid = res.json()["comment_id"].as_i64().unwrap();
    let body = sqlx_text(&app, "select body from council_comment where comment_id = $1", cid).await;
    assert_eq!(body, "同意。\n建议周末清理。");
}

/// One text column of one row, read straight from the database.
async fn sqlx_text(app: &yijia_testkit::TestApp, sql: &str, id: i64) -> String {
    yijia_db::on_db!(app.handle(), |p| {
        sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
    })
}
