#!/usr/bin/env bash
# Catalog browsing, /api/uc-objects, the demo-data endpoints and job, and
# /api/multi-clone, over HTTP through nginx against the real stack (API
# pool, runner, embedded lakehouse).
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 2
export CLXS_STATE_DIR=$STATE
JSON=(-H 'Content-Type: application/json')
enc() { jq -rn --arg s "$1" '$s|@uri'; }
job_status() { curl -s "$BASE/api/jobs/$1" | jq -r .status; }
finished() { case "$(job_status "$1")" in completed|failed|cancelled) return 0;; esac; return 1; }
# run_job DESCRIPTION JOB_ID: wait for the job, leave it in HTTP_BODY
run_job() {
  wait_for "$1 ($2)" 120 finished "$2"
  http GET "/api/jobs/$2"
}

# --- demo data: the reference's example --------------------------------------------
http POST /api/generate/demo-data "${JSON[@]}" \
  --data-binary '{"catalog_name": "demo_source", "industries": ["healthcare", "financial", "retail"], "scale_factor": 0.1, "medallion": true}'
expect "POST /api/generate/demo-data is 200" 200 "$HTTP_CODE"
expect "it answers the documented shape" "queued|Demo data generation submitted|16" \
  "$(jq -r '"\(.status)|\(.message)|\(.job_id | length)"' <<<"$HTTP_BODY")"
job=$(jq -r .job_id <<<"$HTTP_BODY")
run_job "the demo-data job" "$job"
expect "the demo-data job completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
[ "$(jq -r .status <<<"$HTTP_BODY")" = completed ] || jq . <<<"$HTTP_BODY"
expect "its result counts the tables of three industries" "5 3" "$(jq -r '"\(.result.tables) \(.result.schemas)"' <<<"$HTTP_BODY")"
expect "progress reached the total" true "$(jq '.progress.completed == .progress.total and .progress.total > 10' <<<"$HTTP_BODY")"
expect "scale_factor 0.1 gives 20 customers" '[["20"]]' "$(lh_sql 'SELECT count(*) FROM demo_source.bronze.customers')"
expect "and 30 financial transactions" '[["30"]]' "$(lh_sql 'SELECT count(*) FROM demo_source.bronze.transactions')"
expect "tables have several versions of history" true \
  "$(lh_sql 'DESCRIBE HISTORY demo_source.bronze.transactions' | jq 'length >= 4')"
expect "the volume holds the sample files" '["README.txt","financial","retail"]' \
  "$(curl -s -H "Authorization: Bearer $(cat "$STATE/lakehouse.token")" \
     "$LH_BASE/api/2.0/fs/directories/Volumes/demo_source/bronze/landing" | jq -c '[.contents[].name] | sort')"
expect "a sample file has its header and rows" "id,name,email,region,created 21" \
  "$(curl -s -H "Authorization: Bearer $(cat "$STATE/lakehouse.token")" \
     "$LH_BASE/api/2.0/fs/files/Volumes/demo_source/bronze/landing/retail/customers.csv" | { read -r h; echo "$h $(($(wc -l) + 1))"; })"

# --- catalog browsing ------------------------------------------------------------------
http GET /api/catalogs
expect "GET /api/catalogs is an array of names with the demo" true "$(jq 'type == "array" and index("demo_source") != null' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/schemas
expect "schemas without information_schema and default" '["bronze","gold","silver"]' "$(jq -c 'sort' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/info
expect "catalog info has the documented fields" '["comment","name","owner","storage_root"]' "$(jq -c 'keys' <<<"$HTTP_BODY")"
expect "catalog info names it" demo_source "$(jq -r .name <<<"$HTTP_BODY")"
expect "and carries its comment" true "$(jq '.comment | startswith("Clone-Xs demo catalog")' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/bronze/tables
expect "tables of bronze" '["accounts","customers","orders","patients","transactions"]' "$(jq -c 'sort' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/bronze/tables/with-format
expect "tables with their format" '{"name":"customers","table_type":"MANAGED","data_source_format":"DELTA"}' \
  "$(jq -c '.[] | select(.name == "customers")' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/silver/objects
