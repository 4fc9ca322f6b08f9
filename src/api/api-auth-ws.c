/* Auth section, the workspace pickers: SQL warehouses, Unity Catalog
 * volumes, a SELECT 1 warehouse test, Model Serving endpoints and Genie
 * spaces of the request's workspace (clxs_api_target_open). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth_internal.h"
#include "clxs/api_target.h"
#include "clxs/json.h"
#include "clxs/target.h"
#include "clxs/workspace.h"

/* json-c asserts on the array calls for anything but an array. */
static size_t arr_len(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *arr_get(json_object *a, size_t i)
{
	return i < arr_len(a) ? json_object_array_get_idx(a, i) : NULL;
}

static bool open_rest(clxs_req *req, clxs_resp *resp, clxs_target *t)
{
	clxs_error err;
	if (clxs_api_target_open_ex(req, CLXS_API_TARGET_NO_WAREHOUSE, t, NULL, &err)) {
		clxs_resp_error(resp, &err);
		return false;
	}
	return true;
}

void clxs_api_auth_warehouses(clxs_req *req, clxs_resp *resp)
{
	clxs_target t;
	clxs_error err;
	json_object *whs = NULL;
	if (!open_rest(req, resp, &t))
		return;
	clxs_code rc = clxs_ws_warehouses(t.ws, &whs, &err);
	clxs_target_close(&t);
	if (rc) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < arr_len(whs); i++) {
		json_object *w = json_object_array_get_idx(whs, i), *o = json_object_new_object();
		clxs_json_set_str(o, "id", clxs_json_str(w, "id", NULL));
		clxs_json_set_str(o, "name", clxs_json_str(w, "name", NULL));
		clxs_json_set_str(o, "size", clxs_json_str(w, "cluster_size", NULL));
		clxs_json_set_str(o, "state", clxs_json_str(w, "state", NULL));
		clxs_json_set_str(o, "type", clxs_json_bool(w, "enable_serverless_compute", false)
						     ? "SERVERLESS"
						     : clxs_json_str(w, "warehouse_type", NULL));
		json_object_array_add(out, o);
	}
	json_object_put(whs);
	clxs_resp_json(resp, 200, out);
}

/* Volumes are listed per schema in Unity Catalog; the walk is bounded so
 * a large metastore cannot hold a worker for long. ?catalog= narrows it. */
#define VOLUME_WALK_MAX_CALLS 400

