/* The job queue in LMDB. Long work is a job: queued -> running ->
 * completed | failed | cancelled. The API submits and cancels, the runner
 * claims, heartbeats and finishes. Every state change is one LMDB write
 * transaction, so two runners can never claim the same job and a crash
 * never leaves a job half-moved between the queue and the job record. */
#ifndef CLXS_JOBS_H
#define CLXS_JOBS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/store.h"

#define CLXS_JOB_ID_LEN 16
/* A job is requeued after a runner loss at most this many times. */
#define CLXS_JOB_MAX_ATTEMPTS 3

/* Job types the runner knows; the API refuses others with 422. */
bool clxs_job_type_known(const char *type);
const char *const *clxs_job_type_names(void);

bool clxs_job_status_terminal(const char *status);

/* Queue a job. params is copied (may be NULL). extra fields of the record
 * (e.g. source_catalog for clone listings) can be added with `fields`, also
 * copied. On success job_id (CLXS_JOB_ID_LEN + 1 bytes) is filled. */
clxs_code clxs_job_submit(clxs_store *st, const char *type, json_object *params,
			  json_object *fields, char *job_id, clxs_error *err);
json_object *clxs_job_get(clxs_store *st, const char *job_id, clxs_error *err);
/* Newest first, at most limit (0 = all); type NULL = every type. */
json_object *clxs_job_list(clxs_store *st, const char *type, int limit, clxs_error *err);
/* The same order and limit, but job summaries: the record without params,
 * result, error, checkpoint and runner bookkeeping (runner_id, lease, event
 * counter, updated_ms). Listings that show only status, progress, times and
 * the submit-time `fields` use this; it reads only a small index. */
json_object *clxs_job_list_summary(clxs_store *st, const char *type, int limit, clxs_error *err);
/* Queued jobs become cancelled at once; running ones get cancel_requested
 * and the runner stops at the next boundary. *status_out receives the
 * status after the call ("cancelled" or "cancelling"). Terminal jobs give
 * CLXS_ECONFLICT. */
clxs_code clxs_job_cancel(clxs_store *st, const char *job_id, char status_out[16], clxs_error *err);

/* Runner side. runner_id identifies the claiming process
 * ("host/pid/start_ms"). */
json_object *clxs_job_claim(clxs_store *st, const char *runner_id, int64_t lease_ms, clxs_error *err);
/* Extend the lease. Gives CLXS_ECONFLICT when the job is no longer ours
 * (it was recovered elsewhere), in which case the runner must drop it.
 * *cancel is set from the cancel flag. */
clxs_code clxs_job_heartbeat(clxs_store *st, const char *job_id, const char *runner_id,
			     int64_t lease_ms, bool *cancel, clxs_error *err);
/* Record progress and an optional checkpoint (copied) to resume from. */
clxs_code clxs_job_progress(clxs_store *st, const char *job_id, int64_t completed, int64_t total,
			    json_object *checkpoint, clxs_error *err);
/* status: "completed", "failed" or "cancelled"; result copied, error may be NULL. */
clxs_code clxs_job_finish(clxs_store *st, const char *job_id, const char *runner_id,
			  const char *status, json_object *result, const char *error, clxs_error *err);
/* Put a running job back in the queue (graceful runner shutdown). */
clxs_code clxs_job_release(clxs_store *st, const char *job_id, const char *runner_id, clxs_error *err);
clxs_code clxs_job_log(clxs_store *st, const char *job_id, const char *level, const char *message,
		       clxs_error *err);
/* Events after sequence number `after` (-1 for all), oldest first. */
json_object *clxs_job_events(clxs_store *st, const char *job_id, int64_t after, clxs_error *err);

/* Find running jobs whose runner is gone: lease expired, or the owner is a
 * process on this host that no longer exists (owner_alive says so; may be
 * NULL). Jobs with a checkpoint, or jobs that never reported progress, are
 * requeued with resume=true and attempts+1; past CLXS_JOB_MAX_ATTEMPTS they
 * fail with a reason. *recovered counts the jobs touched. */
typedef bool (*clxs_owner_alive_fn)(const char *runner_id);
clxs_code clxs_job_recover(clxs_store *st, clxs_owner_alive_fn owner_alive, int *recovered,
			   clxs_error *err);

#endif
