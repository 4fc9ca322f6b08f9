/* Management operations: the request validator, the dependency graph built
 * from view and function bodies (on an in-process lakehouse), topological
 * order with cycles, and column change detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clxs/json.h"
#include "clxs/manage.h"
#include "clxs/target.h"
#include "clxs/workspace.h"
#include "mg_diff.h"

static json_object *parse(const char *s)
{
	return json_tokener_parse(s);
}

static void validate_case(const char *op, const char *body, clxs_code want, const char *detail)
{
	clxs_error err;
	clxs_error_clear(&err);
	json_object *b = parse(body);
	json_object *r = clxs_mg_validate(clxs_mg_op_find(op), b, &err);
	if (want == CLXS_OK) {
		assert_non_null(r);
	} else {
		assert_null(r);
		assert_int_equal(err.code, want);
		assert_string_equal(err.detail, detail);
	}
	json_object_put(r);
	json_object_put(b);
}

static void test_validate(void **state)
{
	(void)state;
	clxs_error err;
	json_object *b = parse("{\"source_catalog\": \"a\", \"destination_catalog\": \"b\"}");
	json_object *v = parse("{\"source_catalog\": \"a\"}");
	json_object *r = clxs_mg_validate(clxs_mg_op_find("vacuum"), v, &err);
	json_object_put(v);
	/* defaults from the reference */
	assert_int_equal(clxs_json_int(r, "retention_hours", 0), 168);
	assert_false(clxs_json_bool(r, "dry_run", true));
	json_object_put(r);
	r = clxs_mg_validate(clxs_mg_op_find("sync"), b, &err);
	assert_int_equal(json_object_array_length(json_object_object_get(r, "exclude_schemas")), 2);
	assert_false(clxs_json_bool(r, "drop_extra", true));
	json_object_put(r);
	json_object_put(b);
	v = parse("{\"destination_catalog\": \"b\", \"schema_name\": \"s\", \"table_name\": \"t\", \"changes\": []}");
	r = clxs_mg_validate(clxs_mg_op_find("schema-evolution/apply"), v, &err);
	json_object_put(v);
	assert_true(clxs_json_bool(r, "dry_run", false)); /* dry run by default */
	assert_false(clxs_json_bool(r, "drop_removed", true));
	json_object_put(r);

	validate_case("sync", "{\"source_catalog\": \"a\"}", CLXS_EVALIDATION, "destination_catalog");
	validate_case("sync", "{\"source_catalog\": \"a\", \"destination_catalog\": \"\"}", CLXS_EVALIDATION,
		      "destination_catalog");
	validate_case("sync", "{\"source_catalog\": \"a\", \"destination_catalog\": \"b\", \"dry_run\": 1}",
		      CLXS_EVALIDATION, "dry_run");
	validate_case("sync", "{\"source_catalog\": \"a\", \"destination_catalog\": \"b\", \"exclude_schemas\": [1]}",
		      CLXS_EVALIDATION, "exclude_schemas");
	validate_case("sync", "{\"source_catalog\": \"a\", \"destination_catalog\": \"b\", \"bogus\": true}",
		      CLXS_EVALIDATION, "bogus");
	validate_case("sample", "{\"catalog\": \"a\", \"schema_name\": \"s\", \"table_name\": \"t\", \"limit\": 0}",
		      CLXS_EVALIDATION, "limit");
	validate_case("sample", "{\"catalog\": \"a\", \"schema_name\": \"s\", \"table_name\": \"t\", \"limit\": 10000}",
		      CLXS_OK, NULL);
	validate_case("vacuum", "{\"source_catalog\": \"a\", \"tables\": [{\"schema\": \"s\"}]}", CLXS_EVALIDATION,
		      "tables");
	validate_case("incremental/check",
		      "{\"source_catalog\": \"a\", \"destination_catalog\": \"b\", \"schema_name\": \"s\","
		      " \"clone_type\": \"deep\"}", CLXS_EVALIDATION, "clone_type");
	validate_case("preflight", "[1]", CLXS_EINVAL, "");
	/* every operation has a schema naming its required fields */
	for (size_t i = 0; i < clxs_mg_nops; i++) {
		json_object *s = parse(clxs_mg_body_schema(clxs_mg_ops[i].name));
		assert_non_null(json_object_object_get(s, "properties"));
		json_object_put(s);
	}
}

