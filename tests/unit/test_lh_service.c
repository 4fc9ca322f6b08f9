/* Unit tests of the lakehouse REST service, in-process through
 * clxs_lh_service_handle: every endpoint family, pagination, errors, auth,
 * path confinement of the Files API, deterministic fault injection, and the
 * statement lifecycle with a pluggable slow executor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clxs/json.h"
#include "clxs/lakehouse.h"
#include "clxs/util.h"
#include "../../src/lakehouse/svc_internal.h"

#define TOKEN "dapi-test-token"
#define WH CLXS_LH_DEFAULT_WAREHOUSE_ID

typedef struct {
	char dir[64];
	clxs_lh_service *svc;
} fx;

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* ---- a slow, controllable executor --------------------------------------------------
 * "ROWS n"  -> one column x, rows "0".."n-1"
 * "SLOW ms" -> waits ms (0: forever) or until cancelled, then one row
 * "FAIL"    -> a SQL-style error */
static clxs_code test_exec(clxs_lh *lh, const char *sql, const clxs_lh_exec_opts *opts,
			   clxs_lh_result *res, clxs_error *err)
{
	(void)lh;
	long n = 0;
	if (strcmp(sql, "FAIL") == 0)
		return clxs_fail(err, CLXS_ENOTFOUND, "TABLE_OR_VIEW_NOT_FOUND",
				 "[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found.");
	if (sscanf(sql, "SLOW %ld", &n) == 1) {
		int64_t end = clxs_mono_ms() + n;
		while (n == 0 || clxs_mono_ms() < end) {
			if (opts->cancel && *opts->cancel)
				return clxs_fail(err, CLXS_ECANCELLED, NULL, "cancelled");
			clxs_sleep_ms(5);
		}
		n = 1;
	} else if (sscanf(sql, "ROWS %ld", &n) != 1) {
		return clxs_fail(err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR", "[PARSE_SYNTAX_ERROR] bad");
	}
	res->columns = json_object_new_array();
	json_object *c = json_object_new_object();
	clxs_json_set_str(c, "name", "x");
	clxs_json_set_int(c, "position", 0);
	clxs_json_set_str(c, "type_name", "STRING");
	clxs_json_set_str(c, "type_text", "STRING");
	json_object_array_add(res->columns, c);
	res->rows = json_object_new_array();
	for (long i = 0; i < n; i++) {
		char v[32];
		snprintf(v, sizeof(v), "%ld", i);
		json_object *row = json_object_new_array();
		json_object_array_add(row, json_object_new_string(v));
		json_object_array_add(res->rows, row);
	}
	res->row_count = n;
	return CLXS_OK;
}

static int open_svc(fx *f, const char *token, double rate, uint64_t seed)
{
	clxs_lh_service_opts o = {.data_dir = f->dir, .token = token, .user = "alice@example.com",
				  .fault_rate = rate, .fault_seed = seed};
	clxs_error err;
	if (clxs_lh_service_open(&o, &f->svc, &err) != CLXS_OK) {
		fprintf(stderr, "open: %s\n", err.message);
		return -1;
	}
	svc_set_executor(f->svc, test_exec);
	svc_set_chunking(f->svc, 10, 0);
	return 0;
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/clxs-lhsvc-XXXXXX");
	if (!mkdtemp(f->dir) || open_svc(f, TOKEN, 0, 0) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	clxs_lh_service_close(f->svc);
	nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* One request with the right token; *out gets the parsed JSON body (or
 * NULL for an empty/non-JSON one). Returns the status. */
static int call(fx *f, const char *method, const char *path, const char *body, json_object **out)
{
	char *resp = NULL;
	int status = clxs_lh_service_handle(f->svc, method, path, body, body ? strlen(body) : 0,
					    "Bearer " TOKEN, &resp);
	if (out)
		*out = resp && *resp ? json_tokener_parse(resp) : NULL;
	free(resp);
	return status;
}

/* Status and error_code of a request that should fail. */
static int call_err(fx *f, const char *method, const char *path, const char *body, char code[64])
{
	json_object *o = NULL;
	int st = call(f, method, path, body, &o);
	snprintf(code, 64, "%s", clxs_json_str(o, "error_code", ""));
	assert_non_null(clxs_json_str(o, "message", NULL));
	json_object_put(o);
	return st;
}

static const char *get_path(json_object *o, const char *a, const char *b)
{
	json_object *x;
	if (!json_object_object_get_ex(o, a, &x))
		return NULL;
	return clxs_json_str(x, b, NULL);
}

/* ---- auth, routing, SCIM, warehouses --------------------------------------------------- */

static void test_auth(void **state)
{
	fx *f = *state;
	char *resp;
	const char *me = "/api/2.0/preview/scim/v2/Me";
	int st = clxs_lh_service_handle(f->svc, "GET", me, NULL, 0, NULL, &resp);
	assert_int_equal(st, 401);
	assert_non_null(strstr(resp, "\"error_code\":\"UNAUTHENTICATED\""));
	free(resp);
	st = clxs_lh_service_handle(f->svc, "GET", me, NULL, 0, "Bearer " TOKEN "x", &resp);
	assert_int_equal(st, 401);
	free(resp);
	st = clxs_lh_service_handle(f->svc, "GET", me, NULL, 0, "Basic " TOKEN, &resp);
	assert_int_equal(st, 401);
	free(resp);
	st = clxs_lh_service_handle(f->svc, "GET", me, NULL, 0, "bearer " TOKEN, &resp);
	assert_int_equal(st, 200);
	free(resp);
	/* In-process calls are trusted. */
	size_t len;
	assert_int_equal(clxs_lh_service_inproc(f->svc, "GET", me, NULL, 0, &resp, &len, &st), 0);
	assert_int_equal(st, 200);
	assert_int_equal(len, strlen(resp));
	free(resp);
}

static void test_routing_errors(void **state)
{
	fx *f = *state;
	char code[64];
	assert_int_equal(call_err(f, "GET", "/api/2.0/nope", NULL, code), 404);
	assert_string_equal(code, "ENDPOINT_NOT_FOUND");
	assert_int_equal(call_err(f, "PUT", "/api/2.1/unity-catalog/catalogs", NULL, code), 404);
	assert_string_equal(code, "ENDPOINT_NOT_FOUND");
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/catalogs", "{\"name\":", code),
			 400);
	assert_string_equal(code, "MALFORMED_REQUEST");
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/catalogs", "[1]", code), 400);
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/catalogs", "{}", code), 400);
	assert_string_equal(code, "INVALID_PARAMETER_VALUE");
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/catalogs/a%zz", NULL, code), 404);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/catalogs?max_results=-1", NULL,
				  code), 400);
}

