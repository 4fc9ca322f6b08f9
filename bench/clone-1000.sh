#!/bin/sh
# Clone throughput on the embedded lakehouse (in-process), for catalogs of
# 100 and 1,000 tables: bench/clone-1000.sh BUILD_DIR [BIG=1000] [SMALL=100]
#
# Each table has 3 rows, a comment, a tag and a grant, spread over 10
# schemas. Prints, per catalog size and clone type: wall time, tables per
# second, warehouse round trips per table (every HTTP/in-process request of
# the run: discovery, rollback point, clone statements, audit rows; aim:
# under 4) and source metadata queries (aim: the same for 100 and 1,000
# tables). Ratios only; nothing here is asserted.
set -eu
build=$(cd "${1:-.}" && pwd)
big=${2:-1000}
small=${3:-100}
clxs=$build/src/clxs
command -v jq >/dev/null || { echo "clone-1000.sh needs jq" >&2; exit 1; }
state=$(mktemp -d /tmp/clxs-bench-XXXXXX)
trap 'rm -rf "$state"' EXIT
export CLXS_STATE_DIR="$state"
CLXS_CONFIG=/dev/null   # defaults: audit in clone_audit.logs
export CLXS_CONFIG

build_catalog() { # build_catalog NAME TABLES
	awk -v cat="$1" -v n="$2" 'BEGIN {
		printf "CREATE CATALOG %s;\n", cat
		for (s = 0; s < 10; s++) printf "CREATE SCHEMA %s.s%d;\n", cat, s
		for (i = 1; i <= n; i++) {
			t = sprintf("%s.s%d.t%d", cat, i % 10, i)
			printf "CREATE TABLE %s (id BIGINT, name STRING, amount DOUBLE) COMMENT %c%s%c;\n", t, 39, "bench table", 39
			printf "INSERT INTO %s VALUES (1, %ca%c, 1.5), (2, %cb%c, 2.5), (3, %cc%c, 3.5);\n", t, 39, 39, 39, 39, 39, 39
			printf "ALTER TABLE %s SET TAGS (%ctier%c = %cbronze%c);\n", t, 39, 39, 39, 39
			printf "GRANT SELECT ON TABLE %s TO `analysts`;\n", t
		}
	}' >"$state/build.sql"
	"$clxs" sql --file "$state/build.sql" >/dev/null
}

now() { date +%s.%N; }

printf '%-7s %-8s %8s %9s %9s %11s %13s %10s\n' tables clone wall_s tables/s requests trips/table stmts/table meta_q
for n in "$small" "$big"; do
	t0=$(now)
	build_catalog "bench$n" "$n"
	t1=$(now)
	printf '# built bench%s (%s tables) in %.1f s\n' "$n" "$n" "$(echo "$t1 - $t0" | bc -l)"
	for kind in shallow deep; do
		flag=""
		[ "$kind" = shallow ] && flag=--shallow
		t0=$(now)
		# shellcheck disable=SC2086 # flag is empty or one word
		out=$("$clxs" clone --source "bench$n" --dest "bench${n}_$kind" $flag --parallel-tables 4 --json 2>/dev/null)
		t1=$(now)
		wall=$(echo "$t1 - $t0" | bc -l)
		cloned=$(echo "$out" | jq .tables_cloned)
		failed=$(echo "$out" | jq .objects_failed)
		req=$(echo "$out" | jq .requests_total)
		stm=$(echo "$out" | jq .statements_submitted)
		meta=$(echo "$out" | jq .metadata_queries)
		printf '%-7s %-8s %8.2f %9.1f %9s %11.2f %13.2f %10s\n' "$n" "$kind" "$wall" \
			"$(echo "$cloned / $wall" | bc -l)" "$req" "$(echo "$req / $cloned" | bc -l)" \
			"$(echo "$stm / $cloned" | bc -l)" "$meta"
		[ "$failed" = 0 ] || echo "# warning: $failed object(s) failed in the $kind clone of bench$n"
		[ "$(echo "$out" | jq -r .audit.status)" = recorded ] || echo "# warning: audit rows not recorded"
	done
done
echo "# trips/table: all requests of the run / tables cloned (aim < 4)."
echo "# meta_q: information_schema queries on the source (aim: constant)."
