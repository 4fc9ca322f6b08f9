/* One monitoring check of a clone against its source: structure drift
 * (objects on one side only, changed columns) and, with check_counts, the
 * row counts of every table present on both sides. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"
#include "mg_diff.h"

clxs_code clxs_mg_monitor(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *src = clxs_json_str(req, "source_catalog", ""), *dst = clxs_json_str(req, "destination_catalog", "");
	json_object *cmp = NULL;
	clxs_code rc = mg_compare(c, req, src, dst, false, &cmp, err);
	if (rc)
		return rc;
	json_object *o = json_object_new_object();
	char now[32];
	clxs_iso8601(clxs_now_ms(), now);
	clxs_json_set_str(o, "source_catalog", src);
	clxs_json_set_str(o, "destination_catalog", dst);
	clxs_json_set_str(o, "checked_at", now);
	int64_t issues = 0;
	if (clxs_json_bool(req, "check_drift", true)) {
		json_object *d = json_object_new_object();
		static const char *const keys[] = {"missing_schemas", "extra_schemas", "missing_tables",
						   "extra_tables", "missing_views", "extra_views", "changed_tables"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_object *v = json_object_object_get(cmp, keys[i]);
			issues += (int64_t)json_object_array_length(v);
			json_object_object_add(d, keys[i], json_object_get(v));
		}
		json_object_object_add(o, "drift", d);
	}
	if (clxs_json_bool(req, "check_counts", false)) {
		json_object *counts = json_object_new_array(), *st = json_object_object_get(cmp, "source"),
			    *dt = json_object_object_get(cmp, "destination"), *keys = mg_sorted_keys(st);
		int64_t mism = 0;
		for (size_t i = 0; i < json_object_array_length(keys); i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
			json_object *t = json_object_object_get(st, k);
			if (!json_object_object_get(dt, k) || !strcasecmp(clxs_json_str(t, "table_type", ""), "VIEW"))
				continue;
			const char *s = clxs_json_str(t, "schema", ""), *n = clxs_json_str(t, "name", "");
			int64_t a = -1, b = -1;
			clxs_error e;
			json_object *e1 = json_object_new_object();
			clxs_json_set_str(e1, "table", k);
			if (mg_row_count(c, src, s, n, &a, &e) || mg_row_count(c, dst, s, n, &b, &e)) {
				clxs_json_set_str(e1, "status", "error");
				clxs_json_set_str(e1, "error", e.message);
				mism++;
			} else {
				clxs_json_set_int(e1, "source_rows", a);
				clxs_json_set_int(e1, "dest_rows", b);
				clxs_json_set_str(e1, "status", a == b ? "match" : "mismatch");
				mism += a != b;
			}
			json_object_array_add(counts, e1);
		}
		json_object_put(keys);
		issues += mism;
		json_object_object_add(o, "counts", counts);
		clxs_json_set_int(o, "count_mismatches", mism);
	}
	clxs_json_set_int(o, "issues", issues);
	clxs_json_set_bool(o, "in_sync", issues == 0);
	json_object_put(cmp);
	*out = o;
	return CLXS_OK;
}
