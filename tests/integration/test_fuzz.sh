#!/usr/bin/env bash
# Every route of /api/openapi.json gets malformed input (tests/integration/
# fuzz_api.mjs): no 5xx, JSON errors only, no worker crash, no sanitizer
# report, and the catalogs that existed before are unchanged afterwards.
# Then: /docs and /redoc load from local assets only, and nginx's rate
# limit answers a JSON 429.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT
command -v node >/dev/null || { echo "node missing (scripts/setup.sh)" >&2; exit 77; }

start_stack --workers 2 --rate-limit 0
export CLXS_STATE_DIR=$STATE
"$CLXS" demo-data --catalog demo >/dev/null && ok "demo catalog built" || bad "demo-data"
"$CLXS" clone --source demo --dest demo_copy --json >/dev/null && ok "a clone of it" || bad "clone"

# What must not change: every catalog that exists now, its objects, row
# counts and grants. (A request that legitimately creates a new catalog,
# say with an odd but valid name, is not a change to existing data.)
fingerprint() {
  local c t
  while IFS= read -r c; do
    echo "catalog $c"
    lh_sql "SELECT table_schema, table_name, table_type, comment FROM \`$c\`.information_schema.tables WHERE table_schema <> 'information_schema' ORDER BY 1, 2"
    lh_sql "SELECT grantee, table_schema, table_name, privilege_type FROM \`$c\`.information_schema.table_privileges ORDER BY 1, 2, 3, 4"
    for t in $(lh_sql "SELECT table_schema, table_name FROM \`$c\`.information_schema.tables WHERE table_type <> 'VIEW' AND table_schema <> 'information_schema' ORDER BY 1, 2" | jq -r '.[] | "\(.[0]).\(.[1])"'); do
      echo "$t $(lh_sql "SELECT count(*) FROM \`$c\`.$t")"
    done
  done <<<"$CATALOGS"
}
CATALOGS=$(lh_sql "SHOW CATALOGS" | jq -r '.[][0]')
before=$(fingerprint)
[ "$(grep -c '^catalog' <<<"$before")" -ge 2 ] && ok "fingerprint covers $(grep -c '^catalog' <<<"$before") catalogs" ||
  bad "fingerprint is empty"
rm -f /tmp/clxs-fuzz-pwned

out=$(node "$CLXS_SRCDIR/tests/integration/fuzz_api.mjs" "$PORT")
summary=$(tail -n1 <<<"$out")
echo "# $(jq -c .summary <<<"$summary")"
expect "the fuzzer covered the routes" true "$(jq '.summary.routes >= 10 and .summary.requests > 500' <<<"$summary")"
grep '^{"slow"' <<<"$out" | sed 's/^/# slow (over 30 s, not counted): /'
n=$(jq '.summary.suspicious' <<<"$summary")
if [ "$n" = 0 ]; then ok "no 5xx, no non-JSON error, no dropped request"; else
  bad "$n suspicious answers"; head -n 40 <<<"$out" | sed 's/^/# /'; fi
curl -s "$BASE/api/health" >/dev/null; expect "the API still answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/health")"
if grep -E 'killed by signal|exited with [1-9]' "$STATE"/logs/api.log; then bad "an API worker died during the fuzz"; else
  ok "no API worker died"; fi
[ ! -e /tmp/clxs-fuzz-pwned ] && ok "no shell injection ran" || bad "a shell injection ran"
# Let jobs the fuzz may have queued (with names that exist nowhere) end.
idle() { [ "$(curl -s "$BASE/api/jobs?limit=1000" | jq '[.[] | select(.status == "queued" or .status == "running")] | length')" = 0 ]; }
wait_for "queued jobs to settle" 120 idle
after=$(fingerprint)
if [ "$before" = "$after" ]; then ok "existing catalogs are unchanged"; else
  bad "existing catalogs changed"; diff <(echo "$before") <(echo "$after") | cut -c1-300 | head -n 20 | sed 's/^/# /'; fi
echo "# catalogs the fuzz created: $(lh_sql "SHOW CATALOGS" | jq -c '[.[][0]]')"

# --- interactive docs: local assets only ----------------------------------------------
for page in /docs /redoc; do
  http GET "$page"
  expect "$page answers 200" 200 "$HTTP_CODE"
  ext=$(grep -oiE '(src|href)="[^"]*"' <<<"$HTTP_BODY" | grep -viE '="/[^/]' || true)
  expect "$page references local assets only" "" "$ext"
  for a in $(grep -oiE '(src|href)="/[^"]*"' <<<"$HTTP_BODY" | sed -E 's/.*="([^"]*)"/\1/' | grep -v '^/api/openapi.json$\|^/docs$\|^/redoc$'); do
    expect "$page asset $a is served" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$a")"
  done
  csp=$(curl -s -D - -o /dev/null "$BASE$page" | grep -i '^Content-Security-Policy')
  grep -q "default-src 'self'" <<<"$csp" && ok "$page forbids foreign origins (CSP)" || bad "$page has no CSP"
done
# The bundles load nothing from elsewhere; the one foreign URL in ReDoc is
# its credit logo, which the CSP blocks and api-docs.css hides.
for a in /vendor/swagger-ui/swagger-ui-bundle.js /vendor/redoc/redoc.standalone.js; do
  cdn=$(curl -s "$BASE$a" | grep -oE "https?://(cdn|unpkg|fonts\.googleapis|cdnjs)[^\"' ]{0,60}" | sort -u |
    grep -vx 'https://cdn.redoc.ly/redoc/logo-mini.svg' || true)
  expect "$a pulls nothing from a CDN" "" "$cdn"
done
http GET /api/openapi.json
expect "the OpenAPI document lists the WebSocket route" true "$(jq 'has("paths") and (.paths | has("/api/clone/ws/{job_id}"))' <<<"$HTTP_BODY")"
expect "every {param} in a path is a documented path parameter" 0 "$(jq '[.paths | to_entries[] | .key as $p | .value | to_entries[] |
  select([($p | scan("\\{([^}]+)\\}") | .[0])] - [(.value.parameters // [])[] | select(.in == "path") | .name] | length > 0)] | length' <<<"$HTTP_BODY")"
expect "every POST/PUT/PATCH documents its body" "" "$(jq -r '.paths | to_entries[] | .key as $p | .value | to_entries[] |
  select((.key == "put" or .key == "patch") and (.value.requestBody == null)) | "\(.key) \($p)"' <<<"$HTTP_BODY")"

# --- rate limit: restart with a tiny one and exceed it -----------------------------------
"$CLXS" stop --state-dir "$STATE" >/dev/null
"$CLXS" serve --state-dir "$STATE" --port "$PORT" --lakehouse-port "$LH_PORT" --workers 2 --rate-limit 1 --rate-burst 3 >/dev/null
codes=$(for i in $(seq 1 12); do curl -s -o /dev/null -w '%{http_code}\n' "$BASE/api/health"; done | sort | uniq -c | awk '{print $2":"$1}' | tr '\n' ' ')
echo "# status counts: $codes"
grep -q '429:' <<<"$codes" && ok "requests over the limit get 429" || bad "no 429 over the limit ($codes)"
grep -q '200:' <<<"$codes" && ok "requests within the burst pass" || bad "nothing passed ($codes)"
# Another burst, keeping the bodies: how many pass depends on the refill
# during the burst on a slow machine, so look at the answers that were 429.
limited=$(for i in $(seq 1 12); do curl -s -w '\n%{http_code}\n' "$BASE/api/health"; done |
  awk 'prev != "" && $0 == "429" {print prev} {prev = $0}' | head -n 1)
expect "the 429 body is the JSON error" RATE_LIMITED "$(jq -r .error_code <<<"$limited")"
hdr=$(for i in 1 2 3 4 5 6; do curl -s -D - -o /dev/null "$BASE/api/health"; done)
grep -qi '^Retry-After: 1' <<<"$hdr" && ok "429 says when to retry" || bad "no Retry-After"
expect "static files are not rate limited" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")"
# The body size limit: nginx's JSON 413 far beyond --max-body.
big=$(mktemp); head -c $((12 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$big"
sleep 3
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "@$big" "$BASE/api/clone")
rm -f "$big"
expect "a 12 MiB body is refused with 413" 413 "$code"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
