#!/usr/bin/env python3
"""Yijia appeals benchmark (issue 4's performance targets).

    python3 bench/appeals.py [--backend sqlite|postgres] [--communities 50 --appeals 20000]

Seeds a fresh database with `yijia seed --appeals-per-community` (timed), creates a community
admin, a community staff member, a property staff member (added to the party 物业公司 of
SEED0001 through the API) and a resident of SEED0001, starts `yijia serve`, and measures:

  a  queue_all / queue_new / queue_in_progress / queue_due_soon / queue_overdue
        the party member: GET /api/v1/appeals?view=queue[&bucket=...]            p95 < 30 ms
  b  rates_now / rates_3m    staff: GET /api/v1/communities/{id}/appeal-rates?month=YYYY-MM
                             (this month, and the month three months back)         < 200 ms
     rates_page              staff: GET /appeals/rates?community=ID&month=YYYY-MM (the HTML)
  c  create     64 clients (wrk, lua/appeals_create.lua) posting appeals as the resident for
                --create-duration s; every acknowledged id recorded; rate per second from the
                appeals' own created_at                                          >= 1 000/s
  d  durability the same load, the server killed with SIGKILL after --kill-at s, restarted on
                the same data; every acknowledged appeal must be there          none lost

a and b one request at a time (rounds interleaved, as registry.py) and with wrk at low
concurrency; the query plans of the queue and rates statements (EXPLAIN QUERY PLAN /
EXPLAIN ANALYZE) go to the report, with the deadline watch's per-tick query beside them.

Standard library only; reuses bench.py's and registry.py's helpers. Everything talks to
127.0.0.1. See bench/README.md, section "Appeals".
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402  (Server, Database, /proc helpers)
import raw_sqlite as RS  # noqa: E402  (what SQLite alone allows)
import registry as R  # noqa: E402  (db access, the sequential measurement, wrk for GETs)

RESULTS_DIR = B.RESULTS_DIR
CREATE_LUA = B.LUA_DIR / "appeals_create.lua"
PASSWORD = "bench-appeals-1"
PARTY_NAME = "物业公司"

TARGET_QUEUE_P95_MS = 30.0
TARGET_RATES_MS = 200.0
TARGET_CREATE_RPS = 1000.0

READ_SCENARIOS = ["queue_all", "queue_new", "queue_in_progress", "queue_due_soon", "queue_overdue",
                  "rates_now", "rates_3m", "rates_page"]
SCENARIOS = READ_SCENARIOS + ["create", "durability"]
LETTER = {**{s: "a" for s in READ_SCENARIOS[:5]}, "rates_now": "b", "rates_3m": "b", "rates_page": "b",
          "create": "c", "durability": "d"}
BUCKET = {"queue_all": "", "queue_new": "new", "queue_in_progress": "in_progress",
          "queue_due_soon": "due_soon", "queue_overdue": "overdue"}
DUE_SOON_MS = 24 * 3_600_000  # query.rs


def log(msg: str) -> None:
    print(f"[appeals {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(B.BenchError):
    pass


def die(msg: str) -> None:
    raise BenchError(msg)


# ---------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/appeals.py",
        description="Appeals benchmark: party queue, rates, creation throughput, durability under SIGKILL. "
                    "See bench/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default=os.environ.get("BENCH_DB", "sqlite"))
    p.add_argument("--communities", type=int, default=50, help="yijia seed --communities")
    p.add_argument("--appeals", type=int, default=20000, help="yijia seed --appeals-per-community")
    p.add_argument("--residents", type=int, default=200, help="yijia seed --residents-per-community (kept small)")
    p.add_argument("--bin", default=os.environ.get("YIJIA_BIN", str(B.REPO / "target" / "release" / "yijia")),
                   help="binary under test (copy it away from target/ if others build meanwhile)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--pg-db", default="yijia_bench_appeals", help="dropped and re-created (unless --reuse)")
    p.add_argument("--seed-via-sqlite", action="store_true",
                   help="postgres: run `yijia seed` into a SQLite file in the data dir, then `yijia backup` and "
                        "`yijia restore` into PostgreSQL (and ANALYZE), for when the seed fails on PostgreSQL")
    p.add_argument("--requests", type=int, default=600,
                   help="sequential requests per read scenario, spread over --rounds interleaved rounds")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--wrk-duration", type=int, default=10, help="seconds of wrk per read scenario (0: no wrk)")
    p.add_argument("--wrk-connections", type=int, default=4, help="wrk -c for the read scenarios")
    p.add_argument("--create-clients", default="64",
                   help="wrk -c for creation (c): a comma-separated list runs c once for each (e.g. 64,7: the "
                        "issue's 64, and fewer clients than the server's database pool)")
    p.add_argument("--durability-clients", default="",
                   help="wrk -c for the durability runs (d), one kill per value (default: as --create-clients)")
    p.add_argument("--create-threads", type=int, default=2, help="wrk -t for creation")
    p.add_argument("--create-duration", type=int, default=20, help="seconds of the creation run (c)")
    p.add_argument("--create-communities", type=int, default=1,
                   help="spread creation over the residents of this many communities (1: all into SEED0001, "
                        "one audit chain; more: SEED0001..SEED000N, each request names its resident's)")
    p.add_argument("--durability-duration", type=int, default=16, help="seconds of load in the durability run (d)")
    p.add_argument("--kill-at", type=float, default=8.0, help="seconds into the durability run to SIGKILL the server")
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    p.add_argument("--seed-timeout", type=int, default=40 * 60, help="seconds")
    p.add_argument("--pre-sql", action="append", default=[],
                   help="an SQL statement run after the seed, before serving (an EXPERIMENT: e.g. a candidate "
                        "index); repeatable; printed in the report")
    p.add_argument("--keep", action="store_true", help="keep the data dir (and the PostgreSQL database)")
    p.add_argument("--reuse", metavar="DIR",
                   help="a data dir kept by an earlier --keep run: skip the seed (with postgres, --pg-db must "
                        "name the kept database)")
    p.add_argument("--quiet-wait", type=float, default=0.0,
                   help="before each block, wait up to this many seconds for the machine to be under 10%% busy")
    a = p.parse_args(argv)
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    bad = [s for s in a.scenarios if s not in SCENARIOS]
    if bad:
        p.error(f"unknown scenario(s) {bad}; known: {SCENARIOS}")
    if a.communities < 1 or a.appeals < 1 or a.requests < a.rounds or a.rounds < 1:
        p.error("--communities, --appeals, --rounds must be >= 1 and --requests >= --rounds")
    if not 1 <= a.create_communities <= a.communities:
        p.error("--create-communities must be between 1 and --communities")
    try:
        a.create_clients = [int(x) for x in str(a.create_clients).split(",") if x.strip()]
        a.durability_clients = ([int(x) for x in a.durability_clients.split(",") if x.strip()]
                                or list(a.create_clients))
    except ValueError:
        p.error("--create-clients / --durability-clients: comma-separated numbers")
    if not a.create_clients or min(a.create_clients + a.durability_clients) < 1:
        p.error("--create-clients / --durability-clients: numbers >= 1")
    if not 0 < a.kill_at < a.durability_duration:
        p.error("--kill-at must be within --durability-duration")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.pg_db):
        p.error("--pg-db: lower-case letters, digits and _")
    return a


# ---------------------------------------------------------------- the binary's commands


def seed(cfg, db: B.Database, a: argparse.Namespace, extra: tuple[str, ...] = ()) -> dict:
    """`yijia seed`, timed, with its peak RSS (GNU time) and PostgreSQL's CPU. `extra`: more
    flags of `yijia seed` (another module's scale, e.g. volunteers.py's)."""
    log_path = db.data_dir / "seed.log"
    time_out = db.data_dir / "seed.time"
    cmd = [str(cfg.bin), *db.args(), "seed", "--with-accounts", "--communities", str(a.communities),
           "--residents-per-community", str(a.residents), "--appeals-per-community", str(a.appeals), *extra]
    if Path("/usr/bin/time").exists():
        cmd = ["/usr/bin/time", "-v", "-o", str(time_out), *cmd]
    log(f"seeding {a.communities} communities x {a.appeals} appeals ({a.communities * a.appeals:,}), "
        f"{a.residents} residents each{' ' + ' '.join(extra) if extra else ''}, into {db.describe()}")
    pg0 = B.postgres_cpu() if db.url else 0.0
    t0 = time.perf_counter()
    with open(log_path, "wb") as lf:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                                cwd=db.data_dir, env=B.clean_env())
        try:
            proc.wait(timeout=a.seed_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            die(f"the seed took longer than {a.seed_timeout} s (--seed-timeout); see {log_path}")
    wall = time.perf_counter() - t0
    text = log_path.read_text(errors="replace")
    if proc.returncode != 0:
        die(f"seed failed ({proc.returncode}):\n{text[-3000:]}")
    out: dict = {"wall_s": wall, "log_tail": "\n".join(text.splitlines()[-4:])}
    if time_out.exists():
        t = time_out.read_text()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
        u = re.search(r"User time \(seconds\): ([\d.]+)", t)
        s = re.search(r"System time \(seconds\): ([\d.]+)", t)
        out["peak_rss_mb"] = int(m.group(1)) / 1024 if m else None
        if u and s:
            out["cpu_s"] = float(u.group(1)) + float(s.group(1))
    if db.url:
        out["pg_cpu_s"] = B.postgres_cpu() - pg0
    return out


def seed_via_sqlite(cfg, db: B.Database, a: argparse.Namespace, extra: tuple[str, ...] = ()) -> dict:
    """PostgreSQL through SQLite: `yijia seed` into DATA_DIR/yijia.db, `yijia backup` (the
    backend-neutral dump), `yijia restore` into the PostgreSQL database (same data dir: the same
    secret.key), then ANALYZE, as the seed ends with."""
    lite = B.Database(SimpleNamespace(db="sqlite", pg_url=db.cfg.pg_url, pg_db=db.cfg.pg_db), db.data_dir)
    out = seed(cfg, lite, a, extra)
    out["via"] = "sqlite seed + yijia backup + yijia restore + analyze"
    dump = db.data_dir / "seed.backup"
    t0 = time.perf_counter()
    r = R.run_cli(cfg, lite, ["backup", "--to", str(dump)], timeout=a.seed_timeout)
    if r.returncode != 0:
        die(f"yijia backup failed: {(r.stdout + r.stderr)[-1500:]}")
    out["backup_s"] = time.perf_counter() - t0
    out["backup_mb"] = dump.stat().st_size / 1e6
    t0 = time.perf_counter()
    r = R.run_cli(cfg, db, ["restore", "--from", str(dump)], timeout=a.seed_timeout)
    if r.returncode != 0:
        die(f"yijia restore into PostgreSQL failed: {(r.stdout + r.stderr)[-1500:]}")
    out["restore_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    db.psql(db.cfg.pg_db, "analyze")
    out["analyze_s"] = time.perf_counter() - t0
    for suffix in ("", "-wal", "-shm"):
        (db.data_dir / f"yijia.db{suffix}").unlink(missing_ok=True)
    dump.unlink(missing_ok=True)
    out["wall_s"] += out["backup_s"] + out["restore_s"] + out["analyze_s"]
    return out


def create_account(cfg, db: B.Database, username: str, role: str, community: str) -> str:
    r = R.run_cli(cfg, db, ["admin", "create", "--username", username, "--role", role, "--community", community,
                            "--password-stdin"], stdin=PASSWORD + "\n")
    if r.returncode != 0:
        msg = (r.stdout + r.stderr).strip()
        if "taken" in msg or "exists" in msg or "已" in msg:  # --reuse: made by an earlier run
            return f"{username} (existing)"
        die(f"admin create {username}: {msg[-800:]}")
    return username


# ---------------------------------------------------------------- HTTP


def api_token(port: int, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    status, _, data = B.request(port, "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    if status != 200:
        die(f"POST /api/v1/auth/token as {username} answered {status}: {data[:300]!r}")
    return json.loads(data)["token"]


def session_cookie(port: int, username: str) -> str:
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "next": "/"}).encode()
    status, headers, _ = B.request(port, "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    for value in headers.get_all("Set-Cookie") or []:
        m = re.match(r"\s*yijia_session=([^;]+)", value)
        if m and m.group(1):
            return f"yijia_session={m.group(1)}"
    die(f"POST /login as {username} answered {status} without a session cookie")
    return ""


def api(port: int, token: str, method: str, path: str, body: dict | None = None, expect=(200,)) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    status, _, out = B.request(port, method, path, data, headers, timeout=60)
    if status not in expect:
        die(f"{method} {path} answered {status}: {out[:300]!r}")
    return json.loads(out) if out else {}


# ---------------------------------------------------------------- months


def month_start(d: _dt.date, back: int = 0) -> _dt.date:
    y, m = d.year, d.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return _dt.date(y, m, 1)


def month_bounds_ms(first: _dt.date, tz_name: str) -> tuple[int, int]:
    """`[start, end)` of a month in the community's time zone, epoch ms (rates.rs month_bounds)."""
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(tz_name or "Asia/Shanghai")
    except Exception:  # noqa: BLE001
        tz = _dt.timezone(_dt.timedelta(hours=8))
    nxt = month_start(_dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1))
    at = lambda d: int(_dt.datetime(d.year, d.month, d.day, tzinfo=tz).timestamp() * 1000)  # noqa: E731
    return at(first), at(nxt)


