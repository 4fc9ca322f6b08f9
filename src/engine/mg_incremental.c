/* Incremental sync of one schema: a table needs a sync when its current
 * version differs from the version last synced into this destination, when
 * it was never synced, or when the destination lacks it. The synced
 * versions live in LMDB under "clone-state/<src>/<dst>" ("schema.table" ->
 * version), the same record INCREMENTAL clones keep (src/engine/
 * incremental.c), so the two agree on what is in sync. The state is written
 * only after a table's clone succeeded, in one LMDB transaction per sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/store.h"
#include "mg_internal.h"

static void state_key(json_object *req, char *buf, size_t len)
{
	snprintf(buf, len, "clone-state/%s/%s", clxs_json_str(req, "source_catalog", ""),
		 clxs_json_str(req, "destination_catalog", ""));
}

/* The check: {"schema", "tables_needing_sync", "tables", "details", "unchanged"}. */
static clxs_code check(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	const char *schema = clxs_json_str(req, "schema_name", "");
	json_object *st = NULL, *dt = NULL;
	clxs_code rc = mg_catalog_tables(c, src, schema, NULL, "source_catalog", &st, err);
	if (!rc)
		rc = mg_catalog_tables(c, dst, schema, NULL, "destination_catalog", &dt, err);
	if (!rc && json_object_object_length(st) == 0) {
		rc = clxs_fail(err, CLXS_ENOTFOUND, "schema_name", "schema %s.%s has no tables (or does not exist)", src,
			       schema);
	}
	if (rc) {
		json_object_put(st);
		json_object_put(dt);
		return rc;
	}
	char key[600];
	state_key(req, key, sizeof(key));
	json_object *state = c->store ? clxs_store_get(c->store, CLXS_DB_KV, key, NULL) : NULL;
	json_object *names = json_object_new_array(), *details = json_object_new_array(),
		    *unchanged = json_object_new_array(), *keys = mg_sorted_keys(st);
	for (size_t i = 0; !rc && i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		json_object *t = json_object_object_get(st, k);
		if (!strcasecmp(clxs_json_str(t, "table_type", ""), "VIEW"))
			continue;
		int64_t v = -1;
		clxs_error e;
		const char *name = clxs_json_str(t, "name", "");
		const char *last = clxs_json_str(state, k, NULL);
		const char *reason = NULL;
		if (mg_table_version(c, src, schema, name, &v, &e) != CLXS_OK || v < 0)
			reason = "version unknown";
		else if (!json_object_object_get(dt, k))
			reason = "missing in destination";
		else if (!last)
			reason = "never synced";
		else if (atoll(last) != v)
			reason = "changed since last sync";
		if (!reason) {
			mg_push(unchanged, name);
			continue;
		}
		mg_push(names, name);
		json_object *d = json_object_new_object();
		clxs_json_set_str(d, "table", name);
		if (v >= 0)
			clxs_json_set_int(d, "source_version", v);
		else
			json_object_object_add(d, "source_version", NULL);
		if (last)
			clxs_json_set_int(d, "last_synced_version", atoll(last));
		else
			json_object_object_add(d, "last_synced_version", NULL);
		clxs_json_set_str(d, "reason", reason);
		json_object_array_add(details, d);
	}
	json_object_put(keys);
	json_object_put(state);
	json_object_put(st);
	json_object_put(dt);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_str(o, "schema", schema);
	clxs_json_set_int(o, "tables_needing_sync", (int64_t)json_object_array_length(names));
	json_object_object_add(o, "tables", names);
	json_object_object_add(o, "details", details);
	json_object_object_add(o, "unchanged", unchanged);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_mg_incr_check(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	return check(c, req, out, err);
}

static void add_security(void *ud, const char *key, clxs_buf *sql)
{
	json_object *a = json_object_new_object();
	clxs_json_set_str(a, "table", strchr(key, '.') ? strchr(key, '.') + 1 : key);
	clxs_json_set_str(a, "kind", "security");
	clxs_json_set_str(a, "sql", clxs_buf_str(sql));
	json_object_array_add(ud, a);
	clxs_buf_reset(sql);
}

clxs_code clxs_mg_incr_sync(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	json_object *o = NULL;
	clxs_code rc = check(c, req, &o, err);
	if (rc)
		return rc;
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	const char *schema = clxs_json_str(req, "schema_name", "");
	bool dry = clxs_json_bool(req, "dry_run", false);
	const char *kind = clxs_json_str(req, "clone_type", "DEEP");
	json_object *details = json_object_object_get(o, "details"), *actions = json_object_new_array();
	json_object_object_add(o, "actions", actions);
	clxs_buf b;
	clxs_buf_init(&b);
	if (json_object_array_length(details) > 0 &&
	    clxs_sql_appendf(&b, err, "CREATE SCHEMA IF NOT EXISTS %Q", dst, schema, NULL) == CLXS_OK) {
		json_object *a = json_object_new_object();
		clxs_json_set_str(a, "table", NULL);
		clxs_json_set_str(a, "kind", "schema");
		clxs_json_set_str(a, "sql", clxs_buf_str(&b));
		json_object_array_add(actions, a);
	}
	for (size_t i = 0; i < json_object_array_length(details); i++) {
		json_object *d = json_object_array_get_idx(details, i);
		const char *t = clxs_json_str(d, "table", "");
		int64_t v = clxs_json_int(d, "source_version", -1);
		clxs_buf_reset(&b);
		/* At the version read by the check, so the recorded version is
		 * exactly what was copied even if the source moves meanwhile. */
		if (v >= 0)
			rc = clxs_sql_appendf(&b, err, "CREATE OR REPLACE TABLE %Q %K CLONE %Q VERSION AS OF %lld", dst, schema,
					      t, !strcmp(kind, "SHALLOW") ? "SHALLOW" : "DEEP", src, schema, t, (long long)v);
		else
			rc = clxs_sql_appendf(&b, err, "CREATE OR REPLACE TABLE %Q %K CLONE %Q", dst, schema, t,
					      !strcmp(kind, "SHALLOW") ? "SHALLOW" : "DEEP", src, schema, t);
		if (rc)
			break;
		json_object *a = json_object_new_object();
		clxs_json_set_str(a, "table", t);
		clxs_json_set_str(a, "kind", "clone");
		clxs_json_set_str(a, "sql", clxs_buf_str(&b));
		if (v >= 0)
			clxs_json_set_int(a, "version", v);
		json_object_array_add(actions, a);
	}
	clxs_buf_free(&b);
	/* A replaced table keeps no row filter or mask: set them again. */
	json_object *keys = json_object_new_array();
	for (size_t i = 0; !rc && i < json_object_array_length(details); i++) {
		char k[600];
		mg_push(keys, mg_key(k, sizeof(k), schema, clxs_json_str(json_object_array_get_idx(details, i), "table", "")));
	}
	if (!rc)
		rc = mg_security_statements(c, src, dst, keys, add_security, actions, err);
	json_object_put(keys);
	if (rc) {
		json_object_put(o);
		return rc;
	}
	int64_t synced = 0, failed = 0;
	json_object *record = json_object_new_object();
	for (size_t i = 0; i < json_object_array_length(actions); i++) {
		json_object *a = json_object_array_get_idx(actions, i);
		if (dry) {
			clxs_json_set_str(a, "status", "would_run");
			continue;
		}
		if ((rc = mg_gate(c)))
			break;
		clxs_error e;
		if (mg_exec(c, clxs_json_str(a, "sql", ""), &e) == CLXS_OK) {
			clxs_json_set_str(a, "status", "done");
			const char *t = clxs_json_str(a, "table", NULL);
			if (t && !strcmp(clxs_json_str(a, "kind", ""), "clone")) {
				synced++;
				if (json_object_object_get(a, "version")) {
					char k[600], v[32];
					snprintf(v, sizeof(v), "%lld", (long long)clxs_json_int(a, "version", 0));
					clxs_json_set_str(record, mg_key(k, sizeof(k), schema, t), v);
				}
			}
			mg_log(c, "info", "synced %s", t ? t : "schema");
		} else {
			clxs_json_set_str(a, "status", "failed");
			clxs_json_set_str(a, "error", e.message);
			failed++;
			mg_log(c, "error", "%s: %s", clxs_json_str(a, "table", "schema"), e.message);
		}
	}
	/* A table whose filter or mask could not be set is not in sync. */
	for (size_t i = 0; i < json_object_array_length(actions); i++) {
		json_object *a = json_object_array_get_idx(actions, i);
		char k[600];
		if (!strcmp(clxs_json_str(a, "kind", ""), "security") && !strcmp(clxs_json_str(a, "status", ""), "failed"))
			json_object_object_del(record, mg_key(k, sizeof(k), schema, clxs_json_str(a, "table", "")));
	}
	/* One read-modify-write of the state, after the work. */
	if (!dry && c->store && json_object_object_length(record) > 0) {
		char key[600];
		state_key(req, key, sizeof(key));
		json_object *state = clxs_store_get(c->store, CLXS_DB_KV, key, NULL);
		if (!state)
			state = json_object_new_object();
		json_object_object_foreach(record, k, v)
			json_object_object_add(state, k, json_object_get(v));
		clxs_error e;
		if (clxs_store_put(c->store, CLXS_DB_KV, key, state, &e) != CLXS_OK)
			mg_log(c, "error", "cannot record the sync state: %s", e.message);
		json_object_put(state);
	}
	json_object_put(record);
	if (rc) {
		json_object_put(o);
		return clxs_fail(err, rc, NULL, "incremental sync stopped");
	}
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_int(o, "tables_synced", synced);
	clxs_json_set_int(o, "tables_failed", failed);
	*out = o;
	return CLXS_OK;
}
