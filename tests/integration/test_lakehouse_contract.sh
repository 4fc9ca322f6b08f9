#!/usr/bin/env bash
# The lakehouse contract, the same cases run twice through the same client
# code (`clxs sql`, the workspace client): once in-process, once over HTTP
# through nginx to clxs-lakehouse. Each case is SQL and the exact output it
# must print (tab-separated rows), or ERROR:<class> for a statement that
# must fail with that Databricks error class, or LIKE:<glob> for output
# that holds sizes or ids.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT
# A low INLINE result limit (Databricks': 25 MiB) for the oversize case; the
# daemon and the in-process lakehouse both read it.
export CLXS_LH_INLINE_LIMIT_BYTES=200000
start_stack --workers 2
export CLXS_STATE_DIR=$STATE
export LH_TOKEN
LH_TOKEN=$(cat "$STATE/lakehouse.token")

run_inproc() { "$CLXS" sql "$1" 2>&1; }
run_http() { "$CLXS" sql --host "$LH_BASE" --token-env LH_TOKEN --warehouse-id c10e5ca1e0000001 "$1" 2>&1; }

# check TRANSPORT DESCRIPTION SQL EXPECTED
check() {
  local out
  out=$("run_$1" "$3")
  if [ "${4#ERROR:}" != "$4" ]; then
    case "$out" in *"[${4#ERROR:}]"*) ok "$1: $2";; *) bad "$1: $2: expected error ${4#ERROR:}, got [$out]";; esac
  elif [ "${4#LIKE:}" != "$4" ]; then
    # shellcheck disable=SC2053
    if [[ $out == ${4#LIKE:} ]]; then ok "$1: $2"; else bad "$1: $2: expected like [${4#LIKE:}], got [$out]"; fi
  elif [ "$out" = "$4" ]; then ok "$1: $2"
  else bad "$1: $2: expected [$4], got [$out]"; fi
}

contract() { # contract TRANSPORT CATALOG
  local T=$1 C=$2
  check "$T" "create catalog" "CREATE CATALOG $C COMMENT 'contract'" ""
  check "$T" "create schema" "CREATE SCHEMA $C.s" ""
  check "$T" "create table with CHECK and comments" \
    "CREATE TABLE $C.s.t (id INT NOT NULL COMMENT 'key', v STRING, CONSTRAINT pos CHECK (id > 0)) COMMENT 'c' TBLPROPERTIES ('delta.deletedFileRetentionDuration' = 'interval 0 hours')" ""
  check "$T" "insert (version 1)" "INSERT INTO $C.s.t VALUES (1, 'a'), (2, 'b')" $'2\t2'
  check "$T" "insert (version 2)" "INSERT INTO $C.s.t VALUES (3, 'c')" $'1\t1'
  check "$T" "a CHECK violation fails" "INSERT INTO $C.s.t VALUES (-1, 'x')" "ERROR:DELTA_VIOLATE_CONSTRAINT_WITH_VALUES"
  check "$T" "and writes nothing" "SELECT count(*) FROM $C.s.t" "3"
  check "$T" "time travel" "SELECT count(*) FROM $C.s.t VERSION AS OF 1" "2"
  check "$T" "deep clone at a past version" "CREATE TABLE $C.s.deep DEEP CLONE $C.s.t VERSION AS OF 1" "LIKE:*"$'\t1\t0\t1\t0\t'"*"
  check "$T" "deep clone rows" "SELECT count(*) FROM $C.s.deep" "2"
  check "$T" "shallow clone at a past version" "CREATE TABLE $C.s.sh SHALLOW CLONE $C.s.t VERSION AS OF 1" "LIKE:*"$'\t1\t0\t0\t0\t0'
  check "$T" "shallow clone type" \
    "SELECT table_type FROM $C.information_schema.tables WHERE table_name = 'sh'" "MANAGED_SHALLOW_CLONE"
  check "$T" "history has the CLONE entry" "DESCRIBE HISTORY $C.s.deep" "LIKE:0*CLONE*"
  check "$T" "restore to version 1" "SELECT count(*) FROM $C.s.t" "3"
  run_"$T" "RESTORE TABLE $C.s.t TO VERSION AS OF 1" >/dev/null
  check "$T" "restored rows" "SELECT count(*) FROM $C.s.t" "2"
  run_"$T" "DELETE FROM $C.s.t WHERE id >= 1" >/dev/null
  check "$T" "vacuum of the source" "VACUUM $C.s.t RETAIN 0 HOURS" "LIKE:lakehouse:/tables/*"
  check "$T" "breaks the shallow clone" "SELECT count(*) FROM $C.s.sh" "ERROR:DELTA_FILE_NOT_FOUND_DETAILED"
  check "$T" "while the deep clone reads" "SELECT count(*) FROM $C.s.deep" "2"
  check "$T" "a SQL function used in a query" \
    "CREATE FUNCTION $C.s.twice(x INT) RETURNS INT RETURN x * 2" ""
  check "$T" "  ... evaluates" "SELECT $C.s.twice(id) FROM $C.s.deep ORDER BY 1" $'2\n4'
  check "$T" "grant" "GRANT SELECT ON TABLE $C.s.deep TO \`analysts\`" ""
  check "$T" "  ... in information_schema" \
    "SELECT grantee, privilege_type FROM $C.information_schema.table_privileges WHERE table_name = 'deep'" $'analysts\tSELECT'
  check "$T" "tags" "ALTER TABLE $C.s.deep SET TAGS ('tier' = 'gold')" ""
  check "$T" "  ... in information_schema" \
    "SELECT tag_name, tag_value FROM $C.information_schema.table_tags WHERE table_name = 'deep'" $'tier\tgold'
  check "$T" "comment" "COMMENT ON TABLE $C.s.deep IS 'copied'" ""
  check "$T" "  ... in information_schema" \
    "SELECT comment FROM $C.information_schema.tables WHERE table_name = 'deep'" "copied"
  check "$T" "constraints in information_schema" \
    "SELECT constraint_name, check_clause FROM $C.information_schema.check_constraints" $'pos\tid > 0\npos\tid > 0\npos\tid > 0'
  check "$T" "mask" "CREATE FUNCTION $C.s.hide(v STRING) RETURNS STRING RETURN '***'" ""
  run_"$T" "ALTER TABLE $C.s.deep ALTER COLUMN v SET MASK $C.s.hide" >/dev/null
  check "$T" "  ... applied" "SELECT v FROM $C.s.deep ORDER BY id" $'***\n***'
  check "$T" "  ... in information_schema" \
    "SELECT column_name, mask_name FROM $C.information_schema.column_masks" $'v\thide'
  check "$T" "row filter" "CREATE FUNCTION $C.s.one(i INT) RETURNS BOOLEAN RETURN i = 1" ""
  run_"$T" "ALTER TABLE $C.s.deep SET ROW FILTER $C.s.one ON (id)" >/dev/null
  check "$T" "  ... applied" "SELECT count(*) FROM $C.s.deep" "1"
  check "$T" "  ... in information_schema" \
    "SELECT table_name, filter_name, filter_col_usage FROM $C.information_schema.row_filters" $'deep\tone\tid'
  check "$T" "volume" "CREATE VOLUME $C.s.files COMMENT 'raw'" ""
  check "$T" "  ... in information_schema" \
    "SELECT volume_name, volume_type, comment FROM $C.information_schema.volumes" $'files\tMANAGED\traw'
  check "$T" "injection through an identifier stays a name" \
    "CREATE TABLE $C.s.\`x; DROP CATALOG $C CASCADE; --\` (a INT)" ""
  check "$T" "  ... and the catalog survives" \
    "SELECT count(*) FROM $C.information_schema.tables WHERE table_name LIKE 'x;%'" "1"
  check "$T" "malformed SQL" "SELECT FROM WHERE )" "ERROR:PARSE_SYNTAX_ERROR"
  check "$T" "unknown table" "SELECT * FROM $C.s.nope" "ERROR:TABLE_OR_VIEW_NOT_FOUND"
  check "$T" "an oversize INLINE result fails" \
    "WITH RECURSIVE n(i) AS (SELECT 100000 UNION ALL SELECT i + 1 FROM n WHERE i < 140000) SELECT i FROM n" \
    "ERROR:RESULT_SIZE_EXCEEDS_INLINE_LIMIT"
  check "$T" "  ... while a smaller one passes" \
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT count(*) FROM n" "1000"
}

contract inproc c_inproc
contract http c_http

# Files of a volume, put and listed over the Files API.
printf 'hello' | curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $LH_TOKEN" \
  --data-binary @- "$LH_BASE/api/2.0/fs/files/Volumes/c_http/s/files/a/hello.txt" >/dev/null
expect "a volume's files are listed" '["hello.txt"]' \
  "$(curl -s -H "Authorization: Bearer $LH_TOKEN" "$LH_BASE/api/2.0/fs/directories/Volumes/c_http/s/files/a" | jq -c '[.contents[].name]')"

"$CLXS" stop --state-dir "$STATE" >/dev/null
check_sanitizer_logs
finish
