/* POST /api/validate: row counts and optional content checksums of every
 * table of two catalogs, on max_workers threads. The per-table queries are
 * the clone engine's (clxs_clone_validate_run: count(*) and the
 * order-independent sum of hash() over the columns); this file adds what a
 * comparison of two arbitrary catalogs needs: tables missing from the
 * destination are reported as such instead of failing a query, and the
 * checksum covers the columns both sides share with the same type, so a
 * schema difference (which compare/schema-drift report) does not hide
 * whether the data itself was copied faithfully. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/clone.h"
#include "clxs/json.h"

static json_object *find_obj(json_object *model, const char *schema, const char *name)
{
	json_object *arr = json_object_object_get(model, "tables");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *t = json_object_array_get_idx(arr, i);
		if (!strcasecmp(clxs_json_str(t, "schema", ""), schema) && !strcasecmp(clxs_json_str(t, "name", ""), name))
			return t;
	}
	return NULL;
}

/* A copy of source table a whose columns are those of b with the same
 * type; *skipped gets the others. */
static json_object *common_columns(json_object *a, json_object *b, json_object *skipped)
{
	json_object *t = json_object_new_object(), *cols = json_object_new_array();
	clxs_json_set_str(t, "schema", clxs_json_str(a, "schema", ""));
	clxs_json_set_str(t, "name", clxs_json_str(a, "name", ""));
	clxs_json_set_str(t, "table_type", clxs_json_str(a, "table_type", ""));
	json_object *ca = json_object_object_get(a, "columns"), *cb = json_object_object_get(b, "columns");
	for (size_t i = 0; ca && i < json_object_array_length(ca); i++) {
		json_object *c = json_object_array_get_idx(ca, i);
		const char *n = clxs_json_str(c, "name", "");
		bool same = false;
		for (size_t j = 0; cb && j < json_object_array_length(cb); j++) {
			json_object *d = json_object_array_get_idx(cb, j);
			if (!strcasecmp(clxs_json_str(d, "name", ""), n))
				same = !strcasecmp(clxs_json_str(c, "type_text", ""), clxs_json_str(d, "type_text", ""));
		}
		json_object_array_add(same ? cols : skipped, same ? json_object_get(c) : json_object_new_string(n));
	}
	json_object_object_add(t, "columns", cols);
	return t;
}

typedef struct {
	json_object *opts;
	bool checksum;
} vctx;

static clxs_code validate_one(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err)
{
	vctx *v = ud;
	json_object *model = json_object_new_object(), *tables = json_object_new_array(), *report = NULL;
	json_object_array_add(tables, json_object_get(json_object_object_get(item, "probe")));
	json_object_object_add(model, "tables", tables);
	clxs_code rc = clxs_clone_validate_run(ws, wh, model, v->opts, v->checksum, &report, err);
	json_object_put(model);
	json_object *r = rc == CLXS_OK ? json_object_array_get_idx(json_object_object_get(report, "tables"), 0) : NULL;
	if (r) {
		json_object_object_foreach(r, k, val) {
			if (strcmp(k, "table") != 0)
				json_object_object_add(item, k, json_object_get(val));
		}
	}
	json_object_put(report);
	return rc;
}

clxs_code clxs_an_validate_op(clxs_ws_client *ws, const char *wh, json_object *opts, json_object **out,
			      clxs_error *err)
{
	json_object *src = NULL, *dst = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, clxs_json_str(opts, "source_catalog", ""), "source_catalog", &src, err);
	if (rc == CLXS_OK)
		rc = clxs_an_discover(ws, wh, clxs_json_str(opts, "destination_catalog", ""), "destination_catalog", &dst,
				      err);
	if (rc != CLXS_OK) {
		json_object_put(src);
		return rc;
	}
	bool checksum = clxs_json_bool(opts, "use_checksum", false);
	json_object *items = clxs_an_table_items(src, opts, false), *work = json_object_new_array();
	json_object *missing = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		json_object *a = json_object_object_get(it, "model");
		json_object *b = find_obj(dst, clxs_json_str(it, "schema", ""), clxs_json_str(it, "name", ""));
		json_object_object_del(it, "catalog");
		if (!strcasecmp(clxs_json_str(a, "table_type", ""), "STREAMING_TABLE")) {
			clxs_json_set_str(it, "status", "skipped");
			clxs_json_set_str(it, "reason", "streaming tables are not validated");
		} else if (!b) {
			clxs_json_set_str(it, "status", "missing");
			json_object_array_add(missing, json_object_new_string(clxs_json_str(it, "table", "")));
		} else {
			json_object *skipped = json_object_new_array();
			json_object_object_add(it, "probe", common_columns(a, b, skipped));
			if (checksum && json_object_array_length(skipped) > 0)
				json_object_object_add(it, "checksum_columns_skipped", skipped);
			else
				json_object_put(skipped);
			json_object_array_add(work, json_object_get(it));
		}
		json_object_object_del(it, "model");
	}
	/* The clone validator reads a clone request: give it one (tables were
	 * selected above already). */
	json_object *vopts = json_object_new_object();
	clxs_json_set_str(vopts, "source_catalog", clxs_json_str(opts, "source_catalog", ""));
	clxs_json_set_str(vopts, "destination_catalog", clxs_json_str(opts, "destination_catalog", ""));
	json_object_object_add(vopts, "include_schemas", json_object_new_array());
	json_object_object_add(vopts, "exclude_schemas", json_object_new_array());
	clxs_an_each(ws, wh, work, (int)clxs_json_int(opts, "max_workers", 4), validate_one,
		     &(vctx){vopts, checksum});
	json_object_put(vopts);
	int64_t checked = 0, mismatched = 0, errors = 0;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		json_object_object_del(it, "probe");
		json_object_object_del(it, "schema");
		json_object_object_del(it, "name");
		const char *st = clxs_json_str(it, "status", "");
		if (json_object_object_get(it, "error")) {
			clxs_json_set_str(it, "status", "error");
			errors++;
		} else if (!strcmp(st, "mismatch")) {
			mismatched++;
		}
		checked += strcmp(st, "skipped") != 0;
	}
	json_object_put(work);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "source_catalog", clxs_json_str(opts, "source_catalog", ""));
	clxs_json_set_str(o, "destination_catalog", clxs_json_str(opts, "destination_catalog", ""));
	clxs_json_set_bool(o, "use_checksum", checksum);
	clxs_json_set_int(o, "checked", checked);
	clxs_json_set_int(o, "matched", checked - mismatched - errors - (int64_t)json_object_array_length(missing));
	clxs_json_set_int(o, "mismatched", mismatched);
	clxs_json_set_int(o, "missing", (int64_t)json_object_array_length(missing));
	clxs_json_set_int(o, "errors", errors);
	int64_t bad = checked - (checked - mismatched - errors - (int64_t)json_object_array_length(missing));
	json_object_object_add(o, "mismatch_pct", json_object_new_double(checked ? 100.0 * (double)bad / (double)checked : 0));
	json_object_object_add(o, "missing_in_destination", missing);
	json_object_object_add(o, "tables", items);
	json_object_put(src);
	json_object_put(dst);
	*out = o;
	return CLXS_OK;
}
