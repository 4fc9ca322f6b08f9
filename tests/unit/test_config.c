/* Unit tests for the YAML front end and the clone_config.yaml loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/config.h"
#include "clxs/json.h"

#ifndef CLXS_TEST_SRCDIR
#define CLXS_TEST_SRCDIR "."
#endif

static json_object *yp(const char *s, clxs_error *e)
{
	return clxs_yaml_parse(s, strlen(s), e);
}

static json_object *load(const char *s, const char *profile, json_object **warnings, clxs_error *e)
{
	return clxs_config_load_string(s, strlen(s), profile, warnings, e);
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void assert_type(json_object *o, const char *key, enum json_type t)
{
	json_object *v = get(o, key);
	assert_int_equal(json_object_get_type(v), t);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' does not contain '%s'", hay, needle);
}

static bool warnings_have(json_object *w, const char *text)
{
	for (size_t i = 0; i < json_object_array_length(w); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(w, i)), text) == 0)
			return true;
	return false;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = calloc(1, 1 << 20);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	assert_true(n > 0);
	fclose(f);
	return buf;
}

/* --- YAML ---------------------------------------------------------------- */

static void test_yaml_plain_scalars(void **state)
{
	(void)state;
	clxs_error e;
	const char *y = "i: 42\nneg: -3\nplus: +5\nhex: 0x1F\noct: 0o17\nlead: 007\n"
			"f: 1.5\nexp: 1e3\nhalf: .5\ninf: -.inf\nnan: .NaN\n"
			"t: true\nT: True\nf2: FALSE\nyes: yes\noff: off\n"
			"n1: ~\nn2:\nn3: null\nn4: NULL\n"
			"s: hello world\nund: 1_000\ndate: 2026-01-01\nver: 1.2.3\n";
	json_object *o = yp(y, &e);
	assert_non_null(o);
	assert_int_equal(e.code, CLXS_OK);
	assert_type(o, "i", json_type_int);
	assert_int_equal(json_object_get_int64(get(o, "i")), 42);
	assert_int_equal(json_object_get_int64(get(o, "neg")), -3);
	assert_int_equal(json_object_get_int64(get(o, "plus")), 5);
	assert_int_equal(json_object_get_int64(get(o, "hex")), 31);
	assert_int_equal(json_object_get_int64(get(o, "oct")), 15);
	assert_int_equal(json_object_get_int64(get(o, "lead")), 7);
	assert_type(o, "f", json_type_double);
	assert_true(json_object_get_double(get(o, "f")) == 1.5);
	assert_true(json_object_get_double(get(o, "exp")) == 1000.0);
	assert_type(o, "exp", json_type_double);
	assert_true(json_object_get_double(get(o, "half")) == 0.5);
	assert_true(isinf(json_object_get_double(get(o, "inf"))) && json_object_get_double(get(o, "inf")) < 0);
	assert_true(isnan(json_object_get_double(get(o, "nan"))));
	assert_type(o, "t", json_type_boolean);
	assert_true(json_object_get_boolean(get(o, "t")));
	assert_true(json_object_get_boolean(get(o, "T")));
	assert_type(o, "f2", json_type_boolean);
	assert_false(json_object_get_boolean(get(o, "f2")));
	/* YAML 1.1 booleans are strings in 1.2. */
	assert_string_equal(clxs_json_str(o, "yes", NULL), "yes");
	assert_string_equal(clxs_json_str(o, "off", NULL), "off");
	const char *nulls[] = {"n1", "n2", "n3", "n4"};
	for (size_t i = 0; i < 4; i++)
		assert_null(get(o, nulls[i]));
	assert_string_equal(clxs_json_str(o, "s", NULL), "hello world");
	assert_string_equal(clxs_json_str(o, "und", NULL), "1_000");
	assert_string_equal(clxs_json_str(o, "date", NULL), "2026-01-01");
	assert_string_equal(clxs_json_str(o, "ver", NULL), "1.2.3");
	json_object_put(o);
}

static void test_yaml_quoted_are_strings(void **state)
{
	(void)state;
	clxs_error e;
	const char *y = "a: '1'\nb: \"true\"\nc: ''\nd: 'null'\ne: \"~\"\n"
			"lit: |\n  line1\n  line2\nfold: >-\n  one\n  two\n";
	json_object *o = yp(y, &e);
	assert_non_null(o);
	assert_string_equal(clxs_json_str(o, "a", NULL), "1");
	assert_string_equal(clxs_json_str(o, "b", NULL), "true");
	assert_string_equal(clxs_json_str(o, "c", NULL), "");
	assert_string_equal(clxs_json_str(o, "d", NULL), "null");
	assert_string_equal(clxs_json_str(o, "e", NULL), "~");
	assert_string_equal(clxs_json_str(o, "lit", NULL), "line1\nline2\n");
	assert_string_equal(clxs_json_str(o, "fold", NULL), "one two");
	json_object_put(o);
}

