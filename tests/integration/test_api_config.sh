#!/usr/bin/env bash
# Config, Cache Management and the operations views through nginx against
# the real stack: config files round-trip, stay inside the config folder,
# and are edited through libyaml; the metadata cache counts real discovery
# hits and is invalidated by clones; notifications, catalog health and
# metrics come from real jobs.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 1
export CLXS_STATE_DIR=$STATE
CFG=$STATE/config
J='Content-Type: application/json'
# A config PUT below sets server.api_token, which the API then requires:
# every request carries it (ignored while no token is configured).
TOKEN=tok-very-secret-2026
eval "$(declare -f http | sed '1s/^http/lib_http/')"
http() { lib_http "$@" -H "X-API-Token: $TOKEN"; }

# jq_is DESCRIPTION JQ-FILTER: the filter is true on the last body
jq_is() {
  if [ "$(jq -r "$2" <<<"$HTTP_BODY" 2>/dev/null)" = true ]; then ok "$1"; else bad "$1: $HTTP_CODE $HTTP_BODY"; fi
}

# --- GET with nothing configured: the defaults -------------------------------------------
http GET /api/config
expect "GET /api/config answers 200" 200 "$HTTP_CODE"
jq_is "with no file it is the defaults" '.max_workers == 4 and .clone_type == "DEEP" and .audit_trail.schema == "logs"'
http GET /api/config/profiles
expect "no profiles yet" '200 {"profiles":[]}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
http GET '/api/config?path=nope.yaml'
expect "a named file without a config folder: 404" 404 "$HTTP_CODE"
case $HTTP_BODY in *"$STATE"*) bad "the 404 shows the server's path: $HTTP_BODY" ;; *) ok "the 404 shows no server path" ;; esac

# --- PUT then GET round-trips (the reference's example) -------------------------------------
http PUT /api/config -H "$J" -d '{"yaml_content": "source_catalog: prod\ndestination_catalog: prod_clone\n"}'
expect "PUT the example" 200 "$HTTP_CODE"
jq_is "PUT says saved" '.status == "saved"'
expect "the file is written verbatim in STATE/config" "$(printf 'source_catalog: prod\ndestination_catalog: prod_clone\n')" "$(cat "$CFG/clone_config.yaml")"
all=true
for _ in 1 2 3 4 5 6; do  # both workers see the new file
  http GET /api/config
  [ "$(jq -r .source_catalog <<<"$HTTP_BODY")" = prod ] || all=false
done
expect "every worker reads what was written" true "$all"

YAML='source_catalog: prod
max_workers: 3
server:
  api_token: tok-very-secret-2026
profiles:
  dev:
    max_workers: 1
    destination_catalog: dev_clone
  prod:
    destination_catalog: prod_clone
'
# A token shorter than 16 characters is refused, as clxs serve refuses it.
before=$(cat "$CFG/clone_config.yaml")
http PUT /api/config -H "$J" -d "$(jq -n --arg y "${YAML/tok-very-secret-2026/tok-very-secret}" '{yaml_content: $y}')"
expect "a 15-character token is 422 naming server.api_token" "422 server.api_token" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
expect "the short token is not echoed" "" "$(grep -o tok-very-secret <<<"$HTTP_BODY")"
expect "nothing was written" "$before" "$(cat "$CFG/clone_config.yaml")"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/config")
expect "and no token is required" 200 "$code"
http PUT /api/config -H "$J" -d "$(jq -n --arg y "$YAML" '{yaml_content: $y}')"
expect "PUT a config with profiles and a token" 200 "$HTTP_CODE"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/config")
expect "the new token is required at once" 401 "$code"
http GET /api/config
jq_is "the token is masked in GET" '.server.api_token == "********" and .max_workers == 3'
expect "the token is not in the body" "" "$(grep -o tok-very-secret-2026 <<<"$HTTP_BODY")"
http GET /api/config/profiles
expect "GET profiles lists them in file order" '{"profiles":["dev","prod"]}' "$(jq -c . <<<"$HTTP_BODY")"
http GET '/api/config?profile=dev'
jq_is "?profile=dev merges the profile" '.max_workers == 1 and .destination_catalog == "dev_clone"'
http GET '/api/config?profile=nope'
expect "an unknown profile is 404" 404 "$HTTP_CODE"
# A client that PUTs back the mask keeps the stored token.
http PUT /api/config -H "$J" -d "$(jq -n --arg y "${YAML/tok-very-secret-2026/\"********\"}" '{yaml_content: $y}')"
expect "PUT with the masked token" 200 "$HTTP_CODE"
expect "the real token stays in the file" 1 "$(grep -c tok-very-secret-2026 "$CFG/clone_config.yaml")"

