/* Lakehouse DEEP and SHALLOW CLONE: copied data, incremental re-clone with
 * honest metrics, shallow references, and VACUUM breaking a shallow clone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lh_test_util.h"

static const clxs_lh_name SRC = {"prod", "s", "src"};
static const clxs_lh_name DEEP = {"dev", "s", "deep"};
static const clxs_lh_name SHALLOW = {"dev", "s", "shallow"};

static int setup_src(void **state)
{
	if (lh_setup(state))
		return -1;
	lh_fixture *f = *state;
	clxs_error e = {0};
	static const clxs_lh_column cols[] = {
		{"id", "BIGINT", false, "key"},
		{"v", "STRING", true, NULL},
	};
	static const char *part[] = {"v"};
	static const clxs_lh_constraint k[] = {
		{.name = "pos", .kind = CLXS_LH_CHECK, .expression = "id > 0"},
	};
	json_object *props = json_object_new_object();
	json_object_object_add(props, "owner.team", json_object_new_string("core"));
	clxs_lh_table_spec spec = {.name = SRC, .columns = cols, .ncolumns = 2, .constraints = k,
				   .nconstraints = 1, .partition_columns = part,
				   .npartition_columns = 1, .properties = props,
				   .comment = "Source table"};
	const char *cats[] = {"prod", "dev"};
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++) {
		clxs_lh_container_spec cs = {.name = cats[i]}, ss = {.name = "s"};
		rc = clxs_lh_catalog_create(f->lh, &cs, false, &e) ||
		     clxs_lh_schema_create(f->lh, cats[i], &ss, false, &e);
	}
	rc = rc || clxs_lh_table_create(f->lh, &spec, &e) ||
	     clxs_lh_insert(f->lh, &SRC, "VALUES (1,'a'),(2,'b'),(3,'c')", false, NULL, &e) ||
	     clxs_lh_insert(f->lh, &SRC, "VALUES (4,'d'),(5,'e')", false, NULL, &e);
	json_object_put(props);
	if (rc) {
		fprintf(stderr, "setup: %s\n", e.message);
		lh_teardown(state);
		return -1;
	}
	return 0;
}

static long long m_int(json_object *m, const char *k)
{
	const char *s = clxs_json_str(m, k, NULL);
	return s ? atoll(s) : -1;
}

static void test_deep_clone_incremental(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	json_object *m = NULL, *props = json_object_new_object();
	json_object_object_add(props, "clone.marker", json_object_new_string("yes"));
	clxs_lh_clone_spec cs = {.source = SRC, .target = DEEP, .properties = props};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, &m, &e), CLXS_OK);
	assert_int_equal(m_int(m, "sourceNumOfFiles"), 2);
	assert_int_equal(m_int(m, "numCopiedFiles"), 2);
	assert_int_equal(m_int(m, "numRemovedFiles"), 0);
	assert_int_equal(m_int(m, "copiedFilesSize"), m_int(m, "sourceTableSize"));
	json_object_put(m);
	assert_int_equal(lh_snap_int(f->lh, &DEEP, NULL, "sum(id)", &e), 15);

	/* Metadata: MANAGED, comments, partitioning, constraints, properties. */
	json_object *o = NULL, *p, *arr;
	assert_int_equal(clxs_lh_table_get(f->lh, &DEEP, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "table_type", ""), "MANAGED");
	assert_string_equal(clxs_json_str(o, "comment", ""), "Source table");
	assert_true(json_object_object_get_ex(o, "properties", &p));
	assert_string_equal(clxs_json_str(p, "owner.team", ""), "core");
	assert_string_equal(clxs_json_str(p, "clone.marker", ""), "yes");
	assert_true(json_object_object_get_ex(o, "table_constraints", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	assert_true(json_object_object_get_ex(o, "partition_columns", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	assert_true(json_object_object_get_ex(o, "columns", &arr));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 0), "comment", ""), "key");
	json_object_put(o);
	/* The clone enforces the copied CHECK constraint. */
	assert_int_equal(clxs_lh_insert(f->lh, &DEEP, "VALUES (-1,'x')", false, NULL, &e),
			 CLXS_EVALIDATION);

	json_object *h;
	json_object *x = lh_latest_entry(f->lh, &DEEP, &h);
	assert_int_equal(clxs_json_int(x, "version", -1), 0);
	assert_string_equal(clxs_json_str(x, "operation", ""), "CLONE");
	assert_string_equal(lh_hist_param(x, "source"), "prod.s.src");
	assert_string_equal(lh_hist_param(x, "sourceVersion"), "2");
	assert_string_equal(lh_hist_param(x, "isShallow"), "false");
	json_object_put(h);

	/* Without OR REPLACE an existing target is an error. */
	assert_int_equal(clxs_lh_clone(f->lh, &cs, NULL, &e), CLXS_ECONFLICT);
	cs.or_replace = true;
	/* Nothing changed: a re-clone copies nothing. */
	assert_int_equal(clxs_lh_clone(f->lh, &cs, &m, &e), CLXS_OK);
	assert_int_equal(m_int(m, "numCopiedFiles"), 0);
	assert_int_equal(m_int(m, "copiedFilesSize"), 0);
	assert_int_equal(m_int(m, "numRemovedFiles"), 0);
	assert_int_equal(m_int(m, "sourceNumOfFiles"), 2);
	json_object_put(m);

	/* One more INSERT: exactly one segment is copied. */
	assert_int_equal(clxs_lh_insert(f->lh, &SRC, "VALUES (6,'f')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_clone(f->lh, &cs, &m, &e), CLXS_OK);
	assert_int_equal(m_int(m, "numCopiedFiles"), 1);
	assert_int_equal(m_int(m, "numRemovedFiles"), 0);
	json_object_put(m);
	assert_int_equal(lh_snap_int(f->lh, &DEEP, NULL, "sum(id)", &e), 21);

	/* A DELETE in the source rewrites one segment: the re-clone removes the
	 * stale copy and copies the rewritten one. */
	assert_int_equal(clxs_lh_delete(f->lh, &SRC, "id = 2", NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_clone(f->lh, &cs, &m, &e), CLXS_OK);
	assert_int_equal(m_int(m, "numCopiedFiles"), 1);
	assert_int_equal(m_int(m, "numRemovedFiles"), 1);
	json_object_put(m);
	assert_int_equal(lh_snap_int(f->lh, &DEEP, NULL, "sum(id)", &e), 19);
	assert_int_equal(lh_count(f->lh, &DEEP), 5);

	/* Time travel on the clone's own history works. */
	clxs_lh_at at = {.kind = CLXS_LH_AT_VERSION, .version = 0};
	assert_int_equal(lh_snap_int(f->lh, &DEEP, &at, "sum(id)", &e), 15);

	/* Clone of an older source version. */
	clxs_lh_clone_spec old = {.source = SRC, .target = {"dev", "s", "old"},
				  .at = {.kind = CLXS_LH_AT_VERSION, .version = 1}};
	assert_int_equal(clxs_lh_clone(f->lh, &old, &m, &e), CLXS_OK);
	json_object_put(m);
	assert_int_equal(lh_snap_int(f->lh, &old.target, NULL, "sum(id)", &e), 6);
	json_object_put(props);
}

static void test_shallow_clone(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	json_object *m = NULL;
	clxs_lh_clone_spec cs = {.source = SRC, .target = SHALLOW, .shallow = true};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, &m, &e), CLXS_OK);
	assert_int_equal(m_int(m, "numCopiedFiles"), 0);
	assert_int_equal(m_int(m, "sourceNumOfFiles"), 2);
	json_object_put(m);
	/* No data was copied: the clone has no physical table of its own. */
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_physical"), 1);
	json_object *o = NULL;
	assert_int_equal(clxs_lh_table_get(f->lh, &SHALLOW, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "table_type", ""), "MANAGED_SHALLOW_CLONE");
	json_object_put(o);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "sum(id)", &e), 15);

	/* Writes to the clone stay in the clone. */
	assert_int_equal(clxs_lh_insert(f->lh, &SHALLOW, "VALUES (100,'z')", false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_delete(f->lh, &SHALLOW, "id = 1", NULL, &e), CLXS_OK);
	const char *c[] = {"v"}, *x[] = {"'changed'"};
	assert_int_equal(clxs_lh_update_rows(f->lh, &SHALLOW, c, x, 1, "id = 5", NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "sum(id)", &e), 114);
	assert_int_equal(lh_snap_int(f->lh, &SRC, NULL, "sum(id)", &e), 15);
	assert_int_equal(lh_snap_int(f->lh, &SRC, NULL, "count(*) FILTER (WHERE v='changed')", &e), 0);
	assert_int_equal(lh_count(f->lh, &SRC), 5);

	/* Writes to the source don't reach the clone. */
	assert_int_equal(clxs_lh_insert(f->lh, &SRC, "VALUES (7,'g')", false, NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "sum(id)", &e), 114);

	/* Shallow clone of a past version. */
	clxs_lh_clone_spec past = {.source = SRC, .target = {"dev", "s", "past"}, .shallow = true,
				   .at = {.kind = CLXS_LH_AT_VERSION, .version = 1}};
	assert_int_equal(clxs_lh_clone(f->lh, &past, NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &past.target, NULL, "sum(id)", &e), 6);

	/* Dropping the source keeps the shallow clone readable (data stays
	 * while something references it). */
	assert_int_equal(clxs_lh_table_drop(f->lh, &SRC, false, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "sum(id)", &e), 114);
	assert_int_equal(clxs_lh_table_drop(f->lh, &SHALLOW, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_table_drop(f->lh, &past.target, false, &e), CLXS_OK);
	/* Nothing references the source's data now: it is gone. */
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_physical"), 0);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_segments"), 0);
}

