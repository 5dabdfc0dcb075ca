//! The generated scope test: every role of another community, and a grid worker of another grid,
//! against everything of the demo community that can be read — every GET path of the served
//! OpenAPI document with the demo's ids, and every page that the demo's own accounts reach by
//! following links. It fails on any response that shows the demo's private text (residents'
//! names, appeals, wishes, topics, activities). Nothing here lists routes by hand: a new module's
//! pages and API are crawled the day they are linked or documented.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{json, Value};
use yijia_db::on_db;
use yijia_testkit::{Client, TestApp};

use crate::{demo_app, PW};

/// Pages that are public by design, or that show their visitor only what is theirs to see.
/// The public board publishes resolutions (居务公开); a certificate's page proves a volunteer's
/// hours to whoever holds its link; Open311 publishes requests by design (masked).
const PUBLIC: &[&str] = &[
    "/board",
    "/open311/",
    "/volunteers/certificates/",
    "/api/docs",
    "/assets/",
];

/// At most this many pages of one shape (numbers taken out) are crawled: the shapes matter, not
/// every resident's page.
const PER_SHAPE: usize = 3;
const MAX_PAGES: usize = 400;

#[tokio::test]
async fn no_role_of_another_community_reads_anything_of_the_demo_community() {
    let app = demo_app().await;
    let outsiders = other_community(&app).await;
    let private = private_texts(&app, None).await;
    let urls = readable_urls(&app).await;
    assert!(urls.len() > 150, "the crawl found only {} urls", urls.len());

    let mut leaks = Vec::new();
    for (username, role) in &outsiders {
        let token = app.token(username, PW).await;
        let mut api = app.client().with_bearer(&token);
        let mut pages = app.signed_in(username, PW).await;
        for url in &urls {
            let client = if url.starts_with("/api/") { &mut api } else { &mut pages };
            leaks.extend(
                leaked(client, url, &private)
                    .await
                    .map(|m| format!("{role} {url}: {m}")),
            );
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
}

#[tokio::test]
async fn a_grid_worker_reads_no_resident_of_another_grid() {
    let app = demo_app().await;
    let urls = readable_urls(&app).await;
    let mut leaks = Vec::new();
    for (worker, grid) in [("grid1", "G01"), ("grid2", "G02")] {
        // The private text is what lives in the other grids.
        let private = private_texts(&app, Some(grid)).await;
        assert!(!private.is_empty());
        let token = app.token(worker, PW).await;
        let mut api = app.client().with_bearer(&token);
        let mut pages = app.signed_in(worker, PW).await;
        for url in &urls {
            let client = if url.starts_with("/api/") { &mut api } else { &mut pages };
            leaks.extend(
                leaked(client, url, &private)
                    .await
                    .map(|m| format!("{worker} {url}: {m}")),
            );
        }
    }
    assert!(leaks.is_empty(), "{} leaks:\n{}", leaks.len(), leaks.join("\n"));
}

/// The private text a response showed, if any.
async fn leaked(client: &mut Client, url: &str, private: &BTreeSet<String>) -> Option<String> {
    let res = client.get(url).await;
    if res.status != 200 {
        return None;
    }
    let body = res.text();
    let body = if url.starts_with("/api/") {
        // JSON escapes nothing of CJK, but normalise it anyway through a parse.
        serde_json::from_str::<Value>(&body)
            .map(|v| v.to_string())
            .unwrap_or(body)
    } else {
        body
    };
    private.iter().find(|p| body.contains(p.as_str())).cloned()
}

/// A community in another district, with a grid, and an account of every role there (a
/// supervisor over the other district). Answers `(username, role)`.
async fn other_community(app: &TestApp) -> Vec<(String, String)> {
    let token = app.token("admin", PW).await;
    let mut c = app.client().with_bearer(&token);
    let posts = [
        ("/api/v1/districts", json!({ "code": "QLH", "name": "七里河区" })),
        (
            "/api/v1/subdistricts",
            json!({ "district": "QLH", "code": "QLHJD", "name": "西园街道" }),
        ),
        (
            "/api/v1/communities",
            json!({ "subdistrict": "QLHJD", "code": "HX", "name": "河湾社区" }),
        ),
    ];
    let mut community = 0;
    for (path, body) in posts {
        let res = c.post_json(path, &body).await;
        assert_eq!(res.status, 201, "{path}: {}", res.text());
        community = res.json()["community_id"].as_i64().unwrap_or(0);
    }
    let res = c
        .post_json(
            &format!("/api/v1/communities/{community}/grids"),
            &json!({ "code": "G01", "name": "河湾一网格" }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());

    let mut out = Vec::new();
    for role in yijia_kernel::Role::ASSIGNABLE {
        let role = role.as_str();
        if role == "platform_admin" {
            continue;
        }
        let username = format!("hx.{role}");
        let body = json!({
            "username": username,
            "display_name": format!("河湾{role}"),
            "role": role,
            "district": if role == "supervisor" { "QLH" } else { "" },
            "community": "HX",
            "grid": if role == "grid_worker" { "G01" } else { "" },
            "password": PW,
        });
        let res = c.post_json("/api/v1/accounts", &body).await;
        assert_eq!(res.status, 201, "{role}: {}", res.text());
        out.push((username, role.to_owned()));
    }
    out
}

/// Text of the demo community that only its own members may read: residents' names, appeals'
/// descriptions, wishes', topics' and activities' titles. With a grid's code: only what belongs
/// to households and places outside that grid (residents and their appeals).
async fn private_texts(app: &TestApp, outside_grid: Option<&str>) -> BTreeSet<String> {
    let queries: Vec<String> = match outside_grid {
        None => vec![
            "select r.name from registry_resident r join community c on c.community_id = r.community_id where c.code = 'XLG'".into(),
            "select a.description from appeal a join community c on c.community_id = a.community_id where c.code = 'XLG'".into(),
            "select w.title from care_wish w join community c on c.community_id = w.community_id where c.code = 'XLG'".into(),
            "select t.title from council_topic t join community c on c.community_id = t.community_id where c.code = 'XLG'".into(),
            "select v.title from vol_activity v join community c on c.community_id = v.community_id where c.code = 'XLG'".into(),
        ],
        Some(grid) => vec![format!(
            "select r.name from registry_resident r join household h on h.household_id = r.household_id \
             join grid g on g.grid_id = h.grid_id where g.code <> '{grid}' and r.name not in \
             (select r2.name from registry_resident r2 join household h2 on h2.household_id = r2.household_id \
              join grid g2 on g2.grid_id = h2.grid_id where g2.code = '{grid}')"
        )],
    };
    let mut out = BTreeSet::new();
    for q in queries {
        let rows: Vec<String> = on_db!(app.handle(), |p| sqlx::query_scalar(&q).fetch_all(p).await.unwrap());
        for text in rows {
            // A name whole; a longer text by its first words, which no page shows cut elsewhere.
            let t: String = text.trim().chars().take(12).collect();
            if t.chars().count() >= 2 {
                out.insert(t);
            }
        }
    }
    // The people who hold accounts act under their names where they act (a topic's raiser, a
    // grid's worker posted for residents): the registry's privacy is about everyone else.
    let accounts: Vec<String> = on_db!(app.handle(), |p| sqlx::query_scalar("select display_name from account")
        .fetch_all(p)
        .await
        .unwrap());
    for name in accounts {
        out.remove(&name);
    }
    out
}

/// Every URL of the demo community that can be read: the API's GET paths from the served
/// document, each parameter filled with the demo's own ids, and every page its accounts reach.
async fn readable_urls(app: &TestApp) -> Vec<String> {
    let mut urls: BTreeSet<String> = api_urls(app).await.into_iter().collect();
    for user in [
        "xlg.admin",
        "xlg.staff",
        "grid1",
        "resident1",
        "volunteer1",
        "leader1",
        "party1",
        "merchant1",
        "property1",
    ] {
        urls.extend(crawl(app, user).await);
    }
    urls.into_iter()
        .filter(|u| !PUBLIC.iter().any(|p| u.contains(p)))
        .collect()
}

/// The document's GET paths with each `{param}` filled by a few demo ids (the demo community is
/// the first and fills the first ids of every table), and lists asked for the demo community.
async fn api_urls(app: &TestApp) -> Vec<String> {
    let doc = app.client().get("/api/openapi.json").await.json();
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        if item.get("get").is_none() {
            continue;
        }
        for id in ["1", "2", "3"] {
            let filled: String = fill(path, id);
            out.push(filled.clone());
            out.push(format!("{filled}?community=1"));
            if !path.contains('{') {
                break;
            }
        }
    }
    out
}

pub fn fill(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        out.push_str(id);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The pages a demo account reaches from its home by following links, a few of each shape.
async fn crawl(app: &TestApp, username: &str) -> Vec<String> {
    let mut client = app.signed_in(username, PW).await;
    let mut seen = BTreeSet::new();
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue = VecDeque::from(["/".to_owned()]);
    let mut out = Vec::new();
    while let Some(url) = queue.pop_front() {
        if out.len() >= MAX_PAGES {
            break;
        }
        let res = client.get(&url).await;
        if res.status != 200 || !res.header("content-type").unwrap_or_default().starts_with("text/html") {
            continue;
        }
        out.push(url);
        for link in links(&res.text()) {
            let shape: String = link.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
            let n = shapes.entry(shape).or_default();
            if *n < PER_SHAPE && seen.insert(link.clone()) {
                *n += 1;
                queue.push_back(link);
            }
        }
    }
    out
}

/// Same-site links of a page, without fragments, leaving out signing out and assets.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .map(|s| s.split('#').next().unwrap_or_default().to_owned())
        .filter(|s| s.starts_with('/') && !s.starts_with("//"))
        .filter(|s| !s.starts_with("/logout") && !s.starts_with("/assets/") && !s.starts_with("/files/"))
        .collect()
}
