/* Helpers for the lakehouse SQL front-end tests: run statements through
 * clxs_lh_sql_exec with a current catalog/schema and read result cells. */
#ifndef LH_SQL_TEST_UTIL_H
#define LH_SQL_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clxs/lakehouse.h"
#include "lh_test_util.h"

static clxs_lh_exec_opts sql_opts = {.catalog = "main", .schema = "default"};

/* Run sql; on failure print the error. Returns the code. */
static inline clxs_code sql_run(clxs_lh *lh, const char *sql, clxs_lh_result *res, clxs_error *err)
{
	clxs_code rc = clxs_lh_sql_exec(lh, sql, &sql_opts, res, err);
	return rc;
}

/* Run sql that must succeed; the result is freed unless res is given. */
static inline void sql_ok_(clxs_lh *lh, const char *sql, clxs_lh_result *out, const char *file,
			   int line)
{
	clxs_lh_result res;
	clxs_error err = {0};
	clxs_code rc = sql_run(lh, sql, &res, &err);
	if (rc != CLXS_OK)
		fprintf(stderr, "%s:%d: statement failed: %s\n  -> %s\n", file, line, sql, err.message);
	_assert_int_equal(rc, CLXS_OK, file, line);
	if (out)
		*out = res;
	else
		clxs_lh_result_free(&res);
}
#define sql_ok(lh, sql) sql_ok_((lh), (sql), NULL, __FILE__, __LINE__)
#define sql_res(lh, sql, res) sql_ok_((lh), (sql), (res), __FILE__, __LINE__)

/* Run sql that must fail with error class cls (err->detail). */
static inline void sql_fail_(clxs_lh *lh, const char *sql, const char *cls, const char *file,
			     int line)
{
	clxs_lh_result res;
	clxs_error err = {0};
	clxs_code rc = sql_run(lh, sql, &res, &err);
	if (rc == CLXS_OK || strcmp(err.detail, cls) != 0)
		fprintf(stderr, "%s:%d: expected %s from: %s\n  got rc=%d %s / %s\n", file, line, cls,
			sql, rc, err.detail, err.message);
	_assert_true(rc != CLXS_OK, "rc != CLXS_OK", file, line);
	_assert_string_equal(err.detail, cls, file, line);
	/* a failed statement returns no rows */
	_assert_int_equal(res.row_count, 0, file, line);
	clxs_lh_result_free(&res);
}
#define sql_fail(lh, sql, cls) sql_fail_((lh), (sql), (cls), __FILE__, __LINE__)

/* Cell (row r, column c) as a string; NULL for JSON null. */
static inline const char *cell(const clxs_lh_result *res, size_t r, size_t c)
{
	json_object *row = json_object_array_get_idx(res->rows, r);
	json_object *v = row ? json_object_array_get_idx(row, c) : NULL;
	return v ? json_object_get_string(v) : NULL;
}

static inline const char *col_attr(const clxs_lh_result *res, size_t c, const char *key)
{
	json_object *o = json_object_array_get_idx(res->columns, c);
	return o ? clxs_json_str(o, key, NULL) : NULL;
}

/* One-value query: the first cell as a malloc'd string ("<null>" for NULL). */
static inline char *sql_val_(clxs_lh *lh, const char *sql, const char *file, int line)
{
	clxs_lh_result res;
	sql_ok_(lh, sql, &res, file, line);
	const char *v = res.row_count ? cell(&res, 0, 0) : "<no rows>";
	char *s = strdup(v ? v : "<null>");
	clxs_lh_result_free(&res);
	return s;
}

#define assert_val(lh, sql, expect)                                   \
	do {                                                          \
		char *v_ = sql_val_((lh), (sql), __FILE__, __LINE__); \
		if (strcmp(v_, (expect)) != 0)                        \
			fprintf(stderr, "  for: %s\n", (sql));        \
		assert_string_equal(v_, (expect));                    \
		free(v_);                                             \
	} while (0)

/* fixture with a catalog "main" */
static int sql_setup(void **state)
{
	if (lh_setup(state))
		return -1;
	lh_fixture *f = *state;
	clxs_lh_container_spec spec = {.name = "main"};
	clxs_error e = {0};
	return clxs_lh_catalog_create(f->lh, &spec, true, &e) == CLXS_OK ? 0 : -1;
}

#endif
