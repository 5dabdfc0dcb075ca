//! Extractors that turn every malformed input into a clear, localized error.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use yijia_kernel::error::{FieldErrors, Message};
use yijia_kernel::i18n::{Locale, Tr};
use yijia_kernel::{Actor, AppState, Error};

use crate::error::AppError;
use yijia_kernel::error::codes;

/// What the guard learned about the request: who (if anyone) and in which language.
#[derive(Clone, Debug)]
pub struct ReqCtx {
    pub actor: Option<Actor>,
    pub locale: Locale,
    /// What the last action did (`flash.rs`), to be said on this page.
    pub flash: Option<String>,
}

fn ctx(parts: &Parts) -> ReqCtx {
    parts.extensions.get::<ReqCtx>().cloned().unwrap_or(ReqCtx {
        actor: None,
        locale: Locale::ZhCn,
        flash: None,
    })
}

/// A signed-in actor; without one, pages send the reader to the login page and the API answers 401.
pub struct CurrentActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for CurrentActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        ctx(parts)
            .actor
            .map(CurrentActor)
            .ok_or(AppError(Error::Unauthenticated))
    }
}

/// The actor if signed in.
pub struct MaybeActor(pub Option<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeActor(ctx(parts).actor))
    }
}

/// Everything a page needs to render its chrome: the state, the actor, the translator, the path.
pub struct PageCtx {
    pub state: AppState,
    pub actor: Option<Actor>,
    pub tr: Tr,
    pub path: String,
    /// The query of the request, without its `?`.
    pub query: String,
    /// What the last action did, said once on this page.
    pub flash: Option<String>,
    /// The signed-in account's unread messages.
    pub unread: i64,
    /// Where "the same page" is: the path and query of a GET; after a POST (a form shown again
    /// with its errors) the page the form was on, from a same-origin `Referer`.
    pub back: String,
}

fn back_of(parts: &Parts) -> String {
    if parts.method == axum::http::Method::GET {
        return parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    }
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    // `scheme://host[:port]/path?query`: only a page of this same site is a place to go back to.
    let same_site = referer
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest.split_at(i)))
        .filter(|(authority, _)| host == Some(*authority));
    match same_site {
        Some((_, path)) => local_path(path),
        None => "/".to_owned(),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(s);
        let c = ctx(parts);
        let unread = crate::inbox::unread_of(&state, c.actor.as_ref()).await?;
        Ok(PageCtx {
            tr: state.tr(c.locale),
            state,
            actor: c.actor,
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or("").to_owned(),
            flash: c.flash,
            unread,
            back: back_of(parts),
        })
    }
}