static void test_yaml_nested(void **state)
{
	(void)state;
	clxs_error e;
	const char *y = "outer:\n  inner:\n    k: v\n    list:\n      - 1\n      - x\n      - {a: [true, ~]}\n"
			"flow: {p: [1, 2, 3], q: {r: s}}\n";
	json_object *o = yp(y, &e);
	assert_non_null(o);
	assert_string_equal(clxs_json_text(o),
			    "{\"outer\":{\"inner\":{\"k\":\"v\",\"list\":[1,\"x\",{\"a\":[true,null]}]}},"
			    "\"flow\":{\"p\":[1,2,3],\"q\":{\"r\":\"s\"}}}");
	json_object_put(o);

	/* A root that is a list or a scalar is returned as such. */
	o = yp("- a\n- 2\n", &e);
	assert_non_null(o);
	assert_string_equal(clxs_json_text(o), "[\"a\",2]");
	json_object_put(o);
}

static void test_yaml_anchors_aliases_merge(void **state)
{
	(void)state;
	clxs_error e;
	const char *y = "base: &b\n  x: 1\n  y: [1, 2]\n"
			"copy: *b\n"
			"over:\n  <<: *b\n  y: 3\n"
			"other: &o {x: 9, z: 10}\n"
			"multi:\n  <<: [*o, *b]\n  w: 0\n"
			"s: &s text\nt: *s\n";
	json_object *o = yp(y, &e);
	assert_non_null(o);
	json_object *base = get(o, "base"), *copy = get(o, "copy");
	assert_true(json_object_equal(base, copy));
	assert_ptr_not_equal(base, copy); /* aliases are independent copies */
	json_object *over = get(o, "over");
	assert_int_equal(clxs_json_int(over, "x", 0), 1);
	assert_int_equal(clxs_json_int(over, "y", 0), 3); /* explicit key wins */
	assert_false(json_object_object_get_ex(over, "<<", NULL));
	json_object *multi = get(o, "multi");
	assert_int_equal(clxs_json_int(multi, "x", 0), 9); /* earlier map wins */
	assert_int_equal(clxs_json_int(multi, "z", 0), 10);
	assert_int_equal(json_object_array_length(get(multi, "y")), 2);
	assert_int_equal(clxs_json_int(multi, "w", 1), 0);
	assert_string_equal(clxs_json_str(o, "t", NULL), "text");
	json_object_put(o);

	/* A quoted "<<" is an ordinary key. */
	o = yp("m:\n  '<<': 1\n", &e);
	assert_non_null(o);
	assert_int_equal(clxs_json_int(get(o, "m"), "<<", 0), 1);
	json_object_put(o);
}

static void expect_yaml_error(const char *y, const char *needle)
{
	clxs_error e;
	json_object *o = yp(y, &e);
	if (o)
		fail_msg("parsed: %s", y);
	assert_int_equal(e.code, CLXS_EINVAL);
	assert_contains(e.message, needle);
}

static void test_yaml_errors(void **state)
{
	(void)state;
	expect_yaml_error("a: 1\nb: [1, 2\nc: 3\n", "line 3, column 2");
	expect_yaml_error("a: 1\n  b: 2\n", "invalid YAML at line 2, column 4");
	expect_yaml_error("a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key 'a'");
	expect_yaml_error("a: *nope\n", "line 1");
	expect_yaml_error("a: &x [1, *x]\n", "recursive alias");
	expect_yaml_error("a: 99999999999999999999\n", "integer out of range");
	expect_yaml_error("a: 1\n---\nb: 2\n", "only one document");
	expect_yaml_error("a: \"x\\0y\"\n", "NUL");
	expect_yaml_error("? [a]\n: 1\n", "mapping keys");
	expect_yaml_error("a:\n  <<: 5\n", "merge key");
	expect_yaml_error("\t- a\n", "line 1");

	/* Deep nesting is refused rather than recursing without bound. */
	char deep[400];
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	char *d = strndup(deep, 400);
	assert_non_null(d);
	expect_yaml_error(d, "nesting too deep");
	free(d);

	/* An alias bomb: each level doubles; 2^30 values if expanded. */
	char bomb[4096];
	size_t n = (size_t)snprintf(bomb, sizeof(bomb), "a0: &a0 [x, x]\n");
	for (int i = 1; i <= 30; i++)
		n += (size_t)snprintf(bomb + n, sizeof(bomb) - n, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
	expect_yaml_error(bomb, "expanding aliases");

	/* Long strings multiplied by aliases hit the byte budget. */
	size_t big = 200000;
	char *text = malloc(big + 64 + 5 * 2000);
	assert_non_null(text);
	size_t m = (size_t)sprintf(text, "s: &s '");
	memset(text + m, 'x', big);
	m += big;
	m += (size_t)sprintf(text + m, "'\nl: [");
	for (int i = 0; i < 2000; i++)
		m += (size_t)sprintf(text + m, "*s, ");
	sprintf(text + m, "]\n");
	expect_yaml_error(text, "too much text");
	free(text);
}

static void test_yaml_empty(void **state)
{
	(void)state;
	clxs_error e;
	const char *empties[] = {"", "# just a comment\n", "~\n", "---\n...\n"};
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		e.code = CLXS_EINTERNAL; /* must be cleared */
		assert_null(yp(empties[i], &e));
		assert_int_equal(e.code, CLXS_OK);
	}
	assert_null(clxs_yaml_parse(NULL, 0, &e));
	assert_int_equal(e.code, CLXS_OK);
}