# ---------------------------------------------------------------- the statements (for the plans)

# A copy of repo.rs APPEAL_SELECT and repo::list as of commit 88b2e1a plus the working tree's
# warned_at/overdue_at/escalation columns (the binary under test); keep it in step.
APPEAL_SELECT = (
    "select a.appeal_id, a.community_id, a.category_id, c.name as category_name, a.kind, "
    "a.channel, a.status, a.description, a.grid_id, a.building_id, a.unit_id, a.household_id, "
    "lb.name as building_name, lu.name as unit_name, a.address, a.lat_e6, "
    "a.long_e6, a.attributes, a.media_url, a.anonymous <> 0 as anonymous, a.requester_account_id, a.requester_name, "
    "a.contact_sealed, a.contact_masked, a.recorded_by, a.party_id, p.name as party_name, a.tier, a.dispatch_due_at, "
    "a.reply_due_at, a.accepted_at, a.dispatched_at, a.taken_at, a.replied_at, a.verified_at, a.rated_at, a.closed_at, "
    "a.answer, a.rating, a.rating_comment, a.warned_at, a.overdue_at, a.escalation, a.redo_count, a.urge_count, "
    "a.supervised <> 0 as supervised, a.duplicate_of, a.decline_reason, a.version, a.created_at, a.updated_at "
    "from appeal a join appeal_category c on c.category_id = a.category_id "
    "left join appeal_party p on p.party_id = a.party_id "
    "left join building lb on lb.building_id = a.building_id left join unit lu on lu.unit_id = a.unit_id")
WAITING_DISPATCH = "('submitted', 'accepted')"
WAITING_REPLY = "('dispatched', 'in_progress', 'return_requested')"
FINISHED = "('closed', 'declined', 'rated')"
DUE = (f"(case when a.status in {WAITING_DISPATCH} then a.dispatch_due_at "
       f"when a.status in {WAITING_REPLY} then a.reply_due_at end)")
