/* Running a clone plan through the workspace client: statements in plan
 * order, table clones on parallel_tables threads, a durable checkpoint after
 * every statement, and a per-object account of what happened. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/util.h"
#include "clxs/volume_copy.h"
#include "clxs/workspace.h"

typedef struct {
	clxs_clone_exec *ex;
	json_object *opts;
	json_object *statements;
	size_t n;
	char *state;          /* per step: 0 todo, 1 done, 2 failed */
	char **errors;        /* per step: error message of a failed step */
	json_object *checkpoint_done;
	char sha[65];
	pthread_mutex_t lock; /* guards state, errors, checkpoint, next and callbacks */
	size_t next;          /* next table statement for the table threads */
	size_t table_lo, table_hi;
	clxs_code stop;       /* a gate said stop */
	int64_t done_count;
	int64_t resumed;      /* steps a checkpoint said were done */
	/* Totals read from the table statements' results (CLONE metrics,
	 * CTAS row counts) and from volume file copies. */
	int64_t source_bytes, copied_bytes, inserted_rows;
	json_object *volume_files; /* per file: {"volume", "path", "bytes", "status", "error"?} */
	int64_t files_copied, files_failed, file_bytes;
	bool securing;        /* applying filters/masks after a stop: ignore cancel */
} run;

