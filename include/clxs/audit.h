/* The audit trail: Delta tables in the audit catalog (config audit_trail,
 * default clone_audit.logs), written and read through the workspace client
 * like every other catalog access.
 *
 *   <catalog>.<schema>.run_logs          one row per clone job: who, what,
 *                                        when, status, log lines, result
 *   <catalog>.<schema>.clone_operations  one row per clone job: the totals
 *   <catalog>.metrics.clone_metrics      one row per clone job: performance
 *   <catalog>.<schema>.rollback_logs     one row per rollback point, updated
 *                                        when it is rolled back
 *
 * (clone_metrics lives in the "metrics" schema, as the API reference's
 * POST /api/audit/init shows.) Tables are created on first use: a write
 * that finds them missing runs the CREATE ... IF NOT EXISTS statements and
 * tries once more. Every value reaches SQL as an escaped literal.
 * docs/audit.md describes the columns. */
#ifndef CLXS_AUDIT_H
#define CLXS_AUDIT_H

#include <json-c/json.h>
#include <stdint.h>

#include "clxs/error.h"

struct clxs_ws_client;

typedef struct {
	char catalog[256];
	char schema[256];
} clxs_audit_loc;

/* audit_trail.catalog / .schema of a loaded config (NULL: defaults
 * clone_audit / logs). */
void clxs_audit_loc_from_config(json_object *config, clxs_audit_loc *loc);
/* Set loc from explicit names (NULL keeps the current value); CLXS_EVALIDATION
 * naming "catalog"/"schema" for an empty or over-long name. */
clxs_code clxs_audit_loc_set(clxs_audit_loc *loc, const char *catalog, const char *schema, clxs_error *err);

/* Create the catalog, schemas and tables when missing (idempotent).
 * *report: {"status": "ok", "tables_created": [fqn...],
 * "schemas": {fqn: [{"name", "type"}]}}. */
clxs_code clxs_audit_init(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			  json_object **report, clxs_error *err);

/* The audit tables as they are in the workspace: {"catalog", "schema",
 * "tables": [{"table": fqn, "exists": bool, "columns": [{"name", "type"}]}]}. */
clxs_code clxs_audit_describe(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			      json_object **out, clxs_error *err);

/* What a finished clone job hands to clxs_audit_record_clone. */
typedef struct {
	const char *job_id;
	const char *origin;        /* "api" (a runner job) or "cli" */
	const char *status;        /* completed, failed, cancelled */
	const char *error_message; /* NULL when none */
	int64_t started_ms, completed_ms;
	json_object *opts;         /* the validated clone request */
	json_object *result;       /* the clone's result (may be NULL) */
	json_object *model;        /* the discovered source (may be NULL) */
	json_object *logs;         /* array of log lines/events (may be NULL) */
} clxs_audit_clone;

/* Write the clone's rows to run_logs, clone_operations and clone_metrics.
 * The user is the workspace's SCIM Me; total_rows counts the rows of the
 * cloned tables in the destination (batched: one statement per 100
 * tables). *summary (may be NULL) gets {"user_name", "total_tables",
 * "tables_cloned", "total_size_bytes", "total_rows", "tables": [fqn...]}.
 * An error here must never fail the clone: callers report it. */
clxs_code clxs_audit_record_clone(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				  const clxs_audit_clone *c, json_object **summary, clxs_error *err);

/* Store a rollback point (clxs_rollback_prepare's record) in rollback_logs. */
clxs_code clxs_audit_record_rollback(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				     json_object *record, const char *job_id, clxs_error *err);
/* Note that a rollback point was used: rolled_back_at, rollback_status
 * ("completed" or "failed") and the report. */
clxs_code clxs_audit_mark_rolled_back(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				      const char *rollback_id, json_object *report, clxs_error *err);

/* clone_operations rows, newest first (job_id NULL: all; limit <= 0: 100),
 * as objects with typed values. A missing table gives an empty array. */
clxs_code clxs_audit_list(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			  const char *job_id, int limit, json_object **out, clxs_error *err);
/* The run_logs row of a job with log_lines, result and config parsed back
 * into JSON; CLXS_ENOTFOUND when there is none. */
clxs_code clxs_audit_run_log(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
			     const char *job_id, json_object **out, clxs_error *err);
/* rollback_logs rows, newest first, in the shape of GET /api/rollback/logs:
 * {"rollback_id", "log_file", "job_id", "source_catalog",
 * "destination_catalog", "table_versions", "restore_mode", "timestamp",
 * "user_name", "rolled_back_at", "rollback_status"}. Missing table: []. */
clxs_code clxs_audit_rollback_logs(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				   json_object **out, clxs_error *err);
/* The full rollback record stored for rollback_id; CLXS_ENOTFOUND when none. */
clxs_code clxs_audit_rollback_record(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				     const char *rollback_id, json_object **record, clxs_error *err);

/* "rollback_<id>.json": the log_file name the API reference shows. */
void clxs_audit_log_file_name(const char *rollback_id, char *buf, size_t len);

#endif
