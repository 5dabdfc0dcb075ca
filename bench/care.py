#!/usr/bin/env python3
"""Yijia care benchmark (the pairing-care issue's performance targets).

    python3 bench/care.py [--backend sqlite|postgres] [--pairings 50000 --visits 1000000]

"With 50 000 pairings and 1 000 000 visits: the overdue-visit scan for a district under 1 s; a
carer's page p95 under 30 ms. Report on both backends."

Seeds a fresh database with `yijia seed --communities C --residents-per-community R
--appeals-per-community 0` (timed: district SEED, communities SEED0001.., their households),
then adds in SQL what the seed does not make: --carers carer accounts (party members and
volunteers of the communities, copies of `cc.template`'s password and locale), --pairings live
pairings spread over the district's households (each carer about 5, a household one or two
carers, never the same carer twice), of which one benchmark carer `cc.carer` has --load (8), and
--visits visits (about 20 a pairing, going back `interval_days` from the last one over about a
year), with due days such that about --overdue (7 %) of the pairings are overdue today
(Asia/Shanghai, as the server counts). On PostgreSQL then `vacuum analyze` of the care tables
(a 1M-row insert would have had autovacuum's by then). Starts `yijia serve` (whose first tick
sends the overdue alerts: timed) and measures, one request at a time on a keep-alive connection,
in --rounds interleaved rounds after --warmup requests each:

  district       GET /api/v1/care-overdue?district={SEED}   supervisor of the district  p95 < 1 s
  community      GET /api/v1/care-overdue?community={id}    staff of SEED0001 (the tick's statement)
  carer_api      GET /api/v1/care-pairings                  cc.carer's token              p95 < 30 ms
  carer_page     GET /care                                  cc.carer's session cookie     p95 < 30 ms
  pairing_api    GET /api/v1/care-pairings/{id}             cc.carer: one household, its visits
  pairing_page   GET /care/pairings/{id}                    cc.carer's cookie

Every answer's status is checked; the first and the last of each batch against the database:
the overdue rows' number (live pairings due before the answer's `today` in the district or
community), their order (most overdue first), the carer's pairings, the household's visits.
Then the server's CPU is watched while idle (--tick-watch s) to time the minute tick (the
escalation: every community's overdue scan and its alerts) indirectly; the query plans of the
statements go to the report.

Standard library only; reuses bench.py's, registry.py's, appeals.py's and council.py's helpers.
Everything talks to 127.0.0.1. See bench/README.md, section "Care".
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appeals as A  # noqa: E402  (the seed, explain, log_errors)
import bench as B  # noqa: E402  (Server, Database, /proc helpers)
import council as C  # noqa: E402  (db_script, exec_long, Series)
import registry as R  # noqa: E402  (accounts, tokens, db access, Client, pct)

RESULTS_DIR = B.RESULTS_DIR

TARGET_DISTRICT_MS = 1000.0
TARGET_CARER_MS = 30.0

STAFF = "cc.staff"
SUPERVISOR = "cc.supervisor"
CARER = "cc.carer"
TEMPLATE = "cc.template"
DISTRICT = "SEED"
COMMUNITY = "SEED0001"
INTERVALS = (7, 14, 14, 21)  # days between visits, by pairing (the care groups' 7/14 and a custom 21)

# (key, request, target ms or None)
PARTS = [("district", "GET /api/v1/care-overdue?district= (supervisor)", TARGET_DISTRICT_MS),
         ("community", "GET /api/v1/care-overdue?community= (staff; the tick's scan)", None),
         ("carer_api", "GET /api/v1/care-pairings (the carer's pairings)", TARGET_CARER_MS),
         ("carer_page", "GET /care (the carer's page)", TARGET_CARER_MS),
         ("pairing_api", "GET /api/v1/care-pairings/{id} (a household's care data and visits)", None),
         ("pairing_page", "GET /care/pairings/{id} (the same, as a page)", None)]


def log(msg: str) -> None:
    print(f"[care {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(B.BenchError):
    pass


def die(msg: str) -> None:
    raise BenchError(msg)


# ---------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/care.py",
        description="Care benchmark: a district's overdue scan and a carer's page over 50 000 pairings and "
                    "1 000 000 visits. See bench/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--backend", "--db", dest="backend", choices=["sqlite", "postgres"],
                   default=os.environ.get("BENCH_DB", "sqlite"))
    p.add_argument("--communities", type=int, default=4, help="yijia seed --communities (all in district SEED)")
    p.add_argument("--residents", type=int, default=20000,
                   help="yijia seed --residents-per-community (about 0.58 households a resident)")
    p.add_argument("--pairings", type=int, default=50_000, help="live pairings in the district, --load included")
    p.add_argument("--visits", type=int, default=1_000_000, help="visits, spread evenly over the pairings")
    p.add_argument("--carers", type=int, default=10_000, help="carer accounts (besides cc.carer)")
    p.add_argument("--load", type=int, default=8, help="pairings of the benchmark carer cc.carer")
    p.add_argument("--overdue", type=float, default=0.07, help="share of the pairings overdue today")
    p.add_argument("--bin", default=os.environ.get("YIJIA_BIN", str(B.REPO / "target" / "release" / "yijia")),
                   help="binary under test (copy it away from target/ if others build meanwhile)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--pg-db", default="yijia_bench_care", help="dropped and re-created (unless --reuse)")
    p.add_argument("--requests", type=int, default=120, help="measured requests per part, over --rounds")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (a noisy moment spreads over all)")
    p.add_argument("--warmup", type=int, default=5, help="unmeasured requests per part first")
    p.add_argument("--parts", default=",".join(k for k, _, _ in PARTS), help="comma-separated subset")
    p.add_argument("--tick-watch", type=float, default=125.0,
                   help="seconds of watching the idle server's CPU for the minute tick (0: not)")
    p.add_argument("--seed-timeout", type=int, default=30 * 60, help="seconds")
    p.add_argument("--pre-sql", action="append", default=[],
                   help="an SQL statement run after the setup, before serving (an EXPERIMENT); repeatable")
    p.add_argument("--keep", action="store_true", help="keep the data dir (and the PostgreSQL database)")
    p.add_argument("--reuse", metavar="DIR",
                   help="a data dir kept by an earlier --keep run: skip the seed and the care data (with postgres, "
                        "--pg-db must name the kept database); the due days are as that run made them")
    p.add_argument("--quiet-wait", type=float, default=0.0,
                   help="before each block, wait up to this many seconds for the machine to be under 10%% busy")
    a = p.parse_args(argv)
    a.parts = [s.strip() for s in a.parts.split(",") if s.strip()]
    if bad := [s for s in a.parts if s not in [k for k, _, _ in PARTS]]:
        p.error(f"unknown part(s) {bad}")
    if min(a.communities, a.residents, a.pairings, a.visits, a.carers, a.load, a.requests, a.rounds) < 1:
        p.error("--communities, --residents, --pairings, --visits, --carers, --load, --requests, --rounds: >= 1")
    if a.load >= a.pairings or not 0 <= a.overdue < 1 or a.requests < a.rounds:
        p.error("--load < --pairings, 0 <= --overdue < 1, --requests >= --rounds")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.pg_db) or a.pg_db.startswith("yijia_t_"):
        p.error("--pg-db: lower-case letters, digits and _, not yijia_t_* (the test suites' databases)")
    a.appeals = 0  # appeals.seed's flag
    return a


# ---------------------------------------------------------------- bulk writes


def bulk(db: B.Database, table: str, cols: list[str], rows: list[tuple]) -> float:
    """Rows into a table: one transaction of executemany on SQLite, COPY through psql on
    PostgreSQL. Values are ints, None and strings without tabs, newlines or backslashes.
    Returns the seconds taken."""
    t0 = time.perf_counter()
    if db.url:
        def cell(v) -> str:
            return r"\N" if v is None else str(v)
        data = "".join("\t".join(cell(v) for v in r) + "\n" for r in rows)
        script = f"copy {table} ({', '.join(cols)}) from stdin;\n{data}\\.\n"
        r = subprocess.run(["psql", db.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=script,
                           capture_output=True, text=True, timeout=1800)
        if r.returncode != 0:
            die(f"psql copy {table}: {r.stderr.strip()[-800:]}")
    else:
        con = sqlite3.connect(str(db.data_dir / "yijia.db"), timeout=60, isolation_level=None)
        try:
            con.execute("begin immediate")
            con.executemany(f"insert into {table} ({', '.join(cols)}) values ({', '.join('?' * len(cols))})", rows)
            con.execute("commit")
        finally:
            con.close()
    return time.perf_counter() - t0


def long_sql(db: B.Database, sql: str, timeout: float = 1800) -> float:
    """One long statement in its own transaction (the visits' insert); returns the seconds."""
    t0 = time.perf_counter()
    if db.url:
        r = subprocess.run(["psql", db.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            die(f"psql: {r.stderr.strip()[-800:]}")
    else:
        con = sqlite3.connect(str(db.data_dir / "yijia.db"), timeout=60, isolation_level=None)
        try:
            con.execute("begin immediate")
            con.execute(sql)
            con.execute("commit")
        finally:
            con.close()
    return time.perf_counter() - t0


# ---------------------------------------------------------------- the care data

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀兰", "志强", "玉梅", "海燕", "德明", "淑珍", "国庆", "红梅", "永福", "春生", "桂英"]


def communities_of(db: B.Database) -> list[dict]:
    rows = R.db_rows(db, ("select c.community_id, c.code, c.district_id, c.subdistrict_id, c.time_zone "
                          "from community c join district d on d.district_id = c.district_id "
                          f"where d.code = '{DISTRICT}' order by c.community_id"))
    if not rows:
        die(f"no community in district {DISTRICT}: did the seed run?")
    return [{"cid": int(r[0]), "code": r[1], "district_id": int(r[2]),
             "subdistrict_id": int(r[3]) if r[3] else None, "tz": r[4]} for r in rows]


def make_carers(db: B.Database, comms: list[dict], per_comm: list[int], now: int) -> dict[int, list[tuple]]:
    """`sum(per_comm)` carer accounts cc.k00001.. with one role each (party member, every third a
    volunteer) in their community; returns community -> [(account_id, name, role)]."""
    tmpl = R.db_rows(db, ("select password_hash, locale, status, password_changed_at from account "
                          f"where username = '{TEMPLATE}'"))
    if not tmpl:
        die(f"no account {TEMPLATE}")
    pw, locale, status, pw_at = tmpl[0]
    accounts, n = [], 0
    for k, c in enumerate(comms):
        for _ in range(per_comm[k]):
            n += 1
            name = f"{SURNAMES[n % len(SURNAMES)]}{GIVEN[(n // len(SURNAMES)) % len(GIVEN)]}"
            accounts.append((f"cc.k{n:05d}", name, "", pw, locale, status, 0, now, now, int(pw_at)))
    bulk(db, "account", ["username", "display_name", "phone", "password_hash", "locale", "status",
                         "must_change_password", "created_at", "updated_at", "password_changed_at"], accounts)
    ids = {u: int(i) for i, u in R.db_rows(db, "select account_id, username from account where username like 'cc.k%'")}
    roles, out, n = [], {}, 0
    for k, c in enumerate(comms):
        out[c["cid"]] = []
        for _ in range(per_comm[k]):
            n += 1
            u = f"cc.k{n:05d}"
            role = "volunteer" if n % 3 == 0 else "party_member"
            roles.append((ids[u], role, "community", c["cid"], c["district_id"], c["subdistrict_id"], c["cid"], None,
                          now))
            out[c["cid"]].append((ids[u], accounts[n - 1][1], role))
    bulk(db, "account_role", ["account_id", "role", "scope_kind", "scope_id", "district_id", "subdistrict_id",
                              "community_id", "grid_id", "created_at"], roles)
    return out


def spread(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), every share >= 1."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [max(1, int(x)) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)[:max(0, total - sum(out))]:
        out[i] += 1
    return out


def due_of(i: int, share: float, today: _dt.date, interval: int) -> _dt.date:
    """Pairing number i's next visit day: overdue by 1..30 days for `share` of the pairings
    (chosen by (i * 7919 + 13) % 10000, exactly uniform over each 10 000), else today or within
    its interval."""
    if (i * 7919 + 13) % 10000 < round(share * 10000):
        return today - _dt.timedelta(days=1 + (i * 31) % 30)
    return today + _dt.timedelta(days=(i * 17) % interval)


def add_care(db: B.Database, a: argparse.Namespace, comms: list[dict], today: _dt.date) -> dict:
    """The carers, the pairings and the visits (see the module's doc); returns what was made."""
    now = int(time.time() * 1000)
    out: dict = {}
    homes: dict[int, list[int]] = {c["cid"]: [] for c in comms}
    for hid, cid in R.db_rows(db, ("select household_id, community_id from household where retired_at is null and "
                                   f"community_id in ({', '.join(str(c['cid']) for c in comms)}) "
                                   "order by household_id")):
        homes[int(cid)].append(int(hid))
    weights = [len(homes[c["cid"]]) for c in comms]
    if min(weights) < max(5, a.load):
        die(f"households by community {weights}: too few; raise --residents")
    out["households"] = sum(weights)
    t0 = time.perf_counter()
    carers = make_carers(db, comms, spread(a.carers, weights), now)
    out["carers_s"] = time.perf_counter() - t0
    bench_id = int(R.db_one(db, f"select account_id from account where username = '{CARER}'") or 0)
    bench_name = R.db_one(db, f"select display_name from account where username = '{CARER}'") or CARER
    if not bench_id:
        die(f"no account {CARER}")
    per_pairing = math.ceil(a.visits / a.pairings)
    rows, seen = [], set()
    i = 0

    def pairing(cid: int, hid: int, acc: int, name: str, kind: str, due: _dt.date, interval: int) -> None:
        last = due - _dt.timedelta(days=interval)
        starts = last - _dt.timedelta(days=per_pairing * interval + 7)
        rows.append((cid, hid, acc, name, kind, "", 0, interval, starts.isoformat(), None, last.isoformat(),
                     due.isoformat(), None, now, now, None))

    bulk_n = spread(a.pairings - a.load, weights)
    for k, c in enumerate(comms):
        hs, ks = homes[c["cid"]], carers[c["cid"]]
        for j in range(bulk_n[k]):
            hid = hs[j % len(hs)]
            x = j % len(ks)
            while (hid, ks[x][0]) in seen:  # a carer pairs with a household once
                x = (x + 1) % len(ks)
            acc, name, role = ks[x]
            seen.add((hid, acc))
            interval = INTERVALS[i % len(INTERVALS)]
            pairing(c["cid"], hid, acc, name, role, due_of(i, a.overdue, today, interval), interval)
            i += 1
    # The benchmark carer: --load households of SEED0001 spread over its grids, one visit overdue
    # by 3 days, the others due within the next fortnight.
    first = next(c for c in comms if c["code"] == COMMUNITY)
    hs = homes[first["cid"]]
    mine = [hs[(j * 997 + 500) % len(hs)] for j in range(a.load)]
    if len(set(mine)) != a.load:
        die("the benchmark carer's households are not distinct: change --load or --residents")
    for j, hid in enumerate(mine):
        due = today - _dt.timedelta(days=3) if j == 0 else today + _dt.timedelta(days=2 * j)
        pairing(first["cid"], hid, bench_id, bench_name, "party_member", due, 14)
    out["pairings_s"] = bulk(db, "care_pairing", [
        "community_id", "household_id", "carer_account_id", "carer_name", "carer_kind", "reason", "untagged",
        "interval_days", "starts_on", "ends_on", "last_visit_on", "due_on", "created_by", "created_at",
        "updated_at", "ended_at"], rows)
    log(f"{len(rows):,} pairings in {out['pairings_s']:.1f} s")
    # The visits, from the pairings in SQL: k = 0 is the last visit (met), each earlier one an
    # interval (and 0-2 days) before; outcomes 1 in 20 not at home, 1 in 20 unreachable, 3 in 20
    # phoned, the rest met. Exactly --visits rows: pairing number idx gets visit k when
    # k * pairings + idx < visits. Written in the order of the days, as they would have come.
    lo, npair = (int(x) for x in R.db_rows(db, "select min(pairing_id), count(*) from care_pairing")[0])
    jitter = "case when ks.k > 0 then (p.pairing_id + ks.k) % 3 else 0 end"
    outcome = ("case when x.k = 0 then 'met' else case (x.pairing_id * 7 + x.k * 13) % 20 when 0 then 'not_home' "
               "when 1 then 'unreachable' when 2 then 'phoned' when 3 then 'phoned' when 4 then 'phoned' "
               "else 'met' end end")
    cols = "community_id, pairing_id, household_id, carer_account_id, visited_on, outcome, created_at"
    where = f"ks.k * {npair} + (p.pairing_id - {lo}) < {a.visits}"
    if db.url:
        sql = (f"insert into care_visit ({cols}) select x.community_id, x.pairing_id, x.household_id, "
               f"x.carer_account_id, to_char(x.d, 'YYYY-MM-DD'), {outcome}, "
               "(x.d - date '1970-01-01')::bigint * 86400000 + 14400000 from (select p.community_id, p.pairing_id, "
               f"p.household_id, p.carer_account_id, ks.k, p.last_visit_on::date - (ks.k * p.interval_days + {jitter})::int "
               f"as d from care_pairing p cross join generate_series(0, {per_pairing - 1}) as ks(k) where {where}) x "
               "order by x.d, x.pairing_id")
    else:
        sql = (f"insert into care_visit ({cols}) select x.community_id, x.pairing_id, x.household_id, "
               f"x.carer_account_id, x.d, {outcome}, "
               "cast(round((julianday(x.d) - 2440587.5) * 86400000) as integer) + 14400000 from (select p.community_id, "
               "p.pairing_id, p.household_id, p.carer_account_id, ks.k, "
               f"date(p.last_visit_on, '-' || (ks.k * p.interval_days + {jitter}) || ' days') as d "
               f"from care_pairing p, (with recursive r(k) as (select 0 union all select k + 1 from r where k < "
               f"{per_pairing - 1}) select k from r) ks where {where}) x order by x.d, x.pairing_id")
    out["visits_s"] = long_sql(db, sql)
    log(f"visits in {out['visits_s']:.1f} s")
    if db.url:
        t0 = time.perf_counter()
        C.exec_long(db, "vacuum analyze care_pairing, care_visit, account, account_role")
        out["vacuum_s"] = time.perf_counter() - t0
        log(f"vacuum analyze in {out['vacuum_s']:.1f} s")
    return out


def scale_of(db: B.Database, comms: list[dict], today: str) -> dict:
    ids = ", ".join(str(c["cid"]) for c in comms)
    one = lambda sql: int(R.db_one(db, sql) or 0)  # noqa: E731
    s = {
        "communities": len(comms),
        "households": one(f"select count(*) from household where community_id in ({ids})"),
        "residents": one(f"select count(*) from registry_resident where community_id in ({ids})"),
        "pairings": one(f"select count(*) from care_pairing where community_id in ({ids}) and ended_at is null"),
        "paired_households": one(f"select count(distinct household_id) from care_pairing where ended_at is null "
                                 f"and community_id in ({ids})"),
        "carers": one("select count(distinct carer_account_id) from care_pairing where ended_at is null"),
        "visits": one(f"select count(*) from care_visit where community_id in ({ids})"),
        "overdue": one(f"select count(*) from care_pairing where community_id in ({ids}) and ended_at is null "
                       f"and due_on < '{today}'"),
    }
    s["visit_span"] = R.db_rows(db, "select min(visited_on), max(visited_on) from care_visit")[0]
    s["outcomes"] = {o: int(n) for o, n in R.db_rows(db, "select outcome, count(*) from care_visit group by outcome")}
    return s


# ---------------------------------------------------------------- checks of the answers


def expected_overdue(db: B.Database, where: str, today: str) -> tuple[int, str]:
    """How many live pairings are overdue on `today` (the answer's) in `where`, and the earliest due day."""
    r = R.db_rows(db, (f"select count(*), coalesce(min(p.due_on), '') from care_pairing p join community c on "
                       f"c.community_id = p.community_id where {where} and p.ended_at is null and p.due_on < '{today}'"))
    return int(r[0][0]), r[0][1]


def check_overdue(db: B.Database, where: str):
    memo: dict[str, tuple[int, str]] = {}

    def check(body: bytes) -> str:
        data = json.loads(body)
        today, rows = data["today"], data["overdue"]
        if today not in memo:
            memo[today] = expected_overdue(db, where, today)
        n, first = memo[today]
        if len(rows) != n:
            die(f"overdue scan ({where}) on {today}: {len(rows)} rows, the database has {n}")
        dues = [r["due_on"] for r in rows]
        if dues != sorted(dues) or (rows and dues[0] != first):
            die(f"overdue scan ({where}): not the most overdue first")
        if any(r["due_on"] >= today for r in rows):
            die(f"overdue scan ({where}): a row not overdue")
        if len({r["pairing_id"] for r in rows}) != len(rows):
            die(f"overdue scan ({where}): a pairing twice")
        return f"{len(rows)} overdue on {today} = database"
    return check


def check_carer(ids: list[int], html: bool):
    def check(body: bytes) -> str:
        if html:
            if b"<html" not in body[:3000].lower():
                die("GET /care: not a page")
            missing = [i for i in ids if f"/care/pairings/{i}".encode() not in body]
            if missing:
                die(f"GET /care: pairings {missing} not linked on the carer's page")
            return f"page links all {len(ids)} pairings"
        got = [p["pairing"]["pairing_id"] if "pairing" in p else p["pairing_id"] for p in json.loads(body)["pairings"]]
        if sorted(got) != sorted(ids):
            die(f"GET /api/v1/care-pairings: pairings {got}, the database has {ids}")
        return f"{len(got)} pairings = database"
    return check


def check_pairing(pid: int, visits: int, html: bool):
    def check(body: bytes) -> str:
        if html:
            if b"<html" not in body[:3000].lower():
                die(f"GET /care/pairings/{pid}: not a page")
            return "page"
        data = json.loads(body)
        if data["line"]["pairing"]["pairing_id"] != pid:
            die(f"GET /api/v1/care-pairings/{pid}: another pairing")
        if len(data["visits"]) != visits:
            die(f"GET /api/v1/care-pairings/{pid}: {len(data['visits'])} visits, the database has {visits} (max 50)")
        return f"{visits} visits = database"
    return check


# ---------------------------------------------------------------- measuring


class Part:
    def __init__(self, key: str, what: str, target: float | None, path: str, headers: dict[str, str], check):
        self.key, self.what, self.target, self.path, self.headers, self.check = key, what, target, path, headers, check
        self.series = C.Series()
        self.checked: list[str] = []
        self.bytes = 0


def measure(parts: list[Part], server: B.Server, a: argparse.Namespace, pg: bool) -> None:
    """--requests GETs per part one at a time on one keep-alive connection each, in --rounds
    interleaved rounds after --warmup unmeasured ones; the first and last answer of each batch
    checked against the database."""
    clients = {p.key: R.Client(server.port, p.headers, timeout=120) for p in parts}
    for p in parts:
        for _ in range(a.warmup):
            status, body = clients[p.key].get(p.path)
            if status != 200:
                die(f"{p.path} answered {status}: {body[:300]!r}")
        p.checked.append(p.check(body))
        p.bytes = len(body)
    per_round = a.requests // a.rounds
    for rnd in range(a.rounds):
        for p in parts:
            R.settle(server.pid)
            cl = clients[p.key]
            last: list = [None]

            def run() -> None:
                for _ in range(per_round):
                    t0 = time.perf_counter()
                    status, body = cl.get(p.path)
                    p.series.samples.append((time.perf_counter() - t0) * 1000)
                    if status != 200:
                        p.series.errors += 1
                    last[0] = body

            p.series.measure(run, pg, server)
            if last[0] is not None:
                p.checked.append(p.check(last[0]))
        log(f"round {rnd + 1}/{a.rounds}: " + ", ".join(
            f"{p.key} p50 {statistics.median(p.series.samples):.1f}" for p in parts))
    for cl in clients.values():
        cl.close()


def first_tick(db: B.Database, server: B.Server, pg: bool, alerts0: int) -> dict:
    """The tick that runs as the server starts sends an alert for every overdue visit (each tier
    whose day has come), one transaction a community: waits until the alerts stop growing and the
    server (and PostgreSQL) are idle; returns the seconds until the last new alert was seen."""
    t0 = time.perf_counter()
    seen, last_change, steady = alerts0, t0, 0
    while time.perf_counter() - t0 < 600:
        time.sleep(0.25)
        n = int(R.db_one(db, "select count(*) from care_alert") or 0)
        if n != seen:
            seen, last_change, steady = n, time.perf_counter(), 0
            continue
        steady += 1
        busy = (B.cpu_seconds(server.pid) or 0.0) + (B.postgres_cpu() if pg else 0.0)
        time.sleep(0.5)
        busy = (B.cpu_seconds(server.pid) or 0.0) + (B.postgres_cpu() if pg else 0.0) - busy
        if seen > alerts0 and steady >= 3 and busy < 0.05:
            break
        if seen == alerts0 and time.perf_counter() - t0 > 60:
            break  # nothing overdue, or the alerts were sent before (--reuse)
    return {"busy_s": last_change - t0, "alerts": seen - alerts0,
            "notifications": int(R.db_one(db, "select count(*) from notification where kind = 'care.note_overdue'")
                                 or 0)}


def watch_ticks(server: B.Server, seconds: float, pg: bool) -> dict:
    """The idle server's (and PostgreSQL's) CPU sampled every 50 ms for `seconds`: the bursts of
    at least 20 ms of CPU, each with its wall time, are the minute tick (the outbox's 5-second
    round costs about a millisecond)."""
    samples = []
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        samples.append((time.perf_counter(), B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0))
        time.sleep(0.05)
    bursts, cur = [], None
    for (t0, c0, g0), (t1, c1, g1) in zip(samples, samples[1:]):
        busy = (c1 - c0) + (g1 - g0) > 0
        if busy:
            if cur and t0 - cur["end"] <= 0.25:
                cur["end"], cur["cpu"], cur["pg"] = t1, cur["cpu"] + c1 - c0, cur["pg"] + g1 - g0
            else:
                cur = {"start": t0, "end": t1, "cpu": c1 - c0, "pg": g1 - g0}
                bursts.append(cur)
    start = samples[0][0] if samples else 0
    out = [{"at_s": b["start"] - start, "wall_ms": (b["end"] - b["start"]) * 1000, "srv_cpu_ms": b["cpu"] * 1000,
            "db_cpu_ms": b["pg"] * 1000 if pg else None}
           for b in bursts if (b["cpu"] + b["pg"]) >= 0.02]
    return {"seconds": seconds, "bursts": out}


# ---------------------------------------------------------------- the statements (for the plans)

# Copies of repo/pairings.rs and repo/visits.rs as of this commit; keep them in step.
PAIRING_SELECT = ("select p.pairing_id, p.community_id, p.household_id, p.carer_account_id, p.carer_name, "
                  "p.carer_kind, p.reason, p.untagged, p.interval_days, p.starts_on, p.ends_on, p.last_visit_on, "
                  "p.due_on, p.created_at, p.ended_at, h.grid_id, g.name as grid_name, b.name || ' ' || u.name || ' ' "
                  "|| h.code as address from care_pairing p join household h on h.household_id = p.household_id "
                  "join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id "
                  "join unit u on u.unit_id = h.unit_id")
OVERDUE_SELECT = ("select p.pairing_id, p.community_id, p.household_id, h.grid_id, p.carer_account_id, "
                  "p.carer_name, p.due_on from care_pairing p join household h on h.household_id = p.household_id "
                  "where p.ended_at is null and p.due_on < $2")
OVERDUE_DISTRICT_SQL = (f"{OVERDUE_SELECT} and p.community_id in (select community_id from community where "
                        "district_id = $1) order by p.due_on, p.pairing_id")
OVERDUE_COMMUNITY_SQL = f"{OVERDUE_SELECT} and p.community_id = $1 order by p.due_on, p.pairing_id"
PAIRINGS_OF_CARER_SQL = (f"{PAIRING_SELECT} where p.carer_account_id = $1 and p.ended_at is null "
                         "order by p.due_on, p.pairing_id")
PAIRINGS_OF_HOUSEHOLD_SQL = f"{PAIRING_SELECT} where p.household_id = $1 and p.ended_at is null order by p.pairing_id"
VISITS_OF_HOUSEHOLD_SQL = ("select v.visit_id, v.pairing_id, v.household_id, v.carer_account_id, p.carer_name, "
                           "v.visited_on, v.outcome, v.condition_sealed, v.needs_sealed, v.follow_up_sealed, "
                           "v.appeal_id, v.wish_id, v.created_at from care_visit v join care_pairing p on "
                           "p.pairing_id = v.pairing_id where v.household_id = $1 order by v.visited_on desc, "
                           "v.visit_id desc limit $2")
ALERTS_OF_SQL = ("select alert_id, pairing_id, reason, tier, due_on, created_at from care_alert where pairing_id = $1 "
                 "order by created_at desc, alert_id desc limit 50")


# ---------------------------------------------------------------- report

f = R.f
verdict = R.verdict


def render(a, info: dict) -> str:
    L: list[str] = []
    add = L.append
    s = info.get("scale", {})
    sd = info.get("seed", {})
    add(f"Yijia care benchmark, {info['started']}   git {info['git']}")
    add(f"binary    {info['bin']} (built {info['bin_mtime']})")
    add(f"machine   {info['machine']}; load average at start {info['load_start']}, at end {info.get('load_end', '?')}")
    add("          the Python client shares these cores with the server (and PostgreSQL): compare figures within "
        "one run.")
    add(f"database  {info['db']}   size {f(info.get('db_size_mb'), '.0f')} MB")
    if s:
        add(f"data      district {DISTRICT}: {s['communities']} communities, {s['households']:,} households, "
            f"{s['residents']:,} residents; {s['pairings']:,} live pairings over {s['paired_households']:,} "
            f"households by {s['carers']:,} carers; {s['visits']:,} visits ({s['visit_span'][0]} .. "
            f"{s['visit_span'][1]}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s['outcomes'].items())) + ")")
        add(f"          overdue on {info.get('today')}: {s['overdue']:,} pairings "
            f"({100 * s['overdue'] / max(1, s['pairings']):.1f} %); {CARER}: {a.load} pairings in {COMMUNITY}, "
            f"1 overdue; the pairing page's household has {info.get('pairing_visits', '?')} visits")
    if sd.get("wall_s"):
        add(f"seed      yijia seed --communities {a.communities} --residents-per-community {a.residents} "
            f"--appeals-per-community 0: {sd['wall_s']:.1f} s; then in SQL: carers {f(info['care'].get('carers_s'))} s, "
            f"pairings {f(info['care'].get('pairings_s'))} s, visits {f(info['care'].get('visits_s'))} s"
            + (f", vacuum analyze {f(info['care'].get('vacuum_s'))} s" if info["care"].get("vacuum_s") else ""))
    elif info.get("reused"):
        add(f"seed      reused {info['reused']} (no seed in this run)")
    for sql in a.pre_sql:
        add(f"EXPERIMENT before serving: {sql}")
    add(f"accounts  {', '.join(info.get('accounts', []))}")
    ft = info.get("first_tick")
    if ft:
        add(f"start     /healthz after {ft['start_s']:.2f} s; the first tick (alerts for every overdue visit) wrote "
            f"{ft['alerts']:,} alerts and {ft['notifications']:,} notifications (the last alert committed "
            f"{ft['busy_s']:.1f} s after /healthz answered)")
    hz = info.get("healthz")
    if hz:
        add(f"baseline  GET /healthz one at a time: p50 {hz['p50']:.2f} ms, p95 {hz['p95']:.2f} ms "
            "(loopback + HTTP + the Python client: included below)")
    parts = info.get("parts") or {}
    if parts:
        add("")
        add(f"{a.requests} requests a part, one at a time, in {a.rounds} interleaved rounds after {a.warmup} warm-ups")
        hdr = (f"{'part':<14}{'n':>5}{'median':>9}{'p95 ms':>9}{'min ms':>9}{'max ms':>9}{'target':>8}{'p95/tgt':>9}"
               f"{'srv CPU':>9}{'db CPU':>8}{'others':>8}{'KB':>7}{'err':>5}")
        add(hdr)
        add("-" * len(hdr))
        for key, what, tgt in PARTS:
            r = parts.get(key)
            if not r or not r.get("n"):
                continue
            add(f"{key:<14}{r['n']:>5}{r['median']:>9.1f}{r['p95']:>9.1f}{r['min']:>9.1f}{r['max']:>9.1f}"
                f"{f(tgt, '.0f', '-'):>8}{(f(100 * r['p95'] / tgt, '.0f') + '%') if tgt else '-':>9}"
                f"{f(r['srv_cpu_ms'], '.1f'):>9}{f(r.get('db_cpu_ms'), '.1f', '-'):>8}"
                f"{f(r.get('others_pct'), '.0f') + '%':>8}{r['bytes'] / 1024:>7.0f}{r['errors']:>5}")
        for key, what, _ in PARTS:
            r = parts.get(key)
            if r:
                add(f"  {key}: {what}; {r['path']}; checks: {r['checked'][0]} ({len(r['checked'])} answers checked, "
                    f"all passed)")
        add("srv CPU / db CPU: CPU ms per request of the yijia process / of all postgres processes; others: share "
            "of all cores busy with anything else meanwhile (noise: above a few % the figures are disturbed).")
    tw = info.get("ticks")
    if tw:
        add("")
        add(f"tick      the idle server watched {tw['seconds']:.0f} s (CPU every 50 ms); bursts of >= 20 ms CPU "
            "(the minute tick: each community's overdue scan, then each overdue pairing read and its alerts "
            "tried again, all already sent):")
        if not tw["bursts"]:
            add("          none")
        for b in tw["bursts"]:
            add(f"          at {b['at_s']:6.1f} s: {b['wall_ms']:.0f} ms wall, server CPU {b['srv_cpu_ms']:.0f} ms"
                + (f", PostgreSQL CPU {b['db_cpu_ms']:.0f} ms" if b.get("db_cpu_ms") is not None else ""))
    add("")
    add("Targets (the issue):")
    for line in info.get("verdicts", []):
        add(f"  {line}")
    if info.get("plans"):
        add("")
        add("Query plans (statements as repo/pairings.rs and repo/visits.rs write them; db-only time):")
        for key, pl in info["plans"].items():
            add(f"--- {key}: db-only {f(pl.get('db_ms'), '.2f')} ms {pl.get('note', '')}"
                + (f" rows {pl['rows']}" if 'rows' in pl else ""))
            add(pl.get("plan") or pl.get("error", ""))
    if info.get("server_log"):
        add("")
        for k, v in info["server_log"].items():
            add(f"server log x{v}: {k}")
    if info.get("notes"):
        add("")
        for n in info["notes"]:
            add(f"note: {n}")
    return "\n".join(L) + "\n"


def verdicts(info: dict) -> list[str]:
    out = []
    for key, _, tgt in PARTS:
        r = (info.get("parts") or {}).get(key)
        if not tgt or not r or not r.get("n"):
            continue
        ok = r["p95"] < tgt and r["errors"] == 0
        out.append(f"{key:<12} p95 < {tgt:.0f} ms: median {r['median']:.1f} ms, p95 {r['p95']:.1f} ms "
                   f"({r['n']} samples, {r['errors']} errors) -> {verdict(ok)}")
    return out


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    cfg = SimpleNamespace(bin=Path(a.bin).resolve(), db=a.backend, pg_url=a.pg_url.rstrip("/"), pg_db=a.pg_db)
    if not cfg.bin.is_file():
        die(f"no binary at {cfg.bin}: cargo build --release -p yijia")
    pg = a.backend == "postgres"
    started = _dt.datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    RESULTS_DIR.mkdir(exist_ok=True)
    out_txt = RESULTS_DIR / f"{stamp}-care-{a.backend}.txt"
    if a.reuse:
        data_dir = Path(a.reuse).resolve()
        if not (data_dir / "secret.key").exists():
            die(f"--reuse {data_dir}: no secret.key there")
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="yijia-care-bench-"))
    db = B.Database(cfg, data_dir)
    port = B.free_port()
    server = B.Server(cfg, db, port, data_dir / "server.log")
    info: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M:%S"), "git": B.git_rev(), "machine": B.machine(),
        "load_start": B.loadavg(), "db": db.describe(), "bin": str(cfg.bin), "notes": [], "care": {},
        "bin_mtime": _dt.datetime.fromtimestamp(cfg.bin.stat().st_mtime).strftime("%Y-%m-%d %H:%M"),
        "args": vars(a),
    }

    def quiet(what: str) -> None:
        if a.quiet_wait > 0:
            waited, busy = B.wait_quiet(a.quiet_wait, 10)
            if busy >= 10:
                info["notes"].append(f"{what}: the machine was still {busy:.0f}% busy after waiting {waited:.0f} s")

    try:
        if a.reuse:
            info["reused"] = str(data_dir)
            log(f"reusing {data_dir}" + (f" and database {a.pg_db}" if pg else ""))
        else:
            db.recreate()
            quiet("seed")
            info["seed"] = A.seed(cfg, db, a)
            log(f"seeded in {info['seed']['wall_s']:.1f} s")
        comms = communities_of(db)
        today = R.today_in(comms[0]["tz"])
        info["accounts"] = [
            R.create_account(cfg, db, STAFF, "community_staff", COMMUNITY, None) + f" (community_staff {COMMUNITY})",
            R.create_account(cfg, db, CARER, "party_member", COMMUNITY, None) + f" (party_member {COMMUNITY})",
            R.create_account(cfg, db, TEMPLATE, "party_member", COMMUNITY, None)
            + f" (cc.k00001..cc.k{a.carers:05d} copy its password; their roles party_member/volunteer of their "
              "community, in SQL)",
        ]
        r = R.run_cli(cfg, db, ["admin", "create", "--username", SUPERVISOR, "--role", "supervisor", "--district",
                                DISTRICT, "--password-stdin"], stdin=R.PASSWORD + "\n")
        if r.returncode != 0 and not a.reuse:
            die(f"admin create {SUPERVISOR}: {(r.stdout + r.stderr).strip()[-800:]}")
        info["accounts"].append(f"{SUPERVISOR} (supervisor of district {DISTRICT})")
        if not a.reuse:
            info["care"] = add_care(db, a, comms, today)
        for sql in a.pre_sql:
            log(f"EXPERIMENT: {sql}")
            t0 = time.perf_counter()
            C.exec_long(db, sql)
            info["notes"].append(f"experiment statement took {time.perf_counter() - t0:.1f} s: {sql}")
        if pg:
            info["db"] += " " + " ".join(
                f"{k}={R.db_one(db, 'show ' + k)}" for k in ("server_version", "shared_buffers", "work_mem",
                                                               "autovacuum", "synchronous_commit"))
        else:
            info["db"] += (" (server: WAL, synchronous=NORMAL, per crates/db/src/lib.rs; no ANALYZE after the care "
                           "data, as the server runs none)")
        did = comms[0]["district_id"]
        first = next(c for c in comms if c["code"] == COMMUNITY)
        carer_id = int(R.db_one(db, f"select account_id from account where username = '{CARER}'"))
        mine = [int(x) for x in C.ints(db, (f"select pairing_id from care_pairing where carer_account_id = {carer_id} "
                                             "and ended_at is null order by due_on, pairing_id"))]
        # The pairing page: the carer's pairing whose household has the most visits (other carers' too).
        pid, hid, nvis = (int(x) for x in R.db_rows(db, (
            "select p.pairing_id, p.household_id, (select count(*) from care_visit v where v.household_id = "
            f"p.household_id) as n from care_pairing p where p.carer_account_id = {carer_id} and p.ended_at is null "
            "order by n desc, p.pairing_id limit 1"))[0])
        info["pairing_visits"] = nvis
        info["today"] = today.isoformat()
        info["scale"] = scale_of(db, comms, today.isoformat())
        log(f"scale: {info['scale']}")

        alerts0 = int(R.db_one(db, "select count(*) from care_alert") or 0)
        quiet("start")
        start_s = server.start()
        log(f"server pid {server.pid} on 127.0.0.1:{port}")
        info["first_tick"] = {"start_s": start_s, **first_tick(db, server, pg, alerts0)}
        log(f"first tick: {info['first_tick']}")
        staff = R.api_token(port, STAFF)
        sup = R.api_token(port, SUPERVISOR)
        carer = R.api_token(port, CARER)
        cookie = R.session_cookie(port, CARER)
        cl = R.Client(port, {})
        hz = []
        for i in range(350):
            t0 = time.perf_counter()
            cl.get("/healthz")
            if i >= 50:
                hz.append((time.perf_counter() - t0) * 1000)
        cl.close()
        hz.sort()
        info["healthz"] = {"p50": R.pct(hz, 50), "p95": R.pct(hz, 95), "p99": R.pct(hz, 99)}

        bearer = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
        all_parts = {
            "district": (f"/api/v1/care-overdue?district={did}", bearer(sup),
                         check_overdue(db, f"c.district_id = {did}")),
            "community": (f"/api/v1/care-overdue?community={first['cid']}", bearer(staff),
                          check_overdue(db, f"c.community_id = {first['cid']}")),
            "carer_api": ("/api/v1/care-pairings", bearer(carer), check_carer(mine, False)),
            "carer_page": ("/care", {"Cookie": cookie}, check_carer(mine, True)),
            "pairing_api": (f"/api/v1/care-pairings/{pid}", bearer(carer), check_pairing(pid, min(50, nvis), False)),
            "pairing_page": (f"/care/pairings/{pid}", {"Cookie": cookie}, check_pairing(pid, min(50, nvis), True)),
        }
        parts = [Part(k, w, t, *all_parts[k]) for k, w, t in PARTS if k in a.parts]
        quiet("measure")
        log_offset = server.log_path.stat().st_size if server.log_path.exists() else 0
        measure(parts, server, a, pg)
        info["parts"] = {p.key: {**p.series.summary(pg), "path": p.path, "checked": p.checked, "bytes": p.bytes}
                         for p in parts}
        info["server_log"] = A.log_errors(server.log_path, log_offset)
        if a.tick_watch > 0:
            log(f"watching the idle server {a.tick_watch:.0f} s for the minute tick")
            info["ticks"] = watch_ticks(server, a.tick_watch, pg)
            log(f"tick bursts: {info['ticks']['bursts']}")

        t = today.isoformat()
        info["plans"] = {
            "overdue in the district (the district scan)": A.explain(db, OVERDUE_DISTRICT_SQL,
                                                                      [("bigint", did), ("text", t)], runs=5),
            f"overdue in {COMMUNITY} (the tick's scan, per community)": A.explain(
                db, OVERDUE_COMMUNITY_SQL, [("bigint", first["cid"]), ("text", t)], runs=5),
            "pairings of the carer (the carer's page)": A.explain(db, PAIRINGS_OF_CARER_SQL, [("bigint", carer_id)]),
            "visits of the household (the pairing's page)": A.explain(db, VISITS_OF_HOUSEHOLD_SQL,
                                                                       [("bigint", hid), ("bigint", 50)], runs=5),
            "pairings of the household (the pairing's page)": A.explain(db, PAIRINGS_OF_HOUSEHOLD_SQL,
                                                                         [("bigint", hid)]),
            "alerts of the pairing (the pairing's page)": A.explain(db, ALERTS_OF_SQL, [("bigint", pid)]),
        }
        info["verdicts"] = verdicts(info)
        info["db_size_mb"] = R.db_size_mb(db)
        info["server_peak_rss_mb"] = B.rss_mb(server.pid, "VmHWM") if server.proc else None
    finally:
        server.stop()
        info["load_end"] = B.loadavg()
        tail = server.log_tail(40)
        if info.get("parts") or info.get("seed") or info.get("scale"):
            info.setdefault("verdicts", verdicts(info))
            text = render(a, info)
            print(text, end="")
            out_txt.write_text(text + f"\n\n==== seed log (tail) ====\n{info.get('seed', {}).get('log_tail', '')}"
                               + f"\n\n==== server log (last lines) ====\n{tail}\n")
            out_txt.with_suffix(".json").write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str))
            log(f"written {out_txt} and {out_txt.with_suffix('.json').name}")
        if a.keep or a.reuse:
            log(f"kept {data_dir}" + (f" and database {a.pg_db}" if pg else "")
                + f"; again: --reuse {data_dir}" + (f" --pg-db {a.pg_db}" if pg else ""))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            db.drop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except B.BenchError as e:
        print(f"care bench: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("care bench: interrupted", file=sys.stderr)
        sys.exit(130)
