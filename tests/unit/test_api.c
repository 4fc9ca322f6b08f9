/* Unit tests for the dispatcher and the OpenAPI generator: the HTTP side is
 * exercised by tests/integration; here every branch of routing runs without
 * a socket. Job routes use a real LMDB store in a temp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/api.h"
#include "clxs/json.h"

static char dir[64];
static clxs_api_ctx ctx;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/clxs-test-api-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	ctx.max_body = 1024;
	return clxs_store_open(dir, 0, &ctx.store, NULL) == CLXS_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	clxs_store_close(ctx.store);
	return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Run one request; returns the parsed body (caller puts it). */
static json_object *call(const char *method, const char *uri, const char *body, int *status,
			 char *headers, size_t hlen)
{
	clxs_http_in in = {0};
	in.method = method;
	in.uri = uri;
	in.body = body;
	in.body_len = body ? strlen(body) : 0;
	in.content_length = body ? (long long)strlen(body) : -1;
	clxs_http_out out;
	clxs_api_handle(&ctx, &in, &out);
	*status = out.status;
	if (headers)
		snprintf(headers, hlen, "%s", out.extra_headers);
	json_object *o = clxs_json_parse(out.body, strlen(out.body), NULL);
	free(out.body);
	assert_non_null(o);
	return o;
}

static void test_health(void **state)
{
	(void)state;
	int st;
	json_object *o = call("GET", "/api/health", NULL, &st, NULL, 0);
	assert_int_equal(st, 200);
	assert_string_equal(clxs_json_text(o), "{\"status\":\"ok\",\"service\":\"Clone-Xs\",\"runtime\":\"standalone\"}");
	json_object_put(o);
	o = call("GET", "/api/health/?x=1", NULL, &st, NULL, 0); /* trailing slash and query */
	assert_int_equal(st, 200);
	json_object_put(o);
}

static void test_not_found_and_method(void **state)
{
	(void)state;
	int st;
	char hdr[256];
	json_object *o = call("GET", "/api/nope", NULL, &st, NULL, 0);
	assert_int_equal(st, 404);
	assert_string_equal(clxs_json_str(o, "error_code", ""), "NOT_FOUND");
	json_object_put(o);
	o = call("GET", "/api/healthz", NULL, &st, NULL, 0); /* prefix is not a match */
	assert_int_equal(st, 404);
	json_object_put(o);
	o = call("PUT", "/api/jobs", "{}", &st, hdr, sizeof(hdr));
	assert_int_equal(st, 405);
	assert_string_equal(clxs_json_str(o, "error_code", ""), "METHOD_NOT_ALLOWED");
	assert_string_equal(hdr, "Allow: POST, GET\r\n");
	json_object_put(o);
	o = call("GET", "no-slash", NULL, &st, NULL, 0);
	assert_int_equal(st, 400);
	json_object_put(o);
}

static void test_bodies(void **state)
{
	(void)state;
	int st;
	json_object *o = call("POST", "/api/jobs", "{\"job_type\":", &st, NULL, 0);
	assert_int_equal(st, 400);
	assert_string_equal(clxs_json_str(o, "error_code", ""), "BAD_REQUEST");
	json_object_put(o);
	o = call("POST", "/api/jobs", NULL, &st, NULL, 0);
	assert_int_equal(st, 400);
	json_object_put(o);
	o = call("POST", "/api/jobs", "\"just a string\"", &st, NULL, 0);
	assert_int_equal(st, 400);
	json_object_put(o);
	char big[2048];
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	o = call("POST", "/api/jobs", big, &st, NULL, 0);
	assert_int_equal(st, 413);
	assert_string_equal(clxs_json_str(o, "error_code", ""), "PAYLOAD_TOO_LARGE");
	json_object_put(o);
	o = call("POST", "/api/jobs", "{\"job_type\":\"noop\",\"extra\":1}", &st, NULL, 0);
	assert_int_equal(st, 422);
	assert_string_equal(clxs_json_str(o, "detail", ""), "extra");
	json_object_put(o);
	o = call("POST", "/api/jobs", "{\"job_type\":7}", &st, NULL, 0);
	assert_int_equal(st, 422);
	assert_string_equal(clxs_json_str(o, "detail", ""), "job_type");
	json_object_put(o);
}

