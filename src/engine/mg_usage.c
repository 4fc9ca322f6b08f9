/* Usage analytics: POST /api/table-usage, POST /api/column-usage and
 * POST /api/check-predictive-optimization.
 *
 * Usage comes from the system tables: system.access.table_lineage and
 * system.access.column_lineage (which tables and columns each statement
 * read or wrote) and system.query.history (the statements). Databricks has
 * them when system tables are enabled; the embedded lakehouse records them
 * for every statement it runs (src/lakehouse/lh_history.c). When they
 * cannot be read the answer is a 200 with an "error" and no rows, never a
 * 500 (the reference's "graceful error"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_internal.h"

/* "2026-03-17 10:30:00.123" -> "2026-03-17T10:30:00Z" (Databricks may
 * already answer ISO 8601; that is kept as it is). */
static void iso_time(json_object *o, const char *key, const char *ts)
{
	if (!ts) {
		json_object_object_add(o, key, NULL);
		return;
	}
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", ts);
	if (strlen(buf) >= 19 && (buf[10] == ' ' || buf[10] == 'T')) {
		buf[10] = 'T';
		buf[19] = 'Z';
		buf[20] = '\0';
	}
	clxs_json_set_str(o, key, buf);
}

static int64_t cell_int(const clxs_ws_result *r, size_t row, const char *col)
{
	const char *v = mg_cell(r, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

/* Answer without rows, saying why the system tables could not be read. */
static void unavailable(json_object *o, const char *list, const char *table, const clxs_error *e)
{
	json_object_object_add(o, list, json_object_new_array());
	clxs_json_set_str(o, "source", table);
	char msg[1200];
	snprintf(msg, sizeof(msg), "%s is not available: %s", table, e->message);
	clxs_json_set_str(o, "error", msg);
}

clxs_code clxs_mg_table_usage(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", NULL), *sch = clxs_json_str(req, "schema_name", NULL);
	int64_t limit = clxs_json_int(req, "limit", 10);
	clxs_ws_param p[2] = {{"cat", cat, "STRING"}, {"sch", sch ? sch : "", "STRING"}};
	clxs_ws_result r = {0};
	clxs_error e;
	clxs_error_clear(&e);
	/* A table is used by a statement that reads it or writes it. */
	clxs_code rc = mg_sqlp(
		c, &r, p, 2, &e,
		"SELECT s, t, count(DISTINCT statement_id) AS query_count, max(event_time) AS last_accessed FROM ("
		"SELECT source_table_schema AS s, source_table_name AS t, statement_id, event_time FROM %K"
		" WHERE lower(source_table_catalog) = lower(:cat)"
		" UNION ALL SELECT target_table_schema AS s, target_table_name AS t, statement_id, event_time FROM %K"
		" WHERE lower(target_table_catalog) = lower(:cat)) u"
		" WHERE t IS NOT NULL AND (:sch = '' OR lower(s) = lower(:sch))"
		" GROUP BY s, t ORDER BY query_count DESC, s, t LIMIT %lld",
		"system.access.table_lineage", "system.access.table_lineage", (long long)limit);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	if (rc) {
		unavailable(o, "tables", "system.access.table_lineage", &e);
	} else {
		json_object *tables = json_object_new_array();
		for (size_t i = 0; i < r.nrows; i++) {
			json_object *t = json_object_new_object();
			char key[600];
			clxs_json_set_str(t, "table", mg_key(key, sizeof(key), mg_cell(&r, i, "s"), mg_cell(&r, i, "t")));
			clxs_json_set_int(t, "query_count", cell_int(&r, i, "query_count"));
			iso_time(t, "last_accessed", mg_cell(&r, i, "last_accessed"));
			json_object_array_add(tables, t);
		}
		json_object_object_add(o, "tables", tables);
		clxs_json_set_str(o, "source", "system.access.table_lineage");
	}
	clxs_ws_result_free(&r);
	(void)err;
	*out = o;
	return CLXS_OK;
}

/* Statements of the history that touched the catalog, newest first. */
static json_object *recent_queries(clxs_mg_ctx *c, const char *cat, json_object *o)
{
	clxs_ws_param p = {"cat", cat, "STRING"};
	clxs_ws_result r = {0};
	clxs_error e;
	clxs_error_clear(&e);
	clxs_code rc = mg_sqlp(c, &r, &p, 1, &e,
			       "SELECT statement_id, executed_by, execution_status, start_time, statement_text FROM %K"
			       " WHERE statement_id IN (SELECT statement_id FROM %K"
			       " WHERE lower(source_table_catalog) = lower(:cat) OR lower(target_table_catalog) = lower(:cat))"
			       " ORDER BY start_time DESC LIMIT 100",
			       "system.query.history", "system.access.table_lineage");
	json_object *a = json_object_new_array();
	if (rc) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "system.query.history is not available: %s", e.message);
		clxs_json_set_str(o, "query_history_error", msg);
	}
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		json_object *q = json_object_new_object();
		clxs_json_set_str(q, "statement_id", mg_cell(&r, i, "statement_id"));
		clxs_json_set_str(q, "executed_by", mg_cell(&r, i, "executed_by"));
		clxs_json_set_str(q, "execution_status", mg_cell(&r, i, "execution_status"));
		iso_time(q, "start_time", mg_cell(&r, i, "start_time"));
		clxs_json_set_str(q, "statement_text", mg_cell(&r, i, "statement_text"));
		json_object_array_add(a, q);
	}
	clxs_ws_result_free(&r);
	return a;
}

