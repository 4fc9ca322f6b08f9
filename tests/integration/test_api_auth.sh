#!/usr/bin/env bash
# The Auth section end to end through nginx: the default workspace (the
# embedded lakehouse), PAT login against the stack's own lakehouse over
# HTTP with its real token, sessions in LMDB with sealed secrets, per-request
# X-Databricks-* headers, profiles, service principals, the CLI-backed
# logins, logout, a clone job that runs on the session's workspace, and the
# server API token required off loopback. Secrets must never show up in
# LMDB, logs or responses.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap 'stop_stack; rm -rf "$WORK"' EXIT

WORK=$(mktemp -d /tmp/clxs-it-auth-XXXXXX)
BODIES=$WORK/bodies.txt
FAKEBIN=$WORK/bin
mkdir -p "$FAKEBIN"
: >"$BODIES"
# The workers see this environment: a fake-CLI folder first on PATH (empty
# for now), a Databricks config file of our own, a secret in the env.
export PATH="$FAKEBIN:$PATH"
export DATABRICKS_CONFIG_FILE=$WORK/databrickscfg
export DATABRICKS_CLIENT_SECRET=abcd1234efgh5678ijklwxyz
export AZURE_TENANT_ID=tenant-visible
unset DATABRICKS_TOKEN DATABRICKS_HOST DATABRICKS_CLIENT_ID DATABRICKS_CONFIG_PROFILE DATABRICKS_APP_NAME \
  AZURE_CLIENT_ID AZURE_CLIENT_SECRET CLXS_CONFIG
start_stack --workers 2 --concurrency 1
export CLXS_STATE_DIR=$STATE
LH_TOKEN=$(cat "$STATE/lakehouse.token")
JAR=$WORK/cookies

# h METHOD PATH [curl args]: http, and keep every body for the leak check.
h() { http "$@"; printf '%s\n' "$HTTP_BODY" >>"$BODIES"; }
js() { printf '%s' "$2" | jq -c "$1"; }  # js FILTER JSON
LH_USER=$(curl -s -H "Authorization: Bearer $LH_TOKEN" "$LH_BASE/api/2.0/preview/scim/v2/Me" | jq -r .userName)
[ -n "$LH_USER" ] && [ "$LH_USER" != null ] && ok "the lakehouse names its user ($LH_USER)" || bad "lakehouse SCIM Me"

# --- no login: the default workspace is the embedded lakehouse ----------------
h GET /api/auth/status
expect "status without login is 200" 200 "$HTTP_CODE"
expect "status without login: the embedded lakehouse, authenticated as its user" \
  "[true,\"$LH_USER\",\"embedded\",\"default\"]" "$(js '[.authenticated,.user,.auth_method,.source]' "$HTTP_BODY")"
h GET /api/auth/warehouses
expect "warehouses of the default workspace" '"c10e5ca1e0000001"' "$(js '.[0].id' "$HTTP_BODY")"
h GET /api/auth/serving-endpoints
expect "serving endpoints on the local lakehouse: empty, success" '{"success":true,"endpoints":[]}' "$HTTP_BODY"
h GET /api/auth/genie-spaces
expect "genie spaces on the local lakehouse: empty, success" '{"success":true,"spaces":[]}' "$HTTP_BODY"
h GET /api/auth/auto-login
expect "auto-login outside a Databricks App is 404" 404 "$HTTP_CODE"

# --- env-vars: exactly the reference's keys, secrets masked as it shows -------
h GET /api/auth/env-vars
expect "env-vars lists the reference's eight variables" \
  '["AZURE_CLIENT_ID","AZURE_CLIENT_SECRET","AZURE_TENANT_ID","DATABRICKS_CLIENT_ID","DATABRICKS_CLIENT_SECRET","DATABRICKS_CONFIG_PROFILE","DATABRICKS_HOST","DATABRICKS_TOKEN"]' \
  "$(js 'keys' "$HTTP_BODY")"
expect "a secret is masked as first4...last4" '"abcd...wxyz"' "$(js .DATABRICKS_CLIENT_SECRET "$HTTP_BODY")"
expect "a non-secret is shown, an unset one is null" '["tenant-visible",null]' \
  "$(js '[.AZURE_TENANT_ID,.DATABRICKS_TOKEN]' "$HTTP_BODY")"

