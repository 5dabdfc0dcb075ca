#!/usr/bin/env python3
"""Yijia benchmark driver: seed, serve, load with wrk, summarise.

Run through bench/run.sh; see bench/README.md. Standard library only. Everything talks to
127.0.0.1 only, and every step has a time limit.
"""

from __future__ import annotations

import datetime as _dt
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
LUA_DIR = BENCH_DIR / "lua"
RESULTS_DIR = BENCH_DIR / "results"
ARGON2_TOOL_DIR = BENCH_DIR / "argon2-time"

SCENARIOS = {
    "healthz": "GET /healthz (no I/O): the ceiling; always run first",
    "home": "GET / (staff console home) with a session cookie of the staff account",
    "structure_api": "GET /api/v1/communities/{id}/grids and /api/v1/grids/{id}/buildings, alternating, bearer token",
    "login": "POST /login with the correct password (Argon2id verify + session write)",
}
# login runs last by default: 64 parallel Argon2 verifications inflate the server's memory.
DEFAULT_ORDER = ["healthz", "home", "structure_api", "login"]
TARGET_RATIO = 0.30  # the issue: login and home >= 30 % of the /healthz ceiling


def die(msg: str) -> None:
    raise BenchError(msg)


class BenchError(Exception):
    pass


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def env(name: str, default: str) -> str:
    v = os.environ.get(name, "")
    return v if v.strip() else default


def seconds(value: str, name: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*", value)
    if not m:
        die(f"{name}={value!r}: expected a duration such as 10s, 500ms or 1m")
    n = float(m.group(1))
    return n / 1000 if m.group(2) == "ms" else n * 60 if m.group(2) == "m" else n


def positive_int(value: str, name: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        die(f"{name}={value!r}: expected a positive integer")
    return n


class Config:
    def __init__(self) -> None:
        self.bin = Path(env("YIJIA_BIN", str(REPO / "target" / "release" / "yijia"))).resolve()
        self.db = env("BENCH_DB", "sqlite").lower()
        if self.db not in ("sqlite", "postgres"):
            die(f"BENCH_DB={self.db!r}: expected sqlite or postgres")
        self.pg_url = env("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        self.pg_db = env("BENCH_PG_DB", "yijia_bench")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", self.pg_db):
            die(f"BENCH_PG_DB={self.pg_db!r}: use lower-case letters, digits and _")
        self.communities = positive_int(env("BENCH_COMMUNITIES", "5"), "BENCH_COMMUNITIES")
        self.residents = positive_int(env("BENCH_RESIDENTS", "2000"), "BENCH_RESIDENTS")
        self.duration = seconds(env("BENCH_DURATION", "10s"), "BENCH_DURATION")
        self.warmup = seconds(env("BENCH_WARMUP", "2s"), "BENCH_WARMUP")
        self.connections = positive_int(env("BENCH_CONNECTIONS", "64"), "BENCH_CONNECTIONS")
        self.threads = positive_int(env("BENCH_THREADS", "2"), "BENCH_THREADS")
        if self.threads > self.connections:
            self.threads = self.connections
        self.startup_runs = positive_int(env("BENCH_STARTUP_RUNS", "5"), "BENCH_STARTUP_RUNS")
        self.idle = seconds(env("BENCH_IDLE", "5s"), "BENCH_IDLE")
        self.argon2_runs = positive_int(env("BENCH_ARGON2_RUNS", "21"), "BENCH_ARGON2_RUNS")
        self.seed_timeout = seconds(env("BENCH_SEED_TIMEOUT", "30m"), "BENCH_SEED_TIMEOUT")
        self.user = env("BENCH_USER", "seed.staff")
        self.password = env("BENCH_PASSWORD", "seed-password-1")
        self.keep = env("BENCH_KEEP", "0") not in ("0", "", "no", "false")
        self.port = int(env("BENCH_PORT", "0"))
        self.quiet_wait = seconds(env("BENCH_QUIET_WAIT", "0"), "BENCH_QUIET_WAIT")
        self.quiet_pct = float(env("BENCH_QUIET_PCT", "10"))
        self.wrk = shutil.which(env("BENCH_WRK", "wrk"))
        self.cores = os.cpu_count() or 1

    def wrk_duration(self, secs: float) -> str:
        return f"{max(1, round(secs))}s"


# ---------------------------------------------------------------- small helpers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10.0):
    """One HTTP request to 127.0.0.1, no redirects followed. Returns (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def proc_status(pid: int) -> dict[str, str]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            out[k] = v.strip()
    except OSError:
        pass
    return out


def rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    v = proc_status(pid).get(field)
    return int(v.split()[0]) / 1024 if v else None


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (all its threads), in seconds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores, all processes) since boot."""
    try:
        f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] if len(f) > 7 else 0)) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def postgres_cpu() -> float:
    """CPU seconds of the running PostgreSQL processes (server and backends)."""
    total = 0.0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(d.name)) or 0.0
            except OSError:
                pass
    return total


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wait_quiet(limit: float, pct: float) -> tuple[float, float]:
    """Waits up to `limit` seconds for the machine to be quiet (under `pct` % of all cores busy
    over 2 s); returns (seconds waited, the last busy %)."""
    t0 = time.perf_counter()
    cores = os.cpu_count() or 1
    while True:
        b0, w0 = machine_busy(), time.perf_counter()
        time.sleep(2)
        busy = 100 * (machine_busy() - b0) / ((time.perf_counter() - w0) * cores)
        if busy < pct or time.perf_counter() - t0 >= limit:
            return time.perf_counter() - t0, busy