static void test_vacuum_breaks_shallow_not_deep(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	clxs_lh_clone_spec deep = {.source = SRC, .target = DEEP};
	clxs_lh_clone_spec shallow = {.source = SRC, .target = SHALLOW, .shallow = true};
	assert_int_equal(clxs_lh_clone(f->lh, &deep, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_clone(f->lh, &shallow, NULL, &e), CLXS_OK);

	/* DELETE rewrites the source's first segment; VACUUM deletes the old
	 * one, which the shallow clone still lists. */
	assert_int_equal(clxs_lh_delete(f->lh, &SRC, "id = 1", NULL, &e), CLXS_OK);
	clxs_lh_set_retention_check(f->lh, false);
	json_object *o = NULL;
	assert_int_equal(clxs_lh_vacuum(f->lh, &SRC, 0, false, &o, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(o, "numDeletedFiles", -1), 1);
	json_object_put(o);

	assert_int_equal(lh_count(f->lh, &SRC), 4);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "count(*)", &e), -1);
	assert_int_equal(e.code, CLXS_ENOTFOUND);
	assert_string_equal(e.detail, "DELTA_FILE_NOT_FOUND_DETAILED");
	assert_non_null(strstr(e.message, "VACUUM"));
	assert_int_equal(lh_snap_int(f->lh, &DEEP, NULL, "sum(id)", &e), 15);
	/* Cloning the vacuumed version fails the same way, creating nothing. */
	clxs_lh_clone_spec again = {.source = SRC, .target = {"dev", "s", "again"},
				    .at = {.kind = CLXS_LH_AT_VERSION, .version = 2}};
	assert_int_equal(clxs_lh_clone(f->lh, &again, NULL, &e), CLXS_ENOTFOUND);
	assert_string_equal(e.detail, "DELTA_FILE_NOT_FOUND_DETAILED");
	assert_int_equal(clxs_lh_table_get(f->lh, &again.target, &o, &e), CLXS_ENOTFOUND);
	/* Re-creating the shallow clone at the latest version repairs it. */
	shallow.or_replace = true;
	assert_int_equal(clxs_lh_clone(f->lh, &shallow, NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "sum(id)", &e), 14);
}

