//! The council's participation month by month (说事、议事、决事): topics raised and co-signed,
//! comments, meetings held and signed in at, votes closed and how many of their electors voted.
//! Counted for the report page and for the district's comparison of communities.

use jiff::civil::Date;
use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Tr;
use yijia_kernel::{months, Actor, AppState, Figure, Result};

use crate::permissions::READ;
use crate::repo;

/// One month's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`.
    pub name: String,
    pub topics: i64,
    pub cosigns: i64,
    pub comments: i64,
    /// Meetings held (begun by now).
    pub meetings: i64,
    pub sign_ins: i64,
    /// Votes closed in the month, their electors, and the ballots and hands counted in them.
    pub votes: i64,
    pub electors: i64,
    pub voted: i64,
}

impl Month {
    /// Of the electors of the votes closed in the month, the share who voted, in percent;
    /// `None` when no vote with electors closed.
    pub fn turnout(&self) -> Option<f64> {
        (self.electors > 0).then(|| self.voted as f64 * 100.0 / self.electors as f64)
    }
}

/// The community's counts over `asked` (consecutive months' first days, oldest first).
pub async fn months(state: &AppState, c: &CommunityAt, asked: &[Date]) -> Result<Vec<Month>> {
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let bounds = months::all_bounds(asked, &c.time_zone)?;
    let mut out: Vec<Month> = asked
        .iter()
        .map(|m| Month {
            name: months::name(*m),
            ..Month::default()
        })
        .collect();
    for (family, m, a, b, x) in repo::monthly(&state.db, c.community_id, &bounds, state.now_ms()).await? {
        let Some(month) = usize::try_from(m).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        match family.as_str() {
            "topic" => month.topics = a,
            "cosign" => month.cosigns = a,
            "comment" => month.comments = a,
            "meeting" => (month.meetings, month.sign_ins) = (a, b),
            "vote" => (month.votes, month.electors, month.voted) = (a, b, x),
            _ => {}
        }
    }
    Ok(out)
}

/// The turnout of the votes closed and the topics raised, month by month; none unless the actor
/// reads the community's council.
pub async fn figures(state: &AppState, actor: &Actor, c: &CommunityAt, asked: &[Date], tr: &Tr) -> Result<Vec<Figure>> {
    if asked.is_empty() || !READ.allows(actor, &c.place()) {
        return Ok(Vec::new());
    }
    let year = months(state, c, asked).await?;
    let href = format!("/council/report?community={}", c.community_id);
    Ok(vec![
        Figure {
            key: "council.turnout",
            label: "council.figure_turnout",
            unit: "%".to_owned(),
            higher_is_better: true,
            values: year.iter().map(Month::turnout).collect(),
            href: href.clone(),
        },
        Figure {
            key: "council.topics_raised",
            label: "council.figure_topics_raised",
            unit: tr.t("council.unit_topics"),
            higher_is_better: true,
            values: year.iter().map(|m| Some(m.topics as f64)).collect(),
            href,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turnout_is_of_the_electors_of_the_votes_closed() {
        let m = Month {
            electors: 8,
            voted: 6,
            ..Month::default()
        };
        assert_eq!(m.turnout(), Some(75.0));
        assert_eq!(Month::default().turnout(), None, "no vote closed: nothing to measure");
    }
}
