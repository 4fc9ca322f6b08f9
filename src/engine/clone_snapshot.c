/* Clones from a clone snapshot: read the snapshot row, check it belongs to
 * the source catalog, and hand the planner each table's captured version.
 * See include/clxs/clone_snapshot.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/clone_snapshot.h"
#include "clxs/json.h"
#include "clxs/sql.h"
#include "clxs/workspace.h"
#include "mg_audit.h"

/* "schema.table" in lower case: Unity Catalog names are case-insensitive. */
static void table_key(char *buf, size_t len, const char *schema, const char *name)
{
	snprintf(buf, len, "%s.%s", schema, name);
	for (char *k = buf; *k; k++)
		*k = (char)tolower((unsigned char)*k);
}

clxs_code clxs_clone_snapshot_read(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				   const char *id, const char *source_catalog, json_object **snap, clxs_error *err)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_ws_result r = {0};
	/* The id is a bound parameter; the table name is quoted. */
	clxs_ws_param p = {"id", id, "STRING"};
	clxs_code rc = clxs_sql_appendf(&b, err,
					"SELECT snapshot_id, name, source_catalog, captured_at, tables_json FROM %Q"
					" WHERE snapshot_id = :id",
					loc->catalog, loc->schema, "clone_snapshots");
	if (rc == CLXS_OK)
		rc = clxs_ws_sql(ws, wh, NULL, NULL, clxs_buf_str(&b), &p, 1, NULL, &r, err);
	clxs_buf_free(&b);
	/* No snapshot table yet holds no snapshot either. */
	if ((rc && mg_audit_missing(err)) || (!rc && r.nrows == 0)) {
		clxs_ws_result_free(&r);
		clxs_error_clear(err);
		return clxs_fail(err, CLXS_ENOTFOUND, "source_snapshot_id",
				 "source_snapshot_id: snapshot '%s' not found in %s.%s.clone_snapshots", id,
				 loc->catalog, loc->schema);
	}
	if (rc) {
		clxs_ws_result_free(&r);
		return rc;
	}
	const char *cols[] = {"snapshot_id", "name", "source_catalog", "captured_at", "tables_json"};
	const char *val[5];
	for (size_t i = 0; i < 5; i++) {
		int c = clxs_ws_result_col(&r, cols[i]);
		val[i] = c >= 0 ? clxs_ws_result_cell(&r, 0, (size_t)c) : NULL;
	}
	if (!val[2] || strcasecmp(val[2], source_catalog) != 0) {
		rc = clxs_fail(err, CLXS_EVALIDATION, "source_snapshot_id",
			       "source_snapshot_id: snapshot '%s' was captured from catalog '%s', not from the "
			       "source_catalog '%s'",
			       id, val[2] ? val[2] : "", source_catalog);
		clxs_ws_result_free(&r);
		return rc;
	}
	json_object *tables = val[4] ? json_tokener_parse(val[4]) : NULL;
	if (!tables || !json_object_is_type(tables, json_type_array)) {
		json_object_put(tables);
		rc = clxs_fail(err, CLXS_EVALIDATION, "source_snapshot_id",
			       "source_snapshot_id: snapshot '%s' has no readable table list", id);
		clxs_ws_result_free(&r);
		return rc;
	}
	json_object *o = json_object_new_object(), *versions = json_object_new_object();
	for (size_t i = 0; i < 4; i++)
		clxs_json_set_str(o, cols[i], val[i]);
	for (size_t i = 0; i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);
		char key[600];
		table_key(key, sizeof(key), clxs_json_str(t, "schema", ""), clxs_json_str(t, "table", ""));
		json_object_object_add(versions, key, json_object_new_int64(clxs_json_int(t, "version", -1)));
	}
	json_object_object_add(o, "versions", versions);
	json_object_object_add(o, "tables", tables);
	clxs_ws_result_free(&r);
	*snap = o;
	return CLXS_OK;
}

clxs_code clxs_clone_snapshot_apply(struct clxs_ws_client *ws, const char *wh, const clxs_audit_loc *loc,
				    json_object *model, json_object *opts, clxs_error *err)
{
	const char *id = clxs_json_str(opts, "source_snapshot_id", NULL);
	if (!id)
		return CLXS_OK;
	json_object *snap = NULL;
	clxs_code rc = clxs_clone_snapshot_read(ws, wh, loc, id, clxs_json_str(opts, "source_catalog", ""), &snap,
						err);
	if (rc == CLXS_OK)
		json_object_object_add(model, "snapshot", snap);
	return rc;
}
