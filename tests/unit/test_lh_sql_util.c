/* SQL front end, utility and governance statements: DESCRIBE, SHOW,
 * RESTORE, VACUUM (and a shallow clone breaking), OPTIMIZE, CONVERT TO
 * DELTA, ALTER TABLE properties/constraints/comments/owners, COMMENT ON,
 * GRANT/REVOKE/SHOW GRANTS, tags, views, SQL functions, volumes, column
 * masks and row filters. */
#include "lh_sql_test_util.h"

static int find_row(const clxs_lh_result *r, size_t col, const char *val)
{
	for (size_t i = 0; i < (size_t)r->row_count; i++)
		if (cell(r, i, col) && !strcmp(cell(r, i, col), val))
			return (int)i;
	return -1;
}

static void test_describe_show(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE t (id BIGINT NOT NULL COMMENT 'the key', amt DECIMAL(10,2), r STRING) "
		      "PARTITIONED BY (r) COMMENT 'tbl' TBLPROPERTIES ('a' = '1')");
	sql_ok(f->lh, "INSERT INTO t VALUES (1, 2.5, 'x')");
	clxs_lh_result r;
	sql_res(f->lh, "DESCRIBE TABLE t", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "col_name");
	assert_string_equal(col_attr(&r, 1, "name"), "data_type");
	assert_string_equal(cell(&r, 0, 0), "id");
	assert_string_equal(cell(&r, 0, 1), "bigint");
	assert_string_equal(cell(&r, 0, 2), "the key");
	assert_string_equal(cell(&r, 1, 1), "decimal(10,2)");
	assert_true(find_row(&r, 0, "# Partition Information") > 0);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "DESCRIBE EXTENDED main.default.t", &r);
	int i = find_row(&r, 0, "Provider");
	assert_true(i > 0);
	assert_string_equal(cell(&r, (size_t)i, 1), "delta");
	i = find_row(&r, 0, "Comment");
	assert_string_equal(cell(&r, (size_t)i, 1), "tbl");
	clxs_lh_result_free(&r);

	sql_res(f->lh, "DESCRIBE HISTORY t", &r);
	assert_int_equal(r.row_count, 2);
	assert_string_equal(col_attr(&r, 0, "name"), "version");
	assert_string_equal(cell(&r, 0, 0), "1");
	assert_string_equal(cell(&r, 0, 4), "WRITE");
	assert_string_equal(cell(&r, 1, 4), "CREATE TABLE");
	assert_non_null(strstr(cell(&r, 0, 12), "numOutputRows"));
	clxs_lh_result_free(&r);
	sql_res(f->lh, "DESCRIBE HISTORY t LIMIT 1", &r);
	assert_int_equal(r.row_count, 1);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "DESCRIBE DETAIL t", &r);
	assert_int_equal(r.row_count, 1);
	assert_string_equal(cell(&r, 0, 0), "delta");
	assert_string_equal(col_attr(&r, 9, "name"), "numFiles");
	assert_string_equal(cell(&r, 0, 9), "1");
	assert_string_equal(cell(&r, 0, 7), "[\"r\"]");
	clxs_lh_result_free(&r);

	sql_res(f->lh, "SHOW TBLPROPERTIES t", &r);
	assert_true(find_row(&r, 0, "a") >= 0);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW TBLPROPERTIES t ('a')", &r);
	assert_string_equal(cell(&r, 0, 1), "1");
	clxs_lh_result_free(&r);

	sql_ok(f->lh, "CREATE CATALOG other");
	sql_ok(f->lh, "CREATE SCHEMA other.s1");
	sql_res(f->lh, "SHOW CATALOGS", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "catalog");
	assert_true(find_row(&r, 0, "main") >= 0 && find_row(&r, 0, "other") >= 0);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW CATALOGS LIKE 'oth*'", &r);
	assert_int_equal(r.row_count, 1);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW SCHEMAS IN other", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "databaseName");
	assert_true(find_row(&r, 0, "s1") >= 0 && find_row(&r, 0, "default") >= 0);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW TABLES IN main.default", &r);
	assert_string_equal(col_attr(&r, 1, "name"), "tableName");
	assert_true(find_row(&r, 1, "t") >= 0);
	assert_string_equal(cell(&r, 0, 2), "false");
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW TABLES", &r);
	assert_int_equal(r.row_count, 1);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW COLUMNS IN t", &r);
	assert_int_equal(r.row_count, 3);
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "DESCRIBE TABLE nope", "TABLE_OR_VIEW_NOT_FOUND");
}

