use askama::Template;
use axum::response::Response;
use yijia_kernel::paging::{PageQuery, Paged};
use yijia_kernel::{Actor, Error, Role};
use yijia_web::{render, with_error_status, Chrome, CurrentActor, FormErrors, PageCtx, PageForm, WebResult, Q};

use crate::commands::create_account::create_account;
use crate::model::{AccountView, GrantView, NewAccountInput};
use crate::permissions::MANAGE;
use crate::repo;

pub struct Row {
    pub account: AccountView,
    pub grants: Vec<GrantView>,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    roles: Vec<(&'static str, String)>,
    form: NewAccountInput,
    errors: FormErrors,
    created: Option<(String, Option<String>)>,
}

async fn page(
    ctx: &PageCtx,
    actor: &Actor,
    after: i64,
    form: NewAccountInput,
    errors: FormErrors,
    created: Option<(String, Option<String>)>,
) -> WebResult<Response> {
    if !MANAGE.held_by(actor) {
        return Err(Error::Forbidden.into());
    }
    let limit = yijia_kernel::paging::DEFAULT_LIMIT;
    let rows = repo::list_accounts(&ctx.state.db, actor.account_id.unwrap_or(0), after, limit + 1).await?;
    let page = Paged::from_rows(rows, limit, |a| a.account_id);
    let (accounts, next) = (page.items, page.next);
    let grants = match (accounts.first(), accounts.last()) {
        (Some(f), Some(l)) => repo::grants_of(&ctx.state.db, f.account_id, l.account_id).await?,
        _ => Vec::new(),
    };
    let rows = accounts
        .into_iter()
        .map(|a| {
            let g = grants
                .iter()
                .filter(|g| g.account_id == a.account_id)
                .cloned()
                .collect();
            Row { account: a, grants: g }
        })
        .collect();
    let platform = actor.has_role(Role::PlatformAdmin);
    let roles = Role::ASSIGNABLE
        .iter()
        .filter(|r| platform || !matches!(r, Role::PlatformAdmin | Role::Supervisor))
        .map(|r| (r.as_str(), ctx.tr.t(&format!("role.{}", r.as_str()))))
        .collect();
    let chrome = Chrome::new(ctx, "accounts.nav");
    render(AccountsPage {
        chrome,
        rows,
        next,
        roles,
        form,
        errors,
        created,
    })
}

pub async fn list(ctx: PageCtx, CurrentActor(actor): CurrentActor, Q(q): Q<PageQuery>) -> WebResult<Response> {
    let form = NewAccountInput {
        role: "resident".into(),
        ..Default::default()
    };
    page(&ctx, &actor, q.after(), form, FormErrors::default(), None).await
}

pub async fn create(
    ctx: PageCtx,
    CurrentActor(actor): CurrentActor,
    PageForm(form): PageForm<NewAccountInput>,
) -> WebResult<Response> {
    let result = match form.parse() {
        Ok(input) => create_account(&ctx.state, &actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => {
            let created = Some((form.username.trim().to_ascii_lowercase(), c.generated_password));
            let blank = NewAccountInput {
                role: "resident".into(),
                community: form.community,
                ..Default::default()
            };
            page(&ctx, &actor, 0, blank, FormErrors::default(), created).await
        }
        Err(e @ Error::Validation(_)) => {
            let errors = FormErrors::from_error(&e, &ctx.tr);
            let mut form = form;
            form.password.clear();
            let res = page(&ctx, &actor, 0, form, errors, None).await?;
            Ok(with_error_status(res, &e))
        }
        Err(e) => Err(e.into()),
    }
}
