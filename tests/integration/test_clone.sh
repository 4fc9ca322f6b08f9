#!/usr/bin/env bash
# The main job end to end on the embedded lakehouse: build the demo catalog,
# clone it from the CLI (in-process) and through the API (a runner job), and
# compare source and clones through the lakehouse's HTTP API behind nginx.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 2
export CLXS_STATE_DIR=$STATE   # the CLI's in-process lakehouse is the daemon's

# --- the lakehouse behind nginx ---------------------------------------------
code=$(curl -s -o /dev/null -w '%{http_code}' "$LH_BASE/api/2.0/sql/warehouses")
expect "lakehouse refuses a request without its token" 401 "$code"
expect "lakehouse answers SQL through nginx" '[["2"]]' "$(lh_sql 'SELECT 1 + 1')"

# --- demo catalog --------------------------------------------------------------
# Retail and healthcare only: the three tables the counts below expect.
"$CLXS" demo-data --catalog demo --industries retail,healthcare >/dev/null && ok "demo-data built the demo catalog" || bad "demo-data"
expect "demo has three schemas besides default" '[["bronze"],["gold"],["silver"]]' \
  "$(lh_sql "SELECT schema_name FROM demo.information_schema.schemata WHERE schema_name <> 'default' AND schema_name <> 'information_schema' ORDER BY 1")"

# --- clone from the CLI ----------------------------------------------------------
out=$("$CLXS" clone --source demo --dest demo_cli --parallel-tables 2 --json); rc=$?
expect "clxs clone exits 0" 0 "$rc"
expect "no object failed" 0 "$(jq .objects_failed <<<"$out")"
# Every table of the demo (its size follows src/engine/demo.c).
n_tables=$(lh_sql "SELECT count(*) FROM demo.information_schema.tables WHERE table_type <> 'VIEW' AND table_schema <> 'information_schema' AND table_schema <> 'default'" | jq -r '.[0][0]')
expect "every demo table cloned" "$n_tables" "$(jq .tables_cloned <<<"$out")"
expect "discovery took a constant number of queries" true "$(jq '.metadata_queries <= 30' <<<"$out")"

same() { # same DESCRIPTION QUERY-WITH-CAT: the query on demo and on the clone agree
  local a b
  a=$(lh_sql "${2//CAT/demo}"); b=$(lh_sql "${2//CAT/$3}")
  if [ "$a" = "$b" ] && [ "${a:0:1}" = "[" ]; then ok "$1 ($3)"; else bad "$1 ($3): [$a] vs [$b]"; fi
}
for dst in demo_cli; do
  for t in bronze.customers bronze.orders bronze.patients; do
    same "row count of $t" "SELECT count(*) FROM CAT.$t" "$dst"
  done
  same "gold view over a silver view" "SELECT region, orders, revenue FROM CAT.gold.revenue_by_region ORDER BY region" "$dst"
  same "table tags" "SELECT schema_name, table_name, tag_name, tag_value FROM CAT.information_schema.table_tags ORDER BY 1,2,3" "$dst"
  same "column tags" "SELECT table_name, column_name, tag_name, tag_value FROM CAT.information_schema.column_tags ORDER BY 1,2,3" "$dst"
  same "table grants" "SELECT grantee, table_schema, table_name, privilege_type FROM CAT.information_schema.table_privileges WHERE inherited_from = 'NONE' ORDER BY 1,2,3,4" "$dst"
  same "comments" "SELECT table_schema, table_name, comment FROM CAT.information_schema.tables WHERE table_schema <> 'information_schema' ORDER BY 1,2" "$dst"
  same "column masks" "SELECT schema_name, table_name, column_name, mask_schema, mask_name FROM CAT.information_schema.column_masks ORDER BY 1,2,3" "$dst"
  same "row filters" "SELECT schema_name, table_name, filter_schema, filter_name FROM CAT.information_schema.row_filters ORDER BY 1,2" "$dst"
done
expect "the clone's mask calls the clone's function" '[["demo_cli"]]' \
  "$(lh_sql "SELECT DISTINCT mask_catalog FROM demo_cli.information_schema.column_masks")"

