//! The council's pages as their people use them: 杨奶奶 raising a topic with a photo and voting
//! from her phone, staff reading the live count and recounting a closed vote, and anyone
//! reading the public board without signing in.

use yijia_db::on_db;
use yijia_testkit::TestApp;

use crate::support::{hex, PNG_WITH_TEXT};
use crate::{demo_app, PW};

/// The id of the demo's vote on a matter (`use_fund`, `rebuild`) or of a kind (`poll`).
async fn demo_vote(app: &TestApp, matter_or_kind: &str) -> i64 {
    on_db!(app.handle(), |p| sqlx::query_scalar(
        "select vote_id from council_vote where matter = $1 or kind = $1 order by vote_id limit 1"
    )
    .bind(matter_or_kind)
    .fetch_one(p)
    .await
    .unwrap())
}

#[tokio::test]
async fn a_resident_raises_a_topic_with_a_photo_and_votes_from_her_phone() {
    let app = demo_app().await;
    let mut yang = app.signed_in("resident1", PW).await;
    let list = yang.get("/council").await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert!(list.text().contains("楼道灯坏了很久"));
    // A missing title: the form comes back with what she typed.
    let bad = yang
        .post_multipart(
            "/council",
            &[("community", "1"), ("scope_kind", "community"), ("body", "电梯经常停")],
            &[],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains("电梯经常停"));
    // Not a photo: refused, nothing saved.
    let not_photo = yang
        .post_multipart(
            "/council",
            &[
                ("community", "1"),
                ("scope_kind", "community"),
                ("title", "电梯"),
                ("body", "电梯经常停"),
            ],
            &[("photos", "note.txt", b"just text")],
        )
        .await;
    assert_eq!(not_photo.status, 422);
    assert!(
        not_photo.text().contains("请上传 PNG 或 JPEG 图片"),
        "{}",
        not_photo.text()
    );
    let before: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from council_topic"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let ok = yang
        .post_multipart(
            "/council",
            &[
                ("community", "1"),
                ("scope_kind", "community"),
                ("title", "电梯"),
                ("body", "电梯经常停"),
            ],
            &[("photos", "lift.png", &hex(PNG_WITH_TEXT))],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.text());
    // One choice names the kind of place and the place: a building is not taken for a grid.
    let building: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select max(building_id) from building"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let scoped = yang
        .post_form(
            "/council",
            &[
                ("community", "1"),
                ("scope", &format!("building:{building}")),
                ("title", "楼顶"),
                ("body", "漏水"),
            ],
        )
        .await;
    assert_eq!(scoped.status, 303, "{}", scoped.text());
    let (kind, id): (String, Option<i64>) = on_db!(app.handle(), |p| sqlx::query_as(
        "select scope_kind, scope_id from council_topic where title = '楼顶'"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!((kind.as_str(), id), ("building", Some(building)));
    let compound = yang
        .post_form(
            "/council",
            &[
                ("community", "1"),
                ("scope", "compound:海亮小区"),
                ("title", "院子"),
                ("body", "路灯"),
            ],
        )
        .await;
    assert_eq!(compound.status, 303, "{}", compound.text());
    let after: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select count(*) from council_topic"
    )
    .fetch_one(p)
    .await
    .unwrap());
    assert_eq!(after, before + 3, "the refused posts saved nothing");
    let page_url = ok.header("location").unwrap();
    let page = yang.get(&page_url).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    let photo = text
        .split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|s| s.contains("/photos/"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no photo on {text}"));
    let img = yang.get(&photo).await;
    assert_eq!(img.status, 200);
    assert!(img.body.starts_with(b"\x89PNG"));
    assert!(!img.body.windows(4).any(|w| w == b"tEXt"), "its metadata is stripped");
    assert_eq!(
        app.client().get(&photo).await.status / 100,
        3,
        "not for someone signed out"
    );

    // Her building's maintenance-fund vote: she votes, and sees it counted.
    let fund = demo_vote(&app, "use_fund").await;
    let url = format!("/council/votes/{fund}");
    let page = yang.get(&url).await;
    assert!(page.text().contains("name=\"choice\""), "{}", page.text());
    assert!(!page.text().contains("id=\"checks\""), "no live count for voters");
    let cast = yang.post_form(&format!("{url}/ballot"), &[("choice", "approve")]).await;
    assert_eq!(cast.status, 303, "{}", cast.text());
    assert!(yang.get(&url).await.text().contains("id=\"my-ballot\""));
    let wrong = yang.post_form(&format!("{url}/ballot"), &[("choice", "")]).await;
    assert_eq!(wrong.status, 422);
}

#[tokio::test]
async fn staff_read_the_live_count_recount_a_closed_vote_and_anyone_reads_the_board() {
    let app = demo_app().await;
    let mut staff = app.signed_in("xlg.staff", PW).await;
    for page in ["/council", "/council/votes", "/council/meetings"] {
        let res = staff.get(page).await;
        assert_eq!(res.status, 200, "{page}: {}", res.text());
    }
    let fund = demo_vote(&app, "use_fund").await;
    let live = staff.get(&format!("/council/votes/{fund}")).await.text();
    assert!(
        live.contains("id=\"checks\"") && live.contains("专有部分面积"),
        "{live}"
    );
    // A proxy's paper ballot needs the authorisation's photo; entered, it waits for a second
    // staff member, listed by name.
    let voter: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select min(u.owner_no) from council_vote_unit u where u.vote_id = $1 and not exists \
         (select 1 from council_ballot b where b.vote_id = u.vote_id and b.voter_no = u.owner_no)"
    )
    .bind(fund)
    .fetch_one(p)
    .await
    .unwrap());
    let voter = voter.to_string();
    let fields = [
        ("voter", voter.as_str()),
        ("choice", "approve"),
        ("proxy_name", "代理人王某"),
    ];
    let paper = format!("/council/votes/{fund}/paper");
    let no_doc = staff.post_multipart(&paper, &fields, &[]).await;
    assert_eq!(no_doc.status, 422);
    assert!(no_doc.text().contains("委托投票须上传授权委托书照片"));
    let with_doc = staff
        .post_multipart(&paper, &fields, &[("authorisation", "auth.png", &hex(PNG_WITH_TEXT))])
        .await;
    assert_eq!(with_doc.status, 303, "{}", with_doc.text());
    let page = staff.get(&format!("/council/votes/{fund}")).await.text();
    assert!(
        page.contains("id=\"unconfirmed\"") && page.contains("代理人王某"),
        "{page}"
    );
    let doc = page
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|s| s.ends_with("/authorisation"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no link to the authorisation on {page}"));
    let img = staff.get(&doc).await;
    assert_eq!(img.status, 200);
    assert!(img.body.starts_with(b"\x89PNG"));
    let mut yang = app.signed_in("resident1", PW).await;
    assert_eq!(yang.get(&doc).await.status, 404, "a proxy's papers are for staff");
    let lift = demo_vote(&app, "rebuild").await;
    let recount = staff.get(&format!("/council/votes/{lift}?recount=true")).await.text();
    assert!(recount.contains("结果与公布结果一致"), "{recount}");
    assert!(recount.contains("表决通过"));
    let resolution: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
        "select resolution_id from council_resolution where vote_id = $1"
    )
    .bind(lift)
    .fetch_one(p)
    .await
    .unwrap());
    let page = staff.get(&format!("/council/resolutions/{resolution}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("可申请撤销至") && page.text().contains("已逾期"));
    // A vote drafted with a closing time in the past says so beside the field.
    let bad = staff
        .post_form(
            "/council/votes",
            &[
                ("community", "1"),
                ("title", "试"),
                ("kind", "poll"),
                ("scope", "community:"),
                ("options", "甲\n乙"),
                ("closes_at", "2020-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("截止时间须晚于现在"), "{}", bad.text());
    assert!(
        bad.text().contains("<option value=\"1\">"),
        "the ballot-change choice is offered"
    );
    for (title, changeable) in [("可改", "1"), ("不可改", "0")] {
        let ok = staff
            .post_form(
                "/council/votes",
                &[
                    ("community", "1"),
                    ("title", title),
                    ("kind", "poll"),
                    ("scope", "community:"),
                    ("options", "甲\n乙"),
                    ("changeable", changeable),
                    ("closes_at", "2026-12-20T10:00"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.text());
        let stored: i64 = on_db!(app.handle(), |p| sqlx::query_scalar(
            "select changeable from council_vote where title = $1"
        )
        .bind(title)
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(stored.to_string(), changeable);
    }
    // Opening a vote whose electorate is incomplete says which dwellings.
    let (b, _) = crate::council::building(&app, "PG", &[9_000, 0]).await;
    let draft = staff
        .post_form(
            "/council/votes",
            &[
                ("community", "1"),
                ("title", "缺面积"),
                ("kind", "owners"),
                ("matter", "use_fund"),
                ("scope", &format!("building:{b}")),
                ("closes_at", "2026-12-20T10:00"),
            ],
        )
        .await;
    assert_eq!(draft.status, 303, "{}", draft.text());
    let url = draft.header("location").unwrap();
    let open = staff.post_form(&format!("{url}/open"), &[]).await;
    assert_eq!(open.status, 409);
    assert!(
        open.text().contains("选民名册不完整") && open.text().contains("102"),
        "{}",
        open.text()
    );

    // The board, signed out: the lift resolution with its tasks, the minutes, no ballots.
    let mut anon = app.client();
    let board = anon.get("/board/1").await;
    assert_eq!(board.status, 200);
    let text = board.text();
    assert!(
        text.contains("加装电梯") && text.contains("区住建局") && text.contains("户代表"),
        "{text}"
    );
    assert!(!text.contains("选民") && !text.contains("voter"));
    // A resident of the community is not staff: no count of an open vote, no staff forms.
    let page = yang.get(&format!("/council/votes/{lift}?recount=true")).await.text();
    assert!(!page.contains("id=\"recount\"") && !page.contains("/paper"), "{page}");
    assert!(page.contains("表决通过"), "everyone reads a closed vote's result");
}
