/* SQL front end, queries: translation of table references (1-3 parts,
 * backticks, time travel), joins, aggregates, CTEs, windows, subqueries,
 * Spark functions and their exact results, result types and formatting,
 * parameters, errors and injection attempts. Tables are set up through the
 * storage API so these tests do not depend on the DDL code. */
#include "lh_sql_test_util.h"

static void make_tables(clxs_lh *lh)
{
	clxs_error e = {0};
	clxs_lh_container_spec sch = {.name = "sales"};
	assert_int_equal(clxs_lh_schema_create(lh, "main", &sch, true, &e), CLXS_OK);
	clxs_lh_column oc[] = {{"id", "BIGINT", false, NULL}, {"cust", "STRING", true, NULL},
			       {"amount", "DECIMAL(10,2)", true, NULL}, {"qty", "INT", true, NULL},
			       {"paid", "BOOLEAN", true, NULL}, {"day", "DATE", true, NULL},
			       {"ts", "TIMESTAMP", true, NULL}};
	clxs_lh_table_spec t = {.name = {"main", "sales", "orders"}, .columns = oc, .ncolumns = 7};
	assert_int_equal(clxs_lh_table_create(lh, &t, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(lh, &t.name,
					"VALUES (1,'ann',10.5,2,1,'2024-01-05','2024-01-05 10:00:00'),"
					"(2,'bob',3,1,0,'2024-02-10','2024-02-10 11:30:00'),"
					"(3,'ann',7.25,5,1,'2024-02-11',NULL)",
					false, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(lh, &t.name, "VALUES (4,NULL,NULL,NULL,NULL,NULL,NULL)", false,
					NULL, &e), CLXS_OK);
	clxs_lh_column cc[] = {{"name", "STRING", false, NULL}, {"city", "STRING", true, NULL}};
	clxs_lh_table_spec c = {.name = {"main", "sales", "customers"}, .columns = cc, .ncolumns = 2};
	assert_int_equal(clxs_lh_table_create(lh, &c, &e), CLXS_OK);
	assert_int_equal(clxs_lh_insert(lh, &c.name, "VALUES ('ann','Oslo'),('bob','Rome'),('cy','Oslo')",
					false, NULL, &e), CLXS_OK);
}

static int setup(void **state)
{
	if (sql_setup(state))
		return -1;
	make_tables(((lh_fixture *)*state)->lh);
	return 0;
}

static void test_basic_select(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_result r;
	sql_res(f->lh, "SELECT id, cust, amount, qty, paid, day, ts FROM main.sales.orders ORDER BY id", &r);
	assert_int_equal(r.row_count, 4);
	assert_int_equal(json_object_array_length(r.columns), 7);
	assert_string_equal(col_attr(&r, 0, "name"), "id");
	assert_string_equal(col_attr(&r, 0, "type_name"), "LONG");
	assert_string_equal(col_attr(&r, 0, "type_text"), "bigint");
	assert_string_equal(col_attr(&r, 2, "type_name"), "DECIMAL");
	assert_string_equal(col_attr(&r, 2, "type_text"), "decimal(10,2)");
	assert_string_equal(col_attr(&r, 3, "type_name"), "INT");
	assert_string_equal(col_attr(&r, 4, "type_name"), "BOOLEAN");
	assert_string_equal(col_attr(&r, 5, "type_name"), "DATE");
	assert_string_equal(col_attr(&r, 6, "type_name"), "TIMESTAMP");
	assert_string_equal(cell(&r, 0, 0), "1");
	assert_string_equal(cell(&r, 0, 1), "ann");
	assert_string_equal(cell(&r, 0, 2), "10.50");
	assert_string_equal(cell(&r, 1, 2), "3.00");
	assert_string_equal(cell(&r, 0, 4), "true");
	assert_string_equal(cell(&r, 1, 4), "false");
	assert_string_equal(cell(&r, 0, 5), "2024-01-05");
	assert_string_equal(cell(&r, 0, 6), "2024-01-05T10:00:00.000Z");
	assert_null(cell(&r, 3, 1));
	assert_null(cell(&r, 2, 6));
	json_object *pos = NULL;
	assert_true(json_object_object_get_ex(json_object_array_get_idx(r.columns, 6), "position", &pos));
	assert_int_equal(json_object_get_int(pos), 6);
	clxs_lh_result_free(&r);

	/* star, 2-part and 1-part names, backticks, current schema */
	sql_opts.schema = "sales";
	sql_res(f->lh, "select * from `orders` o where o.`id` = 2", &r);
	assert_int_equal(r.row_count, 1);
	assert_int_equal(json_object_array_length(r.columns), 7);
	assert_string_equal(col_attr(&r, 2, "type_text"), "decimal(10,2)");
	clxs_lh_result_free(&r);
	sql_opts.schema = "default";
	assert_val(f->lh, "SELECT count(*) FROM sales.orders", "4");
	assert_val(f->lh, "SELECT count(*) FROM `main`.`sales`.`orders`", "4");
	assert_val(f->lh, "SELECT COUNT(*) FROM MAIN.SALES.ORDERS", "4");
}

static void test_types_and_names(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_result r;
	sql_res(f->lh,
		"SELECT count(*), sum(qty), avg(qty), max(amount), 1 + 1 AS two, 'x' s, 1.5, "
		"qty > 1 AS big, CAST(id AS STRING) AS sid, 7 / 2 AS half, true, NULL AS n "
		"FROM main.sales.orders WHERE id = 1", &r);
	assert_int_equal(r.row_count, 1);
	assert_string_equal(col_attr(&r, 0, "name"), "count(*)");
	assert_string_equal(col_attr(&r, 0, "type_name"), "LONG");
	assert_string_equal(cell(&r, 0, 0), "1");
	assert_string_equal(col_attr(&r, 1, "type_name"), "LONG");
	assert_string_equal(col_attr(&r, 2, "type_name"), "DOUBLE");
	assert_string_equal(cell(&r, 0, 2), "2.0");
	assert_string_equal(col_attr(&r, 3, "type_text"), "decimal(10,2)");
	assert_string_equal(cell(&r, 0, 3), "10.50");
	assert_string_equal(col_attr(&r, 4, "name"), "two");
	assert_string_equal(col_attr(&r, 4, "type_name"), "INT");
	assert_string_equal(col_attr(&r, 5, "name"), "s");
	assert_string_equal(col_attr(&r, 5, "type_name"), "STRING");
	assert_string_equal(col_attr(&r, 6, "type_name"), "DECIMAL");
	assert_string_equal(cell(&r, 0, 6), "1.5");
	assert_string_equal(col_attr(&r, 7, "type_name"), "BOOLEAN");
	assert_string_equal(cell(&r, 0, 7), "true");
	assert_string_equal(col_attr(&r, 8, "type_name"), "STRING");
	assert_string_equal(cell(&r, 0, 8), "1");
	assert_string_equal(cell(&r, 0, 9), "3.5");
	assert_string_equal(cell(&r, 0, 10), "true");
	assert_null(cell(&r, 0, 11));
	clxs_lh_result_free(&r);
}

static void test_joins_groups_ctes_windows(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_result r;
	sql_res(f->lh,
		"SELECT c.city, count(DISTINCT o.cust) AS n, sum(o.qty) q FROM main.sales.orders o "
		"JOIN main.sales.customers c ON o.cust = c.name GROUP BY c.city ORDER BY c.city", &r);
	assert_int_equal(r.row_count, 2);
	assert_string_equal(cell(&r, 0, 0), "Oslo");
	assert_string_equal(cell(&r, 0, 1), "1");
	assert_string_equal(cell(&r, 0, 2), "7");
	assert_string_equal(cell(&r, 1, 0), "Rome");
	clxs_lh_result_free(&r);

	sql_res(f->lh,
		"SELECT c.name, o.id FROM main.sales.customers AS c LEFT OUTER JOIN main.sales.orders AS o "
		"ON o.cust = c.name ORDER BY c.name, o.id NULLS FIRST", &r);
	assert_int_equal(r.row_count, 4);
	assert_string_equal(cell(&r, 3, 0), "cy");
	assert_null(cell(&r, 3, 1));
	clxs_lh_result_free(&r);

	/* comma join, CTE referencing a table, subqueries */
	assert_val(f->lh,
		   "WITH big AS (SELECT * FROM main.sales.orders WHERE qty >= 2), "
		   "names AS (SELECT DISTINCT cust FROM big) SELECT count(*) FROM names", "1");
	assert_val(f->lh,
		   "SELECT count(*) FROM main.sales.orders o, main.sales.customers c WHERE o.cust = c.name",
		   "3");
	assert_val(f->lh,
		   "SELECT max(id) FROM main.sales.orders WHERE cust IN (SELECT name FROM main.sales.customers "
		   "WHERE city = 'Oslo')", "3");
	assert_val(f->lh,
		   "SELECT (SELECT count(*) FROM main.sales.customers) + count(*) FROM main.sales.orders", "7");
	assert_val(f->lh,
		   "SELECT n FROM (SELECT count(*) AS n FROM main.sales.orders) t", "4");
	assert_val(f->lh,
		   "SELECT name FROM main.sales.customers c WHERE NOT EXISTS (SELECT 1 FROM main.sales.orders o "
		   "WHERE o.cust = c.name)", "cy");

	/* windows */
	sql_res(f->lh,
		"SELECT id, row_number() OVER (PARTITION BY cust ORDER BY id DESC) AS rn, "
		"sum(qty) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run "
		"FROM main.sales.orders WHERE cust IS NOT NULL ORDER BY id", &r);
	assert_int_equal(r.row_count, 3);
	assert_string_equal(cell(&r, 0, 1), "2");
	assert_string_equal(col_attr(&r, 1, "type_name"), "INT");
	assert_string_equal(cell(&r, 2, 2), "8");
	clxs_lh_result_free(&r);

	/* set operations, HAVING, LIMIT/OFFSET */
	assert_val(f->lh,
		   "SELECT count(*) FROM (SELECT cust FROM main.sales.orders UNION SELECT name FROM "
		   "main.sales.customers)", "4");
	assert_val(f->lh,
		   "SELECT cust FROM main.sales.orders GROUP BY cust HAVING count(*) > 1", "ann");
	assert_val(f->lh, "SELECT id FROM main.sales.orders ORDER BY id LIMIT 1 OFFSET 2", "3");
	assert_val(f->lh,
		   "SELECT count(*) FROM (SELECT name FROM main.sales.customers MINUS SELECT cust FROM "
		   "main.sales.orders)", "1");
}

static void test_time_travel(void **state)
{
	lh_fixture *f = *state;
	/* version 0 create, 1 first insert, 2 second insert */
	assert_val(f->lh, "SELECT count(*) FROM main.sales.orders VERSION AS OF 1", "3");
	assert_val(f->lh, "SELECT count(*) FROM main.sales.orders@v0", "0");
	assert_val(f->lh, "SELECT count(*) FROM main.sales.orders FOR VERSION AS OF 2", "4");
	sql_fail(f->lh, "SELECT count(*) FROM main.sales.orders TIMESTAMP AS OF '2999-01-01'",
		 "DELTA_TIMESTAMP_GREATER_THAN_COMMIT");
	sql_fail(f->lh, "SELECT * FROM main.sales.orders VERSION AS OF 9", "DELTA_VERSION_NOT_FOUND");
	sql_fail(f->lh, "SELECT * FROM main.sales.orders TIMESTAMP AS OF '1999-01-01'",
		 "DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION");
	/* an alias after time travel */
	assert_val(f->lh, "SELECT max(o.id) FROM main.sales.orders VERSION AS OF 1 AS o", "3");
}

static void test_functions(void **state)
{
	lh_fixture *f = *state;
	/* digests (libcrypto) and Spark's documented hash values */
	assert_val(f->lh, "SELECT md5('Spark')", "8cde774d6f7333752ed72cacddb05126");
	assert_val(f->lh, "SELECT sha1('Spark')", "85f5955f4b27a9a4c2aab6ffe5d7189fc298b92c");
	assert_val(f->lh, "SELECT sha2('Spark', 256)",
		   "529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b");
	assert_val(f->lh, "SELECT hash('Spark', 123, 2)", "-1321691492");
	assert_val(f->lh, "SELECT hash('ABC')", "-757602832");
	assert_val(f->lh, "SELECT hash('ABC', 'DEF')", "599895104");
	assert_val(f->lh, "SELECT xxhash64('Spark', 123, 2)", "5602566077635097486");
	assert_val(f->lh, "SELECT hash(NULL)", "42");
	/* a BIGINT column hashes as a long, an INT column as an int */
	assert_val(f->lh, "SELECT hash(id) = hash(1L) FROM main.sales.orders WHERE id = 1", "true");
	assert_val(f->lh, "SELECT hash(id) = hash(1) FROM main.sales.orders WHERE id = 1", "false");
	assert_val(f->lh, "SELECT hash(qty) = hash(2) FROM main.sales.orders WHERE id = 1", "true");
	/* strings */
	assert_val(f->lh, "SELECT concat('a', 'b', 'c')", "abc");
	assert_val(f->lh, "SELECT concat('a', NULL)", "<null>");
	assert_val(f->lh, "SELECT concat_ws('-', 'a', NULL, 'b')", "a-b");
	assert_val(f->lh, "SELECT coalesce(NULL, 'x')", "x");
	assert_val(f->lh, "SELECT nvl(NULL, 3)", "3");
	assert_val(f->lh, "SELECT if(1 > 2, 'y', 'n')", "n");
	assert_val(f->lh, "SELECT length('héllo')", "5");
	assert_val(f->lh, "SELECT upper('abc') || lower('DEF')", "ABCdef");
	assert_val(f->lh, "SELECT substring('Spark SQL', 5)", "k SQL");
	assert_val(f->lh, "SELECT substr('Spark SQL', -3)", "SQL");
	assert_val(f->lh, "SELECT substring('Spark SQL', 0, 2)", "Sp");
	assert_val(f->lh, "SELECT trim('  x  ')", "x");
	assert_val(f->lh, "SELECT lpad('7', 3, '0')", "007");
	assert_val(f->lh, "SELECT 'abc' LIKE 'A%'", "false");
	assert_val(f->lh, "SELECT 'abc' LIKE 'a%'", "true");
	assert_val(f->lh, "SELECT 'abc' RLIKE '^a.c$'", "true");
	/* numbers */
	assert_val(f->lh, "SELECT round(2.5)", "3");
	assert_val(f->lh, "SELECT round(3.14159, 2)", "3.14");
	assert_val(f->lh, "SELECT 1 / 4", "0.25");
	assert_val(f->lh, "SELECT CAST(10.129 AS DECIMAL(5,2))", "10.13");
	assert_val(f->lh, "SELECT CAST('42' AS INT) + 1", "43");
	assert_val(f->lh, "SELECT try_cast('x' AS INT)", "<null>");
	assert_val(f->lh, "SELECT CAST(1 AS BOOLEAN)", "true");
	assert_val(f->lh, "SELECT CAST(paid AS STRING) FROM main.sales.orders WHERE id = 2", "false");
	assert_val(f->lh, "SELECT CAST(2.0 AS DOUBLE)", "2.0");
	assert_val(f->lh, "SELECT CAST(1e10 AS DOUBLE)", "1.0E10");
	sql_fail(f->lh, "SELECT CAST('x' AS INT)", "CAST_INVALID_INPUT");
	sql_fail(f->lh, "SELECT CAST(3000000000 AS INT)", "CAST_OVERFLOW");
	/* dates */
	assert_val(f->lh, "SELECT date_add('2024-02-28', 2)", "2024-03-01");
	assert_val(f->lh, "SELECT date_sub(DATE'2024-03-01', 1)", "2024-02-29");
	assert_val(f->lh, "SELECT datediff('2024-03-01', '2024-02-01')", "29");
	assert_val(f->lh, "SELECT year(day) * 100 + month(day) FROM main.sales.orders WHERE id = 2", "202402");
	assert_val(f->lh, "SELECT day('2024-02-10')", "10");
	assert_val(f->lh, "SELECT date_format(ts, 'yyyy/MM/dd HH:mm') FROM main.sales.orders WHERE id = 2",
		   "2024/02/10 11:30");
	assert_val(f->lh, "SELECT to_date('10/02/2024', 'dd/MM/yyyy')", "2024-02-10");
	assert_val(f->lh, "SELECT to_date('2024-02-10 11:30:00')", "2024-02-10");
	assert_val(f->lh, "SELECT CAST('2024-01-01' AS TIMESTAMP)", "2024-01-01T00:00:00.000Z");
	assert_val(f->lh, "SELECT current_date() = current_date", "true");
	assert_val(f->lh, "SELECT length(CAST(current_timestamp() AS STRING)) >= 19", "true");
	assert_val(f->lh, "SELECT current_user()", "local-user");
	assert_val(f->lh, "SELECT current_catalog()", "main");
	/* aggregates */
	assert_val(f->lh, "SELECT count(DISTINCT cust) FROM main.sales.orders", "2");
	assert_val(f->lh, "SELECT min(day) FROM main.sales.orders", "2024-01-05");
	assert_val(f->lh, "SELECT round(stddev(qty), 3) FROM main.sales.orders", "2.082");
	assert_val(f->lh, "SELECT count_if(paid) FROM main.sales.orders", "2");
	/* unknown functions fail instead of guessing */
	sql_fail(f->lh, "SELECT no_such_fn(1)", "UNRESOLVED_ROUTINE");
	sql_fail(f->lh, "SELECT sqlite_version()", "UNRESOLVED_ROUTINE");
	sql_fail(f->lh, "SELECT __lh_param(0)", "UNRESOLVED_ROUTINE");
}

static void test_parameters(void **state)
{
	lh_fixture *f = *state;
	json_object *p = json_tokener_parse(
		"[{\"name\":\"who\",\"value\":\"ann\"},{\"name\":\"n\",\"value\":\"2\",\"type\":\"INT\"},"
		"{\"name\":\"evil\",\"value\":\"x' OR '1'='1\"}]");
	clxs_lh_exec_opts o = sql_opts;
	o.parameters = p;
	clxs_lh_result r;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_sql_exec(f->lh,
					  "SELECT count(*) FROM main.sales.orders WHERE cust = :who AND qty >= :n",
					  &o, &r, &e), CLXS_OK);
	assert_string_equal(cell(&r, 0, 0), "2");
	clxs_lh_result_free(&r);
	assert_int_equal(clxs_lh_sql_exec(f->lh, "SELECT count(*) FROM main.sales.orders WHERE cust = :evil",
					  &o, &r, &e), CLXS_OK);
	assert_string_equal(cell(&r, 0, 0), "0");
	clxs_lh_result_free(&r);
	assert_int_equal(clxs_lh_sql_exec(f->lh, "SELECT :evil", &o, &r, &e), CLXS_OK);
	assert_string_equal(cell(&r, 0, 0), "x' OR '1'='1");
	clxs_lh_result_free(&r);
	assert_int_not_equal(clxs_lh_sql_exec(f->lh, "SELECT :missing", &o, &r, &e), CLXS_OK);
	assert_string_equal(e.detail, "UNBOUND_SQL_PARAMETER");
	clxs_lh_result_free(&r);
	json_object_put(p);

	/* row_limit truncates */
	o = sql_opts;
	o.row_limit = 2;
	assert_int_equal(clxs_lh_sql_exec(f->lh, "SELECT id FROM main.sales.orders", &o, &r, &e), CLXS_OK);
	assert_int_equal(r.row_count, 2);
	assert_true(r.truncated);
	clxs_lh_result_free(&r);
}

static void test_errors_and_injection(void **state)
{
	lh_fixture *f = *state;
	clxs_lh_result r;
	clxs_error e = {0};
	assert_int_not_equal(sql_run(f->lh, "SELECT FROM WHERE", &r, &e), CLXS_OK);
	clxs_lh_result_free(&r);
	assert_int_not_equal(sql_run(f->lh, "SELEC 1", &r, &e), CLXS_OK);
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "SELECT (1", "PARSE_SYNTAX_ERROR");
	/* the position of the offending token is in the message */
	assert_int_not_equal(sql_run(f->lh, "SELECT id FROM main.sales.orders WHERE ;", &r, &e), CLXS_OK);
	assert_string_equal(e.detail, "PARSE_SYNTAX_ERROR");
	clxs_lh_result_free(&r);
	assert_int_not_equal(sql_run(f->lh, "SELECT 1 @ 2", &r, &e), CLXS_OK);
	assert_string_equal(e.detail, "PARSE_SYNTAX_ERROR");
	assert_non_null(strstr(e.message, "'@'"));
	assert_non_null(strstr(e.message, "(line 1, pos 9)"));
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "SELECT 'abc", "PARSE_SYNTAX_ERROR");
	assert_int_not_equal(sql_run(f->lh, "SELECT 1 +", &r, &e), CLXS_OK);
	assert_string_equal(e.detail, "PARSE_SYNTAX_ERROR");
	clxs_lh_result_free(&r);
	sql_fail(f->lh, "", "PARSE_EMPTY_STATEMENT");
	sql_fail(f->lh, "SELECT 1; SELECT 2", "PARSE_SYNTAX_ERROR");
	assert_val(f->lh, "SELECT 1;", "1");
	sql_fail(f->lh, "SELECT * FROM main.sales.nope", "TABLE_OR_VIEW_NOT_FOUND");
	sql_fail(f->lh, "SELECT * FROM nope.sales.orders", "TABLE_OR_VIEW_NOT_FOUND");
	sql_fail(f->lh, "SELECT nope FROM main.sales.orders", "UNRESOLVED_COLUMN");
	sql_fail(f->lh, "SELECT * FROM range(10)", "UNSUPPORTED_FEATURE");
	sql_fail(f->lh, "USE CATALOG main", "UNSUPPORTED_FEATURE");
	sql_fail(f->lh, "SELECT a FROM main.sales.orders QUALIFY x = 1", "UNSUPPORTED_FEATURE");
	/* identifiers and literals cannot break out of their quoting */
	sql_fail(f->lh, "SELECT * FROM main.sales.`orders\"; DROP TABLE lh_tables; --`",
		 "TABLE_OR_VIEW_NOT_FOUND");
	sql_fail(f->lh, "SELECT `id\"\"` FROM main.sales.orders", "UNRESOLVED_COLUMN");
	sql_fail(f->lh, "SELECT * FROM lh_tables", "TABLE_OR_VIEW_NOT_FOUND");
	sql_fail(f->lh, "SELECT * FROM sqlite_master", "TABLE_OR_VIEW_NOT_FOUND");
	assert_val(f->lh, "SELECT 'it''s'", "its");
	assert_val(f->lh, "SELECT 'x\\'); DROP TABLE lh_tables; --'", "x'); DROP TABLE lh_tables; --");
	assert_val(f->lh, "SELECT \"dq'\"", "dq'");
	assert_val(f->lh, "SELECT count(*) FROM main.sales.orders", "4");
	assert_true(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables") >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic_select, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_types_and_names, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_joins_groups_ctes_windows, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_time_travel, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_parameters, setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_injection, setup, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
