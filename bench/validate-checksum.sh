#!/usr/bin/env bash
# Validate with checksum on a 1,000,000-row table vs a raw SELECT count(*)
# scan of the same table, on the embedded lakehouse (in-process CLI), and
# print the ratio. Usage: bench/validate-checksum.sh BUILD_DIR [ROWS]
set -eu
B=${1:?usage: $0 BUILD_DIR [ROWS]}
ROWS=${2:-1000000}
CLXS="$B/src/clxs"
export CLXS_STATE_DIR=$(mktemp -d /tmp/clxs-bench-XXXXXX)
trap 'rm -rf "$CLXS_STATE_DIR"' EXIT
q() { "$CLXS" sql "$1" >/dev/null; }
q "CREATE CATALOG b_src"
q "CREATE SCHEMA b_src.s"
q "CREATE TABLE b_src.s.t (id BIGINT, name STRING, amount DOUBLE, day DATE)"
q "INSERT INTO b_src.s.t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS) SELECT i, concat('name-', CAST(i AS STRING)), i * 0.5, date_add(DATE '2024-01-01', CAST(i % 365 AS INT)) FROM n"
q "CREATE CATALOG b_dst"
q "CREATE SCHEMA b_dst.s"
q "CREATE TABLE b_dst.s.t DEEP CLONE b_src.s.t"
t0=$(date +%s.%N); "$CLXS" sql "SELECT count(*) FROM b_src.s.t" >/dev/null; t1=$(date +%s.%N)
"$CLXS" sql "SELECT count(*) FROM b_dst.s.t" >/dev/null; t2=$(date +%s.%N)
# validate reads both sides: compare with the two count(*) scans.
out=$("$CLXS" validate --source b_src --dest b_dst --checksum --json); t3=$(date +%s.%N)
echo "$out" | grep -q '"mismatched":0' || { echo "validation did not match: $out" >&2; exit 1; }
awk -v r="$ROWS" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
  scan = (c - a); val = (d - c);
  printf "rows per table                 : %d\n", r;
  printf "2x SELECT count(*) (both sides): %.3f s\n", scan;
  printf "validate --checksum            : %.3f s\n", val;
  printf "ratio                          : %.2f\n", val / scan }'
