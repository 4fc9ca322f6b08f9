/* The generic job queue over HTTP. Clone and the other long operations
 * have their own endpoints; these expose the queue itself, which is what
 * operators and the lifecycle tests need. */
#include <stdlib.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/jobs.h"
#include "clxs/json.h"

/* The API's view of a job: internal bookkeeping stays out. */
static json_object *public_job(clxs_store *st, json_object *job, bool with_logs)
{
	json_object *o = json_object_new_object();
	static const char *const keys[] = {
		"job_id", "job_type", "status", "params", "progress", "result", "error",
		"created_at", "started_at", "completed_at", "attempts", "resume", "recovered_reason",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v;
		if (json_object_object_get_ex(job, keys[i], &v))
			json_object_object_add(o, keys[i], json_object_get(v));
	}
	/* A job's target holds the workspace credential (sealed, but still not
	 * the caller's business): show every param but that one. */
	json_object *params = json_object_object_get(o, "params");
	if (params && json_object_object_get(params, "target")) {
		/* A shallow copy: the values are shared, not duplicated. */
		json_object *copy = json_object_new_object();
		json_object_object_foreach(params, k, v) {
			if (strcmp(k, "target") != 0)
				json_object_object_add(copy, k, json_object_get(v));
		}
		json_object_object_add(o, "params", copy);
	}
	if (clxs_json_bool(job, "cancel_requested", false) &&
	    strcmp(clxs_json_str(job, "status", ""), "running") == 0)
		clxs_json_set_str(o, "status", "cancelling");
	if (with_logs) {
		json_object *events = clxs_job_events(st, clxs_json_str(job, "job_id", ""), -1, NULL);
		json_object *logs = json_object_new_array();
		for (size_t i = 0; events && i < json_object_array_length(events); i++) {
			json_object *ev = json_object_array_get_idx(events, i);
			json_object_array_add(logs, json_object_new_string(clxs_json_str(ev, "message", "")));
		}
		json_object_put(events);
		json_object_object_add(o, "logs", logs);
	}
	return o;
}

void clxs_api_jobs_submit(clxs_req *req, clxs_resp *resp)
{
	json_object *type = NULL, *params = NULL;
	json_object_object_get_ex(req->body, "job_type", &type);
	json_object_object_get_ex(req->body, "params", &params);
	if (!type || !json_object_is_type(type, json_type_string)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "job_type", "job_type is required and must be a string");
		return;
	}
	/* Operations with their own endpoint validate their own requests. */
	if (strcmp(json_object_get_string(type), "noop") && strcmp(json_object_get_string(type), "sleep")) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "job_type",
			       "job_type must be noop or sleep; clones are submitted with POST /api/clone");
		return;
	}
	if (params && !json_object_is_type(params, json_type_object)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "params", "params must be an object");
		return;
	}
	json_object_object_foreach(req->body, key, val) {
		(void)val;
		if (strcmp(key, "job_type") && strcmp(key, "params")) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, key, "unknown field '%s'", key);
			return;
		}
	}
	char id[CLXS_JOB_ID_LEN + 1];
	clxs_error err;
	if (clxs_job_submit(req->ctx->store, json_object_get_string(type), params, NULL, id, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "job_id", id);
	clxs_json_set_str(o, "status", "queued");
	clxs_json_set_str(o, "message", "Job submitted");
	clxs_resp_json(resp, 200, o);
}

void clxs_api_jobs_list(clxs_req *req, clxs_resp *resp)
{
	char type[64], limit_s[16];
	const char *t = clxs_req_query(req, "job_type", type, sizeof(type));
	const char *l = clxs_req_query(req, "limit", limit_s, sizeof(limit_s));
	long limit = 100;
	if (l) {
		char *end;
		limit = strtol(l, &end, 10);
		if (*end || limit < 1 || limit > 10000) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, "limit", "limit must be an integer from 1 to 10000");
			return;
		}
	}
	clxs_error err;
	json_object *jobs = clxs_job_list(req->ctx->store, t, (int)limit, &err);
	if (!jobs) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(jobs); i++)
		json_object_array_add(out, public_job(req->ctx->store, json_object_array_get_idx(jobs, i), false));
	json_object_put(jobs);
	clxs_resp_json(resp, 200, out);
}

void clxs_api_jobs_get(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	json_object *job = clxs_job_get(req->ctx->store, clxs_req_param(req, "job_id"), &err);
	if (!job) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_resp_json(resp, 200, public_job(req->ctx->store, job, true));
	json_object_put(job);
}

void clxs_api_jobs_cancel(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	char status[16];
	const char *id = clxs_req_param(req, "job_id");
	if (clxs_job_cancel(req->ctx->store, id, status, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", status);
	clxs_json_set_str(o, "job_id", id);
	clxs_resp_json(resp, 200, o);
}
