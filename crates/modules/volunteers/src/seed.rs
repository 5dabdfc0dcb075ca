//! Volunteers at scale for benchmarks (`yijia seed --volunteers-per-community V
//! --ledger-entries-per-community E`): every seeded community gets 6 teams placed in its grids,
//! V volunteers (residents of its registry where there are enough), a year of activities with
//! shifts and sign-ups, and E ledger entries: every served sign-up credits its minutes (hours:
//! volunteer +m, service −m) and its points (points: volunteer +p, issued −p), and volunteers
//! spend some of their points (volunteer −p, redeemed +p) without going below zero. A
//! sign-up's `minutes` equals its hours entries, as `commands::attendance::settle` keeps it.
//!
//! A benchmark fixture, written as fast as the databases take it: no audit, no notifications,
//! ids counted here (the seed is the only writer), rows in multi-row inserts, a few large
//! transactions. A community that has volunteers already is left alone.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use yijia_db::{insert_rows, on_db, Bind, Db, Tx, TxConn};
use yijia_kernel::community::CommunityAt;
use yijia_kernel::module::SeedParams;
use yijia_kernel::{AppState, Result};

use crate::model::rules;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Values bound per statement: well under SQLite's cap of 32 766 and PostgreSQL's of 65 535,
/// and large enough that a statement carries a couple of thousand ledger entries.
const PARAMS: usize = 10_000;
/// Ledger entries held in memory before they are written.
const FLUSH_ENTRIES: usize = 100_000;
/// Ledger entries written per transaction. The entries' account index takes them all over the
/// file: each commit writes every index page touched since the last one (SQLite to its WAL), so
/// fewer, larger transactions write much less.
const COMMIT_ENTRIES: usize = 1_000_000;
/// SQLite's page cache for the seed's transactions, in KiB: room for the pages a transaction
/// dirties, which would otherwise be spilled to the WAL before the commit and read back. The
/// connection gets its own size back before the commit (the pool may hand another connection
/// to the next transaction, and each would keep its cache).
const SQLITE_CACHE_KIB: i64 = 1 << 18;
/// The most volunteers credited for one activity (a big day of the 小蜜蜂驿站).
const MAX_SERVED: usize = 60;
/// Volunteers credited for an average activity, when the teams are large enough.
const MEAN_SERVED: u64 = 24;

const TEAMS: [(&str, &str); 6] = [
    ("小蜜蜂驿站服务队", "社区综合志愿服务"),
    ("爱之翼关爱队", "独居老人、困难家庭探访"),
    ("红色先锋队", "党员双报到志愿服务"),
    ("邻里调解队", "邻里矛盾纠纷调解"),
    ("文明宣传队", "政策宣传、文化活动"),
    ("环境卫生队", "楼道清理、垃圾分类督导"),
];

