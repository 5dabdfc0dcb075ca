"""What SQLite alone allows on this machine: the rows of one appeal written in a loop.

`rate(db_file, community_id, seconds)` copies the benchmark's database (the server keeps
writing to its own), then commits, one transaction per appeal, the rows the server writes when
a resident raises one: the appeal, its first step, an audit event with the chain head read
and moved, and a notification for each member of the desk. The values are copied from the
community's newest appeal and its rows, so that the rows and indexes are the server's. One
Python thread, WAL and `synchronous=NORMAL` as the server runs: the appeals benchmark reports
the server's creation rate as a share of this, measured in the same run (issue 22).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path


def _template(con: sqlite3.Connection, sql: str, params: tuple) -> tuple[list[str], tuple] | None:
    cur = con.execute(sql, params)
    row = cur.fetchone()
    if row is None:
        return None
    return [d[0] for d in cur.description], row


def _insert(con: sqlite3.Connection, table: str, cols: list[str], row: tuple, drop: str, **over) -> int:
    keep = [(c, over.get(c, v)) for c, v in zip(cols, row) if c != drop]
    names = ", ".join(c for c, _ in keep)
    marks = ", ".join("?" for _ in keep)
    return con.execute(f"insert into {table} ({names}) values ({marks})", [v for _, v in keep]).lastrowid


def rate(db_file: Path, community_id: int, seconds: float = 5.0) -> dict:
    """Appeals a second written by the loop, with what one transaction holds."""
    with tempfile.TemporaryDirectory(prefix="yijia-raw-") as tmp:
        copy = Path(tmp) / "raw.db"
        src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        con = sqlite3.connect(copy, isolation_level=None, timeout=30)
        con.execute("pragma journal_mode = wal")
        con.execute("pragma synchronous = normal")
        con.execute("pragma foreign_keys = on")
        appeal = _template(con, "select * from appeal where community_id = ? order by appeal_id desc limit 1",
                           (community_id,))
        if appeal is None:
            return {"error": f"no appeal in community {community_id}"}
        appeal_id = appeal[1][appeal[0].index("appeal_id")]
        step = _template(con, "select * from appeal_step where appeal_id = ? order by step_id limit 1", (appeal_id,))
        event = _template(con, "select * from audit_event where chain_id = ? order by seq desc limit 1",
                          (community_id,))
        note = _template(con, "select * from notification where community_id = ? order by notification_id desc "
                              "limit 1", (community_id,))
        desk = con.execute(
            "select count(distinct r.account_id) from account_role r where r.community_id = ? and r.revoked_at is null "
            "and r.role in ('community_admin', 'community_staff')", (community_id,)).fetchone()[0]
        if step is None or event is None:
            return {"error": "no step or audit event to copy"}
        n = 0
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            now = int(time.time() * 1000)
            con.execute("begin immediate")
            new_id = _insert(con, "appeal", *appeal, drop="appeal_id", created_at=now, updated_at=now)
            _insert(con, "appeal_step", *step, drop="step_id", appeal_id=new_id, at=now)
            seq, _ = con.execute("update audit_head set seq = seq + 1 where chain_id = ? returning seq, hash",
                                 (community_id,)).fetchone()
            _insert(con, "audit_event", *event, drop="audit_event_id", seq=seq, entity_id=str(new_id), at=now)
            con.execute("update audit_head set hash = hash where chain_id = ?", (community_id,))
            for _ in range(desk if note else 0):
                _insert(con, "notification", *note, drop="notification_id", created_at=now)
            con.execute("commit")
            n += 1
        wall = time.perf_counter() - t0
        con.close()
    return {"rps": n / wall, "appeals": n, "seconds": wall, "notifications_each": desk if note else 0,
            "statements_each": 6 + (desk if note else 0)}
