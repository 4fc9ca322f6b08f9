/* Statement Execution API and Unity Catalog helpers against a local server
 * that plays a SQL warehouse: PENDING -> RUNNING -> SUCCEEDED with three
 * result chunks, FAILED, transient failures, cancel and timeout (the server
 * sees the cancel POST), the statement concurrency cap, and paginated lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/util.h"
#include "clxs/workspace.h"
#include "ws_test_server.h"

#define MAX_STMT 64
#define SP "/api/2.0/sql/statements"

typedef struct {
	char sql[64];
	int polls;
	bool cancelled;
	bool done;
} stmt;

typedef struct {
	pthread_mutex_t lock;
	stmt st[MAX_STMT];
	int nst;
	int submits, cancels, chunk_gets, flaky_submits;
	int active, max_active; /* statements between submit and SUCCEEDED */
	char bad[256];          /* first protocol violation seen */
	char last_submit[2048];
	char last_list[2048];
	int list_calls;
} world;

static world W;
static ts_server *srv;

static void bad(const char *what)
{
	if (!W.bad[0])
		snprintf(W.bad, sizeof(W.bad), "%s", what);
}

static void reply_state(ts_response *resp, int id, const char *state)
{
	ts_reply(resp, 200, "{\"statement_id\":\"st-%d\",\"status\":{\"state\":\"%s\"}}", id, state);
}

static void reply_chunked_success(ts_response *resp, int id)
{
	ts_reply(resp, 200,
		 "{\"statement_id\":\"st-%d\",\"status\":{\"state\":\"SUCCEEDED\"},"
		 "\"manifest\":{\"format\":\"JSON_ARRAY\",\"schema\":{\"column_count\":2,\"columns\":["
		 "{\"name\":\"id\",\"type_name\":\"INT\",\"type_text\":\"INT\",\"position\":0},"
		 "{\"name\":\"name\",\"type_name\":\"STRING\",\"type_text\":\"STRING\",\"position\":1}]},"
		 "\"total_chunk_count\":3,\"total_row_count\":5,\"truncated\":false},"
		 "\"result\":{\"chunk_index\":0,\"row_offset\":0,\"row_count\":2,"
		 "\"data_array\":[[\"1\",\"a\"],[\"2\",\"b\"]],\"next_chunk_index\":1,"
		 "\"next_chunk_internal_link\":\"" SP "/st-%d/result/chunks/1?row_offset=2\"}}",
		 id, id);
}

/* The statement's state on this poll. */
static void advance(stmt *s, int id, ts_response *resp)
{
	if (s->cancelled) {
		reply_state(resp, id, "CANCELED");
		return;
	}
	if (strcmp(s->sql, "SELECT slow") == 0) {
		reply_state(resp, id, "RUNNING");
		return;
	}
	if (strcmp(s->sql, "SELECT chunks") == 0) {
		if (s->polls == 0)
			reply_state(resp, id, "PENDING");
		else if (s->polls == 1)
			reply_state(resp, id, "RUNNING");
		else
			reply_chunked_success(resp, id);
		s->polls++;
		return;
	}
	if (strcmp(s->sql, "SELECT busy") == 0) {
		if (s->polls++ < 1) {
			reply_state(resp, id, "RUNNING");
		} else {
			if (!s->done) {
				s->done = true;
				W.active--;
			}
			reply_state(resp, id, "SUCCEEDED");
		}
		return;
	}
	reply_state(resp, id, "SUCCEEDED");
}