static void test_scim_and_warehouses(void **state)
{
	fx *f = *state;
	json_object *o;
	assert_int_equal(call(f, "GET", "/api/2.0/preview/scim/v2/Me", NULL, &o), 200);
	assert_string_equal(clxs_json_str(o, "userName", ""), "alice@example.com");
	assert_true(clxs_json_bool(o, "active", false));
	assert_non_null(clxs_json_str(o, "id", NULL));
	json_object *emails;
	assert_true(json_object_object_get_ex(o, "emails", &emails));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(emails, 0), "value", ""),
			    "alice@example.com");
	json_object_put(o);

	assert_int_equal(call(f, "GET", "/api/2.0/sql/warehouses", NULL, &o), 200);
	json_object *arr;
	assert_true(json_object_object_get_ex(o, "warehouses", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	json_object *w = json_object_array_get_idx(arr, 0);
	assert_string_equal(clxs_json_str(w, "id", ""), WH);
	assert_string_equal(clxs_json_str(w, "state", ""), "RUNNING");
	assert_non_null(clxs_json_str(w, "warehouse_type", NULL));
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.0/sql/warehouses/" WH, NULL, &o), 200);
	assert_string_equal(clxs_json_str(o, "cluster_size", ""), "2X-Small");
	json_object_put(o);
	char code[64];
	assert_int_equal(call_err(f, "GET", "/api/2.0/sql/warehouses/0000", NULL, code), 404);
}

/* ---- Unity Catalog ------------------------------------------------------------------------ */

static void make_catalog(fx *f, const char *name)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"comment\":\"c %s\"}", name, name);
	json_object *o;
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/catalogs", body, &o), 200);
	assert_string_equal(clxs_json_str(o, "name", ""), name);
	json_object_put(o);
}

static void test_catalogs(void **state)
{
	fx *f = *state;
	const char *names[] = {"cat_e", "cat_a", "cat_d", "cat_b", "cat_c"};
	for (int i = 0; i < 5; i++)
		make_catalog(f, names[i]);
	/* Page through two at a time. */
	char path[256] = "/api/2.1/unity-catalog/catalogs?max_results=2";
	int seen = 0, pages = 0;
	char last[64] = "";
	for (;;) {
		json_object *o, *arr;
		assert_int_equal(call(f, "GET", path, NULL, &o), 200);
		assert_true(json_object_object_get_ex(o, "catalogs", &arr));
		pages++;
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *c = json_object_array_get_idx(arr, i);
			const char *n = clxs_json_str(c, "name", "");
			assert_true(strcmp(n, last) > 0);
			snprintf(last, sizeof(last), "%s", n);
			assert_non_null(clxs_json_str(c, "metastore_id", NULL));
			assert_non_null(clxs_json_str(c, "owner", NULL));
			seen++;
		}
		const char *next = clxs_json_str(o, "next_page_token", NULL);
		if (!next) {
			json_object_put(o);
			break;
		}
		assert_int_equal(json_object_array_length(arr), 2);
		snprintf(path, sizeof(path), "/api/2.1/unity-catalog/catalogs?max_results=2&page_token=%s",
			 next);
		json_object_put(o);
	}
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);

	json_object *o;
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/catalogs/cat_a", NULL, &o), 200);
	assert_string_equal(clxs_json_str(o, "comment", ""), "c cat_a");
	assert_true(clxs_json_int(o, "created_at", 0) > 1600000000000LL);
	json_object_put(o);
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/catalogs/cat_a",
			      "{\"owner\":\"bob\",\"comment\":\"new\",\"properties\":{\"k\":\"v\"}}", &o),
			 200);
	assert_string_equal(clxs_json_str(o, "owner", ""), "bob");
	assert_string_equal(clxs_json_str(o, "comment", ""), "new");
	assert_string_equal(get_path(o, "properties", "k"), "v");
	json_object_put(o);

	char code[64];
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/catalogs", "{\"name\":\"CAT_A\"}",
				  code), 409);
	assert_string_equal(code, "CATALOG_ALREADY_EXISTS");
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/catalogs/none", NULL, code), 404);
	assert_string_equal(code, "CATALOG_DOES_NOT_EXIST");
	assert_int_equal(call_err(f, "PATCH", "/api/2.1/unity-catalog/catalogs/cat_a",
				  "{\"new_name\":\"zz\"}", code), 400);

	/* A catalog with a schema drops only with force. */
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/schemas",
			      "{\"name\":\"s1\",\"catalog_name\":\"cat_b\"}", NULL), 200);
	assert_int_equal(call_err(f, "DELETE", "/api/2.1/unity-catalog/catalogs/cat_b", NULL, code), 400);
	assert_int_equal(call(f, "DELETE", "/api/2.1/unity-catalog/catalogs/cat_b?force=true", NULL, &o),
			 200);
	json_object_put(o);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/catalogs/cat_b", NULL, code), 404);
}

static const char *TABLE_BODY =
	"{\"name\":\"t1\",\"catalog_name\":\"main\",\"schema_name\":\"sales\","
	"\"table_type\":\"MANAGED\",\"data_source_format\":\"DELTA\",\"comment\":\"orders\","
	"\"properties\":{\"p\":\"1\"},\"columns\":["
	"{\"name\":\"id\",\"type_text\":\"BIGINT\",\"type_name\":\"LONG\",\"position\":0,"
	"\"nullable\":false},"
	"{\"name\":\"amount\",\"type_text\":\"DECIMAL(10,2)\",\"position\":1,\"comment\":\"eur\"}]}";

static void make_main_sales(fx *f)
{
	make_catalog(f, "main");
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/schemas",
			      "{\"name\":\"sales\",\"catalog_name\":\"main\",\"comment\":\"s\"}", NULL),
			 200);
}

