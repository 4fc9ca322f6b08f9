/* Statement Execution API 2.0: submit with a server-side wait, poll with
 * backoff while PENDING/RUNNING, read the inline JSON_ARRAY result and every
 * further chunk, cancel on the server when the caller cancels or the
 * overall timeout passes. A statement that FAILED with a transient error
 * code is resubmitted (bounded by max_retries); anything else is returned
 * with the warehouse's error_code and message. */
#include "ws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/util.h"

#define STMT_PATH "/api/2.0/sql/statements"
/* Guard against a peer that never stops announcing chunks. */
#define MAX_CHUNKS 1000000

typedef struct {
	const clxs_ws_sql_opts *o;
	int64_t deadline_ms;
} sql_ctx;

static bool sql_cancelled(void *ud)
{
	const sql_ctx *s = ud;
	if (s->o->cancel_flag && atomic_load(s->o->cancel_flag))
		return true;
	return s->o->should_cancel && s->o->should_cancel(s->o->cancel_ud);
}

static bool sql_stop(void *ud)
{
	const sql_ctx *s = ud;
	return sql_cancelled(ud) || (s->deadline_ms && clxs_mono_ms() >= s->deadline_ms);
}

void clxs_ws_result_free(clxs_ws_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncols; i++) {
		if (r->col_names)
			free(r->col_names[i]);
		if (r->col_types)
			free(r->col_types[i]);
	}
	free(r->col_names);
	free(r->col_types);
	json_object_put(r->rows);
	memset(r, 0, sizeof(*r));
}