static void test_restore_vacuum_optimize(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_set_retention_check(f->lh, false);
	sql_ok(f->lh, "CREATE TABLE s (id INT)");
	sql_ok(f->lh, "INSERT INTO s VALUES (1), (2)");   /* v1 */
	sql_ok(f->lh, "INSERT INTO s VALUES (3)");        /* v2 */
	sql_ok(f->lh, "CREATE TABLE sh SHALLOW CLONE s VERSION AS OF 1");
	assert_val(f->lh, "SELECT count(*) FROM sh", "2");
	sql_ok(f->lh, "DELETE FROM s WHERE id <= 2");     /* v3: v1's file removed */
	clxs_lh_result r;
	sql_res(f->lh, "RESTORE TABLE s TO VERSION AS OF 2", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "table_size_after_restore");
	assert_string_equal(col_attr(&r, 1, "name"), "num_of_files_after_restore");
	assert_string_equal(cell(&r, 0, 3), "1");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM s", "3");
	sql_ok(f->lh, "DELETE FROM s WHERE id <= 2");     /* remove it again */
	sql_fail(f->lh, "RESTORE TABLE s TO VERSION AS OF 99", "DELTA_CANNOT_RESTORE_TABLE_VERSION");
	/* dry run lists, changes nothing */
	sql_res(f->lh, "VACUUM s RETAIN 0 HOURS DRY RUN", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "path");
	assert_true(r.row_count >= 1);
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM sh", "2");
	sql_ok(f->lh, "VACUUM s RETAIN 0 HOURS");
	/* the shallow clone referenced vacuumed data: it fails as on Databricks */
	sql_fail(f->lh, "SELECT count(*) FROM sh", "DELTA_FILE_NOT_FOUND_DETAILED");
	sql_fail(f->lh, "SELECT count(*) FROM s VERSION AS OF 1", "DELTA_FILE_NOT_FOUND_DETAILED");
	assert_val(f->lh, "SELECT count(*) FROM s", "1");
	clxs_lh_set_retention_check(f->lh, true);
	sql_fail(f->lh, "VACUUM s RETAIN 1 HOURS", "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT");
	/* optimize */
	sql_ok(f->lh, "INSERT INTO s VALUES (9)");
	sql_ok(f->lh, "INSERT INTO s VALUES (8)");
	sql_res(f->lh, "OPTIMIZE s ZORDER BY (id)", &r);
	assert_string_equal(col_attr(&r, 1, "name"), "metrics");
	assert_non_null(strstr(cell(&r, 0, 1), "numFilesAdded"));
	clxs_lh_result_free(&r);
	sql_res(f->lh, "DESCRIBE DETAIL s", &r);
	assert_string_equal(cell(&r, 0, 9), "1");
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "OPTIMIZE s ZORDER BY (nope)", "DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST");
	/* convert to delta */
	sql_ok(f->lh, "CREATE TABLE pq (a INT) USING PARQUET");
	sql_ok(f->lh, "CONVERT TO DELTA main.default.pq");
	sql_res(f->lh, "DESCRIBE DETAIL pq", &r);
	assert_string_equal(cell(&r, 0, 0), "delta");
	clxs_lh_result_free(&r);
	sql_res(f->lh, "DESCRIBE HISTORY pq LIMIT 1", &r);
	assert_string_equal(cell(&r, 0, 4), "CONVERT");
	clxs_lh_result_free(&r);
}

