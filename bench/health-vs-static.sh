#!/usr/bin/env bash
# Requests/s of GET /api/health through nginx -> FastCGI pool, against nginx
# serving a static file of the same size, measured in the same run with wrk.
# Usage: bench/health-vs-static.sh [BUILD_DIR] (default _build)
# Env: CONNS (64), DURATION (10s), THREADS (2), WORKERS (clxs serve's default:
# one per CPU core)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
clxs="$build/src/clxs"
[ -x "$clxs" ] || { echo "build first: scripts/build.sh $build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/setup.sh installs it" >&2; exit 1; }
CONNS=${CONNS:-64} DURATION=${DURATION:-10s} THREADS=${THREADS:-2}

state=$(mktemp -d /tmp/clxs-bench-XXXXXX)
www="$state/www"
mkdir -p "$www"
cp -r "$top/www/." "$www/"
port=$((20000 + RANDOM % 30000)); lh_port=$((port + 1))
trap '"$clxs" stop --state-dir "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT
"$clxs" serve --state-dir "$state" --port "$port" --lakehouse-port "$lh_port" --www-dir "$www" \
  ${WORKERS:+--workers "$WORKERS"} --log-level warn >/dev/null
WORKERS=$(jq .workers "$state/run/serve.json")
base="http://127.0.0.1:$port"
# The static baseline: the very bytes the API answers, so both responses
# carry the same payload.
curl -s "$base/api/health" >"$www/health.json"

run() { # run URL -> "rps non2xx"
  local out rps non
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  non=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "${rps:-0} ${non:-0} ${p99:-?}"
}
wrk -t1 -c8 -d2s "$base/api/health" >/dev/null # warm-up
read -r s_rps s_non s_p99 < <(run "$base/health.json")
read -r a_rps a_non a_p99 < <(run "$base/api/health")
printf 'static file   : %10.0f req/s  p99 %-8s non-2xx %s\n' "$s_rps" "$s_p99" "$s_non"
printf 'GET /api/health: %9.0f req/s  p99 %-8s non-2xx %s\n' "$a_rps" "$a_p99" "$a_non"
awk -v a="$a_rps" -v s="$s_rps" -v c="$CONNS" -v w="$WORKERS" \
  'BEGIN { printf "ratio api/static: %.2f  (connections %d, workers %d; aim >= 0.50)\n", a / s, c, w }'
