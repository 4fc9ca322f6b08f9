#!/usr/bin/env bash
# Query history and usage analytics end to end: statements run through the
# lakehouse HTTP API and the CLI land in system.query.history and the
# lineage system tables; /api/table-usage and /api/column-usage count
# exactly those tables and columns; check-predictive-optimization answers
# honestly on the lakehouse; a stats run feeds catalog-size-history.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 2
export CLXS_STATE_DIR=$STATE   # the CLI's in-process lakehouse is the daemon's

post() { http POST "$1" -H 'Content-Type: application/json' --data-binary "$2"; }
j() { jq -c "$1" <<<"$HTTP_BODY"; }

"$CLXS" demo-data --catalog demo --industries retail,healthcare >/dev/null || bad "demo-data"
tbls=$(lh_sql "SELECT table_schema, table_name FROM demo.information_schema.tables WHERE table_type <> 'VIEW' AND table_schema = 'bronze' ORDER BY table_name")
t1=$(jq -r '.[0][1]' <<<"$tbls"); t2=$(jq -r '.[1][1]' <<<"$tbls")
[ -n "$t1" ] && [ "$t1" != null ] && [ -n "$t2" ] && [ "$t2" != null ] || bad "demo has two bronze tables: $tbls"
c1=$(lh_sql "SELECT column_name FROM demo.information_schema.columns WHERE table_schema = 'bronze' AND table_name = '$t1' ORDER BY ordinal_position" | jq -r '.[0][0]')

# Baseline: demo-data itself wrote these tables (its statements are history too).
usage() { post /api/table-usage '{"catalog": "demo", "schema_name": "bronze", "limit": 100}'; }
count_of() { jq -r --arg t "$1" '[.tables[] | select(.table == $t) | .query_count][0] // 0' <<<"$HTTP_BODY"; }
usage
expect "table-usage answers 200" 200 "$HTTP_CODE"
b1=$(count_of "bronze.$t1"); b2=$(count_of "bronze.$t2")
post /api/column-usage '{"catalog": "demo", "schema_name": "bronze", "use_system_tables": true}'
col_of() { jq -r --arg t "$1" --arg c "$2" '[.columns[] | select(.table == $t and .column == $c) | .usage_count][0] // 0' <<<"$HTTP_BODY"; }
bc1=$(col_of "bronze.$t1" "$c1")

# Three statements read t1 (one of them by its column), one joins t1 and t2 (lakehouse HTTP API and CLI).
marker="usage_probe_$$"
lh_sql "SELECT count(*) AS $marker FROM demo.bronze.$t1" >/dev/null
lh_sql "SELECT $c1 FROM demo.bronze.$t1 LIMIT 1" >/dev/null
"$CLXS" sql "SELECT count(*) FROM demo.bronze.$t1 a, demo.bronze.$t2 b" >/dev/null || bad "CLI statement"

usage
expect "t1 used by three more statements" $((b1 + 3)) "$(count_of "bronze.$t1")"
expect "t2 used by one more statement" $((b2 + 1)) "$(count_of "bronze.$t2")"
expect "last_accessed is ISO 8601" true \
  "$(jq --arg t "bronze.$t1" '[.tables[] | select(.table == $t) | .last_accessed | test("^[0-9-]{10}T[0-9:]{8}Z$")][0]' <<<"$HTTP_BODY")"
expect "only bronze tables with schema_name" true "$(j '[.tables[].table | startswith("bronze.")] | all')"
post /api/table-usage '{"catalog": "demo", "limit": 1}'
expect "limit 1 gives one table" 1 "$(j '.tables | length')"

post /api/column-usage '{"catalog": "demo", "schema_name": "bronze", "use_system_tables": true, "include_query_history": true}'
expect "column-usage from column_lineage" '"system.access.column_lineage" false' "$(j '.source') $(j '.fallback')"
expect "the named column counted once more" $((bc1 + 1)) "$(col_of "bronze.$t1" "$c1")"
expect "query history lists the probe statement" 1 \
  "$(jq --arg m "$marker" '[.query_history[] | select(.statement_text | contains($m))] | length' <<<"$HTTP_BODY")"
post /api/column-usage '{"catalog": "demo", "schema_name": "bronze"}'
expect "fast mode lists information_schema columns" '"information_schema.columns" false' "$(j '.source') $(j '.fallback')"
expect "fast mode has the column" 0 "$(col_of "bronze.$t1" "$c1")"

