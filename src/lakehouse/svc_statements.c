/* Statement Execution API 2.0.
 *
 * A statement runs on a thread of the worker that received it; the POST
 * waits up to wait_timeout and then answers with whatever state it is in,
 * while the thread carries on. Everything a later request needs (state,
 * error, manifest, result chunks, the cancel flag) lives in statements.db
 * in the data directory, so any worker of the pool can answer a GET or a
 * cancel. The executing thread watches the cancel column and passes it to
 * the executor as clxs_lh_exec_opts.cancel. A statement whose worker died
 * is marked FAILED by the next request that looks at it.
 *
 * Retention: an hour after creation a finished statement's results are
 * dropped and a SUCCEEDED one becomes CLOSED; after a day the record goes. */
#include "svc_internal.h"
#include "lh_history.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "clxs/buf.h"
#include "clxs/daemon.h"
#include "clxs/log.h"
#include "clxs/util.h"

#define RESULT_TTL_MS (60 * 60 * 1000)
#define RECORD_TTL_MS (24 * 60 * 60 * 1000)
#define CANCEL_POLL_MS 100
#define CANCEL_GRACE_MS 30000

typedef struct {
	clxs_lh_service *svc;
	char id[40];
	char *sql, *catalog, *schema;
	json_object *params;
	int64_t row_limit, byte_limit;
	volatile int cancel;
	volatile int finished;      /* executor returned: the watcher stops */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int refs;
} job;

/* "host/pid/start": who executes a statement, to tell later whether it is
 * still alive. The start time tells a dead process from one that got its
 * pid again. */
static char self_token[200];
static pthread_once_t token_once = PTHREAD_ONCE_INIT;

static void token_init(void)
{
	char host[128];
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(self_token, sizeof(self_token), "%s/%ld/%lld", host, (long)getpid(),
		 (long long)clxs_now_ms());
}

static const char *my_token(void)
{
	pthread_once(&token_once, token_init);
	/* After a fork the child must not claim its parent's statements. */
	char pid[32];
	snprintf(pid, sizeof(pid), "/%ld/", (long)getpid());
	if (!strstr(self_token, pid))
		token_init();
	return self_token;
}

static bool executor_alive(const char *token)
{
	if (!token)
		return false;
	if (strcmp(token, my_token()) == 0)
		return true;
	char host[128];
	long pid;
	const char *slash = strchr(token, '/');
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (!slash || strncmp(token, host, (size_t)(slash - token)) != 0 ||
	    host[slash - token] != '\0' || sscanf(slash + 1, "%ld", &pid) != 1)
		return true; /* another host's: not ours to judge */
	if (pid == (long)getpid())
		return false; /* our pid, not our token: that process is gone */
	return clxs_pid_alive((pid_t)pid);
}

/* ---- statements.db helpers ------------------------------------------------------------- */

static int st_exec(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_list ap;
	va_start(ap, types);
	for (int i = 0; types && types[i]; i++) {
		if (types[i] == 't') {
			const char *s = va_arg(ap, const char *);
			sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		}
	}
	va_end(ap);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? sqlite3_changes(db) : -1;
}

static void set_final(sqlite3 *db, const char *id, const char *state, const char *code,
		      const char *msg)
{
	if (st_exec(db,
		    "UPDATE statements SET state=?, error_code=?, error_message=?, updated_at=?"
		    " WHERE id=? AND state IN ('PENDING','RUNNING')", "tttit", state, code, msg,
		    clxs_now_ms(), id) < 0)
		clxs_error_log("statement %s: cannot record state %s: %s", id, state,
			       sqlite3_errmsg(db));
}

