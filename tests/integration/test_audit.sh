#!/usr/bin/env bash
# The audit trail, rollback endpoints and volume file copy, end to end on the
# real stack: clones through the API (a runner job) and the CLI write one row
# each to run_logs, clone_operations and clone_metrics in the audit catalog;
# /api/audit* read them back; /api/rollback* undo a clone; a managed volume's
# files arrive byte for byte.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 1
export CLXS_STATE_DIR=$STATE
TOKEN=$(cat "$STATE/lakehouse.token")
WORK=$STATE/audit-test
mkdir -p "$WORK"
JSON=(-H 'Content-Type: application/json')

# --- a source catalog with two tables and a volume holding files ----------------
for s in "CREATE CATALOG src" "CREATE SCHEMA src.s" \
  "CREATE TABLE src.s.t1 (id INT, name STRING)" "INSERT INTO src.s.t1 VALUES (1, 'a'), (2, 'b'), (3, 'c')" \
  "CREATE TABLE src.s.t2 (x BIGINT)" "INSERT INTO src.s.t2 VALUES (10), (20)" \
  "CREATE VOLUME src.s.landing"; do
  "$CLXS" sql "$s" >/dev/null || bad "setup: $s"
done
printf 'id,name\n1,a\n' >"$WORK/plain.csv"
head -c 70000 /dev/urandom >"$WORK/blob.bin"
printf 'odd name\n' >"$WORK/odd.txt"
: >"$WORK/empty.txt"
put() { # put LOCAL VOLUME-PATH (already URL-encoded)
  curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" \
    --data-binary "@$1" "$LH_BASE/api/2.0/fs/files/Volumes/src/s/landing/$2"
}
expect "upload a csv to the source volume" 204 "$(put "$WORK/plain.csv" plain.csv)"
expect "upload a binary file into a sub-directory" 204 "$(put "$WORK/blob.bin" raw/2024/blob.bin)"
expect "upload a file whose name has spaces and a quote" 204 "$(put "$WORK/odd.txt" "it%27s%20odd%3B%20name.txt")"
expect "upload an empty file" 204 "$(put "$WORK/empty.txt" empty.txt)"

ME=$(curl -s -H "Authorization: Bearer $TOKEN" "$LH_BASE/api/2.0/preview/scim/v2/Me" | jq -r .userName)
[ -n "$ME" ] && [ "$ME" != null ] && ok "the lakehouse has a SCIM Me user ($ME)" || bad "no SCIM Me user"

# --- POST /api/audit/init: idempotent, validated ---------------------------------
http POST /api/audit/init "${JSON[@]}" --data-binary '{}'
expect "audit/init answers 200" 200 "$HTTP_CODE"
expect "it reports status ok" ok "$(jq -r .status <<<"$HTTP_BODY")"
expect "it names the tables of the reference" \
  '["clone_audit.logs.run_logs","clone_audit.logs.clone_operations","clone_audit.metrics.clone_metrics"]' \
  "$(jq -c '.tables_created[:3]' <<<"$HTTP_BODY")"
expect "with each table's columns" true "$(jq '.schemas["clone_audit.logs.run_logs"] | map(.name) | index("user_name") != null' <<<"$HTTP_BODY")"
http POST /api/audit/init "${JSON[@]}" --data-binary '{}'
expect "audit/init a second time is fine" "200 ok" "$HTTP_CODE $(jq -r .status <<<"$HTTP_BODY")"
expect "the tables exist once" '[["clone_operations"],["rollback_logs"],["run_logs"]]' \
  "$(lh_sql "SELECT table_name FROM clone_audit.information_schema.tables WHERE table_schema = 'logs' ORDER BY 1")"
