#!/usr/bin/env bash
# Management operations end to end through nginx on the real stack: the demo
# catalog, its clone, and planted differences in the clone (a missing table,
# a changed column type and a dropped column, a stale table, extra objects).
# Every operation must report exactly the planted differences; destructive
# ones must change nothing on dry_run and say what they would do, then do it.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 2
export CLXS_STATE_DIR=$STATE   # the CLI's in-process lakehouse is the daemon's

sql() { "$CLXS" sql "$1" >/dev/null || bad "setup statement failed: $1"; }
post() { http POST "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
# wait_job ID: poll GET /api/jobs/ID until it ends; sets JOB (the record)
job_done() {
  http GET "/api/jobs/$1"
  JOB=$HTTP_BODY
  case $(jq -r .status <<<"$JOB") in completed|failed|cancelled) return 0 ;; esac
  return 1
}
wait_job() { wait_for "job $1" 60 job_done "$1"; }

"$CLXS" demo-data --catalog demo >/dev/null || bad "demo-data"
# A table of the source whose clone will get a changed type and lose a column.
sql "CREATE TABLE demo.silver.metrics (id BIGINT, score BIGINT, note STRING)"
sql "INSERT INTO demo.silver.metrics VALUES (1, 10, 'a'), (2, 20, 'b')"
out=$("$CLXS" clone --source demo --dest demo_copy --json) || bad "clone demo -> demo_copy"
expect "the clone failed no object" 0 "$(jq .objects_failed <<<"$out")"
ntables() { lh_sql "SELECT count(*) FROM $1.information_schema.tables WHERE table_type <> 'VIEW' AND table_schema $2" | jq -r '.[0][0]'; }

# --- preflight (before planting anything) --------------------------------------------------
post /api/preflight '{"source_catalog": "demo", "destination_catalog": "demo_copy"}'
expect "preflight answers 200" 200 "$HTTP_CODE"
expect "preflight is ready, every check passed" "true 0" "$(jq -r '"\(.ready) \(.failed)"' <<<"$HTTP_BODY")"
expect "preflight ran the write probe" pass "$(jq -r '.checks[] | select(.name == "destination_write") | .status' <<<"$HTTP_BODY")"
expect "the write probe left nothing behind" '[]' \
  "$(lh_sql "SELECT schema_name FROM demo_copy.information_schema.schemata WHERE schema_name LIKE 'clxs_preflight%'")"
post /api/preflight '{"source_catalog": "nope", "destination_catalog": "demo_copy", "check_write": false}'
expect "preflight on a missing source is not ready" "false fail" \
  "$(jq -r '"\(.ready) \(.checks[] | select(.name == "source_exists") | .status)"' <<<"$HTTP_BODY")"
"$CLXS" preflight --source demo --dest demo_copy >/dev/null; expect "clxs preflight exits 0 when ready" 0 "$?"
"$CLXS" preflight --source nope --dest demo_copy --no-check-write >/dev/null 2>&1; expect "and 1 when not" 1 "$?"

# --- plant the differences ----------------------------------------------------------------
sql "DROP TABLE demo_copy.bronze.patients"                                          # missing table
sql "CREATE OR REPLACE TABLE demo_copy.silver.metrics (id BIGINT, score INT)"        # type + dropped column
sql "INSERT INTO demo_copy.silver.metrics VALUES (1, 10), (2, 20)"
sql "CREATE TABLE demo_copy.bronze.extra_t (x INT)"                                  # extra objects
sql "CREATE VIEW demo_copy.gold.extra_v AS SELECT x FROM demo_copy.bronze.extra_t"
sql "CREATE SCHEMA demo_copy.scratch"
sql "CREATE TABLE demo_copy.scratch.tmp (y INT)"

# --- monitor: exactly the planted drift ------------------------------------------------
http POST "/api/monitor?source_catalog=demo&destination_catalog=demo_copy"
expect "monitor answers 200" 200 "$HTTP_CODE"
expect "monitor: the missing table" '["bronze.patients"]' "$(jq -c .drift.missing_tables <<<"$HTTP_BODY")"
expect "monitor: the extra tables" '["bronze.extra_t","scratch.tmp"]' "$(jq -c .drift.extra_tables <<<"$HTTP_BODY")"
expect "monitor: the extra view" '["gold.extra_v"]' "$(jq -c .drift.extra_views <<<"$HTTP_BODY")"
expect "monitor: the extra schema" '["scratch"]' "$(jq -c .drift.extra_schemas <<<"$HTTP_BODY")"
expect "monitor: the changed table and its changes" \
  '[{"table":"silver.metrics","changes":[["type_changed","score","bigint","int"],["added","note","string",null]]}]' \
  "$(jq -c '[.drift.changed_tables[] | {table, changes: [.changes[] | [.change, .column, .source_type, .dest_type]]}]' <<<"$HTTP_BODY")"