static void retention(sqlite3 *db)
{
	int64_t now = clxs_now_ms();
	st_exec(db, "DELETE FROM chunks WHERE statement_id IN (SELECT id FROM statements"
		    " WHERE created_at < ? AND state NOT IN ('PENDING','RUNNING'))", "i",
		now - RESULT_TTL_MS);
	st_exec(db, "UPDATE statements SET state='CLOSED', manifest=NULL WHERE state='SUCCEEDED'"
		    " AND created_at < ?", "i", now - RESULT_TTL_MS);
	st_exec(db, "DELETE FROM statements WHERE created_at < ?"
		    " AND state NOT IN ('PENDING','RUNNING')", "i", now - RECORD_TTL_MS);
}

/* ---- results into chunks ------------------------------------------------------------------ */

static const char *error_code_for(clxs_code c)
{
	switch (c) {
	case CLXS_EINVAL:
	case CLXS_EVALIDATION:
	case CLXS_ENOTFOUND:
	case CLXS_ECONFLICT:
		return "BAD_REQUEST";
	case CLXS_EPERM: return "PERMISSION_DENIED";
	case CLXS_EAUTH: return "UNAUTHENTICATED";
	case CLXS_EUNAVAILABLE: return "TEMPORARILY_UNAVAILABLE";
	case CLXS_ETOOLARGE: return "RESOURCE_EXHAUSTED";
	case CLXS_ECANCELLED: return "CANCELLED";
	case CLXS_EIO: return "IO_ERROR";
	default: return "INTERNAL_ERROR";
	}
}

typedef struct {
	clxs_buf data;
	int64_t offset, rows;
} chunk_acc;

static int chunk_flush(sqlite3 *db, const char *id, int64_t index, chunk_acc *c,
		       json_object *chunks)
{
	if (clxs_buf_putc(&c->data, ']') < 0)
		return -1;
	if (st_exec(db, "INSERT INTO chunks(statement_id, chunk_index, row_offset, row_count, data)"
			" VALUES(?,?,?,?,?)", "tiiit", id, index, c->offset, c->rows,
		    clxs_buf_str(&c->data)) < 0)
		return -1;
	json_object *o = json_object_new_object();
	clxs_json_set_int(o, "chunk_index", index);
	clxs_json_set_int(o, "row_offset", c->offset);
	clxs_json_set_int(o, "row_count", c->rows);
	json_object_array_add(chunks, o);
	c->offset += c->rows;
	c->rows = 0;
	clxs_buf_reset(&c->data);
	return 0;
}

/* Split the rows into chunks and write them with the manifest, in one
 * transaction, moving the statement to SUCCEEDED. Returns 1 when the result
 * is over the INLINE size limit and no byte_limit asked for truncation. */
