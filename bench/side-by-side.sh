#!/usr/bin/env bash
# Fleetwatch beside the FastAPI reference of the ingest slice, with and without
# PHP libraries in the inventories, on this machine, now. Run from the project root:
#
#   bench/side-by-side.sh [ROUNDS]          # SHARED=../shared/bench by default
#
# The side-by-side harness (the reference, its setup scripts, the site fixtures)
# lives outside this repository, in SHARED; this script drives it with the
# project's copy of its load generator (bench/loadgen), which can add each
# site the libraries of a real composer.lock (packagist/testdata/composer-locks).
# Per round: unchanged and changed, first without libraries, then with, each
# 20 s per server, alternating servers; it prints one line per run and the ratios.
# About 12 minutes a round.
set -euo pipefail
ROUNDS=${1:-1}
ROOT=$(pwd)
SHARED=$(cd "${SHARED:-../shared/bench}" && pwd)
FIX=$(cd "$SHARED/../fixtures/sites" && pwd)
LOCKS=$ROOT/packagist/testdata/composer-locks
WD=$(mktemp -d -t fwbench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  [ -f "$WD/fw/env" ] && . "$WD/fw/env" && dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" || true
  dropdb -h 127.0.0.1 -U postgres --if-exists fleetbench_ref || true
  rm -rf "$WD"
}
trap cleanup EXIT

/usr/bin/python3 -c 'import fastapi, uvicorn, sqlalchemy, asyncpg' 2>/dev/null || {
  echo "installing the reference's Debian packages"
  apt-get update -qq && apt-get install -y -qq python3-fastapi python3-uvicorn python3-sqlalchemy python3-asyncpg python3-pydantic >/dev/null
}
go build -o "$WD/loadgen" ./bench/loadgen
go build -o "$WD/fleetwatch" ./cmd/fleetwatch

# the reference
psql -h 127.0.0.1 -U postgres -qtc "SELECT 1 FROM pg_roles WHERE rolname='fleetbench'" | grep -q 1 ||
  psql -h 127.0.0.1 -U postgres -qc "CREATE ROLE fleetbench LOGIN PASSWORD 'fleetbench'"
dropdb -h 127.0.0.1 -U postgres --if-exists fleetbench_ref
createdb -h 127.0.0.1 -U postgres -O fleetbench fleetbench_ref
/usr/bin/python3 "$SHARED/reference-fastapi/reference.py" seed --reset --sites 200 --out "$WD/ref-keys.json" >/dev/null
/usr/bin/python3 -m uvicorn reference:app --app-dir "$SHARED/reference-fastapi" --host 127.0.0.1 --port 8000 \
  --workers 2 --no-access-log >"$WD/ref.log" 2>&1 & PIDS+=($!)

# Fleetwatch, with empty release and advisory mirrors so that both do the same slice
mkdir -p "$WD/fw"
bash "$SHARED/setup-fleetwatch.sh" "$WD/fleetwatch" "$WD/fw" 8091 >/dev/null
PIDS+=("$(cat "$WD/fw/server.pid")")
. "$WD/fw/env"
/usr/bin/python3 "$SHARED/stats_shim.py" 8092 http://127.0.0.1:8091 "$TOKEN" & PIDS+=($!)
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:8000/api/v1/ingest/stats >/dev/null && curl -sf http://127.0.0.1:8092/stats >/dev/null && break; sleep 0.2; done

FW=(-base http://127.0.0.1:8091 -keys "$WD/fw/keys.json" -stats-path http://127.0.0.1:8092/stats)
REF=(-base http://127.0.0.1:8000 -keys "$WD/ref-keys.json")
run() { # who mode duration [libraries dir]
  local -n a=$1
  "$WD/loadgen" "${a[@]}" -fixtures "$FIX" ${4:+-libraries "$4"} -c 16 -d "$3" -mode "$2" -wait 8m 2>/dev/null | tail -1
}
show() { jq -r --arg who "$1" '"\($who)\t\(.mode)\tlibraries \(.libraries_per_inventory)\taccepted/s \(.accepted_per_s)\tp99 \(.latency_ms.p99) ms\tprocessed/s \(.processed_per_s)\tfailed \(.failed)\tcaught up \(.caught_up)"'; }
declare -A sum=()
for r in $(seq 1 "$ROUNDS"); do
  for libs in "" "$LOCKS"; do
    label=${libs:+with libraries}; label=${label:-without libraries}
    # each site's first inventory of this kind
    run FW unchanged 5s "$libs" >/dev/null; run REF unchanged 5s "$libs" >/dev/null
    for mode in unchanged changed; do
      for who in FW REF; do
        out=$(run $who $mode 20s "$libs"); echo "$out" | show "$who"
        sum[$who.$mode]=$(echo "$out" | jq .processed_per_s)
      done
      echo "ratio $mode $label (round $r): $(echo "${sum[FW.$mode]} ${sum[REF.$mode]}" | awk '{printf "%.1f", $1/$2}')x processed/s end to end"
    done
  done
done