/* --- config -------------------------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	json_object *d = clxs_config_defaults();
	assert_non_null(d);
	assert_string_equal(clxs_config_str(d, "clone_type"), "DEEP");
	assert_string_equal(clxs_config_str(d, "load_type"), "FULL");
	assert_string_equal(clxs_config_str(d, "target_format"), "DELTA");
	assert_int_equal(clxs_config_int(d, "max_workers", -1), 4);
	assert_int_equal(clxs_config_int(d, "parallel_tables", -1), 1);
	assert_int_equal(clxs_config_int(d, "max_parallel_queries", -1), 10);
	assert_int_equal(clxs_config_int(d, "max_retries", -1), 3);
	assert_int_equal(clxs_config_int(d, "cache_ttl_seconds", -1), 300);
	assert_true(clxs_config_bool(d, "copy_permissions", false));
	assert_true(clxs_config_bool(d, "copy_comments", false));
	assert_true(clxs_config_bool(d, "enable_rollback", false));
	assert_true(clxs_config_bool(d, "enable_retry", false));
	assert_false(clxs_config_bool(d, "dry_run", true));
	assert_false(clxs_config_bool(d, "auto_rollback_on_failure", true));
	assert_true(clxs_config_num(d, "rollback_threshold", -1) == 5.0);
	assert_true(clxs_config_num(d, "price_per_gb", -1) == 0.023);
	assert_type(d, "max_rps", json_type_double);
	assert_string_equal(clxs_config_str(d, "currency"), "USD");
	assert_string_equal(clxs_json_text(get(d, "exclude_schemas")), "[\"information_schema\",\"default\"]");
	assert_string_equal(clxs_json_text(get(d, "include_schemas")), "[]");
	assert_string_equal(clxs_json_text(get(d, "where_clauses")), "{}");
	assert_string_equal(clxs_config_str(d, "audit_trail.catalog"), "clone_audit");
	assert_string_equal(clxs_config_str(d, "audit_trail.schema"), "logs");
	assert_string_equal(clxs_config_str(d, "server.host"), "127.0.0.1");
	assert_int_equal(clxs_config_int(d, "server.port", -1), 8080);
	assert_int_equal(clxs_config_int(d, "server.lakehouse_port", -1), 8081);
	assert_int_equal(clxs_config_int(d, "server.max_body_bytes", -1), 8388608);
	assert_string_equal(clxs_config_str(d, "server.api_token"), "");
	assert_string_equal(clxs_config_str(d, "server.log_level"), "info");
	/* Optional keys are present, as null. */
	assert_null(get(d, "sql_warehouse_id"));
	assert_null(get(d, "order_by_size"));
	assert_null(get(d, "as_of_version"));
	assert_false(json_object_object_get_ex(d, "profiles", NULL));
	/* Every schema row is filled. */
	json_object *schema = clxs_config_schema();
	assert_non_null(schema);
	for (size_t i = 0; i < json_object_array_length(schema); i++) {
		const char *key = clxs_json_str(json_object_array_get_idx(schema, i), "key", NULL);
		assert_non_null(key);
		char parent[64] = "";
		const char *dot = strrchr(key, '.');
		json_object *holder = d;
		if (dot) {
			snprintf(parent, sizeof(parent), "%.*s", (int)(dot - key), key);
			holder = clxs_config_get(d, parent);
		}
		if (!json_object_object_get_ex(holder, dot ? dot + 1 : key, NULL))
			fail_msg("default missing for %s", key);
	}
	json_object_put(schema);
	json_object_put(d);
}

