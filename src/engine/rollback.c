/* Rollback of a clone: what the destination held before, and putting it
 * back. Only what the clone created is dropped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/util.h"
#include "clxs/workspace.h"

/* Run one built statement; returns its result (caller frees) or fails. */
static clxs_code run(clxs_ws_client *ws, const char *wh, clxs_buf *b, clxs_ws_result *r, clxs_error *err)
{
	memset(r, 0, sizeof(*r));
	clxs_code rc = clxs_ws_sql(ws, wh, NULL, NULL, clxs_buf_str(b), NULL, 0, NULL, r, err);
	clxs_buf_reset(b);
	return rc;
}

static bool catalog_exists(clxs_ws_client *ws, const char *wh, const char *cat, clxs_error *err, bool *exists)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_ws_result r;
	clxs_code rc = clxs_sql_appendf(&b, err, "SHOW CATALOGS LIKE %L", cat);
	if (rc == CLXS_OK)
		rc = run(ws, wh, &b, &r, err);
	*exists = rc == CLXS_OK && r.nrows > 0;
	clxs_ws_result_free(&r);
	clxs_buf_free(&b);
	return rc == CLXS_OK;
}

/* What the destination holds now: {"schemas": [...], "tables": {"s.t": type},
 * "functions": [...], "volumes": [...]} from its information_schema. */
static json_object *inventory(clxs_ws_client *ws, const char *wh, const char *cat, clxs_error *err)
{
	static const struct {
		const char *key, *view, *cols;
	} q[] = {
		{"schemas", "schemata", "schema_name, schema_name"},
		{"tables", "tables", "table_schema, table_name, table_type"},
		{"functions", "routines", "specific_schema, specific_name"},
		{"volumes", "volumes", "volume_schema, volume_name"},
	};
	json_object *inv = json_object_new_object();
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		clxs_ws_result r;
		clxs_code rc = clxs_sql_appendf(&b, err, "SELECT %K FROM %I.%K.%K", q[i].cols, cat,
						"information_schema", q[i].view);
		if (rc == CLXS_OK)
			rc = run(ws, wh, &b, &r, err);
		if (rc != CLXS_OK) {
			clxs_ws_result_free(&r);
			json_object_put(inv);
			clxs_buf_free(&b);
			return NULL;
		}
		json_object *o = json_object_new_object();
		for (size_t k = 0; k < r.nrows; k++) {
			const char *s = clxs_ws_result_cell(&r, k, 0), *n = clxs_ws_result_cell(&r, k, 1);
			if (!s || !n || !strcasecmp(s, "information_schema"))
				continue;
			char key[600];
			if (!strcmp(q[i].key, "schemas"))
				snprintf(key, sizeof(key), "%s", s);
			else
				snprintf(key, sizeof(key), "%s.%s", s, n);
			const char *type = r.ncols > 2 ? clxs_ws_result_cell(&r, k, 2) : NULL;
			json_object_object_add(o, key, json_object_new_string(type ? type : q[i].key));
		}
		clxs_ws_result_free(&r);
		json_object_object_add(inv, q[i].key, o);
	}
	clxs_buf_free(&b);
	return inv;
}

static bool is_view(const char *type)
{
	return type && (!strcasecmp(type, "VIEW") || !strcasecmp(type, "MATERIALIZED_VIEW"));
}

clxs_code clxs_rollback_prepare(struct clxs_ws_client *ws, const char *wh, json_object *opts,
				json_object **record, clxs_error *err)
{
	*record = NULL;
	const char *dst = clxs_json_str(opts, "destination_catalog", "");
	bool exists;
	if (!catalog_exists(ws, wh, dst, err, &exists))
		return err->code;
	json_object *rec = json_object_new_object();
	char id[17], iso[32];
	clxs_id_hex(id, 16);
	clxs_iso8601(clxs_now_ms(), iso);
	clxs_json_set_str(rec, "rollback_id", id);
	clxs_json_set_str(rec, "created_at", iso);
	clxs_json_set_str(rec, "source_catalog", clxs_json_str(opts, "source_catalog", ""));
	clxs_json_set_str(rec, "destination_catalog", dst);
	clxs_json_set_bool(rec, "catalog_existed", exists);
	if (exists) {
		json_object *inv = inventory(ws, wh, dst, err);
		if (!inv) {
			json_object_put(rec);
			return err->code;
		}
		/* The version each existing table is at, to RESTORE to. */
		json_object *versions = json_object_new_object();
		json_object_object_foreach(json_object_object_get(inv, "tables"), key, type) {
			if (is_view(json_object_get_string(type)))
				continue;
			char s[300], n[300];
			if (sscanf(key, "%299[^.].%299[^\n]", s, n) != 2)
				continue;
			clxs_buf b;
			clxs_buf_init(&b);
			clxs_ws_result r;
			clxs_code rc = clxs_sql_appendf(&b, err, "DESCRIBE HISTORY %Q LIMIT 1", dst, s, n);
			if (rc == CLXS_OK)
				rc = run(ws, wh, &b, &r, err);
			int col = clxs_ws_result_col(&r, "version");
			if (rc == CLXS_OK && r.nrows && col >= 0 && clxs_ws_result_cell(&r, 0, (size_t)col))
				clxs_json_set_str(versions, key, clxs_ws_result_cell(&r, 0, (size_t)col));
			clxs_ws_result_free(&r);
			clxs_buf_free(&b);
		}
		json_object_object_add(inv, "versions", versions);
		json_object_object_add(rec, "before", inv);
	}
	*record = rec;
	return CLXS_OK;
}