static void test_schemas_tables(void **state)
{
	fx *f = *state;
	make_main_sales(f);
	json_object *o, *arr;
	char code[64];
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/schemas?catalog_name=main", NULL, &o),
			 200);
	assert_true(json_object_object_get_ex(o, "schemas", &arr));
	assert_int_equal(json_object_array_length(arr), 2); /* default + sales */
	json_object_put(o);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/schemas", NULL, code), 400);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/schemas/main.sales", NULL, &o), 200);
	assert_string_equal(clxs_json_str(o, "full_name", ""), "main.sales");
	assert_string_equal(clxs_json_str(o, "catalog_name", ""), "main");
	json_object_put(o);
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/schemas/main.sales",
			      "{\"owner\":\"carol\"}", &o), 200);
	assert_string_equal(clxs_json_str(o, "owner", ""), "carol");
	json_object_put(o);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/schemas/main.nope", NULL, code),
			 404);
	assert_string_equal(code, "SCHEMA_DOES_NOT_EXIST");
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/schemas/main", NULL, code), 400);

	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/tables", TABLE_BODY, &o), 200);
	assert_string_equal(clxs_json_str(o, "full_name", ""), "main.sales.t1");
	assert_string_equal(clxs_json_str(o, "table_type", ""), "MANAGED");
	assert_non_null(clxs_json_str(o, "table_id", NULL));
	assert_non_null(clxs_json_str(o, "storage_location", NULL));
	json_object_put(o);
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/tables", TABLE_BODY, code), 409);
	assert_string_equal(code, "TABLE_ALREADY_EXISTS");

	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/tables/main.sales.t1", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "columns", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	json_object *c1 = json_object_array_get_idx(arr, 1);
	assert_string_equal(clxs_json_str(c1, "name", ""), "amount");
	assert_string_equal(clxs_json_str(c1, "type_text", ""), "DECIMAL(10,2)");
	assert_string_equal(clxs_json_str(c1, "type_name", ""), "DECIMAL");
	assert_int_equal(clxs_json_int(c1, "position", -1), 1);
	assert_string_equal(clxs_json_str(c1, "comment", ""), "eur");
	assert_false(clxs_json_bool(json_object_array_get_idx(arr, 0), "nullable", true));
	assert_string_equal(get_path(o, "properties", "p"), "1");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/tables/main.sales.t1?omit_columns=true",
			      NULL, &o), 200);
	assert_false(json_object_object_get_ex(o, "columns", NULL));
	json_object_put(o);

	/* Pagination over three tables. */
	for (int i = 2; i <= 3; i++) {
		char body[256];
		snprintf(body, sizeof(body),
			 "{\"name\":\"t%d\",\"catalog_name\":\"main\",\"schema_name\":\"sales\","
			 "\"columns\":[{\"name\":\"a\",\"type_text\":\"INT\"}]}", i);
		assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/tables", body, NULL), 200);
	}
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/tables?catalog_name=main&"
				       "schema_name=sales&max_results=2", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "tables", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	assert_string_equal(clxs_json_str(o, "next_page_token", ""), "t2");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/tables?catalog_name=main&"
				       "schema_name=sales&max_results=2&page_token=t2", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "tables", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	assert_null(clxs_json_str(o, "next_page_token", NULL));
	json_object_put(o);

	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/tables/main.sales.t1",
			      "{\"owner\":\"dave\",\"comment\":\"changed\"}", &o), 200);
	assert_string_equal(clxs_json_str(o, "owner", ""), "dave");
	assert_string_equal(clxs_json_str(o, "comment", ""), "changed");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/tables/main.sales.t1/exists", NULL,
			      &o), 200);
	assert_true(clxs_json_bool(o, "table_exists", false));
	json_object_put(o);
	assert_int_equal(call(f, "DELETE", "/api/2.1/unity-catalog/tables/main.sales.t1", NULL, NULL),
			 200);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/tables/main.sales.t1/exists", NULL,
			      &o), 200);
	assert_false(clxs_json_bool(o, "table_exists", true));
	json_object_put(o);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/tables/main.sales.t1", NULL, code),
			 404);
	assert_string_equal(code, "TABLE_DOES_NOT_EXIST");
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/tables/main.sales", NULL, code), 400);
}

static void test_functions(void **state)
{
	fx *f = *state;
	make_main_sales(f);
	json_object *o, *arr;
	char code[64];
	const char *fn = "{\"function_info\":{\"name\":\"double_it\",\"catalog_name\":\"main\","
			 "\"schema_name\":\"sales\",\"data_type\":\"INT\",\"full_data_type\":\"INT\","
			 "\"routine_definition\":\"x * 2\",\"comment\":\"doubles\",\"input_params\":"
			 "{\"parameters\":[{\"name\":\"x\",\"type_text\":\"INT\",\"type_name\":\"INT\","
			 "\"position\":0}]}}}";
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/functions", fn, &o), 200);
	assert_string_equal(clxs_json_str(o, "full_name", ""), "main.sales.double_it");
	assert_string_equal(clxs_json_str(o, "routine_body", ""), "SQL");
	assert_string_equal(clxs_json_str(o, "routine_definition", ""), "x * 2");
	assert_string_equal(clxs_json_str(o, "owner", ""), "alice@example.com");
	assert_non_null(clxs_json_str(o, "function_id", NULL));
	json_object_put(o);
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/functions", fn, code), 409);
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/functions", "{}", code), 400);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/functions?catalog_name=main&"
				       "schema_name=sales", NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "functions", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	json_object_put(o);
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/functions/main.sales.double_it",
			      "{\"owner\":\"erin\"}", &o), 200);
	assert_string_equal(clxs_json_str(o, "owner", ""), "erin");
	assert_string_equal(clxs_json_str(o, "comment", ""), "doubles");
	json_object_put(o);
	assert_int_equal(call(f, "DELETE", "/api/2.1/unity-catalog/functions/main.sales.double_it",
			      NULL, NULL), 200);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/functions/main.sales.double_it",
				  NULL, code), 404);
	assert_string_equal(code, "FUNCTION_DOES_NOT_EXIST");
}

static json_object *privs_of(json_object *o, const char *principal)
{
	json_object *arr, *p;
	if (!json_object_object_get_ex(o, "privilege_assignments", &arr))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (strcmp(clxs_json_str(e, "principal", ""), principal) == 0 &&
		    json_object_object_get_ex(e, "privileges", &p))
			return p;
	}
	return NULL;
}

/* ---- governance shared with SQL (clxs/lakehouse_gov.h) ---------------------------- */

