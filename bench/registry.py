#!/usr/bin/env python3
"""Yijia residents-registry benchmark (the registry issue's figures).

    python3 bench/registry.py [--backend sqlite|postgres] [--communities 50 --residents 20000]

Seeds a fresh database with `yijia seed` (timed, with its peak RSS), creates a grid worker and a
community staff account in the first and the last seeded community, starts `yijia serve`, and
measures one request at a time (the closest a client gets to server time) and with wrk at low
concurrency:

  a  grid_list       grid worker: GET /api/v1/residents?community=C&grid=G&limit=50
  b  grid_name       the same with q=王 (part of a name)
  c  grid_elderly    the same with tag=elderly_alone&age_min=60
  d  id_lookup       community staff: q=<a full citizen ID> (blind index)
  e  grid_page       grid worker: GET /registry?community=C&grid=G (the HTML list, count + pager)
  f  staff_page      community staff: GET /registry?community=C (whole community)
  g  staff_list      community staff: GET /api/v1/residents?community=C&limit=50 (whole community, by id)

and then the import of a generated 100 000-row CSV through the API (upload = read, check, seal,
store the preview; commit = re-check and insert), with the server's peak RSS during it. The
query plans of a-d are written to the report (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE).

Standard library only; reuses bench.py's helpers. Everything talks to 127.0.0.1. See
bench/README.md, section "Residents registry".
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import http.client
import io
import json
import math
import os
import random
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
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402  (the sibling driver: Server, Database, /proc helpers)

RESULTS_DIR = B.RESULTS_DIR
LUA = B.LUA_DIR / "registry_api.lua"
PASSWORD = "bench-registry-1"
LOOKUP_ID = "11010519491231002X"  # GB 11643-valid; the seed's IDs all start 620104
LOOKUP_NAME = "基准查找"

# The issue's targets (milliseconds, seconds, MB).
TARGET_LIST_P95_MS = 30.0
TARGET_LOOKUP_MS = 5.0
TARGET_OWNERS_S = 10.0  # issue 20: a 2 000-unit compound's register, SQLite
TARGET_IMPORT_S = 60.0
TARGET_IMPORT_MB = 500.0

SCENARIOS = ["grid_list", "grid_name", "grid_elderly", "id_lookup", "grid_page", "staff_page", "staff_list"]
API_SCENARIOS = ["grid_list", "grid_name", "grid_elderly", "id_lookup"]
LETTER = dict(zip(SCENARIOS, "abcdefg"))


def log(msg: str) -> None:
    print(f"[registry {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(B.BenchError):
    pass


def die(msg: str) -> None:
    raise BenchError(msg)


# ---------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="bench/registry.py",
        description="Residents registry benchmark: seed, list/lookup latency, import. See bench/README.md.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default=os.environ.get("BENCH_DB", "sqlite"))
    p.add_argument("--communities", type=int, default=50, help="yijia seed --communities")
    p.add_argument("--residents", type=int, default=20000, help="yijia seed --residents-per-community")
    p.add_argument("--bin", default=os.environ.get("YIJIA_BIN", str(B.REPO / "target" / "release" / "yijia")),
                   help="binary under test (copy it away from target/ if others build meanwhile)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--pg-db", default="yijia_bench_registry", help="dropped and re-created (unless --reuse)")
    p.add_argument("--requests", type=int, default=600,
                   help="sequential requests per scenario, spread over --rounds interleaved rounds")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--wrk-duration", type=int, default=10, help="seconds of wrk per scenario (0: no wrk)")
    p.add_argument("--wrk-connections", type=int, default=4)
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset")
    p.add_argument("--import-rows", type=int, default=100_000, help="rows of the generated CSV (0: no import)")
    p.add_argument("--import-warm", action="store_true",
                   help="import into the server that served the scenarios (default: restart it first)")
    p.add_argument("--owner-units", type=int, default=2000,
                   help="units of the generated owners' register (业主名册) imported after the residents (0: none)")
    p.add_argument("--seed-timeout", type=int, default=40 * 60, help="seconds")
    p.add_argument("--pre-sql", action="append", default=[],
                   help="an SQL statement run after the seed, before serving (an EXPERIMENT: e.g. a candidate "
                        "index); repeatable; printed in the report")
    p.add_argument("--keep", action="store_true", help="keep the data dir (and the PostgreSQL database)")
    p.add_argument("--reuse", metavar="DIR",
                   help="a data dir kept by an earlier --keep run: skip the seed (with postgres, --pg-db must "
                        "name the kept database; its sealed values need DIR/secret.key)")
    p.add_argument("--quiet-wait", type=float, default=0.0,
                   help="before each block, wait up to this many seconds for the machine to be under 10%% busy")
    a = p.parse_args(argv)
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    bad = [s for s in a.scenarios if s not in SCENARIOS]
    if bad:
        p.error(f"unknown scenario(s) {bad}; known: {SCENARIOS}")
    if a.communities < 1 or a.residents < 1 or a.requests < a.rounds or a.rounds < 1:
        p.error("--communities, --residents, --rounds must be >= 1 and --requests >= --rounds")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.pg_db):
        p.error("--pg-db: lower-case letters, digits and _")
    return a


# ---------------------------------------------------------------- database access


def db_rows(db: B.Database, sql: str) -> list[list[str]]:
    """Every row of a query, as text (read-only on SQLite; psql on PostgreSQL)."""
    if db.url:
        out = db.psql(db.cfg.pg_db, sql)
        return [line.split("|") for line in out.splitlines() if line]
    con = sqlite3.connect(f"file:{db.data_dir / 'yijia.db'}?mode=ro", uri=True, timeout=30)
    try:
        return [["" if v is None else str(v) for v in r] for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def db_one(db: B.Database, sql: str) -> str | None:
    r = db_rows(db, sql)
    return r[0][0] if r and r[0] else None


def db_exec(db: B.Database, sql: str) -> None:
    if db.url:
        db.psql(db.cfg.pg_db, sql)
        return
    con = sqlite3.connect(str(db.data_dir / "yijia.db"), timeout=60)
    try:
        con.executescript(sql)
        con.commit()
    finally:
        con.close()


def db_size_mb(db: B.Database) -> float | None:
    if db.url:
        v = db_one(db, f"select pg_database_size('{db.cfg.pg_db}')")
        return int(v) / 1e6 if v else None
    total = 0
    for suffix in ("", "-wal", "-shm"):
        f = db.data_dir / f"yijia.db{suffix}"
        if f.exists():
            total += f.stat().st_size
    return total / 1e6


def scale(db: B.Database) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for t in ("community", "grid", "building", "unit", "household", "registry_resident", "registry_care_tag",
              "account"):
        v = db_one(db, f"select count(*) from {t}")
        out[t] = int(v) if v and v.isdigit() else None
    return out


# ---------------------------------------------------------------- the binary's commands


def run_cli(cfg, db: B.Database, args: list[str], stdin: str | None = None, timeout: float = 120):
    return subprocess.run([str(cfg.bin), *db.args(), *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=db.data_dir, env=B.clean_env())


def seed(cfg, db: B.Database, a: argparse.Namespace) -> dict:
    """`yijia seed`, timed, with its peak RSS (GNU time, else VmHWM polled) and PostgreSQL's CPU."""
    log_path = db.data_dir / "seed.log"
    time_out = db.data_dir / "seed.time"
    cmd = [str(cfg.bin), *db.args(), "seed", "--with-accounts", "--communities", str(a.communities),
           "--residents-per-community", str(a.residents)]
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        cmd = [str(gnu_time), "-v", "-o", str(time_out), *cmd]
    log(f"seeding {a.communities} communities x {a.residents} residents ({a.communities * a.residents:,}) "
        f"into {db.describe()}")
    pg0 = B.postgres_cpu() if db.url else 0.0
    busy0 = B.machine_busy()
    t0 = time.perf_counter()
    peak_kb = 0
    with open(log_path, "wb") as lf:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                                cwd=db.data_dir, env=B.clean_env())
        last_report = t0
        while proc.poll() is None:
            time.sleep(0.5)
            # Without GNU time: the child's own VmHWM (the seed process is the time's child then).
            st = B.proc_status(proc.pid)
            if "VmHWM" in st:
                peak_kb = max(peak_kb, int(st["VmHWM"].split()[0]))
            if time.perf_counter() - t0 > a.seed_timeout:
                proc.kill()
                proc.wait()
                die(f"the seed took longer than {a.seed_timeout} s (--seed-timeout); see {log_path}")
            if time.perf_counter() - last_report > 60:
                last_report = time.perf_counter()
                try:
                    done = db_one(db, "select max(resident_id) from registry_resident") or "0"
                except (B.BenchError, sqlite3.Error, subprocess.SubprocessError):
                    done = "?"
                log(f"  seed: about {done} residents after {last_report - t0:.0f} s")
    wall = time.perf_counter() - t0
    pg1 = B.postgres_cpu() if db.url else 0.0
    busy1 = B.machine_busy()
    text = log_path.read_text(errors="replace")
    if proc.returncode != 0:
        die(f"seed failed ({proc.returncode}):\n{text[-3000:]}")
    out = {"wall_s": wall, "log_tail": "\n".join(text.splitlines()[-5:])}
    if time_out.exists():
        t = time_out.read_text()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
        u = re.search(r"User time \(seconds\): ([\d.]+)", t)
        s = re.search(r"System time \(seconds\): ([\d.]+)", t)
        if m:
            peak_kb = int(m.group(1))
        if u and s:
            out["cpu_s"] = float(u.group(1)) + float(s.group(1))
    out["peak_rss_mb"] = peak_kb / 1024 if peak_kb else None
    if db.url:
        out["pg_cpu_s"] = pg1 - pg0
    out["machine_busy_pct"] = 100 * (busy1 - busy0) / (wall * (os.cpu_count() or 1))
    return out