static void test_alter(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE a (id INT, v STRING)");
	sql_ok(f->lh, "INSERT INTO a VALUES (1, 'x'), (-1, 'y')");
	sql_ok(f->lh, "ALTER TABLE a SET TBLPROPERTIES ('k1' = 'v1', 'k2' = 'v2')");
	sql_ok(f->lh, "ALTER TABLE a UNSET TBLPROPERTIES ('k2')");
	sql_fail(f->lh, "ALTER TABLE a UNSET TBLPROPERTIES ('nope')", "UNSET_NONEXISTENT_PROPERTIES");
	sql_ok(f->lh, "ALTER TABLE a UNSET TBLPROPERTIES IF EXISTS ('nope')");
	clxs_lh_result r;
	sql_res(f->lh, "SHOW TBLPROPERTIES a", &r);
	assert_true(find_row(&r, 0, "k1") >= 0);
	assert_int_equal(find_row(&r, 0, "k2"), -1);
	clxs_lh_result_free(&r);
	/* a CHECK that existing rows violate is refused; nothing changes */
	sql_fail(f->lh, "ALTER TABLE a ADD CONSTRAINT pos CHECK (id > 0)", "DELTA_NEW_CHECK_CONSTRAINT_VIOLATION");
	sql_ok(f->lh, "DELETE FROM a WHERE id < 0");
	sql_ok(f->lh, "ALTER TABLE a ADD CONSTRAINT pos CHECK (id > 0)");
	sql_fail(f->lh, "INSERT INTO a VALUES (-5, 'z')", "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES");
	sql_fail(f->lh, "ALTER TABLE a ADD CONSTRAINT pos CHECK (id > 1)", "CONSTRAINT_ALREADY_EXISTS");
	sql_res(f->lh, "DESCRIBE HISTORY a LIMIT 1", &r);
	assert_string_equal(cell(&r, 0, 4), "ADD CONSTRAINT");
	clxs_lh_result_free(&r);
	sql_ok(f->lh, "ALTER TABLE a DROP CONSTRAINT pos");
	sql_ok(f->lh, "INSERT INTO a VALUES (-5, 'z')");
	sql_fail(f->lh, "ALTER TABLE a DROP CONSTRAINT pos", "DELTA_CONSTRAINT_DOES_NOT_EXIST");
	sql_ok(f->lh, "ALTER TABLE a DROP CONSTRAINT IF EXISTS pos");
	sql_ok(f->lh, "ALTER TABLE a ADD CONSTRAINT a_pk PRIMARY KEY (id)");
	sql_ok(f->lh, "ALTER TABLE a DROP PRIMARY KEY");
	/* comments and owners */
	sql_ok(f->lh, "ALTER TABLE a ALTER COLUMN v COMMENT 'the value'");
	sql_res(f->lh, "DESCRIBE TABLE a", &r);
	assert_string_equal(cell(&r, 1, 2), "the value");
	clxs_lh_result_free(&r);
	sql_ok(f->lh, "COMMENT ON TABLE a IS 'table a'");
	sql_ok(f->lh, "COMMENT ON CATALOG main IS 'main cat'");
	sql_ok(f->lh, "COMMENT ON SCHEMA main.default IS 'def'");
	sql_ok(f->lh, "ALTER TABLE a OWNER TO `data-eng`");
	sql_ok(f->lh, "ALTER SCHEMA main.default OWNER TO `alice@x.com`");
	sql_ok(f->lh, "ALTER CATALOG main SET OWNER TO admins");
	clxs_lh_name n = {"main", "default", "a"};
	json_object *o = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "owner", ""), "data-eng");
	assert_string_equal(clxs_json_str(o, "comment", ""), "table a");
	json_object_put(o);
	assert_int_equal(clxs_lh_catalog_get(f->lh, "main", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "owner", ""), "admins");
	assert_string_equal(clxs_json_str(o, "comment", ""), "main cat");
	json_object_put(o);
	sql_fail(f->lh, "ALTER TABLE a RENAME TO b", "UNSUPPORTED_FEATURE");
}

