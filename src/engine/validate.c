/* Post-clone validation: one query per table on each side. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone.h"
#include "clxs/clone_snapshot.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"

/* SELECT count(*)[, sum(hash(`c1`, ...))] FROM `cat`.`s`.`t` [VERSION AS OF n] */
static clxs_code build(clxs_buf *b, json_object *t, const char *cat, json_object *opts, bool at_version,
		       int64_t snap_version, bool checksum, clxs_error *err)
{
	const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
	clxs_code rc = clxs_sql_appendf(b, err, "SELECT count(*)");
	json_object *cols = json_object_object_get(t, "columns");
	if (rc == CLXS_OK && checksum && cols && json_object_array_length(cols) > 0) {
		rc = clxs_sql_appendf(b, err, ", sum(hash(");
		for (size_t i = 0; rc == CLXS_OK && i < json_object_array_length(cols); i++)
			rc = clxs_sql_appendf(b, err, i ? ", %I" : "%I",
					      clxs_json_str(json_object_array_get_idx(cols, i), "name", ""));
		if (rc == CLXS_OK)
			rc = clxs_sql_appendf(b, err, "))");
	}
	if (rc == CLXS_OK)
		rc = clxs_sql_appendf(b, err, " FROM %Q", cat, schema, name);
	/* source_snapshot_id: the source as the snapshot captured this table. */
	if (rc == CLXS_OK && at_version && snap_version >= 0)
		rc = clxs_sql_appendf(b, err, " VERSION AS OF %lld", (long long)snap_version);
	else if (rc == CLXS_OK && at_version && json_object_object_get(opts, "as_of_version"))
		rc = clxs_sql_appendf(b, err, " VERSION AS OF %lld", (long long)clxs_json_int(opts, "as_of_version", 0));
	else if (rc == CLXS_OK && at_version && clxs_json_str(opts, "as_of_timestamp", NULL))
		rc = clxs_sql_appendf(b, err, " TIMESTAMP AS OF %L", clxs_json_str(opts, "as_of_timestamp", ""));
	return rc;
}

static clxs_code measure(clxs_ws_client *ws, const char *wh, const char *sql, char *rows, char *sum,
			 clxs_error *err)
{
	clxs_ws_result r = {0};
	clxs_code rc = clxs_ws_sql(ws, wh, NULL, NULL, sql, NULL, 0, NULL, &r, err);
	if (rc == CLXS_OK && r.nrows == 1) {
		const char *n = clxs_ws_result_cell(&r, 0, 0), *h = r.ncols > 1 ? clxs_ws_result_cell(&r, 0, 1) : NULL;
		snprintf(rows, 32, "%s", n ? n : "0");
		snprintf(sum, 64, "%s", h ? h : "");
	} else if (rc == CLXS_OK) {
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "validation query returned %zu rows", r.nrows);
	}
	clxs_ws_result_free(&r);
	return rc;
}

clxs_code clxs_clone_validate_run(struct clxs_ws_client *ws, const char *wh, json_object *model,
				  json_object *opts, bool checksum, json_object **report, clxs_error *err)
{
	const char *src = clxs_json_str(opts, "source_catalog", ""), *dst = clxs_json_str(opts, "destination_catalog", "");
	json_object *tables = json_object_object_get(model, "tables"), *out = json_object_new_array();
	json_object *where = json_object_object_get(opts, "where_clauses");
	int64_t checked = 0, mismatched = 0, errors = 0;
	for (size_t i = 0; tables && i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);
		const char *schema = clxs_json_str(t, "schema", ""), *name = clxs_json_str(t, "name", "");
		const char *type = clxs_json_str(t, "table_type", "");
		if (!strcasecmp(type, "STREAMING_TABLE") || !clxs_clone_selected(opts, schema, name, "table"))
			continue;
		char key[600];
		snprintf(key, sizeof(key), "%s.%s", schema, name);
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "table", key);
		int64_t snap_version = -1;
		if (clxs_clone_snapshot_version(model, schema, name, &snap_version) && snap_version < 0) {
			/* The clone skipped it: nothing to compare. */
			clxs_json_set_str(o, "status", "skipped");
			clxs_json_set_str(o, "reason", "not in the source snapshot");
			json_object_array_add(out, o);
			continue;
		}
		if (clxs_json_str(where, key, clxs_json_str(where, "*", NULL))) {
			/* A filtered copy is meant to differ from its source. */
			clxs_json_set_str(o, "status", "skipped");
			clxs_json_set_str(o, "reason", "filtered by where_clauses");
			json_object_array_add(out, o);
			continue;
		}
		clxs_buf a, b;
		clxs_buf_init(&a);
		clxs_buf_init(&b);
		char srows[32] = "", drows[32] = "", ssum[64] = "", dsum[64] = "";
		clxs_error e;
		clxs_error_clear(&e);
		clxs_code rc = build(&a, t, src, opts, true, snap_version, checksum, &e);
		if (rc == CLXS_OK)
			rc = build(&b, t, dst, opts, false, -1, checksum, &e);
		if (rc == CLXS_OK)
			rc = measure(ws, wh, clxs_buf_str(&a), srows, ssum, &e);
		if (rc == CLXS_OK)
			rc = measure(ws, wh, clxs_buf_str(&b), drows, dsum, &e);
		clxs_buf_free(&a);
		clxs_buf_free(&b);
		checked++;
		if (rc != CLXS_OK) {
			errors++;
			clxs_json_set_str(o, "status", "error");
			clxs_json_set_str(o, "error", e.message);
		} else {
			bool same = !strcmp(srows, drows) && (!checksum || !strcmp(ssum, dsum));
			mismatched += !same;
			clxs_json_set_str(o, "source_rows", srows);
			clxs_json_set_str(o, "dest_rows", drows);
			if (checksum) {
				clxs_json_set_str(o, "source_checksum", ssum);
				clxs_json_set_str(o, "dest_checksum", dsum);
			}
			clxs_json_set_str(o, "status", same ? "match" : "mismatch");
		}
		json_object_array_add(out, o);
	}
	json_object *r = json_object_new_object();
	json_object_object_add(r, "tables", out);
	clxs_json_set_int(r, "checked", checked);
	clxs_json_set_int(r, "mismatched", mismatched);
	clxs_json_set_int(r, "errors", errors);
	json_object_object_add(r, "mismatch_pct",
			       json_object_new_double(checked ? 100.0 * (double)(mismatched + errors) / (double)checked : 0));
	clxs_json_set_bool(r, "checksum", checksum);
	*report = r;
	(void)err;
	return CLXS_OK;
}
