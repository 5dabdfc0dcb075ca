#!/usr/bin/env bash
# Yijia benchmark: bench/run.sh [scenario ...]   (healthz home structure_api login; --list; --help)
# Settings come from BENCH_* environment variables; see bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 -B "$here/bench.py" "$@"