static void plan_sha(json_object *statements, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char dig[32];
	unsigned int len = 0;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (size_t i = 0; i < json_object_array_length(statements); i++) {
		const char *sql = clxs_json_str(json_object_array_get_idx(statements, i), "sql", "");
		EVP_DigestUpdate(md, sql, strlen(sql) + 1); /* the NUL separates statements */
	}
	EVP_DigestFinal_ex(md, dig, &len);
	EVP_MD_CTX_free(md);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static void log_msg(run *r, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void log_msg(run *r, const char *level, const char *fmt, ...)
{
	if (!r->ex->log)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->ex->log(r->ex->ud, level, msg);
}

/* Called with r->lock held. */
static void record(run *r, size_t i, bool ok, const char *error)
{
	r->state[i] = ok ? 1 : 2;
	r->done_count++;
	if (!ok)
		r->errors[i] = strdup(error ? error : "failed");
	else
		json_object_array_add(r->checkpoint_done, json_object_new_int64((int64_t)i + 1));
	if (r->ex->progress) {
		json_object *cp = json_object_new_object();
		clxs_json_set_str(cp, "plan_sha256", r->sha);
		json_object_object_add(cp, "done", json_object_get(r->checkpoint_done));
		r->ex->progress(r->ex->ud, r->done_count, (int64_t)r->n, cp);
		json_object_put(cp);
	}
}

static bool gate_says_stop(run *r)
{
	if (!r->ex->gate)
		return false;
	clxs_code g = r->ex->gate(r->ex->ud);
	if (g == CLXS_OK)
		return false;
	pthread_mutex_lock(&r->lock);
	if (r->stop == CLXS_OK)
		r->stop = g;
	pthread_mutex_unlock(&r->lock);
	return true;
}

static bool cancel_poll(void *ud)
{
	run *r = ud;
	return !r->securing && r->ex->gate && r->ex->gate(r->ex->ud) == CLXS_ECANCELLED;
}

/* Sum a numeric column of a statement's first row into *acc. */
static void add_metric(const clxs_ws_result *res, const char *col, int64_t *acc)
{
	int c = clxs_ws_result_col(res, col);
	const char *v = c >= 0 && res->nrows ? clxs_ws_result_cell(res, 0, (size_t)c) : NULL;
	if (v)
		*acc += strtoll(v, NULL, 10);
}

/* A "copy_files" step: the volume's files through the Files API. */
static void run_copy_files(run *r, size_t i, json_object *st)
{
	const char *schema = clxs_json_str(st, "schema", ""), *name = clxs_json_str(st, "name", "");
	const char *src = clxs_json_str(r->opts, "source_catalog", "");
	const char *dst = clxs_json_str(r->opts, "destination_catalog", "");
	json_object *files = json_object_new_array();
	clxs_volume_copy_totals t;
	clxs_error e;
	clxs_error_clear(&e);
	/* volume_max_file_mb: larger files are skipped, each reported in volume_files. */
	int64_t max_mb = clxs_json_int(r->opts, "volume_max_file_mb", 500);
	clxs_code rc = clxs_volume_copy_max(r->ex->ws, src, dst, schema, name, max_mb > 0 ? max_mb * 1024 * 1024 : 0,
					    files, &t, cancel_poll, r, &e);
	pthread_mutex_lock(&r->lock);
	for (size_t k = 0; k < json_object_array_length(files); k++)
		json_object_array_add(r->volume_files, json_object_get(json_object_array_get_idx(files, k)));
	r->files_copied += t.files_copied;
	r->files_failed += t.files_failed;
	r->file_bytes += t.bytes_copied;
	if (rc == CLXS_ECANCELLED) {
		if (r->stop == CLXS_OK)
			r->stop = CLXS_ECANCELLED;
	} else {
		record(r, i, rc == CLXS_OK, e.message);
	}
	pthread_mutex_unlock(&r->lock);
	json_object_put(files);
	if (rc == CLXS_OK)
		log_msg(r, "info", "volume %s.%s: %lld file(s), %lld bytes copied", schema, name,
			(long long)t.files_copied, (long long)t.bytes_copied);
	else if (rc != CLXS_ECANCELLED)
		log_msg(r, "error", "volume %s.%s: file copy failed: %s", schema, name, e.message);
}

static void run_step(run *r, size_t i)
{
	json_object *st = json_object_array_get_idx(r->statements, i);
	if (!strcmp(clxs_json_str(st, "action", ""), "copy_files")) {
		run_copy_files(r, i, st);
		return;
	}
	const char *sql = clxs_json_str(st, "sql", "");
	clxs_ws_sql_opts so = {0};
	so.should_cancel = cancel_poll;
	so.cancel_ud = r;
	clxs_ws_result res = {0};
	clxs_error e;
	clxs_error_clear(&e);
	clxs_code rc = clxs_ws_sql(r->ex->ws, r->ex->warehouse_id, NULL, NULL, sql, NULL, 0, &so, &res, &e);
	if (rc == CLXS_OK && !strcmp(clxs_json_str(st, "phase", ""), "tables")) {
		int64_t sb = 0, cb = 0, ir = 0;
		add_metric(&res, "source_table_size", &sb);
		add_metric(&res, "copied_files_size", &cb);
		add_metric(&res, "num_inserted_rows", &ir);
		pthread_mutex_lock(&r->lock);
		r->source_bytes += sb;
		r->copied_bytes += cb;
		r->inserted_rows += ir;
		pthread_mutex_unlock(&r->lock);
	}
	clxs_ws_result_free(&res);
	if (rc == CLXS_ECANCELLED) {
		pthread_mutex_lock(&r->lock);
		if (r->stop == CLXS_OK)
			r->stop = CLXS_ECANCELLED;
		pthread_mutex_unlock(&r->lock);
		return;
	}
	pthread_mutex_lock(&r->lock);
	record(r, i, rc == CLXS_OK, e.message);
	pthread_mutex_unlock(&r->lock);
	if (rc != CLXS_OK)
		log_msg(r, "error", "%s %s failed: %s", clxs_json_str(st, "object_type", ""),
			clxs_json_str(st, "object", ""), e.message);
	else
		log_msg(r, "info", "%s %s: %s done", clxs_json_str(st, "object_type", ""),
			clxs_json_str(st, "object", ""), clxs_json_str(st, "phase", ""));
}

static const char *step_str(run *r, size_t i, const char *key)
{
	return clxs_json_str(json_object_array_get_idx(r->statements, i), key, "");
}

/* Was the table `object` cloned by this run (its table step done)? */
static bool table_cloned(run *r, const char *object)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->state[i] == 1 && !strcmp(step_str(r, i, "phase"), "tables") &&
		    !strcmp(step_str(r, i, "object"), object))
			return true;
	return false;
}

/* A table whose source has a row filter or column mask is readable
 * unfiltered from its CLONE until the security phase, after the
 * functions, applies them. A clone cancelled in between must not leave
 * it so: before stopping, create the functions and apply the filters and
 * masks of every table already cloned. A few statements more than the
 * cancel asked for, so that no row the source hides is left exposed. */
static void secure_cloned_tables(run *r)
{
	size_t pending = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->state[i] == 0 && !strcmp(step_str(r, i, "phase"), "security") &&
		    table_cloned(r, step_str(r, i, "object")))
			pending++;
	if (!pending)
		return;
	log_msg(r, "warn", "cancelled before row filters and column masks were applied: applying %zu of them to "
		"tables already cloned before stopping", pending);
	r->securing = true;
	for (size_t i = 0; i < r->n; i++)
		if (r->state[i] == 0 && !strcmp(step_str(r, i, "phase"), "functions"))
			run_step(r, i);
	for (size_t i = 0; i < r->n; i++)
		if (r->state[i] == 0 && !strcmp(step_str(r, i, "phase"), "security") &&
		    table_cloned(r, step_str(r, i, "object")))
			run_step(r, i);
	r->securing = false;
}