static void test_path_params(void **state)
{
	(void)state;
	int st;
	json_object *o = call("POST", "/api/jobs", "{\"job_type\":\"noop\"}", &st, NULL, 0);
	assert_int_equal(st, 200);
	char uri[128], id[64];
	snprintf(id, sizeof(id), "%s", clxs_json_str(o, "job_id", ""));
	json_object_put(o);

	/* The id percent-encoded still names the job. */
	char enc[96] = "";
	for (size_t i = 0; id[i]; i++)
		snprintf(enc + strlen(enc), sizeof(enc) - strlen(enc), "%%%02X", (unsigned char)id[i]);
	snprintf(uri, sizeof(uri), "/api/jobs/%s", enc);
	o = call("GET", uri, NULL, &st, NULL, 0);
	assert_int_equal(st, 200);
	assert_string_equal(clxs_json_str(o, "job_id", ""), id);
	assert_string_equal(clxs_json_str(o, "status", ""), "queued");
	json_object_put(o);

	/* An encoded slash stays inside the parameter: no route has 4 parts. */
	o = call("GET", "/api/jobs/a%2Fb", NULL, &st, NULL, 0);
	assert_int_equal(st, 404);
	assert_string_equal(clxs_json_str(o, "message", ""), "job 'a/b' not found");
	json_object_put(o);
	o = call("GET", "/api/jobs/%zz", NULL, &st, NULL, 0); /* bad escape: no match */
	assert_int_equal(st, 404);
	json_object_put(o);
	o = call("GET", "/api/jobs/%00", NULL, &st, NULL, 0); /* NUL never decodes */
	assert_int_equal(st, 404);
	json_object_put(o);

	o = call("GET", "/api/jobs?job_type=noop&limit=5", NULL, &st, NULL, 0);
	assert_int_equal(st, 200);
	assert_int_equal(json_object_array_length(o), 1);
	json_object_put(o);
	o = call("GET", "/api/jobs?limit=zero", NULL, &st, NULL, 0);
	assert_int_equal(st, 422);
	json_object_put(o);
}

