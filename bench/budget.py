#!/usr/bin/env python3
"""The performance budget: a short run that fails when a core request has become much slower.

    python3 bench/budget.py [--bin target/release/yijia] [--backend sqlite|postgres]
    python3 bench/budget.py --update          # measure and write the baseline (bench/budget.json)

Seeds a small database (one community, a few thousand appeals), starts a release build and
loads it with wrk, a few seconds per scenario:

  healthz   GET /healthz: no I/O, the ceiling of this machine at this moment
  create    POST /api/v1/appeals as a resident (the appeal form's write)
  step      POST /api/v1/appeals/{id}/steps, a note by the desk (a step's write)
  list      GET /api/v1/appeals?community=ID as the desk (a staff list of 25)
  page      GET /appeals/{id} as the desk, with a session cookie (one appeal's HTML page)
  rates     GET /appeals/rates?community=ID as the desk: the month's rates, a year of trend, charts
  map       GET /map?community=ID as the desk: the grids, buildings and the month's appeals

Each scenario's throughput is divided by the /healthz throughput of the same round, so a slow
or busy machine moves both; the median over the rounds is compared with the committed
baseline. A ratio below half of its baseline fails the run: coarse enough for a noisy 2-core
machine, tight enough to catch a 4x regression such as appeal creation's fall from 1 180/s to
under 300/s, which nothing noticed at the time. A scenario that answers errors fails too.

Standard library and wrk only (Debian: apt-get install wrk). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appeals as A  # noqa: E402  (seed, accounts, tokens)
import bench as B  # noqa: E402  (Server, Database, wrk, /proc helpers)
import registry as R  # noqa: E402  (database reads)

BASELINE = Path(__file__).resolve().parent / "budget.json"
SCENARIOS = ("create", "step", "list", "page", "rates", "map")
NOTE = {"action": "note", "internal_note": "预算检查：已电话联系居民，约定明天上门"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default=str(B.REPO / "target" / "release" / "yijia"))
    p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--pg-db", default="yijia_budget")
    p.add_argument("--baseline", default=str(BASELINE))
    p.add_argument("--update", action="store_true", help="write the measured ratios as the new baseline")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=2.0, help="per scenario and round")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--tolerance", type=float, default=0.5,
                   help="fail below this share of the baseline ratio (default: half)")
    p.add_argument("--keep", action="store_true", help="keep the data folder and the server's log")
    p.add_argument("--appeals", type=int, default=3000, help="appeals seeded in the community")
    return p.parse_args(argv)


def prepare(cfg, db: B.Database, port: int, server: B.Server) -> dict:
    """Accounts, ids and credentials for every scenario, each request checked once."""
    cid = int(R.db_one(db, "select community_id from community where code = 'SEED0001'") or 0)
    if not cid:
        A.die("the seed wrote no community SEED0001")
    A.create_account(cfg, db, "bg.staff", "community_staff", "SEED0001")
    A.create_account(cfg, db, "bg.resident", "resident", "SEED0001")
    units = [int(r[0]) for r in R.db_rows(
        db, f"select unit_id from unit where community_id = {cid} and retired_at is null order by unit_id limit 97")]
    appeals = [int(r[0]) for r in R.db_rows(
        db, f"select appeal_id from appeal where community_id = {cid} order by appeal_id desc limit 64")]
    server.start()
    R.settle(server.pid)
    staff = A.api_token(port, "bg.staff")
    resident = A.api_token(port, "bg.resident")
    cookie = A.session_cookie(port, "bg.staff")
    cat = A.api(port, resident, "GET", f"/api/v1/communities/{cid}/appeal-catalogue")
    categories = [x["category_id"] for x in cat["categories"]]
    if not (units and appeals and categories):
        A.die(f"community {cid}: {len(units)} units, {len(appeals)} appeals, {len(categories)} categories")
    body = json.dumps(NOTE, ensure_ascii=False)
    steps = [f"/api/v1/appeals/{i}/steps" for i in appeals]
    lists = [f"/api/v1/appeals?community={cid}"]
    pages = [f"/appeals/{i}" for i in appeals]
    # One of each by hand: a scenario that only answered errors would measure nothing.
    A.api(port, resident, "POST", "/api/v1/appeals",
          {"community": cid, "category": categories[0], "unit": units[0], "description": "预算检查：楼道灯不亮"},
          expect=(201,))
    A.api(port, staff, "POST", steps[0], NOTE)
    if len(A.api(port, staff, "GET", lists[0]).get("items", [])) == 0:
        A.die(f"GET {lists[0]} listed nothing")
    rates = f"/appeals/rates?community={cid}"
    maps = f"/map?community={cid}"
    for path in (pages[0], rates, maps):
        status, _, _ = B.request(port, "GET", path, headers={"Cookie": cookie})
        if status != 200:
            A.die(f"GET {path} with the desk's cookie answered {status}")
    return {
        "healthz": ("healthz", {}),
        "create": ("appeals_create", {"BENCH_TOKEN": resident, "BENCH_COMMUNITY": str(cid),
                                      "BENCH_CATEGORIES": " ".join(map(str, categories)),
                                      "BENCH_UNITS": " ".join(map(str, units))}),
        "step": ("cycle", {"BENCH_TOKEN": staff, "BENCH_METHOD": "POST", "BENCH_BODY": body,
                           "BENCH_PATHS": " ".join(steps)}),
        "list": ("cycle", {"BENCH_TOKEN": staff, "BENCH_PATHS": " ".join(lists)}),
        "page": ("cycle", {"BENCH_COOKIE": cookie, "BENCH_PATHS": " ".join(pages)}),
        "rates": ("cycle", {"BENCH_COOKIE": cookie, "BENCH_PATHS": rates}),
        "map": ("cycle", {"BENCH_COOKIE": cookie, "BENCH_PATHS": maps}),
    }


def measure(a, wcfg, port: int, server: B.Server, plan: dict) -> dict[str, list[dict]]:
    """`rounds` rounds of every scenario in turn, healthz first in each; every result keeps
    its round's healthz rate beside it."""
    runs: dict[str, list[dict]] = {name: [] for name in plan}
    for rnd in range(a.rounds):
        ceiling = None
        for name, (script, env) in plan.items():
            cpu0 = B.cpu_seconds(server.pid) or 0.0
            res, out = B.run_wrk(wcfg, port, script, a.seconds, env, connections=a.connections, threads=2)
            cpu = (B.cpu_seconds(server.pid) or 0.0) - cpu0
            if res is None:
                A.die(f"{name}: wrk gave no result\n{out[-2000:]}")
            errors = res["err_status"] + res["err_connect"] + res["err_read"] + res["err_timeout"]
            res["errors"] = errors
            res["cpu_ms"] = 1000 * cpu / res["requests"] if res["requests"] else None
            if name == "healthz":
                ceiling = res["rps"]
            res["ratio"] = res["rps"] / ceiling if ceiling else None
            runs[name].append(res)
            if errors and script == "cycle":
                A.log(f"{name}: {errors} errors; one request by hand: {probe(port, env)}")
            A.log(f"round {rnd + 1} {name:8} {res['rps']:9.0f}/s  p99 {res['p99_ms']:7.1f} ms  "
                  f"errors {errors}" + (f"  {res['ratio']:.4f} of healthz" if name != "healthz" else ""))
    return runs


