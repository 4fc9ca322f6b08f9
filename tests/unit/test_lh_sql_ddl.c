/* SQL front end, DDL and DML: catalogs, schemas, tables (constraints,
 * partitioning, properties, CTAS, LIKE, CLONE with metrics), INSERT,
 * UPDATE, DELETE, MERGE; atomicity of failing statements. */
#include "lh_sql_test_util.h"

static long long versions(clxs_lh *lh, const char *c, const char *s, const char *t)
{
	clxs_lh_name n = {c, s, t};
	json_object *h = NULL;
	clxs_error e = {0};
	if (clxs_lh_table_history(lh, &n, 0, &h, &e) != CLXS_OK)
		return -1;
	long long v = (long long)json_object_array_length(h);
	json_object_put(h);
	return v;
}

static void test_catalog_schema(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE CATALOG IF NOT EXISTS dev COMMENT 'dev catalog' MANAGED LOCATION '/tmp/x'");
	sql_ok(f->lh, "CREATE CATALOG IF NOT EXISTS dev");
	sql_fail(f->lh, "CREATE CATALOG dev", "CATALOG_ALREADY_EXISTS");
	sql_ok(f->lh, "CREATE SCHEMA dev.s1 COMMENT 'one'");
	sql_ok(f->lh, "CREATE DATABASE IF NOT EXISTS `dev`.`s 2`");
	sql_ok(f->lh, "CREATE SCHEMA s3");  /* in the current catalog main */
	json_object *o = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_schema_get(f->lh, "dev", "s1", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "comment", ""), "one");
	json_object_put(o);
	assert_int_equal(clxs_lh_schema_get(f->lh, "main", "s3", &o, &e), CLXS_OK);
	json_object_put(o);
	assert_int_equal(clxs_lh_catalog_get(f->lh, "dev", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "comment", ""), "dev catalog");
	json_object_put(o);
	sql_ok(f->lh, "CREATE TABLE dev.s1.t (a INT)");
	sql_fail(f->lh, "DROP SCHEMA dev.s1", "SCHEMA_NOT_EMPTY");
	sql_ok(f->lh, "DROP SCHEMA dev.s1 CASCADE");
	sql_ok(f->lh, "DROP SCHEMA IF EXISTS dev.s1");
	sql_fail(f->lh, "DROP SCHEMA dev.s1", "SCHEMA_NOT_FOUND");
	sql_fail(f->lh, "DROP CATALOG dev", "CATALOG_NOT_EMPTY");
	sql_ok(f->lh, "DROP CATALOG dev CASCADE");
	sql_fail(f->lh, "DROP CATALOG dev", "NO_SUCH_CATALOG_EXCEPTION");
	sql_ok(f->lh, "DROP CATALOG IF EXISTS dev");
	sql_fail(f->lh, "CREATE CATALOG", "PARSE_SYNTAX_ERROR");
}