expect "monitor: not in sync, 6 issues" "false 6" "$(jq -r '"\(.in_sync) \(.issues)"' <<<"$HTTP_BODY")"
http POST "/api/monitor?source_catalog=demo&destination_catalog=demo_copy&check_drift=false&check_counts=true"
expect "monitor counts: every common table matches" "[]" \
  "$(jq -c '[.counts[] | select(.status != "match") | .table]' <<<"$HTTP_BODY")"
http POST "/api/monitor?source_catalog=demo&destination_catalog=demo_copy&check_counts=maybe"
expect "monitor: a bad boolean is 422 naming it" "422 check_counts" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST "/api/monitor?source_catalog=demo"
expect "monitor: a missing field is 422 naming it" "422 destination_catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- dependencies: views after the views they read, across schemas ------------------------
post /api/dependencies/order '{"catalog": "demo"}'
order=$(jq -c .creation_order <<<"$HTTP_BODY")
expect "creation order across schemas: the silver view before the gold view reading it" true \
  "$(jq 'index("silver.orders_clean") < index("gold.revenue_by_region")' <<<"$order")"
expect "every view of the catalog is in the order once" \
  "$(lh_sql "SELECT count(*) FROM demo.information_schema.views" | jq -r '.[0][0]')" "$(jq 'unique | length' <<<"$order")"
post /api/dependencies/views '{"catalog": "demo"}'
expect "every view comes after each view it reads" "[]" \
  "$(jq -c --argjson o "$order" '[.dependencies[] | .view as $v | .depends_on[] | select(($o | index(.)) != null and ($o | index(.)) > ($o | index($v)))]' <<<"$HTTP_BODY")"
post /api/dependencies/views '{"catalog": "demo", "schema_name": "gold"}'
expect "the gold view reads a silver view and a bronze table" \
  '["silver.orders_clean","bronze.customers"]' \
  "$(jq -c '.dependencies[] | select(.view == "revenue_by_region") | .depends_on' <<<"$HTTP_BODY")"
post /api/dependencies/order '{"catalog": "demo", "schema_name": "silver"}'
expect "order within one schema: its views, short names" \
  "$(lh_sql "SELECT table_name FROM demo.information_schema.views WHERE table_schema = 'silver' ORDER BY 1" | jq -c '[.[][0]]')" \
  "$(jq -c '.creation_order | sort' <<<"$HTTP_BODY")"
post /api/dependencies/functions '{"catalog": "demo", "schema_name": "silver"}'
expect "the functions read nothing" '0 true' \
  "$(jq -r '"\([.dependencies[].depends_on | length] | add) \([.dependencies[].function] | index("mask_email") != null)"' <<<"$HTTP_BODY")"
post /api/dependencies/views '{"catalog": "demo", "schema_name": "nope"}'
expect "a missing schema is 404 naming it" "404 schema_name" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/dependencies/views '{"schema_name": "gold"}'
expect "no catalog is 422 naming it" "422 catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
out=$("$CLXS" view-order --catalog demo --json)
expect "clxs view-order agrees" "$order" "$(jq -c .creation_order <<<"$out")"

# --- lineage and impact --------------------------------------------------------------------
post /api/lineage '{"catalog": "demo", "table": "bronze.orders"}'
# The clone read demo.bronze.orders: the lakehouse's query history (system.access.table_lineage) says so.
expect "lineage: downstream of bronze.orders" '["demo.silver.orders_clean:1","demo_copy.bronze.orders:1","demo.gold.revenue_by_region:2"]' \
  "$(jq -c '[.downstream[] | "\(.object):\(.depth)"]' <<<"$HTTP_BODY")"
expect "lineage: the lakehouse's system tables are read" "true system.access.table_lineage+definitions" \
  "$(jq -r '"\(.system_tables.available) \(.source)"' <<<"$HTTP_BODY")"
