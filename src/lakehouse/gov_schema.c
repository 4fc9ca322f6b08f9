/* Governance tables and their plain operations: securable resolution,
 * owners/comments of volumes and functions, tags, row filters and column
 * masks (grants: gov_grants.c). Every row hangs off a core id with ON
 * DELETE CASCADE, so DROP ... CASCADE removes it (docs/lakehouse-storage.md).
 *
 * This is the one definition of the governance tables: the SQL front end
 * and the REST service (src/lakehouse/svc_gov.c) both create them through
 * clxs_lh_gov_init(). Privileges are stored in the REST form (USE_CATALOG). */
#include "gov_internal.h"
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/lakehouse_gov.h"
#include "clxs/util.h"

static const char *const gov_schema[] = {
	"CREATE TABLE IF NOT EXISTS lh_volumes("
	" id INTEGER PRIMARY KEY,"
	" schema_id INTEGER NOT NULL REFERENCES lh_schemas(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, volume_uuid TEXT NOT NULL UNIQUE, volume_type TEXT NOT NULL,"
	" storage_location TEXT, owner TEXT, comment TEXT,"
	" created_at INTEGER NOT NULL, created_by TEXT, updated_at INTEGER NOT NULL, updated_by TEXT,"
	" UNIQUE(schema_id, name))",
	"CREATE TABLE IF NOT EXISTS lh_functions("
	" id INTEGER PRIMARY KEY,"
	" schema_id INTEGER NOT NULL REFERENCES lh_schemas(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, function_uuid TEXT NOT NULL UNIQUE, owner TEXT, comment TEXT,"
	" info TEXT NOT NULL DEFAULT '{}',"
	" created_at INTEGER NOT NULL, created_by TEXT, updated_at INTEGER NOT NULL, updated_by TEXT,"
	" UNIQUE(schema_id, name))",
	/* One row per (securable, principal, privilege). Only the column of the
	 * securable's own kind is set, which is what makes the cascade work;
	 * securable_id repeats it for lookups. */
	"CREATE TABLE IF NOT EXISTS lh_grants("
	" id INTEGER PRIMARY KEY,"
	" securable_type TEXT NOT NULL"
	"  CHECK(securable_type IN ('CATALOG','SCHEMA','TABLE','VOLUME','FUNCTION')),"
	" securable_id INTEGER NOT NULL,"
	" catalog_id INTEGER REFERENCES lh_catalogs(id) ON DELETE CASCADE,"
	" schema_id INTEGER REFERENCES lh_schemas(id) ON DELETE CASCADE,"
	" table_id INTEGER REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" volume_id INTEGER REFERENCES lh_volumes(id) ON DELETE CASCADE,"
	" function_id INTEGER REFERENCES lh_functions(id) ON DELETE CASCADE,"
	" principal TEXT NOT NULL, privilege TEXT NOT NULL,"
	" UNIQUE(securable_type, securable_id, principal, privilege))",
	"CREATE INDEX IF NOT EXISTS lh_grants_catalog ON lh_grants(catalog_id)",
	"CREATE INDEX IF NOT EXISTS lh_grants_schema ON lh_grants(schema_id)",
	"CREATE INDEX IF NOT EXISTS lh_grants_table ON lh_grants(table_id)",
	"CREATE INDEX IF NOT EXISTS lh_grants_volume ON lh_grants(volume_id)",
	"CREATE INDEX IF NOT EXISTS lh_grants_function ON lh_grants(function_id)",
	"CREATE INDEX IF NOT EXISTS lh_volumes_schema ON lh_volumes(schema_id)",
	"CREATE INDEX IF NOT EXISTS lh_functions_schema ON lh_functions(schema_id)",
	/* tags: the securable's own id column is set (for the cascade);
	 * column_name '' for the securable itself */
	"CREATE TABLE IF NOT EXISTS lh_tags("
	" id INTEGER PRIMARY KEY,"
	" securable_type TEXT NOT NULL"
	"  CHECK(securable_type IN ('CATALOG','SCHEMA','TABLE','VOLUME','FUNCTION')),"
	" securable_id INTEGER NOT NULL,"
	" catalog_id INTEGER REFERENCES lh_catalogs(id) ON DELETE CASCADE,"
	" schema_id INTEGER REFERENCES lh_schemas(id) ON DELETE CASCADE,"
	" table_id INTEGER REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" volume_id INTEGER REFERENCES lh_volumes(id) ON DELETE CASCADE,"
	" function_id INTEGER REFERENCES lh_functions(id) ON DELETE CASCADE,"
	" column_name TEXT NOT NULL DEFAULT '', tag_key TEXT NOT NULL, tag_value TEXT NOT NULL DEFAULT '',"
	" UNIQUE(securable_type, securable_id, column_name, tag_key))",
	"CREATE TABLE IF NOT EXISTS lh_row_filters("
	" table_id INTEGER PRIMARY KEY REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" function_catalog TEXT NOT NULL, function_schema TEXT NOT NULL, function_name TEXT NOT NULL,"
	" columns TEXT NOT NULL DEFAULT '[]')",
	"CREATE TABLE IF NOT EXISTS lh_column_masks("
	" table_id INTEGER NOT NULL REFERENCES lh_tables(id) ON DELETE CASCADE,"
	" column_name TEXT NOT NULL,"
	" function_catalog TEXT NOT NULL, function_schema TEXT NOT NULL, function_name TEXT NOT NULL,"
	" using_columns TEXT NOT NULL DEFAULT '[]', PRIMARY KEY(table_id, column_name))",
};

