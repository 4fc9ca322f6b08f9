/* Unit tests for clone request validation and the clone planner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clxs/clone.h"
#include "clxs/json.h"

static json_object *parse(const char *s)
{
	json_object *o = json_tokener_parse(s);
	assert_non_null(o);
	return o;
}

static json_object *validate(const char *body, clxs_error *e)
{
	json_object *b = parse(body);
	json_object *o = clxs_clone_validate(b, NULL, e);
	json_object_put(b);
	return o;
}

static void test_defaults(void **state)
{
	(void)state;
	clxs_error e;
	json_object *o = validate("{\"source_catalog\":\"prod\",\"destination_catalog\":\"prod_clone\"}", &e);
	assert_non_null(o);
	assert_string_equal(clxs_json_str(o, "clone_type", ""), "DEEP");
	assert_string_equal(clxs_json_str(o, "load_type", ""), "FULL");
	assert_int_equal(clxs_json_int(o, "max_workers", 0), 4);
	assert_int_equal(clxs_json_int(o, "parallel_tables", 0), 1);
	assert_true(clxs_json_bool(o, "copy_permissions", false));
	assert_false(clxs_json_bool(o, "validate_checksum", true));
	assert_string_equal(clxs_json_text(json_object_object_get(o, "exclude_schemas")),
			    "[\"information_schema\",\"default\"]");
	assert_null(json_object_object_get(o, "as_of_version"));
	json_object_put(o);
}

static void test_enum_and_config(void **state)
{
	(void)state;
	clxs_error e;
	json_object *cfg = parse("{\"sql_warehouse_id\":\"wh1\",\"max_workers\":9}");
	json_object *b = parse("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"clone_type\":\"shallow\"}");
	json_object *o = clxs_clone_validate(b, cfg, &e);
	assert_non_null(o);
	assert_string_equal(clxs_json_str(o, "clone_type", ""), "SHALLOW");
	assert_string_equal(clxs_json_str(o, "warehouse_id", ""), "wh1");
	assert_int_equal(clxs_json_int(o, "max_workers", 0), 9);
	json_object_put(o);
	json_object_put(b);
	json_object_put(cfg);
}

static void expect_422(const char *body, const char *field)
{
	clxs_error e;
	clxs_error_clear(&e);
	json_object *o = validate(body, &e);
	if (o)
		fail_msg("accepted: %s", body);
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, field);
}

static void test_rejections(void **state)
{
	(void)state;
	expect_422("{\"destination_catalog\":\"b\"}", "source_catalog");
	expect_422("{\"source_catalog\":\"a\"}", "destination_catalog");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"A\"}", "destination_catalog");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"clone_type\":\"MEDIUM\"}", "clone_type");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"dry_run\":\"yes\"}", "dry_run");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"max_workers\":0}", "max_workers");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"max_workers\":2.5}", "max_workers");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"colne_type\":\"DEEP\"}", "colne_type");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"as_of_version\":3,"
		   "\"as_of_timestamp\":\"2026-01-01\"}", "as_of_version");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"as_of_timestamp\":\"last week\"}",
		   "as_of_timestamp");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"include_tables_regex\":\"(\"}",
		   "include_tables_regex");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"include_schemas\":[1]}", "include_schemas");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"where_clauses\":{\"*\":1}}", "where_clauses");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"rollback_threshold\":101}",
		   "rollback_threshold");
	expect_422("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"include_objects\":"
		   "[{\"schema\":\"s\",\"name\":\"t\",\"type\":\"model\"}]}", "include_objects");
}

static void test_shallow_where_warns(void **state)
{
	(void)state;
	clxs_error e;
	json_object *o = validate("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"clone_type\":\"SHALLOW\","
				  "\"where_clauses\":{\"*\":\"x > 1\"}}", &e);
	assert_non_null(o);
	assert_int_equal(json_object_array_length(json_object_object_get(o, "warnings")), 1);
	json_object_put(o);
}

static const char *model_text =
	"{\"catalog\":{\"name\":\"src\",\"comment\":\"the source\",\"owner\":\"admins\","
	"  \"grants\":[{\"principal\":\"analysts\",\"privileges\":[\"USE CATALOG\",\"FLY\"]}]},"
	" \"schemas\":[{\"name\":\"bronze\",\"owner\":\"etl\"},{\"name\":\"silver\",\"tags\":{\"tier\":\"2\"}},"
	"             {\"name\":\"default\"},{\"name\":\"information_schema\"}],"
	" \"tables\":[{\"schema\":\"bronze\",\"name\":\"events\",\"table_type\":\"MANAGED\",\"size_bytes\":10,"
	"              \"owner\":\"etl\",\"tags\":{\"pii\":\"no\"},"
	"              \"columns\":[{\"name\":\"email\",\"type_text\":\"string\",\"tags\":{\"class\":\"EMAIL\"},"
	"                           \"mask\":{\"function\":\"src.silver.mask_email\"}}],"
	"              \"row_filter\":{\"function\":\"src.silver.only_eu\",\"columns\":[\"region\"]}},"
	"             {\"schema\":\"bronze\",\"name\":\"we`ird; name\",\"table_type\":\"MANAGED\",\"size_bytes\":99},"
	"             {\"schema\":\"silver\",\"name\":\"stream\",\"table_type\":\"STREAMING_TABLE\"},"
	"             {\"schema\":\"default\",\"name\":\"scratch\",\"table_type\":\"MANAGED\"}],"
	" \"views\":[{\"schema\":\"silver\",\"name\":\"v2\",\"definition\":\"SELECT * FROM src.bronze.v1 WHERE x = 'src.a.b'\"},"
	"            {\"schema\":\"bronze\",\"name\":\"v1\",\"definition\":\"SELECT * FROM `src`.bronze.events\"},"
	"            {\"schema\":\"bronze\",\"name\":\"c1\",\"definition\":\"SELECT * FROM src.bronze.c2\"},"
	"            {\"schema\":\"bronze\",\"name\":\"c2\",\"definition\":\"SELECT * FROM src.bronze.c1\"}],"
	" \"functions\":[{\"schema\":\"silver\",\"name\":\"mask_email\",\"parameters\":[{\"name\":\"e\",\"type_text\":\"STRING\"}],"
	"                 \"return_type\":\"STRING\",\"body\":\"CASE WHEN is_member('admins') THEN e ELSE '***' END\"},"
	"                {\"schema\":\"silver\",\"name\":\"evil\",\"parameters\":[],\"return_type\":\"INT; DROP\",\"body\":\"1\"}],"
	" \"volumes\":[{\"schema\":\"bronze\",\"name\":\"raw\",\"volume_type\":\"MANAGED\"},"
	"              {\"schema\":\"bronze\",\"name\":\"ext\",\"volume_type\":\"EXTERNAL\"}]}";

static int find_sql(json_object *plan, const char *needle)
{
	json_object *st = json_object_object_get(plan, "statements");
	for (size_t i = 0; i < json_object_array_length(st); i++)
		if (strstr(clxs_json_str(json_object_array_get_idx(st, i), "sql", ""), needle))
			return (int)i;
	return -1;
}

static bool skipped(json_object *plan, const char *object, const char *reason_part)
{
	json_object *sk = json_object_object_get(plan, "skipped");
	for (size_t i = 0; i < json_object_array_length(sk); i++) {
		json_object *s = json_object_array_get_idx(sk, i);
		if (!strcmp(clxs_json_str(s, "object", ""), object) &&
		    strstr(clxs_json_str(s, "reason", ""), reason_part))
			return true;
	}
	return false;
}

static json_object *make_plan(const char *opts_text)
{
	clxs_error e;
	json_object *opts = validate(opts_text, &e);
	assert_non_null(opts);
	json_object *model = parse(model_text);
	json_object *plan = clxs_clone_plan(model, opts, &e);
	assert_non_null(plan);
	json_object_put(model);
	json_object_put(opts);
	return plan;
}

static void test_plan_order_and_quoting(void **state)
{
	(void)state;
	json_object *plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\",\"order_by_size\":\"desc\"}");
	int cat = find_sql(plan, "CREATE CATALOG IF NOT EXISTS `dst` COMMENT 'the source'");
	int sch = find_sql(plan, "CREATE SCHEMA IF NOT EXISTS `dst`.`bronze`");
	int weird = find_sql(plan, "CREATE OR REPLACE TABLE `dst`.`bronze`.`we``ird; name` DEEP CLONE `src`.`bronze`.`we``ird; name`");
	int events = find_sql(plan, "CREATE OR REPLACE TABLE `dst`.`bronze`.`events` DEEP CLONE `src`.`bronze`.`events`");
	int fn = find_sql(plan, "CREATE OR REPLACE FUNCTION `dst`.`silver`.`mask_email`(`e` STRING) RETURNS STRING RETURN CASE");
	int v1 = find_sql(plan, "CREATE OR REPLACE VIEW `dst`.`bronze`.`v1` AS SELECT * FROM `dst`.bronze.events");
	int v2 = find_sql(plan, "CREATE OR REPLACE VIEW `dst`.`silver`.`v2` AS SELECT * FROM `dst`.bronze.v1 WHERE x = 'src.a.b'");
	int vol = find_sql(plan, "CREATE VOLUME IF NOT EXISTS `dst`.`bronze`.`raw`");
	int owner = find_sql(plan, "ALTER TABLE `dst`.`bronze`.`events` OWNER TO `etl`");
	int grant = find_sql(plan, "GRANT USE CATALOG ON CATALOG `dst` TO `analysts`");
	int ctag = find_sql(plan, "ALTER TABLE `dst`.`bronze`.`events` ALTER COLUMN `email` SET TAGS ('class' = 'EMAIL')");
	int mask = find_sql(plan, "ALTER TABLE `dst`.`bronze`.`events` ALTER COLUMN `email` SET MASK `dst`.`silver`.`mask_email`");
	/* only_eu is not among the cloned functions: the filter keeps calling
	 * the source's copy rather than one that will not exist. */
	int filt = find_sql(plan, "ALTER TABLE `dst`.`bronze`.`events` SET ROW FILTER `src`.`silver`.`only_eu` ON (`region`)");
	assert_true(cat == 0);
	assert_true(sch > cat && weird > sch && events > weird); /* desc by size */
	assert_true(fn > events && v1 > fn && v2 > v1 && vol > v2);
	assert_true(owner > vol && grant > vol && ctag > vol);
	/* Filters and masks once their functions exist, before any owner or
	 * grant: no grantee ever sees the table without them. */
	assert_true(mask > fn && filt > fn && owner > mask && owner > filt && grant > mask && grant > filt);
	assert_true(find_sql(plan, "`scratch`") < 0);           /* default schema excluded */
	assert_true(skipped(plan, "default", "excluded"));
	assert_true(skipped(plan, "silver.stream", "streaming"));
	assert_true(skipped(plan, "bronze.c1", "cycle") && skipped(plan, "bronze.c2", "cycle"));
	assert_true(skipped(plan, "silver.evil", "return type"));
	assert_true(skipped(plan, "bronze.ext", "external volume"));
	assert_true(skipped(plan, "", "FLY") || skipped(plan, "dst", "FLY"));
	assert_true(find_sql(plan, "FLY") < 0);
	/* No statement reads the source catalog except the clones themselves. */
	json_object *st = json_object_object_get(plan, "statements");
	for (size_t i = 0; i < json_object_array_length(st); i++) {
		const char *sql = clxs_json_str(json_object_array_get_idx(st, i), "sql", "");
		if (!strstr(sql, " CLONE ") && !strstr(sql, "only_eu"))
			assert_null(strstr(sql, "`src`"));
	}
	assert_int_equal(clxs_json_int(json_object_object_get(plan, "counts"), "statements", 0),
			 (int64_t)json_object_array_length(st));
	json_object_put(plan);
}

