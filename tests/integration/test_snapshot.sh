#!/usr/bin/env bash
# Clones from a clone snapshot (source_snapshot_id), end to end on the real
# stack: capture a snapshot of the demo catalog (POST /api/clone-snapshots),
# change the source (more rows, a new table), then clone through the API
# (a runner job) and the CLI with the snapshot's id. Every table must hold
# exactly the rows it had when the snapshot was taken, the new table is
# skipped with the reason, a dropped table is reported, and bad ids or
# contradictory options are refused with their 4xx.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

start_stack --workers 2 --concurrency 1
export CLXS_STATE_DIR=$STATE
WORK=$STATE/snapshot-test
mkdir -p "$WORK"
JSON=(-H 'Content-Type: application/json')

"$CLXS" demo-data --catalog demo --industries retail,healthcare >/dev/null 2>"$WORK/demo.err"
expect "demo-data builds the demo catalog" 0 "$?"

# --- the snapshot -----------------------------------------------------------------
http POST /api/clone-snapshots "${JSON[@]}" --data-binary '{"source_catalog":"demo","name":"before"}'
expect "POST /api/clone-snapshots answers 200" 200 "$HTTP_CODE"
SNAP=$(jq -r .snapshot_id <<<"$HTTP_BODY")
jq -r '.tables[] | "\(.schema) \(.table) \(.version)"' <<<"$HTTP_BODY" >"$WORK/tables"
NT=$(wc -l <"$WORK/tables")
[ "$NT" -ge 2 ] && ok "the snapshot holds $NT tables" || bad "the snapshot holds $NT tables"

