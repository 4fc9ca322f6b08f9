/* Workspace client transport, retries, error mapping, auth and rate limit,
 * against a real HTTP server on 127.0.0.1 playing Databricks, and through
 * the in-process transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/util.h"
#include "clxs/workspace.h"
#include "ws_test_server.h"

#define PAT "dapi0123456789abcdef0123456789abcd"
#define SP_ID "sp-client-id"
#define SP_SECRET "dose-m2m-secret-value-5555"
#define AZ_ID "az-app-id"
#define AZ_SECRET "az~secret/value+7777"
#define M2M_TOKEN "m2m-access-token-AAAA1111"
#define AAD_TOKEN "aad-access-token-BBBB2222"

/* One scripted API answer; the last one repeats once the script runs out. */
typedef struct {
	int status;
	const char *body;
	const char *headers;
	bool drop;
} step;

typedef struct {
	pthread_mutex_t lock;
	const step *script;
	size_t nscript;
	int api_calls;
	int token_calls;
	int token_expires_in;
	bool token_reject;
	bool auth_bad; /* a request carried the wrong Authorization */
	char last_path[2048];
	char last_body[4096];
	char last_method[16];
	char expect_auth[256];
	char basic[256]; /* expected "Basic ..." on the M2M token endpoint */
	char token_form_bad[256];
} world;

static world W;

static void world_reset(void)
{
	pthread_mutex_lock(&W.lock);
	W.script = NULL;
	W.nscript = 0;
	W.api_calls = W.token_calls = 0;
	W.token_expires_in = 3600;
	W.token_reject = false;
	W.auth_bad = false;
	W.last_path[0] = W.last_body[0] = W.last_method[0] = '\0';
	W.expect_auth[0] = W.token_form_bad[0] = '\0';
	pthread_mutex_unlock(&W.lock);
}

static void set_script(const step *s, size_t n)
{
	pthread_mutex_lock(&W.lock);
	W.script = s;
	W.nscript = n;
	pthread_mutex_unlock(&W.lock);
}

static void handler(void *ud, const ts_request *req, ts_response *resp)
{
	(void)ud;
	pthread_mutex_lock(&W.lock);
	if (strcmp(req->path, "/oidc/v1/token") == 0 || strstr(req->path, "/oauth2/v2.0/token")) {
		W.token_calls++;
		bool azure = strstr(req->path, "/oauth2/v2.0/token") != NULL;
		if (!azure && strcmp(req->authorization, W.basic) != 0)
			snprintf(W.token_form_bad, sizeof(W.token_form_bad), "basic auth: %.200s", req->authorization);
		if (strcmp(req->content_type, "application/x-www-form-urlencoded") != 0)
			snprintf(W.token_form_bad, sizeof(W.token_form_bad), "content type");
		if (!strstr(req->body, "grant_type=client_credentials"))
			snprintf(W.token_form_bad, sizeof(W.token_form_bad), "grant_type");
		if (!azure && !strstr(req->body, "scope=all-apis"))
			snprintf(W.token_form_bad, sizeof(W.token_form_bad), "scope");
		if (azure && (strcmp(req->path, "/tenant-x/oauth2/v2.0/token") != 0 ||
			      !strstr(req->body, "client_id=" AZ_ID) ||
			      !strstr(req->body, "client_secret=az~secret%2Fvalue%2B7777") ||
			      !strstr(req->body, "scope=2ff814a6-3304-4ab8-85cb-cd0e6f879c1d%2F.default")))
			snprintf(W.token_form_bad, sizeof(W.token_form_bad), "azure form: %.200s", req->body);
		if (W.token_reject)
			ts_reply(resp, 401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}");
		else if (azure)
			ts_reply(resp, 200, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":\"%d\"}",
				 AAD_TOKEN, W.token_expires_in);
		else
			ts_reply(resp, 200, "{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":%d}",
				 M2M_TOKEN, W.token_expires_in);
		pthread_mutex_unlock(&W.lock);
		return;
	}
	int n = W.api_calls++;
	snprintf(W.last_path, sizeof(W.last_path), "%s", req->path);
	snprintf(W.last_body, sizeof(W.last_body), "%s", req->body);
	snprintf(W.last_method, sizeof(W.last_method), "%s", req->method);
	if (W.expect_auth[0] && strcmp(req->authorization, W.expect_auth) != 0)
		W.auth_bad = true;
	if (!W.script) {
		ts_reply(resp, 200, "{\"ok\":true,\"n\":%d}", n);
	} else {
		const step *s = &W.script[(size_t)n < W.nscript ? (size_t)n : W.nscript - 1];
		ts_reply(resp, s->status, "%s", s->body ? s->body : "");
		if (s->headers)
			snprintf(resp->extra_headers, sizeof(resp->extra_headers), "%s", s->headers);
		resp->drop = s->drop;
	}
	pthread_mutex_unlock(&W.lock);
}

