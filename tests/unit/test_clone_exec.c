/* Unit tests for the clone executor. The workspace is a stand-in for the
 * Statement Execution API on the client's in-process transport, so the
 * engine's own code (client, retries, executor) runs for real. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/clone.h"
#include "clxs/json.h"
#include "clxs/workspace.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_object *seen;  /* statements received, in order */
static int stop_after = -1; /* gate says cancel after this many statements */

static int fake_ws(void *ud, const char *method, const char *path, const char *body, size_t len,
		   char **resp, size_t *resp_len, int *status)
{
	(void)ud;
	(void)method;
	(void)path;
	json_object *req = json_tokener_parse(body ? body : "{}");
	const char *sql = clxs_json_str(req, "statement", "");
	pthread_mutex_lock(&lock);
	json_object_array_add(seen, json_object_new_string(sql));
	pthread_mutex_unlock(&lock);
	const char *ok = "{\"statement_id\":\"s1\",\"status\":{\"state\":\"SUCCEEDED\"},"
			 "\"manifest\":{\"schema\":{\"column_count\":0,\"columns\":[]},\"total_chunk_count\":0},"
			 "\"result\":{\"data_array\":[]}}";
	const char *failed = "{\"statement_id\":\"s2\",\"status\":{\"state\":\"FAILED\",\"error\":"
			     "{\"error_code\":\"PERMISSION_DENIED\",\"message\":\"no MODIFY on events\"}}}";
	*resp = strdup(strstr(sql, "events") && strstr(sql, "OWNER") ? failed : ok);
	*resp_len = strlen(*resp);
	*status = 200;
	json_object_put(req);
	(void)len;
	return 0;
}

static clxs_code gate(void *ud)
{
	(void)ud;
	pthread_mutex_lock(&lock);
	bool stop = stop_after >= 0 && json_object_array_length(seen) >= (size_t)stop_after;
	pthread_mutex_unlock(&lock);
	return stop ? CLXS_ECANCELLED : CLXS_OK;
}

static json_object *last_checkpoint;
static void progress(void *ud, int64_t done, int64_t total, json_object *cp)
{
	(void)ud;
	(void)done;
	(void)total;
	json_object_put(last_checkpoint);
	last_checkpoint = NULL; /* deep_copy wants an empty destination */
	json_object_deep_copy(cp, &last_checkpoint, NULL);
}

static const char *model =
	"{\"catalog\":{\"name\":\"src\"},\"schemas\":[{\"name\":\"s\"}],"
	" \"tables\":[{\"schema\":\"s\",\"name\":\"events\",\"owner\":\"etl\"},{\"schema\":\"s\",\"name\":\"t2\"},"
	"            {\"schema\":\"s\",\"name\":\"t3\"},{\"schema\":\"s\",\"name\":\"t4\"}],"
	" \"views\":[{\"schema\":\"s\",\"name\":\"v\",\"definition\":\"SELECT 1\"}]}";

static json_object *run_clone(const char *opts_text, json_object *resume, clxs_code *rc)
{
	clxs_error e;
	json_object *b = json_tokener_parse(opts_text), *m = json_tokener_parse(model);
	json_object *opts = clxs_clone_validate(b, NULL, &e);
	assert_non_null(opts);
	json_object *plan = clxs_clone_plan(m, opts, &e);
	assert_non_null(plan);
	clxs_ws_options wo = {0};
	wo.inproc = fake_ws;
	wo.max_retries = 0;
	clxs_ws_client *ws;
	assert_int_equal(clxs_ws_client_new(NULL, &wo, &ws, &e), CLXS_OK);
	clxs_clone_exec ex = {0};
	ex.ws = ws;
	ex.warehouse_id = "wh";
	ex.gate = gate;
	ex.progress = progress;
	ex.resume = resume;
	json_object *result = NULL;
	*rc = clxs_clone_execute(&ex, plan, opts, &result, &e);
	clxs_ws_client_free(ws);
	json_object_put(plan);
	json_object_put(opts);
	json_object_put(b);
	json_object_put(m);
	return result;
}

static const char *status_of(json_object *result, const char *type, const char *obj)
{
	json_object *objs = json_object_object_get(result, "objects");
	for (size_t i = 0; i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i);
		if (!strcmp(clxs_json_str(o, "object_type", ""), type) && !strcmp(clxs_json_str(o, "object", ""), obj))
			return clxs_json_str(o, "status", "");
	}
	return "absent";
}

static void test_execute_parallel(void **state)
{
	(void)state;
	seen = json_object_new_array();
	stop_after = -1;
	clxs_code rc;
	json_object *res = run_clone("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\",\"parallel_tables\":3}",
				     NULL, &rc);
	assert_int_equal(rc, CLXS_OK);
	/* catalog, schema, 4 tables, view, 1 owner */
	assert_int_equal(json_object_array_length(seen), 8);
	assert_string_equal(status_of(res, "table", "s.t2"), "cloned");
	assert_string_equal(status_of(res, "table", "s.events"), "failed"); /* its OWNER statement failed */
	assert_string_equal(status_of(res, "view", "s.v"), "cloned");
	assert_int_equal(clxs_json_int(res, "tables_cloned", 0), 3);
	assert_int_equal(clxs_json_int(res, "tables_failed", 0), 1);
	/* The view came after every table, whatever the thread interleaving. */
	const char *last_table_or_view = json_object_get_string(json_object_array_get_idx(seen, 6));
	assert_non_null(strstr(last_table_or_view, "VIEW"));
	json_object_put(res);
	json_object_put(seen);
}

static void test_cancel_and_resume(void **state)
{
	(void)state;
	seen = json_object_new_array();
	stop_after = 3;
	clxs_code rc;
	json_object *res = run_clone("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\"}", NULL, &rc);
	assert_int_equal(rc, CLXS_ECANCELLED);
	assert_null(res);
	assert_int_equal(json_object_array_length(seen), 3);
	json_object *cp = last_checkpoint;
	last_checkpoint = NULL;
	assert_int_equal(json_object_array_length(json_object_object_get(cp, "done")), 3);
	json_object_put(seen);

	/* Resume runs only what was not done: 8 - 3 statements. */
	seen = json_object_new_array();
	stop_after = -1;
	res = run_clone("{\"source_catalog\":\"src\",\"destination_catalog\":\"dst\"}", cp, &rc);
	assert_int_equal(rc, CLXS_OK);
	assert_int_equal(json_object_array_length(seen), 5);
	for (size_t i = 0; i < json_object_array_length(seen); i++)
		assert_null(strstr(json_object_get_string(json_object_array_get_idx(seen, i)), "CREATE CATALOG"));
	assert_int_equal(clxs_json_int(res, "statements_succeeded", 0), 7);
	json_object_put(res);
	json_object_put(cp);
	json_object_put(seen);
	json_object_put(last_checkpoint);
	last_checkpoint = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_execute_parallel),
		cmocka_unit_test(test_cancel_and_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
