/* The clone engine's request: every field of POST /api/clone, validated
 * once and normalised (defaults filled, enums upper-cased) into a JSON
 * object that the API stores as job params and the runner and CLI read. */
#ifndef CLXS_CLONE_H
#define CLXS_CLONE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "clxs/error.h"

/* Validate a clone request body. config (may be NULL) supplies the fields
 * the reference marks "From config" (warehouse_id <- sql_warehouse_id) and
 * the config's defaults for the rest. Returns a new object holding every
 * known field, or NULL with CLXS_EVALIDATION and err->detail naming the
 * field: unknown fields, wrong types, unknown enum values, bad regexes and
 * contradictory options (both as_of_timestamp and as_of_version, source ==
 * destination, ...) are all refused. Non-fatal notes (e.g. where_clauses
 * ignored on SHALLOW) are appended to the "warnings" array of the result. */
json_object *clxs_clone_validate(json_object *body, json_object *config, clxs_error *err);

/* The field table as data, for the OpenAPI body schema. */
const char *clxs_clone_body_schema(void);

#endif

/* ---- the plan -------------------------------------------------------------
 * A catalog model (what discovery read from the source) plus validated
 * options give the complete ordered statement list of a clone:
 *
 *   {"statements": [{"step", "phase", "object_type", "object", "sql"}, ...],
 *    "skipped":    [{"object_type", "object", "reason"}, ...],
 *    "counts":     {"statements": n, "<phase>": n, ...}}
 *
 * Phases, in order: catalog, schemas, tables, functions, views (dependency
 * order across schemas), volumes, ownership, permissions, tags, constraints,
 * security (row filters and column masks, after the functions they call).
 * Every object of the model appears in a statement or in "skipped" with a
 * reason: nothing is dropped silently.
 *
 * The model:
 *   {"catalog": {"name", "comment", "owner", "properties", "tags", "grants"},
 *    "schemas": [{"name", "comment", "owner", "properties", "tags", "grants"}],
 *    "tables":  [{"schema", "name", "table_type", "data_source_format", "comment",
 *                 "owner", "properties", "tags", "grants", "size_bytes",
 *                 "columns": [{"name", "type_text", "nullable", "comment", "tags",
 *                              "mask": {"function", "using_columns"}}],
 *                 "constraints": [{"name", "type": "PRIMARY KEY"|"FOREIGN KEY"|"CHECK",
 *                                  "columns", "expression", "ref_table", "ref_columns"}],
 *                 "row_filter": {"function", "columns"}}],
 *    "views":     [{"schema", "name", "definition", "comment", "owner", "tags", "grants"}],
 *    "functions": [{"schema", "name", "parameters": [{"name", "type_text"}],
 *                   "return_type", "body", "comment", "owner", "grants"}],
 *    "volumes":   [{"schema", "name", "volume_type", "comment", "owner", "tags", "grants"}]}
 * where tags are {"key": "value"} and grants [{"principal", "privileges": [...]}]. */
json_object *clxs_clone_plan(json_object *model, json_object *opts, clxs_error *err);

/* Does the table/view named schema.name pass the schema and name filters
 * and include_objects of opts? */
bool clxs_clone_selected(json_object *opts, const char *schema, const char *name,
			 const char *object_type);

/* ---- execution --------------------------------------------------------------- */

struct clxs_ws_client;

typedef struct {
	struct clxs_ws_client *ws;
	const char *warehouse_id;
	/* CLXS_OK to go on; CLXS_ECANCELLED / CLXS_EUNAVAILABLE to stop at this
	 * statement boundary (a job's clxs_job_checkpoint_gate). May be NULL. */
	clxs_code (*gate)(void *ud);
	/* Durable progress: called after every statement with the checkpoint
	 * to resume from ({"plan_sha256", "done": [steps]}). May be NULL. */
	void (*progress)(void *ud, int64_t done, int64_t total, json_object *checkpoint);
	void (*log)(void *ud, const char *level, const char *message);
	void *ud;
	/* A checkpoint from an earlier, interrupted run of the same plan:
	 * its done steps are not run again. May be NULL. */
	json_object *resume;
} clxs_clone_exec;

