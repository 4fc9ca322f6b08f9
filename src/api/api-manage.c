/* Management section of the API reference (and the Incremental, Sampling,
 * Dependencies, Monitor, Schema Evolution and maintenance endpoints): one
 * handler for every operation of the management table
 * (include/clxs/manage.h). The path after /api/ names the operation; the
 * request is validated by the table, so a bad field is a 422 naming it.
 * Operations marked as jobs are queued for clxs-runner and answer a job id;
 * the others run here and answer their result. */
#include <stdlib.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/manage.h"
#include "clxs/workspace.h"

/* POST /api/monitor takes its fields from the query string. */
static json_object *query_body(clxs_req *req, const clxs_mg_op *op, clxs_error *err)
{
	json_object *b = json_object_new_object();
	char buf[2048];
	for (const clxs_mg_field *f = op->fields; f->name; f++) {
		const char *v = clxs_req_query(req, f->name, buf, sizeof(buf));
		if (!v)
			continue;
		if (f->type == CLXS_MG_BOOL) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
				clxs_fail(err, CLXS_EVALIDATION, f->name, "%s must be true or false", f->name);
				json_object_put(b);
				return NULL;
			}
			clxs_json_set_bool(b, f->name, !strcmp(v, "true"));
		} else if (f->type == CLXS_MG_INT) {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (!*v || *end) {
				clxs_fail(err, CLXS_EVALIDATION, f->name, "%s must be an integer", f->name);
				json_object_put(b);
				return NULL;
			}
			clxs_json_set_int(b, f->name, n);
		} else if (f->type == CLXS_MG_STRS) {
			json_object *a = json_object_new_array();
			for (const char *p = v; *p;) {
				size_t n = strcspn(p, ",");
				if (n)
					json_object_array_add(a, json_object_new_string_len(p, (int)n));
				p += n + (p[n] == ',');
			}
			json_object_object_add(b, f->name, a);
		} else {
			clxs_json_set_str(b, f->name, v);
		}
	}
	/* A JSON body may carry the same fields; the query string wins. */
	if (json_object_is_type(req->body, json_type_object)) {
		json_object_object_foreach(req->body, k, val)
		{
			if (!json_object_object_get(b, k))
				json_object_object_add(b, k, json_object_get(val));
		}
	}
	return b;
}

static void submit_job(clxs_req *req, clxs_resp *resp, const clxs_mg_op *op, json_object *request)
{
	clxs_error err;
	clxs_error_clear(&err);
	json_object *spec = clxs_api_target_spec(req, &err);
	if (!spec) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *params = json_object_new_object(), *fields = json_object_new_object();
	clxs_json_set_str(params, "op", op->name);
	json_object_object_add(params, "request", json_object_get(request));
	json_object_object_add(params, "target", spec);
	static const char *const listed[] = {"source_catalog", "destination_catalog", "schema_name"};
	for (size_t i = 0; i < 3; i++)
		if (clxs_json_str(request, listed[i], NULL))
			clxs_json_set_str(fields, listed[i], clxs_json_str(request, listed[i], NULL));
	char id[CLXS_JOB_ID_LEN + 1];
	/* Job types are the CLI names: "sync", "incremental-sync". */
	clxs_code rc = clxs_job_submit(req->ctx->store, op->cli, params, fields, id, &err);
	json_object_put(params);
	json_object_put(fields);
	if (rc) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "job_id", id);
	clxs_json_set_str(o, "status", "queued");
	clxs_json_set_str(o, "message", op->job_message);
	clxs_resp_json(resp, 200, o);
}