post /api/lineage '{"catalog": "demo", "table": "gold.revenue_by_region"}'
expect "lineage: upstream of the gold view" \
  '["demo.bronze.customers","demo.bronze.orders","demo.silver.orders_clean"]' \
  "$(jq -c '[.upstream[].object] | sort' <<<"$HTTP_BODY")"
post /api/impact '{"catalog": "demo", "schema": "bronze", "table": "orders"}'
expect "impact of bronze.orders: the two views over it and the clone" '["demo.gold.revenue_by_region:2","demo.silver.orders_clean:1","demo_copy.bronze.orders:1"]' \
  "$(jq -c '[.impacted_objects[] | "\(.object):\(.depth)"] | sort' <<<"$HTTP_BODY")"
post /api/impact '{"catalog": "demo", "schema": "gold", "table": "revenue_by_region"}'
expect "nothing reads the gold view" "0 none" "$(jq -r '"\(.total_impacted) \(.risk_level)"' <<<"$HTTP_BODY")"
post /api/impact '{"catalog": "demo", "schema": "bronze", "table": "nope"}'
expect "impact of a missing table is 404 naming it" "404 table" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- sample, sample/compare, preview ------------------------------------------------------
post /api/sample '{"catalog": "demo", "schema_name": "silver", "table_name": "metrics", "limit": 1}'
expect "sample: one typed row" '[{"id":1,"score":10,"note":"a"}]' "$(jq -c .rows <<<"$HTTP_BODY")"
post /api/sample '{"catalog": "demo", "schema_name": "bronze", "table_name": "orders", "limit": 0}'
expect "sample: limit 0 is 422 naming it" "422 limit" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/sample '{"catalog": "demo", "schema_name": "bronze", "table_name": "nope"}'
expect "sample: a missing table is 404" "404 table_name" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/sample '{"catalog": "demo", "schema_name": "bronze", "table_name": "orders", "limitt": 3}'
expect "sample: an unknown field is 422 naming it" "422 limitt" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
sql "UPDATE demo_copy.bronze.orders SET status = 'CHANGED' WHERE id = (SELECT min(id) + 1 FROM demo.bronze.orders)"
post /api/sample/compare '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze", "table_name": "orders", "order_by": "id"}'
expect "sample/compare finds the one changed value" '[{"column":"status","destination":"CHANGED"}] 1' \
  "$(jq -c '[.differences[] | {column, destination}]' <<<"$HTTP_BODY") $(jq .rows_differing <<<"$HTTP_BODY")"
post /api/sample/compare '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze", "table_name": "orders", "order_by": "nope"}'
expect "sample/compare: an unknown order_by column is 422" "422 order_by" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/preview '{"source_catalog": "demo", "dest_catalog": "demo_copy", "schema": "silver", "table": "metrics"}'
expect "preview shows the column only the source has" '["note"] []' \
  "$(jq -c .source_only_columns <<<"$HTTP_BODY") $(jq -c .dest_only_columns <<<"$HTTP_BODY")"
sql "UPDATE demo_copy.bronze.orders SET status = (SELECT status FROM demo.bronze.orders WHERE id = (SELECT min(id) + 1 FROM demo.bronze.orders)) WHERE status = 'CHANGED'"

# --- schema evolution: dry run by default, then applied -------------------------------------
post /api/schema-evolution/detect '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "silver", "table_name": "metrics"}'
changes=$(jq -c .changes <<<"$HTTP_BODY")
expect "detect: the planted changes" '["type_changed:score","added:note"]' "$(jq -c '[.[] | "\(.change):\(.column)"]' <<<"$changes")"
post /api/schema-evolution/apply "{\"destination_catalog\": \"demo_copy\", \"schema_name\": \"silver\", \"table_name\": \"metrics\", \"changes\": $changes}"
expect "apply defaults to a dry run and says what it would run" \
  '["would_run:ALTER TABLE `demo_copy`.`silver`.`metrics` ALTER COLUMN `score` TYPE bigint","would_run:ALTER TABLE `demo_copy`.`silver`.`metrics` ADD COLUMNS (`note` string)"]' \
  "$(jq -c '[.statements[] | "\(.status):\(.sql)"]' <<<"$HTTP_BODY")"
