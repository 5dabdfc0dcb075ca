#!/usr/bin/env bash
# Property-based API testing with schemathesis, an independent tool: it reads the served OpenAPI
# document, generates requests from it (valid and invalid) and checks each answer: never a server
# error, only documented statuses and content types, bodies that match their schemas. It runs as
# community staff and as a resident of the demo, each within a time budget, so CI stays bounded.
#
#   e2e/schemathesis/run.sh BIN SCHEMATHESIS   (the yijia binary, the schemathesis executable)
#
# POST /api/v1/auth/token is left out: fuzzing the sign-in locks the demo accounts and the
# address (as the throttle should), and the tokens are taken before the run.
set -euo pipefail
bin=$1
st=$2
port=${ST_PORT:-18211}
budget=${ST_SECONDS:-90}
tmp=$(mktemp -d)
"$bin" --data-dir "$tmp/data" demo >/dev/null
"$bin" --data-dir "$tmp/data" serve --listen "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
token() {
  curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"xilin-demo-2026\"}" "http://127.0.0.1:$port/api/v1/auth/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
run_as() {
  "$st" run "http://127.0.0.1:$port/api/openapi.json" \
    -H "Authorization: Bearer $(token "$1")" \
    --exclude-path /api/v1/auth/token \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing --max-examples 5 --max-time "$budget" --workers 1 --no-shrink \
    --max-failures 50
}
# One worker: with two, the tool stopped in 5 of 8 runs on an error of CPython 3.11's own ("AST
# constructor recursion depth mismatch", in its coverage phase) with every case passed; a
# higher recursion limit did not help. Should the tool still stop on an error of its own with
# every check passed, the run is tried once more; a run in which a check failed is not.
tool_error_only() {
  grep -q "Runtime Error" "$1" && grep -E "[0-9]+ generated, " "$1" | tail -n1 | grep -qE "generated, [0-9]+ passed *$"
}
status=0
for user in xlg.staff resident1; do
  echo "--- as $user, ${budget}s"
  out="$tmp/st-$user.log"
  if ! run_as "$user" 2>&1 | tee "$out"; then
    if tool_error_only "$out"; then
      echo "--- schemathesis stopped on an error of its own, every check passed; once more as $user"
      run_as "$user" || status=1
    else
      status=1
    fi
  fi
done
if grep -q "handler panicked" "$tmp/serve.log"; then
  echo "the server logged a panic:" >&2
  grep "handler panicked" "$tmp/serve.log" | head -5 >&2
  status=1
fi
exit $status
