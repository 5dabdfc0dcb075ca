//! What a reader sees of wishes and pairings, for the pages and the API alike. A wish shows its
//! public text to everyone of the community; who raised it, the decline reason and its history
//! only to those who speak for the wisher and to staff; the contact only on request, audited.
//! A household's care groups, members and visit notes are shown to its carers, its grid worker
//! and staff, and every such reading is audited.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use yijia_kernel::audit::{self, Entry};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::scope::CommunityReach;
use yijia_kernel::{Actor, AppState, Error, Result};

use crate::commands::{self, field, groups_by_blind, wish::speaks_for_wisher};
use crate::model::pairing::{suggest, Carer, Waiting};
use crate::model::visits::{days_over, Intervals};
use crate::model::wish::{on_wall, WishStatus};
use crate::model::VisitState;
use crate::permissions::{CLAIM, LOOK_AFTER, MANAGE, REPORTS, TAKE_PART};
use crate::repo::{self, AlertRow, ClaimRow, PairingRow, PublicWish, StepRow};

/// Days before the due day a visit shows as due soon.
const DUE_SOON_DAYS: i64 = 2;

/// How the reader stands to a community's wishes and care.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Standing {
    pub member: bool,
    pub claims: bool,
    /// Looks after the whole community or some of its grids.
    pub looks_after: bool,
    pub staff: bool,
    pub reports: bool,
}

impl Standing {
    pub fn of(actor: &Actor, c: &CommunityAt) -> Standing {
        let place = c.place();
        Standing {
            member: TAKE_PART.allows(actor, &place),
            claims: CLAIM.allows(actor, &place),
            looks_after: CommunityReach::of(&LOOK_AFTER, actor, &place) != CommunityReach::Nothing,
            staff: MANAGE.allows(actor, &place),
            reports: CommunityReach::of(&REPORTS, actor, &place) != CommunityReach::Nothing,
        }
    }
}

/// A community the reader belongs to, with how they stand.
pub async fn community_for(state: &AppState, actor: &Actor, id: i64) -> Result<(CommunityAt, Standing)> {
    let c = commands::community(state, id).await?;
    let s = Standing::of(actor, &c);
    if !(s.member || s.reports) {
        return Err(Error::NotFound);
    }
    Ok((c, s))
}

/// The state of a visit due on `due_on` as of `today`.
pub fn visit_state(due_on: &str, today: Date) -> (VisitState, i64) {
    let Ok(due) = due_on.parse::<Date>() else {
        return (VisitState::OnTime, 0);
    };
    let over = days_over(due, today);
    let state = if over > 0 {
        VisitState::Overdue
    } else if over >= -DUE_SOON_DAYS {
        VisitState::DueSoon
    } else {
        VisitState::OnTime
    };
    (state, over)
}

#[derive(Debug, Clone, Serialize)]
pub struct WishView {
    pub wish: PublicWish,
    pub time_zone: String,
    pub photos: Vec<String>,
    pub proof_photos: Vec<String>,
    pub proof_note: String,
    /// For those who speak for the wisher and staff: who raised it, why it was declined, and
    /// what happened to it.
    pub raiser_name: Option<String>,
    pub decline_reason: Option<String>,
    pub steps: Vec<StepRow>,
    pub claim: Option<ClaimRow>,
    pub standing: Standing,
    /// The reader holds the open claim.
    pub claimant: bool,
    /// The reader may confirm, send back and thank.
    pub speaks_for_wisher: bool,
}

/// One wish as the reader may see it: not before it is vetted, except to its raiser and to
/// those who look after its grid.
pub async fn wish(state: &AppState, actor: &Actor, id: i64) -> Result<WishView> {
    let db = &state.db;
    let w = repo::wish(db, id).await?.ok_or(Error::NotFound)?;
    let (c, standing) = community_for(state, actor, w.community_id).await?;
    let speaks = speaks_for_wisher(actor, &c, &w);
    let insider = speaks || standing.staff || (actor.account_id.is_some() && actor.account_id == w.raised_by);
    let status = WishStatus::parse(&w.status).ok_or(Error::NotFound)?;
    if !on_wall(status) && !insider {
        return Err(Error::NotFound);
    }
    let claim = repo::open_claim(db, id).await?;
    let claimant = claim.as_ref().is_some_and(|cl| Some(cl.account_id) == actor.account_id);
    Ok(WishView {
        wish: repo::public_wish(db, id).await?.ok_or(Error::NotFound)?,
        time_zone: c.time_zone.clone(),
        photos: repo::files(db, id, "wish").await?,
        proof_photos: repo::files(db, id, "proof").await?,
        proof_note: w.proof_note.clone(),
        raiser_name: insider.then(|| w.raiser_name.clone()),
        decline_reason: insider.then(|| w.decline_reason.clone()).filter(|r| !r.is_empty()),
        steps: if insider || claimant {
            repo::steps(db, id).await?
        } else {
            Vec::new()
        },
        claim,
        standing,
        claimant,
        speaks_for_wisher: speaks,
    })
}