void clxs_api_manage(clxs_req *req, clxs_resp *resp)
{
	const clxs_mg_op *op = clxs_mg_op_find(req->path + strlen("/api/"));
	if (!op) {
		clxs_resp_fail(resp, CLXS_ENOTFOUND, req->path, "no management operation at %s", req->path);
		return;
	}
	clxs_error err;
	clxs_error_clear(&err);
	json_object *body = req->body ? json_object_get(req->body) : NULL;
	if (op->flags & CLXS_MG_QUERY) {
		json_object_put(body);
		if (!(body = query_body(req, op, &err))) {
			clxs_resp_error(resp, &err);
			return;
		}
	}
	json_object *request = clxs_mg_validate(op, body, &err);
	json_object_put(body);
	if (!request) {
		clxs_resp_error(resp, &err);
		return;
	}
	if (op->flags & CLXS_MG_JOB) {
		submit_job(req, resp, op, request);
		json_object_put(request);
		return;
	}
	clxs_target t;
	if (clxs_api_target_open(req, &t, &err)) {
		json_object_put(request);
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_mg_ctx c = {.ws = t.ws, .warehouse_id = t.warehouse_id, .store = req->ctx->store, .config = req->ctx->config,
			 .state_dir = req->ctx->state_dir};
	json_object *out = NULL;
	clxs_code rc = clxs_mg_run(op, &c, request, &out, &err);
	clxs_target_close(&t);
	json_object_put(request);
	if (rc)
		clxs_resp_error(resp, &err);
	else
		clxs_resp_json(resp, 200, out);
}

/* Body schemas for the OpenAPI document, generated from the field table. */
#define SCHEMA_FN(fn, name) \
	const char *fn(void) { return clxs_mg_body_schema(name); }
SCHEMA_FN(clxs_mg_schema_preflight, "preflight")
SCHEMA_FN(clxs_mg_schema_deps, "dependencies/views")
SCHEMA_FN(clxs_mg_schema_lineage, "lineage")
SCHEMA_FN(clxs_mg_schema_impact, "impact")
SCHEMA_FN(clxs_mg_schema_sample, "sample")
SCHEMA_FN(clxs_mg_schema_sample_compare, "sample/compare")
SCHEMA_FN(clxs_mg_schema_preview, "preview")
SCHEMA_FN(clxs_mg_schema_sync, "sync")
SCHEMA_FN(clxs_mg_schema_incr_check, "incremental/check")
SCHEMA_FN(clxs_mg_schema_incr_sync, "incremental/sync")
SCHEMA_FN(clxs_mg_schema_optimize, "optimize")
SCHEMA_FN(clxs_mg_schema_vacuum, "vacuum")
SCHEMA_FN(clxs_mg_schema_ev_detect, "schema-evolution/detect")
SCHEMA_FN(clxs_mg_schema_ev_apply, "schema-evolution/apply")
SCHEMA_FN(clxs_mg_schema_ev_catalog, "schema-evolution/evolve-catalog")

const clxs_route_param clxs_mg_monitor_params[] = {
	{"source_catalog", "query", "string", "Source catalog (required)"},
	{"destination_catalog", "query", "string", "Destination catalog (required)"},
	{"warehouse_id", "query", "string", "SQL warehouse ID"},
	{"check_drift", "query", "boolean", "Check for schema drift (default true)"},
	{"check_counts", "query", "boolean", "Check row count mismatches (default false)"},
	{"exclude_schemas", "query", "string", "Comma-separated schemas to skip (default information_schema,default)"},
	{NULL, NULL, NULL, NULL},
};

/* ---- the handlers outside the operation table: snapshot reads and deletes,
 * the convert history. Each opens the request's target and reads the
 * audit catalog through the same engine functions as the CLI. */

typedef clxs_code (*read_fn)(clxs_mg_ctx *c, void *arg, json_object **out, clxs_error *err);

static void with_target(clxs_req *req, clxs_resp *resp, read_fn fn, void *arg)
{
	clxs_error err;
	clxs_error_clear(&err);
	clxs_target t;
	if (clxs_api_target_open(req, &t, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_mg_ctx c = {.ws = t.ws, .warehouse_id = t.warehouse_id, .store = req->ctx->store, .config = req->ctx->config};
	json_object *out = NULL;
	clxs_code rc = fn(&c, arg, &out, &err);
	clxs_target_close(&t);
	if (rc)
		clxs_resp_error(resp, &err);
	else
		clxs_resp_json(resp, 200, out);
}

static clxs_code snap_list(clxs_mg_ctx *c, void *arg, json_object **out, clxs_error *err)
{
	return clxs_mg_snapshot_list(c, arg, out, err);
}

static clxs_code snap_get(clxs_mg_ctx *c, void *arg, json_object **out, clxs_error *err)
{
	return clxs_mg_snapshot_get(c, arg, out, err);
}

static clxs_code snap_delete(clxs_mg_ctx *c, void *arg, json_object **out, clxs_error *err)
{
	return clxs_mg_snapshot_delete(c, arg, out, err);
}

static clxs_code convert_history(clxs_mg_ctx *c, void *arg, json_object **out, clxs_error *err)
{
	return clxs_mg_convert_history(c, arg, out, err);
}

void clxs_api_mg_snapshots_list(clxs_req *req, clxs_resp *resp)
{
	char buf[1024];
	const char *src = clxs_req_query(req, "source_catalog", buf, sizeof(buf));
	with_target(req, resp, snap_list, (void *)(src && *src ? src : NULL));
}

void clxs_api_mg_snapshots_get(clxs_req *req, clxs_resp *resp)
{
	with_target(req, resp, snap_get, (void *)clxs_req_param(req, "snapshot_id"));
}

void clxs_api_mg_snapshots_delete(clxs_req *req, clxs_resp *resp)
{
	with_target(req, resp, snap_delete, (void *)clxs_req_param(req, "snapshot_id"));
}

void clxs_api_mg_convert_history(clxs_req *req, clxs_resp *resp)
{
	char buf[1024];
	json_object *f = json_object_new_object();
	const char *v = clxs_req_query(req, "limit", buf, sizeof(buf));
	if (v) {
		char *end;
		long long n = strtoll(v, &end, 10);
		if (!*v || *end || n < 1) {
			json_object_put(f);
			clxs_resp_fail(resp, CLXS_EVALIDATION, "limit", "limit must be a positive integer");
			return;
		}
		clxs_json_set_int(f, "limit", n);
	}
	if ((v = clxs_req_query(req, "dry_run", buf, sizeof(buf)))) {
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
			json_object_put(f);
			clxs_resp_fail(resp, CLXS_EVALIDATION, "dry_run", "dry_run must be true or false");
			return;
		}
		clxs_json_set_bool(f, "dry_run", !strcmp(v, "true"));
	}
	static const char *const strs[] = {"status", "fqn_like", "operation_id"};
	for (size_t i = 0; i < 3; i++)
		if ((v = clxs_req_query(req, strs[i], buf, sizeof(buf))))
			clxs_json_set_str(f, strs[i], v);
	with_target(req, resp, convert_history, f);
	json_object_put(f);
}

const clxs_route_param clxs_mg_snapshot_list_params[] = {
	{"source_catalog", "query", "string", "Only snapshots captured from this catalog"},
	{NULL, NULL, NULL, NULL},
};

const clxs_route_param clxs_mg_convert_history_params[] = {
	{"limit", "query", "integer", "Max rows (default 50, hard cap 1000)"},
	{"status", "query", "string", "converted, failed, skipped or dry_run"},
	{"fqn_like", "query", "string", "SQL LIKE pattern on the fqn"},
	{"dry_run", "query", "boolean", "Only dry-run (true) or live (false) rows"},
	{"operation_id", "query", "string", "Every row of one batch"},
	{NULL, NULL, NULL, NULL},
};

SCHEMA_FN(clxs_mg_schema_snapshot, "clone-snapshots")
SCHEMA_FN(clxs_mg_schema_convert, "convert-to-delta")
SCHEMA_FN(clxs_mg_schema_msnapshot, "snapshot")
