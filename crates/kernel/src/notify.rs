//! The in-app inbox: every party is told what concerns it. A notification is a translation key
//! with its arguments, written in the same transaction as the change it reports (so nothing is
//! told that did not happen, and nothing that happened goes untold), and shown in the reader's
//! language.

use serde::Serialize;
use yijia_db::{insert_rows, on_conn, on_db, on_tx, Bind, Conn, Db, Topic, Tx};

use crate::{AppState, Result};

/// What to tell: `kind` is a translation key whose `{name}` placeholders `args` fill.
#[derive(Debug, Clone)]
pub struct Note {
    pub community_id: Option<i64>,
    pub kind: &'static str,
    pub args: serde_json::Value,
    pub link: String,
}

/// Writes the note to each account's inbox (each account once).
pub async fn send(tx: &mut Tx, accounts: &[i64], note: &Note, now: i64) -> Result<()> {
    let mut to = accounts.to_vec();
    to.sort_unstable();
    to.dedup();
    let args = note.args.to_string();
    let community = note.community_id.map_or(Bind::NI, Bind::I);
    let rows: Vec<Vec<Bind>> = to
        .iter()
        .map(|a| {
            vec![
                community.clone(),
                Bind::I(*a),
                Bind::S(note.kind.to_owned()),
                Bind::S(args.clone()),
                Bind::S(note.link.clone()),
                Bind::I(now),
            ]
        })
        .collect();
    // One statement for everyone told (several hundred rows at most: a community's staff).
    for chunk in rows.chunks(500) {
        insert_rows(
            tx,
            "insert into notification (community_id, account_id, kind, args, link, created_at) values",
            chunk.iter().map(Vec::as_slice),
        )
        .await?;
    }
    Ok(())
}

/// The live accounts holding one of `roles` over a community (not over one of its grids), or,
/// with `above`, over its subdistrict or district.
pub async fn holders(conn: impl Into<Conn<'_>>, community_id: i64, roles: &[&str], above: bool) -> Result<Vec<i64>> {
    // Role names are ours (compile-time constants), never input.
    let list = roles.iter().map(|r| format!("'{r}'")).collect::<Vec<_>>().join(", ");
    let scope = if above {
        "((r.scope_kind = 'subdistrict' and r.subdistrict_id = (select subdistrict_id from community where community_id = $1)) \
         or (r.scope_kind = 'district' and r.district_id = (select district_id from community where community_id = $1)))"
    } else {
        "r.scope_kind = 'community' and r.community_id = $1"
    };
    let sql = format!(
        "select distinct r.account_id from account_role r join account a on a.account_id = r.account_id \
         where r.role in ({list}) and r.revoked_at is null and a.status = 'active' and {scope}"
    );
    Ok(on_conn!(conn, |c| sqlx::query_scalar(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await?))
}

/// [`holders`] from a moment's memory (`recent.rs`): who holds a role changes only with a
/// write to `Access`, and the desk told of every new appeal is read once, not once an appeal.
/// A miss reads through `conn` (see `Recent::remember_read`).
pub async fn holders_now(
    state: &AppState,
    conn: impl Into<Conn<'_>>,
    community_id: i64,
    roles: &[&str],
    above: bool,
) -> Result<Vec<i64>> {
    let conn = conn.into();
    let touched = conn.touched(Topic::Access);
    let key = format!("holders:{community_id}:{above}:{}", roles.join(","));
    let ids = state
        .recent
        .remember_read(Topic::Access, touched, key, state.now_ms(), async {
            Ok(Some(holders(conn, community_id, roles, above).await?))
        })
        .await?;
    Ok(ids.map(|v| v.to_vec()).unwrap_or_default())
}

/// A notification as its reader sees it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Notification {
    pub notification_id: i64,
    pub community_id: Option<i64>,
    pub kind: String,
    pub args: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// The time zone of the notification's community (China's for one without), to show
    /// `created_at` as its readers there read clocks.
    pub time_zone: String,
}

impl Notification {
    /// The text in a language: the key's text with the arguments filled in. An argument named
    /// `…_at` is an instant, shown on the clock of the notification's community.
    pub fn text(&self, tr: &crate::i18n::Tr) -> String {
        let args: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&self.args).unwrap_or_default();
        let pairs: Vec<(&str, String)> = args
            .iter()
            .map(|(k, v)| {
                let shown = match (k.ends_with("_at"), v.as_i64()) {
                    (true, Some(ms)) => crate::clock::format_local(ms, &self.time_zone),
                    _ => v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                };
                (k.as_str(), shown)
            })
            .collect();
        tr.tf(&self.kind, &pairs)
    }
}

/// An account's newest notifications, and how many are unread.
pub async fn inbox(db: &Db, account_id: i64, limit: i64) -> Result<(Vec<Notification>, i64)> {
    let items = on_db!(db, |p| sqlx::query_as(
        "select n.notification_id, n.community_id, n.kind, n.args, n.link, n.created_at, n.read_at, \
         coalesce(c.time_zone, 'Asia/Shanghai') as time_zone from notification n \
         left join community c on c.community_id = n.community_id \
         where n.account_id = $1 order by n.notification_id desc limit $2"
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(p)
    .await?);
    Ok((items, unread(db, account_id).await?))
}

/// How many things an account has unread news of: the notifications about one thing (one
/// appeal's steps, which share a link) count once, as the inbox shows them.
pub async fn unread(db: &Db, account_id: i64) -> Result<i64> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "select count(distinct link) from notification where account_id = $1 and read_at is null"
    )
    .bind(account_id)
    .fetch_one(p)
    .await?))
}

/// Marks one notification (with the unread ones about the same thing: the inbox shows them as
/// one), or with `None` all, of an account as read. One that is not the
/// account's answers not found, as one that does not exist: a client must not be told "done"
/// for a notification it cannot see (issue 19).
pub async fn mark_read(db: &Db, account_id: i64, id: Option<i64>, now: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let touched = on_tx!(&mut tx, |c| {
        sqlx::query(
        "update notification set read_at = coalesce(read_at, $3) where account_id = $1 \
         and (($2 is null and read_at is null) or notification_id = $2 \
         or (read_at is null and link = (select n.link from notification n where n.notification_id = $2 and n.account_id = $1)))"
    )
    .bind(account_id)
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected()
    });
    tx.commit().await?;
    if id.is_some() && touched == 0 {
        return Err(crate::Error::NotFound);
    }
    Ok(())
}
