/* Unit tests for the demo catalog generator: option validation (defaults,
 * 422 naming the field) and the build plan (scale, industries, medallion,
 * quoting, determinism). Running the plan is covered end to end by
 * tests/integration/test_api_catalogs.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clxs/demo.h"
#include "clxs/json.h"

static json_object *validate(const char *body, clxs_error *e)
{
	json_object *b = json_tokener_parse(body);
	assert_non_null(b);
	json_object *o = clxs_demo_validate(b, e);
	json_object_put(b);
	return o;
}

static void test_defaults(void **state)
{
	(void)state;
	clxs_error e;
	json_object *o = validate("{\"catalog_name\":\"demo_source\"}", &e);
	assert_non_null(o);
	assert_true(clxs_json_double(o, "scale_factor", 0) == 1.0);
	assert_int_equal(clxs_json_int(o, "batch_size", 0), 5000000);
	assert_int_equal(clxs_json_int(o, "max_workers", 0), 4);
	assert_true(clxs_json_bool(o, "medallion", false));
	assert_true(clxs_json_bool(o, "create_functions", false));
	assert_true(clxs_json_bool(o, "create_volumes", false));
	assert_false(clxs_json_bool(o, "drop_existing", true));
	assert_string_equal(clxs_json_str(o, "start_date", ""), "2020-01-01");
	assert_string_equal(clxs_json_str(o, "end_date", ""), "2025-01-01");
	assert_null(clxs_json_str(o, "dest_catalog", NULL));
	assert_int_equal(json_object_array_length(json_object_object_get(o, "industries")), 10);
	json_object_put(o);
}

static void expect_field(const char *body, const char *field)
{
	clxs_error e;
	memset(&e, 0, sizeof(e));
	json_object *o = validate(body, &e);
	if (o)
		fail_msg("accepted: %s", body);
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, field);
}

static void test_bad_input(void **state)
{
	(void)state;
	expect_field("{}", "catalog_name");
	expect_field("{\"catalog_name\":\"\"}", "catalog_name");
	expect_field("{\"catalog_name\":\"d\",\"scale_factor\":0}", "scale_factor");
	expect_field("{\"catalog_name\":\"d\",\"scale_factor\":\"big\"}", "scale_factor");
	expect_field("{\"catalog_name\":\"d\",\"scale_factor\":1001}", "scale_factor");
	expect_field("{\"catalog_name\":\"d\",\"industries\":[\"retail\",\"mining\"]}", "industries");
	expect_field("{\"catalog_name\":\"d\",\"industries\":[]}", "industries");
	expect_field("{\"catalog_name\":\"d\",\"max_workers\":0}", "max_workers");
	expect_field("{\"catalog_name\":\"d\",\"batch_size\":1.5}", "batch_size");
	expect_field("{\"catalog_name\":\"d\",\"medallion\":\"yes\"}", "medallion");
	expect_field("{\"catalog_name\":\"d\",\"start_date\":\"2021-02-30\"}", "start_date");
	expect_field("{\"catalog_name\":\"d\",\"start_date\":\"2024-01-01\",\"end_date\":\"2023-01-01\"}", "end_date");
	expect_field("{\"catalog_name\":\"d\",\"dest_catalog\":\"d\"}", "dest_catalog");
	expect_field("{\"catalog_name\":\"d\",\"colour\":\"red\"}", "colour");
}

static json_object *plan(const char *body)
{
	clxs_error e;
	json_object *o = validate(body, &e);
	assert_non_null(o);
	json_object *p = clxs_demo_plan(o, &e);
	json_object_put(o);
	assert_non_null(p);
	return p;
}

static int64_t count(json_object *p, const char *k)
{
	return clxs_json_int(json_object_object_get(p, "counts"), k, -1);
}

static bool any_stmt(json_object *p, const char *needle)
{
	static const char *const lists[] = {"pre", "post"};
	for (int l = 0; l < 2; l++) {
		json_object *a = json_object_object_get(p, lists[l]);
		for (size_t i = 0; i < json_object_array_length(a); i++)
			if (strstr(json_object_get_string(json_object_array_get_idx(a, i)), needle))
				return true;
	}
	json_object *loads = json_object_object_get(p, "loads");
	for (size_t i = 0; i < json_object_array_length(loads); i++) {
		json_object *a = json_object_array_get_idx(loads, i);
		for (size_t k = 0; k < json_object_array_length(a); k++)
			if (strstr(json_object_get_string(json_object_array_get_idx(a, k)), needle))
				return true;
	}
	return false;
}

static void test_plan_content(void **state)
{
	(void)state;
	json_object *p = plan("{\"catalog_name\":\"demo\"}");
	assert_int_equal(count(p, "schemas"), 3);
	assert_int_equal(count(p, "tables"), 19); /* 2 retail + 1 healthcare + 2 x 8 */
	assert_int_equal(count(p, "views"), 18);
	assert_int_equal(count(p, "functions"), 3);
	assert_int_equal(count(p, "volumes"), 1);
	assert_int_equal(count(p, "files"), 10); /* README + one CSV per industry but healthcare */
	assert_int_equal(count(p, "rows"), 200 + 1000 + 100 + 8 * (50 + 300));
	/* One load per table. */
	assert_int_equal(json_object_array_length(json_object_object_get(p, "loads")), 19);
	assert_true(any_stmt(p, "PRIMARY KEY"));
	assert_true(any_stmt(p, "FOREIGN KEY"));
	assert_true(any_stmt(p, "CHECK (`claim_amount` >= 0)"));
	assert_true(any_stmt(p, "SET MASK `demo`.`silver`.`mask_email`"));
	assert_true(any_stmt(p, "SET ROW FILTER `demo`.`silver`.`region_filter`"));
	assert_true(any_stmt(p, "'demo.generated_by' = 'clone-xs'"));
	assert_true(any_stmt(p, "ALTER CATALOG `demo` SET TAGS"));
	assert_true(any_stmt(p, "GRANT USE CATALOG ON CATALOG `demo` TO `analysts`"));
	assert_true(any_stmt(p, "CREATE VOLUME"));
	assert_false(any_stmt(p, "OWNER TO `nobody`"));
	json_object_put(p);
}

