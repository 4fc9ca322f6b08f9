/* The table of management operations and the one request validator they
 * share: field names, types, requiredness and defaults follow the API
 * reference (docs/manage.md lists the few deliberate extensions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_internal.h"

#define EXCL "[\"information_schema\",\"default\"]"
#define END {NULL, 0, false, NULL, NULL}
#define WH {"warehouse_id", CLXS_MG_STR, false, NULL, "SQL warehouse ID (default: the target's)"}
#define SRC {"source_catalog", CLXS_MG_STR, true, NULL, "Source catalog"}
#define DST {"destination_catalog", CLXS_MG_STR, true, NULL, "Destination catalog"}
#define EXCLUDE {"exclude_schemas", CLXS_MG_STRS, false, EXCL, "Schemas to skip"}

static const clxs_mg_field f_preflight[] = {
	SRC, DST, WH,
	{"check_write", CLXS_MG_BOOL, false, "true", "Test write permissions (creates and drops a probe schema)"},
	END};
static const clxs_mg_field f_deps[] = {
	{"catalog", CLXS_MG_STR, true, NULL, "Catalog name"},
	{"schema_name", CLXS_MG_STR, false, NULL, "Schema name (omit for the whole catalog, across schemas)"},
	WH, END};
static const clxs_mg_field f_lineage[] = {
	{"catalog", CLXS_MG_STR, true, NULL, "Catalog name"},
	{"table", CLXS_MG_STR, false, NULL, "Specific table: schema.table (or catalog.schema.table)"},
	WH, END};
static const clxs_mg_field f_impact[] = {
	{"catalog", CLXS_MG_STR, true, NULL, "Catalog name"},
	{"schema", CLXS_MG_STR, false, NULL, "Schema name"},
	{"table", CLXS_MG_STR, false, NULL, "Table name (needs schema)"},
	WH, END};
static const clxs_mg_field f_sample[] = {
	{"catalog", CLXS_MG_STR, true, NULL, "Catalog name"},
	{"schema_name", CLXS_MG_STR, true, NULL, "Schema name"},
	{"table_name", CLXS_MG_STR, true, NULL, "Table name"},
	WH,
	{"limit", CLXS_MG_INT, false, "10", "Number of rows (1..10000)"},
	END};
static const clxs_mg_field f_sample_cmp[] = {
	SRC, DST,
	{"schema_name", CLXS_MG_STR, true, NULL, "Schema name"},
	{"table_name", CLXS_MG_STR, true, NULL, "Table name"},
	WH,
	{"limit", CLXS_MG_INT, false, "5", "Number of rows (1..10000)"},
	{"order_by", CLXS_MG_STR, false, NULL, "Column to order by (default: the first column)"},
	END};
static const clxs_mg_field f_preview[] = {
	SRC,
	{"dest_catalog", CLXS_MG_STR, true, NULL, "Destination catalog"},
	{"schema", CLXS_MG_STR, true, NULL, "Schema name"},
	{"table", CLXS_MG_STR, true, NULL, "Table name"},
	{"limit", CLXS_MG_INT, false, "50", "Max rows to preview (1..10000)"},
	WH, END};
static const clxs_mg_field f_sync[] = {
	SRC, DST, WH, EXCLUDE,
	{"dry_run", CLXS_MG_BOOL, false, "false", "Preview without executing"},
	{"drop_extra", CLXS_MG_BOOL, false, "false", "Drop extra objects in dest"},
	END};
static const clxs_mg_field f_incr[] = {
	SRC, DST,
	{"schema_name", CLXS_MG_STR, true, NULL, "Schema to check"},
	WH,
	{"clone_type", CLXS_MG_STR, false, "\"DEEP\"", "Clone type: DEEP or SHALLOW"},
	{"dry_run", CLXS_MG_BOOL, false, "false", "Preview mode"},
	END};
static const clxs_mg_field f_incr_sync[] = {
	SRC, DST,
	{"schema_name", CLXS_MG_STR, true, NULL, "Schema to sync"},
	WH,
	{"clone_type", CLXS_MG_STR, false, "\"DEEP\"", "Clone type: DEEP or SHALLOW"},
	{"dry_run", CLXS_MG_BOOL, false, "false", "Preview mode"},
	{"serverless", CLXS_MG_BOOL, false, "false", "Use serverless compute (ignored: statements run on the warehouse)"},
	{"volume", CLXS_MG_STR, false, NULL, "UC Volume path (ignored: no notebook is staged)"},
	END};
static const clxs_mg_field f_monitor[] = {
	SRC, DST, WH,
	{"check_drift", CLXS_MG_BOOL, false, "true", "Check for schema drift"},
	{"check_counts", CLXS_MG_BOOL, false, "false", "Check row count mismatches"},
	EXCLUDE, END};
static const clxs_mg_field f_optimize[] = {
	{"source_catalog", CLXS_MG_STR, true, NULL, "Catalog containing tables"},
	WH,
	{"tables", CLXS_MG_ARRAY, false, NULL, "Specific tables: [{\"schema\":\"x\",\"table\":\"y\"}]"},
	{"schema_filter", CLXS_MG_STR, false, NULL, "Filter to a schema (when tables is omitted)"},
	{"dry_run", CLXS_MG_BOOL, false, "false", "Preview without executing"},
	END};
static const clxs_mg_field f_vacuum[] = {
	{"source_catalog", CLXS_MG_STR, true, NULL, "Catalog containing tables"},
	WH,
	{"tables", CLXS_MG_ARRAY, false, NULL, "Specific tables: [{\"schema\":\"x\",\"table\":\"y\"}]"},
	{"schema_filter", CLXS_MG_STR, false, NULL, "Filter to a schema (when tables is omitted)"},
	{"retention_hours", CLXS_MG_INT, false, "168", "Retention period in hours (default 7 days)"},
	{"dry_run", CLXS_MG_BOOL, false, "false", "Preview without executing"},
	END};
static const clxs_mg_field f_ev_detect[] = {
	SRC, DST,
	{"schema_name", CLXS_MG_STR, true, NULL, "Schema name"},
	{"table_name", CLXS_MG_STR, true, NULL, "Table name"},
	WH, END};
static const clxs_mg_field f_ev_apply[] = {
	DST,
	{"schema_name", CLXS_MG_STR, true, NULL, "Schema name"},
	{"table_name", CLXS_MG_STR, true, NULL, "Table name"},
	{"changes", CLXS_MG_ARRAY, true, NULL, "Changes from detect: [{\"change\", \"column\", \"source_type\", ...}]"},
	{"dry_run", CLXS_MG_BOOL, false, "true", "Only say what would run"},
	{"drop_removed", CLXS_MG_BOOL, false, "false", "Drop columns the source no longer has"},
	WH, END};
static const clxs_mg_field f_ev_catalog[] = {
	SRC, DST, EXCLUDE,
	{"dry_run", CLXS_MG_BOOL, false, "true", "Only say what would run"},
	{"drop_removed", CLXS_MG_BOOL, false, "false", "Drop columns the source no longer has"},
	{"max_workers", CLXS_MG_INT, false, "4", "Accepted for compatibility; tables are evolved one by one"},
	WH, END};

static const clxs_mg_field f_snapshot[] = {
	{"source_catalog", CLXS_MG_STR, true, NULL, "Catalog to capture"},
	{"name", CLXS_MG_STR, true, NULL, "Human-readable label"},
	{"description", CLXS_MG_STR, false, NULL, "Free-text context shown in listings"},
	EXCLUDE, WH, END};
static const clxs_mg_field f_convert[] = {
	{"targets", CLXS_MG_ARRAY, true, NULL,
	 "At least one: [{\"fqn\": \"catalog.schema.table\", \"source_format\": \"ICEBERG\"|\"PARQUET\"|\"DELTA\"}]"},
	WH,
	{"confirm_destructive", CLXS_MG_BOOL, false, "false",
	 "Explicit acknowledgement that the source table will be rewritten (required unless dry_run)"},
	{"dry_run", CLXS_MG_BOOL, false, "false", "Say the SQL, run nothing (no confirmation needed)"},
	END};

static const clxs_mg_field f_msnap[] = {
	{"source_catalog", CLXS_MG_STR, true, NULL, "Catalog to snapshot"},
	WH, EXCLUDE,
	{"output_path", CLXS_MG_STR, false, NULL,
	 "File name in the exports folder (\"prod.json\" or \"exports/prod.json\"); default <catalog>_snapshot_<time>.json"},
	END};

/* usage (mg_usage.c) */
static const clxs_mg_field f_table_usage[] = {
	{"catalog", CLXS_MG_STR, true, NULL, "Catalog name"},
	{"schema_name", CLXS_MG_STR, false, NULL, "Filter by schema"},
	WH,
	{"limit", CLXS_MG_INT, false, "10", "Max tables to return (1..10000)"},
	END};
