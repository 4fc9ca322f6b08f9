/* Dispatch: URI -> route -> handler, with the API's uniform JSON errors for
 * unknown paths (404), wrong methods (405), oversized bodies (413) and
 * bodies that are not JSON (400). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/api.h"
#include "clxs/json.h"
#include "clxs/log.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int decode(const char *src, size_t srclen, char *dst, size_t len, int plus_is_space)
{
	size_t o = 0;
	for (size_t i = 0; i < srclen; i++) {
		char c = src[i];
		if (c == '%') {
			if (srclen - i < 3)
				return -1;
			int h = hexval(src[i + 1]), l = hexval(src[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = (char)(h * 16 + l);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0' || o + 1 >= len)
			return -1;
		dst[o++] = c;
	}
	dst[o] = '\0';
	return 0;
}

int clxs_url_decode(const char *src, size_t srclen, char *dst, size_t len)
{
	return decode(src, srclen, dst, len, 1);
}

const char *clxs_req_param(const clxs_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

/* Documented maxima (decoded bytes) of query parameter values; every other
 * parameter may hold at most CLXS_QUERY_VALUE_MAX. The dispatcher refuses
 * longer values with 422 before any handler runs, so a handler's buffer of
 * max + 1 bytes always holds a value that is present: a value that did not
 * fit used to read as "not given" and silently widened filters. Each entry
 * must not exceed the smallest buffer a handler reads that name into. */
static const struct {
	const char *name;
	size_t max;
} query_limits[] = {
	{"path", 1024},            /* GET/PUT/DELETE /api/config: relative config file */
	{"catalogs", 1023},        /* comma-separated catalog names */
	{"exclude_schemas", 1023}, /* comma-separated schema names */
	{"fqn_like", 1023},        /* LIKE pattern on a three-part name */
	{"tenant_id", 127},
	{"subscription_id", 127},
	{"job_type", 63},
	{"since", 63},
	{"days", 31},
	{"limit", 15},
	{"demo_only", 15},
};

size_t clxs_query_max_len(const char *name)
{
	for (size_t i = 0; i < sizeof(query_limits) / sizeof(query_limits[0]); i++)
		if (!strcmp(query_limits[i].name, name))
			return query_limits[i].max;
	return CLXS_QUERY_VALUE_MAX;
}

bool clxs_query_check(const char *query, clxs_error *err)
{
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t plen = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', plen);
		size_t klen = eq ? (size_t)(eq - p) : plen;
		char name[CLXS_QUERY_NAME_MAX + 1];
		if (klen == 0 && plen == 0) {
			p = amp ? amp + 1 : NULL; /* "a=1&&b=2" */
			continue;
		}
		if (klen == 0 || decode(p, klen, name, sizeof(name), 1) != 0) {
			clxs_fail(err, CLXS_EVALIDATION, "query",
				  "malformed query parameter name (bad %%-escape, NUL, empty or over %d bytes)",
				  CLXS_QUERY_NAME_MAX);
			return false;
		}
		if (eq) {
			const char *v = eq + 1;
			size_t vlen = (size_t)(p + plen - v), max = clxs_query_max_len(name);
			/* The decoded value is never longer than the raw one. */
			char *val = malloc(vlen + 1);
			if (!val) {
				clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
				return false;
			}
			int rc = decode(v, vlen, val, vlen + 1, 1);
			size_t dlen = rc == 0 ? strlen(val) : 0;
			free(val);
			if (rc != 0) {
				clxs_fail(err, CLXS_EVALIDATION, name,
					  "query parameter '%s' is malformed (bad %%-escape or NUL byte)", name);
				return false;
			}
			if (dlen > max) {
				clxs_fail(err, CLXS_EVALIDATION, name,
					  "query parameter '%s' is %zu bytes long; the maximum is %zu", name, dlen,
					  max);
				return false;
			}
		}
		p = amp ? amp + 1 : NULL;
	}
	return true;
}