static void test_grants_tags(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE g (id INT, email STRING)");
	sql_ok(f->lh, "GRANT USE CATALOG ON CATALOG main TO `analysts`");
	sql_ok(f->lh, "GRANT SELECT, MODIFY ON TABLE g TO `analysts`");
	sql_ok(f->lh, "GRANT ALL PRIVILEGES ON SCHEMA main.default TO `admins`");
	clxs_lh_result r;
	sql_res(f->lh, "SHOW GRANTS ON TABLE main.default.g", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "principal");
	assert_string_equal(col_attr(&r, 1, "name"), "ActionType");
	assert_int_equal(r.row_count, 2);
	assert_true(find_row(&r, 1, "SELECT") >= 0 && find_row(&r, 1, "MODIFY") >= 0);
	assert_string_equal(cell(&r, 0, 2), "TABLE");
	clxs_lh_result_free(&r);
	sql_ok(f->lh, "REVOKE MODIFY ON TABLE g FROM `analysts`");
	sql_res(f->lh, "SHOW GRANTS `analysts` ON g", &r);
	assert_int_equal(r.row_count, 1);
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SHOW GRANTS ON CATALOG main", &r);
	assert_string_equal(cell(&r, 0, 1), "USE CATALOG");
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "GRANT FLY ON TABLE g TO x", "INVALID_PARAMETER_VALUE");
	sql_fail(f->lh, "GRANT SELECT ON TABLE nope TO x", "TABLE_OR_VIEW_NOT_FOUND");
	/* tags everywhere */
	sql_ok(f->lh, "ALTER CATALOG main SET TAGS ('env' = 'prod')");
	sql_ok(f->lh, "ALTER SCHEMA main.default SET TAGS ('team' = 'core')");
	sql_ok(f->lh, "ALTER TABLE g SET TAGS ('pii' = 'true', 'x' = '1')");
	sql_ok(f->lh, "ALTER TABLE g UNSET TAGS ('x')");
	sql_ok(f->lh, "ALTER TABLE g ALTER COLUMN email SET TAGS ('pii' = 'email')");
	sql_fail(f->lh, "ALTER TABLE g ALTER COLUMN nope SET TAGS ('a' = 'b')", "UNRESOLVED_COLUMN");
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tags"), 4);
	/* dropping the table takes its grants and tags along */
	sql_ok(f->lh, "DROP TABLE g");
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tags"), 2);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_grants WHERE securable_type='TABLE'"), 0);
}