static void test_create_table(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh,
	       "CREATE TABLE main.default.orders (\n"
	       "  id BIGINT NOT NULL COMMENT 'key',\n"
	       "  amount DECIMAL(10,2),\n"
	       "  region STRING,\n"
	       "  CONSTRAINT pos CHECK (amount > 0),\n"
	       "  CONSTRAINT orders_pk PRIMARY KEY (id)\n"
	       ") USING DELTA PARTITIONED BY (region) COMMENT 'all orders'\n"
	       "TBLPROPERTIES ('delta.appendOnly' = 'false', quality = 'gold')");
	clxs_lh_name n = {"main", "default", "orders"};
	json_object *o = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "comment", ""), "all orders");
	json_object *cols = NULL, *props = NULL, *k = NULL, *part = NULL;
	assert_true(json_object_object_get_ex(o, "columns", &cols));
	assert_int_equal(json_object_array_length(cols), 3);
	json_object *c0 = json_object_array_get_idx(cols, 0);
	assert_string_equal(clxs_json_str(c0, "type_text", ""), "BIGINT");
	assert_false(clxs_json_bool(c0, "nullable", true));
	assert_string_equal(clxs_json_str(c0, "comment", ""), "key");
	assert_string_equal(clxs_json_str(json_object_array_get_idx(cols, 1), "type_text", ""),
			    "DECIMAL(10,2)");
	assert_true(json_object_object_get_ex(o, "properties", &props));
	assert_string_equal(clxs_json_str(props, "quality", ""), "gold");
	assert_true(json_object_object_get_ex(o, "table_constraints", &k));
	assert_int_equal(json_object_array_length(k), 2);
	assert_true(json_object_object_get_ex(o, "partition_columns", &part));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(part, 0)), "region");
	json_object_put(o);

	/* constraints are enforced; a failing INSERT leaves nothing */
	sql_ok(f->lh, "INSERT INTO orders VALUES (1, 9.5, 'eu'), (2, 3, 'us')");
	sql_fail(f->lh, "INSERT INTO orders VALUES (3, 1, 'eu'), (4, -1, 'us')",
		 "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES");
	sql_fail(f->lh, "INSERT INTO orders (amount) VALUES (5)", "DELTA_NOT_NULL_CONSTRAINT_VIOLATED");
	assert_val(f->lh, "SELECT count(*) FROM orders", "2");
	assert_int_equal(versions(f->lh, "main", "default", "orders"), 2);

	sql_fail(f->lh, "CREATE TABLE orders (x INT)", "TABLE_OR_VIEW_ALREADY_EXISTS");
	sql_ok(f->lh, "CREATE TABLE IF NOT EXISTS orders (x INT)");
	sql_fail(f->lh, "CREATE TABLE bad (x INT, CONSTRAINT c CHECK (nope > 0))", "UNRESOLVED_COLUMN");
	sql_fail(f->lh, "CREATE TABLE bad (x INT, x STRING)", "COLUMN_ALREADY_EXISTS");
	sql_fail(f->lh, "CREATE TABLE bad (x FOO)", "UNSUPPORTED_DATATYPE");
	sql_fail(f->lh, "CREATE TABLE bad (x INT) PARTITIONED BY (y)", "UNRESOLVED_COLUMN");
	sql_fail(f->lh, "CREATE TABLE bad (x INT) USING EXCEL", "UNSUPPORTED_DATASOURCE");
	sql_fail(f->lh, "SELECT * FROM bad", "TABLE_OR_VIEW_NOT_FOUND");

	/* FK referencing the PK, inline primary key */
	sql_ok(f->lh, "CREATE TABLE lines (order_id BIGINT, n INT PRIMARY KEY, "
		      "CONSTRAINT fk FOREIGN KEY (order_id) REFERENCES orders (id))");
	n.name = "lines";
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_true(json_object_object_get_ex(o, "table_constraints", &k));
	assert_int_equal(json_object_array_length(k), 2);
	assert_non_null(strstr(json_object_to_json_string(k), "main.default.orders"));
	json_object_put(o);

	/* CREATE OR REPLACE keeps history; CTAS; LIKE */
	sql_ok(f->lh, "CREATE OR REPLACE TABLE orders (id BIGINT, note STRING)");
	assert_val(f->lh, "SELECT count(*) FROM orders", "0");
	assert_val(f->lh, "SELECT count(*) FROM orders VERSION AS OF 1", "2");
	clxs_lh_result r;
	sql_res(f->lh, "CREATE TABLE ctas AS SELECT id, amount * 2 AS dbl, 'x' AS tag FROM orders VERSION AS OF 1", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "num_affected_rows");
	assert_string_equal(cell(&r, 0, 0), "2");
	clxs_lh_result_free(&r);
	sql_res(f->lh, "SELECT id, dbl, tag FROM ctas ORDER BY id", &r);
	assert_string_equal(col_attr(&r, 0, "type_name"), "LONG");
	assert_string_equal(col_attr(&r, 2, "type_name"), "STRING");
	assert_string_equal(cell(&r, 0, 1), "19.0");
	clxs_lh_result_free(&r);
	sql_ok(f->lh, "CREATE TABLE liked LIKE lines");
	n.name = "liked";
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_true(json_object_object_get_ex(o, "columns", &cols));
	assert_int_equal(json_object_array_length(cols), 2);
	json_object_put(o);
	assert_val(f->lh, "SELECT count(*) FROM liked", "0");

	sql_ok(f->lh, "DROP TABLE liked");
	sql_fail(f->lh, "DROP TABLE liked", "TABLE_OR_VIEW_NOT_FOUND");
	sql_ok(f->lh, "DROP TABLE IF EXISTS liked");
}

