#!/usr/bin/env bash
# API throughput through nginx against a static file, measured in the same
# run with wrk: GET /api/health and GET /api/clone/jobs (with JOBS clone-list
# entries in LMDB) versus nginx serving the same bytes from disk; then job
# submission -> runner pickup latency over N noop jobs (POST /api/jobs
# {"job_type":"noop"}, submitted one at a time; pickup = started_at -
# created_at of the job record, both stamped in LMDB).
# Usage: bench/api-throughput.sh [BUILD_DIR] (default _build)
# Env: CONNS (64), DURATION (10s), THREADS (2), WORKERS (one per core),
#      NOOP_JOBS (200), CLONE_JOBS (10: clone jobs in the listed history)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
clxs="$build/src/clxs"
[ -x "$clxs" ] || { echo "build first: scripts/build.sh $build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/setup.sh installs it" >&2; exit 1; }
CONNS=${CONNS:-64} DURATION=${DURATION:-10s} THREADS=${THREADS:-2} NOOP_JOBS=${NOOP_JOBS:-200}
CLONE_JOBS=${CLONE_JOBS:-10}

state=$(mktemp -d /tmp/clxs-bench-XXXXXX)
www="$state/www"
mkdir -p "$www"
cp -r "$top/www/." "$www/"
port=$((20000 + RANDOM % 30000)); lh_port=$((port + 1))
trap '"$clxs" stop --state-dir "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT
# No rate limit: this measures the stack, not nginx's limit_req.
"$clxs" serve --state-dir "$state" --port "$port" --lakehouse-port "$lh_port" --www-dir "$www" \
  ${WORKERS:+--workers "$WORKERS"} --rate-limit 0 --log-level warn >/dev/null
WORKERS=$(jq .workers "$state/run/serve.json")
base="http://127.0.0.1:$port"

# A realistic clone-job list: a few finished clone jobs (a dry run of a
# catalog that does not exist fails fast and still leaves a record).
for i in $(seq 1 "$CLONE_JOBS"); do
  curl -s -X POST "$base/api/clone" -H 'Content-Type: application/json' \
    --data-binary "{\"source_catalog\":\"bench_src\",\"destination_catalog\":\"bench_dst_$i\"}" >/dev/null
done
# Measure a settled list: wait (at most 2 min) until the runner has finished them all.
for _ in $(seq 1 240); do
  sleep 0.5
  [ "$(curl -s "$base/api/clone/jobs" | jq '[.[] | select(.status == "queued" or .status == "running")] | length')" = 0 ] && break
done
echo "clone jobs listed: $(curl -s "$base/api/clone/jobs" | jq length)"
# Static baselines: the very bytes each API call answers.
curl -s "$base/api/health" >"$www/health.json"
curl -s "$base/api/clone/jobs" >"$www/jobs.json"

run() { # run URL -> "rps non2xx p99"
  local out rps non p99
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  non=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "${rps:-0} ${non:-0} ${p99:-?}"
}
wrk -t1 -c8 -d2s "$base/api/health" >/dev/null # warm-up
read -r s_rps s_non s_p99 < <(run "$base/health.json")
read -r h_rps h_non h_p99 < <(run "$base/api/health")
read -r js_rps js_non js_p99 < <(run "$base/jobs.json")
read -r j_rps j_non j_p99 < <(run "$base/api/clone/jobs")
printf 'static health.json    : %9.0f req/s  p99 %-8s non-2xx %s\n' "$s_rps" "$s_p99" "$s_non"
printf 'GET /api/health       : %9.0f req/s  p99 %-8s non-2xx %s\n' "$h_rps" "$h_p99" "$h_non"
printf 'static jobs.json      : %9.0f req/s  p99 %-8s non-2xx %s\n' "$js_rps" "$js_p99" "$js_non"
printf 'GET /api/clone/jobs   : %9.0f req/s  p99 %-8s non-2xx %s\n' "$j_rps" "$j_p99" "$j_non"
awk -v h="$h_rps" -v s="$s_rps" -v j="$j_rps" -v js="$js_rps" -v c="$CONNS" -v w="$WORKERS" 'BEGIN {
  printf "ratio health/static: %.2f   ratio clone-jobs/static: %.2f  (connections %d, workers %d)\n",
    h / s, j / js, c, w }'

# Submission -> pickup latency, one job at a time so the queue is empty and
# the number is the runner's reaction time, not queueing.
ids=()
for i in $(seq 1 "$NOOP_JOBS"); do
  id=$(curl -s -X POST "$base/api/jobs" -H 'Content-Type: application/json' --data-binary '{"job_type":"noop"}' | jq -r .job_id)
  ids+=("$id")
  for _ in $(seq 1 200); do
    [ "$(curl -s "$base/api/jobs/$id" | jq -r .status)" = completed ] && break
    sleep 0.01
  done
done
for id in "${ids[@]}"; do
  curl -s "$base/api/jobs/$id" | jq -r '[.created_at, .started_at] | @tsv'
done | python3 -c '
import sys, datetime
def t(s): return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
lat = sorted((t(b) - t(a)).total_seconds() * 1000 for a, b in (l.strip().split("\t") for l in sys.stdin if l.strip()))
n = len(lat)
print("noop jobs: %d  pickup latency median %.1f ms  p99 %.1f ms  max %.1f ms" %
      (n, lat[n // 2], lat[min(n - 1, int(n * 0.99))], lat[-1]))'