# --- invalid values: 422 naming the field, nothing written ----------------------------------
before=$(cat "$CFG/clone_config.yaml")
http PUT /api/config -H "$J" -d '{"yaml_content": "max_workers: 0\n"}'
expect "max_workers: 0 is 422" 422 "$HTTP_CODE"
expect "naming max_workers" max_workers "$(jq -r .detail <<<"$HTTP_BODY")"
http PUT /api/config -H "$J" -d '{"yaml_content": "a: [1, 2\n"}'
expect "YAML that does not parse is 422 naming yaml_content" "422 yaml_content" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PUT /api/config -H "$J" -d '{"yaml_content": "profiles:\n  dev:\n    clone_type: FAST\n"}'
expect "a bad value inside a profile is 422" "422 clone_type" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PUT /api/config -H "$J" -d '{"path": "x.yaml"}'
expect "yaml_content is required" "422 yaml_content" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PUT /api/config -H "$J" -d '{"yaml_content": 5}'
expect "yaml_content must be a string" "422 yaml_content" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
expect "the file did not change" "$before" "$(cat "$CFG/clone_config.yaml")"

# --- paths stay inside the config folder -------------------------------------------------------
OUT=$(mktemp -d /tmp/clxs-it-outside-XXXXXX)
echo 'max_workers: 9' >"$OUT/target.yaml"
ln -s "$OUT/target.yaml" "$CFG/link.yaml"
ln -s "$OUT" "$CFG/linkdir"
for p in ../evil.yaml config/../../evil.yaml /tmp/evil.yaml "$OUT/target.yaml" link.yaml linkdir/target.yaml linkdir/new.yaml notes.txt; do
  http PUT /api/config -H "$J" -d "$(jq -n --arg p "$p" '{yaml_content: "max_workers: 1\n", path: $p}')"
  expect "PUT path $p is 400 naming path" "400 path" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
done
for p in ../lmdb/data.mdb.yaml link.yaml %2Fetc%2Fpasswd.yaml; do
  http GET "/api/config?path=$p"
  expect "GET ?path=$p is 400" 400 "$HTTP_CODE"
done
long=$(printf 'a%.0s' $(seq 1100)).yaml
http GET "/api/config?path=$long"
expect "GET ?path=<1104 chars> is 422 naming path, not the config in use" "422 path" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http GET "/api/config?path=%zz.yaml"
expect "GET ?path with a bad escape is 422 naming path" "422 path" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http GET "/api/config/profiles?path=linkdir/target.yaml"
expect "GET profiles through a symlinked folder is 400" 400 "$HTTP_CODE"
expect "the file outside is untouched" "max_workers: 9" "$(cat "$OUT/target.yaml")"
expect "nothing new outside" "target.yaml" "$(ls "$OUT")"
expect "no evil.yaml anywhere near" "" "$(ls "$STATE"/evil.yaml "$STATE"/../evil.yaml /tmp/evil.yaml 2>/dev/null)"
rm -rf "$OUT"

