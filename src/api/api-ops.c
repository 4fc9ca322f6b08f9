/* Operations views built from what the server really knows: the job records
 * and events in LMDB and the catalogs of the request's workspace.
 *   GET /api/templates       built-in clone templates (config presets)
 *   GET /api/notifications   finished jobs as notifications
 *   GET /api/catalog-health  per-catalog success rates of finished jobs
 *   GET /api/monitor/metrics job counts, rates and durations
 * Nothing here is invented: a catalog with no finished jobs has a null
 * score, a metric with no samples is null. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/util.h"
#include "clxs/workspace.h"

/* How many of the newest jobs the views look at: bounded work per request. */
#define RECENT_JOBS 5000

/* ---- templates ------------------------------------------------------------------ */

typedef struct {
	const char *name, *description, *clone_type;
	const char *config; /* JSON: config keys the template sets */
} tmpl;

static const tmpl templates[] = {
	{"dev-refresh", "Refresh dev from prod", "SHALLOW",
	 "{\"clone_type\":\"SHALLOW\",\"load_type\":\"FULL\",\"copy_permissions\":false,\"force_reclone\":true}"},
	{"dr-replica", "Disaster-recovery copy: data, grants, owners and tags, validated", "DEEP",
	 "{\"clone_type\":\"DEEP\",\"copy_permissions\":true,\"copy_ownership\":true,\"copy_tags\":true,"
	 "\"validate_after_clone\":true}"},
	{"incremental-sync", "Keep a replica current by re-cloning only tables that changed", "DEEP",
	 "{\"clone_type\":\"DEEP\",\"load_type\":\"INCREMENTAL\",\"validate_after_clone\":true}"},
	{"testing-sandbox", "Throwaway test copy without grants or owners", "SHALLOW",
	 "{\"clone_type\":\"SHALLOW\",\"copy_permissions\":false,\"copy_ownership\":false,\"enable_rollback\":true}"},
	{"audit-snapshot", "Checksum-validated point-in-time copy that rolls back on failure", "DEEP",
	 "{\"clone_type\":\"DEEP\",\"validate_after_clone\":true,\"validate_checksum\":true,"
	 "\"auto_rollback_on_failure\":true}"},
};

json_object *clxs_clone_templates(void)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", templates[i].name);
		clxs_json_set_str(o, "description", templates[i].description);
		clxs_json_set_str(o, "clone_type", templates[i].clone_type);
		json_object_object_add(o, "config", json_tokener_parse(templates[i].config));
		json_object_array_add(arr, o);
	}
	return arr;
}

void clxs_api_templates(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	clxs_resp_json(resp, 200, clxs_clone_templates());
}

/* ---- shared: the catalogs a job touched ---------------------------------------------- */

/* A job's source and destination catalogs: the listed fields of clone
 * jobs, else the same names (or "catalog") in its params or request. */
static const char *job_catalog(json_object *job, const char *field)
{
	json_object *params = json_object_object_get(job, "params");
	json_object *srcs[] = {job, params, json_object_object_get(params, "request")};
	for (size_t i = 0; i < 3; i++) {
		const char *v = clxs_json_str(srcs[i], field, NULL);
		if (v && *v)
			return v;
	}
	return NULL;
}

static double job_duration_s(json_object *job)
{
	int64_t a, b;
	const char *s = clxs_json_str(job, "started_at", NULL), *e = clxs_json_str(job, "completed_at", NULL);
	if (!s || !e || clxs_parse_iso8601(s, &a) || clxs_parse_iso8601(e, &b) || b < a)
		return -1;
	return (double)(b - a) / 1000.0;
}

static json_object *recent_jobs(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	json_object *jobs = clxs_job_list(req->ctx->store, NULL, RECENT_JOBS, &err);
	if (!jobs)
		clxs_resp_error(resp, &err);
	return jobs;
}

/* ---- notifications ---------------------------------------------------------------- */

static int newest_first(const void *a, const void *b)
{
	json_object *const *x = a, *const *y = b;
	return strcmp(clxs_json_str(*y, "timestamp", ""), clxs_json_str(*x, "timestamp", ""));
}

static void capitalize(char *s)
{
	if (*s >= 'a' && *s <= 'z')
		*s = (char)(*s - 32);
}