http POST /api/audit/init "${JSON[@]}" --data-binary '{"catalog": 5}'
expect "a non-string catalog is 422 naming it" "422 catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/audit/init "${JSON[@]}" --data-binary '{"schema": "x`; DROP CATALOG src; --"}'
expect "a schema name that is not a plain identifier is 422 naming it" "422 schema" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
expect "and nothing was created or dropped" '[["src"]]' "$(lh_sql "SHOW CATALOGS LIKE 'src'")"
http POST /api/audit/init "${JSON[@]}" --data-binary '{"bogus": "x"}'
expect "an unknown field is 422 naming it" "422 bogus" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/audit/init "${JSON[@]}" --data-binary '{not json'
expect "malformed JSON is 400" 400 "$HTTP_CODE"
http POST /api/audit/describe "${JSON[@]}" --data-binary '{}'
expect "audit/describe shows the tables as existing" "200 true" \
  "$HTTP_CODE $(jq '[.tables[] | .exists] | all' <<<"$HTTP_BODY")"
http POST /api/audit/describe "${JSON[@]}" --data-binary '{"catalog": "no_such_audit"}'
expect "describe of a missing audit catalog says the tables do not exist" "200 false" \
  "$HTTP_CODE $(jq '[.tables[] | .exists] | any' <<<"$HTTP_BODY")"

# --- a clone through the API ----------------------------------------------------
http POST /api/clone "${JSON[@]}" --data-binary '{"source_catalog":"src","destination_catalog":"dst_api"}'
job=$(jq -r .job_id <<<"$HTTP_BODY")
done_job() { case "$(curl -s "$BASE/api/clone/$1" | jq -r .status)" in completed|failed) return 0;; esac; return 1; }
wait_for "clone job $job" 60 done_job "$job"
http GET "/api/clone/$job"
expect "the API clone completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
expect "its result says the audit rows were recorded" recorded "$(jq -r .result.audit.status <<<"$HTTP_BODY")"
expect "and the job log says where" true "$(jq '[.logs[] | select(startswith("audit: recorded"))] | length == 1' <<<"$HTTP_BODY")"
expect "the volume's four files were copied" "4 0" \
  "$(jq -r '"\(.result.volume_files_copied) \(.result.volume_files_failed)"' <<<"$HTTP_BODY")"
expect "each file is reported" '["empty.txt","it'"'"'s odd; name.txt","plain.csv","raw/2024/blob.bin"]' \
  "$(jq -c '[.result.volume_files[].path] | sort' <<<"$HTTP_BODY")"
rb_api=$(jq -r .result.rollback_id <<<"$HTTP_BODY")

get_file() { # get CATALOG VOLUME-PATH OUT
  curl -s -o "$3" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$LH_BASE/api/2.0/fs/files/Volumes/$1/s/landing/$2"
}
for f in "plain.csv plain.csv" "raw/2024/blob.bin blob.bin" "it%27s%20odd%3B%20name.txt odd.txt" "empty.txt empty.txt"; do
  set -- $f
  code=$(get_file dst_api "$1" "$WORK/got")
  if [ "$code" = 200 ] && cmp -s "$WORK/got" "$WORK/$2"; then ok "volume file $2 is byte-identical in the clone"
  else bad "volume file $2 differs or is missing in the clone (HTTP $code)"; fi
done

row() { # row TABLE JOB COLUMNS: one audit row of the job as compact JSON
  lh_sql "SELECT $3 FROM clone_audit.$1 WHERE job_id = '$2'"
}
expect "run_logs has one row for the API job, with the real user" "[[\"completed\",\"$ME\",\"api\"]]" \
  "$(row logs.run_logs "$job" 'status, user_name, origin')"
expect "clone_operations has one row with the real totals" "[[\"$ME\",\"2\",\"2\",\"5\",\"4\"]]" \
  "$(row logs.clone_operations "$job" 'user_name, total_tables, tables_cloned, total_rows, volume_files_copied')"
expect "its size in bytes is real" true "$(row logs.clone_operations "$job" 'total_size_bytes' | jq '.[0][0] | tonumber > 0')"
expect "clone_metrics has one row" '[["2","5"]]' "$(row metrics.clone_metrics "$job" 'tables_cloned, total_rows')"

# --- a clone from the CLI ----------------------------------------------------------
out=$("$CLXS" clone --source src --dest dst_cli --json); rc=$?
expect "the CLI clone exits 0" 0 "$rc"
expect "it recorded its audit rows" recorded "$(jq -r .audit.status <<<"$out")"
cli_job=$(jq -r .audit.job_id <<<"$out")
expect "the CLI's run_logs row" "[[\"completed\",\"$ME\",\"cli\"]]" "$(row logs.run_logs "$cli_job" 'status, user_name, origin')"
expect "the CLI's clone_operations row" '[["2","5"]]' "$(row logs.clone_operations "$cli_job" 'tables_cloned, total_rows')"
expect "the CLI's clone_metrics row" '[["2"]]' "$(row metrics.clone_metrics "$cli_job" 'tables_cloned')"
expect "one row per job in each table" '[["2","2","2"]]' \
  "$(lh_sql "SELECT (SELECT count(*) FROM clone_audit.logs.run_logs), (SELECT count(*) FROM clone_audit.logs.clone_operations), (SELECT count(*) FROM clone_audit.metrics.clone_metrics)")"
code=$(get_file dst_cli raw/2024/blob.bin "$WORK/got")
[ "$code" = 200 ] && cmp -s "$WORK/got" "$WORK/blob.bin" && ok "the CLI clone copied the volume files too" || bad "CLI volume copy ($code)"

# --- GET /api/audit, /api/audit/{job_id}/logs, clxs audit ---------------------------
http GET /api/audit
expect "GET /api/audit lists both jobs" true \
  "$(jq --arg a "$job" --arg c "$cli_job" '[.[] | .job_id] | (index($a) != null) and (index($c) != null)' <<<"$HTTP_BODY")"
expect "entries carry the documented fields" true \
  "$(jq '.[0] | has("job_id") and has("source_catalog") and has("destination_catalog") and has("status") and has("completed_at")' <<<"$HTTP_BODY")"
http GET "/api/audit?limit=1"
expect "limit=1 gives one entry" 1 "$(jq length <<<"$HTTP_BODY")"
http GET "/api/audit?limit=abc"
expect "a bad limit is 422 naming it" "422 limit" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http GET "/api/audit/$job/logs"
expect "the job's run log" "200 completed $job" "$HTTP_CODE $(jq -r '"\(.status) \(.job_id)"' <<<"$HTTP_BODY")"
expect "with its log lines" true "$(jq '.log_lines | length > 2' <<<"$HTTP_BODY")"
expect "and its result" 2 "$(jq .result_json.tables_cloned <<<"$HTTP_BODY")"
http GET "/api/audit/nojob/logs"
expect "an unknown job's logs are 404" 404 "$HTTP_CODE"
[ -n "$cli_job" ] && "$CLXS" audit | grep -q "^$cli_job " && ok "clxs audit lists the CLI job" || bad "clxs audit"
expect "clxs audit --job --json" "$cli_job" "$("$CLXS" audit --job "$cli_job" --json | jq -r .job_id)"
expect "clxs audit --limit 1 --json" 1 "$("$CLXS" audit --limit 1 --json | jq length)"

# --- rollback through the API ---------------------------------------------------------
http GET /api/rollback/logs
expect "GET /api/rollback/logs lists the API clone's rollback point" "rollback_$rb_api.json DROP_CATALOG" \
  "$(jq -r --arg r "$rb_api" '.[] | select(.rollback_id == $r) | "\(.log_file) \(.restore_mode)"' <<<"$HTTP_BODY")"
# A re-clone into an existing catalog: its rollback point RESTOREs tables.
before=$(lh_sql "SELECT count(*) FROM dst_cli.s.t1")
"$CLXS" sql "INSERT INTO src.s.t1 VALUES (4, 'd'), (5, 'e')" >/dev/null
http POST /api/clone "${JSON[@]}" --data-binary '{"source_catalog":"src","destination_catalog":"dst_cli"}'
job2=$(jq -r .job_id <<<"$HTTP_BODY")
wait_for "re-clone job $job2" 60 done_job "$job2"
http GET "/api/clone/$job2"
rb2=$(jq -r .result.rollback_id <<<"$HTTP_BODY")
expect "the re-clone copied the new rows" '[["5"]]' "$(lh_sql "SELECT count(*) FROM dst_cli.s.t1")"
http GET /api/rollback/logs
expect "its rollback point records the table versions" true \
  "$(jq --arg r "$rb2" '.[] | select(.rollback_id == $r) | .restore_mode == "RESTORE" and (.table_versions["s.t1"] | type == "number")' <<<"$HTTP_BODY")"
http POST /api/rollback "${JSON[@]}" --data-binary "{\"log_file\": \"rollback_$rb2.json\"}"
expect "POST /api/rollback restores" "200 completed" "$HTTP_CODE $(jq -r .status <<<"$HTTP_BODY")"
expect "the table is back at its rows before the re-clone" "$before" "$(lh_sql "SELECT count(*) FROM dst_cli.s.t1")"
http GET /api/rollback/logs
expect "GET /api/rollback/logs shows it was rolled back" completed \
  "$(jq -r --arg r "$rb2" '.[] | select(.rollback_id == $r) | .rollback_status' <<<"$HTTP_BODY")"
expect "with the time" true "$(jq --arg r "$rb2" '.[] | select(.rollback_id == $r) | .rolled_back_at | type == "string"' <<<"$HTTP_BODY")"
http POST /api/rollback "${JSON[@]}" --data-binary "{\"log_file\": \"$rb_api\"}"
expect "a bare rollback id works too; the catalog the clone made is dropped" "200 []" \
  "$HTTP_CODE $(lh_sql "SHOW CATALOGS LIKE 'dst_api'")"
http POST /api/rollback "${JSON[@]}" --data-binary '{}'
expect "log_file is required (422)" "422 log_file" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/rollback "${JSON[@]}" --data-binary '{"log_file": "../../etc/passwd"}'
expect "a log_file that is not a rollback log name is 422" "422 log_file" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/rollback "${JSON[@]}" --data-binary '{"log_file": "rollback_0123456789abcdef.json"}'
expect "an unknown rollback log is 404" 404 "$HTTP_CODE"
http POST /api/rollback "${JSON[@]}" --data-binary "{\"log_file\": \"$rb_api\", \"drop_catalog\": \"yes\"}"
expect "a non-boolean drop_catalog is 422 naming it" "422 drop_catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/rollback
expect "POST /api/rollback without a body is 400" 400 "$HTTP_CODE"

# --- the CLI's rollback still works --------------------------------------------------------
out=$("$CLXS" clone --source src --dest dst_rb --json)
rb3=$(jq -r .rollback_id <<<"$out")
[ -n "$rb3" ] && "$CLXS" rollback --list | grep -q "^$rb3 " && ok "clxs rollback --list shows the point" || bad "clxs rollback --list"
"$CLXS" rollback "$rb3" >/dev/null; expect "clxs rollback ID exits 0" 0 "$?"
expect "and removed the catalog the clone created" '[]' "$(lh_sql "SHOW CATALOGS LIKE 'dst_rb'")"

# --- an audit write that fails is reported, and the clone still succeeds ---------------------
"$CLXS" sql "CREATE CATALOG broken_audit" >/dev/null && "$CLXS" sql "CREATE SCHEMA broken_audit.logs" >/dev/null &&
  "$CLXS" sql "CREATE TABLE broken_audit.logs.run_logs (a INT)" >/dev/null || bad "setup broken audit catalog"
printf 'audit_trail:\n  catalog: broken_audit\n' >"$WORK/broken.yaml"
out=$(CLXS_CONFIG="$WORK/broken.yaml" "$CLXS" clone --source src --dest dst_broken --json 2>"$WORK/stderr"); rc=$?
expect "the clone itself succeeds" "0 2" "$rc $(jq .tables_cloned <<<"$out")"
expect "the result says the audit write failed" failed "$(jq -r .audit.status <<<"$out")"
grep -q "could not write the audit rows to broken_audit.logs" "$WORK/stderr" && ok "and stderr says so" || bad "no warning on stderr"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