clxs_code clxs_mg_column_usage(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "catalog", NULL), *sch = clxs_json_str(req, "schema_name", NULL);
	bool sys = clxs_json_bool(req, "use_system_tables", false);
	clxs_ws_param p[2] = {{"cat", cat, "STRING"}, {"sch", sch ? sch : "", "STRING"}};
	clxs_ws_result r = {0};
	clxs_error e;
	clxs_error_clear(&e);
	bool exists = false;
	clxs_code rc = mg_catalog_exists(c, cat, &exists, err);
	if (rc)
		return rc;
	if (!exists)
		return clxs_fail(err, CLXS_ENOTFOUND, "catalog", "catalog %s not found", cat);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	if (sys) {
		rc = mg_sqlp(c, &r, p, 2, &e,
			     "SELECT s, t, col, count(DISTINCT statement_id) AS usage_count FROM ("
			     "SELECT source_table_schema AS s, source_table_name AS t, source_column_name AS col,"
			     " statement_id FROM %K WHERE lower(source_table_catalog) = lower(:cat)"
			     " UNION ALL SELECT target_table_schema AS s, target_table_name AS t,"
			     " target_column_name AS col, statement_id FROM %K"
			     " WHERE lower(target_table_catalog) = lower(:cat)) u"
			     " WHERE col IS NOT NULL AND (:sch = '' OR lower(s) = lower(:sch))"
			     " GROUP BY s, t, col ORDER BY usage_count DESC, s, t, col LIMIT 10000",
			     "system.access.column_lineage", "system.access.column_lineage");
		if (!rc) {
			clxs_json_set_str(o, "source", "system.access.column_lineage");
			clxs_json_set_bool(o, "fallback", false);
		} else {
			char msg[1200];
			snprintf(msg, sizeof(msg), "system.access.column_lineage is not available: %s", e.message);
			clxs_json_set_str(o, "error", msg);
			clxs_ws_result_free(&r);
			memset(&r, 0, sizeof(r));
		}
	}
	if (!sys || rc) {
		/* The fast mode (and the fallback): the catalog's columns from
		 * information_schema, which knows no usage, so every count is 0. */
		clxs_error_clear(&e);
		rc = mg_sqlp(c, &r, p, 2, &e,
			     "SELECT table_schema AS s, table_name AS t, column_name AS col, 0 AS usage_count FROM %Q"
			     " WHERE table_schema <> 'information_schema' AND (:sch = '' OR lower(table_schema) = lower(:sch))"
			     " ORDER BY s, t, ordinal_position LIMIT 10000",
			     cat, "information_schema", "columns");
		if (rc) {
			json_object_put(o);
			clxs_ws_result_free(&r);
			*err = e;
			return rc;
		}
		clxs_json_set_str(o, "source", "information_schema.columns");
		clxs_json_set_bool(o, "fallback", sys);
	}
	json_object *cols = json_object_new_array();
	for (size_t i = 0; i < r.nrows; i++) {
		json_object *x = json_object_new_object();
		char key[600];
		clxs_json_set_str(x, "column", mg_cell(&r, i, "col"));
		clxs_json_set_str(x, "table", mg_key(key, sizeof(key), mg_cell(&r, i, "s"), mg_cell(&r, i, "t")));
		clxs_json_set_int(x, "usage_count", cell_int(&r, i, "usage_count"));
		json_object_array_add(cols, x);
	}
	json_object_object_add(o, "columns", cols);
	clxs_ws_result_free(&r);
	if (clxs_json_bool(req, "include_query_history", false))
		json_object_object_add(o, "query_history", recent_queries(c, cat, o));
	*out = o;
	return CLXS_OK;
}

/* Predictive optimization is a property Databricks shows in DESCRIBE
 * CATALOG/SCHEMA EXTENDED ("Predictive Optimization": ENABLE, DISABLE or
 * INHERIT (from ...)). The embedded lakehouse has no such row: it does not
 * run predictive optimization, and the answer says so. */
