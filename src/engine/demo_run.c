/* Running the demo plan on a workspace, recognising demo catalogs, and
 * dropping them. Everything goes through the workspace client: SQL for
 * the catalog's content, Unity Catalog REST for the catalog marker and the
 * listings, the Files API for the volume's sample files. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clxs/demo.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"
#include "clxs/ws_files.h"

#define UC "/api/2.1/unity-catalog"

/* "/api/2.1/unity-catalog/catalogs/<name percent-encoded>" */
static clxs_code catalog_path(const char *name, char *out, size_t len, clxs_error *err)
{
	char *enc = curl_easy_escape(NULL, name, 0);
	if (!enc)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	int n = snprintf(out, len, UC "/catalogs/%s", enc);
	curl_free(enc);
	if (n < 0 || (size_t)n >= len)
		return clxs_fail(err, CLXS_EVALIDATION, "catalog_name", "catalog name too long");
	return CLXS_OK;
}

/* GET the catalog: CLXS_OK with *info, CLXS_ENOTFOUND, or another error. */
static clxs_code get_catalog(clxs_ws_client *ws, const char *name, json_object **info, clxs_error *err)
{
	char path[1200];
	clxs_code rc = catalog_path(name, path, sizeof(path), err);
	if (rc)
		return rc;
	return clxs_ws_call(ws, "GET", path, NULL, NULL, info, err);
}

static clxs_code run_sql(clxs_ws_client *ws, const char *wh, const char *sql, const atomic_bool *stop,
			 clxs_error *err)
{
	clxs_ws_result res;
	memset(&res, 0, sizeof(res));
	clxs_ws_sql_opts o = {0};
	o.cancel_flag = stop;
	clxs_code rc = clxs_ws_sql(ws, wh, NULL, NULL, sql, NULL, 0, &o, &res, err);
	clxs_ws_result_free(&res);
	return rc;
}

/* ---- the build ---------------------------------------------------------------- */

typedef struct {
	clxs_ws_client *ws;
	const char *wh;
	json_object *loads;
	atomic_size_t next;       /* next load (table) to take */
	atomic_llong done;        /* statements finished */
	atomic_int running;       /* workers still running */
	atomic_bool stop;         /* a failure or a cancel: stop taking work */
	pthread_mutex_t lock;
	clxs_error err;           /* the first failure */
	clxs_code rc;
} loader;

static void *load_worker(void *ud)
{
	loader *L = ud;
	size_t n = json_object_array_length(L->loads);
	for (;;) {
		size_t i = atomic_fetch_add(&L->next, 1);
		if (i >= n || atomic_load(&L->stop))
			break;
		json_object *stmts = json_object_array_get_idx(L->loads, i);
		for (size_t k = 0; k < json_object_array_length(stmts) && !atomic_load(&L->stop); k++) {
			clxs_error e;
			clxs_code rc = run_sql(L->ws, L->wh, json_object_get_string(json_object_array_get_idx(stmts, k)),
					       &L->stop, &e);
			if (rc != CLXS_OK) {
				pthread_mutex_lock(&L->lock);
				if (L->rc == CLXS_OK) {
					L->rc = rc;
					L->err = e;
				}
				pthread_mutex_unlock(&L->lock);
				atomic_store(&L->stop, true);
				break;
			}
			atomic_fetch_add(&L->done, 1);
		}
	}
	atomic_fetch_sub(&L->running, 1);
	return NULL;
}

typedef struct {
	const clxs_demo_hooks *h;
	int64_t done, total;
} tracker;

static clxs_code gate(tracker *t)
{
	return t->h && t->h->gate ? t->h->gate(t->h->ud) : CLXS_OK;
}

static void progress(tracker *t)
{
	if (t->h && t->h->progress)
		t->h->progress(t->h->ud, t->done, t->total);
}

