/* Replies: JSON bodies and Databricks-style errors {"error_code", "message"}.
 * Storage errors carry a Databricks error class in err->detail; the REST
 * API names some of them differently (CATALOG_DOES_NOT_EXIST where SQL
 * says NO_SUCH_CATALOG_EXCEPTION), so they are mapped here. */
#include "svc_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void svc_reply_set_json(clxs_lh_response *resp, int status, const char *text)
{
	free(resp->body);
	resp->body = strdup(text);
	if (!resp->body) {
		/* Nothing sensible can be allocated: an empty 500. */
		resp->status = 500;
		resp->body_len = 0;
		resp->content_type = NULL;
		return;
	}
	resp->status = status;
	resp->body_len = strlen(resp->body);
	resp->content_type = "application/json";
}

void svc_json(svc_req *r, int status, json_object *obj)
{
	if (!obj) {
		svc_error(r, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	svc_reply_set_json(r->resp, status, clxs_json_text(obj));
	json_object_put(obj);
}

void svc_empty(svc_req *r, int status)
{
	free(r->resp->body);
	r->resp->body = NULL;
	r->resp->body_len = 0;
	r->resp->content_type = NULL;
	r->resp->status = status;
}

void svc_error(svc_req *r, int status, const char *error_code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object *o = json_object_new_object();
	if (!o) {
		svc_reply_set_json(r->resp, 500, "{\"error_code\":\"INTERNAL_ERROR\"}");
		return;
	}
	clxs_json_set_str(o, "error_code", error_code);
	clxs_json_set_str(o, "message", msg);
	svc_reply_set_json(r->resp, status, clxs_json_text(o));
	json_object_put(o);
}

static const struct {
	const char *cls, *rest;
} class_map[] = {
	{"NO_SUCH_CATALOG_EXCEPTION", "CATALOG_DOES_NOT_EXIST"},
	{"SCHEMA_NOT_FOUND", "SCHEMA_DOES_NOT_EXIST"},
	{"TABLE_OR_VIEW_NOT_FOUND", "TABLE_DOES_NOT_EXIST"},
	{"TABLE_OR_VIEW_ALREADY_EXISTS", "TABLE_ALREADY_EXISTS"},
	{"INVALID_SCHEMA_OR_RELATION_NAME", "INVALID_PARAMETER_VALUE"},
	{"ROUTINE_NOT_FOUND", "FUNCTION_DOES_NOT_EXIST"},
	{"ROUTINE_ALREADY_EXISTS", "FUNCTION_ALREADY_EXISTS"},
	{"VOLUME_NOT_FOUND", "VOLUME_DOES_NOT_EXIST"},
	{"CATALOG_NOT_EMPTY", "INVALID_STATE"},
	{"SCHEMA_NOT_EMPTY", "INVALID_STATE"},
};

void svc_fail(svc_req *r, const clxs_error *err)
{
	const char *code = err->detail[0] ? err->detail : clxs_code_name(err->code);
	for (size_t i = 0; i < sizeof(class_map) / sizeof(class_map[0]); i++)
		if (strcmp(code, class_map[i].cls) == 0)
			code = class_map[i].rest;
	/* A detail that is not an error class (a field name) is no code. */
	for (const char *p = code; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || *p == '_' || (*p >= '0' && *p <= '9'))) {
			code = clxs_code_name(err->code);
			break;
		}
	int status = clxs_code_http_status(err->code);
	/* Databricks answers semantic errors with 400, never 422. */
	if (status == 422)
		status = 400;
	if (err->code == CLXS_ECANCELLED)
		status = 400;
	svc_error(r, status, code, "%s", err->message[0] ? err->message : "error");
}

json_object *svc_body(svc_req *r)
{
	if (!r->body || r->body_len == 0)
		return json_object_new_object();
	clxs_error err = {0};
	json_object *o = clxs_json_parse(r->body, r->body_len, &err);
	if (!o) {
		svc_error(r, 400, "MALFORMED_REQUEST", "%s", err.message);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		svc_error(r, 400, "MALFORMED_REQUEST", "the request body must be a JSON object");
		return NULL;
	}
	return o;
}

const char *svc_need_str(svc_req *r, json_object *o, const char *key)
{
	const char *s = clxs_json_str(o, key, NULL);
	if (!s || !*s) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE", "Missing required field: %s", key);
		return NULL;
	}
	return s;
}