static json_object *edge(const char *from, const char *to)
{
	json_object *e = json_object_new_object();
	clxs_json_set_str(e, "from", from);
	clxs_json_set_str(e, "to", to);
	return e;
}

static void test_topo(void **state)
{
	(void)state;
	json_object *g = json_object_new_object(), *edges = json_object_new_array();
	/* a.top reads b.mid reads c.base; z.x and z.y read each other */
	json_object_array_add(edges, edge("a.top", "b.mid"));
	json_object_array_add(edges, edge("b.mid", "c.base"));
	json_object_array_add(edges, edge("a.top", "c.base"));
	json_object_array_add(edges, edge("z.x", "z.y"));
	json_object_array_add(edges, edge("z.y", "z.x"));
	json_object_array_add(edges, edge("b.mid", "other.cat.t")); /* outside the keys: ignored */
	json_object_object_add(g, "edges", edges);
	json_object *keys = parse("[\"a.top\", \"z.x\", \"b.mid\", \"c.base\", \"z.y\", \"m.free\"]"), *cyc = NULL;
	json_object *order = clxs_mg_topo_order(g, keys, &cyc);
	assert_string_equal(json_object_to_json_string_ext(order, JSON_C_TO_STRING_PLAIN),
			    "[\"c.base\",\"b.mid\",\"a.top\",\"m.free\",\"z.x\",\"z.y\"]");
	assert_string_equal(json_object_to_json_string_ext(cyc, JSON_C_TO_STRING_PLAIN), "[\"z.x\",\"z.y\"]");
	json_object_put(order);
	json_object_put(cyc);
	json_object_put(keys);
	json_object_put(g);
}

static void test_column_changes(void **state)
{
	(void)state;
	json_object *s = parse("{\"columns\": [{\"name\": \"id\", \"type\": \"bigint\", \"nullable\": false},"
			       " {\"name\": \"Score\", \"type\": \"bigint\", \"nullable\": true},"
			       " {\"name\": \"note\", \"type\": \"string\", \"nullable\": true}]}");
	json_object *d = parse("{\"columns\": [{\"name\": \"id\", \"type\": \"BIGINT\", \"nullable\": true},"
			       " {\"name\": \"score\", \"type\": \"int\", \"nullable\": true},"
			       " {\"name\": \"old\", \"type\": \"int\", \"nullable\": true}]}");
	json_object *ch = mg_column_changes(s, d);
	char got[512] = "";
	for (size_t i = 0; i < json_object_array_length(ch); i++) {
		json_object *c = json_object_array_get_idx(ch, i);
		strcat(got, clxs_json_str(c, "change", ""));
		strcat(got, ":");
		strcat(got, clxs_json_str(c, "column", ""));
		strcat(got, " ");
	}
	/* type case is no change; nullability, type, added and removed are */
	assert_string_equal(got, "nullability_changed:id type_changed:Score added:note removed:old ");
	json_object_put(ch);
	json_object_put(s);
	json_object_put(d);
}

/* ---- on an in-process lakehouse ---------------------------------------------- */

static char dir[64];
static clxs_target tgt;

static void run_in(const char *cat, const char *schema, const char *sql)
{
	clxs_ws_result r = {0};
	clxs_error err;
	clxs_code rc = clxs_ws_sql(tgt.ws, tgt.warehouse_id, cat, schema, sql, NULL, 0, NULL, &r, &err);
	if (rc)
		fail_msg("%s: %s", sql, err.message);
	clxs_ws_result_free(&r);
}

static void run(const char *sql)
{
	run_in(NULL, NULL, sql);
}

static int setup_lh(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/clxs-test-manage-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	json_object *spec = json_object_new_object();
	clxs_json_set_str(spec, "lakehouse_dir", dir);
	clxs_error err;
	clxs_code rc = clxs_target_open(spec, &tgt, &err);
	json_object_put(spec);
	return rc == CLXS_OK ? 0 : -1;
}

