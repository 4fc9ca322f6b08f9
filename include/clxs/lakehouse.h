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

typedef struct {
	const char *data_dir;       /* lakehouse data directory */
	const char *token;          /* the local PAT; NULL or "" = no auth required */
	const char *user;           /* SCIM userName of the local user */
	const char *warehouse_id;   /* id of the one always-running warehouse */
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

#endif