static int store_result(clxs_lh_service *svc, sqlite3 *db, const job *j, clxs_lh_result *res)
{
	json_object *manifest = json_object_new_object(), *schema = json_object_new_object(),
		    *chunks = json_object_new_array();
	json_object *cols = res->columns ? json_object_get(res->columns) : json_object_new_array();
	size_t ncols = json_object_array_length(cols);
	size_t nrows = res->rows ? json_object_array_length(res->rows) : 0;
	bool truncated = res->truncated;
	chunk_acc c = {0};
	clxs_buf_init(&c.data);
	int64_t index = 0, bytes = 0, total = 0;
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < nrows; i++) {
		if (j->row_limit > 0 && total >= j->row_limit) {
			truncated = true;
			break;
		}
		const char *row = json_object_to_json_string_ext(json_object_array_get_idx(res->rows, i),
								 JSON_C_TO_STRING_PLAIN);
		size_t rlen = strlen(row);
		if (j->byte_limit > 0 && bytes + (int64_t)rlen > j->byte_limit) {
			truncated = true;
			break;
		}
		if (j->byte_limit <= 0 && (size_t)bytes + rlen > svc->inline_limit) {
			rc = 1;
			break;
		}
		if (c.rows > 0 && (c.rows >= svc->chunk_rows || c.data.len + rlen + 2 > svc->chunk_bytes))
			rc = chunk_flush(db, j->id, index++, &c, chunks);
		if (rc == 0 && clxs_buf_putc(&c.data, c.rows ? ',' : '[') < 0)
			rc = -1;
		if (rc == 0 && clxs_buf_append(&c.data, row, rlen) < 0)
			rc = -1;
		c.rows++;
		bytes += (int64_t)rlen;
		total++;
	}
	if (rc == 0 && c.rows > 0)
		rc = chunk_flush(db, j->id, index++, &c, chunks);
	clxs_buf_free(&c.data);
	if (rc == 0) {
		clxs_json_set_str(manifest, "format", "JSON_ARRAY");
		clxs_json_set_int(schema, "column_count", (int64_t)ncols);
		json_object_object_add(schema, "columns", cols);
		cols = NULL;
		json_object_object_add(manifest, "schema", schema);
		schema = NULL;
		clxs_json_set_int(manifest, "total_chunk_count", index);
		json_object_object_add(manifest, "chunks", chunks);
		chunks = NULL;
		clxs_json_set_int(manifest, "total_row_count", total);
		clxs_json_set_bool(manifest, "truncated", truncated);
		if (st_exec(db, "UPDATE statements SET state='SUCCEEDED', manifest=?, updated_at=?"
				" WHERE id=? AND state IN ('PENDING','RUNNING')", "tit",
			    clxs_json_text(manifest), clxs_now_ms(), j->id) < 0)
			rc = -1;
	}
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = -1;
	if (rc != 0) {
		if (rc < 0)
			clxs_error_log("statement %s: cannot store the result: %s", j->id, sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	json_object_put(cols);
	json_object_put(schema);
	json_object_put(chunks);
	json_object_put(manifest);
	return rc;
}

/* ---- execution ------------------------------------------------------------------------------ */

static void job_release(job *j)
{
	pthread_mutex_lock(&j->mu);
	int left = --j->refs;
	pthread_mutex_unlock(&j->mu);
	if (left > 0)
		return;
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j->sql);
	free(j->catalog);
	free(j->schema);
	json_object_put(j->params);
	free(j);
}

/* Polls the statement's cancel column for the executor. */
static void *watch_cancel(void *arg)
{
	job *j = arg;
	clxs_error err;
	sqlite3 *db = svc_stdb_open(j->svc->data_dir, &err);
	if (!db)
		return NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT cancel FROM statements WHERE id=?", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, j->id, -1, SQLITE_STATIC);
		while (!j->finished && !j->cancel) {
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0))
				j->cancel = 1;
			sqlite3_reset(st);
			for (int waited = 0; waited < CANCEL_POLL_MS && !j->finished && !j->cancel;
			     waited += 10)
				clxs_sleep_ms(10);
		}
	}
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	return NULL;
}

