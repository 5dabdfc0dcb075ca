use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Method, Request};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A browser-like client for the in-process router: it keeps cookies and sends a same-origin
/// `Origin` on posts, as a browser would.
#[derive(Clone)]
pub struct Client {
    router: axum::Router,
    pub cookies: BTreeMap<String, String>,
    pub bearer: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The connection's peer address, as `serve` passes it on; none in-process by default.
    pub peer: Option<std::net::SocketAddr>,
}

/// What came back.
pub struct TestResponse {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The error code of the API's envelope.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

pub const HOST: &str = "yijia.test";

impl Client {
    pub fn new(router: axum::Router) -> Client {
        Client {
            router,
            cookies: BTreeMap::new(),
            bearer: None,
            headers: Vec::new(),
            peer: None,
        }
    }

    /// Requests as if connected from this address (`127.0.0.1`, a proxy's, a client's).
    pub fn from_peer(mut self, ip: &str) -> Client {
        self.peer = Some(std::net::SocketAddr::new(ip.parse().unwrap(), 40_000));
        self
    }

    pub fn with_bearer(mut self, token: &str) -> Client {
        self.bearer = Some(token.to_owned());
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Client {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::HOST, HOST);
        if method != Method::GET {
            req = req.header(header::ORIGIN, format!("http://{HOST}"));
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(t) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header(header::COOKIE, c.join("; "));
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(peer) = self.peer {
            req = req.extension(axum::extract::ConnectInfo(peer));
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let pair = s.split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || s.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        TestResponse { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(Method::GET, path, None, Vec::new()).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap().into_bytes();
        self.send(Method::POST, path, Some("application/x-www-form-urlencoded"), body)
            .await
    }

    pub async fn post_json(&mut self, path: &str, value: &serde_json::Value) -> TestResponse {
        self.send(
            Method::POST,
            path,
            Some("application/json"),
            value.to_string().into_bytes(),
        )
        .await
    }

    pub async fn patch_json(&mut self, path: &str, value: &serde_json::Value) -> TestResponse {
        self.send(
            Method::PATCH,
            path,
            Some("application/json"),
            value.to_string().into_bytes(),
        )
        .await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: &[u8]) -> TestResponse {
        self.send(Method::POST, path, Some(content_type), body.to_vec()).await
    }
}

impl Client {
    /// Posts one file as `multipart/form-data`, as a browser's file input does.
    pub async fn post_file(&mut self, path: &str, field: &str, filename: &str, bytes: &[u8]) -> TestResponse {
        self.post_multipart(path, &[], &[(field, filename, bytes)]).await
    }

    /// Posts a form with text fields and files (field, file name, bytes) as
    /// `multipart/form-data`, as a browser does for a form with file inputs.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let boundary = "----yijia-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (field, filename, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.send(Method::POST, path, Some(&ct), body).await
    }
}
