#!/usr/bin/env bash
# WebSocket job progress through nginx -> clxs-events: the handshake and its
# refusals, ping/pong, progress and final events of a real clone, cancelled
# and failed jobs, unknown jobs, protocol violations, and the events daemon
# in `clxs status`/`clxs stop`. The client is Node's built-in WebSocket.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

command -v node >/dev/null || { echo "node missing (scripts/setup.sh)" >&2; exit 77; }
NODE=(node)
node -e 'if (typeof WebSocket === "undefined") process.exit(1)' 2>/dev/null ||
  NODE=(node --experimental-websocket --no-warnings)
CLIENT="$CLXS_SRCDIR/tests/integration/ws_client.mjs"
wsc() { "${NODE[@]}" "$CLIENT" "$@"; }

# Each lakehouse call of the runner's clone waits a little, so the clone
# lasts long enough to be watched making progress.
export CLXS_LH_FAULT_LATENCY_MS=15
start_stack --workers 2 --concurrency 2
unset CLXS_LH_FAULT_LATENCY_MS
export CLXS_STATE_DIR=$STATE
WS="ws://127.0.0.1:$PORT/api/clone/ws"
KEY=dGhlIHNhbXBsZSBub25jZQ==

# --- the daemon runs and is listed ------------------------------------------------
"$CLXS" status --state-dir "$STATE" | grep -q '^events *running' && ok "clxs status lists the events daemon" ||
  bad "clxs status does not list events"
[ -S "$STATE/run/events.sock" ] && ok "events socket in STATE/run" || bad "no events socket"

# --- handshakes that must be refused ----------------------------------------------
http GET /api/clone/ws/abc
expect "a plain GET is 426 Upgrade Required" 426 "$HTTP_CODE"
expect "with a JSON error" UPGRADE_REQUIRED "$(jq -r .error_code <<<"$HTTP_BODY")"
http GET /api/clone/ws/abc -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H "Sec-WebSocket-Key: $KEY" \
  -H 'Sec-WebSocket-Version: 8'
expect "an old protocol version is 426" 426 "$HTTP_CODE"
hdrs=$(curl -s -D - -o /dev/null "$BASE/api/clone/ws/abc" -H 'Upgrade: websocket' -H 'Connection: Upgrade' \
  -H "Sec-WebSocket-Key: $KEY" -H 'Sec-WebSocket-Version: 8')
grep -qi '^Sec-WebSocket-Version: 13' <<<"$hdrs" && ok "426 names the supported version" || bad "no Sec-WebSocket-Version in 426"
http GET /api/clone/ws/abc -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13'
expect "a missing Sec-WebSocket-Key is 400" 400 "$HTTP_CODE"
http GET /api/clone/ws/abc -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' \
  -H 'Sec-WebSocket-Key: bm90IHNpeHRlZW4='
expect "a key that is not 16 bytes is 400" 400 "$HTTP_CODE"
http POST /api/clone/ws/abc -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H "Sec-WebSocket-Key: $KEY" \
  -H 'Sec-WebSocket-Version: 13'
expect "POST is 405" 405 "$HTTP_CODE"
# A valid handshake answers 101 with the RFC's accept value for this key.
hdrs=$(curl -s -D - -o /dev/null --max-time 2 "$BASE/api/clone/ws/abc" -H 'Upgrade: websocket' \
  -H 'Connection: Upgrade' -H "Sec-WebSocket-Key: $KEY" -H 'Sec-WebSocket-Version: 13' 2>/dev/null)
expect "a valid handshake is 101" "101" "$(head -n1 <<<"$hdrs" | awk '{print $2}')"
grep -qi '^Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=' <<<"$hdrs" && ok "Sec-WebSocket-Accept is right" ||
  bad "wrong Sec-WebSocket-Accept: $hdrs"

# --- unknown and malformed job ids ---------------------------------------------------
out=$(wsc "$WS/0123456789abcdef" --timeout 10)
expect "an unknown job gets an error event" NOT_FOUND \
  "$(jq -r 'select(.kind == "message") | .data.error_code' <<<"$out")"