static const clxs_mg_field f_column_usage[] = {
	{"catalog", CLXS_MG_STR, true, NULL, "Catalog name"},
	{"schema_name", CLXS_MG_STR, false, NULL, "Filter by schema"},
	WH,
	{"use_system_tables", CLXS_MG_BOOL, false, "false", "Use system.access.column_lineage for usage data"},
	{"include_query_history", CLXS_MG_BOOL, false, "false", "Include the statements of system.query.history"},
	END};
static const clxs_mg_field f_check_po[] = {
	{"source_catalog", CLXS_MG_STR, true, NULL, "Catalog to check"},
	WH, EXCLUDE, END};

const clxs_mg_op clxs_mg_ops[] = {
	{"table-usage", "table-usage", "Most used tables of a catalog (statements reading or writing them).",
	 f_table_usage, clxs_mg_table_usage, 0, NULL},
	{"column-usage", "column-usage", "Column usage analytics for a catalog.", f_column_usage,
	 clxs_mg_column_usage, 0, NULL},
	{"check-predictive-optimization", "check-predictive-optimization",
	 "Check if Predictive Optimization is enabled for a catalog and its schemas.", f_check_po, clxs_mg_check_po,
	 0, NULL},
	{"snapshot", "snapshot", "Create a point-in-time metadata snapshot of a catalog (a JSON file in the exports folder).",
	 f_msnap, clxs_mg_metadata_snapshot, 0, NULL},
	{"clone-snapshots", "clone-snapshot", "Capture a named snapshot of a catalog's current Delta-version state.",
	 f_snapshot, clxs_mg_snapshot_create, 0, NULL},
	{"convert-to-delta", "convert", "Convert UC tables in place from Parquet or Iceberg to Delta.", f_convert,
	 clxs_mg_convert, 0, NULL},
	{"preflight", "preflight", "Run pre-flight checks before cloning (permissions, connectivity, catalog existence).",
	 f_preflight, clxs_mg_preflight, 0, NULL},
	{"dependencies/views", "view-deps", "Get the view dependency graph for a schema (or the whole catalog).",
	 f_deps, clxs_mg_deps_views, 0, NULL},
	{"dependencies/functions", "function-deps", "Get the function dependency graph for a schema.", f_deps,
	 clxs_mg_deps_functions, 0, NULL},
	{"dependencies/order", "view-order",
	 "Get topologically sorted creation order for views (views after the views they read).", f_deps,
	 clxs_mg_deps_order, 0, NULL},
	{"lineage", "lineage", "Query lineage for a catalog or table.", f_lineage, clxs_mg_lineage, 0, NULL},
	{"impact", "impact", "Analyze downstream impact of changes to a catalog, schema, or table.", f_impact,
	 clxs_mg_impact, 0, NULL},
	{"sample", "sample", "Get sample rows from a table.", f_sample, clxs_mg_sample, 0, NULL},
	{"sample/compare", "sample-compare", "Compare sample rows between source and destination tables.",
	 f_sample_cmp, clxs_mg_sample_compare, 0, NULL},
	{"preview", "preview", "Preview source vs destination data side by side.", f_preview, clxs_mg_preview, 0,
	 NULL},
	{"sync", "sync", "Submit a catalog sync as a background job (schema/table/view structure).", f_sync,
	 clxs_mg_sync, CLXS_MG_JOB, "Sync job submitted"},
	{"incremental/check", "incremental-check", "Find tables that have changed since the last sync.", f_incr,
	 clxs_mg_incr_check, 0, NULL},
	{"incremental/sync", "incremental-sync", "Submit an incremental sync job (only syncs changed tables).",
	 f_incr_sync, clxs_mg_incr_sync, CLXS_MG_JOB, "Incremental sync job submitted"},
	{"monitor", "monitor", "Run a single monitoring check between source and destination catalogs.", f_monitor,
	 clxs_mg_monitor, CLXS_MG_QUERY, NULL},
	{"optimize", "optimize", "Run OPTIMIZE on selected tables to compact small files.", f_optimize,
	 clxs_mg_optimize, 0, NULL},
	{"vacuum", "vacuum", "Run VACUUM on selected tables to reclaim storage from old files.", f_vacuum,
	 clxs_mg_vacuum, 0, NULL},
	{"schema-evolution/detect", "schema-evolve-detect", "Compare source and destination schemas of a table.",
	 f_ev_detect, clxs_mg_evolve_detect, 0, NULL},
	{"schema-evolution/apply", "schema-evolve-apply", "Apply detected changes as ALTER TABLE.", f_ev_apply,
	 clxs_mg_evolve_apply, 0, NULL},
	{"schema-evolution/evolve-catalog", "schema-evolve",
	 "Detect and apply schema changes across every table in a catalog.", f_ev_catalog, clxs_mg_evolve_catalog, 0,
	 NULL},
};
const size_t clxs_mg_nops = sizeof(clxs_mg_ops) / sizeof(clxs_mg_ops[0]);