static void test_views_functions_volumes(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE p (id INT, email STRING, region STRING)");
	sql_ok(f->lh, "INSERT INTO p VALUES (1, 'ann@x.com', 'eu'), (2, 'bob@y.com', 'us')");
	sql_ok(f->lh, "CREATE VIEW v_eu (pid COMMENT 'person', mail) COMMENT 'eu people' AS "
		      "SELECT id, email FROM p WHERE region = 'eu'");
	clxs_lh_result r;
	sql_res(f->lh, "SELECT * FROM v_eu", &r);
	assert_int_equal(r.row_count, 1);
	assert_string_equal(col_attr(&r, 0, "name"), "pid");
	assert_string_equal(col_attr(&r, 0, "type_name"), "INT");
	assert_string_equal(cell(&r, 0, 1), "ann@x.com");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM main.default.v_eu v JOIN p ON p.id = v.pid", "1");
	sql_ok(f->lh, "CREATE OR REPLACE VIEW v_eu AS SELECT id FROM p");
	assert_val(f->lh, "SELECT count(*) FROM v_eu", "2");
	sql_fail(f->lh, "CREATE VIEW v_eu AS SELECT 1", "TABLE_OR_VIEW_ALREADY_EXISTS");
	sql_ok(f->lh, "CREATE VIEW IF NOT EXISTS v_eu AS SELECT 1");
	sql_fail(f->lh, "CREATE VIEW bad AS SELECT * FROM nope", "TABLE_OR_VIEW_NOT_FOUND");
	sql_fail(f->lh, "SELECT * FROM v_eu VERSION AS OF 0", "UNSUPPORTED_FEATURE");
	sql_fail(f->lh, "DROP TABLE v_eu", "WRONG_COMMAND_FOR_OBJECT_TYPE");
	sql_fail(f->lh, "DROP VIEW p", "WRONG_COMMAND_FOR_OBJECT_TYPE");
	sql_fail(f->lh, "INSERT INTO v_eu VALUES (3)", "EXPECT_TABLE_NOT_VIEW");

	/* SQL UDFs */
	sql_ok(f->lh, "CREATE FUNCTION main.default.domain(e STRING) RETURNS STRING "
		      "COMMENT 'mail domain' RETURN substring(e, instr(e, '@') + 1)");
	assert_val(f->lh, "SELECT domain(email) FROM p WHERE id = 2", "y.com");
	assert_val(f->lh, "SELECT main.default.domain('a@b')", "b");
	sql_ok(f->lh, "CREATE FUNCTION twice(x INT) RETURNS INT RETURN x * 2");
	assert_val(f->lh, "SELECT twice(twice(id)) FROM p WHERE id = 2", "8");
	clxs_lh_result r2;
	sql_res(f->lh, "SELECT twice(3) AS t", &r2);
	assert_string_equal(col_attr(&r2, 0, "type_name"), "LONG");  /* unknown statically */
	assert_string_equal(cell(&r2, 0, 0), "6");
	clxs_lh_result_free(&r2);
	sql_fail(f->lh, "SELECT twice(1, 2)", "WRONG_NUM_ARGS");
	sql_fail(f->lh, "CREATE FUNCTION twice(x INT) RETURNS INT RETURN x", "ROUTINE_ALREADY_EXISTS");
	sql_ok(f->lh, "CREATE OR REPLACE FUNCTION twice(x INT) RETURNS INT RETURN x * 3");
	assert_val(f->lh, "SELECT twice(1)", "3");
	sql_fail(f->lh, "CREATE FUNCTION bad(x INT) RETURNS INT RETURN nope_fn(x)", "UNRESOLVED_ROUTINE");

	/* masks and row filters */
	sql_ok(f->lh, "CREATE FUNCTION mask_mail(e STRING) RETURNS STRING "
		      "RETURN CASE WHEN is_account_group_member('hr') THEN e ELSE concat('***', substring(e, instr(e, '@'))) END");
	sql_ok(f->lh, "ALTER TABLE p ALTER COLUMN email SET MASK mask_mail");
	assert_val(f->lh, "SELECT email FROM p WHERE id = 1", "***@x.com");
	sql_ok(f->lh, "CREATE FUNCTION only_eu(r STRING) RETURNS BOOLEAN RETURN r = 'eu'");
	sql_ok(f->lh, "ALTER TABLE p SET ROW FILTER only_eu ON (region)");
	assert_val(f->lh, "SELECT count(*) FROM p", "1");
	assert_val(f->lh, "SELECT count(*) FROM v_eu", "1");      /* views read through it too */
	sql_ok(f->lh, "ALTER TABLE p DROP ROW FILTER");
	sql_ok(f->lh, "ALTER TABLE p ALTER COLUMN email DROP MASK");
	assert_val(f->lh, "SELECT count(*) FROM p WHERE email LIKE '%@%'", "2");
	sql_fail(f->lh, "ALTER TABLE p SET ROW FILTER nope ON (region)", "ROUTINE_NOT_FOUND");
	sql_ok(f->lh, "DROP FUNCTION twice");
	sql_fail(f->lh, "SELECT twice(1)", "UNRESOLVED_ROUTINE");
	sql_fail(f->lh, "DROP FUNCTION twice", "ROUTINE_NOT_FOUND");
	sql_ok(f->lh, "DROP FUNCTION IF EXISTS twice");
	sql_ok(f->lh, "ALTER FUNCTION domain OWNER TO `bob`");

	/* volumes */
	sql_ok(f->lh, "CREATE VOLUME main.default.files COMMENT 'raw files'");
	sql_ok(f->lh, "CREATE EXTERNAL VOLUME IF NOT EXISTS ext LOCATION 's3://bucket/path'");
	sql_fail(f->lh, "CREATE VOLUME files", "VOLUME_ALREADY_EXISTS");
	sql_fail(f->lh, "CREATE EXTERNAL VOLUME e2", "INVALID_PARAMETER_VALUE");
	sql_ok(f->lh, "COMMENT ON VOLUME files IS 'new'");
	sql_ok(f->lh, "ALTER VOLUME files SET TAGS ('k' = 'v')");
	sql_ok(f->lh, "ALTER VOLUME files OWNER TO `eve`");
	sql_ok(f->lh, "GRANT READ VOLUME ON VOLUME files TO `eve`");
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_volumes WHERE comment='new' AND owner='eve'"), 1);
	sql_ok(f->lh, "DROP VOLUME files");
	sql_fail(f->lh, "DROP VOLUME files", "VOLUME_NOT_FOUND");
	sql_ok(f->lh, "DROP VOLUME IF EXISTS files");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_describe_show, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_restore_vacuum_optimize, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_alter, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_grants_tags, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_views_functions_volumes, sql_setup, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