LIST_TYPES = ["bigint", "text", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint", "bigint"]


def queue_sql(bucket: str, parties: list[int], now: int) -> tuple[str, list]:
    """The statement GET /api/v1/appeals?view=queue&bucket=B runs (repo::list; query.rs sets the
    status for new/in_progress, the due range for due_soon, the instant for overdue, and keeps a
    queue without a status to open appeals), limit 51, and its 10 parameters as (type, value)."""
    ids = ", ".join(map(str, parties)) or "null"
    status = {"new": "dispatched", "in_progress": "in_progress"}.get(bucket)
    conds = [
        "($1 is null or a.community_id = $1)",
        "($2 is null or a.status = $2)",
        "($3 is null or a.party_id = $3)",
        "($4 is null or a.category_id = $4)",
        "($5 is null or a.requester_account_id = $5)",
        "($6 is null or a.appeal_id < $6)",
    ]
    if not status:
        conds.append(f"a.status not in {FINISHED}")
    if bucket == "overdue":
        conds.append(f"{DUE} < $7")
    if bucket == "due_soon":
        conds.append(f"{DUE} >= $8 and {DUE} < $9")
    c = " and ".join(conds)
    # Each part's newest ids first (led; helped with), then the page from both.
    sql = (f"{APPEAL_SELECT} where a.appeal_id in ("
           f"select appeal_id from (select a.appeal_id from appeal a where a.party_id in ({ids}) and {c} "
           f"order by a.appeal_id desc limit $10) as lead "
           f"union select appeal_id from (select a.appeal_id from appeal a join appeal_cohandler h "
           f"on h.appeal_id = a.appeal_id where h.party_id in ({ids}) and {c} "
           f"order by a.appeal_id desc limit $10) as helped) "
           f"order by a.appeal_id desc limit $10")
    values = [None, status, None, None, None, None,
              now if bucket == "overdue" else None,
              now if bucket == "due_soon" else None,
              now + DUE_SOON_MS if bucket == "due_soon" else None, 51]
    return sql, list(zip(LIST_TYPES, values))


RATES_SQL = (
    "select a.party_id, a.category_id, a.grid_id, count(*), "
    "sum(case when a.status = 'declined' then 1 else 0 end), "
    "sum(case when a.accepted_at is not null and a.accepted_at <= a.dispatch_due_at then 1 else 0 end), "
    "sum(case when a.replied_at is not null then 1 else 0 end), "
    "sum(case when a.replied_at is not null and a.replied_at <= a.reply_due_at then 1 else 0 end), "
    "cast(coalesce(sum(case when a.replied_at is not null then a.replied_at - a.created_at else 0 end), 0) as bigint), "
    "sum(case when a.rating is not null then 1 else 0 end), "
    "sum(case when a.rating = 'satisfied' then 1 else 0 end), "
    "sum(case when a.rating = 'basic' then 1 else 0 end), "
    "sum(case when a.rating = 'unsatisfied' then 1 else 0 end) "
    "from appeal a where a.community_id = $1 and a.created_at >= $2 and a.created_at < $3 "
    "group by a.party_id, a.category_id, a.grid_id")


def literal(sql: str, params: list[tuple[str, object]]) -> str:
    """The statement with its parameters written in (for psql and for comparing answers)."""
    def lit(v) -> str:
        if v is None:
            return "null"
        return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
    return re.sub(r"\$(\d+)", lambda m: lit(params[int(m.group(1)) - 1][1]), sql)


def explain(db: B.Database, sql: str, params: list[tuple[str, object]], runs: int = 7) -> dict:
    """The plan and the database-only time of one statement: SQLite through Python's sqlite3
    (its library may be older than the server's bundled one and plan differently), PostgreSQL
    as a prepared statement executed 6 times first, as sqlx does, so that a generic plan shows
    where PostgreSQL would switch to one."""
    if db.url:
        types = ", ".join(t for t, _ in params)

        def lit(v) -> str:
            if v is None:
                return "null"
            return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"

        args = ", ".join(lit(v) for _, v in params)
        script = (f"prepare bench_q({types}) as {sql};\n" + f"execute bench_q({args});\n" * 6
                  + f"explain (analyze, buffers) execute bench_q({args});\n")
        r = subprocess.run(["psql", f"{db.cfg.pg_url}/{db.cfg.pg_db}", "-X", "-q", "-A", "-t", "-v",
                            "ON_ERROR_STOP=1"], input=script, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            return {"error": r.stderr.strip()[-500:]}
        lines = r.stdout.splitlines()
        marks = ("Limit", "Nested", "Sort", "Hash", "Index", "Seq", "Merge", "Gather", "Incremental",
                 "GroupAggregate", "HashAggregate", "Finalize", "Bitmap", "Aggregate", "Unique")
        start = next((i for i, line in enumerate(lines) if line.startswith(marks)), max(0, len(lines) - 40))
        plan = "\n".join(lines[start:])
        m = re.search(r"Execution Time: ([\d.]+) ms", plan)
        return {"plan": plan, "db_ms": float(m.group(1)) if m else None}
    q = re.sub(r"\$(\d+)", r"?\1", sql)
    values = [v for _, v in params]
    con = sqlite3.connect(f"file:{db.data_dir / 'yijia.db'}?mode=ro", uri=True, timeout=30)
    try:
        plan = "\n".join(r[3] for r in con.execute("explain query plan " + q, values))
        times, rows = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            rows = len(con.execute(q, values).fetchall())
            times.append((time.perf_counter() - t0) * 1000)
        return {"plan": plan, "db_ms": statistics.median(times[1:]), "rows": rows,
                "note": f"python sqlite3 {sqlite3.sqlite_version}"}
    finally:
        con.close()


# ---------------------------------------------------------------- checks of the answers


def make_checks(party_id: int, expect: dict):
    """Checks of each read scenario's answer: the right rows, not merely a 200."""

    def items_of(body: bytes) -> list[dict]:
        data = json.loads(body)
        if not isinstance(data, dict) or "items" not in data:
            raise ValueError(f"no items in {body[:200]!r}")
        return data["items"]

    def queue(bucket: str):
        def check(body: bytes) -> int:
            items = items_of(body)
            n = expect[f"queue_{bucket or 'all'}"]
            # due_soon and overdue move with the clock: a few rows either way between the count and now.
            if (len(items) != 50) if n >= 55 else abs(len(items) - min(50, n)) > 3:
                raise ValueError(f"{len(items)} items, the database has {n} in the bucket")
            if any(i["party_id"] != party_id for i in items):
                raise ValueError("an item of another party")
            if bucket == "new" and any(i["status"] != "dispatched" for i in items):
                raise ValueError("a new-bucket item not dispatched")
            if bucket == "in_progress" and any(i["status"] != "in_progress" for i in items):
                raise ValueError("an in_progress-bucket item in another status")
            if bucket == "overdue" and not all(i["overdue"] for i in items):
                raise ValueError("an overdue-bucket item not overdue")
            ids = [i["appeal_id"] for i in items]
            if ids != sorted(ids, reverse=True):
                raise ValueError("not newest first")
            return len(items)
        return check

    def rates(key: str):
        def check(body: bytes) -> int:
            data = json.loads(body)
            total = data["total"]["counts"]["total"]
            if total != expect[key]:
                raise ValueError(f"total {total}, the database has {expect[key]} in the month")
            return total
        return check

    def page(body: bytes) -> int:
        text = body.decode("utf-8", "replace")
        if "<html" not in text.lower() or "<svg" not in text.lower():
            raise ValueError("not the rates dashboard (no <svg> bars)")
        return text.count("<tr")

    out = {f"queue_{b or 'all'}": queue(b) for b in ("", "new", "in_progress", "due_soon", "overdue")}
    out.update({"rates_now": rates("rates_now"), "rates_3m": rates("rates_3m"), "rates_page": page})
    return out


# ---------------------------------------------------------------- creation (c, d)


def pg_waits(db: B.Database, stop: threading.Event, out: list) -> None:
    """Samples what the benchmark database's busy backends wait on, every 200 ms."""
    sql = ("select coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-'), count(*) "
           "from pg_stat_activity where datname = current_database() and state <> 'idle' "
           "and pid <> pg_backend_pid() group by 1")
    while not stop.is_set():
        try:
            r = subprocess.run(["psql", f"{db.cfg.pg_url}/{db.cfg.pg_db}", "-X", "-q", "-A", "-t", "-c", sql],
                               capture_output=True, text=True, timeout=5)
            sample = {}
            for line in r.stdout.splitlines():
                k, _, n = line.rpartition("|")
                if k:
                    sample[k] = int(n)
            out.append(sample)
        except (subprocess.SubprocessError, ValueError):
            pass
        stop.wait(0.2)


def read_ids(prefix: Path) -> tuple[list[int], dict[str, int]]:
    ids, errors = [], {}
    for f in sorted(prefix.parent.glob(prefix.name + ".*")):
        for line in f.read_text().splitlines():
            line = line.strip()
            if line.isdigit():
                ids.append(int(line))
            elif line:
                errors[line] = errors.get(line, 0) + 1
    return ids, errors


def create_env(c: dict, token: str, ids_prefix: Path) -> dict:
    return dict(os.environ, BENCH_LUA_DIR=str(B.LUA_DIR), BENCH_TOKEN=token, BENCH_COMMUNITY=str(c["cid"]),
                BENCH_CATEGORIES=" ".join(map(str, c["categories"])), BENCH_UNITS=" ".join(map(str, c["units"])),
                BENCH_IDS=str(ids_prefix))


def per_second(db: B.Database, account_ids: list[int], t0_ms: int, t1_ms: int) -> dict:
    """Appeals per wall-clock second from their own created_at (the server's clock), over the
    seconds fully inside the run."""
    acc = ", ".join(map(str, account_ids))
    rows = R.db_rows(db, f"select created_at / 1000, count(*) from appeal where requester_account_id in ({acc}) "
                         f"and created_at >= {t0_ms} and created_at < {t1_ms} group by 1 order by 1")
    counts = {int(s): int(n) for s, n in rows}
    full = [counts.get(s, 0) for s in range(t0_ms // 1000 + 1, t1_ms // 1000)]
    if not full:
        return {}
    return {"seconds": len(full), "median": statistics.median(full), "min": min(full), "max": max(full),
            "series": full}


def log_errors(path: Path, offset: int) -> dict[str, int]:
    """WARN/ERROR lines of the server log written since `offset`, grouped by their message."""
    out: dict[str, int] = {}
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return out
    for line in text.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.search(r"\s(WARN|ERROR)\s+(.*)", line)
        if not m:
            continue
        msg = re.sub(r"\d+(\.\d+)?", "N", m.group(2))[:140]
        out[f"{m.group(1)} {msg}"] = out.get(f"{m.group(1)} {msg}", 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:6])


def create_one_at_a_time(server: B.Server, c: dict, n: int, pg: bool) -> dict:
    """`n` appeals created one after another on one keep-alive connection: the latency and the
    server's CPU (user and system) of one creation without contention."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(pid: int) -> tuple[float, float]:
        try:
            st = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(st[11]) / tick, int(st[12]) / tick
        except (OSError, IndexError, ValueError):
            return 0.0, 0.0

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Authorization": f"Bearer {c['token']}", "Content-Type": "application/json"}

    def post(k: int) -> int:
        body = json.dumps({"community": c["cid"], "category": c["categories"][k % len(c["categories"])],
                           "unit": c["units"][k % len(c["units"])], "description": f"基准测试：逐个创建的诉求 {k}"})
        conn.request("POST", "/api/v1/appeals", body, headers)
        r = conn.getresponse()
        r.read()
        return r.status

    for k in range(20):
        post(k)
    R.settle(server.pid)
    (u0, s0), pg0, lat, bad = times(server.pid), B.postgres_cpu() if pg else 0.0, [], 0
    for k in range(n):
        t0 = time.perf_counter()
        if post(k) != 201:
            bad += 1
        lat.append((time.perf_counter() - t0) * 1000)
    (u1, s1), pg1 = times(server.pid), B.postgres_cpu() if pg else 0.0
    conn.close()
    lat.sort()
    return {"n": n, "errors": bad, "p50": R.pct(lat, 50), "p95": R.pct(lat, 95), "p99": R.pct(lat, 99),
            "rps": n / (sum(lat) / 1000), "srv_cpu_ms": (u1 - u0 + s1 - s0) * 1000 / n,
            "srv_user_ms": (u1 - u0) * 1000 / n, "srv_sys_ms": (s1 - s0) * 1000 / n,
            "db_cpu_ms": (pg1 - pg0) * 1000 / n if pg else None}


class CreateRun:
    """One wrk run of appeal creation, with the server's and PostgreSQL's CPU and the ids."""

    def __init__(self, name: str, a: argparse.Namespace, port: int, creators: list[dict], dir_: Path,
                 clients: int) -> None:
        self.name, self.a, self.port, self.creators, self.clients = name, a, port, creators, clients
        self.prefix = dir_ / f"ids-{name}"
        for f in dir_.glob(self.prefix.name + ".*"):
            f.unlink()

    def start(self, duration: int) -> list[subprocess.Popen]:
        a = self.a
        procs = []
        n = len(self.creators)
        for k, c in enumerate(self.creators):
            conns = self.clients // n + (1 if k < self.clients % n else 0)
            threads = max(1, min(a.create_threads, conns)) if n == 1 else 1
            wrk = shutil.which("wrk") or die("wrk not found (Debian: apt-get install wrk)")
            cmd = [wrk, f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "30s", "--latency",
                   "-s", str(CREATE_LUA), f"http://127.0.0.1:{self.port}"]
            env = create_env(c, c["token"], Path(f"{self.prefix}-{k}"))
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env))
        return procs

    def ids(self) -> tuple[list[int], dict[str, int]]:
        ids, errors = [], {}
        for k in range(len(self.creators)):
            i, e = read_ids(Path(f"{self.prefix}-{k}"))
            ids += i
            for key, v in e.items():
                errors[key] = errors.get(key, 0) + v
        return ids, errors


def wrk_result(text: str) -> dict | None:
    m = re.search(r"^BENCH_RESULT (\{.*\})$", text, re.M)
    return json.loads(m.group(1)) if m else None


def merge_wrk(results: list[dict]) -> dict:
    """Sums of several wrk runs in parallel; latency percentiles of the largest (they share the load)."""
    results = [r for r in results if r]
    if not results:
        return {}
    if len(results) == 1:
        return results[0]
    out = dict(max(results, key=lambda r: r["requests"]))
    for k in ("requests", "rps", "bytes", "err_connect", "err_read", "err_write", "err_status", "err_timeout"):
        out[k] = sum(r.get(k, 0) for r in results)
    out["note"] = f"{len(results)} wrk processes; latency of the busiest"
    return out


def run_create(name: str, a: argparse.Namespace, server: B.Server, db: B.Database, creators: list[dict],
               pg: bool, data_dir: Path, raw: list[str], clients: int) -> dict:
    """c: --create-duration s of creation at `clients` connections; every acknowledged id checked."""
    run = CreateRun(name, a, server.port, creators, data_dir, clients)
    accounts = [c["account_id"] for c in creators]
    before = int(R.db_one(db, f"select count(*) from appeal where requester_account_id in "
                              f"({', '.join(map(str, accounts))})") or 0)
    R.settle(server.pid)
    mark = server.log_path.stat().st_size if server.log_path.exists() else 0
    waits: list = []
    stop = threading.Event()
    sampler = threading.Thread(target=pg_waits, args=(db, stop, waits), daemon=True) if pg else None
    cpu0, pg0, busy0, kids0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy(), B.children_cpu()
    t0 = time.time()
    w0 = time.perf_counter()
    if sampler:
        sampler.start()
    procs = run.start(a.create_duration)
    outs = [p.communicate(timeout=a.create_duration + 120)[0] for p in procs]
    wall = time.perf_counter() - w0
    t1 = time.time()
    stop.set()
    cpu1, pg1, busy1, kids1 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy(), B.children_cpu()
    raw.append(f"{name}:\n" + "\n".join(outs))
    res = merge_wrk([wrk_result(o) for o in outs])
    if server.proc is None or server.proc.poll() is not None:
        die(f"the server died during {name}; see {server.log_path}:\n{server.log_tail()}")
    ids, errors = run.ids()
    after = int(R.db_one(db, f"select count(*) from appeal where requester_account_id in "
                             f"({', '.join(map(str, accounts))})") or 0)
    found = set()
    if ids:
        for chunk in range(0, len(ids), 5000):
            part = ids[chunk:chunk + 5000]
            found |= {int(r[0]) for r in R.db_rows(db, f"select appeal_id from appeal where appeal_id in "
                                                       f"({', '.join(map(str, part))})")}
    out = {
        "wrk": res, "wall_s": wall, "acknowledged": len(ids), "distinct": len(set(ids)), "found": len(found),
        "lost": len(set(ids) - found), "errors": errors, "rows_added": after - before,
        "ack_rps": len(ids) / wall if wall else None,
        "per_second": per_second(db, accounts, int(t0 * 1000), int(t1 * 1000)),
        "srv_cpu_ms": (cpu1 - cpu0) * 1000 / len(ids) if ids else None,
        "db_cpu_ms": (pg1 - pg0) * 1000 / len(ids) if ids and pg else None,
        "wrk_cpu_pct": 100 * (kids1 - kids0) / (wall * (os.cpu_count() or 1)),
        "others_pct": max(0.0, 100 * ((busy1 - busy0) - (cpu1 - cpu0) - (pg1 - pg0) - (kids1 - kids0))
                          / (wall * (os.cpu_count() or 1))),
        "creators": [c["code"] for c in creators], "clients": clients,
    }
    # Why requests failed: the server's log of the run (e.g. "database is locked", slow pool acquires).
    out["server_errors"] = log_errors(server.log_path, mark)
    if waits:
        tally: dict[str, int] = {}
        for s in waits:
            for k, v in s.items():
                tally[k] = tally.get(k, 0) + v
        out["pg_waits"] = {"samples": len(waits), "avg_busy": sum(tally.values()) / len(waits),
                           "by_event": dict(sorted(((k, v / len(waits)) for k, v in tally.items()),
                                                   key=lambda kv: -kv[1]))}
    return out


def run_durability(a: argparse.Namespace, server: B.Server, db: B.Database, cfg, creators: list[dict],
                   staff_token: str, pg: bool, data_dir: Path, raw: list[str], clients: int) -> dict:
    """d: creation at `clients` connections, SIGKILL of the server after --kill-at s, restart on
    the same data, every acknowledged appeal looked up (database and API)."""
    run = CreateRun(f"durability-{clients}", a, server.port, creators, data_dir, clients)
    R.settle(server.pid)
    procs = run.start(a.durability_duration)
    t_start = time.perf_counter()
    time.sleep(a.kill_at)
    pid = server.pid
    os.kill(pid, signal.SIGKILL)
    t_kill = time.perf_counter()
    server.proc.wait(timeout=30)
    rc = server.proc.returncode
    server.proc = None
    time.sleep(0.5)
    for p in procs:  # stop the load: nothing more can be acknowledged by a dead server
        p.send_signal(signal.SIGINT)
    outs = [p.communicate(timeout=60)[0] for p in procs]
    raw.append("durability (server killed):\n" + "\n".join(outs))
    ids, errors = run.ids()
    out: dict = {"clients": clients, "killed_after_s": t_kill - t_start, "exit": rc, "acknowledged": len(ids),
                 "distinct": len(set(ids)), "errors": errors, "wrk": merge_wrk([wrk_result(o) for o in outs])}
    t0 = time.perf_counter()
    out["restart_s"] = server.start(deadline=300)
    log(f"durability: server restarted in {out['restart_s']:.2f} s (pid {server.pid})")
    out["restart_wall_s"] = time.perf_counter() - t0
    ack = set(ids)
    accounts = ", ".join(str(c["account_id"]) for c in creators)
    found = set()
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        found |= {int(r[0]) for r in R.db_rows(db, f"select appeal_id from appeal where appeal_id in "
                                                   f"({', '.join(map(str, part))})")}
    out["found_db"] = len(found & ack)
    out["lost"] = sorted(ack - found)[:50]
    out["lost_n"] = len(ack - found)
    if ack:
        lo = min(ack)
        in_db = {int(r[0]) for r in R.db_rows(db, f"select appeal_id from appeal where requester_account_id in "
                                                  f"({accounts}) and appeal_id >= {lo}")}
        out["committed_not_acknowledged"] = len(in_db - ack)
    # Through the API as the community's staff: the appeal, its first step.
    sample = sorted(ack)[-64:] + random.Random(4).sample(sorted(ack), min(436, len(ack)))
    cl = R.Client(server.port, {"Authorization": f"Bearer {staff_token}"})
    bad = []
    for i in dict.fromkeys(sample):
        status, body = cl.get(f"/api/v1/appeals/{i}")
        if status != 200 or json.loads(body).get("appeal_id") != i or not json.loads(body).get("steps"):
            bad.append((i, status))
    cl.close()
    out["api_checked"] = len(dict.fromkeys(sample))
    out["api_bad"] = bad[:20]
    # The audit chains must have survived the kill too (each appeal's submit is audited).
    t0 = time.perf_counter()
    r = R.run_cli(cfg, db, ["audit", "verify"], timeout=900)
    out["audit_verify"] = {"exit": r.returncode, "s": time.perf_counter() - t0,
                           "out": (r.stdout + r.stderr).strip()[-300:]}
    if not pg:
        con = sqlite3.connect(f"file:{db.data_dir / 'yijia.db'}?mode=ro", uri=True, timeout=60)
        try:
            t0 = time.perf_counter()
            out["quick_check"] = con.execute("pragma quick_check").fetchone()[0]
            out["quick_check_s"] = time.perf_counter() - t0
        finally:
            con.close()
    return out


# ---------------------------------------------------------------- report


f = R.f
verdict = R.verdict


def render(a, info: dict) -> str:
    L: list[str] = []
    add = L.append
    s = info.get("scale", {})
    sd = info.get("seed", {})
    add(f"Yijia appeals benchmark, {info['started']}   git {info['git']}")
    add(f"binary    {info['bin']} (built {info['bin_mtime']})")
    add(f"machine   {info['machine']}; load average at start {info['load_start']}, at end {info.get('load_end', '?')}")
    add("          wrk and the Python client share these cores with the server (and PostgreSQL): compare "
        "figures within one run.")
    add(f"database  {info['db']}   size {f(info.get('db_size_mb'), '.0f')} MB")
    add(f"data      {f(s.get('appeal'), ',d')} appeals in {f(s.get('community'), 'd')} communities "
        f"({f(s.get('appeal_seed1'), ',d')} in SEED0001, {f(s.get('party_appeals'), ',d')} of its {PARTY_NAME}), "
        f"{f(s.get('unit'), 'd')} units, {f(s.get('account'), 'd')} accounts, {f(s.get('audit_event'), ',d')} audit events "
        f"(seed --communities {a.communities} --appeals-per-community {a.appeals} --residents-per-community {a.residents})")
    if sd.get("wall_s"):
        add(f"seed      {sd['wall_s']:.1f} s wall ({a.communities * a.appeals / sd['wall_s']:,.0f} appeals/s incl. residents); "
            f"seed CPU {f(sd.get('cpu_s'))} s; peak RSS {f(sd.get('peak_rss_mb'), '.0f')} MB"
            + (f"; PostgreSQL CPU {f(sd.get('pg_cpu_s'))} s" if "pg_cpu_s" in sd else ""))
    if sd.get("via"):
        add(f"          via SQLite: yijia backup {f(sd.get('backup_s'))} s ({f(sd.get('backup_mb'), '.0f')} MB), "
            f"yijia restore into PostgreSQL {f(sd.get('restore_s'))} s, analyze {f(sd.get('analyze_s'))} s "
            "(`yijia seed` fails on PostgreSQL in this build: see the notes)")
    elif info.get("reused"):
        add(f"seed      reused {info['reused']} (no seed in this run)")
    for sql in a.pre_sql:
        add(f"EXPERIMENT before serving: {sql}")
    add(f"accounts  {', '.join(info.get('accounts', []))}")
    if info.get("buckets"):
        add("buckets   rows of the party's queue in the database: " + ", ".join(f"{k} {v}" for k, v in info["buckets"].items()))
    hz = info.get("healthz")
    if hz:
        add(f"baseline  GET /healthz one at a time: p50 {hz['p50']:.2f} ms, p95 {hz['p95']:.2f} ms "
            "(loopback + HTTP + the Python client: included below)")
    if info["targets"]:
        add("")
        per = max(1, a.requests // a.rounds)
        add(f"One request at a time ({a.rounds} interleaved rounds of {per} on one keep-alive connection):")
        hdr = (f"{'':2}{'scenario':<18}{'items':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
               f"{'p95 rounds':>20}{'target':>8}{'p95/tgt':>9}{'srv CPU':>9}{'db CPU':>8}{'others':>8}{'err':>5}")
        add(hdr)
        add("-" * len(hdr))
        for t in info["targets"]:
            target = t.get("target_ms")
            rounds = "/".join(f"{x:.1f}" for x in t["rounds_p95"])
            add(f"{LETTER[t['scenario']]:<2}{t['scenario']:<18}{f(t['items'], 'd'):>6}"
                f"{t['p50']:>9.2f}{t['p95']:>9.2f}{t['p99']:>9.2f}{t['max']:>9.1f}{rounds:>20}"
                f"{f(target, '.0f'):>8}{(f(100 * t['p95'] / target, '.0f') + '%') if target else '-':>9}"
                f"{f(t['srv_cpu_ms'], '.2f'):>9}{f(t.get('db_cpu_ms'), '.2f', '-'):>8}"
                f"{f(t['others_pct'], '.0f') + '%':>8}{t['errors']:>5}")
        add("srv CPU / db CPU: CPU ms per request of the yijia process / of all postgres processes; others: share "
            "of all cores busy with anything else (noise).")
    if any(t.get("wrk") for t in info["targets"]):
        add("")
        add(f"wrk -t1 -c{a.wrk_connections} -d{a.wrk_duration}s (after 2 s of warm-up): includes queueing.")
        hdr2 = f"{'':2}{'scenario':<18}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
        add(hdr2)
        add("-" * len(hdr2))
        for t in info["targets"]:
            w = t.get("wrk")
            if not w:
                continue
            if "error" in w:
                add(f"{LETTER[t['scenario']]:<2}{t['scenario']:<18}  FAILED: {w['error'][:200]}")
                continue
            errs = sum(w.get(k, 0) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
            add(f"{LETTER[t['scenario']]:<2}{t['scenario']:<18}{w['rps']:>9.1f}{w['p50_ms']:>9.2f}"
                f"{w['p95_ms']:>9.2f}{w['p99_ms']:>9.2f}{w['max_ms']:>9.1f}{errs:>8}")
    cs = info.get("create_seq")
    if cs:
        add("")
        add(f"c create, one at a time ({cs['n']} on one connection): p50 {cs['p50']:.2f} ms, p95 {cs['p95']:.2f} ms, "
            f"p99 {cs['p99']:.2f} ms = {cs['rps']:.0f}/s; server CPU {cs['srv_cpu_ms']:.2f} ms/appeal (user "
            f"{cs['srv_user_ms']:.2f}, system {cs['srv_sys_ms']:.2f})"
            + (f", PostgreSQL CPU {f(cs.get('db_cpu_ms'), '.2f')} ms/appeal" if cs.get("db_cpu_ms") is not None else "")
            + f"; {cs['errors']} errors")
    for cr in info.get("create") or []:
        add("")
        w = cr.get("wrk") or {}
        ps = cr.get("per_second") or {}
        add(f"c create  wrk -c{cr['clients']} -d{a.create_duration}s POST /api/v1/appeals as "
            f"resident(s) of {', '.join(cr['creators'])}: {f(w.get('rps'), '.0f')} responses/s (wrk), "
            f"{cr['acknowledged']:,} acknowledged = {f(cr.get('ack_rps'), '.0f')}/s; latency p50 "
            f"{f(w.get('p50_ms'), '.1f')} p95 {f(w.get('p95_ms'), '.1f')} p99 {f(w.get('p99_ms'), '.1f')} max "
            f"{f(w.get('max_ms'), '.0f')} ms")
        add(f"          per second (appeals' created_at, {ps.get('seconds', 0)} full s): median {f(ps.get('median'), '.0f')}, "
            f"min {f(ps.get('min'), 'd')}, max {f(ps.get('max'), 'd')}  [{' '.join(str(x) for x in ps.get('series', []))}]")
        add(f"          acknowledged {cr['acknowledged']:,} (distinct {cr['distinct']:,}), in the database {cr['found']:,}, "
            f"lost {cr['lost']}; rows added {cr['rows_added']:,}; non-201 {cr['errors'] or 'none'}")
        add(f"          server CPU {f(cr.get('srv_cpu_ms'), '.2f')} ms/appeal"
            + (f", PostgreSQL CPU {f(cr.get('db_cpu_ms'), '.2f')} ms/appeal" if cr.get("db_cpu_ms") is not None else "")
            + f"; wrk {f(cr.get('wrk_cpu_pct'), '.0f')}% of the cores; others {f(cr.get('others_pct'), '.0f')}%")
        pw = cr.get("pg_waits")
        if pw:
            add(f"          PostgreSQL backends busy on average {pw['avg_busy']:.1f} ({pw['samples']} samples); waiting on: "
                + ", ".join(f"{k} {v:.1f}" for k, v in list(pw["by_event"].items())[:8]))
        for k, v in (cr.get("server_errors") or {}).items():
            add(f"          server log x{v}: {k}")
    rs = info.get("raw_sqlite")
    if rs:
        add("")
        add(f"c raw SQLite loop (bench/raw_sqlite.py: one Python thread, a copy of this database, the same rows, "
            f"{rs.get('statements_each', '?')} statements a transaction): {f(rs.get('rps'), '.0f')} appeals/s"
            + (f" {rs['error']}" if rs.get("error") else ""))
        for cr in info.get("create") or []:
            if rs.get("rps") and cr.get("ack_rps"):
                add(f"          the server at {cr['clients']} clients: {100 * cr['ack_rps'] / rs['rps']:.0f}% of it")
    for du in info.get("durability") or []:
        add("")
        if du.get("error"):
            add(f"d durability  at {du['clients']} clients NOT MEASURED: {du['error']}")
            continue
        add(f"d durability  SIGKILL after {du['killed_after_s']:.1f} s of creation at {du['clients']} clients "
            f"(exit {du['exit']}); restart to /healthz {f(du.get('restart_s'), '.2f')} s")
        add(f"          acknowledged {du['acknowledged']:,} (distinct {du['distinct']:,}); found after restart "
            f"{du['found_db']:,}; LOST {du['lost_n']}{(' ' + str(du['lost'])) if du['lost_n'] else ''}; "
            f"committed but never acknowledged (in flight at the kill) {du.get('committed_not_acknowledged')}")
        add(f"          API GET /api/v1/appeals/{{id}} as staff: {du['api_checked']} checked, "
            f"{len(du['api_bad'])} bad {du['api_bad'] or ''}; yijia audit verify: exit {du['audit_verify']['exit']} "
            f"({du['audit_verify']['s']:.1f} s)"
            + (f"; pragma quick_check: {du.get('quick_check')} ({f(du.get('quick_check_s'))} s)" if 'quick_check' in du else ""))
    add("")
    add("Targets (the issue):")
    for line in info.get("verdicts", []):
        add(f"  {line}")
    if info.get("plans"):
        add("")
        add("Query plans (statements rebuilt as repo::list, rates::report and sweep build them; db-only time):")
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
        if t.get("target_ms") is None:
            continue
        wrk = t.get("wrk") or {}
        out.append(f"{t['scenario']:<20} < {t['target_ms']:.0f} ms: one at a time p95 {t['p95']:.2f} ms "
                   f"(p50 {t['p50']:.2f}) -> {verdict(t['p95'] < t['target_ms'])}"
                   + (f"; wrk -c{info['wrk_c']} p95 {wrk['p95_ms']:.2f} ms" if wrk.get("p95_ms") is not None else ""))
    for cr in info.get("create") or []:
        ps = cr.get("per_second") or {}
        ok = (cr["ack_rps"] or 0) >= TARGET_CREATE_RPS and cr["lost"] == 0
        out.append(f"{'create':<20} >= {TARGET_CREATE_RPS:.0f}/s at {cr['clients']} clients: "
                   f"{f(cr['ack_rps'], '.0f')}/s acknowledged (per-second median {f(ps.get('median'), '.0f')}, min "
                   f"{f(ps.get('min'), 'd')}), {cr['lost']} lost, {sum(cr['errors'].values())} non-201 -> "
                   f"{verdict(ok) if cr['clients'] >= 64 else 'MET' if ok else 'below (fewer clients than the target)'}")
    for du in info.get("durability") or []:
        if du.get("error"):
            continue
        ok = None if du["acknowledged"] == 0 else du["lost_n"] == 0 and not du["api_bad"]
        out.append(f"{'durability':<20} none lost after SIGKILL at {du['clients']} clients: {du['acknowledged']:,} "
                   f"acknowledged, {du['lost_n']} lost -> {verdict(ok)}"
                   + (" (nothing acknowledged: nothing tested)" if ok is None else ""))
    return out


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    cfg = SimpleNamespace(bin=Path(a.bin).resolve(), db=a.backend, pg_url=a.pg_url.rstrip("/"), pg_db=a.pg_db)
    if not cfg.bin.is_file():
        die(f"no binary at {cfg.bin}: cargo build --release -p yijia")
    if ("create" in a.scenarios or "durability" in a.scenarios or a.wrk_duration > 0) and not shutil.which("wrk"):
        die("wrk not found (Debian: apt-get install wrk)")
    pg = a.backend == "postgres"
    started = _dt.datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    RESULTS_DIR.mkdir(exist_ok=True)
    out_txt = RESULTS_DIR / f"{stamp}-appeals-{a.backend}.txt"
    if a.reuse:
        data_dir = Path(a.reuse).resolve()
        if not (data_dir / "secret.key").exists():
            die(f"--reuse {data_dir}: no secret.key there")
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="yijia-appeals-bench-"))
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
                info["seed"] = seed_via_sqlite(cfg, db, a)
            else:
                info["seed"] = seed(cfg, db, a)
            log(f"seeded in {info['seed']['wall_s']:.1f} s")
        for sql in a.pre_sql:
            log(f"EXPERIMENT: {sql}")
            t0 = time.perf_counter()
            R.db_exec(db, sql)
            info["notes"].append(f"experiment statement took {time.perf_counter() - t0:.1f} s: {sql}")
        if pg:
            info["db"] += " " + " ".join(
                f"{k}={R.db_one(db, 'show ' + k)}" for k in ("server_version", "shared_buffers", "work_mem",
                                                               "autovacuum", "fsync", "synchronous_commit"))
            info["db"] += ("; appeal last analyzed: " + (R.db_one(
                db, "select coalesce(greatest(last_analyze, last_autoanalyze)::text, 'never') from pg_stat_user_tables "
                    "where relname = 'appeal'") or "?"))
        else:
            info["db"] += " (server: WAL, synchronous=NORMAL, per crates/db/src/lib.rs)"

        # The communities, the party, the accounts.
        codes = [f"SEED{n:04d}" for n in range(1, a.create_communities + 1)]
        comm: dict[str, dict] = {}
        for code in codes:
            row = R.db_rows(db, f"select community_id, time_zone from community where code = '{code}'")
            if not row:
                die(f"community {code} not found")
            comm[code] = {"code": code, "cid": int(row[0][0]), "tz": row[0][1]}
        c1 = comm["SEED0001"]
        party_id = int(R.db_one(db, f"select party_id from appeal_party where community_id = {c1['cid']} "
                                    f"and name = '{PARTY_NAME}'") or 0)
        if not party_id:
            die(f"no party {PARTY_NAME} in SEED0001: did the seed write appeals (--appeals-per-community)?")
        info["accounts"] = [
            create_account(cfg, db, "ab.admin", "community_admin", "SEED0001") + " (community_admin SEED0001)",
            create_account(cfg, db, "ab.staff", "community_staff", "SEED0001") + " (community_staff SEED0001)",
            create_account(cfg, db, "ab.property", "property_staff", "SEED0001") + f" (property_staff, {PARTY_NAME})",
        ]
        for i, code in enumerate(codes, 1):
            name = "ab.resident" if i == 1 else f"ab.resident{i}"
            info["accounts"].append(create_account(cfg, db, name, "resident", code) + f" (resident {code})")
            comm[code]["resident"] = name
            comm[code]["account_id"] = int(R.db_one(db, f"select account_id from account where username = '{name}'"))
            comm[code]["units"] = [int(r[0]) for r in R.db_rows(
                db, f"select unit_id from unit where community_id = {comm[code]['cid']} and retired_at is null "
                    f"order by unit_id limit 97")]

        server.start()
        log(f"server pid {server.pid} on 127.0.0.1:{port}; waiting for its first tick to finish")
        time.sleep(1)
        R.settle(server.pid)
        admin = api_token(port, "ab.admin")
        staff = api_token(port, "ab.staff")
        member = api_token(port, "ab.property")
        api(port, admin, "POST", f"/api/v1/appeal-parties/{party_id}/members", {"username": "ab.property"})
        for code, c in comm.items():
            c["token"] = api_token(port, c["resident"])
            cat = api(port, c["token"], "GET", f"/api/v1/communities/{c['cid']}/appeal-catalogue")
            c["categories"] = [x["category_id"] for x in cat["categories"]]
            if not c["categories"] or not c["units"]:
                die(f"{code}: no categories or units")
        # The structure API agrees on the units (first grid, first building).
        grids = api(port, staff, "GET", f"/api/v1/communities/{c1['cid']}/grids")["items"]
        info["notes"].append(f"SEED0001: {len(grids)} grids (first page), {len(c1['units'])} units used for creation, "
                             f"{len(c1['categories'])} categories")
        staff_cookie = session_cookie(port, "ab.staff") if "rates_page" in a.scenarios else ""

        now = int(time.time() * 1000)
        today = R.today_in(c1["tz"])
        m_now, m_3 = month_start(today), month_start(today, 3)
        bounds = {"rates_now": month_bounds_ms(m_now, c1["tz"]), "rates_3m": month_bounds_ms(m_3, c1["tz"])}
        expect = {}
        for k, (lo, hi) in bounds.items():
            expect[k] = int(R.db_one(db, f"select count(*) from appeal where community_id = {c1['cid']} "
                                         f"and created_at >= {lo} and created_at < {hi}") or 0)
        # The rows of each bucket, counted plainly (the checks expect a full page where there are 50).
        mine = (f"(a.party_id = {party_id} or a.appeal_id in "
                f"(select appeal_id from appeal_cohandler where party_id = {party_id}))")
        for b, cond in (("all", f"a.status not in {FINISHED}"), ("new", "a.status = 'dispatched'"),
                        ("in_progress", "a.status = 'in_progress'"), ("overdue", f"{DUE} < {now}"),
                        ("due_soon", f"{DUE} >= {now} and {DUE} < {now + DUE_SOON_MS}")):
            expect[f"queue_{b}"] = int(R.db_one(db, f"select count(*) from appeal a where {mine} and {cond}") or 0)
        info["buckets"] = {k.removeprefix("queue_"): v for k, v in expect.items() if k.startswith("queue_")}
        info["months"] = {"rates_now": m_now.isoformat()[:7], "rates_3m": m_3.isoformat()[:7],
                          "rows": {k: expect[k] for k in bounds}}

        # Read scenarios.
        checks = make_checks(party_id, expect)
        paths = {f"queue_{b or 'all'}": (f"/api/v1/appeals?view=queue" + (f"&bucket={b}" if b else ""),
                                         {"Authorization": f"Bearer {member}"})
                 for b in ("", "new", "in_progress", "due_soon", "overdue")}
        paths["rates_now"] = (f"/api/v1/communities/{c1['cid']}/appeal-rates?month={m_now:%Y-%m}",
                              {"Authorization": f"Bearer {staff}"})
        paths["rates_3m"] = (f"/api/v1/communities/{c1['cid']}/appeal-rates?month={m_3:%Y-%m}",
                             {"Authorization": f"Bearer {staff}"})
        paths["rates_page"] = (f"/appeals/rates?community={c1['cid']}&month={m_now:%Y-%m}", {"Cookie": staff_cookie})
        targets: list[R.Target] = []
        for sc in [s for s in a.scenarios if s in READ_SCENARIOS]:
            path, headers = paths[sc]
            targets.append(R.Target(sc, sc, "SEED0001", path, headers, checks[sc]))
        for t in targets:
            cl = R.Client(port, t.headers)
            status, body = cl.get(t.path)
            cl.close()
            if status != 200:
                die(f"{t.key}: GET {t.path} answered {status}: {body[:300]!r}")
            try:
                t.items = t.check(body)
            except (ValueError, KeyError, json.JSONDecodeError) as e:
                die(f"{t.key}: GET {t.path}: {e}")
            t.bytes = len(body)
            log(f"{t.key}: {t.items} items, {len(body)} bytes")

        scale = {}
        for tbl in ("community", "unit", "account", "appeal", "audit_event"):
            v = R.db_one(db, f"select count(*) from {tbl}")
            scale[tbl] = int(v) if v and v.isdigit() else None
        scale["appeal_seed1"] = int(R.db_one(db, f"select count(*) from appeal where community_id = {c1['cid']}") or 0)
        scale["party_appeals"] = int(R.db_one(db, f"select count(*) from appeal where party_id = {party_id}") or 0)
        info["scale"] = scale
        info["db_size_mb"] = R.db_size_mb(db)

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
            log(f"sequential: {len(targets)} targets x {a.requests} requests in {a.rounds} rounds")
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
                    "key": t.key, "scenario": t.scenario, "path": t.path, "items": t.items, "bytes": t.bytes,
                    "requests": n_req, "errors": t.errors, "p50": R.pct(srt, 50), "p95": R.pct(srt, 95),
                    "p99": R.pct(srt, 99), "max": srt[-1], "rounds_p95": t.rounds_p95, "rounds_p50": t.rounds_p50,
                    "srv_cpu_ms": t.cpu_s * 1000 / n_req, "db_cpu_ms": t.pg_cpu_s * 1000 / n_req if pg else None,
                    "others_pct": 100 * t.other_cpu_s / (t.wall_s * (os.cpu_count() or 1)) if t.wall_s else None,
                    "target_ms": TARGET_QUEUE_P95_MS if t.scenario.startswith("queue") else
                    TARGET_RATES_MS if t.scenario.startswith("rates") else None,
                    "wrk": t.wrk,
                })

        # Query plans, after the reads: the data as measured, before the creation adds to it.
        plans = {}
        now = int(time.time() * 1000)
        for b in ("", "new", "in_progress", "due_soon", "overdue"):
            sql, params = queue_sql(b, [party_id], now)
            plans[f"queue_{b or 'all'}"] = explain(db, sql, params)
        plans["sweep (the deadline watch's query, each minute)"] = explain(
            db, "select appeal_id from appeal where watch_at <= $1 order by watch_at limit $2",
            [("bigint", now), ("bigint", 500)])
        for k, (lo, hi) in bounds.items():
            plans[k] = explain(db, RATES_SQL, [("bigint", c1["cid"]), ("bigint", lo), ("bigint", hi)])
        info["plans"] = plans
        raw.append("statement of queue_overdue:\n" + queue_sql("overdue", [party_id], now)[0])

        creators = [comm[code] for code in codes]
        if "create" in a.scenarios:
            quiet("create_seq")
            info["create_seq"] = create_one_at_a_time(server, comm["SEED0001"], 300, pg)
            cs = info["create_seq"]
            log(f"c one at a time: p50 {cs['p50']:.2f} ms, server CPU {cs['srv_cpu_ms']:.2f} ms/appeal")
            info["create"] = []
            for n in a.create_clients:
                quiet("create")
                log(f"c create: {n} clients for {a.create_duration} s into {', '.join(codes)}")
                cr = run_create(f"create-{n}", a, server, db, creators, pg, data_dir, raw, n)
                info["create"].append(cr)
                log(f"c create: {cr['acknowledged']:,} acknowledged ({f(cr['ack_rps'], '.0f')}/s), lost {cr['lost']}"
                    + (f"; server log: {cr['server_errors']}" if cr["server_errors"] else ""))
            if not pg:
                quiet("raw")
                info["raw_sqlite"] = RS.rate(data_dir / "yijia.db", c1["cid"], 5.0)
                log(f"c raw SQLite loop: {f(info['raw_sqlite'].get('rps'), '.0f')} appeals/s")
        if "durability" in a.scenarios:
            info["durability"] = []
            for n in a.durability_clients:
                quiet("durability")
                log(f"d durability: {n} clients, SIGKILL after {a.kill_at} s")
                try:
                    d = run_durability(a, server, db, cfg, creators, staff, pg, data_dir, raw, n)
                    log(f"d durability: acknowledged {d['acknowledged']:,}, found {d['found_db']:,}, lost {d['lost_n']}")
                except (BenchError, OSError, subprocess.SubprocessError) as e:
                    d = {"clients": n, "error": str(e)[:500]}
                info["durability"].append(d)
        info["verdicts"] = verdicts(info)
        info["server_peak_rss_mb"] = B.rss_mb(server.pid, "VmHWM") if server.proc else None
    finally:
        server.stop()
        info["load_end"] = B.loadavg()
        tail = server.log_tail(40)
        if info["targets"] or info.get("seed") or info.get("create"):
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
        print(f"appeals bench: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("appeals bench: interrupted", file=sys.stderr)
        sys.exit(130)