const clxs_mg_op *clxs_mg_op_find(const char *name)
{
	for (size_t i = 0; name && i < clxs_mg_nops; i++)
		if (!strcmp(clxs_mg_ops[i].name, name))
			return &clxs_mg_ops[i];
	return NULL;
}

const clxs_mg_op *clxs_mg_op_find_cli(const char *cli)
{
	for (size_t i = 0; cli && i < clxs_mg_nops; i++)
		if (clxs_mg_ops[i].cli && !strcmp(clxs_mg_ops[i].cli, cli))
			return &clxs_mg_ops[i];
	return NULL;
}

static const char *type_name(clxs_mg_type t)
{
	switch (t) {
	case CLXS_MG_STR: return "string";
	case CLXS_MG_BOOL: return "boolean";
	case CLXS_MG_INT: return "integer";
	case CLXS_MG_STRS: return "array of strings";
	case CLXS_MG_ARRAY: return "array";
	}
	return "value";
}

static bool type_ok(clxs_mg_type t, json_object *v)
{
	switch (t) {
	case CLXS_MG_STR: return json_object_is_type(v, json_type_string);
	case CLXS_MG_BOOL: return json_object_is_type(v, json_type_boolean);
	case CLXS_MG_INT: return json_object_is_type(v, json_type_int);
	case CLXS_MG_ARRAY: return json_object_is_type(v, json_type_array);
	case CLXS_MG_STRS:
		if (!json_object_is_type(v, json_type_array))
			return false;
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
				return false;
		return true;
	}
	return false;
}

