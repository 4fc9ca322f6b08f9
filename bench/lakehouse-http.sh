#!/usr/bin/env bash
# SELECT count(*) over a 1,000,000-row lakehouse table through HTTP (nginx ->
# clxs-lakehouse -> Statement Execution API), against `SELECT 1` on the same
# path in the same run: the ratio is what the table scan adds to a round trip.
# Usage: bench/lakehouse-http.sh [BUILD_DIR] (default _build); ROWS, RUNS in env.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
clxs="$build/src/clxs"
[ -x "$clxs" ] || { echo "build first: scripts/build.sh $build" >&2; exit 1; }
ROWS=${ROWS:-1000000} RUNS=${RUNS:-30}
state=$(mktemp -d /tmp/clxs-bench-XXXXXX)
port=$((20000 + RANDOM % 30000)); lh_port=$((port + 1))
trap '"$clxs" stop --state-dir "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT
"$clxs" serve --state-dir "$state" --port "$port" --lakehouse-port "$lh_port" --log-level warn >/dev/null
export CLXS_STATE_DIR=$state
"$clxs" sql "CREATE CATALOG bench" >/dev/null
"$clxs" sql "CREATE SCHEMA bench.s" >/dev/null
"$clxs" sql "CREATE TABLE bench.s.t (id BIGINT, v STRING)" >/dev/null
"$clxs" sql "INSERT INTO bench.s.t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS) SELECT i, concat('v', i) FROM n" >/dev/null
token=$(cat "$state/lakehouse.token")

median_ms() { # median_ms SQL -> milliseconds of the median round trip
  local body t
  body=$(jq -n --arg s "$1" '{statement: $s, warehouse_id: "c10e5ca1e0000001", wait_timeout: "30s"}')
  for _ in $(seq 1 "$RUNS"); do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" \
      -X POST "http://127.0.0.1:$lh_port/api/2.0/sql/statements" --data-binary "$body")
    echo "$t"
  done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] * 1000 }'
}
check=$(curl -s -H "Authorization: Bearer $token" -X POST "http://127.0.0.1:$lh_port/api/2.0/sql/statements" \
  --data-binary '{"statement":"SELECT count(*) FROM bench.s.t","warehouse_id":"c10e5ca1e0000001"}' | jq -r '.result.data_array[0][0]')
[ "$check" = "$ROWS" ] || { echo "count(*) returned $check, expected $ROWS" >&2; exit 1; }
base=$(median_ms "SELECT 1")
scan=$(median_ms "SELECT count(*) FROM bench.s.t")
printf 'SELECT 1 through HTTP            : %8s ms (median of %d)\n' "$base" "$RUNS"
printf 'SELECT count(*) over %7d rows: %8s ms (median of %d)\n' "$ROWS" "$scan" "$RUNS"
awk -v a="$scan" -v b="$base" 'BEGIN { printf "ratio count(*)/SELECT 1: %.2f\n", a / b }'
