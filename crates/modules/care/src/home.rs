//! Care's part of a person's home page: a carer's households with the visit due first (late
//! ones in red), and the wishes wall for those who may take part.

use yijia_kernel::i18n::Tr;
use yijia_kernel::{Actor, AppState, Home, HomeItem, HomeList, Result, Tile};

use crate::model::VisitState;
use crate::permissions::{CLAIM, TAKE_PART};

/// How many households the home page lists.
const SHOWN: usize = 5;

pub async fn home(state: &AppState, actor: &Actor, community_id: i64, tr: &Tr) -> Result<Home> {
    let mut home = Home::default();
    let c = crate::commands::community(state, community_id).await?;
    if TAKE_PART.allows(actor, &c.place()) && !actor.is_staff() {
        home.tiles.push(Tile {
            label: "care.nav_wishes",
            href: format!("/care/wishes?community={community_id}"),
            icon: "gift",
            hint: String::new(),
            primary: false,
            order: 30,
        });
    }
    if CLAIM.allows(actor, &c.place()) && actor.account_id.is_some() {
        let (lines, _) = crate::view::carer_page(state, actor).await?;
        if !lines.is_empty() {
            let items = lines
                .iter()
                .filter(|l| l.pairing.community_id == community_id)
                .take(SHOWN)
                .map(|l| HomeItem {
                    text: l.pairing.address.clone(),
                    href: format!("/care/pairings/{}", l.pairing.pairing_id),
                    tone: match l.state {
                        VisitState::Overdue => "overdue",
                        VisitState::DueSoon => "soon",
                        VisitState::OnTime => "done",
                        VisitState::Unpaired => "closed",
                    },
                    state: l.state.label(tr.lang()).to_owned(),
                    detail: tr.tf("care.home_due", &[("date", l.pairing.due_on.clone())]),
                })
                .collect();
            home.lists.push(HomeList {
                title: "care.nav_mine",
                items,
                more: (lines.len() > SHOWN).then(|| "/care".to_owned()),
                empty: "care.home_none",
                order: 20,
            });
        }
    }
    Ok(home)
}
