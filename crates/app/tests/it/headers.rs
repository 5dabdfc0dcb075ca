//! The headers that limit what a page may do in the browser, and the session cookie behind TLS.

use yijia_testkit::TestApp;

use crate::{app, PW};

fn assert_protective_headers(res: &yijia_testkit::TestResponse, what: &str) {
    let csp = res.header("content-security-policy").unwrap_or_default();
    for part in [
        "default-src 'self'",
        "script-src 'self';",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{what}: {csp}");
    }
    assert!(!csp.contains("script-src 'self' 'unsafe"), "{what}: {csp}");
    assert_eq!(res.header("x-frame-options").as_deref(), Some("DENY"), "{what}");
    assert_eq!(res.header("referrer-policy").as_deref(), Some("same-origin"), "{what}");
    assert_eq!(
        res.header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
}

#[tokio::test]
async fn pages_api_answers_and_errors_carry_the_protective_headers() {
    let app = app().await;
    let mut c = app.client();
    let page = c.get("/login").await;
    assert_eq!(page.status, 200);
    assert_protective_headers(&page, "page");
    let api = c.get("/api/v1/communities").await;
    assert_eq!(api.status, 401);
    assert_protective_headers(&api, "API error");
    let docs = c.get("/api/docs").await;
    assert_protective_headers(&docs, "API docs");
    assert_protective_headers(&c.get("/no/such/page").await, "not found");
    // Served over plain HTTP (no public URL), no HSTS: it would lock browsers out of the site.
    assert_eq!(page.header("strict-transport-security"), None);
}

#[tokio::test]
async fn hsts_is_sent_only_when_the_public_url_is_https() {
    let https = TestApp::spawn_with(yijia::modules(), |c| c.public_url = "https://yijia.example.cn".into()).await;
    let res = https.client().get("/login").await;
    assert_eq!(
        res.header("strict-transport-security").as_deref(),
        Some("max-age=31536000")
    );
    let api = https.client().get("/api/v1/communities").await;
    assert!(api.header("strict-transport-security").is_some());
    let http = TestApp::spawn_with(yijia::modules(), |c| c.public_url = "http://192.168.1.10:8080".into()).await;
    assert_eq!(
        http.client().get("/login").await.header("strict-transport-security"),
        None
    );
}

async fn session_cookie(app: &TestApp) -> String {
    app.demo().await;
    let res = app
        .client()
        .post_form("/login", &[("username", "xlg.staff"), ("password", PW), ("next", "/")])
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    res.header("set-cookie").unwrap()
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_public_url_is_https() {
    let https = TestApp::spawn_with(yijia::modules(), |c| c.public_url = "https://yijia.example.cn".into()).await;
    let set = session_cookie(&https).await;
    assert!(set.contains("; Secure") && set.contains("HttpOnly"), "{set}");
    let plain = session_cookie(&app().await).await;
    assert!(!plain.contains("Secure"), "{plain}");
    // The explicit setting still wins, either way.
    let forced_off = TestApp::spawn_with(yijia::modules(), |c| {
        c.public_url = "https://yijia.example.cn".into();
        c.secure_cookies = Some(false);
    })
    .await;
    assert!(!session_cookie(&forced_off).await.contains("Secure"));
    let forced_on = TestApp::spawn_with(yijia::modules(), |c| c.secure_cookies = Some(true)).await;
    assert!(session_cookie(&forced_on).await.contains("; Secure"));
}

/// Every template file of the workspace.
fn templates(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with("node_modules") {
                templates(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

#[test]
fn no_template_has_an_inline_script_that_the_policy_would_block() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    templates(&crates, &mut files);
    assert!(files.len() > 10, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap().to_ascii_lowercase();
        for (i, _) in text.match_indices("<script") {
            let tag = &text[i..text[i..].find('>').map_or(text.len(), |e| i + e)];
            assert!(tag.contains(" src="), "{}: inline script {tag}", f.display());
        }
        assert!(
            !has_event_handler(&text),
            "{}: an on…= event handler attribute",
            f.display()
        );
        assert!(!text.contains("javascript:"), "{}: a javascript: URL", f.display());
    }
}

/// Whether the text has an event handler attribute (` onclick=`, ` onchange="…"`).
fn has_event_handler(text: &str) -> bool {
    text.match_indices(" on").any(|(i, _)| {
        let rest = &text[i + 3..];
        let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
        name_len >= 3 && rest[name_len..].trim_start().starts_with('=')
    })
}
