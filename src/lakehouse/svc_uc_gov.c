/* Unity Catalog REST 2.1: volumes, functions and permissions
 * (permissions/{type}/{name}, effective-permissions/{type}/{name}). */
#include "svc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_CAP 1000

static void reply(svc_req *r, clxs_code rc, const clxs_error *err, json_object *o)
{
	if (rc) {
		json_object_put(o);
		svc_fail(r, err);
		return;
	}
	svc_json(r, 200, o);
}

static bool need_parent(svc_req *r, const char **cat, const char **sch)
{
	*cat = svc_query(r, "catalog_name");
	*sch = svc_query(r, "schema_name");
	if (!*cat || !**cat || !*sch || !**sch) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "Missing required field: %s",
			  !*cat || !**cat ? "catalog_name" : "schema_name");
		return false;
	}
	return true;
}

/* ---- volumes and functions alike --------------------------------------------------- */

static void object_list(svc_req *r, clxs_lh_sec_kind kind)
{
	const char *cat, *sch;
	int max;
	if (!need_parent(r, &cat, &sch) || !svc_max_results(r, LIST_CAP, &max))
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_object_list(r->conn->lh, kind, r->svc->metastore_id, cat, sch,
					   svc_query(r, "page_token"), max, &o, &err);
	reply(r, rc, &err, o);
}

static void object_get(svc_req *r, clxs_lh_sec_kind kind)
{
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = svc_object_get(r->conn->lh, kind, r->svc->metastore_id, r->params[0], &o,
				      &err);
	reply(r, rc, &err, o);
}

static void object_delete(svc_req *r, clxs_lh_sec_kind kind)
{
	clxs_error err = {0};
	if (svc_object_drop(r->conn->lh, kind, r->params[0], &err)) {
		svc_fail(r, &err);
		return;
	}
	/* a dropped volume's files go with it */
	if (kind == CLXS_LH_SEC_VOLUME)
		svc_volume_gc(r->conn->lh, r->svc->data_dir);
	svc_json(r, 200, json_object_new_object());
}

/* ---- volumes ------------------------------------------------------------------------ */

void svc_h_volume_list(svc_req *r)
{
	object_list(r, CLXS_LH_SEC_VOLUME);
}

