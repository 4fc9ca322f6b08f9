/* Audit section of the API reference: the clone audit trail in the audit
 * catalog (src/engine/audit.c), read and set up through the request's
 * workspace. */
#include <stdlib.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/audit.h"
#include "clxs/json.h"

/* Only the named string fields are accepted; anything else is 422 naming it. */
static bool check_body(clxs_req *req, clxs_resp *resp, const char *const *allowed)
{
	if (!req->body)
		return true;
	if (!json_object_is_type(req->body, json_type_object)) {
		clxs_resp_fail(resp, CLXS_EINVAL, "body", "the request body must be a JSON object");
		return false;
	}
	json_object_object_foreach(req->body, key, val) {
		bool known = false;
		for (size_t i = 0; allowed[i]; i++)
			known |= !strcmp(allowed[i], key);
		if (!known) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "unknown field '%.100s'", key);
			return false;
		}
		if (val && (!json_object_is_type(val, json_type_string) || json_object_get_string_len(val) == 0)) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "%s must be a non-empty string", key);
			return false;
		}
	}
	return true;
}

/* The audit location: config, then the body's catalog/schema. */
static bool location(clxs_req *req, clxs_resp *resp, clxs_audit_loc *loc)
{
	clxs_error err;
	clxs_error_clear(&err);
	clxs_audit_loc_from_config(req->ctx->config, loc);
	if (clxs_audit_loc_set(loc, req->body ? clxs_json_str(req->body, "catalog", NULL) : NULL,
			       req->body ? clxs_json_str(req->body, "schema", NULL) : NULL, &err) != CLXS_OK) {
		clxs_resp_error(resp, &err);
		return false;
	}
	return true;
}

static bool open_target(clxs_req *req, clxs_resp *resp, clxs_target *t)
{
	clxs_error err;
	clxs_error_clear(&err);
	if (clxs_api_target_open(req, t, &err) != CLXS_OK) {
		clxs_resp_error(resp, &err);
		return false;
	}
	return true;
}

void clxs_api_audit_list(clxs_req *req, clxs_resp *resp)
{
	char buf[256], jbuf[256];
	long limit = 100;
	if (clxs_req_query(req, "limit", buf, sizeof(buf))) {
		char *end;
		limit = strtol(buf, &end, 10);
		if (*end || end == buf || limit < 1 || limit > 10000) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, "limit", "limit must be an integer from 1 to 10000");
			return;
		}
	}
	const char *job_id = clxs_req_query(req, "job_id", jbuf, sizeof(jbuf));
	clxs_audit_loc loc;
	clxs_target t;
	if (!location(req, resp, &loc) || !open_target(req, resp, &t))
		return;
	clxs_error err;
	clxs_error_clear(&err);
	json_object *rows = NULL;
	if (clxs_audit_list(t.ws, t.warehouse_id, &loc, job_id, (int)limit, &rows, &err) == CLXS_OK)
		clxs_resp_json(resp, 200, rows);
	else
		clxs_resp_error(resp, &err);
	clxs_target_close(&t);
}

void clxs_api_audit_init(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"warehouse_id", "catalog", "schema", NULL};
	clxs_audit_loc loc;
	clxs_target t;
	if (!check_body(req, resp, allowed) || !location(req, resp, &loc) || !open_target(req, resp, &t))
		return;
	clxs_error err;
	clxs_error_clear(&err);
	json_object *report = NULL;
	if (clxs_audit_init(t.ws, t.warehouse_id, &loc, &report, &err) == CLXS_OK)
		clxs_resp_json(resp, 200, report);
	else
		clxs_resp_error(resp, &err);
	clxs_target_close(&t);
}

void clxs_api_audit_describe(clxs_req *req, clxs_resp *resp)
{
	static const char *const allowed[] = {"warehouse_id", "catalog", "schema", NULL};
	clxs_audit_loc loc;
	clxs_target t;
	if (!check_body(req, resp, allowed) || !location(req, resp, &loc) || !open_target(req, resp, &t))
		return;
	clxs_error err;
	clxs_error_clear(&err);
	json_object *out = NULL;
	if (clxs_audit_describe(t.ws, t.warehouse_id, &loc, &out, &err) == CLXS_OK)
		clxs_resp_json(resp, 200, out);
	else
		clxs_resp_error(resp, &err);
	clxs_target_close(&t);
}

void clxs_api_audit_job_logs(clxs_req *req, clxs_resp *resp)
{
	clxs_audit_loc loc;
	clxs_target t;
	if (!location(req, resp, &loc) || !open_target(req, resp, &t))
		return;
	clxs_error err;
	clxs_error_clear(&err);
	json_object *out = NULL;
	if (clxs_audit_run_log(t.ws, t.warehouse_id, &loc, clxs_req_param(req, "job_id"), &out, &err) == CLXS_OK)
		clxs_resp_json(resp, 200, out);
	else
		clxs_resp_error(resp, &err);
	clxs_target_close(&t);
}

/* ---- route documentation (OpenAPI) ---- */

const clxs_route_param clxs_audit_list_params[] = {
	{"limit", "query", "integer", "At most this many entries, newest first (default 100)"},
	{"job_id", "query", "string", "Only this job's entry"},
	{NULL, NULL, NULL, NULL},
};

const char clxs_audit_body_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
	"\"warehouse_id\":{\"type\":\"string\",\"description\":\"SQL warehouse ID\"},"
	"\"catalog\":{\"type\":\"string\",\"default\":\"clone_audit\",\"description\":\"Audit catalog name\"},"
	"\"schema\":{\"type\":\"string\",\"default\":\"logs\",\"description\":\"Audit schema name\"}}}";
