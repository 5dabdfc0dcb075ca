use crate::support::{hex, PNG_WITH_TEXT};
use crate::{demo_app, PW};

#[tokio::test]
async fn a_form_with_errors_keeps_what_was_typed_and_says_why_beside_the_field() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.admin", PW).await;
    let res = c
        .post_form("/structure/communities/1/grids", &[("code", "第九网格"), ("name", "")])
        .await;
    assert_eq!(res.status, 422);
    let html = res.text();
    assert!(html.contains("value=\"第九网格\""), "the typed code is kept");
    assert!(html.contains("id=\"g-code-e\"") && html.contains("编码只能包含字母"));
    assert!(html.contains("id=\"g-name-e\"") && html.contains("此项为必填项"));
    assert!(html.contains("aria-invalid=\"true\""));
    // The same in English.
    c.post_form("/lang", &[("lang", "en"), ("back", "/")]).await;
    let html = c
        .post_form("/structure/communities/1/grids", &[("code", "G01"), ("name", "dup")])
        .await
        .text();
    assert!(html.contains("This code is already in use."), "{html}");
}

#[tokio::test]
async fn a_grid_created_on_the_page_is_listed() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.admin", PW).await;
    let res = c
        .post_form(
            "/structure/communities/1/grids",
            &[("code", "G05"), ("name", "第五网格")],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = c.get(res.header("location").unwrap().as_str()).await.text();
    assert!(page.contains("第五网格"));
    assert!(c.get("/structure/communities/1").await.text().contains("第五网格"));
}

#[tokio::test]
async fn every_page_of_the_console_renders_for_the_admin() {
    let app = demo_app().await;
    let mut c = app.signed_in("admin", PW).await;
    for path in [
        "/",
        "/structure",
        "/structure/communities/1",
        "/structure/grids/1",
        "/structure/buildings/1",
        "/structure/units/1",
        "/structure/households/1",
        "/admin/accounts",
        "/admin/audit",
        "/account",
    ] {
        let res = c.get(path).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.text().contains("<main id=\"main\">"), "{path}");
    }
}

#[tokio::test]
async fn the_login_page_only_redirects_inside_the_site() {
    let app = demo_app().await;
    let mut c = app.client();
    let res = c
        .post_form(
            "/login",
            &[
                ("username", "xlg.staff"),
                ("password", PW),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(res.header("location").unwrap(), "/");
    let mut c = app.client();
    let res = c
        .post_form(
            "/login",
            &[("username", "xlg.staff"), ("password", PW), ("next", "/structure")],
        )
        .await;
    assert_eq!(res.header("location").unwrap(), "/structure");
}

#[tokio::test]
async fn pages_load_nothing_from_another_host() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.admin", PW).await;
    for path in ["/", "/structure/communities/1", "/login", "/api/docs"] {
        let html = c.get(path).await.text();
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{path} refers to another host"
        );
    }
}

#[test]
fn every_translation_key_exists_in_both_languages() {
    use yijia_kernel::i18n::{I18n, Locale};
    let mut zh = I18n::default();
    let mut en = I18n::default();
    let core = [
        include_str!("../../../web/locales/zh-CN.toml"),
        include_str!("../../../web/locales/en.toml"),
    ];
    zh.add(Locale::ZhCn, core[0]).unwrap();
    en.add(Locale::En, core[1]).unwrap();
    for m in yijia::modules() {
        for (locale, text) in m.translations() {
            match *locale {
                "zh-CN" => zh.add(Locale::ZhCn, text).unwrap(),
                _ => en.add(Locale::En, text).unwrap(),
            }
        }
    }
    assert_eq!(zh.keys(Locale::ZhCn), en.keys(Locale::En));
}

