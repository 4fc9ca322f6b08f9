/* Functions and volumes (lh_functions, lh_volumes), created, changed and
 * dropped from SQL and from the REST service alike: CREATE [OR REPLACE]
 * FUNCTION stores a Unity Catalog FunctionInfo so the REST API serves it
 * unchanged; a managed volume's files live in <data dir>/volumes/<uuid>,
 * where the service's Files API finds them. The two surfaces check their
 * input and word their errors each in its own way, then share the
 * statements. */
#include "gov_internal.h"
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

static clxs_code function_insert(clxs_lh *lh, int64_t sid, const char *name, const char *text,
			       const char *comment, int64_t *id, clxs_error *err)
{
	char uuid[37];
	if (clxs_uuid4(uuid) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the function id");
	int64_t now = clxs_now_ms();
	clxs_code rc = lh_run(lh, err,
			      "INSERT INTO lh_functions(schema_id, name, function_uuid, owner, comment, info,"
			      " created_at, created_by, updated_at, updated_by) VALUES(?,?,?,?,?,?,?,?,?,?)",
			      "itttttitit", sid, name, uuid, lh->user, comment, text, now, lh->user, now,
			      lh->user);
	if (!rc)
		*id = sqlite3_last_insert_rowid(lh->db);
	return rc;
}

/* text: the FunctionInfo to keep; *id the function's row. */
static clxs_code fn_create_txn(clxs_lh *lh, const clxs_lh_name *f, const char *text,
			       const char *comment, bool or_replace, bool if_not_exists, int64_t *id,
			       clxs_error *err)
{
	char cat[LH_NAME_MAX + 1], sch[LH_NAME_MAX + 1], name[LH_NAME_MAX + 1];
	int64_t sid;
	clxs_code rc = object_ids(lh, f, "function", &sid, cat, sch, name, err);
	if (rc)
		return rc;
	bool found = false;
	if ((rc = clxs_lh_object_id(lh, CLXS_LH_SEC_FUNCTION, sid, name, id, &found, err)))
		return rc;
	if (found && if_not_exists)
		return CLXS_OK;
	if (found && !or_replace) {
		char full[800];
		lh_fullname(full, sizeof(full), cat, sch, name);
		return lh_fail(err, CLXS_ECONFLICT, "ROUTINE_ALREADY_EXISTS",
			       "Cannot create the function %s because it already exists.", full);
	}
	if (found)
		return lh_run(lh, err,
			      "UPDATE lh_functions SET info=?, comment=?, updated_at=?, updated_by=? WHERE id=?",
			      "ttiti", text, comment, clxs_now_ms(), lh->user, *id);
	return function_insert(lh, sid, name, text, comment, id, err);
}

clxs_code clxs_lh_function_create(clxs_lh *lh, const clxs_lh_name *f, json_object *info,
				  bool or_replace, bool if_not_exists, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	int64_t id;
	rc = fn_create_txn(lh, f, json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN),
			   clxs_json_str(info, "comment", NULL), or_replace, if_not_exists, &id, err);
	return lh_end(lh, rc, err);
}

static clxs_code drop_obj(clxs_lh *lh, clxs_lh_sec_kind kind, const clxs_lh_name *n,
			  bool if_exists, clxs_error *err)
{
	clxs_lh_sec s;
	clxs_code rc = clxs_lh_sec_resolve(lh, kind, n, &s, NULL, err);
	if (rc == CLXS_ENOTFOUND && if_exists) {
		clxs_error_clear(err);
		return CLXS_OK;
	}
	if (rc)
		return rc;
	return clxs_lh_sec_drop(lh, &s, err);
}