void clxs_api_auth_volumes(clxs_req *req, clxs_resp *resp)
{
	char only[256];
	const char *cat_filter = clxs_req_query(req, "catalog", only, sizeof(only));
	clxs_target t;
	clxs_error err;
	if (!open_rest(req, resp, &t))
		return;
	json_object *cats = NULL, *out = json_object_new_array();
	int calls = 1;
	bool truncated = false;
	clxs_code rc = CLXS_OK;
	if (cat_filter) {
		cats = json_object_new_array();
		json_object *c = json_object_new_object();
		clxs_json_set_str(c, "name", cat_filter);
		json_object_array_add(cats, c);
	} else {
		rc = clxs_ws_list(t.ws, "/api/2.1/unity-catalog/catalogs", NULL, "catalogs", 0, &cats, &err);
	}
	for (size_t i = 0; rc == CLXS_OK && i < arr_len(cats) && !truncated; i++) {
		const char *cat = clxs_json_str(json_object_array_get_idx(cats, i), "name", "");
		const char *q1[] = {"catalog_name", cat, NULL};
		json_object *schemas = NULL;
		if (++calls > VOLUME_WALK_MAX_CALLS) {
			truncated = true;
			break;
		}
		rc = clxs_ws_list(t.ws, "/api/2.1/unity-catalog/schemas", q1, "schemas", 0, &schemas, &err);
		for (size_t j = 0; rc == CLXS_OK && j < arr_len(schemas); j++) {
			const char *sch = clxs_json_str(json_object_array_get_idx(schemas, j), "name", "");
			if (!strcmp(sch, "information_schema"))
				continue;
			if (++calls > VOLUME_WALK_MAX_CALLS) {
				truncated = true;
				break;
			}
			const char *q2[] = {"catalog_name", cat, "schema_name", sch, NULL};
			json_object *vols = NULL;
			rc = clxs_ws_list(t.ws, "/api/2.1/unity-catalog/volumes", q2, "volumes", 0, &vols, &err);
			for (size_t k = 0; rc == CLXS_OK && k < arr_len(vols); k++) {
				json_object *v = json_object_array_get_idx(vols, k), *o = json_object_new_object();
				const char *name = clxs_json_str(v, "name", "");
				char full[1024], path[1100];
				snprintf(full, sizeof(full), "%s.%s.%s", cat, sch, name);
				snprintf(path, sizeof(path), "/Volumes/%s/%s/%s", cat, sch, name);
				clxs_json_set_str(o, "catalog", cat);
				clxs_json_set_str(o, "schema", sch);
				clxs_json_set_str(o, "name", name);
				clxs_json_set_str(o, "full_name", clxs_json_str(v, "full_name", full));
				clxs_json_set_str(o, "volume_type", clxs_json_str(v, "volume_type", NULL));
				clxs_json_set_str(o, "path", path);
				json_object_array_add(out, o);
			}
			json_object_put(vols);
			/* A schema we may not read is skipped, not fatal. */
			if (rc == CLXS_EPERM)
				rc = CLXS_OK;
		}
		json_object_put(schemas);
		if (rc == CLXS_EPERM || (rc == CLXS_ENOTFOUND && !cat_filter))
			rc = CLXS_OK;
	}
	json_object_put(cats);
	clxs_target_close(&t);
	if (rc) {
		json_object_put(out);
		clxs_resp_error(resp, &err);
		return;
	}
	/* The reference's response is a bare list: a cut-short walk says so
	 * in a header instead. */
	if (truncated)
		snprintf(resp->extra_headers, sizeof(resp->extra_headers), "X-Clxs-Truncated: true\r\n");
	clxs_resp_json(resp, 200, out);
}

/* A typed JSON value for one result cell. */
static json_object *cell_value(const char *type, const char *v)
{
	if (!v)
		return NULL;
	if (type && (!strcmp(type, "INT") || !strcmp(type, "BIGINT") || !strcmp(type, "LONG") ||
		     !strcmp(type, "SHORT") || !strcmp(type, "SMALLINT") || !strcmp(type, "TINYINT") ||
		     !strcmp(type, "BYTE") || !strcmp(type, "INTEGER")))
		return json_object_new_int64(strtoll(v, NULL, 10));
	if (type && (!strcmp(type, "DOUBLE") || !strcmp(type, "FLOAT")))
		return json_object_new_double(strtod(v, NULL));
	if (type && !strcmp(type, "BOOLEAN"))
		return json_object_new_boolean(!strcmp(v, "true"));
	return json_object_new_string(v);
}

void clxs_api_auth_test_warehouse(clxs_req *req, clxs_resp *resp)
{
	const char *wh;
	if (!clxs_auth_body_str(req, resp, "warehouse_id", true, &wh))
		return;
	clxs_target t;
	clxs_error err;
	if (!open_rest(req, resp, &t))
		return;
	clxs_ws_sql_opts so = {0};
	so.timeout_ms = 60000;
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	clxs_code rc = clxs_ws_sql(t.ws, wh, NULL, NULL, "SELECT 1", NULL, 0, &so, &r, &err);
	clxs_target_close(&t);
	if (rc) {
		clxs_ws_result_free(&r);
		char reason[512];
		snprintf(reason, sizeof(reason), "%s", err.message);
		clxs_fail(&err, rc, "warehouse_id", "warehouse %s is not usable: %.400s", wh, reason);
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *rows = json_object_new_array();
	for (size_t i = 0; i < r.nrows; i++) {
		json_object *row = json_object_new_object();
		for (size_t j = 0; j < r.ncols; j++)
			json_object_object_add(row, r.col_names[j],
					       cell_value(r.col_types[j], clxs_ws_result_cell(&r, i, j)));
		json_object_array_add(rows, row);
	}
	clxs_ws_result_free(&r);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "ok");
	clxs_json_set_str(o, "message", "Warehouse is reachable");
	json_object_object_add(o, "result", rows);
	clxs_resp_json(resp, 200, o);
}