static void submit(const ts_request *req, ts_response *resp)
{
	json_object *b = clxs_json_parse(req->body, req->body_len, NULL);
	if (!b) {
		bad("submit body is not JSON");
		ts_reply(resp, 400, "{\"error_code\":\"MALFORMED_REQUEST\",\"message\":\"json\"}");
		return;
	}
	snprintf(W.last_submit, sizeof(W.last_submit), "%s", req->body);
	const char *sql = clxs_json_str(b, "statement", "");
	if (strcmp(clxs_json_str(b, "disposition", ""), "INLINE") != 0 ||
	    strcmp(clxs_json_str(b, "format", ""), "JSON_ARRAY") != 0 ||
	    strcmp(clxs_json_str(b, "on_wait_timeout", ""), "CONTINUE") != 0 ||
	    strcmp(clxs_json_str(b, "warehouse_id", ""), "wh-1") != 0)
		bad("submit body misses a required field");
	const char *wait = clxs_json_str(b, "wait_timeout", "");
	if (strcmp(wait, "0s") != 0 && (atoi(wait) < 5 || atoi(wait) > 50))
		bad("wait_timeout out of range");
	W.submits++;
	int id = W.nst++;
	stmt *s = &W.st[id % MAX_STMT];
	memset(s, 0, sizeof(*s));
	snprintf(s->sql, sizeof(s->sql), "%s", sql);
	if (strcmp(sql, "SELECT fail") == 0) {
		ts_reply(resp, 200,
			 "{\"statement_id\":\"st-%d\",\"status\":{\"state\":\"FAILED\",\"error\":"
			 "{\"error_code\":\"BAD_REQUEST\",\"message\":\"[TABLE_OR_VIEW_NOT_FOUND] The table `x` cannot be found.\"}}}",
			 id);
	} else if (strcmp(sql, "SELECT flaky") == 0 && W.flaky_submits++ == 0) {
		ts_reply(resp, 200,
			 "{\"statement_id\":\"st-%d\",\"status\":{\"state\":\"FAILED\",\"error\":"
			 "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"warehouse restarting\"}}}",
			 id);
	} else if (strcmp(sql, "SELECT busy") == 0) {
		W.active++;
		if (W.active > W.max_active)
			W.max_active = W.active;
		reply_state(resp, id, "PENDING");
	} else if (strcmp(sql, "SELECT chunks") == 0 || strcmp(sql, "SELECT slow") == 0) {
		reply_state(resp, id, "PENDING");
	} else {
		reply_state(resp, id, "SUCCEEDED"); /* DDL-like: no manifest, no rows */
	}
	json_object_put(b);
}

static void list_catalogs(const ts_request *req, ts_response *resp)
{
	W.list_calls++;
	snprintf(W.last_list, sizeof(W.last_list), "%s", req->path);
	if (!strstr(req->path, "max_results=2"))
		bad("max_results not sent");
	if (!strstr(req->path, "page_token="))
		ts_reply(resp, 200, "{\"catalogs\":[{\"name\":\"c1\"},{\"name\":\"c2\"}],\"next_page_token\":\"p2\"}");
	else if (strstr(req->path, "page_token=p2"))
		/* A page without the array field still has a next page. */
		ts_reply(resp, 200, "{\"next_page_token\":\"p3 +/\"}");
	else if (strstr(req->path, "page_token=p3%20%2B%2F"))
		ts_reply(resp, 200, "{\"catalogs\":[{\"name\":\"c3\"}],\"next_page_token\":\"\"}");
	else
		ts_reply(resp, 400, "{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"bad token\"}");
}

static void handler(void *ud, const ts_request *req, ts_response *resp)
{
	(void)ud;
	bool busy = false;
	pthread_mutex_lock(&W.lock);
	int id = -1, chunk = -1;
	char tail[64] = "";
	if (strcmp(req->path, SP) == 0 && strcmp(req->method, "POST") == 0) {
		submit(req, resp);
		busy = strstr(req->body, "SELECT busy") != NULL;
	} else if (sscanf(req->path, SP "/st-%d/result/chunks/%d", &id, &chunk) == 2) {
		W.chunk_gets++;
		if (chunk == 1 && strstr(req->path, "?row_offset=2"))
			ts_reply(resp, 200, "{\"chunk_index\":1,\"row_offset\":2,\"row_count\":2,"
					    "\"data_array\":[[\"3\",\"c\"],[\"4\",\"d\"]],\"next_chunk_index\":2}");
		else if (chunk == 2 && !strchr(req->path, '?'))
			ts_reply(resp, 200, "{\"chunk_index\":2,\"row_offset\":4,\"row_count\":1,"
					    "\"data_array\":[[\"5\",null]]}");
		else
			ts_reply(resp, 404, "{\"error_code\":\"NOT_FOUND\",\"message\":\"no chunk\"}");
	} else if (sscanf(req->path, SP "/st-%d%63s", &id, tail) >= 1 && id >= 0 && id < W.nst) {
		stmt *s = &W.st[id % MAX_STMT];
		if (strcmp(tail, "/cancel") == 0 && strcmp(req->method, "POST") == 0) {
			W.cancels++;
			s->cancelled = true;
			ts_reply(resp, 200, "{}");
		} else if (tail[0] == '\0' && strcmp(req->method, "GET") == 0) {
			advance(s, id, resp);
			busy = strcmp(s->sql, "SELECT busy") == 0;
		} else {
			ts_reply(resp, 404, "{\"error_code\":\"NOT_FOUND\",\"message\":\"no route\"}");
		}
	} else if (strncmp(req->path, "/api/2.1/unity-catalog/catalogs", 31) == 0) {
		list_catalogs(req, resp);
	} else if (strncmp(req->path, "/api/2.1/unity-catalog/schemas", 30) == 0) {
		W.list_calls++;
		/* A server that hands out the same token forever. */
		ts_reply(resp, 200, "{\"schemas\":[{\"name\":\"s\"}],\"next_page_token\":\"same\"}");
	} else if (strcmp(req->path, "/api/2.0/preview/scim/v2/Me") == 0) {
		ts_reply(resp, 200, "{\"id\":\"1\",\"userName\":\"someone@example.com\",\"active\":true}");
	} else if (strcmp(req->path, "/api/2.0/sql/warehouses") == 0) {
		ts_reply(resp, 200, "{\"warehouses\":[{\"id\":\"wh-1\",\"name\":\"Starter\",\"state\":\"RUNNING\"}]}");
	} else {
		ts_reply(resp, 404, "{\"error_code\":\"NOT_FOUND\",\"message\":\"no route\"}");
	}
	pthread_mutex_unlock(&W.lock);
	/* Busy statements take a while on the server, outside the lock, so
	 * concurrent statements really overlap. */
	if (busy)
		usleep(30000);
}

