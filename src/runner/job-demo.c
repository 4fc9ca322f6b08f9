/* The "demo-data" job: build a demo catalog (clxs_demo_build) with the
 * job's cancel flag and progress wired in; with dest_catalog, queue a
 * clone job of the new catalog afterwards and name it in the result. */
#include <stdio.h>
#include <string.h>

#include "clxs/clone.h"
#include "clxs/daemon.h"
#include "clxs/demo.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/runner.h"
#include "clxs/target.h"

static clxs_code gate(void *ud)
{
	return clxs_job_checkpoint_gate(ud);
}

static void progress(void *ud, int64_t done, int64_t total)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_progress(ctx->store, ctx->job_id, done, total, NULL, NULL);
}

static void log_line(void *ud, const char *level, const char *msg)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_log(ctx->store, ctx->job_id, level, msg, NULL);
}

clxs_code clxs_job_run_demo_data(clxs_job_ctx *ctx, json_object **result, clxs_error *err)
{
	json_object *params = json_object_object_get(ctx->job, "params");
	json_object *opts = clxs_demo_validate(json_object_object_get(params, "request"), err);
	if (!opts)
		return err->code;
	/* A job resumed after a runner loss finds its own half-built catalog
	 * (marked as a demo catalog before any data): build it afresh. */
	if (clxs_json_bool(ctx->job, "resume", false))
		clxs_json_set_bool(opts, "drop_existing", true);
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
	clxs_code rc = clxs_target_open(spec, &t, err);
	json_object_put(spec);
	if (rc) {
		json_object_put(opts);
		return rc;
	}
	clxs_demo_hooks hooks = {gate, progress, log_line, ctx};
	rc = clxs_demo_build(t.ws, t.warehouse_id, opts, &hooks, result, err);
	clxs_target_close(&t);
	const char *dest = clxs_json_str(opts, "dest_catalog", NULL);
	if (rc == CLXS_OK && dest) {
		json_object *body = json_object_new_object();
		clxs_json_set_str(body, "source_catalog", clxs_json_str(opts, "catalog_name", ""));
		clxs_json_set_str(body, "destination_catalog", dest);
		clxs_json_set_str(body, "clone_type", "DEEP");
		const char *wh = clxs_json_str(opts, "warehouse_id", NULL);
		if (wh)
			clxs_json_set_str(body, "warehouse_id", wh);
		json_object *copts = clxs_clone_validate(body, NULL, err);
		json_object_put(body);
		if (!copts) {
			rc = err->code;
		} else {
			json_object_object_del(copts, "warnings");
			json_object *cparams = json_object_new_object(), *fields = json_object_new_object();
			json_object_object_add(cparams, "request", copts);
			json_object_object_add(cparams, "target",
					       json_object_get(json_object_object_get(params, "target")));
			static const char *const listed[] = {"source_catalog", "destination_catalog", "clone_type"};
			for (size_t i = 0; i < 3; i++)
				clxs_json_set_str(fields, listed[i], clxs_json_str(copts, listed[i], NULL));
			char id[CLXS_JOB_ID_LEN + 1];
			rc = clxs_job_submit(ctx->store, "clone", cparams, fields, id, err);
			json_object_put(cparams);
			json_object_put(fields);
			if (rc == CLXS_OK) {
				char msg[600];
				snprintf(msg, sizeof(msg), "queued clone job %s: %s -> %s", id,
					 clxs_json_str(opts, "catalog_name", ""), dest);
				clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
				clxs_json_set_str(*result, "dest_catalog", dest);
				clxs_json_set_str(*result, "clone_job_id", id);
			}
		}
	}
	json_object_put(opts);
	return rc;
}
