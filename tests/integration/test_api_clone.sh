#!/usr/bin/env bash
# Clone acceptance through the API on the demo catalog: the API clone gives
# the CLI clone's result; a cancel mid-clone leaves a consistent catalog and
# a cancelled job; a runner SIGKILLed mid-job is replaced by `clxs serve` and
# the job completes; 20 concurrent submissions all complete.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

# Every lakehouse call of the runner waits a little, so a clone lasts long
# enough to be cancelled or have its runner killed in the middle.
export CLXS_LH_FAULT_LATENCY_MS=8
start_stack --workers 2 --concurrency 2
export CLXS_STATE_DIR=$STATE

"$CLXS" demo-data --catalog demo >/dev/null && ok "demo catalog built" || bad "demo-data"

# Counts that do not depend on timing: *_cloned, *_failed, *_skipped ...
counts='with_entries(select(.key | test("^(tables|views|functions|volumes|schemas|objects)_(cloned|failed|skipped|created)$")))'
submit() { # submit BODY -> job id on stdout
  curl -s -X POST "$BASE/api/clone" -H 'Content-Type: application/json' --data-binary "$1" | jq -r .job_id
}
status_of() { curl -s "$BASE/api/clone/$1" | jq -r .status; }
ended() { case "$(status_of "$1")" in completed|failed|cancelled) return 0;; esac; return 1; }
progressed() { [ "$(curl -s "$BASE/api/clone/$1" | jq '.progress.completed')" -ge "$2" ] 2>/dev/null; }

# Compare the non-view tables of two catalogs: names and row counts.
tables_of() {
  lh_sql "SELECT table_schema, table_name FROM $1.information_schema.tables WHERE table_type <> 'VIEW' AND table_schema NOT IN ('information_schema', 'default') ORDER BY 1, 2"
}
# count(*) of a table; a transient lakehouse error (the stack is busy with
# injected latency) is retried rather than read as a wrong count.
count_of() {
  local r i
  for i in 1 2 3 4 5; do
    r=$(lh_sql "SELECT count(*) FROM $1")
    case "$r" in '[["'*) echo "$r"; return;; esac
    sleep 0.5
  done
  echo "$r"
}
same_content() { # same_content DESCRIPTION SRC DST
  local t a b diff=0
  [ "$(tables_of "$2")" = "$(tables_of "$3")" ] || { bad "$1: table lists differ"; return; }
  for t in $(tables_of "$2" | jq -r '.[] | "\(.[0]).\(.[1])"'); do
    a=$(count_of "$2.$t"); b=$(count_of "$3.$t")
    [ "$a" = "$b" ] || { diff=1; echo "# $t: $a vs $b"; }
  done
  [ $diff = 0 ] && ok "$1" || bad "$1: row counts differ"
}

# --- the API clone equals the CLI clone ------------------------------------------------
cli=$("$CLXS" clone --source demo --dest demo_cli --json 2>/dev/null)
expect "the CLI clone succeeded" 0 "$(jq .objects_failed <<<"$cli")"
job=$(submit '{"source_catalog":"demo","destination_catalog":"demo_api"}')
wait_for "API clone $job" 120 ended "$job"
http GET "/api/clone/$job"
expect "the API clone completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
expect "its counts equal the CLI clone's" "$(jq -c "$counts" <<<"$cli")" "$(jq -c ".result | $counts" <<<"$HTTP_BODY")"
[ "$(jq -c "$counts" <<<"$cli")" != "{}" ] && ok "and there were counts to compare" || bad "no comparable counts"
same_content "the API clone holds the CLI clone's tables and rows" demo_cli demo_api
expect "views arrived too" "$(lh_sql "SELECT count(*) FROM demo_cli.information_schema.views")" \
  "$(lh_sql "SELECT count(*) FROM demo_api.information_schema.views")"

