//! The appeals' part of a person's home page: a resident starts with 我要反映 and sees her own
//! appeals with who has them; a handling party's member starts with their queue.

use yijia_kernel::clock::format_local;
use yijia_kernel::i18n::Tr;
use yijia_kernel::{Actor, AppState, Home, HomeItem, HomeList, Result, Tile};

use crate::model::Status;
use crate::permissions::{HANDLE, SUBMIT};
use crate::repo::{self, AppealRow, Filter};

/// How many of one's own appeals the home page lists.
const SHOWN: i64 = 5;

pub async fn home(state: &AppState, actor: &Actor, community_id: i64, tr: &Tr) -> Result<Home> {
    let mut home = Home::default();
    let Some(account) = actor.account_id else {
        return Ok(home);
    };
    let c = crate::commands::community(state, community_id).await?;
    let now = state.now_ms();
    let handles = HANDLE.allows(actor, &c.place()) && !actor.is_staff();
    if handles {
        let parties = repo::parties_of(&state.db, account).await?;
        let f = Filter {
            parties: Some(parties),
            open_only: true,
            ..Filter::default()
        };
        let rows = repo::list(&state.db, &f, SHOWN).await?;
        home.tiles.push(Tile {
            label: "appeals.nav_queue",
            href: "/appeals?view=queue".to_owned(),
            icon: "list-todo",
            hint: String::new(),
            primary: true,
            order: 10,
        });
        home.lists.push(HomeList {
            title: "appeals.home_queue",
            items: rows.iter().map(|r| item(r, now, tr, &c.time_zone, false)).collect(),
            more: Some("/appeals?view=queue".to_owned()),
            empty: "appeals.home_queue_empty",
            order: 10,
        });
    }
    if SUBMIT.allows(actor, &c.place()) && !actor.is_staff() {
        let f = Filter {
            requester: Some(account),
            community_id: Some(community_id),
            ..Filter::default()
        };
        let rows = repo::list(&state.db, &f, SHOWN).await?;
        home.tiles.push(Tile {
            label: "appeals.new",
            href: format!("/appeals/new?community={community_id}"),
            icon: "megaphone",
            hint: tr.t("appeals.home_new_hint"),
            primary: !handles,
            order: 10,
        });
        home.tiles.push(Tile {
            label: "appeals.nav_mine",
            href: "/appeals?view=mine".to_owned(),
            icon: "inbox",
            hint: String::new(),
            primary: false,
            order: 11,
        });
        home.lists.push(HomeList {
            title: "appeals.nav_mine",
            items: rows.iter().map(|r| item(r, now, tr, &c.time_zone, true)).collect(),
            more: (rows.len() as i64 == SHOWN).then(|| "/appeals?view=mine".to_owned()),
            empty: "appeals.home_mine_empty",
            order: 11,
        });
    }
    Ok(home)
}

/// One appeal as a line: its number and category, its state as the reader needs it, and who
/// has it until when.
fn item(r: &AppealRow, now: i64, tr: &Tr, tz: &str, requester: bool) -> HomeItem {
    let status = Status::parse(&r.status);
    let due = crate::view::due_at(r);
    let overdue = due.is_some_and(|d| d < now);
    let mut detail = Vec::new();
    let open = status.is_some_and(crate::model::machine::is_open);
    if let (Some(p), true) = (&r.party_name, open) {
        detail.push(tr.tf("appeals.home_with", &[("party", p.clone())]));
    }
    if let Some(d) = due {
        detail.push(tr.tf("appeals.home_due", &[("when", format_local(d, tz))]));
    }
    HomeItem {
        text: format!("#{} {}", r.appeal_id, r.category_name),
        href: format!("/appeals/{}", r.appeal_id),
        // Her rating is what it waits for: drawn as something to do, not as done.
        tone: match status {
            Some(Status::Verified) if requester => "soon",
            _ => crate::pages::tone(status, overdue),
        },
        state: crate::pages::status_text(status, requester, tr),
        detail: detail.join(" · "),
    }
}