/* GET path of the request's workspace into *out, or an empty list when the
 * workspace has no such feature (the embedded lakehouse, a workspace
 * without Model Serving or Genie: 404 from the workspace). */
static bool optional_feature(clxs_req *req, clxs_resp *resp, const char *path, json_object **out)
{
	clxs_target t;
	clxs_error err;
	*out = NULL;
	if (!open_rest(req, resp, &t))
		return false;
	clxs_code rc = CLXS_OK;
	if (!t.lakehouse)
		rc = clxs_ws_call(t.ws, "GET", path, NULL, NULL, out, &err);
	clxs_target_close(&t);
	if (rc == CLXS_ENOTFOUND)
		rc = CLXS_OK;
	if (rc) {
		clxs_resp_error(resp, &err);
		return false;
	}
	return true;
}

void clxs_api_auth_serving_endpoints(clxs_req *req, clxs_resp *resp)
{
	json_object *got = NULL;
	if (!optional_feature(req, resp, "/api/2.0/serving-endpoints", &got))
		return;
	json_object *list = json_object_new_array(), *eps = json_object_object_get(got, "endpoints");
	for (size_t i = 0; i < arr_len(eps); i++) {
		json_object *e = json_object_array_get_idx(eps, i);
		const char *state = clxs_json_str(json_object_object_get(e, "state"), "ready", "");
		if (strcmp(state, "READY") != 0)
			continue;
		const char *name = clxs_json_str(e, "name", "");
		/* The provider of an external model, else a Databricks-hosted one. */
		json_object *ents = json_object_object_get(json_object_object_get(e, "config"), "served_entities");
		json_object *ext = json_object_object_get(arr_get(ents, 0), "external_model");
		const char *provider = clxs_json_str(ext, "provider", "databricks");
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", name);
		clxs_json_set_str(o, "state", state);
		clxs_json_set_str(o, "provider", provider);
		clxs_json_set_bool(o, "is_claude", strcasestr(name, "claude") || !strcmp(provider, "anthropic"));
		json_object_array_add(list, o);
	}
	json_object_put(got);
	json_object *o = json_object_new_object();
	clxs_json_set_bool(o, "success", true);
	json_object_object_add(o, "endpoints", list);
	clxs_resp_json(resp, 200, o);
}

void clxs_api_auth_genie_spaces(clxs_req *req, clxs_resp *resp)
{
	json_object *got = NULL;
	if (!optional_feature(req, resp, "/api/2.0/genie/spaces", &got))
		return;
	json_object *list = json_object_new_array(), *spaces = json_object_object_get(got, "spaces");
	for (size_t i = 0; i < arr_len(spaces); i++) {
		json_object *s = json_object_array_get_idx(spaces, i), *o = json_object_new_object();
		clxs_json_set_str(o, "space_id", clxs_json_str(s, "space_id", NULL));
		clxs_json_set_str(o, "title", clxs_json_str(s, "title", NULL));
		clxs_json_set_str(o, "description", clxs_json_str(s, "description", NULL));
		json_object_array_add(list, o);
	}
	json_object_put(got);
	json_object *o = json_object_new_object();
	clxs_json_set_bool(o, "success", true);
	json_object_object_add(o, "spaces", list);
	clxs_resp_json(resp, 200, o);
}
