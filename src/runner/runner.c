/* The runner's machinery: worker threads that claim and run jobs, and one
 * heartbeat thread that renews leases, relays cancel flags and recovers jobs
 * abandoned by dead runners. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/daemon.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/runner.h"
#include "clxs/util.h"

static const struct {
	const char *type;
	clxs_job_fn fn;
} job_fns[] = {
	{"noop", clxs_job_run_noop},
	{"sleep", clxs_job_run_sleep},
	{"clone", clxs_job_run_clone},
	/* -- job types: catalogs, demo data -- */
	{"demo-data", clxs_job_run_demo_data},
	/* -- job types: analysis -- */
	/* -- job types: management -- */
	{"sync", clxs_job_run_manage},
	{"incremental-sync", clxs_job_run_manage},
	/* -- job types: audit -- */
};

clxs_job_fn clxs_runner_job_fn(const char *type)
{
	for (size_t i = 0; i < sizeof(job_fns) / sizeof(job_fns[0]); i++)
		if (strcmp(job_fns[i].type, type) == 0)
			return job_fns[i].fn;
	return NULL;
}

/* How often a job re-reads its own record for a cancel request. LMDB reads
 * cost microseconds, so cancel is seen at the next boundary rather than at
 * the next heartbeat. */
#define CANCEL_POLL_MS 200

clxs_code clxs_job_checkpoint_gate(clxs_job_ctx *ctx)
{
	int64_t now = clxs_mono_ms();
	if (now - ctx->last_poll_ms >= CANCEL_POLL_MS) {
		ctx->last_poll_ms = now;
		json_object *job = clxs_job_get(ctx->store, ctx->job_id, NULL);
		if (job && clxs_json_bool(job, "cancel_requested", false))
			atomic_store(&ctx->cancel, true);
		json_object_put(job);
	}
	if (atomic_load(&ctx->lost) || atomic_load(&ctx->stop))
		return CLXS_EUNAVAILABLE;
	if (atomic_load(&ctx->cancel))
		return CLXS_ECANCELLED;
	return CLXS_OK;
}

typedef struct runner runner;

typedef struct {
	runner *r;
	pthread_t thread;
	pthread_mutex_t lock; /* guards `active` against the heartbeat thread */
	clxs_job_ctx *active;
} slot;

struct runner {
	const clxs_runner_opts *opts;
	clxs_store *store;
	char id[256];
	volatile int *stop;
	slot *slots;
};

static void run_one(slot *s, json_object *job)
{
	runner *r = s->r;
	clxs_job_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		json_object_put(job);
		return;
	}
	ctx->store = r->store;
	ctx->runner_id = r->id;
	ctx->state_dir = r->opts->state_dir;
	ctx->job = job;
	snprintf(ctx->job_id, sizeof(ctx->job_id), "%s", clxs_json_str(job, "job_id", ""));
	atomic_init(&ctx->cancel, clxs_json_bool(job, "cancel_requested", false));
	atomic_init(&ctx->stop, false);
	atomic_init(&ctx->lost, false);
	pthread_mutex_lock(&s->lock);
	s->active = ctx;
	pthread_mutex_unlock(&s->lock);

	const char *type = clxs_json_str(job, "job_type", "");
	clxs_info("running job %s (%s)", ctx->job_id, type);
	clxs_job_log(r->store, ctx->job_id, "info", "job started", NULL);
	json_object *result = NULL;
	clxs_error err;
	clxs_error_clear(&err);
	clxs_job_fn fn = clxs_runner_job_fn(type);
	clxs_code rc = fn ? fn(ctx, &result, &err)
			  : clxs_fail(&err, CLXS_EVALIDATION, "job_type", "no runner for job type '%s'", type);

	pthread_mutex_lock(&s->lock);
	s->active = NULL;
	pthread_mutex_unlock(&s->lock);

	clxs_error ferr;
	clxs_code frc = CLXS_OK;
	if (atomic_load(&ctx->lost)) {
		clxs_warn("job %s was taken over by another runner; dropping it", ctx->job_id);
	} else if (rc == CLXS_EUNAVAILABLE && atomic_load(&ctx->stop)) {
		clxs_job_log(r->store, ctx->job_id, "warn", "runner stopping; job returned to the queue", NULL);
		frc = clxs_job_release(r->store, ctx->job_id, r->id, &ferr);
	} else if (rc == CLXS_ECANCELLED) {
		clxs_job_log(r->store, ctx->job_id, "warn", "job cancelled", NULL);
		frc = clxs_job_finish(r->store, ctx->job_id, r->id, "cancelled", result, NULL, &ferr);
	} else if (rc == CLXS_OK) {
		clxs_job_log(r->store, ctx->job_id, "info", "job completed", NULL);
		frc = clxs_job_finish(r->store, ctx->job_id, r->id, "completed", result, NULL, &ferr);
	} else {
		clxs_job_log(r->store, ctx->job_id, "error", err.message, NULL);
		frc = clxs_job_finish(r->store, ctx->job_id, r->id, "failed", result, err.message, &ferr);
	}
	if (frc)
		clxs_error_log("cannot record the end of job %s: %s", ctx->job_id, ferr.message);
	else
		clxs_info("job %s ended (%s)", ctx->job_id, clxs_code_name(rc));
	json_object_put(result);
	json_object_put(job);
	free(ctx);
}