static int teardown_lh(void **state)
{
	(void)state;
	clxs_target_close(&tgt);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *deps_of(json_object *g, const char *from, char *buf, size_t len)
{
	buf[0] = 0;
	json_object *edges = json_object_object_get(g, "edges");
	for (size_t i = 0; i < json_object_array_length(edges); i++) {
		json_object *e = json_object_array_get_idx(edges, i);
		if (strcmp(clxs_json_str(e, "from", ""), from) != 0)
			continue;
		if (buf[0])
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, clxs_json_str(e, "to", ""), len - strlen(buf) - 1);
	}
	return buf;
}

static void test_dep_graph(void **state)
{
	(void)state;
	run("CREATE CATALOG c");
	run("CREATE SCHEMA c.s1");
	run("CREATE SCHEMA c.s2");
	run("CREATE CATALOG other");
	run("CREATE SCHEMA other.x");
	run("CREATE TABLE other.x.t (a INT)");
	run("CREATE TABLE c.s1.base (a INT, orders INT)");
	run("CREATE FUNCTION c.s1.twice(v INT) RETURNS INT RETURN v * 2");
	/* one-part (same schema), backticked, a column named like a table, a string
	 * and a comment that look like references, a function call */
	run_in("c", "s1", "CREATE VIEW c.s1.v1 AS SELECT b.a, b.orders, 'c.s2.v2' AS s /* c.s2.v2 */ FROM `base` b");
	run_in("c", "s2", "CREATE VIEW c.s2.v2 AS SELECT s1.twice(a) AS a2 FROM s1.v1 JOIN c.s1.base USING (a)");
	run("CREATE VIEW c.s2.v3 AS SELECT * FROM c.s2.v2 UNION ALL SELECT a FROM other.x.t");
	clxs_mg_ctx ctx = {.ws = tgt.ws, .warehouse_id = tgt.warehouse_id};
	json_object *g = NULL;
	clxs_error err;
	assert_int_equal(clxs_mg_dep_graph(&ctx, "c", &g, &err), CLXS_OK);
	char buf[256];
	assert_string_equal(deps_of(g, "s1.v1", buf, sizeof(buf)), "s1.base");
	assert_string_equal(deps_of(g, "s2.v2", buf, sizeof(buf)), "s1.twice,s1.v1,s1.base");
	assert_string_equal(deps_of(g, "s2.v3", buf, sizeof(buf)), "s2.v2,other.x.t");
	json_object *keys = parse("[\"s2.v3\", \"s2.v2\", \"s1.v1\"]");
	json_object *order = clxs_mg_topo_order(g, keys, NULL);
	assert_string_equal(json_object_to_json_string_ext(order, JSON_C_TO_STRING_PLAIN),
			    "[\"s1.v1\",\"s2.v2\",\"s2.v3\"]");
	json_object_put(order);
	json_object_put(keys);
	json_object_put(g);
	assert_int_equal(clxs_mg_dep_graph(&ctx, "nope", &g, &err), CLXS_ENOTFOUND);
	assert_string_equal(err.detail, "catalog");
}

/* The statement must fail with this Databricks error class. */
static void run_fails(const char *sql, const char *error_class)
{
	clxs_ws_result r = {0};
	clxs_error err;
	clxs_code rc = clxs_ws_sql(tgt.ws, tgt.warehouse_id, NULL, NULL, sql, NULL, 0, NULL, &r, &err);
	clxs_ws_result_free(&r);
	assert_int_not_equal(rc, CLXS_OK);
	if (!strstr(err.message, error_class))
		fail_msg("%s: expected %s, got %s", sql, error_class, err.message);
}

static const char *one(const char *sql, char *buf, size_t len)
{
	clxs_ws_result r = {0};
	clxs_error err;
	buf[0] = 0;
	if (clxs_ws_sql(tgt.ws, tgt.warehouse_id, NULL, NULL, sql, NULL, 0, NULL, &r, &err))
		fail_msg("%s: %s", sql, err.message);
	for (size_t i = 0; i < r.nrows; i++)
		for (size_t j = 0; j < r.ncols; j++) {
			const char *v = clxs_ws_result_cell(&r, i, j);
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i + j ? "," : "", v ? v : "NULL");
		}
	clxs_ws_result_free(&r);
	return buf;
}