# --- a second file and POST /api/config/diff ------------------------------------------------
http PUT /api/config -H "$J" -d "$(jq -n '{yaml_content: "source_catalog: staging\nmax_workers: 3\nclone_type: SHALLOW\nserver:\n  api_token: other-token-0123456789\n", path: "config/other.yaml"}')"
expect "PUT to config/other.yaml" "200 config/other.yaml" "$HTTP_CODE $(jq -r .path <<<"$HTTP_BODY")"
[ -f "$CFG/other.yaml" ] && ok "other.yaml is in the config folder" || bad "other.yaml missing"
http GET '/api/config?path=other.yaml'
jq_is "GET ?path=other.yaml reads it" '.source_catalog == "staging"'
http POST /api/config/diff -H "$J" -d '{"file_a": "clone_config.yaml", "file_b": "config/other.yaml"}'
expect "diff answers 200" 200 "$HTTP_CODE"
jq_is "source_catalog changed" '.differences | any(.key == "source_catalog" and .change == "changed" and .a == "prod" and .b == "staging")'
jq_is "clone_type was added, profiles removed" '(.differences | any(.key == "clone_type" and .change == "added")) and (.differences | any(.key == "profiles.dev.max_workers" and .change == "removed"))'
jq_is "equal keys are not listed" '(.differences | any(.key == "max_workers")) | not'
jq_is "tokens differ but stay masked" '.differences | any(.key == "server.api_token" and .a == "********" and .b == "********")'
jq_is "identical/total_differences" '.identical == false and .total_differences == (.differences | length)'
http POST /api/config/diff -H "$J" -d '{"file_a": "clone_config.yaml", "file_b": "clone_config.yaml"}'
jq_is "a file equals itself" '.identical == true and .total_differences == 0'
http POST /api/config/diff -H "$J" -d '{"file_a": "clone_config.yaml", "file_b": "../lmdb/x.yaml"}'
expect "diff with a traversal is 400 naming file_b" "400 file_b" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/config/diff -H "$J" -d '{"file_a": "missing.yaml", "file_b": "other.yaml"}'
expect "diff with a missing file is 404 naming file_a" "404 file_a" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/config/diff -H "$J" -d '{"file_a": "other.yaml"}'
expect "file_b is required" "422 file_b" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- the Settings PATCHes edit the file through libyaml ---------------------------------------
http PATCH /api/config/warehouse -H "$J" -d '{"warehouse_id": "abcd1234efgh5678"}'
expect "PATCH warehouse answers the documented shape" '200 {"status":"saved","sql_warehouse_id":"abcd1234efgh5678"}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
http GET /api/config
jq_is "GET shows the new warehouse" '.sql_warehouse_id == "abcd1234efgh5678"'
http GET /api/config/profiles
expect "profiles survive the edit" '{"profiles":["dev","prod"]}' "$(jq -c . <<<"$HTTP_BODY")"
expect "the token survives the edit" 1 "$(grep -c tok-very-secret-2026 "$CFG/clone_config.yaml")"
http PATCH /api/config/warehouse -H "$J" -d '{"warehouse_id": "x; rm -rf /"}'
expect "a bad warehouse id is 422 naming it" "422 warehouse_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PATCH /api/config/warehouse -H "$J" -d '{}'
expect "warehouse_id is required" "422 warehouse_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

http PATCH /api/config/performance -H "$J" -d '{"max_workers": 8, "parallel_tables": 2}'
expect "PATCH performance" '200 {"status":"saved"}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
all=true
for _ in 1 2 3 4; do
  http GET /api/config
  [ "$(jq -c '[.max_workers, .parallel_tables, .max_parallel_queries]' <<<"$HTTP_BODY")" = '[8,2,10]' ] || all=false
done
expect "only the given fields changed, on every worker" true "$all"
http PATCH /api/config/performance -H "$J" -d '{"max_workers": 0}'
expect "max_workers 0 is 422 naming it" "422 max_workers" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PATCH /api/config/performance -H "$J" -d '{"parallel_tables": "2"}'
expect "a string is 422 naming the field" "422 parallel_tables" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PATCH /api/config/performance -H "$J" -d '{"threads": 2}'
expect "an unknown field is 422 naming it" "422 threads" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

