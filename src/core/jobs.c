#include "clxs/jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"
#include "clxs/util.h"

/* The registry of job types. The runner maps each to a function; keeping
 * the names here lets the API validate without linking the runner. */
static const char *const job_types[] = {"noop", "sleep", "clone", "demo-data", "sync", "incremental-sync", NULL};

bool clxs_job_type_known(const char *type)
{
	for (int i = 0; type && job_types[i]; i++)
		if (strcmp(job_types[i], type) == 0)
			return true;
	return false;
}

const char *const *clxs_job_type_names(void)
{
	return job_types;
}

bool clxs_job_status_terminal(const char *status)
{
	return status && (!strcmp(status, "completed") || !strcmp(status, "failed") ||
			  !strcmp(status, "cancelled"));
}

static void set_time(json_object *job, const char *key, int64_t ms)
{
	char iso[32];
	clxs_iso8601(ms, iso);
	clxs_json_set_str(job, key, iso);
}

static void queue_key(char *buf, size_t len, int64_t created_ms, const char *job_id)
{
	snprintf(buf, len, "%016" PRIx64 ":%s", (uint64_t)created_ms, job_id);
}

/* The list index (CLXS_DB_JOBLIST). Listing jobs used to parse every job
 * record (params with the sealed target, whole clone results) and sort them
 * on each request; the index keeps them in created order instead:
 *   "a:<created_ms hex16>:<job_id>"             every job
 *   "t:<job_type>:<created_ms hex16>:<job_id>"  per job type
 * each holding the job's summary (the record minus the fields below). Both
 * entries are written in the same write transaction as the record itself,
 * so a reader never sees the index out of step with the records. Key "v"
 * says the index covers every record; a store from before the index has no
 * "v" and is indexed once, on its first listing. */
#define INDEX_MARK "v"

static const char *const summary_skip[] = {
	"params", "result", "error", "checkpoint", "runner_id", "lease_expires_ms",
	"updated_ms", "event_seq", NULL,
};

static json_object *job_summary(json_object *job)
{
	json_object *s = json_object_new_object();
	json_object_object_foreach(job, k, v) {
		size_t i = 0;
		while (summary_skip[i] && strcmp(summary_skip[i], k) != 0)
			i++;
		if (!summary_skip[i])
			json_object_object_add(s, k, json_object_get(v));
	}
	return s;
}

/* The summary as text (malloc'd), to tell whether an edit changed it. */
static char *summary_text(json_object *job)
{
	json_object *s = job_summary(job);
	char *text = strdup(clxs_json_text(s));
	json_object_put(s);
	return text;
}

/* Write the job's index entries; skipped when the summary is unchanged
 * (heartbeats and log lines only touch skipped fields). */
static clxs_code index_put(clxs_txn *txn, json_object *job, const char *before, clxs_error *err)
{
	json_object *s = job_summary(job);
	clxs_code rc = CLXS_OK;
	if (!before || strcmp(before, clxs_json_text(s)) != 0) {
		char key[256];
		uint64_t ms = (uint64_t)clxs_json_int(job, "created_ms", 0);
		const char *id = clxs_json_str(job, "job_id", "");
		snprintf(key, sizeof(key), "a:%016" PRIx64 ":%s", ms, id);
		rc = clxs_txn_put(txn, CLXS_DB_JOBLIST, key, s, err);
		snprintf(key, sizeof(key), "t:%s:%016" PRIx64 ":%s", clxs_json_str(job, "job_type", ""), ms, id);
		if (rc == CLXS_OK)
			rc = clxs_txn_put(txn, CLXS_DB_JOBLIST, key, s, err);
	}
	json_object_put(s);
	return rc;
}

/* A job record and its index entries, in the caller's write transaction. */
static clxs_code job_put(clxs_txn *txn, json_object *job, const char *before, clxs_error *err)
{
	clxs_code rc = clxs_txn_put(txn, CLXS_DB_JOBS, clxs_json_str(job, "job_id", ""), job, err);
	return rc ? rc : index_put(txn, job, before, err);
}

/* A mutation of one job record inside one write transaction. The callback
 * edits the record in place and may touch other keys through txn; it
 * returns CLXS_OK to commit, anything else to abort. */