/* Status and message of a request that should fail. */
static int call_msg(fx *f, const char *method, const char *path, const char *body,
		    char msg[512])
{
	json_object *o = NULL;
	int st = call(f, method, path, body, &o);
	snprintf(msg, 512, "%s", clxs_json_str(o, "message", ""));
	json_object_put(o);
	return st;
}

/* REST and SQL share the governance tables and statements, each keeping its
 * own wording and its own privilege rules. */
static void test_gov_shared(void **state)
{
	fx *f = *state;
	make_main_sales(f);
	char msg[512];
	json_object *o, *p;
	assert_int_equal(call_msg(f, "GET", "/api/2.1/unity-catalog/volumes/main.sales.nope", NULL,
				  msg), 404);
	assert_non_null(strstr(msg, "Volume 'main.sales.nope' does not exist."));
	assert_int_equal(call_msg(f, "GET", "/api/2.1/unity-catalog/functions/main.Sales.nope", NULL,
				  msg), 404);
	assert_non_null(strstr(msg, "The function main.sales.nope cannot be found."));
	assert_int_equal(call_msg(f, "GET", "/api/2.1/unity-catalog/volumes/main.sales.a%2Fb", NULL,
				  msg), 400);
	assert_non_null(strstr(msg, "VOLUME name contains an invalid character"));
	/* REST checks a table's parents first; SQL's lookup names the table. */
	assert_int_equal(call_msg(f, "GET", "/api/2.1/unity-catalog/permissions/table/nocat.s.t",
				  NULL, msg), 404);
	assert_non_null(strstr(msg, "NO_SUCH_CATALOG_EXCEPTION"));

	/* REST takes a privilege only where it applies. */
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/volumes",
			      "{\"catalog_name\":\"main\",\"schema_name\":\"sales\",\"name\":\"v1\"}",
			      NULL), 200);
	assert_int_equal(call_msg(f, "PATCH", "/api/2.1/unity-catalog/permissions/volume/main.sales.v1",
				  "{\"changes\":[{\"principal\":\"x\",\"add\":[\"SELECT\"]}]}", msg),
			 400);
	assert_non_null(strstr(msg, "Privilege SELECT is not applicable to this entity [VOLUME]"));
	assert_int_equal(call_msg(f, "PATCH", "/api/2.1/unity-catalog/permissions/catalog/main",
				  "{\"changes\":[{\"principal\":\"x\",\"add\":[\"read files\"]}]}",
				  msg), 400);
	assert_non_null(strstr(msg, "Privilege READ_FILES is not applicable to this entity [CATALOG]"));

	/* The SQL side, on the same files: its grants, volumes and functions
	 * are the REST API's. */
	clxs_lh *lh;
	clxs_error e = {0};
	assert_int_equal(clxs_lh_open(f->dir, &lh, &e), CLXS_OK);
	clxs_lh_sec s;
	clxs_lh_name cat = {"MAIN", NULL, NULL};
	assert_int_equal(clxs_lh_sec_resolve(lh, CLXS_LH_SEC_CATALOG, &cat, &s, NULL, &e), CLXS_OK);
	const char *privs[] = {"read files", "ALL"};
	assert_int_equal(clxs_lh_grant(lh, &s, "erin", privs, 2, false, &e), CLXS_OK);
	const char *bogus[] = {"BOGUS"};
	assert_int_equal(clxs_lh_grant(lh, &s, "erin", bogus, 1, false, &e), CLXS_EINVAL);
	assert_non_null(strstr(e.message, "Privilege BOGUS is not valid for CATALOG."));
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/permissions/catalog/main?principal=erin",
			      NULL, &o), 200);
	p = privs_of(o, "erin");
	assert_non_null(p);
	assert_int_equal(json_object_array_length(p), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(p, 0)), "ALL_PRIVILEGES");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(p, 1)), "READ_FILES");
	json_object_put(o);

	clxs_lh_name v2 = {"main", "sales", "from_sql"};
	assert_int_equal(clxs_lh_volume_create(lh, &v2, false, NULL, "made in SQL", false, &e), CLXS_OK);
	assert_int_equal(clxs_lh_volume_create(lh, &v2, false, NULL, NULL, true, &e), CLXS_OK);
	assert_int_equal(clxs_lh_volume_create(lh, &v2, false, NULL, NULL, false, &e), CLXS_ECONFLICT);
	assert_non_null(strstr(e.message, "Cannot create volume `main`.`sales`.`from_sql` because it"
				       " already exists."));
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/volumes/main.sales.from_sql", NULL, &o),
			 200);
	assert_string_equal(clxs_json_str(o, "comment", ""), "made in SQL");
	assert_string_equal(clxs_json_str(o, "volume_type", ""), "MANAGED");
	char loc[256];
	snprintf(loc, sizeof(loc), "file://%s/volumes/%s", f->dir, clxs_json_str(o, "volume_id", ""));
	assert_string_equal(clxs_json_str(o, "storage_location", ""), loc);
	json_object_put(o);
	assert_int_equal(call_msg(f, "POST", "/api/2.1/unity-catalog/volumes",
				  "{\"catalog_name\":\"main\",\"schema_name\":\"sales\","
				  "\"name\":\"FROM_SQL\"}", msg), 409);
	assert_non_null(strstr(msg, "Volume 'main.sales.from_sql' already exists."));

	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/functions",
			      "{\"function_info\":{\"name\":\"f1\",\"catalog_name\":\"main\","
			      "\"schema_name\":\"sales\",\"data_type\":\"INT\","
			      "\"routine_definition\":\"1\",\"comment\":\"one\"}}", NULL), 200);
	clxs_lh_name f1 = {"main", "sales", "f1"};
	json_object *info = NULL;
	assert_int_equal(clxs_lh_function_get(lh, &f1, &info, &e), CLXS_OK);
	assert_string_equal(clxs_json_str(info, "routine_body", ""), "SQL");
	assert_string_equal(clxs_json_str(info, "routine_definition", ""), "1");
	assert_string_equal(clxs_json_str(info, "owner", ""), "alice@example.com");
	json_object_put(info);
	bool found = true;
	clxs_lh_name nope = {"main", "sales", "nope"};
	assert_int_equal(clxs_lh_sec_resolve(lh, CLXS_LH_SEC_FUNCTION, &nope, &s, &found, &e), CLXS_OK);
	assert_false(found);
	assert_int_equal(clxs_lh_sec_resolve(lh, CLXS_LH_SEC_FUNCTION, &nope, &s, NULL, &e),
			 CLXS_ENOTFOUND);
	assert_non_null(strstr(e.message, "The routine `main`.`sales`.`nope` cannot be found."));
	assert_int_equal(clxs_lh_function_drop(lh, &f1, false, &e), CLXS_OK);
	clxs_lh_close(lh);
	assert_int_equal(call_msg(f, "GET", "/api/2.1/unity-catalog/functions/main.sales.f1", NULL,
				  msg), 404);
}