static ts_server *srv;

static int setup(void **state)
{
	(void)state;
	pthread_mutex_init(&W.lock, NULL);
	unsigned char b64[128];
	EVP_EncodeBlock(b64, (const unsigned char *)SP_ID ":" SP_SECRET, (int)strlen(SP_ID ":" SP_SECRET));
	snprintf(W.basic, sizeof(W.basic), "Basic %s", (char *)b64);
	srv = ts_start(handler, NULL);
	clxs_log_init("test_ws_client", CLXS_LOG_ERROR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ts_stop(srv);
	pthread_mutex_destroy(&W.lock);
	return 0;
}

/* Fast retries for tests; the limiter is private so tests do not share it. */
static clxs_ws_options fast_opts(void)
{
	clxs_ws_options o = {.max_retries = 3, .backoff_base_ms = 5, .backoff_max_ms = 20};
	return o;
}

static clxs_ws_client *pat_client(const clxs_ws_options *opts)
{
	clxs_ws_config in = {0}, cfg = {0};
	clxs_error e = {0};
	in.host = (char *)ts_url(srv);
	in.token = PAT;
	in.config_file = "/nonexistent/.databrickscfg";
	assert_int_equal(clxs_ws_config_resolve(&in, &cfg, &e), CLXS_OK);
	clxs_ws_client *c = NULL;
	assert_int_equal(clxs_ws_client_new(&cfg, opts, &c, &e), CLXS_OK);
	clxs_ws_config_free(&cfg);
	return c;
}

static void test_pat_and_connection_reuse(void **state)
{
	(void)state;
	world_reset();
	snprintf(W.expect_auth, sizeof(W.expect_auth), "Bearer " PAT);
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = pat_client(&o);
	int before = ts_connections(srv);
	for (int i = 0; i < 5; i++) {
		json_object *out = NULL;
		clxs_error e = {0};
		const char *q[] = {"catalog_name", "a b&c=d", "skip", NULL, "max_results", "5", NULL};
		assert_int_equal(clxs_ws_call(c, "GET", "/api/2.1/unity-catalog/schemas", q, NULL, &out, &e), CLXS_OK);
		assert_int_equal(clxs_json_int(out, "n", -1), i);
		json_object_put(out);
	}
	assert_string_equal(W.last_path, "/api/2.1/unity-catalog/schemas?catalog_name=a%20b%26c%3Dd&max_results=5");
	assert_false(W.auth_bad);
	/* Five requests, one connection: keep-alive through the share. */
	assert_int_equal(ts_connections(srv) - before, 1);

	json_object *body = json_object_new_object();
	clxs_json_set_str(body, "name", "x");
	json_object *out = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_ws_call(c, "PATCH", "/api/2.1/unity-catalog/catalogs/x", NULL, body, &out, &e), CLXS_OK);
	assert_string_equal(W.last_method, "PATCH");
	assert_string_equal(W.last_body, "{\"name\":\"x\"}");
	json_object_put(out);
	json_object_put(body);
	/* Paths must be API paths. */
	assert_int_equal(clxs_ws_call(c, "GET", "http://evil/api", NULL, NULL, NULL, &e), CLXS_EINVAL);
	clxs_ws_stats st;
	clxs_ws_client_stats(c, &st);
	assert_int_equal(st.requests, 6);
	assert_int_equal(st.retries, 0);
	clxs_ws_client_free(c);
}