static void *table_thread(void *arg)
{
	run *r = arg;
	for (;;) {
		if (gate_says_stop(r))
			return NULL;
		pthread_mutex_lock(&r->lock);
		while (r->next < r->table_hi && r->state[r->next] != 0)
			r->next++;
		size_t i = r->next < r->table_hi && r->stop == CLXS_OK ? r->next++ : (size_t)-1;
		pthread_mutex_unlock(&r->lock);
		if (i == (size_t)-1)
			return NULL;
		run_step(r, i);
	}
}

/* Mark the steps the checkpoint says are done, if it is for this plan. */
static void apply_resume(run *r)
{
	json_object *cp = r->ex->resume;
	if (!cp || strcmp(clxs_json_str(cp, "plan_sha256", ""), r->sha) != 0)
		return;
	json_object *done = json_object_object_get(cp, "done");
	for (size_t k = 0; done && k < json_object_array_length(done); k++) {
		int64_t step = json_object_get_int64(json_object_array_get_idx(done, k));
		if (step >= 1 && (size_t)step <= r->n && r->state[step - 1] == 0) {
			r->state[step - 1] = 1;
			r->done_count++;
			json_object_array_add(r->checkpoint_done, json_object_new_int64(step));
		}
	}
	r->resumed = r->done_count;
	if (r->done_count)
		log_msg(r, "info", "resuming: %lld of %zu statements already done", (long long)r->done_count, r->n);
}

/* One entry per object: cloned unless one of its statements failed. */
static json_object *summarise(run *r, json_object *plan, int64_t started_ms)
{
	json_object *objects = json_object_new_array(), *index = json_object_new_object();
	int64_t failed = 0, tables_ok = 0, tables_failed = 0, run_ok = 0;
	for (size_t i = 0; i < r->n; i++) {
		json_object *st = json_object_array_get_idx(r->statements, i);
		char key[700];
		snprintf(key, sizeof(key), "%s:%s", clxs_json_str(st, "object_type", ""), clxs_json_str(st, "object", ""));
		json_object *o;
		if (!json_object_object_get_ex(index, key, &o)) {
			o = json_object_new_object();
			clxs_json_set_str(o, "object_type", clxs_json_str(st, "object_type", ""));
			clxs_json_set_str(o, "object", clxs_json_str(st, "object", ""));
			clxs_json_set_str(o, "status", "cloned");
			json_object_object_add(index, key, o);
			json_object_array_add(objects, json_object_get(o));
		}
		if (r->state[i] == 1)
			run_ok++;
		if (r->state[i] == 2 && strcmp(clxs_json_str(o, "status", ""), "failed") != 0) {
			clxs_json_set_str(o, "status", "failed");
			clxs_json_set_str(o, "error", r->errors[i]);
			clxs_json_set_str(o, "phase", clxs_json_str(st, "phase", ""));
		} else if (r->state[i] == 0 && !strcmp(clxs_json_str(o, "status", ""), "cloned")) {
			clxs_json_set_str(o, "status", "not_run");
		}
	}
	for (size_t i = 0; i < json_object_array_length(objects); i++) {
		json_object *o = json_object_array_get_idx(objects, i);
		bool is_table = !strcmp(clxs_json_str(o, "object_type", ""), "table");
		bool bad = !strcmp(clxs_json_str(o, "status", ""), "failed");
		failed += bad;
		tables_ok += is_table && !bad;
		tables_failed += is_table && bad;
	}
	json_object *skipped = json_object_object_get(plan, "skipped");
	for (size_t i = 0; skipped && i < json_object_array_length(skipped); i++) {
		json_object *s = json_object_array_get_idx(skipped, i), *o = json_object_new_object();
		clxs_json_set_str(o, "object_type", clxs_json_str(s, "object_type", ""));
		clxs_json_set_str(o, "object", clxs_json_str(s, "object", ""));
		clxs_json_set_str(o, "status", "skipped");
		clxs_json_set_str(o, "reason", clxs_json_str(s, "reason", ""));
		json_object_array_add(objects, o);
	}
	json_object_put(index);
	json_object *res = json_object_new_object();
	clxs_json_set_int(res, "tables_cloned", tables_ok);
	clxs_json_set_int(res, "tables_failed", tables_failed);
	clxs_json_set_int(res, "objects_failed", failed);
	clxs_json_set_int(res, "objects_skipped", skipped ? (int64_t)json_object_array_length(skipped) : 0);
	clxs_json_set_int(res, "statements_total", (int64_t)r->n);
	clxs_json_set_int(res, "statements_succeeded", run_ok);
	clxs_json_set_int(res, "statements_resumed", r->resumed);
	clxs_ws_stats stats;
	clxs_ws_client_stats(r->ex->ws, &stats);
	clxs_json_set_int(res, "requests", (int64_t)stats.requests);
	clxs_json_set_int(res, "retries", (int64_t)stats.retries);
	clxs_json_set_int(res, "duration_ms", clxs_now_ms() - started_ms);
	/* Bytes: the size of the source tables cloned (CLONE's source_table_size)
	 * and what was physically copied (copied_files_size; 0 for SHALLOW). */
	clxs_json_set_int(res, "total_size_bytes", r->source_bytes);
	clxs_json_set_int(res, "bytes_copied", r->copied_bytes);
	clxs_json_set_int(res, "volume_files_copied", r->files_copied);
	clxs_json_set_int(res, "volume_files_failed", r->files_failed);
	clxs_json_set_int(res, "volume_bytes_copied", r->file_bytes);
	json_object_object_add(res, "volume_files", json_object_get(r->volume_files));
	json_object_object_add(res, "objects", objects);
	/* source_snapshot_id: which snapshot the table versions came from. */
	json_object *snap = json_object_object_get(plan, "source_snapshot");
	if (snap)
		json_object_object_add(res, "source_snapshot", json_object_get(snap));
	return res;
}