def probe(port: int, env: dict) -> str:
    """The answer to the first request of a `cycle` scenario, to say why it failed."""
    headers = {"Authorization": f"Bearer {env['BENCH_TOKEN']}"} if env.get("BENCH_TOKEN") else {}
    if env.get("BENCH_COOKIE"):
        headers["Cookie"] = env["BENCH_COOKIE"]
    body = env.get("BENCH_BODY", "").encode() or None
    if body:
        headers["Content-Type"] = "application/json"
    path = env["BENCH_PATHS"].split()[0]
    status, _, data = B.request(port, env.get("BENCH_METHOD", "GET"), path, body, headers)
    return f"{env.get('BENCH_METHOD', 'GET')} {path} answered {status}: {data[:300].decode(errors='replace')}"


def summarise(runs: dict[str, list[dict]]) -> dict[str, dict]:
    out = {}
    for name, rs in runs.items():
        out[name] = {
            "rps": statistics.median(r["rps"] for r in rs),
            "p99_ms": statistics.median(r["p99_ms"] for r in rs),
            "cpu_ms": statistics.median(r["cpu_ms"] for r in rs if r["cpu_ms"] is not None),
            "ratio": statistics.median(r["ratio"] for r in rs) if name != "healthz" else 1.0,
            "errors": sum(r["errors"] for r in rs),
            "requests": sum(r["requests"] for r in rs),
        }
    return out


