/* Lakehouse Delta layer: writes and their metrics, time travel, restore,
 * optimize, vacuum, constraints, write batches, CTAS and replace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clxs/util.h"
#include "lh_test_util.h"

static const clxs_lh_name T = {"cat", "sch", "events"};

static int setup_table(void **state)
{
	if (lh_setup(state))
		return -1;
	lh_fixture *f = *state;
	clxs_error e = {0};
	clxs_lh_container_spec cs = {.name = "cat"}, ss = {.name = "sch"};
	static const clxs_lh_column cols[] = {
		{"id", "BIGINT", false, NULL},
		{"v", "STRING", true, NULL},
	};
	static const clxs_lh_constraint k[] = {
		{.name = "id_positive", .kind = CLXS_LH_CHECK, .expression = "id > 0"},
	};
	clxs_lh_table_spec spec = {.name = T, .columns = cols, .ncolumns = 2, .constraints = k,
				   .nconstraints = 1};
	if (clxs_lh_catalog_create(f->lh, &cs, false, &e) ||
	    clxs_lh_schema_create(f->lh, "cat", &ss, false, &e) ||
	    clxs_lh_table_create(f->lh, &spec, &e)) {
		fprintf(stderr, "setup: %s\n", e.message);
		lh_teardown(state);
		return -1;
	}
	return 0;
}

/* Rows 1..n as a SELECT. */
static void rows_sql(char *buf, size_t sz, int from, int to)
{
	snprintf(buf, sz,
		 "WITH RECURSIVE r(i) AS (SELECT %d UNION ALL SELECT i+1 FROM r WHERE i < %d)"
		 " SELECT i, 'v' || i FROM r", from, to);
}

static json_object *entry_at(json_object *hist, int64_t version)
{
	for (size_t i = 0; i < json_object_array_length(hist); i++) {
		json_object *o = json_object_array_get_idx(hist, i);
		if (clxs_json_int(o, "version", -1) == version)
			return o;
	}
	return NULL;
}