/// (kind, title, place) of the activities, by team (the community's own activities pick any).
const KINDS: [(&str, &str, &str); 7] = [
    ("skills", "便民服务日：义务理发、家电维修", "社区广场"),
    ("care_visit", "走访慰问独居老人", "各网格"),
    ("publicity", "党员先锋岗：反诈宣传", "社区党群服务中心"),
    ("mediation", "邻里议事会", "社区调解室"),
    ("culture", "重阳敬老文艺汇演", "社区文化活动室"),
    ("sanitation", "楼道清理、垃圾分类督导", "各楼栋"),
    ("other", "社区协助：疫苗接种引导", "社区卫生服务站"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: &[&str] = &[
    "秀兰", "建国", "桂英", "志强", "玉梅", "明", "婷", "伟", "芳", "军", "丽", "强", "静", "磊", "敏", "淑珍", "红梅",
    "海燕",
];
const SKILLS: &[&str] = &["急救", "理发", "家电维修", "法律咨询", "书法", "摄影", "驾驶", "电脑"];
const AVAILABILITY: &[&str] = &["周末", "工作日晚上", "随时", "工作日白天"];
const ORGANISATIONS: &[&str] = &["区住建局", "街道办事处", "物业公司", "区人民医院", "第一中学"];
const MERCHANTS: &[&str] = &["爱心超市兑换", "社区理发店兑换", "便民早餐店兑换", "家政服务站兑换"];

/// The tables in the order their rows must be written (each after those it references), with
/// their columns.
const TABLES: [(&str, &str); 11] = [
    (
        "vol_team",
        "team_id, community_id, name, description, created_at, updated_at",
    ),
    ("vol_team_grid", "team_id, grid_id"),
    (
        "volunteer",
        "volunteer_id, community_id, account_id, resident_id, name, origin, organisation, birth_date, \
         phone_masked, skills, availability, contact_consent, publish_consent, report_back, created_at, updated_at",
    ),
    (
        "vol_member",
        "team_id, volunteer_id, community_id, role, status, applied_at, decided_at",
    ),
    (
        "vol_ledger_account",
        "ledger_account_id, community_id, ledger, holder, volunteer_id, floor, created_at",
    ),
    (
        "vol_activity",
        "activity_id, community_id, team_id, title, kind, place, starts_at, ends_at, cancel_before_ms, \
         points_per_hour, served, status, created_at, updated_at, minutes, attendances",
    ),
    ("vol_activity_grid", "activity_id, grid_id"),
    (
        "vol_shift",
        "shift_id, activity_id, community_id, starts_at, ends_at, capacity",
    ),
    (
        "vol_signup",
        "signup_id, community_id, activity_id, shift_id, volunteer_id, status, created_at, cancelled_at, \
         reminded_at, checked_in_at, checked_in_by, checked_out_at, checked_out_by, minutes, recorded_at",
    ),
    (
        "vol_txn",
        "txn_id, community_id, ledger, kind, memo, activity_id, signup_id, created_at",
    ),
    ("vol_entry", "entry_id, txn_id, ledger_account_id, amount"),
];
const TEAM: usize = 0;
const TEAM_GRID: usize = 1;
const VOLUNTEER: usize = 2;
const MEMBER: usize = 3;
const ACCOUNT: usize = 4;
const ACTIVITY: usize = 5;
const ACTIVITY_GRID: usize = 6;
const SHIFT: usize = 7;
const SIGNUP: usize = 8;
const TXN: usize = 9;
const ENTRY: usize = 10;

/// The identity columns whose PostgreSQL sequences must continue after the seeded ids.
const KEYS: [(&str, &str); 8] = [
    ("vol_team", "team_id"),
    ("volunteer", "volunteer_id"),
    ("vol_activity", "activity_id"),
    ("vol_shift", "shift_id"),
    ("vol_signup", "signup_id"),
    ("vol_ledger_account", "ledger_account_id"),
    ("vol_txn", "txn_id"),
    ("vol_entry", "entry_id"),
];

pub async fn run(state: &AppState, params: SeedParams) -> Result<()> {
    let (volunteers, entries) = (params.volunteers_per_community, params.ledger_entries_per_community);
    if volunteers == 0 {
        if entries > 0 {
            eprintln!("volunteers: no ledger entries without volunteers (--volunteers-per-community 0)");
        }
        return Ok(());
    }
    let mut ids = Ids::next_free(&state.db).await?;
    let staff: Option<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
        "select account_id from account where username = 'seed.staff'"
    )
    .fetch_optional(p)
    .await?);
    for n in 1..=params.communities {
        let code = format!("SEED{n:04}");
        let Some(c) = yijia_kernel::community::by_code(&state.db, &code).await? else {
            continue;
        };
        let existing: i64 = on_db!(&state.db, |p| sqlx::query_scalar(
            "select count(*) from volunteer where community_id = $1"
        )
        .bind(c.community_id)
        .fetch_one(p)
        .await?);
        if existing > 0 {
            continue;
        }
        let started = Instant::now();
        // seed.staff is community staff of SEED0001: there they are a volunteer too, so that the
        // staff account also sees the volunteer's own pages with a year of history.
        let account = staff.filter(|_| n == 1);
        let mut s = Seeder::new(state, &c, &mut ids, u64::from(n), volunteers, entries).await?;
        s.people(account).await?;
        s.activities().await?;
        s.out.write(&state.db).await?;
        s.out.commit().await?;
        eprintln!(
            "volunteers: {code}: {volunteers} volunteers, {} activities, {} sign-ups, {} ledger entries in {:.1} s",
            s.activities_made,
            s.signups_made,
            s.entries,
            started.elapsed().as_secs_f64()
        );
    }
    if let Db::Postgres(p) = &state.db {
        // The ids were given here: the identity columns must continue after them.
        for (table, key) in KEYS {
            let sql = format!(
                "select setval(pg_get_serial_sequence('{table}', '{key}'), \
                 coalesce((select max({key}) from {table}), 0) + 1, false)"
            );
            sqlx::query(&sql).execute(p).await?;
        }
    }
    Ok(())
}

