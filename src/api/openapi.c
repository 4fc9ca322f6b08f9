/* The OpenAPI 3 document, generated from the route table so the two can
 * never disagree. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/json.h"

static json_object *error_response(const char *description)
{
	json_object *r = json_object_new_object();
	clxs_json_set_str(r, "description", description);
	json_object *content = json_object_new_object(), *mt = json_object_new_object();
	json_object *ref = json_object_new_object();
	clxs_json_set_str(ref, "$ref", "#/components/schemas/Error");
	json_object_object_add(mt, "schema", ref);
	json_object_object_add(content, "application/json", mt);
	json_object_object_add(r, "content", content);
	return r;
}

static json_object *param(const char *name, const char *in, const char *type, const char *desc,
			  bool required)
{
	json_object *p = json_object_new_object();
	clxs_json_set_str(p, "name", name);
	clxs_json_set_str(p, "in", in);
	clxs_json_set_bool(p, "required", required);
	if (desc)
		clxs_json_set_str(p, "description", desc);
	json_object *schema = json_object_new_object();
	clxs_json_set_str(schema, "type", type);
	/* The dispatcher's limit on query values (src/api/router.c). */
	if (!strcmp(in, "query"))
		clxs_json_set_int(schema, "maxLength", (int64_t)clxs_query_max_len(name));
	json_object_object_add(p, "schema", schema);
	return p;
}

static json_object *operation(const clxs_route *r)
{
	json_object *op = json_object_new_object();
	json_object *tags = json_object_new_array();
	json_object_array_add(tags, json_object_new_string(r->tag));
	json_object_object_add(op, "tags", tags);
	clxs_json_set_str(op, "summary", r->summary);
	char opid[160];
	snprintf(opid, sizeof(opid), "%s %s", r->method, r->pattern);
	clxs_json_set_str(op, "operationId", opid);

	json_object *params = json_object_new_array();
	for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
		json_object_array_add(params, param(name, "path", "string", NULL, true));
	}
	for (const clxs_route_param *qp = r->query_params; qp && qp->name; qp++)
		json_object_array_add(params, param(qp->name, qp->in, qp->type, qp->description, false));
	if (json_object_array_length(params))
		json_object_object_add(op, "parameters", params);
	else
		json_object_put(params);

	const char *body_schema = r->body_schema_fn ? r->body_schema_fn() : r->body_schema;
	/* A route that takes a body always documents one, so /docs offers a
	 * body editor even where no schema was written yet. */
	if (!body_schema && (r->flags & CLXS_ROUTE_BODY))
		body_schema = "{\"type\":\"object\"}";
	if (body_schema) {
		json_object *rb = json_object_new_object(), *content = json_object_new_object();
		json_object *mt = json_object_new_object();
		json_object *schema = json_tokener_parse(body_schema);
		json_object_object_add(mt, "schema", schema ? schema : json_object_new_object());
		json_object_object_add(content, "application/json", mt);
		json_object_object_add(rb, "content", content);
		clxs_json_set_bool(rb, "required", (r->flags & CLXS_ROUTE_BODY) != 0);
		json_object_object_add(op, "requestBody", rb);
	}
	json_object *responses = json_object_new_object();
	json_object *ok = json_object_new_object();
	clxs_json_set_str(ok, "description", "Success");
	json_object_object_add(responses, "200", ok);
	if (body_schema || (r->flags & CLXS_ROUTE_BODY)) {
		json_object_object_add(responses, "400", error_response("Malformed body"));
		json_object_object_add(responses, "413", error_response("Body too large"));
		json_object_object_add(responses, "422", error_response("Validation error"));
	}
	if (strchr(r->pattern, '{'))
		json_object_object_add(responses, "404", error_response("Not found"));
	/* nginx's per-address limit_req answers every route (clxs serve --rate-limit). */
	json_object_object_add(responses, "429", error_response("Too many requests from this address"));
	/* nginx answers 503 when the worker pool is down; handlers when a
	 * dependency (a workspace, a CLI) is not available. */
	json_object_object_add(responses, "503", error_response("Service or a dependency unavailable"));
	json_object_object_add(op, "responses", responses);
	return op;
}

json_object *clxs_openapi_document(void)
{
	json_object *doc = json_object_new_object();
	clxs_json_set_str(doc, "openapi", "3.0.3");
	json_object *info = json_object_new_object();
	clxs_json_set_str(info, "title", "Clone-Xs API");
	clxs_json_set_str(info, "version", PACKAGE_VERSION);
	clxs_json_set_str(info, "description",
			  "Clone, migrate, compare, validate and govern Unity Catalog catalogs.");
	json_object_object_add(doc, "info", info);
	json_object *paths = json_object_new_object();
	for (size_t i = 0; i < clxs_nroutes; i++) {
		const clxs_route *r = &clxs_routes[i];
		if (r->flags & CLXS_ROUTE_INTERNAL)
			continue;
		json_object *item;
		if (!json_object_object_get_ex(paths, r->pattern, &item)) {
			item = json_object_new_object();
			json_object_object_add(paths, r->pattern, item);
		}
		char method[16];
		size_t n = 0;
		for (; r->method[n] && n < sizeof(method) - 1; n++)
			method[n] = (char)(r->method[n] | 0x20); /* ASCII lower-case */
		method[n] = '\0';
		json_object_object_add(item, method, operation(r));
	}
	json_object_object_add(doc, "paths", paths);
	json_object *components = json_object_new_object(), *schemas = json_object_new_object();
	json_object_object_add(schemas, "Error", json_tokener_parse(
		"{\"type\":\"object\",\"properties\":{\"error_code\":{\"type\":\"string\"},"
		"\"message\":{\"type\":\"string\"},\"detail\":{\"type\":\"string\",\"nullable\":true}}}"));
	json_object_object_add(components, "schemas", schemas);
	json_object_object_add(doc, "components", components);
	return doc;
}

void clxs_api_openapi(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	clxs_resp_json(resp, 200, clxs_openapi_document());
}
