/* Catalog browsing (the reference's Catalog section) and the Explorer's
 * GET /api/uc-objects. Everything is Unity Catalog REST through the
 * request's workspace client: listings take the names as query parameters
 * (never spliced into a path), so catalog, schema and table names with
 * dots, quotes, backticks, spaces or semicolons work. No SQL warehouse is
 * needed. */
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/api_tableinfo.h"
#include "clxs/json.h"
#include "clxs/workspace.h"

#define UC "/api/2.1/unity-catalog"

static bool open_target(clxs_req *req, clxs_resp *resp, clxs_target *t)
{
	clxs_error err;
	if (clxs_api_target_open_ex(req, CLXS_API_TARGET_NO_WAREHOUSE, t, NULL, &err)) {
		clxs_resp_error(resp, &err);
		return false;
	}
	return true;
}

/* A listing failed: a missing parent becomes a 404 that names it. */
static void list_failed(clxs_resp *resp, clxs_error *err, const char *cat, const char *schema)
{
	if (err->code == CLXS_ENOTFOUND) {
		if (schema && strcmp(err->detail, "CATALOG_DOES_NOT_EXIST") != 0)
			clxs_resp_fail(resp, CLXS_ENOTFOUND, "schema", "schema '%s' not found in catalog '%s'", schema, cat);
		else
			clxs_resp_fail(resp, CLXS_ENOTFOUND, "catalog", "catalog '%s' not found", cat);
		return;
	}
	clxs_resp_error(resp, err);
}

static json_object *names_of(json_object *arr, bool (*keep)(json_object *))
{
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *it = json_object_array_get_idx(arr, i);
		if (!keep || keep(it))
			json_object_array_add(out, json_object_new_string(clxs_json_str(it, "name", "")));
	}
	return out;
}

void clxs_api_catalogs_list(clxs_req *req, clxs_resp *resp)
{
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	clxs_error err;
	json_object *cats = NULL;
	if (clxs_ws_list(t.ws, UC "/catalogs", NULL, "catalogs", 0, &cats, &err))
		clxs_resp_error(resp, &err);
	else
		clxs_resp_json(resp, 200, names_of(cats, NULL));
	json_object_put(cats);
	clxs_target_close(&t);
}

static bool user_schema(json_object *s)
{
	const char *n = clxs_json_str(s, "name", "");
	return strcmp(n, "information_schema") != 0 && strcmp(n, "default") != 0;
}

void clxs_api_catalog_schemas(clxs_req *req, clxs_resp *resp)
{
	const char *cat = clxs_req_param(req, "catalog");
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	clxs_error err;
	json_object *schemas = NULL;
	const char *q[] = {"catalog_name", cat, NULL};
	if (clxs_ws_list(t.ws, UC "/schemas", q, "schemas", 0, &schemas, &err))
		list_failed(resp, &err, cat, NULL);
	else
		clxs_resp_json(resp, 200, names_of(schemas, user_schema));
	json_object_put(schemas);
	clxs_target_close(&t);
}

void clxs_api_catalog_info(clxs_req *req, clxs_resp *resp)
{
	const char *cat = clxs_req_param(req, "catalog");
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	clxs_error err;
	json_object *info = NULL;
	char *enc = curl_easy_escape(NULL, cat, 0);
	char path[1200];
	snprintf(path, sizeof(path), UC "/catalogs/%s", enc ? enc : "");
	curl_free(enc);
	if (clxs_ws_call(t.ws, "GET", path, NULL, NULL, &info, &err)) {
		list_failed(resp, &err, cat, NULL);
	} else {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", clxs_json_str(info, "name", cat));
		clxs_json_set_str(o, "storage_root", clxs_json_str(info, "storage_root", NULL));
		clxs_json_set_str(o, "owner", clxs_json_str(info, "owner", NULL));
		clxs_json_set_str(o, "comment", clxs_json_str(info, "comment", NULL));
		clxs_resp_json(resp, 200, o);
	}
	json_object_put(info);
	clxs_target_close(&t);
}

/* The tables of catalog.schema (views included, as Unity Catalog lists
 * them), or NULL with the response set. */
static json_object *schema_tables(clxs_req *req, clxs_resp *resp, clxs_target *t, bool columns)
{
	const char *cat = clxs_req_param(req, "catalog"), *schema = clxs_req_param(req, "schema");
	clxs_error err;
	json_object *tables = NULL;
	const char *q[] = {"catalog_name", cat, "schema_name", schema, "omit_columns", columns ? NULL : "true", NULL};
	if (clxs_ws_list(t->ws, UC "/tables", q, "tables", 0, &tables, &err)) {
		list_failed(resp, &err, cat, schema);
		return NULL;
	}
	return tables;
}

void clxs_api_schema_tables(clxs_req *req, clxs_resp *resp)
{
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	json_object *tables = schema_tables(req, resp, &t, false);
	if (tables)
		clxs_resp_json(resp, 200, names_of(tables, NULL));
	json_object_put(tables);
	clxs_target_close(&t);
}