expect "objects of silver" '{"functions":["mask_email","region_filter","value_band"],"tables":[],"views":["orders_clean","transactions_enriched"],"volumes":[]}' \
  "$(jq -cS 'map_values(sort)' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/bronze/objects
expect "bronze has the volume" '["landing"]' "$(jq -c .volumes <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/bronze/orders/info
expect "table info has the documented fields" '["catalog","columns","name","owner","properties","schema","storage_location","table_type"]' \
  "$(jq -c '[keys[] | select(IN("comment", "data_source_format", "grants", "tags", "constraints", "history", "unavailable") | not)]' <<<"$HTTP_BODY")"
expect "its first column" '{"name":"id","type":"BIGINT","nullable":false}' "$(jq -c '.columns[0] | {name, type, nullable}' <<<"$HTTP_BODY")"
expect "its properties carry the demo marker" clone-xs "$(jq -r '.properties["demo.generated_by"]' <<<"$HTTP_BODY")"
expect "its type" "MANAGED demo_source bronze" "$(jq -r '"\(.table_type) \(.catalog) \(.schema)"' <<<"$HTTP_BODY")"

# --- table info extras for the Explorer's drawer: grants, tags, constraints, history ---------------
expect "every extra piece was read" '[]' "$(jq -c .unavailable <<<"$HTTP_BODY")"
expect "its own grants (etl), not the schema's or catalog's" '[{"principal":"etl","privileges":["MODIFY","SELECT"]}]' \
  "$(jq -c .grants <<<"$HTTP_BODY")"
expect "its table tags" '[{"tag_name":"domain","tag_value":"sales","column_name":null},{"tag_name":"industry","tag_value":"retail","column_name":null}]' \
  "$(jq -c .tags <<<"$HTTP_BODY")"
expect "its constraints: CHECK, FOREIGN KEY, PRIMARY KEY" \
  '[{"name":"amount_non_negative","type":"CHECK","expression":"`amount` >= 0","columns":[],"definition":"CHECK (`amount` >= 0)"},{"name":"orders_customer_fk","type":"FOREIGN KEY","columns":["customer_id"],"references":{"catalog":"demo_source","schema":"bronze","table":"customers","columns":["id"]},"definition":"FOREIGN KEY (`customer_id`) REFERENCES `demo_source`.`bronze`.`customers` (`id`)"},{"name":"orders_pk","type":"PRIMARY KEY","columns":["id"],"definition":"PRIMARY KEY (`id`)"}]' \
  "$(jq -c .constraints <<<"$HTTP_BODY")"
expect "its history has several versions, newest first" true \
  "$(jq '(.history | length) >= 4 and ([.history[].version] == ([.history[].version] | sort | reverse))' <<<"$HTTP_BODY")"
expect "history matches DESCRIBE HISTORY" "$(lh_sql 'DESCRIBE HISTORY demo_source.bronze.orders' | jq -c '[.[] | .[0] | tonumber]')" \
  "$(jq -c '[.history[].version]' <<<"$HTTP_BODY")"
expect "history rows have when, what and who" true \
  "$(jq '.history | all((.timestamp | type) == "string" and (.operation | type) == "string" and (.user | type) == "string")' <<<"$HTTP_BODY")"
expect "the first version created the table" "CREATE TABLE" "$(jq -r '.history[-1].operation' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/bronze/customers/info
expect "column tags name their column" '[{"tag_name":"pii","tag_value":"email","column_name":"email"}]' \
  "$(jq -c '[.tags[] | select(.column_name != null)]' <<<"$HTTP_BODY")"
expect "a table without grants has none" '[]' "$(jq -c .grants <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/silver/orders_clean/info
expect "a view: no history, no constraints, nothing unavailable" '[] [] []' \
  "$(jq -c '.history, .constraints, .unavailable' <<<"$HTTP_BODY" | paste -sd' ')"