static void test_dml(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE t (id INT, name STRING, score DOUBLE, d DATE, ok BOOLEAN)");
	clxs_lh_result r;
	sql_res(f->lh, "INSERT INTO t VALUES (1, 'a', 1.5, '2024-01-01', true), (2, 'b', 2, NULL, false)", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "num_affected_rows");
	assert_string_equal(col_attr(&r, 1, "name"), "num_inserted_rows");
	assert_string_equal(cell(&r, 0, 1), "2");
	clxs_lh_result_free(&r);
	/* column list, casts on the way in */
	sql_ok(f->lh, "INSERT INTO t (name, id) VALUES ('c', '3')");
	sql_res(f->lh, "SELECT id, name, score, ok FROM t WHERE id = 3", &r);
	assert_string_equal(cell(&r, 0, 0), "3");
	assert_null(cell(&r, 0, 2));
	assert_string_equal(col_attr(&r, 3, "type_name"), "BOOLEAN");
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "INSERT INTO t VALUES (4, 'd')", "INSERT_COLUMN_ARITY_MISMATCH");
	sql_fail(f->lh, "INSERT INTO t (id) VALUES ('four')", "CAST_INVALID_INPUT");
	sql_fail(f->lh, "INSERT INTO t (id, d) VALUES (4, 'not a date')", "CAST_INVALID_INPUT");
	sql_fail(f->lh, "INSERT INTO t (nope) VALUES (1)", "UNRESOLVED_COLUMN");
	/* INSERT ... SELECT from itself */
	sql_ok(f->lh, "INSERT INTO t SELECT id + 10, name, score, d, ok FROM t WHERE id < 3");
	assert_val(f->lh, "SELECT count(*) FROM t", "5");
	assert_val(f->lh, "SELECT score FROM t WHERE id = 12", "2.0");
	/* UPDATE / DELETE */
	sql_res(f->lh, "UPDATE t AS x SET x.score = score * 10, name = upper(name) WHERE x.id > 10", &r);
	assert_string_equal(col_attr(&r, 0, "name"), "num_affected_rows");
	assert_string_equal(cell(&r, 0, 0), "2");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT name || ':' || CAST(score AS STRING) FROM t WHERE id = 11", "A:15.0");
	sql_fail(f->lh, "UPDATE t SET nope = 1", "UNRESOLVED_COLUMN");
	long long before = versions(f->lh, "main", "default", "t");
	sql_fail(f->lh, "UPDATE t SET id = 'x' WHERE id = 1", "CAST_INVALID_INPUT");
	sql_fail(f->lh, "DELETE FROM t WHERE nope = 1", "UNRESOLVED_COLUMN");
	assert_int_equal(versions(f->lh, "main", "default", "t"), before);
	assert_val(f->lh, "SELECT id FROM t WHERE name = 'a'", "1");
	sql_res(f->lh, "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE name = 'A')", &r);
	assert_string_equal(cell(&r, 0, 0), "1");
	clxs_lh_result_free(&r);
	sql_res(f->lh, "DELETE FROM t WHERE id = 999", &r);
	assert_string_equal(cell(&r, 0, 0), "0");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM t", "4");
	/* INSERT OVERWRITE */
	sql_ok(f->lh, "INSERT OVERWRITE TABLE t SELECT * FROM t WHERE id = 1");
	assert_val(f->lh, "SELECT count(*) FROM t", "1");
	long long v = versions(f->lh, "main", "default", "t");
	sql_ok(f->lh, "DELETE FROM t");
	assert_val(f->lh, "SELECT count(*) FROM t", "0");
	assert_int_equal(versions(f->lh, "main", "default", "t"), v + 1);
	/* parameters through DML */
	json_object *p = json_tokener_parse("[{\"name\":\"i\",\"value\":\"7\",\"type\":\"INT\"},"
					    "{\"name\":\"s\",\"value\":\"it's\"}]");
	clxs_lh_exec_opts o = sql_opts;
	o.parameters = p;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_sql_exec(f->lh, "INSERT INTO t (id, name) VALUES (:i, :s)", &o, &r, &e),
			 CLXS_OK);
	clxs_lh_result_free(&r);
	assert_int_equal(clxs_lh_sql_exec(f->lh, "UPDATE t SET name = concat(name, '!') WHERE id = :i", &o,
					  &r, &e), CLXS_OK);
	clxs_lh_result_free(&r);
	json_object_put(p);
	assert_val(f->lh, "SELECT name FROM t WHERE id = 7", "it's!");
}