/* Run a plan. Tables run on parallel_tables threads; every other phase in
 * order. A failed statement fails its object, not the clone: the result
 * lists every object as cloned, failed (with the error) or skipped (with the
 * reason), plus totals. Returns CLXS_OK when the run went through (even with
 * failed objects), or the gate's code when stopped. */
clxs_code clxs_clone_execute(clxs_clone_exec *ex, json_object *plan, json_object *opts,
			     json_object **result, clxs_error *err);

/* ---- discovery -------------------------------------------------------------
 * Read the source catalog's model (the shape clxs_clone_plan takes) with one
 * query per information_schema view: a constant number of round trips
 * whatever the number of tables. A view the workspace lacks is reported in
 * the model's "warnings" and the objects it describes are left out of that
 * class, never silently treated as empty. */
clxs_code clxs_clone_discover(struct clxs_ws_client *ws, const char *warehouse_id,
			      const char *catalog, json_object **model, clxs_error *err);

/* ---- validation ---------------------------------------------------------------
 * Compare every table of the plan between source (at the cloned version
 * when the clone was at a past version) and destination: row counts, and
 * with checksum an order-independent content checksum, the sum of Spark's
 * hash() over each row's columns. A sum is order-independent, and unlike
 * XOR a duplicated row changes it. Exact up to about 4 million rows per
 * table (the sum of 32-bit hashes stays within 2^53).
 *
 *   {"tables": [{"table", "source_rows", "dest_rows", "source_checksum",
 *                "dest_checksum", "status": "match"|"mismatch"|"error", "error"}],
 *    "checked", "mismatched", "errors", "mismatch_pct"} */
clxs_code clxs_clone_validate_run(struct clxs_ws_client *ws, const char *warehouse_id, json_object *model,
				  json_object *opts, bool checksum, json_object **report, clxs_error *err);

/* ---- INCREMENTAL ----------------------------------------------------------------
 * load_type INCREMENTAL clones only the tables whose source version moved
 * since the last successful clone into the same destination. The versions
 * come from DESCRIBE HISTORY (one query per table, in INCREMENTAL mode only)
 * and are kept in the LMDB store under "clone-state/<src>/<dst>".
 * clxs_clone_incremental_prepare adds "source_versions" and
 * "previous_versions" to the model (no-op for FULL); the planner then skips
 * unchanged tables with the reason. After a run, _record stores the versions
 * of the tables that are now in sync. A store of NULL disables both. */
struct clxs_store;
clxs_code clxs_clone_incremental_prepare(struct clxs_ws_client *ws, const char *warehouse_id,
					 struct clxs_store *store, json_object *model, json_object *opts,
					 clxs_error *err);
void clxs_clone_incremental_record(struct clxs_store *store, json_object *model, json_object *opts,
				   json_object *result);

/* ---- rollback -------------------------------------------------------------------
 * Before a clone changes anything, clxs_rollback_prepare records what the
 * destination holds: whether the catalog existed, its schemas, views,
 * functions and volumes, and each table's current version. clxs_rollback_run
 * puts the destination back: RESTORE for tables that existed (to the
 * recorded version), DROP for what the clone created, nothing else; when
 * the clone created the catalog, the whole catalog goes. Grants, tags and
 * owners changed on objects that existed before are not reverted (listed as
 * such in the report). Records live in the LMDB store under "rollback/<id>". */
clxs_code clxs_rollback_prepare(struct clxs_ws_client *ws, const char *warehouse_id, json_object *opts,
				json_object **record, clxs_error *err);
clxs_code clxs_rollback_run(struct clxs_ws_client *ws, const char *warehouse_id, json_object *record,
			    json_object **report, clxs_error *err);

/* auto_rollback_on_failure: does this result call for a rollback? Yes when
 * any object failed, or validation found more than rollback_threshold
 * percent of the tables differing. */
bool clxs_clone_should_rollback(json_object *opts, json_object *result);