void clxs_api_schema_tables_format(clxs_req *req, clxs_resp *resp)
{
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	json_object *tables = schema_tables(req, resp, &t, false);
	if (tables) {
		json_object *out = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(tables); i++) {
			json_object *it = json_object_array_get_idx(tables, i), *o = json_object_new_object();
			clxs_json_set_str(o, "name", clxs_json_str(it, "name", ""));
			clxs_json_set_str(o, "table_type", clxs_json_str(it, "table_type", NULL));
			/* Upper-cased at this boundary so clients can compare with "DELTA". */
			const char *f = clxs_json_str(it, "data_source_format", NULL);
			char up[64] = "";
			for (size_t k = 0; f && f[k] && k + 1 < sizeof(up); k++)
				up[k] = (char)(f[k] >= 'a' && f[k] <= 'z' ? f[k] - 32 : f[k]), up[k + 1] = '\0';
			clxs_json_set_str(o, "data_source_format", f ? up : NULL);
			json_object_array_add(out, o);
		}
		clxs_resp_json(resp, 200, out);
	}
	json_object_put(tables);
	clxs_target_close(&t);
}

static bool is_view(json_object *t)
{
	const char *ty = clxs_json_str(t, "table_type", "");
	return !strcasecmp(ty, "VIEW") || !strcasecmp(ty, "MATERIALIZED_VIEW");
}

static bool is_table(json_object *t)
{
	return !is_view(t);
}

void clxs_api_schema_objects(clxs_req *req, clxs_resp *resp)
{
	const char *cat = clxs_req_param(req, "catalog"), *schema = clxs_req_param(req, "schema");
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	json_object *tables = schema_tables(req, resp, &t, false), *funcs = NULL, *vols = NULL;
	clxs_error err;
	const char *q[] = {"catalog_name", cat, "schema_name", schema, NULL};
	if (tables && clxs_ws_list(t.ws, UC "/functions", q, "functions", 0, &funcs, &err) == CLXS_OK &&
	    clxs_ws_list(t.ws, UC "/volumes", q, "volumes", 0, &vols, &err) == CLXS_OK) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "tables", names_of(tables, is_table));
		json_object_object_add(o, "views", names_of(tables, is_view));
		json_object_object_add(o, "functions", names_of(funcs, NULL));
		json_object_object_add(o, "volumes", names_of(vols, NULL));
		clxs_resp_json(resp, 200, o);
	} else if (tables) {
		list_failed(resp, &err, cat, schema);
	}
	json_object_put(tables);
	json_object_put(funcs);
	json_object_put(vols);
	clxs_target_close(&t);
}

void clxs_api_table_info(clxs_req *req, clxs_resp *resp)
{
	const char *cat = clxs_req_param(req, "catalog"), *schema = clxs_req_param(req, "schema");
	const char *name = clxs_req_param(req, "table");
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	/* The schema's listing rather than GET /tables/{full_name}: a full
	 * name cannot carry a name that holds a dot. */
	json_object *tables = schema_tables(req, resp, &t, true), *found = NULL;
	for (size_t i = 0; tables && i < json_object_array_length(tables); i++)
		if (!strcmp(clxs_json_str(json_object_array_get_idx(tables, i), "name", ""), name))
			found = json_object_array_get_idx(tables, i);
	if (tables && !found) {
		clxs_resp_fail(resp, CLXS_ENOTFOUND, "table", "table '%s' not found in %s.%s", name, cat, schema);
	} else if (found) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", name);
		clxs_json_set_str(o, "catalog", cat);
		clxs_json_set_str(o, "schema", schema);
		clxs_json_set_str(o, "table_type", clxs_json_str(found, "table_type", NULL));
		clxs_json_set_str(o, "owner", clxs_json_str(found, "owner", NULL));
		clxs_json_set_str(o, "storage_location", clxs_json_str(found, "storage_location", NULL));
		clxs_json_set_str(o, "comment", clxs_json_str(found, "comment", NULL));
		clxs_json_set_str(o, "data_source_format", clxs_json_str(found, "data_source_format", NULL));
		json_object *cols = json_object_new_array(), *src = json_object_object_get(found, "columns");
		for (size_t i = 0; i < json_object_array_length(src); i++) {
			json_object *c = json_object_array_get_idx(src, i), *co = json_object_new_object();
			clxs_json_set_str(co, "name", clxs_json_str(c, "name", ""));
			const char *ty = clxs_json_str(c, "type_text", clxs_json_str(c, "type_name", ""));
			char up[256] = "";
			for (size_t k = 0; ty[k] && k + 1 < sizeof(up); k++)
				up[k] = (char)(ty[k] >= 'a' && ty[k] <= 'z' ? ty[k] - 32 : ty[k]), up[k + 1] = '\0';
			clxs_json_set_str(co, "type", up);
			clxs_json_set_bool(co, "nullable", clxs_json_bool(c, "nullable", true));
			clxs_json_set_str(co, "comment", clxs_json_str(c, "comment", NULL));
			json_object_array_add(cols, co);
		}
		json_object_object_add(o, "columns", cols);
		json_object *props = json_object_object_get(found, "properties");
		json_object_object_add(o, "properties", props ? json_object_get(props) : json_object_new_object());
		/* Beyond the reference: what the Explorer's drawer shows. */
		clxs_api_table_info_extras(&t, cat, schema, name, o);
		clxs_resp_json(resp, 200, o);
	}
	json_object_put(tables);
	clxs_target_close(&t);
}