# --- validation: counts, and checksums that catch what counts miss -------------------
"$CLXS" validate --source demo --dest demo_cli --checksum >/dev/null; expect "a fresh clone validates" 0 "$?"
"$CLXS" sql "UPDATE demo_cli.bronze.orders SET status = 'CHANGED' WHERE id = 5" >/dev/null
"$CLXS" validate --source demo --dest demo_cli >/dev/null; expect "counts alone miss a changed value" 0 "$?"
out=$("$CLXS" validate --source demo --dest demo_cli --checksum --json)
expect "the checksum catches it" "bronze.orders" "$(jq -r '.tables[] | select(.status == "mismatch") | .table' <<<"$out")"
"$CLXS" sql "UPDATE demo_cli.bronze.orders SET status = (SELECT status FROM demo.bronze.orders WHERE id = 5) WHERE id = 5" >/dev/null
"$CLXS" sql "DELETE FROM demo_cli.bronze.patients WHERE id = (SELECT min(id) FROM demo_cli.bronze.patients)" >/dev/null
"$CLXS" sql "INSERT INTO demo_cli.bronze.patients SELECT * FROM demo_cli.bronze.patients WHERE id = (SELECT max(id) FROM demo_cli.bronze.patients)" >/dev/null
"$CLXS" validate --source demo --dest demo_cli >/dev/null; expect "counts miss a duplicated row that replaced a deleted one" 0 "$?"
out=$("$CLXS" validate --source demo --dest demo_cli --checksum --json); rc=$?
expect "the checksum catches the duplicate" "1 bronze.patients" "$rc $(jq -r '.tables[] | select(.status == "mismatch") | .table' <<<"$out")"
out=$("$CLXS" clone --source demo --dest demo_cli --validate --checksum --json); rc=$?
expect "re-cloning repairs it and validates" "0 0" "$rc $(jq .validation.mismatched <<<"$out")"

# --- INCREMENTAL: only tables whose source version moved --------------------------------
out=$("$CLXS" clone --source demo --dest demo_inc --incremental --json)
expect "a first INCREMENTAL clone copies every table" "$n_tables" "$(jq .tables_cloned <<<"$out")"
out=$("$CLXS" clone --source demo --dest demo_inc --incremental --json)
expect "a second one with no changes copies none" 0 "$(jq .tables_cloned <<<"$out")"
expect "and says why for each" "$n_tables" "$(jq '[.objects[] | select(.status == "skipped" and (.reason | startswith("unchanged")))] | length' <<<"$out")"
"$CLXS" sql "INSERT INTO demo.bronze.customers SELECT * FROM demo.bronze.customers WHERE id = 1" >/dev/null
out=$("$CLXS" clone --source demo --dest demo_inc --incremental --json)
expect "after a write to one table only that table is cloned" "bronze.customers" \
  "$(jq -r '[.objects[] | select(.object_type == "table" and .status == "cloned") | .object] | join(",")' <<<"$out")"
same "row count of bronze.customers" "SELECT count(*) FROM CAT.bronze.customers" demo_inc

# --- rollback: RESTORE what existed, drop what the clone made, nothing else ----------------
out=$("$CLXS" clone --source demo --dest demo_rb --json)
"$CLXS" rollback "$(jq -r .rollback_id <<<"$out")" >/dev/null; expect "rolling back a clone that made its catalog exits 0" 0 "$?"
expect "the catalog it created is gone" '[]' "$(lh_sql "SHOW CATALOGS LIKE 'demo_rb'")"
"$CLXS" clone --source demo --dest demo_rb2 --json >/dev/null
"$CLXS" sql "CREATE TABLE demo_rb2.bronze.mine (a INT)" >/dev/null
"$CLXS" sql "INSERT INTO demo_rb2.bronze.mine VALUES (7)" >/dev/null
before=$(lh_sql "SELECT count(*) FROM demo_rb2.bronze.orders")
"$CLXS" sql "CREATE TABLE demo.silver.fresh (a INT)" >/dev/null
"$CLXS" sql "INSERT INTO demo.bronze.orders SELECT * FROM demo.bronze.orders WHERE id < 10" >/dev/null
out=$("$CLXS" clone --source demo --dest demo_rb2 --json)
expect "the re-clone brought the new rows" true "$(test "$(lh_sql 'SELECT count(*) FROM demo_rb2.bronze.orders')" != "$before" && echo true)"
"$CLXS" rollback "$(jq -r .rollback_id <<<"$out")" >/dev/null; expect "rollback of a re-clone exits 0" 0 "$?"
expect "the table that existed is back at its old version" "$before" "$(lh_sql 'SELECT count(*) FROM demo_rb2.bronze.orders')"
expect "the table the clone created is dropped" '[]' "$(lh_sql "SELECT table_name FROM demo_rb2.information_schema.tables WHERE table_name = 'fresh'")"
expect "a table the clone never touched is kept with its data" '[["7"]]' "$(lh_sql 'SELECT a FROM demo_rb2.bronze.mine')"
"$CLXS" rollback --list | grep -q "demo -> demo_rb2" && ok "rollback --list shows the points" || bad "rollback --list"