static void test_empty_is_defaults(void **state)
{
	(void)state;
	json_object *d = clxs_config_defaults();
	const char *texts[] = {"", "# nothing here\n", "~\n"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		clxs_error e;
		json_object *w = NULL;
		json_object *c = load(texts[i], NULL, &w, &e);
		assert_non_null(c);
		assert_true(json_object_equal(c, d));
		assert_non_null(w);
		assert_int_equal(json_object_array_length(w), 0);
		json_object_put(w);
		json_object_put(c);
	}
	/* Explicit nulls mean "use the default" too. */
	clxs_error e;
	json_object *c = load("max_workers:\naudit_trail:\nserver: ~\n", NULL, NULL, &e);
	assert_non_null(c);
	assert_true(json_object_equal(c, d));
	json_object_put(c);
	json_object_put(d);
}

static void test_values_and_normalisation(void **state)
{
	(void)state;
	clxs_error e;
	json_object *w = NULL;
	json_object *c = load("source_catalog: prod\nclone_type: shallow\nprice_per_gb: 1\nmax_rps: 2.5\n"
			      "as_of_version: 0\nexclude_schemas: [a, b]\n"
			      "clone_tbl_properties:\n  delta.appendOnly: true\n  delta.n: 32\n"
			      "  delta.logRetentionDuration: 3650 days\n"
			      "where_clauses:\n  bronze.events: \"date >= '2026-01-01'\"\n",
			      NULL, &w, &e);
	assert_non_null(c);
	assert_int_equal(json_object_array_length(w), 0);
	assert_string_equal(clxs_config_str(c, "source_catalog"), "prod");
	assert_string_equal(clxs_config_str(c, "clone_type"), "SHALLOW"); /* canonical spelling */
	assert_type(c, "price_per_gb", json_type_double);
	assert_true(clxs_config_num(c, "price_per_gb", 0) == 1.0);
	assert_true(clxs_config_num(c, "max_rps", 0) == 2.5);
	assert_int_equal(clxs_config_int(c, "as_of_version", -1), 0);
	assert_string_equal(clxs_json_text(get(c, "exclude_schemas")), "[\"a\",\"b\"]");
	json_object *props = get(c, "clone_tbl_properties");
	assert_string_equal(clxs_json_str(props, "delta.appendOnly", NULL), "true");
	assert_string_equal(clxs_json_str(props, "delta.n", NULL), "32");
	assert_string_equal(clxs_json_str(props, "delta.logRetentionDuration", NULL), "3650 days");
	assert_string_equal(clxs_json_str(get(c, "where_clauses"), "bronze.events", NULL), "date >= '2026-01-01'");
	json_object_put(w);
	json_object_put(c);
}

static const char *profile_yaml = "max_workers: 2\n"
				  "include_schemas: [x, y]\n"
				  "audit_trail:\n  catalog: base_audit\n  schema: base_logs\n"
				  "where_clauses:\n  '*': a = 1\n"
				  "profiles:\n"
				  "  dev:\n    max_workers: 6\n    include_schemas: [z]\n"
				  "    audit_trail:\n      catalog: dev_audit\n"
				  "    where_clauses:\n      t.u: b = 2\n"
				  "  empty:\n"
				  "  reset:\n    audit_trail: ~\n";

static void test_profile_merge(void **state)
{
	(void)state;
	clxs_error e;
	json_object *w = NULL;
	json_object *c = load(profile_yaml, "dev", &w, &e);
	assert_non_null(c);
	assert_int_equal(json_object_array_length(w), 0);
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 6);
	assert_string_equal(clxs_json_text(get(c, "include_schemas")), "[\"z\"]"); /* lists replace */
	assert_string_equal(clxs_config_str(c, "audit_trail.catalog"), "dev_audit");
	assert_string_equal(clxs_config_str(c, "audit_trail.schema"), "base_logs"); /* maps merge */
	json_object *wc = get(c, "where_clauses");
	assert_int_equal(json_object_object_length(wc), 2);
	assert_false(json_object_object_get_ex(c, "profiles", NULL));
	json_object_put(w);
	json_object_put(c);

	/* No profile: the base. */
	c = load(profile_yaml, NULL, NULL, &e);
	assert_non_null(c);
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 2);
	assert_string_equal(clxs_config_str(c, "audit_trail.catalog"), "base_audit");
	assert_false(json_object_object_get_ex(c, "profiles", NULL));
	json_object_put(c);

	/* An empty profile is the base; "" means no profile. */
	json_object *base = load(profile_yaml, "", NULL, &e);
	c = load(profile_yaml, "empty", NULL, &e);
	assert_non_null(base);
	assert_non_null(c);
	assert_true(json_object_equal(base, c));
	json_object_put(c);
	json_object_put(base);

	/* A null in a profile resets the key to its default. */
	c = load(profile_yaml, "reset", NULL, &e);
	assert_non_null(c);
	assert_string_equal(clxs_config_str(c, "audit_trail.catalog"), "clone_audit");
	json_object_put(c);

	/* Nested profiles are ignored with a warning. */
	w = NULL;
	c = load("profiles:\n  a:\n    max_workers: 3\n    profiles: {b: {}}\n", "a", &w, &e);
	assert_non_null(c);
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 3);
	assert_true(warnings_have(w, "config key 'profiles.a.profiles' is ignored: profiles do not nest"));
	json_object_put(w);
	json_object_put(c);
}

