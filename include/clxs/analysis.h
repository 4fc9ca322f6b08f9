/* Analysis operations: the day-two tools around a clone (Analysis and Deep
 * Profiling sections of the API reference). Each operation is one function
 * of the engine; the API handler and the CLI command both go through
 * clxs_an_validate (the request's fields, types and defaults) and
 * clxs_an_run (the operation itself), so the two can never disagree.
 *
 * Catalog models come from clxs_clone_discover (one bulk query per
 * information_schema view); per-table facts (sizes, counts, history) are
 * read on max_workers threads. The model operations (diff, compare, drift,
 * search, permissions audit) are pure functions and unit-tested as such. */
#ifndef CLXS_ANALYSIS_H
#define CLXS_ANALYSIS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "clxs/error.h"

struct clxs_ws_client;

/* Validate the request body of operation op ("diff", "compare", "validate",
 * "schema-drift", "diff-detail", "stats", "search", "profile", "estimate",
 * "storage-metrics", "export", "permissions-audit", "stale-scan",
 * "catalog-size-history", "profile-table", "profile-results"). Returns a new
 * object with every field of the operation (defaults filled in; config may
 * supply warehouse_id and exclude_schemas), or NULL with CLXS_EVALIDATION
 * and err->detail naming the field (CLXS_ENOTFOUND for an unknown op). */
json_object *clxs_an_validate(const char *op, json_object *body, json_object *config, clxs_error *err);

/* JSON schema of op's body for the OpenAPI document (static storage). */
const char *clxs_an_body_schema(const char *op);

/* Where an operation may write files (export, profile output_path): the
 * folder STATE/exports. Names are confined to it. */
typedef struct {
	const char *state_dir; /* may be NULL: file output is then refused */
	json_object *config;   /* may be NULL */
} clxs_an_env;

/* Run op with validated options on a workspace. *out gets the response
 * object of the API reference. A catalog that does not exist is
 * CLXS_ENOTFOUND naming the field. */
clxs_code clxs_an_run(struct clxs_ws_client *ws, const char *warehouse_id, const char *op, json_object *opts,
		      const clxs_an_env *env, json_object **out, clxs_error *err);

/* ---- pure operations over discovered models ------------------------------------ */

/* Is schema excluded by opts' exclude_schemas (and include_schemas when
 * given)? Case-insensitive, as Unity Catalog names are. */
bool clxs_an_schema_skipped(json_object *opts, const char *schema);

json_object *clxs_an_diff(json_object *src, json_object *dst, json_object *opts);
json_object *clxs_an_compare(json_object *src, json_object *dst, json_object *opts);
json_object *clxs_an_schema_drift(json_object *src, json_object *dst, json_object *opts);
/* sizes: {"schema.table": bytes} of each side, may be NULL. */
json_object *clxs_an_diff_detail(json_object *src, json_object *dst, json_object *opts, json_object *src_sizes,
				 json_object *dst_sizes);
/* NULL with err when the pattern is not a valid regular expression. */
json_object *clxs_an_search(json_object *model, json_object *opts, clxs_error *err);
json_object *clxs_an_permissions_audit(json_object *model, json_object *opts);

/* Risk of one table grant: "CRITICAL", "HIGH", "MEDIUM", "LOW" or NULL
 * (not a finding). pii escalates one level. */
const char *clxs_an_grant_risk(const char *principal, const char *privilege, bool pii);
bool clxs_an_is_public_group(const char *principal);

/* Stale-scan classification of one table: NULL when not a finding,
 * otherwise the risk level, with the suggested action in *action. */
const char *clxs_an_stale_risk(double idle_days, int days_threshold, long long size_bytes, bool is_orphan,
			       bool small_files, const char **action);

/* ---- profiling ------------------------------------------------------------------ */

/* Profile what `from_sql` yields: a complete query (profile-results) or
 * NULL to profile table fqn (catalog.schema.table) with sample_limit.
 * Two statements: a LIMIT 0 probe for the result's columns, then one
 * statement that computes every statistic over a CTE of the query. */
clxs_code clxs_an_profile_source(struct clxs_ws_client *ws, const char *wh, const char *fqn, const char *from_sql,
				 long long sample_limit, int top_n, int bins, json_object **out, clxs_error *err);

/* A user query fit for wrapping: one statement that starts with SELECT,
 * WITH, VALUES or FROM, brackets balanced. */
clxs_code clxs_an_check_query(const char *sql, clxs_error *err);

/* ---- files ---------------------------------------------------------------------- */

/* Write data into STATE/exports/name (created 0750), refusing names with
 * '/' or starting with '.', and symlinks. *rel gets "exports/name". */
clxs_code clxs_an_write_export(const char *state_dir, const char *name, const char *data, size_t len,
			       char *rel, size_t rel_len, clxs_error *err);

#endif
