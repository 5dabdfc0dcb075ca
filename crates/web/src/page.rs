//! The chrome around every page: title, navigation by role, the signed-in person, the language.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use yijia_kernel::i18n::{Locale, Tr};

use crate::error::WebResult;
use crate::extract::PageCtx;

pub struct NavLink {
    pub label: String,
    pub href: &'static str,
    pub active: bool,
}

/// What the layout needs; every page template has a `chrome` field.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub nav: Vec<NavLink>,
    pub user: Option<String>,
    pub staff: bool,
    pub other_lang: &'static str,
    pub other_lang_label: String,
    pub path: String,
    /// Where the language switch comes back to.
    pub back: String,
}

impl Chrome {
    pub fn new(ctx: &PageCtx, title_key: &str) -> Chrome {
        let mut entries: Vec<_> = ctx
            .state
            .modules
            .iter()
            .flat_map(|m| m.nav())
            .filter(|n| ctx.actor.as_ref().is_some_and(|a| n.cap.held_by(a)))
            .collect();
        entries.sort_by_key(|n| n.order);
        let mut nav = vec![NavLink {
            label: ctx.tr.t("nav.home"),
            href: "/",
            active: ctx.path == "/",
        }];
        nav.extend(entries.into_iter().map(|n| NavLink {
            label: ctx.tr.t(n.label),
            href: n.href,
            active: ctx.path.starts_with(n.href),
        }));
        if ctx.actor.is_none() {
            nav.clear();
        }
        let other = match ctx.tr.locale {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        };
        Chrome {
            title: ctx.tr.t(title_key),
            nav,
            user: ctx.actor.as_ref().map(|a| a.display_name.clone()),
            staff: ctx.actor.as_ref().is_some_and(|a| a.is_staff()),
            other_lang: other.as_str(),
            other_lang_label: ctx.tr.t(&format!("lang.{}", other.as_str())),
            path: ctx.path.clone(),
            back: ctx.back.clone(),
            tr: ctx.tr.clone(),
        }
    }

    /// The text for a key in the reader's language.
    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang()
    }
}

/// Renders a template into an HTML response.
pub fn render(t: impl Template) -> WebResult<Response> {
    let html = t
        .render()
        .map_err(|e| yijia_kernel::Error::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(Html(html).into_response())
}

/// A `Set-Cookie` value with the attributes every Yijia cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool, http_only: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if secure { "; Secure" } else { "" }
    )
}

/// A page shown again because of an error in what was sent: it answers with the error's status
/// (422 for a field error, 409 for a conflict …), so clients and tests see the failure.
pub fn with_error_status(mut res: Response, e: &yijia_kernel::Error) -> Response {
    if let Ok(status) = axum::http::StatusCode::from_u16(e.status()) {
        *res.status_mut() = status;
    }
    res
}