static const char *po_value(const clxs_ws_result *r, char *why, size_t len)
{
	int k = clxs_ws_result_col(r, "info_name"), v = clxs_ws_result_col(r, "info_value");
	if (k < 0) {
		k = 0;
		v = 1;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		const char *name = clxs_ws_result_cell(r, i, (size_t)k);
		if (name && strstr(name, "Predictive Optimization"))
			return clxs_ws_result_cell(r, i, (size_t)v);
	}
	snprintf(why, len, "predictive optimization is not available on this workspace"
			   " (DESCRIBE ... EXTENDED reports no Predictive Optimization setting)");
	return NULL;
}

static json_object *po_entry(const char *level, const char *name, const char *value, const char *why)
{
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "level", level);
	clxs_json_set_str(o, "name", name);
	bool enabled = value && !strncmp(value, "ENABLE", 6);
	clxs_json_set_str(o, "status", value ? value : "NOT_AVAILABLE");
	clxs_json_set_bool(o, "enabled", enabled);
	if (!value)
		clxs_json_set_str(o, "reason", why);
	return o;
}

clxs_code clxs_mg_check_po(clxs_mg_ctx *c, json_object *req, json_object **out, clxs_error *err)
{
	const char *cat = clxs_json_str(req, "source_catalog", NULL);
	char why[600] = "";
	bool exists = false;
	clxs_code rc = mg_catalog_exists(c, cat, &exists, err);
	if (rc)
		return rc;
	if (!exists)
		return clxs_fail(err, CLXS_ENOTFOUND, "source_catalog", "catalog %s not found", cat);
	clxs_ws_result r = {0};
	clxs_error de;
	clxs_error_clear(&de);
	const char *cv = NULL;
	if (mg_sql(c, &r, &de, "DESCRIBE CATALOG EXTENDED %I", cat) == CLXS_OK)
		cv = po_value(&r, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "predictive optimization is not available on this target: %s", de.message);
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "catalog", cat);
	json_object_object_add(o, "catalog_status", po_entry("CATALOG", cat, cv, why));
	bool any = cv && !strncmp(cv, "ENABLE", 6);
	clxs_ws_result_free(&r);
	memset(&r, 0, sizeof(r));
	json_object *schemas = json_object_new_array();
	rc = mg_sql(c, &r, err, "SELECT schema_name FROM %Q ORDER BY schema_name", cat, "information_schema",
		    "schemata");
	for (size_t i = 0; !rc && i < r.nrows; i++) {
		const char *s = clxs_ws_result_cell(&r, i, 0);
		if (!s || mg_excluded(req, s))
			continue;
		clxs_ws_result d = {0};
		clxs_error_clear(&de);
		char swhy[600] = "";
		const char *sv = NULL;
		if (mg_sql(c, &d, &de, "DESCRIBE SCHEMA EXTENDED %I.%I", cat, s) == CLXS_OK)
			sv = po_value(&d, swhy, sizeof(swhy));
		else
			snprintf(swhy, sizeof(swhy), "predictive optimization is not available on this target: %s",
				 de.message);
		any = any || (sv && !strncmp(sv, "ENABLE", 6));
		char fq[600];
		snprintf(fq, sizeof(fq), "%s.%s", cat, s);
		json_object_array_add(schemas, po_entry("SCHEMA", fq, sv, swhy));
		clxs_ws_result_free(&d);
	}
	clxs_ws_result_free(&r);
	if (rc) {
		json_object_put(schemas);
		json_object_put(o);
		return rc;
	}
	json_object_object_add(o, "schemas", schemas);
	clxs_json_set_bool(o, "predictive_optimization_enabled", any);
	clxs_json_set_str(o, "recommendation",
			  any ? "Predictive Optimization manages OPTIMIZE/VACUUM here: manual runs may be unnecessary"
			      : "Predictive Optimization is not enabled: schedule OPTIMIZE and VACUUM yourself");
	*out = o;
	return CLXS_OK;
}

/* Request schemas for the OpenAPI document (routes.c; declared in clxs/api.h,
 * repeated here so that the engine does not include the API header). */
const char *clxs_mg_schema_table_usage(void);
const char *clxs_mg_schema_column_usage(void);
const char *clxs_mg_schema_check_po(void);
const char *clxs_mg_schema_table_usage(void) { return clxs_mg_body_schema("table-usage"); }
const char *clxs_mg_schema_column_usage(void) { return clxs_mg_body_schema("column-usage"); }
const char *clxs_mg_schema_check_po(void) { return clxs_mg_body_schema("check-predictive-optimization"); }