def settle(pid: int, limit: float = 90.0) -> float:
    """Waits until the server is idle (under 5 % of a core for 0.5 s), e.g. until the Argon2
    verifications of a warm-up's abandoned logins have finished; returns the seconds waited."""
    t0 = time.perf_counter()
    prev = cpu_seconds(pid)
    quiet = 0
    while prev is not None and time.perf_counter() - t0 < limit:
        time.sleep(0.25)
        cur = cpu_seconds(pid)
        if cur is None:
            break
        quiet = quiet + 1 if (cur - prev) / 0.25 < 0.05 else 0
        if quiet >= 2:
            break
        prev = cur
    return time.perf_counter() - t0


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def machine() -> str:
    model = "?"
    mem = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), {mem} RAM"


def git_rev() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return f"{rev or '?'}{' (uncommitted changes)' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return "?"


def clean_env() -> dict[str, str]:
    """The server's environment: none of the caller's YIJIA_* / DATABASE_URL settings."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("YIJIA_") and k != "DATABASE_URL"}
    e.setdefault("RUST_LOG", os.environ.get("BENCH_RUST_LOG", "info"))
    return e


# ---------------------------------------------------------------- the database


class Database:
    def __init__(self, cfg: Config, data_dir: Path) -> None:
        self.cfg = cfg
        self.data_dir = data_dir
        self.url = f"{cfg.pg_url}/{cfg.pg_db}" if cfg.db == "postgres" else None

    def args(self) -> list[str]:
        a = ["--data-dir", str(self.data_dir)]
        if self.url:
            a += ["--database-url", self.url]
        return a

    def describe(self) -> str:
        if self.url:
            return f"postgres ({self.url})"
        return f"sqlite ({self.data_dir / 'yijia.db'})"

    def psql(self, dbname: str, sql: str) -> str:
        psql = shutil.which("psql")
        if not psql:
            die("BENCH_DB=postgres needs psql")
        r = subprocess.run([psql, f"{self.cfg.pg_url}/{dbname}", "-v", "ON_ERROR_STOP=1",
                            "-X", "-q", "-t", "-A", "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise BenchError(f"psql: {r.stderr.strip()}")
        return r.stdout.strip()

    def recreate(self) -> None:
        if self.url:
            log(f"dropping and creating PostgreSQL database {self.cfg.pg_db}")
            self.psql("postgres", f"DROP DATABASE IF EXISTS {self.cfg.pg_db} WITH (FORCE)")
            self.psql("postgres", f"CREATE DATABASE {self.cfg.pg_db}")

    def drop(self) -> None:
        if self.url:
            try:
                self.psql("postgres", f"DROP DATABASE IF EXISTS {self.cfg.pg_db} WITH (FORCE)")
            except (BenchError, OSError, subprocess.SubprocessError) as e:
                log(f"could not drop {self.cfg.pg_db}: {e}")

    def scalar(self, sql: str, param: str | None = None) -> str | None:
        """One value, or None when the query fails (e.g. a table renamed since this was written)."""
        try:
            if self.url:
                if param is not None:
                    sql = sql.replace("?", "'" + param.replace("'", "''") + "'")
                v = self.psql(self.cfg.pg_db, sql)
                return v.splitlines()[0] if v else None
            con = sqlite3.connect(f"file:{self.data_dir / 'yijia.db'}?mode=ro", uri=True, timeout=10)
            try:
                row = con.execute(sql, (param,) if param is not None else ()).fetchone()
                return None if row is None else str(row[0])
            finally:
                con.close()
        except (BenchError, sqlite3.Error, OSError, subprocess.SubprocessError):
            return None

    def scale(self) -> dict[str, int | None]:
        out = {}
        for table in ("community", "grid", "building", "unit", "household", "account"):
            v = self.scalar(f"SELECT count(*) FROM {table}")
            out[table] = int(v) if v is not None and v.isdigit() else None
        return out


# ---------------------------------------------------------------- the server


class Server:
    def __init__(self, cfg: Config, db: Database, port: int, log_path: Path) -> None:
        self.cfg, self.db, self.port, self.log_path = cfg, db, port, log_path
        self.proc: subprocess.Popen | None = None

    def start(self, deadline: float = 60.0) -> float:
        """Starts the server; returns seconds from process start until /healthz answered 200."""
        cmd = [str(self.cfg.bin), *self.db.args(), "serve", "--listen", f"127.0.0.1:{self.port}"]
        logf = open(self.log_path, "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                     cwd=self.db.data_dir, env=clean_env())
        logf.close()
        while True:
            elapsed = time.perf_counter() - t0
            if self.proc.poll() is not None:
                die(f"the server exited with {self.proc.returncode} while starting; see {self.log_path}:\n"
                    + self.log_tail())
            if elapsed > deadline:
                self.stop()
                die(f"/healthz did not answer within {deadline:.0f} s; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - t0
            except OSError:
                pass
            time.sleep(0.002)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = None
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log("the server did not stop within 15 s of SIGTERM; killing it")
            self.proc.kill()
            self.proc.wait(timeout=15)
        self.proc = None

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


# ---------------------------------------------------------------- preparation


def session_cookie(cfg: Config, port: int) -> str:
    body = urllib.parse.urlencode({"username": cfg.user, "password": cfg.password, "next": "/"}).encode()
    status, headers, _ = request(port, "POST", "/login", body,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    for value in headers.get_all("Set-Cookie") or []:
        m = re.match(r"\s*yijia_session=([^;]+)", value)
        if m and m.group(1):
            if status != 303:
                log(f"note: POST /login answered {status}, expected 303")
            return f"yijia_session={m.group(1)}"
    die(f"POST /login as {cfg.user} answered {status} without a session cookie "
        "(wrong BENCH_USER/BENCH_PASSWORD? do not retry blindly: failures are throttled)")
    return ""


def api_token(cfg: Config, port: int) -> str:
    body = json.dumps({"username": cfg.user, "password": cfg.password}).encode()
    status, _, data = request(port, "POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    if status != 200:
        die(f"POST /api/v1/auth/token answered {status}: {data[:200]!r}")
    return json.loads(data)["token"]


def api_get(port: int, token: str, path: str) -> dict:
    status, _, data = request(port, "GET", path, headers={"Authorization": f"Bearer {token}"})
    if status != 200:
        die(f"GET {path} answered {status}: {data[:200]!r}")
    return json.loads(data)


def first_id(items: list[dict], *keys: str) -> int:
    if not items:
        die("an API list came back empty; did the seed run?")
    for k in keys:
        if k in items[0]:
            return int(items[0][k])
    die(f"no id among {keys} in {sorted(items[0])}")
    return 0


def prepare(cfg: Config, port: int) -> dict:
    """Credentials and ids the scenarios need, each checked once before the load."""
    cookie = session_cookie(cfg, port)
    status, headers, page = request(port, "GET", "/", headers={"Cookie": cookie})
    if status != 200:
        die(f"GET / with the session cookie answered {status} (location {headers.get('Location')})")
    token = api_token(cfg, port)
    communities = api_get(port, token, "/api/v1/communities")["items"]
    cid = first_id(communities, "community_id", "id")
    grids = api_get(port, token, f"/api/v1/communities/{cid}/grids")["items"]
    gid = first_id(grids, "id", "grid_id")
    buildings = api_get(port, token, f"/api/v1/grids/{gid}/buildings")["items"]
    return {
        "cookie": cookie,
        "token": token,
        "home_bytes": len(page),
        "paths": [f"/api/v1/communities/{cid}/grids", f"/api/v1/grids/{gid}/buildings"],
        "api_note": f"community {cid}: {len(grids)} grids; grid {gid}: {len(buildings)} buildings "
                    f"(first page; visible to {cfg.user}: {len(communities)} communities)",
    }


# ---------------------------------------------------------------- Argon2


def argon2_tool(raw: list[str]) -> Path | None:
    exe = ARGON2_TOOL_DIR / "target" / "release" / "argon2-time"
    cargo = shutil.which("cargo")
    if cargo:
        manifest = str(ARGON2_TOOL_DIR / "Cargo.toml")
        for extra in (["--offline"], []):
            try:
                r = subprocess.run([cargo, "build", "--release", "--quiet", "--manifest-path", manifest, *extra],
                                   capture_output=True, text=True, timeout=900)
            except subprocess.TimeoutExpired:
                raw.append("argon2-time: cargo build timed out")
                break
            if r.returncode == 0:
                break
            raw.append(f"argon2-time: cargo build {' '.join(extra)} failed:\n{r.stderr[-2000:]}")
    return exe if exe.exists() else None


def lock_version(name: str) -> str | None:
    try:
        text = (REPO / "Cargo.lock").read_text()
    except OSError:
        return None
    m = re.search(r'name = "' + re.escape(name) + r'"\nversion = "([^"]+)"', text)
    return m.group(1) if m else None


def measure_argon2(cfg: Config, db: Database, raw: list[str]) -> dict | None:
    """One-core Argon2id verify time of the benchmark account's own stored hash."""
    phc = db.scalar("SELECT password_hash FROM account WHERE username = ?", cfg.user)
    if not phc:
        raw.append("argon2: could not read the account's password hash")
        return None
    exe = argon2_tool(raw)
    if not exe:
        raw.append("argon2: the timing tool is not available")
        return None
    try:
        r = subprocess.run([str(exe), phc, str(cfg.argon2_runs)], input=cfg.password,
                           capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        raw.append("argon2: timed out")
        return None
    m = re.search(r"^ARGON2 (\{.*\})$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raw.append(f"argon2: exit {r.returncode}: {r.stderr.strip()}")
        return None
    out = json.loads(m.group(1))
    tool_ver = re.search(r'argon2 = \{ version = "=([^"]+)"', (ARGON2_TOOL_DIR / "Cargo.toml").read_text())
    out["crate"] = tool_ver.group(1) if tool_ver else "?"
    out["server_crate"] = lock_version("argon2") or "?"
    return out


# ---------------------------------------------------------------- wrk


def run_wrk(cfg: Config, port: int, script: str, secs: float, extra_env: dict[str, str],
            connections: int | None = None, threads: int | None = None) -> tuple[dict | None, str]:
    c = connections or cfg.connections
    t = min(threads or cfg.threads, c)
    cmd = [cfg.wrk, f"-t{t}", f"-c{c}", f"-d{cfg.wrk_duration(secs)}", "--timeout", "30s", "--latency",
           "-s", str(LUA_DIR / f"{script}.lua"), f"http://127.0.0.1:{port}"]
    e = dict(os.environ, BENCH_LUA_DIR=str(LUA_DIR), **extra_env)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=secs + 90, env=e)
    except subprocess.TimeoutExpired:
        return None, f"$ {' '.join(cmd)}\n(timed out)"
    out = f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}"
    m = re.search(r"^BENCH_RESULT (\{.*\})$", r.stdout, re.M)
    return (json.loads(m.group(1)) if m else None), out