static void test_plan_options(void **state)
{
	(void)state;
	json_object *plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\",\"clone_type\":\"SHALLOW\","
				      "\"as_of_version\":3,\"copy_permissions\":false,\"copy_tags\":false,"
				      "\"include_tables_regex\":\"^ev\",\"clone_tbl_properties\":{\"delta.x\":\"1\"}}");
	assert_true(find_sql(plan, "SHALLOW CLONE `src`.`bronze`.`events` VERSION AS OF 3 TBLPROPERTIES ('delta.x' = '1')") >= 0);
	assert_true(find_sql(plan, "we``ird") < 0);
	assert_true(skipped(plan, "bronze.we`ird; name", "filters"));
	assert_true(find_sql(plan, "GRANT") < 0);
	assert_true(find_sql(plan, "SET TAGS") < 0);
	json_object_put(plan);

	plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\","
			 "\"where_clauses\":{\"bronze.events\":\"ts >= '2026-01-01'\",\"*\":\"1 = 1; DROP TABLE x\"},"
			 "\"as_of_timestamp\":\"2026-01-02T00:00:00Z\"}");
	assert_true(find_sql(plan, "CREATE OR REPLACE TABLE `dst`.`bronze`.`events` AS SELECT * FROM "
				   "`src`.`bronze`.`events` TIMESTAMP AS OF '2026-01-02T00:00:00Z' WHERE ts >= '2026-01-01'") >= 0);
	assert_true(find_sql(plan, "DROP TABLE") < 0);
	assert_true(skipped(plan, "bronze.we`ird; name", "where_clauses"));
	json_object_put(plan);

	plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\","
			 "\"include_objects\":[{\"schema\":\"bronze\",\"name\":\"v1\",\"type\":\"view\"}],"
			 "\"include_schemas\":[\"nothing\"]}");
	assert_true(find_sql(plan, "VIEW `dst`.`bronze`.`v1`") >= 0);
	assert_true(find_sql(plan, "TABLE `dst`.`bronze`.`events` DEEP") < 0);
	assert_true(find_sql(plan, "VIEW `dst`.`silver`.`v2`") < 0);
	json_object_put(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_enum_and_config),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_shallow_where_warns),
		cmocka_unit_test(test_plan_order_and_quoting),
		cmocka_unit_test(test_plan_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