/// Whether the reader may see a wish's photo (the same rule as the wish).
pub async fn may_see_wish(state: &AppState, actor: &Actor, id: i64) -> Result<()> {
    wish(state, actor, id).await.map(|_| ())
}

/// The wall of a community and, for those who vet, the wishes waiting.
#[derive(Debug, Clone, Serialize)]
pub struct Wall {
    pub wishes: Vec<PublicWish>,
    pub to_vet: Vec<PublicWish>,
    pub mine: Vec<PublicWish>,
    pub claimed: Vec<PublicWish>,
}

pub async fn wall(state: &AppState, actor: &Actor, c: &CommunityAt, status: &str) -> Result<Wall> {
    let db = &state.db;
    let reach = CommunityReach::of(&LOOK_AFTER, actor, &c.place());
    Ok(Wall {
        wishes: repo::wall(db, c.community_id, status, 100).await?,
        to_vet: if reach == CommunityReach::Nothing {
            Vec::new()
        } else {
            repo::to_vet(db, c.community_id, &reach).await?
        },
        mine: match actor.account_id {
            Some(a) => repo::wishes_of(db, a).await?,
            None => Vec::new(),
        },
        claimed: match actor.account_id {
            Some(a) => repo::claimed_by(db, a).await?,
            None => Vec::new(),
        },
    })
}

/// A pairing on a carer's or a grid worker's list, with where its visits stand.
#[derive(Debug, Clone, Serialize)]
pub struct PairingLine {
    pub pairing: PairingRow,
    pub state: VisitState,
    /// Days past due (negative: days left).
    pub days_over: i64,
}

fn lines(pairings: Vec<PairingRow>, today: Date) -> Vec<PairingLine> {
    pairings
        .into_iter()
        .map(|p| {
            let (state, days_over) = visit_state(&p.due_on, today);
            PairingLine {
                pairing: p,
                state,
                days_over,
            }
        })
        .collect()
}

/// A carer's households, the visit due first: addresses and visit state, no care data.
pub async fn carer_page(state: &AppState, actor: &Actor) -> Result<(Vec<PairingLine>, String)> {
    let account = actor.account_id.ok_or(Error::Forbidden)?;
    let pairings = repo::pairings_of_carer(&state.db, account).await?;
    let Some(first) = pairings.first() else {
        return Ok((Vec::new(), "Asia/Shanghai".into()));
    };
    let c = commands::community(state, first.community_id).await?;
    let today = c.today(state);
    Ok((lines(pairings, today), c.time_zone))
}

/// A visit with its notes opened.
#[derive(Debug, Clone, Serialize)]
pub struct VisitLine {
    pub visit_id: i64,
    pub carer_name: String,
    pub visited_on: String,
    pub outcome: String,
    pub condition: String,
    pub needs: String,
    pub follow_up: String,
    pub appeal_id: Option<i64>,
}

/// A resident of the household with the care groups they are in.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub name: String,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairingView {
    pub line: PairingLine,
    pub time_zone: String,
    /// The community's day, for the visit form.
    pub today: String,
    pub members: Vec<Member>,
    /// Every live pairing of the household (its other carers too).
    pub carers: Vec<PairingRow>,
    pub visits: Vec<VisitLine>,
    pub alerts: Vec<AlertRow>,
    /// The reader is this pairing's carer (and may log a visit).
    pub own: bool,
    pub looks_after: bool,
}

