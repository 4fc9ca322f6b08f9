/* Internals of the lakehouse REST service (src/lakehouse/svc_*.c); not a
 * public header. The service is a route table (svc_router.c) over handlers,
 * one file per API section:
 *
 *   svc_service.c     open/close, the connection pool, request entry point
 *   svc_router.c      the route table, path matching, query strings
 *   svc_auth.c        bearer token check and fault injection
 *   svc_reply.c       JSON replies and Databricks-style error bodies
 *   svc_statements.c  Statement Execution API 2.0 (statements.db)
 *   svc_uc.c          Unity Catalog catalogs, schemas, tables
 *   svc_gov.c         REST names of volumes, functions, grants (gov_*.c below)
 *   svc_uc_gov.c      Unity Catalog volumes, functions, permissions
 *   svc_files.c       Files API on volumes, confined with openat()
 *   svc_misc.c        SCIM Me, SQL warehouses
 *   svc_fcgi.c        one FastCGI worker's accept loop (the daemon)
 */
#ifndef CLXS_SVC_INTERNAL_H
#define CLXS_SVC_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/json.h"
#include "clxs/lakehouse.h"
#include "clxs/lakehouse_gov.h"

/* The statement executor: clxs_lh_sql_exec by default; tests plug in a
 * slow one to drive the asynchronous lifecycle. */
typedef clxs_code (*svc_executor)(clxs_lh *lh, const char *sql, const clxs_lh_exec_opts *opts,
				  clxs_lh_result *res, clxs_error *err);

/* One pooled pair of connections: the lakehouse and statements.db. A
 * request or an executing statement holds one for its duration. */
typedef struct svc_conn {
	clxs_lh *lh;
	sqlite3 *st;
	struct svc_conn *next;
} svc_conn;

#define SVC_POOL_IDLE_MAX 8

struct clxs_lh_service {
	char *data_dir, *token, *user, *warehouse_id;
	char metastore_id[37];
	double fault_rate;
	int fault_latency_ms;
	uint64_t fault_seed;
	atomic_uint_fast64_t fault_counter;

	svc_executor exec;
	int64_t chunk_rows;          /* rows per result chunk */
	size_t chunk_bytes;          /* serialized bytes per result chunk */
	size_t inline_limit;         /* INLINE results larger than this fail, as on Databricks */

	pthread_mutex_t mu;          /* pool and running count */
	pthread_cond_t idle_cv;      /* running dropped to 0 */
	svc_conn *pool;
	int npool;
	int running;                 /* statements executing in this process */
};

/* Test hooks (tests/unit/test_lh_service.c). */
void svc_set_executor(clxs_lh_service *svc, svc_executor fn);
void svc_set_chunking(clxs_lh_service *svc, int64_t rows, size_t bytes);

/* One FastCGI worker's accept loop (svc_fcgi.c): serve until SIGTERM. */
int svc_fcgi_loop(clxs_lh_service *svc, int sock, size_t max_body);

/* ---- connection pool (svc_service.c) ---- */
svc_conn *svc_conn_get(clxs_lh_service *svc, clxs_error *err);
void svc_conn_put(clxs_lh_service *svc, svc_conn *c);
/* statements.db connection alone, for threads that need no lakehouse. */
sqlite3 *svc_stdb_open(const char *data_dir, clxs_error *err);

/* ---- requests ---- */
typedef struct {
	char *key, *val;
} svc_kv;

#define SVC_MAX_PARAMS 4

typedef struct {
	clxs_lh_service *svc;
	svc_conn *conn;
	const char *method;
	const char *path;                 /* raw path, without the query */
	char *params[SVC_MAX_PARAMS];     /* decoded {name} / {*rest} captures */
	int nparams;
	svc_kv *query;                    /* decoded query parameters */
	int nquery;
	const char *body;
	size_t body_len;
	clxs_lh_response *resp;
} svc_req;

typedef void (*svc_handler)(svc_req *r);

/* Route and run one authenticated request (svc_router.c). */
void svc_route(svc_req *r);
/* Percent-decode (and '+' as space when form is true). Returns NULL on bad
 * escapes or an encoded NUL. Caller frees. */
char *svc_urldecode(const char *s, size_t n, bool form);
const char *svc_query(const svc_req *r, const char *key);
/* Query parameter as a boolean ("true"/"false"); dflt when absent. */
bool svc_query_bool(const svc_req *r, const char *key, bool dflt);
/* max_results: absent -> *out = 0 (all); 0 or above the cap -> the cap.
 * Replies 400 and returns false when malformed or negative. */
bool svc_max_results(svc_req *r, int cap, int *out);