static void test_retry_429_retry_after(void **state)
{
	(void)state;
	world_reset();
	static const step s[] = {
		{429, "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}", "Retry-After: 1\r\n", false},
		{200, "{\"ok\":1}", NULL, false},
	};
	set_script(s, 2);
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = pat_client(&o);
	clxs_error e = {0};
	int64_t t0 = clxs_mono_ms();
	assert_int_equal(clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e), CLXS_OK);
	/* Our own backoff is at most 20 ms here: only Retry-After explains 1 s. */
	assert_true(clxs_mono_ms() - t0 >= 1000);
	assert_int_equal(W.api_calls, 2);
	clxs_ws_stats st;
	clxs_ws_client_stats(c, &st);
	assert_int_equal(st.retries, 1);
	clxs_ws_client_free(c);
}

static void test_retry_503_twice(void **state)
{
	(void)state;
	world_reset();
	static const step s[] = {
		{503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"busy\"}", NULL, false},
		{503, "<html>bad gateway</html>", NULL, false},
		{200, "{\"ok\":1}", NULL, false},
	};
	set_script(s, 3);
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = pat_client(&o);
	clxs_error e = {0};
	json_object *out = NULL;
	assert_int_equal(clxs_ws_call(c, "POST", "/api/2.0/x", NULL, NULL, &out, &e), CLXS_OK);
	assert_int_equal(clxs_json_int(out, "ok", 0), 1);
	json_object_put(out);
	assert_int_equal(W.api_calls, 3);
	clxs_ws_client_free(c);
}

static void test_retries_exhausted(void **state)
{
	(void)state;
	world_reset();
	static const step s[] = {{503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"down for a while\"}", NULL, false}};
	set_script(s, 1);
	clxs_ws_options o = fast_opts();
	o.max_retries = 2;
	clxs_ws_client *c = pat_client(&o);
	clxs_error e = {0};
	assert_int_equal(clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e), CLXS_EUNAVAILABLE);
	assert_int_equal(W.api_calls, 3);
	assert_string_equal(e.detail, "TEMPORARILY_UNAVAILABLE");
	assert_string_equal(e.message, "down for a while");
	clxs_ws_client_free(c);
}

static void expect_no_retry(clxs_ws_client *c, int status, const char *body, clxs_code code,
			    const char *detail, const char *message)
{
	world_reset();
	step s[] = {{status, body, NULL, false}, {200, "{}", NULL, false}};
	set_script(s, 2);
	clxs_error e = {0};
	json_object *out = (json_object *)1;
	assert_int_equal(clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, &out, &e), code);
	assert_null(out);
	assert_int_equal(W.api_calls, 1);
	assert_string_equal(e.detail, detail);
	assert_string_equal(e.message, message);
	set_script(NULL, 0);
}

static void test_errors_not_retried(void **state)
{
	(void)state;
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = pat_client(&o);
	expect_no_retry(c, 404, "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"Catalog 'x' does not exist.\"}",
			CLXS_ENOTFOUND, "RESOURCE_DOES_NOT_EXIST", "Catalog 'x' does not exist.");
	expect_no_retry(c, 401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"Invalid access token.\"}",
			CLXS_EAUTH, "UNAUTHENTICATED", "Invalid access token.");
	expect_no_retry(c, 403, "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"User does not have USE CATALOG\"}",
			CLXS_EPERM, "PERMISSION_DENIED", "User does not have USE CATALOG");
	expect_no_retry(c, 400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"bad name\"}",
			CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "bad name");
	/* The error_code wins over a retryable status. */
	expect_no_retry(c, 500, "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"no\"}",
			CLXS_EPERM, "PERMISSION_DENIED", "no");
	/* SCIM-style error body, no error_code. */
	expect_no_retry(c, 404, "{\"detail\":\"User not found\",\"status\":\"404\"}",
			CLXS_ENOTFOUND, "", "User not found");
	/* No JSON at all. */
	expect_no_retry(c, 409, "conflict", CLXS_ECONFLICT, "",
			"workspace returned HTTP 409 for GET /api/2.0/x");
	/* A 200 with a broken body is not retried either (it may have run). */
	expect_no_retry(c, 200, "{\"statement_id\": ", CLXS_EINTERNAL, "MALFORMED_RESPONSE",
			"workspace returned invalid JSON for GET /api/2.0/x: invalid JSON: unexpected end of input");
	clxs_ws_client_free(c);
}