static void test_write_delete_update(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	char sql[256];
	int64_t n = 0;
	rows_sql(sql, sizeof(sql), 1, 100);
	assert_int_equal(clxs_lh_insert(f->lh, &T, sql, false, &n, &e), CLXS_OK);
	assert_int_equal(n, 100);
	rows_sql(sql, sizeof(sql), 101, 150);
	assert_int_equal(clxs_lh_insert(f->lh, &T, sql, false, &n, &e), CLXS_OK);
	assert_int_equal(lh_count(f->lh, &T), 150);

	json_object *h = NULL, *x;
	assert_int_equal(clxs_lh_table_history(f->lh, &T, 0, &h, &e), CLXS_OK);
	assert_int_equal(json_object_array_length(h), 3);
	x = json_object_array_get_idx(h, 0); /* latest first */
	assert_int_equal(clxs_json_int(x, "version", -1), 2);
	assert_string_equal(clxs_json_str(x, "operation", ""), "WRITE");
	assert_string_equal(lh_hist_param(x, "mode"), "Append");
	assert_int_equal(lh_hist_metric(x, "numOutputRows"), 50);
	assert_int_equal(lh_hist_metric(x, "numFiles"), 1);
	assert_true(lh_hist_metric(x, "numOutputBytes") > 0);
	assert_true(clxs_json_bool(x, "isBlindAppend", false));
	assert_string_equal(clxs_json_str(x, "userName", ""), "local-user");
	json_object_put(h);

	/* DELETE touches only the second segment: 10 rows gone, 40 copied. */
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id > 140", &n, &e), CLXS_OK);
	assert_int_equal(n, 10);
	x = lh_latest_entry(f->lh, &T, &h);
	assert_string_equal(clxs_json_str(x, "operation", ""), "DELETE");
	assert_int_equal(lh_hist_metric(x, "numDeletedRows"), 10);
	assert_int_equal(lh_hist_metric(x, "numRemovedFiles"), 1);
	assert_int_equal(lh_hist_metric(x, "numAddedFiles"), 1);
	assert_int_equal(lh_hist_metric(x, "numCopiedRows"), 40);
	json_object_put(h);
	assert_int_equal(lh_count(f->lh, &T), 140);

	/* Deleting a whole segment's rows copies nothing. */
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id > 100", &n, &e), CLXS_OK);
	assert_int_equal(n, 40);
	x = lh_latest_entry(f->lh, &T, &h);
	assert_int_equal(lh_hist_metric(x, "numCopiedRows"), 0);
	assert_int_equal(lh_hist_metric(x, "numAddedFiles"), 0);
	json_object_put(h);

	/* A delete matching nothing commits no version. */
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id > 1000", &n, &e), CLXS_OK);
	assert_int_equal(n, 0);
	x = lh_latest_entry(f->lh, &T, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), 4);
	json_object_put(h);

	/* UPDATE */
	const char *cols[] = {"v"}, *exprs[] = {"upper(v)"};
	assert_int_equal(clxs_lh_update_rows(f->lh, &T, cols, exprs, 1, "id <= 5", &n, &e), CLXS_OK);
	assert_int_equal(n, 5);
	x = lh_latest_entry(f->lh, &T, &h);
	assert_string_equal(clxs_json_str(x, "operation", ""), "UPDATE");
	assert_int_equal(lh_hist_metric(x, "numUpdatedRows"), 5);
	assert_int_equal(lh_hist_metric(x, "numCopiedRows"), 95);
	assert_int_equal(lh_hist_metric(x, "numRemovedFiles"), 1);
	assert_int_equal(lh_hist_metric(x, "numAddedFiles"), 1);
	json_object_put(h);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "count(*) FILTER (WHERE v = 'V3')", &e), 1);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "count(*) FILTER (WHERE v = 'v6')", &e), 1);
	assert_int_equal(lh_count(f->lh, &T), 100);

	/* Unknown column in SET. */
	const char *bad[] = {"nope"};
	assert_int_equal(clxs_lh_update_rows(f->lh, &T, bad, exprs, 1, NULL, &n, &e), CLXS_EINVAL);
	assert_string_equal(e.detail, "UNRESOLVED_COLUMN");

	/* INSERT OVERWRITE replaces everything. */
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (7, 'seven')", true, &n, &e), CLXS_OK);
	assert_int_equal(lh_count(f->lh, &T), 1);
	x = lh_latest_entry(f->lh, &T, &h);
	assert_string_equal(lh_hist_param(x, "mode"), "Overwrite");
	assert_false(clxs_json_bool(x, "isBlindAppend", true));
	json_object_put(h);

	json_object *d = NULL;
	assert_int_equal(clxs_lh_table_detail(f->lh, &T, &d, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(d, "format", ""), "delta");
	assert_string_equal(clxs_json_str(d, "name", ""), "cat.sch.events");
	assert_int_equal(clxs_json_int(d, "numFiles", -1), 1);
	assert_true(clxs_json_int(d, "sizeInBytes", 0) > 0);
	assert_int_equal(clxs_json_int(d, "minReaderVersion", 0), 1);
	assert_int_equal(clxs_json_int(d, "minWriterVersion", 0), 3); /* CHECK constraint */
	json_object_put(d);
}

static void test_constraints_leave_table_unchanged(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	int64_t n;
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (1,'a'),(2,'b')", false, &n, &e), CLXS_OK);
	json_object *h;
	json_object *x = lh_latest_entry(f->lh, &T, &h);
	int64_t v = clxs_json_int(x, "version", -1);
	json_object_put(h);

	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (3,'c'),(-4,'d')", false, &n, &e),
			 CLXS_EVALIDATION);
	assert_string_equal(e.detail, "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES");
	assert_non_null(strstr(e.message, "CHECK constraint id_positive id > 0 violated by row with values:"));
	assert_non_null(strstr(e.message, " - id : -4"));
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (NULL,'n')", false, &n, &e),
			 CLXS_EVALIDATION);
	assert_string_equal(e.detail, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED");
	assert_string_equal(e.message, "[DELTA_NOT_NULL_CONSTRAINT_VIOLATED] NOT NULL constraint violated for column: id.");
	/* An UPDATE producing a violating row fails as a whole. */
	const char *c[] = {"id"}, *x2[] = {"id - 10"};
	assert_int_equal(clxs_lh_update_rows(f->lh, &T, c, x2, 1, "id = 2", &n, &e), CLXS_EVALIDATION);

	x = lh_latest_entry(f->lh, &T, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), v);
	json_object_put(h);
	assert_int_equal(lh_count(f->lh, &T), 2);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), 3);
	/* No stray rows were left in the physical table either. */
	assert_int_equal(lh_q_int(f->lh, "SELECT sum(num_rows) FROM lh_segments"), 2);
}