http PATCH /api/config/pricing -H "$J" -d '{"price_per_gb": 0.023, "currency": "USD"}'
expect "PATCH pricing answers the documented shape" '200 {"status":"saved","price_per_gb":0.023,"currency":"USD"}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
http PATCH /api/config/pricing -H "$J" -d '{"currency": "gbp"}'
expect "a partial pricing update keeps the price" '{"status":"saved","price_per_gb":0.023,"currency":"GBP"}' "$(jq -c . <<<"$HTTP_BODY")"
http PATCH /api/config/pricing -H "$J" -d '{"currency": "EURO"}'
expect "a bad currency is 422 naming it" "422 currency" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PATCH /api/config/pricing -H "$J" -d '{"price_per_gb": -1}'
expect "a negative price is 422 naming it" "422 price_per_gb" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

http POST /api/config/audit -H "$J" -d '{}'
expect "POST audit with the defaults" '200 {"status":"saved","catalog":"clone_audit","schema":"logs"}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
http POST /api/config/audit -H "$J" -d '{"catalog": "my_audit", "schema": "trail"}'
http GET /api/config
jq_is "GET shows the audit trail" '.audit_trail == {"catalog": "my_audit", "schema": "trail"}'
http POST /api/config/audit -H "$J" -d '{"catalog": ""}'
expect "an empty audit catalog is 422" "422 catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/config/audit -H "$J" -d '{"catalog": "clone_audit", "schema": "logs"}'
expect "the edited file still starts with the original key" source_catalog "$(head -n1 "$CFG/clone_config.yaml" | cut -d: -f1)"

# --- streaming form limits ------------------------------------------------------------------
http GET /api/config/streaming-limits
expect "streaming limits default to the documented shape" \
  '{"events_per_batch":{"default":100,"min":1,"max":10000},"interval_seconds":{"default":5,"min":0.1,"max":300},"total_duration_seconds":{"default":60,"min":1,"max":3600}}' \
  "$(jq -c . <<<"$HTTP_BODY")"
http PATCH /api/config/streaming-limits -H "$J" -d '{"events_per_batch": {"max": 50000}, "total_duration_seconds": {"default": 120}}'
expect "PATCH the documented example" \
  '200 {"status":"saved","limits":{"events_per_batch":{"default":100,"min":1,"max":50000},"interval_seconds":{"default":5,"min":0.1,"max":300},"total_duration_seconds":{"default":120,"min":1,"max":3600}}}' \
  "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
[ -f "$CFG/streaming_limits.json" ] && ok "stored in config/streaming_limits.json" || bad "no streaming_limits.json"
http GET /api/config/streaming-limits
jq_is "GET reflects the PATCH" '.events_per_batch.max == 50000 and .total_duration_seconds.default == 120'
before=$(cat "$CFG/streaming_limits.json")
http PATCH /api/config/streaming-limits -H "$J" -d '{"events_per_batch": {"min": 200}}'
expect "min above default is 400 naming the field (as the reference says)" "400 events_per_batch" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http PATCH /api/config/streaming-limits -H "$J" -d '{"interval_seconds": {"max": "x"}}'
expect "a wrong type is 422 naming the bound" "422 interval_seconds.max" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
expect "the limits file did not change" "$before" "$(cat "$CFG/streaming_limits.json")"

# --- templates ----------------------------------------------------------------------------------
http GET /api/templates
jq_is "templates: a list of name/description/clone_type" 'type == "array" and length > 0 and all(.[]; (.name | type) == "string" and (.description | type) == "string" and (.clone_type == "DEEP" or .clone_type == "SHALLOW"))'
jq_is "dev-refresh is the documented example" 'any(.[]; .name == "dev-refresh" and .description == "Refresh dev from prod" and .clone_type == "SHALLOW")'

# --- the metadata cache -------------------------------------------------------------------------
http GET /api/cache/stats
expect "cache stats: the documented shape" '200 {"hits":0,"misses":0,"size":0,"ttl_seconds":300}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
"$CLXS" demo-data --catalog demo >/dev/null && ok "demo catalog built" || bad "demo-data"