static void *run_job(void *arg)
{
	job *j = arg;
	clxs_lh_service *svc = j->svc;
	clxs_error err = {0};
	svc_conn *conn = svc_conn_get(svc, &err);
	if (!conn) {
		sqlite3 *db = svc_stdb_open(svc->data_dir, NULL);
		if (db) {
			set_final(db, j->id, "FAILED", error_code_for(err.code), err.message);
			sqlite3_close_v2(db);
		}
	} else {
		st_exec(conn->st, "UPDATE statements SET state='RUNNING', updated_at=?"
				  " WHERE id=? AND state='PENDING'", "it", clxs_now_ms(), j->id);
		pthread_t watcher;
		bool watching = pthread_create(&watcher, NULL, watch_cancel, j) == 0;
		clxs_lh_exec_opts opts = {
			.catalog = j->catalog,
			.schema = j->schema,
			.parameters = j->params,
			.row_limit = j->row_limit,
			.cancel = &j->cancel,
		};
		clxs_lh_result res = {0};
		int64_t started = clxs_now_ms();
		clxs_code rc = svc->exec(conn->lh, j->sql, &opts, &res, &err);
		j->finished = 1;
		if (watching)
			pthread_join(watcher, NULL);
		const char *status = "FINISHED", *msg = NULL;
		if (rc == CLXS_OK) {
			int stored = store_result(svc, conn->st, j, &res);
			if (stored > 0)
				set_final(conn->st, j->id, "FAILED", "BAD_REQUEST",
					  msg = "[RESULT_SIZE_EXCEEDS_INLINE_LIMIT] The statement's result is larger than"
						" the INLINE disposition allows; narrow the query, or set row_limit or"
						" byte_limit to receive a truncated result.");
			else if (stored < 0)
				set_final(conn->st, j->id, "FAILED", "INTERNAL_ERROR",
					  msg = "the result could not be stored");
			if (stored != 0)
				status = "FAILED";
		} else if (rc == CLXS_ECANCELLED) {
			set_final(conn->st, j->id, "CANCELED", NULL, NULL);
			status = "CANCELED";
		} else {
			set_final(conn->st, j->id, "FAILED", error_code_for(rc),
				  msg = err.message[0] ? err.message : clxs_code_name(rc));
			status = "FAILED";
		}
		/* Query history (lh_history.c); a failure to record it is logged,
		 * the statement's own outcome stands. */
		clxs_lh_history_entry he = {
			.statement_id = j->id, .text = j->sql, .user = svc->user,
			.catalog = j->catalog, .schema = j->schema, .status = status,
			.error_message = msg, .start_ms = started, .end_ms = clxs_now_ms(),
			.produced_rows = res.rows ? (int64_t)json_object_array_length(res.rows) : 0,
		};
		clxs_error herr = {0};
		if (clxs_lh_history_record(conn->lh, &he, &herr) != CLXS_OK)
			clxs_error_log("statement %s: query history not recorded: %s", j->id, herr.message);
		clxs_lh_result_free(&res);
		svc_conn_put(svc, conn);
	}
	pthread_mutex_lock(&j->mu);
	j->done = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	job_release(j);
	/* This thread is detached: once running drops to 0 the process may
	 * exit before the thread's own exit handlers free libcrypto's
	 * per-thread state (its random generators). Free it now, while the
	 * service still waits for us. */
	OPENSSL_thread_stop();
	pthread_mutex_lock(&svc->mu);
	if (--svc->running == 0)
		pthread_cond_broadcast(&svc->idle_cv);
	pthread_mutex_unlock(&svc->mu);
	return NULL;
}

/* Wait until the job is done or ms have passed; true when done. */
static bool job_wait(job *j, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (!j->done)
		if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) == ETIMEDOUT)
			break;
	bool done = j->done;
	pthread_mutex_unlock(&j->mu);
	return done;
}

/* ---- responses -------------------------------------------------------------------------------- */

static json_object *chunk_json(const char *id, int64_t index, int64_t offset, int64_t count,
			       const char *data, int64_t total_chunks)
{
	json_object *o = json_object_new_object();
	clxs_json_set_int(o, "chunk_index", index);
	clxs_json_set_int(o, "row_offset", offset);
	clxs_json_set_int(o, "row_count", count);
	json_object *arr = data ? json_tokener_parse(data) : NULL;
	json_object_object_add(o, "data_array", arr ? arr : json_object_new_array());
	if (index + 1 < total_chunks) {
		char link[160];
		snprintf(link, sizeof(link), "/api/2.0/sql/statements/%s/result/chunks/%lld", id,
			 (long long)(index + 1));
		clxs_json_set_int(o, "next_chunk_index", index + 1);
		clxs_json_set_str(o, "next_chunk_internal_link", link);
	}
	return o;
}