clxs_code clxs_lh_gov_init(clxs_lh *lh, clxs_error *err)
{
	int64_t n = 0;
	clxs_code rc = lh_int(lh, err, &n, NULL,
			      "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
			      " ('lh_volumes','lh_functions','lh_grants','lh_tags','lh_row_filters',"
			      "'lh_column_masks')", NULL);
	if (rc || n == 6)
		return rc;
	if ((rc = lh_begin(lh, true, err)))
		return rc;
	for (size_t i = 0; i < sizeof(gov_schema) / sizeof(gov_schema[0]) && !rc; i++)
		rc = lh_run(lh, err, gov_schema[i], NULL);
	return lh_end(lh, rc, err);
}

static const char *const kind_names[] = {"CATALOG", "SCHEMA", "TABLE", "VOLUME", "FUNCTION"};

const char *clxs_lh_sec_kind_name(clxs_lh_sec_kind k)
{
	return (unsigned)k < 5 ? kind_names[k] : "UNKNOWN";
}

bool clxs_lh_sec_kind_parse(const char *s, clxs_lh_sec_kind *out)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcasecmp(s, kind_names[i]) == 0) {
			*out = (clxs_lh_sec_kind)i;
			return true;
		}
	return false;
}

const char *gov_id_col(clxs_lh_sec_kind k)
{
	static const char *const cols[] = {"catalog_id", "schema_id", "table_id", "volume_id",
					   "function_id"};
	return cols[k];
}

clxs_code clxs_lh_object_id(clxs_lh *lh, clxs_lh_sec_kind kind, int64_t schema_id,
			    const char *name, int64_t *id, bool *found, clxs_error *err)
{
	return lh_int(lh, err, id, found,
		      kind == CLXS_LH_SEC_VOLUME ? "SELECT id FROM lh_volumes WHERE schema_id=? AND name=?"
						 : "SELECT id FROM lh_functions WHERE schema_id=? AND name=?",
		      "it", schema_id, name);
}

clxs_code clxs_lh_sec_resolve(clxs_lh *lh, clxs_lh_sec_kind kind, const clxs_lh_name *n,
			      clxs_lh_sec *out, bool *found, clxs_error *err)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (found)
		*found = true;
	clxs_code rc;
	if (kind == CLXS_LH_SEC_CATALOG) {
		if ((rc = lh_name_norm(n->catalog, "catalog", out->catalog, err)) ||
		    (rc = lh_catalog_id(lh, out->catalog, &out->id, err)))
			return rc;
		out->catalog_id = out->id;
		return CLXS_OK;
	}
	if ((rc = lh_name_norm(n->catalog, "catalog", out->catalog, err)) ||
	    (rc = lh_name_norm(n->schema, "schema", out->schema, err)))
		return rc;
	if (kind == CLXS_LH_SEC_TABLE) {
		lh_tbl t;
		if ((rc = lh_tbl_resolve(lh, n, &t, found, err)))
			return rc;
		snprintf(out->name, sizeof(out->name), "%s", t.name);
		out->id = t.id;
		out->catalog_id = t.catalog_id;
		out->schema_id = t.schema_id;
		return CLXS_OK;
	}
	if (kind != CLXS_LH_SEC_SCHEMA &&
	    (rc = lh_name_norm(n->name, kind == CLXS_LH_SEC_VOLUME ? "volume" : "function", out->name,
			       err)))
		return rc;
	/* lh_schema_id looks the catalog up first as well: the same errors */
	if ((rc = lh_catalog_id(lh, out->catalog, &out->catalog_id, err)) ||
	    (rc = lh_schema_id(lh, out->catalog, out->schema, &out->schema_id, err)))
		return rc;
	if (kind == CLXS_LH_SEC_SCHEMA) {
		out->id = out->schema_id;
		return CLXS_OK;
	}
	bool here = false;
	if ((rc = clxs_lh_object_id(lh, kind, out->schema_id, out->name, &out->id, &here, err)) ||
	    here)
		return rc;
	if (found) {
		*found = false;
		return CLXS_OK;
	}
	char full[800];
	lh_fullname(full, sizeof(full), out->catalog, out->schema, out->name);
	if (kind == CLXS_LH_SEC_VOLUME)
		return lh_fail(err, CLXS_ENOTFOUND, "VOLUME_NOT_FOUND",
			       "The volume %s cannot be found.", full);
	return lh_fail(err, CLXS_ENOTFOUND, "ROUTINE_NOT_FOUND",
		       "The routine %s cannot be found.", full);
}

