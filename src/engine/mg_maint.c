/* Table maintenance: OPTIMIZE and VACUUM over selected Delta tables. VACUUM
 * always asks the warehouse first (VACUUM ... DRY RUN), so a dry run lists
 * the exact files that would go, and a real run reports the files it
 * deleted; it also lists the versions superseded before the retention
 * cutoff, to which time travel is no longer guaranteed afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"
#include "mg_internal.h"

/* The tables an operation works on: the request's "tables", else every
 * table of schema_filter or of the catalog. Views and non-Delta tables are
 * returned with a skip reason. */
static clxs_code targets(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "source_catalog", "");
	const char *schema = clxs_json_str(req, "schema_filter", NULL);
	json_object *all = NULL;
	clxs_code rc = mg_catalog_tables(c, cat, schema, NULL, "source_catalog", &all, err);
	if (rc)
		return rc;
	json_object *list = json_object_new_array(), *want = json_object_object_get(req, "tables");
	char k[600];
	if (want) {
		for (size_t i = 0; i < json_object_array_length(want); i++) {
			json_object *w = json_object_array_get_idx(want, i);
			mg_key(k, sizeof(k), clxs_json_str(w, "schema", ""), clxs_json_str(w, "table", ""));
			json_object *t = json_object_object_get(all, k);
			if (!t) {
				json_object_put(list);
				json_object_put(all);
				return clxs_fail(err, CLXS_ENOTFOUND, "tables", "table %s.%s does not exist", cat, k);
			}
			json_object_array_add(list, json_object_get(t));
		}
	} else {
		json_object *keys = mg_sorted_keys(all);
		for (size_t i = 0; i < json_object_array_length(keys); i++)
			json_object_array_add(list, json_object_get(json_object_object_get(
							    all, json_object_get_string(json_object_array_get_idx(keys, i)))));
		json_object_put(keys);
	}
	json_object_put(all);
	*out = list;
	return CLXS_OK;
}

static const char *skip_reason(json_object *t)
{
	const char *ty = clxs_json_str(t, "table_type", ""), *fmt = clxs_json_str(t, "format", NULL);
	if (!strcasecmp(ty, "VIEW") || !strcasecmp(ty, "MATERIALIZED_VIEW"))
		return "a view has no files";
	if (!strcasecmp(ty, "STREAMING_TABLE"))
		return "pipeline-owned table";
	if (fmt && strcasecmp(fmt, "DELTA") != 0)
		return "not a Delta table";
	return NULL;
}

static json_object *entry(const char *cat, json_object *t)
{
	json_object *e = json_object_new_object();
	char fq[900];
	snprintf(fq, sizeof(fq), "%s.%s.%s", cat, clxs_json_str(t, "schema", ""), clxs_json_str(t, "name", ""));
	clxs_json_set_str(e, "table", fq);
	return e;
}

static void count(json_object *o, const char *key)
{
	clxs_json_set_int(o, key, clxs_json_int(o, key, 0) + 1);
}

clxs_code clxs_mg_optimize(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "source_catalog", "");
	bool dry = clxs_json_bool(req, "dry_run", false);
	json_object *list = NULL;
	clxs_code rc = targets(c, req, &list, err);
	if (rc)
		return rc;
	json_object *o = json_object_new_object(), *res = json_object_new_array();
	clxs_json_set_str(o, "source_catalog", cat);
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_int(o, "optimized", 0);
	clxs_json_set_int(o, "failed", 0);
	clxs_json_set_int(o, "skipped", 0);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *t = json_object_array_get_idx(list, i), *e = entry(cat, t);
		json_object_array_add(res, e);
		const char *why = skip_reason(t);
		if (why) {
			clxs_json_set_str(e, "status", "skipped");
			clxs_json_set_str(e, "reason", why);
			count(o, "skipped");
			continue;
		}
		clxs_buf b;
		clxs_buf_init(&b);
		clxs_sql_appendf(&b, NULL, "OPTIMIZE %Q", cat, clxs_json_str(t, "schema", ""), clxs_json_str(t, "name", ""));
		clxs_json_set_str(e, "sql", clxs_buf_str(&b));
		if (dry) {
			clxs_json_set_str(e, "status", "would_optimize");
		} else {
			clxs_ws_result r = {0};
			clxs_error e2;
			if (clxs_ws_sql(c->ws, c->warehouse_id, NULL, NULL, clxs_buf_str(&b), NULL, 0, NULL, &r, &e2)) {
				clxs_json_set_str(e, "status", "failed");
				clxs_json_set_str(e, "error", e2.message);
				count(o, "failed");
			} else {
				clxs_json_set_str(e, "status", "optimized");
				const char *m = mg_cell(&r, 0, "metrics");
				json_object *mj = m ? json_tokener_parse(m) : NULL;
				json_object_object_add(e, "metrics", mj ? mj : (m ? json_object_new_string(m) : NULL));
				count(o, "optimized");
			}
			clxs_ws_result_free(&r);
		}
		clxs_buf_free(&b);
	}
	json_object_object_add(o, "tables", res);
	json_object_put(list);
	*out = o;
	return CLXS_OK;
}

