/* Unity Catalog REST 2.1: catalogs, schemas and tables over the storage
 * core. Shapes follow Databricks' CatalogInfo, SchemaInfo and TableInfo;
 * list endpoints page with max_results / page_token / next_page_token. */
#include "svc_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIST_CAP 1000

static void stamp(svc_req *r, json_object *o)
{
	if (o)
		clxs_json_set_str(o, "metastore_id", r->svc->metastore_id);
}

static void stamp_list(svc_req *r, json_object *res, const char *key)
{
	json_object *arr;
	if (res && json_object_object_get_ex(res, key, &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			stamp(r, json_object_array_get_idx(arr, i));
}

static void reply_obj(svc_req *r, clxs_code rc, const clxs_error *err, json_object *o)
{
	if (rc) {
		json_object_put(o);
		svc_fail(r, err);
		return;
	}
	stamp(r, o);
	svc_json(r, 200, o);
}

/* PATCH bodies: owner, comment, properties; new_name is refused (the
 * storage core has no rename) unless it is the current name. */
static bool read_update(svc_req *r, json_object *body, const char *current, clxs_lh_update *u)
{
	memset(u, 0, sizeof(*u));
	const char *nn = clxs_json_str(body, "new_name", NULL);
	if (nn && *nn && strcasecmp(nn, current) != 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "renaming (new_name) is not supported by the embedded lakehouse");
		return false;
	}
	u->owner = clxs_json_str(body, "owner", NULL);
	json_object *v;
	if (json_object_object_get_ex(body, "comment", &v)) {
		u->set_comment = true;
		u->comment = json_object_is_type(v, json_type_null) ? NULL : json_object_get_string(v);
	}
	if (json_object_object_get_ex(body, "properties", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_object)) {
			svc_error(r, 400, "INVALID_PARAMETER_VALUE", "properties must be an object");
			return false;
		}
		u->set_properties = v;
	}
	return true;
}

static bool props_ok(svc_req *r, json_object *body, json_object **props)
{
	*props = NULL;
	json_object *v;
	if (!json_object_object_get_ex(body, "properties", &v) || json_object_is_type(v, json_type_null))
		return true;
	if (!json_object_is_type(v, json_type_object)) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "properties must be an object");
		return false;
	}
	*props = v;
	return true;
}

/* ---- catalogs ------------------------------------------------------------------------ */

void svc_h_catalog_list(svc_req *r)
{
	int max;
	if (!svc_max_results(r, LIST_CAP, &max))
		return;
	json_object *res = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_catalog_list(r->conn->lh, svc_query(r, "page_token"), max, &res, &err);
	if (rc) {
		svc_fail(r, &err);
		return;
	}
	stamp_list(r, res, "catalogs");
	svc_json(r, 200, res);
}

void svc_h_catalog_create(svc_req *r)
{
	json_object *body = svc_body(r), *props;
	if (!body)
		return;
	const char *name = svc_need_str(r, body, "name");
	if (!name || !props_ok(r, body, &props))
		goto out;
	if (clxs_json_str(body, "share_name", NULL) || clxs_json_str(body, "connection_name", NULL)) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "shared and foreign catalogs are not supported by the embedded lakehouse");
		goto out;
	}
	clxs_lh_container_spec spec = {
		.name = name,
		.comment = clxs_json_str(body, "comment", NULL),
		.storage_root = clxs_json_str(body, "storage_root", NULL),
		.properties = props,
	};
	clxs_error err = {0};
	json_object *o = NULL;
	clxs_code rc = clxs_lh_catalog_create(r->conn->lh, &spec, false, &err);
	if (!rc)
		rc = clxs_lh_catalog_get(r->conn->lh, name, &o, &err);
	reply_obj(r, rc, &err, o);
out:
	json_object_put(body);
}

void svc_h_catalog_get(svc_req *r)
{
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_catalog_get(r->conn->lh, r->params[0], &o, &err);
	reply_obj(r, rc, &err, o);
}