#[tokio::test]
async fn a_community_admin_uploads_a_logo_without_its_metadata() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.admin", PW).await;
    let res = c
        .post_file("/structure/communities/1/logo", "logo", "logo.png", &hex(PNG_WITH_TEXT))
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    let page = c.get("/structure/communities/1").await.text();
    let src = page
        .split("src=\"/files/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let file = app.client().get(&format!("/files/{src}")).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type").unwrap(), "image/png");
    assert!(file.body.starts_with(b"\x89PNG"));
    assert!(!file.body.windows(3).any(|w| w == b"GPS"), "the position was removed");
    // The residents see it on their home page.
    let mut resident = app.signed_in("resident1", PW).await;
    assert!(resident.get("/").await.text().contains(&src));
}

#[tokio::test]
async fn a_logo_that_is_not_an_image_is_refused_beside_the_field() {
    let app = demo_app().await;
    let mut c = app.signed_in("xlg.admin", PW).await;
    let res = c
        .post_file(
            "/structure/communities/1/logo",
            "logo",
            "logo.svg",
            b"<svg onload=alert(1)></svg>",
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("请上传 PNG 或 JPEG 图片"));
    let res = c
        .post_file("/structure/communities/1/logo", "logo", "big.png", &[0x89; 600 * 1024])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.text().contains("最大 512 KB"));
    let res = c.post_form("/structure/communities/1/logo", &[("logo", "x")]).await;
    assert_eq!(res.status, 415);
    assert_eq!(app.client().get("/files/not-a-hash").await.status, 404);
    let mut staff = app.signed_in("xlg.staff", PW).await;
    let res = staff
        .post_file("/structure/communities/1/logo", "logo", "logo.png", &hex(PNG_WITH_TEXT))
        .await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn a_one_time_password_is_changed_before_anything_else() {
    let app = demo_app().await;
    let mut admin = app.signed_in("xlg.admin", PW).await;
    let res = admin
        .post_form(
            "/admin/accounts",
            &[
                ("username", "li.si"),
                ("display_name", "李四"),
                ("role", "resident"),
                ("community", "XLG"),
                ("phone", ""),
                ("grid", ""),
                ("district", ""),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let html = res.text();
    let password = html
        .split("id=\"generated-password\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let mut li = app.signed_in("li.si", &password).await;
    let home = li.get("/").await;
    assert_eq!(home.header("location").unwrap(), "/account");
    assert!(li.get("/account").await.text().contains("初始密码"));
}

/// Each person's home page starts their day's work with what the modules give it.
#[tokio::test]
async fn each_home_page_starts_its_readers_day() {
    let app = demo_app().await;
    // The resident: 我要反映 first, her own grid worker (her household is in the first grid).
    let home = app.signed_in("resident1", PW).await.get("/").await.text();
    let raise = home.find("我要反映").expect("a tile to raise a concern");
    assert!(
        home[..raise].contains(r#"class="tile primary""#),
        "it is the primary tile"
    );
    assert!(home.contains("我的网格员") && home.contains(r#"href="tel:13909311001""#));
    assert!(!home.contains("张丽"), "not the other grid's worker");
    // The grid worker: the door round of their grid, then a household search.
    let home = app.signed_in("grid1", PW).await.get("/").await.text();
    assert!(
        home.contains("待走访住户") && home.contains(r#"href="/registry/households/"#),
        "{home}"
    );
    assert!(home.contains("找住户"));
    // The desk: the day's queue first, late work in red, each a link to its list.
    let home = app.signed_in("xlg.staff", PW).await.get("/").await.text();
    let today = home.find("今日待办").expect("the day's queue");
    let counts = home.find("楼栋").expect("the community's counts");
    assert!(today < counts, "work before counts");
    for (label, query) in [
        ("待受理诉求", "status=submitted"),
        ("待核实诉求", "status=replied"),
        ("超期诉求", "bucket=overdue"),
    ] {
        assert!(home.contains(label) && home.contains(query), "{label}");
    }
    assert!(
        home.contains(r#"class="stat alarm""#),
        "the demo has overdue appeals, shown in red"
    );
    // A merchant starts with redeeming points.
    let home = app.signed_in("merchant1", PW).await.get("/").await.text();
    assert!(
        home.contains(r#"class="tile primary" href="/volunteers/redeem""#),
        "{home}"
    );
}
