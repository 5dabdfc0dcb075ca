//! The check-in code on the leader's screen, and what a volunteer's phone opens when its camera
//! reads it: the activity and a button to check in (or out). Reading a code never writes;
//! the button does, so a link preview or a second look at the page changes nothing.

use askama::Template;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use qrcode::render::svg;
use qrcode::QrCode;
use serde::Deserialize;
use yijia_kernel::{Actor, Error};
use yijia_web::{render, respond, Chrome, CurrentActor, PageCtx, PageForm, Shown, WebResult, P, Q};

use super::Labels;
use crate::commands::attendance::{self, Scanned};
use crate::commands::{self, Access};
use crate::model::qr::{self, Purpose};
use crate::repo::{self, ActivityRow};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeQuery {
    pub purpose: String,
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    chrome: Chrome,
    l: Labels,
    a: ActivityRow,
    check_in: bool,
    token: String,
    link: String,
    svg: String,
    expires_at: i64,
}

/// Where this instance is reached: the configured public address, or the host the leader's
/// browser used (the phones are on the same network as the leader's screen).
fn base(state: &yijia_kernel::AppState, headers: &HeaderMap) -> String {
    if !state.config.public_url.is_empty() {
        return state.config.public_url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The code to scan, shown large; the page renews itself before the code expires.
pub async fn code(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    P(id): P<i64>,
    Q(q): Q<CodeQuery>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let act = repo::activity(&ctx.state.db, id).await?.ok_or(Error::NotFound)?;
    let c = commands::community(&ctx.state, act.community_id).await?;
    if !Access::of(&ctx.state.db, &a, &c, act.team_id).await?.runs() {
        return Err(Error::NotFound.into());
    }
    let purpose = Purpose::parse(q.purpose.trim()).unwrap_or(Purpose::CheckIn);
    let now = ctx.state.now_ms();
    let token = qr::issue(&ctx.state.vault, id, purpose, now);
    let link = format!("{}/volunteers/scan?t={token}", base(&ctx.state, &headers));
    let svg = QrCode::new(link.as_bytes())
        .map_err(|e| Error::Internal(anyhow::anyhow!("check-in code: {e}")))?
        .render::<svg::Color<'_>>()
        .min_dimensions(320, 320)
        .build();
    let chrome = Chrome::new(&ctx, "volunteers.code_title");
    render(CodePage {
        l: Labels {
            lang: chrome.lang(),
            tz: c.time_zone.clone(),
        },
        chrome,
        a: act,
        check_in: purpose == Purpose::CheckIn,
        token,
        link,
        svg,
        expires_at: now + qr::VALID_MS,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScanInput {
    pub t: String,
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    chrome: Chrome,
    l: Labels,
    activity: Option<ActivityRow>,
    check_in: bool,
    done: Option<Scanned>,
    form: Shown<ScanInput>,
}

async fn scan_page(ctx: &PageCtx, a: &Actor, form: Shown<ScanInput>, done: Option<Scanned>) -> WebResult<Response> {
    let chrome = Chrome::new(ctx, "volunteers.scan_title");
    let mut p = ScanPage {
        l: Labels {
            lang: chrome.lang(),
            tz: "Asia/Shanghai".to_owned(),
        },
        chrome,
        activity: None,
        check_in: true,
        done,
        form,
    };
    // A code that does not read is said so on the page, in words, not as an error page.
    match attendance::read_code(&ctx.state, &p.form.input.t) {
        Ok(code) => {
            p.check_in = code.purpose == Purpose::CheckIn;
            if let Some(act) = repo::activity(&ctx.state.db, code.activity_id).await? {
                let c = commands::community(&ctx.state, act.community_id).await?;
                if !crate::permissions::JOIN.allows(a, &c.place()) {
                    return Err(Error::NotFound.into());
                }
                p.l.tz = c.time_zone;
                p.activity = Some(act);
            }
        }
        Err(e) if p.form.errors.is_empty() && p.done.is_none() => {
            p.form = Shown::failed("scan", p.form.input.clone(), &e, &ctx.tr);
        }
        Err(_) => {}
    }
    render(p)
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ScanInput>) -> WebResult<Response> {
    scan_page(
        &ctx,
        &a,
        Shown {
            input: q,
            ..Shown::none()
        },
        None,
    )
    .await
}

pub async fn post(
    ctx: PageCtx,
    CurrentActor(a): CurrentActor,
    PageForm(f): PageForm<ScanInput>,
) -> WebResult<Response> {
    let result = attendance::scan(&ctx.state, &a, &f.t).await;
    match result {
        Ok(done) => {
            scan_page(
                &ctx,
                &a,
                Shown {
                    input: f,
                    ..Shown::none()
                },
                Some(done),
            )
            .await
        }
        Err(e) => {
            respond(
                Err(e),
                |e| Shown::failed("scan", f.clone(), e, &ctx.tr),
                |form| scan_page(&ctx, &a, form, None),
            )
            .await
        }
    }
}