static void test_permissions(void **state)
{
	fx *f = *state;
	make_main_sales(f);
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/tables", TABLE_BODY, NULL), 200);
	json_object *o, *p;
	char code[64];
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/permissions/catalog/main",
			      "{\"changes\":[{\"principal\":\"analysts\",\"add\":[\"USE_CATALOG\","
			      "\"SELECT\"]}]}", &o), 200);
	p = privs_of(o, "analysts");
	assert_non_null(p);
	assert_int_equal(json_object_array_length(p), 2);
	json_object_put(o);
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/permissions/table/main.sales.t1",
			      "{\"changes\":[{\"principal\":\"bob\",\"add\":[\"SELECT\",\"MODIFY\"]},"
			      "{\"principal\":\"analysts\",\"add\":[\"modify\"]}]}", &o), 200);
	assert_int_equal(json_object_array_length(privs_of(o, "bob")), 2);
	json_object_put(o);
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/permissions/table/main.sales.t1",
			      "{\"changes\":[{\"principal\":\"bob\",\"remove\":[\"MODIFY\"]}]}", &o),
			 200);
	p = privs_of(o, "bob");
	assert_int_equal(json_object_array_length(p), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(p, 0)), "SELECT");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/permissions/TABLE/main.sales.t1"
				       "?principal=bob", NULL, &o), 200);
	assert_null(privs_of(o, "analysts"));
	assert_non_null(privs_of(o, "bob"));
	json_object_put(o);

	/* Effective: the table's own MODIFY plus the catalog's two, inherited. */
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/effective-permissions/table/"
				       "main.sales.t1?principal=analysts", NULL, &o), 200);
	p = privs_of(o, "analysts");
	assert_int_equal(json_object_array_length(p), 3);
	int inherited = 0;
	for (size_t i = 0; i < 3; i++) {
		json_object *e = json_object_array_get_idx(p, i);
		if (clxs_json_str(e, "inherited_from_type", NULL)) {
			assert_string_equal(clxs_json_str(e, "inherited_from_type", ""), "CATALOG");
			assert_string_equal(clxs_json_str(e, "inherited_from_name", ""), "main");
			inherited++;
		} else {
			assert_string_equal(clxs_json_str(e, "privilege", ""), "MODIFY");
		}
	}
	assert_int_equal(inherited, 2);
	json_object_put(o);

	assert_int_equal(call_err(f, "PATCH", "/api/2.1/unity-catalog/permissions/table/main.sales.t1",
				  "{\"changes\":[{\"principal\":\"x\",\"add\":[\"USE_CATALOG\"]}]}",
				  code), 400);
	assert_string_equal(code, "INVALID_PARAMETER_VALUE");
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/permissions/metastore/x", NULL,
				  code), 400);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/permissions/table/main.sales.zz",
				  NULL, code), 404);
	/* A failed change leaves nothing half-applied. */
	assert_int_equal(call_err(f, "PATCH", "/api/2.1/unity-catalog/permissions/catalog/main",
				  "{\"changes\":[{\"principal\":\"z\",\"add\":[\"BROWSE\"]},"
				  "{\"principal\":\"z\",\"add\":[\"BOGUS\"]}]}", code), 400);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/permissions/catalog/main", NULL, &o),
			 200);
	assert_null(privs_of(o, "z"));
	json_object_put(o);

	/* Grants go with their object. */
	assert_int_equal(call(f, "DELETE", "/api/2.1/unity-catalog/tables/main.sales.t1", NULL, NULL),
			 200);
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/tables", TABLE_BODY, NULL), 200);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/permissions/table/main.sales.t1", NULL,
			      &o), 200);
	assert_null(privs_of(o, "bob"));
	json_object_put(o);
}

/* ---- volumes and files ------------------------------------------------------------------ */

static int call_raw(fx *f, const char *method, const char *path, const char *body, size_t len,
		    clxs_lh_response *resp)
{
	clxs_lh_service_handle_ex(f->svc, method, path, body, len, "Bearer " TOKEN, resp);
	return resp->status;
}

#define VOL "/api/2.0/fs/files/Volumes/main/sales/landing"