# A workspace reached over HTTP without a SQL warehouse: grants still come
# from the permissions API, the SQL pieces are said to be unavailable.
LH_HDR=(-H "X-Databricks-Host: $LH_BASE" -H "X-Databricks-Token: $(cat "$STATE/lakehouse.token")")
http GET /api/catalogs/demo_source/bronze/orders/info "${LH_HDR[@]}"
expect "without a warehouse the response is still 200 with the reference's fields" "200 MANAGED 5" \
  "$HTTP_CODE $(jq -r '"\(.table_type) \(.columns | length)"' <<<"$HTTP_BODY")"
expect "grants come from the permissions API" '[{"principal":"etl","privileges":["MODIFY","SELECT"]}]' "$(jq -c .grants <<<"$HTTP_BODY")"
expect "the SQL pieces are empty lists" '[] [] []' "$(jq -c '.tags, .history, [.constraints[] | select(.type != "CHECK")]' <<<"$HTTP_BODY" | paste -sd' ')"
expect "and noted as unavailable" '["constraints","history","tags"]' "$(jq -c '[.unavailable[].field] | unique' <<<"$HTTP_BODY")"
expect "notes say why" true "$(jq '.unavailable | all(.message | test("warehouse"))' <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/bronze/orders/info "${LH_HDR[@]}" -H "X-Databricks-Warehouse-Id: c10e5ca1e0000001"
expect "with a warehouse over HTTP every piece is read" "[] 3 2" \
  "$(jq -c '.unavailable, (.constraints | length), (.tags | length)' <<<"$HTTP_BODY" | paste -sd' ')"

# --- 404s ------------------------------------------------------------------------------------
for path in /api/catalogs/nope/schemas /api/catalogs/nope/info /api/catalogs/nope/bronze/tables \
            /api/catalogs/nope/bronze/objects /api/catalogs/nope/bronze/orders/info; do
  http GET "$path"
  expect "$path is 404 naming the catalog" "404 catalog 'nope' not found" "$HTTP_CODE $(jq -r .message <<<"$HTTP_BODY")"
done
http GET /api/catalogs/demo_source/nope/tables
expect "an unknown schema is 404" "404 schema" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http GET /api/catalogs/demo_source/nope/tables/with-format
expect "with-format on an unknown schema is 404" 404 "$HTTP_CODE"
http GET /api/catalogs/demo_source/bronze/nope/info
expect "an unknown table is 404" "404 table" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- names with backticks, quotes, spaces, semicolons and dots ----------------------------------
odd_cat='odd `cat; 1'
odd_schema='we`ird; s'
odd_table="it's a \"table\"; --"
q() { local x=${1//\`/\`\`}; printf '`%s`' "$x"; }
"$CLXS" sql "CREATE CATALOG $(q "$odd_cat")" >/dev/null &&
  "$CLXS" sql "CREATE SCHEMA $(q "$odd_cat").$(q "$odd_schema")" >/dev/null &&
  "$CLXS" sql "CREATE TABLE $(q "$odd_cat").$(q "$odd_schema").$(q "$odd_table") ($(q 'col; 1') INT NOT NULL)" >/dev/null ||
  bad "could not build the odd catalog"
http GET "/api/catalogs/$(enc "$odd_cat")/schemas"
expect "the odd schema is listed" "[\"$odd_schema\"]" "$(jq -c . <<<"$HTTP_BODY")"
http GET "/api/catalogs/$(enc "$odd_cat")/$(enc "$odd_schema")/tables"
expect "the odd table is listed" "$odd_table" "$(jq -r '.[0]' <<<"$HTTP_BODY")"
http GET "/api/catalogs/$(enc "$odd_cat")/$(enc "$odd_schema")/$(enc "$odd_table")/info"
expect "the odd table's info" "200 col; 1 INT" "$HTTP_CODE $(jq -r '.columns[0] | "\(.name) \(.type)"' <<<"$HTTP_BODY")"
http GET "/api/catalogs/$(enc "$odd_cat")/info"
expect "the odd catalog's info" "$odd_cat" "$(jq -r .name <<<"$HTTP_BODY")"
http GET "/api/catalogs/$(enc "$odd_cat")/$(enc "$odd_schema")/objects"
expect "the odd schema's objects" "$odd_table" "$(jq -r '.tables[0]' <<<"$HTTP_BODY")"

# The drawer's extras on odd names: grants, tags, constraints and history
# of a table whose every name needs quoting (Unity Catalog names cannot
# hold a dot, so the permissions API can address every table).
odd_t=$(printf '%s.%s.%s' "$(q "$odd_cat")" "$(q "$odd_schema")" "$(q "$odd_table")")
odd_user='o`dd; us"er'
for stmt in "GRANT SELECT ON TABLE $odd_t TO $(q "$odd_user")" \
            "ALTER TABLE $odd_t SET TAGS ('it\\'s' = 'a \"v\"; 1')" \
            "ALTER TABLE $odd_t ALTER COLUMN $(q 'col; 1') SET TAGS ('pii' = 'x')" \
            "ALTER TABLE $odd_t ADD CONSTRAINT $(q "ch'k; 1") CHECK ($(q 'col; 1') > 0)"; do
  "$CLXS" sql "$stmt" >/dev/null || bad "could not run: $stmt"
done
for i in $(seq 1 21); do
  lh_sql "INSERT INTO $odd_t VALUES ($i)" | jq -e 'type == "array"' >/dev/null || bad "could not insert row $i into the odd table"
done
http GET "/api/catalogs/$(enc "$odd_cat")/$(enc "$odd_schema")/$(enc "$odd_table")/info"
expect "odd table: nothing unavailable" "200 []" "$HTTP_CODE $(jq -c .unavailable <<<"$HTTP_BODY")"
expect "odd table: its grant" "$(jq -nc --arg u "$odd_user" '[{principal: $u, privileges: ["SELECT"]}]')" "$(jq -c .grants <<<"$HTTP_BODY")"
expect "odd table: table and column tags" "$(jq -nc '[{tag_name: "it'"'"'s", tag_value: "a \"v\"; 1", column_name: null}, {tag_name: "pii", tag_value: "x", column_name: "col; 1"}]')" \
  "$(jq -c .tags <<<"$HTTP_BODY")"
