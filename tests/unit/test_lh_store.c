/* Lakehouse metastore: catalogs, schemas and tables — create, list with
 * pages, drop with cascade rules, updates, names that try to inject SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lh_test_util.h"

static const clxs_lh_column two_cols[] = {
	{"id", "BIGINT", false, "the key"},
	{"Name", "STRING", true, NULL},
};

static void make_table(clxs_lh *lh, const char *c, const char *s, const char *t)
{
	clxs_error e = {0};
	clxs_lh_table_spec spec = {.name = {c, s, t}, .columns = two_cols, .ncolumns = 2};
	assert_int_equal(clxs_lh_table_create(lh, &spec, &e), CLXS_OK);
}

static void test_catalog_lifecycle(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	json_object *props = json_object_new_object();
	json_object_object_add(props, "team", json_object_new_string("data"));
	clxs_lh_container_spec cs = {.name = "Sales", .comment = "Mixed Case Comment",
				     .properties = props};
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	json_object_put(props);

	/* Names are case-insensitive and stored lowercased; values keep case. */
	json_object *o = NULL;
	assert_int_equal(clxs_lh_catalog_get(f->lh, "SALES", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "name", ""), "sales");
	assert_string_equal(clxs_json_str(o, "comment", ""), "Mixed Case Comment");
	assert_string_equal(clxs_json_str(o, "owner", ""), "local-user");
	json_object *p;
	assert_true(json_object_object_get_ex(o, "properties", &p));
	assert_string_equal(clxs_json_str(p, "team", ""), "data");
	json_object_put(o);

	/* Duplicate fails unless IF NOT EXISTS. */
	cs.name = "sales";
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_ECONFLICT);
	assert_string_equal(e.detail, "CATALOG_ALREADY_EXISTS");
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, true, &e), CLXS_OK);

	/* The default schema comes with the catalog. */
	assert_int_equal(clxs_lh_schema_get(f->lh, "sales", "default", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "full_name", ""), "sales.default");
	json_object_put(o);

	/* Update owner, comment and properties. */
	json_object *set = json_object_new_object(), *unset = json_object_new_array();
	json_object_object_add(set, "tier", json_object_new_string("gold"));
	json_object_array_add(unset, json_object_new_string("team"));
	clxs_lh_update upd = {.owner = "alice", .set_comment = true, .comment = NULL,
			      .set_properties = set, .unset_properties = unset};
	assert_int_equal(clxs_lh_catalog_update(f->lh, "sales", &upd, &e), CLXS_OK);
	assert_int_equal(clxs_lh_catalog_get(f->lh, "sales", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "owner", ""), "alice");
	assert_null(clxs_json_str(o, "comment", NULL));
	assert_true(json_object_object_get_ex(o, "properties", &p));
	assert_string_equal(clxs_json_str(p, "tier", ""), "gold");
	assert_null(clxs_json_str(p, "team", NULL));
	json_object_put(o);
	/* Unsetting a key that is not there fails without IF EXISTS and
	 * changes nothing. */
	upd = (clxs_lh_update){.owner = "bob", .unset_properties = unset};
	assert_int_equal(clxs_lh_catalog_update(f->lh, "sales", &upd, &e), CLXS_EVALIDATION);
	assert_int_equal(clxs_lh_catalog_get(f->lh, "sales", &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "owner", ""), "alice");
	json_object_put(o);
	json_object_put(set);
	json_object_put(unset);

	assert_int_equal(clxs_lh_catalog_get(f->lh, "nope", &o, &e), CLXS_ENOTFOUND);
	assert_null(o);
	assert_string_equal(e.detail, "NO_SUCH_CATALOG_EXCEPTION");
}

