/* Built-in job types that prove the job lifecycle end to end: noop finishes
 * at once; sleep works in 100 ms steps, reports progress, checkpoints, and
 * resumes from its checkpoint after a runner loss. */
#include <math.h>
#include <stdio.h>

#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/runner.h"
#include "clxs/util.h"

#define STEP_MS 100

clxs_code clxs_job_run_noop(clxs_job_ctx *ctx, json_object **result, clxs_error *err)
{
	(void)err;
	clxs_job_log(ctx->store, ctx->job_id, "info", "noop job done", NULL);
	*result = json_object_new_object();
	clxs_json_set_bool(*result, "ok", true);
	return CLXS_OK;
}

clxs_code clxs_job_run_sleep(clxs_job_ctx *ctx, json_object **result, clxs_error *err)
{
	json_object *params = NULL, *checkpoint = NULL;
	json_object_object_get_ex(ctx->job, "params", &params);
	json_object_object_get_ex(ctx->job, "checkpoint", &checkpoint);
	double seconds = clxs_json_double(params, "seconds", 1.0);
	if (!(seconds >= 0 && seconds <= 86400))
		return clxs_fail(err, CLXS_EVALIDATION, "seconds", "seconds must be between 0 and 86400");
	int64_t total = (int64_t)ceil(seconds * 1000 / STEP_MS);
	int64_t step = clxs_json_bool(ctx->job, "resume", false) ? clxs_json_int(checkpoint, "step", 0) : 0;
	char msg[128];
	if (step > 0) {
		snprintf(msg, sizeof(msg), "resuming from step %lld of %lld", (long long)step, (long long)total);
		clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
	}
	int64_t resumed_at = step;
	for (; step < total; step++) {
		clxs_code gate = clxs_job_checkpoint_gate(ctx);
		if (gate)
			return gate;
		clxs_sleep_ms(STEP_MS);
		json_object *cp = json_object_new_object();
		clxs_json_set_int(cp, "step", step + 1);
		clxs_code rc = clxs_job_progress(ctx->store, ctx->job_id, step + 1, total, cp, err);
		json_object_put(cp);
		if (rc)
			return rc;
	}
	if (clxs_json_bool(params, "fail", false))
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "sleep job asked to fail");
	*result = json_object_new_object();
	clxs_json_set_int(*result, "steps", total);
	clxs_json_set_int(*result, "resumed_at_step", resumed_at);
	return CLXS_OK;
}