# --- cancel mid-clone -------------------------------------------------------------------
job=$(submit '{"source_catalog":"demo","destination_catalog":"demo_cancel"}')
wait_for "clone $job to make progress" 60 progressed "$job" 2
http DELETE "/api/clone/$job"
expect "DELETE answers" 200 "$HTTP_CODE"
wait_for "cancelled clone $job to stop" 60 ended "$job"
http GET "/api/clone/$job"
expect "the job ends cancelled" cancelled "$(jq -r .status <<<"$HTTP_BODY")"
expect "it stopped before the end" true "$(jq '.progress.completed < .progress.total' <<<"$HTTP_BODY")"
# Consistent: every table that exists has all its source rows (no half copy).
partial=0
for t in $(tables_of demo_cancel | jq -r '.[] | "\(.[0]).\(.[1])"'); do
  a=$(count_of "demo.$t"); b=$(count_of "demo_cancel.$t")
  [ "$a" = "$b" ] || { partial=1; echo "# $t: source $a, cancelled clone $b"; }
done
expect "no table of the cancelled clone is half-copied" 0 "$partial"
http DELETE "/api/clone/$job"
expect "cancelling an ended job is 409" 409 "$HTTP_CODE"
job=$(submit '{"source_catalog":"demo","destination_catalog":"demo_cancel"}')
wait_for "re-clone after cancel" 120 ended "$job"
expect "cloning again after the cancel completes" completed "$(status_of "$job")"
same_content "and the catalog then equals the source" demo demo_cancel

# --- SIGKILL the runner mid-job; `clxs serve` restarts it; the job completes -----------
job=$(submit '{"source_catalog":"demo","destination_catalog":"demo_kill"}')
wait_for "clone $job to make progress" 60 progressed "$job" 2
rpid=$(cat "$STATE/run/runner.pid")
kill -KILL "$rpid"
gone() { ! kill -0 "$rpid" 2>/dev/null; }
wait_for "runner to die" 10 gone
"$CLXS" status --state-dir "$STATE" >/dev/null; expect "clxs status notices the missing runner" 3 "$?"
"$CLXS" serve --state-dir "$STATE" --port "$PORT" --lakehouse-port "$LH_PORT" --workers 2 --concurrency 2 >/dev/null
expect "clxs serve brings the stack back" 0 "$?"
[ "$(cat "$STATE/run/runner.pid")" != "$rpid" ] && ok "a new runner runs" || bad "runner pid unchanged"
wait_for "recovered clone $job" 120 ended "$job"
http GET "/api/jobs/$job"
expect "the interrupted job completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
expect "it was resumed, not restarted from nothing" true "$(jq '.attempts >= 1' <<<"$HTTP_BODY")"
same_content "the recovered clone equals the source" demo demo_kill

# --- 20 concurrent submissions ----------------------------------------------------------
ids=$(for i in $(seq -w 1 20); do
  submit "{\"source_catalog\":\"demo\",\"destination_catalog\":\"demo_c$i\",\"include_schemas\":[\"bronze\"]}" &
done; wait)
expect "20 submissions, 20 distinct job ids" 20 "$(grep -c '^[0-9a-f]\{16\}$' <<<"$ids" | tr -d ' ')"
expect "no duplicate ids" 20 "$(sort -u <<<"$ids" | grep -c .)"
all_ended() { local j; for j in $ids; do ended "$j" || return 1; done; }
wait_for "20 concurrent clones" 400 all_ended
n=0
for j in $ids; do [ "$(status_of "$j")" = completed ] && n=$((n + 1)); done
expect "all 20 completed" 20 "$n"
bronze=$(lh_sql "SELECT count(*) FROM demo.information_schema.tables WHERE table_schema = 'bronze'")
okc=0
for i in $(seq -w 1 20); do
  [ "$(lh_sql "SELECT count(*) FROM demo_c$i.information_schema.tables WHERE table_schema = 'bronze'")" = "$bronze" ] && okc=$((okc + 1))
done
expect "each holds the bronze schema's tables" 20 "$okc"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