static void world_reset(void)
{
	pthread_mutex_lock(&W.lock);
	W.submits = W.cancels = W.chunk_gets = W.flaky_submits = 0;
	W.active = W.max_active = 0;
	W.bad[0] = W.last_submit[0] = W.last_list[0] = '\0';
	W.list_calls = 0;
	pthread_mutex_unlock(&W.lock);
}

static int setup(void **state)
{
	(void)state;
	pthread_mutex_init(&W.lock, NULL);
	srv = ts_start(handler, NULL);
	clxs_log_init("test_ws_statement", CLXS_LOG_ERROR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ts_stop(srv);
	pthread_mutex_destroy(&W.lock);
	return 0;
}

static clxs_ws_client *client(clxs_ws_limiter *lim)
{
	clxs_ws_config cfg = {.host = (char *)ts_url(srv), .token = "dapi-test-token-000000",
			      .auth = CLXS_WS_AUTH_PAT, .warehouse_id = "wh-1"};
	clxs_ws_options o = {.max_retries = 3, .backoff_base_ms = 5, .backoff_max_ms = 20,
			     .limiter = lim};
	clxs_ws_client *c = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_ws_client_new(&cfg, &o, &c, &e), CLXS_OK);
	return c;
}

static const clxs_ws_sql_opts fast = {.poll_initial_ms = 5, .poll_max_ms = 20};

static void test_poll_and_chunks(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_client *c = client(NULL);
	clxs_ws_result r = {0};
	clxs_error e = {0};
	assert_int_equal(clxs_ws_sql(c, NULL, "main", "default", "SELECT chunks", NULL, 0, &fast, &r, &e),
			 CLXS_OK);
	assert_string_equal(W.bad, "");
	assert_non_null(strstr(W.last_submit, "\"catalog\":\"main\""));
	assert_non_null(strstr(W.last_submit, "\"schema\":\"default\""));
	assert_non_null(strstr(W.last_submit, "\"wait_timeout\":\"30s\""));
	assert_int_equal(r.ncols, 2);
	assert_string_equal(r.col_names[0], "id");
	assert_string_equal(r.col_types[1], "STRING");
	assert_int_equal(clxs_ws_result_col(&r, "name"), 1);
	assert_int_equal(clxs_ws_result_col(&r, "nope"), -1);
	assert_int_equal(r.nrows, 5);
	assert_int_equal(r.nchunks, 3);
	assert_int_equal(W.chunk_gets, 2);
	assert_string_equal(clxs_ws_result_cell(&r, 0, 1), "a");
	assert_string_equal(clxs_ws_result_cell(&r, 3, 0), "4");
	assert_null(clxs_ws_result_cell(&r, 4, 1)); /* SQL NULL */
	assert_null(clxs_ws_result_cell(&r, 5, 0));
	assert_string_equal(clxs_json_text(r.rows),
			    "[[\"1\",\"a\"],[\"2\",\"b\"],[\"3\",\"c\"],[\"4\",\"d\"],[\"5\",null]]");
	assert_true(strncmp(r.statement_id, "st-", 3) == 0);
	clxs_ws_result_free(&r);
	clxs_ws_client_free(c);
}

