/* Volumes and functions as Unity Catalog's REST API shows them (VolumeInfo,
 * FunctionInfo) and their paged lists. */
#include "gov_internal.h"
#include "lh_internal.h"

#include <stdio.h>
#include <string.h>

#include "clxs/lakehouse_gov.h"

#define VOLUME_COLS "v.name, v.volume_uuid, v.volume_type, v.storage_location, v.owner," \
	" v.comment, v.created_at, v.created_by, v.updated_at, v.updated_by, c.name, s.name"
#define VOLUME_FROM " FROM lh_volumes v JOIN lh_schemas s ON s.id=v.schema_id" \
	" JOIN lh_catalogs c ON c.id=s.catalog_id"
#define FUNCTION_COLS "f.name, f.function_uuid, f.owner, f.comment, f.info, f.created_at," \
	" f.created_by, f.updated_at, f.updated_by, c.name, s.name"
#define FUNCTION_FROM " FROM lh_functions f JOIN lh_schemas s ON s.id=f.schema_id" \
	" JOIN lh_catalogs c ON c.id=s.catalog_id"

/* name, catalog_name, schema_name and full_name of an object row. */
static void set_names(json_object *o, const char *name, const char *cat, const char *sch)
{
	char full[800];
	snprintf(full, sizeof(full), "%s.%s.%s", cat, sch, name);
	clxs_json_set_str(o, "name", name);
	clxs_json_set_str(o, "catalog_name", cat);
	clxs_json_set_str(o, "schema_name", sch);
	clxs_json_set_str(o, "full_name", full);
}

/* columns: VOLUME_COLS */
static json_object *volume_json(sqlite3_stmt *st, const char *metastore_id)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	set_names(o, lh_col_text(st, 0), lh_col_text(st, 10), lh_col_text(st, 11));
	clxs_json_set_str(o, "volume_id", lh_col_text(st, 1));
	clxs_json_set_str(o, "volume_type", lh_col_text(st, 2));
	static const struct {
		int col;
		const char *key;
	} opt[] = {{3, "storage_location"}, {4, "owner"}, {5, "comment"}, {7, "created_by"},
		   {9, "updated_by"}};
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (lh_col_text(st, opt[i].col))
			clxs_json_set_str(o, opt[i].key, lh_col_text(st, opt[i].col));
	clxs_json_set_int(o, "created_at", sqlite3_column_int64(st, 6));
	clxs_json_set_int(o, "updated_at", sqlite3_column_int64(st, 8));
	clxs_json_set_str(o, "metastore_id", metastore_id);
	return o;
}

/* columns: FUNCTION_COLS; the stored info with the metastore's fields. */
static json_object *function_json(sqlite3_stmt *st, const char *metastore_id)
{
	json_object *o = lh_json_or_empty(lh_col_text(st, 4), json_type_object);
	if (!o)
		return NULL;
	set_names(o, lh_col_text(st, 0), lh_col_text(st, 9), lh_col_text(st, 10));
	clxs_json_set_str(o, "function_id", lh_col_text(st, 1));
	if (lh_col_text(st, 2))
		clxs_json_set_str(o, "owner", lh_col_text(st, 2));
	if (lh_col_text(st, 3))
		clxs_json_set_str(o, "comment", lh_col_text(st, 3));
	clxs_json_set_int(o, "created_at", sqlite3_column_int64(st, 5));
	if (lh_col_text(st, 6))
		clxs_json_set_str(o, "created_by", lh_col_text(st, 6));
	clxs_json_set_int(o, "updated_at", sqlite3_column_int64(st, 7));
	if (lh_col_text(st, 8))
		clxs_json_set_str(o, "updated_by", lh_col_text(st, 8));
	clxs_json_set_str(o, "metastore_id", metastore_id);
	return o;
}

static json_object *object_json(clxs_lh_sec_kind kind, sqlite3_stmt *st, const char *metastore_id)
{
	return kind == CLXS_LH_SEC_VOLUME ? volume_json(st, metastore_id)
					  : function_json(st, metastore_id);
}

clxs_code gov_info_by_id(clxs_lh *lh, clxs_lh_sec_kind kind, const char *metastore_id, int64_t id,
			 json_object **out, clxs_error *err)
{
	bool volume = kind == CLXS_LH_SEC_VOLUME;
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       volume ? "SELECT " VOLUME_COLS VOLUME_FROM " WHERE v.id=?"
				      : "SELECT " FUNCTION_COLS FUNCTION_FROM " WHERE f.id=?", "i", id);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (!(*out = object_json(kind, st, metastore_id)))
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	} else {
		rc = lh_sqlfail(lh, err, volume ? "volume get" : "function get");
	}
	sqlite3_finalize(st);
	return rc;
}

clxs_code clxs_lh_object_info(clxs_lh *lh, const char *metastore_id, const clxs_lh_sec *s,
			      json_object **out, clxs_error *err)
{
	*out = NULL;
	return gov_info_by_id(lh, s->kind, metastore_id, s->id, out, err);
}

typedef struct {
	clxs_lh_sec_kind kind;
	const char *metastore_id;
} list_ctx;

static clxs_code object_row(clxs_lh *lh, sqlite3_stmt *st, void *ctx, json_object **out,
			    clxs_error *err)
{
	(void)lh;
	const list_ctx *l = ctx;
	if (!(*out = object_json(l->kind, st, l->metastore_id)))
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	return CLXS_OK;
}

clxs_code clxs_lh_object_list(clxs_lh *lh, clxs_lh_sec_kind kind, const char *metastore_id,
			      const char *catalog, const char *schema, const char *page_token,
			      int max_results, json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	bool volume = kind == CLXS_LH_SEC_VOLUME;
	list_ctx ctx = {kind, metastore_id};
	int64_t sid;
	sqlite3_stmt *st = NULL;
	if (!(rc = lh_schema_id(lh, catalog, schema, &sid, err)) &&
	    !(rc = lh_stmt(lh, err, &st,
			   volume ? "SELECT " VOLUME_COLS VOLUME_FROM
				    " WHERE v.schema_id=? AND v.name > ? ORDER BY v.name"
				  : "SELECT " FUNCTION_COLS FUNCTION_FROM
				    " WHERE f.schema_id=? AND f.name > ? ORDER BY f.name",
			   "it", sid, page_token ? page_token : "")))
		rc = lh_list_page(lh, st, volume ? "volumes" : "functions", "list", max_results,
				  object_row, &ctx, out, err);
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}
