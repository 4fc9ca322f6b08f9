/* Lakehouse clone benchmark (not a test: it prints timings and ratios).
 *
 *   deep clone of an N-row table vs a raw SQLite INSERT INTO t2 SELECT * FROM t1
 *   of the same rows in the same database (aim: ratio <= 1.25);
 *   the deep clone's range-copy path (a source whose live rows are not its
 *   whole physical table, e.g. after a DELETE), for information;
 *   shallow clone of a 10k-row vs an N-row table (aim: ratio <= 1.2).
 *
 * Usage: lakehouse_clone [rows] (default 1000000). Build and run it with
 * bench/lakehouse-clone.sh. Each timing is the best of several runs.
 * LH_BENCH_TRACE=1 prints every SQLite statement slower than 3 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ftw.h>

#include "clxs/lakehouse_store.h"

#define RUNS 3
#define SHALLOW_RUNS 15

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const clxs_error *e)
{
	fprintf(stderr, "lakehouse_clone: %s: %s\n", what, e ? e->message : "");
	exit(1);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "lakehouse_clone: %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

static const clxs_lh_column cols[] = {
	{"id", "BIGINT", false, NULL},
	{"name", "STRING", true, NULL},
	{"amount", "DOUBLE", true, NULL},
	{"day", "DATE", true, NULL},
};

static const char *gen_sql(long rows, char *buf, size_t sz)
{
	snprintf(buf, sz,
		 "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r WHERE i < %ld)"
		 " SELECT i, 'customer-' || i, i * 0.25, date('2024-01-01', '+' || (i %% 365) || ' days')"
		 " FROM r", rows);
	return buf;
}

static void make_source(clxs_lh *lh, const char *name, long rows)
{
	clxs_error e = {0};
	char sql[512];
	clxs_lh_table_spec spec = {.name = {"bench", "s", name}, .columns = cols, .ncolumns = 4};
	if (clxs_lh_table_create(lh, &spec, &e) ||
	    clxs_lh_insert(lh, &spec.name, gen_sql(rows, sql, sizeof(sql)), false, NULL, &e))
		die("create source", &e);
}

static double time_clone(clxs_lh *lh, const char *src, const char *dst, bool shallow)
{
	clxs_error e = {0};
	clxs_lh_clone_spec cs = {.source = {"bench", "s", src}, .target = {"bench", "s", dst},
				 .shallow = shallow, .or_replace = true};
	clxs_lh_name t = cs.target;
	if (clxs_lh_table_drop(lh, &t, true, &e))
		die("drop clone", &e);
	double t0 = now_s();
	if (clxs_lh_clone(lh, &cs, NULL, &e))
		die("clone", &e);
	return now_s() - t0;
}

static double best_clone(clxs_lh *lh, const char *src, bool shallow, int runs)
{
	double best = 1e9;
	for (int i = 0; i < runs; i++) {
		double t = time_clone(lh, src, "target", shallow);
		best = t < best ? t : best;
	}
	return best;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int prof(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	if (type == SQLITE_TRACE_PROFILE && *(sqlite3_int64 *)x > 3000000)
		fprintf(stderr, "%.1f ms: %.120s\n", *(sqlite3_int64 *)x / 1e6, sqlite3_sql(p));
	return 0;
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 1000000;
	if (rows < 10000)
		rows = 10000;
	char dir[] = "/tmp/clxs-lh-bench-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp", NULL);
	clxs_lh *lh;
	clxs_error e = {0};
	if (clxs_lh_open(dir, &lh, &e))
		die("open", &e);
	sqlite3 *db = clxs_lh_db(lh);
	if (getenv("LH_BENCH_TRACE"))
		sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, prof, NULL);
	clxs_lh_container_spec cs = {.name = "bench"}, ss = {.name = "s"};
	if (clxs_lh_catalog_create(lh, &cs, false, &e) || clxs_lh_schema_create(lh, "bench", &ss, false, &e))
		die("catalog", &e);

	printf("lakehouse clone benchmark: %ld rows, SQLite %s, best of %d\n", rows,
	       sqlite3_libversion(), RUNS);
	make_source(lh, "big", rows);
	make_source(lh, "small", 10000);

	/* Raw copy of the same rows in the same database file. */
	char sql[600], gen[512];
	exec_sql(db, "CREATE TABLE raw_t1(id INTEGER, name TEXT, amount REAL, day TEXT)");
	snprintf(sql, sizeof(sql), "INSERT INTO raw_t1 %s", gen_sql(rows, gen, sizeof(gen)));
	exec_sql(db, sql);
	double raw = 1e9;
	for (int i = 0; i < RUNS; i++) {
		exec_sql(db, "DROP TABLE IF EXISTS raw_t2");
		exec_sql(db, "CREATE TABLE raw_t2(id INTEGER, name TEXT, amount REAL, day TEXT)");
		double t0 = now_s();
		exec_sql(db, "BEGIN IMMEDIATE");
		exec_sql(db, "INSERT INTO raw_t2 SELECT * FROM raw_t1");
		exec_sql(db, "COMMIT");
		double t = now_s() - t0;
		raw = t < raw ? t : raw;
	}
	double deep = best_clone(lh, "big", false, RUNS);
	printf("raw INSERT INTO t2 SELECT * FROM t1 : %8.3f s\n", raw);
	printf("DEEP CLONE (whole-table copy)       : %8.3f s   ratio %.2f (aim <= 1.25)\n", deep,
	       deep / raw);

	/* After a DELETE of one row the live rows are no longer the whole
	 * physical table: the clone copies rowid ranges instead. */
	clxs_lh_name big = {"bench", "s", "big"};
	if (clxs_lh_delete(lh, &big, "id = 1", NULL, &e))
		die("delete", &e);
	double ranged = best_clone(lh, "big", false, RUNS);
	printf("DEEP CLONE (rowid-range copy path)  : %8.3f s   ratio %.2f (for information)\n",
	       ranged, ranged / raw);

	double sh_small = best_clone(lh, "small", true, SHALLOW_RUNS);
	double sh_big = best_clone(lh, "big", true, SHALLOW_RUNS);
	printf("SHALLOW CLONE 10k rows              : %8.3f ms\n", sh_small * 1e3);
	printf("SHALLOW CLONE %ld rows         : %8.3f ms   ratio %.2f (aim <= 1.2)\n", rows,
	       sh_big * 1e3, sh_big / sh_small);

	clxs_lh_close(lh);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