expect "and changed nothing" '[["id","bigint"],["score","int"]]' \
  "$(lh_sql "SELECT column_name, full_data_type FROM demo_copy.information_schema.columns WHERE table_schema = 'silver' AND table_name = 'metrics' ORDER BY ordinal_position")"
post /api/schema-evolution/apply '{"destination_catalog": "demo_copy", "schema_name": "silver", "table_name": "metrics", "changes": [{"change": "added", "column": "x", "source_type": "int; DROP TABLE t"}]}'
expect "apply refuses a type that is not a type" "422 changes" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- sync: dry run says exactly what it would do and does nothing --------------------------
post /api/sync '{"source_catalog": "demo", "destination_catalog": "demo_copy", "dry_run": true, "drop_extra": true}'
expect "sync answers a job" "200 queued" "$HTTP_CODE $(jq -r .status <<<"$HTTP_BODY")"
wait_job "$(jq -r .job_id <<<"$HTTP_BODY")"
expect "the dry-run sync job completed" completed "$(jq -r .status <<<"$JOB")"
expect "sync dry run: exactly the planted actions" \
  '["create_table demo_copy.bronze.patients would_run","set_security demo_copy.bronze.patients would_run","drop_view demo_copy.gold.extra_v would_run","drop_table demo_copy.bronze.extra_t would_run","drop_schema demo_copy.scratch would_run"]' \
  "$(jq -c '[.result.actions[] | "\(.action) \(.object) \(.status)"]' <<<"$JOB")"
expect "sync dry run: with the exact statement" 'DROP SCHEMA IF EXISTS `demo_copy`.`scratch` CASCADE' \
  "$(jq -r '.result.actions[] | select(.action == "drop_schema") | .sql' <<<"$JOB")"
expect "sync reports the changed table without touching it" '["silver.metrics"]' \
  "$(jq -c '[.result.schema_differences[].table]' <<<"$JOB")"
expect "the dry run dropped nothing" '[["extra_t"]]' \
  "$(lh_sql "SELECT table_name FROM demo_copy.information_schema.tables WHERE table_name = 'extra_t'")"
expect "the dry run created nothing" '[]' \
  "$(lh_sql "SELECT table_name FROM demo_copy.information_schema.tables WHERE table_name = 'patients'")"
out=$("$CLXS" sync --source demo --dest demo_copy --json)
expect "clxs sync without drop_extra creates the missing table and keeps the extras" \
  '["create_table demo_copy.bronze.patients done","set_security demo_copy.bronze.patients done"] 4' \
  "$(jq -c '[.actions[] | "\(.action) \(.object) \(.status)"]' <<<"$out") $(jq '.extra_in_destination | length' <<<"$out")"
expect "the missing table is there with its rows" "$(lh_sql 'SELECT count(*) FROM demo.bronze.patients')" \
  "$(lh_sql 'SELECT count(*) FROM demo_copy.bronze.patients')"
post /api/sync '{"source_catalog": "demo", "destination_catalog": "demo_copy", "drop_extra": true}'
wait_job "$(jq -r .job_id <<<"$HTTP_BODY")"
expect "sync with drop_extra drops exactly the extras" \
  '["drop_view demo_copy.gold.extra_v done","drop_table demo_copy.bronze.extra_t done","drop_schema demo_copy.scratch done"]' \
  "$(jq -c '[.result.actions[] | "\(.action) \(.object) \(.status)"]' <<<"$JOB")"
expect "the extras are gone" '[]' \
  "$(lh_sql "SELECT table_name FROM demo_copy.information_schema.tables WHERE table_name IN ('extra_t', 'extra_v', 'tmp')")"
post /api/sync '{"source_catalog": "demo"}'
expect "sync without a destination is 422 naming it" "422 destination_catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/sync '{"source_catalog": "demo", "destination_catalog": "demo_copy", "dry_run": "yes"}'
expect "sync with a non-boolean dry_run is 422 naming it" "422 dry_run" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST "/api/monitor?source_catalog=demo&destination_catalog=demo_copy"
expect "after the sync only the column changes are left" '0 0 0 1' \
  "$(jq -r '"\(.drift.missing_tables | length) \(.drift.extra_tables | length) \(.drift.extra_views | length) \(.drift.changed_tables | length)"' <<<"$HTTP_BODY")"

