/* Management operations: the day-two tools around a clone (preflight,
 * dependencies, lineage, impact, sampling, preview, structure sync,
 * incremental sync, monitor, maintenance, snapshots, schema evolution,
 * convert to Delta).
 *
 * Every operation is one row of a table (src/engine/mg_ops.c): its name, its
 * request fields (type, required, default) and the function that runs it.
 * The API, the CLI and the runner all go through the same table, so a field
 * is validated the same way everywhere and the OpenAPI body schema is
 * generated from it. An operation takes a validated request object (every
 * field present, defaults filled) and returns a JSON result; it reaches the
 * catalog only through the workspace client. See docs/manage.md. */
#ifndef CLXS_MANAGE_H
#define CLXS_MANAGE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "clxs/error.h"

struct clxs_ws_client;
struct clxs_store;

/* Where and with what an operation runs. */
typedef struct {
	struct clxs_ws_client *ws;
	const char *warehouse_id;   /* the target's default warehouse */
	struct clxs_store *store;   /* LMDB state (incremental sync state); may be NULL */
	json_object *config;        /* loaded config (audit_trail.*); may be NULL */
	const char *state_dir;      /* STATE: files go to STATE/exports only; may be NULL */
	/* Progress lines of a long operation (a job's log); may be NULL. */
	void (*log)(void *ud, const char *level, const char *message);
	/* CLXS_OK to go on; anything else stops between statements. May be NULL. */
	clxs_code (*gate)(void *ud);
	void *ud;
} clxs_mg_ctx;

typedef clxs_code (*clxs_mg_fn)(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);

/* Field types of a request. */
typedef enum {
	CLXS_MG_STR = 1, /* string */
	CLXS_MG_BOOL,    /* boolean */
	CLXS_MG_INT,     /* integer */
	CLXS_MG_STRS,    /* array of strings */
	CLXS_MG_ARRAY,   /* array of anything (checked by the operation) */
} clxs_mg_type;

typedef struct {
	const char *name;
	clxs_mg_type type;
	bool required;
	const char *dflt;        /* JSON text of the default, NULL = absent */
	const char *description;
} clxs_mg_field;

enum {
	CLXS_MG_JOB = 1u << 0,   /* runs as a background job (API answers job_id) */
	CLXS_MG_QUERY = 1u << 1, /* fields come from the query string (POST /api/monitor) */
};

typedef struct {
	const char *name;        /* "preflight", "dependencies/views", ... (API path after /api/) */
	const char *cli;         /* CLI command name, NULL = API only */
	const char *summary;
	const clxs_mg_field *fields; /* terminated by a NULL name */
	clxs_mg_fn run;
	unsigned flags;
	const char *job_message; /* "Sync job submitted" for CLXS_MG_JOB */
} clxs_mg_op;

/* The operation table. */
extern const clxs_mg_op clxs_mg_ops[];
extern const size_t clxs_mg_nops;
const clxs_mg_op *clxs_mg_op_find(const char *name);
const clxs_mg_op *clxs_mg_op_find_cli(const char *cli);

/* Validate a request against op's fields: unknown fields, wrong types and
 * missing required fields are CLXS_EVALIDATION with err->detail naming the
 * field. Returns a new object with every field of the table (defaults
 * filled; a field without a default and not given is left out). body may
 * be NULL (no body). */
json_object *clxs_mg_validate(const clxs_mg_op *op, json_object *body, clxs_error *err);
/* The request JSON schema of op, as text (owned by the library). */
const char *clxs_mg_body_schema(const char *name);

/* Run op on an already validated request. */
clxs_code clxs_mg_run(const clxs_mg_op *op, clxs_mg_ctx *c, json_object *req, json_object **out,
		      clxs_error *err);

/* ---- operations (one file each, src/engine/mg_*.c) ---------------------- */
clxs_code clxs_mg_preflight(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
/* usage (mg_usage.c) */
clxs_code clxs_mg_table_usage(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_column_usage(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_check_po(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_deps_views(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_deps_functions(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_deps_order(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_lineage(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_impact(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_sample(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_sample_compare(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_preview(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_sync(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_incr_check(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_incr_sync(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_monitor(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_optimize(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_vacuum(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_evolve_detect(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_evolve_apply(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_metadata_snapshot(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_evolve_catalog(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);

/* Clone snapshots in <audit>.clone_snapshots (mg_snapshots.c). */
clxs_code clxs_mg_snapshot_create(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_snapshot_list(clxs_mg_ctx *c, const char *source_catalog, json_object **out, clxs_error *err);
/* CLXS_ENOTFOUND (detail snapshot_id) when there is no such snapshot. */
clxs_code clxs_mg_snapshot_get(clxs_mg_ctx *c, const char *id, json_object **out, clxs_error *err);
/* Idempotent: {snapshot_id, deleted: true} whether or not it existed. */
clxs_code clxs_mg_snapshot_delete(clxs_mg_ctx *c, const char *id, json_object **out, clxs_error *err);
/* CONVERT TO DELTA with its audit trail (mg_convert.c). filters of the
 * history: {"limit", "status", "fqn_like", "dry_run", "operation_id"}. */
clxs_code clxs_mg_convert(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err);
clxs_code clxs_mg_convert_history(clxs_mg_ctx *c, json_object *filters, json_object **out, clxs_error *err);

/* ---- the dependency graph (mg_deps.c), shared by sync and lineage -------- *
 * Objects of a catalog that other objects read, keyed "schema.name", and the
 * edges from view and function bodies found with the SQL tokenizer:
 *   {"objects": {"s.n": {"schema", "name", "kind": "TABLE"|"VIEW"|"FUNCTION",
 *                        "definition"}},
 *    "edges": [{"from": "s.n" (the reader), "to": "s.n" or "c.s.n" (read)}]}
 * References to other catalogs are kept three-part in "to". */
clxs_code clxs_mg_dep_graph(clxs_mg_ctx *c, const char *catalog, json_object **graph, clxs_error *err);
/* Kahn's algorithm over the edges between the given keys (array of "s.n"):
 * readers after what they read, ties by name. Keys in a cycle are appended
 * at the end and listed in *cycles (may be NULL). */
json_object *clxs_mg_topo_order(json_object *graph, json_object *keys, json_object **cycles);

#endif
