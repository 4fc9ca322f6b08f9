/* Unit tests for clones from a clone snapshot: request validation of
 * source_snapshot_id and the planner's per-table VERSION AS OF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clxs/clone.h"
#include "clxs/clone_snapshot.h"
#include "clxs/json.h"

#define ID "7f3a4b5c-8d2e-4a1f-b9d3-0123456789ab"

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

static void refused(const char *body)
{
	clxs_error e;
	clxs_error_clear(&e);
	json_object *o = validate(body, &e);
	assert_null(o);
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, "source_snapshot_id");
}

static void test_validation(void **state)
{
	(void)state;
	clxs_error e;
	json_object *o = validate("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\","
				  "\"source_snapshot_id\":\"" ID "\"}", &e);
	assert_non_null(o);
	assert_string_equal(clxs_json_str(o, "source_snapshot_id", ""), ID);
	json_object_put(o);
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":\"nope\"}");
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":\"\"}");
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":5}");
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":"
		"\"7f3a4b5c-8d2e-4a1f-b9d3-0123456789a'\"}");
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":\"" ID "\","
		"\"as_of_version\":2}");
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":\"" ID "\","
		"\"as_of_timestamp\":\"2026-01-01T00:00:00Z\"}");
	refused("{\"source_catalog\":\"a\",\"destination_catalog\":\"b\",\"source_snapshot_id\":\"" ID "\","
		"\"load_type\":\"INCREMENTAL\"}");
}

/* A model as discovery plus clxs_clone_snapshot_apply leave it: t1 and t2
 * were captured (versions 4 and 0), "later" was created afterwards, and
 * "gone" was captured but has been dropped since. */
static const char model_text[] =
	"{\"catalog\":{\"name\":\"src\"},"
	" \"schemas\":[{\"name\":\"s\"},{\"name\":\"other\"}],"
	" \"tables\":[{\"schema\":\"s\",\"name\":\"T1\",\"table_type\":\"MANAGED\",\"owner\":\"bob\","
	"              \"constraints\":[{\"name\":\"pk\",\"type\":\"PRIMARY KEY\",\"columns\":[\"id\"]}]},"
	"             {\"schema\":\"s\",\"name\":\"t2\",\"table_type\":\"MANAGED\"},"
	"             {\"schema\":\"s\",\"name\":\"later\",\"table_type\":\"MANAGED\",\"owner\":\"eve\","
	"              \"tags\":{\"k\":\"v\"}},"
	"             {\"schema\":\"s\",\"name\":\"v\",\"table_type\":\"VIEW\"}],"
	" \"views\":[{\"schema\":\"s\",\"name\":\"v\",\"definition\":\"SELECT * FROM src.s.t1\"}],"
	" \"snapshot\":{\"snapshot_id\":\"" ID "\",\"name\":\"n\",\"captured_at\":\"2026-01-01T00:00:00Z\","
	"   \"versions\":{\"s.t1\":4,\"s.t2\":0,\"s.gone\":7,\"other.gone2\":1},"
	"   \"tables\":[{\"schema\":\"s\",\"table\":\"t1\",\"version\":4},{\"schema\":\"s\",\"table\":\"t2\",\"version\":0},"
	"              {\"schema\":\"s\",\"table\":\"gone\",\"version\":7},"
	"              {\"schema\":\"other\",\"table\":\"gone2\",\"version\":1}]}}";

static int find_sql(json_object *plan, const char *needle)
{
	json_object *st = json_object_object_get(plan, "statements");
	for (size_t i = 0; i < json_object_array_length(st); i++)
		if (strstr(clxs_json_str(json_object_array_get_idx(st, i), "sql", ""), needle))
			return (int)i;
	return -1;
}

static const char *reason(json_object *plan, const char *object)
{
	json_object *sk = json_object_object_get(plan, "skipped");
	for (size_t i = 0; i < json_object_array_length(sk); i++) {
		json_object *s = json_object_array_get_idx(sk, i);
		if (!strcmp(clxs_json_str(s, "object", ""), object))
			return clxs_json_str(s, "reason", "");
	}
	return NULL;
}

static json_object *make_plan(const char *opts_text, json_object *model)
{
	clxs_error e;
	json_object *opts = validate(opts_text, &e);
	assert_non_null(opts);
	json_object *plan = clxs_clone_plan(model, opts, &e);
	assert_non_null(plan);
	json_object_put(opts);
	return plan;
}

static void test_plan_pins_versions(void **state)
{
	(void)state;
	json_object *model = parse(model_text);
	json_object *plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\","
				      "\"source_snapshot_id\":\"" ID "\",\"exclude_schemas\":[\"other\"]}", model);
	assert_true(find_sql(plan, "TABLE `dst`.`s`.`T1` DEEP CLONE `src`.`s`.`T1` VERSION AS OF 4") >= 0);
	assert_true(find_sql(plan, "TABLE `dst`.`s`.`t2` DEEP CLONE `src`.`s`.`t2` VERSION AS OF 0") >= 0);
	/* Captured after the snapshot: skipped, and nothing else touches it. */
	assert_string_equal(reason(plan, "s.later"), "not in snapshot " ID);
	assert_true(find_sql(plan, "`later`") < 0);
	/* Dropped since: reported; an excluded schema's table is not. */
	assert_string_equal(reason(plan, "s.gone"),
			    "in snapshot " ID " (version 7) but no longer in the source catalog");
	assert_null(reason(plan, "other.gone2"));
	/* Views are cloned as they are now. */
	assert_true(find_sql(plan, "VIEW `dst`.`s`.`v`") >= 0);
	json_object *sum = json_object_object_get(plan, "source_snapshot");
	assert_string_equal(clxs_json_str(sum, "snapshot_id", ""), ID);
	assert_int_equal(clxs_json_int(sum, "tables", 0), 4);
	json_object_put(plan);

	plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\",\"clone_type\":\"SHALLOW\","
			 "\"source_snapshot_id\":\"" ID "\"}", model);
	assert_true(find_sql(plan, "SHALLOW CLONE `src`.`s`.`t2` VERSION AS OF 0") >= 0);
	json_object_put(plan);

	plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\","
			 "\"where_clauses\":{\"s.T1\":\"id > 1\"},\"source_snapshot_id\":\"" ID "\"}", model);
	assert_true(find_sql(plan, "AS SELECT * FROM `src`.`s`.`T1` VERSION AS OF 4 WHERE id > 1") >= 0);
	json_object_put(plan);

	/* Without a snapshot in the model, nothing is pinned or skipped. */
	json_object_object_del(model, "snapshot");
	plan = make_plan("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\"}", model);
	assert_true(find_sql(plan, "VERSION AS OF") < 0);
	assert_true(find_sql(plan, "CLONE `src`.`s`.`later`") >= 0);
	assert_null(json_object_object_get(plan, "source_snapshot"));
	json_object_put(plan);
	json_object_put(model);
}

static void test_version_lookup(void **state)
{
	(void)state;
	json_object *model = parse(model_text);
	int64_t v = 0;
	assert_true(clxs_clone_snapshot_version(model, "S", "t1", &v));
	assert_int_equal(v, 4);
	assert_true(clxs_clone_snapshot_version(model, "s", "later", &v));
	assert_int_equal(v, -1);
	json_object_object_del(model, "snapshot");
	assert_false(clxs_clone_snapshot_version(model, "s", "t1", &v));
	assert_null(clxs_clone_snapshot_summary(model));
	json_object_put(model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_plan_pins_versions),
		cmocka_unit_test(test_version_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