static void test_unknown_profile(void **state)
{
	(void)state;
	clxs_error e;
	json_object *w = (json_object *)&e; /* must be reset to NULL */
	assert_null(load(profile_yaml, "staging", &w, &e));
	assert_null(w);
	assert_int_equal(e.code, CLXS_ENOTFOUND);
	assert_contains(e.message, "'staging'");
	assert_null(load("max_workers: 1\n", "dev", NULL, &e));
	assert_int_equal(e.code, CLXS_ENOTFOUND);
	assert_null(load("", "dev", NULL, &e));
	assert_int_equal(e.code, CLXS_ENOTFOUND);

	/* Malformed profiles sections. */
	assert_null(load("profiles: [a, b]\n", NULL, NULL, &e));
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, "profiles");
	assert_null(load("profiles:\n  dev: 3\n", NULL, NULL, &e));
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, "profiles.dev");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	clxs_error e;
	json_object *w = NULL;
	json_object *c = load("foo: 1\nmax_workers: 5\nserver:\n  bogus: 2\n  port: 9000\n"
			      "audit_trail:\n  catalog: x\n  extra: {deep: 1}\n"
			      "where_clauses:\n  free.form: a > 1\n",
			      NULL, &w, &e);
	assert_non_null(c);
	assert_int_equal(json_object_array_length(w), 3);
	assert_true(warnings_have(w, "unknown config key 'foo'"));
	assert_true(warnings_have(w, "unknown config key 'server.bogus'"));
	assert_true(warnings_have(w, "unknown config key 'audit_trail.extra'"));
	/* Unknown keys are dropped; known ones kept. */
	assert_false(json_object_object_get_ex(c, "foo", NULL));
	assert_false(json_object_object_get_ex(get(c, "server"), "bogus", NULL));
	assert_int_equal(clxs_config_int(c, "server.port", 0), 9000);
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 5);
	json_object_put(w);
	json_object_put(c);

	/* warnings == NULL is allowed. */
	c = load("foo: 1\n", NULL, NULL, &e);
	assert_non_null(c);
	json_object_put(c);
}

static void expect_invalid(const char *y, const char *detail, const char *message)
{
	clxs_error e;
	json_object *w = (json_object *)&e;
	json_object *c = load(y, NULL, &w, &e);
	if (c)
		fail_msg("accepted: %s", y);
	assert_null(w);
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, detail);
	assert_contains(e.message, message);
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_invalid("max_workers: four\n", "max_workers", "config key 'max_workers' must be an integer, got string");
	expect_invalid("max_workers: 2.5\n", "max_workers", "must be an integer, got number");
	expect_invalid("dry_run: yes\n", "dry_run", "config key 'dry_run' must be a boolean, got string");
	expect_invalid("source_catalog: 12\n", "source_catalog", "must be a string, got integer");
	expect_invalid("sql_warehouse_id: [a]\n", "sql_warehouse_id", "must be a string, got list");
	expect_invalid("price_per_gb: cheap\n", "price_per_gb", "must be a number, got string");
	expect_invalid("price_per_gb: .inf\n", "price_per_gb", "finite");
	expect_invalid("exclude_schemas: default\n", "exclude_schemas", "must be a list of strings, got string");
	expect_invalid("exclude_schemas: [a, 1]\n", "exclude_schemas", "got integer at position 2");
	expect_invalid("where_clauses: [a]\n", "where_clauses", "must be a mapping of strings, got list");
	expect_invalid("clone_tbl_properties:\n  p: 0.5\n", "clone_tbl_properties.p", "quote the value");
	expect_invalid("server:\n  port: '80'\n", "server.port", "config key 'server.port' must be an integer, got string");
	expect_invalid("server: 8080\n", "server", "config key 'server' must be a mapping, got integer");
	expect_invalid("audit_trail:\n  catalog: {a: 1}\n", "audit_trail.catalog", "must be a string, got mapping");
	expect_invalid("- a\n- b\n", "", "top level, got list");
}