# --- login: validation and rejected credentials -------------------------------
h POST /api/auth/login -H 'Content-Type: application/json' --data-binary "{\"host\":\"$LH_BASE\"}"
expect "login without a token is 422 naming it" "422 token" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h POST /api/auth/login -H 'Content-Type: application/json' --data-binary '{"host":"ftp://x","token":"dapi123"}'
expect "login with a bad host URL is 422 naming host" "422 host" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h POST /api/auth/login -H 'Content-Type: application/json' --data-binary '{"host":'
expect "login with malformed JSON is 400" 400 "$HTTP_CODE"
h POST /api/auth/login -H 'Content-Type: application/json' --data-binary '{"host":["x"],"token":"t"}'
expect "login with a non-string host is 422" "422 host" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
BAD_TOKEN=dapiWRONGWRONGWRONGWRONGWRONG0000
h POST /api/auth/login -c "$JAR" -H 'Content-Type: application/json' \
  --data-binary "{\"host\":\"$LH_BASE\",\"token\":\"$BAD_TOKEN\"}"
expect "login with a wrong token is 401" 401 "$HTTP_CODE"
case "$(jq -r .message <<<"$HTTP_BODY")" in
  "login to $LH_BASE failed"*) ok "the 401 says which workspace refused";;
  *) bad "401 message: $HTTP_BODY";;
esac
grep -q clxs_session "$JAR" 2>/dev/null && bad "a failed login set a session cookie" || ok "a failed login sets no cookie"
h POST /api/auth/login -H 'Content-Type: application/json' --data-binary '{"host":"http://127.0.0.1:1","token":"dapi0000000000000000"}'
expect "login to an unreachable host is 401, not 500" 401 "$HTTP_CODE"

# --- login with the lakehouse's own PAT over HTTP --------------------------------
hdrs=$WORK/headers
h POST /api/auth/login -c "$JAR" -D "$hdrs" -H 'Content-Type: application/json' \
  --data-binary "{\"host\":\"$LH_BASE\",\"token\":\"$LH_TOKEN\"}"
expect "login with the lakehouse PAT is 200" 200 "$HTTP_CODE"
expect "login answers the reference's shape" "{\"authenticated\":true,\"user\":\"$LH_USER\",\"host\":\"$LH_BASE\",\"auth_method\":\"pat\"}" \
  "$(js '{authenticated,user,host,auth_method}' "$HTTP_BODY")"
cookie_line=$(tr -d '\r' <"$hdrs" | grep -i '^Set-Cookie: clxs_session=')
case "$cookie_line" in
  *HttpOnly*SameSite=Strict*) ok "the session cookie is HttpOnly and SameSite=Strict";;
  *) bad "session cookie attributes: $cookie_line";;
esac
SID=$(sed -n 's/.*clxs_session=\([0-9a-f]*\);.*/\1/p' <<<"$cookie_line")
expect "the session id is 64 random hex digits" 64 "${#SID}"
h GET /api/auth/status -b "$JAR"
expect "status after login shows the session's workspace and user" \
  "[true,\"$LH_USER\",\"$LH_BASE\",\"pat\",\"session\"]" "$(js '[.authenticated,.user,.host,.auth_method,.source]' "$HTTP_BODY")"
h GET /api/auth/warehouses -b "$JAR"
expect "warehouses through the session (HTTP to the lakehouse)" '["c10e5ca1e0000001","RUNNING"]' "$(js '[.[0].id,.[0].state]' "$HTTP_BODY")"
h POST /api/auth/test-warehouse -b "$JAR" -H 'Content-Type: application/json' --data-binary '{"warehouse_id":"c10e5ca1e0000001"}'
expect "test-warehouse runs SELECT 1" '{"status":"ok","message":"Warehouse is reachable","result":[{"1":1}]}' "$HTTP_BODY"
h POST /api/auth/test-warehouse -b "$JAR" -H 'Content-Type: application/json' --data-binary '{}'
expect "test-warehouse without warehouse_id is 422 naming it" "422 warehouse_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h POST /api/auth/test-warehouse -b "$JAR" -H 'Content-Type: application/json' --data-binary '{"warehouse_id":"nope"}'
case "$HTTP_CODE" in 4??) ok "test-warehouse on an unknown warehouse is a 4xx ($HTTP_CODE)";; *) bad "unknown warehouse: $HTTP_CODE $HTTP_BODY";; esac
h GET /api/auth/serving-endpoints -b "$JAR"
expect "serving endpoints on a workspace without Model Serving: empty, success" '{"success":true,"endpoints":[]}' "$HTTP_BODY"