# --- incremental: by table version since the last successful sync ---------------------------
post /api/incremental/check '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze"}'
nbronze=$(ntables demo "= 'bronze'")
expect "nothing was synced incrementally yet" "$nbronze [\"never synced\"]" \
  "$(jq -r .tables_needing_sync <<<"$HTTP_BODY") $(jq -c '[.details[].reason] | unique' <<<"$HTTP_BODY")"
post /api/incremental/sync '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze"}'
wait_job "$(jq -r .job_id <<<"$HTTP_BODY")"
expect "the incremental sync re-cloned the schema's tables" "completed $nbronze 0" \
  "$(jq -r '"\(.status) \(.result.tables_synced) \(.result.tables_failed)"' <<<"$JOB")"
post /api/incremental/check '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze"}'
expect "now nothing needs a sync" '0 []' "$(jq -r .tables_needing_sync <<<"$HTTP_BODY") $(jq -c .tables <<<"$HTTP_BODY")"
sql "INSERT INTO demo.bronze.orders SELECT * FROM demo.bronze.orders WHERE id < 5"   # the stale table
post /api/incremental/check '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze"}'
expect "only the written table needs a sync" '["orders:changed since last sync"]' \
  "$(jq -c '[.details[] | "\(.table):\(.reason)"]' <<<"$HTTP_BODY")"
http POST "/api/monitor?source_catalog=demo&destination_catalog=demo_copy&check_drift=false&check_counts=true"
expect "monitor counts see the stale table" '["bronze.orders"]' \
  "$(jq -c '[.counts[] | select(.status == "mismatch") | .table]' <<<"$HTTP_BODY")"
out=$("$CLXS" incremental-sync --source demo --dest demo_copy --schema bronze --dry-run --json)
expect "incremental dry run lists the clone at the read version" "would_run" \
  "$(jq -r '.actions[] | select(.table == "orders") | .status' <<<"$out")"
post /api/incremental/check '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze"}'
expect "a dry run records nothing" '["orders"]' "$(jq -c .tables <<<"$HTTP_BODY")"
"$CLXS" incremental-sync --source demo --dest demo_copy --schema bronze --json >/dev/null
expect "after the CLI sync the stale table matches" "$(lh_sql 'SELECT count(*) FROM demo.bronze.orders')" \
  "$(lh_sql 'SELECT count(*) FROM demo_copy.bronze.orders')"
post /api/incremental/check '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze"}'
expect "the CLI and the API share the sync state" 0 "$(jq -r .tables_needing_sync <<<"$HTTP_BODY")"
post /api/incremental/check '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "bronze", "clone_type": "LAZY"}'
expect "a bad clone_type is 422 naming it" "422 clone_type" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- optimize and vacuum -----------------------------------------------------------------
post /api/optimize '{"source_catalog": "demo_copy", "schema_filter": "gold", "dry_run": true}'
expect "optimize skips the gold views with their reason" '["skipped:a view has no files"] true' \
  "$(jq -c '[.tables[] | "\(.status):\(.reason)"] | unique' <<<"$HTTP_BODY") $(jq '[.tables[].table] | index("demo_copy.gold.revenue_by_region") != null' <<<"$HTTP_BODY")"
post /api/optimize '{"source_catalog": "demo_copy", "tables": [{"schema": "bronze", "table": "customers"}]}'
expect "optimize runs on the named table" "optimized 1" "$(jq -r '"\(.tables[0].status) \(.optimized)"' <<<"$HTTP_BODY")"
post /api/optimize '{"source_catalog": "demo_copy", "tables": [{"schema": "bronze"}]}'
expect "a malformed tables entry is 422 naming the field" "422 tables" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
# The re-synced orders table has replaced data: files a vacuum may remove.
sql "ALTER TABLE demo_copy.bronze.orders SET TBLPROPERTIES ('delta.deletedFileRetentionDuration' = 'interval 0 hours')"
vac='{"source_catalog": "demo_copy", "tables": [{"schema": "bronze", "table": "orders"}], "retention_hours": 0'
post /api/vacuum "$vac, \"dry_run\": true}"
files=$(jq -c '.tables[0].files_to_delete' <<<"$HTTP_BODY")
expect "vacuum dry run lists the files it would delete" "would_vacuum true" \
  "$(jq -r '.tables[0].status' <<<"$HTTP_BODY") $(jq 'length > 0' <<<"$files")"
