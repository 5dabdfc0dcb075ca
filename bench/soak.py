#!/usr/bin/env python3
"""A soak: half an hour of mixed reads and writes, watching what grows (issue 23, item 9).

    python3 bench/soak.py [--bin target/release/yijia] [--backend sqlite|postgres] [--minutes 30]

Seeds the budget's database (one community, a few thousand appeals), starts a release build and
loads it window after window with the budget's four requests in turn (appeal creation, a step,
a staff list, an appeal's page; wrk, 32 connections). After each window it writes one line: the
requests' rates and p99 latencies, the server's resident memory and open files, and on SQLite the
sizes of the database file and of its write-ahead log. The end says whether anything kept
growing: memory and open files should level off, and the log should stay bounded (SQLite
checkpoints it, and `journal_size_limit` truncates it), whatever the number of rows written.

Standard library and wrk only. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import appeals as A  # noqa: E402
import bench as B  # noqa: E402
import budget  # noqa: E402  (the four requests and their accounts)

SCENARIOS = ("create", "step", "list", "page")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default=str(B.REPO / "target" / "release" / "yijia"))
    p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--pg-db", default="yijia_soak")
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--window", type=float, default=40.0, help="seconds per line (each request a quarter)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--appeals", type=int, default=3000)
    p.add_argument("--json", help="write every window's figures here")
    return p.parse_args(argv)


def open_files(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def size_mb(path: Path) -> float | None:
    try:
        return path.stat().st_size / 1e6
    except OSError:
        return None


def grew(values: list[float | None]) -> str:
    """The last quarter's median against the second quarter's: steady, or how much it grew."""
    v = [x for x in values if x is not None]
    if len(v) < 8:
        return "too short to tell"
    q = len(v) // 4
    early, late = statistics.median(v[q:2 * q]), statistics.median(v[-q:])
    if early <= 0:
        return f"{late:.1f} at the end"
    return f"{100 * (late / early - 1):+.0f} % from the second quarter to the last"


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    cfg, wcfg = budget.tools(a)
    data_dir, db, port, server = budget.place(cfg, "yijia-soak-")
    windows: list[dict] = []
    try:
        db.recreate()
        A.seed(cfg, db, SimpleNamespace(communities=1, residents=300, appeals=a.appeals, seed_timeout=600))
        plan = budget.prepare(cfg, db, port, server)
        end = time.monotonic() + 60 * a.minutes
        print(f"{'min':>5} " + " ".join(f"{s + '/s':>9} {'p99':>6}" for s in SCENARIOS)
              + f" {'RSS MB':>7} {'files':>5} {'db MB':>7} {'WAL MB':>7}", flush=True)
        t0 = time.monotonic()
        while time.monotonic() < end:
            w = {"minute": (time.monotonic() - t0) / 60}
            for name in SCENARIOS:
                script, env = plan[name]
                res, out = B.run_wrk(wcfg, port, script, a.window / 4, env, connections=a.connections, threads=2)
                if res is None:
                    A.die(f"{name}: wrk gave no result\n{out[-2000:]}")
                errors = res["err_status"] + res["err_connect"] + res["err_read"] + res["err_timeout"]
                w[name] = {"rps": res["rps"], "p99_ms": res["p99_ms"], "errors": errors}
            w["rss_mb"] = B.rss_mb(server.pid)
            w["open_files"] = open_files(server.pid)
            w["db_mb"] = size_mb(data_dir / "yijia.db") if a.backend == "sqlite" else None
            w["wal_mb"] = size_mb(data_dir / "yijia.db-wal") if a.backend == "sqlite" else None
            windows.append(w)
            cells = " ".join(f"{w[s]['rps']:9.0f} {w[s]['p99_ms']:6.0f}" for s in SCENARIOS)
            fmt = lambda x: "-" if x is None else f"{x:.1f}"  # noqa: E731
            print(f"{w['minute']:5.1f} {cells} {fmt(w['rss_mb']):>7} {w['open_files'] or '-':>5} "
                  f"{fmt(w['db_mb']):>7} {fmt(w['wal_mb']):>7}", flush=True)
    finally:
        server.stop()
        db.drop()
        shutil.rmtree(data_dir, ignore_errors=True)

    errors = sum(w[s]["errors"] for w in windows for s in SCENARIOS)
    print(f"\n{a.backend}, {len(windows)} windows of {a.window:g} s, wrk -c{a.connections}")
    print(f"resident memory: {grew([w['rss_mb'] for w in windows])}")
    print(f"open files: {grew([w['open_files'] for w in windows])}")
    if a.backend == "sqlite":
        wal = [w["wal_mb"] for w in windows if w["wal_mb"] is not None]
        print(f"write-ahead log: at most {max(wal, default=0):.1f} MB; {grew(wal)}")
        print(f"database file: {grew([w['db_mb'] for w in windows])} (rows keep coming: it should grow)")
    for s in SCENARIOS:
        print(f"{s}: p99 {grew([w[s]['p99_ms'] for w in windows])}; rate {grew([w[s]['rps'] for w in windows])}")
    print(f"errors: {errors}")
    if a.json:
        Path(a.json).write_text(json.dumps(windows, indent=1))
    return 1 if errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except B.BenchError as e:
        print(f"soak: {e}", file=sys.stderr)
        sys.exit(2)