typedef clxs_code (*job_edit_fn)(clxs_txn *txn, json_object *job, void *ud, clxs_error *err);

static clxs_code job_update(clxs_store *st, const char *job_id, job_edit_fn fn, void *ud,
			    clxs_error *err)
{
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, true, &txn, err);
	if (rc)
		return rc;
	json_object *job = clxs_txn_get(txn, CLXS_DB_JOBS, job_id, err);
	if (!job) {
		clxs_txn_abort(txn);
		return err ? err->code : CLXS_ENOTFOUND;
	}
	char *before = summary_text(job);
	rc = fn(txn, job, ud, err);
	if (rc == CLXS_OK) {
		clxs_json_set_int(job, "updated_ms", clxs_now_ms());
		rc = job_put(txn, job, before, err);
	}
	free(before);
	json_object_put(job);
	if (rc) {
		clxs_txn_abort(txn);
		return rc;
	}
	return clxs_txn_commit(txn, err);
}

clxs_code clxs_job_submit(clxs_store *st, const char *type, json_object *params,
			  json_object *fields, char *job_id, clxs_error *err)
{
	if (!clxs_job_type_known(type))
		return clxs_fail(err, CLXS_EVALIDATION, "job_type", "unknown job type '%s'",
				 type ? type : "");
	if (clxs_id_hex(job_id, CLXS_JOB_ID_LEN))
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "cannot generate a job id");
	int64_t now = clxs_now_ms();
	json_object *job = json_object_new_object();
	if (fields) {
		json_object_object_foreach(fields, k, v)
			json_object_object_add(job, k, json_object_get(v));
	}
	clxs_json_set_str(job, "job_id", job_id);
	clxs_json_set_str(job, "job_type", type);
	clxs_json_set_str(job, "status", "queued");
	json_object *pcopy = NULL;
	if (params && json_object_deep_copy(params, &pcopy, NULL) != 0) {
		json_object_put(job);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	json_object_object_add(job, "params", pcopy ? pcopy : json_object_new_object());
	json_object *progress = json_object_new_object();
	clxs_json_set_int(progress, "completed", 0);
	clxs_json_set_int(progress, "total", 0);
	json_object_object_add(job, "progress", progress);
	json_object_object_add(job, "result", NULL);
	json_object_object_add(job, "error", NULL);
	set_time(job, "created_at", now);
	clxs_json_set_int(job, "created_ms", now);
	clxs_json_set_int(job, "updated_ms", now);
	clxs_json_set_int(job, "attempts", 0);
	clxs_json_set_bool(job, "cancel_requested", false);
	clxs_json_set_int(job, "event_seq", 0);

	char qkey[64];
	queue_key(qkey, sizeof(qkey), now, job_id);
	json_object *qval = json_object_new_string(job_id);
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, true, &txn, err);
	if (rc == CLXS_OK) {
		if ((rc = job_put(txn, job, NULL, err)) ||
		    (rc = clxs_txn_put(txn, CLXS_DB_QUEUE, qkey, qval, err)))
			clxs_txn_abort(txn);
		else
			rc = clxs_txn_commit(txn, err);
	}
	json_object_put(qval);
	json_object_put(job);
	return rc;
}

json_object *clxs_job_get(clxs_store *st, const char *job_id, clxs_error *err)
{
	json_object *job = clxs_store_get(st, CLXS_DB_JOBS, job_id, err);
	if (!job && err && err->code == CLXS_ENOTFOUND)
		clxs_fail(err, CLXS_ENOTFOUND, "job_id", "job '%s' not found", job_id);
	return job;
}

static int backfill_visit(const char *key, json_object *job, void *ud)
{
	(void)key;
	return index_put(ud, job, NULL, NULL) != CLXS_OK;
}

/* Index the records of a store written before the index existed. Runs at
 * most once per store (concurrent callers serialise on the write lock and
 * rewrite the same entries). */