json_object *clxs_mg_validate(const clxs_mg_op *op, json_object *body, clxs_error *err)
{
	if (body && !json_object_is_type(body, json_type_object)) {
		clxs_fail(err, CLXS_EINVAL, NULL, "the request body must be a JSON object");
		return NULL;
	}
	if (body) {
		json_object_object_foreach(body, key, val)
		{
			(void)val;
			const clxs_mg_field *f = op->fields;
			while (f->name && strcmp(f->name, key) != 0)
				f++;
			if (!f->name) {
				clxs_fail(err, CLXS_EVALIDATION, key, "unknown field '%s' for %s", key, op->name);
				return NULL;
			}
		}
	}
	json_object *out = json_object_new_object();
	for (const clxs_mg_field *f = op->fields; f->name; f++) {
		json_object *v = json_object_object_get(body, f->name);
		if (v && !type_ok(f->type, v)) {
			clxs_fail(err, CLXS_EVALIDATION, f->name, "%s must be a %s", f->name, type_name(f->type));
			goto fail;
		}
		/* An empty string is no value: warehouse_id "" means the default. */
		if (v && f->type == CLXS_MG_STR && !*json_object_get_string(v))
			v = NULL;
		if (!v && f->required) {
			clxs_fail(err, CLXS_EVALIDATION, f->name, "%s is required", f->name);
			goto fail;
		}
		if (v)
			json_object_object_add(out, f->name, json_object_get(v));
		else if (f->dflt)
			json_object_object_add(out, f->name, json_tokener_parse(f->dflt));
	}
	/* Ranges and enums the types cannot say. */
	int64_t limit = clxs_json_int(out, "limit", 1);
	if (limit < 1 || limit > 10000) {
		clxs_fail(err, CLXS_EVALIDATION, "limit", "limit must be between 1 and 10000");
		goto fail;
	}
	if (clxs_json_int(out, "retention_hours", 0) < 0) {
		clxs_fail(err, CLXS_EVALIDATION, "retention_hours", "retention_hours must not be negative");
		goto fail;
	}
	const char *ct = clxs_json_str(out, "clone_type", NULL);
	if (ct && strcmp(ct, "DEEP") != 0 && strcmp(ct, "SHALLOW") != 0) {
		clxs_fail(err, CLXS_EVALIDATION, "clone_type", "clone_type must be DEEP or SHALLOW");
		goto fail;
	}
	if (!strcmp(op->name, "convert-to-delta")) {
		json_object *targets = json_object_object_get(out, "targets");
		if (json_object_array_length(targets) == 0) {
			clxs_fail(err, CLXS_EVALIDATION, "targets", "targets needs at least one table");
			goto fail;
		}
		for (size_t i = 0; i < json_object_array_length(targets); i++) {
			json_object *t = json_object_array_get_idx(targets, i);
			char parts[3][256];
			if (!json_object_is_type(t, json_type_object) || !clxs_json_str(t, "source_format", NULL) ||
			    mg_split_fqn(clxs_json_str(t, "fqn", ""), parts) != 3) {
				clxs_fail(err, CLXS_EVALIDATION, "targets",
					  "targets[%zu] must be {\"fqn\": \"catalog.schema.table\", \"source_format\": ...}", i);
				goto fail;
			}
		}
		/* The first gate (the operation checks again). */
		if (!clxs_json_bool(out, "dry_run", false) && !clxs_json_bool(out, "confirm_destructive", false)) {
			clxs_fail(err, CLXS_EVALIDATION, "confirm_destructive",
				  "converting rewrites the source tables: set confirm_destructive to true (or dry_run)");
			goto fail;
		}
	}
	const char *path = clxs_json_str(out, "output_path", NULL);
	if (path) {
		/* A file of the exports folder, nothing else. */
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (!*base || base[0] == '.' || strlen(base) > 200 ||
		    (base != path && (strncmp(path, "exports/", 8) != 0 || strchr(path + 8, '/')))) {
			clxs_fail(err, CLXS_EVALIDATION, "output_path",
				  "output_path must be a file name inside the exports folder (\"x.json\" or \"exports/x.json\")");
			goto fail;
		}
	}
	json_object *tables = json_object_object_get(out, "tables");
	for (size_t i = 0; tables && i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);
		if (!json_object_is_type(t, json_type_object) || !clxs_json_str(t, "schema", NULL) ||
		    !clxs_json_str(t, "table", NULL)) {
			clxs_fail(err, CLXS_EVALIDATION, "tables", "tables[%zu] must be {\"schema\": ..., \"table\": ...}", i);
			goto fail;
		}
	}
	return out;
