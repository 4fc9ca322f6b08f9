/* SQL functions and volumes in the REST service's tables (lh_functions,
 * lh_volumes), created from SQL: CREATE [OR REPLACE] FUNCTION stores a
 * Unity Catalog FunctionInfo so the REST API serves it unchanged; a managed
 * volume's files live in <data dir>/volumes/<uuid>, as the service expects. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clxs/lakehouse_gov.h"
#include "clxs/util.h"

static clxs_code object_ids(clxs_lh *lh, const clxs_lh_name *n, const char *what, int64_t *sid,
			    char cat[LH_NAME_MAX + 1], char sch[LH_NAME_MAX + 1],
			    char name[LH_NAME_MAX + 1], clxs_error *err)
{
	clxs_code rc;
	if ((rc = lh_name_norm(n->catalog, "catalog", cat, err)) ||
	    (rc = lh_name_norm(n->schema, "schema", sch, err)) ||
	    (rc = lh_name_norm(n->name, what, name, err)))
		return rc;
	return lh_schema_id(lh, cat, sch, sid, err);
}

static clxs_code fn_create_txn(clxs_lh *lh, const clxs_lh_name *f, json_object *info,
			       bool or_replace, bool if_not_exists, clxs_error *err)
{
	char cat[LH_NAME_MAX + 1], sch[LH_NAME_MAX + 1], name[LH_NAME_MAX + 1];
	int64_t sid, id = 0;
	clxs_code rc = object_ids(lh, f, "function", &sid, cat, sch, name, err);
	if (rc)
		return rc;
	bool found = false;
	if ((rc = lh_int(lh, err, &id, &found, "SELECT id FROM lh_functions WHERE schema_id=? AND name=?",
			 "it", sid, name)))
		return rc;
	if (found && if_not_exists)
		return CLXS_OK;
	if (found && !or_replace) {
		char full[800];
		lh_fullname(full, sizeof(full), cat, sch, name);
		return lh_fail(err, CLXS_ECONFLICT, "ROUTINE_ALREADY_EXISTS",
			       "Cannot create the function %s because it already exists.", full);
	}
	const char *text = json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN);
	const char *comment = clxs_json_str(info, "comment", NULL);
	int64_t now = clxs_now_ms();
	if (found)
		return lh_run(lh, err,
			      "UPDATE lh_functions SET info=?, comment=?, updated_at=?, updated_by=? WHERE id=?",
			      "ttiti", text, comment, now, lh->user, id);
	char uuid[37];
	if (clxs_uuid4(uuid) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the function id");
	return lh_run(lh, err,
		      "INSERT INTO lh_functions(schema_id, name, function_uuid, owner, comment, info,"
		      " created_at, created_by, updated_at, updated_by) VALUES(?,?,?,?,?,?,?,?,?,?)",
		      "itttttitit", sid, name, uuid, lh->user, comment, text, now, lh->user, now, lh->user);
}

clxs_code clxs_lh_function_create(clxs_lh *lh, const clxs_lh_name *f, json_object *info,
				  bool or_replace, bool if_not_exists, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, fn_create_txn(lh, f, info, or_replace, if_not_exists, err), err);
}

static clxs_code drop_obj(clxs_lh *lh, clxs_lh_sec_kind kind, const clxs_lh_name *n,
			  bool if_exists, clxs_error *err)
{
	clxs_lh_sec s;
	clxs_code rc = clxs_lh_sec_resolve(lh, kind, n, &s, err);
	if (rc == CLXS_ENOTFOUND && if_exists) {
		clxs_error_clear(err);
		return CLXS_OK;
	}
	if (rc)
		return rc;
	return lh_run(lh, err, kind == CLXS_LH_SEC_VOLUME ? "DELETE FROM lh_volumes WHERE id=?"
							  : "DELETE FROM lh_functions WHERE id=?",
		      "i", s.id);
}

clxs_code clxs_lh_function_drop(clxs_lh *lh, const clxs_lh_name *f, bool if_exists,
				clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, drop_obj(lh, CLXS_LH_SEC_FUNCTION, f, if_exists, err), err);
}

clxs_code clxs_lh_function_get(clxs_lh *lh, const clxs_lh_name *f, json_object **out,
			       clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	clxs_lh_sec s;
	sqlite3_stmt *st = NULL;
	if (!(rc = clxs_lh_sec_resolve(lh, CLXS_LH_SEC_FUNCTION, f, &s, err)) &&
	    !(rc = lh_stmt(lh, err, &st, "SELECT info, owner, comment FROM lh_functions WHERE id=?", "i",
			   s.id))) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*out = lh_json_or_empty(lh_col_text(st, 0), json_type_object);
			clxs_json_set_str(*out, "name", s.name);
			clxs_json_set_str(*out, "catalog_name", s.catalog);
			clxs_json_set_str(*out, "schema_name", s.schema);
			if (lh_col_text(st, 1))
				clxs_json_set_str(*out, "owner", lh_col_text(st, 1));
		} else
			rc = lh_sqlfail(lh, err, "function");
	}
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

static clxs_code vol_create_txn(clxs_lh *lh, const clxs_lh_name *v, bool external,
				const char *location, const char *comment, bool if_not_exists,
				clxs_error *err)
{
	char cat[LH_NAME_MAX + 1], sch[LH_NAME_MAX + 1], name[LH_NAME_MAX + 1];
	int64_t sid, id = 0;
	clxs_code rc = object_ids(lh, v, "volume", &sid, cat, sch, name, err);
	if (rc)
		return rc;
	if (external && (!location || !*location))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "An EXTERNAL volume needs a LOCATION.");
	if (!external && location && *location)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "A managed volume takes no LOCATION (use CREATE EXTERNAL VOLUME).");
	bool found = false;
	if ((rc = lh_int(lh, err, &id, &found, "SELECT id FROM lh_volumes WHERE schema_id=? AND name=?",
			 "it", sid, name)))
		return rc;
	if (found) {
		if (if_not_exists)
			return CLXS_OK;
		char full[800];
		lh_fullname(full, sizeof(full), cat, sch, name);
		return lh_fail(err, CLXS_ECONFLICT, "VOLUME_ALREADY_EXISTS",
			       "Cannot create volume %s because it already exists.", full);
	}
	char uuid[37], *loc = NULL;
	if (clxs_uuid4(uuid) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the volume id");
	/* managed files: <data dir>/volumes/<uuid> (the dir of lakehouse.db) */
	size_t dl = strlen(lh->path);
	const char *slash = strrchr(lh->path, '/');
	if (slash)
		dl = (size_t)(slash - lh->path);
	if (external)
		loc = strdup(location);
	else if (asprintf(&loc, "file://%.*s/volumes/%s", (int)dl, lh->path, uuid) < 0)
		loc = NULL;
	if (!loc)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	int64_t now = clxs_now_ms();
	rc = lh_run(lh, err,
		    "INSERT INTO lh_volumes(schema_id, name, volume_uuid, volume_type, storage_location,"
		    " owner, comment, created_at, created_by, updated_at, updated_by)"
		    " VALUES(?,?,?,?,?,?,?,?,?,?,?)", "itttttt" "itit", sid, name, uuid,
		    external ? "EXTERNAL" : "MANAGED", loc, lh->user, comment, now, lh->user, now, lh->user);
	free(loc);
	return rc;
}

clxs_code clxs_lh_volume_create(clxs_lh *lh, const clxs_lh_name *v, bool external,
				const char *location, const char *comment, bool if_not_exists,
				clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, vol_create_txn(lh, v, external, location, comment, if_not_exists, err), err);
}

clxs_code clxs_lh_volume_drop(clxs_lh *lh, const clxs_lh_name *v, bool if_exists,
			      clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, drop_obj(lh, CLXS_LH_SEC_VOLUME, v, if_exists, err), err);
}
