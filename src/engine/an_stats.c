/* Size-based operations: stats, estimate, storage-metrics and stale-scan.
 * Each reads the catalog model in bulk, then per-table facts that
 * information_schema does not hold (DESCRIBE DETAIL, count(*), DESCRIBE
 * HISTORY) on max_workers threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/util.h"

#define GB (1024.0 * 1024.0 * 1024.0)
#define DAY_MS (86400000.0)

static clxs_code detail_count_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err)
{
	clxs_code rc = clxs_an_detail_fn(ws, wh, item, ud, err);
	return rc ? rc : clxs_an_count_fn(ws, wh, item, ud, err);
}

static int cmp_size_desc(const void *a, const void *b)
{
	int64_t x = clxs_json_int(*(json_object *const *)a, "size_bytes", 0);
	int64_t y = clxs_json_int(*(json_object *const *)b, "size_bytes", 0);
	return x < y ? 1 : x > y ? -1 : 0;
}

static double round2(double v)
{
	return round(v * 100.0) / 100.0;
}

/* Take the errors out of items into an array of {table, error}. */
static json_object *collect_errors(json_object *items)
{
	json_object *errs = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		if (!json_object_object_get(it, "error"))
			continue;
		json_object *e = json_object_new_object();
		clxs_json_set_str(e, "table", clxs_json_str(it, "table", ""));
		clxs_json_set_str(e, "error", clxs_json_str(it, "error", ""));
		json_object_array_add(errs, e);
	}
	return errs;
}

static void strip(json_object *it)
{
	static const char *const keys[] = {"catalog", "schema", "name", "model", "created_ms", "modified_ms"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_object_del(it, keys[i]);
}

/* stats and estimate */
clxs_code clxs_an_stats_op(clxs_ws_client *ws, const char *wh, const char *op, json_object *opts,
			   json_object **out, clxs_error *err)
{
	bool stats = !strcmp(op, "stats");
	const char *cat = clxs_json_str(opts, "source_catalog", "");
	json_object *model = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, cat, "source_catalog", &model, err);
	if (rc)
		return rc;
	json_object *items = clxs_an_table_items(model, opts, false);
	clxs_an_each(ws, wh, items, 4, stats ? detail_count_fn : clxs_an_detail_fn, NULL);
	json_object *errors = collect_errors(items);
	json_object *schemas = json_object_new_object();
	int64_t total = 0, rows = 0, files = 0;
	json_object *sarr = json_object_object_get(model, "schemas");
	for (size_t i = 0; sarr && i < json_object_array_length(sarr); i++) {
		const char *n = clxs_json_str(json_object_array_get_idx(sarr, i), "name", "");
		if (clxs_an_schema_skipped(opts, n))
			continue;
		json_object *s = json_object_new_object();
		clxs_json_set_str(s, "schema", n);
		clxs_json_set_int(s, "tables", 0);
		clxs_json_set_int(s, "size_bytes", 0);
		if (stats) {
			clxs_json_set_int(s, "views", 0);
			clxs_json_set_int(s, "rows", 0);
		}
		json_object_object_add(schemas, n, s);
	}
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		json_object *s = json_object_object_get(schemas, clxs_json_str(it, "schema", ""));
		int64_t sz = clxs_json_int(it, "size_bytes", 0), n = clxs_json_int(it, "row_count", 0);
		total += sz;
		rows += n;
		files += clxs_json_int(it, "num_files", 0);
		if (s) {
			clxs_json_set_int(s, "tables", clxs_json_int(s, "tables", 0) + 1);
			clxs_json_set_int(s, "size_bytes", clxs_json_int(s, "size_bytes", 0) + sz);
			if (stats)
				clxs_json_set_int(s, "rows", clxs_json_int(s, "rows", 0) + n);
		}
		strip(it);
	}
	json_object *views = json_object_object_get(model, "views");
	int64_t nviews = 0;
	for (size_t i = 0; views && i < json_object_array_length(views); i++) {
		json_object *v = json_object_array_get_idx(views, i);
		if (clxs_an_schema_skipped(opts, clxs_json_str(v, "schema", NULL)))
			continue;
		nviews++;
		json_object *s = json_object_object_get(schemas, clxs_json_str(v, "schema", ""));
		if (s && stats)
			clxs_json_set_int(s, "views", clxs_json_int(s, "views", 0) + 1);
	}
	double price = clxs_json_double(opts, "price_per_gb", 0.023);
	json_object *slist = json_object_new_array();
	json_object_object_foreach(schemas, k, s) {
		(void)k;
		if (!stats) {
			double gb = (double)clxs_json_int(s, "size_bytes", 0) / GB;
			json_object_object_add(s, "size_gb", json_object_new_double(round(gb * 1e6) / 1e6));
			json_object_object_add(s, "monthly_cost", json_object_new_double(round2(gb * price)));
		}
		json_object_array_add(slist, json_object_get(s));
	}
	json_object_put(schemas);
	json_object *sorted_items = json_object_new_array(), *top = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(items); i++)
		json_object_array_add(sorted_items, json_object_get(json_object_array_get_idx(items, i)));
	json_object_array_sort(sorted_items, cmp_size_desc);
	for (size_t i = 0; i < json_object_array_length(sorted_items) && i < 10; i++)
		json_object_array_add(top, json_object_get(json_object_array_get_idx(sorted_items, i)));
	json_object_put(sorted_items);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	double gb = (double)total / GB;
	if (stats) {
		clxs_json_set_int(o, "total_schemas", (int64_t)json_object_array_length(slist));
		clxs_json_set_int(o, "total_tables", (int64_t)json_object_array_length(items));
		clxs_json_set_int(o, "total_views", nviews);
		clxs_json_set_int(o, "total_size_bytes", total);
		json_object_object_add(o, "total_size_gb", json_object_new_double(round(gb * 1e6) / 1e6));
		clxs_json_set_int(o, "total_rows", rows);
		clxs_json_set_int(o, "total_files", files);
	} else {
		clxs_json_set_int(o, "table_count", (int64_t)json_object_array_length(items));
		clxs_json_set_int(o, "total_size_bytes", total);
		json_object_object_add(o, "total_size_gb", json_object_new_double(round(gb * 1e6) / 1e6));
		json_object_object_add(o, "price_per_gb", json_object_new_double(price));
		json_object_object_add(o, "estimated_monthly_cost", json_object_new_double(round2(gb * price)));
		json_object_object_add(o, "estimated_yearly_cost", json_object_new_double(round2(gb * price * 12)));
		clxs_json_set_str(o, "currency", "USD");
	}
	json_object_object_add(o, "schemas", slist);
	json_object_object_add(o, stats ? "top_tables" : "top_tables_by_size", top);
	if (stats)
		json_object_object_add(o, "tables", json_object_get(items));
	json_object_object_add(o, "errors", errors);
	json_object_put(items);
	json_object_put(model);
	*out = o;
	return CLXS_OK;
}