static void test_time_travel(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (1,'a')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (2,'b')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id = 1", NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (3,'c')", false, NULL, &e), CLXS_OK);

	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION};
	long long want[] = {0, 1, 3, 2, 5};
	for (int v = 0; v <= 4; v++) {
		at.version = v;
		assert_int_equal(lh_snap_int(f->lh, &T, &at, "coalesce(sum(id),0)", &e), want[v]);
	}
	at.version = 5;
	assert_int_equal(lh_snap_int(f->lh, &T, &at, "count(*)", &e), -1);
	assert_string_equal(e.detail, "DELTA_VERSION_NOT_FOUND");
	assert_non_null(strstr(e.message, "Available versions: [0, 4]"));
	at.version = -1;
	assert_int_equal(lh_snap_int(f->lh, &T, &at, "count(*)", &e), -1);

	/* By timestamp: each commit's own timestamp selects that version. */
	json_object *h = NULL;
	assert_int_equal(clxs_lh_table_history(f->lh, &T, 0, &h, &e), CLXS_OK);
	clxs_lh_at ts = {.kind = CLXS_LH_AT_TIMESTAMP};
	for (int v = 0; v <= 4; v++) {
		ts.timestamp_ms = clxs_json_int(entry_at(h, v), "timestamp_ms", 0);
		assert_int_equal(lh_snap_int(f->lh, &T, &ts, "coalesce(sum(id),0)", &e), want[v]);
	}
	int64_t t0 = clxs_json_int(entry_at(h, 0), "timestamp_ms", 0);
	int64_t t4 = clxs_json_int(entry_at(h, 4), "timestamp_ms", 0);
	json_object_put(h);
	ts.timestamp_ms = t0 - 1;
	assert_int_equal(lh_snap_int(f->lh, &T, &ts, "count(*)", &e), -1);
	assert_string_equal(e.detail, "DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION");
	assert_non_null(strstr(e.message, "before the earliest version"));
	ts.timestamp_ms = t4 + 60000;
	assert_int_equal(lh_snap_int(f->lh, &T, &ts, "count(*)", &e), -1);
	assert_string_equal(e.detail, "DELTA_TIMESTAMP_GREATER_THAN_COMMIT");

	/* The column list of a version comes back with the SQL. */
	char *sql = NULL;
	json_object *cols = NULL;
	at.version = 1;
	assert_int_equal(clxs_lh_table_snapshot_sql(f->lh, &T, &at, &sql, &cols, &e), CLXS_OK);
	assert_non_null(strstr(sql, "\"_rowid_\" BETWEEN"));
	assert_int_equal(json_object_array_length(cols), 2);
	free(sql);
	json_object_put(cols);
}

static void test_restore(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (1,'a'),(2,'b')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (3,'c')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id = 1", NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), 5);

	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION, .version = 2};
	json_object *m = NULL;
	assert_int_equal(clxs_lh_restore(f->lh, &T, &at, &m, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), 6);
	/* v2 = {seg1, seg2}; v3 = {seg2, seg1'}: restore brings seg1 back and
	 * removes seg1'. */
	assert_string_equal(clxs_json_str(m, "numRestoredFiles", ""), "1");
	assert_string_equal(clxs_json_str(m, "numRemovedFiles", ""), "1");
	assert_string_equal(clxs_json_str(m, "numOfFilesAfterRestore", ""), "2");
	json_object_put(m);
	json_object *h;
	json_object *x = lh_latest_entry(f->lh, &T, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), 4);
	assert_string_equal(clxs_json_str(x, "operation", ""), "RESTORE");
	assert_string_equal(lh_hist_param(x, "version"), "2");
	json_object_put(h);

	at.version = 0;
	assert_int_equal(clxs_lh_restore(f->lh, &T, &at, NULL, &e), CLXS_OK);
	assert_int_equal(lh_count(f->lh, &T), 0);
	at.version = 99;
	assert_int_equal(clxs_lh_restore(f->lh, &T, &at, NULL, &e), CLXS_EVALIDATION);
	assert_string_equal(e.detail, "DELTA_CANNOT_RESTORE_TABLE_VERSION");
	/* Writes after a restore continue normally. */
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (10,'x')", false, NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), 10);
}

