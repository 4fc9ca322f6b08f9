#!/usr/bin/env bash
# Analysis operations end to end through nginx on the real stack: the demo
# catalog plus a small `lab` schema of fixtures is cloned, every operation
# reports no difference, then known differences are planted in the clone
# (a dropped column, a changed type, a missing table, a changed row, a
# duplicated row, a stale table, a risky grant to `account users`) and each
# operation must report exactly those and nothing else.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2
export CLXS_STATE_DIR=$STATE

post() { http POST "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
j() { jq -c "$1" <<<"$HTTP_BODY"; }
run() { "$CLXS" sql "$1" >/dev/null || bad "setup statement failed: $1"; }

# --- fixtures -----------------------------------------------------------------------
"$CLXS" demo-data --catalog demo >/dev/null && ok "demo-data built the demo catalog" || bad "demo-data"
run "CREATE SCHEMA demo.lab"
run "CREATE TABLE demo.lab.t_drop (a INT NOT NULL, b STRING, c DOUBLE)"
run "INSERT INTO demo.lab.t_drop VALUES (1, 'p', 1.5), (2, 'q', 2.5)"
run "CREATE TABLE demo.lab.t_type (a INT, b STRING)"
run "INSERT INTO demo.lab.t_type VALUES (1, 'p'), (2, 'q')"
run "CREATE TABLE demo.lab.t_gone (a INT)"
run "CREATE TABLE demo.lab.t_rows (a INT, b STRING)"
run "INSERT INTO demo.lab.t_rows VALUES (1, 'x'), (2, 'x'), (3, 'y'), (4, NULL), (5, 'zz')"
run "CREATE TABLE demo.lab.t_dup (a INT, b STRING)"
run "INSERT INTO demo.lab.t_dup VALUES (1, 'one'), (2, 'two'), (3, 'three')"
run "CREATE TABLE demo.lab.t_stale (a INT)"
run "INSERT INTO demo.lab.t_stale VALUES (1)"
run "CREATE TABLE demo.lab.t_grant (a INT)"
# --no-rollback: no rollback point is needed for a scratch clone.
out=$("$CLXS" clone --source demo --dest demo_copy --no-rollback --json); rc=$?
expect "the clone succeeds" "0 0" "$rc $(jq .objects_failed <<<"$out")"

P='{"source_catalog":"demo","destination_catalog":"demo_copy"}'

# --- nothing differs before planting ---------------------------------------------------
post /api/diff "$P"
expect "diff: 200" 200 "$HTTP_CODE"
expect "diff: no differences" '[[],[],[],[],[],[]]' \
  "$(j '[.missing_schemas,.extra_schemas,.missing_tables,.extra_tables,.missing_views,.extra_views]')"
post /api/compare "$P"
expect "compare: no differences" '[0,[],[],[]]' "$(j '[.tables_with_differences,.differences,.missing_tables,.extra_tables]')"
post /api/schema-drift "$P"
expect "schema-drift: no drift" '[[],[],[]]' "$(j '[.drift,.missing_tables,.extra_tables]')"
post /api/diff-detail "$P"
expect "diff-detail: no drift" '[[],[],[]]' "$(j '[.drift,.tables.missing,.tables.extra]')"
post /api/validate '{"source_catalog":"demo","destination_catalog":"demo_copy","use_checksum":true,"max_workers":3}'
expect "validate with checksum: all match" '[0,0,0]' "$(j '[.mismatched,.missing,.errors]')"
post /api/permissions-audit '{"source_catalog":"demo_copy"}'
expect "permissions-audit: no findings" 0 "$(j .summary.total_findings)"
post /api/stale-scan '{"source_catalog":"demo_copy"}'
expect "stale-scan: no findings" '[]' "$(j .findings)"
"$CLXS" diff --source demo --dest demo_copy >/dev/null; expect "clxs diff exits 0 when equal" 0 "$?"

# --- the deep classes of diff (issue #4): zero after a clean clone, then one --------------
# --- planted difference per class in a second clone, each reported exactly ---------------
CLASSES='["objects","functions","volumes","volume_files","grants","owners","tags","comments","properties","constraints","row_filters","column_masks","view_definitions"]'
post /api/diff "$P"
expect "diff: every class is compared" "$CLASSES" "$(j '[.summary | keys_unsorted[]]')"
expect "diff: zero differences in every class after a clean clone" '[0,0,[],[]]' \
  "$(j '[([.summary[]] | add), .total_differences, .skipped_classes, .class_errors]')"
out=$("$CLXS" diff --source demo --dest demo_copy); rc=$?
expect "clxs diff prints one line per class" 13 "$(grep -cE '^(objects|functions|volumes|volume_files|grants|owners|tags|comments|properties|constraints|row_filters|column_masks|view_definitions) +0$' <<<"$out")"

out=$("$CLXS" clone --source demo --dest demo_deep --no-rollback --json); rc=$?
expect "a second clone for the deep diff" "0 0" "$rc $(jq .objects_failed <<<"$out")"
TOKEN=$(cat "$STATE/lakehouse.token")
files=$(curl -s -H "Authorization: Bearer $TOKEN" "$LH_BASE/api/2.0/fs/directories/Volumes/demo_deep/bronze/landing")
victim=$(jq -r '[.contents[] | select(.is_directory | not) | .name] | sort | .[0]' <<<"$files")
[ -n "$victim" ] && [ "$victim" != null ] && ok "the demo volume holds files ($victim)" || bad "no file in demo's landing volume: $files"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TOKEN" \
  "$LH_BASE/api/2.0/fs/files/Volumes/demo_deep/bronze/landing/$victim")
expect "a volume file deleted in the clone" 204 "$code"
run "REVOKE SELECT ON TABLE demo_deep.bronze.orders FROM etl"
run "ALTER SCHEMA demo_deep.gold OWNER TO \`auditors\`"
run "ALTER TABLE demo_deep.bronze.orders UNSET TAGS ('domain')"
run "COMMENT ON TABLE demo_deep.bronze.customers IS 'changed'"
run "ALTER TABLE demo_deep.bronze.accounts SET TBLPROPERTIES ('quality' = 'platinum')"
run "ALTER TABLE demo_deep.bronze.claims DROP CONSTRAINT claim_amount_non_negative"
run "ALTER TABLE demo_deep.bronze.patients DROP ROW FILTER"
run "ALTER TABLE demo_deep.bronze.customers ALTER COLUMN email DROP MASK"
run "DROP FUNCTION demo_deep.silver.value_band"
run "CREATE OR REPLACE VIEW demo_deep.silver.orders_clean COMMENT 'Orders without cancellations' AS SELECT id, customer_id, amount, status FROM demo_deep.bronze.orders WHERE status <> 'REFUNDED'"
PD='{"source_catalog":"demo","destination_catalog":"demo_deep"}'
post /api/diff "$PD"
expect "deep diff: 200" 200 "$HTTP_CODE"
expect "deep diff: one difference in each planted class, none elsewhere" \
  '{"objects":0,"functions":1,"volumes":0,"volume_files":1,"grants":1,"owners":1,"tags":1,"comments":1,"properties":1,"constraints":1,"row_filters":1,"column_masks":1,"view_definitions":1}' \
  "$(j .summary)"
expect "deep diff: total" 11 "$(j .total_differences)"
expect "deep diff: the dropped function" '{"missing":["silver.value_band"],"extra":[],"changed":[]}' "$(j .functions)"
expect "deep diff: the deleted volume file" "{\"missing\":[\"bronze.landing/$victim\"],\"extra\":[],\"changed\":[]}" "$(j .volume_files)"
expect "deep diff: the revoked grant" '{"missing":["TABLE bronze.orders: SELECT etl"],"extra":[],"changed":[]}' "$(j .grants)"
expect "deep diff: the changed owner" '[{"object":"SCHEMA gold","source":"local-user","destination":"auditors"}]' "$(j .owners.changed)"
expect "deep diff: the unset tag" '{"missing":["TABLE bronze.orders: domain"],"extra":[],"changed":[]}' "$(j .tags)"
expect "deep diff: the changed comment" '[{"object":"TABLE bronze.customers","source":"Retail customers","destination":"changed"}]' "$(j .comments.changed)"
expect "deep diff: the changed property" '[{"object":"TABLE bronze.accounts: quality","source":"bronze","destination":"platinum"}]' "$(j .properties.changed)"
expect "deep diff: the dropped constraint" '{"missing":["TABLE bronze.claims: claim_amount_non_negative"],"extra":[],"changed":[]}' "$(j .constraints)"
expect "deep diff: the dropped row filter" '{"missing":["TABLE bronze.patients"],"extra":[],"changed":[]}' "$(j .row_filters)"
expect "deep diff: the dropped mask" '{"missing":["COLUMN bronze.customers.email"],"extra":[],"changed":[]}' "$(j .column_masks)"
expect "deep diff: the changed view definition" '["VIEW silver.orders_clean",true]' \
  "$(j '[.view_definitions.changed[0].object, (.view_definitions.changed[0].destination | test("REFUNDED"))]')"
expect "deep diff: the reference's object lists are still there" '[[],[],[]]' "$(j '[.missing_tables,.extra_tables,.missing_views]')"
post /api/diff '{"source_catalog":"demo","destination_catalog":"demo_deep","skip_classes":["volume_files","properties"]}'
expect "deep diff: skip_classes leaves those classes out" '[["volume_files","properties"],9,false]' \
  "$(j '[.skipped_classes, .total_differences, (.summary | has("volume_files"))]')"
out=$("$CLXS" diff --source demo --dest demo_deep); rc=$?
expect "clxs diff exits 3 on a deep difference" 3 "$rc"
expect "clxs diff: the deep classes' lines" "functions          1  missing silver.value_band|grants             1  missing TABLE bronze.orders: SELECT etl" \
  "$(grep -E '^(functions|grants) ' <<<"$out" | paste -sd'|')"
post /api/diff '{"source_catalog":"demo","destination_catalog":"demo_deep","skip_classes":["colours"]}'
expect "skip_classes with an unknown class: 422 naming it" '422 "skip_classes"' "$HTTP_CODE $(j .detail)"
post /api/diff '{"source_catalog":"demo","destination_catalog":"demo_deep","skip_classes":"grants"}'
expect "skip_classes not a list: 422" '422 "skip_classes"' "$HTTP_CODE $(j .detail)"

# --- plant the differences --------------------------------------------------------------
run "CREATE OR REPLACE TABLE demo_copy.lab.t_drop (a INT NOT NULL, b STRING)"
run "INSERT INTO demo_copy.lab.t_drop SELECT a, b FROM demo.lab.t_drop"
run "CREATE OR REPLACE TABLE demo_copy.lab.t_type (a BIGINT, b STRING)"
run "INSERT INTO demo_copy.lab.t_type SELECT a, b FROM demo.lab.t_type"
run "DROP TABLE demo_copy.lab.t_gone"
run "UPDATE demo_copy.lab.t_rows SET b = 'changed' WHERE a = 3"
run "DELETE FROM demo_copy.lab.t_dup WHERE a = 1"
run "INSERT INTO demo_copy.lab.t_dup SELECT * FROM demo_copy.lab.t_dup WHERE a = 2"
run "GRANT ALL PRIVILEGES ON TABLE demo_copy.lab.t_grant TO \`account users\`"
# A stale table needs time to pass: age its creation and history by 200
# days in the lakehouse's metastore (test-only clock travel).
sqlite3 "$STATE/lakehouse/lakehouse.db" "
  UPDATE lh_tables SET created_at = created_at - 200*86400000, updated_at = updated_at - 200*86400000
   WHERE name = 't_stale' AND schema_id IN (SELECT s.id FROM lh_schemas s JOIN lh_catalogs c ON c.id = s.catalog_id
                                            WHERE s.name = 'lab' AND c.name = 'demo_copy');
  UPDATE lh_versions SET ts_ms = ts_ms - 200*86400000 WHERE table_id IN (
    SELECT t.id FROM lh_tables t JOIN lh_schemas s ON s.id = t.schema_id JOIN lh_catalogs c ON c.id = s.catalog_id
     WHERE t.name = 't_stale' AND s.name = 'lab' AND c.name = 'demo_copy');" || bad "aging t_stale"

# --- each operation reports exactly what was planted -------------------------------------
post /api/diff "$P"
expect "diff: only the missing table" '[[],[],["lab.t_gone"],[],[],[]]' \
  "$(j '[.missing_schemas,.extra_schemas,.missing_tables,.extra_tables,.missing_views,.extra_views]')"
"$CLXS" diff --source demo --dest demo_copy >/dev/null; expect "clxs diff exits 3 on differences" 3 "$?"

post /api/compare "$P"
expect "compare: the dropped column and the changed type" \
  '[{"table":"lab.t_drop","column":"c","issue":"missing_in_destination"},{"table":"lab.t_type","column":"a","issue":"type_mismatch"}]' \
  "$(j '[.differences[] | {table, column, issue}]')"
expect "compare: the changed type's two sides" '["int","bigint"]' \
  "$(j '[.differences[] | select(.issue == "type_mismatch") | .source, .destination]')"
expect "compare: the missing table" '["lab.t_gone"]' "$(j .missing_tables)"
out=$("$CLXS" compare --source demo --dest demo_copy --json); rc=$?
expect "clxs compare --json agrees and exits 3" "3 2" "$rc $(jq '.differences | length' <<<"$out")"

post /api/schema-drift "$P"
expect "schema-drift: removed c, modified a" \
  '[{"table":"lab.t_drop","added_columns":[],"removed_columns":["c"],"modified_columns":[]},{"table":"lab.t_type","added_columns":[],"removed_columns":[],"modified_columns":["a"]}]' \
  "$(j '[.drift[] | {table, added_columns, removed_columns, modified_columns: [.modified_columns[].column]}]')"
expect "schema-drift: the missing table" '["lab.t_gone"]' "$(j .missing_tables)"

post /api/diff-detail "$P"
expect "diff-detail: tables.missing" '["lab.t_gone"]' "$(j .tables.missing)"
expect "diff-detail: column drift exactly on the two altered tables" '["lab.t_drop","lab.t_type"]' \
  "$(j '[.drift[] | select((.added_columns + .removed_columns + .modified_columns) | length > 0) | .table_fqn]')"
expect "diff-detail: any size-only drift is on a planted table" true \
  "$(j '[.drift[].table_fqn] - ["lab.t_drop","lab.t_type","lab.t_rows","lab.t_dup"] | length == 0')"
expect "diff-detail: summary counts the drift" true "$(j '.summary.tables_with_drift == (.drift | length)')"

post /api/validate "$P"
expect "validate (counts): only the missing table" '[["lab.t_gone"],0,0]' "$(j '[.missing_in_destination,.mismatched,.errors]')"
post /api/validate '{"source_catalog":"demo","destination_catalog":"demo_copy","use_checksum":true}'
expect "validate (checksum): the changed value and the duplicated row" '["lab.t_dup","lab.t_rows"]' \
  "$(j '[.tables[] | select(.status == "mismatch") | .table] | sort')"
expect "validate (checksum): row counts alike on both" true \
  "$(j '[.tables[] | select(.status == "mismatch") | .source_rows == .dest_rows] | all')"
expect "validate (checksum): the missing table, no errors" '[["lab.t_gone"],0]' "$(j '[.missing_in_destination,.errors]')"

post /api/permissions-audit '{"source_catalog":"demo_copy"}'
expect "permissions-audit: exactly the public grant, CRITICAL" \
  '[{"risk_level":"CRITICAL","principal":"account users","table_fqn":"demo_copy.lab.t_grant","privilege":"ALL PRIVILEGES","is_public_group":true}]' \
  "$(j '[.audit_results[] | {risk_level, principal, table_fqn, privilege, is_public_group}]')"
expect "permissions-audit: summary" '[1,1]' "$(j '[.summary.total_findings,.summary.critical_count]')"

post /api/stale-scan '{"source_catalog":"demo_copy"}'
expect "stale-scan: exactly the aged table" '[["demo_copy.lab.t_stale","HIGH","VACUUM_THEN_DROP",200]]' \
  "$(j '[.findings[] | [.table_fqn, .risk_level, .suggested_action, .last_write_days_ago]]')"
expect "stale-scan: summary" '[1,1]' "$(j '[.summary.stale_count,.summary.high_risk]')"

# --- single-catalog operations ---------------------------------------------------------------
post /api/search '{"source_catalog":"demo","pattern":"^t_(drop|type)$"}'
expect "search: tables by regex" '["demo.lab.t_drop","demo.lab.t_type"]' "$(j '[.matched_tables[].fqn]')"
post /api/search '{"source_catalog":"demo","pattern":"^c$","search_columns":true,"exclude_schemas":["bronze","information_schema","default"]}'
expect "search: columns by regex" '[["demo.lab.t_drop","c"]]' "$(j '[.matched_columns[] | [.fqn, .column]]')"

post /api/stats '{"source_catalog":"demo","exclude_schemas":["bronze","silver","gold","information_schema","default"]}'
expect "stats: the lab schema's tables and rows" '[7,13]' "$(j '[.total_tables,.total_rows]')"
post /api/estimate '{"source_catalog":"demo","include_schemas":["lab"],"price_per_gb":1000000}'
expect "estimate: cost is size x price" true \
  "$(j '(.estimated_monthly_cost - (.total_size_bytes / 1073741824 * 1000000) | fabs) < 0.01 and .table_count == 7')"
post /api/storage-metrics '{"source_catalog":"demo_copy","schema_filter":"lab","table_filter":"t_rows"}'
expect "storage-metrics: one table, its update is time-travel bytes" '[1,true,0]' \
  "$(j '[(.tables | length), (.tables[0].time_travel_bytes > 0), .tables[0].vacuumable_bytes]')"

post /api/profile-table '{"table_fqn":"demo.lab.t_rows","top_n":1,"histogram_bins":2}'
expect "profile-table: 200" 200 "$HTTP_CODE"
expect "profile-table: numeric column" '[5,0,5,1,5,3,[[1,2],[2,3]]]' \
  "$(j '.row_count as $n | .columns[0] | [$n, .null_count, .distinct_count, .min, .max, .avg + 0, [.histogram[] | [.bucket, .freq]]]')"
expect "profile-table: string column" '[1,20,3,1,2,[["x",2,40]]]' \
  "$(j '.columns[1] | [.null_count, .null_pct + 0, .distinct_count, .min_length, .max_length, [.top_values[] | [.value, .freq, .pct + 0]]]')"
post /api/profile-results '{"sql":"SELECT a FROM demo.lab.t_rows WHERE a > 2;"}'
expect "profile-results: profiles the query's rows" '[3,3,5]' "$(j '[.row_count, .columns[0].min, .columns[0].max]')"
post /api/profile '{"source_catalog":"demo","exclude_schemas":["bronze","silver","gold","information_schema","default"],"max_workers":2}'
expect "profile: every lab table" '[7,[]]' "$(j '[.tables_profiled, .errors]')"

post /api/export '{"source_catalog":"demo","format":"json","output_path":"exports/lab.json","exclude_schemas":["bronze","silver","gold","information_schema","default"]}'
expect "export: written into the exports folder" '"exports/lab.json"' "$(j .output_path)"
expect "export: one row per column" 12 "$(jq length "$STATE/exports/lab.json")"
post /api/export '{"source_catalog":"demo"}'
expect "export: CSV by default" '"exports/demo_metadata.csv"' "$(j .output_path)"
[ -f "$STATE/exports/demo_metadata.csv" ] && ok "export: CSV file exists" || bad "export: CSV file missing"

run "CREATE CATALOG IF NOT EXISTS clone_audit"
run "CREATE SCHEMA IF NOT EXISTS clone_audit.metrics"
run "CREATE TABLE clone_audit.metrics.catalog_size_daily (catalog STRING, date DATE, total_bytes BIGINT, total_tables INT)"
run "INSERT INTO clone_audit.metrics.catalog_size_daily VALUES ('demo', current_date(), 100, 7), ('demo', date_sub(current_date(), 40), 90, 6), ('other', current_date(), 5, 1)"
http GET "/api/catalog-size-history?catalogs=demo&days=30"
expect "catalog-size-history: filtered by catalog and window" '[[100,7]]' "$(j '[.rows[] | [.total_bytes, .total_tables]]')"
http GET "/api/catalog-size-history?days=60"
expect "catalog-size-history: all catalogs" 3 "$(j '.rows | length')"

# --- bad input ------------------------------------------------------------------------------
post /api/diff '{"source_catalog":"demo"}'
expect "missing destination_catalog: 422 naming it" '422 "destination_catalog"' "$HTTP_CODE $(j .detail)"
post /api/compare '{"source_catalog":"demo","destination_catalog":"nope_missing"}'
expect "unknown catalog: 404 naming the field" '404 "destination_catalog"' "$HTTP_CODE $(j .detail)"
post /api/stats '{"source_catalog":"nope_missing"}'
expect "unknown catalog (stats): 404" 404 "$HTTP_CODE"
post /api/validate '{"source_catalog":"demo","destination_catalog":"demo_copy","max_workers":0}'
expect "max_workers 0: 422" '422 "max_workers"' "$HTTP_CODE $(j .detail)"
post /api/search '{"source_catalog":"demo","pattern":"("}'
expect "bad regex: 422 pattern" '422 "pattern"' "$HTTP_CODE $(j .detail)"
post /api/diff '{"source_catalog":"demo","destination_catalog":"demo_copy","colour":"red"}'
expect "unknown field: 422 naming it" '422 "colour"' "$HTTP_CODE $(j .detail)"
post /api/export '{"source_catalog":"demo","output_path":"../../etc/evil.csv"}'
expect "export outside the folder: 422" '422 "output_path"' "$HTTP_CODE $(j .detail)"
post /api/export '{"source_catalog":"demo","format":"xml"}'
expect "export bad format: 422" '422 "format"' "$HTTP_CODE $(j .detail)"
post /api/profile-results '{"sql":"DROP TABLE demo.lab.t_rows"}'
expect "profile-results refuses a non-query: 422 sql" '422 "sql"' "$HTTP_CODE $(j .detail)"
post /api/profile-results '{"sql":"SELECT 1; DROP TABLE demo.lab.t_rows"}'
expect "profile-results refuses two statements: 422 sql" '422 "sql"' "$HTTP_CODE $(j .detail)"
post /api/profile-table '{"table_fqn":"demo.lab"}'
expect "profile-table bad fqn: 422" '422 "table_fqn"' "$HTTP_CODE $(j .detail)"
post /api/profile-table '{"table_fqn":"demo.lab.nope"}'
expect "profile-table unknown table: 404" 404 "$HTTP_CODE"
post /api/profile-table '{"table_fqn":"demo.lab.t_rows extra"}'
expect "profile-table takes the whole name (no prefix match): 404" 404 "$HTTP_CODE"
post /api/stale-scan '{"source_catalog":"demo","days_threshold":0}'
expect "stale-scan days_threshold 0: 422" '422 "days_threshold"' "$HTTP_CODE $(j .detail)"
http GET "/api/catalog-size-history?days=abc"
expect "catalog-size-history bad days: 422" '422 "days"' "$HTTP_CODE $(j .detail)"
expect "demo.lab.t_rows survived the hostile requests" '[["5"]]' "$(lh_sql 'SELECT count(*) FROM demo.lab.t_rows')"
"$CLXS" compare --source demo >/dev/null 2>&1; expect "clxs compare without --dest exits 2" 2 "$?"

http GET /api/openapi.json
expect "the routes are in the OpenAPI document" true \
  "$(j '.paths | has("/api/diff") and has("/api/profile-results") and has("/api/catalog-size-history")')"

check_sanitizer_logs
finish