post /api/vacuum "$vac, \"dry_run\": true}"
expect "and deleted none of them" "$files" "$(jq -c '.tables[0].files_to_delete' <<<"$HTTP_BODY")"
post /api/vacuum "$vac}"
expect "vacuum deletes exactly those files" "vacuumed $files" \
  "$(jq -r '.tables[0].status' <<<"$HTTP_BODY") $(jq -c '.tables[0].files_deleted' <<<"$HTTP_BODY")"
post /api/vacuum "$vac, \"dry_run\": true}"
expect "afterwards nothing is left to delete" 0 "$(jq '.tables[0].file_count' <<<"$HTTP_BODY")"
post /api/vacuum '{"source_catalog": "demo_copy", "retention_hours": -1}'
expect "a negative retention is 422 naming it" "422 retention_hours" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- schema evolution applied (after the dry runs above) -----------------------------------
post /api/schema-evolution/evolve-catalog '{"source_catalog": "demo", "destination_catalog": "demo_copy"}'
expect "evolve-catalog defaults to a dry run over the one changed table" "true silver.metrics 0" \
  "$(jq -r '"\(.dry_run) \([.tables[].table] | join(",")) \(.statements_applied)"' <<<"$HTTP_BODY")"
post /api/schema-evolution/evolve-catalog '{"source_catalog": "demo", "destination_catalog": "demo_copy", "dry_run": false}'
expect "evolve-catalog applies both changes" "2 0" "$(jq -r '"\(.statements_applied) \(.statements_failed)"' <<<"$HTTP_BODY")"
expect "the table now has the source's columns" '[["id","bigint"],["score","bigint"],["note","string"]]' \
  "$(lh_sql "SELECT column_name, full_data_type FROM demo_copy.information_schema.columns WHERE table_schema = 'silver' AND table_name = 'metrics' ORDER BY ordinal_position")"
expect "and kept its rows" '[["1","10",null],["2","20",null]]' "$(lh_sql 'SELECT * FROM demo_copy.silver.metrics ORDER BY id')"
http POST "/api/monitor?source_catalog=demo&destination_catalog=demo_copy"
expect "monitor: in sync at last" "true 0" "$(jq -r '"\(.in_sync) \(.issues)"' <<<"$HTTP_BODY")"
sql "ALTER TABLE demo_copy.silver.metrics ADD COLUMNS (extra_col INT)"
post /api/schema-evolution/detect '{"source_catalog": "demo", "destination_catalog": "demo_copy", "schema_name": "silver", "table_name": "metrics"}'
changes=$(jq -c .changes <<<"$HTTP_BODY")
expect "a column only the destination has is 'removed'" '["removed:extra_col"]' "$(jq -c '[.[] | "\(.change):\(.column)"]' <<<"$changes")"
post /api/schema-evolution/apply "{\"destination_catalog\": \"demo_copy\", \"schema_name\": \"silver\", \"table_name\": \"metrics\", \"dry_run\": false, \"changes\": $changes}"
expect "without drop_removed it is skipped" "skipped" "$(jq -r '.statements[0].status' <<<"$HTTP_BODY")"
post /api/schema-evolution/apply "{\"destination_catalog\": \"demo_copy\", \"schema_name\": \"silver\", \"table_name\": \"metrics\", \"dry_run\": false, \"drop_removed\": true, \"changes\": $changes}"
expect "the warehouse's refusal is reported per statement (Delta needs column mapping)" "failed 1" \
  "$(jq -r '"\(.statements[0].status) \(.failed)"' <<<"$HTTP_BODY")"
sql "ALTER TABLE demo_copy.silver.metrics SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')"
post /api/schema-evolution/apply "{\"destination_catalog\": \"demo_copy\", \"schema_name\": \"silver\", \"table_name\": \"metrics\", \"dry_run\": false, \"drop_removed\": true, \"changes\": $changes}"
expect "with drop_removed it is dropped" "done" "$(jq -r '.statements[0].status' <<<"$HTTP_BODY")"
expect "the column is gone" '[["id"],["score"],["note"]]' \
  "$(lh_sql "SELECT column_name FROM demo_copy.information_schema.columns WHERE table_schema = 'silver' AND table_name = 'metrics' ORDER BY ordinal_position")"

