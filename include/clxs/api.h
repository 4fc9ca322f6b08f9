/* The REST API: one route table (method, path pattern with {params},
 * handler, flags, docs) that is the single truth for dispatch and for the
 * OpenAPI document. The dispatcher knows nothing of FastCGI: it turns a
 * clxs_http_in into a clxs_http_out, so it is unit-testable and the
 * FastCGI adapter stays a thin shell. */
#ifndef CLXS_API_H
#define CLXS_API_H

#include <json-c/json.h>
#include <stddef.h>

#include "clxs/error.h"
#include "clxs/store.h"

#define CLXS_MAX_PATH_PARAMS 8

/* What a worker shares across requests. */
typedef struct {
	clxs_store *store;   /* opened after fork */
	json_object *config; /* loaded config (may be NULL = defaults) */
	size_t max_body;     /* bytes; larger bodies get 413 */
} clxs_api_ctx;

typedef struct {
	const char *method;
	const char *uri;            /* raw request URI: path[?query] */
	const char *body;           /* may be NULL when body_len is 0 */
	size_t body_len;
	long long content_length;   /* as announced; -1 when absent */
	/* Request header lookup by CGI name, e.g. "HTTP_X_DATABRICKS_TOKEN". */
	const char *(*header)(const char *cgi_name, void *ud);
	void *header_ud;
} clxs_http_in;

typedef struct {
	int status;
	char *body;          /* malloc'd; caller frees */
	char extra_headers[256];
} clxs_http_out;

typedef struct clxs_req {
	const clxs_http_in *in;
	clxs_api_ctx *ctx;
	char path[1024];     /* decoded path, no query */
	const char *query;   /* raw query string (no '?'), "" when none */
	json_object *body;   /* parsed JSON body, NULL when none */
	int nparams;
	char param_names[CLXS_MAX_PATH_PARAMS][64];
	char param_values[CLXS_MAX_PATH_PARAMS][256];
} clxs_req;

typedef struct {
	int status;
	json_object *body;   /* owned by the response */
	char extra_headers[256];
} clxs_resp;

typedef void (*clxs_handler)(clxs_req *req, clxs_resp *resp);

enum {
	CLXS_ROUTE_BODY = 1u << 0,     /* expects a JSON object body */
	CLXS_ROUTE_INTERNAL = 1u << 1, /* left out of the OpenAPI document */
};

typedef struct {
	const char *name;
	const char *in;       /* "query" (path params are derived from the pattern) */
	const char *type;     /* JSON schema type */
	const char *description;
} clxs_route_param;

typedef struct {
	const char *method;
	const char *pattern;  /* "/api/clone/{job_id}" */
	clxs_handler handler;
	unsigned flags;
	const char *tag;      /* section of the API reference */
	const char *summary;
	const clxs_route_param *query_params; /* NULL-terminated by name, may be NULL */
	const char *body_schema;              /* JSON schema text, may be NULL */
} clxs_route;

extern const clxs_route clxs_routes[];
extern const size_t clxs_nroutes;

/* Dispatch one request. Never fails: errors become JSON error responses. */
void clxs_api_handle(clxs_api_ctx *ctx, const clxs_http_in *in, clxs_http_out *out);

/* Helpers for handlers. */
const char *clxs_req_param(const clxs_req *req, const char *name);
/* Percent-decoded query parameter into buf; NULL when absent. */
const char *clxs_req_query(const clxs_req *req, const char *name, char *buf, size_t len);
void clxs_resp_json(clxs_resp *resp, int status, json_object *body);
void clxs_resp_error(clxs_resp *resp, const clxs_error *err);
void clxs_resp_fail(clxs_resp *resp, clxs_code code, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Percent-decode src into dst (len bytes); -1 on malformed escapes, NUL
 * bytes or overflow. */
int clxs_url_decode(const char *src, size_t srclen, char *dst, size_t len);

/* The OpenAPI 3 document generated from the route table. */
json_object *clxs_openapi_document(void);

/* Handlers, one file per section of the API reference. */
void clxs_api_health(clxs_req *req, clxs_resp *resp);
void clxs_api_openapi(clxs_req *req, clxs_resp *resp);
void clxs_api_jobs_submit(clxs_req *req, clxs_resp *resp);
void clxs_api_jobs_list(clxs_req *req, clxs_resp *resp);
void clxs_api_jobs_get(clxs_req *req, clxs_resp *resp);
void clxs_api_jobs_cancel(clxs_req *req, clxs_resp *resp);

#endif