def verdicts(summary: dict, baseline: dict | None, tolerance: float) -> list[str]:
    """Every failure, in words; empty when the budget holds."""
    failed = []
    for name, s in summary.items():
        if s["errors"] > 0.01 * s["requests"]:
            failed.append(f"{name}: {s['errors']} of {s['requests']} requests failed")
    if baseline is None:
        return failed
    for name in SCENARIOS:
        base = baseline["ratios"].get(name)
        if base is None:
            failed.append(f"{name}: no baseline in the budget file (run with --update)")
        elif summary[name]["ratio"] < tolerance * base:
            failed.append(f"{name}: {summary[name]['ratio']:.4f} of healthz, below {tolerance:g} x the baseline "
                          f"{base:.4f} ({summary[name]['rps']:.0f}/s at healthz {summary['healthz']['rps']:.0f}/s)")
    return failed


def tools(a: argparse.Namespace) -> tuple[SimpleNamespace, SimpleNamespace]:
    """The server's settings from the arguments (--bin, --backend, --pg-url, --pg-db), and wrk's."""
    cfg = SimpleNamespace(bin=Path(a.bin).resolve(), db=a.backend, pg_url=a.pg_url.rstrip("/"), pg_db=a.pg_db)
    if not cfg.bin.is_file():
        A.die(f"no binary at {cfg.bin}: cargo build --release -p yijia")
    wrk = shutil.which("wrk")
    if not wrk:
        A.die("wrk not found (Debian: apt-get install wrk)")
    wcfg = SimpleNamespace(wrk=wrk, threads=2, connections=a.connections,
                           wrk_duration=lambda s: f"{max(1, round(s))}s")
    return cfg, wcfg


def place(cfg: SimpleNamespace, prefix: str) -> tuple[Path, B.Database, int, B.Server]:
    """A data folder, its database, a free port and the server to start on them."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    db = B.Database(cfg, data_dir)
    port = B.free_port()
    return data_dir, db, port, B.Server(cfg, db, port, data_dir / "server.log")


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    cfg, wcfg = tools(a)
    baseline_path = Path(a.baseline)
    baseline = None if a.update else json.loads(baseline_path.read_text())
    if baseline is not None and baseline.get("backend", "sqlite") != a.backend:
        A.die(f"{baseline_path} is a baseline for {baseline.get('backend')}, not {a.backend}")
    data_dir, db, port, server = place(cfg, "yijia-budget-")
    t0 = time.perf_counter()
    try:
        db.recreate()
        A.seed(cfg, db, SimpleNamespace(communities=1, residents=300, appeals=a.appeals, seed_timeout=600))
        plan = prepare(cfg, db, port, server)
        summary = summarise(measure(a, wcfg, port, server, plan))
    finally:
        server.stop()
        db.drop()
        if a.keep:
            A.log(f"kept {data_dir} (server log: {data_dir / 'server.log'})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(f"\nperformance budget ({a.backend}, {a.rounds} rounds x {a.seconds:g} s, wrk -c{a.connections}; "
          f"medians; {time.perf_counter() - t0:.0f} s in all)")
    print(f"{'scenario':9} {'req/s':>9} {'p99 ms':>8} {'CPU ms/req':>11} {'vs healthz':>11} {'baseline':>9}")
    for name, s in summary.items():
        base = (baseline or {}).get("ratios", {}).get(name)
        print(f"{name:9} {s['rps']:9.0f} {s['p99_ms']:8.1f} {s['cpu_ms']:11.3f} {s['ratio']:11.4f} "
              f"{'' if base is None else format(base, '.4f'):>9}")
    failed = verdicts(summary, baseline, a.tolerance)
    if a.update and not failed:
        baseline_path.write_text(json.dumps({
            "backend": a.backend,
            "measured": _dt.date.today().isoformat(),
            "git": B.git_rev(),
            "machine": B.machine(),
            "how": f"{a.rounds} rounds x {a.seconds:g} s, wrk -c{a.connections}, {a.appeals} appeals seeded",
            "ratios": {name: round(summary[name]["ratio"], 5) for name in SCENARIOS},
            "rps": {name: round(s["rps"]) for name, s in summary.items()},
        }, ensure_ascii=False, indent=2) + "\n")
        print(f"baseline written to {baseline_path}")
    for f in failed:
        print(f"BUDGET FAILED: {f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except B.BenchError as e:
        print(f"budget: {e}", file=sys.stderr)
        sys.exit(2)
