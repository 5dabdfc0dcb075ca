//! The volunteers' JSON API and pages over HTTP, as a phone app and a browser use them: a
//! leader publishes, a volunteer signs up and checks in with the code from the leader's screen,
//! the leader enters the minutes, the volunteer's ledger and certificate show them, and anyone
//! can check the certificate without signing in.

use serde_json::json;
use yijia_testkit::TestApp;

use crate::{demo_app, PW};

const MIN: i64 = 60_000;

/// The demo community's id and the leader's team (满天星之翼), as the API lists them.
async fn community_and_team(app: &TestApp, token: &str) -> (i64, i64) {
    let mut c = app.client().with_bearer(token);
    let teams = c.get("/api/v1/volunteer-teams").await;
    assert_eq!(teams.status, 200, "{}", teams.text());
    let t = teams.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "满天星之翼")
        .cloned()
        .unwrap();
    (t["community_id"].as_i64().unwrap(), t["team_id"].as_i64().unwrap())
}

#[tokio::test]
async fn a_volunteer_signs_up_checks_in_and_gets_a_verifiable_certificate() {
    let app = demo_app().await;
    let leader = app.token("leader1", PW).await;
    let volunteer = app.token("volunteer1", PW).await;
    let (community, team) = community_and_team(&app, &leader).await;

    // The test clock stands at 10:00 in Lanzhou: the activity runs 11:00–12:00 the same day.
    let mut l = app.client().with_bearer(&leader);
    let res = l
        .post_json(
            "/api/v1/volunteer-activities",
            &json!({ "community": community, "team": team, "title": "楼道清扫", "kind": "sanitation",
                     "place": "3号楼", "starts": "2026-11-27T11:00", "ends": "2026-11-27T12:00",
                     "capacity": 5, "points_per_hour": 60 }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let activity = res.json()["activity"]["activity_id"].as_i64().unwrap();
    let shift = res.json()["shifts"][0]["shift_id"].as_i64().unwrap();

    let mut v = app.client().with_bearer(&volunteer);
    let before = v.get("/api/v1/volunteers/me").await.json();
    let me = before["volunteer"]["volunteer_id"].as_i64().unwrap();
    let (minutes0, points0) = (before["minutes"].as_i64().unwrap(), before["points"].as_i64().unwrap());
    let res = v
        .post_json(
            &format!("/api/v1/volunteer-activities/{activity}/signups"),
            &json!({ "shift": shift }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["status"], "confirmed");
    // A volunteer does not see who else signed up.
    let seen = v.get(&format!("/api/v1/volunteer-activities/{activity}")).await.json();
    assert!(seen["roster"].is_null(), "{seen}");

    // Check-in with the code on the leader's screen, half an hour before the start.
    app.state.clock.advance_ms(35 * MIN);
    let code = l
        .get(&format!("/api/v1/volunteer-activities/{activity}/code?purpose=in"))
        .await;
    assert_eq!(code.status, 200, "{}", code.text());
    let token = code.json()["token"].as_str().unwrap().to_owned();
    let res = v
        .post_json("/api/v1/volunteers/checkin", &json!({ "token": token }))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let again = v
        .post_json("/api/v1/volunteers/checkin", &json!({ "token": token }))
        .await;
    assert_eq!((again.status, again.code()), (409, "already_checked_in".to_owned()));
    let forged = v
        .post_json(
            "/api/v1/volunteers/checkin",
            &json!({ "token": token.replace(".in.", ".out.") }),
        )
        .await;
    assert_eq!((forged.status, forged.code()), (400, "qr_forged".to_owned()));

    // Leaves at 11:45 with the check-out code: 45 minutes served, 45 points at 60 an hour.
    app.state.clock.advance_ms(70 * MIN);
    let out = l
        .get(&format!("/api/v1/volunteer-activities/{activity}/code?purpose=out"))
        .await;
    let token = out.json()["token"].as_str().unwrap().to_owned();
    let res = v
        .post_json("/api/v1/volunteers/checkin", &json!({ "token": token }))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["minutes"], 45);
    let after = v.get("/api/v1/volunteers/me").await.json();
    assert_eq!(after["minutes"].as_i64().unwrap() - minutes0, 45);
    assert_eq!(after["points"].as_i64().unwrap() - points0, 45);
    let hours = v
        .get(&format!("/api/v1/volunteers/{me}/ledger?ledger=hours&limit=1"))
        .await
        .json();
    assert_eq!(hours["items"][0]["amount"], 45, "{hours}");
    assert_eq!(hours["balance"], after["minutes"]);
    assert!(hours["next"].is_i64(), "the demo's year of service pages on: {hours}");

    // The leader corrects it to the whole hour, with a reason; more than the shift is refused.
    let signup = res.json()["signup_id"].as_i64().unwrap();
    let over = l
        .post_json(
            &format!("/api/v1/volunteer-signups/{signup}/minutes"),
            &json!({ "minutes": 61, "reason": "x" }),
        )
        .await;
    assert_eq!(over.status, 422, "{}", over.text());
    let fixed = l
        .post_json(
            &format!("/api/v1/volunteer-signups/{signup}/minutes"),
            &json!({ "minutes": 60, "reason": "忘记扫码签退，队长确认" }),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.text());
    assert_eq!(fixed.json()["minutes"], 60);

    // A certificate, checked by someone who is not signed in, page and PDF.
    let cert = v
        .post_json(&format!("/api/v1/volunteers/{me}/certificates"), &json!({}))
        .await;
    assert_eq!(cert.status, 201, "{}", cert.text());
    let code = cert.json()["code"].as_str().unwrap().to_owned();
    let mut anyone = app.client();
    let shown = anyone.get(&format!("/api/v1/volunteer-certificates/{code}")).await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(shown.json()["shows"]["minutes"].as_i64().unwrap(), minutes0 + 60);
    assert_eq!(shown.json()["shows"]["services"][0]["title"], "楼道清扫");
    let page = anyone.get(&format!("/volunteers/certificates/{code}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("刘洋"),
        "the volunteer's name is on the certificate"
    );
    let pdf = anyone
        .get(&format!("/volunteers/certificates/{}/pdf", code.to_lowercase()))
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type").as_deref(), Some("application/pdf"));
    assert!(pdf.body.starts_with(b"%PDF-"));
    let unknown = anyone.get("/api/v1/volunteer-certificates/ABCDEFGHJKMN").await;
    assert_eq!(unknown.status, 404);
    let garbage = anyone.get("/volunteers/certificates/%27%3B--").await;
    assert_eq!(garbage.status, 404);
}

#[tokio::test]
async fn a_merchant_sees_the_name_and_points_of_a_presented_code_only_and_cannot_overspend() {
    let app = demo_app().await;
    let volunteer = app.token("volunteer1", PW).await;
    let mut v = app.client().with_bearer(&volunteer);
    let me = v.get("/api/v1/volunteers/me").await.json();
    let id = me["volunteer"]["volunteer_id"].as_i64().unwrap();
    let points = me["points"].as_i64().unwrap();
    assert!(points > 0, "the demo's volunteer has points: {me}");
    let merchant = app.token("merchant1", PW).await;
    let mut m = app.client().with_bearer(&merchant);
    // Walking ids reaches no one: not the volunteer, not their ledgers, not a spend.
    for other in [id, id + 1, id - 1, 1, 2] {
        for url in [
            format!("/api/v1/volunteers/{other}"),
            format!("/api/v1/volunteers/{other}/ledger?ledger=points"),
            format!("/api/v1/volunteers/{other}/ledger?ledger=hours"),
        ] {
            assert_eq!(m.get(&url).await.status, 404, "{url}");
        }
        let spend = m
            .post_json(
                &format!("/api/v1/volunteers/{other}/points"),
                &json!({ "kind": "spend", "points": 1, "memo": "米面油" }),
            )
            .await;
        assert_eq!(spend.status, 404);
    }
    let mut merchant_pages = app.signed_in("merchant1", PW).await;
    assert_eq!(
        merchant_pages.get(&format!("/volunteers/people/{id}")).await.status,
        404
    );

    // The volunteer shows a code: the merchant sees the name and balance, nothing else.
    let card = v.get("/api/v1/volunteers/me/card").await.json();
    let code = card["code"].as_str().unwrap().to_owned();
    let seen = m
        .post_json("/api/v1/volunteer-points/lookup", &json!({ "code": code }))
        .await;
    assert_eq!(seen.status, 200, "{}", seen.text());
    assert_eq!(seen.json(), json!({ "name": "刘洋", "points": points }));
    let page = merchant_pages.get(&format!("/volunteers/redeem?code={code}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("刘洋") && page.text().contains(&points.to_string()));
    // An altered code (another volunteer's id) is not a code.
    let altered = code.replacen(&format!("P{id}."), &format!("P{}.", id + 1), 1);
    let forged = m
        .post_json("/api/v1/volunteer-points/lookup", &json!({ "code": altered }))
        .await;
    assert_eq!(forged.status, 422, "{}", forged.text());
    // Someone who is not a merchant reads nothing with the code.
    let resident = app.token("resident1", PW).await;
    let nosy = app
        .client()
        .with_bearer(&resident)
        .post_json("/api/v1/volunteer-points/lookup", &json!({ "code": code }))
        .await;
    assert_eq!(nosy.status, 404);

    let too_much = m
        .post_json(
            "/api/v1/volunteer-points/spend",
            &json!({ "code": code, "points": points + 1, "memo": "米面油" }),
        )
        .await;
    assert_eq!(
        (too_much.status, too_much.code()),
        (409, "not_enough_points".to_owned())
    );
    let spent = m
        .post_json(
            "/api/v1/volunteer-points/spend",
            &json!({ "code": code, "points": points, "memo": "米面油" }),
        )
        .await;
    assert_eq!(spent.status, 201, "{}", spent.text());
    assert_eq!(spent.json(), json!({ "name": "刘洋", "points": 0 }));
    // A merchant awards no bonuses.
    let bonus = m
        .post_json(
            &format!("/api/v1/volunteers/{id}/points"),
            &json!({ "kind": "bonus", "points": 5, "memo": "x" }),
        )
        .await;
    assert_eq!(bonus.status, 404);
    // The code is good for a quarter of an hour.
    app.state.clock.advance_ms(16 * MIN);
    let stale = m
        .post_json("/api/v1/volunteer-points/lookup", &json!({ "code": code }))
        .await;
    assert_eq!(stale.status, 422, "{}", stale.text());
}

#[tokio::test]
async fn the_pages_answer_their_people_and_no_one_else() {
    let app = demo_app().await;
    let mut volunteer = app.signed_in("volunteer1", PW).await;
    let mine = volunteer.get("/volunteers").await;
    assert_eq!(mine.status, 200);
    assert!(mine.text().contains("刘洋"));
    for page in ["/volunteers/people", "/volunteers/reports", "/volunteers/reports.xlsx"] {
        assert_eq!(volunteer.get(page).await.status, 404, "{page} is staff's");
    }
    let mut admin = app.signed_in("xlg.admin", PW).await;
    for page in [
        "/volunteers/people",
        "/volunteers/teams",
        "/volunteers/activities",
        "/volunteers/reports",
    ] {
        let res = admin.get(page).await;
        assert_eq!(res.status, 200, "{page}: {}", res.text());
    }
    let xlsx = admin.get("/volunteers/reports.xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with(b"PK"), "an .xlsx is a zip");
    // One month's report, from the page's month field; "whole year" sends it empty.
    let month = admin.get("/volunteers/reports?year=2026&month=11").await;
    assert_eq!(month.status, 200, "{}", month.text());
    assert!(month.text().contains("2026-11"));
    assert_eq!(admin.get("/volunteers/reports?year=2026&month=").await.status, 200);
    let xlsx = admin.get("/volunteers/reports.xlsx?year=2026&month=11").await;
    assert_eq!(xlsx.status, 200);
    let name = xlsx.header("content-disposition").unwrap_or_default();
    assert!(name.contains("-2026-11.xlsx"), "named for its month: {name}");
    // A resident registers from the page, with the registry's name and birth date.
    let mut resident = app.signed_in("resident1", PW).await;
    let ok = resident
        .post_form("/volunteers", &[("skills", "手工"), ("contact_consent", "1")])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    let again = resident.post_form("/volunteers", &[("skills", "手工")]).await;
    assert_eq!(again.status, 409, "{}", again.text());
    // Staff register a child of the community: not without a guardian's consent, and the form
    // says why and keeps what was typed.
    let minor = admin
        .post_form(
            "/volunteers/people",
            &[
                ("name", "小杨"),
                ("birth_date", "2015-05-01"),
                ("guardian_name", "杨奶奶"),
            ],
        )
        .await;
    assert_eq!(minor.status, 422, "{}", minor.text());
    assert!(minor.text().contains("须经监护人同意"), "{}", minor.text());
    assert!(minor.text().contains("value=\"小杨\""));
    let with_consent = admin
        .post_form(
            "/volunteers/people",
            &[
                ("name", "小杨"),
                ("birth_date", "2015-05-01"),
                ("guardian_name", "杨奶奶"),
                ("guardian_consent", "1"),
            ],
        )
        .await;
    assert_eq!(with_consent.status, 303, "{}", with_consent.text());
}

#[tokio::test]
async fn the_report_api_takes_a_year_or_a_month_and_says_what_is_wrong() {
    let app = demo_app().await;
    let token = app.token("xlg.admin", PW).await;
    let (community, _) = community_and_team(&app, &token).await;
    let mut staff = app.client().with_bearer(&token);
    let year = staff
        .get(&format!("/api/v1/communities/{community}/volunteer-report?year=2026"))
        .await;
    assert_eq!(year.status, 200, "{}", year.text());
    let month = staff
        .get(&format!(
            "/api/v1/communities/{community}/volunteer-report?year=2026&month=10"
        ))
        .await;
    assert_eq!(month.status, 200, "{}", month.text());
    let (year, month) = (year.json(), month.json());
    assert_eq!(month["month"], 10);
    // The demo's October is in the year's October column and nowhere else in the month's.
    assert_eq!(month["total"]["months"][9], year["total"]["months"][9]);
    assert!(
        month["total"]["months"][9].as_i64().unwrap() > 0,
        "the demo has a year of activities"
    );
    assert_eq!(month["total"]["total"], month["total"]["months"][9]);
    for bad in ["13", "0", "%E5%8D%81", "-1"] {
        let res = staff
            .get(&format!(
                "/api/v1/communities/{community}/volunteer-report?year=2026&month={bad}"
            ))
            .await;
        assert_eq!(res.status, 422, "month={bad}: {}", res.text());
        assert_eq!(res.json()["error"]["fields"]["month"], "月份应为 1 到 12。");
    }
}

/// Text as the certificate's PDF draws it: UTF-16 code units in hex.
fn pdf_hex(text: &str) -> String {
    text.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

#[tokio::test]
async fn a_certificate_pdf_prints_where_to_verify_it_and_says_what_its_list_leaves_out() {
    use yijia_volunteers::commands::certificate::{Service, Shows};
    let app = TestApp::spawn_with(yijia::modules(), |c| {
        c.public_url = "https://yijia.example".into();
    })
    .await;
    app.demo().await;
    // 37 services without a star: the record keeps the latest 30, as `issue` does.
    let services: Vec<Service> = (0..30)
        .map(|i| Service {
            date: format!("2026-10-{:02}", i + 1),
            title: format!("楼道清扫{i}"),
            place: "3号楼".into(),
            organiser: "西柳沟社区".into(),
            minutes: 60,
        })
        .collect();
    let shows = Shows {
        name: "刘洋".into(),
        community: "西柳沟社区".into(),
        minutes: 37 * 60,
        services,
        service_count: 37,
        stars: 0,
        issued_on: "2026-11-27".into(),
    };
    let code = "ABCDEFGHJKMN";
    let volunteer: i64 = yijia_db::on_db!(app.handle(), |p| sqlx::query_scalar(
        "select volunteer_id from volunteer order by volunteer_id limit 1"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let mut tx = app.handle().begin_write().await.unwrap();
    yijia_volunteers::repo::insert_certificate(
        &mut tx,
        1,
        volunteer,
        code,
        shows.minutes,
        &serde_json::to_string(&shows).unwrap(),
        None,
        app.state.now_ms(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut anyone = app.client();
    let url = format!("https://yijia.example/volunteers/certificates/{code}");
    let pdf = anyone.get(&format!("/volunteers/certificates/{code}/pdf")).await;
    assert_eq!(pdf.status, 200);
    let raw = String::from_utf8_lossy(&pdf.body).into_owned();
    assert!(raw.contains(&pdf_hex(&url)), "the verification URL is printed");
    assert!(raw.contains(" re\n"), "and drawn as a QR code");
    assert!(!raw.contains(&pdf_hex("星级")), "no stars, no stars line");
    assert!(raw.contains(&pdf_hex("以及另外 19 项")), "18 listed of 37");
    // The page the URL names answers without sign-in, with what the certificate shows.
    let page = anyone.get(&format!("/volunteers/certificates/{code}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("刘洋") && html.contains("37.0") && html.contains("西柳沟社区"));
    assert!(html.contains("以及另外 7 项"), "30 listed of 37");
    assert!(html.contains(&url));
    assert!(!html.contains("星级"));
}
