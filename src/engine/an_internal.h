/* Shared pieces of the analysis operations (src/engine/an_*.c). */
#ifndef CLXS_AN_INTERNAL_H
#define CLXS_AN_INTERNAL_H

#include <json-c/json.h>

#include "clxs/analysis.h"
#include "clxs/workspace.h"

/* One unit of per-table work: fn fills item (an object of the caller's
 * choosing, e.g. {"schema","name"}) with what it read; a failure becomes
 * item["error"]. Runs on `workers` threads (the workspace client is
 * thread-safe); items keep their order. */
typedef clxs_code (*clxs_an_item_fn)(clxs_ws_client *ws, const char *wh, json_object *item, void *ud,
				     clxs_error *err);
void clxs_an_each(clxs_ws_client *ws, const char *wh, json_object *items, int workers, clxs_an_item_fn fn,
		  void *ud);

/* The tables of a model (not views) outside the excluded schemas, as
 * items {"catalog","schema","name","table"="schema.name","model"=table}. */
json_object *clxs_an_table_items(json_object *model, json_object *opts, bool with_views);

/* DESCRIBE DETAIL into item: size_bytes, num_files, created_ms, modified_ms. */
clxs_code clxs_an_detail_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err);
/* SELECT count(*) into item: row_count. */
clxs_code clxs_an_count_fn(clxs_ws_client *ws, const char *wh, json_object *item, void *ud, clxs_error *err);

/* Discover a catalog; a missing catalog is CLXS_ENOTFOUND naming field. */
clxs_code clxs_an_discover(clxs_ws_client *ws, const char *wh, const char *catalog, const char *field,
			   json_object **model, clxs_error *err);

/* One statement, no parameters. */
clxs_code clxs_an_sql(clxs_ws_client *ws, const char *wh, const char *sql, clxs_ws_result *r, clxs_error *err);

/* ---- the deep classes of diff (an_deep.c, an_deep_read.c) ---- */

/* The class names, in output order. */
const char *const *clxs_an_deep_classes(size_t *n);
/* Is cls in opts' skip_classes? */
bool clxs_an_class_skipped(json_object *opts, const char *cls);
/* Add each class of the deep diff to out (which already holds the
 * reference's object lists), plus "summary", "total_differences",
 * "skipped_classes" and "class_errors". Pure. */
void clxs_an_diff_deep(json_object *out, json_object *src, json_object *dst, json_object *opts);
/* Add to a discovered model what the deep diff reads besides discovery:
 * tables' "properties" and "volume_files"; failures go to
 * model["read_errors"] {"class": "message"}. */
void clxs_an_deep_read(clxs_ws_client *ws, json_object *model, json_object *opts);

/* The operations that query, one file each. */
clxs_code clxs_an_validate_op(clxs_ws_client *ws, const char *wh, json_object *opts, json_object **out,
			      clxs_error *err);
/* Record a stats result's catalog size of the day in
 * <audit>.metrics.catalog_size_daily (an_size_collect.c). */
clxs_code clxs_an_size_record(clxs_ws_client *ws, const char *wh, const clxs_an_env *env, json_object *opts,
			      json_object *stats, clxs_error *err);
clxs_code clxs_an_stats_op(clxs_ws_client *ws, const char *wh, const char *op, json_object *opts,
			   json_object **out, clxs_error *err);
clxs_code clxs_an_storage_op(clxs_ws_client *ws, const char *wh, json_object *opts, json_object **out,
			     clxs_error *err);
clxs_code clxs_an_stale_op(clxs_ws_client *ws, const char *wh, json_object *opts, json_object **out,
			   clxs_error *err);
clxs_code clxs_an_profile_op(clxs_ws_client *ws, const char *wh, json_object *opts, const clxs_an_env *env,
			     json_object **out, clxs_error *err);
clxs_code clxs_an_export_op(clxs_ws_client *ws, const char *wh, json_object *opts, const clxs_an_env *env,
			    json_object **out, clxs_error *err);
clxs_code clxs_an_size_history_op(clxs_ws_client *ws, const char *wh, json_object *opts,
				  const clxs_an_env *env, json_object **out, clxs_error *err);

#endif
