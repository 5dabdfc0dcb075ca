#!/usr/bin/env python3
"""A client generated from the served OpenAPI document drives the main journeys (issue 21).

    python3 -m venv /tmp/client-venv && /tmp/client-venv/bin/pip install -r e2e/client/requirements.txt
    YIJIA_BIN=target/release/yijia /tmp/client-venv/bin/python e2e/client/check.py

It starts Yijia on a fresh demo data folder, generates a Python client from
`/api/openapi.json` with openapi-python-client (an independent generator), and, calling only the
generated functions and models, no path written here:

  * a resident raises an appeal in a category read from the catalogue;
  * the staff create a poll, open it, a resident votes, the staff close it and see the count;
  * the community administrator uploads a residents' sheet, commits it, and finds the person.

A generator that could not read the document, a path the router does not serve, or a body the
server refuses shows here as a failed step. Exit code 1 on any failure.
"""

import importlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("YIJIA_BIN", str(ROOT / "target/release/yijia"))
PASSWORD = "xilin-demo-2026"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp: Path) -> tuple[subprocess.Popen, str]:
    data = tmp / "data"
    subprocess.run([BIN, "--data-dir", str(data), "demo"], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    log = open(tmp / "serve.log", "w")
    server = subprocess.Popen([BIN, "--data-dir", str(data), "serve", "--listen", f"127.0.0.1:{port}"],
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start: " + (tmp / "serve.log").read_text())


def generate(base: str, tmp: Path):
    doc = tmp / "openapi.json"
    doc.write_bytes(urllib.request.urlopen(base + "/api/openapi.json").read())
    out = tmp / "yijia_client"
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(doc), "--meta", "none",
                          "--output-path", str(out)], capture_output=True, text=True)
    if run.returncode != 0 or not (out / "client.py").exists():
        raise SystemExit("the client could not be generated:\n" + run.stdout + run.stderr)
    sys.path.insert(0, str(tmp))
    return importlib.import_module("yijia_client")


failures: list[str] = []


def step(name: str, response, status: int):
    ok = response.status_code == status
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {int(response.status_code)}")
    if not ok:
        failures.append(f"{name}: expected {status}, got {int(response.status_code)}: {response.content[:300]!r}")
    return response.parsed if ok else None


def journeys(yc, base: str):
    from yijia_client.api.accounts import post_api_v1_auth_token
    from yijia_client.api.appeals import get_api_v1_appeals_id, get_api_v1_communities_id_appeal_catalogue, post_api_v1_appeals
    from yijia_client.api.council import (post_api_v1_council_votes, post_api_v1_council_votes_id_ballot,
                                          post_api_v1_council_votes_id_close, post_api_v1_council_votes_id_open)
    from yijia_client.api.registry import (get_api_v1_residents, post_api_v1_registry_imports,
                                           post_api_v1_registry_imports_id_commit)
    from yijia_client.models import (AppealInput, BallotInput, PostApiV1AuthTokenBody, VoteInput, VoteInputKind,
                                     VoteInputScopeKind)
    from yijia_client.types import File

    def signed_in(user: str):
        body = PostApiV1AuthTokenBody(username=user, password=PASSWORD)
        got = step(f"token for {user}", post_api_v1_auth_token.sync_detailed(client=yc.Client(base_url=base), body=body), 200)
        return yc.AuthenticatedClient(base_url=base, token=got.token) if got else None

    resident, staff, admin = signed_in("resident1"), signed_in("xlg.staff"), signed_in("xlg.admin")
    if not (resident and staff and admin):
        return

    catalogue = step("the appeal catalogue", get_api_v1_communities_id_appeal_catalogue.sync_detailed(id=1, client=resident), 200)
    if catalogue:
        category = catalogue["categories"][0]["category_id"]
        body = AppealInput(community="1", category=str(category), description="生成的客户端：三单元楼道灯不亮")
        appeal = step("a resident raises an appeal", post_api_v1_appeals.sync_detailed(client=resident, body=body), 201)
        if appeal:
            seen = step("she reads it back", get_api_v1_appeals_id.sync_detailed(id=appeal["appeal_id"], client=resident), 200)
            if seen and seen["description"] != body.description:
                failures.append(f"the appeal reads back as {seen['description']!r}")

    poll = VoteInput(community="1", title="健身器材放哪里", kind=VoteInputKind.POLL,
                     scope_kind=VoteInputScopeKind.COMMUNITY, options="楼前空地\n院子东侧", quorum="1/2",
                     closes_at="2099-12-31T12:00")
    vote = step("the staff create a poll", post_api_v1_council_votes.sync_detailed(client=staff, body=poll), 201)
    if vote:
        vid = vote["vote"]["vote_id"]
        step("they open it", post_api_v1_council_votes_id_open.sync_detailed(id=vid, client=staff), 200)
        step("a resident votes", post_api_v1_council_votes_id_ballot.sync_detailed(id=vid, client=resident,
                                                                                  body=BallotInput(options="2")), 200)
        closed = step("the staff close it", post_api_v1_council_votes_id_close.sync_detailed(id=vid, client=staff), 200)
        if closed and closed["counted"]["options"] != [0, 1]:
            failures.append(f"the poll counted {closed['counted']['options']}, not [0, 1]")

    sheet = "楼栋编号,单元编号,房号,姓名,性别,出生日期,证件号码,联系电话,与户主关系\r\nB02,U2,302,欧阳娜仁,女,1990-03-04,,,其他\r\n"
    upload = File(payload=io.BytesIO(sheet.encode()), file_name="居民.csv")
    preview = step("the administrator uploads a sheet",
                   post_api_v1_registry_imports.sync_detailed(client=admin, body=upload, community=1, file_name="居民.csv"), 201)
    if preview:
        if preview.accepted_rows != 1:
            failures.append(f"the preview accepted {preview.accepted_rows} rows, not 1")
        step("commits it", post_api_v1_registry_imports_id_commit.sync_detailed(id=preview.import_id, client=admin), 200)
        found = step("and finds the person", get_api_v1_residents.sync_detailed(client=admin, community=1, q="欧阳娜仁"), 200)
        if found is not None and "欧阳娜仁" not in str(found):
            failures.append("the imported resident is not found by name")


def main() -> int:
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        server, base = start(tmp)
        try:
            journeys(generate(base, tmp), base)
        finally:
            server.terminate()
            server.wait()
    for f in failures:
        print("FAIL", f, file=sys.stderr)
    print(f"generated client: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
