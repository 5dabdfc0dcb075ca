//! Certificates: issuing one (the volunteer or staff), the printable page, its PDF, and the
//! public verification page, which is the same page: whoever holds the code sees what the
//! certificate shows, and nothing more.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, P};

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
}

impl CertificatePage {
    fn hours(&self, minutes: &i64) -> String {
        rules::hours(*minutes)
    }
}

pub async fn show(ctx: PageCtx, P(code): P<String>) -> WebResult<Response> {
    let (_, s, _) = certificate::verify(&ctx.state, &code).await?;
    render(CertificatePage {
        chrome: Chrome::new(&ctx, "volunteers.certificate"),
        code: code.trim().to_ascii_uppercase(),
        s,
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
    let stars = format!("{}：{}", t("volunteers.stars"), "★".repeat(s.stars));
    let services: Vec<String> = s
        .services
        .iter()
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
    let verify = format!(
        "{}：{}    {}",
        t("volunteers.verification_code"),
        code,
        t("volunteers.verify_at")
    );
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
        Line {
            text: &stars,
            size: 12,
            centred: false,
            gap_before: 8,
        },
    ];
    for (i, x) in services.iter().enumerate() {
        lines.push(Line {
            text: x,
            size: 10,
            centred: false,
            gap_before: if i == 0 { 16 } else { 2 },
        });
    }
    lines.push(Line {
        text: &issued,
        size: 12,
        centred: false,
        gap_before: 24,
    });
    lines.push(Line {
        text: &verify,
        size: 10,
        centred: false,
        gap_before: 12,
    });
    let bytes = pdf::page(&title, &lines);
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