static void test_list_pages(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	const char *names[] = {"delta", "alpha", "echo", "charlie", "bravo"};
	for (size_t i = 0; i < 5; i++) {
		clxs_lh_container_spec cs = {.name = names[i]};
		assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	}
	const char *want[] = {"alpha", "bravo", "charlie", "delta", "echo"};
	char token[64] = "";
	size_t seen = 0;
	for (int page = 0; page < 4; page++) {
		json_object *o = NULL, *arr;
		assert_int_equal(clxs_lh_catalog_list(f->lh, *token ? token : NULL, 2, &o, &e), CLXS_OK);
		assert_true(json_object_object_get_ex(o, "catalogs", &arr));
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, i), "name", ""),
					    want[seen++]);
		const char *next = clxs_json_str(o, "next_page_token", NULL);
		snprintf(token, sizeof(token), "%s", next ? next : "");
		json_object_put(o);
		if (!*token)
			break;
	}
	assert_int_equal(seen, 5);

	/* Schemas: sorted, default included. */
	clxs_lh_container_spec s1 = {.name = "zeta"}, s2 = {.name = "Beta"};
	assert_int_equal(clxs_lh_schema_create(f->lh, "alpha", &s1, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_schema_create(f->lh, "alpha", &s2, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_schema_create(f->lh, "alpha", &s2, false, &e), CLXS_ECONFLICT);
	assert_string_equal(e.detail, "SCHEMA_ALREADY_EXISTS");
	json_object *o = NULL, *arr;
	assert_int_equal(clxs_lh_schema_list(f->lh, "alpha", NULL, 0, &o, &e), CLXS_OK);
	assert_true(json_object_object_get_ex(o, "schemas", &arr));
	assert_int_equal(json_object_array_length(arr), 3);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 0), "name", ""), "beta");
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 1), "name", ""), "default");
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 2), "name", ""), "zeta");
	assert_null(clxs_json_str(o, "next_page_token", NULL));
	json_object_put(o);
	assert_int_equal(clxs_lh_schema_create(f->lh, "missing", &s1, false, &e), CLXS_ENOTFOUND);
}

static void test_drop_cascade(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	clxs_lh_container_spec cs = {.name = "main"}, ss = {.name = "s1"};
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	/* A catalog with only its empty default schema drops without cascade. */
	assert_int_equal(clxs_lh_catalog_drop(f->lh, "main", false, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_schema_create(f->lh, "main", &ss, false, &e), CLXS_OK);
	make_table(f->lh, "main", "s1", "t1");
	clxs_lh_name t1 = {"main", "s1", "t1"};
	assert_int_equal(clxs_lh_insert(f->lh, &t1, "VALUES (1,'a'),(2,'b')", false, NULL, &e),
			 CLXS_OK);

	assert_int_equal(clxs_lh_schema_drop(f->lh, "main", "s1", false, false, &e), CLXS_EVALIDATION);
	assert_string_equal(e.detail, "SCHEMA_NOT_EMPTY");
	assert_int_equal(clxs_lh_catalog_drop(f->lh, "main", false, false, &e), CLXS_EVALIDATION);
	assert_string_equal(e.detail, "CATALOG_NOT_EMPTY");
	assert_int_equal(lh_count(f->lh, &t1), 2); /* nothing was dropped */

	/* Cascade removes the schema, its tables and their physical data. */
	assert_true(lh_q_int(f->lh, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'd\\_%' ESCAPE '\\'") >= 1);
	assert_int_equal(clxs_lh_schema_drop(f->lh, "main", "s1", false, true, &e), CLXS_OK);
	json_object *o = NULL;
	assert_int_equal(clxs_lh_table_get(f->lh, &t1, &o, &e), CLXS_ENOTFOUND);
	assert_string_equal(e.detail, "TABLE_OR_VIEW_NOT_FOUND");
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'd\\_%' ESCAPE '\\'"), 0);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_segments"), 0);
	assert_int_equal(clxs_lh_schema_drop(f->lh, "main", "s1", false, false, &e), CLXS_ENOTFOUND);
	assert_int_equal(clxs_lh_schema_drop(f->lh, "main", "s1", true, false, &e), CLXS_OK);

	assert_int_equal(clxs_lh_schema_create(f->lh, "main", &ss, false, &e), CLXS_OK);
	make_table(f->lh, "main", "s1", "t2");
	assert_int_equal(clxs_lh_catalog_drop(f->lh, "main", false, true, &e), CLXS_OK);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables"), 0);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_schemas"), 0);
	assert_int_equal(clxs_lh_catalog_drop(f->lh, "main", true, false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_catalog_drop(f->lh, "main", false, false, &e), CLXS_ENOTFOUND);
}