void clxs_api_notifications(clxs_req *req, clxs_resp *resp)
{
	char buf[64];
	long limit = 50;
	const char *l = clxs_req_query(req, "limit", buf, sizeof(buf));
	if (l) {
		char *end;
		limit = strtol(l, &end, 10);
		if (!*l || *end || limit < 1 || limit > 1000) {
			clxs_resp_fail(resp, CLXS_EVALIDATION, "limit", "limit must be an integer from 1 to 1000");
			return;
		}
	}
	char sbuf[64];
	const char *since = clxs_req_query(req, "since", sbuf, sizeof(sbuf));
	int64_t since_ms = 0;
	if (since && clxs_parse_iso8601(since, &since_ms)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "since", "since must be an ISO 8601 timestamp");
		return;
	}
	json_object *jobs = recent_jobs(req, resp);
	if (!jobs)
		return;
	json_object *items = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(jobs); i++) {
		json_object *job = json_object_array_get_idx(jobs, i);
		const char *status = clxs_json_str(job, "status", "");
		if (!clxs_job_status_terminal(status))
			continue;
		const char *type = clxs_json_str(job, "job_type", "job");
		const char *src = job_catalog(job, "source_catalog"), *dst = job_catalog(job, "destination_catalog");
		const char *error = clxs_json_str(job, "error", NULL);
		char what[96], msg[1024];
		snprintf(what, sizeof(what), "%s", type);
		capitalize(what);
		int n = snprintf(msg, sizeof(msg), "%s %s", what, status);
		if (src && dst)
			n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s -> %s", src, dst);
		else if (src || dst)
			n += snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", src ? src : dst);
		if (error && *error && !strcmp(status, "failed") && n > 0 && (size_t)n < sizeof(msg))
			snprintf(msg + n, sizeof(msg) - (size_t)n, " (%s)", error);
		json_object *it = json_object_new_object();
		clxs_json_set_str(it, "type", !strcmp(status, "completed") ? "success"
					      : !strcmp(status, "failed") ? "error" : "warning");
		clxs_json_set_str(it, "message", msg);
		const char *ts = clxs_json_str(job, "completed_at", NULL);
		clxs_json_set_str(it, "timestamp", ts ? ts : clxs_json_str(job, "created_at", ""));
		clxs_json_set_str(it, "status", status);
		clxs_json_set_str(it, "job_id", clxs_json_str(job, "job_id", ""));
		clxs_json_set_str(it, "job_type", type);
		json_object_array_add(items, it);
	}
	json_object_put(jobs);
	json_object_array_sort(items, newest_first);
	/* Keep the newest `limit`. */
	size_t n = json_object_array_length(items);
	if (n > (size_t)limit)
		json_object_array_del_idx(items, (size_t)limit, n - (size_t)limit);
	/* Read state belongs to the client: with ?since= only newer items are
	 * unread, without it every listed item is. */
	int64_t unread = 0;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		int64_t ts = 0;
		if (!since || (!clxs_parse_iso8601(clxs_json_str(json_object_array_get_idx(items, i), "timestamp", ""), &ts) &&
			       ts > since_ms))
			unread++;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_int(o, "unread_count", unread);
	json_object_object_add(o, "items", items);
	clxs_resp_json(resp, 200, o);
}

/* ---- catalog health --------------------------------------------------------------- */

void clxs_api_catalog_health(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	clxs_target t;
	if (clxs_api_target_open(req, &t, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *cats = NULL;
	clxs_code rc = clxs_ws_list(t.ws, "/api/2.1/unity-catalog/catalogs", NULL, "catalogs", 0, &cats, &err);
	clxs_target_close(&t);
	if (rc) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *jobs = recent_jobs(req, resp);
	if (!jobs) {
		json_object_put(cats);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t c = 0; c < json_object_array_length(cats); c++) {
		const char *name = clxs_json_str(json_object_array_get_idx(cats, c), "name", NULL);
		if (!name)
			continue;
		int64_t total = 0, ok = 0, failed = 0;
		const char *last = NULL;
		for (size_t i = 0; i < json_object_array_length(jobs); i++) {
			json_object *job = json_object_array_get_idx(jobs, i);
			const char *status = clxs_json_str(job, "status", "");
			if (!clxs_job_status_terminal(status))
				continue;
			const char *src = job_catalog(job, "source_catalog"), *dst = job_catalog(job, "destination_catalog");
			const char *one = job_catalog(job, "catalog");
			if (!((src && !strcasecmp(src, name)) || (dst && !strcasecmp(dst, name)) ||
			      (one && !strcasecmp(one, name))))
				continue;
			total++;
			ok += !strcmp(status, "completed");
			failed += !strcmp(status, "failed");
			const char *ts = clxs_json_str(job, "completed_at", NULL);
			if (ts && (!last || strcmp(ts, last) > 0))
				last = ts;
		}
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "catalog", name);
		clxs_json_set_int(o, "total", total);
		clxs_json_set_int(o, "succeeded", ok);
		clxs_json_set_int(o, "failed", failed);
		json_object_object_add(o, "last_operation", last ? json_object_new_string(last) : NULL);
		/* Success rate of the operations that ended one way or the other. */
		json_object_object_add(o, "score", ok + failed > 0
			? json_object_new_int64((int64_t)llround(100.0 * (double)ok / (double)(ok + failed)))
			: NULL);
		json_object_array_add(out, o);
	}
	json_object_put(jobs);
	json_object_put(cats);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "catalogs", out);
	clxs_resp_json(resp, 200, o);
}

/* ---- monitor metrics ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmp_day(const void *a, const void *b)
{
	json_object *const *x = a, *const *y = b;
	return strcmp(clxs_json_str(*x, "date", ""), clxs_json_str(*y, "date", ""));
}

/* Three decimals, written as such (json-c would print the binary
 * approximation of the rounded double with 17 digits). */
