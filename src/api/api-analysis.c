/* Analysis and Deep Profiling sections of the API reference. Every handler
 * is the same three steps: validate the body for its operation, open the
 * request's workspace, run the engine operation (clxs_an_run). All are
 * synchronous: the reference documents no job_id for any of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/analysis.h"
#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/json.h"

static void run(clxs_req *req, clxs_resp *resp, const char *op, json_object *body)
{
	clxs_error err;
	clxs_error_clear(&err);
	json_object *opts = clxs_an_validate(op, body, req->ctx->config, &err);
	if (!opts) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_target t;
	memset(&t, 0, sizeof(t));
	if (clxs_api_target_open(req, &t, &err)) {
		json_object_put(opts);
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_an_env env = {req->ctx->state_dir, req->ctx->config};
	json_object *out = NULL;
	if (clxs_an_run(t.ws, t.warehouse_id, op, opts, &env, &out, &err))
		clxs_resp_error(resp, &err);
	else
		clxs_resp_json(resp, 200, out);
	clxs_target_close(&t);
	json_object_put(opts);
}

#define POST_HANDLER(fn, op) \
	void fn(clxs_req *req, clxs_resp *resp) { run(req, resp, op, req->body); }

POST_HANDLER(clxs_api_an_diff, "diff")
POST_HANDLER(clxs_api_an_compare, "compare")
POST_HANDLER(clxs_api_an_validate, "validate")
POST_HANDLER(clxs_api_an_schema_drift, "schema-drift")
POST_HANDLER(clxs_api_an_diff_detail, "diff-detail")
POST_HANDLER(clxs_api_an_stats, "stats")
POST_HANDLER(clxs_api_an_search, "search")
POST_HANDLER(clxs_api_an_profile, "profile")
POST_HANDLER(clxs_api_an_estimate, "estimate")
POST_HANDLER(clxs_api_an_storage_metrics, "storage-metrics")
POST_HANDLER(clxs_api_an_export, "export")
POST_HANDLER(clxs_api_an_permissions_audit, "permissions-audit")
POST_HANDLER(clxs_api_an_stale_scan, "stale-scan")
POST_HANDLER(clxs_api_an_profile_table, "profile-table")
POST_HANDLER(clxs_api_an_profile_results, "profile-results")

/* GET /api/catalog-size-history?catalogs=a,b&days=N */
void clxs_api_an_size_history(clxs_req *req, clxs_resp *resp)
{
	char cats[1024], days[32];
	json_object *body = json_object_new_object();
	if (clxs_req_query(req, "catalogs", cats, sizeof(cats)))
		clxs_json_set_str(body, "catalogs", cats);
	if (clxs_req_query(req, "days", days, sizeof(days))) {
		char *end;
		long long n = strtoll(days, &end, 10);
		if (!*days || *end) {
			json_object_put(body);
			clxs_resp_fail(resp, CLXS_EVALIDATION, "days", "days must be an integer between 1 and 365");
			return;
		}
		json_object_object_add(body, "days", json_object_new_int64(n));
	}
	run(req, resp, "catalog-size-history", body);
	json_object_put(body);
}

#define SCHEMA_FN(fn, op) \
	const char *fn(void) { return clxs_an_body_schema(op); }

SCHEMA_FN(clxs_api_an_schema_diff, "diff")
SCHEMA_FN(clxs_api_an_schema_compare, "compare")
SCHEMA_FN(clxs_api_an_schema_validate, "validate")
SCHEMA_FN(clxs_api_an_schema_schema_drift, "schema-drift")
SCHEMA_FN(clxs_api_an_schema_diff_detail, "diff-detail")
SCHEMA_FN(clxs_api_an_schema_stats, "stats")
SCHEMA_FN(clxs_api_an_schema_search, "search")
SCHEMA_FN(clxs_api_an_schema_profile, "profile")
SCHEMA_FN(clxs_api_an_schema_estimate, "estimate")
SCHEMA_FN(clxs_api_an_schema_storage_metrics, "storage-metrics")
SCHEMA_FN(clxs_api_an_schema_export, "export")
SCHEMA_FN(clxs_api_an_schema_permissions_audit, "permissions-audit")
SCHEMA_FN(clxs_api_an_schema_stale_scan, "stale-scan")
SCHEMA_FN(clxs_api_an_schema_profile_table, "profile-table")
SCHEMA_FN(clxs_api_an_schema_profile_results, "profile-results")