static void test_enums_and_ranges(void **state)
{
	(void)state;
	expect_invalid("clone_type: MEDIUM\n", "clone_type",
		       "config key 'clone_type' must be one of DEEP/SHALLOW, got 'MEDIUM'");
	expect_invalid("load_type: PARTIAL\n", "load_type", "FULL/INCREMENTAL");
	expect_invalid("order_by_size: random\n", "order_by_size", "asc/desc");
	expect_invalid("target_format: PARQUET\n", "target_format", "DELTA/ICEBERG");
	expect_invalid("server:\n  log_level: loud\n", "server.log_level", "debug/info/warn/error/off");
	expect_invalid("server:\n  port: 70000\n", "server.port", "must be between 1 and 65535, got 70000");
	expect_invalid("server:\n  port: 0\n", "server.port", "between 1 and 65535");
	expect_invalid("server:\n  workers: 0\n", "server.workers", "between 1 and 1024");
	expect_invalid("max_workers: 0\n", "max_workers", "must be >= 1, got 0");
	expect_invalid("max_retries: -1\n", "max_retries", "must be >= 0, got -1");
	expect_invalid("rollback_threshold: 150\n", "rollback_threshold", "between 0 and 100");
	expect_invalid("price_per_gb: -0.5\n", "price_per_gb", ">= 0");
	expect_invalid("as_of_version: -2\n", "as_of_version", ">= 0");

	clxs_error e;
	json_object *c = load("max_retries: 0\norder_by_size: DESC\nserver: {port: 65535, log_level: debug}\n",
			      NULL, NULL, &e);
	assert_non_null(c);
	assert_int_equal(clxs_config_int(c, "max_retries", -1), 0);
	assert_string_equal(clxs_config_str(c, "order_by_size"), "desc");
	assert_int_equal(clxs_config_int(c, "server.port", 0), 65535);
	json_object_put(c);
}

static void test_malformed_yaml_error(void **state)
{
	(void)state;
	clxs_error e;
	json_object *w = (json_object *)&e;
	assert_null(load("source_catalog: prod\nmax_workers: [1, 2\nserver: {}\n", NULL, &w, &e));
	assert_null(w);
	assert_int_equal(e.code, CLXS_EINVAL);
	assert_contains(e.message, "invalid YAML at line 3, column 7");
	assert_null(load("a: 1\n  b: 2\n", NULL, NULL, &e));
	assert_int_equal(e.code, CLXS_EINVAL);
	assert_contains(e.message, "line 2");
}

static void test_getters(void **state)
{
	(void)state;
	json_object *d = clxs_config_defaults();
	assert_non_null(clxs_config_get(d, "server"));
	assert_ptr_equal(clxs_config_get(d, ""), d);
	assert_null(clxs_config_get(d, "server.nope"));
	assert_null(clxs_config_get(d, "max_workers.deeper"));
	assert_null(clxs_config_str(d, "max_workers")); /* not a string */
	assert_null(clxs_config_str(d, "sql_warehouse_id")); /* null */
	assert_int_equal(clxs_config_int(d, "nope", 77), 77);
	assert_int_equal(clxs_config_int(d, "clone_type", 77), 77);
	assert_true(clxs_config_num(d, "max_workers", 0) == 4.0);
	assert_true(clxs_config_bool(d, "missing", true));
	assert_null(clxs_config_get(NULL, "x"));
	json_object_put(d);
}

static void test_profile_names(void **state)
{
	(void)state;
	clxs_error e;
	const char *y = "profiles:\n  zeta: {}\n  alpha:\n  mid: {max_workers: 1}\n";
	json_object *n = clxs_config_profile_names(y, strlen(y), &e);
	assert_non_null(n);
	assert_string_equal(clxs_json_text(n), "[\"zeta\",\"alpha\",\"mid\"]");
	json_object_put(n);
	n = clxs_config_profile_names("a: 1\n", 5, &e);
	assert_non_null(n);
	assert_int_equal(json_object_array_length(n), 0);
	json_object_put(n);
	n = clxs_config_profile_names("", 0, &e);
	assert_non_null(n);
	assert_int_equal(json_object_array_length(n), 0);
	json_object_put(n);
	assert_null(clxs_config_profile_names("profiles: x\n", 12, &e));
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_null(clxs_config_profile_names("a: [\n", 5, &e));
	assert_int_equal(e.code, CLXS_EINVAL);
}

