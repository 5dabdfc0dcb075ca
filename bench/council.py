#!/usr/bin/env python3
"""Yijia council benchmark (issue 6's performance targets).

    python3 bench/council.py [--backend sqlite|postgres] [--residents 21300 --dwellings 2000]

Seeds a fresh database with `yijia seed --communities 1 --residents-per-community R` (timed),
adds to SEED0001 in SQL what the seed does not make: one building of --dwellings dwellings
(households), each with an owner's holding and its exclusive area (co-owners, owners of two
dwellings and the developer's unsold ones among them), and the owners living there as
residents; a community staff member, and --ballots resident accounts, each linked to one
elector (`registry_resident.account_id`). Starts `yijia serve` and measures:

  a  tally    an owners' vote of that building (the dwellings, weighted by area) and a
              residents' vote of the whole community (every adult living there), each
              --tally-runs times: staff create and open it (the electorate snapshot), --turnout
              of the electors' ballots go in (SQL), then as staff
                live     GET /api/v1/council-votes/{id}          (the live count of the open vote)
                close    POST /api/v1/council-votes/{id}/close   (counts and stores)
                recount  GET /api/v1/council-votes/{id}?recount=true  (recounts, recount_matches)
              one at a time; every answer checked once against the ballots in the database
                                                                          median, p95 < 200 ms
  b  ballots  --ballots accounts cast a ballot from their phones at once (one thread and one
              open connection each): POST /api/v1/council-votes/{id}/ballot {"choice": ...};
              elapsed until the last answer; then the database: that many ballots, no voter
              twice, each from its own account; the live count, the close and the recount
              agree with what was sent                          all counted once, within 60 s

The query plans of the counting statements (repo::counted_ballots, voters, vote_units) and of
the snapshot's go to the report.

Standard library only; reuses bench.py's, registry.py's and appeals.py's helpers as
volunteers.py does. Everything talks to 127.0.0.1. See bench/README.md, section "Council".
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as _dt
import http.client
import json
import math
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appeals as A  # noqa: E402  (the seed, api(), explain, log_errors)
import bench as B  # noqa: E402  (Server, Database, /proc helpers)
import registry as R  # noqa: E402  (accounts, tokens, db access, Client, pct)

RESULTS_DIR = B.RESULTS_DIR

TARGET_TALLY_MS = 200.0
TARGET_BALLOTS_S = 60.0

KINDS = ["owners", "residents"]
STAFF = "cb.staff"
TEMPLATE = "cb.template"
BUILDING_CODE = "BENCH-COUNCIL"
PER_UNIT = 100  # dwellings per 单元: 25 floors of 4

# The tally's parts: (key, what, target applies)
PARTS = [("live", "GET while open (live count)", True),
         ("close", "POST close (count, store)", True),
         ("recount", "GET ?recount=true after close", True),
         ("page", "GET /council/votes/{id} page while open", False)]


def log(msg: str) -> None:
    print(f"[council {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(B.BenchError):
    pass


def die(msg: str) -> None:
    raise BenchError(msg)


# ---------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/council.py",
        description="Council benchmark: the tally of an owners' vote and a residents' vote, 1 000 phone ballots "
                    "at once. See bench/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default=os.environ.get("BENCH_DB", "sqlite"))
    p.add_argument("--residents", type=int, default=21300,
                   help="yijia seed --residents-per-community (SEED0001; about 84 %% of them are adults); the "
                        "building's owners come on top")
    p.add_argument("--dwellings", type=int, default=2000, help="dwellings of the owners' vote's building")
    p.add_argument("--bin", default=os.environ.get("YIJIA_BIN", str(B.REPO / "target" / "release" / "yijia")),
                   help="binary under test (copy it away from target/ if others build meanwhile)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--pg-db", default="yijia_bench_council", help="dropped and re-created (unless --reuse)")
    p.add_argument("--tally-runs", type=int, default=5, help="votes of each kind counted (a)")
    p.add_argument("--requests", type=int, default=20,
                   help="GETs per vote for the live count and for the recount (and the page)")
    p.add_argument("--turnout", type=float, default=0.8, help="share of the electors whose ballots are in (a)")
    p.add_argument("--ballots", type=int, default=1000, help="accounts casting a ballot at once (b)")
    p.add_argument("--ballot-votes", default="residents,owners",
                   help="the kinds of vote the phone ballots are cast in, one run each (b); an owners' vote takes "
                        "only the accounts linked to its owners")
    p.add_argument("--ballot-spread", type=float, default=0.0,
                   help="seconds over which the ballots are spread (0: all at once, 60: about evenly over a minute)")
    p.add_argument("--token-idle", type=float, default=61.0,
                   help="before each ballot run, wait until the tokens were last used this many seconds ago, so "
                        "that each ballot also records its token's use (session.rs does once a minute), as a phone "
                        "coming back to vote would; 0: no wait")
    p.add_argument("--setup-workers", type=int, default=2, help="parallel token requests while preparing b")
    p.add_argument("--scenarios", default="tally,ballots", help="comma-separated subset of tally,ballots")
    p.add_argument("--seed-timeout", type=int, default=30 * 60, help="seconds")
    p.add_argument("--pre-sql", action="append", default=[],
                   help="an SQL statement run after the setup, before serving (an EXPERIMENT); repeatable")
    p.add_argument("--keep", action="store_true", help="keep the data dir (and the PostgreSQL database)")
    p.add_argument("--reuse", metavar="DIR",
                   help="a data dir kept by an earlier --keep run: skip the seed and the building (with postgres, "
                        "--pg-db must name the kept database); every run adds its own votes")
    p.add_argument("--quiet-wait", type=float, default=0.0,
                   help="before each block, wait up to this many seconds for the machine to be under 10%% busy")
    a = p.parse_args(argv)
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    if bad := [s for s in a.scenarios if s not in ("tally", "ballots")]:
        p.error(f"unknown scenario(s) {bad}")
    a.ballot_votes = [s.strip() for s in a.ballot_votes.split(",") if s.strip()]
    if bad := [s for s in a.ballot_votes if s not in KINDS]:
        p.error(f"--ballot-votes: {bad}; known: {KINDS}")
    if min(a.residents, a.dwellings, a.tally_runs, a.requests, a.ballots) < 1 or not 0 < a.turnout <= 1:
        p.error("--residents, --dwellings, --tally-runs, --requests, --ballots must be >= 1, 0 < --turnout <= 1")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.pg_db) or a.pg_db.startswith("yijia_t_"):
        p.error("--pg-db: lower-case letters, digits and _, not yijia_t_* (the test suites' databases)")
    a.communities, a.appeals = 1, 0  # appeals.seed's flags: one community, no appeals
    return a


# ---------------------------------------------------------------- database access


def db_script(db: B.Database, sql: str, timeout: float = 600) -> None:
    """Several statements in one transaction: SQLite through Python's sqlite3 (the server may be
    running: it waits for the write lock), PostgreSQL through psql."""
    if db.url:
        r = subprocess.run(["psql", db.url, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-f", "-"],
                           input=sql, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            die(f"psql: {r.stderr.strip()[-800:]}")
        return
    con = sqlite3.connect(str(db.data_dir / "yijia.db"), timeout=60, isolation_level=None)
    try:
        con.execute("pragma foreign_keys = on")
        con.executescript("begin immediate;\n" + sql + "\ncommit;")
    finally:
        con.close()


def exec_long(db: B.Database, sql: str, timeout: float = 1800) -> None:
    """One statement outside a transaction (an experiment's `create index` or `vacuum analyze`)."""
    if not db.url:
        R.db_exec(db, sql)
        return
    r = subprocess.run(["psql", db.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        die(f"psql: {r.stderr.strip()[-500:]}")


def ints(db: B.Database, sql: str) -> list[int]:
    return [int(r[0]) for r in R.db_rows(db, sql)]


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------- the building and its owners

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀兰", "志强", "玉梅", "海燕", "德明", "淑珍", "国庆", "红梅", "永福", "春生", "桂英"]


def add_building(db: B.Database, cid: int, n: int, today: _dt.date) -> dict:
    """One building of `n` dwellings in SEED0001's first grid (100 to a 单元: 25 floors of 4), each
    with its owners' holdings and areas (0.01 m², the register's), and the owners who live there:

      * every 50th dwelling (k % 50 == 49) unsold: the developer's, nobody living there;
      * every 40th (k % 40 == 20) the second dwelling of the owner of the dwelling before it,
        nobody living there;
      * every 10th (k % 10 == 3) owned jointly by a couple, both living there;
      * the others owned by the one adult living there.

    So the owners by headcount are fewer than the dwellings (co-owners are one, a second dwelling
    does not count twice, the developer once), which the check of the electorate uses."""
    now = int(time.time() * 1000)
    gid = int(R.db_one(db, f"select grid_id from grid where community_id = {cid} order by grid_id limit 1"))
    units = math.ceil(n / PER_UNIT)
    floors = math.ceil(min(n, PER_UNIT) / 4)
    sql = [f"insert into building (community_id, grid_id, code, name, compound, floors, created_at, updated_at) "
           f"values ({cid}, {gid}, '{BUILDING_CODE}', '基准大楼', '基准花园', {floors}, {now}, {now});"]
    bid_sql = f"(select building_id from building where community_id = {cid} and code = '{BUILDING_CODE}')"
    sql.append("insert into unit (community_id, grid_id, building_id, code, name, created_at, updated_at) values "
               + ", ".join(f"({cid}, {gid}, {bid_sql}, 'U{u:02d}', '{u}单元', {now}, {now})"
                           for u in range(1, units + 1)) + ";")
    db_script(db, "\n".join(sql))
    bid = int(R.db_one(db, f"select building_id from building where community_id = {cid} and code = '{BUILDING_CODE}'"))
    unit_of = {code: int(uid) for uid, code in R.db_rows(db, f"select unit_id, code from unit where building_id = {bid}")}
    rows = []
    for k in range(n):
        u, j = divmod(k, PER_UNIT)
        rows.append(f"({cid}, {gid}, {bid}, {unit_of[f'U{u + 1:02d}']}, '{j // 4 + 1}{j % 4 + 1:02d}', '', {now}, {now})")
    db_script(db, "".join(
        "insert into household (community_id, grid_id, building_id, unit_id, code, name, created_at, updated_at) "
        "values " + ", ".join(rows[i:i + 500]) + ";\n" for i in range(0, n, 500)))
    homes = ints(db, f"select household_id from household where building_id = {bid} order by household_id")
    if len(homes) != n:
        die(f"building: {len(homes)} households written, {n} wanted")

    def kind(k: int) -> str:
        if k % 50 == 49:
            return "developer"
        if k % 40 == 20:
            return "second"
        return "couple" if k % 10 == 3 else "single"

    def birth(k: int, shift: int) -> str:
        return f"{today.year - 25 - (k * 13 + shift) % 60}-{1 + (k + shift) % 12:02d}-{1 + (k * 7 + shift) % 28:02d}"

    people = []
    for k, hid in enumerate(homes):
        if kind(k) in ("single", "couple"):
            sur = SURNAMES[k % len(SURNAMES)]
            people.append(f"({cid}, {hid}, '{sur}{GIVEN[k % len(GIVEN)]}', '{('male', 'female')[k % 2]}', "
                          f"'{birth(k, 0)}', '01', 'none', 'head', 'registered_living', {now}, {now})")
            if kind(k) == "couple":
                sur2 = SURNAMES[(k * 7) % len(SURNAMES)]
                people.append(f"({cid}, {hid}, '{sur2}{GIVEN[(k * 5) % len(GIVEN)]}', "
                              f"'{('female', 'male')[k % 2]}', '{birth(k, 3)}', '01', 'none', 'spouse', "
                              f"'registered_living', {now}, {now})")
    db_script(db, "".join(
        "insert into registry_resident (community_id, household_id, name, gender, birth_date, ethnicity, id_type, "
        "relation, residence, created_at, updated_at) values " + ", ".join(people[i:i + 500]) + ";\n"
        for i in range(0, len(people), 500)))
    living: dict[int, list[tuple[int, str, str]]] = {}
    for rid, hid, name, relation in R.db_rows(db, (
            "select r.resident_id, r.household_id, r.name, r.relation from registry_resident r join household h "
            f"on h.household_id = r.household_id where h.building_id = {bid} order by r.resident_id")):
        living.setdefault(int(hid), []).append((int(rid), name, relation))
    holdings = []
    sole: list[int] = []  # residents owning alone (one or two dwellings): the accounts' electors first
    owners = 1 if any(kind(k) == "developer" for k in range(n)) else 0
    last_head: tuple[int, str] | None = None
    for k, hid in enumerate(homes):
        area = 5000 + (k * 7919) % 9000  # 50.00 .. 139.99 m²
        what = kind(k)
        if what == "developer":
            holdings.append(f"({cid}, {hid}, null, '开发商', 'owner', {area}, 'register', 1, {now}, {now})")
            continue
        if what == "second" and last_head is not None:
            holdings.append(f"({cid}, {hid}, {last_head[0]}, {q(last_head[1])}, 'owner', {area}, 'register', 0, "
                            f"{now}, {now})")
            continue
        here = living.get(hid, [])
        if not here:
            die(f"building: dwelling {hid} has no one living there")
        for rid, name, _ in here:
            holdings.append(f"({cid}, {hid}, {rid}, {q(name)}, 'owner', {area}, 'register', 0, {now}, {now})")
        owners += 1
        last_head = (here[0][0], here[0][1])
        if what == "single":
            sole.append(here[0][0])
    db_script(db, "".join(
        "insert into registry_holding (community_id, household_id, resident_id, holder_name, kind, area_centi_m2, "
        "area_source, developer, created_at, updated_at) values " + ", ".join(holdings[i:i + 500]) + ";\n"
        for i in range(0, len(holdings), 500)))
    if db.url:
        db_script(db, "analyze building; analyze unit; analyze household; analyze registry_resident; "
                      "analyze registry_holding;")
    return {"building_id": bid, "dwellings": n, "units": units, "residents": len(people), "holdings": len(holdings),
            "owners": owners, "developer_units": sum(1 for k in range(n) if kind(k) == "developer"),
            "second_units": sum(1 for k in range(n) if kind(k) == "second"),
            "couples": sum(1 for k in range(n) if kind(k) == "couple"), "sole_owners": sole}


def building_of(db: B.Database, cid: int) -> dict | None:
    """The building an earlier --keep run added (--reuse), as it described it in building.json."""
    saved = db.data_dir / "building.json"
    bid = R.db_one(db, f"select building_id from building where community_id = {cid} and code = '{BUILDING_CODE}'")
    if not bid:
        return None
    if not saved.exists():
        die(f"building {bid} exists but {saved} does not: seed afresh")
    return {**json.loads(saved.read_text()), "reused": True}


# ---------------------------------------------------------------- accounts


def make_people(db: B.Database, n: int) -> list[str]:
    """`n` resident accounts of SEED0001 (cb.p00001..), copies of `cb.template` (made with
    `yijia admin create`, role resident): its password hash and role. One CLI call per account
    would hash the same password a thousand times. Accounts made by an earlier run are kept."""
    names = [f"cb.p{i:05d}" for i in range(1, n + 1)]
    have = {r[0] for r in R.db_rows(db, "select username from account where username like 'cb.p%'")}
    todo = [u for u in names if u not in have]
    for i in range(0, len(todo), 500):
        chunk = todo[i:i + 500]
        usernames = " union all ".join(f"select '{u}' as u" for u in chunk)
        db_script(db, (
            "insert into account (username, display_name, phone, password_hash, locale, status, "
            "must_change_password, created_at, updated_at, password_changed_at) "
            "select v.u, v.u, '', t.password_hash, t.locale, t.status, 0, t.created_at, t.updated_at, "
            f"t.password_changed_at from ({usernames}) v, account t where t.username = '{TEMPLATE}';\n"
            "insert into account_role (account_id, role, scope_kind, scope_id, district_id, subdistrict_id, "
            "community_id, grid_id, created_at) "
            "select a.account_id, r.role, r.scope_kind, r.scope_id, r.district_id, r.subdistrict_id, r.community_id, "
            "r.grid_id, r.created_at from account a, account_role r join account t on t.account_id = r.account_id "
            f"where t.username = '{TEMPLATE}' and a.username in (select u from ({usernames}) v);"))
    return names


def link(db: B.Database, names: list[str], residents: list[int]) -> None:
    """Links each account to one resident (`registry_resident.account_id`), undoing earlier links
    of these accounts."""
    stmts = ["update registry_resident set account_id = null where account_id in "
             "(select account_id from account where username like 'cb.p%');"]
    for u, rid in zip(names, residents):
        stmts.append(f"update registry_resident set account_id = (select account_id from account where username = "
                     f"'{u}') where resident_id = {rid};")
    db_script(db, "\n".join(stmts))


def born_by(today: _dt.date) -> str:
    """vote.rs born_by: the day someone turns 18 on `today` (29 February counts from 1 March)."""
    try:
        return today.replace(year=today.year - 18).isoformat()
    except ValueError:
        return _dt.date(today.year - 18, 2, 28).isoformat()


def adults_sql(cid: int, today: _dt.date, building: int | None = None, exclude_building: int | None = None) -> str:
    """The adults living in SEED0001 as repo::insert_adult_electors picks them."""
    extra = f" and h.building_id = {building}" if building else ""
    extra += f" and h.building_id <> {exclude_building}" if exclude_building else ""
    return ("from registry_resident r join household h on h.household_id = r.household_id "
            f"where h.community_id = {cid} and h.retired_at is null and r.left_at is null "
            "and r.residence in ('registered_living', 'living_unregistered') and r.birth_date is not null "
            f"and r.birth_date <= '{born_by(today)}'{extra}")


# ---------------------------------------------------------------- votes


def local_minute(tz_name: str, minutes_from_now: int) -> str:
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(tz_name or "Asia/Shanghai")
    except Exception:  # noqa: BLE001  (no tz database: UTC+8)
        tz = _dt.timezone(_dt.timedelta(hours=8))
    return (_dt.datetime.now(tz) + _dt.timedelta(minutes=minutes_from_now)).strftime("%Y-%m-%dT%H:%M")


def new_vote(port: int, staff: str, c: dict, kind: str, title: str) -> int:
    body = {"community": str(c["cid"]), "title": title, "kind": kind, "closes_at": local_minute(c["tz"], 180)}
    if kind == "owners":
        body.update({"matter": "use_fund", "scope_kind": "building", "scope": str(c["building"]["building_id"])})
    else:
        body.update({"scope_kind": "community", "scope": ""})
    return int(A.api(port, staff, "POST", "/api/v1/council-votes", body, expect=(201,))["vote"]["vote_id"])


def timed(port: int, token: str, method: str, path: str, expect=(200,)) -> tuple[float, dict]:
    headers = {"Authorization": f"Bearer {token}"}
    t0 = time.perf_counter()
    status, _, out = B.request(port, method, path, None, headers, timeout=120)
    ms = (time.perf_counter() - t0) * 1000
    if status not in expect:
        die(f"{method} {path} answered {status}: {out[:400]!r}")
    return ms, json.loads(out)


def voters_sql(kind: str, vid: int) -> str:
    """The distinct voters of a vote: owner numbers (units) or residents (electors)."""
    if kind == "owners":
        return f"select distinct owner_no as voter_no from council_vote_unit where vote_id = {vid}"
    return f"select distinct voter_no from council_elector where vote_id = {vid}"


def fill_ballots(db: B.Database, kind: str, vid: int, turnout: float) -> None:
    """Ballots of about `turnout` of the voters, counted (confirmed), choices spread 6:3:1, chosen
    by the voter number so both backends get the same."""
    now = int(time.time() * 1000)
    db_script(db, (
        "insert into council_ballot (vote_id, voter_no, choice, options, channel, proxy_name, cast_at, confirmed_at) "
        f"select {vid}, x.voter_no, case when (x.voter_no * 31) % 10 < 6 then 'approve' "
        "when (x.voter_no * 31) % 10 < 9 then 'oppose' else 'abstain' end, '[]', 'phone', '', "
        f"{now}, {now} from ({voters_sql(kind, vid)}) x where (x.voter_no * 7919) % 1000 < {round(turnout * 1000)};"))


def expected(db: B.Database, kind: str, vid: int) -> dict:
    """The counted ballots of a vote by choice, summed plainly (and their owners' areas), and the
    electorate: what every count must say."""
    heads = {c: int(n) for c, n in R.db_rows(db, f"select choice, count(*) from council_ballot where vote_id = {vid} "
                                                 "and confirmed_at is not null group by choice")}
    out = {"heads": {c: heads.get(c, 0) for c in ("approve", "oppose", "abstain")},
           "voters": int(R.db_one(db, f"select count(*) from ({voters_sql(kind, vid)}) x") or 0)}
    if kind == "owners":
        area = {c: int(s) for c, s in R.db_rows(db, (
            "select b.choice, sum(a.area) from council_ballot b join (select owner_no, sum(area_centi_m2) as area "
            f"from council_vote_unit where vote_id = {vid} group by owner_no) a on a.owner_no = b.voter_no "
            f"where b.vote_id = {vid} and b.confirmed_at is not null group by b.choice"))}
        out["area"] = {c: area.get(c, 0) for c in ("approve", "oppose", "abstain")}
        out["units"] = int(R.db_one(db, f"select count(*) from council_vote_unit where vote_id = {vid}") or 0)
        out["total_area"] = int(R.db_one(db, f"select sum(area_centi_m2) from council_vote_unit "
                                              f"where vote_id = {vid}") or 0)
    return out


def check_count(what: str, counted: dict | None, exp: dict, kind: str) -> None:
    """A count as the API gives it (`Counted::Motion`) against the plain sums."""
    if not counted or counted.get("type") != "motion":
        die(f"{what}: no motion count in the answer: {str(counted)[:300]}")
    heads = {c: counted["heads"][c] for c in ("approve", "oppose", "abstain")}
    if heads != exp["heads"]:
        die(f"{what}: ballots {heads}, the database has {exp['heads']}")
    whole = counted["checks"][0]["whole"]
    if kind == "owners":
        area = {c: counted["area"][c] for c in ("approve", "oppose", "abstain")}
        if area != exp["area"]:
            die(f"{what}: areas {area}, the database sums {exp['area']}")
        if whole != exp["total_area"]:
            die(f"{what}: total area {whole}, the database sums {exp['total_area']}")
        owners = counted["checks"][1]["whole"]
        if owners != exp["voters"]:
            die(f"{what}: {owners} owners, the vote's units have {exp['voters']}")
    elif whole != exp["voters"]:
        die(f"{what}: {whole} entitled, the electorate has {exp['voters']}")


class Series:
    """Samples of one part of the tally (live, close, recount, page) of one kind of vote."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.cpu_s = 0.0
        self.pg_cpu_s = 0.0
        self.other_cpu_s = 0.0
        self.wall_s = 0.0
        self.errors = 0

    def measure(self, fn, pg: bool, server: B.Server):
        """Runs `fn`, adding the server's, PostgreSQL's and everything else's CPU to the totals
        (everything else: the machine's busy time minus those and this process's own)."""
        cpu0, pg0, busy0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy()
        me0 = resource.getrusage(resource.RUSAGE_SELF)
        w0 = time.perf_counter()
        out = fn()
        wall = time.perf_counter() - w0
        cpu1, pg1, busy1 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy()
        me1 = resource.getrusage(resource.RUSAGE_SELF)
        mine = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
        self.cpu_s += cpu1 - cpu0
        self.pg_cpu_s += pg1 - pg0
        self.other_cpu_s += max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (pg1 - pg0) - mine)
        self.wall_s += wall
        return out

    def summary(self, pg: bool) -> dict:
        s = sorted(self.samples)
        if not s:
            return {"n": 0}
        return {"n": len(s), "median": statistics.median(s), "p95": R.pct(s, 95), "min": s[0], "max": s[-1],
                "srv_cpu_ms": self.cpu_s * 1000 / len(s), "db_cpu_ms": self.pg_cpu_s * 1000 / len(s) if pg else None,
                "others_pct": 100 * self.other_cpu_s / (self.wall_s * (os.cpu_count() or 1)) if self.wall_s else None,
                "errors": self.errors}


def batch(server: B.Server, client: R.Client, path: str, n: int, series: Series, pg: bool, check=None) -> None:
    """`n` GETs one at a time on one keep-alive connection after the server went idle; the server's
    (and PostgreSQL's) CPU over the batch."""
    R.settle(server.pid)

    def run() -> None:
        for _ in range(n):
            t0 = time.perf_counter()
            status, body = client.get(path)
            series.samples.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                series.errors += 1
            elif check:
                check(body)

    series.measure(run, pg, server)


def tally(port: int, server: B.Server, db: B.Database, staff: str, cookie: str, c: dict, kind: str, run: int,
          a: argparse.Namespace, pg: bool, series: dict[str, Series]) -> dict:
    """One vote of `kind`: created, opened (timed), ballots in, counted live, closed, recounted."""
    out: dict = {"run": run}
    vid = new_vote(port, staff, c, kind, f"基准表决 {kind} {run + 1}")
    out["vote_id"] = vid
    R.settle(server.pid)
    ms, opened = timed(port, staff, "POST", f"/api/v1/council-votes/{vid}/open")
    out["open_ms"] = ms
    out["electors"] = opened["vote"]["electors"]
    t0 = time.perf_counter()
    fill_ballots(db, kind, vid, a.turnout)
    out["fill_s"] = time.perf_counter() - t0
    exp = expected(db, kind, vid)
    out["expected"] = exp
    out["ballots"] = sum(exp["heads"].values())
    if kind == "owners" and exp["units"] != c["building"]["dwellings"]:
        die(f"owners' vote {vid}: {exp['units']} units, the building has {c['building']['dwellings']} dwellings")
    if kind == "owners" and out["electors"] != c["building"]["owners"]:
        die(f"owners' vote {vid}: {out['electors']} owners, the building's holdings make {c['building']['owners']}")
    if kind == "residents" and out["electors"] != c["adults"]:
        die(f"residents' vote {vid}: {out['electors']} electors, the community has {c['adults']} adults living there")
    auth = {"Authorization": f"Bearer {staff}"}
    live = R.Client(port, auth, timeout=120)
    status, body = live.get(f"/api/v1/council-votes/{vid}")
    if status != 200:
        die(f"GET vote {vid} answered {status}: {body[:300]!r}")
    view = json.loads(body)
    if view.get("count_note"):
        die(f"vote {vid}: no live count: {view['count_note']}")
    check_count(f"live count of vote {vid}", view.get("counted"), exp, kind)
    out["passed"] = view["counted"]["passed"]
    batch(server, live, f"/api/v1/council-votes/{vid}", a.requests, series["live"], pg)
    page = R.Client(port, {"Cookie": cookie}, timeout=120)
    status, body = page.get(f"/council/votes/{vid}")
    if status != 200 or b"<html" not in body[:2000].lower():
        die(f"GET /council/votes/{vid} answered {status}: {body[:300]!r}")
    batch(server, page, f"/council/votes/{vid}", a.requests, series["page"], pg)
    page.close()
    R.settle(server.pid)
    ms, closed = series["close"].measure(lambda: timed(port, staff, "POST", f"/api/v1/council-votes/{vid}/close"),
                                         pg, server)
    series["close"].samples.append(ms)
    check_count(f"stored count of vote {vid}", closed.get("counted"), exp, kind)
    if closed["counted"] != view["counted"]:
        die(f"vote {vid}: the stored count differs from the live count")
    path = f"/api/v1/council-votes/{vid}?recount=true"
    status, body = live.get(path)
    if status != 200 or json.loads(body).get("recount_matches") is not True:
        die(f"GET {path} answered {status}: {body[:300]!r} (recount_matches must be true)")

    def matches(b: bytes) -> None:
        if json.loads(b).get("recount_matches") is not True:
            series["recount"].errors += 1

    batch(server, live, path, a.requests, series["recount"], pg, matches)
    live.close()
    return out


# ---------------------------------------------------------------- b: ballots from phones


def parallel(fn, items: list, workers: int) -> list:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, items))


def choice_of(i: int) -> str:
    return ("approve", "approve", "approve", "approve", "approve", "approve", "oppose", "oppose", "oppose",
            "abstain")[i % 10]


def ballots(port: int, server: B.Server, db: B.Database, staff: str, c: dict, kind: str, tokens: dict[str, str],
            spread: float, pg: bool) -> dict:
    """A fresh vote of `kind`, opened; every account linked to one of its electors casts a ballot
    from its phone, all at once (one thread and one open connection each, released together) or
    spread evenly over `spread` seconds. Then the database and the counts are checked."""
    vid = new_vote(port, staff, c, kind, f"基准手机表决 {kind}")
    A.api(port, staff, "POST", f"/api/v1/council-votes/{vid}/open")
    mine = R.db_rows(db, (
        "select a.username, e.voter_no from council_elector e join account a on a.account_id = e.account_id "
        f"where e.vote_id = {vid} and a.username like 'cb.p%' order by a.username"))
    voters = [(u, int(v)) for u, v in mine if u in tokens]
    if len({v for _, v in voters}) != len(voters):
        die(f"b {kind}: two of the accounts vote as one voter in vote {vid}: pick other residents")
    n = len(voters)
    if n == 0:
        die(f"b {kind}: none of the accounts is an elector of vote {vid}")
    threading.stack_size(256 * 1024)
    go = threading.Barrier(n + 1)
    results: list = [None] * n

    def one(i: int) -> None:
        user, _ = voters[i]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        body = json.dumps({"choice": choice_of(i)}).encode()
        headers = {"Authorization": f"Bearer {tokens[user]}", "Content-Type": "application/json"}
        try:
            conn.connect()
            go.wait()
            if spread:
                time.sleep(spread * i / n)
            t0 = time.perf_counter()
            conn.request("POST", f"/api/v1/council-votes/{vid}/ballot", body, headers)
            r = conn.getresponse()
            data = r.read()
            results[i] = (r.status, t0, time.perf_counter(), data[:300])
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as e:
            results[i] = (0, time.perf_counter(), time.perf_counter(), repr(e).encode())
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    R.settle(server.pid)
    log_offset = server.log_path.stat().st_size if server.log_path.exists() else 0
    cpu0, pg0, busy0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy()
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    go.wait(timeout=120)
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - start
    cpu1, pg1, busy1 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy()
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    mine = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
    others = max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (pg1 - pg0) - mine)
    threading.stack_size(0)
    done = [r for r in results if r]
    lat = sorted((r[2] - r[1]) * 1000 for r in done)
    statuses: dict[str, int] = {}
    for r in done:
        statuses[str(r[0])] = statuses.get(str(r[0]), 0) + 1
    counted_ok = sum(1 for r in done if r[0] == 200 and b'"counted"' in r[3])
    bad = [r[3].decode("utf-8", "replace") for r in done if r[0] != 200][:3]
    # The database: one ballot per voter, each the account's own, as sent.
    rows, distinct_voters, distinct_cast_by = (int(x) for x in R.db_rows(db, (
        "select count(*), count(distinct voter_no), count(distinct cast_by) from council_ballot "
        f"where vote_id = {vid}"))[0])
    sent = {v: choice_of(i) for i, (_, v) in enumerate(voters)}
    stored = {int(v): (ch, u) for v, ch, u in R.db_rows(db, (
        "select b.voter_no, b.choice, coalesce(a.username, '') from council_ballot b left join account a "
        f"on a.account_id = b.cast_by where b.vote_id = {vid}"))}
    wrong_choice = sum(1 for v, ch in sent.items() if v in stored and stored[v][0] != ch)
    by_own_account = sum(1 for u, v in voters if stored.get(v, ("", ""))[1] == u)
    audit = int(R.db_one(db, ("select count(*) from audit_event where action = 'council_vote.ballot' and "
                              f"entity_id = '{vid}'")) or 0)
    exp = expected(db, kind, vid)
    want = {ch: sum(1 for x in sent.values() if x == ch) for ch in ("approve", "oppose", "abstain")}
    counts_ok = []
    ms_live, live = timed(port, staff, "GET", f"/api/v1/council-votes/{vid}")
    counts_ok.append(("live", live.get("counted", {}).get("heads") and
                      {k: live["counted"]["heads"][k] for k in want} == want))
    check_count(f"b {kind}: live count of vote {vid}", live.get("counted"), exp, kind)
    ms_close, closed = timed(port, staff, "POST", f"/api/v1/council-votes/{vid}/close")
    check_count(f"b {kind}: stored count of vote {vid}", closed.get("counted"), exp, kind)
    counts_ok.append(("close", {k: closed["counted"]["heads"][k] for k in want} == want))
    ms_recount, rec = timed(port, staff, "GET", f"/api/v1/council-votes/{vid}?recount=true")
    counts_ok.append(("recount", rec.get("recount_matches") is True))
    return {
        "kind": kind, "vote_id": vid, "n": n, "spread_s": spread, "electors": live["vote"]["electors"],
        "elapsed_s": max((r[2] for r in done), default=start) - start, "wall_s": wall,
        "ok": statuses.get("200", 0), "counted_answers": counted_ok, "statuses": statuses,
        "rows": rows, "distinct_voters": distinct_voters, "distinct_cast_by": distinct_cast_by,
        "wrong_choice": wrong_choice, "by_own_account": by_own_account, "audit_entries": audit,
        "sent": want, "counts_ok": dict(counts_ok), "heads": {k: closed["counted"]["heads"][k] for k in want},
        "area": closed["counted"].get("area"),
        "after_ms": {"live": ms_live, "close": ms_close, "recount": ms_recount},
        "p50": R.pct(lat, 50), "p95": R.pct(lat, 95), "max": lat[-1] if lat else None,
        "srv_cpu_ms": (cpu1 - cpu0) * 1000 / n, "db_cpu_ms": (pg1 - pg0) * 1000 / n if pg else None,
        "client_cpu_s": mine, "others_pct": 100 * others / (wall * (os.cpu_count() or 1)) if wall else None,
        "bad_sample": bad, "server_log": A.log_errors(server.log_path, log_offset),
    }


# ---------------------------------------------------------------- the statements (for the plans)

# Copies of repo/votes.rs as of this commit; keep them in step.
COUNTED_BALLOTS_SQL = ("select voter_no, choice, options from council_ballot where vote_id = $1 and confirmed_at "
                       "is not null order by voter_no")
VOTERS_SQL = "select distinct voter_no from council_elector where vote_id = $1"
VOTE_UNITS_SQL = ("select household_id, owner_no, area_centi_m2 from council_vote_unit where vote_id = $1 "
                  "order by household_id")
VOTER_OF_ACCOUNT_SQL = ("select voter_no from council_elector where vote_id = $1 and account_id = $2 "
                        "order by resident_id limit 1")
# Not in the code: what the count needs, aggregated by the database instead of read row by row
# (for comparison in the report).
HEADS_SQL = ("select choice, count(*) from council_ballot where vote_id = $1 and confirmed_at is not null "
             "group by choice")
OUTSIDE_SQL = ("select count(*) from council_ballot b where b.vote_id = $1 and b.confirmed_at is not null and not "
               "exists (select 1 from council_elector e where e.vote_id = b.vote_id and e.voter_no = b.voter_no)")
OWNERS_HEADS_SQL = ("select b.choice, count(*), sum(a.area) from council_ballot b join (select owner_no, "
                    "sum(area_centi_m2) as area from council_vote_unit where vote_id = $1 group by owner_no) a "
                    "on a.owner_no = b.voter_no where b.vote_id = $1 and b.confirmed_at is not null group by b.choice")
ELECTORS_PAGE_SQL = ("select e.resident_id, e.voter_no, e.name, exists (select 1 from council_ballot b "
                     "where b.vote_id = e.vote_id and b.voter_no = e.voter_no) as voted "
                     "from council_elector e where e.vote_id = $1 and ($2 = '' or e.name like $3) "
                     "order by e.voter_no, e.resident_id limit $4")
IN_SCOPE = ("h.community_id = $1 and h.retired_at is null and ($2 = 'community' "
            "or ($2 = 'building' and h.building_id = $3) or ($2 = 'grid' and h.grid_id = $3) "
            "or ($2 = 'compound' and h.building_id in (select b.building_id from building b "
            "where b.community_id = $1 and b.compound = $4 and b.retired_at is null)))")
HOLDINGS_SQL = ("select g.household_id, g.resident_id, g.developer, g.area_centi_m2, g.area_source "
                "from registry_holding g join household h on h.household_id = g.household_id "
                f"where {IN_SCOPE} and g.kind = 'owner' and (g.starts_on is null or g.starts_on <= $5) "
                "and (g.ends_on is null or g.ends_on >= $5) order by g.holding_id")
ADULTS_SQL = ("select r.resident_id, r.resident_id, r.account_id, r.name from registry_resident r "
              f"join household h on h.household_id = r.household_id where {IN_SCOPE} and r.left_at is null "
              "and r.residence in ('registered_living', 'living_unregistered') and r.birth_date is not null "
              "and r.birth_date <= $5")


# ---------------------------------------------------------------- report


f = R.f
verdict = R.verdict


def render(a, info: dict) -> str:
    L: list[str] = []
    add = L.append
    s = info.get("scale", {})
    sd = info.get("seed", {})
    bd = info.get("building", {})
    add(f"Yijia council benchmark, {info['started']}   git {info['git']}")
    add(f"binary    {info['bin']} (built {info['bin_mtime']})")
    add(f"machine   {info['machine']}; load average at start {info['load_start']}, at end {info.get('load_end', '?')}")
    add("          the Python client shares these cores with the server (and PostgreSQL): compare figures within "
        "one run.")
    add(f"database  {info['db']}   size {f(info.get('db_size_mb'), '.0f')} MB")
    add(f"data      SEED0001: {f(s.get('household'), ',d')} households in {f(s.get('building'), ',d')} buildings, "
        f"{f(s.get('registry_resident'), ',d')} residents, {f(info.get('adults'), ',d')} of them adults living there "
        f"(the residents' vote's electorate)")
    if bd:
        add(f"building  {bd.get('dwellings', 0):,} dwellings ({bd.get('units', '?')} 单元 of {PER_UNIT}), "
            f"{f(bd.get('holdings'), ',d')} owners' holdings with areas, {f(bd.get('residents'), ',d')} owners living "
            f"there; {bd.get('owners', 0):,} owners by headcount ({f(bd.get('couples'), 'd')} couples owning jointly, "
            f"{f(bd.get('second_units'), 'd')} second dwellings, {f(bd.get('developer_units'), 'd')} unsold dwellings "
            "of the developer, counted once)")
    if sd.get("wall_s"):
        add(f"seed      yijia seed --communities 1 --residents-per-community {a.residents} --appeals-per-community 0: "
            f"{sd['wall_s']:.1f} s; the building and the accounts in SQL: {f(info.get('setup_s'))} s")
    elif info.get("reused"):
        add(f"seed      reused {info['reused']} (no seed in this run)")
    for sql in a.pre_sql:
        add(f"EXPERIMENT before serving: {sql}")
    add(f"accounts  {', '.join(info.get('accounts', []))}")
    hz = info.get("healthz")
    if hz:
        add(f"baseline  GET /healthz one at a time: p50 {hz['p50']:.2f} ms, p95 {hz['p95']:.2f} ms "
            "(loopback + HTTP + the Python client: included below)")
    tl = info.get("tally")
    if tl:
        add("")
        add(f"a  tally: {a.tally_runs} votes of each kind, {a.turnout:.0%} of the electors' ballots in; live count, "
            f"page and recount {a.requests} GETs a vote one at a time, close once a vote; as {STAFF}")
        hdr = (f"{'':2}{'vote':<10}{'part':<9}{'n':>5}{'median':>9}{'p95 ms':>9}{'min ms':>9}{'max ms':>9}"
               f"{'target':>8}{'p95/tgt':>9}{'srv CPU':>9}{'db CPU':>8}{'others':>8}{'err':>5}")
        add(hdr)
        add("-" * len(hdr))
        for kind in KINDS:
            k = tl.get(kind)
            if not k:
                continue
            for part, _, targeted in PARTS:
                r = k["parts"].get(part) or {}
                if not r.get("n"):
                    continue
                tgt = TARGET_TALLY_MS if targeted else None
                add(f"{'a':<2}{kind:<10}{part:<9}{r['n']:>5}{r['median']:>9.1f}{r['p95']:>9.1f}{r['min']:>9.1f}"
                    f"{r['max']:>9.1f}{f(tgt, '.0f', '-'):>8}"
                    f"{(f(100 * r['p95'] / tgt, '.0f') + '%') if tgt else '-':>9}"
                    f"{f(r['srv_cpu_ms'], '.1f'):>9}{f(r.get('db_cpu_ms'), '.1f', '-'):>8}"
                    f"{f(r.get('others_pct'), '.0f') + '%':>8}{r['errors']:>5}")
        for kind in KINDS:
            k = tl.get(kind)
            if not k:
                continue
            runs = k["runs"]
            opens = sorted(r["open_ms"] for r in runs)
            add(f"   {kind}: {runs[0]['electors']:,} electors"
                + (f" (owners by headcount) over {c_units(runs[0]):,} dwellings" if kind == "owners" else "")
                + f", {statistics.median([r['ballots'] for r in runs]):,.0f} ballots; votes "
                + ", ".join(str(r["vote_id"]) for r in runs) + f"; passed: {runs[0].get('passed')}")
            add(f"   {kind}: open (snapshot of the electorate, and the answer's live count): median "
                f"{statistics.median(opens):.0f} ms, max {opens[-1]:.0f} ms; ballots written in SQL")
        add("   parts: live = GET /api/v1/council-votes/{id} while open; close = POST .../close (one a vote); "
            "recount = GET ...?recount=true after close (recount_matches checked every time); page = "
            "GET /council/votes/{id} while open (not a target)")
        add("srv CPU / db CPU: CPU ms per request of the yijia process / of all postgres processes; others: share "
            "of all cores busy with anything else meanwhile (noise: above a few % the figures are disturbed).")
    for b in info.get("ballots") or []:
        add("")
        if b.get("error"):
            add(f"b  ballots ({b.get('kind')}) NOT MEASURED: {b['error']}")
            continue
        how = "all at once" if not b["spread_s"] else f"spread over {b['spread_s']:.0f} s"
        add(f"b  ballots: {b['n']} accounts cast from their phones in {b['kind']} vote {b['vote_id']} "
            f"({b['electors']:,} electors) {how}, one connection each: last answer after {b['elapsed_s']:.2f} s; "
            f"{b['ok']} answered 200 {b['statuses']}, {b['counted_answers']} of them 'counted'")
        add(f"          database: {b['rows']} ballots, {b['distinct_voters']} distinct voters, {b['distinct_cast_by']} "
            f"distinct accounts, {b['by_own_account']} cast by the voter's own account, {b['wrong_choice']} "
            f"with another choice than sent, audit entries {f(b['audit_entries'], 'd', 'n/a')}")
        add(f"          sent {b['sent']}; counted {b['heads']}" + (f", area {b['area']}" if b.get("area") else "")
            + f"; live count / close / recount agree: {b['counts_ok']}")
        add(f"          latency p50 {f(b['p50'], '.0f')} ms, p95 {f(b['p95'], '.0f')} ms, max {f(b['max'], '.0f')} ms; "
            f"server CPU {f(b['srv_cpu_ms'], '.2f')} ms/ballot"
            + (f", PostgreSQL CPU {f(b.get('db_cpu_ms'), '.2f')} ms/ballot" if b.get("db_cpu_ms") is not None else "")
            + f"; the client {f(b.get('client_cpu_s'))} s of CPU, others {f(b.get('others_pct'), '.0f')}% of the cores"
            + f"; then live {b['after_ms']['live']:.0f} ms, close {b['after_ms']['close']:.0f} ms, recount "
              f"{b['after_ms']['recount']:.0f} ms")
        for k, v in (b.get("server_log") or {}).items():
            add(f"          server log x{v}: {k}")
        for x in b.get("bad_sample") or []:
            add(f"          e.g. {x[:200]}")
    if info.get("tokens_s") is not None:
        add(f"          setup (not measured): {a.ballots} tokens in {info['tokens_s']:.1f} s (one Argon2 verification each); "
            + (f"each run waited for the tokens to be idle {a.token_idle:.0f} s, so every ballot request also "
               "recorded its token's use (a second write)" if a.token_idle > 0 else "no wait for the tokens to be idle"))
    add("")
    add("Targets (the issue):")
    for line in info.get("verdicts", []):
        add(f"  {line}")
    if info.get("plans"):
        add("")
        add("Query plans (statements as repo/votes.rs writes them; db-only time):")
        for key, pl in info["plans"].items():
            add(f"--- {key}: db-only {f(pl.get('db_ms'), '.2f')} ms {pl.get('note', '')}"
                + (f" rows {pl['rows']}" if 'rows' in pl else ""))
            add(pl.get("plan") or pl.get("error", ""))
    if info.get("notes"):
        add("")
        for n in info["notes"]:
            add(f"note: {n}")
    return "\n".join(L) + "\n"


def c_units(run: dict) -> int:
    return run.get("expected", {}).get("units", 0)


def verdicts(info: dict) -> list[str]:
    out = []
    for kind, k in (info.get("tally") or {}).items():
        for part, what, targeted in PARTS:
            r = k["parts"].get(part) or {}
            if not targeted or not r.get("n"):
                continue
            ok = r["p95"] < TARGET_TALLY_MS and r["errors"] == 0
            out.append(f"a {kind:<9} {part:<8} < {TARGET_TALLY_MS:.0f} ms: median {r['median']:.1f} ms, p95 "
                       f"{r['p95']:.1f} ms ({r['n']} samples) -> {verdict(ok)}")
    for b in info.get("ballots") or []:
        if b.get("error"):
            out.append(f"b {b.get('kind')}: NOT MEASURED")
            continue
        ok = (b["ok"] == b["n"] == b["rows"] == b["distinct_voters"] == b["distinct_cast_by"] == b["by_own_account"]
              and b["counted_answers"] == b["n"] and b["wrong_choice"] == 0 and all(b["counts_ok"].values())
              and b["audit_entries"] == b["n"]
              and b["elapsed_s"] < TARGET_BALLOTS_S)
        out.append(f"b {b['kind']:<9} {b['n']} ballots counted once, within {TARGET_BALLOTS_S:.0f} s: "
                   f"{b['elapsed_s']:.2f} s, {b['rows']} stored, {b['distinct_voters']} voters -> {verdict(ok)}")
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
    out_txt = RESULTS_DIR / f"{stamp}-council-{a.backend}.txt"
    if a.reuse:
        data_dir = Path(a.reuse).resolve()
        if not (data_dir / "secret.key").exists():
            die(f"--reuse {data_dir}: no secret.key there")
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="yijia-council-bench-"))
    db = B.Database(cfg, data_dir)
    port = B.free_port()
    server = B.Server(cfg, db, port, data_dir / "server.log")
    info: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M:%S"), "git": B.git_rev(), "machine": B.machine(),
        "load_start": B.loadavg(), "db": db.describe(), "bin": str(cfg.bin), "notes": [],
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
        row = R.db_rows(db, "select community_id, time_zone from community where code = 'SEED0001'")
        if not row:
            die("community SEED0001 not found")
        c: dict = {"code": "SEED0001", "cid": int(row[0][0]), "tz": row[0][1]}
        today = R.today_in(c["tz"])
        t_setup = time.perf_counter()
        building = building_of(db, c["cid"])
        if building is None:
            building = add_building(db, c["cid"], a.dwellings, today)
            (data_dir / "building.json").write_text(json.dumps(building))
            log(f"building {building['building_id']}: {building['dwellings']} dwellings, {building['owners']} owners "
                f"by headcount, {building['residents']} owners living there")
        c["building"] = building
        info["building"] = {k: v for k, v in building.items() if k != "sole_owners"}
        info["accounts"] = [
            R.create_account(cfg, db, STAFF, "community_staff", "SEED0001", None) + " (community_staff SEED0001)",
            R.create_account(cfg, db, TEMPLATE, "resident", "SEED0001", None)
            + f" (resident SEED0001: cb.p00001..cb.p{a.ballots:05d} copy its password and role)",
        ]
        names = make_people(db, a.ballots)
        sole = building["sole_owners"][:a.ballots]
        others = ints(db, (f"select r.resident_id {adults_sql(c['cid'], today, exclude_building=building['building_id'])} "
                           f"order by r.resident_id limit {max(0, a.ballots - len(sole))}"))
        chosen = sole + others
        if len(chosen) < a.ballots:
            die(f"only {len(chosen)} adults to link {a.ballots} accounts to")
        link(db, names, chosen)
        info["linked"] = {"owners": len(sole), "other_adults": len(others)}
        info["setup_s"] = time.perf_counter() - t_setup
        c["adults"] = int(R.db_one(db, f"select count(*) {adults_sql(c['cid'], today)}") or 0)
        info["adults"] = c["adults"]
        for sql in a.pre_sql:
            log(f"EXPERIMENT: {sql}")
            t0 = time.perf_counter()
            exec_long(db, sql)
            info["notes"].append(f"experiment statement took {time.perf_counter() - t0:.1f} s: {sql}")
        if pg:
            info["db"] += " " + " ".join(
                f"{k}={R.db_one(db, 'show ' + k)}" for k in ("server_version", "shared_buffers", "work_mem",
                                                               "autovacuum", "synchronous_commit"))
        else:
            info["db"] += " (server: WAL, synchronous=NORMAL, per crates/db/src/lib.rs)"
        info["scale"] = {t: int(R.db_one(db, f"select count(*) from {t} where community_id = {c['cid']}") or 0)
                         for t in ("building", "household", "registry_resident", "registry_holding")}

        server.start()
        log(f"server pid {server.pid} on 127.0.0.1:{port}")
        time.sleep(1)
        R.settle(server.pid)
        staff = R.api_token(port, STAFF)
        cookie = R.session_cookie(port, STAFF)
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

        # a: the tally.
        if "tally" in a.scenarios:
            info["tally"] = {}
            series = {kind: {p: Series() for p, _, _ in PARTS} for kind in KINDS}
            runs: dict[str, list] = {kind: [] for kind in KINDS}
            for run in range(a.tally_runs):
                for kind in KINDS:  # interleaved, so a noisy moment spreads over both
                    quiet(f"tally {kind} {run + 1}")
                    r = tally(port, server, db, staff, cookie, c, kind, run, a, pg, series[kind])
                    runs[kind].append(r)
                    log(f"a: {kind} vote {r['vote_id']} ({r['electors']:,} electors, {r['ballots']:,} ballots): "
                        f"open {r['open_ms']:.0f} ms, live p50 {statistics.median(series[kind]['live'].samples):.1f}, "
                        f"close {series[kind]['close'].samples[-1]:.1f}, recount p50 "
                        f"{statistics.median(series[kind]['recount'].samples):.1f} ms")
            for kind in KINDS:
                info["tally"][kind] = {"runs": runs[kind],
                                       "parts": {p: series[kind][p].summary(pg) for p, _, _ in PARTS}}

        # Query plans, with the data as measured (the last tally votes, or none).
        plans = {}
        last = {kind: (info.get("tally") or {}).get(kind, {}).get("runs", [{}])[-1].get("vote_id") for kind in KINDS}
        if last.get("residents"):
            v = last["residents"]
            plans["counted ballots (residents' vote)"] = A.explain(db, COUNTED_BALLOTS_SQL, [("bigint", v)])
            plans["voters (residents' vote)"] = A.explain(db, VOTERS_SQL, [("bigint", v)])
            plans["electors of the page (residents' vote)"] = A.explain(
                db, ELECTORS_PAGE_SQL, [("bigint", v), ("text", ""), ("text", "%%"), ("bigint", 50)])
            acc = R.db_one(db, f"select min(account_id) from council_elector where vote_id = {v} and account_id is not null")
            if acc:
                plans["voter of an account (the ballot's lookup, residents' vote)"] = A.explain(
                    db, VOTER_OF_ACCOUNT_SQL, [("bigint", v), ("bigint", int(acc))])
            plans["ALTERNATIVE: ballots by choice in SQL (residents' vote)"] = A.explain(db, HEADS_SQL, [("bigint", v)])
            plans["ALTERNATIVE: ballots outside the electorate in SQL (residents' vote)"] = A.explain(
                db, OUTSIDE_SQL, [("bigint", v)])
        if last.get("owners"):
            v = last["owners"]
            plans["ALTERNATIVE: ballots and areas by choice in SQL (owners' vote)"] = A.explain(
                db, OWNERS_HEADS_SQL, [("bigint", v)])
            plans["vote units (owners' vote)"] = A.explain(db, VOTE_UNITS_SQL, [("bigint", v)])
            plans["counted ballots (owners' vote)"] = A.explain(db, COUNTED_BALLOTS_SQL, [("bigint", v)])
        plans["snapshot: owners' holdings of the building"] = A.explain(db, HOLDINGS_SQL, [
            ("bigint", c["cid"]), ("text", "building"), ("bigint", building["building_id"]), ("text", ""),
            ("text", today.isoformat())], runs=3)
        plans["snapshot: adults of the community"] = A.explain(db, ADULTS_SQL, [
            ("bigint", c["cid"]), ("text", "community"), ("bigint", None), ("text", ""),
            ("text", born_by(today))], runs=3)
        info["plans"] = plans

        # b: ballots from phones.
        if "ballots" in a.scenarios:
            info["ballots"] = []
            t0 = time.perf_counter()
            toks = parallel(lambda u: R.api_token(port, u), names, max(1, a.setup_workers))
            tokens = dict(zip(names, toks))
            info["tokens_s"] = time.perf_counter() - t0
            log(f"b: {len(tokens)} tokens in {info['tokens_s']:.1f} s")
            used = time.monotonic()
            for kind in a.ballot_votes:
                try:
                    quiet(f"ballots {kind}")
                    if a.token_idle > 0 and time.monotonic() - used < a.token_idle:
                        wait = a.token_idle - (time.monotonic() - used)
                        log(f"b: waiting {wait:.0f} s for the tokens to be idle {a.token_idle:.0f} s")
                        time.sleep(wait)
                    b = ballots(port, server, db, staff, c, kind, tokens, a.ballot_spread, pg)
                    used = time.monotonic()
                    log(f"b: {kind}: {b['n']} ballots, last answer after {b['elapsed_s']:.2f} s, {b['ok']} x 200, "
                        f"{b['rows']} stored, counts agree {b['counts_ok']}")
                except (BenchError, OSError, subprocess.SubprocessError) as e:
                    b = {"kind": kind, "error": str(e)[:500]}
                    log(f"b: {kind}: {e}")
                info["ballots"].append(b)
        info["verdicts"] = verdicts(info)
        info["db_size_mb"] = R.db_size_mb(db)
        info["server_peak_rss_mb"] = B.rss_mb(server.pid, "VmHWM") if server.proc else None
    finally:
        server.stop()
        info["load_end"] = B.loadavg()
        tail = server.log_tail(40)
        if info.get("tally") or info.get("ballots") or info.get("seed"):
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
        print(f"council bench: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("council bench: interrupted", file=sys.stderr)
        sys.exit(130)