static clxs_code index_ensure(clxs_store *st, clxs_error *err)
{
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, false, &txn, err);
	if (rc)
		return rc;
	json_object *mark = clxs_txn_get(txn, CLXS_DB_JOBLIST, INDEX_MARK, NULL);
	bool marked = mark != NULL;
	json_object_put(mark);
	clxs_txn_abort(txn);
	if (marked)
		return CLXS_OK;
	if ((rc = clxs_txn_begin(st, true, &txn, err)))
		return rc;
	json_object *one = json_object_new_int(1);
	rc = clxs_txn_scan(txn, CLXS_DB_JOBS, "", false, backfill_visit, txn, err);
	if (rc == CLXS_OK)
		rc = clxs_txn_put(txn, CLXS_DB_JOBLIST, INDEX_MARK, one, err);
	json_object_put(one);
	if (rc) {
		clxs_txn_abort(txn);
		return rc;
	}
	return clxs_txn_commit(txn, err);
}

struct list_ctx {
	json_object *arr;
	clxs_txn *txn;  /* set: fetch the full record of each entry */
	size_t limit;   /* 0 = all */
};

static int list_visit(const char *key, json_object *val, void *ud)
{
	struct list_ctx *c = ud;
	(void)key;
	json_object *item = c->txn ? clxs_txn_get(c->txn, CLXS_DB_JOBS, clxs_json_str(val, "job_id", ""), NULL)
				   : json_object_get(val);
	if (item)
		json_object_array_add(c->arr, item);
	return c->limit && json_object_array_length(c->arr) >= c->limit;
}

/* Newest first from the index, in one short read transaction. */
static json_object *list_from_index(clxs_store *st, const char *type, int limit, bool full, clxs_error *err)
{
	if (index_ensure(st, err))
		return NULL;
	char prefix[96];
	if (type)
		snprintf(prefix, sizeof(prefix), "t:%s:", type);
	else
		snprintf(prefix, sizeof(prefix), "a:");
	clxs_txn *txn;
	if (clxs_txn_begin(st, false, &txn, err))
		return NULL;
	struct list_ctx c = {json_object_new_array(), full ? txn : NULL, limit > 0 ? (size_t)limit : 0};
	clxs_code rc = clxs_txn_scan(txn, CLXS_DB_JOBLIST, prefix, true, list_visit, &c, err);
	clxs_txn_abort(txn);
	if (rc) {
		json_object_put(c.arr);
		return NULL;
	}
	return c.arr;
}

json_object *clxs_job_list(clxs_store *st, const char *type, int limit, clxs_error *err)
{
	return list_from_index(st, type, limit, true, err);
}

json_object *clxs_job_list_summary(clxs_store *st, const char *type, int limit, clxs_error *err)
{
	return list_from_index(st, type, limit, false, err);
}

static clxs_code del_queue_entry(clxs_txn *txn, json_object *job, clxs_error *err)
{
	char qkey[64];
	queue_key(qkey, sizeof(qkey), clxs_json_int(job, "created_ms", 0), clxs_json_str(job, "job_id", ""));
	return clxs_txn_del(txn, CLXS_DB_QUEUE, qkey, err);
}

static void mark_finished(json_object *job, const char *status)
{
	int64_t now = clxs_now_ms();
	clxs_json_set_str(job, "status", status);
	set_time(job, "completed_at", now);
	json_object_object_del(job, "lease_expires_ms");
}

static clxs_code cancel_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	char *status_out = ud;
	const char *status = clxs_json_str(job, "status", "");
	if (clxs_job_status_terminal(status))
		return clxs_fail(err, CLXS_ECONFLICT, "job_id", "job %s is already %s",
				 clxs_json_str(job, "job_id", ""), status);
	clxs_json_set_bool(job, "cancel_requested", true);
	if (strcmp(status, "queued") == 0) {
		clxs_code rc = del_queue_entry(txn, job, err);
		if (rc)
			return rc;
		mark_finished(job, "cancelled");
		snprintf(status_out, 16, "cancelled");
	} else {
		snprintf(status_out, 16, "cancelling");
	}
	return CLXS_OK;
}

