/* Catalogs and schemas: create, drop (with cascade rules), get, list with
 * page tokens, update of owner/comment/properties; name resolution. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>

#include "clxs/util.h"

/* ---- properties ---------------------------------------------------------------- */

json_object *lh_json_or_empty(const char *text, json_type type)
{
	json_object *o = text ? json_tokener_parse(text) : NULL;
	if (!o || !json_object_is_type(o, type)) {
		json_object_put(o);
		o = type == json_type_array ? json_object_new_array() : json_object_new_object();
	}
	return o;
}

clxs_code lh_props_text(json_object *props, char **out, clxs_error *err)
{
	*out = NULL;
	if (props && !json_object_is_type(props, json_type_object))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "properties must be an object of strings");
	json_object *norm = json_object_new_object();
	if (!norm)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if (props) {
		json_object_object_foreach(props, k, v) {
			/* Properties are strings in Delta and UC; numbers and
			 * booleans are kept as their text. */
			json_object_object_add(norm, k, json_object_new_string(
				json_object_is_type(v, json_type_string) ? json_object_get_string(v)
				: json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)));
		}
	}
	*out = lh_strdup(json_object_to_json_string_ext(norm, JSON_C_TO_STRING_PLAIN), err);
	json_object_put(norm);
	return *out ? CLXS_OK : CLXS_ENOMEM;
}

clxs_code lh_props_apply(const char *old_json, const clxs_lh_update *upd, char **out,
			 clxs_error *err)
{
	*out = NULL;
	json_object *o = lh_json_or_empty(old_json, json_type_object);
	clxs_code rc = CLXS_OK;
	if (upd->set_properties) {
		if (!json_object_is_type(upd->set_properties, json_type_object)) {
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				     "properties must be an object of strings");
			goto out;
		}
		json_object_object_foreach(upd->set_properties, k, v) {
			json_object_object_add(o, k, json_object_new_string(
				json_object_is_type(v, json_type_string) ? json_object_get_string(v)
				: json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)));
		}
	}
	if (upd->unset_properties) {
		if (!json_object_is_type(upd->unset_properties, json_type_array)) {
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				     "unset properties must be an array of keys");
			goto out;
		}
		size_t n = json_object_array_length(upd->unset_properties);
		for (size_t i = 0; i < n; i++) {
			const char *k = json_object_get_string(
				json_object_array_get_idx(upd->unset_properties, i));
			if (!k)
				continue;
			if (!json_object_object_get_ex(o, k, NULL)) {
				if (upd->unset_if_exists)
					continue;
				rc = lh_fail(err, CLXS_EVALIDATION, "UNSET_NONEXISTENT_PROPERTIES",
					     "Attempted to unset non-existent properties [%s] in table", k);
				goto out;
			}
			json_object_object_del(o, k);
		}
	}
	*out = lh_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), err);
	if (!*out)
		rc = CLXS_ENOMEM;
out:
	json_object_put(o);
	return rc;
}

/* ---- resolution ------------------------------------------------------------------ */

clxs_code lh_catalog_id(clxs_lh *lh, const char *catalog, int64_t *id, clxs_error *err)
{
	char c[LH_NAME_MAX + 1];
	clxs_code rc = lh_name_norm(catalog, "catalog", c, err);
	if (rc)
		return rc;
	bool found;
	if ((rc = lh_int(lh, err, id, &found, "SELECT id FROM lh_catalogs WHERE name=?", "t", c)))
		return rc;
	if (!found)
		return lh_fail(err, CLXS_ENOTFOUND, "NO_SUCH_CATALOG_EXCEPTION",
			       "Catalog '%s' was not found.", c);
	return CLXS_OK;
}

