//! The chrome around every page: title, navigation by role, the signed-in person, the language.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use yijia_kernel::i18n::{Locale, Tr};

use crate::error::WebResult;
use crate::extract::PageCtx;

pub struct NavLink {
    pub label: String,
    pub href: &'static str,
    pub icon: &'static str,
    pub active: bool,
}

/// A heading of the menu (民情驿站, 小蜜蜂驿站 …) with the links under it the reader may use.
pub struct NavGroup {
    pub label: String,
    pub links: Vec<NavLink>,
}

/// What the layout needs; every page template has a `chrome` field.
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    /// The home link, then the menu by station: the side menu at a desk, the 更多 page on a phone.
    pub home: Option<NavLink>,
    pub groups: Vec<NavGroup>,
    /// A phone's tab bar: home, the role's main entries, 更多 when the menu holds more.
    pub tabs: Vec<NavLink>,
    pub user: Option<String>,
    pub staff: bool,
    /// Unread messages of the signed-in account (the badge on 消息).
    pub unread: i64,
    /// What the last action did, said once on the page it led to.
    pub flash: Option<String>,
    pub other_lang: &'static str,
    pub other_lang_label: String,
    pub path: String,
    /// Where the language switch comes back to.
    pub back: String,
}

/// How many of a role's entries a phone's tab bar holds besides home and 更多.
const TABS: usize = 3;

impl Chrome {
    pub fn new(ctx: &PageCtx, title_key: &str) -> Chrome {
        let title = ctx.tr.t(title_key);
        Chrome::titled(ctx, title)
    }

    /// The chrome of a page whose title is already text (a community's name, an error).
    pub fn titled(ctx: &PageCtx, title: String) -> Chrome {
        let mut entries: Vec<_> = ctx
            .state
            .modules
            .iter()
            .flat_map(|m| m.nav())
            .chain([crate::district::nav()])
            .filter(|n| ctx.actor.as_ref().is_some_and(|a| n.cap.held_by(a)))
            .collect();
        entries.sort_by_key(|n| (n.station, n.order));
        // One item is the page being read: the one whose link names it most closely.
        let active = best_match(entries.iter().map(|n| n.href).chain(["/"]), &ctx.here());
        let link = |label: String, href: &'static str, icon: &'static str| NavLink {
            active: active == Some(href),
            label,
            href,
            icon,
        };
        let mut groups: Vec<NavGroup> = Vec::new();
        for n in &entries {
            let heading = ctx.tr.t(n.station.label());
            let item = link(ctx.tr.t(n.label), n.href, n.icon);
            match groups.last_mut() {
                Some(g) if g.label == heading => g.links.push(item),
                _ => groups.push(NavGroup {
                    label: heading,
                    links: vec![item],
                }),
            }
        }
        let signed_in = ctx.actor.is_some();
        let mut tabs = Vec::new();
        if signed_in {
            tabs.push(link(ctx.tr.t("nav.home"), "/", "house"));
            let mut main: Vec<_> = entries.iter().filter(|n| n.tab.is_some()).collect();
            main.sort_by_key(|n| (n.tab, n.order));
            tabs.extend(main.iter().take(TABS).map(|n| link(ctx.tr.t(n.label), n.href, n.icon)));
            if entries.len() > tabs.len() - 1 {
                tabs.push(NavLink {
                    label: ctx.tr.t("nav.more"),
                    href: "/menu",
                    icon: "menu",
                    active: ctx.path == "/menu",
                });
            }
        } else {
            groups.clear();
        }
        let other = match ctx.tr.locale {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        };
        Chrome {
            title,
            home: signed_in.then(|| link(ctx.tr.t("nav.home"), "/", "house")),
            groups,
            tabs,
            user: ctx.actor.as_ref().map(|a| a.display_name.clone()),
            staff: ctx.actor.as_ref().is_some_and(|a| a.is_staff()),
            unread: ctx.unread,
            flash: ctx.flash.clone(),
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

/// Of the menu's links, the one that names the page at `here` (its path and query) most
/// closely: the same path and query, else the longest link without a query whose path the page
/// is under (`/appeals/12` is under `/appeals`, `/appeals?view=mine` is not under
/// `/appeals?view=queue`). Ties go to the first.
fn best_match<'a>(links: impl Iterator<Item = &'a str>, here: &str) -> Option<&'a str> {
    let path = here.split('?').next().unwrap_or(here);
    let mut best: Option<(usize, &'a str)> = None;
    for href in links {
        let score = if href == here {
            usize::MAX
        } else if href.contains('?') {
            // A filtered list with more filters (`?view=mine&status=replied`).
            match here.strip_prefix(href) {
                Some(rest) if rest.starts_with('&') => usize::MAX - 1,
                _ => continue,
            }
        } else if href == "/" {
            if path == "/" {
                1
            } else {
                continue;
            }
        } else if path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')) {
            href.len()
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, href));
        }
    }
    best.map(|(_, h)| h)
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

#[cfg(test)]
mod tests {
    use super::best_match;

    const MENU: [&str; 5] = [
        "/appeals",
        "/appeals?view=queue",
        "/appeals?view=mine",
        "/appeals/rates",
        "/",
    ];

    #[test]
    fn one_menu_item_names_the_page() {
        let m = |here| best_match(MENU.into_iter(), here);
        assert_eq!(m("/appeals?view=queue"), Some("/appeals?view=queue"));
        assert_eq!(m("/appeals?view=mine&status=replied"), Some("/appeals?view=mine"));
        assert_eq!(m("/appeals?status=replied"), Some("/appeals"));
        assert_eq!(m("/appeals/12"), Some("/appeals"));
        assert_eq!(m("/appeals/rates?community=1"), Some("/appeals/rates"));
        assert_eq!(m("/"), Some("/"));
        assert_eq!(m("/appealsx"), None);
        assert_eq!(m("/council"), None);
    }
}