static void test_url_decode(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(clxs_url_decode("a%20b+c", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "a b c");
	assert_int_equal(clxs_url_decode("%4", 2, out, sizeof(out)), -1);
	assert_int_equal(clxs_url_decode("%", 1, out, sizeof(out)), -1);
	assert_int_equal(clxs_url_decode("0123456789abcdefgh", 18, out, sizeof(out)), -1);
}

/* Query values that are malformed or over their documented maximum are
 * refused with 422 naming the parameter before any handler runs (a value
 * that did not fit a handler's buffer used to read as "not given"). */
static void test_query_limits(void **state)
{
	(void)state;
	clxs_error err;
	assert_true(clxs_query_check("", &err));
	assert_true(clxs_query_check("a=1&&b=&c", &err));
	assert_int_equal(clxs_query_max_len("job_id"), CLXS_QUERY_VALUE_MAX);
	assert_int_equal(clxs_query_max_len("path"), 1024);
	char uri[4096];
	/* Exactly the maximum passes the check; one byte more does not. */
	int n = snprintf(uri, sizeof(uri), "job_id=");
	memset(uri + n, 'x', CLXS_QUERY_VALUE_MAX);
	uri[n + CLXS_QUERY_VALUE_MAX] = '\0';
	assert_true(clxs_query_check(uri, &err));
	/* %41 decodes to one byte: the decoded length counts. */
	snprintf(uri + n + CLXS_QUERY_VALUE_MAX - 1, sizeof(uri) - (size_t)n - CLXS_QUERY_VALUE_MAX, "%%41");
	assert_true(clxs_query_check(uri, &err));
	memset(uri + n, 'x', CLXS_QUERY_VALUE_MAX + 1);
	uri[n + CLXS_QUERY_VALUE_MAX + 1] = '\0';
	assert_false(clxs_query_check(uri, &err));
	assert_int_equal(err.code, CLXS_EVALIDATION);
	assert_string_equal(err.detail, "job_id");
	assert_false(clxs_query_check("limit=1&job_id=%zz", &err));
	assert_string_equal(err.detail, "job_id");
	assert_false(clxs_query_check("job_id=a%00b", &err));
	assert_string_equal(err.detail, "job_id");
	assert_false(clxs_query_check("%zz=1", &err));
	assert_string_equal(err.detail, "query");
	assert_false(clxs_query_check("limit=1234567890123456", &err)); /* 16 > 15 */
	assert_string_equal(err.detail, "limit");

	/* Through the dispatcher: 422 before the handler (the health handler
	 * takes no parameters, so only the dispatcher can refuse). */
	int st;
	n = snprintf(uri, sizeof(uri), "/api/health?catalog=");
	memset(uri + n, 'c', 300);
	uri[n + 300] = '\0';
	json_object *o = call("GET", uri, NULL, &st, NULL, 0);
	assert_int_equal(st, 422);
	assert_non_null(strstr(clxs_json_text(o), "catalog"));
	json_object_put(o);
	o = call("GET", "/api/health?x=%2", NULL, &st, NULL, 0);
	assert_int_equal(st, 422);
	json_object_put(o);

	/* Published in the OpenAPI document. */
	json_object *doc = clxs_openapi_document(), *paths, *get = NULL, *params = NULL;
	assert_true(json_object_object_get_ex(doc, "paths", &paths));
	json_object_object_get_ex(json_object_object_get(paths, "/api/jobs"), "get", &get);
	assert_true(json_object_object_get_ex(get, "parameters", &params));
	bool seen = false;
	for (size_t i = 0; i < json_object_array_length(params); i++) {
		json_object *p = json_object_array_get_idx(params, i);
		if (strcmp(clxs_json_str(p, "name", ""), "limit"))
			continue;
		seen = true;
		assert_int_equal(clxs_json_int(json_object_object_get(p, "schema"), "maxLength", 0), 15);
	}
	assert_true(seen);
	json_object_put(doc);
}

static void test_openapi_covers_routes(void **state)
{
	(void)state;
	json_object *doc = clxs_openapi_document(), *paths;
	assert_true(json_object_object_get_ex(doc, "paths", &paths));
	for (size_t i = 0; i < clxs_nroutes; i++) {
		const clxs_route *r = &clxs_routes[i];
		json_object *item, *op;
		if (r->flags & CLXS_ROUTE_INTERNAL) {
			assert_false(json_object_object_get_ex(paths, r->pattern, &item));
			continue;
		}
		assert_true(json_object_object_get_ex(paths, r->pattern, &item));
		char m[16];
		size_t n = 0;
		for (; r->method[n]; n++)
			m[n] = (char)(r->method[n] | 0x20);
		m[n] = '\0';
		assert_true(json_object_object_get_ex(item, m, &op));
		assert_string_equal(clxs_json_str(op, "summary", ""), r->summary);
	}
	json_object *params = NULL, *get;
	json_object_object_get_ex(json_object_object_get(paths, "/api/jobs/{job_id}"), "get", &get);
	assert_true(json_object_object_get_ex(get, "parameters", &params));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(params, 0), "name", ""), "job_id");
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_not_found_and_method),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_path_params),
		cmocka_unit_test(test_url_decode),
		cmocka_unit_test(test_openapi_covers_routes),
		cmocka_unit_test(test_query_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
