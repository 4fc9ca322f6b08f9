#!/usr/bin/env bash
# The stack end to end through nginx on loopback: health, static page, JSON
# errors, body limits, a worker killed and replaced, a runner killed mid-job
# and its job recovered, and a cancelled job.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 2 --max-body 65536

# --- health and the static page ---------------------------------------------
http GET /api/health
expect "GET /api/health status" 200 "$HTTP_CODE"
expect "GET /api/health body is the reference's JSON" \
  '{"status":"ok","service":"Clone-Xs","runtime":"standalone"}' "$HTTP_BODY"
http GET /
expect "GET / serves the page" 200 "$HTTP_CODE"
case "$HTTP_BODY" in *"<title>Clone-Xs</title>"*) ok "page is the web UI";; *) bad "page content";; esac
http GET /api/openapi.json
expect "openapi document lists /api/health" '"Returns service health status and runtime environment."' \
  "$(jq -c '.paths["/api/health"].get.summary' <<<"$HTTP_BODY")"

# --- JSON errors ------------------------------------------------------------
http GET /api/no/such/route
expect "unknown route is 404" 404 "$HTTP_CODE"
expect "404 carries error_code" NOT_FOUND "$(jq -r .error_code <<<"$HTTP_BODY")"
expect "404 has the three error fields" '["detail","error_code","message"]' "$(jq -c 'keys' <<<"$HTTP_BODY")"
http POST /api/health
expect "wrong method is 405" 405 "$HTTP_CODE"
expect "405 carries error_code" METHOD_NOT_ALLOWED "$(jq -r .error_code <<<"$HTTP_BODY")"
allow=$(curl -s -o /dev/null -D - -X DELETE "$BASE/api/health" | tr -d '\r' | sed -n 's/^Allow: //p')
expect "405 names the allowed methods" GET "$allow"
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '{"job_type": "noop",'
expect "malformed JSON is 400" 400 "$HTTP_CODE"
expect "400 carries error_code" BAD_REQUEST "$(jq -r .error_code <<<"$HTTP_BODY")"
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '[1,2]'
expect "a non-object body is 400" 400 "$HTTP_CODE"
http POST /api/jobs -H 'Content-Type: application/json' --data-binary '{"job_type":"explode"}'
expect "unknown job type is 422" 422 "$HTTP_CODE"
expect "422 names the field" job_type "$(jq -r .detail <<<"$HTTP_BODY")"
big=$(mktemp)
{ printf '{"job_type":"noop","pad":"'; head -c 100000 /dev/zero | tr '\0' 'x'; printf '"}'; } >"$big"
http POST /api/jobs -H 'Content-Type: application/json' --data-binary "@$big"
expect "body over the API limit is 413" 413 "$HTTP_CODE"
expect "413 is JSON from the pool" PAYLOAD_TOO_LARGE "$(jq -r .error_code <<<"$HTTP_BODY")"
{ printf '{"pad":"'; head -c 3000000 /dev/zero | tr '\0' 'x'; printf '"}'; } >"$big"
http POST /api/jobs -H 'Content-Type: application/json' --data-binary "@$big"
expect "body over the nginx limit is 413" 413 "$HTTP_CODE"
expect "nginx's 413 is JSON too" PAYLOAD_TOO_LARGE "$(jq -r .error_code <<<"$HTTP_BODY")"
rm -f "$big"
http GET /api/health
expect "the worker that refused a body still serves" 200 "$HTTP_CODE"

