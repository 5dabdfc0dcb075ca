//! The volunteers' part of a person's home page: the activities to join, the shifts one has
//! signed up for next, and for a merchant of the alliance the points to redeem.

use yijia_kernel::clock::format_local;
use yijia_kernel::i18n::Tr;
use yijia_kernel::{Actor, AppState, Home, HomeItem, HomeList, Result, Role, Tile};

use crate::model::SignupStatus;
use crate::permissions::{JOIN, REDEEM};
use crate::repo;

/// How many of one's next shifts the home page lists.
const SHOWN: usize = 3;

pub async fn home(state: &AppState, actor: &Actor, community_id: i64, tr: &Tr) -> Result<Home> {
    let mut home = Home::default();
    if actor.is_staff() {
        return Ok(home);
    }
    let c = yijia_kernel::community::find(state, community_id).await?;
    if actor.has_role(Role::Merchant) && REDEEM.allows(actor, &c.place()) {
        home.tiles.push(Tile {
            label: "volunteers.redeem_title",
            href: "/volunteers/redeem".to_owned(),
            icon: "gift",
            hint: String::new(),
            primary: true,
            order: 5,
        });
    }
    if !JOIN.allows(actor, &c.place()) {
        return Ok(home);
    }
    home.tiles.push(Tile {
        label: "volunteers.nav_activities",
        href: format!("/volunteers/activities?community={community_id}"),
        icon: "calendar",
        hint: String::new(),
        primary: false,
        order: 40,
    });
    let Some(account) = actor.account_id else {
        return Ok(home);
    };
    let Some(me) = repo::volunteer_of(&state.db, community_id, account).await? else {
        return Ok(home);
    };
    let now = state.now_ms();
    let next: Vec<HomeItem> = repo::signups_of(&state.db, me.volunteer_id, 20)
        .await?
        .into_iter()
        .filter(|u| u.status != SignupStatus::Cancelled.as_str() && u.shift_ends_at > now)
        .take(SHOWN)
        .map(|u| HomeItem {
            text: u.title.clone(),
            href: format!("/volunteers/activities/{}", u.activity_id),
            tone: if u.status == SignupStatus::Waiting.as_str() {
                "soon"
            } else {
                "progress"
            },
            state: SignupStatus::parse(&u.status).map_or_else(String::new, |s| s.label(tr.lang()).to_owned()),
            detail: format!("{} · {}", format_local(u.shift_starts_at, &c.time_zone), u.place),
        })
        .collect();
    home.lists.push(HomeList {
        title: "volunteers.my_signups",
        items: next,
        more: Some(format!("/volunteers?community={community_id}")),
        empty: "volunteers.home_no_signups",
        order: 30,
    });
    Ok(home)
}
