/* Unit tests of the config-file helpers (path confinement, atomic writes,
 * libyaml key edits, streaming limits), the metadata cache over a temp
 * LMDB, and the built-in templates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clxs/api.h"
#include "clxs/cfgfile.h"
#include "clxs/config.h"
#include "clxs/json.h"
#include "clxs/metacache.h"
#include "clxs/store.h"

static char root[256];   /* temp folder of this run */
static char cfgdir[300]; /* root/cfg: the config folder */
static char outside[300];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_dirs(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/clxs-cfgops-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(cfgdir, sizeof(cfgdir), "%s/cfg", root);
	snprintf(outside, sizeof(outside), "%s/outside", root);
	mkdir(cfgdir, 0700);
	mkdir(outside, 0700);
	char p[512];
	snprintf(p, sizeof(p), "%s/sub", cfgdir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/a.yaml", cfgdir);
	put_file(p, "max_workers: 2\n");
	snprintf(p, sizeof(p), "%s/secret.yaml", outside);
	put_file(p, "server:\n  api_token: s3cret\n");
	char target[512];
	snprintf(p, sizeof(p), "%s/out.yaml", cfgdir);
	snprintf(target, sizeof(target), "%s/secret.yaml", outside);
	if (symlink(target, p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/in.yaml", cfgdir);
	if (symlink("a.yaml", p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dangling.yaml", cfgdir);
	snprintf(target, sizeof(target), "%s/nothing.yaml", outside);
	if (symlink(target, p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/outdir", cfgdir);
	if (symlink(outside, p) != 0)
		return -1;
	return 0;
}

static int teardown_dirs(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void confine_refused(const char *rel)
{
	char out[4096];
	clxs_error err;
	clxs_error_clear(&err);
	assert_int_equal(clxs_cfg_confine(cfgdir, rel, "path", 1, out, sizeof(out), &err), CLXS_EINVAL);
	assert_string_equal(err.detail, "path");
}

static void test_confine(void **state)
{
	(void)state;
	char out[4096], want[4200], real[4096];
	clxs_error err;
	assert_non_null(realpath(cfgdir, real));
	/* Plain names, the reference's config/ prefix, sub-folders, new files. */
	assert_int_equal(clxs_cfg_confine(cfgdir, "a.yaml", "path", 1, out, sizeof(out), &err), CLXS_OK);
	snprintf(want, sizeof(want), "%s/a.yaml", real);
	assert_string_equal(out, want);
	assert_int_equal(clxs_cfg_confine(cfgdir, "config/a.yaml", "path", 1, out, sizeof(out), &err), CLXS_OK);
	assert_string_equal(out, want);
	assert_int_equal(clxs_cfg_confine(cfgdir, "sub/new.yml", "path", 1, out, sizeof(out), &err), CLXS_OK);
	snprintf(want, sizeof(want), "%s/sub/new.yml", real);
	assert_string_equal(out, want);
	/* A symlink that stays inside resolves to its target. */
	assert_int_equal(clxs_cfg_confine(cfgdir, "in.yaml", "path", 1, out, sizeof(out), &err), CLXS_OK);
	snprintf(want, sizeof(want), "%s/a.yaml", real);
	assert_string_equal(out, want);
	/* Every way out is refused. */
	confine_refused("../outside/secret.yaml");
	confine_refused("sub/../../outside/secret.yaml");
	confine_refused("config/../a.yaml");
	confine_refused("/etc/passwd.yaml");
	confine_refused("out.yaml");          /* symlink to a file outside */
	confine_refused("dangling.yaml");     /* symlink to nothing outside */
	confine_refused("outdir/secret.yaml"); /* through a symlinked folder */
	confine_refused("outdir/new.yaml");
	confine_refused("nosuchdir/x.yaml");
	confine_refused("a.txt");
	confine_refused("");
	confine_refused("sub//a.yaml");
	confine_refused("./a.yaml");
	/* Without the YAML rule, other names pass. */
	assert_int_equal(clxs_cfg_confine(cfgdir, "notes.json", "file_a", 0, out, sizeof(out), &err), CLXS_OK);
	assert_int_equal(clxs_cfg_confine(cfgdir, "../x.json", "file_a", 0, out, sizeof(out), &err), CLXS_EINVAL);
	assert_string_equal(err.detail, "file_a");
}

static void test_cfg_dir(void **state)
{
	(void)state;
	char buf[512];
	clxs_error err;
	assert_int_equal(clxs_cfg_dir("/etc/clxs/clone_config.yaml", "/s", buf, sizeof(buf), &err), CLXS_OK);
	assert_string_equal(buf, "/etc/clxs");
	assert_int_equal(clxs_cfg_dir(NULL, "/s", buf, sizeof(buf), &err), CLXS_OK);
	assert_string_equal(buf, "/s/config");
	assert_int_equal(clxs_cfg_file(NULL, "/s", buf, sizeof(buf), &err), CLXS_OK);
	assert_string_equal(buf, "/s/config/clone_config.yaml");
	assert_int_equal(clxs_cfg_dir(NULL, NULL, buf, sizeof(buf), &err), CLXS_ENOTFOUND);
}

static void test_write_atomic(void **state)
{
	(void)state;
	char p[512], *text = NULL;
	size_t len = 0;
	clxs_error err;
	snprintf(p, sizeof(p), "%s/w.yaml", cfgdir);
	assert_int_equal(clxs_cfg_write_atomic(p, "a: 1\n", 5, &err), CLXS_OK);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* new files may hold the token */
	chmod(p, 0640);
	assert_int_equal(clxs_cfg_write_atomic(p, "b: 2\n", 5, &err), CLXS_OK);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640); /* kept */
	assert_int_equal(clxs_cfg_read(p, 1000, &text, &len, &err), CLXS_OK);
	assert_string_equal(text, "b: 2\n");
	free(text);
	/* Too large, missing and symlinked files are refused on read. */
	assert_int_equal(clxs_cfg_read(p, 2, &text, &len, &err), CLXS_ETOOLARGE);
	snprintf(p, sizeof(p), "%s/none.yaml", cfgdir);
	assert_int_equal(clxs_cfg_read(p, 1000, &text, &len, &err), CLXS_ENOTFOUND);
	snprintf(p, sizeof(p), "%s/out.yaml", cfgdir);
	assert_int_equal(clxs_cfg_read(p, 1000, &text, &len, &err), CLXS_EINVAL);
	/* No temp file is left behind. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -q '^\\.w\\.yaml\\.'", cfgdir);
	assert_int_not_equal(system(cmd), 0);
}

static json_object *parse(const char *text)
{
	clxs_error err;
	json_object *o = clxs_yaml_parse(text, strlen(text), &err);
	assert_non_null(o);
	return o;
}

static void test_yaml_set(void **state)
{
	(void)state;
	const char *text = "# comment\n"
			   "source_catalog: prod\n"
			   "max_workers: 4\n"
			   "exclude_schemas: [information_schema, default]\n"
			   "profiles:\n"
			   "  dev:\n"
			   "    max_workers: 1\n"
			   "    destination_catalog: dev_clone\n";
	json_object *edits = json_object_new_object();
	clxs_json_set_str(edits, "sql_warehouse_id", "123");
	json_object_object_add(edits, "max_workers", json_object_new_int(8));
	json_object_object_add(edits, "price_per_gb", json_object_new_double(0.05));
	clxs_json_set_str(edits, "audit_trail.catalog", "aud");
	clxs_error err;
	char *out = clxs_cfg_yaml_set(text, strlen(text), edits, NULL, &err);
	assert_non_null(out);
	json_object *o = parse(out);
	assert_string_equal(clxs_config_str(o, "sql_warehouse_id"), "123"); /* stayed a string */
	assert_int_equal(clxs_config_int(o, "max_workers", 0), 8);
	assert_true(json_object_is_type(clxs_config_get(o, "price_per_gb"), json_type_double));
	assert_true(clxs_config_num(o, "price_per_gb", 0) == 0.05);
	assert_string_equal(clxs_config_str(o, "audit_trail.catalog"), "aud");
	assert_string_equal(clxs_config_str(o, "source_catalog"), "prod");
	assert_int_equal(clxs_config_int(o, "profiles.dev.max_workers", 0), 1); /* profile untouched */
	assert_int_equal(json_object_array_length(clxs_config_get(o, "exclude_schemas")), 2);
	/* Key order: the existing keys first, in file order. */
	assert_true(strstr(out, "source_catalog") < strstr(out, "max_workers"));
	assert_true(strstr(out, "max_workers") < strstr(out, "profiles"));
	json_object_put(o);
	free(out);

	/* With a profile that sets the key, the profile's value changes. */
	out = clxs_cfg_yaml_set(text, strlen(text), edits, "dev", &err);
	assert_non_null(out);
	o = parse(out);
	assert_int_equal(clxs_config_int(o, "profiles.dev.max_workers", 0), 8);
	assert_int_equal(clxs_config_int(o, "max_workers", 0), 4);
	assert_string_equal(clxs_config_str(o, "sql_warehouse_id"), "123"); /* not in the profile: base */
	json_object_put(o);
	free(out);

	/* An empty file starts a document; an existing `audit_trail:` null
	 * becomes a mapping. */
	out = clxs_cfg_yaml_set("", 0, edits, NULL, &err);
	assert_non_null(out);
	o = parse(out);
	assert_int_equal(clxs_config_int(o, "max_workers", 0), 8);
	json_object_put(o);
	free(out);
	out = clxs_cfg_yaml_set("audit_trail:\n", 13, edits, NULL, &err);
	assert_non_null(out);
	o = parse(out);
	assert_string_equal(clxs_config_str(o, "audit_trail.catalog"), "aud");
	json_object_put(o);
	free(out);

	/* A root that is not a mapping, and text that is not YAML. */
	assert_null(clxs_cfg_yaml_set("- a\n- b\n", 8, edits, NULL, &err));
	assert_int_equal(err.code, CLXS_EVALIDATION);
	assert_null(clxs_cfg_yaml_set("a: [1, 2\n", 9, edits, NULL, &err));
	assert_int_equal(err.code, CLXS_EVALIDATION);
	json_object_put(edits);
}

static json_object *jparse(const char *s)
{
	json_object *o = json_tokener_parse(s);
	assert_non_null(o);
	return o;
}

static void limits_fail(const char *patch, clxs_code code, const char *detail)
{
	json_object *defs = clxs_streaming_limits_defaults(), *p = jparse(patch), *out = NULL;
	clxs_error err;
	clxs_error_clear(&err);
	assert_int_equal(clxs_streaming_limits_apply(defs, p, &out, &err), code);
	assert_null(out);
	assert_string_equal(err.detail, detail);
	json_object_put(defs);
	json_object_put(p);
}

static void test_streaming_limits(void **state)
{
	(void)state;
	json_object *defs = clxs_streaming_limits_defaults(), *out = NULL;
	clxs_error err;
	json_object *p = jparse("{\"events_per_batch\": {\"max\": 50000}, \"total_duration_seconds\": {\"default\": 120}}");
	assert_int_equal(clxs_streaming_limits_apply(defs, p, &out, &err), CLXS_OK);
	json_object *want = jparse("{\"events_per_batch\": {\"default\": 100, \"min\": 1, \"max\": 50000},"
				   "\"interval_seconds\": {\"default\": 5, \"min\": 0.1, \"max\": 300},"
				   "\"total_duration_seconds\": {\"default\": 120, \"min\": 1, \"max\": 3600}}");
	/* json_object_equal distinguishes 5 from 5.0: compare numerically. */
	json_object_object_foreach(want, f, fv) {
		json_object_object_foreach(fv, b, bv) {
			json_object *got = json_object_object_get(json_object_object_get(out, f), b);
			assert_non_null(got);
			assert_true(json_object_get_double(got) == json_object_get_double(bv));
		}
	}
	json_object_put(want);
	json_object_put(p);
	json_object_put(out);
	json_object_put(defs);
	/* The invariant is 400 naming the field; types and names are 422. */
	limits_fail("{\"events_per_batch\": {\"min\": 500}}", CLXS_EINVAL, "events_per_batch");
	limits_fail("{\"interval_seconds\": {\"max\": 1}}", CLXS_EINVAL, "interval_seconds");
	limits_fail("{\"total_duration_seconds\": {\"default\": 0}}", CLXS_EINVAL, "total_duration_seconds");
	limits_fail("{\"events_per_batch\": {\"max\": \"lots\"}}", CLXS_EVALIDATION, "events_per_batch.max");
	limits_fail("{\"events_per_batch\": {\"default\": 1.5}}", CLXS_EVALIDATION, "events_per_batch.default");
	limits_fail("{\"interval_seconds\": {\"min\": -1}}", CLXS_EVALIDATION, "interval_seconds.min");
	limits_fail("{\"bogus\": {\"max\": 1}}", CLXS_EVALIDATION, "bogus");
	limits_fail("{\"events_per_batch\": {\"maximum\": 1}}", CLXS_EVALIDATION, "events_per_batch");
	limits_fail("{\"events_per_batch\": 5}", CLXS_EVALIDATION, "events_per_batch");

	/* Loading: missing file -> defaults; a broken file -> defaults + reason. */
	json_object *l = clxs_streaming_limits_load(cfgdir, &err);
	assert_int_equal(clxs_json_int(json_object_object_get(l, "events_per_batch"), "max", 0), 10000);
	assert_string_equal(err.message, "");
	json_object_put(l);
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", cfgdir, CLXS_CFG_STREAMING_NAME);
	put_file(path, "{\"events_per_batch\": {\"min\": 99999}}");
	l = clxs_streaming_limits_load(cfgdir, &err);
	assert_int_equal(clxs_json_int(json_object_object_get(l, "events_per_batch"), "min", 0), 1);
	assert_true(strlen(err.message) > 0);
	json_object_put(l);
	put_file(path, "{\"events_per_batch\": {\"max\": 200}}");
	l = clxs_streaming_limits_load(cfgdir, &err);
	assert_int_equal(clxs_json_int(json_object_object_get(l, "events_per_batch"), "max", 0), 200);
	json_object_put(l);
	unlink(path);
}

/* ---- metadata cache over a temp LMDB ------------------------------------------- */

static json_object *model_of(const char *name)
{
	json_object *m = json_object_new_object(), *c = json_object_new_object();
	clxs_json_set_str(c, "name", name);
	json_object_object_add(m, "catalog", c);
	json_object_object_add(m, "tables", json_object_new_array());
	return m;
}

static int64_t stat_of(clxs_store *st, int64_t now, const char *field)
{
	json_object *s = clxs_metacache_stats(st, now, NULL);
	assert_non_null(s);
	int64_t v = clxs_json_int(s, field, -1);
	json_object_put(s);
	return v;
}

static void test_metacache(void **state)
{
	(void)state;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/lmdb", root);
	mkdir(dir, 0700);
	clxs_store *st;
	clxs_error err;
	assert_int_equal(clxs_store_open(dir, 0, &st, &err), CLXS_OK);
	assert_int_equal(clxs_metacache_ttl(st), CLXS_METACACHE_DEFAULT_TTL);
	assert_int_equal(clxs_metacache_set_ttl(st, 10, &err), CLXS_OK);
	assert_int_equal(clxs_metacache_ttl(st), 10);

	const int64_t t0 = 1000000;
	json_object *m = NULL;
	uint64_t gen = 0;
	bool stored = false;
	/* Miss, store, hit. */
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "Prod", t0, &m, &gen, &err), CLXS_ENOTFOUND);
	assert_null(m);
	json_object *prod = model_of("prod");
	assert_int_equal(clxs_metacache_put(st, "ws1", "Prod", prod, gen, t0, &stored, &err), CLXS_OK);
	assert_true(stored);
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "prod", t0 + 9000, &m, &gen, &err), CLXS_OK);
	assert_true(json_object_equal(m, prod));
	json_object_put(m);
	assert_int_equal(stat_of(st, t0 + 9000, "hits"), 1);
	assert_int_equal(stat_of(st, t0 + 9000, "misses"), 1);
	assert_int_equal(stat_of(st, t0 + 9000, "size"), 1);
	/* Another workspace is another entry. */
	assert_int_equal(clxs_metacache_lookup(st, "ws2", "prod", t0, &m, &gen, &err), CLXS_ENOTFOUND);
	assert_int_equal(clxs_metacache_put(st, "ws2", "prod", prod, gen, t0, &stored, &err), CLXS_OK);
	assert_int_equal(stat_of(st, t0, "size"), 2);
	/* After the TTL: a miss, and the entry is gone. */
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "prod", t0 + 10000, &m, &gen, &err), CLXS_ENOTFOUND);
	assert_int_equal(stat_of(st, t0, "size"), 1);
	assert_int_equal(stat_of(st, t0 + 10000, "size"), 0); /* ws2's expired too at that time */

	/* Invalidation drops every workspace's entry of the catalog and only
	 * that catalog (a ':' in a name cannot reach another's prefix). */
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "prod", t0, &m, &gen, &err), CLXS_ENOTFOUND);
	assert_int_equal(clxs_metacache_put(st, "ws1", "prod", prod, gen, t0, &stored, &err), CLXS_OK);
	assert_int_equal(clxs_metacache_put(st, "ws1", "prod:x", prod, gen, t0, &stored, &err), CLXS_OK);
	assert_int_equal(clxs_metacache_put(st, "ws1", "dev", prod, gen, t0, &stored, &err), CLXS_OK);
	size_t removed = 0;
	assert_int_equal(clxs_metacache_invalidate(st, "PROD", &removed, &err), CLXS_OK);
	assert_int_equal(removed, 2);
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "prod:x", t0, &m, &gen, &err), CLXS_OK);
	json_object_put(m);
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "dev", t0, &m, &gen, &err), CLXS_OK);
	json_object_put(m);
	assert_int_equal(clxs_metacache_invalidate(st, "nothing", &removed, &err), CLXS_OK);
	assert_int_equal(removed, 0);

	/* A model read while an invalidation ran is not stored. */
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "prod", t0, &m, &gen, &err), CLXS_ENOTFOUND);
	assert_int_equal(clxs_metacache_invalidate(st, "dev", &removed, &err), CLXS_OK);
	assert_int_equal(clxs_metacache_put(st, "ws1", "prod", prod, gen, t0, &stored, &err), CLXS_OK);
	assert_false(stored);

	/* Clear: everything goes and the counters restart. */
	assert_int_equal(clxs_metacache_clear(st, &removed, &err), CLXS_OK);
	assert_int_equal(removed, 1); /* prod:x */
	assert_int_equal(stat_of(st, t0, "hits"), 0);
	assert_int_equal(stat_of(st, t0, "misses"), 0);
	assert_int_equal(stat_of(st, t0, "size"), 0);

	/* TTL 0 turns the cache off. */
	assert_int_equal(clxs_metacache_set_ttl(st, 0, &err), CLXS_OK);
	assert_int_equal(clxs_metacache_lookup(st, "ws1", "prod", t0, &m, &gen, &err), CLXS_ENOTFOUND);
	assert_int_equal(clxs_metacache_put(st, "ws1", "prod", prod, gen, t0, &stored, &err), CLXS_OK);
	assert_false(stored);
	json_object *s = clxs_metacache_stats(st, t0, &err);
	assert_true(json_object_get_double(json_object_object_get(s, "ttl_seconds")) == 0.0);
	json_object_put(s);
	json_object_put(prod);
	clxs_store_close(st);
}