/// One pairing with the household's care data: for its carer, its grid worker and staff. The
/// reading is audited.
pub async fn pairing(state: &AppState, actor: &Actor, id: i64, lang: &'static str) -> Result<PairingView> {
    let db = &state.db;
    let p = repo::pairing(db, id).await?.ok_or(Error::NotFound)?;
    let h = yijia_registry::repo::household(db, p.household_id)
        .await?
        .ok_or(Error::NotFound)?;
    let own = actor.account_id == Some(p.carer_account_id);
    let carer_now = match actor.account_id {
        Some(a) => repo::is_carer(db, p.household_id, a).await?,
        None => false,
    };
    let looks_after = LOOK_AFTER.allows(actor, &h.place());
    if !(carer_now || looks_after || (own && p.ended_at.is_none())) {
        return Err(Error::NotFound);
    }
    let c = commands::community(state, p.community_id).await?;
    let today = c.today(state);
    let groups = groups_by_blind(state, c.community_id).await?;
    let members = yijia_registry::repo::household_members(db, p.household_id).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.resident_id).collect();
    let tags = yijia_registry::repo::tags_of(db, &ids).await?;
    let today_s = today.to_string();
    let members = members
        .into_iter()
        .map(|m| Member {
            groups: tags
                .iter()
                .filter(|t| t.resident_id == m.resident_id && t.starts_on <= today_s)
                .filter(|t| t.ends_on.as_ref().is_none_or(|e| *e >= today_s))
                .filter_map(|t| {
                    state
                        .vault
                        .open(yijia_registry::commands::field::CARE_KIND, &t.kind_sealed)
                        .ok()
                })
                .filter_map(|code| {
                    groups
                        .iter()
                        .find(|(_, g)| g.code() == code)
                        .map(|(_, g)| g.label(lang).into_owned())
                })
                .collect(),
            name: m.name,
        })
        .collect();
    let open = |s: &Option<String>, f: &str| {
        s.as_deref()
            .and_then(|v| state.vault.open(f, v).ok())
            .unwrap_or_default()
    };
    let visits = repo::visits_of_household(db, p.household_id, 50)
        .await?
        .into_iter()
        .map(|v| VisitLine {
            condition: open(&v.condition_sealed, field::CONDITION),
            needs: open(&v.needs_sealed, field::NEEDS),
            follow_up: open(&v.follow_up_sealed, field::FOLLOW_UP),
            visit_id: v.visit_id,
            carer_name: v.carer_name,
            visited_on: v.visited_on,
            outcome: v.outcome,
            appeal_id: v.appeal_id,
        })
        .collect();
    reveal(state, actor, c.community_id, "care_pairing.view", "care_pairing", id).await?;
    let (st, over) = visit_state(&p.due_on, today);
    Ok(PairingView {
        carers: repo::pairings_of_household(db, p.household_id).await?,
        alerts: repo::alerts_of(db, id).await?,
        line: PairingLine {
            pairing: p,
            state: st,
            days_over: over,
        },
        time_zone: c.time_zone,
        today: today_s,
        members,
        visits,
        own,
        looks_after,
    })
}

