//! The lists: a community's appeals for the desk and grid workers, a party's queue in four
//! buckets (new, in progress, due soon, overdue), and a resident's own appeals.

use askama::Template;
use axum::response::Response;
use yijia_kernel::clock::format_local;
use yijia_web::{render, Chrome, CurrentActor, PageCtx, WebResult, Q};

use crate::model::Status;
use crate::permissions::{CATALOGUE, INTAKE, READ, SUBMIT};
use crate::query::{only_community, ListQuery};
use crate::repo::{self, AppealRow};
use crate::view::due_at;

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    q: ListQuery,
    rows: Vec<AppealRow>,
    statuses: Vec<(&'static str, &'static str)>,
    tz: String,
    now: i64,
    next: Option<i64>,
    can_new: bool,
    can_catalogue: bool,
    /// Reads the community's appeals: the desk's quick filters are offered.
    can_desk: bool,
    community: Option<i64>,
}

impl ListPage {
    fn when(&self, ms: &i64) -> String {
        format_local(*ms, &self.tz)
    }

    fn due(&self, a: &AppealRow) -> String {
        due_at(a).map(|d| format_local(d, &self.tz)).unwrap_or_default()
    }

    fn overdue(&self, a: &AppealRow) -> bool {
        due_at(a).is_some_and(|d| d < self.now)
    }

    /// The state's chip tone and words; the resident reads her own appeals' states in hers.
    fn tone(&self, a: &AppealRow) -> &'static str {
        super::tone(Status::parse(&a.status), self.overdue(a))
    }

    fn state(&self, a: &AppealRow) -> String {
        super::status_text(Status::parse(&a.status), self.q.view() == "mine", &self.chrome.tr)
    }

    /// A quick filter of the desk's view is the one shown.
    fn desk_filter_is(&self, status: &str, bucket: &str) -> bool {
        self.q.view() == "community" && self.q.status == status && self.q.bucket == bucket
    }

    fn next_href(&self, before: &i64) -> String {
        let mut q = vec![format!("view={}", self.q.view()), format!("before={before}")];
        if let Some(c) = self.q.community {
            q.push(format!("community={c}"));
        }
        if !self.q.status.is_empty() {
            q.push(format!("status={}", self.q.status));
        }
        if !self.q.bucket.is_empty() {
            q.push(format!("bucket={}", self.q.bucket));
        }
        format!("/appeals?{}", q.join("&"))
    }
}

pub async fn show(ctx: PageCtx, CurrentActor(a): CurrentActor, Q(q): Q<ListQuery>) -> WebResult<Response> {
    let filter = q.filter(&ctx.state, &a).await?;
    let limit = q.limit();
    let mut rows = repo::list(&ctx.state.db, &filter, limit + 1).await?;
    let next = (rows.len() > usize::try_from(limit).unwrap_or(0)).then(|| {
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.last().map(|r| r.appeal_id)
    });
    let community = filter.community_id.or_else(|| only_community(&a));
    let c = match community {
        Some(id) => Some(crate::commands::community(&ctx.state, id).await?),
        None => None,
    };
    let chrome = Chrome::new(
        &ctx,
        match q.view() {
            "mine" => "appeals.nav_mine",
            "queue" => "appeals.nav_queue",
            _ => "appeals.title",
        },
    );
    let lang = chrome.lang();
    for r in &mut rows {
        r.hide_requester_from(a.account_id);
    }
    render(ListPage {
        statuses: Status::ALL.iter().map(|s| (s.as_str(), s.label(lang))).collect(),
        tz: c
            .as_ref()
            .map_or_else(|| "Asia/Shanghai".to_owned(), |c| c.time_zone.clone()),
        now: ctx.state.now_ms(),
        next: next.flatten(),
        can_new: c
            .as_ref()
            .is_some_and(|c| SUBMIT.allows(&a, &c.place()) || INTAKE.allows(&a, &c.place())),
        can_catalogue: c.as_ref().is_some_and(|c| CATALOGUE.allows(&a, &c.place())),
        can_desk: READ.held_by(&a),
        community,
        chrome,
        q,
        rows,
    })
}