static void test_failed_statement(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_client *c = client(NULL);
	clxs_ws_result r = {0};
	clxs_error e = {0};
	assert_int_equal(clxs_ws_sql(c, "wh-1", NULL, NULL, "SELECT fail", NULL, 0, &fast, &r, &e), CLXS_EINVAL);
	assert_string_equal(e.detail, "BAD_REQUEST");
	assert_string_equal(e.message, "[TABLE_OR_VIEW_NOT_FOUND] The table `x` cannot be found.");
	assert_int_equal(W.submits, 1); /* not transient: not resubmitted */
	clxs_ws_result_free(&r);

	/* A transient failure is resubmitted and then succeeds. */
	assert_int_equal(clxs_ws_sql(c, "wh-1", NULL, NULL, "SELECT flaky", NULL, 0, &fast, &r, &e), CLXS_OK);
	assert_int_equal(W.submits, 3);
	clxs_ws_result_free(&r);
	/* ...unless the caller said not to. */
	world_reset();
	clxs_ws_sql_opts once = fast;
	once.no_statement_retry = true;
	assert_int_equal(clxs_ws_sql(c, "wh-1", NULL, NULL, "SELECT flaky", NULL, 0, &once, &r, &e),
			 CLXS_EUNAVAILABLE);
	assert_string_equal(e.detail, "TEMPORARILY_UNAVAILABLE");
	assert_int_equal(W.submits, 1);
	clxs_ws_result_free(&r);
	clxs_ws_client_free(c);
}

static void test_params_and_ddl(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_client *c = client(NULL);
	clxs_ws_param p[] = {{"cat", "main", NULL}, {"n", "42", "INT"}, {"nothing", NULL, NULL}};
	clxs_ws_sql_opts o = fast;
	o.wait_timeout_s = CLXS_WS_WAIT_NONE;
	clxs_ws_result r = {0};
	clxs_error e = {0};
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "CREATE SCHEMA IDENTIFIER(:cat || '.s')", p, 3, &o, &r, &e),
			 CLXS_OK);
	assert_non_null(strstr(W.last_submit,
			       "\"parameters\":[{\"name\":\"cat\",\"value\":\"main\"},"
			       "{\"name\":\"n\",\"value\":\"42\",\"type\":\"INT\"},{\"name\":\"nothing\"}]"));
	assert_non_null(strstr(W.last_submit, "\"wait_timeout\":\"0s\""));
	assert_null(strstr(W.last_submit, "\"catalog\""));
	assert_int_equal(r.nrows, 0);
	assert_int_equal(r.ncols, 0);
	assert_non_null(r.rows);
	clxs_ws_result_free(&r);
	/* Bad input never reaches the server. */
	p[0].name = "";
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "SELECT 1", p, 1, &o, &r, &e), CLXS_EINVAL);
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "", NULL, 0, &o, &r, &e), CLXS_EINVAL);
	assert_int_equal(W.submits, 1);
	clxs_ws_result_free(&r);
	clxs_ws_client_free(c);
}

static bool cancel_after_polls(void *ud)
{
	(void)ud;
	pthread_mutex_lock(&W.lock);
	bool stop = W.submits > 0; /* once it runs on the server */
	pthread_mutex_unlock(&W.lock);
	return stop;
}

typedef struct {
	atomic_bool *flag;
} flag_arg;

static void *set_flag_later(void *arg)
{
	flag_arg *a = arg;
	usleep(100000);
	atomic_store(a->flag, true);
	return NULL;
}

static void test_cancel(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_client *c = client(NULL);
	clxs_ws_result r = {0};
	clxs_error e = {0};
	/* The cancel flag, set by another thread while the statement runs. */
	atomic_bool flag = false;
	clxs_ws_sql_opts o = fast;
	o.cancel_flag = &flag;
	pthread_t t;
	flag_arg fa = {&flag};
	assert_int_equal(pthread_create(&t, NULL, set_flag_later, &fa), 0);
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "SELECT slow", NULL, 0, &o, &r, &e), CLXS_ECANCELLED);
	pthread_join(t, NULL);
	assert_int_equal(W.cancels, 1); /* the server saw the cancel POST */
	assert_true(strncmp(r.statement_id, "st-", 3) == 0);
	clxs_ws_result_free(&r);

	/* A cancel callback works the same way. */
	world_reset();
	o.cancel_flag = NULL;
	o.should_cancel = cancel_after_polls;
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "SELECT slow", NULL, 0, &o, &r, &e), CLXS_ECANCELLED);
	assert_int_equal(W.cancels, 1);
	clxs_ws_result_free(&r);

	/* Cancelled before submission: nothing is sent. */
	world_reset();
	flag = true;
	o.should_cancel = NULL;
	o.cancel_flag = &flag;
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "SELECT slow", NULL, 0, &o, &r, &e), CLXS_ECANCELLED);
	assert_int_equal(W.submits, 0);
	clxs_ws_result_free(&r);
	clxs_ws_client_free(c);
}

