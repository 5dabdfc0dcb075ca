//! The appeals' main figures for comparing communities (the district page): how many were
//! raised, and the satisfaction and on-time rates, month by month.

use yijia_kernel::community::CommunityAt;
use yijia_kernel::i18n::Tr;
use yijia_kernel::{Actor, AppState, Figure, Result};

use crate::permissions::RATES;
use crate::rates::{trend, Rates};

pub async fn figures(
    state: &AppState,
    actor: &Actor,
    c: &CommunityAt,
    months: &[jiff::civil::Date],
    tr: &Tr,
) -> Result<Vec<Figure>> {
    if !RATES.allows(actor, &c.place()) {
        return Ok(Vec::new());
    }
    let year = trend(state, c, months).await?;
    let of = |f: fn(&Rates) -> Option<f64>| year.iter().map(f).collect::<Vec<_>>();
    let href = format!("/appeals/rates?community={}", c.community_id);
    Ok(vec![
        Figure {
            key: "appeals.count",
            label: "appeals.count_total",
            unit: tr.t("appeals.unit_items"),
            higher_is_better: true,
            values: of(|m| Some(m.counts.total as f64)),
            href: href.clone(),
        },
        Figure {
            key: "appeals.satisfaction",
            label: "appeals.rate_satisfaction",
            unit: "%".to_owned(),
            higher_is_better: true,
            values: of(|m| m.satisfaction),
            href: href.clone(),
        },
        Figure {
            key: "appeals.on_time",
            label: "appeals.rate_on_time",
            unit: "%".to_owned(),
            higher_is_better: true,
            values: of(|m| m.on_time),
            href,
        },
    ])
}