# system.query.history holds the statements with their outcome.
h=$(lh_sql "SELECT execution_status, executed_by, statement_type, produced_rows FROM system.query.history WHERE statement_text LIKE '%$marker%' AND statement_text NOT LIKE '%system.query.history%'")
expect "history row of the probe" '[["FINISHED","local-user","SELECT",1]]' "$(jq -c '[.[] | [.[0], .[1], .[2], (.[3] | tonumber)]]' <<<"$h")"
lh_sql "SELECT * FROM demo.bronze.no_such_table_$$" >/dev/null
expect "a failed statement is FAILED in history" '[["FAILED"]]' \
  "$(lh_sql "SELECT execution_status FROM system.query.history WHERE statement_text = 'SELECT * FROM demo.bronze.no_such_table_$$'")"
expect "table_lineage has the join's sources" 2 \
  "$(lh_sql "SELECT count(DISTINCT source_table_name) FROM system.access.table_lineage WHERE statement_id IN (SELECT statement_id FROM system.query.history WHERE statement_text LIKE '% a, demo.bronze.%')" | jq -r '.[0][0]')"

# Bad input.
post /api/table-usage '{"limit": 5}'
expect "table-usage without catalog: 422" '422 "catalog"' "$HTTP_CODE $(j .detail)"
post /api/table-usage '{"catalog": "demo", "limit": 0}'
expect "table-usage limit 0: 422" '422 "limit"' "$HTTP_CODE $(j .detail)"
post /api/column-usage '{"catalog": "demo", "use_system_tables": "yes"}'
expect "column-usage bad type: 422" '422 "use_system_tables"' "$HTTP_CODE $(j .detail)"
post /api/column-usage '{"catalog": "nope_'$$'"}'
expect "column-usage on a missing catalog: 404" 404 "$HTTP_CODE"

# CLI
usage
out=$("$CLXS" table-usage --catalog demo --schema bronze --limit 100 --json) || bad "clxs table-usage"
expect "CLI table-usage counts as the API" "$(count_of "bronze.$t1")" \
  "$(jq -r --arg t "bronze.$t1" '[.tables[] | select(.table == $t) | .query_count][0]' <<<"$out")"
"$CLXS" column-usage --catalog demo --use-system-tables --json >/dev/null || bad "clxs column-usage"

# Predictive optimization: not available on the lakehouse, said so per level.
post /api/check-predictive-optimization '{"source_catalog": "demo"}'
expect "check-predictive-optimization answers 200" 200 "$HTTP_CODE"
expect "catalog: not enabled, not available" '"NOT_AVAILABLE" false' "$(j .catalog_status.status) $(j .catalog_status.enabled)"
expect "schemas listed, default excluded" true "$(j '([.schemas[].name] | index("demo.bronze") != null) and ([.schemas[].name] | index("demo.default") == null)')"
expect "every schema has a reason" true "$(j '[.schemas[] | (.enabled == false and (.reason | length > 0))] | all')"
expect "overall false" false "$(j .predictive_optimization_enabled)"
post /api/check-predictive-optimization '{"source_catalog": "nope_'$$'"}'
expect "missing catalog: 404" 404 "$HTTP_CODE"
post /api/check-predictive-optimization '{}'
expect "no catalog: 422" '422 "source_catalog"' "$HTTP_CODE $(j .detail)"
"$CLXS" check-predictive-optimization --source demo --json >/dev/null || bad "clxs check-predictive-optimization"

# catalog-size-history: empty until a stats run records the day's size.
http GET "/api/catalog-size-history?catalogs=demo"
expect "no history yet" 0 "$(j '.rows | length')"
post /api/stats '{"source_catalog": "demo", "exclude_schemas": ["bronze"]}'
http GET "/api/catalog-size-history?catalogs=demo"
expect "a partial stats run records nothing" 0 "$(j '.rows | length')"
post /api/stats '{"source_catalog": "demo"}'
expect "stats 200" 200 "$HTTP_CODE"
size=$(j .total_size_bytes); ntab=$(j .total_tables)
http GET "/api/catalog-size-history?catalogs=demo"
expect "one row after the collector ran" "[[$size,$ntab]]" "$(j '[.rows[] | [.total_bytes, .total_tables]]')"
post /api/stats '{"source_catalog": "demo"}'
http GET "/api/catalog-size-history?catalogs=demo"
expect "still one row per day" 1 "$(j '.rows | length')"

check_sanitizer_logs
finish