fail:
	json_object_put(out);
	return NULL;
}

static const char *schema_type(clxs_mg_type t)
{
	switch (t) {
	case CLXS_MG_STR: return "{\"type\":\"string\"}";
	case CLXS_MG_BOOL: return "{\"type\":\"boolean\"}";
	case CLXS_MG_INT: return "{\"type\":\"integer\"}";
	case CLXS_MG_STRS: return "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}";
	case CLXS_MG_ARRAY: return "{\"type\":\"array\"}";
	}
	return "{}";
}

const char *clxs_mg_body_schema(const char *name)
{
	/* Built once per process; API workers are single-threaded. */
	static json_object *cache[64];
	const clxs_mg_op *op = clxs_mg_op_find(name);
	if (!op || (size_t)(op - clxs_mg_ops) >= 64)
		return "{\"type\":\"object\"}";
	size_t idx = (size_t)(op - clxs_mg_ops);
	if (!cache[idx]) {
		json_object *s = json_object_new_object(), *props = json_object_new_object(),
			    *req = json_object_new_array();
		clxs_json_set_str(s, "type", "object");
		for (const clxs_mg_field *f = op->fields; f->name; f++) {
			json_object *p = json_tokener_parse(schema_type(f->type));
			clxs_json_set_str(p, "description", f->description);
			if (f->dflt)
				json_object_object_add(p, "default", json_tokener_parse(f->dflt));
			json_object_object_add(props, f->name, p);
			if (f->required)
				mg_push(req, f->name);
		}
		json_object_object_add(s, "required", req);
		json_object_object_add(s, "properties", props);
		json_object_object_add(s, "additionalProperties", json_object_new_boolean(0));
		cache[idx] = s;
	}
	return json_object_to_json_string_ext(cache[idx], JSON_C_TO_STRING_PLAIN);
}

clxs_code clxs_mg_run(const clxs_mg_op *op, clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_mg_ctx local = *c;
	const char *wh = clxs_json_str(req, "warehouse_id", NULL);
	if (wh)
		local.warehouse_id = wh;
	return op->run(&local, req, out, err);
}