static void test_optimize(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	char sql[256];
	for (int i = 0; i < 5; i++) {
		rows_sql(sql, sizeof(sql), 100 - 20 * i - 19, 100 - 20 * i);
		assert_int_equal(clxs_lh_insert(f->lh, &T, sql, false, NULL, &e), CLXS_OK);
	}
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id % 10 = 0", NULL, &e), CLXS_OK);
	json_object *d = NULL, *m = NULL;
	assert_int_equal(clxs_lh_table_detail(f->lh, &T, &d, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(d, "numFiles", 0), 5);
	json_object_put(d);
	long long sum = lh_snap_int(f->lh, &T, NULL, "sum(id)", &e);

	const char *z[] = {"id"};
	assert_int_equal(clxs_lh_optimize(f->lh, &T, z, 1, &m, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(m, "numFilesAdded", ""), "1");
	assert_string_equal(clxs_json_str(m, "numFilesRemoved", ""), "5");
	json_object_put(m);
	assert_int_equal(clxs_lh_table_detail(f->lh, &T, &d, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(d, "numFiles", 0), 1);
	json_object_put(d);
	assert_int_equal(lh_count(f->lh, &T), 90);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), sum);
	/* ZORDER BY id: the merged segment is stored in id order. */
	char *snap = NULL;
	assert_int_equal(clxs_lh_table_snapshot_sql(f->lh, &T, NULL, &snap, NULL, &e), CLXS_OK);
	char *q = NULL;
	assert_true(asprintf(&q, "SELECT count(*) FROM (SELECT id, lag(id) OVER () AS p FROM %s)"
			     " WHERE p > id", snap) > 0);
	assert_int_equal(lh_q_int(f->lh, q), 0);
	free(q);
	free(snap);
	json_object *h;
	json_object *x = lh_latest_entry(f->lh, &T, &h);
	assert_string_equal(clxs_json_str(x, "operation", ""), "OPTIMIZE");
	assert_string_equal(lh_hist_param(x, "zOrderBy"), "[\"id\"]");
	int64_t v = clxs_json_int(x, "version", -1);
	json_object_put(h);
	/* Nothing left to compact: no new version. */
	assert_int_equal(clxs_lh_optimize(f->lh, &T, NULL, 0, &m, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(m, "numFilesAdded", ""), "0");
	json_object_put(m);
	x = lh_latest_entry(f->lh, &T, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), v);
	json_object_put(h);
	/* Time travel before the OPTIMIZE still sees the old segments. */
	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION, .version = v - 1};
	assert_int_equal(lh_snap_int(f->lh, &T, &at, "count(*)", &e), 90);
}

static void test_vacuum(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (1,'a'),(2,'b')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (3,'c')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_delete(f->lh, &T, "id = 3", NULL, &e), CLXS_OK);

	json_object *o = NULL;
	/* Below 168 hours needs the safety check off. */
	assert_int_equal(clxs_lh_vacuum(f->lh, &T, 0, false, &o, &e), CLXS_EVALIDATION);
	assert_non_null(strstr(e.message, "retentionDurationCheck.enabled = false"));
	assert_non_null(strstr(e.message, "not less than \"168 hours\"."));
	assert_null(o);
	/* With the default retention nothing is old enough. */
	assert_int_equal(clxs_lh_vacuum(f->lh, &T, -1, false, &o, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(o, "numDeletedFiles", -1), 0);
	json_object_put(o);
	clxs_lh_set_retention_check(f->lh, false);
	assert_int_equal(clxs_lh_vacuum(f->lh, &T, 0, true, &o, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(o, "numDeletedFiles", -1), 1);
	assert_true(clxs_json_bool(o, "dryRun", false));
	json_object_put(o);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_segments WHERE vacuumed_at IS NOT NULL"), 0);
	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION, .version = 2};
	assert_int_equal(lh_snap_int(f->lh, &T, &at, "count(*)", &e), 3);

	assert_int_equal(clxs_lh_vacuum(f->lh, &T, 0, false, &o, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(o, "numDeletedFiles", -1), 1);
	json_object_put(o);
	/* The current version still reads; the vacuumed one fails clearly. */
	assert_int_equal(lh_count(f->lh, &T), 2);
	assert_int_equal(lh_snap_int(f->lh, &T, &at, "count(*)", &e), -1);
	assert_string_equal(e.detail, "DELTA_FILE_NOT_FOUND_DETAILED");
	assert_non_null(strstr(e.message, "VACUUM"));
	json_object *h = NULL;
	assert_int_equal(clxs_lh_table_history(f->lh, &T, 2, &h, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(h, 0), "operation", ""), "VACUUM END");
	assert_string_equal(clxs_json_str(json_object_array_get_idx(h, 1), "operation", ""), "VACUUM START");
	assert_int_equal(lh_hist_metric(json_object_array_get_idx(h, 1), "numFilesToDelete"), 1);
	json_object_put(h);
	/* Rowids are not reused after the top of the table was vacuumed. */
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (4,'d')", false, NULL, &e), CLXS_OK);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_segments a JOIN lh_segments b"
				  " ON a.id < b.id AND a.physical_id = b.physical_id"
				  " AND a.lo <= b.hi AND b.lo <= a.hi"), 0);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), 7);
}

