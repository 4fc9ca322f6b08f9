/* The catalog-size collector: every `stats` run (POST /api/stats, `clxs
 * stats`) records the catalog's total size and table count of the day into
 * <audit catalog>.metrics.catalog_size_daily, the table GET
 * /api/catalog-size-history reads. Sizes are DESCRIBE DETAIL's sizeInBytes
 * summed by the stats run itself, so the collector costs three small
 * statements and no extra scan. One row per catalog and day: a later run
 * of the same day replaces it. Why not a timer: a periodic task would need
 * a list of catalogs to watch and would scan them all daily; recording what
 * users already measure is the simplest honest source (docs/analysis.md). */
#include <string.h>
#include <strings.h>

#include "an_internal.h"
#include "clxs/config.h"
#include "clxs/json.h"
#include "clxs/sql.h"

static clxs_code run(clxs_ws_client *ws, const char *wh, clxs_buf *b, clxs_error *err)
{
	clxs_ws_result r;
	memset(&r, 0, sizeof(r));
	clxs_code rc = clxs_an_sql(ws, wh, clxs_buf_str(b), &r, err);
	clxs_ws_result_free(&r);
	clxs_buf_reset(b);
	return rc;
}

/* Only a measure of the whole catalog is its size: a run that excludes
 * more than the default schemas (information_schema, default) is not. */
static bool whole_catalog(json_object *opts)
{
	json_object *ex = json_object_object_get(opts, "exclude_schemas");
	for (size_t i = 0; ex && i < json_object_array_length(ex); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(ex, i));
		if (!s || (strcasecmp(s, "information_schema") != 0 && strcasecmp(s, "default") != 0))
			return false;
	}
	return true;
}

clxs_code clxs_an_size_record(clxs_ws_client *ws, const char *wh, const clxs_an_env *env, json_object *opts,
			      json_object *stats, clxs_error *err)
{
	const char *audit = env && env->config ? clxs_config_str(env->config, "audit_trail.catalog") : NULL;
	if (!audit || !*audit)
		audit = "clone_audit";
	const char *cat = clxs_json_str(stats, "catalog", NULL);
	if (!cat || !whole_catalog(opts))
		return CLXS_OK;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = clxs_sql_appendf(&b, err, "CREATE CATALOG IF NOT EXISTS %I", audit);
	if (!rc)
		rc = run(ws, wh, &b, err);
	if (!rc && !(rc = clxs_sql_appendf(&b, err, "CREATE SCHEMA IF NOT EXISTS %Q", audit, "metrics", NULL)))
		rc = run(ws, wh, &b, err);
	if (!rc && !(rc = clxs_sql_appendf(&b, err,
					   "CREATE TABLE IF NOT EXISTS %Q (catalog STRING, date DATE,"
					   " total_bytes BIGINT, total_tables INT)",
					   audit, "metrics", "catalog_size_daily")))
		rc = run(ws, wh, &b, err);
	if (!rc && !(rc = clxs_sql_appendf(&b, err, "DELETE FROM %Q WHERE %I = %L AND %I = current_date()", audit,
					   "metrics", "catalog_size_daily", "catalog", cat, "date")))
		rc = run(ws, wh, &b, err);
	if (!rc && !(rc = clxs_sql_appendf(&b, err, "INSERT INTO %Q VALUES (%L, current_date(), %lld, %lld)", audit,
					   "metrics", "catalog_size_daily", cat,
					   (long long)clxs_json_int(stats, "total_size_bytes", 0),
					   (long long)clxs_json_int(stats, "total_tables", 0))))
		rc = run(ws, wh, &b, err);
	clxs_buf_free(&b);
	return rc;
}