/* ---- storage metrics -------------------------------------------------------------------- */

/* Removed bytes of a version's operationMetrics, whatever the operation
 * calls them. */
static int64_t removed_bytes(const char *metrics)
{
	if (!metrics)
		return 0;
	json_object *m = clxs_json_parse(metrics, strlen(metrics), NULL);
	static const char *const keys[] = {"numRemovedBytes", "numTargetBytesRemoved", "removedFilesSize",
					   "removed_files_size"};
	int64_t n = 0;
	for (size_t i = 0; m && i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *v = json_object_object_get(m, keys[i]);
		if (v)
			n += json_object_get_int64(v); /* json-c converts "123" too */
	}
	json_object_put(m);
	return n;
}

typedef struct {
	int64_t now_ms;
	double retention_hours;
} storage_ctx;

/* Active bytes are DESCRIBE DETAIL's live size. Bytes removed by versions
 * since the last VACUUM are still on storage: within the retention window
 * they serve time travel, older ones are what VACUUM would delete. */
static clxs_code storage_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err)
{
	storage_ctx *c = ud;
	clxs_code rc = clxs_an_detail_fn(ws, wh, item, NULL, err);
	if (rc)
		return rc;
	clxs_buf b;
	clxs_buf_init(&b);
	rc = clxs_sql_appendf(&b, err, "DESCRIBE HISTORY %Q", clxs_json_str(item, "catalog", ""),
			      clxs_json_str(item, "schema", ""), clxs_json_str(item, "name", ""));
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	if (rc == CLXS_OK)
		rc = clxs_an_sql(ws, wh, clxs_buf_str(&b), &r, err);
	clxs_buf_free(&b);
	int64_t tt = 0, vac = 0;
	int cop = clxs_ws_result_col(&r, "operation"), cts = clxs_ws_result_col(&r, "timestamp");
	int cm = clxs_ws_result_col(&r, "operationMetrics");
	for (size_t i = 0; rc == CLXS_OK && i < r.nrows && cop >= 0 && cm >= 0 && cts >= 0; i++) {
		/* newest first: stop at the last VACUUM */
		const char *op = clxs_ws_result_cell(&r, i, (size_t)cop);
		if (op && !strcasecmp(op, "VACUUM END"))
			break;
		int64_t ts = 0;
		const char *tss = clxs_ws_result_cell(&r, i, (size_t)cts);
		if (!tss || clxs_parse_iso8601(tss, &ts) != 0)
			ts = c->now_ms;
		int64_t n = removed_bytes(clxs_ws_result_cell(&r, i, (size_t)cm));
		if ((double)(c->now_ms - ts) < c->retention_hours * 3600000.0)
			tt += n;
		else
			vac += n;
	}
	clxs_ws_result_free(&r);
	int64_t active = clxs_json_int(item, "size_bytes", 0);
	clxs_json_set_int(item, "active_bytes", active);
	clxs_json_set_int(item, "vacuumable_bytes", vac);
	clxs_json_set_int(item, "time_travel_bytes", tt);
	clxs_json_set_int(item, "total_bytes", active + vac + tt);
	return rc;
}