impl PageCtx {
    /// The page's path and query, as a link to it is written.
    pub fn here(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

fn content_type(req: &Request) -> String {
    media_type(req.headers())
}

/// The media type of a request (`text/csv`), lower case, without parameters; empty if none.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

async fn body(req: Request) -> Result<Bytes, AppError> {
    Bytes::from_request(req, &())
        .await
        .map_err(|e| AppError(body_refused(&e)))
}

/// Why a body could not be read, as the client is told: it stopped coming (408), or it is
/// larger than the limit (413).
fn body_refused(e: &(dyn std::error::Error + 'static)) -> Error {
    stalled(e).map_or_else(
        || Error::rejected(413, codes::PAYLOAD_TOO_LARGE, "error.payload_too_large"),
        |AppError(e)| e,
    )
}

/// The 408 of a body that paused longer than the body timeout, if that is what `e` comes of.
fn stalled(e: &(dyn std::error::Error + 'static)) -> Option<AppError> {
    std::iter::successors(Some(e), |e| e.source())
        .any(|e| e.is::<tower_http::timeout::TimeoutError>())
        .then(|| AppError(Error::rejected(408, codes::REQUEST_TIMEOUT, "error.request_timeout")))
}

/// A JSON body for an input shared with a form, whose fields are text as a form posts them:
/// numbers, booleans and null sent for them are taken as their text ("12", "1"/"0", ""), so a
/// JSON client writes `"capacity": 12`. Otherwise as [`ApiJson`]: a field of the wrong shape or
/// unknown to the input is named in the 422.
pub struct ApiInput<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiInput<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiJson(body) = ApiJson::<serde_json::Value>::from_request(req, state).await?;
        Ok(ApiInput(crate::json::lenient(body)?))
    }
}

/// A JSON body: `application/json` only (415 otherwise), well-formed (400), of the right shape
/// (422 naming the field, including unknown fields where the type refuses them).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let ct = content_type(&req);
        if ct != "application/json" && !(ct.starts_with("application/") && ct.ends_with("+json")) {
            return Err(AppError(Error::rejected(
                415,
                codes::UNSUPPORTED_MEDIA_TYPE,
                "error.unsupported_media_type",
            )));
        }
        let bytes = body(req).await?;
        // Every body of this API is an object; serde would otherwise fill a struct from an array.
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => {
                return Err(AppError(Error::bad_request(
                    codes::MALFORMED_JSON,
                    "error.malformed_json",
                )))
            }
            Some(b'{') => {}
            Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
                return Err(AppError(Error::field("body", "error.not_an_object")));
            }
            Some(_) => {
                return Err(AppError(Error::bad_request(
                    codes::MALFORMED_JSON,
                    "error.malformed_json",
                )))
            }
        }
        if has_nul_escape(&bytes) {
            return Err(AppError(Error::field("body", "field.control_chars")));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let parsed = serde_path_to_error::deserialize(&mut *de);
        match parsed.map(|v| (v, de.end())) {
            Ok((v, Ok(()))) => Ok(ApiJson(v)),
            Ok((_, Err(_))) => Err(AppError(Error::bad_request(
                codes::MALFORMED_JSON,
                "error.malformed_json",
            ))),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    Err(AppError(Error::bad_request(
                        codes::MALFORMED_JSON,
                        "error.malformed_json",
                    )))
                } else {
                    let mut f = FieldErrors::default();
                    let field = if path == "." { "body".to_owned() } else { path };
                    f.add(&field, Message::new("field.invalid").arg("detail", inner));
                    Err(AppError(Error::Validation(f)))
                }
            }
        }
    }
}

/// A form post (`application/x-www-form-urlencoded`). Form types hold strings, so every value
/// reaches the command that validates it and can be shown again beside its error.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        if content_type(&req) != "application/x-www-form-urlencoded" {
            return Err(AppError(Error::rejected(
                415,
                codes::UNSUPPORTED_MEDIA_TYPE,
                "error.unsupported_media_type",
            )));
        }
        let bytes = body(req).await?;
        if has_nul(&serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default()) {
            return Err(AppError(Error::bad_request(codes::BAD_FORM, "error.bad_form")));
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(PageForm)
            .map_err(|_| AppError(Error::bad_request(codes::BAD_FORM, "error.bad_form")))
    }
}

/// A query string, refused with 400 when it does not parse.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let bad = |detail: String| {
            AppError(Error::BadRequest(
                codes::BAD_QUERY,
                Message::new("error.bad_query").arg("detail", detail),
            ))
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).map_err(|e| bad(e.to_string()))?;
        if has_nul(&pairs) {
            return Err(bad("NUL".to_owned()));
        }
        // A form submitted by GET sends every field, the empty ones too (`grid=&age_min=`):
        // an empty value means "not given", as it would for a field left out.
        let given: Vec<&(String, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
        let q = serde_urlencoded::to_string(&given).map_err(|e| bad(e.to_string()))?;
        serde_urlencoded::from_str(&q).map(Q).map_err(|e| {
            AppError(Error::BadRequest(
                codes::BAD_QUERY,
                Message::new("error.bad_query").arg("detail", e),
            ))
        })
    }
}

/// The client's address: the connection's peer, or, when the peer is one of the configured
/// `trusted_proxies`, the address the proxies forwarded (see [`yijia_kernel::net::client_address`]);
/// `unknown` in tests that drive the router in-process without a peer.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(s);
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        // Lossy, not skipped: bytes a client put before the proxy's entry must not hide that entry.
        let forwarded: Vec<String> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let addr = yijia_kernel::net::client_address(
            peer,
            forwarded.iter().map(String::as_str),
            &state.config.trusted_proxies,
        )
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        Ok(ClientAddr(addr))
    }
}

