/* Helpers shared by the lakehouse unit tests: a fresh lakehouse in a temp
 * directory (removed afterwards) and small query shortcuts. */
#ifndef LH_TEST_UTIL_H
#define LH_TEST_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/json.h"
#include "clxs/lakehouse_store.h"

typedef struct {
	char dir[64];
	clxs_lh *lh;
} lh_fixture;

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void lh_fixture_rm(const char *dir)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int lh_setup(void **state)
{
	lh_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/clxs-lh-test-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	clxs_error e = {0};
	if (clxs_lh_open(f->dir, &f->lh, &e) != CLXS_OK) {
		fprintf(stderr, "open: %s\n", e.message);
		lh_fixture_rm(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int lh_teardown(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_close(f->lh);
	lh_fixture_rm(f->dir);
	free(f);
	return 0;
}

/* Run a query over the connection and return the first column of its first
 * row as an integer (-1 when the query fails). */
static inline long long lh_q_int(clxs_lh *lh, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_prepare_v2(clxs_lh_db(lh), sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(clxs_lh_db(lh)));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Evaluate `SELECT <expr> FROM <snapshot of t at at>` (expr like
 * "count(*)"); -1 on any failure, err receives the snapshot error. */
static inline long long lh_snap_int(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_at *at,
				    const char *expr, clxs_error *err)
{
	char *snap = NULL;
	if (clxs_lh_table_snapshot_sql(lh, t, at, &snap, NULL, err) != CLXS_OK)
		return -1;
	char *q = NULL;
	if (asprintf(&q, "SELECT %s FROM %s", expr, snap) < 0) {
		free(snap);
		return -1;
	}
	long long v = lh_q_int(lh, q);
	free(q);
	free(snap);
	return v;
}

static inline long long lh_count(clxs_lh *lh, const clxs_lh_name *t)
{
	clxs_error e = {0};
	return lh_snap_int(lh, t, NULL, "count(*)", &e);
}

/* A history entry's metric (they are strings, as in Delta) as a number. */
static inline long long lh_hist_metric(json_object *entry, const char *key)
{
	json_object *m, *v;
	if (!json_object_object_get_ex(entry, "operationMetrics", &m) ||
	    !json_object_object_get_ex(m, key, &v))
		return -1;
	return atoll(json_object_get_string(v));
}

static inline const char *lh_hist_param(json_object *entry, const char *key)
{
	json_object *m, *v;
	if (!json_object_object_get_ex(entry, "operationParameters", &m) ||
	    !json_object_object_get_ex(m, key, &v))
		return NULL;
	return json_object_get_string(v);
}

/* Latest history entry (caller puts the array). */
static inline json_object *lh_latest_entry(clxs_lh *lh, const clxs_lh_name *t, json_object **arr)
{
	clxs_error e = {0};
	*arr = NULL;
	if (clxs_lh_table_history(lh, t, 1, arr, &e) != CLXS_OK)
		return NULL;
	return json_object_array_get_idx(*arr, 0);
}

#endif
