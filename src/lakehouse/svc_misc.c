/* SCIM Me and the SQL warehouses API: one local user and one warehouse
 * that is always RUNNING. */
#include "svc_internal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* A stable numeric id for the user name, as SCIM ids look on Databricks. */
static void user_id(const char *user, char out[24])
{
	unsigned char md[32];
	unsigned int len = 0;
	uint64_t v = 0;
	if (EVP_Digest(user, strlen(user), md, &len, EVP_sha256(), NULL) == 1)
		for (int i = 0; i < 8; i++)
			v = v << 8 | md[i];
	snprintf(out, 24, "%llu", (unsigned long long)(v % 10000000000000000ULL));
}

static json_object *group(const char *name, const char *id)
{
	json_object *g = json_object_new_object();
	char ref[64];
	snprintf(ref, sizeof(ref), "Groups/%s", id);
	clxs_json_set_str(g, "display", name);
	clxs_json_set_str(g, "type", "direct");
	clxs_json_set_str(g, "value", id);
	clxs_json_set_str(g, "$ref", ref);
	return g;
}

void svc_h_scim_me(svc_req *r)
{
	const char *user = r->svc->user;
	char id[24], email[600];
	user_id(user, id);
	snprintf(email, sizeof(email), "%s%s", user, strchr(user, '@') ? "" : "@localhost");
	json_object *o = json_object_new_object(), *schemas = json_object_new_array(),
		    *emails = json_object_new_array(), *e = json_object_new_object(),
		    *groups = json_object_new_array(), *name = json_object_new_object();
	json_object_array_add(schemas, json_object_new_string("urn:ietf:params:scim:schemas:core:2.0:User"));
	json_object_object_add(o, "schemas", schemas);
	clxs_json_set_str(o, "id", id);
	clxs_json_set_str(o, "userName", user);
	clxs_json_set_str(o, "displayName", user);
	clxs_json_set_str(name, "givenName", user);
	json_object_object_add(o, "name", name);
	clxs_json_set_bool(o, "active", true);
	clxs_json_set_str(e, "value", email);
	clxs_json_set_str(e, "type", "work");
	clxs_json_set_bool(e, "primary", true);
	json_object_array_add(emails, e);
	json_object_object_add(o, "emails", emails);
	json_object_array_add(groups, group("admins", "1000000000000001"));
	json_object_array_add(groups, group("users", "1000000000000002"));
	json_object_object_add(o, "groups", groups);
	svc_json(r, 200, o);
}

static json_object *warehouse(const clxs_lh_service *svc)
{
	json_object *w = json_object_new_object(), *odbc = json_object_new_object(),
		    *health = json_object_new_object(), *channel = json_object_new_object(),
		    *tags = json_object_new_object();
	char path[128];
	snprintf(path, sizeof(path), "/sql/1.0/warehouses/%s", svc->warehouse_id);
	clxs_json_set_str(w, "id", svc->warehouse_id);
	clxs_json_set_str(w, "name", "Clone-Xs local lakehouse");
	clxs_json_set_str(w, "state", "RUNNING");
	clxs_json_set_str(w, "cluster_size", "2X-Small");
	clxs_json_set_int(w, "min_num_clusters", 1);
	clxs_json_set_int(w, "max_num_clusters", 1);
	clxs_json_set_int(w, "num_clusters", 1);
	clxs_json_set_int(w, "num_active_sessions", 0);
	clxs_json_set_int(w, "auto_stop_mins", 0);
	clxs_json_set_str(w, "creator_name", svc->user);
	clxs_json_set_str(w, "warehouse_type", "PRO");
	clxs_json_set_bool(w, "enable_serverless_compute", true);
	clxs_json_set_bool(w, "enable_photon", true);
	clxs_json_set_str(w, "spot_instance_policy", "COST_OPTIMIZED");
	clxs_json_set_str(channel, "name", "CHANNEL_NAME_CURRENT");
	json_object_object_add(w, "channel", channel);
	clxs_json_set_str(health, "status", "HEALTHY");
	json_object_object_add(w, "health", health);
	json_object_object_add(w, "tags", tags);
	clxs_json_set_str(odbc, "hostname", "localhost");
	clxs_json_set_str(odbc, "path", path);
	clxs_json_set_str(odbc, "protocol", "http");
	clxs_json_set_int(odbc, "port", 8081);
	json_object_object_add(w, "odbc_params", odbc);
	return w;
}

void svc_h_warehouse_list(svc_req *r)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object_array_add(arr, warehouse(r->svc));
	json_object_object_add(o, "warehouses", arr);
	svc_json(r, 200, o);
}

void svc_h_warehouse_get(svc_req *r)
{
	if (strcmp(r->params[0], r->svc->warehouse_id) != 0) {
		svc_error(r, 404, "RESOURCE_DOES_NOT_EXIST", "Warehouse %s does not exist.",
			  r->params[0]);
		return;
	}
	svc_json(r, 200, warehouse(r->svc));
}