static void test_batch_merge(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (1,'a'),(2,'b'),(3,'c')", false, NULL, &e),
			 CLXS_OK);
	/* MERGE as update + delete + insert in one version. */
	clxs_lh_write *w = NULL;
	int64_t n, v;
	assert_int_equal(clxs_lh_write_begin(f->lh, &T, &w, &e), CLXS_OK);
	char *before = NULL;
	assert_int_equal(clxs_lh_write_snapshot_sql(w, &before, &e), CLXS_OK);
	const char *c[] = {"v"}, *x[] = {"'updated'"};
	assert_int_equal(clxs_lh_write_update(w, c, x, 1, "id = 2", &n, &e), CLXS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(clxs_lh_write_delete(w, "id = 3", &n, &e), CLXS_OK);
	/* A failing step is undone alone; the batch goes on. */
	assert_int_equal(clxs_lh_write_append(w, "VALUES (-1, 'bad')", &n, &e), CLXS_EVALIDATION);
	char *q = NULL;
	assert_true(asprintf(&q, "SELECT 4, 'new' WHERE NOT EXISTS (SELECT 1 FROM %s WHERE id = 4)",
			     before) > 0);
	assert_int_equal(clxs_lh_write_append(w, q, &n, &e), CLXS_OK);
	free(q);
	free(before);
	/* Another batch on the same handle is refused while this one is open. */
	clxs_lh_write *w2 = NULL;
	assert_int_equal(clxs_lh_write_begin(f->lh, &T, &w2, &e), CLXS_ECONFLICT);
	assert_int_equal(clxs_lh_write_commit(w, "MERGE", NULL, &v, &e), CLXS_OK);
	assert_int_equal(v, 2);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), 7);
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "count(*) FILTER (WHERE v='updated')", &e), 1);
	json_object *h;
	json_object *ent = lh_latest_entry(f->lh, &T, &h);
	assert_string_equal(clxs_json_str(ent, "operation", ""), "MERGE");
	assert_int_equal(lh_hist_metric(ent, "numTargetRowsUpdated"), 1);
	assert_int_equal(lh_hist_metric(ent, "numTargetRowsDeleted"), 1);
	assert_int_equal(lh_hist_metric(ent, "numTargetRowsInserted"), 1);
	json_object_put(h);

	/* Abort leaves nothing behind. */
	assert_int_equal(clxs_lh_write_begin(f->lh, &T, &w, &e), CLXS_OK);
	assert_int_equal(clxs_lh_write_delete(w, NULL, &n, &e), CLXS_OK);
	assert_int_equal(n, 3);
	clxs_lh_write_abort(w);
	assert_int_equal(lh_count(f->lh, &T), 3);
	ent = lh_latest_entry(f->lh, &T, &h);
	assert_int_equal(clxs_json_int(ent, "version", -1), 2);
	json_object_put(h);
}

