/* The lakehouse REST service: opening (metastore extensions, statements.db),
 * the connection pool that makes the handle thread-safe, and the request
 * entry point (auth, faults, routing). */
#include "svc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/daemon.h"
#include "clxs/log.h"
#include "clxs/util.h"

/* Statement records and their result chunks, shared by every worker of the
 * pool; chunks go with their statement. */
static const char *const stdb_schema[] = {
	"CREATE TABLE IF NOT EXISTS statements("
	" id TEXT PRIMARY KEY, state TEXT NOT NULL, error_code TEXT, error_message TEXT,"
	" manifest TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	" executor TEXT, cancel INTEGER NOT NULL DEFAULT 0)",
	"CREATE INDEX IF NOT EXISTS statements_created ON statements(created_at)",
	"CREATE TABLE IF NOT EXISTS chunks("
	" statement_id TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,"
	" chunk_index INTEGER NOT NULL, row_offset INTEGER NOT NULL, row_count INTEGER NOT NULL,"
	" data TEXT NOT NULL, PRIMARY KEY(statement_id, chunk_index))",
};

sqlite3 *svc_stdb_open(const char *data_dir, clxs_error *err)
{
	char *path = NULL;
	sqlite3 *db = NULL;
	if (asprintf(&path, "%s/statements.db", data_dir) < 0) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		clxs_fail(err, CLXS_EIO, "data_dir", "cannot open %s: %s", path,
			  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close_v2(db);
		free(path);
		return NULL;
	}
	free(path);
	/* Writes here are single short statements, so SQLite's own busy
	 * timeout is enough to wait out another worker. */
	sqlite3_busy_timeout(db, 30000);
	if (sqlite3_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", NULL, NULL,
			 NULL) != SQLITE_OK) {
		clxs_fail(err, CLXS_EIO, "data_dir", "statements.db: %s", sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return NULL;
	}
	return db;
}

static clxs_code stdb_init(sqlite3 *db, clxs_error *err)
{
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
		return clxs_fail(err, CLXS_EIO, "data_dir", "statements.db: %s", sqlite3_errmsg(db));
	for (size_t i = 0; i < sizeof(stdb_schema) / sizeof(stdb_schema[0]); i++)
		if (sqlite3_exec(db, stdb_schema[i], NULL, NULL, NULL) != SQLITE_OK)
			return clxs_fail(err, CLXS_EIO, "data_dir", "statements.db: %s",
					 sqlite3_errmsg(db));
	return CLXS_OK;
}

/* ---- pool -------------------------------------------------------------------------- */

static void conn_close(svc_conn *c)
{
	if (!c)
		return;
	clxs_lh_close(c->lh);
	sqlite3_close_v2(c->st);
	free(c);
}

static svc_conn *conn_open(clxs_lh_service *svc, clxs_error *err)
{
	svc_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if (clxs_lh_open(svc->data_dir, &c->lh, err) ||
	    !(c->st = svc_stdb_open(svc->data_dir, err))) {
		conn_close(c);
		return NULL;
	}
	clxs_lh_set_user(c->lh, svc->user);
	return c;
}

svc_conn *svc_conn_get(clxs_lh_service *svc, clxs_error *err)
{
	pthread_mutex_lock(&svc->mu);
	svc_conn *c = svc->pool;
	if (c) {
		svc->pool = c->next;
		svc->npool--;
	}
	pthread_mutex_unlock(&svc->mu);
	if (c) {
		c->next = NULL;
		return c;
	}
	return conn_open(svc, err);
}

void svc_conn_put(clxs_lh_service *svc, svc_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&svc->mu);
	if (svc->npool < SVC_POOL_IDLE_MAX) {
		c->next = svc->pool;
		svc->pool = c;
		svc->npool++;
		c = NULL;
	}
	pthread_mutex_unlock(&svc->mu);
	conn_close(c);
}

/* ---- open / close -------------------------------------------------------------------- */

void svc_set_executor(clxs_lh_service *svc, svc_executor fn)
{
	svc->exec = fn ? fn : clxs_lh_sql_exec;
}

