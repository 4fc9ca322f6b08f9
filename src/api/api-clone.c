/* Clone section of the API reference: submit a clone job, list and inspect
 * clone jobs, cancel one. The job runs in clxs-runner (job type "clone"). */
#include <string.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/audit.h"
#include "clxs/clone.h"
#include "clxs/clone_snapshot.h"
#include "clxs/jobs.h"
#include "clxs/json.h"

/* Queue a clone job for validated options (taken over); shared with
 * POST /api/multi-clone (api-multiclone.c). */
clxs_code clxs_api_clone_enqueue(clxs_req *req, json_object *opts, char *job_id, clxs_error *err)
{
	/* The request's workspace (headers > login session > default); the
	 * spec holds credentials only sealed, so it may sit in LMDB. */
	json_object *target = clxs_api_target_spec(req, err);
	if (!target) {
		json_object_put(opts);
		return err->code;
	}
	json_object *params = json_object_new_object(), *fields = json_object_new_object();
	json_object_object_add(params, "request", opts);
	json_object_object_add(params, "target", target);
	/* Where the runner writes the audit trail: this server's audit_trail. */
	clxs_audit_loc aloc;
	clxs_audit_loc_from_config(req->ctx->config, &aloc);
	json_object *audit = json_object_new_object();
	clxs_json_set_str(audit, "catalog", aloc.catalog);
	clxs_json_set_str(audit, "schema", aloc.schema);
	json_object_object_add(params, "audit", audit);
	static const char *const listed[] = {"source_catalog", "destination_catalog", "clone_type"};
	for (size_t i = 0; i < 3; i++)
		clxs_json_set_str(fields, listed[i], clxs_json_str(opts, listed[i], NULL));
	clxs_code rc = clxs_job_submit(req->ctx->store, "clone", params, fields, job_id, err);
	json_object_put(params);
	json_object_put(fields);
	return rc;
}

/* source_snapshot_id: an unknown snapshot (404) or one captured from
 * another catalog (422) is refused now, not later in the job. The job reads
 * the snapshot again to use it (src/engine/clone_snapshot.c). */
static clxs_code snapshot_check(clxs_req *req, json_object *opts, clxs_error *err)
{
	const char *id = clxs_json_str(opts, "source_snapshot_id", NULL);
	if (!id)
		return CLXS_OK;
	clxs_target t;
	clxs_code rc = clxs_api_target_open(req, &t, err);
	if (rc)
		return rc;
	clxs_audit_loc aloc;
	clxs_audit_loc_from_config(req->ctx->config, &aloc);
	json_object *snap = NULL;
	rc = clxs_clone_snapshot_read(t.ws, t.warehouse_id, &aloc, id, clxs_json_str(opts, "source_catalog", ""),
				      &snap, err);
	json_object_put(snap);
	clxs_target_close(&t);
	return rc;
}

void clxs_api_clone_submit(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	clxs_error_clear(&err);
	json_object *opts = clxs_clone_validate(req->body, req->ctx->config, &err);
	if (!opts || snapshot_check(req, opts, &err)) {
		json_object_put(opts);
		clxs_resp_error(resp, &err);
		return;
	}
	/* Notes from validation go back to the caller, not into the job. */
	json_object *warnings = json_object_get(json_object_object_get(opts, "warnings"));
	json_object_object_del(opts, "warnings");
	char id[CLXS_JOB_ID_LEN + 1];
	clxs_code rc = clxs_api_clone_enqueue(req, opts, id, &err);
	if (rc) {
		json_object_put(warnings);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "job_id", id);
	clxs_json_set_str(o, "status", "queued");
	clxs_json_set_str(o, "message", "Clone job submitted");
	if (json_object_array_length(warnings) > 0)
		json_object_object_add(o, "warnings", json_object_get(warnings));
	json_object_put(warnings);
	clxs_resp_json(resp, 200, o);
}

/* A clone job as the reference shows it. */
static json_object *clone_view(clxs_store *st, json_object *job, bool full)
{
	json_object *o = json_object_new_object();
	static const char *const keys[] = {"job_id", "status", "source_catalog", "destination_catalog",
					   "clone_type", "progress", "created_at"};
	static const char *const more[] = {"result", "error", "started_at", "completed_at"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_object_add(o, keys[i], json_object_get(json_object_object_get(job, keys[i])));
	if (clxs_json_bool(job, "cancel_requested", false) && !strcmp(clxs_json_str(job, "status", ""), "running"))
		clxs_json_set_str(o, "status", "cancelling");
	if (!full)
		return o;
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		json_object_object_add(o, more[i], json_object_get(json_object_object_get(job, more[i])));
	json_object *events = clxs_job_events(st, clxs_json_str(job, "job_id", ""), -1, NULL);
	json_object *logs = json_object_new_array();
	for (size_t i = 0; events && i < json_object_array_length(events); i++)
		json_object_array_add(logs, json_object_new_string(
			clxs_json_str(json_object_array_get_idx(events, i), "message", "")));
	json_object_put(events);
	json_object_object_add(o, "logs", logs);
	return o;
}

void clxs_api_clone_jobs(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	/* Summaries from the list index: the view shows none of the record's
	 * params or result, so those are never read. */
	json_object *jobs = clxs_job_list_summary(req->ctx->store, "clone", 1000, &err);
	if (!jobs) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(jobs); i++)
		json_object_array_add(out, clone_view(req->ctx->store, json_object_array_get_idx(jobs, i), false));
	json_object_put(jobs);
	clxs_resp_json(resp, 200, out);
}

static json_object *clone_job(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	const char *id = clxs_req_param(req, "job_id");
	json_object *job = clxs_job_get(req->ctx->store, id, &err);
	if (job && strcmp(clxs_json_str(job, "job_type", ""), "clone") != 0) {
		json_object_put(job);
		job = NULL;
		clxs_fail(&err, CLXS_ENOTFOUND, "job_id", "clone job '%s' not found", id);
	}
	if (!job)
		clxs_resp_error(resp, &err);
	return job;
}

void clxs_api_clone_get(clxs_req *req, clxs_resp *resp)
{
	json_object *job = clone_job(req, resp);
	if (!job)
		return;
	clxs_resp_json(resp, 200, clone_view(req->ctx->store, job, true));
	json_object_put(job);
}

void clxs_api_clone_cancel(clxs_req *req, clxs_resp *resp)
{
	json_object *job = clone_job(req, resp);
	if (!job)
		return;
	json_object_put(job);
	clxs_api_jobs_cancel(req, resp);
}
