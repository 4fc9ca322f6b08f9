/* The job runner: claims queued jobs from LMDB and runs them on a fixed set
 * of threads, renewing each job's lease from a heartbeat thread. */
#ifndef CLXS_RUNNER_H
#define CLXS_RUNNER_H

#include <json-c/json.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/store.h"

typedef struct {
	clxs_store *store;
	const char *runner_id;
	char job_id[64];
	json_object *job;        /* the claimed record: params, checkpoint, resume */
	atomic_bool cancel;      /* the user asked to cancel */
	atomic_bool stop;        /* the runner is shutting down: release, don't fail */
	atomic_bool lost;        /* our lease was taken over: drop the job */
	int64_t last_poll_ms;    /* last cancel check by the job's own thread */
	const char *state_dir;   /* the runner's state directory */
} clxs_job_ctx;

/* A job body. Return CLXS_OK with *result set (may stay NULL) to complete;
 * CLXS_ECANCELLED when it stopped for ctx->cancel; CLXS_EUNAVAILABLE when it
 * stopped for ctx->stop (the job goes back to the queue with its
 * checkpoint); anything else fails the job with err's message. */
typedef clxs_code (*clxs_job_fn)(clxs_job_ctx *ctx, json_object **result, clxs_error *err);

/* Checked by job bodies at every statement/step boundary. */
clxs_code clxs_job_checkpoint_gate(clxs_job_ctx *ctx);

clxs_job_fn clxs_runner_job_fn(const char *type);

/* The built-in job types (src/runner/jobs-builtin.c). */
clxs_code clxs_job_run_noop(clxs_job_ctx *ctx, json_object **result, clxs_error *err);
clxs_code clxs_job_run_sleep(clxs_job_ctx *ctx, json_object **result, clxs_error *err);
/* A catalog clone (src/runner/job-clone.c). */
clxs_code clxs_job_run_clone(clxs_job_ctx *ctx, json_object **result, clxs_error *err);
/* -- job types: catalogs, demo data -- */
/* Build a demo catalog, then optionally queue its clone (src/runner/job-demo.c). */
clxs_code clxs_job_run_demo_data(clxs_job_ctx *ctx, json_object **result, clxs_error *err);
/* -- job types: analysis -- */
/* -- job types: management -- */
/* POST /api/sync and /api/incremental/sync (src/runner/job-manage.c). */
clxs_code clxs_job_run_manage(clxs_job_ctx *ctx, json_object **result, clxs_error *err);
/* -- job types: audit -- */

typedef struct {
	const char *lmdb_dir;
	const char *state_dir;
	int concurrency;      /* jobs at once */
	int64_t lease_ms;     /* lease length; renewed every lease_ms / 3 */
	int64_t poll_ms;      /* idle wait between queue polls */
} clxs_runner_opts;

/* Run until *stop becomes true (set from a signal handler). */
int clxs_runner_run(const clxs_runner_opts *opts, volatile int *stop);

#endif