def scenario_env(name: str, cfg: Config, prep: dict) -> dict[str, str]:
    if name == "login":
        return {"BENCH_USER": cfg.user, "BENCH_PASSWORD": cfg.password}
    if name == "home":
        return {"BENCH_COOKIE": prep["cookie"]}
    if name == "structure_api":
        return {"BENCH_TOKEN": prep["token"], "BENCH_PATHS": " ".join(prep["paths"])}
    return {}


# ---------------------------------------------------------------- report


def fmt(v, spec: str = ".1f", none: str = "n/a") -> str:
    return none if v is None else format(v, spec)


def render(cfg: Config, info: dict) -> str:
    lines = []
    add = lines.append
    s = info["scale"]
    add(f"Yijia benchmark, {info['started']}   git {info['git']}")
    add(f"binary    {cfg.bin} (built {info['bin_mtime']})")
    add(f"machine   {info['machine']}; load average at start {info['load_start']}, at end {info['load_end']}")
    add("          NOTE: wrk shares these cores with the server (and with anything else running):")
    add("          figures are relative; compare ratios within one run, not absolute req/s across runs.")
    add(f"database  {info['db']}")
    add(f"data      {fmt(s.get('community'), 'd')} communities, {fmt(s.get('grid'), 'd')} grids, "
        f"{fmt(s.get('building'), 'd')} buildings, {fmt(s.get('unit'), 'd')} units, "
        f"{fmt(s.get('household'), 'd')} households, {fmt(s.get('account'), 'd')} accounts "
        f"(seed --communities {cfg.communities} --residents-per-community {cfg.residents}: {info['seed_s']:.1f} s)")
    add(f"load      wrk -t{cfg.threads} -c{cfg.connections} -d{cfg.wrk_duration(cfg.duration)} per scenario, "
        f"after a {cfg.wrk_duration(cfg.warmup) if cfg.warmup > 0 else 'no'} warm-up; as {cfg.user}")
    if info.get("api_note"):
        add(f"api       {info['api_note']}")
    add("")
    ceiling = info["results"].get("healthz", {}).get("rps")
    hdr = (f"{'scenario':<14}{'requests':>9}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
           f"{'errors':>8}{'vs healthz':>12}{'srv CPU ms/req':>16}{'db CPU ms/req':>15}{'RSS MB':>8}{'wrk CPU':>9}{'others':>8}")
    add(hdr)
    add("-" * len(hdr))
    for name in info["order"]:
        r = info["results"].get(name)
        if not r or r.get("rps") is None:
            add(f"{name:<14}  FAILED: {r.get('error', 'no result') if r else 'no result'}")
            continue
        errors = sum(r.get(k, 0) for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
        ratio = f"{100 * r['rps'] / ceiling:.1f}%" if ceiling else "n/a"
        add(f"{name:<14}{r['requests']:>9d}{r['rps']:>10.1f}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['max_ms']:>9.1f}{errors:>8d}{ratio:>12}{fmt(r.get('server_cpu_ms_per_req'), '.3f'):>16}"
            f"{fmt(r.get('db_cpu_ms_per_req'), '.3f', '-'):>15}{fmt(r.get('rss_after_mb'), '.0f'):>8}"
            f"{fmt(r.get('wrk_cpu_pct'), '.0f'):>8}%{fmt(r.get('other_cpu_pct'), '.0f'):>7}%")
    add("")
    add(f"wrk CPU / others: share of all {cfg.cores} cores used during the scenario by wrk / by everything that is "
        "neither wrk, the server nor PostgreSQL (noise: above a few % the figures are disturbed).")
    add(f"p99 at {cfg.connections} concurrent clients: the p99 column above.")
    st = info.get("startup")
    if st:
        add(f"start-up  (migrations applied; process start -> first /healthz 200): median {st['median_ms']:.1f} ms "
            f"of {len(st['runs_ms'])} [{', '.join(f'{x:.1f}' for x in st['runs_ms'])}]")
    add(f"memory    idle RSS {fmt(info.get('idle_rss_mb'))} MB (after start-up + {cfg.idle:.0f} s idle); "
        f"after the run {fmt(info.get('end_rss_mb'))} MB, peak (VmHWM) {fmt(info.get('peak_rss_mb'))} MB")
    a = info.get("argon2")
    login = info["results"].get("login")
    if a:
        ideal = cfg.cores * 1000 / a["median_ms"]
        mismatch = "" if a["crate"] == a["server_crate"] else f" (server uses {a['server_crate']}!)"
        add(f"argon2    verify on one core ({a['algorithm']} {a['params']}, crate argon2 {a['crate']}{mismatch}): "
            f"median {a['median_ms']:.1f} ms of {a['runs']} (min {a['min_ms']:.1f}, max {a['max_ms']:.1f})")
        add(f"          ideal login rate if the server did nothing but Argon2: {cfg.cores} cores / "
            f"{a['median_ms']:.1f} ms = {ideal:.1f} req/s")
        if login and login.get("rps"):
            add(f"login     {login['rps']:.1f} req/s = {100 * login['rps'] / ideal:.1f}% of that Argon2 ideal")
            rest = 1 / login["rps"] - a["median_ms"] / 1000 / cfg.cores
            if rest > 0 and ceiling:
                free = 1 / rest
                verdict = "meets" if free / ceiling >= TARGET_RATIO else "below"
                add(f"          with Argon2 free: 1 / (1/{login['rps']:.1f} - {a['median_ms']:.1f} ms/{cfg.cores}) = "
                    f"{free:.1f} req/s = {100 * free / ceiling:.2f}% of healthz ({verdict} the {TARGET_RATIO:.0%} target)")
            else:
                add("          with Argon2 free: not computable (login ran at or above the Argon2 ideal: noise)")
            if login.get("server_cpu_ms_per_req") is not None:
                add(f"          server CPU per login {login['server_cpu_ms_per_req']:.1f} ms vs "
                    f"{a['median_ms']:.1f} ms for one Argon2 verify alone")
    seq = info.get("login_seq")
    if seq:
        add(f"          one client at a time (wrk -t1 -c1): {seq['rps']:.1f} req/s, p50 {seq['p50_ms']:.1f} ms "
            f"(= Argon2 + the rest of a login, no contention)")
    home = info["results"].get("home")
    if home and home.get("rps") and ceiling:
        verdict = "meets" if home["rps"] / ceiling >= TARGET_RATIO else "below"
        add(f"home      {100 * home['rps'] / ceiling:.1f}% of healthz ({verdict} the {TARGET_RATIO:.0%} target); "
            f"page {info.get('home_bytes', '?')} bytes")
    if info.get("notes"):
        add("")
        for n in info["notes"]:
            add(f"note: {n}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> list[str]:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        print("\nusage: bench/run.sh [scenario ...]    (see bench/README.md for the BENCH_* settings)\n")
        print("scenarios:")
        for k in DEFAULT_ORDER:
            print(f"  {k:<14} {SCENARIOS[k]}")
        sys.exit(0)
    if "--list" in argv:
        print("\n".join(DEFAULT_ORDER))
        sys.exit(0)
    unknown = [a for a in argv if a not in SCENARIOS]
    if unknown:
        die(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(DEFAULT_ORDER)}")
    order = ["healthz"] + [a for a in dict.fromkeys(argv) if a != "healthz"]
    return order if argv else list(DEFAULT_ORDER)


def main(argv: list[str]) -> int:
    order = parse_args(argv)
    cfg = Config()
    if not cfg.bin.is_file():
        die(f"no binary at {cfg.bin}: run `cargo build --release -p yijia` or set YIJIA_BIN")
    if not cfg.wrk:
        die("wrk not found (Debian: apt-get install wrk) or set BENCH_WRK")
    started = _dt.datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M%S")
    RESULTS_DIR.mkdir(exist_ok=True)
    out_txt = RESULTS_DIR / f"{stamp}-{cfg.db}.txt"
    data_dir = Path(tempfile.mkdtemp(prefix="yijia-bench-"))
    db = Database(cfg, data_dir)
    port = cfg.port or free_port()
    server = Server(cfg, db, port, data_dir / "server.log")
    raw: list[str] = []
    info: dict = {
        "started": started.strftime("%Y-%m-%d %H:%M:%S %Z").strip(), "git": git_rev(), "machine": machine(),
        "load_start": loadavg(), "db": db.describe(), "order": order, "results": {}, "notes": [],
        "bin_mtime": _dt.datetime.fromtimestamp(cfg.bin.stat().st_mtime).strftime("%Y-%m-%d %H:%M"),
    }

    def quiet(name: str) -> None:
        if cfg.quiet_wait > 0:
            waited_q, busy = wait_quiet(cfg.quiet_wait, cfg.quiet_pct)
            if busy >= cfg.quiet_pct:
                log(f"{name}: the machine is still {busy:.0f}% busy after {waited_q:.0f} s; measuring anyway")
                info["notes"].append(f"{name}: the machine was {busy:.0f}% busy with other work when it started")
            elif waited_q > 3:
                log(f"{name}: waited {waited_q:.0f} s for the machine to be quiet")

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        db.recreate()
        log(f"seeding {cfg.communities} communities x {cfg.residents} residents into {db.describe()}")
        t0 = time.perf_counter()
        try:
            r = subprocess.run([str(cfg.bin), *db.args(), "seed", "--with-accounts", "--communities", str(cfg.communities),
                                "--residents-per-community", str(cfg.residents)],
                               capture_output=True, text=True, timeout=cfg.seed_timeout,
                               cwd=data_dir, env=clean_env())
        except subprocess.TimeoutExpired:
            die(f"seeding took longer than {cfg.seed_timeout:.0f} s (BENCH_SEED_TIMEOUT)")
        info["seed_s"] = time.perf_counter() - t0
        raw.append(f"seed: exit {r.returncode}\n{r.stdout}{r.stderr}")
        if r.returncode != 0:
            die(f"seed failed ({r.returncode}):\n{r.stdout}{r.stderr}")
        info["scale"] = db.scale()

        quiet("start-up")
        log(f"start-up time, {cfg.startup_runs} restarts")
        runs = []
        for _ in range(cfg.startup_runs):
            runs.append(server.start() * 1000)
            server.stop()
        info["startup"] = {"runs_ms": runs, "median_ms": statistics.median(runs)}

        server.start()
        log(f"server pid {server.pid} on 127.0.0.1:{port}; idling {cfg.idle:.0f} s")
        time.sleep(cfg.idle)
        info["idle_rss_mb"] = rss_mb(server.pid)

        prep = prepare(cfg, port)
        info["home_bytes"] = prep["home_bytes"]
        info["api_note"] = prep["api_note"]

        if "login" in order:
            quiet("argon2")
            log("timing Argon2 verify on one core")
            info["argon2"] = measure_argon2(cfg, db, raw)
            if info["argon2"] is None:
                info["notes"].append("Argon2 timing unavailable: " + (raw[-1] if raw else "?"))
            seq, out = run_wrk(cfg, port, "login", min(5.0, cfg.duration), scenario_env("login", cfg, prep),
                               connections=1, threads=1)
            raw.append("login, one client at a time:\n" + out)
            info["login_seq"] = seq

        for name in order:
            extra = scenario_env(name, cfg, prep)
            quiet(name)
            if cfg.warmup > 0:
                log(f"{name}: warm-up {cfg.wrk_duration(cfg.warmup)}")
                run_wrk(cfg, port, name, cfg.warmup, extra)
            waited = settle(server.pid)
            if waited > 1:
                log(f"{name}: waited {waited:.1f} s for the server to go idle")
                info["notes"].append(f"{name}: the server was still busy after the warm-up (abandoned requests); "
                                     f"waited {waited:.1f} s for it to go idle before measuring")
            load = loadavg()
            log(f"{name}: {cfg.wrk_duration(cfg.duration)} at {cfg.connections} connections (load {load})")
            cpu0, busy0, wrk0 = cpu_seconds(server.pid), machine_busy(), children_cpu()
            pg0 = postgres_cpu() if cfg.db == "postgres" else 0.0
            t0 = time.perf_counter()
            res, out = run_wrk(cfg, port, name, cfg.duration, extra)
            cpu1, busy1, wrk1 = cpu_seconds(server.pid), machine_busy(), children_cpu()
            pg1 = postgres_cpu() if cfg.db == "postgres" else 0.0
            wall = time.perf_counter() - t0
            raw.append(f"{name}:\n{out}")
            if server.proc is None or server.proc.poll() is not None:
                die(f"the server died during {name}; see {server.log_path}:\n{server.log_tail()}")
            if res is None:
                info["results"][name] = {"error": "wrk printed no result (see the raw output)"}
                continue
            res["load"] = load
            res["settle_s"] = waited
            if not res["requests"]:
                info["results"][name] = {"error": f"no request completed within {cfg.wrk_duration(cfg.duration)} "
                                                  f"at {cfg.connections} connections"}
                log(f"{name}: no request completed")
                continue
            res["rss_after_mb"] = rss_mb(server.pid)
            if cpu0 is not None and cpu1 is not None and res["requests"]:
                res["server_cpu_ms_per_req"] = (cpu1 - cpu0) * 1000 / res["requests"]
                if cfg.db == "postgres":
                    res["db_cpu_ms_per_req"] = (pg1 - pg0) * 1000 / res["requests"]
                # What the server, PostgreSQL and wrk did not use of the machine's busy time:
                # other work on the machine, the noise in this scenario's figures.
                others = (busy1 - busy0) - (cpu1 - cpu0) - (wrk1 - wrk0) - (pg1 - pg0)
                res["wrk_cpu_pct"] = 100 * (wrk1 - wrk0) / (wall * cfg.cores)
                res["other_cpu_pct"] = max(0.0, 100 * others / (wall * cfg.cores))
            if res["err_status"]:
                info["notes"].append(f"{name}: {res['err_status']} responses with status >= 400")
            info["results"][name] = res
            log(f"{name}: {res['rps']:.1f} req/s, p99 {res['p99_ms']:.2f} ms")

        # The session and token must still work: a redirect to /login would pass as "success".
        status, _, _ = request(port, "GET", "/", headers={"Cookie": prep["cookie"]})
        if status != 200:
            info["notes"].append(f"after the run GET / with the session answered {status}: home figures are suspect")
        info["end_rss_mb"] = rss_mb(server.pid)
        info["peak_rss_mb"] = rss_mb(server.pid, "VmHWM")
        if cfg.db == "postgres":
            info["notes"].append("server CPU and RSS are the yijia process only; PostgreSQL's own "
                                 "processes use the same 2 cores but are not counted")
    finally:
        server.stop()
        info["load_end"] = loadavg()
        info.setdefault("scale", {})
        info.setdefault("seed_s", 0.0)
        log_tail = server.log_tail(40)
        if info["results"] or info.get("startup"):
            text = render(cfg, info)
            print(text, end="")
            out_txt.write_text(text + "\n\n==== raw output ====\n\n" + "\n\n".join(raw)
                               + f"\n\n==== server log (last lines) ====\n{log_tail}\n")
            (out_txt.with_suffix(".json")).write_text(json.dumps(
                {k: v for k, v in info.items()}, indent=2, ensure_ascii=False, default=str))
            log(f"written {out_txt} and {out_txt.with_suffix('.json').name}")
        if cfg.keep:
            log(f"kept {data_dir}" + (f" and database {cfg.pg_db}" if cfg.db == "postgres" else ""))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            db.drop()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