int clxs_ws_result_col(const clxs_ws_result *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (r->col_names[i] && strcmp(r->col_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *clxs_ws_result_cell(const clxs_ws_result *r, size_t row, size_t col)
{
	if (!r->rows || row >= r->nrows)
		return NULL;
	json_object *cells = json_object_array_get_idx(r->rows, row);
	json_object *v = cells ? json_object_array_get_idx(cells, col) : NULL;
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static clxs_code malformed(clxs_error *err, const char *what)
{
	return clxs_fail(err, CLXS_EINTERNAL, "MALFORMED_RESPONSE",
			 "statement API returned a malformed response: %s", what);
}

static clxs_code read_manifest(json_object *resp, clxs_ws_result *r, clxs_error *err)
{
	json_object *manifest, *schema, *cols;
	if (!json_object_object_get_ex(resp, "manifest", &manifest))
		return CLXS_OK; /* statements without a result set (DDL) */
	r->truncated = clxs_json_bool(manifest, "truncated", false);
	if (!json_object_object_get_ex(manifest, "schema", &schema) ||
	    !json_object_object_get_ex(schema, "columns", &cols))
		return CLXS_OK;
	if (!json_object_is_type(cols, json_type_array))
		return malformed(err, "manifest.schema.columns is not an array");
	size_t n = json_object_array_length(cols);
	if (n == 0)
		return CLXS_OK;
	r->col_names = calloc(n, sizeof(char *));
	r->col_types = calloc(n, sizeof(char *));
	if (!r->col_names || !r->col_types)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	r->ncols = n;
	for (size_t i = 0; i < n; i++) {
		json_object *col = json_object_array_get_idx(cols, i);
		const char *name = clxs_json_str(col, "name", "");
		const char *type = clxs_json_str(col, "type_name", NULL);
		if (!type)
			type = clxs_json_str(col, "type_text", "");
		if (!(r->col_names[i] = strdup(name)) || !(r->col_types[i] = strdup(type)))
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	return CLXS_OK;
}

/* Append a chunk's rows; set *next_link / *next_index (-1 when none). */
static clxs_code read_chunk(json_object *chunk, clxs_ws_result *r, const char **next_link,
			    int64_t *next_index, clxs_error *err)
{
	*next_link = NULL;
	*next_index = -1;
	if (!chunk)
		return CLXS_OK;
	if (!json_object_is_type(chunk, json_type_object))
		return malformed(err, "result chunk is not an object");
	json_object *data;
	if (json_object_object_get_ex(chunk, "data_array", &data) && data) {
		if (!json_object_is_type(data, json_type_array))
			return malformed(err, "data_array is not an array");
		size_t n = json_object_array_length(data);
		for (size_t i = 0; i < n; i++) {
			json_object *row = json_object_array_get_idx(data, i);
			if (!json_object_is_type(row, json_type_array))
				return malformed(err, "a row of data_array is not an array");
			if (json_object_array_add(r->rows, json_object_get(row)) < 0) {
				json_object_put(row);
				return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			}
			r->nrows++;
		}
	}
	r->nchunks++;
	*next_link = clxs_json_str(chunk, "next_chunk_internal_link", NULL);
	*next_index = clxs_json_int(chunk, "next_chunk_index", -1);
	return CLXS_OK;
}

/* The rows of a SUCCEEDED statement: the inline first chunk, then each
 * chunk it links to (by internal link, else by index). */
static clxs_code read_result(clxs_ws_client *c, json_object *resp, clxs_ws_result *r,
			     const ws_ctl *ctl, clxs_error *err)
{
	clxs_code rc = read_manifest(resp, r, err);
	if (rc != CLXS_OK)
		return rc;
	json_object *first = NULL;
	json_object_object_get_ex(resp, "result", &first);
	const char *l;
	int64_t next;
	if ((rc = read_chunk(first, r, &l, &next, err)) != CLXS_OK)
		return rc;
	int64_t cur = clxs_json_int(first, "chunk_index", 0);
	char link[512] = "", path[512] = "";
	if (l && snprintf(link, sizeof(link), "%s", l) >= (int)sizeof(link))
		return malformed(err, "next_chunk_internal_link too long");
	while (link[0] || next >= 0) {
		if (next >= 0 && next <= cur)
			return malformed(err, "chunk index did not advance");
		if (r->nchunks >= MAX_CHUNKS)
			return malformed(err, "too many result chunks");
		if (link[0]) {
			/* Only follow links into this statement API: a link to
			 * another host would carry our token there. */
			if (strncmp(link, STMT_PATH "/", sizeof(STMT_PATH)) != 0)
				return malformed(err, "unexpected next_chunk_internal_link");
			if (strcmp(link, path) == 0)
				return malformed(err, "next_chunk_internal_link repeats");
			memcpy(path, link, sizeof(path));
		} else {
			clxs_buf b;
			clxs_buf_init(&b);
			clxs_buf_puts(&b, STMT_PATH "/");
			ws_urlencode(&b, r->statement_id);
			clxs_buf_appendf(&b, "/result/chunks/%lld", (long long)next);
			int bad = clxs_buf_failed(&b) || b.len >= sizeof(path);
			if (!bad)
				memcpy(path, clxs_buf_str(&b), b.len + 1);
			clxs_buf_free(&b);
			if (bad)
				return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		}
		int64_t expect = next >= 0 ? next : cur + 1;
		json_object *chunk = NULL;
		rc = ws_call(c, "GET", path, NULL, NULL, ctl, &chunk, err);
		if (rc == CLXS_OK)
			rc = read_chunk(chunk, r, &l, &next, err);
		link[0] = '\0';
		if (rc == CLXS_OK && l && snprintf(link, sizeof(link), "%s", l) >= (int)sizeof(link))
			rc = malformed(err, "next_chunk_internal_link too long");
		cur = clxs_json_int(chunk, "chunk_index", expect);
		json_object_put(chunk);
		if (rc != CLXS_OK)
			return rc;
	}
	return CLXS_OK;
}

/* Best effort: tell the warehouse to stop. Uses its own short deadline and
 * ignores the caller's cancel flag, which is what brought us here. */
static void cancel_remote(clxs_ws_client *c, const char *id)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_buf_puts(&b, STMT_PATH "/");
	ws_urlencode(&b, id);
	clxs_buf_puts(&b, "/cancel");
	if (!clxs_buf_failed(&b)) {
		ws_ctl ctl = {.deadline_ms = clxs_mono_ms() + 15000, .idempotent = true};
		clxs_error e = {0};
		if (ws_call(c, "POST", clxs_buf_str(&b), NULL, NULL, &ctl, NULL, &e) != CLXS_OK)
			clxs_warn("workspace: cancelling statement %s failed: %s", id, e.message);
		else
			clxs_info("workspace: statement %s cancelled", id);
	}
	clxs_buf_free(&b);
}

static json_object *submit_body(const char *warehouse_id, const char *catalog, const char *schema,
				const char *sql, const clxs_ws_param *params, size_t nparams,
				int wait_s)
{
	json_object *b = json_object_new_object();
	if (!b)
		return NULL;
	char wait[16];
	snprintf(wait, sizeof(wait), "%ds", wait_s);
	clxs_json_set_str(b, "statement", sql);
	if (warehouse_id)
		clxs_json_set_str(b, "warehouse_id", warehouse_id);
	if (catalog)
		clxs_json_set_str(b, "catalog", catalog);
	if (schema)
		clxs_json_set_str(b, "schema", schema);
	clxs_json_set_str(b, "wait_timeout", wait);
	clxs_json_set_str(b, "on_wait_timeout", "CONTINUE");
	clxs_json_set_str(b, "disposition", "INLINE");
	clxs_json_set_str(b, "format", "JSON_ARRAY");
	if (nparams) {
		json_object *arr = json_object_new_array();
		if (!arr || json_object_object_add(b, "parameters", arr) < 0) {
			json_object_put(arr);
			json_object_put(b);
			return NULL;
		}
		for (size_t i = 0; i < nparams; i++) {
			json_object *p = json_object_new_object();
			if (!p || json_object_array_add(arr, p) < 0) {
				json_object_put(p);
				json_object_put(b);
				return NULL;
			}
			clxs_json_set_str(p, "name", params[i].name);
			/* An absent value is SQL NULL. */
			if (params[i].value)
				clxs_json_set_str(p, "value", params[i].value);
			if (params[i].type)
				clxs_json_set_str(p, "type", params[i].type);
		}
	}
	return b;
}

static int wait_seconds(const clxs_ws_sql_opts *o, int64_t deadline_ms)
{
	int w = o->wait_timeout_s;
	if (w == 0)
		w = 30;
	else if (w < 0)
		w = 0;
	else if (w < 5)
		w = 5;
	else if (w > 50)
		w = 50;
	if (deadline_ms && w > 0) {
		int64_t left_s = (deadline_ms - clxs_mono_ms()) / 1000;
		if (left_s < 5)
			w = 0; /* the API accepts 0 or 5..50: poll instead */
		else if (left_s < w)
			w = (int)left_s;
	}
	return w;
}

/* One submission, through polling, to the rows. *transient is set when the
 * statement FAILED with an error code worth a resubmission. */
static clxs_code run_once(clxs_ws_client *c, const char *warehouse_id, const char *catalog,
			  const char *schema, const char *sql, const clxs_ws_param *params,
			  size_t nparams, const clxs_ws_sql_opts *o, const ws_ctl *ctl,
			  clxs_ws_result *r, bool *transient, clxs_error *err)
{
	*transient = false;
	json_object *body = submit_body(warehouse_id, catalog, schema, sql, params, nparams,
					wait_seconds(o, ctl->deadline_ms));
	if (!body)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	json_object *resp = NULL;
	atomic_fetch_add(&c->n_statements, 1);
	/* The submission is not idempotent: not retried after it left. */
	ws_ctl sctl = *ctl;
	sctl.idempotent = false;
	clxs_code rc = ws_call(c, "POST", STMT_PATH, NULL, body, &sctl, &resp, err);
	json_object_put(body);
	if (rc != CLXS_OK)
		return rc;
	const char *id = clxs_json_str(resp, "statement_id", NULL);
	if (!id || !*id || strlen(id) >= sizeof(r->statement_id)) {
		json_object_put(resp);
		return malformed(err, "no statement_id");
	}
	snprintf(r->statement_id, sizeof(r->statement_id), "%s", id);
	clxs_debug("workspace: statement %s submitted", r->statement_id);

	long interval = o->poll_initial_ms > 0 ? o->poll_initial_ms : 100;
	long max_interval = o->poll_max_ms > 0 ? o->poll_max_ms : 2000;
	char path[256];
	clxs_buf pb;
	clxs_buf_init(&pb);
	clxs_buf_puts(&pb, STMT_PATH "/");
	ws_urlencode(&pb, r->statement_id);
	int bad = clxs_buf_failed(&pb) || pb.len >= sizeof(path);
	if (!bad)
		memcpy(path, clxs_buf_str(&pb), pb.len + 1);
	clxs_buf_free(&pb);
	if (bad) {
		json_object_put(resp);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	bool terminal = false;
	for (;;) {
		json_object *status = NULL;
		json_object_object_get_ex(resp, "status", &status);
		const char *state = clxs_json_str(status, "state", NULL);
		if (!state) {
			rc = malformed(err, "no status.state");
			break;
		}
		terminal = strcmp(state, "PENDING") != 0 && strcmp(state, "RUNNING") != 0;
		if (strcmp(state, "SUCCEEDED") == 0) {
			rc = read_result(c, resp, r, ctl, err);
			break;
		}
		if (strcmp(state, "FAILED") == 0) {
			json_object *e = NULL;
			json_object_object_get_ex(status, "error", &e);
			const char *ec = clxs_json_str(e, "error_code", "");
			const char *msg = clxs_json_str(e, "message", "statement failed");
			int mapped = ws_code_for_error_code(ec);
			*transient = ws_error_code_transient(ec);
			rc = clxs_fail(err, mapped >= 0 ? (clxs_code)mapped : CLXS_EINTERNAL, ec, "%s", msg);
			break;
		}
		if (strcmp(state, "CANCELED") == 0 || strcmp(state, "CANCELLED") == 0) {
			rc = clxs_fail(err, CLXS_ECANCELLED, "CANCELED", "statement %s was cancelled",
				       r->statement_id);
			break;
		}
		if (strcmp(state, "CLOSED") == 0) {
			rc = clxs_fail(err, CLXS_ECONFLICT, "CLOSED", "statement %s is closed",
				       r->statement_id);
			break;
		}
		if (strcmp(state, "PENDING") != 0 && strcmp(state, "RUNNING") != 0) {
			rc = malformed(err, "unknown statement state");
			break;
		}
		json_object_put(resp);
		resp = NULL;
		if (ws_sleep_ctl(interval, ctl))
			rc = CLXS_ECANCELLED; /* or the deadline: told apart below */
		else
			rc = ws_call(c, "GET", path, NULL, NULL, ctl, &resp, err);
		if (rc != CLXS_OK)
			break;
		interval = interval * 2 < max_interval ? interval * 2 : max_interval;
	}
	json_object_put(resp);
	/* Stopped while the statement may still run: cancel it on the server. */
	if (!terminal && rc != CLXS_OK && sql_stop(ctl->ud)) {
		cancel_remote(c, r->statement_id);
		if (sql_cancelled(ctl->ud))
			rc = clxs_fail(err, CLXS_ECANCELLED, "CANCELLED", "statement %s cancelled",
				       r->statement_id);
		else
			rc = clxs_fail(err, CLXS_EUNAVAILABLE, "DEADLINE_EXCEEDED",
				       "statement %s did not finish within %lld ms; cancelled",
				       r->statement_id, (long long)o->timeout_ms);
	}
	return rc;
}

clxs_code clxs_ws_sql(clxs_ws_client *c, const char *warehouse_id, const char *catalog,
		      const char *schema, const char *sql, const clxs_ws_param *params,
		      size_t nparams, const clxs_ws_sql_opts *opts, clxs_ws_result *result,
		      clxs_error *err)
{
	static const clxs_ws_sql_opts defaults;
	const clxs_ws_sql_opts *o = opts ? opts : &defaults;
	memset(result, 0, sizeof(*result));
	if (!sql || !*sql)
		return clxs_fail(err, CLXS_EINVAL, "statement", "empty statement");
	if (!warehouse_id)
		warehouse_id = c->cfg.warehouse_id;
	if (!warehouse_id && !c->opts.inproc)
		return clxs_fail(err, CLXS_EINVAL, "warehouse_id", "no SQL warehouse configured");
	for (size_t i = 0; i < nparams; i++)
		if (!params[i].name || !*params[i].name)
			return clxs_fail(err, CLXS_EINVAL, "parameters", "parameter %zu has no name", i);
	sql_ctx sctx = {o, o->timeout_ms > 0 ? clxs_mono_ms() + o->timeout_ms : 0};
	ws_ctl ctl = {.deadline_ms = sctx.deadline_ms, .cancelled = sql_cancelled, .ud = &sctx};
	if (sql_cancelled(&sctx))
		return clxs_fail(err, CLXS_ECANCELLED, "CANCELLED", "cancelled before submission");
	if (clxs_ws_limiter_acquire_statement(c->limiter, sql_stop, &sctx) < 0) {
		if (sql_cancelled(&sctx))
			return clxs_fail(err, CLXS_ECANCELLED, "CANCELLED",
					 "cancelled while waiting for a statement slot");
		return clxs_fail(err, CLXS_EUNAVAILABLE, "DEADLINE_EXCEEDED",
				 "timed out waiting for a statement slot (max_parallel_queries)");
	}
	clxs_code rc;
	for (int attempt = 0;; attempt++) {
		bool transient = false;
		if (!(result->rows = json_object_new_array())) {
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			break;
		}
		rc = run_once(c, warehouse_id, catalog, schema, sql, params, nparams, o, &ctl, result,
			      &transient, err);
		if (rc == CLXS_OK || !transient || o->no_statement_retry ||
		    attempt >= c->opts.max_retries)
			break;
		long wait = ws_backoff_ms(c, attempt);
		clxs_warn("workspace: statement %s failed with %s; resubmitting (%d/%d) in %ld ms",
			  result->statement_id, err ? err->detail : "a transient error", attempt + 1,
			  c->opts.max_retries, wait);
		clxs_ws_result_free(result);
		if (ws_sleep_ctl(wait, &ctl)) {
			rc = sql_cancelled(&sctx)
				? clxs_fail(err, CLXS_ECANCELLED, "CANCELLED", "cancelled")
				: clxs_fail(err, CLXS_EUNAVAILABLE, "DEADLINE_EXCEEDED",
					    "statement did not succeed within %lld ms",
					    (long long)o->timeout_ms);
			break;
		}
	}
	clxs_ws_limiter_release_statement(c->limiter);
	return rc;
}