clxs_code clxs_an_storage_op(clxs_ws_client *ws, const char *wh, json_object *opts, json_object **out,
			     clxs_error *err)
{
	const char *cat = clxs_json_str(opts, "source_catalog", "");
	json_object *model = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, cat, "source_catalog", &model, err);
	if (rc)
		return rc;
	json_object *all = clxs_an_table_items(model, opts, false), *items = json_object_new_array();
	const char *sf = clxs_json_str(opts, "schema_filter", NULL), *tf = clxs_json_str(opts, "table_filter", NULL);
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		json_object *it = json_object_array_get_idx(all, i);
		if ((sf && *sf && strcasecmp(sf, clxs_json_str(it, "schema", ""))) ||
		    (tf && *tf && strcasecmp(tf, clxs_json_str(it, "name", ""))))
			continue;
		json_object_array_add(items, json_object_get(it));
	}
	json_object_put(all);
	storage_ctx c = {clxs_now_ms(), 168};
	clxs_an_each(ws, wh, items, 4, storage_fn, &c);
	json_object *errors = collect_errors(items), *tables = json_object_new_array();
	int64_t a = 0, v = 0, t = 0;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		if (json_object_object_get(it, "error"))
			continue;
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "schema", clxs_json_str(it, "schema", ""));
		clxs_json_set_str(o, "table", clxs_json_str(it, "name", ""));
		static const char *const keys[] = {"active_bytes", "vacuumable_bytes", "time_travel_bytes", "total_bytes",
						   "num_files"};
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			clxs_json_set_int(o, keys[k], clxs_json_int(it, keys[k], 0));
		a += clxs_json_int(it, "active_bytes", 0);
		v += clxs_json_int(it, "vacuumable_bytes", 0);
		t += clxs_json_int(it, "time_travel_bytes", 0);
		json_object_array_add(tables, o);
	}
	json_object *o = json_object_new_object(), *sum = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	json_object_object_add(o, "tables", tables);
	clxs_json_set_int(sum, "total_tables", (int64_t)json_object_array_length(tables));
	clxs_json_set_int(sum, "total_active_bytes", a);
	clxs_json_set_int(sum, "total_vacuumable_bytes", v);
	clxs_json_set_int(sum, "total_time_travel_bytes", t);
	clxs_json_set_int(sum, "total_bytes", a + v + t);
	json_object_object_add(sum, "retention_hours", json_object_new_int(168));
	json_object_object_add(o, "summary", sum);
	json_object_object_add(o, "errors", errors);
	json_object_put(items);
	json_object_put(model);
	*out = o;
	return CLXS_OK;
}

/* ---- stale scan ------------------------------------------------------------------------- */

/* Small files: many files for little data (average under 32 MB with more
 * than one file per 128 MB of data needed). */
static bool small_files(int64_t files, int64_t bytes)
{
	return files > 1 && (double)bytes / (double)files < 32.0 * 1024 * 1024;
}

