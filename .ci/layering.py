#!/usr/bin/env python3
"""The crates' dependency graph against the allowed one (issue 21; ADR 0001).

Reads `cargo metadata` and fails on any dependency between Yijia's crates that the layering does
not allow: the platform (db <- kernel <- web) under the modules, a module on the platform and on
the registry (the residents, households and holdings every module reads), and nothing else
between modules; only the app (and the test kit, on the platform) sees them all. Development
dependencies count too: a test that needs another module lives in the app's tests.

What one module needs of another goes through a port of `kernel::ports` (ADR 0008). KNOWN
would list edges tolerated for a while; it is empty, and an edge listed that no longer exists
fails the check too, so that the list only shrinks.
"""
import json
import subprocess
import sys

PLATFORM = {
    "yijia-db": set(),
    "yijia-kernel": {"yijia-db"},
    "yijia-web": {"yijia-db", "yijia-kernel"},
    "yijia-testkit": {"yijia-db", "yijia-kernel", "yijia-web"},
}
MODULE_MAY_USE = {"yijia-db", "yijia-kernel", "yijia-web", "yijia-registry"}
KNOWN: set[tuple[str, str]] = set()

meta = json.loads(subprocess.run(
    ["cargo", "metadata", "--no-deps", "--format-version", "1"],
    check=True, capture_output=True, text=True).stdout)
ours = {p["name"] for p in meta["packages"]}
edges = {
    (p["name"], d["name"])
    for p in meta["packages"]
    for d in p["dependencies"]
    if d["name"] in ours
}


def allowed(a: str, b: str) -> bool:
    if a == "yijia":
        return True
    if a in PLATFORM:
        return b in PLATFORM[a]
    return b in MODULE_MAY_USE and b != a


bad = sorted(e for e in edges if not allowed(*e) and e not in KNOWN)
gone = sorted(KNOWN - edges)
for a, b in bad:
    print(f"layering: {a} depends on {b}, which the layering does not allow (see .ci/layering.py)")
for a, b in gone:
    print(f"layering: {a} no longer depends on {b}: take it off KNOWN in .ci/layering.py")
if bad or gone:
    sys.exit(1)
print(f"layering: {len(edges)} dependencies between {len(ours)} crates, as allowed "
      f"({len(KNOWN)} known exceptions to remove)")