static void test_shipped_config(void **state)
{
	(void)state;
	const char *path = CLXS_TEST_SRCDIR "/etc/clone_config.yaml";
	clxs_error e;
	json_object *w = NULL;
	json_object *c = clxs_config_load_file(path, NULL, &w, &e);
	if (!c)
		fail_msg("%s: %s", path, e.message);
	assert_int_equal(json_object_array_length(w), 0);
	/* The documented file states the defaults, so it must equal them. */
	json_object *d = clxs_config_defaults();
	if (!json_object_equal(c, d))
		fail_msg("shipped config differs from defaults:\n%s\n%s", clxs_json_text(c), clxs_json_text(d));
	json_object_put(d);
	json_object_put(w);
	json_object_put(c);

	c = clxs_config_load_file(path, "dev", &w, &e);
	assert_non_null(c);
	assert_int_equal(json_object_array_length(w), 0);
	assert_string_equal(clxs_config_str(c, "clone_type"), "SHALLOW");
	assert_true(clxs_config_bool(c, "dry_run", false));
	json_object_put(w);
	json_object_put(c);

	c = clxs_config_load_file(path, "prod", &w, &e);
	assert_non_null(c);
	assert_int_equal(json_object_array_length(w), 0);
	assert_string_equal(clxs_config_str(c, "audit_trail.catalog"), "ops_audit");
	assert_string_equal(clxs_config_str(c, "audit_trail.schema"), "logs");
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 8);
	json_object_put(w);
	json_object_put(c);

	/* Every schema key is written out (and so documented) in the file. */
	char *text = slurp(path);
	json_object *raw = yp(text, &e);
	assert_non_null(raw);
	json_object *schema = clxs_config_schema();
	for (size_t i = 0; i < json_object_array_length(schema); i++) {
		const char *key = clxs_json_str(json_object_array_get_idx(schema, i), "key", NULL);
		const char *dot = strrchr(key, '.');
		json_object *holder = raw;
		if (dot) {
			char parent[64];
			snprintf(parent, sizeof(parent), "%.*s", (int)(dot - key), key);
			holder = clxs_config_get(raw, parent);
		}
		if (!holder || !json_object_object_get_ex(holder, dot ? dot + 1 : key, NULL))
			fail_msg("etc/clone_config.yaml lacks key %s", key);
	}
	json_object_put(schema);
	json_object_put(raw);

	json_object *names = clxs_config_profile_names(text, strlen(text), &e);
	assert_non_null(names);
	assert_string_equal(clxs_json_text(names), "[\"dev\",\"prod\"]");
	json_object_put(names);
	free(text);
}

static void test_load_file(void **state)
{
	(void)state;
	clxs_error e;
	json_object *w = NULL;
	assert_null(clxs_config_load_file("/nonexistent/dir/clone_config.yaml", NULL, &w, &e));
	assert_null(w);
	assert_int_equal(e.code, CLXS_ENOTFOUND);
	assert_null(clxs_config_load_file("/tmp", NULL, NULL, &e));
	assert_int_equal(e.code, CLXS_EIO);

	json_object *c = clxs_config_load_file(NULL, NULL, &w, &e);
	assert_non_null(c);
	json_object *d = clxs_config_defaults();
	assert_true(json_object_equal(c, d));
	json_object_put(d);
	json_object_put(w);
	json_object_put(c);
	assert_null(clxs_config_load_file(NULL, "dev", NULL, &e));
	assert_int_equal(e.code, CLXS_ENOTFOUND);

	char tmpl[] = "/tmp/clxs-config-test-XXXXXX";
	int fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	const char *y = "max_workers: 3\nprofiles:\n  big: {max_workers: 9}\n";
	assert_int_equal(write(fd, y, strlen(y)), (ssize_t)strlen(y));
	close(fd);
	c = clxs_config_load_file(tmpl, "big", &w, &e);
	assert_non_null(c);
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 9);
	json_object_put(w);
	json_object_put(c);
	unlink(tmpl);
}