static void test_volumes_files(void **state)
{
	fx *f = *state;
	make_main_sales(f);
	json_object *o, *arr;
	char code[64];
	assert_int_equal(call(f, "POST", "/api/2.1/unity-catalog/volumes",
			      "{\"catalog_name\":\"main\",\"schema_name\":\"sales\",\"name\":\"landing\","
			      "\"volume_type\":\"MANAGED\",\"comment\":\"raw files\"}", &o), 200);
	assert_string_equal(clxs_json_str(o, "full_name", ""), "main.sales.landing");
	assert_string_equal(clxs_json_str(o, "volume_type", ""), "MANAGED");
	char vid[64];
	snprintf(vid, sizeof(vid), "%s", clxs_json_str(o, "volume_id", ""));
	json_object_put(o);
	assert_int_equal(call_err(f, "POST", "/api/2.1/unity-catalog/volumes",
				  "{\"catalog_name\":\"main\",\"schema_name\":\"sales\",\"name\":\"x\","
				  "\"volume_type\":\"EXTERNAL\"}", code), 400);

	/* Upload, download (raw bytes with a NUL), head. */
	const char data[] = "a,b\n1,2\n\0tail";
	clxs_lh_response resp;
	assert_int_equal(call_raw(f, "PUT", VOL "/in/2024/data.csv", data, sizeof(data), &resp), 204);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "GET", VOL "/in/2024/data.csv", NULL, 0, &resp), 200);
	assert_int_equal(resp.body_len, sizeof(data));
	assert_memory_equal(resp.body, data, sizeof(data));
	assert_string_equal(resp.content_type, "application/octet-stream");
	assert_non_null(strstr(resp.headers, "Last-Modified: "));
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "HEAD", VOL "/in/2024/data.csv", NULL, 0, &resp), 200);
	assert_int_equal(resp.content_length, (int64_t)sizeof(data));
	assert_int_equal(resp.body_len, 0);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "PUT", VOL "/in/2024/data.csv?overwrite=false", "x", 1, &resp),
			 409);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "PUT", VOL "/in/2024/data.csv", "new", 3, &resp), 204);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "GET", VOL "/in/2024/data.csv", NULL, 0, &resp), 200);
	assert_int_equal(resp.body_len, 3);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "GET", VOL "/in/2024/missing.csv", NULL, 0, &resp), 404);
	clxs_lh_response_free(&resp);

	/* Directories. */
	assert_int_equal(call_raw(f, "PUT", "/api/2.0/fs/directories/Volumes/main/sales/landing/out/a",
				  NULL, 0, &resp), 204);
	clxs_lh_response_free(&resp);
	assert_int_equal(call(f, "GET", "/api/2.0/fs/directories/Volumes/main/sales/landing", NULL, &o),
			 200);
	assert_true(json_object_object_get_ex(o, "contents", &arr));
	assert_int_equal(json_object_array_length(arr), 2);
	json_object *e0 = json_object_array_get_idx(arr, 0);
	assert_string_equal(clxs_json_str(e0, "name", ""), "in");
	assert_true(clxs_json_bool(e0, "is_directory", false));
	assert_string_equal(clxs_json_str(e0, "path", ""), "/Volumes/main/sales/landing/in/");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.0/fs/directories/Volumes/main/sales/landing/in/2024/",
			      NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "contents", &arr));
	json_object *e = json_object_array_get_idx(arr, 0);
	assert_string_equal(clxs_json_str(e, "path", ""), "/Volumes/main/sales/landing/in/2024/data.csv");
	assert_int_equal(clxs_json_int(e, "file_size", -1), 3);
	assert_false(clxs_json_bool(e, "is_directory", true));
	assert_true(clxs_json_int(e, "last_modified", 0) > 1600000000000LL);
	json_object_put(o);
	assert_int_equal(call_raw(f, "DELETE", "/api/2.0/fs/directories/Volumes/main/sales/landing/in",
				  NULL, 0, &resp), 409);
	clxs_lh_response_free(&resp);

	/* Confinement: traversal, encoded traversal, NUL, empty segments. */
	const char *bad[] = {
		VOL "/../../../etc/passwd", VOL "/%2e%2e/%2e%2e/x", VOL "/a%00b", VOL "//x",
		VOL "/./x", "/api/2.0/fs/files/etc/passwd", "/api/2.0/fs/files/Volumes/main/sales",
		VOL "/.clxs-upload-0001",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = call_raw(f, "GET", bad[i], NULL, 0, &resp);
		assert_true(st == 400 || st == 404);
		clxs_lh_response_free(&resp);
		st = call_raw(f, "PUT", bad[i], "x", 1, &resp);
		assert_true(st == 400 || st == 404);
		clxs_lh_response_free(&resp);
	}
	/* Symlinks planted in the volume lead nowhere. */
	char vdir[256], link[300], target[300];
	snprintf(vdir, sizeof(vdir), "%s/volumes/%s", f->dir, vid);
	snprintf(target, sizeof(target), "%s/secret.txt", f->dir);
	FILE *sf = fopen(target, "w");
	assert_non_null(sf);
	fputs("secret", sf);
	fclose(sf);
	snprintf(link, sizeof(link), "%s/link.txt", vdir);
	assert_int_equal(symlink(target, link), 0);
	snprintf(link, sizeof(link), "%s/linkdir", vdir);
	assert_int_equal(symlink(f->dir, link), 0);
	assert_int_equal(call_raw(f, "GET", VOL "/link.txt", NULL, 0, &resp), 404);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "GET", VOL "/linkdir/secret.txt", NULL, 0, &resp), 400);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "PUT", VOL "/linkdir/evil.txt", "x", 1, &resp), 400);
	clxs_lh_response_free(&resp);
	char evil[300];
	snprintf(evil, sizeof(evil), "%s/evil.txt", f->dir);
	assert_int_equal(access(evil, F_OK), -1);
	assert_int_equal(call(f, "GET", "/api/2.0/fs/directories/Volumes/main/sales/landing", NULL, &o),
			 200);
	assert_true(json_object_object_get_ex(o, "contents", &arr));
	assert_int_equal(json_object_array_length(arr), 2); /* links are not listed */
	json_object_put(o);
	/* Overwriting a symlink replaces the link, not its target. */
	assert_int_equal(call_raw(f, "PUT", VOL "/link.txt", "mine", 4, &resp), 204);
	clxs_lh_response_free(&resp);
	sf = fopen(target, "r");
	char buf[16] = "";
	assert_non_null(fgets(buf, sizeof(buf), sf));
	fclose(sf);
	assert_string_equal(buf, "secret");

	/* Delete a file; rename and drop the volume; its files go with it. */
	assert_int_equal(call_raw(f, "DELETE", VOL "/in/2024/data.csv", NULL, 0, &resp), 204);
	clxs_lh_response_free(&resp);
	assert_int_equal(call_raw(f, "HEAD", VOL "/in/2024/data.csv", NULL, 0, &resp), 404);
	clxs_lh_response_free(&resp);
	assert_int_equal(call(f, "PATCH", "/api/2.1/unity-catalog/volumes/main.sales.landing",
			      "{\"new_name\":\"landing2\",\"comment\":\"moved\"}", &o), 200);
	assert_string_equal(clxs_json_str(o, "name", ""), "landing2");
	assert_string_equal(clxs_json_str(o, "comment", ""), "moved");
	json_object_put(o);
	assert_int_equal(call(f, "GET", "/api/2.1/unity-catalog/volumes?catalog_name=main&schema_name=sales",
			      NULL, &o), 200);
	assert_true(json_object_object_get_ex(o, "volumes", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	json_object_put(o);
	assert_int_equal(call(f, "DELETE", "/api/2.1/unity-catalog/volumes/main.sales.landing2", NULL,
			      NULL), 200);
	assert_int_equal(access(vdir, F_OK), -1);
	assert_int_equal(call_err(f, "GET", "/api/2.1/unity-catalog/volumes/main.sales.landing2", NULL,
				  code), 404);
	assert_string_equal(code, "VOLUME_DOES_NOT_EXIST");
	assert_int_equal(call_raw(f, "GET", VOL "/x", NULL, 0, &resp), 404);
	clxs_lh_response_free(&resp);
}

/* ---- fault injection ---------------------------------------------------------------------- */

static void fault_run(fx *f, int *statuses, int n)
{
	for (int i = 0; i < n; i++) {
		clxs_lh_response resp;
		call_raw(f, "GET", "/api/2.0/sql/warehouses", NULL, 0, &resp);
		statuses[i] = resp.status;
		if (resp.status == 429)
			assert_string_equal(resp.headers, "Retry-After: 0\r\n");
		else if (resp.status == 503)
			assert_string_equal(resp.headers, "Retry-After: 1\r\n");
		else
			assert_int_equal(resp.status, 200);
		clxs_lh_response_free(&resp);
	}
}

static void test_fault_injection(void **state)
{
	fx *f = *state;
	int a[200], b[200], c[200];
	clxs_lh_service_close(f->svc);
	assert_int_equal(open_svc(f, TOKEN, 0.3, 42), 0);
	fault_run(f, a, 200);
	clxs_lh_service_close(f->svc);
	assert_int_equal(open_svc(f, TOKEN, 0.3, 42), 0);
	fault_run(f, b, 200);
	assert_memory_equal(a, b, sizeof(a));
	clxs_lh_service_close(f->svc);
	assert_int_equal(open_svc(f, TOKEN, 0.3, 43), 0);
	fault_run(f, c, 200);
	assert_memory_not_equal(a, c, sizeof(a));
	int faults = 0, n429 = 0;
	for (int i = 0; i < 200; i++) {
		faults += a[i] != 200;
		n429 += a[i] == 429;
	}
	/* 30% of 200, loosely: the sequence is fixed, so this cannot flake. */
	assert_in_range(faults, 30, 90);
	assert_in_range(n429, 1, faults - 1);
	/* Unauthenticated requests are refused before any fault. */
	char *resp;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(clxs_lh_service_handle(f->svc, "GET", "/api/2.0/sql/warehouses", NULL, 0,
							NULL, &resp), 401);
		free(resp);
	}
	clxs_lh_service_opts bad = {.data_dir = f->dir, .fault_rate = 1.5};
	clxs_lh_service *s2;
	clxs_error err;
	assert_int_equal(clxs_lh_service_open(&bad, &s2, &err), CLXS_EINVAL);
}