expect "and close code 4404" 4404 "$(jq -r 'select(.kind == "close") | .code' <<<"$out")"
out=$(wsc "$WS/x'%20OR%201=1;rm%20-rf" --timeout 10)
expect "an injection-like job id is not found" "NOT_FOUND 4404" \
  "$(jq -r 'select(.kind == "message") | .data.error_code' <<<"$out") $(jq -r 'select(.kind == "close") | .code' <<<"$out")"
# nginx resolves an encoded ../ before routing, so this never names a job:
# the upgrade is refused with a JSON 4xx and no socket opens.
out=$(wsc "$WS/..%2F..%2Fetc%2Fpasswd" --timeout 10)
expect "a path-traversal job id opens no socket" false "$(jq -s 'any(.[]; .kind == "open")' <<<"$out")"
http GET "/api/clone/ws/..%2F..%2Fetc%2Fpasswd"
expect "and answers a JSON 4xx" "4 true" "${HTTP_CODE:0:1} $(jq 'has("error_code")' <<<"$HTTP_BODY")"

# --- ping -> pong on a running job -------------------------------------------------
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '{"job_type":"sleep","params":{"seconds":3}}'
sleep_job=$(jq -r .job_id <<<"$HTTP_BODY")
out=$(wsc "$WS/$sleep_job" --send ping --send '{"type":"ping"}' --send hello --timeout 30)
expect "\"ping\" and {\"type\":\"ping\"} both get {\"type\":\"pong\"}" 2 \
  "$(jq -s '[.[] | select(.kind == "message" and .data.type == "pong")] | length' <<<"$out")"
expect "an unknown message gets an error, not a disconnect" BAD_REQUEST \
  "$(jq -r 'select(.kind == "message" and .data.type == "error") | .data.error_code' <<<"$out")"
expect "the first event is the job's status" status "$(jq -r -s '[.[] | select(.kind == "message" and .data.type != "pong")][0].data.type' <<<"$out")"
expect "the sleep job's progress is pushed" true \
  "$(jq -s '[.[] | select(.kind == "message" and .data.type == "progress")] | length > 3' <<<"$out")"
expect "progress only grows" true \
  "$(jq -s '[.[] | select(.kind == "message" and .data.type == "progress") | .data.completed] | . == sort' <<<"$out")"
expect "the final event is completed" completed "$(jq -r -s '[.[] | select(.kind == "message")][-1].data.type' <<<"$out")"
expect "then the server closes with 1000" 1000 "$(jq -r 'select(.kind == "close") | .code' <<<"$out")"

# --- a real clone through the API: progress, logs, final result -------------------------
"$CLXS" demo-data --catalog demo >/dev/null && ok "demo catalog built" || bad "demo-data"
http POST /api/clone -H 'Content-Type: application/json' \
  --data-binary '{"source_catalog":"demo","destination_catalog":"demo_ws"}'
job=$(jq -r .job_id <<<"$HTTP_BODY")
out=$(wsc "$WS/$job" --timeout 120)
msgs=$(jq -c 'select(.kind == "message") | .data' <<<"$out")
expect "clone: the first event is a status snapshot" "status $job" "$(head -n1 <<<"$msgs" | jq -r '"\(.type) \(.job_id)"')"
expect "clone: several progress events arrive" true "$(jq -s '[.[] | select(.type == "progress")] | length >= 3' <<<"$msgs")"
expect "clone: progress reaches its total" true \
  "$(jq -s '[.[] | select(.type == "progress")][-1] | .completed == .total and .total > 0' <<<"$msgs")"
expect "clone: log events carry the job's log lines" true "$(jq -s '[.[] | select(.type == "log" and (.message | length > 0))] | length > 2' <<<"$msgs")"
expect "clone: log events arrive in order, none twice" true "$(jq -s '[.[] | select(.type == "log") | .seq] | . == (sort | unique)' <<<"$msgs")"
expect "clone: the status moved to running" true "$(jq -s 'any(.[]; .type == "status" and .status == "running")' <<<"$msgs")"
final=$(tail -n1 <<<"$msgs")
expect "clone: the final event is completed" completed "$(jq -r .type <<<"$final")"
http GET "/api/clone/$job"
expect "clone: the final event's result is the job's result" "$(jq -c .result <<<"$HTTP_BODY")" "$(jq -c .result <<<"$final")"
expect "clone: the socket closes normally" 1000 "$(jq -r 'select(.kind == "close") | .code' <<<"$out")"