/* Read one chunk; *found tells whether it exists. */
static json_object *load_chunk(sqlite3 *db, const char *id, int64_t index, int64_t total,
			       bool *found)
{
	sqlite3_stmt *st;
	*found = false;
	if (sqlite3_prepare_v2(db, "SELECT row_offset, row_count, data FROM chunks"
				   " WHERE statement_id=? AND chunk_index=?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, index);
	json_object *o = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*found = true;
		o = chunk_json(id, index, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			       (const char *)sqlite3_column_text(st, 2), total);
	}
	sqlite3_finalize(st);
	return o;
}

typedef struct {
	char state[16];
	char *error_code, *error_message, *manifest, *executor;
	bool found;
} record;

static void record_free(record *rec)
{
	free(rec->error_code);
	free(rec->error_message);
	free(rec->manifest);
	free(rec->executor);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? strdup(s) : NULL;
}

static int load_record(sqlite3 *db, const char *id, record *rec)
{
	memset(rec, 0, sizeof(*rec));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT state, error_code, error_message, manifest, executor"
				   " FROM statements WHERE id=?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		rec->found = true;
		snprintf(rec->state, sizeof(rec->state), "%s", (const char *)sqlite3_column_text(st, 0));
		rec->error_code = col_dup(st, 1);
		rec->error_message = col_dup(st, 2);
		rec->manifest = col_dup(st, 3);
		rec->executor = col_dup(st, 4);
	}
	sqlite3_finalize(st);
	return s == SQLITE_ROW || s == SQLITE_DONE ? 0 : -1;
}

static bool active(const char *state)
{
	return strcmp(state, "PENDING") == 0 || strcmp(state, "RUNNING") == 0;
}

/* The record, after marking it FAILED when its executing worker died. */
static int load_live_record(sqlite3 *db, const char *id, record *rec)
{
	if (load_record(db, id, rec) != 0)
		return -1;
	if (rec->found && active(rec->state) && !executor_alive(rec->executor)) {
		set_final(db, id, "FAILED", "INTERNAL_ERROR",
			  "the worker executing the statement stopped before it finished");
		record_free(rec);
		if (load_record(db, id, rec) != 0)
			return -1;
	}
	return 0;
}

static void not_found(svc_req *r, const char *id)
{
	svc_error(r, 404, "NOT_FOUND", "The statement %s was not found (or has expired).", id);
}

/* The live record of statement id; false after replying 500 or 404. */
static bool record_or_reply(svc_req *r, const char *id, record *rec)
{
	sqlite3 *db = r->conn->st;
	if (load_live_record(db, id, rec) != 0) {
		svc_error(r, 500, "INTERNAL_ERROR", "statements.db: %s", sqlite3_errmsg(db));
		return false;
	}
	if (!rec->found) {
		not_found(r, id);
		return false;
	}
	return true;
}

/* StatementResponse: statement_id, status, manifest and the first chunk. */
static void reply_statement(svc_req *r, const char *id)
{
	record rec;
	sqlite3 *db = r->conn->st;
	if (!record_or_reply(r, id, &rec))
		return;
	json_object *o = json_object_new_object(), *status = json_object_new_object();
	clxs_json_set_str(o, "statement_id", id);
	clxs_json_set_str(status, "state", rec.state);
	if (rec.error_message || rec.error_code) {
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "error_code", rec.error_code ? rec.error_code : "INTERNAL_ERROR");
		clxs_json_set_str(e, "message", rec.error_message ? rec.error_message : "");
		json_object_object_add(status, "error", e);
	}
	json_object_object_add(o, "status", status);
	if (strcmp(rec.state, "SUCCEEDED") == 0 && rec.manifest) {
		json_object *m = json_tokener_parse(rec.manifest);
		int64_t total = clxs_json_int(m, "total_chunk_count", 0);
		json_object_object_add(o, "manifest", m);
		bool found;
		json_object *first = total > 0 ? load_chunk(db, id, 0, total, &found)
					       : chunk_json(id, 0, 0, 0, NULL, 0);
		if (first)
			json_object_object_add(o, "result", first);
	}
	record_free(&rec);
	svc_json(r, 200, o);
}

/* ---- handlers ----------------------------------------------------------------------------------- */

/* "0s" or "5s".."50s". */
static bool parse_wait(const char *s, int64_t *ms)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || errno || strcmp(end, "s") != 0 || (v != 0 && (v < 5 || v > 50)))
		return false;
	*ms = v * 1000;
	return true;
}