expect "odd table: its CHECK" "$(jq -nc '[{name: "ch'"'"'k; 1", type: "CHECK", expression: "`col; 1` > 0"}]')" \
  "$(jq -c '[.constraints[] | {name, type, expression}]' <<<"$HTTP_BODY")"
expect "history keeps the newest 20 versions" "20 $(lh_sql "DESCRIBE HISTORY $odd_t LIMIT 20" | jq -c '[.[] | .[0] | tonumber]')" \
  "$(jq -c '.history | length, [.[].version]' <<<"$HTTP_BODY" | paste -sd' ')"
expect "of more" true "$(lh_sql "DESCRIBE HISTORY $odd_t" | jq 'length > 20')"
expect "the newest is the last insert" WRITE "$(jq -r '.history[0].operation' <<<"$HTTP_BODY")"

# --- uc-objects -------------------------------------------------------------------------------
http GET /api/uc-objects
expect "GET /api/uc-objects is 200" 200 "$HTTP_CODE"
expect "it has every documented section" '["connections","external_locations","metastore","recipients","registered_models","shares","storage_credentials"]' \
  "$(jq -c '[keys[] | select(. != "unavailable")]' <<<"$HTTP_BODY")"
expect "lists are arrays" true "$(jq '[.external_locations, .storage_credentials, .connections, .registered_models, .shares, .recipients] | all(type == "array")' <<<"$HTTP_BODY")"
expect "what the lakehouse lacks is said, not hidden" true "$(jq '.unavailable.external_locations | type == "string"' <<<"$HTTP_BODY")"

# --- demo catalogs listing --------------------------------------------------------------------
http GET /api/generate/demo-data/catalogs
expect "GET demo-data/catalogs is 200" 200 "$HTTP_CODE"
# Schemas: bronze, silver, gold and the catalog's default (information_schema is not counted).
expect "the demo catalog is flagged" "true 5 4 null" \
  "$(jq -r '.catalogs[] | select(.name == "demo_source") | "\(.is_demo) \(.num_demo_tables) \(.num_schemas) \(.error)"' <<<"$HTTP_BODY")"