const char *clxs_req_query(const clxs_req *req, const char *name, char *buf, size_t len)
{
	size_t nlen = strlen(name);
	const char *p = req->query;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t plen = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', plen);
		size_t klen = eq ? (size_t)(eq - p) : plen;
		if (klen == nlen && memcmp(p, name, nlen) == 0) {
			const char *v = eq ? eq + 1 : p + plen;
			size_t vlen = (size_t)(p + plen - v);
			if (decode(v, vlen, buf, len, 1) == 0)
				return buf;
			/* The dispatcher has checked the value against its documented
			 * maximum, so this is a handler whose buffer is smaller than
			 * that: a bug to fix in the table above or the handler. */
			clxs_error_log("query parameter %s does not fit the handler's %zu-byte buffer "
				   "(documented maximum %zu)", name, len, clxs_query_max_len(name));
			return NULL;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

void clxs_resp_json(clxs_resp *resp, int status, json_object *body)
{
	json_object_put(resp->body);
	resp->status = status;
	resp->body = body;
}

void clxs_resp_error(clxs_resp *resp, const clxs_error *err)
{
	clxs_resp_json(resp, clxs_code_http_status(err->code), clxs_json_error(err));
}

void clxs_resp_fail(clxs_resp *resp, clxs_code code, const char *detail, const char *fmt, ...)
{
	clxs_error err;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clxs_fail(&err, code, detail, "%s", msg);
	clxs_resp_error(resp, &err);
}

/* Match the raw path against a pattern segment by segment. Literal segments
 * compare against the decoded segment; {name} captures one decoded segment,
 * so an encoded '/' inside a catalog name stays inside its parameter. */
static int match_route(const clxs_route *r, const char *path, clxs_req *req)
{
	const char *p = r->pattern, *s = path;
	int nparams = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return 0;
		p++, s++;
		const char *pe = strchrnul(p, '/'), *se = strchrnul(s, '/');
		char seg[256];
		if (decode(s, (size_t)(se - s), seg, sizeof(seg), 0) != 0)
			return 0;
		if (*p == '{') {
			if (se == s || nparams == CLXS_MAX_PATH_PARAMS)
				return 0;
			if (req) {
				size_t nlen = (size_t)(pe - p) - 2;
				snprintf(req->param_names[nparams], sizeof(req->param_names[0]), "%.*s",
					 (int)nlen, p + 1);
				snprintf(req->param_values[nparams], sizeof(req->param_values[0]), "%s", seg);
			}
			nparams++;
		} else if (strlen(seg) != (size_t)(pe - p) || memcmp(seg, p, (size_t)(pe - p)) != 0) {
			return 0;
		}
		p = pe, s = se;
	}
	/* A single trailing slash on the request is tolerated. */
	if (*p || (*s && strcmp(s, "/") != 0))
		return 0;
	if (req)
		req->nparams = nparams;
	return 1;
}

static void finish(clxs_resp *resp, clxs_http_out *out)
{
	out->status = resp->status ? resp->status : 500;
	const char *text = resp->body ? clxs_json_text(resp->body) : "null";
	out->body = strdup(text);
	snprintf(out->extra_headers, sizeof(out->extra_headers), "%s", resp->extra_headers);
	json_object_put(resp->body);
	resp->body = NULL;
}

static bool method_has_body(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH") || !strcmp(m, "DELETE");
}

void clxs_api_handle(clxs_api_ctx *ctx, const clxs_http_in *in, clxs_http_out *out)
{
	clxs_req req;
	clxs_resp resp = {0};
	memset(&req, 0, sizeof(req));
	req.in = in;
	req.ctx = ctx;
	memset(out, 0, sizeof(*out));

	const char *uri = in->uri ? in->uri : "";
	const char *q = strchr(uri, '?');
	size_t plen = q ? (size_t)(q - uri) : strlen(uri);
	req.query = q ? q + 1 : "";
	if (plen == 0 || uri[0] != '/' || plen >= sizeof(req.path)) {
		clxs_resp_fail(&resp, CLXS_EINVAL, "path", "malformed request path");
		goto done;
	}
	memcpy(req.path, uri, plen);
	req.path[plen] = '\0';
	/* Workers load the config at start; follow edits made since (the
	 * token check below reads it too). */
	clxs_api_config_refresh(ctx);
	/* The server API token, before routing (src/api/api-guard.c). */
	if (!clxs_api_guard(&req, &resp))
		goto done;

	const clxs_route *route = NULL;
	char allow[128] = "";
	for (size_t i = 0; i < clxs_nroutes; i++) {
		if (!match_route(&clxs_routes[i], req.path, NULL))
			continue;
		if (strcmp(clxs_routes[i].method, in->method) == 0) {
			route = &clxs_routes[i];
			break;
		}
		if (!strstr(allow, clxs_routes[i].method)) {
			size_t n = strlen(allow);
			snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "", clxs_routes[i].method);
		}
	}
	if (!route) {
		if (allow[0]) {
			clxs_resp_fail(&resp, CLXS_EMETHOD, in->method,
				       "method %s is not allowed on %s (allowed: %s)", in->method,
				       req.path, allow);
			snprintf(resp.extra_headers, sizeof(resp.extra_headers), "Allow: %s\r\n", allow);
		} else {
			clxs_resp_fail(&resp, CLXS_ENOTFOUND, req.path, "no API route %s", req.path);
		}
		goto done;
	}
	match_route(route, req.path, &req);
	/* Query values: well-formed and within their documented maximum,
	 * before any handler can mistake a bad one for an absent one. */
	{
		clxs_error qerr;
		if (!clxs_query_check(req.query, &qerr)) {
			clxs_resp_error(&resp, &qerr);
			goto done;
		}
	}

	if (in->content_length > (long long)ctx->max_body || in->body_len > ctx->max_body) {
		clxs_resp_fail(&resp, CLXS_ETOOLARGE, "body",
			       "request body of %lld bytes exceeds the limit of %zu bytes",
			       in->content_length > 0 ? in->content_length : (long long)in->body_len,
			       ctx->max_body);
		goto done;
	}
	if (in->body_len > 0 && method_has_body(in->method)) {
		clxs_error err;
		req.body = clxs_json_parse(in->body, in->body_len, &err);
		if (!req.body) {
			clxs_resp_error(&resp, &err);
			goto done;
		}
	}
	if (route->flags & CLXS_ROUTE_BODY) {
		if (!req.body) {
			clxs_resp_fail(&resp, CLXS_EINVAL, "body", "a JSON object body is required");
			goto done;
		}
		if (!json_object_is_type(req.body, json_type_object)) {
			clxs_resp_fail(&resp, CLXS_EINVAL, "body", "the request body must be a JSON object");
			goto done;
		}
	}
	resp.status = 200;
	route->handler(&req, &resp);
done:
	json_object_put(req.body);
	req.body = NULL;
	finish(&resp, out);
}