# Connecting after the end replays the snapshot, the log tail and the final event.
out=$(wsc "$WS/$job" --timeout 20)
expect "an ended job: snapshot first, final event last" "status completed" \
  "$(jq -r -s '[.[] | select(.kind == "message")] | "\(.[0].data.type) \(.[-1].data.type)"' <<<"$out")"

# --- cancelled and failed jobs end with their own final event ---------------------------------
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '{"job_type":"sleep","params":{"seconds":30}}'
j=$(jq -r .job_id <<<"$HTTP_BODY")
is_running() { [ "$(curl -s "$BASE/api/jobs/$j" | jq -r .status)" = running ]; }
wait_for "sleep job to run" 20 is_running
tmp=$(mktemp)
wsc "$WS/$j" --timeout 30 >"$tmp" &
cpid=$!
snap() { grep -q '"type":"status"' "$tmp"; }
wait_for "the snapshot of $j" 20 snap
curl -s -X DELETE "$BASE/api/jobs/$j" >/dev/null
wait "$cpid"
out=$(cat "$tmp"); rm -f "$tmp"
expect "a cancelled job ends with a cancelled event" cancelled "$(jq -r -s '[.[] | select(.kind == "message")][-1].data.type' <<<"$out")"
expect "after it had been seen running" true "$(jq -s 'any(.[]; .kind == "message" and .data.status == "running")' <<<"$out")"
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '{"job_type":"sleep","params":{"seconds":0.3,"fail":true}}'
j=$(jq -r .job_id <<<"$HTTP_BODY")
out=$(wsc "$WS/$j" --timeout 30)
final=$(jq -c -s '[.[] | select(.kind == "message")][-1].data' <<<"$out")
expect "a failed job ends with a failed event and its error" "failed true" \
  "$(jq -r '"\(.type) \(.error | type == "string" and length > 0)"' <<<"$final")"

# --- protocol violations get the right close codes ---------------------------------------------
# On a job that keeps running, so only the violation can end the socket.
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '{"job_type":"sleep","params":{"seconds":120}}'
long_job=$(jq -r .job_id <<<"$HTTP_BODY")
raw() { wsc --raw 127.0.0.1 "$PORT" "/api/clone/ws/$long_job" "$1"; }
close_code() { jq -r 'select(.kind == "frame" and .opcode == 8) | .code' <<<"$1" | head -n1; }
out=$(raw close)
expect "raw handshake through nginx: 101 with the right accept" "101 true" \
  "$(jq -r 'select(.kind == "handshake") | "\(.status) \(.accept_ok)"' <<<"$out")"
expect "server frames are unmasked" false "$(jq -s 'any(.[]; .kind == "frame" and .masked)' <<<"$out")"
expect "a client close is echoed with its code" 1000 "$(close_code "$out")"
expect "an unmasked client frame closes with 1002" 1002 "$(close_code "$(raw unmasked)")"
expect "a binary message closes with 1003" 1003 "$(close_code "$(raw binary)")"
expect "a message over 64 KiB closes with 1009" 1009 "$(close_code "$(raw oversize)")"
expect "invalid UTF-8 text closes with 1007" 1007 "$(close_code "$(raw badutf8)")"
out=$(raw fragmented-ping)
expect "a control ping between fragments is answered with a pong" hb \
  "$(jq -r 'select(.kind == "frame" and .opcode == 10) | .text' <<<"$out")"

curl -s -X DELETE "$BASE/api/jobs/$long_job" >/dev/null

# --- the daemon stops with the stack and comes back with it ----------------------------------
epid=$(cat "$STATE/run/events.pid")
"$CLXS" stop --state-dir "$STATE" >/dev/null
# A zombie (not yet reaped by the container's init) counts as stopped.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
alive "$epid" && bad "clxs stop left clxs-events running" || ok "clxs stop stops clxs-events"
[ ! -e "$STATE/run/events.sock" ] && ok "and it removes its socket" || bad "socket left behind"
check_sanitizer_logs
finish