expect "a plain catalog is not" false "$(jq -r --arg c "$odd_cat" '.catalogs[] | select(.name == $c) | .is_demo' <<<"$HTTP_BODY")"
expect "rows have the documented fields" '["comment","created_at","error","is_demo","name","num_demo_tables","num_schemas","num_tables","owner"]' \
  "$(jq -c '.catalogs[0] | keys' <<<"$HTTP_BODY")"
expect "total and demo_only" "false true" "$(jq -r '"\(.demo_only) \(.total == (.catalogs | length))"' <<<"$HTTP_BODY")"
http GET '/api/generate/demo-data/catalogs?demo_only=true'
expect "demo_only keeps only demo catalogs" '["demo_source"]' "$(jq -c '[.catalogs[].name]' <<<"$HTTP_BODY")"
http GET '/api/generate/demo-data/catalogs?demo_only=maybe'
expect "a bad demo_only is 422" "422 demo_only" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- demo data: validation, conflicts, scale, auto-clone, cleanup --------------------------------
http POST /api/generate/demo-data "${JSON[@]}" --data-binary '{"industries": ["retail"]}'
expect "catalog_name is required" "422 catalog_name" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/generate/demo-data "${JSON[@]}" --data-binary '{"catalog_name": "x", "industries": ["mining"]}'
expect "an unknown industry is 422" "422 industries" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/generate/demo-data "${JSON[@]}" --data-binary '{"catalog_name": "x", "scale_factor": -1}'
expect "a negative scale is 422" "422 scale_factor" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/generate/demo-data "${JSON[@]}" --data-binary '{"catalog_name": "demo_source"}'
run_job "a demo job over an existing catalog" "$(jq -r .job_id <<<"$HTTP_BODY")"
expect "a demo job never overwrites an existing catalog" "failed true" \
  "$(jq -r '"\(.status) \(.error | test("already exists"))"' <<<"$HTTP_BODY")"

http POST /api/generate/demo-data "${JSON[@]}" \
  --data-binary '{"catalog_name": "demo_b", "scale_factor": 0.2, "max_workers": 2, "dest_catalog": "demo_b_copy"}'
run_job "the demo job with dest_catalog" "$(jq -r .job_id <<<"$HTTP_BODY")"
expect "the demo job with dest_catalog completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
clone_job=$(jq -r .result.clone_job_id <<<"$HTTP_BODY")
expect "it queued a clone job" 16 "${#clone_job}"
expect "scale_factor 0.2 doubles the customers" '[["40"]]' "$(lh_sql 'SELECT count(*) FROM demo_b.bronze.customers')"
run_job "the auto-clone" "$clone_job"
expect "the auto-clone completed" "completed 0" "$(jq -r '"\(.status) \(.result.objects_failed)"' <<<"$HTTP_BODY")"
[ "$(jq -r .status <<<"$HTTP_BODY")" = completed ] || jq -c '{error, result: (.result.objects // [] | map(select(.status == "failed")))}' <<<"$HTTP_BODY"
for t in orders claims listings; do
  expect "the clone has the demo's $t" "$(lh_sql "SELECT count(*) FROM demo_b.bronze.$t")" \
    "$(lh_sql "SELECT count(*) FROM demo_b_copy.bronze.$t")"
done
expect "the clone's gold view (a UDF over a silver view) answers as the source's" "$(lh_sql 'SELECT * FROM demo_b.gold.insurance_kpis ORDER BY 1, 2')" \
  "$(lh_sql 'SELECT * FROM demo_b_copy.gold.insurance_kpis ORDER BY 1, 2')"
expect "the clone's views name only the clone" '[["0"]]' \
  "$(lh_sql "SELECT count(*) FROM demo_b_copy.information_schema.views WHERE instr(view_definition, 'demo_b.') > 0 OR instr(view_definition, '\`demo_b\`') > 0")"
expect "all ten industries were built" 19 "$(lh_sql "SELECT count(*) FROM demo_b.information_schema.tables WHERE table_schema = 'bronze'" | jq -r '.[0][0]')"