def create_account(cfg, db: B.Database, username: str, role: str, community: str, grid: str | None) -> str:
    args = ["admin", "create", "--username", username, "--role", role, "--community", community,
            "--password-stdin"]
    if grid:
        args += ["--grid", grid]
    r = run_cli(cfg, db, args, stdin=PASSWORD + "\n")
    if r.returncode != 0:
        msg = (r.stdout + r.stderr).strip()
        if "taken" in msg or "exists" in msg or "已" in msg:  # --reuse: made by an earlier run
            return f"{username} (existing)"
        die(f"admin create {username}: {msg[-800:]}")
    return username


# ---------------------------------------------------------------- HTTP


class Client:
    """One keep-alive connection to the server, reopened when the server closes it."""

    def __init__(self, port: int, headers: dict[str, str], timeout: float = 60) -> None:
        self.port, self.headers, self.timeout = port, headers, timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request("GET", path, headers=self.headers)
                r = self.conn.getresponse()
                body = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, body
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


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


def pct(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[k]


# ---------------------------------------------------------------- the scenarios


class Target:
    """One measured request: a scenario in one community."""

    def __init__(self, key: str, scenario: str, community: str, path: str, headers: dict[str, str],
                 check, note: str = "") -> None:
        self.key, self.scenario, self.community, self.path = key, scenario, community, path
        self.headers, self.check, self.note = headers, check, note
        self.samples: list[float] = []
        self.rounds_p95: list[float] = []
        self.rounds_p50: list[float] = []
        self.errors = 0
        self.cpu_s = 0.0
        self.pg_cpu_s = 0.0
        self.other_cpu_s = 0.0
        self.wall_s = 0.0
        self.bytes = 0
        self.items: int | None = None
        self.wrk: dict | None = None


def today_in(tz_name: str) -> _dt.date:
    try:
        from zoneinfo import ZoneInfo
        return _dt.datetime.now(ZoneInfo(tz_name or "Asia/Shanghai")).date()
    except Exception:  # noqa: BLE001  (no tz database: UTC+8)
        return (_dt.datetime.utcnow() + _dt.timedelta(hours=8)).date()


def years_before(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def make_checks(grid_id: int, cutoff: str):
    def items_of(body: bytes) -> list[dict]:
        data = json.loads(body)
        if not isinstance(data, dict) or "items" not in data:
            raise ValueError(f"no items in {body[:200]!r}")
        return data["items"]

    def grid_list(body: bytes) -> int:
        items = items_of(body)
        if len(items) != 50:
            raise ValueError(f"{len(items)} items, expected a full page of 50")
        if any(i["grid_id"] != grid_id for i in items):
            raise ValueError("an item outside the grid")
        return len(items)

    def grid_name(body: bytes) -> int:
        items = items_of(body)
        if not items or any("王" not in i["name"] for i in items) or any(i["grid_id"] != grid_id for i in items):
            raise ValueError(f"{len(items)} items, not all 王 in the grid")
        return len(items)

    def grid_elderly(body: bytes) -> int:
        items = items_of(body)
        if not items or any((i["birth_date"] or "9999") > cutoff or i["grid_id"] != grid_id for i in items):
            raise ValueError(f"{len(items)} items, not all aged 60+ in the grid")
        return len(items)

    def id_lookup(body: bytes) -> int:
        items = items_of(body)
        if len(items) != 1 or items[0]["name"] != LOOKUP_NAME or not items[0]["id_masked"].endswith("002X"):
            raise ValueError(f"expected exactly the created resident, got {[(i['name'], i['id_masked']) for i in items]}")
        return 1

    def staff_list(body: bytes) -> int:
        items = items_of(body)
        if len(items) != 50:
            raise ValueError(f"{len(items)} items, expected a full page of 50")
        return len(items)

    def page(body: bytes) -> int:
        text = body.decode("utf-8", "replace")
        if "<html" not in text.lower() or "/login" in text[:2000] and "password" in text.lower():
            raise ValueError("not the list page")
        return text.count("/registry/residents/")

    return {"grid_list": grid_list, "grid_name": grid_name, "grid_elderly": grid_elderly,
            "id_lookup": id_lookup, "grid_page": page, "staff_page": page, "staff_list": staff_list}


# ---------------------------------------------------------------- query plans


RESIDENT_SELECT = (
    "select r.resident_id, r.community_id, r.household_id, h.grid_id, r.name, "
    "r.gender, r.birth_date, r.ethnicity, r.id_type, r.id_masked, r.phone_masked, r.phone2_masked, "
    "r.relation, r.residence, r.moved_in_on, r.occupation, r.employer, r.political, r.party_branch, "
    "r.veteran, r.notes, cast(case when r.health_sealed is null then 0 else 1 end as bigint) as has_health, "
    "r.account_id, r.merged_into, r.created_at, r.updated_at, r.left_at, g.name as grid_name, "
    "b.name as building_name, u.name as unit_name, h.code as room "
    "from registry_resident r join household h on h.household_id = r.household_id "
    "join grid g on g.grid_id = h.grid_id join building b on b.building_id = h.building_id "
    "join unit u on u.unit_id = h.unit_id")


def api_sql(scenario: str, cid: int, gid: int, id_blind: str, kind_blind: str, today: str, cutoff: str):
    """The statement GET /api/v1/residents runs (a copy of repo::list + filter_sql as of commit 234237a,
    Sort::Id, limit 51; keep it in step),
    with its parameters in order: [(type, value)]."""
    params: list[tuple[str, object]] = [("bigint", cid)]

    def p(t: str, v) -> str:
        params.append((t, v))
        return f"${len(params)}"

    reach = f"h.grid_id in ({gid})" if scenario != "id_lookup" else "1 = 1"
    # The household's community (repo.rs: it lets the planner start from the grid's households).
    conds = ["h.community_id = $1", "r.merged_into is null", reach, "r.left_at is null"]
    if scenario == "grid_name":
        conds.append(f"r.name like {p('text', '%王%')} escape '\\'")
    if scenario == "id_lookup":
        # An exact lookup adds the resident's community: the blind indexes lead with it.
        conds.append("r.community_id = $1")
        conds.append(f"r.id_blind = {p('text', id_blind)}")
    if scenario != "id_lookup":
        conds.append(f"h.grid_id = {p('bigint', gid)}")
    if scenario == "grid_elderly":
        k, d = p("text", kind_blind), p("text", today)
        conds.append(f"exists (select 1 from registry_care_tag t where t.resident_id = r.resident_id and "
                     f"t.kind_blind = {k} and t.starts_on <= {d} and (t.ends_on is null or t.ends_on >= {d}))")
        conds.append(f"r.birth_date <= {p('text', cutoff)}")
    lim, off = p("bigint", 51), p("bigint", 0)
    return f"{RESIDENT_SELECT} where {' and '.join(conds)} order by r.resident_id limit {lim} offset {off}", params


def explain(db: B.Database, sql: str, params: list[tuple[str, object]]) -> dict:
    """The plan and the database-only time of one statement (SQLite through Python's sqlite3,
    whose library version may differ from the server's bundled one; PostgreSQL as a prepared
    statement executed 6 times first, as the server's sqlx does, so a generic plan shows up)."""
    if db.url:
        types = ", ".join(t for t, _ in params)

        def lit(v) -> str:
            return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"

        args = ", ".join(lit(v) for _, v in params)
        script = (f"prepare bench_q({types}) as {sql};\n" + f"execute bench_q({args});\n" * 6
                  + f"explain (analyze, buffers) execute bench_q({args});\n")
        r = subprocess.run(["psql", f"{db.cfg.pg_url}/{db.cfg.pg_db}", "-X", "-q", "-A", "-t", "-v",
                            "ON_ERROR_STOP=1"], input=script, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            return {"error": r.stderr.strip()[-500:]}
        lines = r.stdout.splitlines()
        start = next((i for i, l in enumerate(lines) if l.startswith(("Limit", "Nested", "Sort", "Hash", "Index",
                                                                         "Seq", "Merge", "Gather", "Incremental"))),
                     max(0, len(lines) - 40))
        plan = "\n".join(lines[start:])
        m = re.search(r"Execution Time: ([\d.]+) ms", plan)
        return {"plan": plan, "db_ms": float(m.group(1)) if m else None}
    q = re.sub(r"\$(\d+)", r"?\1", sql)
    values = [v for _, v in params]
    con = sqlite3.connect(f"file:{db.data_dir / 'yijia.db'}?mode=ro", uri=True, timeout=30)
    try:
        plan = "\n".join(f"{'  ' * 0}{r[3]}" for r in con.execute("explain query plan " + q, values))
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            con.execute(q, values).fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        return {"plan": plan, "db_ms": statistics.median(times[1:]),
                "note": f"python sqlite3 {sqlite3.sqlite_version}"}
    finally:
        con.close()


# ---------------------------------------------------------------- measuring


def settle(pid: int) -> None:
    B.settle(pid, limit=60)


def measure_sequential(targets: list[Target], server: B.Server, a: argparse.Namespace, pg: bool) -> None:
    """`--requests` requests per target, one at a time on one keep-alive connection, in
    `--rounds` interleaved rounds (so a noisy moment spreads over every target)."""
    per_round = max(1, a.requests // a.rounds)
    clients = {t.key: Client(server.port, t.headers) for t in targets}
    for t in targets:  # warm-up: caches, prepared statements, connection pool
        for _ in range(20):
            clients[t.key].get(t.path)
    for rnd in range(a.rounds):
        for t in targets:
            settle(server.pid)
            c = clients[t.key]
            samples = []
            cpu0, pg0, busy0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy()
            me0 = resource.getrusage(resource.RUSAGE_SELF)
            w0 = time.perf_counter()
            for _ in range(per_round):
                t0 = time.perf_counter()
                status, body = c.get(t.path)
                samples.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    t.errors += 1
            wall = time.perf_counter() - w0
            cpu1, pg1, busy1 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0, B.machine_busy()
            me1 = resource.getrusage(resource.RUSAGE_SELF)
            mine = (me1.ru_utime + me1.ru_stime) - (me0.ru_utime + me0.ru_stime)
            t.cpu_s += cpu1 - cpu0
            t.pg_cpu_s += pg1 - pg0
            t.other_cpu_s += max(0.0, (busy1 - busy0) - (cpu1 - cpu0) - (pg1 - pg0) - mine)
            t.wall_s += wall
            t.samples += samples
            s = sorted(samples)
            t.rounds_p95.append(pct(s, 95))
            t.rounds_p50.append(pct(s, 50))
        log(f"round {rnd + 1}/{a.rounds}: " + ", ".join(f"{t.key} p95 {t.rounds_p95[-1]:.1f}" for t in targets))
    for c in clients.values():
        c.close()


def run_wrk(t: Target, port: int, a: argparse.Namespace) -> dict | None:
    wrk = shutil.which("wrk")
    if not wrk or a.wrk_duration <= 0:
        return None
    env = dict(os.environ, BENCH_LUA_DIR=str(B.LUA_DIR), BENCH_PATHS=t.path,
               BENCH_TOKEN=t.headers.get("Authorization", "").removeprefix("Bearer "),
               BENCH_COOKIE=t.headers.get("Cookie", ""))
    c = a.wrk_connections
    base = [wrk, "-t1", f"-c{c}", "--timeout", "30s", "--latency", "-s", str(LUA), f"http://127.0.0.1:{port}"]
    subprocess.run(base[:3] + ["-d2s"] + base[3:], capture_output=True, text=True, timeout=60, env=env)
    return_raw = subprocess.run(base[:3] + [f"-d{a.wrk_duration}s"] + base[3:], capture_output=True, text=True,
                                timeout=a.wrk_duration + 90, env=env)
    m = re.search(r"^BENCH_RESULT (\{.*\})$", return_raw.stdout, re.M)
    if not m:
        return {"error": (return_raw.stdout + return_raw.stderr)[-500:]}
    return json.loads(m.group(1))


# ---------------------------------------------------------------- the import


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["秀兰", "建国", "桂英", "志强", "玉梅", "明", "婷", "伟", "芳", "军", "丽", "强", "静", "磊", "敏"]


def check_char(first17: str) -> str:
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * x for d, x in zip(first17, w)) % 11]


def import_csv(n: int, dwellings: list[tuple[str, str, str]], headers: list[str], address_code: str) -> bytes:
    """`n` valid rows over the community's dwellings, IDs unique (address code + birth date + serial)."""
    rnd = random.Random(20261127)
    base = _dt.date(1940, 1, 1)
    days = (_dt.date(2015, 12, 31) - base).days
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    for i in range(n):
        birth = base + _dt.timedelta(days=(i * 7919) % days)
        serial = i // days  # a new serial once every birth date was used
        male = rnd.random() < 0.5
        seq = (serial % 500) * 2 + (1 if male else 0)
        first17 = f"{address_code}{birth:%Y%m%d}{seq:03d}"
        b, u, r = dwellings[i % len(dwellings)]
        row = {
            "楼栋编号": b, "单元编号": u, "房号": r,
            "姓名": rnd.choice(SURNAMES) + rnd.choice(GIVEN),
            "性别": "男" if male else "女",
            "出生日期": birth.isoformat(),
            "民族": "汉族",
            "证件类型": "居民身份证",
            "证件号码": first17 + check_char(first17),
            "联系电话": f"1990932{rnd.randrange(10000):04d}",
        }
        w.writerow([row.get(h, "") for h in headers])
    return buf.getvalue().encode("utf-8")


class RssWatch(threading.Thread):
    """Polls a process's VmRSS every 20 ms and keeps the largest."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.stop_flag = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop_flag.is_set():
            v = B.rss_mb(self.pid)
            if v:
                self.peak_mb = max(self.peak_mb, v)
            time.sleep(0.02)


def measure_import(port: int, server: B.Server, db: B.Database, token: str, cid: int, code: str,
                   n: int, pg: bool) -> dict:
    auth = {"Authorization": f"Bearer {token}"}
    out: dict = {"community": code, "rows": n}
    status, _, tmpl = B.request(port, "GET", "/registry/import/template.csv",
                                headers={"Authorization": f"Bearer {token}"})
    expected = ["楼栋编号", "单元编号", "房号", "姓名", "性别", "出生日期", "民族", "证件类型", "证件号码", "联系电话"]
    if status == 200:
        header = next(csv.reader(io.StringIO(tmpl.decode("utf-8-sig"))))
        missing = [h for h in expected if h not in [x.strip().strip("*") for x in header]]
        out["template_header"] = header
        if missing:
            out["note"] = f"template lacks {missing}; using the expected header anyway"
    else:
        out["template_status"] = status
    dwellings = [tuple(r) for r in db_rows(db, (
        "select b.code, u.code, h.code from household h join building b on b.building_id = h.building_id "
        f"join unit u on u.unit_id = h.unit_id where h.community_id = {cid} and h.retired_at is null "
        "order by h.household_id"))]
    if not dwellings:
        return {**out, "error": "no dwellings"}
    address = f"{random.Random().randrange(110000, 119999):06d}"  # IDs new to the registry on every run
    t0 = time.perf_counter()
    body = import_csv(n, dwellings, expected, address)
    out["csv_mb"] = len(body) / 1e6
    out["csv_gen_s"] = time.perf_counter() - t0
    before = db_one(db, f"select count(*) from registry_resident where community_id = {cid}")
    settle(server.pid)
    # Reset the peak (VmHWM) to the current RSS: the import's peak alone, not the queries' before.
    try:
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")
        out["hwm_reset"] = True
    except OSError:
        out["hwm_reset"] = False
    out["rss_before_mb"] = B.rss_mb(server.pid)
    # Is the import routed? A tiny body first: a 404 to a 10 MB upload breaks the pipe.
    status, _, data = B.request(port, "POST", f"/api/v1/registry/imports?community={cid}", b"",
                                {**auth, "Content-Type": "text/csv"})
    if status in (404, 405):
        return {**out, "error": f"POST /api/v1/registry/imports answered {status}: the import API is not routed "
                                "in this build"}
    watch = RssWatch(server.pid)
    watch.start()
    cpu0, pg0 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0
    t0 = time.perf_counter()
    try:
        status, _, data = B.request(port, "POST", f"/api/v1/registry/imports?community={cid}&file_name=bench.csv",
                                    body, {**auth, "Content-Type": "text/csv"}, timeout=1800)
    except OSError as e:
        watch.stop_flag.set()
        return {**out, "error": f"upload failed: {e!r}"}
    out["upload_s"] = time.perf_counter() - t0
    out["upload_status"] = status
    if status == 404:
        watch.stop_flag.set()
        return {**out, "error": "POST /api/v1/registry/imports answered 404: the import API is not routed "
                                "in this build"}
    if status != 201:
        watch.stop_flag.set()
        return {**out, "error": f"upload answered {status}: {data[:500]!r}"}
    preview = json.loads(data)
    out["accepted_rows"] = preview.get("accepted_rows")
    out["total_rows"] = preview.get("total_rows")
    out["rejected_sample"] = preview.get("rejected", [])[:3]
    out["rss_after_upload_mb"] = B.rss_mb(server.pid)
    out["hwm_after_upload_mb"] = B.rss_mb(server.pid, "VmHWM")
    t1 = time.perf_counter()
    status, _, data = B.request(port, "POST", f"/api/v1/registry/imports/{preview['import_id']}/commit", b"",
                                {**auth, "Content-Type": "application/json"}, timeout=1800)
    out["commit_s"] = time.perf_counter() - t1
    out["commit_status"] = status
    out["total_s"] = time.perf_counter() - t0
    cpu1, pg1 = B.cpu_seconds(server.pid) or 0.0, B.postgres_cpu() if pg else 0.0
    watch.stop_flag.set()
    watch.join(1)
    out["server_cpu_s"] = cpu1 - cpu0
    if pg:
        out["pg_cpu_s"] = pg1 - pg0
    out["peak_rss_mb"] = max(watch.peak_mb, B.rss_mb(server.pid, "VmHWM") or 0.0)
    out["rss_after_mb"] = B.rss_mb(server.pid)
    if status != 200:
        out["error"] = f"commit answered {status}: {data[:500]!r}"
    else:
        out["committed_rows"] = json.loads(data).get("committed_rows")
    after = db_one(db, f"select count(*) from registry_resident where community_id = {cid}")
    out["residents_before"], out["residents_after"] = before, after
    return out


def register_csv(dwellings: list[tuple[str, str, str]], address_code: str) -> bytes:
    """An owners' register over these dwellings: one unit a row; every fourth unit has two co-owners,
    every tenth owner's number is written in full width as Excel with a Chinese input method does."""
    rnd = random.Random(20261207)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["楼栋", "单元", "房号", "建筑面积", "专有部分面积", "产权人", "证件号码", "产权证号", "面积来源", "备注"])
    serial = 0
    for i, (b, u, r) in enumerate(dwellings):
        names, ids = [], []
        for _ in range(2 if i % 4 == 0 else 1):
            serial += 1
            birth = _dt.date(1950, 1, 1) + _dt.timedelta(days=serial % 20000)
            first17 = f"{address_code}{birth:%Y%m%d}{serial % 1000:03d}"
            number = first17 + check_char(first17)
            if serial % 10 == 0:
                number = "".join(chr(ord(c) + 0xFEE0) for c in number)
            names.append(rnd.choice(SURNAMES) + rnd.choice(GIVEN))
            ids.append(number)
        area = rnd.randrange(4500, 14000)
        w.writerow([b, u, r, f"{area * 1.2 / 100:.2f}", f"{area // 100}.{area % 100:02d}", "、".join(names),
                    "、".join(ids), f"甘(2015)兰州市不动产权第{i + 1:07d}号", "", ""])
    return buf.getvalue().encode("utf-8")


def measure_owner_import(port: int, db: B.Database, token: str, cid: int, code: str, units: int) -> dict:
    """Uploads a generated owners' register of `units` units and commits it, twice: the second run
    is a re-import that replaces every unit's owners (and finds every owner already registered)."""
    auth = {"Authorization": f"Bearer {token}"}
    dwellings = [tuple(r) for r in db_rows(db, (
        "select b.code, u.code, h.code from household h join building b on b.building_id = h.building_id "
        f"join unit u on u.unit_id = h.unit_id where h.community_id = {cid} and h.retired_at is null "
        f"order by h.household_id limit {units}"))]
    out: dict = {"community": code, "units": len(dwellings), "asked_units": units}
    body = register_csv(dwellings, f"{random.Random().randrange(120000, 129999):06d}")
    out["csv_kb"] = len(body) / 1e3
    for run in ("first", "again"):
        t0 = time.perf_counter()
        status, _, data = B.request(port, "POST",
                                    f"/api/v1/registry/imports?community={cid}&file_name=register.csv&kind=owners",
                                    body, {**auth, "Content-Type": "text/csv"}, timeout=600)
        upload_s = time.perf_counter() - t0
        if status != 201:
            return {**out, "error": f"{run}: upload answered {status}: {data[:300]!r}"}
        preview = json.loads(data)
        t1 = time.perf_counter()
        status, _, data = B.request(port, "POST", f"/api/v1/registry/imports/{preview['import_id']}/commit", b"",
                                    {**auth, "Content-Type": "application/json"}, timeout=600)
        commit_s = time.perf_counter() - t1
        if status != 200:
            return {**out, "error": f"{run}: commit answered {status}: {data[:300]!r}"}
        out[run] = {"upload_s": upload_s, "commit_s": commit_s, "total_s": upload_s + commit_s,
                    "accepted_rows": preview.get("accepted_rows"), "rejected": preview.get("rejected", [])[:3]}
    out["holdings"] = db_one(db, f"select count(*) from registry_holding where community_id = {cid} and kind = 'owner'")
    return out


# ---------------------------------------------------------------- report


def f(v, spec: str = ".1f", none: str = "n/a") -> str:
    return none if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "NOT MET")