/* ---- statements --------------------------------------------------------------------------- */

static json_object *submit(fx *f, const char *sql, const char *extra)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"statement\":\"%s\",\"warehouse_id\":\"" WH "\"%s%s}", sql,
		 extra ? "," : "", extra ? extra : "");
	json_object *o = NULL;
	assert_int_equal(call(f, "POST", "/api/2.0/sql/statements", body, &o), 200);
	assert_non_null(clxs_json_str(o, "statement_id", NULL));
	return o;
}

static const char *state_of(json_object *o)
{
	return get_path(o, "status", "state");
}

/* Poll until the statement leaves PENDING/RUNNING. */
static json_object *wait_final(fx *f, const char *id)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s", id);
	for (int i = 0; i < 1000; i++) {
		json_object *o;
		assert_int_equal(call(f, "GET", path, NULL, &o), 200);
		const char *s = state_of(o);
		if (strcmp(s, "PENDING") != 0 && strcmp(s, "RUNNING") != 0)
			return o;
		json_object_put(o);
		clxs_sleep_ms(10);
	}
	fail_msg("statement %s never finished", id);
	return NULL;
}

static void test_statement_chunks(void **state)
{
	fx *f = *state;
	json_object *o = submit(f, "ROWS 25", NULL), *m, *res, *arr;
	assert_string_equal(state_of(o), "SUCCEEDED");
	assert_true(json_object_object_get_ex(o, "manifest", &m));
	assert_string_equal(clxs_json_str(m, "format", ""), "JSON_ARRAY");
	assert_int_equal(clxs_json_int(m, "total_chunk_count", 0), 3);
	assert_int_equal(clxs_json_int(m, "total_row_count", 0), 25);
	assert_false(clxs_json_bool(m, "truncated", true));
	json_object *schema, *cols;
	assert_true(json_object_object_get_ex(m, "schema", &schema));
	assert_int_equal(clxs_json_int(schema, "column_count", 0), 1);
	assert_true(json_object_object_get_ex(schema, "columns", &cols));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(cols, 0), "type_name", ""),
			    "STRING");
	assert_true(json_object_object_get_ex(m, "chunks", &arr));
	assert_int_equal(clxs_json_int(json_object_array_get_idx(arr, 2), "row_offset", 0), 20);
	assert_int_equal(clxs_json_int(json_object_array_get_idx(arr, 2), "row_count", 0), 5);
	assert_true(json_object_object_get_ex(o, "result", &res));
	assert_int_equal(clxs_json_int(res, "row_count", 0), 10);
	assert_int_equal(clxs_json_int(res, "next_chunk_index", 0), 1);
	assert_true(json_object_object_get_ex(res, "data_array", &arr));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    json_object_array_get_idx(arr, 9), 0)), "9");
	char id[64], path[160];
	snprintf(id, sizeof(id), "%s", clxs_json_str(o, "statement_id", ""));
	json_object_put(o);

	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s/result/chunks/2", id);
	assert_int_equal(call(f, "GET", path, NULL, &o), 200);
	assert_int_equal(clxs_json_int(o, "chunk_index", -1), 2);
	assert_int_equal(clxs_json_int(o, "row_offset", -1), 20);
	assert_false(json_object_object_get_ex(o, "next_chunk_index", NULL));
	assert_true(json_object_object_get_ex(o, "data_array", &arr));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    json_object_array_get_idx(arr, 4), 0)), "24");
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s/result/chunks/1", id);
	assert_int_equal(call(f, "GET", path, NULL, &o), 200);
	char want[160];
	snprintf(want, sizeof(want), "/api/2.0/sql/statements/%s/result/chunks/2", id);
	assert_string_equal(clxs_json_str(o, "next_chunk_internal_link", ""), want);
	json_object_put(o);
	char code[64];
	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s/result/chunks/3", id);
	assert_int_equal(call_err(f, "GET", path, NULL, code), 400);

	/* row_limit and byte_limit truncate. */
	o = submit(f, "ROWS 25", "\"row_limit\":7");
	assert_true(json_object_object_get_ex(o, "manifest", &m));
	assert_int_equal(clxs_json_int(m, "total_row_count", 0), 7);
	assert_true(clxs_json_bool(m, "truncated", false));
	json_object_put(o);
	o = submit(f, "ROWS 25", "\"byte_limit\":\"30\"");
	assert_true(json_object_object_get_ex(o, "manifest", &m));
	assert_int_equal(clxs_json_int(m, "total_row_count", 0), 6); /* ["0"]..["5"]: 5 bytes each */
	assert_true(clxs_json_bool(m, "truncated", false));
	json_object_put(o);
	/* An empty result still has a schema and an empty first chunk. */
	o = submit(f, "ROWS 0", NULL);
	assert_true(json_object_object_get_ex(o, "manifest", &m));
	assert_int_equal(clxs_json_int(m, "total_row_count", -1), 0);
	assert_true(json_object_object_get_ex(o, "result", &res));
	assert_int_equal(clxs_json_int(res, "row_count", -1), 0);
	json_object_put(o);

	/* Failures. */
	o = submit(f, "FAIL", NULL);
	assert_string_equal(state_of(o), "FAILED");
	json_object *status, *err;
	assert_true(json_object_object_get_ex(o, "status", &status));
	assert_true(json_object_object_get_ex(status, "error", &err));
	assert_string_equal(clxs_json_str(err, "error_code", ""), "BAD_REQUEST");
	assert_non_null(strstr(clxs_json_str(err, "message", ""), "[TABLE_OR_VIEW_NOT_FOUND]"));
	assert_false(json_object_object_get_ex(o, "manifest", NULL));
	snprintf(id, sizeof(id), "%s", clxs_json_str(o, "statement_id", ""));
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s/result/chunks/0", id);
	assert_int_equal(call_err(f, "GET", path, NULL, code), 400);
}