static clxs_code set_col(clxs_lh *lh, const clxs_lh_sec *s, const char *col, const char *val,
			 clxs_error *err)
{
	const char *table = s->kind == CLXS_LH_SEC_VOLUME ? "lh_volumes"
		: s->kind == CLXS_LH_SEC_FUNCTION ? "lh_functions" : NULL;
	if (!table)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "use the catalog/schema/table update calls for %s",
			       clxs_lh_sec_kind_name(s->kind));
	char sql[160];
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s=?, updated_at=?, updated_by=? WHERE id=?", table, col);
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, lh_run(lh, err, sql, "titi", val, clxs_now_ms(), lh->user, s->id), err);
}

clxs_code clxs_lh_sec_set_owner(clxs_lh *lh, const clxs_lh_sec *s, const char *owner,
				clxs_error *err)
{
	return set_col(lh, s, "owner", owner, err);
}

clxs_code clxs_lh_sec_set_comment(clxs_lh *lh, const clxs_lh_sec *s, const char *comment,
				  clxs_error *err)
{
	return set_col(lh, s, "comment", comment, err);
}

/* ---- tags ------------------------------------------------------------------------------ */

static clxs_code check_column(clxs_lh *lh, const clxs_lh_sec *s, const char *column, char *out,
			      clxs_error *err)
{
	if (!column) {
		out[0] = '\0';
		return CLXS_OK;
	}
	if (s->kind != CLXS_LH_SEC_TABLE)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "only tables have columns");
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT name FROM lh_columns WHERE table_id=? AND lower(name)=lower(?)",
			       "it", s->id, column);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, LH_NAME_MAX + 1, "%s", lh_col_text(st, 0));
	else
		rc = lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
			     "A column with name `%s` cannot be resolved.", column);
	sqlite3_finalize(st);
	return rc;
}

static clxs_code tags_txn(clxs_lh *lh, const clxs_lh_sec *s, const char *column, json_object *set,
			  json_object *keys, clxs_error *err)
{
	char col[LH_NAME_MAX + 1];
	clxs_code rc = check_column(lh, s, column, col, err);
	if (rc)
		return rc;
	if (set) {
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO lh_tags(securable_type, securable_id, %s, column_name, tag_key,"
			 " tag_value) VALUES(?,?,?,?,?,?) ON CONFLICT(securable_type, securable_id,"
			 " column_name, tag_key) DO UPDATE SET tag_value=excluded.tag_value", gov_id_col(s->kind));
		json_object_object_foreach(set, k, v) {
			if (!*k || strlen(k) > 255)
				return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
					       "tag keys must have 1 to 255 characters");
			if ((rc = lh_run(lh, err, sql, "tiittt", clxs_lh_sec_kind_name(s->kind), s->id, s->id,
					 col, k, json_object_get_string(v))))
				return rc;
		}
	}
	for (size_t i = 0; keys && i < json_object_array_length(keys) && !rc; i++)
		rc = lh_run(lh, err,
			    "DELETE FROM lh_tags WHERE securable_type=? AND securable_id=? AND"
			    " column_name=? AND tag_key=?", "titt", clxs_lh_sec_kind_name(s->kind), s->id,
			    col, json_object_get_string(json_object_array_get_idx(keys, i)));
	return rc;
}

clxs_code clxs_lh_tags_set(clxs_lh *lh, const clxs_lh_sec *s, const char *column,
			   json_object *set, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, tags_txn(lh, s, column, set, NULL, err), err);
}