clxs_code lh_schema_id(clxs_lh *lh, const char *catalog, const char *schema, int64_t *id,
		       clxs_error *err)
{
	int64_t cid;
	char s[LH_NAME_MAX + 1];
	clxs_code rc = lh_catalog_id(lh, catalog, &cid, err);
	if (rc || (rc = lh_name_norm(schema, "schema", s, err)))
		return rc;
	bool found;
	if ((rc = lh_int(lh, err, id, &found,
			 "SELECT id FROM lh_schemas WHERE catalog_id=? AND name=?", "it", cid, s)))
		return rc;
	if (!found) {
		char full[2 * (2 * LH_NAME_MAX + 3) + 2], c[LH_NAME_MAX + 1];
		lh_name_norm(catalog, "catalog", c, NULL);
		lh_fullname(full, sizeof(full), c, s, NULL);
		return lh_fail(err, CLXS_ENOTFOUND, "SCHEMA_NOT_FOUND",
			       "The schema %s cannot be found.", full);
	}
	return CLXS_OK;
}

/* ---- shared container code: a catalog is a container under nothing, a
 * schema one under a catalog ---------------------------------------------------------- */

typedef struct {
	const char *table;     /* lh_catalogs | lh_schemas */
	const char *what;      /* catalog | schema */
	const char *exists_cls;
} kind_def;

static const kind_def CATALOG = {"lh_catalogs", "catalog", "CATALOG_ALREADY_EXISTS"};
static const kind_def SCHEMA = {"lh_schemas", "schema", "SCHEMA_ALREADY_EXISTS"};

static clxs_code insert_container(clxs_lh *lh, const kind_def *k, int64_t parent,
				  const clxs_lh_container_spec *spec, const char *name,
				  clxs_error *err)
{
	char *props = NULL;
	clxs_code rc = lh_props_text(spec->properties, &props, err);
	if (rc)
		return rc;
	int64_t now = clxs_now_ms();
	const char *owner = spec->owner ? spec->owner : lh->user;
	if (k == &CATALOG)
		rc = lh_run(lh, err,
			    "INSERT INTO lh_catalogs(name, owner, comment, storage_root, properties,"
			    " created_at, created_by, updated_at, updated_by) VALUES(?,?,?,?,?,?,?,?,?)",
			    "tttttitit", name, owner, spec->comment, spec->storage_root, props, now,
			    lh->user, now, lh->user);
	else
		rc = lh_run(lh, err,
			    "INSERT INTO lh_schemas(catalog_id, name, owner, comment, storage_root,"
			    " properties, created_at, created_by, updated_at, updated_by)"
			    " VALUES(?,?,?,?,?,?,?,?,?,?)",
			    "itttttitit", parent, name, owner, spec->comment, spec->storage_root, props,
			    now, lh->user, now, lh->user);
	free(props);
	return rc;
}