static void test_ctas_and_replace(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_insert(f->lh, &T, "VALUES (1,'a'),(2,'b')", false, NULL, &e), CLXS_OK);
	char *snap = NULL;
	assert_int_equal(clxs_lh_table_snapshot_sql(f->lh, &T, NULL, &snap, NULL, &e), CLXS_OK);
	char *q = NULL;
	assert_true(asprintf(&q, "SELECT id * 100, v FROM %s", snap) > 0);
	static const clxs_lh_column cols[] = {{"k", "BIGINT", true, NULL}, {"s", "STRING", true, NULL}};
	clxs_lh_table_spec spec = {.name = {"cat", "sch", "copy"}, .columns = cols, .ncolumns = 2,
				   .as_select_sql = q};
	assert_int_equal(clxs_lh_table_create(f->lh, &spec, &e), CLXS_OK);
	clxs_lh_name cp = spec.name;
	assert_int_equal(lh_snap_int(f->lh, &cp, NULL, "sum(k)", &e), 300);
	json_object *h;
	json_object *x = lh_latest_entry(f->lh, &cp, &h);
	assert_string_equal(clxs_json_str(x, "operation", ""), "CREATE TABLE AS SELECT");
	assert_int_equal(lh_hist_metric(x, "numOutputRows"), 2);
	json_object_put(h);
	free(q);
	free(snap);

	/* CREATE OR REPLACE with another schema: a new version, old versions
	 * keep their own columns and data. */
	static const clxs_lh_column cols2[] = {{"only", "INT", true, NULL}};
	clxs_lh_table_spec rep = {.name = cp, .columns = cols2, .ncolumns = 1, .or_replace = true,
				  .as_select_sql = "VALUES (5),(6),(7)"};
	assert_int_equal(clxs_lh_table_create(f->lh, &rep, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &cp, NULL, "sum(\"only\")", &e), 18);
	x = lh_latest_entry(f->lh, &cp, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), 1);
	assert_string_equal(clxs_json_str(x, "operation", ""), "CREATE OR REPLACE TABLE AS SELECT");
	json_object_put(h);
	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION, .version = 0};
	assert_int_equal(lh_snap_int(f->lh, &cp, &at, "sum(k)", &e), 300);
	/* Restoring version 0 brings its columns back, and writes work. */
	assert_int_equal(clxs_lh_restore(f->lh, &cp, &at, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(f->lh, &cp, "VALUES (1, 'z')", false, NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &cp, NULL, "sum(k)", &e), 301);
	/* Dropping the table releases its physical tables. */
	assert_int_equal(clxs_lh_table_drop(f->lh, &cp, false, &e), CLXS_OK);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_physical"), 1);
	assert_int_equal(clxs_lh_table_drop(f->lh, &cp, false, &e), CLXS_ENOTFOUND);
	assert_int_equal(clxs_lh_table_drop(f->lh, &cp, true, &e), CLXS_OK);
}

static void test_many_segments_snapshot(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	/* More live ranges than the OR form allows: the JSON range join. */
	char sql[256];
	for (int i = 0; i < 80; i++) {
		rows_sql(sql, sizeof(sql), 10 * i + 1, 10 * i + 10);
		assert_int_equal(clxs_lh_insert(f->lh, &T, sql, false, NULL, &e), CLXS_OK);
	}
	/* Delete every other segment's rows: the live ranges are no longer
	 * adjacent, so they cannot coalesce. */
	assert_int_equal(clxs_lh_delete(f->lh, &T, "(id - 1) / 10 % 2 = 1", NULL, &e), CLXS_OK);
	char *snap = NULL;
	assert_int_equal(clxs_lh_table_snapshot_sql(f->lh, &T, NULL, &snap, NULL, &e), CLXS_OK);
	assert_non_null(strstr(snap, "json_each"));
	free(snap);
	assert_int_equal(lh_count(f->lh, &T), 400);
	long long want = 0;
	for (int i = 0; i < 80; i += 2)
		for (int k = 1; k <= 10; k++)
			want += 10 * i + k;
	assert_int_equal(lh_snap_int(f->lh, &T, NULL, "sum(id)", &e), want);
	/* Adjacent segments coalesce into one range. */
	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION, .version = 80};
	assert_int_equal(clxs_lh_table_snapshot_sql(f->lh, &T, &at, &snap, NULL, &e), CLXS_OK);
	assert_null(strstr(snap, "json_each"));
	assert_null(strstr(snap, " OR "));
	free(snap);
	assert_int_equal(lh_snap_int(f->lh, &T, &at, "count(*)", &e), 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_delete_update, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_constraints_leave_table_unchanged, setup_table,
						lh_teardown),
		cmocka_unit_test_setup_teardown(test_time_travel, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_optimize, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_vacuum, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_batch_merge, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_ctas_and_replace, setup_table, lh_teardown),
		cmocka_unit_test_setup_teardown(test_many_segments_snapshot, setup_table, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