static void test_network_errors(void **state)
{
	(void)state;
	/* A port nobody listens on: refused before sending, always retried. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof(sa);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	char host[64];
	snprintf(host, sizeof(host), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	clxs_ws_config cfg = {.host = host, .token = PAT, .auth = CLXS_WS_AUTH_PAT};
	clxs_ws_options o = fast_opts();
	o.max_retries = 2;
	clxs_ws_client *c = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_ws_client_new(&cfg, &o, &c, &e), CLXS_OK);
	assert_int_equal(clxs_ws_call(c, "POST", "/api/2.0/x", NULL, NULL, NULL, &e), CLXS_EUNAVAILABLE);
	assert_string_equal(e.detail, "NETWORK_ERROR");
	clxs_ws_stats st;
	clxs_ws_client_stats(c, &st);
	assert_int_equal(st.requests, 3);
	clxs_ws_client_free(c);

	/* Connection dropped after the request went out: a GET is retried... */
	world_reset();
	static const step s[] = {{0, NULL, NULL, true}, {200, "{\"ok\":1}", NULL, false}};
	set_script(s, 2);
	c = pat_client(&o);
	assert_int_equal(clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e), CLXS_OK);
	assert_int_equal(W.api_calls, 2);
	clxs_ws_client_free(c);
	/* ...a POST is not: it may have been executed. */
	world_reset();
	set_script(s, 2);
	c = pat_client(&o);
	assert_int_equal(clxs_ws_call(c, "POST", "/api/2.0/sql/statements", NULL, NULL, NULL, &e),
			 CLXS_EUNAVAILABLE);
	assert_int_equal(W.api_calls, 1);
	clxs_ws_client_free(c);
}

static clxs_ws_client *sp_client(clxs_ws_auth auth, const clxs_ws_options *o)
{
	clxs_ws_config in = {0}, cfg = {0};
	clxs_error e = {0};
	in.host = (char *)ts_url(srv);
	in.config_file = "/nonexistent/.databrickscfg";
	in.auth = auth;
	if (auth == CLXS_WS_AUTH_OAUTH_M2M) {
		in.client_id = SP_ID;
		in.client_secret = SP_SECRET;
	} else {
		in.azure_client_id = AZ_ID;
		in.azure_client_secret = AZ_SECRET;
		in.azure_tenant_id = "tenant-x";
		in.azure_login_url = (char *)ts_url(srv);
	}
	assert_int_equal(clxs_ws_config_resolve(&in, &cfg, &e), CLXS_OK);
	clxs_ws_client *c = NULL;
	assert_int_equal(clxs_ws_client_new(&cfg, o, &c, &e), CLXS_OK);
	clxs_ws_config_free(&cfg);
	return c;
}

typedef struct {
	clxs_ws_client *c;
	int n;
	int failures;
} worker_arg;

static void *call_worker(void *arg)
{
	worker_arg *a = arg;
	for (int i = 0; i < a->n; i++) {
		clxs_error e = {0};
		if (clxs_ws_call(a->c, "GET", "/api/2.0/preview/scim/v2/Me", NULL, NULL, NULL, &e) != CLXS_OK)
			a->failures++;
	}
	return NULL;
}

static void run_threads(clxs_ws_client *c, int nthreads, int per_thread)
{
	pthread_t t[16];
	worker_arg a[16];
	for (int i = 0; i < nthreads; i++) {
		a[i] = (worker_arg){c, per_thread, 0};
		assert_int_equal(pthread_create(&t[i], NULL, call_worker, &a[i]), 0);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
}

static void test_oauth_m2m_cached(void **state)
{
	(void)state;
	world_reset();
	snprintf(W.expect_auth, sizeof(W.expect_auth), "Bearer " M2M_TOKEN);
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = sp_client(CLXS_WS_AUTH_OAUTH_M2M, &o);
	/* 8 threads x 5 calls share one token fetch. */
	run_threads(c, 8, 5);
	assert_int_equal(W.api_calls, 40);
	assert_int_equal(W.token_calls, 1);
	assert_string_equal(W.token_form_bad, "");
	assert_false(W.auth_bad);
	clxs_ws_stats st;
	clxs_ws_client_stats(c, &st);
	assert_int_equal(st.token_fetches, 1);
	/* Forgetting the token forces one new fetch. */
	clxs_ws_client_forget_token(c);
	run_threads(c, 2, 2);
	assert_int_equal(W.token_calls, 2);
	clxs_ws_client_free(c);

	/* A token that expires at once is fetched for every request. */
	world_reset();
	W.token_expires_in = 0;
	c = sp_client(CLXS_WS_AUTH_OAUTH_M2M, &o);
	run_threads(c, 1, 3);
	assert_int_equal(W.token_calls, 3);
	clxs_ws_client_free(c);
}

static void test_oauth_rejected(void **state)
{
	(void)state;
	world_reset();
	W.token_reject = true;
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = sp_client(CLXS_WS_AUTH_OAUTH_M2M, &o);
	clxs_error e = {0};
	assert_int_equal(clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e), CLXS_EAUTH);
	assert_string_equal(e.detail, "invalid_client");
	assert_string_equal(e.message, "Client authentication failed");
	assert_int_equal(W.token_calls, 1); /* 401 is not retried */
	assert_int_equal(W.api_calls, 0);
	clxs_ws_client_free(c);
}

