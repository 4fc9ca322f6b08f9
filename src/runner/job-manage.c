/* Management operations that run as jobs (POST /api/sync, POST
 * /api/incremental/sync): the job's params hold the operation name, the
 * validated request and the target; the operation logs into the job and
 * stops at the job's gate between statements. */
#include <string.h>

#include "clxs/daemon.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/manage.h"
#include "clxs/runner.h"
#include "clxs/target.h"

static clxs_code gate(void *ud)
{
	return clxs_job_checkpoint_gate(ud);
}

static void log_line(void *ud, const char *level, const char *msg)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_log(ctx->store, ctx->job_id, level, msg, NULL);
}

clxs_code clxs_job_run_manage(clxs_job_ctx *ctx, json_object **result, clxs_error *err)
{
	json_object *params = json_object_object_get(ctx->job, "params");
	const clxs_mg_op *op = clxs_mg_op_find(clxs_json_str(params, "op", NULL));
	if (!op)
		return clxs_fail(err, CLXS_EVALIDATION, "op", "unknown management operation");
	/* Validated again: params may come from an older version. */
	json_object *req = clxs_mg_validate(op, json_object_object_get(params, "request"), err);
	if (!req)
		return err->code;
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
		json_object_put(req);
		return rc;
	}
	clxs_mg_ctx c = {.ws = t.ws, .warehouse_id = t.warehouse_id, .store = ctx->store,
			 .log = log_line, .gate = gate, .ud = ctx};
	rc = clxs_mg_run(op, &c, req, result, err);
	clxs_target_close(&t);
	json_object_put(req);
	return rc;
}