job_done() { http GET "/api/clone/$1"; case $(jq -r .status <<<"$HTTP_BODY") in completed|failed|cancelled) return 0;; esac; return 1; }
# clone SRC DST [DRY]: submit through the API and wait; JOB and JOB_BODY are set
clone() {
  http POST /api/clone -H "$J" -d "$(jq -n --arg s "$1" --arg d "$2" --argjson dry "${3:-false}" \
    '{source_catalog: $s, destination_catalog: $d, dry_run: $dry}')"
  JOB=$(jq -r .job_id <<<"$HTTP_BODY")
  wait_for "clone job $JOB" 120 job_done "$JOB"
  JOB_BODY=$HTTP_BODY
}
from_cache() { jq -r '[.logs[] | select(test("metadata cache"))] | length' <<<"$JOB_BODY"; }

clone demo demo_c true
expect "a first dry run completes" completed "$(jq -r .status <<<"$JOB_BODY")"
expect "and reads the source itself" 0 "$(from_cache)"
clone demo demo_c true
expect "a second discovery of demo comes from the cache" 1 "$(from_cache)"
http GET /api/cache/stats
jq_is "stats count the hit and the miss" '.hits == 1 and .misses == 1 and .size == 1'

clone demo demo_c
expect "a real clone into demo_c completes" completed "$(jq -r .status <<<"$JOB_BODY")"
FIRST_CLONE=$JOB
clone demo_c demo_d true
expect "discovering demo_c: a miss" 0 "$(from_cache)"
clone demo_c demo_d true
expect "discovering demo_c again: a hit" 1 "$(from_cache)"
clone demo demo_c
expect "cloning into demo_c again completes" completed "$(jq -r .status <<<"$JOB_BODY")"
clone demo_c demo_d true
expect "the clone invalidated demo_c: a miss again" 0 "$(from_cache)"

http POST /api/cache/invalidate -H "$J" -d '{"catalog": "demo"}'
expect "invalidate demo: the documented shape" '200 {"status":"invalidated","catalog":"demo","entries_removed":1}' "$HTTP_CODE $(jq -c . <<<"$HTTP_BODY")"
http POST /api/cache/invalidate -H "$J" -d '{"catalog": "demo"}'
jq_is "invalidating again removes nothing" '.entries_removed == 0'
http POST /api/cache/invalidate -H "$J" -d '{}'
expect "catalog is required" "422 catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/cache/invalidate -H "$J" -d '{"catalog": 7}'
expect "catalog must be a string" "422 catalog" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http GET /api/cache/stats
jq_is "demo_c is still cached" '.size == 1 and .hits >= 2'
http POST /api/cache/clear
jq_is "clear answers status cleared" '.status == "cleared"'
http GET /api/cache/stats
expect "after clear: empty and counters reset" '{"hits":0,"misses":0,"size":0,"ttl_seconds":300}' "$(jq -c . <<<"$HTTP_BODY")"

# The TTL follows the config key.
http PUT /api/config -H "$J" -d '{"yaml_content": "cache_ttl_seconds: 42\n"}'
http GET /api/cache/stats
jq_is "ttl_seconds follows cache_ttl_seconds" '.ttl_seconds == 42'

# --- notifications, catalog health, metrics: from the jobs above -----------------------------
http GET /api/notifications
expect "notifications answer 200" 200 "$HTTP_CODE"
jq_is "the finished clone is listed as a success" "any(.items[]; .job_id == \"$FIRST_CLONE\" and .type == \"success\" and .status == \"completed\" and .message == \"Clone completed: demo -> demo_c\")"
jq_is "items have the documented fields" 'all(.items[]; has("type") and has("message") and has("timestamp") and has("status") and has("job_id"))'
jq_is "unread_count counts the items" '.unread_count == (.items | length) and .unread_count >= 7'
http GET '/api/notifications?since=2999-01-01T00:00:00Z&limit=2'
jq_is "?since in the future: nothing unread; limit holds" '.unread_count == 0 and (.items | length) == 2'
http GET '/api/notifications?limit=0'
expect "limit 0 is 422 naming it" "422 limit" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

http GET /api/catalog-health
expect "catalog-health answers 200" 200 "$HTTP_CODE"
jq_is "demo_c: the jobs that touched it" 'any(.catalogs[]; .catalog == "demo_c" and .total == 7 and .succeeded == 7 and .failed == 0 and .score == 100 and (.last_operation | type) == "string")'
jq_is "every real catalog is listed with the documented fields" 'any(.catalogs[]; .catalog == "demo") and all(.catalogs[]; has("catalog") and has("total") and has("succeeded") and has("failed") and has("last_operation") and has("score"))'
jq_is "demo_d was never created: not listed" 'any(.catalogs[]; .catalog == "demo_d") | not'

