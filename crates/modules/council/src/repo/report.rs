//! What the council's report counts, month by month: topics raised, co-signatures, comments,
//! meetings held with their sign-ins, and votes closed with their electors and those who voted.

use yijia_db::{on_db, Db};
use yijia_kernel::{months, Result};

/// One family's counts in one month: `(family, month index, a, b, c)`, the families being
/// `topic`, `cosign` and `comment` (a: how many), `meeting` (a: held, b: sign-ins) and `vote`
/// (a: closed, b: electors, c: ballots counted and hands shown).
pub type MonthlyRow = (String, i64, i64, i64, i64);

/// The counts of the months bounded by `bounds` ([`months::all_bounds`]), meetings only once
/// held (`now`), in one query: a part a family, each grouped by the month.
pub async fn monthly(db: &Db, community_id: i64, bounds: &[i64], now: i64) -> Result<Vec<MonthlyRow>> {
    let n = bounds.len().saturating_sub(1);
    if n == 0 {
        return Ok(Vec::new());
    }
    let last = 2 + n;
    let now_param = 3 + n;
    let within = |col: &str| format!("{col} >= $2 and {col} < ${last}");
    let count = |family: &str, col: &str, from: &str| {
        format!(
            "select '{family}' as k, m, count(*) as a, cast(0 as bigint) as b, cast(0 as bigint) as c from \
             (select {bucket} as m {from} and {within}) x where m is not null group by m",
            bucket = months::bucket_sql(col, 2, n),
            within = within(col),
        )
    };
    let sql = [
        count("topic", "t.created_at", "from council_topic t where t.community_id = $1"),
        count(
            "cosign",
            "s.created_at",
            "from council_cosign s join council_topic t on t.topic_id = s.topic_id where t.community_id = $1",
        ),
        count(
            "comment",
            "cm.created_at",
            "from council_comment cm join council_topic t on t.topic_id = cm.topic_id where t.community_id = $1",
        ),
        format!(
            "select 'meeting' as k, m, count(*) as a, cast(coalesce(sum(signed), 0) as bigint) as b, \
             cast(0 as bigint) as c from \
             (select {bucket} as m, (select count(*) from council_attendance a where a.meeting_id = g.meeting_id) as signed \
              from council_meeting g where g.community_id = $1 and {within} and g.starts_at <= ${now_param}) x \
             where m is not null group by m",
            bucket = months::bucket_sql("g.starts_at", 2, n),
            within = within("g.starts_at"),
        ),
        // A ballot counts once confirmed (a paper one by a second member of staff), a show of
        // hands once its figures were entered twice alike.
        format!(
            "select 'vote' as k, m, count(*) as a, cast(coalesce(sum(electors), 0) as bigint) as b, \
             cast(coalesce(sum(voted), 0) as bigint) as c from \
             (select {bucket} as m, v.electors, \
              (select count(*) from council_ballot b where b.vote_id = v.vote_id and b.confirmed_at is not null) \
              + coalesce((select h.present from council_hands h where h.vote_id = v.vote_id and h.confirmed_at is not null), 0) \
              as voted from council_vote v where v.community_id = $1 and v.status = 'closed' and {within}) x \
             where m is not null group by m",
            bucket = months::bucket_sql("v.closed_at", 2, n),
            within = within("v.closed_at"),
        ),
    ]
    .join(" union all ");
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql).bind(community_id);
        for b in bounds {
            q = q.bind(*b);
        }
        q.bind(now).fetch_all(p).await?
    }))
}