/* ---- replies (svc_reply.c) ---- */
/* Reply with obj as JSON (takes ownership; NULL means out of memory). */
void svc_json(svc_req *r, int status, json_object *obj);
void svc_empty(svc_req *r, int status);
void svc_error(svc_req *r, int status, const char *error_code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A storage/engine error as Databricks' REST reports it. */
void svc_fail(svc_req *r, const clxs_error *err);
/* The body as a JSON object ({} when empty); replies 400 and returns NULL
 * when it is not one. Caller puts it. */
json_object *svc_body(svc_req *r);
/* Required string field; replies 400 INVALID_PARAMETER_VALUE when missing. */
const char *svc_need_str(svc_req *r, json_object *o, const char *key);
void svc_reply_set_json(clxs_lh_response *resp, int status, const char *text);

/* ---- auth and faults (svc_auth.c) ---- */
bool svc_token_ok(const clxs_lh_service *svc, const char *authorization);
/* True when this request gets an injected fault; fills resp. */
bool svc_fault(clxs_lh_service *svc, clxs_lh_response *resp);

/* ---- governance on the metastore (svc_gov.c over clxs/lakehouse_gov.h) ---- */
/* Create the governance tables; the metastore id (made once, kept). */
clxs_code svc_gov_init(clxs_lh *lh, char metastore_id[37], clxs_error *err);

/* Split a dotted full name into exactly n (1..3) non-empty parts. */
clxs_code svc_split_name(const char *full, int n, char parts[3][256], const char *what,
			 clxs_error *err);
/* Resolve a dotted full name of the given kind (views count as tables). */
clxs_code svc_sec_resolve(clxs_lh *lh, clxs_lh_sec_kind kind, const char *full_name,
			  clxs_lh_sec *out, clxs_error *err);

/* VolumeInfo / FunctionInfo by full name. */
clxs_code svc_object_get(clxs_lh *lh, clxs_lh_sec_kind kind, const char *metastore_id,
			 const char *full_name, json_object **out, clxs_error *err);
/* Drop a volume or function by full name. */
clxs_code svc_object_drop(clxs_lh *lh, clxs_lh_sec_kind kind, const char *full_name,
			  clxs_error *err);
/* new_name may be NULL; comment applies when set_comment. */
clxs_code svc_volume_update(clxs_lh *lh, const char *full_name, const char *new_name,
			    const char *owner, bool set_comment, const char *comment,
			    clxs_error *err);
/* The uuid naming the volume's file directory. */
clxs_code svc_volume_uuid(clxs_lh *lh, const char *catalog, const char *schema,
			  const char *volume, char uuid[37], clxs_error *err);
/* Remove volumes/<uuid> directories of volumes that no longer exist. */
void svc_volume_gc(clxs_lh *lh, const char *data_dir);
clxs_code svc_function_update(clxs_lh *lh, const char *full_name, const char *owner,
			      clxs_error *err);

/* ---- handlers ---- */
void svc_h_stmt_execute(svc_req *r);
void svc_h_stmt_get(svc_req *r);
void svc_h_stmt_chunk(svc_req *r);
void svc_h_stmt_cancel(svc_req *r);

void svc_h_catalog_list(svc_req *r);
void svc_h_catalog_create(svc_req *r);
void svc_h_catalog_get(svc_req *r);
void svc_h_catalog_update(svc_req *r);
void svc_h_catalog_delete(svc_req *r);
void svc_h_schema_list(svc_req *r);
void svc_h_schema_create(svc_req *r);
void svc_h_schema_get(svc_req *r);
void svc_h_schema_update(svc_req *r);
void svc_h_schema_delete(svc_req *r);
void svc_h_table_list(svc_req *r);
void svc_h_table_create(svc_req *r);
void svc_h_table_get(svc_req *r);
void svc_h_table_exists(svc_req *r);
void svc_h_table_update(svc_req *r);
void svc_h_table_delete(svc_req *r);

void svc_h_volume_list(svc_req *r);
void svc_h_volume_create(svc_req *r);
void svc_h_volume_get(svc_req *r);
void svc_h_volume_update(svc_req *r);
void svc_h_volume_delete(svc_req *r);
void svc_h_function_list(svc_req *r);
void svc_h_function_create(svc_req *r);
void svc_h_function_get(svc_req *r);
void svc_h_function_update(svc_req *r);
void svc_h_function_delete(svc_req *r);
void svc_h_perm_get(svc_req *r);
void svc_h_perm_update(svc_req *r);
void svc_h_perm_effective(svc_req *r);

void svc_h_file_put(svc_req *r);
void svc_h_file_get(svc_req *r);
void svc_h_file_head(svc_req *r);
void svc_h_file_delete(svc_req *r);
void svc_h_dir_list(svc_req *r);
void svc_h_dir_create(svc_req *r);
void svc_h_dir_head(svc_req *r);
void svc_h_dir_delete(svc_req *r);

void svc_h_scim_me(svc_req *r);
void svc_h_warehouse_list(svc_req *r);
void svc_h_warehouse_get(svc_req *r);

#endif
