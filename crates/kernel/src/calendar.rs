//! Working days, per community: Monday to Friday work, Saturday and Sunday rest, changed day by
//! day by the community's calendar (public holidays, and the weekend days worked to make up for
//! them, 调休). Deadlines counted in working days (appeals, volunteer hours) read it here.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::{Date, Weekday};
use yijia_db::{on_conn, on_tx, Conn, Topic, Tx};

use crate::{AppState, Result};

/// A community's exceptions to the Monday-to-Friday week.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    /// `true`: a working day (a make-up Saturday); `false`: a holiday.
    pub days: BTreeMap<Date, bool>,
}

impl Calendar {
    pub fn is_working(&self, d: Date) -> bool {
        self.days
            .get(&d)
            .copied()
            .unwrap_or(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
    }

    /// The `n`th working day after `from` (not counting `from` itself). Gives up after ten years
    /// of holidays, which only a broken calendar would hold.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        for _ in 0..3660 {
            if left == 0 {
                break;
            }
            d = d.tomorrow().unwrap_or(d);
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }
}

/// A community's calendar, as it is now (a pool) or inside a write transaction.
pub async fn load(conn: impl Into<Conn<'_>>, community_id: i64) -> Result<Calendar> {
    let rows: Vec<(String, i64)> = on_conn!(conn, |c| sqlx::query_as(
        "select day, cast(working as bigint) from community_day where community_id = $1"
    )
    .bind(community_id)
    .fetch_all(c)
    .await?);
    Ok(Calendar {
        days: rows
            .into_iter()
            .filter_map(|(d, w)| d.parse::<Date>().ok().map(|d| (d, w != 0)))
            .collect(),
    })
}

/// A community's calendar from a moment's memory (`recent.rs`), for what counts deadlines on
/// every call: no statement while nobody changes it, and a change through [`set_day`] is read
/// at once. A miss reads through `conn` (see `Recent::remember_read`).
pub async fn current(state: &AppState, conn: impl Into<Conn<'_>>, community_id: i64) -> Result<Arc<Calendar>> {
    let conn = conn.into();
    let touched = conn.touched(Topic::Settings);
    let c = state
        .recent
        .remember_read(
            Topic::Settings,
            touched,
            format!("calendar:{community_id}"),
            state.now_ms(),
            async { Ok(Some(load(conn, community_id).await?)) },
        )
        .await?;
    Ok(c.unwrap_or_default())
}

/// Marks a day as a holiday or a working day, inside the caller's write transaction; `None`
/// gives the day back to the ordinary week.
pub async fn set_day(tx: &mut Tx, community_id: i64, day: Date, working: Option<bool>) -> Result<()> {
    tx.touches(Topic::Settings);
    let day = day.to_string();
    match working {
        Some(w) => on_tx!(tx, |c| sqlx::query(
            "insert into community_day (community_id, day, working) values ($1, $2, $3) \
             on conflict (community_id, day) do update set working = $3"
        )
        .bind(community_id)
        .bind(&day)
        .bind(i64::from(w))
        .execute(&mut *c)
        .await
        .map(|_| ())?),
        None => on_tx!(tx, |c| sqlx::query(
            "delete from community_day where community_id = $1 and day = $2"
        )
        .bind(community_id)
        .bind(&day)
        .execute(&mut *c)
        .await
        .map(|_| ())?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let mut cal = Calendar::default();
        // Friday 2026-09-25 + 1 working day = Monday 2026-09-28.
        assert_eq!(cal.add_working_days(date(2026, 9, 25), 1), date(2026, 9, 28));
        // National Day week 2026: 1–7 October off (Thu–Wed), Sunday 9/27 and Saturday 10/10 worked.
        for d in 1..=7 {
            cal.days.insert(date(2026, 10, d), false);
        }
        cal.days.insert(date(2026, 9, 27), true);
        cal.days.insert(date(2026, 10, 10), true);
        assert!(cal.is_working(date(2026, 9, 27)));
        // From Friday 9/25: Sun 9/27, Mon 9/28, Tue 9/29, Wed 9/30, Thu 10/8 is the fifth.
        assert_eq!(cal.add_working_days(date(2026, 9, 25), 5), date(2026, 10, 8));
        assert_eq!(cal.add_working_days(date(2026, 9, 30), 2), date(2026, 10, 9));
        assert_eq!(cal.add_working_days(date(2026, 10, 9), 1), date(2026, 10, 10));
        assert_eq!(cal.add_working_days(date(2026, 10, 9), 0), date(2026, 10, 9));
    }
}