# --- a worker killed with SIGKILL is replaced; health keeps answering --------
master=$(cat "$STATE/run/api.pid")
workers_of() { pgrep -P "$master" | sort; }
before=$(workers_of)
victim=$(head -n 1 <<<"$before")
kill -KILL "$victim"
failures=0
for _ in $(seq 1 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/health")
  [ "$code" = 200 ] || failures=$((failures + 1))
done
expect "health answered 100/100 while a worker was killed" 0 "$failures"
two_workers_without_victim() {
  local now; now=$(workers_of)
  [ "$(wc -l <<<"$now")" -eq 2 ] && ! grep -qx "$victim" <<<"$now"
}
wait_for "the pool to replace the killed worker" 10 two_workers_without_victim &&
  ok "killed worker $victim replaced"

# --- a cancelled job ends `cancelled` ----------------------------------------
submit() { # submit TYPE SECONDS -> prints job id
  curl -s -X POST -H 'Content-Type: application/json' \
    --data-binary "{\"job_type\":\"$1\",\"params\":{\"seconds\":$2}}" "$BASE/api/jobs" | jq -r .job_id
}
job_field() { curl -s "$BASE/api/jobs/$1" | jq -r "$2"; }
is_status() { [ "$(job_field "$1" .status)" = "$2" ]; }
has_progress() { [ "$(job_field "$1" .progress.completed)" -gt "${2:-0}" ]; }

long=$(submit sleep 30)
wait_for "job $long to run" 10 has_progress "$long"
http DELETE "/api/jobs/$long"
expect "cancel of a running job is accepted" 200 "$HTTP_CODE"
expect "cancel reports cancelling" cancelling "$(jq -r .status <<<"$HTTP_BODY")"
wait_for "job $long to end cancelled" 10 is_status "$long" cancelled && ok "running job ended cancelled"
expect "a cancelled job did not run to the end" true \
  "$(job_field "$long" '.progress.completed < .progress.total')"
http DELETE "/api/jobs/$long"
expect "cancelling a finished job is 409" 409 "$HTTP_CODE"
http GET /api/jobs/0123456789abcdef
expect "unknown job is 404" 404 "$HTTP_CODE"

# Both runner slots busy: a third job waits in the queue and cancels at once.
a=$(submit sleep 30); b=$(submit sleep 30)
wait_for "both slots busy" 10 bash -c "[ \"\$(curl -s '$BASE/api/jobs/$a' | jq -r .status)\" = running ] && [ \"\$(curl -s '$BASE/api/jobs/$b' | jq -r .status)\" = running ]"
queued=$(submit sleep 1)
expect "third job waits in the queue" queued "$(job_field "$queued" .status)"
http DELETE "/api/jobs/$queued"
expect "cancel of a queued job is immediate" cancelled "$(jq -r .status <<<"$HTTP_BODY")"
curl -s -o /dev/null -X DELETE "$BASE/api/jobs/$a"
curl -s -o /dev/null -X DELETE "$BASE/api/jobs/$b"
wait_for "slots to free up" 10 bash -c "[ \"\$(curl -s '$BASE/api/jobs/$b' | jq -r .status)\" = cancelled ]"

# --- browsers: cross-site requests and DNS rebinding --------------------------
http POST /api/jobs -H 'Content-Type: text/plain' -H 'Origin: http://evil.example' -d '{"job_type":"noop"}'
expect "a cross-origin POST (CSRF) is refused" 403 "$HTTP_CODE"
expect "and says why" '"origin"' "$(jq -c .detail <<<"$HTTP_BODY")"
http POST /api/jobs -H "Origin: http://127.0.0.1:$PORT" -d '{"job_type":"noop"}'
expect "a same-origin POST is accepted" 200 "$HTTP_CODE"
http GET /api/jobs -H 'Host: rebound.example'
expect "a Host name that is not ours (DNS rebinding) is refused" 403 "$HTTP_CODE"
http GET /api/jobs -H "Host: localhost:$PORT"
expect "localhost is ours" 200 "$HTTP_CODE"
http GET /api/jobs -H 'Sec-Fetch-Site: cross-site'
expect "a request the browser marks cross-site is refused" 403 "$HTTP_CODE"

# --- a runner killed mid-job: the job is recovered on restart ----------------
job=$(submit sleep 3)
wait_for "job $job to make progress" 10 has_progress "$job" 5
kill -KILL "$(cat "$STATE/run/runner.pid")"
sleep 0.3
expect "the orphaned job still shows running" running "$(job_field "$job" .status)"
"$CLXS" serve --state-dir "$STATE" --port "$PORT" --lakehouse-port "$LH_PORT" --workers 2 --concurrency 2 --max-body 65536 >/dev/null ||
  bad "clxs serve could not restart the stack"
wait_for "recovered job $job to complete" 15 is_status "$job" completed && ok "recovered job completed"
expect "the job was retried once" 1 "$(job_field "$job" .attempts)"
expect "it resumed from its checkpoint, not from zero" true \
  "$(job_field "$job" '.result.resumed_at_step >= 5')"
case "$(job_field "$job" '.logs | join("|")')" in
  *"recovered after its runner was lost"*"resuming from step"*) ok "job log tells the recovery";;
  *) bad "job log lacks the recovery";;
esac
http GET /api/health
expect "stack healthy after the restart" 200 "$HTTP_CODE"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