# --- a clone job submitted in the session runs on the session's workspace -------
"$CLXS" demo-data --catalog demo >/dev/null && ok "demo-data built the demo catalog" || bad "demo-data"
h GET /api/auth/volumes -b "$JAR"
expect "volumes is a list" "200 array" "$HTTP_CODE $(jq -r type <<<"$HTTP_BODY")"
# The lakehouse sees our client (User-Agent clone-xs-c) over HTTP only when a
# target goes through the session; the default target is in-process.
http_statements() { grep -c 'POST /api/2.0/sql/statements.*clone-xs-c' "$STATE/logs/nginx-access.log" 2>/dev/null || true; }
sleep 2.5   # let nginx flush what test-warehouse sent, so only the clone counts
before=$(http_statements)
h POST /api/clone -b "$JAR" -H 'Content-Type: application/json' \
  --data-binary '{"source_catalog":"demo","destination_catalog":"demo_sess"}'
expect "clone submitted in the session" 200 "$HTTP_CODE"
JOB=$(jq -r .job_id <<<"$HTTP_BODY")
done_job() { h GET "/api/clone/$JOB"; case "$(jq -r .status <<<"$HTTP_BODY")" in completed|failed|cancelled) return 0;; esac; return 1; }
wait_for "clone job $JOB to end" 180 done_job
expect "the session's clone completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
[ "$(jq -r .status <<<"$HTTP_BODY")" = completed ] || echo "$HTTP_BODY" | head -c 2000
expect "the clone exists on the lakehouse" '[["demo_sess"]]' "$(lh_sql "SHOW CATALOGS LIKE 'demo_sess'")"
went_http() { [ "$(http_statements)" -gt "${before:-0}" ]; }
wait_for "the clone's statements in the lakehouse's access log (via HTTP, the session's target)" 10 went_http \
  && ok "the clone ran over HTTP against the session's workspace"
h GET "/api/jobs/$JOB"
# The job's target (host + sealed credential) stays inside: the API shows
# the job's other params but never that one. That the clone ran against the
# session's workspace is checked above through the lakehouse's access log.
expect "the job view hides its target" null "$(js .params.target "$HTTP_BODY")"
expect "the job view still shows the request" '"demo_sess"' "$(js .params.request.destination_catalog "$HTTP_BODY")"

# --- per-request headers win over the session ------------------------------------
h GET /api/auth/status -b "$JAR" -H "X-Databricks-Host: $LH_BASE" -H "X-Databricks-Token: $BAD_TOKEN"
expect "headers with a bad token beat the session: 401" 401 "$HTTP_CODE"
h GET /api/auth/status -H "X-Databricks-Host: $LH_BASE" -H "X-Databricks-Token: $LH_TOKEN"
expect "headers alone: authenticated via the header" "[true,\"$LH_USER\",\"$LH_BASE\",\"header\"]" \
  "$(js '[.authenticated,.user,.host,.source]' "$HTTP_BODY")"
h GET /api/auth/warehouses -H "X-Databricks-Host: $LH_BASE" -H "X-Databricks-Token: $LH_TOKEN"
expect "warehouses with per-request headers" '"c10e5ca1e0000001"' "$(js '.[0].id' "$HTTP_BODY")"
h GET /api/auth/warehouses -H "X-Databricks-Host: $LH_BASE"
expect "a host header without a token is 400 naming the token header" "400 X-Databricks-Token" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"

# --- profiles ---------------------------------------------------------------------
cat >"$DATABRICKS_CONFIG_FILE" <<EOF
[DEFAULT]
host = $LH_BASE
token = $LH_TOKEN

[staging]
host = https://adb-789012.azuredatabricks.net
token = dapiSTAGINGSTAGINGSTAGING000
EOF
h GET /api/auth/profiles
expect "profiles from the config file" "[[\"DEFAULT\",\"$LH_BASE\"],[\"staging\",\"https://adb-789012.azuredatabricks.net\"]]" \
  "$(js '[.[] | [.name,.host]]' "$HTTP_BODY")"