/* Versions superseded before the cutoff (DESCRIBE HISTORY). */
static json_object *expiring_versions(clxs_mg_ctx *c, const char *cat, json_object *t, int64_t cutoff_ms)
{
	clxs_ws_result r = {0};
	json_object *out = json_object_new_array();
	if (mg_sql(c, &r, NULL, "DESCRIBE HISTORY %Q", cat, clxs_json_str(t, "schema", ""),
		   clxs_json_str(t, "name", "")) == CLXS_OK) {
		/* Newest first: a version is superseded when the next newer
		 * version was committed. */
		for (size_t i = 1; i < r.nrows; i++) {
			int64_t next_ms = 0;
			const char *ts = mg_cell(&r, i - 1, "timestamp"), *v = mg_cell(&r, i, "version");
			if (v && ts && clxs_parse_iso8601(ts, &next_ms) == 0 && next_ms <= cutoff_ms)
				json_object_array_add(out, json_object_new_int64(atoll(v)));
		}
	}
	clxs_ws_result_free(&r);
	return out;
}

clxs_code clxs_mg_vacuum(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "source_catalog", "");
	bool dry = clxs_json_bool(req, "dry_run", false);
	int64_t hours = clxs_json_int(req, "retention_hours", 168);
	json_object *list = NULL;
	clxs_code rc = targets(c, req, &list, err);
	if (rc)
		return rc;
	json_object *o = json_object_new_object(), *res = json_object_new_array();
	clxs_json_set_str(o, "source_catalog", cat);
	clxs_json_set_bool(o, "dry_run", dry);
	clxs_json_set_int(o, "retention_hours", hours);
	clxs_json_set_int(o, "vacuumed", 0);
	clxs_json_set_int(o, "failed", 0);
	clxs_json_set_int(o, "skipped", 0);
	int64_t total_files = 0;
	int64_t cutoff = clxs_now_ms() - hours * 3600 * 1000;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *t = json_object_array_get_idx(list, i), *e = entry(cat, t);
		json_object_array_add(res, e);
		const char *why = skip_reason(t);
		if (why) {
			clxs_json_set_str(e, "status", "skipped");
			clxs_json_set_str(e, "reason", why);
			count(o, "skipped");
			continue;
		}
		const char *s = clxs_json_str(t, "schema", ""), *n = clxs_json_str(t, "name", "");
		clxs_buf b;
		clxs_buf_init(&b);
		clxs_sql_appendf(&b, NULL, "VACUUM %Q RETAIN %lld HOURS", cat, s, n, (long long)hours);
		clxs_json_set_str(e, "sql", clxs_buf_str(&b));
		clxs_ws_result r = {0};
		clxs_error e2;
		rc = mg_sql(c, &r, &e2, "VACUUM %Q RETAIN %lld HOURS DRY RUN", cat, s, n, (long long)hours);
		json_object *files = json_object_new_array();
		for (size_t j = 0; !rc && j < r.nrows; j++)
			mg_push(files, clxs_ws_result_cell(&r, j, 0));
		clxs_ws_result_free(&r);
		if (!rc && !dry)
			rc = mg_exec(c, clxs_buf_str(&b), &e2);
		clxs_buf_free(&b);
		if (rc) {
			clxs_json_set_str(e, "status", "failed");
			clxs_json_set_str(e, "error", e2.message);
			count(o, "failed");
			json_object_put(files);
			rc = CLXS_OK;
			continue;
		}
		total_files += (int64_t)json_object_array_length(files);
		clxs_json_set_str(e, "status", dry ? "would_vacuum" : "vacuumed");
		clxs_json_set_int(e, "file_count", (int64_t)json_object_array_length(files));
		json_object_object_add(e, dry ? "files_to_delete" : "files_deleted", files);
		json_object_object_add(e, "versions_beyond_retention", expiring_versions(c, cat, t, cutoff));
		if (!dry)
			count(o, "vacuumed");
	}
	clxs_json_set_int(o, dry ? "files_to_delete" : "files_deleted", total_files);
	json_object_object_add(o, "tables", res);
	json_object_put(list);
	*out = o;
	return CLXS_OK;
}
