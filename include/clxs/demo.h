/* The demo catalog: a realistic source for trying clones anywhere.
 *
 * A demo catalog holds up to ten industries over bronze/silver/gold schemas:
 * tables with PK/FK and CHECK constraints, PII columns, comments,
 * properties, tags at every level, grants to a few principals, SQL
 * functions used by a column mask, a row filter and views, views that read
 * views in other schemas, a managed volume with sample files, and tables
 * with several versions of history. Every table carries the property
 * demo.generated_by = 'clone-xs' and the catalog the same property: that is
 * how a demo catalog is recognised (and the only kind the cleanup drops).
 * docs/api-catalogs.md describes the options and the content. */
#ifndef CLXS_DEMO_H
#define CLXS_DEMO_H

#include <json-c/json.h>
#include <stdint.h>

#include "clxs/error.h"

struct clxs_ws_client;

#define CLXS_DEMO_MARK_KEY "demo.generated_by"
#define CLXS_DEMO_MARK_VALUE "clone-xs"

/* The industries, NULL-terminated, in their fixed order. */
const char *const *clxs_demo_industries(void);

/* Validate a POST /api/generate/demo-data body (or the CLI's equivalent):
 * catalog_name (required), industries (default all), owner, scale_factor
 * (default 1.0, 0 < s <= 1000), batch_size (default 5000000), max_workers
 * (default 4, 1..64), storage_location, warehouse_id, drop_existing,
 * medallion, create_functions, create_volumes, start_date/end_date
 * (YYYY-MM-DD, start < end), dest_catalog (must differ from
 * catalog_name). Returns the normalised options with every default filled,
 * or NULL with CLXS_EVALIDATION naming the field in err->detail. */
json_object *clxs_demo_validate(json_object *body, clxs_error *err);

/* The OpenAPI body schema of the options. */
const char *clxs_demo_body_schema(void);

/* The build plan for validated options, deterministic for equal options:
 *   {"pre":   [sql, ...]            catalog, schemas, tables, functions
 *    "loads": [[sql, ...], ...]     one ordered list per table (its history)
 *    "post":  [sql, ...]            views, masks, filters, volume, tags, grants
 *    "files": [{"schema", "volume", "path", "content"}],
 *    "counts": {"schemas", "tables", "views", "functions", "volumes",
 *               "files", "rows", "statements"}}
 * Every statement is built with the SQL builder (quoted identifiers and
 * literals). */
json_object *clxs_demo_plan(json_object *opts, clxs_error *err);

/* Progress and cancellation for a build; every member may be NULL. The
 * callbacks are only ever called from the calling thread. */
typedef struct {
	clxs_code (*gate)(void *ud); /* non-OK stops the build with that code */
	void (*progress)(void *ud, int64_t done, int64_t total);
	void (*log)(void *ud, const char *level, const char *message);
	void *ud;
} clxs_demo_hooks;

/* Build the demo catalog on the workspace. An existing catalog of that name
 * is CLXS_ECONFLICT, unless drop_existing is set and it is a demo catalog
 * (a catalog that is not one is never dropped). Table loads run on up to
 * max_workers threads. *result: {"catalog", "industries", "scale_factor",
 * "schemas", "tables", "views", "functions", "volumes", "files", "rows",
 * "statements"}. */
clxs_code clxs_demo_build(struct clxs_ws_client *ws, const char *warehouse_id, json_object *opts,
			  const clxs_demo_hooks *hooks, json_object **result, clxs_error *err);

/* Probe one catalog (a CatalogInfo from the UC catalogs list) for the demo
 * marker: {"name", "owner", "comment", "created_at", "is_demo",
 * "num_demo_tables", "num_schemas", "num_tables", "error"}. A failure to
 * read the catalog's schemas or tables is reported in "error", not
 * returned. */
json_object *clxs_demo_probe(struct clxs_ws_client *ws, json_object *catalog_info);

/* Drop a demo catalog: CLXS_ENOTFOUND when it does not exist,
 * CLXS_ECONFLICT when it is not a demo catalog. *result: {"catalog",
 * "status": "cleaned", "schemas_dropped", "tables_dropped"}. */
clxs_code clxs_demo_drop(struct clxs_ws_client *ws, const char *warehouse_id, const char *catalog,
			 json_object **result, clxs_error *err);

#endif