h POST /api/auth/use-profile -H 'Content-Type: application/json' --data-binary '{"profile_name":"nope"}'
expect "use-profile with an unknown profile is 404" 404 "$HTTP_CODE"
h POST /api/auth/use-profile -H 'Content-Type: application/json' --data-binary '{}'
expect "use-profile without profile_name is 422" "422 profile_name" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
PJAR=$WORK/pcookies
h POST /api/auth/use-profile -c "$PJAR" -H 'Content-Type: application/json' --data-binary '{"profile_name":"DEFAULT"}'
expect "use-profile DEFAULT logs in as the lakehouse user" "200 [true,\"$LH_USER\",\"profile\"]" \
  "$HTTP_CODE $(js '[.authenticated,.user,.auth_method]' "$HTTP_BODY")"
h GET /api/auth/status -b "$PJAR"
expect "status in the profile session" '["profile","DEFAULT"]' "$(js '[.auth_method,.profile]' "$HTTP_BODY")"

# --- service principals -------------------------------------------------------------
SP_SECRET=spSECRETspSECRETspSECRET0042
h POST /api/auth/service-principal -H 'Content-Type: application/json' --data-binary "{\"host\":\"$LH_BASE\",\"client_id\":\"c\"}"
expect "service-principal without client_secret is 422" "422 client_secret" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h POST /api/auth/service-principal -H 'Content-Type: application/json' \
  --data-binary "{\"host\":\"$LH_BASE\",\"client_id\":\"c\",\"client_secret\":\"$SP_SECRET\",\"auth_type\":\"gcp\"}"
expect "service-principal with an unknown auth_type is 422" "422 auth_type" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h POST /api/auth/service-principal -H 'Content-Type: application/json' \
  --data-binary "{\"host\":\"$LH_BASE\",\"client_id\":\"c\",\"client_secret\":\"$SP_SECRET\",\"auth_type\":\"azure\"}"
expect "an Azure service principal needs tenant_id" "422 tenant_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h POST /api/auth/service-principal -H 'Content-Type: application/json' \
  --data-binary "{\"host\":\"$LH_BASE\",\"client_id\":\"c\",\"client_secret\":\"$SP_SECRET\"}"
expect "a service principal the workspace cannot vouch for is 401" 401 "$HTTP_CODE"

# --- CLI-backed logins -----------------------------------------------------------------
h POST /api/auth/oauth-login -H 'Content-Type: application/json' --data-binary '{}'
expect "oauth-login without host is 422" 422 "$HTTP_CODE"
h POST /api/auth/oauth-login -H 'Content-Type: application/json' --data-binary '{"host":"https://adb-1.azuredatabricks.net"}'
case "$HTTP_CODE $(jq -r .message <<<"$HTTP_BODY")" in
  "503 The Databricks CLI"*"not installed"*) ok "oauth-login without the Databricks CLI: a clear 503";;
  *) bad "oauth-login without CLI: $HTTP_CODE $HTTP_BODY";;
esac
h POST /api/auth/azure-login
case "$HTTP_CODE $(jq -r .message <<<"$HTTP_BODY")" in
  "503 The Azure CLI"*"not installed"*) ok "azure-login without az: a clear 503";;
  *) bad "azure-login without az: $HTTP_CODE $HTTP_BODY";;
esac
h GET /api/auth/azure/workspaces
expect "azure/workspaces without subscription_id is 422" "422 subscription_id" "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
h GET '/api/auth/azure/workspaces?subscription_id=x;rm%20-rf'
expect "a subscription_id that is not a UUID is 422" 422 "$HTTP_CODE"
# A stand-in `az` on PATH: the endpoints run it without a shell.
cat >"$FAKEBIN/az" <<'EOF'
#!/bin/sh
case "$*" in
  "account tenant list --output json") echo '[{"tenantId":"t-1","displayName":"Contoso"},{"tenantId":"t-2"}]';;
  "account list --all --output json") echo '[{"id":"s-1","name":"Prod","tenantId":"t-1","state":"Enabled","isDefault":true},{"id":"s-2","name":"Dev","tenantId":"t-2"}]';;
  *) echo "unexpected: $*" >&2; exit 2;;
esac
EOF
chmod +x "$FAKEBIN/az"
h GET /api/auth/azure/tenants
expect "azure/tenants through the az CLI" '[["t-1","Contoso"],["t-2",null]]' "$(js '[.[] | [.tenant_id,.display_name]]' "$HTTP_BODY")"
h GET '/api/auth/azure/subscriptions?tenant_id=t-2'
expect "azure/subscriptions filtered by tenant" '[["s-2","Dev"]]' "$(js '[.[] | [.subscription_id,.name]]' "$HTTP_BODY")"