http GET /api/monitor/metrics
expect "monitor/metrics answers 200" 200 "$HTTP_CODE"
jq_is "counts the clone jobs" '.by_type.clone.completed == 7 and .by_status.completed >= 7 and .total_jobs >= 7'
jq_is "rates and durations from real jobs" '.success_rate == 100 and .failure_rate == 0 and .duration_seconds.samples >= 7 and .duration_seconds.max >= .duration_seconds.p50'
jq_is "throughput counts cloned tables" '.throughput.tables_cloned >= 6'
jq_is "a daily trend" '(.daily | length) >= 1 and ([.daily[].completed] | add) == 7'

# --- query values over their documented maximum: 422 naming them, never "not given" -------
# (A value that did not fit a handler's buffer used to widen the filter to everything.)
rep() { printf "%${2}s" '' | tr ' ' "$1"; }
for q in "/api/audit job_id 255" "/api/auth/volumes catalog 255" "/api/catalog-size-history catalogs 1023" "/api/config path 1024"; do
  read -r route name max <<<"$q"
  http GET "$route?$name=$(rep b $((max + 1)))"
  expect "GET $route?$name=<$((max + 1)) bytes> is 422 naming $name" "422 $name" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
  http GET "$route?$name=$(rep b "$max")"
  case "$HTTP_CODE $HTTP_BODY" in
    "422 "*"bytes long"*) bad "$max bytes of $name are within the limit: $HTTP_BODY" ;;
    *) ok "$max bytes of $name pass the dispatcher ($HTTP_CODE)" ;;
  esac
done
http GET "/api/audit?job_id=$(rep c 200)%"
expect "a malformed escape is 422 naming the parameter" "422 job_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http GET /api/openapi.json
jq_is "OpenAPI publishes the maximum" '(.paths["/api/audit"].get.parameters | any(.name == "job_id" and .schema.maxLength == 255))'

# --- OpenAPI documents the new routes --------------------------------------------------------
http GET /api/openapi.json
jq_is "OpenAPI lists the config and cache routes" '.paths["/api/config/streaming-limits"].patch != null and .paths["/api/cache/invalidate"].post != null and .paths["/api/notifications"].get != null'

check_sanitizer_logs

# --- a configured config file: its folder is the config folder ---------------------------
"$CLXS" stop --state-dir "$STATE" >/dev/null 2>&1; rm -rf "$STATE"
MY=$(mktemp -d /tmp/clxs-it-cfgdir-XXXXXX)
printf '# my settings\nsource_catalog: mine\n' >"$MY/my.yaml"
TOKEN=
start_stack --workers 2 --config "$MY/my.yaml"
http GET /api/config
jq_is "GET reads the configured file" '.source_catalog == "mine"'
http PATCH /api/config/warehouse -H "$J" -d '{"warehouse_id": "wh42"}'
expect "PATCH edits the configured file" 1 "$(grep -c wh42 "$MY/my.yaml")"
http PUT /api/config -H "$J" -d '{"yaml_content": "source_catalog: x\n", "path": "side.yaml"}'
expect "PUT path=side.yaml lands next to it" "200 source_catalog: x" "$HTTP_CODE $(cat "$MY/side.yaml" 2>/dev/null)"
http PUT /api/config -H "$J" -d '{"yaml_content": "source_catalog: x\n", "path": "../side.yaml"}'
expect "and nothing climbs out of it" "400 no" "$HTTP_CODE $([ -e "$MY/../side.yaml" ] && echo yes || echo no)"
http PATCH /api/config/streaming-limits -H "$J" -d '{"interval_seconds": {"min": 1}}'
expect "streaming_limits.json lives there too" "200 yes" "$HTTP_CODE $([ -f "$MY/streaming_limits.json" ] && echo yes || echo no)"
check_sanitizer_logs
rm -rf "$MY"
finish