static json_object *num_or_null(double v, bool have)
{
	if (!have)
		return NULL;
	char buf[64];
	snprintf(buf, sizeof(buf), "%.3f", v);
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

static void bump(json_object *o, const char *key)
{
	clxs_json_set_int(o, key, clxs_json_int(o, key, 0) + 1);
}

static json_object *status_counts(void)
{
	static const char *const st[] = {"queued", "running", "completed", "failed", "cancelled"};
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < 5; i++)
		clxs_json_set_int(o, st[i], 0);
	clxs_json_set_int(o, "total", 0);
	return o;
}

void clxs_api_monitor_metrics(clxs_req *req, clxs_resp *resp)
{
	json_object *jobs = recent_jobs(req, resp);
	if (!jobs)
		return;
	size_t n = json_object_array_length(jobs);
	double *dur = calloc(n ? n : 1, sizeof(double));
	if (!dur) {
		json_object_put(jobs);
		clxs_resp_fail(resp, CLXS_ENOMEM, NULL, "out of memory");
		return;
	}
	size_t nd = 0;
	double sum = 0, clone_secs = 0;
	int64_t tables = 0;
	json_object *by_status = status_counts(), *by_type = json_object_new_object(), *days = json_object_new_object();
	for (size_t i = 0; i < n; i++) {
		json_object *job = json_object_array_get_idx(jobs, i);
		const char *status = clxs_json_str(job, "status", "");
		const char *type = clxs_json_str(job, "job_type", "unknown");
		bump(by_status, status);
		bump(by_status, "total");
		json_object *t = json_object_object_get(by_type, type);
		if (!t) {
			t = status_counts();
			json_object_object_add(by_type, type, t);
		}
		bump(t, status);
		bump(t, "total");
		if (!clxs_job_status_terminal(status))
			continue;
		const char *ts = clxs_json_str(job, "completed_at", NULL);
		if (ts && strlen(ts) >= 10) {
			char day[11];
			memcpy(day, ts, 10);
			day[10] = '\0';
			json_object *d = json_object_object_get(days, day);
			if (!d) {
				d = json_object_new_object();
				clxs_json_set_str(d, "date", day);
				clxs_json_set_int(d, "completed", 0);
				clxs_json_set_int(d, "failed", 0);
				clxs_json_set_int(d, "cancelled", 0);
				json_object_object_add(days, day, d);
			}
			bump(d, status);
		}
		double s = job_duration_s(job);
		if (s >= 0) {
			dur[nd++] = s;
			sum += s;
		}
		if (!strcmp(type, "clone") && !strcmp(status, "completed")) {
			tables += clxs_json_int(json_object_object_get(job, "result"), "tables_cloned", 0);
			if (s > 0)
				clone_secs += s;
		}
	}
	json_object_put(jobs);
	qsort(dur, nd, sizeof(double), cmp_double);
	int64_t done = clxs_json_int(by_status, "completed", 0), failed = clxs_json_int(by_status, "failed", 0);
	json_object *o = json_object_new_object();
	clxs_json_set_int(o, "total_jobs", clxs_json_int(by_status, "total", 0));
	json_object_object_del(by_status, "total");
	json_object_object_add(o, "by_status", by_status);
	json_object_object_add(o, "by_type", by_type);
	json_object_object_add(o, "success_rate", num_or_null(done + failed ? 100.0 * (double)done / (double)(done + failed) : 0,
							       done + failed > 0));
	json_object_object_add(o, "failure_rate", num_or_null(done + failed ? 100.0 * (double)failed / (double)(done + failed) : 0,
							       done + failed > 0));
	json_object *d = json_object_new_object();
	clxs_json_set_int(d, "samples", (int64_t)nd);
	json_object_object_add(d, "avg", num_or_null(nd ? sum / (double)nd : 0, nd > 0));
	json_object_object_add(d, "p50", num_or_null(nd ? dur[(nd - 1) / 2] : 0, nd > 0));
	json_object_object_add(d, "p95", num_or_null(nd ? dur[(size_t)ceil(0.95 * (double)nd) - 1] : 0, nd > 0));
	json_object_object_add(d, "max", num_or_null(nd ? dur[nd - 1] : 0, nd > 0));
	json_object_object_add(o, "duration_seconds", d);
	json_object *tp = json_object_new_object();
	clxs_json_set_int(tp, "tables_cloned", tables);
	json_object_object_add(tp, "tables_per_minute",
			       num_or_null(clone_secs > 0 ? (double)tables / (clone_secs / 60.0) : 0, clone_secs > 0));
	json_object_object_add(o, "throughput", tp);
	/* Daily trend, oldest first. */
	json_object *trend = json_object_new_array();
	json_object_object_foreach(days, day, dv) {
		(void)day;
		json_object_array_add(trend, json_object_get(dv));
	}
	json_object_put(days);
	json_object_array_sort(trend, cmp_day);
	json_object_object_add(o, "daily", trend);
	free(dur);
	clxs_resp_json(resp, 200, o);
}

const clxs_route_param clxs_notifications_params[] = {
	{"limit", "query", "integer", "At most this many items, newest first (default 50, max 1000)"},
	{"since", "query", "string", "ISO 8601 time the client last looked: only newer items count as unread"},
	{NULL, NULL, NULL, NULL},
};