static bool int_field(svc_req *r, json_object *body, const char *key, int64_t *out)
{
	json_object *v;
	*out = 0;
	if (!json_object_object_get_ex(body, key, &v) || json_object_is_type(v, json_type_null))
		return true;
	/* Databricks' JSON carries int64 as numbers or strings. */
	if (json_object_is_type(v, json_type_string)) {
		char *end;
		errno = 0;
		long long n = strtoll(json_object_get_string(v), &end, 10);
		if (!errno && *end == '\0' && end != json_object_get_string(v) && n >= 0) {
			*out = n;
			return true;
		}
	} else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		*out = json_object_get_int64(v);
		return true;
	}
	svc_error(r, 400, "INVALID_PARAMETER_VALUE", "%s must be a non-negative integer", key);
	return false;
}

void svc_h_stmt_execute(svc_req *r)
{
	json_object *body = svc_body(r), *params = NULL;
	job *j = NULL;
	if (!body)
		return;
	const char *sql = svc_need_str(r, body, "statement");
	const char *wh = sql ? svc_need_str(r, body, "warehouse_id") : NULL;
	if (!wh)
		goto out;
	if (strcmp(wh, r->svc->warehouse_id) != 0) {
		svc_error(r, 404, "RESOURCE_DOES_NOT_EXIST", "Warehouse %s does not exist.", wh);
		goto out;
	}
	int64_t wait_ms = 10000, row_limit, byte_limit;
	const char *wt = clxs_json_str(body, "wait_timeout", NULL);
	if (wt && !parse_wait(wt, &wait_ms)) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "wait_timeout must be 0s or between 5s and 50s, got '%s'", wt);
		goto out;
	}
	const char *owt = clxs_json_str(body, "on_wait_timeout", "CONTINUE");
	if (strcmp(owt, "CONTINUE") != 0 && strcmp(owt, "CANCEL") != 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "on_wait_timeout must be CONTINUE or CANCEL, got '%s'", owt);
		goto out;
	}
	const char *disp = clxs_json_str(body, "disposition", "INLINE");
	if (strcmp(disp, "INLINE") != 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "disposition %s is not supported by the embedded lakehouse: use INLINE", disp);
		goto out;
	}
	const char *fmt = clxs_json_str(body, "format", "JSON_ARRAY");
	if (strcmp(fmt, "JSON_ARRAY") != 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "format %s is not supported by the embedded lakehouse: use JSON_ARRAY", fmt);
		goto out;
	}
	if (!int_field(r, body, "row_limit", &row_limit) ||
	    !int_field(r, body, "byte_limit", &byte_limit))
		goto out;
	if (json_object_object_get_ex(body, "parameters", &params) &&
	    !json_object_is_type(params, json_type_null) &&
	    !json_object_is_type(params, json_type_array)) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "parameters must be an array of {name, value, type}");
		goto out;
	}
	if (params && json_object_is_type(params, json_type_null))
		params = NULL;

	if (!(j = calloc(1, sizeof(*j)))) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		goto out;
	}
	j->refs = 1;
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (clxs_uuid4(j->id) != 0) {
		svc_error(r, 500, "INTERNAL_ERROR", "cannot create a statement id");
		goto out;
	}
	const char *cat = clxs_json_str(body, "catalog", NULL), *sch = clxs_json_str(body, "schema", NULL);
	j->svc = r->svc;
	j->sql = strdup(sql);
	j->catalog = cat && *cat ? strdup(cat) : NULL;
	j->schema = sch && *sch ? strdup(sch) : NULL;
	/* A copy: the request's objects are freed while the thread runs, and
	 * json-c's reference counts need not be thread-safe. */
	j->params = params ? json_tokener_parse(json_object_to_json_string_ext(
				     params, JSON_C_TO_STRING_PLAIN)) : NULL;
	j->row_limit = row_limit;
	j->byte_limit = byte_limit;
	if (!j->sql || (cat && *cat && !j->catalog) || (sch && *sch && !j->schema) ||
	    (params && !j->params)) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		goto out;
	}
	sqlite3 *db = r->conn->st;
	retention(db);
	int64_t now = clxs_now_ms();
	if (st_exec(db, "INSERT INTO statements(id, state, created_at, updated_at, executor)"
			" VALUES(?, 'PENDING', ?, ?, ?)", "tiit", j->id, now, now, my_token()) < 0) {
		svc_error(r, 500, "INTERNAL_ERROR", "statements.db: %s", sqlite3_errmsg(db));
		goto out;
	}
	pthread_mutex_lock(&r->svc->mu);
	r->svc->running++;
	pthread_mutex_unlock(&r->svc->mu);
	j->refs = 2;
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The executor must not take the worker's stop signals. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int prc = pthread_create(&th, &attr, run_job, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (prc != 0) {
		j->refs = 1;
		pthread_mutex_lock(&r->svc->mu);
		r->svc->running--;
		pthread_mutex_unlock(&r->svc->mu);
		set_final(db, j->id, "FAILED", "TEMPORARILY_UNAVAILABLE",
			  "no thread could be started for the statement");
	} else if (wait_ms > 0 && !job_wait(j, wait_ms) && strcmp(owt, "CANCEL") == 0) {
		j->cancel = 1;
		st_exec(db, "UPDATE statements SET cancel=1 WHERE id=?", "t", j->id);
		/* The executor checks the flag between steps; give it the time
		 * to roll back so the answer tells the outcome. */
		job_wait(j, CANCEL_GRACE_MS);
	}
	reply_statement(r, j->id);