# --- auto-rollback: a clone whose object fails is undone -----------------------------------
"$CLXS" sql "CREATE CATALOG ext" >/dev/null && "$CLXS" sql "CREATE SCHEMA ext.s" >/dev/null &&
  "$CLXS" sql "CREATE TABLE ext.s.t (a INT)" >/dev/null && "$CLXS" sql "CREATE CATALOG fragile" >/dev/null &&
  "$CLXS" sql "CREATE SCHEMA fragile.s" >/dev/null && "$CLXS" sql "CREATE TABLE fragile.s.t (a INT)" >/dev/null &&
  "$CLXS" sql "CREATE VIEW fragile.s.v AS SELECT * FROM ext.s.t" >/dev/null &&
  "$CLXS" sql "DROP CATALOG ext CASCADE" >/dev/null || bad "could not build the fragile catalog"
out=$("$CLXS" clone --source fragile --dest fragile_copy --auto-rollback --json 2>/dev/null); rc=$?
expect "a clone with a failed object exits 1" 1 "$rc"
expect "it names the failed view" "s.v" "$(jq -r '.objects[] | select(.status == "failed") | .object' <<<"$out")"
expect "auto-rollback ran" "0" "$(jq .auto_rollback.actions_failed <<<"$out")"
expect "and removed the catalog the clone created" '[]' "$(lh_sql "SHOW CATALOGS LIKE 'fragile_copy'")"
out=$("$CLXS" clone --source fragile --dest fragile_kept --json 2>/dev/null)
expect "without auto-rollback the partial clone stays" '[["fragile_kept"]]' "$(lh_sql "SHOW CATALOGS LIKE 'fragile_kept'")"

# --- a shallow clone at a past version ----------------------------------------------
"$CLXS" clone --source demo --dest demo_v --shallow --as-of-version 1 --include-schemas bronze \
  --include-tables-regex '^customers$' --json >/dev/null && ok "shallow clone at version 1" || bad "shallow clone at version 1"
expect "it holds the source's rows as of version 1" \
  "$(lh_sql 'SELECT count(*) FROM demo.bronze.customers VERSION AS OF 1')" "$(lh_sql 'SELECT count(*) FROM demo_v.bronze.customers')"
expect "it is a shallow clone" '[["MANAGED_SHALLOW_CLONE"]]' \
  "$(lh_sql "SELECT table_type FROM demo_v.information_schema.tables WHERE table_name = 'customers'")"

# --- 10% of lakehouse requests answered 429/503: retried, nothing fails -----------------
out=$(CLXS_LH_FAULT_RATE=0.1 CLXS_LH_FAULT_SEED=7 "$CLXS" clone --source demo --dest demo_faults --json 2>/dev/null)
expect "under injected 429/503 no object failed" 0 "$(jq .objects_failed <<<"$out")"
expect "the faults were met with retries" true "$(jq '.retries > 0' <<<"$out")"
same "row count of bronze.orders" "SELECT count(*) FROM CAT.bronze.orders" demo_faults