/// The next free id of every table the seed writes.
struct Ids {
    team: i64,
    volunteer: i64,
    activity: i64,
    shift: i64,
    signup: i64,
    account: i64,
    txn: i64,
    entry: i64,
}

impl Ids {
    async fn next_free(db: &Db) -> Result<Ids> {
        let mut next = [0i64; 8];
        for (slot, (table, key)) in next.iter_mut().zip(KEYS) {
            let sql = format!("select cast(coalesce(max({key}), 0) + 1 as bigint) from {table}");
            *slot = on_db!(db, |p| sqlx::query_scalar(&sql).fetch_one(p).await?);
        }
        let [team, volunteer, activity, shift, signup, account, txn, entry] = next;
        Ok(Ids {
            team,
            volunteer,
            activity,
            shift,
            signup,
            account,
            txn,
            entry,
        })
    }
}

/// Takes the next id of a counter.
fn take(counter: &mut i64) -> i64 {
    let id = *counter;
    *counter += 1;
    id
}

/// Rows waiting to be written, per table, flat (a row is as many values as the table has
/// columns), and the transaction they are written in.
struct Out {
    rows: [Vec<Bind>; 11],
    tx: Option<Tx>,
    /// Entries written in the open transaction.
    written: usize,
    /// SQLite: the page cache size of the transaction's connection, to give back.
    cache_size: i64,
}

impl Out {
    fn push<const N: usize>(&mut self, table: usize, row: [Bind; N]) {
        debug_assert_eq!(N, TABLES[table].1.split(',').count());
        self.rows[table].extend(row);
    }

    fn entries(&self) -> usize {
        self.rows[ENTRY].len() / 4
    }

    /// Writes every pending row, parents before children, in the open transaction (begun when
    /// there is none); commits once it holds [`COMMIT_ENTRIES`].
    async fn write(&mut self, db: &Db) -> Result<()> {
        let entries = self.entries();
        let tx = match &mut self.tx {
            Some(tx) => tx,
            None => {
                let mut tx = db.begin_write().await?;
                if let TxConn::Sqlite(c) = &mut tx.conn {
                    self.cache_size = sqlx::query_scalar("pragma cache_size").fetch_one(&mut **c).await?;
                    sqlx::query(&format!("pragma cache_size = -{SQLITE_CACHE_KIB}"))
                        .execute(&mut **c)
                        .await?;
                }
                self.tx.insert(tx)
            }
        };
        for ((table, cols), rows) in TABLES.iter().zip(self.rows.iter_mut()) {
            let width = cols.split(',').count();
            let head = format!("insert into {table} ({cols}) values");
            for statement in rows.chunks((PARAMS / width) * width) {
                insert_rows(tx, &head, statement.chunks(width)).await?;
            }
            rows.clear();
        }
        self.written += entries;
        if self.written >= COMMIT_ENTRIES {
            self.commit().await?;
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        if let Some(mut tx) = self.tx.take() {
            if let TxConn::Sqlite(c) = &mut tx.conn {
                // Dirty pages beyond the smaller cache go to the WAL now instead of at the
                // commit: no more writes than the commit would make.
                sqlx::query(&format!("pragma cache_size = {}", self.cache_size))
                    .execute(&mut **c)
                    .await?;
            }
            tx.commit().await?;
        }
        self.written = 0;
        Ok(())
    }
}

fn s(v: &str) -> Bind {
    Bind::S(v.to_owned())
}

fn opt(v: Option<i64>) -> Bind {
    v.map_or(Bind::NI, Bind::I)
}

/// One community being seeded.
struct Seeder<'a> {
    db: &'a Db,
    cid: i64,
    now: i64,
    /// Local midnight a year ago: activities are placed from there to today.
    year_ago: i64,
    rng: StdRng,
    ids: &'a mut Ids,
    out: Out,
    grids: Vec<i64>,
    teams: Vec<i64>,
    /// Volunteer `i` is `first_volunteer + i`; their hours account `first_account + 2i`, their
    /// points account the one after.
    first_volunteer: i64,
    volunteers: usize,
    first_account: i64,
    service: i64,
    issued: i64,
    redeemed: i64,
    /// Every volunteer's points balance, so that spends never take one below zero.
    points: Vec<i64>,
    target: u64,
    entries: u64,
    activities_made: u64,
    signups_made: u64,
}