static void test_table_metadata(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	clxs_lh_container_spec cs = {.name = "c"};
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	const clxs_lh_column cols[] = {
		{"id", "BIGINT", false, NULL},
		{"amount", "DECIMAL(10,2)", true, "money"},
		{"day", "DATE", true, NULL},
	};
	const char *part[] = {"day"};
	const char *pk[] = {"id"};
	clxs_lh_constraint k[] = {
		{.name = "pos", .kind = CLXS_LH_CHECK, .expression = "amount > 0"},
		{.name = "pk", .kind = CLXS_LH_PRIMARY_KEY, .columns = pk, .ncolumns = 1},
	};
	json_object *props = json_object_new_object();
	json_object_object_add(props, "delta.appendOnly", json_object_new_string("false"));
	clxs_lh_table_spec spec = {.name = {"C", "Default", "Orders"}, .columns = cols, .ncolumns = 3,
				   .partition_columns = part, .npartition_columns = 1,
				   .properties = props, .constraints = k, .nconstraints = 2,
				   .comment = "Orders Table"};
	assert_int_equal(clxs_lh_table_create(f->lh, &spec, &e), CLXS_OK);
	assert_int_equal(clxs_lh_table_create(f->lh, &spec, &e), CLXS_ECONFLICT);
	assert_string_equal(e.detail, "TABLE_OR_VIEW_ALREADY_EXISTS");
	spec.if_not_exists = true;
	assert_int_equal(clxs_lh_table_create(f->lh, &spec, &e), CLXS_OK);
	json_object_put(props);

	clxs_lh_name n = {"c", "default", "orders"};
	json_object *o = NULL, *arr, *x;
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "full_name", ""), "c.default.orders");
	assert_string_equal(clxs_json_str(o, "table_type", ""), "MANAGED");
	assert_string_equal(clxs_json_str(o, "data_source_format", ""), "DELTA");
	assert_string_equal(clxs_json_str(o, "comment", ""), "Orders Table");
	assert_true(json_object_object_get_ex(o, "columns", &arr));
	assert_int_equal(json_object_array_length(arr), 3);
	x = json_object_array_get_idx(arr, 1);
	assert_string_equal(clxs_json_str(x, "type_text", ""), "DECIMAL(10,2)");
	assert_string_equal(clxs_json_str(x, "type_name", ""), "DECIMAL");
	assert_string_equal(clxs_json_str(x, "comment", ""), "money");
	assert_false(clxs_json_bool(json_object_array_get_idx(arr, 0), "nullable", true));
	assert_int_equal(clxs_json_int(json_object_array_get_idx(arr, 2), "partition_index", -1), 0);
	assert_true(json_object_object_get_ex(o, "table_constraints", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	json_object_put(o);

	/* Creation is version 0 in the history. */
	json_object *h;
	json_object *ent = lh_latest_entry(f->lh, &n, &h);
	assert_non_null(ent);
	assert_int_equal(clxs_json_int(ent, "version", -1), 0);
	assert_string_equal(clxs_json_str(ent, "operation", ""), "CREATE TABLE");
	json_object_put(h);

	/* Property changes are versions; owner changes are not. */
	json_object *set = json_object_new_object();
	json_object_object_add(set, "k", json_object_new_string("v"));
	clxs_lh_update upd = {.owner = "carol", .set_properties = set};
	assert_int_equal(clxs_lh_table_update(f->lh, &n, &upd, &e), CLXS_OK);
	json_object_put(set);
	ent = lh_latest_entry(f->lh, &n, &h);
	assert_int_equal(clxs_json_int(ent, "version", -1), 1);
	assert_string_equal(clxs_json_str(ent, "operation", ""), "SET TBLPROPERTIES");
	json_object_put(h);

	/* Bad definitions fail and create nothing. */
	const clxs_lh_column dup[] = {{"a", "INT", true, NULL}, {"A", "INT", true, NULL}};
	clxs_lh_table_spec bad = {.name = {"c", "default", "bad"}, .columns = dup, .ncolumns = 2};
	assert_int_equal(clxs_lh_table_create(f->lh, &bad, &e), CLXS_EINVAL);
	assert_string_equal(e.detail, "COLUMN_ALREADY_EXISTS");
	clxs_lh_constraint badk = {.name = "x", .kind = CLXS_LH_CHECK, .expression = "nosuchcol > 1"};
	bad = (clxs_lh_table_spec){.name = {"c", "default", "bad"}, .columns = two_cols,
				   .ncolumns = 2, .constraints = &badk, .nconstraints = 1};
	assert_int_equal(clxs_lh_table_create(f->lh, &bad, &e), CLXS_EINVAL);
	assert_int_equal(clxs_lh_table_get(f->lh, &bad.name, &o, &e), CLXS_ENOTFOUND);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables"), 1);

	/* Views keep their definition and have no history. */
	clxs_lh_table_spec v = {.name = {"c", "default", "v1"}, .table_type = "VIEW",
				.view_definition = "SELECT id FROM c.default.orders"};
	assert_int_equal(clxs_lh_table_create(f->lh, &v, &e), CLXS_OK);
	assert_int_equal(clxs_lh_table_get(f->lh, &v.name, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "view_definition", ""), "SELECT id FROM c.default.orders");
	json_object_put(o);
	char *sql = NULL;
	assert_int_equal(clxs_lh_table_snapshot_sql(f->lh, &v.name, NULL, &sql, NULL, &e),
			 CLXS_EVALIDATION);
	assert_null(sql);

	/* Listing with a page size of one. */
	assert_int_equal(clxs_lh_table_list(f->lh, "c", "default", NULL, 1, &o, &e), CLXS_OK);
	assert_true(json_object_object_get_ex(o, "tables", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 0), "name", ""), "orders");
	assert_string_equal(clxs_json_str(o, "next_page_token", ""), "orders");
	json_object_put(o);
	assert_int_equal(clxs_lh_table_list(f->lh, "c", "default", "orders", 1, &o, &e), CLXS_OK);
	assert_true(json_object_object_get_ex(o, "tables", &arr));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 0), "name", ""), "v1");
	json_object_put(o);
}