# --- logout --------------------------------------------------------------------------
h POST /api/auth/logout -b "$JAR" -c "$JAR"
expect "logout answers the reference's body" '{"status":"ok","message":"Logged out successfully"}' "$HTTP_BODY"
h GET /api/auth/status -b "$JAR"
expect "after logout the default workspace is back" '"default"' "$(js .source "$HTTP_BODY")"
h GET /api/auth/status -H "Cookie: clxs_session=$SID"
expect "the logged-out session id is dead" '[200,false]' "[$HTTP_CODE,$(js .authenticated "$HTTP_BODY")]"
h GET /api/auth/warehouses -H "Cookie: clxs_session=$SID"
expect "a dead session is 401, not a silent switch to the default" 401 "$HTTP_CODE"

# --- secrets never written or echoed ---------------------------------------------------
sleep 2.5   # nginx flushes its access log buffer every 2 s
for secret in "$LH_TOKEN" "$BAD_TOKEN" "$SP_SECRET" "$DATABRICKS_CLIENT_SECRET"; do
  n=$(cat "$STATE"/lmdb/* | grep -c -a -F -- "$secret" || true)
  expect "secret ${secret:0:4}... not in LMDB" 0 "$n"
  n=$(cat "$STATE"/logs/* | grep -c -a -F -- "$secret" || true)
  expect "secret ${secret:0:4}... not in the logs" 0 "$n"
  n=$(grep -c -F -- "$secret" "$BODIES" || true)
  expect "secret ${secret:0:4}... in no response body" 0 "$n"
done
n=$(cat "$STATE"/lmdb/* | grep -c -a -F -- "$SID" || true)
expect "the session id is not in LMDB either (stored hashed)" 0 "$n"
key_mode=$(stat -c %a "$STATE/secret.key")
expect "the key file is mode 600" 600 "$key_mode"
check_sanitizer_logs
stop_stack

# --- the server API token off loopback -----------------------------------------------------
STATE=$(mktemp -d /tmp/clxs-it-XXXXXX)
PORT=$(pick_port); LH_PORT=$(pick_port)
out=$("$CLXS" serve --host 0.0.0.0 --state-dir "$STATE" --port "$PORT" --lakehouse-port "$LH_PORT" 2>&1); rc=$?
expect "serve off loopback without an API token refuses" 1 "$rc"
case "$out" in *server.api_token*) ok "and says to set server.api_token";; *) bad "refusal message: $out";; esac
[ -e "$STATE/run/nginx.pid" ] && bad "nginx started anyway" || ok "nothing was started"
rm -rf "$STATE"
API_TOKEN=apiTOKENapiTOKENapiTOKEN0123456789
CFG=$WORK/clone_config.yaml
printf 'server:\n  api_token: "%s"\n' "$API_TOKEN" >"$CFG"
chmod 600 "$CFG"
start_stack --host 0.0.0.0 --config "$CFG" --workers 2
h GET /api/health
expect "health needs no token" 200 "$HTTP_CODE"
h GET /api/auth/status
expect "off loopback, a request without the API token is 401" 401 "$HTTP_CODE"
h GET /api/auth/status -H "Authorization: Bearer wrongwrongwrongwrong"
expect "a wrong API token is 401" 401 "$HTTP_CODE"
h GET /api/auth/status -H "Authorization: Bearer $API_TOKEN"
expect "with the API token (Bearer) 200" 200 "$HTTP_CODE"
h GET /api/clone/jobs -H "X-API-Token: $API_TOKEN"
expect "with the API token (X-API-Token) 200" 200 "$HTTP_CODE"
# Read every command line without putting the token on one ourselves.
n=0
for f in /proc/[0-9]*/cmdline; do
  c=$( { tr '\0' ' ' <"$f"; } 2>/dev/null) || continue
  [[ $c == *"$API_TOKEN"* ]] && n=$((n + 1))
done
expect "the API token is on no process command line" 0 "$n"
sleep 2.5
n=$(cat "$STATE"/logs/* | grep -c -a -F -- "$API_TOKEN" || true)
expect "the API token is not in the logs" 0 "$n"
check_sanitizer_logs
finish