static void *slot_main(void *arg)
{
	slot *s = arg;
	runner *r = s->r;
	while (!*r->stop) {
		clxs_error err;
		json_object *job = clxs_job_claim(r->store, r->id, r->opts->lease_ms, &err);
		if (!job) {
			if (err.code != CLXS_ENOTFOUND)
				clxs_error_log("claim failed: %s", err.message);
			/* Sleep in short naps so a stop signal is seen quickly. */
			for (int64_t t = 0; t < r->opts->poll_ms && !*r->stop; t += 50)
				clxs_sleep_ms(50);
			continue;
		}
		run_one(s, job);
	}
	return NULL;
}

static void heartbeat_all(runner *r)
{
	for (int i = 0; i < r->opts->concurrency; i++) {
		slot *s = &r->slots[i];
		pthread_mutex_lock(&s->lock);
		clxs_job_ctx *ctx = s->active;
		if (ctx) {
			bool cancel = false;
			clxs_error err;
			clxs_code rc = clxs_job_heartbeat(r->store, ctx->job_id, r->id, r->opts->lease_ms,
							  &cancel, &err);
			if (rc == CLXS_ECONFLICT || rc == CLXS_ENOTFOUND)
				atomic_store(&ctx->lost, true);
			else if (rc)
				clxs_warn("heartbeat for %s failed: %s", ctx->job_id, err.message);
			else if (cancel)
				atomic_store(&ctx->cancel, true);
			if (*r->stop)
				atomic_store(&ctx->stop, true);
		}
		pthread_mutex_unlock(&s->lock);
	}
}

static void recover(runner *r)
{
	int n = 0;
	clxs_error err;
	if (clxs_job_recover(r->store, clxs_process_id_alive, &n, &err))
		clxs_error_log("job recovery failed: %s", err.message);
	else if (n)
		clxs_warn("recovered %d job(s) abandoned by a lost runner", n);
}

int clxs_runner_run(const clxs_runner_opts *opts, volatile int *stop)
{
	runner r = {.opts = opts, .stop = stop};
	clxs_error err;
	if (clxs_store_open(opts->lmdb_dir, 0, &r.store, &err)) {
		clxs_error_log("cannot open the store: %s", err.message);
		return 1;
	}
	clxs_process_id(r.id, sizeof(r.id));
	clxs_info("runner %s started: %d slot(s), lease %lld ms", r.id, opts->concurrency,
		  (long long)opts->lease_ms);
	recover(&r);

	r.slots = calloc((size_t)opts->concurrency, sizeof(slot));
	if (!r.slots) {
		clxs_store_close(r.store);
		return 1;
	}
	int started = 0;
	for (; started < opts->concurrency; started++) {
		slot *s = &r.slots[started];
		s->r = &r;
		pthread_mutex_init(&s->lock, NULL);
		if (pthread_create(&s->thread, NULL, slot_main, s) != 0) {
			clxs_error_log("cannot start runner thread");
			pthread_mutex_destroy(&s->lock);
			*stop = 1;
			break;
		}
	}

	/* The heartbeat runs on the main thread; it also notices the stop flag
	 * and passes it to running jobs so they can be released. */
	int64_t beat = opts->lease_ms / 3 > 50 ? opts->lease_ms / 3 : 50;
	int64_t last_recover = clxs_mono_ms();
	while (!*stop) {
		for (int64_t t = 0; t < beat && !*stop; t += 50)
			clxs_sleep_ms(50);
		heartbeat_all(&r);
		if (clxs_mono_ms() - last_recover >= opts->lease_ms) {
			recover(&r);
			last_recover = clxs_mono_ms();
		}
	}
	heartbeat_all(&r); /* sets ctx->stop on every running job */
	for (int i = 0; i < started; i++) {
		pthread_join(r.slots[i].thread, NULL);
		pthread_mutex_destroy(&r.slots[i].lock);
	}
	free(r.slots);
	clxs_store_close(r.store);
	clxs_info("runner stopped");
	return 0;
}