clxs_code clxs_lh_sec_drop(clxs_lh *lh, const clxs_lh_sec *s, clxs_error *err)
{
	return lh_run(lh, err, s->kind == CLXS_LH_SEC_VOLUME ? "DELETE FROM lh_volumes WHERE id=?"
							     : "DELETE FROM lh_functions WHERE id=?",
		      "i", s->id);
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
	if (!(rc = clxs_lh_sec_resolve(lh, CLXS_LH_SEC_FUNCTION, f, &s, NULL, err)) &&
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

/* A new volume row: a fresh uuid and, for a managed volume, the location
 * file://<data dir>/volumes/<uuid> (the data dir holds lakehouse.db). */
static clxs_code volume_insert(clxs_lh *lh, int64_t sid, const char *name, bool external,
			       const char *location, const char *comment, int64_t *id,
			       clxs_error *err)
{
	char uuid[37], *loc = NULL;
	if (clxs_uuid4(uuid) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the volume id");
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
	clxs_code rc = lh_run(lh, err,
			      "INSERT INTO lh_volumes(schema_id, name, volume_uuid, volume_type,"
			      " storage_location, owner, comment, created_at, created_by, updated_at,"
			      " updated_by) VALUES(?,?,?,?,?,?,?,?,?,?,?)", "itttttt" "itit", sid, name,
			      uuid, external ? "EXTERNAL" : "MANAGED", loc, lh->user, comment, now,
			      lh->user, now, lh->user);
	free(loc);
	if (!rc)
		*id = sqlite3_last_insert_rowid(lh->db);
	return rc;
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
	if ((rc = clxs_lh_object_id(lh, CLXS_LH_SEC_VOLUME, sid, name, &id, &found, err)))
		return rc;
	if (found) {
		if (if_not_exists)
			return CLXS_OK;
		char full[800];
		lh_fullname(full, sizeof(full), cat, sch, name);
		return lh_fail(err, CLXS_ECONFLICT, "VOLUME_ALREADY_EXISTS",
			       "Cannot create volume %s because it already exists.", full);
	}
	return volume_insert(lh, sid, name, external, location, comment, &id, err);
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

/* ---- the REST forms ----------------------------------------------------------------------- */

/* The FunctionInfo fields kept as given (identity fields are the
 * metastore's), with Databricks' defaults for a SQL function. */
static json_object *function_info(json_object *in)
{
	static const char *const identity[] = {
		"name", "catalog_name", "schema_name", "full_name", "function_id", "owner",
		"comment", "created_at", "created_by", "updated_at", "updated_by", "metastore_id",
	};
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_foreach(in, k, v) {
		bool skip = false;
		for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]); i++)
			skip = skip || strcmp(k, identity[i]) == 0;
		if (!skip)
			json_object_object_add(o, k, json_object_get(v));
	}
	static const struct {
		const char *key, *val;
	} dflt[] = {{"routine_body", "SQL"}, {"parameter_style", "S"},
		    {"sql_data_access", "CONTAINS_SQL"}, {"security_type", "DEFINER"}};
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++)
		if (!json_object_object_get_ex(o, dflt[i].key, NULL))
			clxs_json_set_str(o, dflt[i].key, dflt[i].val);
	if (!json_object_object_get_ex(o, "is_deterministic", NULL))
		clxs_json_set_bool(o, "is_deterministic", true);
	if (!json_object_object_get_ex(o, "is_null_call", NULL))
		clxs_json_set_bool(o, "is_null_call", false);
	if (!json_object_object_get_ex(o, "specific_name", NULL))
		clxs_json_set_str(o, "specific_name", clxs_json_str(in, "name", ""));
	if (!json_object_object_get_ex(o, "input_params", NULL)) {
		json_object *ip = json_object_new_object();
		json_object_object_add(ip, "parameters", json_object_new_array());
		json_object_object_add(o, "input_params", ip);
	}
	return o;
}

clxs_code clxs_lh_function_create_info(clxs_lh *lh, const char *metastore_id, json_object *info,
				       json_object **out, clxs_error *err)
{
	*out = NULL;
	char name[LH_NAME_MAX + 1];
	clxs_code rc = lh_name_norm(clxs_json_str(info, "name", NULL), "function", name, err);
	if (rc)
		return rc;
	const char *body = clxs_json_str(info, "routine_body", "SQL");
	if (strcmp(body, "SQL") != 0 && strcmp(body, "EXTERNAL") != 0)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "routine_body must be SQL or EXTERNAL, got '%s'", body);
	json_object *v;
	if (json_object_object_get_ex(info, "input_params", &v) &&
	    !json_object_is_type(v, json_type_object))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "input_params must be an object {\"parameters\": [...]}");
	json_object *stored = function_info(info);
	if (!stored)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if ((rc = lh_begin(lh, true, err))) {
		json_object_put(stored);
		return rc;
	}
	clxs_lh_name f = {clxs_json_str(info, "catalog_name", NULL),
			  clxs_json_str(info, "schema_name", NULL), name};
	int64_t sid, id;
	/* REST looks the parents up before it checks their names' spelling */
	if (!(rc = lh_schema_id(lh, f.catalog, f.schema, &sid, err)))
		rc = fn_create_txn(lh, &f, json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN),
				   clxs_json_str(info, "comment", NULL), false, false, &id, err);
	json_object_put(stored);
	if (!rc)
		rc = gov_info_by_id(lh, CLXS_LH_SEC_FUNCTION, metastore_id, id, out, err);
	rc = lh_end(lh, rc, err);
	if (rc) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