void svc_h_catalog_update(svc_req *r)
{
	json_object *body = svc_body(r), *o = NULL;
	clxs_lh_update u;
	if (!body)
		return;
	if (read_update(r, body, r->params[0], &u)) {
		clxs_error err = {0};
		clxs_code rc = clxs_lh_catalog_update(r->conn->lh, r->params[0], &u, &err);
		if (!rc)
			rc = clxs_lh_catalog_get(r->conn->lh, r->params[0], &o, &err);
		reply_obj(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_catalog_delete(svc_req *r)
{
	clxs_error err = {0};
	if (clxs_lh_catalog_drop(r->conn->lh, r->params[0], false, svc_query_bool(r, "force", false),
				 &err)) {
		svc_fail(r, &err);
		return;
	}
	/* Volumes went with the catalog; their files go now. */
	svc_volume_gc(r->conn->lh, r->svc->data_dir);
	svc_json(r, 200, json_object_new_object());
}

/* ---- schemas ------------------------------------------------------------------------- */

static bool schema_parts(svc_req *r, char parts[3][256])
{
	clxs_error err = {0};
	if (svc_split_name(r->params[0], 2, parts, "schema", &err)) {
		svc_fail(r, &err);
		return false;
	}
	return true;
}

void svc_h_schema_list(svc_req *r)
{
	int max;
	const char *cat = svc_query(r, "catalog_name");
	if (!cat || !*cat) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "Missing required field: catalog_name");
		return;
	}
	if (!svc_max_results(r, LIST_CAP, &max))
		return;
	json_object *res = NULL;
	clxs_error err = {0};
	if (clxs_lh_schema_list(r->conn->lh, cat, svc_query(r, "page_token"), max, &res, &err)) {
		svc_fail(r, &err);
		return;
	}
	stamp_list(r, res, "schemas");
	svc_json(r, 200, res);
}

void svc_h_schema_create(svc_req *r)
{
	json_object *body = svc_body(r), *props;
	if (!body)
		return;
	const char *name = svc_need_str(r, body, "name");
	const char *cat = name ? svc_need_str(r, body, "catalog_name") : NULL;
	if (cat && props_ok(r, body, &props)) {
		clxs_lh_container_spec spec = {
			.name = name,
			.comment = clxs_json_str(body, "comment", NULL),
			.storage_root = clxs_json_str(body, "storage_root", NULL),
			.properties = props,
		};
		clxs_error err = {0};
		json_object *o = NULL;
		clxs_code rc = clxs_lh_schema_create(r->conn->lh, cat, &spec, false, &err);
		if (!rc)
			rc = clxs_lh_schema_get(r->conn->lh, cat, name, &o, &err);
		reply_obj(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_schema_get(svc_req *r)
{
	char p[3][256];
	if (!schema_parts(r, p))
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_schema_get(r->conn->lh, p[0], p[1], &o, &err);
	reply_obj(r, rc, &err, o);
}

void svc_h_schema_update(svc_req *r)
{
	char p[3][256];
	if (!schema_parts(r, p))
		return;
	json_object *body = svc_body(r), *o = NULL;
	clxs_lh_update u;
	if (!body)
		return;
	if (read_update(r, body, p[1], &u)) {
		clxs_error err = {0};
		clxs_code rc = clxs_lh_schema_update(r->conn->lh, p[0], p[1], &u, &err);
		if (!rc)
			rc = clxs_lh_schema_get(r->conn->lh, p[0], p[1], &o, &err);
		reply_obj(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_schema_delete(svc_req *r)
{
	char p[3][256];
	if (!schema_parts(r, p))
		return;
	clxs_error err = {0};
	if (clxs_lh_schema_drop(r->conn->lh, p[0], p[1], false, svc_query_bool(r, "force", false),
				&err)) {
		svc_fail(r, &err);
		return;
	}
	svc_volume_gc(r->conn->lh, r->svc->data_dir);
	svc_json(r, 200, json_object_new_object());
}

/* ---- tables ---------------------------------------------------------------------------- */

static bool table_parts(svc_req *r, clxs_lh_name *n, char parts[3][256])
{
	clxs_error err = {0};
	if (svc_split_name(r->params[0], 3, parts, "table", &err)) {
		svc_fail(r, &err);
		return false;
	}
	n->catalog = parts[0];
	n->schema = parts[1];
	n->name = parts[2];
	return true;
}

static void trim_table(svc_req *r, json_object *t)
{
	if (svc_query_bool(r, "omit_columns", false))
		json_object_object_del(t, "columns");
	if (svc_query_bool(r, "omit_properties", false))
		json_object_object_del(t, "properties");
}

void svc_h_table_list(svc_req *r)
{
	int max;
	const char *cat = svc_query(r, "catalog_name"), *sch = svc_query(r, "schema_name");
	if (!cat || !*cat || !sch || !*sch) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "Missing required field: %s",
			  !cat || !*cat ? "catalog_name" : "schema_name");
		return;
	}
	if (!svc_max_results(r, LIST_CAP, &max))
		return;
	json_object *res = NULL, *arr;
	clxs_error err = {0};
	if (clxs_lh_table_list(r->conn->lh, cat, sch, svc_query(r, "page_token"), max, &res, &err)) {
		svc_fail(r, &err);
		return;
	}
	stamp_list(r, res, "tables");
	if (json_object_object_get_ex(res, "tables", &arr))
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			trim_table(r, json_object_array_get_idx(arr, i));
	svc_json(r, 200, res);
}

void svc_h_table_create(svc_req *r)
{
	json_object *body = svc_body(r), *props, *cols_json = NULL;
	clxs_lh_column *cols = NULL;
	if (!body)
		return;
	const char *name = svc_need_str(r, body, "name");
	const char *cat = name ? svc_need_str(r, body, "catalog_name") : NULL;
	const char *sch = cat ? svc_need_str(r, body, "schema_name") : NULL;
	if (!sch || !props_ok(r, body, &props))
		goto out;
	size_t ncols = 0;
	if (json_object_object_get_ex(body, "columns", &cols_json) &&
	    !json_object_is_type(cols_json, json_type_null)) {
		if (!json_object_is_type(cols_json, json_type_array)) {
			svc_error(r, 400, "INVALID_PARAMETER_VALUE", "columns must be an array");
			goto out;
		}
		ncols = json_object_array_length(cols_json);
		cols = calloc(ncols ? ncols : 1, sizeof(*cols));
		if (!cols) {
			svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
			goto out;
		}
		for (size_t i = 0; i < ncols; i++) {
			json_object *c = json_object_array_get_idx(cols_json, i);
			/* "position" orders the columns when given. */
			int64_t pos = clxs_json_int(c, "position", (int64_t)i);
			if (pos < 0 || (size_t)pos >= ncols || cols[pos].name) {
				svc_error(r, 400, "INVALID_PARAMETER_VALUE",
					  "columns[%zu].position is out of range or repeated", i);
				goto out;
			}
			cols[pos].name = clxs_json_str(c, "name", NULL);
			cols[pos].type_text = clxs_json_str(c, "type_text", NULL);
			cols[pos].nullable = clxs_json_bool(c, "nullable", true);
			cols[pos].comment = clxs_json_str(c, "comment", NULL);
			if (!cols[pos].name || !cols[pos].type_text) {
				svc_error(r, 400, "INVALID_PARAMETER_VALUE",
					  "columns[%zu] needs a name and a type_text", i);
				goto out;
			}
		}
	}
	clxs_lh_table_spec spec = {
		.name = {cat, sch, name},
		.table_type = clxs_json_str(body, "table_type", NULL),
		.data_source_format = clxs_json_str(body, "data_source_format", NULL),
		.comment = clxs_json_str(body, "comment", NULL),
		.storage_location = clxs_json_str(body, "storage_location", NULL),
		.columns = cols,
		.ncolumns = ncols,
		.properties = props,
		.view_definition = clxs_json_str(body, "view_definition", NULL),
	};
	clxs_error err = {0};
	json_object *o = NULL;
	clxs_code rc = clxs_lh_table_create(r->conn->lh, &spec, &err);
	if (!rc)
		rc = clxs_lh_table_get(r->conn->lh, &spec.name, &o, &err);
	reply_obj(r, rc, &err, o);
out:
	free(cols);
	json_object_put(body);
}

void svc_h_table_get(svc_req *r)
{
	char p[3][256];
	clxs_lh_name n;
	if (!table_parts(r, &n, p))
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_table_get(r->conn->lh, &n, &o, &err);
	if (!rc)
		trim_table(r, o);
	reply_obj(r, rc, &err, o);
}

void svc_h_table_exists(svc_req *r)
{
	char p[3][256];
	clxs_lh_name n;
	if (!table_parts(r, &n, p))
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_table_get(r->conn->lh, &n, &o, &err);
	json_object_put(o);
	/* A missing table is an answer; a missing schema is an error. */
	if (rc && !(rc == CLXS_ENOTFOUND && strcmp(err.detail, "TABLE_OR_VIEW_NOT_FOUND") == 0)) {
		svc_fail(r, &err);
		return;
	}
	json_object *res = json_object_new_object();
	if (res)
		clxs_json_set_bool(res, "table_exists", rc == CLXS_OK);
	svc_json(r, 200, res);
}

void svc_h_table_update(svc_req *r)
{
	char p[3][256];
	clxs_lh_name n;
	if (!table_parts(r, &n, p))
		return;
	json_object *body = svc_body(r), *o = NULL;
	clxs_lh_update u;
	if (!body)
		return;
	if (read_update(r, body, p[2], &u)) {
		clxs_error err = {0};
		clxs_code rc = clxs_lh_table_update(r->conn->lh, &n, &u, &err);
		if (!rc)
			rc = clxs_lh_table_get(r->conn->lh, &n, &o, &err);
		reply_obj(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_table_delete(svc_req *r)
{
	char p[3][256];
	clxs_lh_name n;
	if (!table_parts(r, &n, p))
		return;
	clxs_error err = {0};
	if (clxs_lh_table_drop(r->conn->lh, &n, false, &err)) {
		svc_fail(r, &err);
		return;
	}
	svc_json(r, 200, json_object_new_object());
}