# --- clone snapshots in the audit catalog -------------------------------------------------
http GET /api/clone-snapshots
expect "no snapshot yet: an empty list" "200 []" "$HTTP_CODE $HTTP_BODY"
post /api/clone-snapshots '{"source_catalog": "demo", "name": "pre-migration", "description": "before the refactor"}'
expect "a snapshot is captured" "200 pre-migration" "$HTTP_CODE $(jq -r .name <<<"$HTTP_BODY")"
sid=$(jq -r .snapshot_id <<<"$HTTP_BODY")
expect "it records every table of the catalog" "$(ntables demo "NOT IN ('information_schema', 'default')")" \
  "$(jq .table_count <<<"$HTTP_BODY")"
expect "at its current version" "$(lh_sql 'DESCRIBE HISTORY demo.bronze.orders LIMIT 1' | jq -r '.[0][0]')" \
  "$(jq '.tables[] | select(.schema == "bronze" and .table == "orders") | .version' <<<"$HTTP_BODY")"
http GET "/api/clone-snapshots/$sid"
expect "GET one returns the per-table list" "200 pre-migration $(jq .table_count <<<"$HTTP_BODY")" \
  "$HTTP_CODE $(jq -r .name <<<"$HTTP_BODY") $(jq '.tables | length' <<<"$HTTP_BODY")"
http GET "/api/clone-snapshots?source_catalog=demo"
expect "the list shows it without the table list" "1 null" "$(jq -r 'length, .[0].tables_json' <<<"$HTTP_BODY" | paste -sd' ')"
http GET "/api/clone-snapshots?source_catalog=other"
expect "filtered by source catalog" "[]" "$HTTP_BODY"
http DELETE "/api/clone-snapshots/$sid"
expect "DELETE removes it" "200 true" "$HTTP_CODE $(jq .deleted <<<"$HTTP_BODY")"
http GET "/api/clone-snapshots/$sid"
expect "then GET is 404 naming it" "404 snapshot_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http DELETE "/api/clone-snapshots/$sid"
expect "DELETE is idempotent" "200 true" "$HTTP_CODE $(jq .deleted <<<"$HTTP_BODY")"
post /api/clone-snapshots '{"source_catalog": "demo"}'
expect "a snapshot needs a name" "422 name" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- convert to Delta: two gates, per-target rules, partial results, audit ---------------------
http GET /api/convert-to-delta/history
expect "no convert yet: empty history" '200 {"rows":[],"count":0}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
sql "CREATE TABLE demo_copy.bronze.legacy_parquet (id INT, v STRING) USING PARQUET"
sql "INSERT INTO demo_copy.bronze.legacy_parquet VALUES (1, 'a'), (2, 'b')"
targets='[{"fqn": "demo_copy.bronze.legacy_parquet", "source_format": "PARQUET"},
  {"fqn": "demo_copy.bronze.orders", "source_format": "DELTA"},
  {"fqn": "demo_copy.gold.revenue_by_region", "source_format": "PARQUET"},
  {"fqn": "demo_copy.bronze.nope", "source_format": "ICEBERG"},
  {"fqn": "demo_copy.bronze.customers", "source_format": "CSV"}]'
