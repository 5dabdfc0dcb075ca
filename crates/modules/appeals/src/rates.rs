//! The rates units are judged on (DOMAIN.md §7), for one community and one month of appeals
//! (by the day they were raised, in the community's time zone), per handling party, category
//! and grid:
//!
//! - 响应率 (response): appeals accepted by their dispatch deadline, of those not declined;
//! - 解决率 (solved): rated appeals whose rating is in the community's "solved" set (by
//!   default satisfied and basically satisfied), of those rated;
//! - 满意率 (satisfaction): satisfied ones count fully, basically satisfied ones by the
//!   community's weight (100 % by default), of those rated;
//! - on-time: replies given by the reply deadline, of those replied;
//! - average handling time: from raising to the reply, over those replied.
//!
//! The two formula choices are community settings; every rate is a count over a count, so a
//! report also gives the counts it came from.

use std::collections::BTreeMap;

use serde::Serialize;
use yijia_db::on_db;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::error::Message;
use yijia_kernel::months;
use yijia_kernel::settings::{Kind, Setting};
use yijia_kernel::{AppState, Result};

use crate::model::Rating;

pub const BASIC_WEIGHT: Setting = Setting {
    key: "appeals.satisfaction_basic_weight",
    label: "appeals.setting_basic_weight",
    hint: "appeals.setting_basic_weight_hint",
    kind: Kind::Integer { min: 0, max: 100 },
    default: "100",
};

/// What may separate the ratings as typed.
const RATING_SEPARATORS: [char; 4] = [',', '，', '、', ' '];

fn check_ratings(v: &str) -> std::result::Result<String, Message> {
    let mut out: Vec<&str> = Vec::new();
    for part in v.split(RATING_SEPARATORS).map(str::trim).filter(|p| !p.is_empty()) {
        let r = Rating::parse(part)
            .or_else(|| Rating::ALL.iter().copied().find(|r| part == r.label("zh-CN")))
            .ok_or_else(|| Message::new("appeals.bad_ratings"))?;
        if !out.contains(&r.as_str()) {
            out.push(r.as_str());
        }
    }
    if out.is_empty() {
        return Err(Message::new("appeals.bad_ratings"));
    }
    Ok(out.join(", "))
}

/// The ratings by their Chinese names (满意、基本满意), as `check_ratings` reads them back; in
/// English their codes, which are English words (the labels have spaces, which separate items).
fn show_ratings(v: &str, lang: &str) -> String {
    if lang != "zh-CN" {
        return v.to_owned();
    }
    let labels: Vec<&str> = v
        .split(RATING_SEPARATORS)
        .filter_map(|p| Rating::parse(p.trim()))
        .map(|r| r.label(lang))
        .collect();
    labels.join("、")
}

pub const SOLVED_RATINGS: Setting = Setting {
    key: "appeals.solved_ratings",
    label: "appeals.setting_solved_ratings",
    hint: "appeals.setting_solved_ratings_hint",
    kind: Kind::Checked {
        max: 60,
        check: check_ratings,
        show: show_ratings,
    },
    default: "satisfied, basic",
};

/// The counts behind the rates of one group of appeals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Counts {
    pub total: i64,
    pub declined: i64,
    pub responded: i64,
    pub replied: i64,
    pub on_time: i64,
    pub handling_ms: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.total += o.total;
        self.declined += o.declined;
        self.responded += o.responded;
        self.replied += o.replied;
        self.on_time += o.on_time;
        self.handling_ms += o.handling_ms;
        self.rated += o.rated;
        self.satisfied += o.satisfied;
        self.basic += o.basic;
        self.unsatisfied += o.unsatisfied;
    }
}

/// The rates of a group, in percent with one decimal (`None` where nothing was counted).
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    pub key: i64,
    pub name: String,
    pub counts: Counts,
    pub response: Option<f64>,
    pub solved: Option<f64>,
    pub satisfaction: Option<f64>,
    pub on_time: Option<f64>,
    /// Hours, one decimal.
    pub avg_handling_hours: Option<f64>,
}

/// How the community counts: the weight of "basically satisfied" and the "solved" ratings.
#[derive(Debug, Clone)]
pub struct Formula {
    pub basic_weight: i64,
    pub solved: Vec<Rating>,
}

impl Formula {
    pub async fn of(state: &AppState, community_id: i64) -> Result<Formula> {
        let solved = yijia_kernel::settings::get(&state.db, community_id, &SOLVED_RATINGS).await?;
        Ok(Formula {
            basic_weight: yijia_kernel::settings::get_i64(&state.db, community_id, &BASIC_WEIGHT).await?,
            solved: solved.split(',').filter_map(Rating::parse).collect(),
        })
    }