clxs_code clxs_job_cancel(clxs_store *st, const char *job_id, char status_out[16], clxs_error *err)
{
	clxs_code rc = job_update(st, job_id, cancel_edit, status_out, err);
	if (rc == CLXS_ENOTFOUND)
		clxs_fail(err, CLXS_ENOTFOUND, "job_id", "job '%s' not found", job_id);
	return rc;
}

struct claim_ctx {
	char queue_key[512];
	char job_id[64];
};

static int claim_first(const char *key, json_object *val, void *ud)
{
	struct claim_ctx *c = ud;
	snprintf(c->queue_key, sizeof(c->queue_key), "%s", key);
	snprintf(c->job_id, sizeof(c->job_id), "%s", json_object_get_string(val));
	return 1;
}

json_object *clxs_job_claim(clxs_store *st, const char *runner_id, int64_t lease_ms, clxs_error *err)
{
	clxs_txn *txn;
	if (clxs_txn_begin(st, true, &txn, err))
		return NULL;
	/* Loop because a queue entry can point at a job that was cancelled or
	 * deleted; such entries are dropped as we go. */
	for (;;) {
		struct claim_ctx c = {{0}, {0}};
		if (clxs_txn_scan(txn, CLXS_DB_QUEUE, "", false, claim_first, &c, err))
			goto fail;
		if (!c.job_id[0]) {
			clxs_txn_abort(txn);
			clxs_fail(err, CLXS_ENOTFOUND, NULL, "no queued job");
			return NULL;
		}
		if (clxs_txn_del(txn, CLXS_DB_QUEUE, c.queue_key, err))
			goto fail;
		json_object *job = clxs_txn_get(txn, CLXS_DB_JOBS, c.job_id, NULL);
		if (!job || strcmp(clxs_json_str(job, "status", ""), "queued") != 0) {
			json_object_put(job);
			continue;
		}
		int64_t now = clxs_now_ms();
		clxs_json_set_str(job, "status", "running");
		clxs_json_set_str(job, "runner_id", runner_id);
		clxs_json_set_int(job, "lease_expires_ms", now + lease_ms);
		clxs_json_set_int(job, "updated_ms", now);
		if (!json_object_object_get_ex(job, "started_at", NULL))
			set_time(job, "started_at", now);
		if (job_put(txn, job, NULL, err)) {
			json_object_put(job);
			goto fail;
		}
		if (clxs_txn_commit(txn, err)) {
			json_object_put(job);
			if (err && err->code == CLXS_OK)
				err->code = CLXS_ESTORE;
			return NULL; /* commit frees the txn even on failure */
		}
		return job;
	}
fail:
	clxs_txn_abort(txn);
	return NULL;
}

struct owner_ctx {
	const char *runner_id;
	int64_t lease_ms;
	bool *cancel;
};

static clxs_code owned_running(json_object *job, const char *runner_id, clxs_error *err)
{
	if (strcmp(clxs_json_str(job, "status", ""), "running") != 0 ||
	    strcmp(clxs_json_str(job, "runner_id", ""), runner_id) != 0)
		return clxs_fail(err, CLXS_ECONFLICT, "job_id",
				 "job %s is no longer owned by this runner",
				 clxs_json_str(job, "job_id", ""));
	return CLXS_OK;
}

static clxs_code heartbeat_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	struct owner_ctx *c = ud;
	(void)txn;
	clxs_code rc = owned_running(job, c->runner_id, err);
	if (rc)
		return rc;
	clxs_json_set_int(job, "lease_expires_ms", clxs_now_ms() + c->lease_ms);
	if (c->cancel)
		*c->cancel = clxs_json_bool(job, "cancel_requested", false);
	return CLXS_OK;
}

clxs_code clxs_job_heartbeat(clxs_store *st, const char *job_id, const char *runner_id,
			     int64_t lease_ms, bool *cancel, clxs_error *err)
{
	struct owner_ctx c = {runner_id, lease_ms, cancel};
	return job_update(st, job_id, heartbeat_edit, &c, err);
}

struct progress_ctx {
	int64_t completed, total;
	json_object *checkpoint;
};