static void test_azure_sp(void **state)
{
	(void)state;
	world_reset();
	snprintf(W.expect_auth, sizeof(W.expect_auth), "Bearer " AAD_TOKEN);
	clxs_ws_options o = fast_opts();
	clxs_ws_client *c = sp_client(CLXS_WS_AUTH_AZURE_SP, &o);
	run_threads(c, 2, 3);
	assert_int_equal(W.api_calls, 6);
	assert_int_equal(W.token_calls, 1);
	assert_string_equal(W.token_form_bad, "");
	assert_false(W.auth_bad);
	clxs_ws_client_free(c);
}

/* ---- in-process transport ---- */

typedef struct {
	pthread_mutex_t lock;
	int calls;
	int fail_first; /* answer this many calls with 503 */
	int rc_first;   /* return a transport failure this many times first */
	char last[512];
} inproc_state;

static int inproc_fn(void *ud, const char *method, const char *path, const char *body,
		     size_t body_len, char **resp_body, size_t *resp_len, int *status)
{
	inproc_state *s = ud;
	pthread_mutex_lock(&s->lock);
	int n = s->calls++;
	snprintf(s->last, sizeof(s->last), "%s %s %.*s", method, path, (int)body_len, body ? body : "");
	pthread_mutex_unlock(&s->lock);
	if (n < s->rc_first)
		return -1;
	if (n < s->rc_first + s->fail_first) {
		*status = 503;
		*resp_body = strdup("{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"injected\"}");
	} else if (strstr(path, "/missing")) {
		*status = 404;
		*resp_body = strdup("{\"error_code\":\"NOT_FOUND\",\"message\":\"nope\"}");
	} else {
		*status = 200;
		*resp_body = strdup("{\"catalogs\":[{\"name\":\"main\"}]}");
	}
	*resp_len = strlen(*resp_body);
	return 0;
}

static void test_inproc_transport(void **state)
{
	(void)state;
	inproc_state s = {.fail_first = 2, .rc_first = 1};
	pthread_mutex_init(&s.lock, NULL);
	clxs_ws_options o = fast_opts();
	o.inproc = inproc_fn;
	o.inproc_ud = &s;
	clxs_ws_client *c = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_ws_client_new(NULL, &o, &c, &e), CLXS_OK);
	json_object *body = json_object_new_object();
	clxs_json_set_str(body, "name", "main");
	json_object *out = NULL;
	const char *q[] = {"force", "true", NULL};
	assert_int_equal(clxs_ws_call(c, "POST", "/api/2.1/unity-catalog/catalogs", q, body, &out, &e), CLXS_OK);
	json_object_put(body);
	/* One transport failure and two 503s were retried. */
	assert_int_equal(s.calls, 4);
	assert_string_equal(s.last, "POST /api/2.1/unity-catalog/catalogs?force=true {\"name\":\"main\"}");
	assert_string_equal(clxs_json_text(out), "{\"catalogs\":[{\"name\":\"main\"}]}");
	json_object_put(out);
	/* Errors map exactly as over HTTP. */
	assert_int_equal(clxs_ws_call(c, "GET", "/api/2.0/missing", NULL, NULL, NULL, &e), CLXS_ENOTFOUND);
	assert_string_equal(e.detail, "NOT_FOUND");
	assert_int_equal(s.calls, 5);
	clxs_ws_client_free(c);
	pthread_mutex_destroy(&s.lock);
}