static void test_scale_and_selection(void **state)
{
	(void)state;
	json_object *p = plan("{\"catalog_name\":\"d\",\"industries\":[\"healthcare\",\"retail\"],\"scale_factor\":2.5}");
	assert_int_equal(count(p, "tables"), 3);
	assert_int_equal(count(p, "rows"), 500 + 2500 + 250);
	json_object_put(p);
	p = plan("{\"catalog_name\":\"d\",\"industries\":[\"financial\"],\"scale_factor\":0.001}");
	assert_int_equal(count(p, "tables"), 2);
	assert_int_equal(count(p, "rows"), 2); /* at least one row per table */
	json_object_put(p);
	/* batch_size splits the inserts: 200 customers in batches of 64 = 4 INSERTs. */
	p = plan("{\"catalog_name\":\"d\",\"industries\":[\"retail\"],\"batch_size\":64}");
	assert_int_equal(json_object_array_length(json_object_array_get_idx(json_object_object_get(p, "loads"), 0)), 4);
	json_object_put(p);
}

static void test_switches(void **state)
{
	(void)state;
	json_object *p = plan("{\"catalog_name\":\"d\",\"industries\":[\"retail\",\"healthcare\"],\"medallion\":false,"
			      "\"create_functions\":false,\"create_volumes\":false,\"owner\":\"data team\","
			      "\"storage_location\":\"s3://b/demo\"}");
	assert_int_equal(count(p, "schemas"), 1);
	assert_int_equal(count(p, "functions"), 0);
	assert_int_equal(count(p, "volumes"), 0);
	assert_int_equal(count(p, "files"), 0);
	assert_false(any_stmt(p, "MASK"));
	assert_false(any_stmt(p, "ROW FILTER"));
	assert_false(any_stmt(p, "`bronze`"));
	assert_true(any_stmt(p, "`d`.`demo`.`orders`"));
	assert_true(any_stmt(p, "ALTER CATALOG `d` OWNER TO `data team`"));
	assert_true(any_stmt(p, "MANAGED LOCATION 's3://b/demo'"));
	json_object_put(p);
}

static void test_odd_names_and_determinism(void **state)
{
	(void)state;
	json_object *a = plan("{\"catalog_name\":\"we`ird; 'cat'\",\"industries\":[\"telecom\"],"
			      "\"start_date\":\"2023-01-01\",\"end_date\":\"2023-01-02\"}");
	assert_true(any_stmt(a, "CREATE CATALOG `we``ird; 'cat'`"));
	assert_true(any_stmt(a, "DATE '2023-01-01'"));
	assert_false(any_stmt(a, "DATE '2022-12-31'"));
	assert_false(any_stmt(a, "DATE '2023-01-02'")); /* the end is exclusive */
	json_object *b = plan("{\"catalog_name\":\"we`ird; 'cat'\",\"industries\":[\"telecom\"],"
			      "\"start_date\":\"2023-01-01\",\"end_date\":\"2023-01-02\"}");
	assert_string_equal(clxs_json_text(a), clxs_json_text(b));
	json_object_put(a);
	json_object_put(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_plan_content),
		cmocka_unit_test(test_scale_and_selection),
		cmocka_unit_test(test_switches),
		cmocka_unit_test(test_odd_names_and_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