/* ---- GET /api/uc-objects ---------------------------------------------------------- */

/* One kind of workspace object: where Unity Catalog lists it and which of
 * its fields the Explorer shows (as out-name = in-name). */
typedef struct {
	const char *key, *path, *field;
	const char *map[4][2];
} uc_kind;

static const uc_kind kinds[] = {
	{"external_locations", UC "/external-locations", "external_locations",
	 {{"name", "name"}, {"url", "url"}, {"credential_name", "credential_name"}, {"owner", "owner"}}},
	{"storage_credentials", UC "/storage-credentials", "storage_credentials",
	 {{"name", "name"}, {"owner", "owner"}, {"comment", "comment"}, {NULL, NULL}}},
	{"connections", UC "/connections", "connections",
	 {{"name", "name"}, {"connection_type", "connection_type"}, {"owner", "owner"}, {"comment", "comment"}}},
	{"registered_models", UC "/models", "registered_models",
	 {{"name", "name"}, {"catalog", "catalog_name"}, {"schema", "schema_name"}, {"owner", "owner"}}},
	{"shares", "/api/2.1/unity-catalog/shares", "shares",
	 {{"name", "name"}, {"owner", "owner"}, {"comment", "comment"}, {NULL, NULL}}},
	{"recipients", UC "/recipients", "recipients",
	 {{"name", "name"}, {"authentication_type", "authentication_type"}, {"owner", "owner"}, {NULL, NULL}}},
};

/* A storage credential's type is whichever cloud identity block it has. */
static const char *credential_type(json_object *c)
{
	static const char *const types[][2] = {
		{"aws_iam_role", "AWS_IAM_ROLE"},
		{"azure_managed_identity", "AZURE_MANAGED_IDENTITY"},
		{"azure_service_principal", "AZURE_SERVICE_PRINCIPAL"},
		{"databricks_gcp_service_account", "DATABRICKS_GCP_SERVICE_ACCOUNT"},
		{"cloudflare_api_token", "CLOUDFLARE_API_TOKEN"},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (json_object_object_get(c, types[i][0]))
			return types[i][1];
	return NULL;
}

void clxs_api_uc_objects(clxs_req *req, clxs_resp *resp)
{
	clxs_target t;
	if (!open_target(req, resp, &t))
		return;
	json_object *o = json_object_new_object(), *unavailable = json_object_new_object();
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		clxs_error err;
		json_object *items = NULL, *out = json_object_new_array();
		if (clxs_ws_list(t.ws, kinds[k].path, NULL, kinds[k].field, 0, &items, &err)) {
			/* A workspace without the feature (or the embedded lakehouse,
			 * which has none of these objects) is an empty list plus a
			 * note, not a failed page; a login problem fails the call. */
			if (err.code == CLXS_EAUTH) {
				json_object_put(out);
				json_object_put(o);
				json_object_put(unavailable);
				clxs_resp_error(resp, &err);
				clxs_target_close(&t);
				return;
			}
			clxs_json_set_str(unavailable, kinds[k].key, err.message);
		}
		for (size_t i = 0; items && i < json_object_array_length(items); i++) {
			json_object *it = json_object_array_get_idx(items, i), *row = json_object_new_object();
			for (size_t m = 0; m < 4 && kinds[k].map[m][0]; m++)
				clxs_json_set_str(row, kinds[k].map[m][0], clxs_json_str(it, kinds[k].map[m][1], NULL));
			if (!strcmp(kinds[k].key, "storage_credentials"))
				clxs_json_set_str(row, "type", credential_type(it));
			json_object_array_add(out, row);
		}
		json_object_put(items);
		json_object_object_add(o, kinds[k].key, out);
	}
	clxs_error err;
	json_object *ms = NULL;
	if (clxs_ws_call(t.ws, "GET", UC "/metastore_summary", NULL, NULL, &ms, &err) == CLXS_OK) {
		json_object *m = json_object_new_object();
		static const char *const keys[] = {"name", "owner", "metastore_id", "region", "cloud"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			clxs_json_set_str(m, keys[i], clxs_json_str(ms, keys[i], NULL));
		json_object_object_add(o, "metastore", m);
	} else {
		json_object_object_add(o, "metastore", NULL);
		clxs_json_set_str(unavailable, "metastore", err.message);
	}
	json_object_put(ms);
	if (json_object_object_length(unavailable) > 0)
		json_object_object_add(o, "unavailable", unavailable);
	else
		json_object_put(unavailable);
	clxs_resp_json(resp, 200, o);
	clxs_target_close(&t);
}