void svc_h_volume_create(svc_req *r)
{
	json_object *body = svc_body(r);
	if (!body)
		return;
	clxs_lh_volume_spec spec = {0};
	if ((spec.catalog = svc_need_str(r, body, "catalog_name")) &&
	    (spec.schema = svc_need_str(r, body, "schema_name")) &&
	    (spec.name = svc_need_str(r, body, "name"))) {
		spec.volume_type = clxs_json_str(body, "volume_type", "MANAGED");
		spec.storage_location = clxs_json_str(body, "storage_location", NULL);
		spec.comment = clxs_json_str(body, "comment", NULL);
		json_object *o = NULL;
		clxs_error err = {0};
		clxs_code rc = clxs_lh_volume_create_info(r->conn->lh, r->svc->metastore_id, &spec, &o,
							  &err);
		reply(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_volume_get(svc_req *r)
{
	object_get(r, CLXS_LH_SEC_VOLUME);
}

void svc_h_volume_update(svc_req *r)
{
	json_object *body = svc_body(r), *v;
	if (!body)
		return;
	bool set_comment = json_object_object_get_ex(body, "comment", &v);
	const char *comment = set_comment && !json_object_is_type(v, json_type_null)
		? json_object_get_string(v) : NULL;
	const char *new_name = clxs_json_str(body, "new_name", NULL);
	if (new_name && !*new_name)
		new_name = NULL;
	clxs_error err = {0};
	json_object *o = NULL;
	clxs_code rc = svc_volume_update(r->conn->lh, r->params[0], new_name,
					 clxs_json_str(body, "owner", NULL), set_comment, comment, &err);
	if (!rc) {
		/* After a rename the volume answers to its new name. */
		char full[800];
		if (new_name) {
			char p[3][256];
			svc_split_name(r->params[0], 3, p, "volume", NULL);
			snprintf(full, sizeof(full), "%s.%s.%s", p[0], p[1], new_name);
		} else {
			snprintf(full, sizeof(full), "%s", r->params[0]);
		}
		rc = svc_object_get(r->conn->lh, CLXS_LH_SEC_VOLUME, r->svc->metastore_id, full, &o,
				    &err);
	}
	reply(r, rc, &err, o);
	json_object_put(body);
}

void svc_h_volume_delete(svc_req *r)
{
	object_delete(r, CLXS_LH_SEC_VOLUME);
}

/* ---- functions ---------------------------------------------------------------------- */

void svc_h_function_list(svc_req *r)
{
	object_list(r, CLXS_LH_SEC_FUNCTION);
}

void svc_h_function_create(svc_req *r)
{
	json_object *body = svc_body(r), *info;
	if (!body)
		return;
	if (!json_object_object_get_ex(body, "function_info", &info) ||
	    !json_object_is_type(info, json_type_object)) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "Missing required field: function_info");
	} else if (svc_need_str(r, info, "name") && svc_need_str(r, info, "catalog_name") &&
		   svc_need_str(r, info, "schema_name")) {
		json_object *o = NULL;
		clxs_error err = {0};
		clxs_code rc = clxs_lh_function_create_info(r->conn->lh, r->svc->metastore_id, info,
							    &o, &err);
		reply(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_function_get(svc_req *r)
{
	object_get(r, CLXS_LH_SEC_FUNCTION);
}

void svc_h_function_update(svc_req *r)
{
	json_object *body = svc_body(r);
	if (!body)
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = svc_function_update(r->conn->lh, r->params[0],
					   clxs_json_str(body, "owner", NULL), &err);
	if (!rc)
		rc = svc_object_get(r->conn->lh, CLXS_LH_SEC_FUNCTION, r->svc->metastore_id,
				    r->params[0], &o, &err);
	reply(r, rc, &err, o);
	json_object_put(body);
}

void svc_h_function_delete(svc_req *r)
{
	object_delete(r, CLXS_LH_SEC_FUNCTION);
}

/* ---- permissions -------------------------------------------------------------------- */

static bool securable(svc_req *r, clxs_lh_sec *s)
{
	clxs_lh_sec_kind kind;
	if (!clxs_lh_sec_kind_parse(r->params[0], &kind)) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "securable type '%s' is not supported: use catalog, schema, table, volume"
			  " or function", r->params[0]);
		return false;
	}
	clxs_error err = {0};
	if (svc_sec_resolve(r->conn->lh, kind, r->params[1], s, &err)) {
		svc_fail(r, &err);
		return false;
	}
	return true;
}

void svc_h_perm_get(svc_req *r)
{
	clxs_lh_sec s;
	if (!securable(r, &s))
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_grants_assignments(r->conn->lh, &s, svc_query(r, "principal"), false,
						  &o, &err);
	reply(r, rc, &err, o);
}

void svc_h_perm_update(svc_req *r)
{
	clxs_lh_sec s;
	json_object *body = svc_body(r), *changes = NULL;
	if (!body)
		return;
	if (securable(r, &s)) {
		json_object_object_get_ex(body, "changes", &changes);
		json_object *o = NULL;
		clxs_error err = {0};
		clxs_code rc = clxs_lh_grants_update(r->conn->lh, &s, changes, &err);
		if (!rc)
			rc = clxs_lh_grants_assignments(r->conn->lh, &s, NULL, false, &o, &err);
		reply(r, rc, &err, o);
	}
	json_object_put(body);
}

void svc_h_perm_effective(svc_req *r)
{
	clxs_lh_sec s;
	if (!securable(r, &s))
		return;
	json_object *o = NULL;
	clxs_error err = {0};
	clxs_code rc = clxs_lh_grants_assignments(r->conn->lh, &s, svc_query(r, "principal"), true,
						  &o, &err);
	reply(r, rc, &err, o);
}