clxs_code clxs_lh_catalog_create(clxs_lh *lh, const clxs_lh_container_spec *spec,
				 bool if_not_exists, clxs_error *err)
{
	char name[LH_NAME_MAX + 1];
	clxs_code rc = lh_name_norm(spec->name, "catalog", name, err);
	if (rc || (rc = lh_begin(lh, true, err)))
		return rc;
	int64_t id;
	bool found;
	rc = lh_int(lh, err, &id, &found, "SELECT id FROM lh_catalogs WHERE name=?", "t", name);
	if (!rc && found) {
		if (!if_not_exists)
			rc = lh_fail(err, CLXS_ECONFLICT, CATALOG.exists_cls,
				     "Cannot create catalog '%s' because it already exists.", name);
		return lh_end(lh, rc, err);
	}
	if (!rc)
		rc = insert_container(lh, &CATALOG, 0, spec, name, err);
	if (!rc) {
		clxs_lh_container_spec dflt = {.name = "default", .owner = spec->owner,
					       .comment = "Default schema (auto-created)"};
		rc = insert_container(lh, &SCHEMA, sqlite3_last_insert_rowid(lh->db), &dflt,
				      "default", err);
	}
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_schema_create(clxs_lh *lh, const char *catalog,
				const clxs_lh_container_spec *spec, bool if_not_exists,
				clxs_error *err)
{
	char name[LH_NAME_MAX + 1];
	clxs_code rc = lh_name_norm(spec->name, "schema", name, err);
	if (rc || (rc = lh_begin(lh, true, err)))
		return rc;
	int64_t cid, id;
	bool found = false;
	rc = lh_catalog_id(lh, catalog, &cid, err);
	if (!rc)
		rc = lh_int(lh, err, &id, &found,
			    "SELECT id FROM lh_schemas WHERE catalog_id=? AND name=?", "it", cid, name);
	if (!rc && found) {
		if (!if_not_exists) {
			char full[2 * (2 * LH_NAME_MAX + 3) + 2], c[LH_NAME_MAX + 1];
			lh_name_norm(catalog, "catalog", c, NULL);
			lh_fullname(full, sizeof(full), c, name, NULL);
			rc = lh_fail(err, CLXS_ECONFLICT, SCHEMA.exists_cls,
				     "Cannot create schema %s because it already exists.", full);
		}
		return lh_end(lh, rc, err);
	}
	if (!rc)
		rc = insert_container(lh, &SCHEMA, cid, spec, name, err);
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_catalog_drop(clxs_lh *lh, const char *name, bool if_exists, bool cascade,
			       clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	int64_t id, n = 0;
	rc = lh_catalog_id(lh, name, &id, err);
	if (rc == CLXS_ENOTFOUND && if_exists) {
		clxs_error_clear(err);
		return lh_end(lh, CLXS_OK, err);
	}
	/* An empty "default" schema does not make a catalog non-empty. */
	if (!rc && !cascade)
		rc = lh_int(lh, err, &n, NULL,
			    "SELECT (SELECT count(*) FROM lh_schemas WHERE catalog_id=?1 AND name<>'default')"
			    " + (SELECT count(*) FROM lh_tables t JOIN lh_schemas s ON s.id=t.schema_id"
			    "    WHERE s.catalog_id=?1)", "i", id);
	if (!rc && n > 0) {
		char c[LH_NAME_MAX + 1];
		lh_name_norm(name, "catalog", c, NULL);
		rc = lh_fail(err, CLXS_EVALIDATION, "CATALOG_NOT_EMPTY",
			     "Cannot drop catalog '%s' because it is not empty. Use DROP CATALOG ... CASCADE"
			     " to drop the catalog and all its objects.", c);
	}
	if (!rc)
		rc = lh_run(lh, err, "DELETE FROM lh_catalogs WHERE id=?", "i", id);
	if (!rc)
		rc = lh_physical_gc(lh, err);
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_schema_drop(clxs_lh *lh, const char *catalog, const char *name, bool if_exists,
			      bool cascade, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	int64_t id, n = 0;
	rc = lh_schema_id(lh, catalog, name, &id, err);
	if (rc == CLXS_ENOTFOUND && if_exists) {
		clxs_error_clear(err);
		return lh_end(lh, CLXS_OK, err);
	}
	if (!rc && !cascade)
		rc = lh_int(lh, err, &n, NULL, "SELECT count(*) FROM lh_tables WHERE schema_id=?", "i",
			    id);
	if (!rc && n > 0) {
		char full[2 * (2 * LH_NAME_MAX + 3) + 2], c[LH_NAME_MAX + 1], s[LH_NAME_MAX + 1];
		lh_name_norm(catalog, "catalog", c, NULL);
		lh_name_norm(name, "schema", s, NULL);
		lh_fullname(full, sizeof(full), c, s, NULL);
		rc = lh_fail(err, CLXS_EVALIDATION, "SCHEMA_NOT_EMPTY",
			     "Cannot drop a schema %s because it contains objects. Use DROP SCHEMA ..."
			     " CASCADE to drop the schema and all its objects.", full);
	}
	if (!rc)
		rc = lh_run(lh, err, "DELETE FROM lh_schemas WHERE id=?", "i", id);
	if (!rc)
		rc = lh_physical_gc(lh, err);
	return lh_end(lh, rc, err);
}

/* ---- get / list ------------------------------------------------------------------- */

static json_object *container_json(sqlite3_stmt *st, const char *catalog)
{
	/* columns: name, owner, comment, storage_root, properties, created_at,
	 * created_by, updated_at, updated_by */
	json_object *o = json_object_new_object();
	const char *name = lh_col_text(st, 0);
	clxs_json_set_str(o, "name", name);
	if (catalog) {
		char full[2 * (LH_NAME_MAX + 1) + 1];
		snprintf(full, sizeof(full), "%s.%s", catalog, name);
		clxs_json_set_str(o, "catalog_name", catalog);
		clxs_json_set_str(o, "full_name", full);
	} else {
		clxs_json_set_str(o, "full_name", name);
		clxs_json_set_str(o, "catalog_type", "MANAGED_CATALOG");
	}
	if (lh_col_text(st, 1))
		clxs_json_set_str(o, "owner", lh_col_text(st, 1));
	if (lh_col_text(st, 2))
		clxs_json_set_str(o, "comment", lh_col_text(st, 2));
	if (lh_col_text(st, 3))
		clxs_json_set_str(o, "storage_root", lh_col_text(st, 3));
	json_object_object_add(o, "properties", lh_json_or_empty(lh_col_text(st, 4), json_type_object));
	clxs_json_set_int(o, "created_at", sqlite3_column_int64(st, 5));
	if (lh_col_text(st, 6))
		clxs_json_set_str(o, "created_by", lh_col_text(st, 6));
	clxs_json_set_int(o, "updated_at", sqlite3_column_int64(st, 7));
	if (lh_col_text(st, 8))
		clxs_json_set_str(o, "updated_by", lh_col_text(st, 8));
	return o;
}

#define CONTAINER_COLS "name, owner, comment, storage_root, properties, created_at, created_by," \
	" updated_at, updated_by"

clxs_code clxs_lh_catalog_get(clxs_lh *lh, const char *name, json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t id;
	sqlite3_stmt *st = NULL;
	if (!(rc = lh_catalog_id(lh, name, &id, err)) &&
	    !(rc = lh_stmt(lh, err, &st, "SELECT " CONTAINER_COLS " FROM lh_catalogs WHERE id=?",
			   "i", id))) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*out = container_json(st, NULL);
		else
			rc = lh_sqlfail(lh, err, "catalog get");
	}
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_schema_get(clxs_lh *lh, const char *catalog, const char *name,
			     json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t id;
	char c[LH_NAME_MAX + 1];
	sqlite3_stmt *st = NULL;
	if (!(rc = lh_schema_id(lh, catalog, name, &id, err)) &&
	    !(rc = lh_name_norm(catalog, "catalog", c, err)) &&
	    !(rc = lh_stmt(lh, err, &st, "SELECT " CONTAINER_COLS " FROM lh_schemas WHERE id=?",
			   "i", id))) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*out = container_json(st, c);
		else
			rc = lh_sqlfail(lh, err, "schema get");
	}
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

/* Page tokens are the last name of the previous page: names are unique in
 * their container, so "name > token" resumes exactly. One more row than the
 * page is read to know whether a next page exists. */
clxs_code lh_list_page(clxs_lh *lh, sqlite3_stmt *st, const char *key, const char *what,
		       int max_results, lh_row_fn row, void *ctx, json_object **out,
		       clxs_error *err)
{
	*out = NULL;
	json_object *res = json_object_new_object(), *arr = json_object_new_array();
	if (!res || !arr) {
		json_object_put(res);
		json_object_put(arr);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	json_object_object_add(res, key, arr);
	clxs_code rc = CLXS_OK;
	int s, n = 0;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (max_results > 0 && n == max_results) {
			const char *last = clxs_json_str(json_object_array_get_idx(arr, (size_t)n - 1),
							 "name", "");
			clxs_json_set_str(res, "next_page_token", last);
			s = SQLITE_DONE;
			break;
		}
		json_object *o;
		if ((rc = row(lh, st, ctx, &o, err)))
			break;
		json_object_array_add(arr, o);
		n++;
	}
	if (!rc && s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, what);
	if (rc) {
		json_object_put(res);
		return rc;
	}
	*out = res;
	return CLXS_OK;
}

/* ctx: the catalog of a schema row, NULL for a catalog row. */
static clxs_code container_row(clxs_lh *lh, sqlite3_stmt *st, void *ctx, json_object **out,
			       clxs_error *err)
{
	(void)lh;
	if (!(*out = container_json(st, ctx)))
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	return CLXS_OK;
}

clxs_code clxs_lh_catalog_list(clxs_lh *lh, const char *page_token, int max_results,
			       json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	rc = lh_stmt(lh, err, &st,
		     "SELECT " CONTAINER_COLS " FROM lh_catalogs WHERE name > ? ORDER BY name", "t",
		     page_token ? page_token : "");
	if (!rc)
		rc = lh_list_page(lh, st, "catalogs", "list", max_results, container_row, NULL, out,
				  err);
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_schema_list(clxs_lh *lh, const char *catalog, const char *page_token,
			      int max_results, json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t cid;
	char c[LH_NAME_MAX + 1];
	sqlite3_stmt *st = NULL;
	if (!(rc = lh_catalog_id(lh, catalog, &cid, err)) &&
	    !(rc = lh_name_norm(catalog, "catalog", c, err)) &&
	    !(rc = lh_stmt(lh, err, &st,
			   "SELECT " CONTAINER_COLS " FROM lh_schemas WHERE catalog_id=? AND name > ?"
			   " ORDER BY name", "it", cid, page_token ? page_token : "")))
		rc = lh_list_page(lh, st, "schemas", "list", max_results, container_row, c, out, err);
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

/* ---- update ------------------------------------------------------------------------ */

static clxs_code update_container(clxs_lh *lh, const kind_def *k, int64_t id,
				  const clxs_lh_update *upd, clxs_error *err)
{
	char sql[256];
	clxs_code rc = CLXS_OK;
	int64_t now = clxs_now_ms();
	if (upd->owner) {
		snprintf(sql, sizeof(sql), "UPDATE %s SET owner=?, updated_at=?, updated_by=? WHERE id=?",
			 k->table);
		rc = lh_run(lh, err, sql, "titi", upd->owner, now, lh->user, id);
	}
	if (!rc && upd->set_comment) {
		snprintf(sql, sizeof(sql), "UPDATE %s SET comment=?, updated_at=?, updated_by=? WHERE id=?",
			 k->table);
		rc = lh_run(lh, err, sql, "titi", upd->comment, now, lh->user, id);
	}
	if (!rc && (upd->set_properties || upd->unset_properties)) {
		sqlite3_stmt *st;
		char *props = NULL;
		snprintf(sql, sizeof(sql), "SELECT properties FROM %s WHERE id=?", k->table);
		if ((rc = lh_stmt(lh, err, &st, sql, "i", id)))
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW)
			rc = lh_props_apply(lh_col_text(st, 0), upd, &props, err);
		else
			rc = lh_sqlfail(lh, err, "properties");
		sqlite3_finalize(st);
		if (!rc) {
			snprintf(sql, sizeof(sql),
				 "UPDATE %s SET properties=?, updated_at=?, updated_by=? WHERE id=?",
				 k->table);
			rc = lh_run(lh, err, sql, "titi", props, now, lh->user, id);
		}
		free(props);
	}
	return rc;
}

clxs_code clxs_lh_catalog_update(clxs_lh *lh, const char *name, const clxs_lh_update *upd,
				 clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	int64_t id;
	if (!(rc = lh_catalog_id(lh, name, &id, err)))
		rc = update_container(lh, &CATALOG, id, upd, err);
	return lh_end(lh, rc, err);
}

clxs_code clxs_lh_schema_update(clxs_lh *lh, const char *catalog, const char *name,
				const clxs_lh_update *upd, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	int64_t id;
	if (!(rc = lh_schema_id(lh, catalog, name, &id, err)))
		rc = update_container(lh, &SCHEMA, id, upd, err);
	return lh_end(lh, rc, err);
}