static void test_templates(void **state)
{
	(void)state;
	json_object *t = clxs_clone_templates();
	assert_true(json_object_array_length(t) >= 3);
	for (size_t i = 0; i < json_object_array_length(t); i++) {
		json_object *it = json_object_array_get_idx(t, i), *warnings = NULL;
		clxs_error err;
		assert_non_null(clxs_json_str(it, "name", NULL));
		assert_non_null(clxs_json_str(it, "description", NULL));
		/* Every preset is a valid config fragment with no unknown key. */
		json_object *cfg = clxs_config_validate(json_object_object_get(it, "config"), &warnings, &err);
		assert_non_null(cfg);
		assert_int_equal(json_object_array_length(warnings), 0);
		assert_string_equal(clxs_config_str(cfg, "clone_type"), clxs_json_str(it, "clone_type", ""));
		json_object_put(cfg);
		json_object_put(warnings);
	}
	json_object_put(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confine),
		cmocka_unit_test(test_cfg_dir),
		cmocka_unit_test(test_write_atomic),
		cmocka_unit_test(test_yaml_set),
		cmocka_unit_test(test_streaming_limits),
		cmocka_unit_test(test_metacache),
		cmocka_unit_test(test_templates),
	};
	return cmocka_run_group_tests(tests, setup_dirs, teardown_dirs);
}
