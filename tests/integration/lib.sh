# Shared helpers for the integration tests: start a private stack on free
# loopback ports in a temporary state directory, talk HTTP with curl, count
# results and print the closing "N passed, N failed" line.
set -u

: "${CLXS_BUILDDIR:?run through make check (CLXS_BUILDDIR unset)}"
: "${CLXS_SRCDIR:?run through make check (CLXS_SRCDIR unset)}"
CLXS="$CLXS_BUILDDIR/src/clxs"
PASSED=0
FAILED=0

for tool in curl jq nginx; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
    echo "missing tool: $tool (run scripts/setup.sh)" >&2; exit 99; }
done

ok()   { PASSED=$((PASSED + 1)); echo "ok - $*"; }
bad()  { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
# expect DESCRIPTION EXPECTED ACTUAL
expect() {
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected [$2], got [$3]"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

# start_stack [extra clxs serve options...]
# Ports are picked at random and checked free, but a test running in
# parallel can take the same one between the check and nginx's bind: a
# start that fails that way is retried on new ports.
start_stack() {
  STATE=$(mktemp -d /tmp/clxs-it-XXXXXX)
  local try
  for try in 1 2 3; do
    PORT=$(pick_port)
    LH_PORT=$(pick_port)
    BASE="http://127.0.0.1:$PORT"
    LH_BASE="http://127.0.0.1:$LH_PORT"
    if "$CLXS" serve --state-dir "$STATE" --port "$PORT" --lakehouse-port "$LH_PORT" "$@"; then
      return 0
    fi
    if ! grep -q "Address already in use" "$STATE"/logs/nginx-*.log 2>/dev/null; then
      break
    fi
    echo "port clash on try $try; retrying with new ports" >&2
    : >"$STATE/logs/nginx-error.log"
  done
  echo "clxs serve failed; logs:" >&2
  tail -n 50 "$STATE"/logs/*.log >&2 || true
  exit 99
}

stop_stack() {
  if [ -n "${STATE:-}" ]; then
    "$CLXS" stop --state-dir "$STATE" >/dev/null 2>&1 || true
    if [ "$FAILED" -gt 0 ]; then
      echo "--- logs of the failed run ---"; tail -n 40 "$STATE"/logs/*.log || true
    fi
    rm -rf "$STATE"
  fi
}

# http METHOD PATH [curl args...]: sets HTTP_CODE and HTTP_BODY
http() {
  local method=$1 path=$2 out
  shift 2
  out=$(curl -s -X "$method" -w $'\n%{http_code}' "$@" "$BASE$path") || out=$'\n000'
  HTTP_CODE=${out##*$'\n'}
  HTTP_BODY=${out%$'\n'*}
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll until the command succeeds
wait_for() {
  local desc=$1 secs=$2
  shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  bad "timed out after ${secs}s waiting for: $desc"
  return 1
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# Sanitizer reports from the daemons land in their logs, not in our exit
# status: look for them so an ASan build of the stack can fail the test.
check_sanitizer_logs() {
  if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$STATE"/logs/*.log 2>/dev/null; then
    bad "sanitizer reports in the daemon logs"
    grep -hE -A20 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$STATE"/logs/*.log | head -n 80
  else
    ok "no sanitizer reports in the daemon logs"
  fi
}

# lh_sql SQL: run a statement on the stack's lakehouse through nginx; prints
# the data_array as compact JSON, or the error object.
lh_sql() {
  local tok
  tok=$(cat "$STATE/lakehouse.token")
  curl -s -H "Authorization: Bearer $tok" -X POST "$LH_BASE/api/2.0/sql/statements" \
    --data-binary "$(jq -n --arg s "$1" '{statement: $s, warehouse_id: "c10e5ca1e0000001", wait_timeout: "30s"}')" |
    jq -c 'if .status.state == "SUCCEEDED" then (.result.data_array // []) else (.status.error // .) end'
}