def render(a, info: dict) -> str:
    L: list[str] = []
    add = L.append
    s = info.get("scale", {})
    sd = info.get("seed", {})
    add(f"Yijia residents-registry benchmark, {info['started']}   git {info['git']}")
    add(f"binary    {info['bin']} (built {info['bin_mtime']})")
    add(f"machine   {info['machine']}; load average at start {info['load_start']}, at end {info.get('load_end', '?')}")
    add("          wrk and the Python client share these cores with the server (and PostgreSQL): compare "
        "figures within one run.")
    add(f"database  {info['db']}   size {f(info.get('db_size_mb'), '.0f')} MB")
    add(f"data      {f(s.get('community'), 'd')} communities, {f(s.get('grid'), 'd')} grids, "
        f"{f(s.get('building'), 'd')} buildings, {f(s.get('unit'), 'd')} units, {f(s.get('household'), 'd')} households, "
        f"{f(s.get('registry_resident'), ',d')} residents, {f(s.get('registry_care_tag'), ',d')} care tags "
        f"(seed --communities {a.communities} --residents-per-community {a.residents})")
    if sd.get("wall_s"):
        rate = (s.get("registry_resident") or 0) / sd["wall_s"]
        add(f"seed      {sd['wall_s']:.1f} s wall = {rate:,.0f} residents/s; CPU of the seed process "
            f"{f(sd.get('cpu_s'))} s; peak RSS {f(sd.get('peak_rss_mb'), '.0f')} MB"
            + (f"; PostgreSQL CPU {f(sd.get('pg_cpu_s'))} s" if "pg_cpu_s" in sd else "")
            + f"; machine {f(sd.get('machine_busy_pct'), '.0f')}% busy")
    elif info.get("reused"):
        add(f"seed      reused {info['reused']} (no seed in this run)")
    for sql in a.pre_sql:
        add(f"EXPERIMENT before serving: {sql}")
    add(f"accounts  {', '.join(info.get('accounts', []))}")
    hz = info.get("healthz")
    if hz:
        add(f"baseline  GET /healthz one at a time: p50 {hz['p50']:.2f} ms, p95 {hz['p95']:.2f} ms "
            "(loopback + HTTP + the Python client: included in every figure below)")
    add("")
    per = max(1, a.requests // a.rounds)
    add(f"One request at a time ({a.rounds} interleaved rounds of {per} on one keep-alive connection): the "
        "closest a client gets to server time.")
    hdr = (f"{'':2}{'scenario':<14}{'comm.':<10}{'items':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
           f"{'p95 rounds':>20}{'target':>9}{'p95/tgt':>9}{'srv CPU':>9}{'db CPU':>8}{'others':>8}{'err':>5}")
    add(hdr)
    add("-" * len(hdr))
    for t in info["targets"]:
        target = t.get("target_ms")
        rounds = "/".join(f"{x:.1f}" for x in t["rounds_p95"])
        add(f"{LETTER[t['scenario']]:<2}{t['scenario']:<14}{t['community']:<10}{f(t['items'], 'd'):>6}"
            f"{t['p50']:>9.2f}{t['p95']:>9.2f}{t['p99']:>9.2f}{t['max']:>9.1f}{rounds:>20}"
            f"{f(target, '.0f'):>9}{(f(100 * t['p95'] / target, '.0f') + '%') if target else '-':>9}"
            f"{f(t['srv_cpu_ms'], '.2f'):>9}{f(t.get('db_cpu_ms'), '.2f', '-'):>8}{f(t['others_pct'], '.0f')+'%':>8}"
            f"{t['errors']:>5}")
    add("")
    add("srv CPU / db CPU: CPU ms per request of the yijia process / of all postgres processes; others: share of "
        "all cores busy with anything else (noise). p95 rounds: each round's own p95.")
    if any(t.get("wrk") for t in info["targets"]):
        add("")
        add(f"wrk -t1 -c{a.wrk_connections} -d{a.wrk_duration}s (after 2 s of warm-up): {a.wrk_connections} "
            f"requests in flight on {os.cpu_count()} cores, so these include queueing (an upper bound).")
        hdr2 = f"{'':2}{'scenario':<14}{'comm.':<10}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
        add(hdr2)
        add("-" * len(hdr2))
        for t in info["targets"]:
            w = t.get("wrk")
            if not w:
                continue
            if "error" in w:
                add(f"{LETTER[t['scenario']]:<2}{t['scenario']:<14}{t['community']:<10}  FAILED: {w['error'][:200]}")
                continue
            errs = sum(w.get(k, 0) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
            add(f"{LETTER[t['scenario']]:<2}{t['scenario']:<14}{t['community']:<10}{w['rps']:>9.1f}{w['p50_ms']:>9.2f}"
                f"{w['p95_ms']:>9.2f}{w['p99_ms']:>9.2f}{w['max_ms']:>9.1f}{errs:>8}")
    imp = info.get("import")
    add("")
    if not imp:
        add("import    not run (--import-rows 0)")
    elif imp.get("error") and imp.get("accepted_rows") is None:
        add(f"import    NOT MEASURED: {imp['error']}")
    else:
        add(f"import    {imp['rows']:,} rows ({f(imp.get('csv_mb'))} MB CSV) into {imp['community']} "
            f"(residents {imp.get('residents_before')} -> {imp.get('residents_after')}): "
            f"upload+check+seal+preview {f(imp.get('upload_s'))} s ({f(imp.get('accepted_rows'), 'd')} accepted), "
            f"commit {f(imp.get('commit_s'))} s ({f(imp.get('committed_rows'), 'd')} written); total "
            f"{f(imp.get('total_s'))} s")
        add(f"          server peak RSS during the import {f(imp.get('peak_rss_mb'), '.0f')} MB (from "
            f"{f(imp.get('rss_before_mb'), '.0f')} MB before, on a {'warm' if a.import_warm else 'restarted'} server; "
            f"VmHWM reset: {imp.get('hwm_reset')}); after upload "
            f"{f(imp.get('hwm_after_upload_mb'), '.0f')} MB peak; server CPU {f(imp.get('server_cpu_s'))} s"
            + (f", PostgreSQL CPU {f(imp.get('pg_cpu_s'))} s" if "pg_cpu_s" in imp else ""))
        if imp.get("error"):
            add(f"          ERROR: {imp['error']}")
    own = info.get("owners")
    if own and own.get("error"):
        add(f"owners    NOT MEASURED: {own['error']}")
    elif own:
        for run in ("first", "again"):
            r = own[run]
            add(f"owners    {own['units']:,} units' register ({f(own.get('csv_kb'), '.0f')} kB) into {own['community']}, "
                f"{run}: upload+check {f(r['upload_s'], '.2f')} s ({r['accepted_rows']} accepted), commit "
                f"{f(r['commit_s'], '.2f')} s; total {f(r['total_s'], '.2f')} s")
    add("")
    add("Targets (the issue):")
    for line in info.get("verdicts", []):
        add(f"  {line}")
    if info.get("plans"):
        add("")
        add("Query plans of GET /api/v1/residents (the statement as repo::list builds it; db-only time):")
        for key, pl in info["plans"].items():
            add(f"--- {key}: db-only {f(pl.get('db_ms'), '.2f')} ms {pl.get('note', '')}")
            add(pl.get("plan") or pl.get("error", ""))
    if info.get("notes"):
        add("")
        for n in info["notes"]:
            add(f"note: {n}")
    return "\n".join(L) + "\n"


def verdicts(info: dict) -> list[str]:
    out = []
    by = {}
    for t in info["targets"]:
        by.setdefault(t["scenario"], []).append(t)
    for sc, tgt, label in (("grid_list", TARGET_LIST_P95_MS, "grid worker list p95"),
                           ("grid_name", TARGET_LIST_P95_MS, "grid worker list q=王 p95"),
                           ("grid_elderly", TARGET_LIST_P95_MS, "grid worker list tag+age p95"),
                           ("id_lookup", TARGET_LOOKUP_MS, "exact ID lookup (p95)")):
        for t in by.get(sc, []):
            wrk = t.get("wrk") or {}
            out.append(f"{label:<32} {t['community']:<9} < {tgt:.0f} ms: one at a time p95 {t['p95']:.2f} ms "
                       f"(p50 {t['p50']:.2f}) -> {verdict(t['p95'] < tgt)}"
                       + (f"; wrk -c{info['wrk_c']} p95 {wrk['p95_ms']:.2f} ms" if wrk.get("p95_ms") is not None else ""))
    imp = info.get("import")
    if imp and imp.get("total_s") and not imp.get("error"):
        out.append(f"{'import ' + format(imp['rows'], ',') + ' rows':<32} {imp['community']:<9} < {TARGET_IMPORT_S:.0f} s: {imp['total_s']:.1f} s "
                   f"-> {verdict(imp['total_s'] < TARGET_IMPORT_S)}; < {TARGET_IMPORT_MB:.0f} MB: "
                   f"{f(imp.get('peak_rss_mb'), '.0f')} MB -> {verdict((imp.get('peak_rss_mb') or 1e9) < TARGET_IMPORT_MB)}")
    elif imp:
        out.append(f"import: not measured ({imp.get('error', '?')})")
    own = info.get("owners")
    if own and not own.get("error"):
        worst = max(own["first"]["total_s"], own["again"]["total_s"])
        out.append(f"{'owners register ' + format(own['units'], ',') + ' units':<32} {own['community']:<9} "
                   f"< {TARGET_OWNERS_S:.0f} s: {worst:.2f} s (slower of import and re-import) "
                   f"-> {verdict(worst < TARGET_OWNERS_S and own['units'] >= own['asked_units'])}")
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
    out_txt = RESULTS_DIR / f"{stamp}-registry-{a.backend}.txt"
    if a.reuse:
        data_dir = Path(a.reuse).resolve()
        if not (data_dir / "secret.key").exists():
            die(f"--reuse {data_dir}: no secret.key there")
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="yijia-registry-bench-"))
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
            info["seed"] = seed(cfg, db, a)
            log(f"seeded in {info['seed']['wall_s']:.1f} s, peak RSS {f(info['seed'].get('peak_rss_mb'), '.0f')} MB")
        for sql in a.pre_sql:
            log(f"EXPERIMENT: {sql}")
            t0 = time.perf_counter()
            db_exec(db, sql)
            info["notes"].append(f"experiment statement took {time.perf_counter() - t0:.1f} s: {sql}")
        info["scale"] = scale(db)
        info["db_size_mb"] = db_size_mb(db)
        if pg:
            info["db"] += " " + " ".join(
                f"{k}={db_one(db, 'show ' + k)}" for k in ("server_version", "shared_buffers", "work_mem", "autovacuum"))
            info["db"] += ("; registry_resident last analyzed: " + (db_one(
                db, "select coalesce(greatest(last_analyze, last_autoanalyze)::text, 'never') from pg_stat_user_tables "
                    "where relname = 'registry_resident'") or "?"))
        n = info["scale"].get("community") or 0
        if not info["scale"].get("registry_resident"):
            die("no residents after the seed")
        last = f"SEED{a.communities:04d}"
        codes = ["SEED0001"] + ([last] if a.communities > 1 else [])
        comm: dict[str, dict] = {}
        for code in codes:
            row = db_rows(db, f"select community_id, time_zone from community where code = '{code}'")
            if not row:
                die(f"community {code} not found (seeded {n})")
            cid = int(row[0][0])
            gid = int(db_one(db, f"select grid_id from grid where community_id = {cid} and code = 'G01'") or 0)
            hid = int(db_one(db, f"select min(household_id) from household where community_id = {cid} "
                                 f"and grid_id = {gid}") or 0)
            comm[code] = {"cid": cid, "gid": gid, "hid": hid, "tz": row[0][1]}
        info["accounts"] = []
        for i, code in enumerate(codes, 1):
            gw, staff = f"rb.grid{i}", f"rb.staff{i}"
            info["accounts"].append(create_account(cfg, db, gw, "grid_worker", code, "G01") + f" (grid_worker {code} G01)")
            info["accounts"].append(create_account(cfg, db, staff, "community_staff", code, None)
                                    + f" (community_staff {code})")
            comm[code]["gw"], comm[code]["staff"] = gw, staff

        server.start()
        log(f"server pid {server.pid} on 127.0.0.1:{port}")
        # Tokens and cookies; the resident to look up (created through the API, as a person would).
        for code, c in comm.items():
            c["gw_token"] = api_token(port, c["gw"])
            c["staff_token"] = api_token(port, c["staff"])
            if "grid_page" in a.scenarios:
                c["gw_cookie"] = session_cookie(port, c["gw"])
            if "staff_page" in a.scenarios:
                c["staff_cookie"] = session_cookie(port, c["staff"])
            body = json.dumps({"name": LOOKUP_NAME, "id_number": LOOKUP_ID}).encode()
            status, _, data = B.request(port, "POST", f"/api/v1/households/{c['hid']}/residents", body,
                                        {"Authorization": f"Bearer {c['staff_token']}",
                                         "Content-Type": "application/json"})
            if status == 201:
                c["lookup_rid"] = json.loads(data)["resident_id"]
            else:
                rid = db_one(db, f"select max(resident_id) from registry_resident where community_id = {c['cid']} "
                                 f"and name = '{LOOKUP_NAME}' and left_at is null")
                if not rid:
                    die(f"adding the lookup resident to {code} answered {status}: {data[:300]!r}")
                c["lookup_rid"] = int(rid)
                info["notes"].append(f"{code}: the lookup resident existed already (resident {rid})")

        targets: list[Target] = []
        for code, c in comm.items():
            today = today_in(c["tz"])
            cutoff = years_before(today, 60).isoformat()
            checks = make_checks(c["gid"], cutoff)
            base = f"/api/v1/residents?community={c['cid']}"
            gw = {"Authorization": f"Bearer {c['gw_token']}"}
            paths = {
                "grid_list": (f"{base}&grid={c['gid']}&limit=50", gw),
                "grid_name": (f"{base}&grid={c['gid']}&q={urllib.parse.quote('王')}&limit=50", gw),
                "grid_elderly": (f"{base}&grid={c['gid']}&tag=elderly_alone&age_min=60&limit=50", gw),
                "id_lookup": (f"{base}&q={LOOKUP_ID}&limit=50", {"Authorization": f"Bearer {c['staff_token']}"}),
                "grid_page": (f"/registry?community={c['cid']}&grid={c['gid']}", {"Cookie": c.get("gw_cookie", "")}),
                "staff_page": (f"/registry?community={c['cid']}", {"Cookie": c.get("staff_cookie", "")}),
                "staff_list": (f"{base}&limit=50", {"Authorization": f"Bearer {c['staff_token']}"}),
            }
            for sc in a.scenarios:
                path, headers = paths[sc]
                targets.append(Target(f"{sc}@{code}", sc, code, path, headers, checks[sc]))
            c["today"], c["cutoff"] = today.isoformat(), cutoff

        # Check every answer once before any load: a 200 with the wrong rows would measure nothing.
        for t in targets:
            cl = Client(port, t.headers)
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

        # Baseline: the client and loopback alone.
        hz = Target("healthz", "healthz", "-", "/healthz", {}, None)
        cl = Client(port, {})
        for _ in range(50):
            t0 = time.perf_counter()
            cl.get("/healthz")
        for _ in range(300):
            t0 = time.perf_counter()
            cl.get("/healthz")
            hz.samples.append((time.perf_counter() - t0) * 1000)
        cl.close()
        s = sorted(hz.samples)
        info["healthz"] = {"p50": pct(s, 50), "p95": pct(s, 95), "p99": pct(s, 99)}

        quiet("sequential")
        log(f"sequential: {len(targets)} targets x {a.requests} requests in {a.rounds} rounds")
        measure_sequential(targets, server, a, pg)
        for t in targets:
            quiet(f"wrk {t.key}")
            settle(server.pid)
            t.wrk = run_wrk(t, port, a)
            if t.wrk and "p95_ms" in t.wrk:
                log(f"wrk {t.key}: {t.wrk['rps']:.0f} req/s, p95 {t.wrk['p95_ms']:.1f} ms")

        # Query plans (after the load: the data as measured).
        plans = {}
        for code, c in comm.items():
            id_blind = db_one(db, f"select id_blind from registry_resident where resident_id = {c['lookup_rid']}") or ""
            kind_blind = db_one(db, f"select kind_blind from registry_care_tag where community_id = {c['cid']} "
                                    "limit 1") or ""
            for sc in [s for s in a.scenarios if s in API_SCENARIOS]:
                sql, params = api_sql(sc, c["cid"], c["gid"], id_blind, kind_blind, c["today"], c["cutoff"])
                plans[f"{sc}@{code}"] = explain(db, sql, params)
            raw.append(f"statement of grid_elderly@{code}:\n" + api_sql("grid_elderly", c["cid"], c["gid"], "<id_blind>",
                                                                         "<kind_blind>", c["today"], c["cutoff"])[0])
        info["plans"] = plans

        for t in targets:
            srt = sorted(t.samples)
            n_req = len(t.samples)
            d = {
                "key": t.key, "scenario": t.scenario, "community": t.community, "path": t.path, "items": t.items,
                "bytes": t.bytes, "requests": n_req, "errors": t.errors,
                "p50": pct(srt, 50), "p95": pct(srt, 95), "p99": pct(srt, 99), "max": srt[-1],
                "rounds_p95": t.rounds_p95, "rounds_p50": t.rounds_p50,
                "p95_median_of_rounds": statistics.median(t.rounds_p95),
                "srv_cpu_ms": t.cpu_s * 1000 / n_req,
                "db_cpu_ms": t.pg_cpu_s * 1000 / n_req if pg else None,
                "others_pct": 100 * t.other_cpu_s / (t.wall_s * (os.cpu_count() or 1)) if t.wall_s else None,
                "target_ms": TARGET_LOOKUP_MS if t.scenario == "id_lookup" else
                TARGET_LIST_P95_MS if t.scenario in API_SCENARIOS else None,
                "wrk": t.wrk,
            }
            info["targets"].append(d)

        if a.import_rows > 0:
            code = "SEED0002" if a.communities >= 3 else codes[0]
            cid = comm[code]["cid"] if code in comm else int(
                db_one(db, f"select community_id from community where code = '{code}'") or 0)
            if code not in comm:
                account = create_account(cfg, db, "rb.import", "community_staff", code, None)
                info["accounts"].append(account + f" (community_staff {code}, the import)")
                token = api_token(port, "rb.import")
            else:
                token = comm[code]["staff_token"]
            import_dir = B.REPO / "crates" / "modules" / "registry" / "src" / "import"
            if not import_dir.is_dir():
                info["import"] = {"rows": a.import_rows, "community": code,
                                  "error": "crates/modules/registry/src/import does not exist in this tree"}
            else:
                if not a.import_warm:
                    # A fresh server: the import's peak must not depend on what the scenarios left behind.
                    server.stop()
                    server.start()
                    time.sleep(2)
                    log(f"server restarted for the import: pid {server.pid}, RSS {f(B.rss_mb(server.pid), '.0f')} MB")
                quiet("import")
                log(f"import: {a.import_rows:,} rows into {code}")
                info["import"] = measure_import(port, server, db, token, cid, code, a.import_rows, pg)
                log(f"import: {json.dumps({k: v for k, v in info['import'].items() if k != 'template_header'}, ensure_ascii=False, default=str)[:600]}")
        if a.owner_units > 0:
            code = "SEED0002" if a.communities >= 3 else codes[0]
            cid = comm[code]["cid"] if code in comm else int(
                db_one(db, f"select community_id from community where code = '{code}'") or 0)
            if code in comm:
                token = comm[code]["staff_token"]
            else:
                if "rb.import" not in " ".join(info["accounts"]):
                    account = create_account(cfg, db, "rb.import", "community_staff", code, None)
                    info["accounts"].append(account + f" (community_staff {code}, the import)")
                token = api_token(port, "rb.import")
            quiet("owners")
            log(f"owners' register: {a.owner_units:,} units into {code}")
            info["owners"] = measure_owner_import(port, db, token, cid, code, a.owner_units)
            log(f"owners' register: {json.dumps(info['owners'], ensure_ascii=False, default=str)[:600]}")
        info["verdicts"] = verdicts(info)
        info["server_peak_rss_mb"] = B.rss_mb(server.pid, "VmHWM")
    finally:
        server.stop()
        info["load_end"] = B.loadavg()
        tail = server.log_tail(30)
        if info["targets"] or info.get("seed"):
            info.setdefault("verdicts", verdicts(info) if info["targets"] else [])
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
        print(f"registry bench: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("registry bench: interrupted", file=sys.stderr)
        sys.exit(130)
