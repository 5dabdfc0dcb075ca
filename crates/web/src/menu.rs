//! Two pages of the console itself: the whole menu (a phone's 更多, the side menu of a desk),
//! and the living style page that shows every component of the design system.

use askama::Template;
use axum::response::Response;
use yijia_kernel::Error;

use crate::error::WebResult;
use crate::extract::{CurrentActor, PageCtx};
use crate::page::{render, Chrome};

#[derive(Template)]
#[template(path = "menu.html")]
struct MenuPage {
    chrome: Chrome,
}

pub async fn menu(ctx: PageCtx, CurrentActor(_): CurrentActor) -> WebResult<Response> {
    render(MenuPage {
        chrome: Chrome::new(&ctx, "nav.menu_title"),
    })
}

#[derive(Template)]
#[template(path = "style.html")]
struct StylePage {
    chrome: Chrome,
    tones: [(&'static str, &'static str); 6],
}

/// For staff, who build and check pages: every component, as the modules' pages draw it.
pub async fn style(ctx: PageCtx, CurrentActor(a): CurrentActor) -> WebResult<Response> {
    if !a.is_staff() {
        return Err(Error::NotFound.into());
    }
    render(StylePage {
        chrome: Chrome::new(&ctx, "style.title"),
        tones: [
            ("new", "style.tone_new"),
            ("progress", "style.tone_progress"),
            ("soon", "style.tone_soon"),
            ("overdue", "style.tone_overdue"),
            ("done", "style.tone_done"),
            ("closed", "style.tone_closed"),
        ],
    })
}