static void test_merge(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE tgt (id INT, v STRING, n INT)");
	sql_ok(f->lh, "INSERT INTO tgt VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
	sql_ok(f->lh, "CREATE TABLE src (id INT, v STRING, op STRING)");
	sql_ok(f->lh, "INSERT INTO src VALUES (1, 'A', 'u'), (2, 'B', 'd'), (4, 'D', 'i'), (5, 'E', 'skip')");
	long long v0 = versions(f->lh, "main", "default", "tgt");
	clxs_lh_result r;
	sql_res(f->lh,
		"MERGE INTO tgt t USING src s ON t.id = s.id "
		"WHEN MATCHED AND s.op = 'd' THEN DELETE "
		"WHEN MATCHED THEN UPDATE SET v = s.v, n = t.n + 100 "
		"WHEN NOT MATCHED AND s.op <> 'skip' THEN INSERT (id, v) VALUES (s.id, s.v)", &r);
	assert_int_equal(json_object_array_length(r.columns), 4);
	assert_string_equal(col_attr(&r, 0, "name"), "num_affected_rows");
	assert_string_equal(cell(&r, 0, 0), "3");
	assert_string_equal(cell(&r, 0, 1), "1");
	assert_string_equal(cell(&r, 0, 2), "1");
	assert_string_equal(cell(&r, 0, 3), "1");
	clxs_lh_result_free(&r);
	assert_int_equal(versions(f->lh, "main", "default", "tgt"), v0 + 1);
	sql_res(f->lh, "SELECT id, v, n FROM tgt ORDER BY id", &r);
	assert_int_equal(r.row_count, 3);
	assert_string_equal(cell(&r, 0, 1), "A");
	assert_string_equal(cell(&r, 0, 2), "101");
	assert_string_equal(cell(&r, 1, 0), "3");
	assert_string_equal(cell(&r, 1, 1), "c");
	assert_string_equal(cell(&r, 2, 0), "4");
	assert_null(cell(&r, 2, 2));
	clxs_lh_result_free(&r);
	/* history: one MERGE version */
	clxs_lh_name n = {"main", "default", "tgt"};
	json_object *h = NULL;
	json_object *ent = lh_latest_entry(f->lh, &n, &h);
	assert_non_null(ent);
	assert_string_equal(clxs_json_str(ent, "operation", ""), "MERGE");
	assert_int_equal(lh_hist_metric(ent, "numTargetRowsInserted"), 1);
	json_object_put(h);
	/* UPDATE SET * / INSERT * with a subquery source */
	sql_ok(f->lh, "MERGE INTO tgt USING (SELECT id, 'Z' AS v, 0 AS n FROM src WHERE id >= 4) AS s "
		      "ON tgt.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *");
	assert_val(f->lh, "SELECT count(*) FROM tgt WHERE v = 'Z'", "2");
	assert_val(f->lh, "SELECT count(*) FROM tgt", "4");
	/* two source rows for one target row */
	sql_ok(f->lh, "INSERT INTO src VALUES (3, 'x', 'u'), (3, 'y', 'u')");
	long long v1 = versions(f->lh, "main", "default", "tgt");
	sql_fail(f->lh, "MERGE INTO tgt t USING src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v",
		 "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE");
	sql_fail(f->lh, "MERGE INTO tgt t USING src s ON id = s.id WHEN MATCHED THEN DELETE",
		 "AMBIGUOUS_REFERENCE");
	assert_int_equal(versions(f->lh, "main", "default", "tgt"), v1);
	assert_val(f->lh, "SELECT count(*) FROM tgt", "4");
	/* a failing MERGE leaves no temp table behind */
	assert_val(f->lh, "SELECT count(*) FROM tgt", "4");
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM temp.sqlite_master"), 0);
}

static void test_clone(void **state)
{
	lh_fixture *f = *state;
	sql_ok(f->lh, "CREATE TABLE src (id INT, v STRING) TBLPROPERTIES ('p' = '1')");
	sql_ok(f->lh, "INSERT INTO src VALUES (1, 'a'), (2, 'b')");   /* v1 */
	sql_ok(f->lh, "INSERT INTO src VALUES (3, 'c')");             /* v2 */
	sql_ok(f->lh, "CREATE CATALOG dev");
	clxs_lh_result r;
	sql_res(f->lh, "CREATE TABLE dev.default.deep DEEP CLONE main.default.src VERSION AS OF 1", &r);
	assert_int_equal(json_object_array_length(r.columns), 6);
	assert_string_equal(col_attr(&r, 0, "name"), "source_table_size");
	assert_string_equal(col_attr(&r, 1, "name"), "source_num_of_files");
	assert_string_equal(col_attr(&r, 3, "name"), "num_copied_files");
	assert_string_equal(col_attr(&r, 5, "name"), "copied_files_size");
	assert_string_equal(col_attr(&r, 3, "type_name"), "LONG");
	assert_string_equal(cell(&r, 0, 1), "1");
	assert_string_equal(cell(&r, 0, 3), "1");
	assert_true(atoll(cell(&r, 0, 0)) > 0);
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM dev.default.deep", "2");
	/* re-running the deep clone of the latest version copies only the new file */
	sql_res(f->lh, "CREATE OR REPLACE TABLE dev.default.deep CLONE main.default.src", &r);
	assert_string_equal(cell(&r, 0, 1), "2");
	assert_string_equal(cell(&r, 0, 3), "1");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT count(*) FROM dev.default.deep", "3");
	sql_res(f->lh, "CREATE TABLE dev.default.sh SHALLOW CLONE main.default.src TBLPROPERTIES ('q' = '2')", &r);
	assert_string_equal(cell(&r, 0, 3), "0");
	clxs_lh_result_free(&r);
	assert_val(f->lh, "SELECT max(id) FROM dev.default.sh", "3");
	clxs_lh_name n = {"dev", "default", "sh"};
	json_object *o = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "table_type", ""), "MANAGED_SHALLOW_CLONE");
	json_object_put(o);
	sql_fail(f->lh, "CREATE TABLE dev.default.deep CLONE main.default.src", "TABLE_OR_VIEW_ALREADY_EXISTS");
	sql_fail(f->lh, "CREATE TABLE dev.default.x CLONE main.default.nope", "TABLE_OR_VIEW_NOT_FOUND");
}

static void test_injection_stored(void **state)
{
	lh_fixture *f = *state;
	/* hostile names and values are stored and read back as data */
	sql_ok(f->lh, "CREATE SCHEMA `x\"; DROP TABLE lh_tables; --`");
	sql_ok(f->lh, "CREATE TABLE `x\"; DROP TABLE lh_tables; --`.`t'1` (`c\"x` STRING COMMENT 'a''b\\'c')");
	sql_ok(f->lh, "INSERT INTO `x\"; DROP TABLE lh_tables; --`.`t'1` VALUES ('\\'); DELETE FROM lh_tables; --')");
	assert_val(f->lh, "SELECT `c\"x` FROM `x\"; DROP TABLE lh_tables; --`.`t'1`",
		   "'); DELETE FROM lh_tables; --");
	assert_true(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables") >= 1);
	sql_fail(f->lh, "CREATE TABLE `a.b` (x INT)", "INVALID_SCHEMA_OR_RELATION_NAME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_catalog_schema, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_create_table, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_dml, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_merge, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_clone, sql_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_injection_stored, sql_setup, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