/// A path back into the application, or `/`: never another host (`//evil`, `https://…`).
pub fn local_path(next: &str) -> String {
    // Browsers drop tabs and newlines from a URL, so `/\t/evil` would become `//evil`.
    let plain = next.chars().all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Path parameters; a value that does not parse (`/grids/abc`) is simply not found.
pub struct P<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for P<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, s)
            .await
            .map(|p| P(p.0))
            .map_err(|_| AppError(Error::NotFound))
    }
}

/// One file field of a `multipart/form-data` post: its bytes, read up to the body limit.
pub struct Upload {
    pub field: String,
    pub bytes: Vec<u8>,
}

/// A multipart form with one file in it; anything else is a clear error, not a 500.
pub struct PageUpload(pub Upload);

impl<S: Send + Sync> FromRequest<S> for PageUpload {
    type Rejection = AppError;

    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        if content_type(&req) != "multipart/form-data" {
            return Err(AppError(Error::rejected(
                415,
                codes::UNSUPPORTED_MEDIA_TYPE,
                "error.unsupported_media_type",
            )));
        }
        let (_, files) = multipart(req, s).await?;
        files
            .into_iter()
            .next()
            .map(PageUpload)
            .ok_or_else(|| AppError(Error::field("file", "file.missing")))
    }
}

/// A page's form that may carry files: urlencoded (no files), or `multipart/form-data` whose
/// text fields fill `T` and whose chosen files (a name and some bytes) are kept in order.
pub struct PageParts<T> {
    pub form: T,
    pub files: Vec<Upload>,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for PageParts<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, s: &S) -> Result<Self, Self::Rejection> {
        if content_type(&req) != "multipart/form-data" {
            let PageForm(form) = PageForm::from_request(req, s).await?;
            return Ok(PageParts {
                form,
                files: Vec::new(),
            });
        }
        let bad = || AppError(Error::bad_request(codes::BAD_FORM, "error.bad_form"));
        let (pairs, files) = multipart(req, s).await?;
        if has_nul(&pairs) {
            return Err(bad());
        }
        let encoded = serde_urlencoded::to_string(&pairs).map_err(|_| bad())?;
        let form = serde_urlencoded::from_str(&encoded).map_err(|_| bad())?;
        Ok(PageParts { form, files })
    }
}

/// A `multipart/form-data` body read up to the body limit: its text fields, and its chosen
/// files in order (a file input left empty still sends a part, with no bytes: it is skipped).
async fn multipart<S: Send + Sync>(req: Request, s: &S) -> Result<(Vec<(String, String)>, Vec<Upload>), AppError> {
    let bad = || AppError(Error::bad_request(codes::BAD_FORM, "error.bad_form"));
    let too_large = || {
        AppError(Error::rejected(
            413,
            codes::PAYLOAD_TOO_LARGE,
            "error.payload_too_large",
        ))
    };
    let mut mp = axum::extract::Multipart::from_request(req, s)
        .await
        .map_err(|_| bad())?;
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(e) => return Err(stalled(&e).unwrap_or_else(bad)),
        };
        let name = field.name().unwrap_or("").to_owned();
        if field.file_name().is_some() {
            let bytes = field.bytes().await.map_err(|e| stalled(&e).unwrap_or_else(too_large))?;
            if !bytes.is_empty() {
                files.push(Upload {
                    field: name,
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            pairs.push((name, field.text().await.map_err(|_| bad())?));
        }
    }
    Ok((pairs, files))
}

/// NUL never belongs in text, and PostgreSQL refuses it in a `text` value: such input is
/// refused at the edge, for every field at once, rather than failing deep in a query.
fn has_nul(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, v)| k.contains('\0') || v.contains('\0'))
}

fn has_nul_escape(json: &[u8]) -> bool {
    json.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}