static void test_injection_names(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	const char *evil = "x\"; DROP TABLE lh_tables; --";
	const char *evil_cat = "c'); DELETE FROM lh_catalogs; --";
	clxs_lh_container_spec cs = {.name = evil_cat, .comment = "'; DROP TABLE x; --"};
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	const clxs_lh_column cols[] = {
		{"a\"b", "STRING", true, NULL},
		{"select", "BIGINT", true, NULL},
		{"rowid", "BIGINT", true, NULL},
	};
	clxs_lh_table_spec spec = {.name = {evil_cat, "default", evil}, .columns = cols,
				   .ncolumns = 3};
	assert_int_equal(clxs_lh_table_create(f->lh, &spec, &e), CLXS_OK);
	clxs_lh_name n = spec.name;
	assert_int_equal(clxs_lh_insert(f->lh, &n, "VALUES ('q\"uote', 1, 7), ('x', 2, 8)", false, NULL,
					&e), CLXS_OK);
	json_object *o = NULL, *arr;
	assert_int_equal(clxs_lh_table_get(f->lh, &n, &o, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(o, "name", ""), "x\"; drop table lh_tables; --");
	assert_string_equal(clxs_json_str(o, "catalog_name", ""), "c'); delete from lh_catalogs; --");
	assert_true(json_object_object_get_ex(o, "columns", &arr));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 0), "name", ""), "a\"b");
	json_object_put(o);
	/* The metastore is intact and the data reads back. */
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables"), 1);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_catalogs"), 1);
	clxs_lh_at at = {0};
	assert_int_equal(lh_snap_int(f->lh, &n, &at, "sum(\"select\")", &e), 3);
	assert_int_equal(lh_snap_int(f->lh, &n, &at, "sum(rowid)", &e), 15);
	assert_int_equal(lh_snap_int(f->lh, &n, &at, "count(*) FILTER (WHERE \"a\"\"b\" = 'q\"uote')", &e), 1);
	/* A user column named rowid is a real column: update and delete use it. */
	const char *sc[] = {"rowid"}, *sx[] = {"\"rowid\" * 10"};
	assert_int_equal(clxs_lh_update_rows(f->lh, &n, sc, sx, 1, "\"select\" = 2", NULL, &e), CLXS_OK);
	assert_int_equal(lh_snap_int(f->lh, &n, &at, "sum(rowid)", &e), 87);

	/* Fragments smuggling a second statement are refused, store unchanged. */
	assert_int_equal(clxs_lh_delete(f->lh, &n, "1=1; DROP TABLE lh_tables", NULL, &e), CLXS_EINVAL);
	assert_int_equal(clxs_lh_insert(f->lh, &n, "VALUES ('z',3,9); DROP TABLE lh_tables", false,
					NULL, &e), CLXS_EINVAL);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM lh_tables"), 1);
	assert_int_equal(lh_count(f->lh, &n), 2);

	/* Names with control characters, periods or slashes are rejected. */
	clxs_lh_container_spec bad = {.name = "a.b"};
	assert_int_equal(clxs_lh_catalog_create(f->lh, &bad, false, &e), CLXS_EINVAL);
	bad.name = "a\nb";
	assert_int_equal(clxs_lh_catalog_create(f->lh, &bad, false, &e), CLXS_EINVAL);
	bad.name = "";
	assert_int_equal(clxs_lh_catalog_create(f->lh, &bad, false, &e), CLXS_EINVAL);
	const clxs_lh_column reserved[] = {{"_ROWID_", "INT", true, NULL}};
	clxs_lh_table_spec rs = {.name = {evil_cat, "default", "r"}, .columns = reserved,
				 .ncolumns = 1};
	assert_int_equal(clxs_lh_table_create(f->lh, &rs, &e), CLXS_EINVAL);
}

static void test_reopen_persists(void **state)
{
	lh_fixture *f = *state;
	clxs_error e = {0};
	clxs_lh_container_spec cs = {.name = "keep"};
	assert_int_equal(clxs_lh_catalog_create(f->lh, &cs, false, &e), CLXS_OK);
	make_table(f->lh, "keep", "default", "t");
	clxs_lh_name n = {"keep", "default", "t"};
	assert_int_equal(clxs_lh_insert(f->lh, &n, "VALUES (1,'x')", false, NULL, &e), CLXS_OK);
	clxs_lh_close(f->lh);
	f->lh = NULL;
	assert_int_equal(clxs_lh_open(f->dir, &f->lh, &e), CLXS_OK);
	assert_int_equal(lh_count(f->lh, &n), 1);
	assert_int_equal(lh_q_int(f->lh, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode='wal'"), 1);
	assert_int_equal(lh_q_int(f->lh, "PRAGMA foreign_keys"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_catalog_lifecycle, lh_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, lh_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_drop_cascade, lh_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_table_metadata, lh_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_injection_names, lh_setup, lh_teardown),
		cmocka_unit_test_setup_teardown(test_reopen_persists, lh_setup, lh_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
