/* The route table: the single list of what the service answers. Patterns
 * match path segments literally, {name} captures one segment and {*rest}
 * the remainder; captures are percent-decoded before handlers see them. */
#include "svc_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *method;
	const char *pattern;
	svc_handler fn;
} route;

#define UC "/api/2.1/unity-catalog"

static const route routes[] = {
	{"POST", "/api/2.0/sql/statements", svc_h_stmt_execute},
	{"POST", "/api/2.0/sql/statements/", svc_h_stmt_execute},
	{"GET", "/api/2.0/sql/statements/{id}", svc_h_stmt_get},
	{"GET", "/api/2.0/sql/statements/{id}/result/chunks/{n}", svc_h_stmt_chunk},
	{"POST", "/api/2.0/sql/statements/{id}/cancel", svc_h_stmt_cancel},

	{"GET", UC "/catalogs", svc_h_catalog_list},
	{"POST", UC "/catalogs", svc_h_catalog_create},
	{"GET", UC "/catalogs/{name}", svc_h_catalog_get},
	{"PATCH", UC "/catalogs/{name}", svc_h_catalog_update},
	{"DELETE", UC "/catalogs/{name}", svc_h_catalog_delete},
	{"GET", UC "/schemas", svc_h_schema_list},
	{"POST", UC "/schemas", svc_h_schema_create},
	{"GET", UC "/schemas/{full_name}", svc_h_schema_get},
	{"PATCH", UC "/schemas/{full_name}", svc_h_schema_update},
	{"DELETE", UC "/schemas/{full_name}", svc_h_schema_delete},
	{"GET", UC "/tables", svc_h_table_list},
	{"POST", UC "/tables", svc_h_table_create},
	{"GET", UC "/tables/{full_name}", svc_h_table_get},
	{"GET", UC "/tables/{full_name}/exists", svc_h_table_exists},
	{"PATCH", UC "/tables/{full_name}", svc_h_table_update},
	{"DELETE", UC "/tables/{full_name}", svc_h_table_delete},
	{"GET", UC "/volumes", svc_h_volume_list},
	{"POST", UC "/volumes", svc_h_volume_create},
	{"GET", UC "/volumes/{full_name}", svc_h_volume_get},
	{"PATCH", UC "/volumes/{full_name}", svc_h_volume_update},
	{"DELETE", UC "/volumes/{full_name}", svc_h_volume_delete},
	{"GET", UC "/functions", svc_h_function_list},
	{"POST", UC "/functions", svc_h_function_create},
	{"GET", UC "/functions/{full_name}", svc_h_function_get},
	{"PATCH", UC "/functions/{full_name}", svc_h_function_update},
	{"DELETE", UC "/functions/{full_name}", svc_h_function_delete},
	{"GET", UC "/permissions/{type}/{full_name}", svc_h_perm_get},
	{"PATCH", UC "/permissions/{type}/{full_name}", svc_h_perm_update},
	{"GET", UC "/effective-permissions/{type}/{full_name}", svc_h_perm_effective},

	{"PUT", "/api/2.0/fs/files/{*path}", svc_h_file_put},
	{"GET", "/api/2.0/fs/files/{*path}", svc_h_file_get},
	{"HEAD", "/api/2.0/fs/files/{*path}", svc_h_file_head},
	{"DELETE", "/api/2.0/fs/files/{*path}", svc_h_file_delete},
	{"GET", "/api/2.0/fs/directories/{*path}", svc_h_dir_list},
	{"PUT", "/api/2.0/fs/directories/{*path}", svc_h_dir_create},
	{"HEAD", "/api/2.0/fs/directories/{*path}", svc_h_dir_head},
	{"DELETE", "/api/2.0/fs/directories/{*path}", svc_h_dir_delete},

	{"GET", "/api/2.0/preview/scim/v2/Me", svc_h_scim_me},
	{"GET", "/api/2.0/sql/warehouses", svc_h_warehouse_list},
	{"GET", "/api/2.0/sql/warehouses/{id}", svc_h_warehouse_get},
};

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

char *svc_urldecode(const char *s, size_t n, bool form)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n) {
				free(out);
				return NULL;
			}
			int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
			if (a < 0 || b < 0 || (a == 0 && b == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(a * 16 + b);
			i += 2;
		} else if (s[i] == '+' && form) {
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* Match path against pattern; on success the captures are in r->params. */
static bool match(svc_req *r, const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;
	int n = 0;
	char *caps[SVC_MAX_PARAMS] = {0};
	while (*p) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			bool rest = p[1] == '*';
			const char *end = rest ? s + strlen(s) : s + strcspn(s, "/");
			if (!close || end == s || n == SVC_MAX_PARAMS)
				goto fail;
			if (!(caps[n] = svc_urldecode(s, (size_t)(end - s), false)))
				goto fail;
			n++;
			s = end;
			p = close + 1;
			continue;
		}
		if (*p != *s)
			goto fail;
		p++;
		s++;
	}
	if (*s)
		goto fail;
	for (int i = 0; i < n; i++)
		r->params[i] = caps[i];
	r->nparams = n;
	return true;
fail:
	for (int i = 0; i < n; i++)
		free(caps[i]);
	return false;
}

void svc_route(svc_req *r)
{
	bool path_known = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(r, routes[i].pattern, r->path))
			continue;
		if (strcmp(routes[i].method, r->method) == 0) {
			routes[i].fn(r);
			return;
		}
		path_known = true;
		for (int k = 0; k < r->nparams; k++)
			free(r->params[k]);
		r->nparams = 0;
	}
	/* Databricks answers an unknown method on a known path like an
	 * unknown path. */
	svc_error(r, 404, "ENDPOINT_NOT_FOUND", "No API found for '%s %s'%s", r->method, r->path,
		  path_known ? " (this path takes other methods)" : "");
}

const char *svc_query(const svc_req *r, const char *key)
{
	for (int i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].key, key) == 0)
			return r->query[i].val;
	return NULL;
}

bool svc_query_bool(const svc_req *r, const char *key, bool dflt)
{
	const char *v = svc_query(r, key);
	if (!v)
		return dflt;
	return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

bool svc_max_results(svc_req *r, int cap, int *out)
{
	const char *v = svc_query(r, "max_results");
	*out = 0;
	if (!v)
		return true;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 0) {
		svc_error(r, 400, "INVALID_PARAMETER_VALUE",
			  "max_results must be a non-negative integer, got '%s'", v);
		return false;
	}
	*out = n == 0 || n > cap ? cap : (int)n;
	return true;
}