static void test_statement_request_errors(void **state)
{
	fx *f = *state;
	char code[64];
	const char *P = "/api/2.0/sql/statements";
	assert_int_equal(call_err(f, "POST", P, "{\"statement\":\"ROWS 1\"}", code), 400);
	assert_int_equal(call_err(f, "POST", P, "{\"statement\":\"ROWS 1\",\"warehouse_id\":\"abc\"}",
				  code), 404);
	const char *bad[] = {
		"\"wait_timeout\":\"3s\"", "\"wait_timeout\":\"51s\"", "\"wait_timeout\":\"10\"",
		"\"on_wait_timeout\":\"WAIT\"", "\"disposition\":\"EXTERNAL_LINKS\"",
		"\"format\":\"CSV\"", "\"row_limit\":-1", "\"parameters\":{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[256];
		snprintf(body, sizeof(body), "{\"statement\":\"ROWS 1\",\"warehouse_id\":\"" WH "\",%s}",
			 bad[i]);
		assert_int_equal(call_err(f, "POST", P, body, code), 400);
		assert_string_equal(code, "INVALID_PARAMETER_VALUE");
	}
	assert_int_equal(call_err(f, "GET", "/api/2.0/sql/statements/no-such-id", NULL, code), 404);
	assert_int_equal(call_err(f, "POST", "/api/2.0/sql/statements/no-such-id/cancel", NULL, code),
			 404);
}

static void test_statement_async_cancel(void **state)
{
	fx *f = *state;
	/* wait_timeout 0s: the answer comes at once, the statement runs on. */
	json_object *o = submit(f, "SLOW 0", "\"wait_timeout\":\"0s\"");
	const char *s = state_of(o);
	assert_true(strcmp(s, "PENDING") == 0 || strcmp(s, "RUNNING") == 0);
	assert_false(json_object_object_get_ex(o, "manifest", NULL));
	char id[64], path[160];
	snprintf(id, sizeof(id), "%s", clxs_json_str(o, "statement_id", ""));
	json_object_put(o);

	/* Another worker (a second service on the same data dir) sees it. */
	fx other = *f;
	clxs_lh_service_opts oo = {.data_dir = f->dir, .token = TOKEN};
	clxs_error err;
	assert_int_equal(clxs_lh_service_open(&oo, &other.svc, &err), CLXS_OK);
	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s", id);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(call(&other, "GET", path, NULL, &o), 200);
		bool running = strcmp(state_of(o), "RUNNING") == 0;
		json_object_put(o);
		if (running)
			break;
		clxs_sleep_ms(5);
	}
	assert_int_equal(call(&other, "GET", path, NULL, &o), 200);
	assert_string_equal(state_of(o), "RUNNING");
	json_object_put(o);
	snprintf(path, sizeof(path), "/api/2.0/sql/statements/%s/cancel", id);
	assert_int_equal(call(&other, "POST", path, NULL, NULL), 200);
	clxs_lh_service_close(other.svc);
	o = wait_final(f, id);
	assert_string_equal(state_of(o), "CANCELED");
	json_object_put(o);

	/* A statement that outlives wait_timeout keeps running (CONTINUE)... */
	o = submit(f, "SLOW 5400", "\"wait_timeout\":\"5s\"");
	assert_string_equal(state_of(o), "RUNNING");
	snprintf(id, sizeof(id), "%s", clxs_json_str(o, "statement_id", ""));
	json_object_put(o);
	o = wait_final(f, id);
	assert_string_equal(state_of(o), "SUCCEEDED");
	json_object_put(o);
	/* ...or is cancelled (CANCEL). */
	o = submit(f, "SLOW 0", "\"wait_timeout\":\"5s\",\"on_wait_timeout\":\"CANCEL\"");
	assert_string_equal(state_of(o), "CANCELED");
	json_object_put(o);
}

static void test_statement_dead_worker(void **state)
{
	fx *f = *state;
	char path[256], host[128], sql[600];
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/statements.db", f->dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	/* pid 1 never is our worker; a pid far above pid_max never exists. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO statements(id, state, created_at, updated_at, executor)"
		 " VALUES('dead-1', 'RUNNING', %lld, %lld, '%s/2147483646/1')",
		 (long long)clxs_now_ms(), (long long)clxs_now_ms(), host);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	json_object *o;
	assert_int_equal(call(f, "GET", "/api/2.0/sql/statements/dead-1", NULL, &o), 200);
	assert_string_equal(state_of(o), "FAILED");
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scim_and_warehouses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalogs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schemas_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gov_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_volumes_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_injection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_request_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_async_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_dead_worker, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