static clxs_code progress_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	struct progress_ctx *c = ud;
	(void)txn;
	json_object *p = json_object_new_object();
	clxs_json_set_int(p, "completed", c->completed);
	clxs_json_set_int(p, "total", c->total);
	json_object_object_add(job, "progress", p);
	if (c->checkpoint) {
		json_object *copy = NULL;
		if (json_object_deep_copy(c->checkpoint, &copy, NULL) != 0)
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		json_object_object_add(job, "checkpoint", copy);
	}
	return CLXS_OK;
}

clxs_code clxs_job_progress(clxs_store *st, const char *job_id, int64_t completed, int64_t total,
			    json_object *checkpoint, clxs_error *err)
{
	struct progress_ctx c = {completed, total, checkpoint};
	return job_update(st, job_id, progress_edit, &c, err);
}

struct finish_ctx {
	const char *runner_id, *status, *error;
	json_object *result;
};

static clxs_code finish_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	struct finish_ctx *c = ud;
	(void)txn;
	clxs_code rc = owned_running(job, c->runner_id, err);
	if (rc)
		return rc;
	json_object *copy = NULL;
	if (c->result && json_object_deep_copy(c->result, &copy, NULL) != 0)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	json_object_object_add(job, "result", copy);
	clxs_json_set_str(job, "error", c->error);
	mark_finished(job, c->status);
	return CLXS_OK;
}

clxs_code clxs_job_finish(clxs_store *st, const char *job_id, const char *runner_id,
			  const char *status, json_object *result, const char *error, clxs_error *err)
{
	if (!clxs_job_status_terminal(status))
		return clxs_fail(err, CLXS_EINVAL, "status", "'%s' is not a final status", status);
	struct finish_ctx c = {runner_id, status, error, result};
	return job_update(st, job_id, finish_edit, &c, err);
}

/* Back to the queue, keeping created_ms so the job keeps its place. */
static clxs_code requeue(clxs_txn *txn, json_object *job, clxs_error *err)
{
	char qkey[64];
	const char *id = clxs_json_str(job, "job_id", "");
	queue_key(qkey, sizeof(qkey), clxs_json_int(job, "created_ms", 0), id);
	clxs_json_set_str(job, "status", "queued");
	clxs_json_set_bool(job, "resume", true);
	json_object_object_del(job, "runner_id");
	json_object_object_del(job, "lease_expires_ms");
	json_object *qval = json_object_new_string(id);
	clxs_code rc = clxs_txn_put(txn, CLXS_DB_QUEUE, qkey, qval, err);
	json_object_put(qval);
	return rc;
}

static clxs_code release_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	clxs_code rc = owned_running(job, ud, err);
	return rc ? rc : requeue(txn, job, err);
}

clxs_code clxs_job_release(clxs_store *st, const char *job_id, const char *runner_id, clxs_error *err)
{
	return job_update(st, job_id, release_edit, (void *)runner_id, err);
}

struct log_ctx {
	const char *level, *message;
};

static clxs_code log_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	struct log_ctx *c = ud;
	int64_t seq = clxs_json_int(job, "event_seq", 0) + 1;
	clxs_json_set_int(job, "event_seq", seq);
	char key[128];
	snprintf(key, sizeof(key), "%s:%010" PRId64, clxs_json_str(job, "job_id", ""), seq);
	json_object *ev = json_object_new_object();
	char iso[32];
	clxs_iso8601(clxs_now_ms(), iso);
	clxs_json_set_int(ev, "seq", seq);
	clxs_json_set_str(ev, "ts", iso);
	clxs_json_set_str(ev, "level", c->level);
	clxs_json_set_str(ev, "message", c->message);
	clxs_code rc = clxs_txn_put(txn, CLXS_DB_EVENTS, key, ev, err);
	json_object_put(ev);
	return rc;
}

clxs_code clxs_job_log(clxs_store *st, const char *job_id, const char *level, const char *message,
		       clxs_error *err)
{
	struct log_ctx c = {level, message};
	return job_update(st, job_id, log_edit, &c, err);
}

struct events_ctx {
	json_object *arr;
	int64_t after;
};

static int events_visit(const char *key, json_object *val, void *ud)
{
	struct events_ctx *c = ud;
	(void)key;
	if (clxs_json_int(val, "seq", 0) > c->after)
		json_object_array_add(c->arr, json_object_get(val));
	return 0;
}