clxs_code clxs_clone_execute(clxs_clone_exec *ex, json_object *plan, json_object *opts,
			     json_object **result, clxs_error *err)
{
	*result = NULL;
	run r;
	memset(&r, 0, sizeof(r));
	r.ex = ex;
	r.statements = json_object_object_get(plan, "statements");
	r.n = r.statements ? json_object_array_length(r.statements) : 0;
	r.state = calloc(r.n + 1, 1);
	r.errors = calloc(r.n + 1, sizeof(char *));
	r.checkpoint_done = json_object_new_array();
	r.volume_files = json_object_new_array();
	r.opts = opts;
	if (!r.state || !r.errors) {
		free(r.state);
		free(r.errors);
		json_object_put(r.checkpoint_done);
		json_object_put(r.volume_files);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	pthread_mutex_init(&r.lock, NULL);
	plan_sha(r.statements, r.sha);
	apply_resume(&r);
	int64_t started = clxs_now_ms();
	int threads = (int)clxs_json_int(opts, "parallel_tables", 1);
	if (threads < 1)
		threads = 1;
	if (threads > 64)
		threads = 64;

	for (size_t i = 0; i < r.n && r.stop == CLXS_OK;) {
		const char *phase = clxs_json_str(json_object_array_get_idx(r.statements, i), "phase", "");
		if (!strcmp(phase, "tables") && threads > 1) {
			/* The run of consecutive table statements goes to the pool. */
			size_t hi = i;
			while (hi < r.n &&
			       !strcmp(clxs_json_str(json_object_array_get_idx(r.statements, hi), "phase", ""), "tables"))
				hi++;
			r.table_lo = r.next = i;
			r.table_hi = hi;
			pthread_t tids[64];
			int started_threads = 0;
			for (int t = 0; t < threads; t++)
				if (pthread_create(&tids[t], NULL, table_thread, &r) == 0)
					started_threads++;
			if (started_threads == 0)
				table_thread(&r);
			for (int t = 0; t < started_threads; t++)
				pthread_join(tids[t], NULL);
			i = hi;
			continue;
		}
		if (r.state[i] == 0 && !gate_says_stop(&r))
			run_step(&r, i);
		i++;
	}
	clxs_code rc = r.stop;
	if (rc == CLXS_ECANCELLED)
		secure_cloned_tables(&r);
	if (rc == CLXS_OK)
		*result = summarise(&r, plan, started);
	else
		clxs_fail(err, rc, NULL, rc == CLXS_ECANCELLED ? "clone cancelled" : "clone interrupted");
	for (size_t i = 0; i < r.n; i++)
		free(r.errors[i]);
	free(r.errors);
	free(r.state);
	json_object_put(r.checkpoint_done);
	json_object_put(r.volume_files);
	pthread_mutex_destroy(&r.lock);
	return rc;
}
