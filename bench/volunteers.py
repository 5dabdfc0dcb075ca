#!/usr/bin/env python3
"""Yijia volunteers benchmark (issue 5's performance targets).

    python3 bench/volunteers.py [--backend sqlite|postgres] [--communities 10 --volunteers 10000 --entries 1000000]

Seeds a fresh database with `yijia seed --volunteers-per-community V --ledger-entries-per-community E`
(timed, then checked: every transaction sums to zero, no volunteer below zero, every sign-up's
minutes equal to its hours entries), creates a community staff member of SEED0001 and the
volunteers who check in, starts `yijia serve`, and measures:

  a  balance and history   staff: GET /api/v1/volunteers/{id}/ledger?ledger=hours|points and
                           GET /api/v1/volunteers/{id} (both balances, teams, sign-ups), for the
                           busiest volunteer of SEED0001, a typical one and random ones     p95 < 20 ms
  b  check-in              --checkins (500) volunteers signed up to one shift (capacity 500)
                           scan its code at once: POST /api/v1/volunteers/checkin
                           {"token": ...}; elapsed until the last answer, and how many the
                           database recorded                                 all recorded, < 60 s
  c  hours report          staff: GET /api/v1/communities/{id}/volunteer-report?year=Y&month=M
                           (the hours by team and by grid of the last full month, reports::build)
                           and the page /volunteers/reports, one at a time, --report-runs each;
                           the same for this year and last year                median < 300 ms

a one request at a time (rounds interleaved, as registry.py) and with wrk at low concurrency;
the query plans of the balance, history and report statements go to the report.

Standard library only; reuses bench.py's, registry.py's and appeals.py's helpers. Everything
talks to 127.0.0.1. See bench/README.md, section "Volunteers".
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as _dt
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appeals as A  # noqa: E402  (the seed with extra flags, explain, log_errors)
import bench as B  # noqa: E402  (Server, Database, /proc helpers)
import registry as R  # noqa: E402  (accounts, tokens, db access, the sequential measurement, wrk)

RESULTS_DIR = B.RESULTS_DIR

TARGET_LEDGER_P95_MS = 20.0
TARGET_CHECKIN_S = 60.0
TARGET_REPORT_MS = 300.0

READ_SCENARIOS = ["ledger_busiest", "ledger_typical", "ledger_random", "points_busiest", "volunteer_busiest",
                  "volunteer_typical"]
SCENARIOS = READ_SCENARIOS + ["checkin", "report"]
LETTER = {**{s: "a" for s in READ_SCENARIOS}, "checkin": "b", "report": "c"}
STAFF = "vb.staff"
TEMPLATE = "vb.template"


def log(msg: str) -> None:
    print(f"[volunteers {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(B.BenchError):
    pass


def die(msg: str) -> None:
    raise BenchError(msg)


# ---------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/volunteers.py",
        description="Volunteers benchmark: balance and history, 500 check-ins at once, the hours report. "
                    "See bench/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default=os.environ.get("BENCH_DB", "sqlite"))
    p.add_argument("--communities", type=int, default=10, help="yijia seed --communities")
    p.add_argument("--volunteers", type=int, default=10000, help="yijia seed --volunteers-per-community")
    p.add_argument("--entries", type=int, default=1_000_000, help="yijia seed --ledger-entries-per-community")
    p.add_argument("--residents", type=int, default=2000,
                   help="yijia seed --residents-per-community (the first volunteers are these residents)")
    p.add_argument("--bin", default=os.environ.get("YIJIA_BIN", str(B.REPO / "target" / "release" / "yijia")),
                   help="binary under test (copy it away from target/ if others build meanwhile)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--pg-db", default="yijia_bench_vol", help="dropped and re-created (unless --reuse)")
    p.add_argument("--seed-via-sqlite", action="store_true",
                   help="postgres: seed a SQLite file and move it with yijia backup / restore (as appeals.py)")
    p.add_argument("--no-seed-check", action="store_true",
                   help="skip the whole-ledger checks after the seed (tens of seconds at 10 million entries)")
    p.add_argument("--requests", type=int, default=600,
                   help="sequential requests per read scenario, spread over --rounds interleaved rounds")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--random-volunteers", type=int, default=300, help="volunteers ledger_random cycles over")
    p.add_argument("--wrk-duration", type=int, default=5, help="seconds of wrk per read scenario (0: no wrk)")
    p.add_argument("--wrk-connections", type=int, default=4)
    p.add_argument("--checkins", type=int, default=500, help="volunteers checking in to one shift (b)")
    p.add_argument("--checkin-spread", default="0",
                   help="seconds over which the check-ins are spread, comma-separated for several runs (each on "
                        "its own activity): 0 sends them all at once, 60 about evenly over a minute")
    p.add_argument("--setup-workers", type=int, default=4, help="parallel requests while preparing b")
    p.add_argument("--report-runs", type=int, default=15, help="requests per report target (c)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    p.add_argument("--seed-timeout", type=int, default=60 * 60, help="seconds")
    p.add_argument("--pre-sql", action="append", default=[],
                   help="an SQL statement run after the seed, before serving (an EXPERIMENT); repeatable")
    p.add_argument("--keep", action="store_true", help="keep the data dir (and the PostgreSQL database)")
    p.add_argument("--reuse", metavar="DIR",
                   help="a data dir kept by an earlier --keep run: skip the seed (with postgres, --pg-db must "
                        "name the kept database); the check-in adds an activity and its volunteers each time")
    p.add_argument("--quiet-wait", type=float, default=0.0,
                   help="before each block, wait up to this many seconds for the machine to be under 10%% busy")
    a = p.parse_args(argv)
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    bad = [s for s in a.scenarios if s not in SCENARIOS]
    if bad:
        p.error(f"unknown scenario(s) {bad}; known: {SCENARIOS}")
    if min(a.communities, a.volunteers, a.rounds, a.checkins, a.report_runs) < 1 or a.entries < 0 \
            or a.requests < a.rounds:
        p.error("--communities, --volunteers, --rounds, --checkins, --report-runs must be >= 1, "
                "--requests >= --rounds")
    try:
        a.checkin_spread = [float(x) for x in str(a.checkin_spread).split(",") if x.strip()]
    except ValueError:
        p.error("--checkin-spread: comma-separated seconds")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.pg_db) or a.pg_db.startswith("yijia_t_"):
        p.error("--pg-db: lower-case letters, digits and _, not yijia_t_* (the test suites' databases)")
    a.appeals = 0  # appeals.seed's flag: no appeals here
    return a


def seed_flags(a: argparse.Namespace) -> tuple[str, ...]:
    return ("--volunteers-per-community", str(a.volunteers), "--ledger-entries-per-community", str(a.entries))


# ---------------------------------------------------------------- database access


def db_long(db: B.Database, sql: str, timeout: float = 1800) -> list[list[str]]:
    """Every row of a query that may run for minutes (whole-ledger checks): registry.db_rows
    with a longer time limit on PostgreSQL."""
    if not db.url:
        return R.db_rows(db, sql)
    r = subprocess.run(["psql", db.url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        die(f"psql: {r.stderr.strip()[-500:]}")
    return [line.split("|") for line in r.stdout.splitlines() if line]


def db_exec_long(db: B.Database, sql: str, timeout: float = 1800) -> None:
    """registry.db_exec with a longer time limit on PostgreSQL (an experiment's `vacuum analyze`)."""
    if not db.url:
        R.db_exec(db, sql)
        return
    r = subprocess.run(["psql", db.url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        die(f"psql: {r.stderr.strip()[-500:]}")


def seed_check(db: B.Database) -> dict:
    """The ledger as the seed left it: transactions that do not sum to zero and accounts below
    their floor (repo::unbalanced, as of this commit), sign-ups whose minutes differ from the
    hours credited to their volunteer, and activities whose totals differ from their sign-ups'."""
    t0 = time.perf_counter()
    unbalanced = db_long(db, (
        "select (select count(*) from (select txn_id from vol_entry group by txn_id having sum(amount) <> 0) x), "
        "(select count(*) from (select a.ledger_account_id from vol_ledger_account a join vol_entry e "
        "on e.ledger_account_id = a.ledger_account_id where a.floor is not null "
        "group by a.ledger_account_id, a.floor having sum(e.amount) < a.floor) y)"))[0]
    minutes = db_long(db, (
        "select count(*) from vol_signup u where coalesce(u.minutes, 0) <> coalesce((select sum(e.amount) "
        "from vol_txn t join vol_entry e on e.txn_id = t.txn_id join vol_ledger_account a "
        "on a.ledger_account_id = e.ledger_account_id where t.signup_id = u.signup_id and t.ledger = 'hours' "
        "and a.holder = 'volunteer'), 0)"))[0][0]
    totals = db_long(db, (
        "select count(*) from vol_activity a where a.minutes <> coalesce((select sum(u.minutes) from vol_signup u "
        "where u.activity_id = a.activity_id), 0) or a.attendances <> (select count(*) from vol_signup u "
        "where u.activity_id = a.activity_id and u.minutes > 0)"))[0][0]
    return {"unbalanced_txns": int(unbalanced[0]), "below_floor": int(unbalanced[1]),
            "minutes_mismatch": int(minutes), "totals_mismatch": int(totals), "s": time.perf_counter() - t0}


def scale(db: B.Database, cid: int) -> dict:
    out: dict = {}
    for t in ("community", "volunteer", "vol_team", "vol_activity", "vol_shift", "vol_signup", "vol_txn",
              "vol_entry", "account", "registry_resident"):
        v = R.db_one(db, f"select count(*) from {t}")
        out[t] = int(v) if v and v.isdigit() else None
    for t in ("volunteer", "vol_activity", "vol_signup"):
        out[f"{t}_seed1"] = int(R.db_one(db, f"select count(*) from {t} where community_id = {cid}") or 0)
    out["vol_entry_seed1"] = int(R.db_one(db, f"select count(*) from vol_entry e join vol_txn t on "
                                              f"t.txn_id = e.txn_id where t.community_id = {cid}") or 0)
    return out


def busiest_and_typical(db: B.Database, cid: int) -> tuple[int, int]:
    """The volunteer of the community with the most served sign-ups, and one at the median."""
    rows = R.db_rows(db, f"select volunteer_id, count(*) from vol_signup where community_id = {cid} "
                         "and minutes is not null group by volunteer_id")
    served = sorted(((int(n), int(v)) for v, n in rows), reverse=True)
    if not served:
        die("no served sign-ups in SEED0001: did the seed write ledger entries (--entries)?")
    return served[0][1], served[len(served) // 2][1]


def ledger_of(db: B.Database, vid: int) -> dict:
    """A volunteer's balances and entry counts, summed plainly."""
    out = {}
    for ledger in ("hours", "points"):
        n, total = R.db_rows(db, (
            "select count(*), coalesce(sum(e.amount), 0) from vol_entry e join vol_ledger_account a "
            f"on a.ledger_account_id = e.ledger_account_id where a.volunteer_id = {vid} and a.ledger = '{ledger}'"))[0]
        out[ledger] = {"entries": int(n), "balance": int(total)}
    return out


# ---------------------------------------------------------------- checks of the answers


def make_checks(expect: dict[int, dict]):
    """Checks of each read answer against the plain sums: the right balance and entries."""

    def ledger(which: str):
        def check(body: bytes) -> int:
            data = json.loads(body)
            vid = data.get("_vid")  # not sent by the server: filled in by Rotating
            items = data["items"]
            if vid is not None:
                e = expect[vid][which]
                if data["balance"] != e["balance"]:
                    raise ValueError(f"balance {data['balance']}, the database sums {e['balance']}")
                if len(items) != min(50, e["entries"]):
                    raise ValueError(f"{len(items)} entries, the database has {e['entries']}")
            ids = [i["entry_id"] for i in items]
            if ids != sorted(ids, reverse=True):
                raise ValueError("entries not latest first")
            return len(items)
        return check

    def summary(body: bytes) -> int:
        data = json.loads(body)
        vid = data["volunteer"]["volunteer_id"]
        if vid in expect and (data["minutes"], data["points"]) != (expect[vid]["hours"]["balance"],
                                                                    expect[vid]["points"]["balance"]):
            raise ValueError(f"minutes/points {data['minutes']}/{data['points']}, the database sums "
                             f"{expect[vid]['hours']['balance']}/{expect[vid]['points']['balance']}")
        return len(data.get("signups") or [])

    return {"hours": ledger("hours"), "points": ledger("points"), "summary": summary}


class Rotating(R.Target):
    """A scenario over many volunteers: registry.measure_sequential asks for `path` before each
    request, and gets the next volunteer's."""

    def __init__(self, key: str, scenario: str, community: str, paths: list[str], headers: dict[str, str],
                 check) -> None:
        self.paths, self.i = paths, 0
        super().__init__(key, scenario, community, paths[0], headers, check)

    @property
    def path(self) -> str:
        self.i = (self.i + 1) % len(self.paths)
        return self.paths[self.i]

    @path.setter
    def path(self, value: str) -> None:  # registry.Target.__init__ sets it
        pass


# ---------------------------------------------------------------- b: check-in


def local_minute(tz_name: str, minutes_from_now: int) -> str:
    """`YYYY-MM-DDTHH:MM` in the community's time zone (the activity form's datetime-local)."""
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(tz_name or "Asia/Shanghai")
    except Exception:  # noqa: BLE001  (no tz database: UTC+8)
        tz = _dt.timezone(_dt.timedelta(hours=8))
    return (_dt.datetime.now(tz) + _dt.timedelta(minutes=minutes_from_now)).strftime("%Y-%m-%dT%H:%M")


def make_people(cfg, db: B.Database, n: int, start: int) -> list[str]:
    """`n` volunteer accounts of SEED0001 (vb.v<start>..), made by copying `vb.template` (made with
    `yijia admin create`, role volunteer): its password hash and role. One CLI call per account
    would hash the password 500 times for nothing."""
    names = [f"vb.v{i:05d}" for i in range(start, start + n)]
    # A derived table of the names both databases read alike.
    usernames = " union all ".join(f"select '{u}' as u" for u in names)
    R.db_exec(db, (
        "insert into account (username, display_name, phone, password_hash, locale, status, must_change_password, "
        "created_at, updated_at, password_changed_at) "
        "select v.u, v.u, '', t.password_hash, t.locale, t.status, 0, t.created_at, t.updated_at, "
        f"t.password_changed_at from ({usernames}) v, account t where t.username = '{TEMPLATE}'"))
    R.db_exec(db, (
        "insert into account_role (account_id, role, scope_kind, scope_id, district_id, subdistrict_id, "
        "community_id, grid_id, created_at) "
        "select a.account_id, r.role, r.scope_kind, r.scope_id, r.district_id, r.subdistrict_id, r.community_id, "
        "r.grid_id, r.created_at from account a, account_role r join account t on t.account_id = r.account_id "
        f"where t.username = '{TEMPLATE}' and a.username in (select u from ({usernames}) v)"))
    return names


def parallel(fn, items: list, workers: int) -> list:
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, items))


def prepare_checkin(port: int, db: B.Database, cfg, c: dict, staff: str, a: argparse.Namespace, run: int) -> dict:
    """An activity starting in 20 minutes (check-in opens an hour before), one shift of capacity
    --checkins, and as many new volunteers signed up to it through the API, each with a token."""
    out: dict = {"run": run}
    t0 = time.perf_counter()
    names = make_people(cfg, db, a.checkins, 1 + (run + c["reused_runs"]) * a.checkins)
    out["accounts_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tokens = parallel(lambda u: R.api_token(port, u), names, max(1, min(a.setup_workers, 2)))
    out["tokens_s"] = time.perf_counter() - t0
    log(f"b: {len(tokens)} volunteer tokens in {out['tokens_s']:.1f} s (one Argon2 verification each)")

    def register(i_tok):
        i, tok = i_tok
        return A.api(port, tok, "POST", "/api/v1/volunteers",
                     {"community": str(c["cid"]), "name": f"签到{run}-{i}", "birth_date": "1990-05-01"},
                     expect=(201,))["volunteer_id"]

    t0 = time.perf_counter()
    out["volunteer_ids"] = parallel(register, list(enumerate(tokens)), a.setup_workers)
    out["register_s"] = time.perf_counter() - t0
    act = A.api(port, staff, "POST", "/api/v1/volunteer-activities", {
        "community": str(c["cid"]), "title": f"基准签到 {run}", "kind": "other", "place": "社区广场",
        "starts": local_minute(c["tz"], 20), "ends": local_minute(c["tz"], 140), "shifts": "1",
        "capacity": str(a.checkins)}, expect=(201,))
    out["activity_id"] = aid = act["activity"]["activity_id"]
    shift = act["shifts"][0]["shift_id"]
    t0 = time.perf_counter()
    statuses = parallel(lambda tok: A.api(port, tok, "POST", f"/api/v1/volunteer-activities/{aid}/signups",
                                          {"shift": shift}, expect=(201,))["status"], tokens, a.setup_workers)
    out["signup_s"] = time.perf_counter() - t0
    confirmed = sum(1 for s in statuses if s == "confirmed")
    if confirmed != a.checkins:
        die(f"b: {confirmed} of {a.checkins} sign-ups confirmed (capacity {a.checkins}): {set(statuses)}")
    log(f"b: activity {aid}: {a.checkins} volunteers registered in {out['register_s']:.1f} s and signed up in "
        f"{out['signup_s']:.1f} s")
    out["tokens"] = tokens
    return out


def wait_reminders(db: B.Database, aid: int, limit: float = 150) -> float:
    """The shift starts within a day: the server's minute tick sends every volunteer a reminder,
    one transaction each. Waits for that to be over, so it is not measured with the check-ins."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        left = int(R.db_one(db, f"select count(*) from vol_signup where activity_id = {aid} "
                                "and reminded_at is null") or 0)
        if left == 0:
            break
        time.sleep(2)
    return time.perf_counter() - t0


def checkin(port: int, server: B.Server, db: B.Database, staff: str, prep: dict, spread: float, pg: bool) -> dict:
    """Every prepared volunteer scans the activity's check-in code: all at once (one thread and
    one open connection each, released together), or spread evenly over `spread` seconds."""
    aid, tokens = prep["activity_id"], prep["tokens"]
    n = len(tokens)
    code = A.api(port, staff, "GET", f"/api/v1/volunteer-activities/{aid}/code?purpose=in")["token"]
    threading.stack_size(256 * 1024)
    go = threading.Barrier(n + 1)
    results: list = [None] * n

    def one(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        body = json.dumps({"token": code}).encode()
        headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
        try:
            conn.connect()
            go.wait()
            if spread:
                time.sleep(spread * i / n)
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/volunteers/checkin", body, headers)
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
    cpu0, pg0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0
    go.wait(timeout=120)
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - start
    cpu1, pg1 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0
    threading.stack_size(0)
    done = [r for r in results if r]
    lat = sorted((r[2] - r[1]) * 1000 for r in done)
    statuses: dict[str, int] = {}
    for r in done:
        statuses[str(r[0])] = statuses.get(str(r[0]), 0) + 1
    bad = [r[3].decode("utf-8", "replace") for r in done if r[0] != 200][:3]
    recorded = int(R.db_one(db, f"select count(*) from vol_signup where activity_id = {aid} "
                                "and checked_in_at is not null") or 0)
    return {
        "activity_id": aid, "n": n, "spread_s": spread, "elapsed_s": max((r[2] for r in done), default=start) - start,
        "wall_s": wall, "ok": statuses.get("200", 0), "statuses": statuses, "recorded": recorded,
        "p50": R.pct(lat, 50), "p95": R.pct(lat, 95), "max": lat[-1] if lat else None,
        "srv_cpu_ms": (cpu1 - cpu0) * 1000 / n, "db_cpu_ms": (pg1 - pg0) * 1000 / n if pg else None,
        "bad_sample": bad, "server_log": A.log_errors(server.log_path, log_offset),
        "setup": {k: v for k, v in prep.items() if k.endswith("_s")},
    }


# ---------------------------------------------------------------- c: the report


def period_bounds_ms(year: int, month: int | None, tz_name: str) -> tuple[int, int]:
    """The instants a local year, or one month of it, begins and ends at (reports::bounds)."""
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(tz_name or "Asia/Shanghai")
    except Exception:  # noqa: BLE001
        tz = _dt.timezone(_dt.timedelta(hours=8))
    at = lambda y, m: int(_dt.datetime(y, m, 1, tzinfo=tz).timestamp() * 1000)  # noqa: E731
    if month is None:
        return at(year, 1), at(year + 1, 1)
    return at(year, month), (at(year, month + 1) if month < 12 else at(year + 1, 1))


def report_minutes(db: B.Database, cid: int, lo: int, hi: int) -> int:
    return int(R.db_one(db, (
        "select coalesce(sum(u.minutes), 0) from vol_activity a join vol_signup u on u.activity_id = a.activity_id "
        f"where a.community_id = {cid} and a.starts_at >= {lo} and a.starts_at < {hi} and a.status = 'published' "
        "and u.status = 'confirmed'")) or 0)


def measure_report(port: int, server: B.Server, targets: list[dict], runs: int, pg: bool) -> None:
    """Each report target `runs` times, one at a time, interleaved; the first answer of each is
    checked against the plain sum of its period's minutes and not counted (a cold start)."""
    clients = {t["key"]: R.Client(port, t["headers"], timeout=300) for t in targets}
    for t in targets:
        status, body = clients[t["key"]].get(t["path"])
        t["status"] = status
        if status != 200:
            t["error"] = f"answered {status}: {body[:200]!r}"
            continue
        t["bytes"] = len(body)
        if t["kind"] == "page" and "<html" not in body.decode("utf-8", "replace").lower():
            t["error"] = f"not a page: {body[:200]!r}"
            continue
        if t["kind"] == "api":
            data = json.loads(body)
            got = data["total"]["total"]
            if got != t["expect_minutes"]:
                die(f"c: {t['key']}: total {got} minutes, the database sums {t['expect_minutes']}")
            t["teams"] = len(data["by_team"])
            t["activities"] = sum(data["held"])
        t["samples"], t["cpu_s"], t["pg_cpu_s"] = [], 0.0, 0.0
    live = [t for t in targets if "error" not in t]
    for _ in range(runs):
        for t in live:
            R.settle(server.pid)
            cpu0, pg0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0
            t0 = time.perf_counter()
            status, _ = clients[t["key"]].get(t["path"])
            t["samples"].append((time.perf_counter() - t0) * 1000)
            t["cpu_s"] += (B.cpu_seconds(server.pid) or 0.0) - cpu0
            t["pg_cpu_s"] += (B.postgres_cpu() if pg else 0.0) - pg0
            if status != 200:
                t["errors"] = t.get("errors", 0) + 1
    for c in clients.values():
        c.close()
    for t in live:
        s = sorted(t["samples"])
        t.update({"median": statistics.median(s), "p95": R.pct(s, 95), "min": s[0], "max": s[-1],
                  "srv_cpu_ms": t["cpu_s"] * 1000 / len(s), "db_cpu_ms": t["pg_cpu_s"] * 1000 / len(s) if pg else None})


# ---------------------------------------------------------------- the statements (for the plans)

# Copies of repo/ledger.rs (BALANCE, history) and repo/reports.rs (held, top) as of this commit;
# keep them in step.
BALANCE_SQL = "select cast(coalesce(sum(amount), 0) as bigint) from vol_entry where ledger_account_id = $1"
HISTORY_SQL = (
    "select e.entry_id, e.txn_id, e.amount, t.kind, t.memo, t.activity_id, a.title, t.created_at "
    "from vol_entry e join vol_txn t on t.txn_id = e.txn_id left join vol_activity a on a.activity_id = t.activity_id "
    "where e.ledger_account_id = $1 and e.entry_id < $2 order by e.entry_id desc limit $3")
HELD_SQL = (
    "select activity_id, team_id, kind, starts_at, served, minutes, attendances from vol_activity "
    "where community_id = $1 and starts_at >= $2 and starts_at < $3 and status = 'published'")
TOP_SQL = (
    "select v.volunteer_id, v.name, x.minutes, x.activities from "
    "(select u.volunteer_id, cast(sum(u.minutes) as bigint) as minutes, count(*) as activities "
    "from vol_activity a join vol_signup u on u.activity_id = a.activity_id "
    "where a.community_id = $1 and a.starts_at >= $2 and a.starts_at < $3 and u.status = 'confirmed' "
    "and u.minutes > 0 group by u.volunteer_id order by 2 desc limit $4) x "
    "join volunteer v on v.volunteer_id = x.volunteer_id order by x.minutes desc, v.volunteer_id")


# ---------------------------------------------------------------- report


f = R.f
verdict = R.verdict


def render(a, info: dict) -> str:
    L: list[str] = []
    add = L.append
    s = info.get("scale", {})
    sd = info.get("seed", {})
    add(f"Yijia volunteers benchmark, {info['started']}   git {info['git']}")
    add(f"binary    {info['bin']} (built {info['bin_mtime']})")
    add(f"machine   {info['machine']}; load average at start {info['load_start']}, at end {info.get('load_end', '?')}")
    add("          the Python client (and wrk) share these cores with the server (and PostgreSQL): compare "
        "figures within one run.")
    add(f"database  {info['db']}   size {f(info.get('db_size_mb'), '.0f')} MB")
    add(f"data      {f(s.get('volunteer'), ',d')} volunteers, {f(s.get('vol_entry'), ',d')} ledger entries, "
        f"{f(s.get('vol_txn'), ',d')} transactions, {f(s.get('vol_signup'), ',d')} sign-ups, "
        f"{f(s.get('vol_activity'), ',d')} activities in {f(s.get('community'), 'd')} communities; SEED0001 "
        f"(measured): {f(s.get('volunteer_seed1'), ',d')} volunteers, {f(s.get('vol_entry_seed1'), ',d')} entries, "
        f"{f(s.get('vol_signup_seed1'), ',d')} sign-ups, {f(s.get('vol_activity_seed1'), ',d')} activities")
    add(f"          (seed --communities {a.communities} --volunteers-per-community {a.volunteers} "
        f"--ledger-entries-per-community {a.entries} --residents-per-community {a.residents})")
    if sd.get("wall_s"):
        add(f"seed      {sd['wall_s']:.1f} s wall for everything (structure, {a.residents} residents a community, "
            f"volunteers) = {(s.get('vol_entry') or 0) / sd['wall_s']:,.0f} entries/s; seed CPU "
            f"{f(sd.get('cpu_s'))} s; peak RSS {f(sd.get('peak_rss_mb'), '.0f')} MB")
        lines = sd.get("volunteer_lines") or []
        for line in lines[:3] + (["..."] if len(lines) > 4 else []) + lines[3:][-1:]:
            add(f"          {line}")
        if sd.get("via"):
            add(f"          via SQLite: backup {f(sd.get('backup_s'))} s, restore {f(sd.get('restore_s'))} s, "
                f"analyze {f(sd.get('analyze_s'))} s")
    elif info.get("reused"):
        add(f"seed      reused {info['reused']} (no seed in this run)")
    ck = info.get("seed_check")
    if ck:
        add(f"ledger    after the seed ({ck['s']:.0f} s to check): {ck['unbalanced_txns']} transactions not summing to "
            f"zero, {ck['below_floor']} accounts below their floor, {ck['minutes_mismatch']} sign-ups whose minutes "
            f"differ from their hours entries, {ck.get('totals_mismatch')} activities whose totals differ from "
            f"their sign-ups'")
    for sql in a.pre_sql:
        add(f"EXPERIMENT before serving: {sql}")
    add(f"accounts  {', '.join(info.get('accounts', []))}")
    for role, v in (info.get("volunteers") or {}).items():
        add(f"volunteer {role}: {v['id']} ({v['hours']['entries']} hours entries, balance {v['hours']['balance']} min; "
            f"{v['points']['entries']} points entries, balance {v['points']['balance']})")
    hz = info.get("healthz")
    if hz:
        add(f"baseline  GET /healthz one at a time: p50 {hz['p50']:.2f} ms, p95 {hz['p95']:.2f} ms "
            "(loopback + HTTP + the Python client: included below)")
    if info["targets"]:
        add("")
        per = max(1, a.requests // a.rounds)
        add(f"a  One request at a time ({a.rounds} interleaved rounds of {per} on one keep-alive connection), as "
            f"{STAFF}:")
        hdr = (f"{'':2}{'scenario':<19}{'items':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
               f"{'p95 rounds':>20}{'target':>8}{'p95/tgt':>9}{'srv CPU':>9}{'db CPU':>8}{'others':>8}{'err':>5}")
        add(hdr)
        add("-" * len(hdr))
        for t in info["targets"]:
            target = t.get("target_ms")
            rounds = "/".join(f"{x:.1f}" for x in t["rounds_p95"])
            add(f"{'a':<2}{t['scenario']:<19}{f(t['items'], 'd'):>6}"
                f"{t['p50']:>9.2f}{t['p95']:>9.2f}{t['p99']:>9.2f}{t['max']:>9.1f}{rounds:>20}"
                f"{f(target, '.0f'):>8}{(f(100 * t['p95'] / target, '.0f') + '%') if target else '-':>9}"
                f"{f(t['srv_cpu_ms'], '.2f'):>9}{f(t.get('db_cpu_ms'), '.2f', '-'):>8}"
                f"{f(t['others_pct'], '.0f') + '%':>8}{t['errors']:>5}")
        for t in info["targets"]:
            add(f"   {t['scenario']}: {t['path']}")
        add("srv CPU / db CPU: CPU ms per request of the yijia process / of all postgres processes; others: share "
            "of all cores busy with anything else (noise).")
    if any(t.get("wrk") for t in info["targets"]):
        add("")
        add(f"a  wrk -t1 -c{a.wrk_connections} -d{a.wrk_duration}s (after 2 s of warm-up): includes queueing.")
        hdr2 = f"{'':2}{'scenario':<19}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
        add(hdr2)
        add("-" * len(hdr2))
        for t in info["targets"]:
            w = t.get("wrk")
            if not w:
                continue
            if "error" in w:
                add(f"{'a':<2}{t['scenario']:<19}  FAILED: {w['error'][:200]}")
                continue
            errs = sum(w.get(k, 0) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
            add(f"{'a':<2}{t['scenario']:<19}{w['rps']:>9.1f}{w['p50_ms']:>9.2f}"
                f"{w['p95_ms']:>9.2f}{w['p99_ms']:>9.2f}{w['max_ms']:>9.1f}{errs:>8}")
    for ci in info.get("checkin") or []:
        add("")
        if ci.get("error"):
            add(f"b  check-in NOT MEASURED: {ci['error']}")
            continue
        how = "all at once" if not ci["spread_s"] else f"spread over {ci['spread_s']:.0f} s"
        add(f"b  check-in: {ci['n']} volunteers scan the code of activity {ci['activity_id']} {how} "
            f"(POST /api/v1/volunteers/checkin, one connection each): last answer after {ci['elapsed_s']:.2f} s; "
            f"{ci['ok']} answered 200 {ci['statuses']}; recorded in the database: {ci['recorded']}")
        add(f"          latency p50 {f(ci['p50'], '.0f')} ms, p95 {f(ci['p95'], '.0f')} ms, max {f(ci['max'], '.0f')} ms; "
            f"server CPU {f(ci['srv_cpu_ms'], '.2f')} ms/check-in"
            + (f", PostgreSQL CPU {f(ci.get('db_cpu_ms'), '.2f')} ms/check-in" if ci.get("db_cpu_ms") is not None else ""))
        st = ci.get("setup") or {}
        add(f"          setup (not measured): accounts {f(st.get('accounts_s'))} s, tokens {f(st.get('tokens_s'))} s, "
            f"registration {f(st.get('register_s'))} s, sign-up {f(st.get('signup_s'))} s, reminders sent by the "
            f"server's tick {f(ci.get('reminders_s'))} s")
        for k, v in (ci.get("server_log") or {}).items():
            add(f"          server log x{v}: {k}")
        for b in ci.get("bad_sample") or []:
            add(f"          e.g. {b[:200]}")
    if info.get("report"):
        add("")
        add(f"c  hours report, one request at a time, {a.report_runs} each after a checked first answer, as {STAFF}:")
        hdr3 = (f"{'':2}{'target':<22}{'median':>9}{'p95 ms':>9}{'min ms':>9}{'max ms':>9}{'target':>8}"
                f"{'srv CPU':>9}{'db CPU':>8}  answer")
        add(hdr3)
        add("-" * len(hdr3))
        for t in info["report"]:
            if "error" in t:
                add(f"{'c':<2}{t['key']:<22}  NOT MEASURED: {t['error'][:160]}")
                continue
            ans = (f"{t['activities']:,} activities, {t['expect_minutes'] / 60:,.0f} h, {t['teams']} team lines"
                   if t["kind"] == "api" else f"{t['bytes']:,} bytes")
            add(f"{'c':<2}{t['key']:<22}{t['median']:>9.1f}{t['p95']:>9.1f}{t['min']:>9.1f}{t['max']:>9.1f}"
                f"{TARGET_REPORT_MS:>8.0f}{f(t['srv_cpu_ms'], '.1f'):>9}{f(t.get('db_cpu_ms'), '.1f', '-'):>8}  {ans}")
        for t in info["report"]:
            add(f"   {t['key']}: {t['path']}")
    add("")
    add("Targets (the issue):")
    for line in info.get("verdicts", []):
        add(f"  {line}")
    if info.get("plans"):
        add("")
        add("Query plans (statements as repo::balance, repo::history and repo::reports write them; db-only time):")
        for key, pl in info["plans"].items():
            add(f"--- {key}: db-only {f(pl.get('db_ms'), '.2f')} ms {pl.get('note', '')}"
                + (f" rows {pl['rows']}" if 'rows' in pl else ""))
            add(pl.get("plan") or pl.get("error", ""))
    if info.get("notes"):
        add("")
        for n in info["notes"]:
            add(f"note: {n}")
    return "\n".join(L) + "\n"


def verdicts(info: dict) -> list[str]:
    out = []
    for t in info["targets"]:
        wrk = t.get("wrk") or {}
        out.append(f"a {t['scenario']:<19} p95 < {TARGET_LEDGER_P95_MS:.0f} ms: one at a time {t['p95']:.2f} ms "
                   f"(p50 {t['p50']:.2f}) -> {verdict(t['p95'] < TARGET_LEDGER_P95_MS)}"
                   + (f"; wrk -c{info['wrk_c']} p95 {wrk['p95_ms']:.2f} ms" if wrk.get("p95_ms") is not None else ""))
    for ci in info.get("checkin") or []:
        if ci.get("error"):
            continue
        ok = ci["recorded"] == ci["n"] and ci["ok"] == ci["n"] and ci["elapsed_s"] < TARGET_CHECKIN_S
        how = f" (spread over {ci['spread_s']:.0f} s)" if ci["spread_s"] else " (all at once)"
        out.append(f"b check-in            {ci['n']} within {TARGET_CHECKIN_S:.0f} s, all recorded: "
                   f"{ci['elapsed_s']:.2f} s, {ci['recorded']} recorded{how} -> {verdict(ok)}")
    for t in info.get("report") or []:
        if "error" in t:
            continue
        out.append(f"c {t['key']:<19} median < {TARGET_REPORT_MS:.0f} ms: {t['median']:.1f} ms (p95 {t['p95']:.1f}) "
                   f"-> {verdict(t['median'] < TARGET_REPORT_MS)}")
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
    out_txt = RESULTS_DIR / f"{stamp}-volunteers-{a.backend}.txt"
    if a.reuse:
        data_dir = Path(a.reuse).resolve()
        if not (data_dir / "secret.key").exists():
            die(f"--reuse {data_dir}: no secret.key there")
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="yijia-volunteers-bench-"))
    db = B.Database(cfg, data_dir)
    port = B.free_port()
    server = B.Server(cfg, db, port, data_dir / "server.log")
    info: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M:%S"), "git": B.git_rev(), "machine": B.machine(),
        "load_start": B.loadavg(), "db": db.describe(), "bin": str(cfg.bin), "targets": [], "notes": [],
        "bin_mtime": _dt.datetime.fromtimestamp(cfg.bin.stat().st_mtime).strftime("%Y-%m-%d %H:%M"),
        "args": vars(a), "wrk_c": a.wrk_connections,
    }
    raw: list[str] = []

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
            if pg and a.seed_via_sqlite:
                info["seed"] = A.seed_via_sqlite(cfg, db, a, seed_flags(a))
            else:
                info["seed"] = A.seed(cfg, db, a, seed_flags(a))
            log(f"seeded in {info['seed']['wall_s']:.1f} s, peak RSS {f(info['seed'].get('peak_rss_mb'), '.0f')} MB")
            seed_log = (data_dir / "seed.log").read_text(errors="replace").splitlines()
            info["seed"]["volunteer_lines"] = [x for x in seed_log if x.startswith("volunteers: SEED")]
            if not a.no_seed_check:
                info["seed_check"] = seed_check(db)
                log(f"ledger checked in {info['seed_check']['s']:.0f} s: {info['seed_check']}")
        for sql in a.pre_sql:
            log(f"EXPERIMENT: {sql}")
            t0 = time.perf_counter()
            db_exec_long(db, sql)
            info["notes"].append(f"experiment statement took {time.perf_counter() - t0:.1f} s: {sql}")
        if pg:
            info["db"] += " " + " ".join(
                f"{k}={R.db_one(db, 'show ' + k)}" for k in ("server_version", "shared_buffers", "work_mem",
                                                               "autovacuum", "synchronous_commit"))
            info["db"] += ("; vol_entry last analyzed: " + (R.db_one(
                db, "select coalesce(greatest(last_analyze, last_autoanalyze)::text, 'never') from pg_stat_user_tables "
                    "where relname = 'vol_entry'") or "?"))
        else:
            info["db"] += " (server: WAL, synchronous=NORMAL, per crates/db/src/lib.rs)"

        row = R.db_rows(db, "select community_id, time_zone from community where code = 'SEED0001'")
        if not row:
            die("community SEED0001 not found")
        c = {"code": "SEED0001", "cid": int(row[0][0]), "tz": row[0][1]}
        # Check-in runs of an earlier --keep run made vb.v00001..: carry on after them.
        c["reused_runs"] = int(R.db_one(db, "select count(*) from account where username like 'vb.v%'") or 0) \
            // a.checkins
        info["accounts"] = [
            R.create_account(cfg, db, STAFF, "community_staff", "SEED0001", None) + " (community_staff SEED0001)",
            R.create_account(cfg, db, TEMPLATE, "volunteer", "SEED0001", None)
            + " (volunteer SEED0001: the check-in volunteers vb.v* copy its password and role)",
        ]
        busiest, typical = busiest_and_typical(db, c["cid"])
        info["volunteers"] = {"busiest": {"id": busiest, **ledger_of(db, busiest)},
                              "typical": {"id": typical, **ledger_of(db, typical)}}
        random_ids = [int(r[0]) for r in R.db_rows(
            db, f"select volunteer_id from volunteer where community_id = {c['cid']} order by random() "
                f"limit {a.random_volunteers}")]
        expect = {busiest: info["volunteers"]["busiest"], typical: info["volunteers"]["typical"]}
        info["scale"] = scale(db, c["cid"])
        info["db_size_mb"] = R.db_size_mb(db)

        server.start()
        log(f"server pid {server.pid} on 127.0.0.1:{port}; waiting for its first tick to finish")
        time.sleep(1)
        R.settle(server.pid)
        staff = R.api_token(port, STAFF)

        # a: balance and history.
        checks = make_checks(expect)
        auth = {"Authorization": f"Bearer {staff}"}
        fixed = {
            "ledger_busiest": (f"/api/v1/volunteers/{busiest}/ledger?ledger=hours", "hours", busiest),
            "ledger_typical": (f"/api/v1/volunteers/{typical}/ledger?ledger=hours", "hours", typical),
            "points_busiest": (f"/api/v1/volunteers/{busiest}/ledger?ledger=points", "points", busiest),
            "volunteer_busiest": (f"/api/v1/volunteers/{busiest}", "summary", busiest),
            "volunteer_typical": (f"/api/v1/volunteers/{typical}", "summary", typical),
        }
        targets: list[R.Target] = []
        for sc in [s for s in a.scenarios if s in READ_SCENARIOS]:
            if sc == "ledger_random":
                paths = [f"/api/v1/volunteers/{v}/ledger?ledger=hours" for v in random_ids]
                targets.append(Rotating(sc, sc, "SEED0001", paths, auth, checks["hours"]))
                continue
            path, which, vid = fixed[sc]

            def check(body: bytes, which=which, vid=vid) -> int:
                data = json.loads(body)
                if which != "summary":
                    data["_vid"] = vid
                    body = json.dumps(data).encode()
                return checks[which](body)

            targets.append(R.Target(sc, sc, "SEED0001", path, auth, check))
        for t in targets:
            for path in (t.paths[:20] if isinstance(t, Rotating) else [t.path]):
                cl = R.Client(port, t.headers)
                status, body = cl.get(path)
                cl.close()
                if status != 200:
                    die(f"{t.key}: GET {path} answered {status}: {body[:300]!r}")
                try:
                    t.items = t.check(body)
                except (ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
                    die(f"{t.key}: GET {path}: {e}")
                t.bytes = len(body)
            log(f"{t.key}: {t.items} items, {t.bytes} bytes")
        if targets:
            hz = R.Target("healthz", "healthz", "-", "/healthz", {}, None)
            cl = R.Client(port, {})
            for _ in range(50):
                cl.get("/healthz")
            for _ in range(300):
                t0 = time.perf_counter()
                cl.get("/healthz")
                hz.samples.append((time.perf_counter() - t0) * 1000)
            cl.close()
            s = sorted(hz.samples)
            info["healthz"] = {"p50": R.pct(s, 50), "p95": R.pct(s, 95), "p99": R.pct(s, 99)}
            quiet("sequential")
            log(f"a: {len(targets)} targets x {a.requests} requests in {a.rounds} rounds")
            R.measure_sequential(targets, server, a, pg)
            for t in targets:
                quiet(f"wrk {t.key}")
                R.settle(server.pid)
                t.wrk = R.run_wrk(t, port, a)
                if t.wrk and "p95_ms" in t.wrk:
                    log(f"wrk {t.key}: {t.wrk['rps']:.0f} req/s, p95 {t.wrk['p95_ms']:.1f} ms")
            for t in targets:
                srt = sorted(t.samples)
                n_req = len(t.samples)
                info["targets"].append({
                    "key": t.key, "scenario": t.scenario,
                    "path": (t.paths[0].replace(str(random_ids[0]), "{random}") if isinstance(t, Rotating)
                             else t.path),
                    "items": t.items, "bytes": t.bytes, "requests": n_req, "errors": t.errors,
                    "p50": R.pct(srt, 50), "p95": R.pct(srt, 95), "p99": R.pct(srt, 99), "max": srt[-1],
                    "rounds_p95": t.rounds_p95, "rounds_p50": t.rounds_p50,
                    "srv_cpu_ms": t.cpu_s * 1000 / n_req, "db_cpu_ms": t.pg_cpu_s * 1000 / n_req if pg else None,
                    "others_pct": 100 * t.other_cpu_s / (t.wall_s * (os.cpu_count() or 1)) if t.wall_s else None,
                    "target_ms": TARGET_LEDGER_P95_MS, "wrk": t.wrk,
                })

        # c: the report, before the check-in adds to the community.
        if "report" in a.scenarios:
            today = R.today_in(c["tz"])
            cookie = R.session_cookie(port, STAFF)
            rtargets = []
            # The last full month (the issue's monthly report), this year and last year.
            last = (today.replace(day=1) - _dt.timedelta(days=1))
            for year, month in ((last.year, last.month), (today.year, None), (today.year - 1, None)):
                lo, hi = period_bounds_ms(year, month, c["tz"])
                minutes = report_minutes(db, c["cid"], lo, hi)
                query = f"year={year}" + (f"&month={month}" if month else "")
                name = f"{year}-{month:02}" if month else f"{year}"
                rtargets.append({"key": f"report_api_{name}", "kind": "api", "expect_minutes": minutes,
                                 "path": f"/api/v1/communities/{c['cid']}/volunteer-report?{query}",
                                 "headers": auth})
                rtargets.append({"key": f"report_page_{name}", "kind": "page", "expect_minutes": minutes,
                                 "path": f"/volunteers/reports?community={c['cid']}&{query}",
                                 "headers": {"Cookie": cookie}})
            quiet("report")
            log(f"c: {len(rtargets)} report targets x {a.report_runs}")
            measure_report(port, server, rtargets, a.report_runs, pg)
            info["report"] = [{k: v for k, v in t.items() if k != "headers"} for t in rtargets]
            for t in info["report"]:
                log(f"c: {t['key']}: " + (f"median {t['median']:.1f} ms" if "median" in t else t.get("error", "?")))

        # Query plans, with the data as measured.
        plans = {}
        acc = {}
        for which in ("hours", "points"):
            acc[which] = int(R.db_one(db, f"select ledger_account_id from vol_ledger_account where volunteer_id = "
                                          f"{busiest} and ledger = '{which}'") or 0)
        plans["balance (busiest, hours)"] = A.explain(db, BALANCE_SQL, [("bigint", acc["hours"])])
        plans["history (busiest, hours, first page)"] = A.explain(
            db, HISTORY_SQL, [("bigint", acc["hours"]), ("bigint", 2**62), ("bigint", 51)])
        if "report" in a.scenarios:
            lo, hi = period_bounds_ms(R.today_in(c["tz"]).year, None, c["tz"])
            plans["report held (this year)"] = A.explain(db, HELD_SQL, [("bigint", c["cid"]), ("bigint", lo),
                                                                        ("bigint", hi)], runs=3)
            plans["report top (this year)"] = A.explain(db, TOP_SQL, [("bigint", c["cid"]), ("bigint", lo),
                                                                      ("bigint", hi), ("bigint", 20)], runs=3)
        info["plans"] = plans

        # b: check-in.
        if "checkin" in a.scenarios:
            info["checkin"] = []
            for run, spread in enumerate(a.checkin_spread):
                try:
                    prep = prepare_checkin(port, db, cfg, c, staff, a, run)
                    reminders = wait_reminders(db, prep["activity_id"])
                    quiet("checkin")
                    log(f"b: {a.checkins} check-ins to activity {prep['activity_id']}"
                        + (f" spread over {spread:.0f} s" if spread else " at once"))
                    ci = checkin(port, server, db, staff, prep, spread, pg)
                    ci["reminders_s"] = reminders
                    log(f"b: last answer after {ci['elapsed_s']:.2f} s, {ci['ok']} x 200, {ci['recorded']} recorded")
                except (BenchError, OSError, subprocess.SubprocessError) as e:
                    ci = {"spread_s": spread, "error": str(e)[:500]}
                    log(f"b: {e}")
                info["checkin"].append(ci)
        info["verdicts"] = verdicts(info)
        info["server_peak_rss_mb"] = B.rss_mb(server.pid, "VmHWM") if server.proc else None
    finally:
        server.stop()
        info["load_end"] = B.loadavg()
        tail = server.log_tail(40)
        if info["targets"] or info.get("seed") or info.get("checkin") or info.get("report"):
            info.setdefault("verdicts", verdicts(info))
            text = render(a, info)
            print(text, end="")
            out_txt.write_text(text + "\n\n==== raw ====\n\n" + "\n\n".join(raw)
                               + f"\n\n==== seed log (tail) ====\n{info.get('seed', {}).get('log_tail', '')}"
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
        print(f"volunteers bench: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("volunteers bench: interrupted", file=sys.stderr)
        sys.exit(130)