json_object *clxs_job_events(clxs_store *st, const char *job_id, int64_t after, clxs_error *err)
{
	char prefix[96];
	snprintf(prefix, sizeof(prefix), "%s:", job_id);
	struct events_ctx c = {json_object_new_array(), after};
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, false, &txn, err);
	if (rc == CLXS_OK) {
		rc = clxs_txn_scan(txn, CLXS_DB_EVENTS, prefix, false, events_visit, &c, err);
		clxs_txn_abort(txn);
	}
	if (rc) {
		json_object_put(c.arr);
		return NULL;
	}
	return c.arr;
}

struct recover_ctx {
	json_object *ids; /* ids of abandoned jobs, collected under a read scan */
	clxs_owner_alive_fn alive;
	int64_t now;
};

static int recover_visit(const char *key, json_object *job, void *ud)
{
	struct recover_ctx *c = ud;
	if (strcmp(clxs_json_str(job, "status", ""), "running") != 0)
		return 0;
	bool expired = clxs_json_int(job, "lease_expires_ms", 0) < c->now;
	bool dead = c->alive && !c->alive(clxs_json_str(job, "runner_id", ""));
	if (expired || dead)
		json_object_array_add(c->ids, json_object_new_string(key));
	return 0;
}

static clxs_code recover_edit(clxs_txn *txn, json_object *job, void *ud, clxs_error *err)
{
	struct recover_ctx *c = ud;
	/* Re-check inside the write transaction: the owner may have renewed
	 * its lease since the scan. */
	if (strcmp(clxs_json_str(job, "status", ""), "running") != 0)
		return clxs_fail(err, CLXS_ECONFLICT, NULL, "job changed");
	bool expired = clxs_json_int(job, "lease_expires_ms", 0) < c->now;
	bool dead = c->alive && !c->alive(clxs_json_str(job, "runner_id", ""));
	if (!expired && !dead)
		return clxs_fail(err, CLXS_ECONFLICT, NULL, "job still owned");
	int64_t attempts = clxs_json_int(job, "attempts", 0) + 1;
	clxs_json_set_int(job, "attempts", attempts);
	char reason[160];
	snprintf(reason, sizeof(reason), "runner %s lost the job (%s)",
		 clxs_json_str(job, "runner_id", "?"), dead ? "process gone" : "lease expired");
	if (clxs_json_bool(job, "cancel_requested", false)) {
		mark_finished(job, "cancelled");
		clxs_json_set_str(job, "error", reason);
		return CLXS_OK;
	}
	if (attempts >= CLXS_JOB_MAX_ATTEMPTS) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s; gave up after %" PRId64 " attempts", reason, attempts);
		mark_finished(job, "failed");
		clxs_json_set_str(job, "error", msg);
		return CLXS_OK;
	}
	clxs_json_set_str(job, "recovered_reason", reason);
	return requeue(txn, job, err);
}

clxs_code clxs_job_recover(clxs_store *st, clxs_owner_alive_fn owner_alive, int *recovered,
			   clxs_error *err)
{
	struct recover_ctx c = {json_object_new_array(), owner_alive, clxs_now_ms()};
	*recovered = 0;
	clxs_txn *txn;
	clxs_code rc = clxs_txn_begin(st, false, &txn, err);
	if (rc == CLXS_OK) {
		rc = clxs_txn_scan(txn, CLXS_DB_JOBS, "", false, recover_visit, &c, err);
		clxs_txn_abort(txn);
	}
	for (size_t i = 0; rc == CLXS_OK && i < json_object_array_length(c.ids); i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(c.ids, i));
		clxs_error e;
		clxs_code r = job_update(st, id, recover_edit, &c, &e);
		if (r == CLXS_OK) {
			(*recovered)++;
			clxs_job_log(st, id, "warn", "job recovered after its runner was lost", NULL);
		} else if (r != CLXS_ECONFLICT && r != CLXS_ENOTFOUND) {
			rc = r;
			if (err)
				*err = e;
		}
	}
	json_object_put(c.ids);
	return rc;
}