static void test_validate_json_and_redact(void **state)
{
	(void)state;
	clxs_error e;
	const char *body = "{\"max_workers\": 7, \"server\": {\"api_token\": \"s3cret-0123456789\"}, \"x\": 1}";
	json_object *in = clxs_json_parse(body, strlen(body), &e);
	assert_non_null(in);
	json_object *w = NULL;
	json_object *c = clxs_config_validate(in, &w, &e);
	assert_non_null(c);
	assert_int_equal(json_object_array_length(w), 1);
	assert_true(warnings_have(w, "unknown config key 'x'"));
	assert_int_equal(clxs_config_int(c, "max_workers", 0), 7);
	assert_int_equal(json_object_object_length(in), 3); /* input untouched */

	json_object *r = clxs_config_redacted(c);
	assert_non_null(r);
	assert_string_equal(clxs_config_str(r, "server.api_token"), "********");
	assert_string_equal(clxs_config_str(c, "server.api_token"), "s3cret-0123456789");
	assert_int_equal(clxs_config_int(r, "max_workers", 0), 7);
	json_object_put(r);
	json_object_put(w);
	json_object_put(c);
	json_object_put(in);

	/* An unset token stays visibly empty. */
	json_object *d = clxs_config_defaults();
	r = clxs_config_redacted(d);
	assert_string_equal(clxs_config_str(r, "server.api_token"), "");
	json_object_put(r);
	json_object_put(d);

	const char *bad = "{\"parallel_tables\": \"2\"}";
	in = clxs_json_parse(bad, strlen(bad), &e);
	assert_null(clxs_config_validate(in, NULL, &e));
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, "parallel_tables");
	json_object_put(in);
}

static void test_schema_documented(void **state)
{
	(void)state;
	json_object *schema = clxs_config_schema();
	assert_non_null(schema);
	assert_true(json_object_array_length(schema) > 50);
	json_object *first = json_object_array_get_idx(schema, 0);
	assert_non_null(clxs_json_str(first, "type", NULL));
	assert_non_null(clxs_json_str(first, "help", NULL));
	char *doc = slurp(CLXS_TEST_SRCDIR "/docs/config.md");
	for (size_t i = 0; i < json_object_array_length(schema); i++) {
		json_object *row = json_object_array_get_idx(schema, i);
		const char *key = clxs_json_str(row, "key", NULL);
		char needle[96];
		snprintf(needle, sizeof(needle), "`%s`", key);
		if (!strstr(doc, needle))
			fail_msg("docs/config.md does not document %s", needle);
	}
	free(doc);

	/* Spot-check the schema's own description of a row. */
	bool seen = false;
	for (size_t i = 0; i < json_object_array_length(schema); i++) {
		json_object *row = json_object_array_get_idx(schema, i);
		if (strcmp(clxs_json_str(row, "key", ""), "server.port") != 0)
			continue;
		seen = true;
		assert_string_equal(clxs_json_str(row, "type", NULL), "integer");
		assert_int_equal(clxs_json_int(row, "default", 0), 8080);
		assert_int_equal(clxs_json_int(row, "max", 0), 65535);
	}
	assert_true(seen);
	json_object_put(schema);
}

/* server.api_token: empty (no token) or at least 16 characters; the same
 * schema check serves config files, PUT /api/config and clxs serve. The
 * message never quotes the token. */
static void test_api_token_min_length(void **state)
{
	(void)state;
	clxs_error e;
	json_object *c = load("server:\n  api_token: tok-very-secret\n", NULL, NULL, &e); /* 15 */
	assert_null(c);
	assert_int_equal(e.code, CLXS_EVALIDATION);
	assert_string_equal(e.detail, "server.api_token");
	assert_null(strstr(e.message, "tok-very-secret"));
	assert_non_null(strstr(e.message, "16"));
	c = load("server:\n  api_token: tok-very-secret-x\n", NULL, NULL, &e); /* 16 */
	assert_non_null(c);
	assert_string_equal(clxs_config_str(c, "server.api_token"), "tok-very-secret-x");
	json_object_put(c);
	c = load("server:\n  api_token: \"\"\n", NULL, NULL, &e); /* empty: no token */
	assert_non_null(c);
	json_object_put(c);
	json_object *schema = clxs_config_schema();
	bool seen = false;
	for (size_t i = 0; i < json_object_array_length(schema); i++) {
		json_object *row = json_object_array_get_idx(schema, i);
		if (strcmp(clxs_json_str(row, "key", ""), "server.api_token") != 0)
			continue;
		seen = true;
		assert_int_equal(clxs_json_int(row, "min_length", 0), 16);
	}
	assert_true(seen);
	json_object_put(schema);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_token_min_length),
		cmocka_unit_test(test_yaml_plain_scalars),
		cmocka_unit_test(test_yaml_quoted_are_strings),
		cmocka_unit_test(test_yaml_nested),
		cmocka_unit_test(test_yaml_anchors_aliases_merge),
		cmocka_unit_test(test_yaml_errors),
		cmocka_unit_test(test_yaml_empty),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_is_defaults),
		cmocka_unit_test(test_values_and_normalisation),
		cmocka_unit_test(test_profile_merge),
		cmocka_unit_test(test_unknown_profile),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_enums_and_ranges),
		cmocka_unit_test(test_malformed_yaml_error),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_profile_names),
		cmocka_unit_test(test_shipped_config),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_validate_json_and_redact),
		cmocka_unit_test(test_schema_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