    fn rates(&self, key: i64, name: String, c: Counts) -> Rates {
        let pct = |n: i64, d: i64| (d > 0).then(|| round1(n as f64 * 100.0 / d as f64));
        let solved: i64 = self
            .solved
            .iter()
            .map(|r| match r {
                Rating::Satisfied => c.satisfied,
                Rating::Basic => c.basic,
                Rating::Unsatisfied => c.unsatisfied,
            })
            .sum();
        let weighted = c.satisfied * 100 + c.basic * self.basic_weight;
        Rates {
            key,
            name,
            response: pct(c.responded, c.total - c.declined),
            solved: pct(solved, c.rated),
            satisfaction: (c.rated > 0).then(|| round1(weighted as f64 / c.rated as f64)),
            on_time: pct(c.on_time, c.replied),
            avg_handling_hours: (c.replied > 0).then(|| round1(c.handling_ms as f64 / c.replied as f64 / 3_600_000.0)),
            counts: c,
        }
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A month's report: the whole community, and by party, category and grid.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub community_id: i64,
    pub month: String,
    pub total: Rates,
    pub by_party: Vec<Rates>,
    pub by_category: Vec<Rates>,
    pub by_grid: Vec<Rates>,
}

/// The counts of a group of appeals, as SQL over the appeal `a`, named as [`Counts`]' fields.
const COUNTS: &str = "count(*) as total, \
     coalesce(sum(case when a.status = 'declined' then 1 else 0 end), 0) as declined, \
     coalesce(sum(case when a.accepted_at is not null and a.accepted_at <= a.dispatch_due_at then 1 else 0 end), 0) as responded, \
     coalesce(sum(case when a.replied_at is not null then 1 else 0 end), 0) as replied, \
     coalesce(sum(case when a.replied_at is not null and a.replied_at <= a.reply_due_at then 1 else 0 end), 0) as on_time, \
     cast(coalesce(sum(case when a.replied_at is not null then a.replied_at - a.created_at else 0 end), 0) as bigint) as handling_ms, \
     coalesce(sum(case when a.rating is not null then 1 else 0 end), 0) as rated, \
     coalesce(sum(case when a.rating = 'satisfied' then 1 else 0 end), 0) as satisfied, \
     coalesce(sum(case when a.rating = 'basic' then 1 else 0 end), 0) as basic, \
     coalesce(sum(case when a.rating = 'unsatisfied' then 1 else 0 end), 0) as unsatisfied";

/// The counts of the month's appeals of one (party, category, grid), summed later per dimension.
#[derive(sqlx::FromRow)]
struct GroupRow {
    party: Option<i64>,
    category: i64,
    grid: Option<i64>,
    #[sqlx(flatten)]
    counts: Counts,
}

/// The counts of one month of a year.
#[derive(sqlx::FromRow)]
struct MonthRow {
    m: i64,
    #[sqlx(flatten)]
    counts: Counts,
}

pub async fn report(state: &AppState, c: &CommunityAt, month: jiff::civil::Date) -> Result<Report> {
    let (start, end) = months::bounds(month, &c.time_zone)?;
    let sql = format!(
        "select a.party_id as party, a.category_id as category, a.grid_id as grid, {COUNTS} \
         from appeal a where a.community_id = $1 and a.created_at >= $2 and a.created_at < $3 \
         group by a.party_id, a.category_id, a.grid_id"
    );
    let rows: Vec<GroupRow> = on_db!(&state.db, |p| sqlx::query_as(&sql)
        .bind(c.community_id)
        .bind(start)
        .bind(end)
        .fetch_all(p)
        .await?);
    let formula = Formula::of(state, c.community_id).await?;
    let names = Names::of(state, c.community_id).await?;
    let mut total = Counts::default();
    let (mut party, mut category, mut grid) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for r in rows {
        total.add(&r.counts);
        party
            .entry(r.party.unwrap_or(0))
            .or_insert_with(Counts::default)
            .add(&r.counts);
        category
            .entry(r.category)
            .or_insert_with(Counts::default)
            .add(&r.counts);
        grid.entry(r.grid.unwrap_or(0))
            .or_insert_with(Counts::default)
            .add(&r.counts);
    }
    let group = |m: BTreeMap<i64, Counts>, names: &BTreeMap<i64, String>| -> Vec<Rates> {
        m.into_iter()
            .map(|(k, c)| formula.rates(k, names.get(&k).cloned().unwrap_or_default(), c))
            .collect()
    };
    Ok(Report {
        community_id: c.community_id,
        month: months::name(month),
        total: formula.rates(0, c.name.clone(), total),
        by_party: group(party, &names.parties),
        by_category: group(category, &names.categories),
        by_grid: group(grid, &names.grids),
    })
}

/// The community's rates month by month over `months` (first days, oldest first, consecutive),
/// each named `YYYY-MM`, in one query.
pub async fn trend(state: &AppState, c: &CommunityAt, months: &[jiff::civil::Date]) -> Result<Vec<Rates>> {
    if months.is_empty() {
        return Ok(Vec::new());
    }
    let bounds = months::all_bounds(months, &c.time_zone)?;
    let bucket = months::bucket_sql("a.created_at", 2, months.len());
    let sql = format!(
        "select {bucket} as m, {COUNTS} from appeal a where a.community_id = $1 \
         and a.created_at >= ${first} and a.created_at < ${last} group by m",
        first = 2,
        last = 2 + months.len(),
    );
    let rows: Vec<MonthRow> = on_db!(&state.db, |p| {
        let mut q = sqlx::query_as(&sql).bind(c.community_id);
        for b in &bounds {
            q = q.bind(*b);
        }
        q.fetch_all(p).await?
    });
    let formula = Formula::of(state, c.community_id).await?;
    let mut by_month = vec![Counts::default(); months.len()];
    for r in rows {
        if let Some(slot) = usize::try_from(r.m).ok().and_then(|m| by_month.get_mut(m)) {
            *slot = r.counts;
        }
    }
    Ok(months
        .iter()
        .zip(by_month)
        .enumerate()
        .map(|(i, (m, counts))| formula.rates(i as i64, months::name(*m), counts))
        .collect())
}

/// The names of a community's parties, categories and grids; key 0 is "none" (not dispatched,
/// no grid).
struct Names {
    parties: BTreeMap<i64, String>,
    categories: BTreeMap<i64, String>,
    grids: BTreeMap<i64, String>,
}

impl Names {
    async fn of(state: &AppState, community_id: i64) -> Result<Names> {
        let grids: Vec<(i64, String)> = on_db!(&state.db, |p| sqlx::query_as(
            "select grid_id, name from grid where community_id = $1"
        )
        .bind(community_id)
        .fetch_all(p)
        .await?);
        Ok(Names {
            parties: crate::repo::parties(&state.db, community_id)
                .await?
                .into_iter()
                .map(|p| (p.party_id, p.name))
                .collect(),
            categories: crate::repo::categories(&state.db, community_id)
                .await?
                .into_iter()
                .map(|c| (c.category_id, c.name))
                .collect(),
            grids: grids.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_solved_ratings_read_as_words_and_are_taken_back_as_words() {
        let stored = SOLVED_RATINGS.default;
        assert_eq!(show_ratings(stored, "zh-CN"), "满意、基本满意");
        assert_eq!(show_ratings(stored, "en"), stored);
        assert_eq!(check_ratings("满意、基本满意").as_deref(), Ok(stored));
        assert_eq!(check_ratings("基本满意，满意").as_deref(), Ok("basic, satisfied"));
        assert!(check_ratings("很好").is_err());
    }

    #[test]
    fn rates_follow_the_communitys_formula() {
        let c = Counts {
            total: 10,
            declined: 2,
            responded: 6,
            replied: 4,
            on_time: 3,
            handling_ms: 4 * 36 * 3_600_000,
            rated: 4,
            satisfied: 2,
            basic: 1,
            unsatisfied: 1,
        };
        let default = Formula {
            basic_weight: 100,
            solved: vec![Rating::Satisfied, Rating::Basic],
        };
        let r = default.rates(0, String::new(), c);
        assert_eq!(r.response, Some(75.0), "6 of the 8 not declined");
        assert_eq!(r.solved, Some(75.0));
        assert_eq!(r.satisfaction, Some(75.0));
        assert_eq!(r.on_time, Some(75.0));
        assert_eq!(r.avg_handling_hours, Some(36.0));
        let strict = Formula {
            basic_weight: 80,
            solved: vec![Rating::Satisfied],
        };
        let r = strict.rates(0, String::new(), c);
        assert_eq!(r.solved, Some(50.0));
        assert_eq!(r.satisfaction, Some(70.0), "(2×100 + 1×80) / 4");
        let none = default.rates(0, String::new(), Counts::default());
        assert_eq!((none.response, none.satisfaction), (None, None));
        assert_eq!(check_ratings("满意，基本满意").unwrap(), "satisfied, basic");
        assert!(check_ratings("great").is_err() && check_ratings("").is_err());
    }
}