static void test_clone_errors(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	clxs_lh_clone_spec cs = {.source = {"prod", "s", "missing"}, .target = DEEP};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, NULL, &e), CLXS_ENOTFOUND);
	assert_string_equal(e.detail, "TABLE_OR_VIEW_NOT_FOUND");
	cs = (clxs_lh_clone_spec){.source = SRC, .target = {"nocat", "s", "t"}};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, NULL, &e), CLXS_ENOTFOUND);
	cs = (clxs_lh_clone_spec){.source = SRC, .target = SRC, .or_replace = true};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, NULL, &e), CLXS_EVALIDATION);
	cs = (clxs_lh_clone_spec){.source = SRC, .target = DEEP,
				  .at = {.kind = CLXS_LH_AT_VERSION, .version = 42}};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, NULL, &e), CLXS_EVALIDATION);
	assert_string_equal(e.detail, "DELTA_VERSION_NOT_FOUND");
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables"), 1);
	/* IF NOT EXISTS on an existing target is a no-op. */
	cs = (clxs_lh_clone_spec){.source = SRC, .target = DEEP};
	assert_int_equal(clxs_lh_clone(f->lh, &cs, NULL, &e), CLXS_OK);
	cs.if_not_exists = true;
	json_object *m = NULL;
	assert_int_equal(clxs_lh_clone(f->lh, &cs, &m, &e), CLXS_OK);
	assert_null(m);
	/* A deep clone replacing a shallow one copies everything. */
	clxs_lh_clone_spec sh = {.source = SRC, .target = SHALLOW, .shallow = true};
	assert_int_equal(clxs_lh_clone(f->lh, &sh, NULL, &e), CLXS_OK);
	sh.shallow = false;
	sh.or_replace = true;
	assert_int_equal(clxs_lh_clone(f->lh, &sh, &m, &e), CLXS_OK);
	assert_int_equal(m_int(m, "numCopiedFiles"), 2);
	assert_int_equal(m_int(m, "numRemovedFiles"), 2);
	json_object_put(m);
	json_object *o = NULL;
	assert_int_equal(clxs_lh_table_get(f->lh, &SHALLOW, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "table_type", ""), "MANAGED");
	json_object_put(o);
	assert_int_equal(lh_snap_int(f->lh, &SHALLOW, NULL, "sum(id)", &e), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deep_clone_incremental, setup_src, lh_teardown),
		cmocka_unit_test_setup_teardown(test_shallow_clone, setup_src, lh_teardown),
		cmocka_unit_test_setup_teardown(test_vacuum_breaks_shallow_not_deep, setup_src,
						lh_teardown),
		cmocka_unit_test_setup_teardown(test_clone_errors, setup_src, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
