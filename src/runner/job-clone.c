/* The clone job: discovery, plan and execution of a catalog clone, with
 * the job's lease, cancel flag and checkpoint wired into the executor so a
 * recovered job resumes without redoing finished statements. */
#include <stdio.h>
#include <string.h>

#include "clxs/clone.h"
#include "clxs/daemon.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/runner.h"
#include "clxs/store.h"
#include "clxs/target.h"

static clxs_code gate(void *ud)
{
	return clxs_job_checkpoint_gate(ud);
}

static void progress(void *ud, int64_t done, int64_t total, json_object *cp)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_progress(ctx->store, ctx->job_id, done, total, cp, NULL);
}

static void log_line(void *ud, const char *level, const char *msg)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_log(ctx->store, ctx->job_id, level, msg, NULL);
}

clxs_code clxs_job_run_clone(clxs_job_ctx *ctx, json_object **result, clxs_error *err)
{
	json_object *params = json_object_object_get(ctx->job, "params");
	json_object *opts = clxs_clone_validate(json_object_object_get(params, "request"), NULL, err);
	if (!opts)
		return err->code;
	/* Where: the job's target, else the embedded lakehouse of this state. */
	json_object *spec = NULL;
	json_object_deep_copy(json_object_object_get(params, "target"), &spec, NULL);
	if (!spec)
		spec = json_object_new_object();
	char dir[4200];
	if (!clxs_json_str(spec, "host", NULL) && !clxs_json_str(spec, "profile", NULL) &&
	    !clxs_json_str(spec, "lakehouse_dir", NULL) && ctx->state_dir &&
	    clxs_path_join(dir, sizeof(dir), ctx->state_dir, "lakehouse", NULL) == CLXS_OK)
		clxs_json_set_str(spec, "lakehouse_dir", dir);
	clxs_target t;
	json_object *model = NULL, *plan = NULL;
	clxs_code rc = clxs_target_open(spec, &t, err);
	json_object_put(spec);
	if (rc) {
		json_object_put(opts);
		return rc;
	}
	const char *src = clxs_json_str(opts, "source_catalog", "");
	clxs_job_log(ctx->store, ctx->job_id, "info", "reading the source catalog", NULL);
	if ((rc = clxs_clone_discover(t.ws, t.warehouse_id, src, &model, err)))
		goto out;
	clxs_clone_incremental_prepare(t.ws, t.warehouse_id, ctx->store, model, opts, err);
	if (!(plan = clxs_clone_plan(model, opts, err))) {
		rc = err->code;
		goto out;
	}
	char msg[160];
	snprintf(msg, sizeof(msg), "plan: %zu statements, %zu objects skipped",
		 json_object_array_length(json_object_object_get(plan, "statements")),
		 json_object_array_length(json_object_object_get(plan, "skipped")));
	clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
	if (clxs_json_bool(opts, "dry_run", false)) {
		*result = json_object_get(plan);
		goto out;
	}
	json_object *rollback = NULL;
	if (clxs_json_bool(opts, "enable_rollback", true)) {
		/* Before the first change: what the destination holds now. */
		if ((rc = clxs_rollback_prepare(t.ws, t.warehouse_id, opts, &rollback, err)))
			goto out;
		char key[64];
		snprintf(key, sizeof(key), "rollback/%s", clxs_json_str(rollback, "rollback_id", ""));
		rc = clxs_store_put(ctx->store, CLXS_DB_KV, key, rollback, err);
		if (rc) {
			json_object_put(rollback);
			goto out;
		}
		snprintf(msg, sizeof(msg), "rollback point %s recorded", clxs_json_str(rollback, "rollback_id", ""));
		clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
	}
	clxs_clone_exec ex = {0};
	ex.ws = t.ws;
	ex.warehouse_id = t.warehouse_id;
	ex.gate = gate;
	ex.progress = progress;
	ex.log = log_line;
	ex.ud = ctx;
	ex.resume = clxs_json_bool(ctx->job, "resume", false) ? json_object_object_get(ctx->job, "checkpoint") : NULL;
	rc = clxs_clone_execute(&ex, plan, opts, result, err);
	if (rc == CLXS_OK)
		clxs_clone_incremental_record(ctx->store, model, opts, *result);
	if (*result && rollback)
		clxs_json_set_str(*result, "rollback_id", clxs_json_str(rollback, "rollback_id", ""));
	if (rc == CLXS_OK && clxs_json_int(*result, "objects_failed", 0) > 0) {
		/* The clone ran; some objects failed: the job fails with the result. */
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "%lld object(s) failed to clone",
			       (long long)clxs_json_int(*result, "objects_failed", 0));
	}
	if (rc == CLXS_OK && clxs_json_bool(opts, "validate_after_clone", false)) {
		clxs_job_log(ctx->store, ctx->job_id, "info", "validating the clone", NULL);
		json_object *report = NULL;
		clxs_clone_validate_run(t.ws, t.warehouse_id, model, opts,
					clxs_json_bool(opts, "validate_checksum", false), &report, err);
		int64_t bad = clxs_json_int(report, "mismatched", 0) + clxs_json_int(report, "errors", 0);
		json_object_object_add(*result, "validation", report);
		if (bad > 0)
			rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "validation: %lld table(s) differ from the source",
				       (long long)bad);
	}
	if (rollback && *result && clxs_clone_should_rollback(opts, *result)) {
		clxs_job_log(ctx->store, ctx->job_id, "warn", "rolling the clone back (auto_rollback_on_failure)", NULL);
		json_object *report = NULL;
		clxs_error rerr;
		clxs_rollback_run(t.ws, t.warehouse_id, rollback, &report, &rerr);
		json_object_object_add(*result, "auto_rollback", report);
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "the clone failed its checks and was rolled back");
	}
	if (*result)
		json_object_object_add(*result, "warnings", json_object_get(json_object_object_get(model, "warnings")));
	json_object_put(rollback);
out:
	clxs_target_close(&t);
	json_object_put(plan);
	json_object_put(model);
	json_object_put(opts);
	return rc;
}