# --- identifiers with backticks, quotes, spaces and semicolons ----------------------------
odd_schema='we`ird; s'
odd_table="it's a "table"; --"
q() { local x=${1//\`/\`\`}; printf '`%s`' "$x"; }
"$CLXS" sql "CREATE CATALOG odd" >/dev/null &&
  "$CLXS" sql "CREATE SCHEMA odd.$(q "$odd_schema")" >/dev/null &&
  "$CLXS" sql "CREATE TABLE odd.$(q "$odd_schema").$(q "$odd_table") ($(q 'col; 1') INT)" >/dev/null &&
  "$CLXS" sql "INSERT INTO odd.$(q "$odd_schema").$(q "$odd_table") VALUES (1), (2)" >/dev/null ||
  bad "could not build the odd catalog"
out=$("$CLXS" clone --source odd --dest odd_copy --json 2>/dev/null)
expect "odd names clone without failures" "0 1" "$(jq -r '"\(.objects_failed) \(.tables_cloned)"' <<<"$out")"
expect "the odd table arrived intact" "2" \
  "$("$CLXS" sql "SELECT count($(q 'col; 1')) FROM odd_copy.$(q "$odd_schema").$(q "$odd_table")")"

# --- SIGKILL mid-clone, then --resume ------------------------------------------------------
CLXS_LH_FAULT_LATENCY_MS=60 "$CLXS" clone --source demo --dest demo_resume --json >/dev/null 2>&1 &
pid=$!
resume_file="$STATE/clones/demo--demo_resume.json"
has_progress() { [ -s "$resume_file" ] && [ "$(jq '.done | length' "$resume_file")" -ge 3 ]; }
wait_for "the clone to make progress" 30 has_progress
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done_before=$(jq '.done | length' "$resume_file")
out=$("$CLXS" clone --source demo --dest demo_resume --resume --json 2>/dev/null)
expect "the resumed clone finished" 0 "$(jq .objects_failed <<<"$out")"
expect "it skipped what was done before the kill" true "$(jq --argjson d "$done_before" '.statements_resumed >= $d and $d > 0' <<<"$out")"
same "row count of bronze.orders after resume" "SELECT count(*) FROM CAT.bronze.orders" demo_resume
same "gold view after resume" "SELECT region, orders, revenue FROM CAT.gold.revenue_by_region ORDER BY region" demo_resume
[ ! -e "$resume_file" ] && ok "a finished clone leaves no checkpoint behind" || bad "checkpoint left behind"

# --- dry run ---------------------------------------------------------------------------
plan=$("$CLXS" plan --source demo --dest demo_plan --json)
expect "the plan lists statements" true "$(jq '.counts.statements > 10' <<<"$plan")"
expect "a plan changes nothing" '[]' "$(lh_sql "SHOW CATALOGS LIKE 'demo_plan'")"

# --- clone through the API -------------------------------------------------------------
http POST /api/clone -H 'Content-Type: application/json' \
  --data-binary '{"source_catalog":"demo","destination_catalog":"demo","clone_type":"DEEP"}'
expect "cloning a catalog onto itself is 422" 422 "$HTTP_CODE"
expect "422 names the field" destination_catalog "$(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone -H 'Content-Type: application/json' \
  --data-binary '{"source_catalog":"demo","destination_catalog":"x","clone_type":"MEDIUM"}'
expect "an unknown clone_type is 422" clone_type "$(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone -H 'Content-Type: application/json' \
  --data-binary '{"source_catalog":"demo","destination_catalog":"demo_api","parallel_tables":2}'
expect "POST /api/clone queues a job" queued "$(jq -r .status <<<"$HTTP_BODY")"
job=$(jq -r .job_id <<<"$HTTP_BODY")
done_job() { case "$(curl -s "$BASE/api/clone/$job" | jq -r .status)" in completed|failed) return 0;; esac; return 1; }
wait_for "clone job $job to finish" 60 done_job
http GET "/api/clone/$job"
expect "the API clone completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
src_tables=$(lh_sql "SELECT count(*) FROM demo.information_schema.tables WHERE table_type <> 'VIEW' AND table_schema <> 'information_schema' AND table_schema <> 'default'" | jq -r '.[0][0]')
expect "its result counts every source table" "$src_tables" "$(jq .result.tables_cloned <<<"$HTTP_BODY")"
expect "the job recorded a rollback point" true "$(jq '.result.rollback_id | length == 16' <<<"$HTTP_BODY")"
expect "progress reached the total" true "$(jq '.progress.completed == .progress.total and .progress.total > 0' <<<"$HTTP_BODY")"
expect "the job has logs" true "$(jq '.logs | length > 2' <<<"$HTTP_BODY")"
same "row count of bronze.orders" "SELECT count(*) FROM CAT.bronze.orders" demo_api
http GET /api/clone/jobs
expect "the job is listed with its catalogs" "demo demo_api" \
  "$(jq -r --arg j "$job" '.[] | select(.job_id == $j) | "\(.source_catalog) \(.destination_catalog)"' <<<"$HTTP_BODY")"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
