use askama::Template;
use axum::response::Response;
use yijia_kernel::error::{FieldErrors, Message};
use yijia_kernel::paging::Paged;
use yijia_kernel::Error;
use yijia_web::{render, Chrome, CurrentActor, FormErrors, PageCtx, WebResult, Q};

use crate::permissions::READ;
use crate::repo::{self, Event, Filter};

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    filter: Filter,
    events: Vec<Event>,
    errors: FormErrors,
    next: Option<String>,
}

impl AuditPage {
    /// What an audited action was, in words: the log's own label, or the registry's word for
    /// the same event in a resident's history; `None` for an action with neither.
    fn action_label(&self, code: &str) -> Option<String> {
        let name = code.replace('.', "_");
        [format!("audit_action.{name}"), format!("registry.event_{name}")]
            .into_iter()
            .map(|key| (self.chrome.t(&key), key))
            .find(|(text, key)| text != key)
            .map(|(text, _)| text)
    }
}

/// Parses the date filters; a date that does not parse is a field error, not a silent no-op.
pub fn dates(f: &Filter) -> yijia_kernel::Result<(Option<i64>, Option<i64>)> {
    let mut e = FieldErrors::default();
    let mut day = |field: &str, v: &str, plus: i64| {
        if v.trim().is_empty() {
            return None;
        }
        let d = repo::day_start(v).map(|ms| ms + plus);
        if d.is_none() {
            e.add(field, Message::new("audit.bad_date"));
        }
        d
    };
    let from = day("from", &f.from, 0);
    let to = day("to", &f.to, 86_400_000);
    e.into_result()?;
    Ok((from, to))
}

pub async fn list(ctx: PageCtx, CurrentActor(actor): CurrentActor, Q(filter): Q<Filter>) -> WebResult<Response> {
    if !READ.held_by(&actor) {
        return Err(Error::Forbidden.into());
    }
    let (page, errors) = match dates(&filter) {
        Ok((from, to)) => (
            repo::events(&ctx.state.db, actor.account_id.unwrap_or(0), &filter, from, to).await?,
            FormErrors::default(),
        ),
        Err(e) => (
            Paged {
                items: Vec::new(),
                next: None,
            },
            FormErrors::from_error(&e, &ctx.tr),
        ),
    };
    let (events, next) = (page.items, page.next);
    let chrome = Chrome::new(&ctx, "audit.nav");
    render(AuditPage {
        chrome,
        filter,
        events,
        errors,
        next,
    })
}