/* ---- rate limit ---- */

static void test_rate_limit_binds(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_limiter *lim = clxs_ws_limiter_new(50, 0);
	assert_non_null(lim);
	clxs_ws_options o = fast_opts();
	o.limiter = lim;
	clxs_ws_client *c = pat_client(&o);
	int64_t t0 = clxs_mono_ms();
	run_threads(c, 4, 5);
	int64_t elapsed = clxs_mono_ms() - t0;
	assert_int_equal(W.api_calls, 20);
	/* 20 requests at 50/s with a burst of one span at least 19 intervals
	 * of 20 ms. Only a lower bound: a slow machine may take longer. */
	assert_true(elapsed >= 19 * 20);
	clxs_ws_client_free(c);
	clxs_ws_limiter_free(lim);

	/* The process-wide limiter binds across separate clients. */
	world_reset();
	clxs_ws_limiter_configure(clxs_ws_limiter_global(), 100, 0);
	o.limiter = NULL;
	clxs_ws_client *c1 = pat_client(&o), *c2 = pat_client(&o);
	t0 = clxs_mono_ms();
	run_threads(c1, 1, 5);
	run_threads(c2, 1, 5);
	elapsed = clxs_mono_ms() - t0;
	assert_true(elapsed >= 9 * 10);
	clxs_ws_limiter_configure(clxs_ws_limiter_global(), 0, 0);
	clxs_ws_client_free(c1);
	clxs_ws_client_free(c2);
}

/* ---- secrets never logged ---- */

static void test_no_secret_in_logs(void **state)
{
	(void)state;
	char path[] = "/tmp/test_ws_log.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	clxs_log_set_level(CLXS_LOG_DEBUG);

	clxs_ws_options o = fast_opts();
	static const step s[] = {
		{503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"busy\"}", NULL, false},
		{200, "{}", NULL, false},
	};
	world_reset();
	set_script(s, 2);
	clxs_ws_client *c = pat_client(&o);
	clxs_error e = {0};
	clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e);
	clxs_ws_client_free(c);
	world_reset();
	set_script(s, 2);
	c = sp_client(CLXS_WS_AUTH_OAUTH_M2M, &o);
	clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e);
	clxs_ws_client_free(c);
	world_reset();
	c = sp_client(CLXS_WS_AUTH_AZURE_SP, &o);
	clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e);
	clxs_ws_client_free(c);
	world_reset();
	W.token_reject = true;
	c = sp_client(CLXS_WS_AUTH_OAUTH_M2M, &o);
	clxs_ws_call(c, "GET", "/api/2.0/x", NULL, NULL, NULL, &e);
	clxs_ws_client_free(c);

	fflush(stderr);
	clxs_log_set_level(CLXS_LOG_ERROR);
	dup2(saved, STDERR_FILENO);
	close(saved);
	FILE *f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	char *log = calloc(1, 65536);
	assert_non_null(log);
	size_t n = fread(log, 1, 65535, f);
	fclose(f);
	unlink(path);
	/* Something was logged (retries, token fetches)... */
	assert_true(n > 0);
	assert_non_null(strstr(log, "retry 1/3"));
	assert_non_null(strstr(log, "OAuth token"));
	/* ...and none of it is a secret. */
	const char *secrets[] = {PAT, SP_SECRET, AZ_SECRET, "az~secret%2Fvalue%2B7777", M2M_TOKEN,
				 AAD_TOKEN, W.basic + 6};
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		assert_null(strstr(log, secrets[i]));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pat_and_connection_reuse),
		cmocka_unit_test(test_retry_429_retry_after),
		cmocka_unit_test(test_retry_503_twice),
		cmocka_unit_test(test_retries_exhausted),
		cmocka_unit_test(test_errors_not_retried),
		cmocka_unit_test(test_network_errors),
		cmocka_unit_test(test_oauth_m2m_cached),
		cmocka_unit_test(test_oauth_rejected),
		cmocka_unit_test(test_azure_sp),
		cmocka_unit_test(test_inproc_transport),
		cmocka_unit_test(test_rate_limit_binds),
		cmocka_unit_test(test_no_secret_in_logs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