static void act(clxs_ws_client *ws, const char *wh, clxs_buf *b, json_object *actions, const char *what)
{
	clxs_error e;
	clxs_error_clear(&e);
	clxs_ws_result r;
	json_object *a = json_object_new_object();
	clxs_json_set_str(a, "action", what);
	clxs_json_set_str(a, "sql", clxs_buf_str(b));
	clxs_code rc = run(ws, wh, b, &r, &e);
	clxs_ws_result_free(&r);
	clxs_json_set_str(a, "status", rc == CLXS_OK ? "done" : "failed");
	if (rc != CLXS_OK)
		clxs_json_set_str(a, "error", e.message);
	json_object_array_add(actions, a);
}

clxs_code clxs_rollback_run(struct clxs_ws_client *ws, const char *wh, json_object *record,
			    json_object **report, clxs_error *err)
{
	const char *dst = clxs_json_str(record, "destination_catalog", "");
	json_object *actions = json_object_new_array(), *notes = json_object_new_array();
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = CLXS_OK;
	if (!clxs_json_bool(record, "catalog_existed", true)) {
		/* The clone made the catalog: everything in it is the clone's. */
		if ((rc = clxs_sql_appendf(&b, err, "DROP CATALOG IF EXISTS %I CASCADE", dst)) == CLXS_OK)
			act(ws, wh, &b, actions, "drop catalog created by the clone");
		goto out;
	}
	json_object *before = json_object_object_get(record, "before");
	json_object *now = inventory(ws, wh, dst, err);
	if (!now) {
		rc = err->code;
		goto out;
	}
	json_object *bt = json_object_object_get(before, "tables"), *bv = json_object_object_get(before, "versions");
	/* Views and functions first: they may depend on tables. */
	static const char *const kinds[][3] = {{"functions", "FUNCTION", "drop function created by the clone"},
					       {"volumes", "VOLUME", "drop volume created by the clone"}};
	json_object_object_foreach(json_object_object_get(now, "tables"), key, type) {
		char s[300], n[300];
		if (sscanf(key, "%299[^.].%299[^\n]", s, n) != 2)
			continue;
		const char *t = json_object_get_string(type);
		if (!json_object_object_get(bt, key)) {
			if (clxs_sql_appendf(&b, err, "DROP %K IF EXISTS %Q", is_view(t) ? "VIEW" : "TABLE", dst, s, n) == CLXS_OK)
				act(ws, wh, &b, actions, is_view(t) ? "drop view created by the clone" : "drop table created by the clone");
		} else if (is_view(t)) {
			json_object_array_add(notes, json_object_new_string(key));
		} else if (clxs_json_str(bv, key, NULL)) {
			char *end;
			long long v = strtoll(clxs_json_str(bv, key, ""), &end, 10);
			if (*end || v < 0)
				continue; /* a record that does not hold a version number */
			if (clxs_sql_appendf(&b, err, "RESTORE TABLE %Q TO VERSION AS OF %lld", dst, s, n, v) == CLXS_OK)
				act(ws, wh, &b, actions, "restore table to its version before the clone");
		}
	}
	for (size_t k = 0; k < 2; k++) {
		json_object *was = json_object_object_get(before, kinds[k][0]);
		json_object_object_foreach(json_object_object_get(now, kinds[k][0]), okey, oval) {
			(void)oval;
			char s[300], n[300];
			if (json_object_object_get(was, okey) || sscanf(okey, "%299[^.].%299[^\n]", s, n) != 2)
				continue;
			if (clxs_sql_appendf(&b, err, "DROP %K IF EXISTS %Q", kinds[k][1], dst, s, n) == CLXS_OK)
				act(ws, wh, &b, actions, kinds[k][2]);
		}
	}
	json_object_object_foreach(json_object_object_get(now, "schemas"), sname, sval) {
		(void)sval;
		if (!json_object_object_get(json_object_object_get(before, "schemas"), sname) &&
		    clxs_sql_appendf(&b, err, "DROP SCHEMA IF EXISTS %Q CASCADE", dst, sname, NULL) == CLXS_OK)
			act(ws, wh, &b, actions, "drop schema created by the clone");
	}
	json_object_put(now);
out:
	clxs_buf_free(&b);
	json_object *rep = json_object_new_object();
	clxs_json_set_str(rep, "rollback_id", clxs_json_str(record, "rollback_id", ""));
	clxs_json_set_str(rep, "destination_catalog", dst);
	int64_t failed = 0;
	for (size_t i = 0; i < json_object_array_length(actions); i++)
		failed += !strcmp(clxs_json_str(json_object_array_get_idx(actions, i), "status", ""), "failed");
	clxs_json_set_int(rep, "actions_failed", failed);
	json_object_object_add(rep, "actions", actions);
	json_object_object_add(rep, "views_not_restorable", notes);
	json_object_object_add(rep, "not_reverted", json_object_new_string(
		"grants, tags and owners changed on objects that existed before the clone"));
	*report = rep;
	return rc;
}

bool clxs_clone_should_rollback(json_object *opts, json_object *result)
{
	if (!clxs_json_bool(opts, "auto_rollback_on_failure", false) || !result)
		return false;
	if (clxs_json_int(result, "objects_failed", 0) > 0)
		return true;
	json_object *v = json_object_object_get(result, "validation");
	return v && clxs_json_double(v, "mismatch_pct", 0) > clxs_json_double(opts, "rollback_threshold", 5.0);
}