out:
	if (j)
		job_release(j);
	json_object_put(body);
}

void svc_h_stmt_get(svc_req *r)
{
	reply_statement(r, r->params[0]);
}

void svc_h_stmt_chunk(svc_req *r)
{
	const char *id = r->params[0];
	char *end;
	errno = 0;
	long long n = strtoll(r->params[1], &end, 10);
	if (*end || errno || n < 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "chunk_index must be a non-negative integer");
		return;
	}
	record rec;
	sqlite3 *db = r->conn->st;
	if (!record_or_reply(r, id, &rec))
		return;
	if (strcmp(rec.state, "SUCCEEDED") != 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "The statement %s is %s: results are available once it has SUCCEEDED.", id,
			  rec.state);
	} else {
		json_object *m = rec.manifest ? json_tokener_parse(rec.manifest) : NULL;
		int64_t total = clxs_json_int(m, "total_chunk_count", 0);
		json_object_put(m);
		bool found = false;
		json_object *o = n < total ? load_chunk(db, id, n, total, &found) : NULL;
		if (found)
			svc_json(r, 200, o);
		else
			svc_error(r, 400, "INVALID_PARAMETER_VALUE",
				  "chunk_index %lld is out of range: the result has %lld chunks", n,
				  (long long)total);
	}
	record_free(&rec);
}

void svc_h_stmt_cancel(svc_req *r)
{
	const char *id = r->params[0];
	sqlite3 *db = r->conn->st;
	int n = st_exec(db, "UPDATE statements SET cancel=1, updated_at=? WHERE id=?", "it",
			clxs_now_ms(), id);
	if (n < 0) {
		svc_error(r, 500, "INTERNAL_ERROR", "statements.db: %s", sqlite3_errmsg(db));
		return;
	}
	if (n == 0) {
		not_found(r, id);
		return;
	}
	/* Nobody left to see the flag: settle it here. */
	record rec;
	if (load_record(db, id, &rec) == 0 && rec.found && active(rec.state) &&
	    !executor_alive(rec.executor))
		set_final(db, id, "CANCELED", NULL, NULL);
	record_free(&rec);
	svc_json(r, 200, json_object_new_object());
}