post /api/convert-to-delta "{\"targets\": $targets}"
expect "without confirm_destructive: 422 naming it" "422 confirm_destructive" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/convert-to-delta '{"targets": [], "dry_run": true}'
expect "empty targets: 422" "422 targets" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/convert-to-delta '{"targets": [{"fqn": "just_a_name", "source_format": "PARQUET"}], "dry_run": true}'
expect "a target that is not catalog.schema.table: 422" "422 targets" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/convert-to-delta "{\"targets\": $targets, \"dry_run\": true}"
expect "dry run: what it would convert, what it skips and why, what fails" \
  '["dry_run:CONVERT TO DELTA `demo_copy`.`bronze`.`legacy_parquet`","skipped:already Delta","skipped:a view has no underlying files","failed:table not found","skipped:unsupported source format"]' \
  "$(jq -c '[.results[] | "\(.status):\(.sql // .reason // .error)"]' <<<"$HTTP_BODY")"
expect "and converted nothing" '[["PARQUET"]]' \
  "$(lh_sql "SELECT data_source_format FROM demo_copy.information_schema.tables WHERE table_name = 'legacy_parquet'")"
post /api/convert-to-delta "{\"targets\": $targets, \"confirm_destructive\": true}"
expect "the batch was audited" true "$(jq .audit.written <<<"$HTTP_BODY")"
expect "with confirmation: 200 with partial results" "200 5 1 1 3" \
  "$HTTP_CODE $(jq -r '"\(.total) \(.converted) \(.failed) \(.skipped)"' <<<"$HTTP_BODY")"
op=$(jq -r .operation_id <<<"$HTTP_BODY")
expect "the table is Delta now" '[["DELTA"]]' \
  "$(lh_sql "SELECT data_source_format FROM demo_copy.information_schema.tables WHERE table_name = 'legacy_parquet'")"
expect "with its data" '[["1","a"],["2","b"]]' "$(lh_sql 'SELECT * FROM demo_copy.bronze.legacy_parquet ORDER BY id')"
http GET /api/convert-to-delta/history
expect "history: one row per target of both batches" 10 "$(jq .count <<<"$HTTP_BODY")"
http GET "/api/convert-to-delta/history?status=converted"
expect "history filtered by status" '["demo_copy.bronze.legacy_parquet"]' "$(jq -c '[.rows[].fqn]' <<<"$HTTP_BODY")"
http GET "/api/convert-to-delta/history?dry_run=true&fqn_like=demo_copy.bronze.%25"
expect "history filtered by dry_run and fqn_like" 4 "$(jq .count <<<"$HTTP_BODY")"
http GET "/api/convert-to-delta/history?operation_id=$op&limit=2"
expect "history of one batch, limited" "2 $op" "$(jq -r '"\(.count) \([.rows[].operation_id] | unique | join(","))"' <<<"$HTTP_BODY")"
http GET "/api/convert-to-delta/history?limit=5000"
expect "a huge limit is capped, not refused" "200 10" "$HTTP_CODE $(jq .count <<<"$HTTP_BODY")"
http GET "/api/convert-to-delta/history?limit=0"
expect "limit 0 is 422" "422 limit" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- metadata snapshot into the exports folder ---------------------------------------------
post /api/snapshot '{"source_catalog": "demo", "output_path": "exports/demo_before.json"}'
expect "snapshot writes its file in the exports folder" "200 exports/demo_before.json" \
  "$HTTP_CODE $(jq -r .output_path <<<"$HTTP_BODY")"
expect "with every table of the catalog" "$(ntables demo "NOT IN ('information_schema', 'default')")" \
  "$(jq '.tables | length' "$STATE/exports/demo_before.json")"
expect "and the views with their definitions" true \
  "$(jq '[.views[] | select(.name == "orders_clean") | .definition | test("orders")] == [true]' "$STATE/exports/demo_before.json")"
post /api/snapshot '{"source_catalog": "demo", "output_path": "../escape.json"}'
expect "a path out of the exports folder is 422" "422 output_path" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
post /api/snapshot '{"source_catalog": "demo", "output_path": "exports/sub/x.json"}'
expect "and so is a sub-folder" "422 output_path" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
out=$("$CLXS" snapshot --source demo --json)
expect "clxs snapshot picks a name" true "$(jq -r .output_path <<<"$out" | grep -q '^exports/demo_snapshot_.*\.json$' && echo true)"

# --- the CLI: help, bad options, human tables ---------------------------------------------
out=$("$CLXS" vacuum --help); rc=$?
expect "clxs vacuum --help lists the fields with defaults" "0 true" \
  "$rc $(grep -q -- '--retention-hours N' <<<"$out" && grep -q 'default 168' <<<"$out" && echo true)"
"$CLXS" sync --source demo >/dev/null 2>&1; expect "a missing required field exits 2" 2 "$?"
"$CLXS" sample --bogus 1 >/dev/null 2>&1; expect "an unknown option exits 2" 2 "$?"
"$CLXS" sample --catalog demo --schema silver --table metrics --limit nope >/dev/null 2>&1
expect "a non-number for a number exits 2" 2 "$?"
out=$("$CLXS" sample --catalog demo --schema silver --table metrics --limit 2)
expect "human output is a table" "true" "$(grep -q '^  id  score  note' <<<"$out" && echo true)"

# --- the API documents every route ----------------------------------------------------------
http GET /api/openapi.json
expect "openapi lists the management routes with their fields" "true true" \
  "$(jq -r '[(.paths["/api/sync"].post != null), (.paths["/api/vacuum"].post.requestBody.content["application/json"].schema.properties.retention_hours.default == 168)] | map(tostring) | join(" ")' <<<"$HTTP_BODY")"

check_sanitizer_logs
finish
