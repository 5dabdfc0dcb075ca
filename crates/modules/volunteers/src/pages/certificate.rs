//! Certificates: issuing one (the volunteer or staff), the printable page, its PDF, and the
//! public verification page, which is the same page: whoever holds the code sees what the
//! certificate shows, and nothing more.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, P};

use qrcode::{Color, QrCode};

use crate::commands::certificate::{self, Shows};
use crate::model::rules;
use crate::pdf::{self, Line};

pub async fn post_issue(ctx: PageCtx, CurrentActor(a): CurrentActor, P(id): P<i64>) -> WebResult<Response> {
    let code = certificate::issue(&ctx.state, &a, id).await?;
    Ok(Redirect::to(&format!("/volunteers/certificates/{code}")).into_response())
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    chrome: Chrome,
    code: String,
    s: Shows,
    /// "And N more", when services are counted but not listed (the list holds the latest ones).
    more: Option<String>,
    url: String,
}

impl CertificatePage {
    fn hours(&self, minutes: &i64) -> String {
        rules::hours(*minutes)
    }
}

pub async fn show(ctx: PageCtx, P(code): P<String>) -> WebResult<Response> {
    let (_, s, _) = certificate::verify(&ctx.state, &code).await?;
    let code = code.trim().to_ascii_uppercase();
    render(CertificatePage {
        chrome: Chrome::new(&ctx, "volunteers.certificate"),
        more: and_more(&ctx, &s, s.services.len()),
        url: verify_url(&ctx.state, &code),
        code,
        s,
    })
}

/// The most services the PDF lists: with the text above and the footer below, more would not
/// fit on its one page (a long title wraps to two rows). The rest are counted, not dropped.
const PDF_LISTED: usize = 18;

/// Where a certificate is verified: its page, at the configured public address when there is
/// one (the printed URL and QR code must work from outside), else as a path on this site.
fn verify_url(state: &yijia_kernel::AppState, code: &str) -> String {
    format!("{}/volunteers/certificates/{code}", state.config.public_url)
}

/// The certificate counts every service; a list of fewer says how many it leaves out.
fn and_more(ctx: &PageCtx, s: &Shows, listed: usize) -> Option<String> {
    let listed = i64::try_from(listed).unwrap_or(i64::MAX);
    (s.service_count > listed).then(|| {
        ctx.tr
            .tf("volunteers.and_more", &[("n", (s.service_count - listed).to_string())])
    })
}

/// The QR code of the verification URL, for the PDF to draw.
fn qr_of(url: &str) -> Option<pdf::Qr> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(pdf::Qr {
        width: code.width(),
        dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
    })
}

pub async fn pdf(ctx: PageCtx, P(code): P<String>) -> WebResult<Response> {
    let (_, s, _) = certificate::verify(&ctx.state, &code).await?;
    let code = code.trim().to_ascii_uppercase();
    let t = |k: &str| ctx.tr.t(k);
    let title = t("volunteers.certificate");
    let body = ctx.tr.tf(
        "volunteers.certificate_body",
        &[
            ("name", s.name.clone()),
            ("community", s.community.clone()),
            ("count", s.service_count.to_string()),
            ("hours", rules::hours(s.minutes)),
        ],
    );
    // No stars reached: no stars line, rather than a label with nothing after it.
    let stars = (s.stars > 0).then(|| format!("{}：{}", t("volunteers.stars"), "★".repeat(s.stars)));
    let services: Vec<String> = s
        .services
        .iter()
        .take(PDF_LISTED)
        .map(|x| {
            format!(
                "{}  {}  {}  {}  {} h",
                x.date,
                x.title,
                x.place,
                x.organiser,
                rules::hours(x.minutes)
            )
        })
        .collect();
    let more = and_more(&ctx, &s, services.len());
    let url = verify_url(&ctx.state, &code);
    let verify = format!("{}：{}", t("volunteers.verification_code"), code);
    let verify_at = format!("{}：", t("volunteers.verify_at"));
    let issued = format!("{}  {}", s.community, s.issued_on);
    let mut lines = vec![
        Line {
            text: &title,
            size: 24,
            centred: true,
            gap_before: 0,
        },
        Line {
            text: &body,
            size: 13,
            centred: false,
            gap_before: 24,
        },
    ];
    if let Some(stars) = &stars {
        lines.push(Line {
            text: stars,
            size: 12,
            centred: false,
            gap_before: 8,
        });
    }
    for (i, x) in services.iter().enumerate() {
        lines.push(Line {
            text: x,
            size: 10,
            centred: false,
            gap_before: if i == 0 { 16 } else { 2 },
        });
    }
    if let Some(more) = &more {
        lines.push(Line {
            text: more,
            size: 10,
            centred: false,
            gap_before: 4,
        });
    }
    let footer = [
        Line {
            text: &issued,
            size: 12,
            centred: false,
            gap_before: 0,
        },
        Line {
            text: &verify,
            size: 10,
            centred: false,
            gap_before: 12,
        },
        Line {
            text: &verify_at,
            size: 10,
            centred: false,
            gap_before: 4,
        },
        // On a row of its own, so that it does not break where a reader would have to join it.
        Line {
            text: &url,
            size: 10,
            centred: false,
            gap_before: 0,
        },
    ];
    let bytes = pdf::page(&title, &lines, &footer, qr_of(&url).as_ref());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"certificate-{code}.pdf\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
