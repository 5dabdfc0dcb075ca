#!/usr/bin/env python3
"""How fast the outbox drains a backlog of webhooks (issue 23, item 6).

A receiver that was down for a while comes back to find thousands of messages waiting: this puts
--messages webhooks in the outbox (written straight into the table, as the appeals' steps would
have left them), starts --instances servers on one database, and times how long the receiver on
this machine takes to get them all. It reports the rate, the drain time, and any message that
arrived twice (there must be none). The receiver answers each POST at once over kept-alive
connections, or after --receiver-delay-ms to play a slow one.

    python3 bench/outbox.py --bin target/release/yijia --messages 20000
    python3 bench/outbox.py --bin target/release/yijia --backend postgres --instances 2
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "yijia_bench_outbox"
KEY = "5a" * 32


def log(msg: str) -> None:
    print(f"[outbox] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """Counts deliveries by their X-Yijia-Delivery id, and when they came."""

    def __init__(self, delay_ms: int) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, int] = {}
        self.first = self.last = None
        me = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if delay_ms:
                    time.sleep(delay_ms / 1000)
                now = time.perf_counter()
                with me.lock:
                    key = self.headers.get("X-Yijia-Delivery", "")
                    me.seen[key] = me.seen.get(key, 0) + 1
                    me.first = me.first or now
                    me.last = now
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def counts(self) -> tuple[int, int]:
        """Distinct messages received, and how many of them came more than once."""
        with self.lock:
            return len(self.seen), sum(1 for n in self.seen.values() if n > 1)


def psql(db: str, sql: str) -> str:
    r = subprocess.run(["psql", f"{PG_ADMIN}/{db}", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise SystemExit(f"psql: {r.stderr.strip()}")
    return r.stdout.strip()


def fill(a: argparse.Namespace, data: Path, url: str) -> None:
    """Migrates an empty database and puts the backlog in its outbox."""
    body = json.dumps({"event": "appeal.step", "appeal_id": 1, "note": "bench"})
    if a.backend == "postgres":
        psql("postgres", f"drop database if exists {PG_DB} with (force)")
        psql("postgres", f"create database {PG_DB}")
    run([a.bin, *db_args(a, data), "migrate"], data)
    if a.backend == "postgres":
        psql(PG_DB, "insert into outbox (channel, target, subject, body, next_at, created_at) "
                    f"select 'webhook', '{url}', 'appeal.step', '{body}', 0, 0 from generate_series(1, {a.messages})")
    else:
        con = sqlite3.connect(data / "yijia.db")
        con.executemany("insert into outbox (channel, target, subject, body, next_at, created_at) "
                        "values ('webhook', ?, 'appeal.step', ?, 0, 0)", [(url, body)] * a.messages)
        con.commit()
        con.close()


def db_args(a: argparse.Namespace, data: Path) -> list[str]:
    out = ["--data-dir", str(data)]
    if a.backend == "postgres":
        out += ["--database-url", f"{PG_ADMIN}/{PG_DB}"]
    return out


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("YIJIA_") and k != "DATABASE_URL"}
    e.update(YIJIA_WEBHOOK_PRIVATE="1", YIJIA_SECRET_KEY=KEY, YIJIA_LOG="warn")
    return e


def run(cmd: list, cwd: Path) -> None:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env(), capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))}: {r.stderr.strip()}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True, type=Path)
    p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--instances", type=int, default=1)
    p.add_argument("--receiver-delay-ms", type=int, default=0)
    p.add_argument("--limit-s", type=float, default=600, help="give up after this long")
    a = p.parse_args()
    a.bin = a.bin.resolve()
    if a.backend == "postgres" and not shutil.which("psql"):
        raise SystemExit("--backend postgres needs psql")

    receiver = Receiver(a.receiver_delay_ms)
    with tempfile.TemporaryDirectory(prefix="yijia-outbox-") as tmp:
        data = Path(tmp)
        fill(a, data, receiver.url)
        log(f"{a.messages} webhooks waiting; starting {a.instances} instance(s) on {a.backend}")
        procs = []
        t0 = time.perf_counter()
        for i in range(a.instances):
            procs.append(subprocess.Popen(
                [str(a.bin), *db_args(a, data), "serve", "--listen", f"127.0.0.1:{free_port()}"],
                cwd=data, env=env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=open(data / f"server-{i}.log", "wb")))
        got = 0
        while got < a.messages and time.perf_counter() - t0 < a.limit_s:
            time.sleep(0.05)
            got, _ = receiver.counts()
            if any(pr.poll() is not None for pr in procs):
                raise SystemExit("a server exited: " + (data / "server-0.log").read_text(errors="replace")[-2000:])
        drained = time.perf_counter() - t0
        time.sleep(1)  # anything sent twice would come now
        got, twice = receiver.counts()
        stop0 = time.perf_counter()
        for pr in procs:
            pr.send_signal(signal.SIGTERM)
        for pr in procs:
            pr.wait(timeout=60)
        stopped = time.perf_counter() - stop0
        if a.backend == "postgres":
            psql("postgres", f"drop database if exists {PG_DB} with (force)")
    span = (receiver.last or 0) - (receiver.first or 0)
    rate = got / span if span > 0 else float("nan")
    print(json.dumps({
        "backend": a.backend, "instances": a.instances, "messages": a.messages,
        "received": got, "received_twice": twice,
        "rate_per_s": round(rate, 1),
        "drain_s_from_start": round(drained, 2),
        "stop_s": round(stopped, 2),
        "receiver_delay_ms": a.receiver_delay_ms,
    }, indent=1))
    ok = got == a.messages and twice == 0
    print(f"{'MET' if ok and rate >= 500 else 'NOT MET'}: {rate:.0f} webhooks/s (floor 500), "
          f"{got}/{a.messages} received, {twice} twice")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