/* The lakehouse's column changes (lh_evolve.c), as schema evolution uses them. */
static void test_lh_alter_columns(void **state)
{
	(void)state;
	char buf[512];
	run("CREATE CATALOG e");
	run("CREATE SCHEMA e.s");
	run("CREATE TABLE e.s.t (id BIGINT NOT NULL, score INT, d DECIMAL(10,2))");
	run("INSERT INTO e.s.t VALUES (1, 10, 1.50), (2, NULL, 2.25)");
	run("ALTER TABLE e.s.t ADD COLUMNS (note STRING COMMENT 'why', n2 INT)");
	assert_string_equal(one("SELECT * FROM e.s.t ORDER BY id", buf, sizeof(buf)),
			    "1,10,1.50,NULL,NULL,2,NULL,2.25,NULL,NULL");
	run("ALTER TABLE e.s.t ALTER COLUMN score TYPE BIGINT");
	run("ALTER TABLE e.s.t ALTER COLUMN d TYPE DECIMAL(12,3)");
	run_fails("ALTER TABLE e.s.t ALTER COLUMN score TYPE INT", "NOT_SUPPORTED_CHANGE_COLUMN");
	run_fails("ALTER TABLE e.s.t ALTER COLUMN note TYPE INT", "NOT_SUPPORTED_CHANGE_COLUMN");
	run_fails("ALTER TABLE e.s.t ADD COLUMN note STRING", "FIELDS_ALREADY_EXISTS");
	run_fails("ALTER TABLE e.s.t ADD COLUMN x INT NOT NULL", "DELTA_ADDING_NON_NULLABLE_COLUMN");
	run_fails("ALTER TABLE e.s.t ALTER COLUMN score SET NOT NULL", "DELTA_NOT_NULL_CONSTRAINT_VIOLATED");
	run_fails("ALTER TABLE e.s.t DROP COLUMN n2", "DELTA_UNSUPPORTED_DROP_COLUMN");
	run("ALTER TABLE e.s.t ALTER COLUMN id DROP NOT NULL");
	run("ALTER TABLE e.s.t SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')");
	run("ALTER TABLE e.s.t DROP COLUMNS (n2)");
	run("ALTER TABLE e.s.t DROP COLUMN IF EXISTS gone");
	run_fails("ALTER TABLE e.s.t DROP COLUMN gone", "UNRESOLVED_COLUMN");
	assert_string_equal(one("SELECT column_name, full_data_type, is_nullable FROM e.information_schema.columns"
				" WHERE table_name = 't' ORDER BY ordinal_position", buf, sizeof(buf)),
			    "id,bigint,YES,score,bigint,YES,d,decimal(12,3),YES,note,string,YES");
	assert_string_equal(one("SELECT * FROM e.s.t ORDER BY id", buf, sizeof(buf)), "1,10,1.500,NULL,2,NULL,2.250,NULL");
	/* Earlier versions keep their own columns and rows. */
	assert_string_equal(one("SELECT * FROM e.s.t VERSION AS OF 1 ORDER BY id", buf, sizeof(buf)),
			    "1,10,1.50,2,NULL,2.25");
	clxs_ws_result r = {0};
	clxs_error err;
	assert_int_equal(clxs_ws_sql(tgt.ws, tgt.warehouse_id, NULL, NULL, "DESCRIBE HISTORY e.s.t", NULL, 0, NULL, &r, &err),
			 CLXS_OK);
	char ops[256] = "";
	int col = clxs_ws_result_col(&r, "operation");
	assert_true(col >= 0);
	for (size_t i = r.nrows; i-- > 0;)
		snprintf(ops + strlen(ops), sizeof(ops) - strlen(ops), "%s;", clxs_ws_result_cell(&r, i, (size_t)col));
	clxs_ws_result_free(&r);
	/* one version per statement, failed ones leave none */
	assert_string_equal(ops, "CREATE TABLE;WRITE;ADD COLUMNS;CHANGE COLUMN;CHANGE COLUMN;CHANGE COLUMN;"
				 "SET TBLPROPERTIES;DROP COLUMNS;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_topo),
		cmocka_unit_test(test_column_changes),
		cmocka_unit_test_setup_teardown(test_dep_graph, setup_lh, teardown_lh),
		cmocka_unit_test_setup_teardown(test_lh_alter_columns, setup_lh, teardown_lh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