clxs_code clxs_lh_volume_create_info(clxs_lh *lh, const char *metastore_id,
				     const clxs_lh_volume_spec *spec, json_object **out,
				     clxs_error *err)
{
	*out = NULL;
	char name[LH_NAME_MAX + 1];
	const char *type = spec->volume_type ? spec->volume_type : "MANAGED";
	clxs_code rc = lh_name_norm(spec->name, "volume", name, err);
	if (rc)
		return rc;
	if (strcmp(type, "MANAGED") != 0 && strcmp(type, "EXTERNAL") != 0)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "volume_type must be MANAGED or EXTERNAL, got '%s'", type);
	bool external = strcmp(type, "EXTERNAL") == 0;
	if (external && (!spec->storage_location || !*spec->storage_location))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "an EXTERNAL volume needs a storage_location");
	if (!external && spec->storage_location && *spec->storage_location)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "a MANAGED volume takes no storage_location");
	if ((rc = lh_begin(lh, true, err)))
		return rc;
	int64_t sid, id;
	bool found = false;
	if (!(rc = lh_schema_id(lh, spec->catalog, spec->schema, &sid, err)) &&
	    !(rc = clxs_lh_object_id(lh, CLXS_LH_SEC_VOLUME, sid, name, &id, &found, err)) && found) {
		char c[LH_NAME_MAX + 1], s[LH_NAME_MAX + 1];
		lh_name_norm(spec->catalog, "catalog", c, NULL);
		lh_name_norm(spec->schema, "schema", s, NULL);
		rc = lh_fail(err, CLXS_ECONFLICT, "VOLUME_ALREADY_EXISTS",
			     "Volume '%s.%s.%s' already exists.", c, s, name);
	}
	if (!rc)
		rc = volume_insert(lh, sid, name, external, spec->storage_location, spec->comment, &id,
				   err);
	if (!rc)
		rc = gov_info_by_id(lh, CLXS_LH_SEC_VOLUME, metastore_id, id, out, err);
	rc = lh_end(lh, rc, err);
	if (rc) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

static clxs_code rename_txn(clxs_lh *lh, const clxs_lh_sec *s, const char *new_name,
			    clxs_error *err)
{
	char nn[LH_NAME_MAX + 1];
	int64_t other;
	bool found = false;
	clxs_code rc;
	if ((rc = lh_name_norm(new_name, "volume", nn, err)) ||
	    (rc = clxs_lh_object_id(lh, CLXS_LH_SEC_VOLUME, s->schema_id, nn, &other, &found, err)))
		return rc;
	if (found && other != s->id)
		return lh_fail(err, CLXS_ECONFLICT, "VOLUME_ALREADY_EXISTS",
			       "Volume '%s.%s.%s' already exists.", s->catalog, s->schema, nn);
	return lh_run(lh, err, "UPDATE lh_volumes SET name=?, updated_at=?, updated_by=? WHERE id=?",
		      "titi", nn, clxs_now_ms(), lh->user, s->id);
}

clxs_code clxs_lh_volume_rename(clxs_lh *lh, const clxs_lh_sec *s, const char *new_name,
				clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, rename_txn(lh, s, new_name, err), err);
}

clxs_code clxs_lh_volume_uuid(clxs_lh *lh, const clxs_lh_sec *s, char uuid[37], clxs_error *err)
{
	sqlite3_stmt *st = NULL;
	clxs_code rc = lh_stmt(lh, err, &st, "SELECT volume_uuid FROM lh_volumes WHERE id=?", "i",
			       s->id);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(uuid, 37, "%s", lh_col_text(st, 0));
	else
		rc = lh_sqlfail(lh, err, "volume uuid");
	sqlite3_finalize(st);
	return rc;
}

bool clxs_lh_volume_uuid_used(clxs_lh *lh, const char *uuid)
{
	int64_t id;
	bool found = true;
	clxs_error err;
	return lh_int(lh, &err, &id, &found, "SELECT id FROM lh_volumes WHERE volume_uuid=?", "t",
		      uuid) || found;
}