static void say(tracker *t, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(tracker *t, const char *level, const char *fmt, ...)
{
	if (!t->h || !t->h->log)
		return;
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->h->log(t->h->ud, level, msg);
}

static clxs_code run_list(clxs_ws_client *ws, const char *wh, json_object *stmts, tracker *t, clxs_error *err)
{
	for (size_t i = 0; i < json_object_array_length(stmts); i++) {
		clxs_code rc = gate(t);
		if (rc)
			return clxs_fail(err, rc, NULL, "stopped");
		const char *sql = json_object_get_string(json_object_array_get_idx(stmts, i));
		if ((rc = run_sql(ws, wh, sql, NULL, err))) {
			char msg[sizeof(err->message)];
			snprintf(msg, sizeof(msg), "%s", err->message);
			return clxs_fail(err, rc, err->detail, "%.300s (statement: %.150s)", msg, sql);
		}
		t->done++;
		progress(t);
	}
	return CLXS_OK;
}

static clxs_code run_loads(clxs_ws_client *ws, const char *wh, json_object *loads, int workers, tracker *t,
			   clxs_error *err)
{
	size_t n = json_object_array_length(loads);
	if (n == 0)
		return CLXS_OK;
	if (workers < 1)
		workers = 1;
	if ((size_t)workers > n)
		workers = (int)n;
	loader *L = calloc(1, sizeof(*L));
	pthread_t *th = calloc((size_t)workers, sizeof(*th));
	if (!L || !th) {
		free(L);
		free(th);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	L->ws = ws;
	L->wh = wh;
	L->loads = loads;
	pthread_mutex_init(&L->lock, NULL);
	int started = 0;
	for (int i = 0; i < workers; i++) {
		atomic_fetch_add(&L->running, 1);
		if (pthread_create(&th[i], NULL, load_worker, L) != 0) {
			atomic_fetch_sub(&L->running, 1);
			break;
		}
		started++;
	}
	clxs_code stopped = CLXS_OK;
	if (started == 0) {
		stopped = clxs_fail(err, CLXS_EINTERNAL, NULL, "cannot start loader threads");
		atomic_store(&L->stop, true);
	}
	/* Only this thread talks to the hooks: the job's gate and progress
	 * are not thread-safe. */
	int64_t base = t->done;
	while (atomic_load(&L->running) > 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		clxs_code g = gate(t);
		if (g != CLXS_OK && stopped == CLXS_OK) {
			stopped = g;
			atomic_store(&L->stop, true);
		}
		t->done = base + atomic_load(&L->done);
		progress(t);
	}
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	t->done = base + atomic_load(&L->done);
	progress(t);
	clxs_code rc = CLXS_OK;
	if (stopped != CLXS_OK && started > 0)
		rc = clxs_fail(err, stopped, NULL, "stopped");
	else if (stopped != CLXS_OK)
		rc = stopped;
	else if (L->rc != CLXS_OK) {
		*err = L->err;
		rc = L->rc;
	}
	pthread_mutex_destroy(&L->lock);
	free(L);
	free(th);
	return rc;
}

clxs_code clxs_demo_build(clxs_ws_client *ws, const char *warehouse_id, json_object *opts,
			  const clxs_demo_hooks *hooks, json_object **result, clxs_error *err)
{
	*result = NULL;
	const char *cat = clxs_json_str(opts, "catalog_name", NULL);
	const char *wh = clxs_json_str(opts, "warehouse_id", warehouse_id);
	json_object *plan = clxs_demo_plan(opts, err), *info = NULL;
	if (!plan)
		return err->code;
	tracker t = {hooks, 0, 0};
	json_object *counts = json_object_object_get(plan, "counts");
	t.total = clxs_json_int(counts, "statements", 0) + clxs_json_int(counts, "files", 0) + 1;

	clxs_code rc = get_catalog(ws, cat, &info, err);
	if (rc == CLXS_OK) {
		if (!clxs_json_bool(opts, "drop_existing", false)) {
			rc = clxs_fail(err, CLXS_ECONFLICT, "catalog_name",
				       "catalog '%s' already exists (drop_existing, or clxs demo-data --cleanup, "
				       "replaces a demo catalog)", cat);
			goto out;
		}
		json_object *dropped = NULL;
		say(&t, "info", "dropping the existing demo catalog %s", cat);
		rc = clxs_demo_drop(ws, wh, cat, &dropped, err);
		json_object_put(dropped);
		if (rc)
			goto out;
	} else if (rc != CLXS_ENOTFOUND) {
		goto out;
	}
	rc = CLXS_OK;

	say(&t, "info", "creating catalog %s: %lld tables, %lld statements", cat,
	    (long long)clxs_json_int(counts, "tables", 0), (long long)clxs_json_int(counts, "statements", 0));
	if ((rc = run_list(ws, wh, json_object_object_get(plan, "pre"), &t, err)))
		goto out;
	/* The marker goes on the catalog before any data, so even a build
	 * that fails half-way leaves a catalog the demo cleanup may drop. */
	{
		char path[1200];
		if ((rc = catalog_path(cat, path, sizeof(path), err)))
			goto out;
		json_object *body = json_object_new_object(), *props = json_object_new_object();
		clxs_json_set_str(props, CLXS_DEMO_MARK_KEY, CLXS_DEMO_MARK_VALUE);
		json_object_object_add(body, "properties", props);
		rc = clxs_ws_call(ws, "PATCH", path, NULL, body, NULL, err);
		json_object_put(body);
		if (rc)
			goto out;
		t.done++;
	}
	say(&t, "info", "loading %zu tables on up to %lld workers",
	    json_object_array_length(json_object_object_get(plan, "loads")),
	    (long long)clxs_json_int(opts, "max_workers", 4));
	if ((rc = run_loads(ws, wh, json_object_object_get(plan, "loads"), (int)clxs_json_int(opts, "max_workers", 4),
			    &t, err)))
		goto out;
	say(&t, "info", "views, governance and the volume");
	if ((rc = run_list(ws, wh, json_object_object_get(plan, "post"), &t, err)))
		goto out;
	json_object *files = json_object_object_get(plan, "files");
	for (size_t i = 0; i < json_object_array_length(files); i++) {
		if ((rc = gate(&t)))
			goto out;
		json_object *f = json_object_array_get_idx(files, i);
		const char *content = clxs_json_str(f, "content", "");
		clxs_buf path;
		clxs_buf_init(&path);
		rc = clxs_ws_volume_path(&path, "files", cat, clxs_json_str(f, "schema", ""),
					 clxs_json_str(f, "volume", ""), clxs_json_str(f, "path", ""), err);
		if (rc == CLXS_OK)
			rc = clxs_ws_file_put(ws, clxs_buf_str(&path), content, strlen(content), err);
		clxs_buf_free(&path);
		if (rc)
			goto out;
		t.done++;
		progress(&t);
	}
	say(&t, "info", "demo catalog %s is ready", cat);
	*result = json_object_new_object();
	clxs_json_set_str(*result, "catalog", cat);
	json_object_object_add(*result, "industries", json_object_get(json_object_object_get(opts, "industries")));
	json_object_object_add(*result, "scale_factor", json_object_get(json_object_object_get(opts, "scale_factor")));
	json_object_object_foreach(counts, k, v)
		json_object_object_add(*result, k, json_object_get(v));
out:
	json_object_put(info);
	json_object_put(plan);
	return rc;
}

/* ---- recognising and dropping --------------------------------------------------- */

static bool marked(json_object *obj)
{
	const char *v = clxs_json_str(json_object_object_get(obj, "properties"), CLXS_DEMO_MARK_KEY, NULL);
	return v && !strcmp(v, CLXS_DEMO_MARK_VALUE);
}

static void iso_time(json_object *info, json_object *row)
{
	json_object *v = json_object_object_get(info, "created_at");
	if (!v || !json_object_is_type(v, json_type_int)) {
		json_object_object_add(row, "created_at", v && json_object_is_type(v, json_type_string) ? json_object_get(v) : NULL);
		return;
	}
	time_t s = (time_t)(json_object_get_int64(v) / 1000);
	struct tm tm;
	char buf[32];
	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	clxs_json_set_str(row, "created_at", buf);
}

/* Count schemas (without information_schema), tables and demo tables. */
static clxs_code census(clxs_ws_client *ws, const char *cat, int64_t *nschemas, int64_t *ntables, int64_t *ndemo,
			clxs_error *err)
{
	*nschemas = *ntables = *ndemo = 0;
	json_object *schemas = NULL;
	const char *q[] = {"catalog_name", cat, NULL};
	clxs_code rc = clxs_ws_list(ws, UC "/schemas", q, "schemas", 0, &schemas, err);
	for (size_t i = 0; rc == CLXS_OK && i < json_object_array_length(schemas); i++) {
		const char *s = clxs_json_str(json_object_array_get_idx(schemas, i), "name", "");
		if (!strcmp(s, "information_schema"))
			continue;
		(*nschemas)++;
		json_object *tables = NULL;
		const char *tq[] = {"catalog_name", cat, "schema_name", s, "omit_columns", "true", NULL};
		rc = clxs_ws_list(ws, UC "/tables", tq, "tables", 0, &tables, err);
		for (size_t k = 0; rc == CLXS_OK && k < json_object_array_length(tables); k++) {
			(*ntables)++;
			if (marked(json_object_array_get_idx(tables, k)))
				(*ndemo)++;
		}
		json_object_put(tables);
	}
	json_object_put(schemas);
	return rc;
}

json_object *clxs_demo_probe(clxs_ws_client *ws, json_object *info)
{
	json_object *row = json_object_new_object();
	const char *name = clxs_json_str(info, "name", "");
	clxs_json_set_str(row, "name", name);
	clxs_json_set_str(row, "owner", clxs_json_str(info, "owner", NULL));
	clxs_json_set_str(row, "comment", clxs_json_str(info, "comment", ""));
	iso_time(info, row);
	int64_t ns = 0, nt = 0, nd = 0;
	clxs_error err;
	clxs_code rc = census(ws, name, &ns, &nt, &nd, &err);
	clxs_json_set_bool(row, "is_demo", marked(info) || nd > 0);
	clxs_json_set_int(row, "num_demo_tables", nd);
	clxs_json_set_int(row, "num_schemas", ns);
	clxs_json_set_int(row, "num_tables", nt);
	if (rc)
		clxs_json_set_str(row, "error", err.message);
	else
		json_object_object_add(row, "error", NULL);
	return row;
}

clxs_code clxs_demo_drop(clxs_ws_client *ws, const char *warehouse_id, const char *catalog, json_object **result,
			 clxs_error *err)
{
	*result = NULL;
	json_object *info = NULL;
	clxs_code rc = get_catalog(ws, catalog, &info, err);
	if (rc == CLXS_ENOTFOUND)
		return clxs_fail(err, CLXS_ENOTFOUND, "catalog_name", "catalog '%s' not found", catalog);
	if (rc)
		return rc;
	int64_t ns = 0, nt = 0, nd = 0;
	rc = census(ws, catalog, &ns, &nt, &nd, err);
	/* The catalog's own marker, or every table marked: one demo table
	 * copied into a real catalog must not make that catalog droppable. */
	bool demo = marked(info) || (nt > 0 && nd == nt);
	json_object_put(info);
	if (rc)
		return rc;
	if (!demo)
		return clxs_fail(err, CLXS_ECONFLICT, "catalog_name",
				 "catalog '%s' is not a demo catalog (no %s = '%s' marker): refusing to drop it", catalog,
				 CLXS_DEMO_MARK_KEY, CLXS_DEMO_MARK_VALUE);
	clxs_buf b;
	clxs_buf_init(&b);
	rc = clxs_sql_appendf(&b, err, "DROP CATALOG %I CASCADE", catalog);
	if (rc == CLXS_OK)
		rc = run_sql(ws, warehouse_id, clxs_buf_str(&b), NULL, err);
	clxs_buf_free(&b);
	if (rc)
		return rc;
	*result = json_object_new_object();
	clxs_json_set_str(*result, "catalog", catalog);
	clxs_json_set_str(*result, "status", "cleaned");
	clxs_json_set_int(*result, "schemas_dropped", ns);
	clxs_json_set_int(*result, "tables_dropped", nt);
	return CLXS_OK;
}