# Row counts at snapshot time, then change the source: every table gets
# more rows (so a clone of the current state would differ everywhere) and
# one schema gets a table the snapshot never saw.
: >"$WORK/counts"
while read -r s t v; do
  echo "$s $t $v $(lh_sql "SELECT count(*) FROM demo.\`$s\`.\`$t\`" | jq -r '.[0][0]')" >>"$WORK/counts"
done <"$WORK/tables"
changed=0
while read -r s t _; do
  r=$(lh_sql "INSERT INTO demo.\`$s\`.\`$t\` SELECT * FROM demo.\`$s\`.\`$t\` LIMIT 2")
  case "$r" in \[*) changed=$((changed + 1));; *) echo "# insert into $s.$t: $r";; esac
done <"$WORK/tables"
expect "rows were added to every table after the snapshot" "$NT" "$changed"
grew=0
while read -r s t _ n; do
  now=$(lh_sql "SELECT count(*) FROM demo.\`$s\`.\`$t\`" | jq -r '.[0][0]')
  [ "$now" -gt "$n" ] && grew=$((grew + 1))
done <"$WORK/counts"
expect "so a clone of the current source would differ in every table" "$NT" "$grew"
S1=$(head -n1 "$WORK/tables" | cut -d' ' -f1)
lh_sql "CREATE TABLE demo.\`$S1\`.added_later (id INT)" >/dev/null
lh_sql "INSERT INTO demo.\`$S1\`.added_later VALUES (1), (2)" >/dev/null
expect "a table was added after the snapshot" '[["2"]]' "$(lh_sql "SELECT count(*) FROM demo.\`$S1\`.added_later")"

# Every table of catalog $1 holds the rows of the snapshot: the count at
# capture time, which is also the source's count VERSION AS OF its version.
check_counts() {
  local cat=$1 how=$2 same=0 s t v n got then
  while read -r s t v n; do
    got=$(lh_sql "SELECT count(*) FROM $cat.\`$s\`.\`$t\`" | jq -r '.[0][0]')
    then=$(lh_sql "SELECT count(*) FROM demo.\`$s\`.\`$t\` VERSION AS OF $v" | jq -r '.[0][0]')
    if [ "$got" = "$n" ] && [ "$then" = "$n" ]; then same=$((same + 1)); else
      echo "# $cat.$s.$t: clone $got, at snapshot $n, VERSION AS OF $v $then"; fi
  done <"$WORK/counts"
  expect "$how: every table has its row count at snapshot time" "$NT" "$same"
}

# --- dry run: the plan shows each table's VERSION AS OF ------------------------------
http POST /api/clone "${JSON[@]}" --data-binary \
  "$(jq -n --arg id "$SNAP" '{source_catalog:"demo",destination_catalog:"demo_plan",dry_run:true,source_snapshot_id:$id}')"
expect "a dry run with source_snapshot_id is accepted" 200 "$HTTP_CODE"
job=$(jq -r .job_id <<<"$HTTP_BODY")
done_job() { case "$(curl -s "$BASE/api/clone/$1" | jq -r .status)" in completed|failed) return 0;; esac; return 1; }
wait_for "dry-run job $job" 120 done_job "$job"
http GET "/api/clone/$job"
expect "the dry run completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
pinned=0
while read -r s t v; do
  jq -e --arg o "$s.$t" --arg v " VERSION AS OF $v" \
    '[.result.statements[] | select(.phase == "tables" and .object == $o and (.sql | endswith($v)))] | length == 1' \
    <<<"$HTTP_BODY" >/dev/null && pinned=$((pinned + 1))
done <"$WORK/tables"
expect "the plan clones every table VERSION AS OF its snapshot version" "$NT" "$pinned"
expect "the plan names the snapshot" "$SNAP" "$(jq -r .result.source_snapshot.snapshot_id <<<"$HTTP_BODY")"
expect "the plan skips the new table with the reason" "not in snapshot $SNAP" \
  "$(jq -r --arg o "$S1.added_later" '.result.skipped[] | select(.object == $o) | .reason' <<<"$HTTP_BODY")"

# --- a DEEP clone through the API ----------------------------------------------------
http POST /api/clone "${JSON[@]}" --data-binary \
  "$(jq -n --arg id "$SNAP" '{source_catalog:"demo",destination_catalog:"demo_api",source_snapshot_id:$id,validate_after_clone:true}')"
expect "POST /api/clone with source_snapshot_id answers 200" 200 "$HTTP_CODE"
job=$(jq -r .job_id <<<"$HTTP_BODY")
wait_for "clone job $job" 300 done_job "$job"
http GET "/api/clone/$job"
expect "the API clone completed" completed "$(jq -r .status <<<"$HTTP_BODY")"
[ "$(jq -r .status <<<"$HTTP_BODY")" = completed ] || jq -c '.error, [.result.objects[]? | select(.status == "failed")][:3]' <<<"$HTTP_BODY"
expect "it cloned every snapshot table" "$NT" "$(jq -r .result.tables_cloned <<<"$HTTP_BODY")"
expect "the new table is reported skipped: not in snapshot" "skipped not in snapshot $SNAP" \
  "$(jq -r --arg o "$S1.added_later" '.result.objects[] | select(.object == $o) | "\(.status) \(.reason)"' <<<"$HTTP_BODY")"
expect "validation compared the source at the snapshot versions" "0 0" \
  "$(jq -r '"\(.result.validation.mismatched) \(.result.validation.errors)"' <<<"$HTTP_BODY")"
expect "the job log names the snapshot" 1 \
  "$(jq --arg s "source snapshot $SNAP" '[.logs[] | select(startswith($s))] | length' <<<"$HTTP_BODY")"
check_counts demo_api "API clone"
expect "the new table was not cloned" 0 \
  "$(lh_sql "SELECT count(*) FROM demo_api.information_schema.tables WHERE table_name = 'added_later'" | jq -r '.[0][0]')"

# --- a SHALLOW clone through the CLI ---------------------------------------------------
out=$("$CLXS" clone --source demo --dest demo_cli --shallow --source-snapshot-id "$SNAP" --json 2>"$WORK/cli.err")
expect "clxs clone --source-snapshot-id exits 0" 0 "$?"
expect "the CLI clone cloned every snapshot table" "$NT" "$(jq -r .tables_cloned <<<"$out")"
expect "and skipped the new table with the reason" "not in snapshot $SNAP" \
  "$(jq -r --arg o "$S1.added_later" '.objects[] | select(.object == $o) | .reason' <<<"$out")"
check_counts demo_cli "CLI SHALLOW clone"
read -r s t v _ <"$WORK/counts"
"$CLXS" plan --source demo --dest demo_cli2 --source-snapshot-id "$SNAP" >"$WORK/plan.txt" 2>&1
expect "clxs plan --source-snapshot-id exits 0" 0 "$?"
grep -qF "VERSION AS OF $v" "$WORK/plan.txt" && ok "clxs plan shows VERSION AS OF per table" ||
  bad "clxs plan shows no VERSION AS OF $v: $(head -c 400 "$WORK/plan.txt")"

# --- a table dropped since the snapshot is reported ----------------------------------------
for q in "CREATE CATALOG mini" "CREATE SCHEMA mini.s" "CREATE TABLE mini.s.keep (id INT)" \
  "INSERT INTO mini.s.keep VALUES (1), (2), (3)" "CREATE TABLE mini.s.gone (id INT)" "INSERT INTO mini.s.gone VALUES (1)"; do
  "$CLXS" sql "$q" >/dev/null || bad "setup: $q"
done
http POST /api/clone-snapshots "${JSON[@]}" --data-binary '{"source_catalog":"mini","name":"mini"}'
MINI=$(jq -r .snapshot_id <<<"$HTTP_BODY")
"$CLXS" sql "DROP TABLE mini.s.gone" >/dev/null
"$CLXS" sql "INSERT INTO mini.s.keep VALUES (4)" >/dev/null
out=$("$CLXS" clone --source mini --dest mini_c --source-snapshot-id "$MINI" --json 2>"$WORK/mini.err"); rc=$?
expect "a clone whose snapshot has a dropped table still runs" "0 1" "$rc $(jq -r .tables_cloned <<<"$out")"
expect "the dropped table is reported skipped with the reason" \
  "skipped in snapshot $MINI (version 1) but no longer in the source catalog" \
  "$(jq -r '.objects[] | select(.object == "s.gone") | "\(.status) \(.reason)"' <<<"$out")"
expect "the kept table has its snapshot rows" '[["3"]]' "$(lh_sql "SELECT count(*) FROM mini_c.s.keep")"

# --- bad requests ---------------------------------------------------------------------
body() { jq -n --arg id "$1" "{source_catalog:\"demo\",destination_catalog:\"demo_bad\",source_snapshot_id:\$id} + ${2:-{\}}"; }
http POST /api/clone "${JSON[@]}" --data-binary "$(body 00000000-0000-4000-8000-000000000000)"
expect "an unknown snapshot id is 404 naming source_snapshot_id" "404 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone "${JSON[@]}" --data-binary "$(body "$MINI")"
expect "a snapshot of another catalog is 422 naming source_snapshot_id" "422 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone "${JSON[@]}" --data-binary "$(body "$SNAP" '{as_of_version: 1}')"
expect "with as_of_version it is 422 naming source_snapshot_id" "422 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone "${JSON[@]}" --data-binary "$(body "$SNAP" '{as_of_timestamp: "2026-01-01T00:00:00Z"}')"
expect "with as_of_timestamp it is 422 naming source_snapshot_id" "422 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone "${JSON[@]}" --data-binary "$(body "$SNAP" '{load_type: "INCREMENTAL"}')"
expect "with load_type INCREMENTAL it is 422 naming source_snapshot_id" "422 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone "${JSON[@]}" --data-binary "$(body "x'; DROP CATALOG demo; --")"
expect "an id that is not a UUID is 422 naming source_snapshot_id" "422 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
http POST /api/clone "${JSON[@]}" --data-binary '{"source_catalog":"demo","destination_catalog":"demo_bad","source_snapshot_id":5}'
expect "a non-string id is 422 naming source_snapshot_id" "422 source_snapshot_id" \
  "$HTTP_CODE $(jq -r .detail <<<"$HTTP_BODY")"
expect "no bad request created a destination" '[]' "$(lh_sql "SHOW CATALOGS LIKE 'demo_bad'")"
expect "and the source is still there" '[["demo"]]' "$(lh_sql "SHOW CATALOGS LIKE 'demo'")"
"$CLXS" clone --source demo --dest demo_bad --source-snapshot-id 00000000-0000-4000-8000-000000000000 \
  >/dev/null 2>"$WORK/bad.err"
expect "clxs clone with an unknown snapshot exits 2" 2 "$?"
grep -q "snapshot '00000000-0000-4000-8000-000000000000' not found" "$WORK/bad.err" && ok "and says it is not found" ||
  bad "stderr: $(cat "$WORK/bad.err")"
"$CLXS" clone --source demo --dest demo_bad --source-snapshot-id "$SNAP" --as-of-version 1 >/dev/null 2>&1
expect "clxs clone --source-snapshot-id with --as-of-version exits 2" 2 "$?"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
