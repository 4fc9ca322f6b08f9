/* The embedded lakehouse's engine entry points, above the storage core
 * (clxs/lakehouse_store.h):
 *
 *   clxs_lh_sql_exec()  runs one Databricks SQL statement (the SQL front
 *                       end, src/lakehouse/sql_*.c) and returns a result
 *                       set shaped like the Statement Execution API's;
 *   clxs_lh_service_*   the Databricks REST API subset as a JSON request
 *                       handler (method, path, body -> status, body), used
 *                       in-process by the CLI and served over HTTP by the
 *                       clxs-lakehouse FastCGI daemon.
 *
 * Errors follow the storage convention: err->detail holds the Databricks
 * error class (e.g. "TABLE_OR_VIEW_NOT_FOUND", "PARSE_SYNTAX_ERROR",
 * "UNSUPPORTED_FEATURE") and err->message starts with it in brackets. */
#ifndef CLXS_LAKEHOUSE_H
#define CLXS_LAKEHOUSE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "clxs/error.h"
#include "clxs/lakehouse_store.h"

/* ---- SQL execution ---------------------------------------------------------- */

typedef struct {
	const char *catalog;        /* current catalog (USE CATALOG); NULL = none */
	const char *schema;         /* current schema; NULL = "default" */
	json_object *parameters;    /* [{"name","value","type"}] for :name markers; may be NULL */
	int64_t row_limit;          /* 0 = no limit; beyond it the result is truncated */
	volatile int *cancel;       /* checked between steps; non-zero cancels (CLXS_ECANCELLED) */
} clxs_lh_exec_opts;

typedef struct {
	/* [{"name","position","type_name","type_text"}] as in manifest.schema.columns */
	json_object *columns;
	/* [[string|null, ...], ...] as in result.data_array: every value a string */
	json_object *rows;
	int64_t row_count;
	bool truncated;             /* row_limit cut the result */
} clxs_lh_result;

/* Run one statement. Statements without a result set (DDL, DML) return the
 * columns and rows Databricks returns for them (e.g. num_affected_rows and
 * num_inserted_rows for INSERT), or none. Each statement is atomic: on any
 * error nothing it did remains. */
clxs_code clxs_lh_sql_exec(clxs_lh *lh, const char *sql, const clxs_lh_exec_opts *opts,
			   clxs_lh_result *res, clxs_error *err);
void clxs_lh_result_free(clxs_lh_result *res);

/* ---- the REST service --------------------------------------------------------- */

typedef struct clxs_lh_service clxs_lh_service;

/* The warehouse id served when none is configured (16 hex digits, as
 * Databricks' ids look). */
#define CLXS_LH_DEFAULT_WAREHOUSE_ID "c10e5ca1e0000001"

typedef struct {
	const char *data_dir;       /* lakehouse data directory */
	const char *token;          /* the local PAT; NULL or "" = no auth required */
	const char *user;           /* SCIM userName of the local user */
	const char *warehouse_id;   /* id of the one always-running warehouse */
	/* Fault injection for client tests (docs/lakehouse-api.md): this
	 * fraction of requests (0..1) is answered 429 or 503 with Retry-After,
	 * chosen deterministically from fault_seed and the request's ordinal
	 * in this service handle; fault_latency_ms delays every request. */
	double fault_rate;
	int fault_latency_ms;
	uint64_t fault_seed;
} clxs_lh_service_opts;

clxs_code clxs_lh_service_open(const clxs_lh_service_opts *opts, clxs_lh_service **out,
			       clxs_error *err);
void clxs_lh_service_close(clxs_lh_service *svc);

/* Handle one request. authorization is the Authorization header (may be
 * NULL). *resp_body is a malloc'd JSON text (caller frees); the return
 * value is the HTTP status. Never fails: errors become Databricks-style
 * {"error_code", "message"} bodies. */
int clxs_lh_service_handle(clxs_lh_service *svc, const char *method, const char *path_and_query,
			   const char *body, size_t body_len, const char *authorization,
			   char **resp_body);

/* The full response, for the endpoints that are not JSON (the Files API
 * answers GET with the file's raw bytes) and for the headers a transport
 * must send (Retry-After on injected faults, Content-Length on HEAD). */
typedef struct {
	int status;
	char *body;                 /* malloc'd, NUL-terminated; may hold NULs */
	size_t body_len;
	const char *content_type;   /* static: "application/json" or
				     * "application/octet-stream"; NULL for no body */
	int64_t content_length;     /* >= 0: Content-Length to announce when it
				     * differs from body_len (HEAD); else -1 */
	char headers[256];          /* extra "Name: value\r\n" lines, maybe "" */
} clxs_lh_response;

/* As clxs_lh_service_handle, filling *resp (free with clxs_lh_response_free).
 * clxs_lh_service_handle is this with the body handed over: for GET on a
 * file it is the raw bytes. Thread-safe: concurrent calls use separate
 * connections from the service's pool. */
void clxs_lh_service_handle_ex(clxs_lh_service *svc, const char *method,
			       const char *path_and_query, const char *body, size_t body_len,
			       const char *authorization, clxs_lh_response *resp);
void clxs_lh_response_free(clxs_lh_response *resp);

/* Adapter with the signature of the workspace client's in-process transport
 * (clxs_ws_inproc_fn in clxs/workspace.h); ud is the clxs_lh_service. The
 * caller is the process that owns the service, so no token is asked for.
 * Injected faults still apply. Returns 0. */
int clxs_lh_service_inproc(void *ud, const char *method, const char *path_and_query,
			   const char *body, size_t body_len, char **resp_body, size_t *resp_len,
			   int *status);

#endif
