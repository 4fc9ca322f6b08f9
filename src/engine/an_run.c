/* clxs_an_run: one entry point for every analysis operation, shared by
 * the API handlers and the CLI. */
#include <string.h>

#include "an_internal.h"
#include "clxs/json.h"

/* Operations over two catalog models. */
static clxs_code pair_op(clxs_ws_client *ws, const char *wh, const char *op, json_object *opts, json_object **out,
			 clxs_error *err)
{
	json_object *src = NULL, *dst = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, clxs_json_str(opts, "source_catalog", ""), "source_catalog", &src, err);
	if (rc == CLXS_OK)
		rc = clxs_an_discover(ws, wh, clxs_json_str(opts, "destination_catalog", ""), "destination_catalog",
				      &dst, err);
	if (rc != CLXS_OK) {
		json_object_put(src);
		return rc;
	}
	if (!strcmp(op, "diff")) {
		clxs_an_deep_read(ws, src, opts);
		clxs_an_deep_read(ws, dst, opts);
		*out = clxs_an_diff(src, dst, opts);
	} else if (!strcmp(op, "compare")) {
		*out = clxs_an_compare(src, dst, opts);
	} else if (!strcmp(op, "schema-drift")) {
		*out = clxs_an_schema_drift(src, dst, opts);
	} else {
		/* diff-detail: sizes of the tables both sides hold */
		json_object *sizes[2] = {json_object_new_object(), json_object_new_object()}, *models[2] = {src, dst};
		json_object *errors = json_object_new_array();
		for (int s = 0; s < 2; s++) {
			json_object *items = clxs_an_table_items(models[s], opts, false);
			clxs_an_each(ws, wh, items, 4, clxs_an_detail_fn, NULL);
			for (size_t i = 0; i < json_object_array_length(items); i++) {
				json_object *it = json_object_array_get_idx(items, i);
				if (json_object_object_get(it, "error")) {
					json_object *e = json_object_new_object();
					clxs_json_set_str(e, "table", clxs_json_str(it, "table", ""));
					clxs_json_set_str(e, "side", s ? "destination" : "source");
					clxs_json_set_str(e, "error", clxs_json_str(it, "error", ""));
					json_object_array_add(errors, e);
					continue;
				}
				clxs_json_set_int(sizes[s], clxs_json_str(it, "table", ""), clxs_json_int(it, "size_bytes", 0));
			}
			json_object_put(items);
		}
		*out = clxs_an_diff_detail(src, dst, opts, sizes[0], sizes[1]);
		json_object_object_add(*out, "drift_errors", errors);
		json_object_put(sizes[0]);
		json_object_put(sizes[1]);
	}
	json_object_put(src);
	json_object_put(dst);
	return CLXS_OK;
}

static clxs_code one_model(clxs_ws_client *ws, const char *wh, const char *op, json_object *opts, json_object **out,
			   clxs_error *err)
{
	json_object *m = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, clxs_json_str(opts, "source_catalog", ""), "source_catalog", &m, err);
	if (rc)
		return rc;
	if (!strcmp(op, "search")) {
		*out = clxs_an_search(m, opts, err);
		rc = *out ? CLXS_OK : err->code;
	} else {
		*out = clxs_an_permissions_audit(m, opts);
	}
	json_object_put(m);
	return rc;
}

clxs_code clxs_an_run(clxs_ws_client *ws, const char *wh, const char *op, json_object *opts, const clxs_an_env *env,
		      json_object **out, clxs_error *err)
{
	const char *w = clxs_json_str(opts, "warehouse_id", NULL);
	if (w && *w)
		wh = w;
	*out = NULL;
	if (!strcmp(op, "diff") || !strcmp(op, "compare") || !strcmp(op, "schema-drift") || !strcmp(op, "diff-detail"))
		return pair_op(ws, wh, op, opts, out, err);
	if (!strcmp(op, "validate"))
		return clxs_an_validate_op(ws, wh, opts, out, err);
	if (!strcmp(op, "search") || !strcmp(op, "permissions-audit"))
		return one_model(ws, wh, op, opts, out, err);
	if (!strcmp(op, "stats")) {
		clxs_code rc = clxs_an_stats_op(ws, wh, op, opts, out, err);
		/* the catalog-size collector; its failure does not fail the stats */
		clxs_error ce;
		clxs_error_clear(&ce);
		if (rc == CLXS_OK && clxs_an_size_record(ws, wh, env, opts, *out, &ce) != CLXS_OK)
			clxs_json_set_str(*out, "size_history_error", ce.message);
		return rc;
	}
	if (!strcmp(op, "estimate"))
		return clxs_an_stats_op(ws, wh, op, opts, out, err);
	if (!strcmp(op, "storage-metrics"))
		return clxs_an_storage_op(ws, wh, opts, out, err);
	if (!strcmp(op, "stale-scan"))
		return clxs_an_stale_op(ws, wh, opts, out, err);
	if (!strcmp(op, "profile"))
		return clxs_an_profile_op(ws, wh, opts, env, out, err);
	if (!strcmp(op, "export"))
		return clxs_an_export_op(ws, wh, opts, env, out, err);
	if (!strcmp(op, "catalog-size-history"))
		return clxs_an_size_history_op(ws, wh, opts, env, out, err);
	if (!strcmp(op, "profile-table") || !strcmp(op, "profile-results")) {
		bool table = !strcmp(op, "profile-table");
		clxs_code rc = clxs_an_profile_source(ws, wh, table ? clxs_json_str(opts, "table_fqn", "") : NULL,
						      table ? NULL : clxs_json_str(opts, "sql", ""),
						      clxs_json_int(opts, "sample_limit", 0), (int)clxs_json_int(opts, "top_n", 10),
						      (int)clxs_json_int(opts, "histogram_bins", 20), out, err);
		/* A table that does not exist is the caller's 404. */
		if (rc != CLXS_OK && table && (strstr(err->message, "TABLE_OR_VIEW_NOT_FOUND") ||
					       strstr(err->message, "NOT_FOUND")))
			return clxs_fail(err, CLXS_ENOTFOUND, "table_fqn", "table '%s' not found",
					 clxs_json_str(opts, "table_fqn", ""));
		if (rc != CLXS_OK && !table && (err->code == CLXS_EINVAL || err->code == CLXS_ENOTFOUND)) {
			/* the query itself failed: the caller's SQL */
			char msg[sizeof(err->message)];
			memcpy(msg, err->message, sizeof(msg));
			return clxs_fail(err, CLXS_EVALIDATION, "sql", "%s", msg);
		}
		return rc;
	}
	return clxs_fail(err, CLXS_ENOTFOUND, "op", "unknown analysis operation '%s'", op);
}
