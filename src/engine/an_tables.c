/* Per-table work for the analysis operations: a small thread pool over a
 * list of items (the reference's max_workers), and the per-table facts
 * several operations share (DESCRIBE DETAIL, row counts). Discovery stays
 * bulk (clxs_clone_discover); only facts information_schema does not hold
 * cost one statement per table. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "an_internal.h"
#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/util.h"

typedef struct {
	clxs_ws_client *ws;
	const char *wh;
	json_object *items;
	clxs_an_item_fn fn;
	void *ud;
	atomic_size_t next;
} pool;

static void *worker(void *arg)
{
	pool *p = arg;
	size_t n = json_object_array_length(p->items), i;
	while ((i = atomic_fetch_add(&p->next, 1)) < n) {
		json_object *item = json_object_array_get_idx(p->items, i);
		clxs_error e;
		clxs_error_clear(&e);
		if (p->fn(p->ws, p->wh, item, p->ud, &e) != CLXS_OK)
			clxs_json_set_str(item, "error", e.message[0] ? e.message : "failed");
	}
	return NULL;
}

/* Each item is only ever touched by the thread that claimed it, and json-c
 * objects are not shared between items, so no locking is needed. */
void clxs_an_each(clxs_ws_client *ws, const char *wh, json_object *items, int workers, clxs_an_item_fn fn, void *ud)
{
	pool p = {ws, wh, items, fn, ud, 0};
	size_t n = json_object_array_length(items);
	if (workers < 1)
		workers = 1;
	if ((size_t)workers > n)
		workers = (int)n;
	pthread_t tid[64];
	int started = 0;
	for (int i = 1; i < workers && i < 64; i++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	worker(&p); /* this thread works too */
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

json_object *clxs_an_table_items(json_object *model, json_object *opts, bool with_views)
{
	json_object *items = json_object_new_array();
	const char *cat = clxs_json_str(json_object_object_get(model, "catalog"), "name", "");
	static const char *const classes[] = {"tables", "views"};
	for (size_t c = 0; c < (with_views ? 2u : 1u); c++) {
		json_object *arr = json_object_object_get(model, classes[c]);
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			json_object *t = json_object_array_get_idx(arr, i);
			const char *schema = clxs_json_str(t, "schema", NULL), *name = clxs_json_str(t, "name", "");
			if (clxs_an_schema_skipped(opts, schema))
				continue;
			json_object *it = json_object_new_object();
			char key[600];
			snprintf(key, sizeof(key), "%s.%s", schema, name);
			clxs_json_set_str(it, "catalog", cat);
			clxs_json_set_str(it, "schema", schema);
			clxs_json_set_str(it, "name", name);
			clxs_json_set_str(it, "table", key);
			json_object_object_add(it, "model", json_object_get(t));
			json_object_array_add(items, it);
		}
	}
	return items;
}

clxs_code clxs_an_sql(clxs_ws_client *ws, const char *wh, const char *sql, clxs_ws_result *r, clxs_error *err)
{
	memset(r, 0, sizeof(*r));
	return clxs_ws_sql(ws, wh, NULL, NULL, sql, NULL, 0, NULL, r, err);
}

static int64_t ms_of(const char *iso)
{
	int64_t ms = 0;
	if (!iso || clxs_parse_iso8601(iso, &ms) != 0)
		return -1;
	return ms;
}

clxs_code clxs_an_detail_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err)
{
	(void)ud;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "DESCRIBE DETAIL %Q", clxs_json_str(item, "catalog", ""),
					clxs_json_str(item, "schema", ""), clxs_json_str(item, "name", ""));
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	if (rc == CLXS_OK)
		rc = clxs_an_sql(ws, wh, clxs_buf_str(&b), &r, err);
	clxs_buf_free(&b);
	if (rc == CLXS_OK && r.nrows < 1)
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "DESCRIBE DETAIL returned no row");
	if (rc == CLXS_OK) {
		int cs = clxs_ws_result_col(&r, "sizeInBytes"), cf = clxs_ws_result_col(&r, "numFiles");
		int cc = clxs_ws_result_col(&r, "createdAt"), cm = clxs_ws_result_col(&r, "lastModified");
		const char *s = cs >= 0 ? clxs_ws_result_cell(&r, 0, (size_t)cs) : NULL;
		const char *f = cf >= 0 ? clxs_ws_result_cell(&r, 0, (size_t)cf) : NULL;
		clxs_json_set_int(item, "size_bytes", s ? strtoll(s, NULL, 10) : 0);
		clxs_json_set_int(item, "num_files", f ? strtoll(f, NULL, 10) : 0);
		clxs_json_set_int(item, "created_ms", ms_of(cc >= 0 ? clxs_ws_result_cell(&r, 0, (size_t)cc) : NULL));
		clxs_json_set_int(item, "modified_ms", ms_of(cm >= 0 ? clxs_ws_result_cell(&r, 0, (size_t)cm) : NULL));
	}
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code clxs_an_count_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err)
{
	(void)ud;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "SELECT count(*) FROM %Q", clxs_json_str(item, "catalog", ""),
					clxs_json_str(item, "schema", ""), clxs_json_str(item, "name", ""));
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	if (rc == CLXS_OK)
		rc = clxs_an_sql(ws, wh, clxs_buf_str(&b), &r, err);
	clxs_buf_free(&b);
	if (rc == CLXS_OK) {
		const char *n = clxs_ws_result_cell(&r, 0, 0);
		clxs_json_set_int(item, "row_count", n ? strtoll(n, NULL, 10) : 0);
	}
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code clxs_an_discover(clxs_ws_client *ws, const char *wh, const char *catalog, const char *field,
			   json_object **model, clxs_error *err)
{
	clxs_code rc = clxs_clone_discover(ws, wh, catalog, model, err);
	if (rc != CLXS_OK && err && (strstr(err->message, "NO_SUCH_CATALOG") || strstr(err->message, "CATALOG_NOT_FOUND")))
		rc = clxs_fail(err, CLXS_ENOTFOUND, field, "catalog '%s' does not exist", catalog);
	if (rc != CLXS_OK && err) /* name the request's field, not the clone's */
		snprintf(err->detail, sizeof(err->detail), "%s", field);
	return rc;
}