static void test_timeout(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_client *c = client(NULL);
	clxs_ws_result r = {0};
	clxs_error e = {0};
	clxs_ws_sql_opts o = fast;
	o.timeout_ms = 150;
	assert_int_equal(clxs_ws_sql(c, NULL, NULL, NULL, "SELECT slow", NULL, 0, &o, &r, &e),
			 CLXS_EUNAVAILABLE);
	assert_string_equal(e.detail, "DEADLINE_EXCEEDED");
	assert_int_equal(W.cancels, 1);
	/* A deadline under 5 s means "0s": the API accepts nothing in between. */
	assert_non_null(strstr(W.last_submit, "\"wait_timeout\":\"0s\""));
	clxs_ws_result_free(&r);
	clxs_ws_client_free(c);
}

typedef struct {
	clxs_ws_client *c;
	clxs_code rc;
} sql_arg;

static void *sql_worker(void *arg)
{
	sql_arg *a = arg;
	clxs_ws_result r = {0};
	clxs_error e = {0};
	a->rc = clxs_ws_sql(a->c, NULL, NULL, NULL, "SELECT busy", NULL, 0, &fast, &r, &e);
	clxs_ws_result_free(&r);
	return NULL;
}

static void test_parallel_cap(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_limiter *lim = clxs_ws_limiter_new(0, 2);
	clxs_ws_client *c = client(lim);
	pthread_t t[8];
	sql_arg a[8];
	for (int i = 0; i < 8; i++) {
		a[i] = (sql_arg){c, CLXS_EINTERNAL};
		assert_int_equal(pthread_create(&t[i], NULL, sql_worker, &a[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].rc, CLXS_OK);
	}
	assert_int_equal(W.submits, 8);
	assert_int_equal(W.active, 0);
	/* Never more than two statements alive on the server at once. */
	assert_true(W.max_active >= 1);
	assert_true(W.max_active <= 2);
	clxs_ws_client_free(c);
	clxs_ws_limiter_free(lim);
}

static void test_uc_pagination(void **state)
{
	(void)state;
	world_reset();
	clxs_ws_client *c = client(NULL);
	json_object *arr = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_ws_list(c, "/api/2.1/unity-catalog/catalogs", NULL, "catalogs", 2, &arr, &e), CLXS_OK);
	assert_string_equal(W.bad, "");
	assert_int_equal(W.list_calls, 3);
	assert_string_equal(clxs_json_text(arr), "[{\"name\":\"c1\"},{\"name\":\"c2\"},{\"name\":\"c3\"}]");
	json_object_put(arr);
	/* A repeating page token is an error, not an endless loop. */
	const char *q[] = {"catalog_name", "main", NULL};
	W.list_calls = 0;
	assert_int_equal(clxs_ws_list(c, "/api/2.1/unity-catalog/schemas", q, "schemas", 0, &arr, &e),
			 CLXS_EINTERNAL);
	assert_null(arr);
	assert_int_equal(W.list_calls, 2);

	char *user = NULL;
	assert_int_equal(clxs_ws_current_user(c, &user, &e), CLXS_OK);
	assert_string_equal(user, "someone@example.com");
	free(user);
	assert_int_equal(clxs_ws_warehouses(c, &arr, &e), CLXS_OK);
	assert_int_equal(json_object_array_length(arr), 1);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(arr, 0), "id", NULL), "wh-1");
	json_object_put(arr);
	/* An error fails the whole list. */
	assert_int_equal(clxs_ws_list(c, "/api/2.1/unity-catalog/nothing", NULL, "x", 0, &arr, &e), CLXS_ENOTFOUND);
	assert_null(arr);
	clxs_ws_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_and_chunks),
		cmocka_unit_test(test_failed_statement),
		cmocka_unit_test(test_params_and_ddl),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_parallel_cap),
		cmocka_unit_test(test_uc_pagination),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