http POST /api/generate/demo-data "${JSON[@]}" \
  --data-binary '{"catalog_name": "demo_b", "industries": ["retail"], "scale_factor": 0.05, "drop_existing": true}'
run_job "a rebuild with drop_existing" "$(jq -r .job_id <<<"$HTTP_BODY")"
expect "drop_existing rebuilds a demo catalog" "completed [[\"10\"]]" \
  "$(jq -r .status <<<"$HTTP_BODY") $(lh_sql 'SELECT count(*) FROM demo_b.bronze.customers')"

http DELETE /api/generate/demo-data/demo_b
expect "DELETE drops a demo catalog (with its default schema)" "200 cleaned 4" "$HTTP_CODE $(jq -r '"\(.status) \(.schemas_dropped)"' <<<"$HTTP_BODY")"
expect "with the documented fields" '["catalog","schemas_dropped","status","tables_dropped"]' "$(jq -c keys <<<"$HTTP_BODY")"
expect "the catalog is gone" '[]' "$(lh_sql "SHOW CATALOGS LIKE 'demo_b'")"
http DELETE /api/generate/demo-data/demo_b
expect "DELETE of a missing catalog is 404" 404 "$HTTP_CODE"
http DELETE "/api/generate/demo-data/$(enc "$odd_cat")"
expect "DELETE refuses a catalog that is not a demo catalog" 409 "$HTTP_CODE"
expect "and leaves it alone" "[[\"$odd_cat\"]]" "$(lh_sql "SHOW CATALOGS LIKE 'odd*'")"

# --- multi-clone ---------------------------------------------------------------------------------
http POST /api/multi-clone "${JSON[@]}" \
  --data-binary '{"source_catalog": "demo_source", "destinations": [{"catalog": "mc_1"}, {"catalog": "mc_2"}], "clone_type": "DEEP"}'
expect "POST /api/multi-clone is 200" 200 "$HTTP_CODE"
expect "one queued job per destination" "mc_1 queued,mc_2 queued" \
  "$(jq -r 'map("\(.destination) \(.status)") | join(",")' <<<"$HTTP_BODY")"
for j in $(jq -r '.[].job_id' <<<"$HTTP_BODY"); do
  run_job "multi-clone job" "$j"
  expect "multi-clone job $j completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
done
for d in mc_1 mc_2; do
  expect "$d has the source's rows" "$(lh_sql 'SELECT count(*) FROM demo_source.bronze.transactions')" \
    "$(lh_sql "SELECT count(*) FROM $d.bronze.transactions")"
done
http POST /api/multi-clone "${JSON[@]}" --data-binary '{"source_catalog": "demo_source", "destinations": []}'
expect "no destinations is 422" "422 destinations" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/multi-clone "${JSON[@]}" --data-binary '{"source_catalog": "demo_source", "destinations": [{"catalog": "a"}, {"catalog": "a"}]}'
expect "a repeated destination is 422" "422 destinations[1]" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
njobs=$(curl -s "$BASE/api/clone/jobs" | jq length)
http POST /api/multi-clone "${JSON[@]}" --data-binary '{"source_catalog": "demo_source", "destinations": [{"catalog": "ok_1"}, {"catalog": "demo_source"}]}'
expect "a destination equal to the source is 422 naming it" "422 destinations[1].destination_catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
expect "and nothing was queued" "$njobs" "$(curl -s "$BASE/api/clone/jobs" | jq length)"

# --- the OpenAPI document lists the routes with their inputs ------------------------------------
http GET /api/openapi.json
expect "demo-data's body schema is published" '"catalog_name"' \
  "$(jq -c '.paths["/api/generate/demo-data"].post.requestBody.content["application/json"].schema.required[0]' <<<"$HTTP_BODY")"
expect "table info has three path parameters" 3 "$(jq '.paths["/api/catalogs/{catalog}/{schema}/{table}/info"].get.parameters | length' <<<"$HTTP_BODY")"
expect "demo_only is a documented query parameter" '"demo_only"' \
  "$(jq -c '.paths["/api/generate/demo-data/catalogs"].get.parameters[0].name' <<<"$HTTP_BODY")"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
