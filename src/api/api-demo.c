/* Demo data endpoints (the reference's Demo Data section, without the
 * streaming routes): queue a demo catalog build, drop a demo catalog, and
 * list catalogs with their demo flag. The build runs in clxs-runner (job
 * type "demo-data"); see docs/api-catalogs.md. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/clone.h"
#include "clxs/demo.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/workspace.h"

const clxs_route_param clxs_demo_catalogs_params[] = {
	{"demo_only", "query", "boolean", "When true, returns only catalogs with is_demo=true"},
	{NULL, NULL, NULL, NULL},
};

/* Catalogs probed at once by GET /api/generate/demo-data/catalogs. */
#define PROBE_THREADS 8

void clxs_api_demo_generate(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	clxs_error_clear(&err);
	json_object *opts = clxs_demo_validate(req->body, &err);
	if (!opts) {
		clxs_resp_error(resp, &err);
		return;
	}
	const char *dest = clxs_json_str(opts, "dest_catalog", NULL);
	if (dest) {
		/* The follow-up clone must be a valid request: say so now, not
		 * after the build. */
		json_object *body = json_object_new_object();
		clxs_json_set_str(body, "source_catalog", clxs_json_str(opts, "catalog_name", ""));
		clxs_json_set_str(body, "destination_catalog", dest);
		json_object *copts = clxs_clone_validate(body, req->ctx->config, &err);
		json_object_put(body);
		if (!copts) {
			json_object_put(opts);
			clxs_fail(&err, CLXS_EVALIDATION, "dest_catalog", "%s", err.message);
			clxs_resp_error(resp, &err);
			return;
		}
		json_object_put(copts);
	}
	json_object *spec = clxs_api_target_spec(req, &err);
	if (!spec) {
		json_object_put(opts);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *params = json_object_new_object(), *fields = json_object_new_object();
	clxs_json_set_str(fields, "catalog_name", clxs_json_str(opts, "catalog_name", ""));
	json_object_object_add(params, "request", opts);
	json_object_object_add(params, "target", spec);
	char id[CLXS_JOB_ID_LEN + 1];
	clxs_code rc = clxs_job_submit(req->ctx->store, "demo-data", params, fields, id, &err);
	json_object_put(params);
	json_object_put(fields);
	if (rc) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "job_id", id);
	clxs_json_set_str(o, "status", "queued");
	clxs_json_set_str(o, "message", "Demo data generation submitted");
	clxs_resp_json(resp, 200, o);
}

void clxs_api_demo_delete(clxs_req *req, clxs_resp *resp)
{
	const char *cat = clxs_req_param(req, "catalog_name");
	clxs_error err;
	clxs_target t;
	if (clxs_api_target_open(req, &t, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *res = NULL;
	if (clxs_demo_drop(t.ws, t.warehouse_id, cat, &res, &err))
		clxs_resp_error(resp, &err);
	else
		clxs_resp_json(resp, 200, res);
	clxs_target_close(&t);
}

typedef struct {
	clxs_ws_client *ws;
	json_object *cats;   /* CatalogInfo array */
	json_object **rows;  /* one per catalog, filled by the workers */
	atomic_size_t next;
} probe_pool;

static void *probe_worker(void *ud)
{
	probe_pool *p = ud;
	size_t n = json_object_array_length(p->cats);
	for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < n;)
		p->rows[i] = clxs_demo_probe(p->ws, json_object_array_get_idx(p->cats, i));
	return NULL;
}

void clxs_api_demo_catalogs(clxs_req *req, clxs_resp *resp)
{
	char buf[16];
	const char *v = clxs_req_query(req, "demo_only", buf, sizeof(buf));
	bool demo_only = false;
	if (v && (!strcasecmp(v, "true") || !strcmp(v, "1")))
		demo_only = true;
	else if (v && strcasecmp(v, "false") && strcmp(v, "0")) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "demo_only", "demo_only must be true or false");
		return;
	}
	clxs_error err;
	clxs_target t;
	if (clxs_api_target_open_ex(req, CLXS_API_TARGET_NO_WAREHOUSE, &t, NULL, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *cats = NULL;
	if (clxs_ws_list(t.ws, "/api/2.1/unity-catalog/catalogs", NULL, "catalogs", 0, &cats, &err)) {
		clxs_resp_error(resp, &err);
		clxs_target_close(&t);
		return;
	}
	size_t n = json_object_array_length(cats);
	probe_pool p = {t.ws, cats, calloc(n ? n : 1, sizeof(json_object *)), 0};
	if (!p.rows) {
		json_object_put(cats);
		clxs_target_close(&t);
		clxs_resp_fail(resp, CLXS_ENOMEM, NULL, "out of memory");
		return;
	}
	/* Each probe is a few listings: run them side by side on the one
	 * (thread-safe) client; this thread takes a share too. */
	pthread_t th[PROBE_THREADS];
	size_t started = 0;
	for (; started < PROBE_THREADS && started + 1 < n; started++)
		if (pthread_create(&th[started], NULL, probe_worker, &p) != 0)
			break;
	probe_worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	json_object *list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		if (!demo_only || clxs_json_bool(p.rows[i], "is_demo", false))
			json_object_array_add(list, p.rows[i]);
		else
			json_object_put(p.rows[i]);
	}
	free(p.rows);
	json_object_put(cats);
	clxs_target_close(&t);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "total", json_object_new_int64((int64_t)json_object_array_length(list)));
	json_object_object_add(o, "catalogs", list);
	clxs_json_set_bool(o, "demo_only", demo_only);
	clxs_resp_json(resp, 200, o);
}