impl<'a> Seeder<'a> {
    async fn new(
        state: &'a AppState,
        c: &CommunityAt,
        ids: &'a mut Ids,
        seed: u64,
        volunteers: u32,
        entries: u64,
    ) -> Result<Seeder<'a>> {
        let grids: Vec<i64> = on_db!(&state.db, |p| sqlx::query_scalar(
            "select grid_id from grid where community_id = $1 and retired_at is null order by code"
        )
        .bind(c.community_id)
        .fetch_all(p)
        .await?);
        let now = state.now_ms();
        let zone = c.tz();
        let year_ago = rules::local_date(now - 365 * DAY, &zone)
            .to_zoned(zone)
            .map_or(now - 365 * DAY, |z| z.timestamp().as_millisecond());
        Ok(Seeder {
            db: &state.db,
            cid: c.community_id,
            now,
            year_ago,
            rng: StdRng::seed_from_u64(0x766f_6c00 + seed),
            ids,
            out: Out {
                rows: Default::default(),
                tx: None,
                written: 0,
                cache_size: 0,
            },
            grids,
            teams: Vec::new(),
            first_volunteer: 0,
            volunteers: volunteers as usize,
            first_account: 0,
            service: 0,
            issued: 0,
            redeemed: 0,
            points: vec![0; volunteers as usize],
            target: entries,
            entries: 0,
            activities_made: 0,
            signups_made: 0,
        })
    }

    /// Teams, volunteers (the registry's residents first), memberships and ledger accounts.
    async fn people(&mut self, account: Option<i64>) -> Result<()> {
        let (cid, now) = (self.cid, self.now);
        let since = now - 3 * 365 * DAY;
        for (t, (name, description)) in TEAMS.iter().enumerate() {
            let id = take(&mut self.ids.team);
            self.teams.push(id);
            self.out.push(
                TEAM,
                [
                    Bind::I(id),
                    Bind::I(cid),
                    s(name),
                    s(description),
                    Bind::I(since),
                    Bind::I(since),
                ],
            );
            let mut placed: Vec<i64> = [t, t + 3].iter().filter_map(|g| self.grid(*g)).collect();
            placed.dedup();
            for g in placed {
                self.out.push(TEAM_GRID, [Bind::I(id), Bind::I(g)]);
            }
        }
        let residents: Vec<(i64, String, Option<String>)> = on_db!(self.db, |p| sqlx::query_as(
            "select resident_id, name, birth_date from registry_resident \
             where community_id = $1 and left_at is null and merged_into is null order by resident_id limit $2"
        )
        .bind(cid)
        .bind(self.volunteers as i64)
        .fetch_all(p)
        .await?);
        let mut residents = residents.into_iter();
        self.first_volunteer = self.ids.volunteer;
        self.first_account = self.ids.account;
        for i in 0..self.volunteers {
            let id = take(&mut self.ids.volunteer);
            // One in ten comes from outside (a cadre sent down, a property employee).
            let outside = i % 10 == 9;
            let resident = if outside { None } else { residents.next() };
            let (resident_id, name, birth) = match resident {
                Some((rid, name, birth)) => (Some(rid), name, birth),
                None => {
                    let name = format!(
                        "{}{}",
                        SURNAMES[self.rng.gen_range(0..SURNAMES.len())],
                        GIVEN[self.rng.gen_range(0..GIVEN.len())]
                    );
                    let birth = format!(
                        "{}-{:02}-{:02}",
                        self.rng.gen_range(1950..2006),
                        self.rng.gen_range(1..13),
                        self.rng.gen_range(1..29)
                    );
                    (None, name, Some(birth))
                }
            };
            let many = self.rng.gen_range(0..3);
            let skills: Vec<&str> = SKILLS.choose_multiple(&mut self.rng, many).copied().collect();
            let joined = since + self.rng.gen_range(0..2 * 365) * DAY;
            let flag = |rng: &mut StdRng, p: f64| Bind::I(i64::from(rng.gen_bool(p)));
            self.out.push(
                VOLUNTEER,
                [
                    Bind::I(id),
                    Bind::I(cid),
                    opt(account.filter(|_| i == 0)),
                    opt(resident_id),
                    Bind::S(name),
                    s(if outside { "outside" } else { "resident" }),
                    s(if outside {
                        ORGANISATIONS[i % ORGANISATIONS.len()]
                    } else {
                        ""
                    }),
                    birth.map_or(Bind::N, Bind::S),
                    Bind::S(format!(
                        "1{}****{:04}",
                        self.rng.gen_range(30..90),
                        self.rng.gen_range(0..10_000)
                    )),
                    Bind::S(skills.join(",")),
                    s(AVAILABILITY[i % AVAILABILITY.len()]),
                    flag(&mut self.rng, 0.8),
                    flag(&mut self.rng, 0.7),
                    flag(&mut self.rng, 0.15),
                    Bind::I(joined),
                    Bind::I(joined),
                ],
            );
            // Volunteer i serves in team i mod 6 (the first two of each lead it); one in five
            // helps the next team as well, one in fifty has applied to a third.
            let team = i % 6;
            let lead = i < 12;
            self.member(team, id, if lead { "leader" } else { "member" }, "active", joined);
            if i % 5 == 4 {
                self.member((team + 1) % 6, id, "member", "active", joined);
            }
            if i % 50 == 7 {
                let at = now - self.rng.gen_range(1..20) * DAY;
                self.member((team + 2) % 6, id, "member", "applied", at);
            }
            for ledger in ["hours", "points"] {
                let acc = take(&mut self.ids.account);
                self.out.push(
                    ACCOUNT,
                    [
                        Bind::I(acc),
                        Bind::I(cid),
                        s(ledger),
                        s("volunteer"),
                        Bind::I(id),
                        Bind::I(0),
                        Bind::I(joined),
                    ],
                );
            }
            // Bounded memory with a hundred thousand volunteers and more.
            if self.out.rows[VOLUNTEER].len() >= 20_000 * 16 {
                self.out.write(self.db).await?;
            }
        }
        for (ledger, holder) in [("hours", "service"), ("points", "issued"), ("points", "redeemed")] {
            let acc = take(&mut self.ids.account);
            match holder {
                "service" => self.service = acc,
                "issued" => self.issued = acc,
                _ => self.redeemed = acc,
            }
            self.out.push(
                ACCOUNT,
                [
                    Bind::I(acc),
                    Bind::I(cid),
                    s(ledger),
                    s(holder),
                    Bind::NI,
                    Bind::NI,
                    Bind::I(since),
                ],
            );
        }
        self.out.write(self.db).await
    }

    fn member(&mut self, team: usize, volunteer_id: i64, role: &str, status: &str, at: i64) {
        let decided = (status == "active").then_some(at + DAY);
        self.out.push(
            MEMBER,
            [
                Bind::I(self.teams[team]),
                Bind::I(volunteer_id),
                Bind::I(self.cid),
                s(role),
                s(status),
                Bind::I(at),
                opt(decided),
            ],
        );
    }

    fn grid(&self, n: usize) -> Option<i64> {
        (!self.grids.is_empty()).then(|| self.grids[n % self.grids.len()])
    }

    /// A year of activities, spread evenly, each credited its share of the entries (activities
    /// vary in size), then a few coming ones with open sign-ups.
    async fn activities(&mut self) -> Result<()> {
        // The smallest team's pool bounds an activity: with few volunteers there are more,
        // smaller activities.
        let smallest = (self.volunteers / 6).max(1) as u64;
        let per_activity = MEAN_SERVED.min((smallest * 4 / 5).max(1)) * 9 / 2;
        let count = self.target.div_ceil(per_activity) as usize;
        let weights: Vec<f64> = (0..count).map(|_| self.rng.gen_range(0.3..1.7)).collect();
        let total: f64 = weights.iter().sum();
        let mut so_far = 0.0;
        let mut reported = 0;
        for (k, w) in weights.iter().enumerate() {
            so_far += w;
            let goal = if k + 1 == count {
                self.target
            } else {
                ((self.target as f64) * so_far / total) as u64
            };
            let day = (k as i64) * 365 / (count as i64);
            self.past_activity(k, self.year_ago + day * DAY, goal);
            if self.out.entries() >= FLUSH_ENTRIES {
                self.out.write(self.db).await?;
                if self.entries >= reported + 2_000_000 {
                    reported = self.entries;
                    eprintln!("volunteers: … {} of {} ledger entries", self.entries, self.target);
                }
            }
        }
        // What the activities could not place (teams too small for their share): spends at the
        // merchant alliance, from whoever has points.
        while self.target.saturating_sub(self.entries) >= 2 {
            let Some(v) = self.with_points() else { break };
            let at = self.now - self.rng.gen_range(1..72) * HOUR;
            self.spend(v, at);
            if self.out.entries() >= FLUSH_ENTRIES {
                self.out.write(self.db).await?;
            }
        }
        for k in 0..(count / 50).max(1) {
            let day = self.year_ago + (366 + (k as i64 % 30)) * DAY;
            self.coming_activity(k, day);
        }
        Ok(())
    }

    /// A volunteer with points left: a few random tries, then the first found.
    fn with_points(&mut self) -> Option<usize> {
        for _ in 0..64 {
            let v = self.rng.gen_range(0..self.volunteers);
            if self.points[v] > 0 {
                return Some(v);
            }
        }
        self.points.iter().position(|p| *p > 0)
    }

    /// Volunteer indices for an activity of a team (or of the community when none): distinct,
    /// the most active more often (a few volunteers do most of the work).
    fn pick(&mut self, team: Option<usize>, n: usize) -> Vec<usize> {
        let (offset, step) = match team {
            Some(t) if t < self.volunteers => (t, 6),
            _ => (0, 1),
        };
        let pool = (self.volunteers - offset).div_ceil(step);
        let n = n.min(pool);
        let mut out: Vec<usize> = Vec::with_capacity(n);
        let mut tries = 0;
        while out.len() < n {
            tries += 1;
            let u: f64 = self.rng.gen();
            let j = if tries < 20 * n + 20 {
                ((pool as f64) * u * u) as usize
            } else {
                self.rng.gen_range(0..pool)
            };
            let v = offset + j.min(pool - 1) * step;
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }

    /// A held activity: its shifts, its sign-ups (served, absent, cancelled, waiting) and the
    /// ledger transactions of the served ones, bringing the entries up to `goal` where the
    /// team is large enough.
    fn past_activity(&mut self, k: usize, day: i64, goal: u64) {
        let team = (k % 7 < 6).then_some(k % 7);
        let (kind, title, place) = KINDS[team.unwrap_or_else(|| self.rng.gen_range(0..KINDS.len()))];
        let length = [60, 90, 120, 120, 180][self.rng.gen_range(0..5)] * MINUTE;
        let shifts = [1, 1, 2, 2, 3][self.rng.gen_range(0..5)];
        let mut starts = day + self.rng.gen_range(16..36) * 30 * MINUTE;
        let ends = |s: i64| s + shifts * length;
        while ends(starts) > self.now - HOUR {
            starts -= DAY;
        }
        let per_hour = [10, 10, 10, 20][self.rng.gen_range(0..4)];
        let cancelled = self.rng.gen_bool(0.02);
        let activity = self.activity(team, kind, title, place, starts, ends(starts), per_hour, cancelled);
        if cancelled {
            return;
        }
        let want = goal.saturating_sub(self.entries);
        // 4 entries a served sign-up, and room for a few spends after.
        let served = ((want * 10 / 43) as usize).clamp(usize::from(want >= 4), MAX_SERVED);
        let absent = usize::from(self.rng.gen_bool(0.3));
        let dropped = usize::from(self.rng.gen_bool(0.3));
        let people = self.pick(team, served + absent + dropped);
        let served = served.min(people.len());
        let mut rest = people[served..].iter().copied();
        let at_shift = |j: i64| starts + j * length;
        let (mut minutes, mut credited) = (0, 0);
        for j in 0..shifts {
            let mine: Vec<usize> = people[..served]
                .iter()
                .enumerate()
                .filter(|(n, _)| (*n as i64) % shifts == j)
                .map(|(_, v)| *v)
                .collect();
            let absent_here = if j == 0 { rest.next() } else { None };
            let full = self.rng.gen_bool(0.3);
            let capacity = mine.len() + usize::from(absent_here.is_some()) + if full { 0 } else { 3 };
            let shift = take(&mut self.ids.shift);
            let (s0, s1) = (at_shift(j), at_shift(j + 1));
            self.out.push(
                SHIFT,
                [
                    Bind::I(shift),
                    Bind::I(activity),
                    Bind::I(self.cid),
                    Bind::I(s0),
                    Bind::I(s1),
                    Bind::I(capacity as i64),
                ],
            );
            for v in mine {
                let m = self.serve(activity, shift, v, s0, s1, per_hour);
                minutes += m;
                credited += i64::from(m > 0);
            }
            if let Some(v) = absent_here {
                // Signed up and never came: confirmed, no minutes.
                self.signup(activity, shift, v, "confirmed", s0, [None; 5]);
            }
            if j == shifts - 1 {
                // One more: on the waiting list of a full shift, or cancelled in time.
                if let Some(v) = rest.next() {
                    if full {
                        self.signup(activity, shift, v, "waiting", s0, [None; 5]);
                    } else {
                        let at = s0 - self.rng.gen_range(13..72) * HOUR;
                        self.signup(activity, shift, v, "cancelled", s0, [Some(at), None, None, None, None]);
                    }
                }
            }
        }
        self.credit_activity(minutes, credited);
        // Some of those who served spend points at the merchant alliance afterwards.
        let mut spenders = people;
        spenders.truncate(served);
        spenders.shuffle(&mut self.rng);
        for v in spenders {
            if goal.saturating_sub(self.entries) < 2 {
                break;
            }
            if self.points[v] > 0 {
                let at = ends(starts) + self.rng.gen_range(10..120) * MINUTE;
                self.spend(v, at);
            }
        }
    }

    /// An activity coming in the next month, half full.
    fn coming_activity(&mut self, k: usize, day: i64) {
        let team = (k % 7 < 6).then_some(k % 7);
        let (kind, title, place) = KINDS[team.unwrap_or(k % KINDS.len())];
        let starts = day + 9 * HOUR;
        let ends = starts + 2 * HOUR;
        let activity = self.activity(team, kind, title, place, starts, ends, 10, false);
        let shift = take(&mut self.ids.shift);
        self.out.push(
            SHIFT,
            [
                Bind::I(shift),
                Bind::I(activity),
                Bind::I(self.cid),
                Bind::I(starts),
                Bind::I(ends),
                Bind::I(20),
            ],
        );
        for v in self.pick(team, 10) {
            self.signup(activity, shift, v, "confirmed", starts, [None; 5]);
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one row's columns")]
    fn activity(
        &mut self,
        team: Option<usize>,
        kind: &str,
        title: &str,
        place: &str,
        starts: i64,
        ends: i64,
        per_hour: i64,
        cancelled: bool,
    ) -> i64 {
        let id = take(&mut self.ids.activity);
        self.activities_made += 1;
        let created = starts - 14 * DAY;
        let served = if ends < self.now { self.rng.gen_range(0..60) } else { 0 };
        self.out.push(
            ACTIVITY,
            [
                Bind::I(id),
                Bind::I(self.cid),
                opt(team.map(|t| self.teams[t])),
                s(title),
                s(kind),
                s(place),
                Bind::I(starts),
                Bind::I(ends),
                Bind::I(12 * HOUR),
                Bind::I(per_hour),
                Bind::I(served),
                s(if cancelled { "cancelled" } else { "published" }),
                Bind::I(created),
                Bind::I(created),
                // Its totals, set once its sign-ups are made (see `credit_activity`).
                Bind::I(0),
                Bind::I(0),
            ],
        );
        // The team's grid; the community's own activities go round the grids.
        if let Some(g) = self.grid(team.unwrap_or(id.unsigned_abs() as usize)) {
            self.out.push(ACTIVITY_GRID, [Bind::I(id), Bind::I(g)]);
        }
        id
    }

    /// The last activity's totals, as `repo::set_minutes` keeps them: its minutes credited and
    /// the sign-ups credited some.
    fn credit_activity(&mut self, minutes: i64, credited: i64) {
        let row = &mut self.out.rows[ACTIVITY];
        let n = row.len();
        row[n - 2] = Bind::I(minutes);
        row[n - 1] = Bind::I(credited);
    }

    /// A sign-up row; `times` are (cancelled, checked in, checked out, minutes, recorded).
    fn signup(
        &mut self,
        activity: i64,
        shift: i64,
        v: usize,
        status: &str,
        starts: i64,
        times: [Option<i64>; 5],
    ) -> i64 {
        let id = take(&mut self.ids.signup);
        self.signups_made += 1;
        let [cancelled, came, left, minutes, recorded] = times;
        let created = starts - self.rng.gen_range(1..14 * 24) * HOUR;
        let reminded = (starts < self.now).then_some(starts - DAY);
        let by = |t: Option<i64>| t.map_or(Bind::N, |_| s("qr"));
        self.out.push(
            SIGNUP,
            [
                Bind::I(id),
                Bind::I(self.cid),
                Bind::I(activity),
                Bind::I(shift),
                Bind::I(self.first_volunteer + v as i64),
                s(status),
                Bind::I(created.min(cancelled.unwrap_or(created))),
                opt(cancelled),
                opt(reminded),
                opt(came),
                by(came),
                opt(left),
                by(left),
                opt(minutes),
                opt(recorded),
            ],
        );
        id
    }

    /// A volunteer who came and served: checked in and out by code (some late), credited the
    /// minutes within the shift and the points they earn, as `attendance::settle` posts them.
    fn serve(&mut self, activity: i64, shift: i64, v: usize, s0: i64, s1: i64, per_hour: i64) -> i64 {
        let late = if self.rng.gen_bool(0.2) {
            self.rng.gen_range(5..40)
        } else {
            0
        };
        let came = s0 - self.rng.gen_range(0..30) * MINUTE + late * MINUTE;
        let left = s1 + self.rng.gen_range(0..15) * MINUTE;
        let minutes = rules::served_minutes(came, left, s0, s1);
        let signup = self.signup(
            activity,
            shift,
            v,
            "confirmed",
            s0,
            [None, Some(came), Some(left), Some(minutes), Some(left)],
        );
        let (hours, points) = (self.first_account + 2 * v as i64, self.first_account + 2 * v as i64 + 1);
        self.txn(
            "hours",
            "service",
            "",
            Some((activity, signup)),
            left,
            self.service,
            hours,
            minutes,
        );
        let earned = rules::points_for(minutes, per_hour);
        self.txn(
            "points",
            "earned",
            "",
            Some((activity, signup)),
            left,
            self.issued,
            points,
            earned,
        );
        self.points[v] += earned;
        minutes
    }

    /// Points spent at a merchant of the alliance: some of what the volunteer has, never more.
    fn spend(&mut self, v: usize, at: i64) {
        let amount = [20, 30, 50, 100][self.rng.gen_range(0..4)].min(self.points[v]);
        let memo = MERCHANTS[self.rng.gen_range(0..MERCHANTS.len())];
        let points = self.first_account + 2 * v as i64 + 1;
        self.txn("points", "spend", memo, None, at, points, self.redeemed, amount);
        self.points[v] -= amount;
    }

    /// One movement: `amount` from one account to another, two entries summing to zero (as
    /// `ledger::post` writes them). Nothing is written for a zero amount.
    #[expect(clippy::too_many_arguments, reason = "one movement's context")]
    fn txn(
        &mut self,
        ledger: &str,
        kind: &str,
        memo: &str,
        of: Option<(i64, i64)>,
        at: i64,
        from: i64,
        to: i64,
        amount: i64,
    ) {
        if amount <= 0 {
            return;
        }
        let id = take(&mut self.ids.txn);
        self.out.push(
            TXN,
            [
                Bind::I(id),
                Bind::I(self.cid),
                s(ledger),
                s(kind),
                s(memo),
                opt(of.map(|o| o.0)),
                opt(of.map(|o| o.1)),
                Bind::I(at),
            ],
        );
        for (account, value) in [(from, -amount), (to, amount)] {
            let entry = take(&mut self.ids.entry);
            self.out
                .push(ENTRY, [Bind::I(entry), Bind::I(id), Bind::I(account), Bind::I(value)]);
            self.entries += 1;
        }
    }
}