void svc_set_chunking(clxs_lh_service *svc, int64_t rows, size_t bytes)
{
	svc->chunk_rows = rows > 0 ? rows : 10000;
	svc->chunk_bytes = bytes > 0 ? bytes : (size_t)4 << 20;
}

static char *dup_or(const char *s, const char *dflt)
{
	return strdup(s && *s ? s : dflt);
}

clxs_code clxs_lh_service_open(const clxs_lh_service_opts *opts, clxs_lh_service **out,
			       clxs_error *err)
{
	*out = NULL;
	if (!opts || !opts->data_dir || !*opts->data_dir)
		return clxs_fail(err, CLXS_EINVAL, "data_dir", "lakehouse data directory is empty");
	if (opts->fault_rate < 0 || opts->fault_rate > 1)
		return clxs_fail(err, CLXS_EINVAL, "fault_rate", "fault_rate must be within 0..1");
	if (opts->fault_latency_ms < 0)
		return clxs_fail(err, CLXS_EINVAL, "fault_latency_ms",
				 "fault_latency_ms must not be negative");
	clxs_code rc = clxs_mkdir_p(opts->data_dir, 0700, err);
	if (rc)
		return rc;
	clxs_lh_service *svc = calloc(1, sizeof(*svc));
	if (!svc)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	pthread_mutex_init(&svc->mu, NULL);
	pthread_cond_init(&svc->idle_cv, NULL);
	svc->data_dir = strdup(opts->data_dir);
	svc->token = opts->token && *opts->token ? strdup(opts->token) : NULL;
	svc->user = dup_or(opts->user, "local-user");
	svc->warehouse_id = dup_or(opts->warehouse_id, CLXS_LH_DEFAULT_WAREHOUSE_ID);
	svc->fault_rate = opts->fault_rate;
	svc->fault_latency_ms = opts->fault_latency_ms;
	svc->fault_seed = opts->fault_seed;
	atomic_init(&svc->fault_counter, 0);
	svc_set_executor(svc, NULL);
	svc_set_chunking(svc, 0, 0);
	/* Databricks aborts INLINE statements whose result passes 25 MiB;
	 * CLXS_LH_INLINE_LIMIT_BYTES lowers the bar for tests. */
	const char *il = getenv("CLXS_LH_INLINE_LIMIT_BYTES");
	svc->inline_limit = il && atoll(il) > 0 ? (size_t)atoll(il) : (size_t)25 << 20;
	if (!svc->data_dir || (opts->token && *opts->token && !svc->token) || !svc->user ||
	    !svc->warehouse_id) {
		clxs_lh_service_close(svc);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	svc_conn *c = conn_open(svc, err);
	if (!c) {
		clxs_lh_service_close(svc);
		return err ? err->code : CLXS_EIO;
	}
	if ((rc = stdb_init(c->st, err)) ||
	    (rc = svc_gov_init(c->lh, svc->metastore_id, err))) {
		conn_close(c);
		clxs_lh_service_close(svc);
		return rc;
	}
	svc_volume_gc(c->lh, svc->data_dir);
	svc_conn_put(svc, c);
	*out = svc;
	return CLXS_OK;
}

void clxs_lh_service_close(clxs_lh_service *svc)
{
	if (!svc)
		return;
	/* Executing statements hold a connection and the service: let them
	 * finish (a cancel makes that quick). */
	pthread_mutex_lock(&svc->mu);
	while (svc->running > 0)
		pthread_cond_wait(&svc->idle_cv, &svc->mu);
	svc_conn *c = svc->pool;
	svc->pool = NULL;
	pthread_mutex_unlock(&svc->mu);
	while (c) {
		svc_conn *next = c->next;
		conn_close(c);
		c = next;
	}
	pthread_mutex_destroy(&svc->mu);
	pthread_cond_destroy(&svc->idle_cv);
	free(svc->data_dir);
	free(svc->token);
	free(svc->user);
	free(svc->warehouse_id);
	free(svc);
}

/* ---- requests -------------------------------------------------------------------------- */

void clxs_lh_response_free(clxs_lh_response *resp)
{
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

static bool parse_query(svc_req *r, const char *q)
{
	if (!q || !*q)
		return true;
	size_t n = 1;
	for (const char *p = q; *p; p++)
		n += *p == '&';
	r->query = calloc(n, sizeof(*r->query));
	if (!r->query)
		return false;
	const char *p = q;
	while (*p) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (end > p) {
			const char *kend = eq ? eq : end;
			char *k = svc_urldecode(p, (size_t)(kend - p), true);
			char *v = eq ? svc_urldecode(eq + 1, (size_t)(end - eq - 1), true) : strdup("");
			if (!k || !v) {
				free(k);
				free(v);
				return false;
			}
			r->query[r->nquery].key = k;
			r->query[r->nquery].val = v;
			r->nquery++;
		}
		p = amp ? amp + 1 : end;
	}
	return true;
}

static void req_free(svc_req *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	for (int i = 0; i < r->nquery; i++) {
		free(r->query[i].key);
		free(r->query[i].val);
	}
	free(r->query);
}

static void handle(clxs_lh_service *svc, const char *method, const char *path_and_query,
		   const char *body, size_t body_len, const char *authorization, bool trusted,
		   clxs_lh_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->content_length = -1;
	svc_req r = {0};
	r.svc = svc;
	r.resp = resp;
	r.method = method && *method ? method : "GET";
	r.body = body;
	r.body_len = body ? body_len : 0;
	if (svc->fault_latency_ms > 0)
		clxs_sleep_ms(svc->fault_latency_ms);
	if (!trusted && !svc_token_ok(svc, authorization)) {
		svc_error(&r, 401, "UNAUTHENTICATED",
			  "Authentication is required: send 'Authorization: Bearer <token>'"
			  " with the lakehouse's token.");
		return;
	}
	if (svc_fault(svc, resp))
		return;
	if (!path_and_query || path_and_query[0] != '/') {
		svc_error(&r, 400, "INVALID_PARAMETER_VALUE", "the request path must start with '/'");
		return;
	}
	char *path = NULL;
	const char *q = strchr(path_and_query, '?');
	path = q ? strndup(path_and_query, (size_t)(q - path_and_query)) : strdup(path_and_query);
	if (!path || !parse_query(&r, q ? q + 1 : NULL)) {
		if (path)
			svc_error(&r, 400, "INVALID_PARAMETER_VALUE", "malformed query string");
		else
			svc_error(&r, 500, "INTERNAL_ERROR", "out of memory");
		goto out;
	}
	r.path = path;
	clxs_error err = {0};
	if (!(r.conn = svc_conn_get(svc, &err))) {
		svc_fail(&r, &err);
		goto out;
	}
	svc_route(&r);
	svc_conn_put(svc, r.conn);
out:
	if (resp->status == 0 && !resp->body)
		svc_error(&r, 500, "INTERNAL_ERROR", "the request produced no response");
	req_free(&r);
	free(path);
}

void clxs_lh_service_handle_ex(clxs_lh_service *svc, const char *method,
			       const char *path_and_query, const char *body, size_t body_len,
			       const char *authorization, clxs_lh_response *resp)
{
	handle(svc, method, path_and_query, body, body_len, authorization, false, resp);
}

int clxs_lh_service_handle(clxs_lh_service *svc, const char *method, const char *path_and_query,
			   const char *body, size_t body_len, const char *authorization,
			   char **resp_body)
{
	clxs_lh_response resp;
	handle(svc, method, path_and_query, body, body_len, authorization, false, &resp);
	*resp_body = resp.body;
	if (!*resp_body)
		*resp_body = strdup("");
	return resp.status;
}

int clxs_lh_service_inproc(void *ud, const char *method, const char *path_and_query,
			   const char *body, size_t body_len, char **resp_body, size_t *resp_len,
			   int *status)
{
	clxs_lh_response resp;
	handle(ud, method, path_and_query, body, body_len, NULL, true, &resp);
	*resp_body = resp.body;
	*resp_len = resp.body_len;
	*status = resp.status;
	return 0;
}