/// Audits a reading of care data.
async fn reveal(state: &AppState, actor: &Actor, community_id: i64, action: &str, entity: &str, id: i64) -> Result<()> {
    let mut tx = state.db.begin_write().await?;
    audit::lock_chain(&mut tx, community_id).await?;
    audit::record(
        &mut tx,
        state.vault.audit_key(),
        state.now_ms(),
        actor,
        Entry::new(action, entity, id).community(Some(community_id)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A care-group household on the grid worker's page.
#[derive(Debug, Clone, Serialize)]
pub struct Covered {
    pub household_id: i64,
    pub grid_id: i64,
    pub address: String,
    /// `name（group、group）` of each member in a care group.
    pub people: Vec<String>,
    pub pairings: Vec<PairingLine>,
    /// The care groups of its members.
    pub groups: Vec<String>,
    /// The best state of its pairings: on time when any carer is, unpaired when none.
    pub state: VisitState,
}

/// A suggested carer for an unpaired household.
#[derive(Debug, Clone, Serialize)]
pub struct Suggested {
    pub household_id: i64,
    pub address: String,
    pub carer_account_id: i64,
    pub carer_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub households: Vec<Covered>,
    /// Pairings of households in no care group (allowed with a reason, flagged).
    pub untagged: Vec<PairingLine>,
    pub suggestions: Vec<Suggested>,
    pub carers: Vec<repo::CarerRow>,
    pub paired: usize,
    pub on_time: usize,
}

/// Every care-group household within the reader's reach: paired? visited on time? With
/// suggestions for the unpaired. The reading is audited.
pub async fn coverage(state: &AppState, actor: &Actor, c: &CommunityAt, lang: &'static str) -> Result<Coverage> {
    let reach = CommunityReach::of(&LOOK_AFTER, actor, &c.place());
    if reach == CommunityReach::Nothing {
        return Err(Error::Forbidden);
    }
    let cov = build_coverage(state, c, &reach, lang).await?;
    reveal(
        state,
        actor,
        c.community_id,
        "care.coverage_view",
        "community",
        c.community_id,
    )
    .await?;
    Ok(cov)
}

/// The coverage of the households within `reach`, read without auditing (the reports count it).
async fn build_coverage(
    state: &AppState,
    c: &CommunityAt,
    reach: &CommunityReach,
    lang: &'static str,
) -> Result<Coverage> {
    let db = &state.db;
    let today = c.today(state);
    let groups = groups_by_blind(state, c.community_id).await?;
    let label = |blind: &str| {
        groups
            .iter()
            .find(|(b, _)| b == blind)
            .map(|(_, g)| g.label(lang).into_owned())
    };
    let tagged = repo::tagged(db, c.community_id, reach, &today.to_string()).await?;
    let mut by_household: BTreeMap<i64, Covered> = BTreeMap::new();
    let mut people: BTreeMap<(i64, String), Vec<String>> = BTreeMap::new();
    let mut intervals_of: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for t in &tagged {
        by_household.entry(t.household_id).or_insert_with(|| Covered {
            household_id: t.household_id,
            grid_id: t.grid_id,
            address: t.address.clone(),
            people: Vec::new(),
            pairings: Vec::new(),
            groups: Vec::new(),
            state: VisitState::Unpaired,
        });
        if let Some(l) = label(&t.kind_blind) {
            if let Some(cov) = by_household.get_mut(&t.household_id) {
                if !cov.groups.contains(&l) {
                    cov.groups.push(l.clone());
                }
            }
            people.entry((t.household_id, t.name.clone())).or_default().push(l);
        }
        if let Some((_, g)) = groups.iter().find(|(b, _)| *b == t.kind_blind) {
            intervals_of
                .entry(t.household_id)
                .or_default()
                .push(g.code().into_owned());
        }
    }
    for ((h, name), gs) in people {
        if let Some(cov) = by_household.get_mut(&h) {
            cov.people.push(format!("{name}（{}）", gs.join("、")));
        }
    }
    let mut untagged = Vec::new();
    for line in lines(repo::pairings_in(db, c.community_id, reach).await?, today) {
        match by_household.get_mut(&line.pairing.household_id) {
            Some(cov) => cov.pairings.push(line),
            None => untagged.push(line),
        }
    }
    let rank = |s: VisitState| match s {
        VisitState::OnTime => 0,
        VisitState::DueSoon => 1,
        VisitState::Overdue => 2,
        VisitState::Unpaired => 3,
    };
    for cov in by_household.values_mut() {
        cov.state = cov
            .pairings
            .iter()
            .map(|l| l.state)
            .min_by_key(|s| rank(*s))
            .unwrap_or(VisitState::Unpaired);
    }
    let carers = repo::carers(db, c.community_id).await?;
    let capacity = yijia_kernel::settings::get_i64(db, c.community_id, &commands::CAPACITY).await?;
    let default_days = yijia_kernel::settings::get_i64(db, c.community_id, &commands::DEFAULT_INTERVAL).await?;
    let typed = yijia_kernel::settings::get(db, c.community_id, &commands::INTERVALS).await?;
    let intervals = Intervals::parse(&typed, default_days).unwrap_or_default();
    let waiting: Vec<Waiting> = by_household
        .values()
        .filter(|h| h.pairings.is_empty())
        .map(|h| Waiting {
            household_id: h.household_id,
            grid_id: h.grid_id,
            interval_days: intervals.days_for(intervals_of.get(&h.household_id).map_or(&[][..], Vec::as_slice)),
        })
        .collect();
    let pool: Vec<Carer> = carers
        .iter()
        .filter_map(|c| {
            c.grid_id.map(|g| Carer {
                carer_id: c.account_id,
                grid_id: g,
                load: c.load,
            })
        })
        .collect();
    let suggestions = suggest(&waiting, &pool, capacity)
        .into_iter()
        .filter_map(|s| {
            let h = by_household.get(&s.household_id)?;
            let carer = carers.iter().find(|c| c.account_id == s.carer_id)?;
            Some(Suggested {
                household_id: s.household_id,
                address: h.address.clone(),
                carer_account_id: s.carer_id,
                carer_name: carer.name.clone(),
            })
        })
        .collect();
    let households: Vec<Covered> = by_household.into_values().collect();
    Ok(Coverage {
        paired: households.iter().filter(|h| !h.pairings.is_empty()).count(),
        on_time: households
            .iter()
            .filter(|h| matches!(h.state, VisitState::OnTime | VisitState::DueSoon))
            .count(),
        households,
        untagged,
        suggestions,
        carers,
    })
}

/// One line of the reports: households in care, paired, visited on time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CoverageLine {
    pub label: String,
    pub households: usize,
    pub paired: usize,
    pub on_time: usize,
}

impl CoverageLine {
    fn add(&mut self, h: &Covered) {
        self.households += 1;
        self.paired += usize::from(!h.pairings.is_empty());
        self.on_time += usize::from(matches!(h.state, VisitState::OnTime | VisitState::DueSoon));
    }

    /// `part` of the households as a percentage with one decimal, "—" when there are none.
    pub fn rate(&self, part: &usize) -> String {
        if self.households == 0 {
            return "—".into();
        }
        let tenths = (*part * 1000 + self.households / 2) / self.households;
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// The community's reports: coverage by grid and by care group, wishes by stage and category,
/// fulfilment times. Numbers only.
#[derive(Debug, Clone, Serialize)]
pub struct Reports {
    pub by_grid: Vec<CoverageLine>,
    pub by_group: Vec<CoverageLine>,
    pub total: CoverageLine,
    /// `(status, category, n)`.
    pub wishes: Vec<(String, String, i64)>,
    pub fulfilled: usize,
    /// Median days from the wall to fulfilment.
    pub median_days: Option<f64>,
}

pub async fn reports(state: &AppState, actor: &Actor, c: &CommunityAt, lang: &'static str) -> Result<Reports> {
    let reach = CommunityReach::of(&REPORTS, actor, &c.place());
    if reach == CommunityReach::Nothing {
        return Err(Error::Forbidden);
    }
    let cov = build_coverage(state, c, &reach, lang).await?;
    let grids: Vec<(i64, String)> = yijia_kernel::community::grid_choices(&state.db, c.community_id).await?;
    // Grids in the community's order (第一, 第二, …), care groups by name.
    let mut by_grid: Vec<CoverageLine> = grids
        .iter()
        .map(|(_, g)| CoverageLine {
            label: g.clone(),
            ..CoverageLine::default()
        })
        .collect();
    let mut by_group: BTreeMap<String, CoverageLine> = BTreeMap::new();
    let mut total = CoverageLine::default();
    for h in &cov.households {
        if let Some(i) = grids.iter().position(|(id, _)| *id == h.grid_id) {
            by_grid[i].add(h);
        }
        for group in &h.groups {
            by_group
                .entry(group.clone())
                .or_insert_with(|| CoverageLine {
                    label: group.clone(),
                    ..CoverageLine::default()
                })
                .add(h);
        }
        total.add(h);
    }
    let times = repo::fulfilment_times(&state.db, c.community_id).await?;
    #[expect(clippy::cast_precision_loss, reason = "days to one decimal")]
    let median_days = (!times.is_empty()).then(|| {
        let mid = times.len() / 2;
        let ms = if times.len() % 2 == 0 {
            (times[mid - 1] + times[mid]) / 2
        } else {
            times[mid]
        };
        (ms as f64 / 86_400_000.0 * 10.0).round() / 10.0
    });
    Ok(Reports {
        by_grid: by_grid.into_iter().filter(|l| l.households > 0).collect(),
        by_group: by_group.into_values().collect(),
        total,
        wishes: repo::wish_counts(&state.db, c.community_id).await?,
        fulfilled: times.len(),
        median_days,
    })
}