clxs_code clxs_lh_tags_unset(clxs_lh *lh, const clxs_lh_sec *s, const char *column,
			     json_object *keys, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, tags_txn(lh, s, column, NULL, keys, err), err);
}

/* ---- row filters and column masks ---------------------------------------------------------- */

static clxs_code fn_and_cols(clxs_lh *lh, const lh_tbl *t, const clxs_lh_name *fn, json_object *cols,
			     clxs_lh_sec *fs, char **cols_text, clxs_error *err)
{
	clxs_code rc = clxs_lh_sec_resolve(lh, CLXS_LH_SEC_FUNCTION, fn, fs, NULL, err);
	if (rc)
		return rc;
	clxs_lh_sec ts = {.kind = CLXS_LH_SEC_TABLE, .id = t->id};
	json_object *norm = json_object_new_array();
	for (size_t i = 0; !rc && cols && i < json_object_array_length(cols); i++) {
		char col[LH_NAME_MAX + 1];
		rc = check_column(lh, &ts, json_object_get_string(json_object_array_get_idx(cols, i)), col,
				  err);
		if (!rc)
			json_object_array_add(norm, json_object_new_string(col));
	}
	if (!rc && !(*cols_text = strdup(json_object_to_json_string_ext(norm, JSON_C_TO_STRING_PLAIN))))
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	json_object_put(norm);
	return rc;
}

static clxs_code filter_txn(clxs_lh *lh, const clxs_lh_name *n, const clxs_lh_name *fn,
			    json_object *cols, bool drop, clxs_error *err)
{
	lh_tbl t;
	clxs_code rc = lh_tbl_resolve(lh, n, &t, NULL, err);
	if (rc)
		return rc;
	if (drop)
		return lh_run(lh, err, "DELETE FROM lh_row_filters WHERE table_id=?", "i", t.id);
	clxs_lh_sec fs;
	char *ct = NULL;
	if ((rc = fn_and_cols(lh, &t, fn, cols, &fs, &ct, err)))
		return rc;
	rc = lh_run(lh, err,
		    "INSERT OR REPLACE INTO lh_row_filters(table_id, function_catalog, function_schema,"
		    " function_name, columns) VALUES(?,?,?,?,?)", "itttt", t.id, fs.catalog, fs.schema,
		    fs.name, ct);
	free(ct);
	return rc;
}

clxs_code clxs_lh_row_filter_set(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_name *function,
				 json_object *columns, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, filter_txn(lh, t, function, columns, false, err), err);
}

clxs_code clxs_lh_row_filter_drop(clxs_lh *lh, const clxs_lh_name *t, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, filter_txn(lh, t, NULL, NULL, true, err), err);
}

static clxs_code mask_txn(clxs_lh *lh, const clxs_lh_name *n, const char *column,
			  const clxs_lh_name *fn, json_object *using, bool drop, clxs_error *err)
{
	lh_tbl t;
	clxs_code rc = lh_tbl_resolve(lh, n, &t, NULL, err);
	if (rc)
		return rc;
	clxs_lh_sec ts = {.kind = CLXS_LH_SEC_TABLE, .id = t.id};
	char col[LH_NAME_MAX + 1];
	if ((rc = check_column(lh, &ts, column, col, err)))
		return rc;
	if (drop)
		return lh_run(lh, err, "DELETE FROM lh_column_masks WHERE table_id=? AND column_name=?",
			      "it", t.id, col);
	clxs_lh_sec fs;
	char *ct = NULL;
	if ((rc = fn_and_cols(lh, &t, fn, using, &fs, &ct, err)))
		return rc;
	rc = lh_run(lh, err,
		    "INSERT OR REPLACE INTO lh_column_masks(table_id, column_name, function_catalog,"
		    " function_schema, function_name, using_columns) VALUES(?,?,?,?,?,?)", "itttt" "t",
		    t.id, col, fs.catalog, fs.schema, fs.name, ct);
	free(ct);
	return rc;
}

clxs_code clxs_lh_column_mask_set(clxs_lh *lh, const clxs_lh_name *t, const char *column,
				  const clxs_lh_name *function, json_object *using_columns,
				  clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, mask_txn(lh, t, column, function, using_columns, false, err), err);
}

clxs_code clxs_lh_column_mask_drop(clxs_lh *lh, const clxs_lh_name *t, const char *column,
				   clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, mask_txn(lh, t, column, NULL, NULL, true, err), err);
}