static clxs_code scan_catalog(clxs_ws_client *ws, const char *wh, const char *cat, json_object *opts, int64_t now,
			      json_object *findings, json_object *per_catalog, int64_t *scanned, clxs_error *err)
{
	json_object *model = NULL;
	clxs_code rc = clxs_an_discover(ws, wh, cat, "source_catalog", &model, err);
	if (rc)
		return rc;
	json_object *items = clxs_an_table_items(model, opts, false);
	clxs_an_each(ws, wh, items, 4, clxs_an_detail_fn, NULL);
	int threshold = (int)clxs_json_int(opts, "days_threshold", 90);
	double min_age = (double)clxs_json_int(opts, "min_age_days", 7);
	int64_t min_size = clxs_json_int(opts, "min_size_bytes", 0), stale = 0, n = 0;
	bool check_small = clxs_json_bool(opts, "check_small_files", false);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *it = json_object_array_get_idx(items, i);
		if (json_object_object_get(it, "error"))
			continue;
		n++;
		int64_t created = clxs_json_int(it, "created_ms", -1), mod = clxs_json_int(it, "modified_ms", -1);
		int64_t size = clxs_json_int(it, "size_bytes", 0), files = clxs_json_int(it, "num_files", 0);
		if (mod < 0)
			mod = created;
		double age = created >= 0 ? (double)(now - created) / DAY_MS : 0;
		double idle = mod >= 0 ? (double)(now - mod) / DAY_MS : 0;
		if (age < min_age || size < min_size)
			continue;
		bool orphan = size == 0, sf = check_small && small_files(files, size);
		const char *action = NULL;
		const char *lvl = clxs_an_stale_risk(idle, threshold, size, orphan, sf, &action);
		if (!lvl)
			continue;
		char fqn[900];
		snprintf(fqn, sizeof(fqn), "%s.%s", cat, clxs_json_str(it, "table", ""));
		json_object *f = json_object_new_object();
		clxs_json_set_str(f, "table_fqn", fqn);
		clxs_json_set_str(f, "catalog", cat);
		clxs_json_set_str(f, "risk_level", lvl);
		/* No read log on this workspace path: activity is the last write. */
		json_object_object_add(f, "last_read_days_ago", NULL);
		clxs_json_set_int(f, "last_write_days_ago", (int64_t)floor(idle));
		clxs_json_set_int(f, "age_days", (int64_t)floor(age));
		clxs_json_set_int(f, "table_size_bytes", size);
		clxs_json_set_str(f, "suggested_action", action);
		clxs_json_set_bool(f, "is_orphan", orphan);
		clxs_json_set_bool(f, "has_small_files", sf);
		json_object_array_add(findings, f);
		stale += idle >= threshold;
	}
	json_object *pc = json_object_new_object();
	clxs_json_set_int(pc, "total_scanned", n);
	clxs_json_set_int(pc, "stale_count", stale);
	json_object_object_add(per_catalog, cat, pc);
	*scanned += n;
	json_object_put(items);
	json_object_put(model);
	return CLXS_OK;
}

clxs_code clxs_an_stale_op(clxs_ws_client *ws, const char *wh, json_object *opts, json_object **out,
			   clxs_error *err)
{
	json_object *cats = json_object_new_array();
	if (clxs_json_str(opts, "source_catalog", NULL))
		json_object_array_add(cats, json_object_new_string(clxs_json_str(opts, "source_catalog", "")));
	json_object *many = json_object_object_get(opts, "source_catalogs");
	for (size_t i = 0; many && i < json_object_array_length(many); i++)
		json_object_array_add(cats, json_object_get(json_object_array_get_idx(many, i)));
	json_object *findings = json_object_new_array(), *per = json_object_new_object(), *errors = json_object_new_array();
	int64_t now = clxs_now_ms(), scanned = 0;
	bool single = json_object_array_length(cats) == 1;
	for (size_t i = 0; i < json_object_array_length(cats); i++) {
		const char *cat = json_object_get_string(json_object_array_get_idx(cats, i));
		clxs_error e;
		clxs_error_clear(&e);
		if (scan_catalog(ws, wh, cat, opts, now, findings, per, &scanned, &e) != CLXS_OK) {
			if (single) { /* one catalog: its failure is the request's */
				*err = e;
				json_object_put(cats);
				json_object_put(findings);
				json_object_put(per);
				json_object_put(errors);
				return e.code;
			}
			json_object *x = json_object_new_object();
			clxs_json_set_str(x, "catalog", cat);
			clxs_json_set_str(x, "error", e.message);
			json_object_array_add(errors, x);
		}
	}
	json_object_put(cats);
	int64_t hi = 0, med = 0, lo = 0, orphan = 0, stale = 0;
	int threshold = (int)clxs_json_int(opts, "days_threshold", 90);
	for (size_t i = 0; i < json_object_array_length(findings); i++) {
		json_object *f = json_object_array_get_idx(findings, i);
		const char *l = clxs_json_str(f, "risk_level", "");
		hi += !strcmp(l, "HIGH");
		med += !strcmp(l, "MEDIUM");
		lo += !strcmp(l, "LOW");
		orphan += clxs_json_bool(f, "is_orphan", false);
		stale += clxs_json_int(f, "last_write_days_ago", 0) >= threshold;
	}
	json_object *o = json_object_new_object(), *sum = json_object_new_object();
	json_object_object_add(o, "findings", findings);
	clxs_json_set_int(sum, "total_tables_scanned", scanned);
	clxs_json_set_int(sum, "stale_count", stale);
	clxs_json_set_int(sum, "orphan_count", orphan);
	clxs_json_set_int(sum, "high_risk", hi);
	clxs_json_set_int(sum, "medium_risk", med);
	clxs_json_set_int(sum, "low_risk", lo);
	clxs_json_set_str(sum, "activity_source", "last_write");
	json_object_object_add(o, "summary", sum);
	json_object_object_add(o, "per_catalog", per);
	json_object_object_add(o, "errors", errors);
	*out = o;
	return CLXS_OK;
}
