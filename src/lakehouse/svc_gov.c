/* Governance objects the storage core does not keep yet: volumes,
 * functions and grants, as further metastore tables keyed by the core's
 * ids with ON DELETE CASCADE (docs/lakehouse-storage.md), so dropping a
 * catalog, schema or table takes its volumes, functions and grants along.
 * Volume files live in <data_dir>/volumes/<volume uuid>/: the uuid is never
 * reused, so a new volume can never see an old one's files. */
#include "lh_internal.h"
#include "svc_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
};

clxs_code svc_gov_init(clxs_lh *lh, char metastore_id[37], clxs_error *err)
{
	char fresh[37];
	if (clxs_uuid4(fresh) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the metastore id");
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(gov_schema) / sizeof(gov_schema[0]) && !rc; i++)
		rc = lh_run(lh, err, gov_schema[i], NULL);
	if (!rc)
		rc = lh_run(lh, err, "INSERT OR IGNORE INTO lh_meta(key, value) VALUES('metastore_id', ?)",
			    "t", fresh);
	sqlite3_stmt *st = NULL;
	if (!rc && !(rc = lh_stmt(lh, err, &st, "SELECT value FROM lh_meta WHERE key='metastore_id'",
				  NULL))) {
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(metastore_id, 37, "%s", lh_col_text(st, 0));
		else
			rc = lh_sqlfail(lh, err, "metastore id");
	}
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

/* ---- securables -------------------------------------------------------------------- */

static const char *const kind_names[] = {"CATALOG", "SCHEMA", "TABLE", "VOLUME", "FUNCTION"};

bool svc_sec_kind_parse(const char *s, svc_sec_kind *out)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcasecmp(s, kind_names[i]) == 0) {
			*out = (svc_sec_kind)i;
			return true;
		}
	return false;
}

const char *svc_sec_kind_name(svc_sec_kind k)
{
	return kind_names[k];
}

clxs_code svc_split_name(const char *full, int n, char parts[3][256], const char *what,
			    clxs_error *err)
{
	const char *p = full;
	for (int i = 0; i < n; i++) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if ((i < n - 1) != (dot != NULL) || len == 0 || len > 255)
			return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				       "'%s' is not a valid %s name: expected %d dot-separated parts",
				       full, what, n);
		memcpy(parts[i], p, len);
		parts[i][len] = '\0';
		p = dot ? dot + 1 : p + len;
	}
	return CLXS_OK;
}

static const char *obj_table(svc_sec_kind k)
{
	return k == SEC_VOLUME ? "lh_volumes" : "lh_functions";
}

/* Volume or function by (schema id, name): *found tells. */
static clxs_code obj_id(clxs_lh *lh, svc_sec_kind k, int64_t schema_id, const char *name,
			int64_t *id, bool *found, clxs_error *err)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE schema_id=? AND name=?", obj_table(k));
	return lh_int(lh, err, id, found, sql, "it", schema_id, name);
}

static clxs_code not_found(svc_sec_kind k, const char *full, clxs_error *err)
{
	if (k == SEC_VOLUME)
		return lh_fail(err, CLXS_ENOTFOUND, "VOLUME_NOT_FOUND",
			       "Volume '%s' does not exist.", full);
	return lh_fail(err, CLXS_ENOTFOUND, "ROUTINE_NOT_FOUND",
		       "The function %s cannot be found.", full);
}

clxs_code svc_sec_resolve(clxs_lh *lh, svc_sec_kind kind, const char *full_name, svc_sec *out,
			  clxs_error *err)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	char parts[3][256];
	int n = kind == SEC_CATALOG ? 1 : kind == SEC_SCHEMA ? 2 : 3;
	clxs_code rc = svc_split_name(full_name, n, parts, kind_names[kind], err);
	if (rc)
		return rc;
	if ((rc = lh_name_norm(parts[0], "catalog", out->catalog, err)) ||
	    (n > 1 && (rc = lh_name_norm(parts[1], "schema", out->schema, err))) ||
	    (n > 2 && (rc = lh_name_norm(parts[2], kind_names[kind], out->name, err))))
		return rc;
	if (n == 1)
		snprintf(out->full, sizeof(out->full), "%s", out->catalog);
	else if (n == 2)
		snprintf(out->full, sizeof(out->full), "%s.%s", out->catalog, out->schema);
	else
		snprintf(out->full, sizeof(out->full), "%s.%s.%s", out->catalog, out->schema,
			 out->name);
	if ((rc = lh_catalog_id(lh, out->catalog, &out->catalog_id, err)))
		return rc;
	if (kind == SEC_CATALOG) {
		out->id = out->catalog_id;
		return CLXS_OK;
	}
	if ((rc = lh_schema_id(lh, out->catalog, out->schema, &out->schema_id, err)))
		return rc;
	if (kind == SEC_SCHEMA) {
		out->id = out->schema_id;
		return CLXS_OK;
	}
	if (kind == SEC_TABLE) {
		clxs_lh_name tn = {out->catalog, out->schema, out->name};
		lh_tbl t;
		if ((rc = lh_tbl_resolve(lh, &tn, &t, NULL, err)))
			return rc;
		out->id = t.id;
		return CLXS_OK;
	}
	bool found;
	if ((rc = obj_id(lh, kind, out->schema_id, out->name, &out->id, &found, err)))
		return rc;
	return found ? CLXS_OK : not_found(kind, out->full, err);
}

/* ---- volumes ---------------------------------------------------------------------------- */

#define VOLUME_COLS "v.name, v.volume_uuid, v.volume_type, v.storage_location, v.owner," \
	" v.comment, v.created_at, v.created_by, v.updated_at, v.updated_by, c.name, s.name"
#define VOLUME_FROM " FROM lh_volumes v JOIN lh_schemas s ON s.id=v.schema_id" \
	" JOIN lh_catalogs c ON c.id=s.catalog_id"

static json_object *volume_json(sqlite3_stmt *st, const char *metastore_id)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	const char *name = lh_col_text(st, 0), *cat = lh_col_text(st, 10), *sch = lh_col_text(st, 11);
	char full[800];
	snprintf(full, sizeof(full), "%s.%s.%s", cat, sch, name);
	clxs_json_set_str(o, "name", name);
	clxs_json_set_str(o, "catalog_name", cat);
	clxs_json_set_str(o, "schema_name", sch);
	clxs_json_set_str(o, "full_name", full);
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

static clxs_code volume_by_id(clxs_lh *lh, const char *metastore_id, int64_t id,
			      json_object **out, clxs_error *err)
{
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st, "SELECT " VOLUME_COLS VOLUME_FROM " WHERE v.id=?", "i", id);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (!(*out = volume_json(st, metastore_id)))
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	} else {
		rc = lh_sqlfail(lh, err, "volume get");
	}
	sqlite3_finalize(st);
	return rc;
}

clxs_code svc_volume_create(clxs_lh *lh, const char *data_dir, const char *metastore_id,
			    const svc_volume_spec *spec, json_object **out, clxs_error *err)
{
	*out = NULL;
	char name[LH_NAME_MAX + 1], uuid[37];
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
	if (clxs_uuid4(uuid) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the volume id");
	char *loc = NULL;
	if (external)
		loc = strdup(spec->storage_location);
	else if (asprintf(&loc, "file://%s/volumes/%s", data_dir, uuid) < 0)
		loc = NULL;
	if (!loc)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if ((rc = lh_begin(lh, true, err))) {
		free(loc);
		return rc;
	}
	int64_t sid, id;
	bool found = false;
	if (!(rc = lh_schema_id(lh, spec->catalog, spec->schema, &sid, err)) &&
	    !(rc = obj_id(lh, SEC_VOLUME, sid, name, &id, &found, err)) && found) {
		char c[LH_NAME_MAX + 1], s[LH_NAME_MAX + 1];
		lh_name_norm(spec->catalog, "catalog", c, NULL);
		lh_name_norm(spec->schema, "schema", s, NULL);
		rc = lh_fail(err, CLXS_ECONFLICT, "VOLUME_ALREADY_EXISTS",
			     "Volume '%s.%s.%s' already exists.", c, s, name);
	}
	int64_t now = clxs_now_ms();
	const char *user = lh->user;
	if (!rc)
		rc = lh_run(lh, err,
			    "INSERT INTO lh_volumes(schema_id, name, volume_uuid, volume_type,"
			    " storage_location, owner, comment, created_at, created_by, updated_at,"
			    " updated_by) VALUES(?,?,?,?,?,?,?,?,?,?,?)", "ittttttitit", sid, name,
			    uuid, type, loc, user, spec->comment, now, user, now, user);
	if (!rc)
		rc = volume_by_id(lh, metastore_id, sqlite3_last_insert_rowid(lh->db), out, err);
	free(loc);
	rc = lh_end(lh, rc, err);
	if (rc) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

clxs_code svc_volume_get(clxs_lh *lh, const char *metastore_id, const char *full_name,
			 json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	svc_sec s;
	if (!(rc = svc_sec_resolve(lh, SEC_VOLUME, full_name, &s, err)))
		rc = volume_by_id(lh, metastore_id, s.id, out, err);
	return lh_end(lh, rc, err);
}

static json_object *function_json(sqlite3_stmt *st, const char *metastore_id);

/* Shared list paging: "name > token ORDER BY name", one more row than the
 * page to know whether a next page exists. */
static clxs_code list_objs(clxs_lh *lh, svc_sec_kind k, const char *metastore_id,
			   const char *catalog, const char *schema, const char *page_token,
			   int max_results, json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t sid;
	sqlite3_stmt *st = NULL;
	json_object *res = NULL, *arr = NULL;
	const char *sql = k == SEC_VOLUME
		? "SELECT " VOLUME_COLS VOLUME_FROM " WHERE v.schema_id=? AND v.name > ? ORDER BY v.name"
		: "SELECT f.name, f.function_uuid, f.owner, f.comment, f.info, f.created_at,"
		  " f.created_by, f.updated_at, f.updated_by, c.name, s.name FROM lh_functions f"
		  " JOIN lh_schemas s ON s.id=f.schema_id JOIN lh_catalogs c ON c.id=s.catalog_id"
		  " WHERE f.schema_id=? AND f.name > ? ORDER BY f.name";
	if ((rc = lh_schema_id(lh, catalog, schema, &sid, err)) ||
	    (rc = lh_stmt(lh, err, &st, sql, "it", sid, page_token ? page_token : "")))
		goto out;
	res = json_object_new_object();
	arr = json_object_new_array();
	if (!res || !arr) {
		json_object_put(arr);
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	json_object_object_add(res, k == SEC_VOLUME ? "volumes" : "functions", arr);
	int s, n = 0;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (max_results > 0 && n == max_results) {
			clxs_json_set_str(res, "next_page_token",
					  clxs_json_str(json_object_array_get_idx(arr, (size_t)n - 1),
							"name", ""));
			s = SQLITE_DONE;
			break;
		}
		json_object *o = k == SEC_VOLUME ? volume_json(st, metastore_id)
						 : function_json(st, metastore_id);
		if (!o) {
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			break;
		}
		json_object_array_add(arr, o);
		n++;
	}
	if (!rc && s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "list");
	if (!rc) {
		*out = res;
		res = NULL;
	}
out:
	json_object_put(res);
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

clxs_code svc_volume_list(clxs_lh *lh, const char *metastore_id, const char *catalog,
			  const char *schema, const char *page_token, int max_results,
			  json_object **out, clxs_error *err)
{
	return list_objs(lh, SEC_VOLUME, metastore_id, catalog, schema, page_token, max_results,
			 out, err);
}

clxs_code svc_volume_update(clxs_lh *lh, const char *full_name, const char *new_name,
			    const char *owner, bool set_comment, const char *comment,
			    clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	svc_sec s;
	int64_t now = clxs_now_ms();
	if ((rc = svc_sec_resolve(lh, SEC_VOLUME, full_name, &s, err)))
		return lh_end(lh, rc, err);
	if (owner)
		rc = lh_run(lh, err, "UPDATE lh_volumes SET owner=?, updated_at=?, updated_by=? WHERE id=?",
			    "titi", owner, now, lh->user, s.id);
	if (!rc && set_comment)
		rc = lh_run(lh, err,
			    "UPDATE lh_volumes SET comment=?, updated_at=?, updated_by=? WHERE id=?",
			    "titi", comment, now, lh->user, s.id);
	if (!rc && new_name) {
		char nn[LH_NAME_MAX + 1];
		int64_t other;
		bool found = false;
		if (!(rc = lh_name_norm(new_name, "volume", nn, err)) &&
		    !(rc = obj_id(lh, SEC_VOLUME, s.schema_id, nn, &other, &found, err)) && found &&
		    other != s.id)
			rc = lh_fail(err, CLXS_ECONFLICT, "VOLUME_ALREADY_EXISTS",
				     "Volume '%s.%s.%s' already exists.", s.catalog, s.schema, nn);
		if (!rc)
			rc = lh_run(lh, err,
				    "UPDATE lh_volumes SET name=?, updated_at=?, updated_by=? WHERE id=?",
				    "titi", nn, now, lh->user, s.id);
	}
	return lh_end(lh, rc, err);
}

clxs_code svc_volume_drop(clxs_lh *lh, const char *full_name, char *uuid_out, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	svc_sec s;
	sqlite3_stmt *st = NULL;
	if (!(rc = svc_sec_resolve(lh, SEC_VOLUME, full_name, &s, err)) && uuid_out &&
	    !(rc = lh_stmt(lh, err, &st, "SELECT volume_uuid FROM lh_volumes WHERE id=?", "i", s.id))) {
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(uuid_out, 37, "%s", lh_col_text(st, 0));
		else
			rc = lh_sqlfail(lh, err, "volume uuid");
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = lh_run(lh, err, "DELETE FROM lh_volumes WHERE id=?", "i", s.id);
	return lh_end(lh, rc, err);
}

clxs_code svc_volume_uuid(clxs_lh *lh, const char *catalog, const char *schema,
			  const char *volume, char uuid[37], clxs_error *err)
{
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t sid, id;
	bool found = false;
	char name[LH_NAME_MAX + 1];
	sqlite3_stmt *st = NULL;
	if ((rc = lh_schema_id(lh, catalog, schema, &sid, err)) ||
	    (rc = lh_name_norm(volume, "volume", name, err)) ||
	    (rc = obj_id(lh, SEC_VOLUME, sid, name, &id, &found, err)))
		return lh_end(lh, rc, err);
	if (!found) {
		char c[LH_NAME_MAX + 1], s[LH_NAME_MAX + 1], full[800];
		lh_name_norm(catalog, "catalog", c, NULL);
		lh_name_norm(schema, "schema", s, NULL);
		snprintf(full, sizeof(full), "%s.%s.%s", c, s, name);
		return lh_end(lh, not_found(SEC_VOLUME, full, err), err);
	}
	if (!(rc = lh_stmt(lh, err, &st, "SELECT volume_uuid FROM lh_volumes WHERE id=?", "i", id))) {
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(uuid, 37, "%s", lh_col_text(st, 0));
		else
			rc = lh_sqlfail(lh, err, "volume uuid");
	}
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

void svc_volume_gc(clxs_lh *lh, const char *data_dir)
{
	char *dir = NULL;
	if (asprintf(&dir, "%s/volumes", data_dir) < 0)
		return;
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int64_t id;
		bool found = true;
		clxs_error err;
		if (lh_int(lh, &err, &id, &found, "SELECT id FROM lh_volumes WHERE volume_uuid=?", "t",
			   e->d_name) || found)
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", dir, e->d_name) >= 0) {
			/* FTW_PHYS: never follow a symlink out of the tree. */
			nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
			free(p);
		}
	}
	closedir(d);
	free(dir);
}

/* ---- functions ------------------------------------------------------------------------------ */

/* columns: name, function_uuid, owner, comment, info, created_at, created_by,
 * updated_at, updated_by, catalog, schema */
static json_object *function_json(sqlite3_stmt *st, const char *metastore_id)
{
	json_object *o = lh_json_or_empty(lh_col_text(st, 4), json_type_object);
	if (!o)
		return NULL;
	const char *name = lh_col_text(st, 0), *cat = lh_col_text(st, 9), *sch = lh_col_text(st, 10);
	char full[800];
	snprintf(full, sizeof(full), "%s.%s.%s", cat, sch, name);
	clxs_json_set_str(o, "name", name);
	clxs_json_set_str(o, "catalog_name", cat);
	clxs_json_set_str(o, "schema_name", sch);
	clxs_json_set_str(o, "full_name", full);
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

static clxs_code function_by_id(clxs_lh *lh, const char *metastore_id, int64_t id,
				json_object **out, clxs_error *err)
{
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT f.name, f.function_uuid, f.owner, f.comment, f.info, f.created_at,"
			       " f.created_by, f.updated_at, f.updated_by, c.name, s.name FROM lh_functions f"
			       " JOIN lh_schemas s ON s.id=f.schema_id JOIN lh_catalogs c ON c.id=s.catalog_id"
			       " WHERE f.id=?", "i", id);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (!(*out = function_json(st, metastore_id)))
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	} else {
		rc = lh_sqlfail(lh, err, "function get");
	}
	sqlite3_finalize(st);
	return rc;
}

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

clxs_code svc_function_create(clxs_lh *lh, const char *metastore_id, json_object *info,
			      json_object **out, clxs_error *err)
{
	*out = NULL;
	char name[LH_NAME_MAX + 1], uuid[37];
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
	if (clxs_uuid4(uuid) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the function id");
	json_object *stored = function_info(info);
	if (!stored)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if ((rc = lh_begin(lh, true, err))) {
		json_object_put(stored);
		return rc;
	}
	int64_t sid, id;
	bool found = false;
	const char *cat = clxs_json_str(info, "catalog_name", NULL),
		   *sch = clxs_json_str(info, "schema_name", NULL);
	if (!(rc = lh_schema_id(lh, cat, sch, &sid, err)) &&
	    !(rc = obj_id(lh, SEC_FUNCTION, sid, name, &id, &found, err)) && found) {
		char c[LH_NAME_MAX + 1], s[LH_NAME_MAX + 1], full[800];
		lh_name_norm(cat, "catalog", c, NULL);
		lh_name_norm(sch, "schema", s, NULL);
		lh_fullname(full, sizeof(full), c, s, name);
		rc = lh_fail(err, CLXS_ECONFLICT, "ROUTINE_ALREADY_EXISTS",
			     "Cannot create the function %s because it already exists.", full);
	}
	int64_t now = clxs_now_ms();
	if (!rc)
		rc = lh_run(lh, err,
			    "INSERT INTO lh_functions(schema_id, name, function_uuid, owner, comment, info,"
			    " created_at, created_by, updated_at, updated_by) VALUES(?,?,?,?,?,?,?,?,?,?)",
			    "itttttitit", sid, name, uuid, lh->user, clxs_json_str(info, "comment", NULL),
			    json_object_to_json_string_ext(stored, JSON_C_TO_STRING_PLAIN), now, lh->user,
			    now, lh->user);
	json_object_put(stored);
	if (!rc)
		rc = function_by_id(lh, metastore_id, sqlite3_last_insert_rowid(lh->db), out, err);
	rc = lh_end(lh, rc, err);
	if (rc) {
		json_object_put(*out);
		*out = NULL;
	}
	return rc;
}

clxs_code svc_function_get(clxs_lh *lh, const char *metastore_id, const char *full_name,
			   json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	svc_sec s;
	if (!(rc = svc_sec_resolve(lh, SEC_FUNCTION, full_name, &s, err)))
		rc = function_by_id(lh, metastore_id, s.id, out, err);
	return lh_end(lh, rc, err);
}

clxs_code svc_function_list(clxs_lh *lh, const char *metastore_id, const char *catalog,
			    const char *schema, const char *page_token, int max_results,
			    json_object **out, clxs_error *err)
{
	return list_objs(lh, SEC_FUNCTION, metastore_id, catalog, schema, page_token, max_results,
			 out, err);
}

clxs_code svc_function_update(clxs_lh *lh, const char *full_name, const char *owner,
			      clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	svc_sec s;
	if (!(rc = svc_sec_resolve(lh, SEC_FUNCTION, full_name, &s, err)) && owner)
		rc = lh_run(lh, err,
			    "UPDATE lh_functions SET owner=?, updated_at=?, updated_by=? WHERE id=?",
			    "titi", owner, clxs_now_ms(), lh->user, s.id);
	return lh_end(lh, rc, err);
}

clxs_code svc_function_drop(clxs_lh *lh, const char *full_name, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	svc_sec s;
	if (!(rc = svc_sec_resolve(lh, SEC_FUNCTION, full_name, &s, err)))
		rc = lh_run(lh, err, "DELETE FROM lh_functions WHERE id=?", "i", s.id);
	return lh_end(lh, rc, err);
}

/* ---- grants ------------------------------------------------------------------------------------ */

/* Which privileges apply to which securable (Unity Catalog privilege model
 * 1.0): a bit per kind. */
#define K(x) (1u << (x))
#define ANYK (K(SEC_CATALOG) | K(SEC_SCHEMA) | K(SEC_TABLE) | K(SEC_VOLUME) | K(SEC_FUNCTION))
#define CONTAINERS (K(SEC_CATALOG) | K(SEC_SCHEMA))
static const struct {
	const char *name;
	unsigned kinds;
} privileges[] = {
	{"ALL_PRIVILEGES", ANYK},
	{"MANAGE", ANYK},
	{"APPLY_TAG", CONTAINERS | K(SEC_TABLE) | K(SEC_VOLUME)},
	{"BROWSE", K(SEC_CATALOG)},
	{"USE_CATALOG", K(SEC_CATALOG)},
	{"USE_SCHEMA", CONTAINERS},
	{"CREATE_SCHEMA", K(SEC_CATALOG)},
	{"CREATE_TABLE", CONTAINERS},
	{"CREATE_FUNCTION", CONTAINERS},
	{"CREATE_VOLUME", CONTAINERS},
	{"CREATE_MODEL", CONTAINERS},
	{"CREATE_MATERIALIZED_VIEW", CONTAINERS},
	{"EXTERNAL_USE_SCHEMA", CONTAINERS},
	{"SELECT", CONTAINERS | K(SEC_TABLE)},
	{"MODIFY", CONTAINERS | K(SEC_TABLE)},
	{"REFRESH", CONTAINERS | K(SEC_TABLE)},
	{"EXECUTE", CONTAINERS | K(SEC_FUNCTION)},
	{"READ_VOLUME", CONTAINERS | K(SEC_VOLUME)},
	{"WRITE_VOLUME", CONTAINERS | K(SEC_VOLUME)},
};

/* "use catalog" and "USE_CATALOG" name the same privilege. */
static clxs_code privilege_norm(const char *in, svc_sec_kind kind, char out[64],
				clxs_error *err)
{
	size_t n = in ? strlen(in) : 0;
	if (n == 0 || n >= 64)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "privilege '%s' is not valid", in ? in : "");
	for (size_t i = 0; i <= n; i++)
		out[i] = in[i] == ' ' ? '_' : (char)toupper((unsigned char)in[i]);
	for (size_t i = 0; i < sizeof(privileges) / sizeof(privileges[0]); i++)
		if (strcmp(out, privileges[i].name) == 0) {
			if (privileges[i].kinds & K(kind))
				return CLXS_OK;
			break;
		}
	return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
		       "Privilege %s is not applicable to this entity [%s]. If this seems unexpected,"
		       " please check the privilege version of the metastore in use.", out,
		       kind_names[kind]);
}

static const char *fk_column(svc_sec_kind k)
{
	static const char *const cols[] = {"catalog_id", "schema_id", "table_id", "volume_id",
					   "function_id"};
	return cols[k];
}

clxs_code svc_grants_update(clxs_lh *lh, const svc_sec *s, json_object *changes,
			    clxs_error *err)
{
	if (!changes || !json_object_is_type(changes, json_type_array))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "changes must be an array of {principal, add, remove}");
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO lh_grants(securable_type, securable_id, %s, principal,"
		 " privilege) VALUES(?,?,?,?,?)", fk_column(s->kind));
	size_t n = json_object_array_length(changes);
	for (size_t i = 0; i < n && !rc; i++) {
		json_object *ch = json_object_array_get_idx(changes, i), *add = NULL, *rem = NULL;
		const char *principal = clxs_json_str(ch, "principal", NULL);
		if (!principal || !*principal) {
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				     "changes[%zu].principal is required", i);
			break;
		}
		json_object_object_get_ex(ch, "add", &add);
		json_object_object_get_ex(ch, "remove", &rem);
		if ((add && !json_object_is_type(add, json_type_array)) ||
		    (rem && !json_object_is_type(rem, json_type_array))) {
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				     "changes[%zu].add and .remove must be arrays of privileges", i);
			break;
		}
		for (size_t j = 0; add && j < json_object_array_length(add) && !rc; j++) {
			char p[64];
			if (!(rc = privilege_norm(json_object_get_string(json_object_array_get_idx(add, j)),
						  s->kind, p, err)))
				rc = lh_run(lh, err, sql, "tiitt", kind_names[s->kind], s->id, s->id,
					    principal, p);
		}
		for (size_t j = 0; rem && j < json_object_array_length(rem) && !rc; j++) {
			char p[64];
			if (!(rc = privilege_norm(json_object_get_string(json_object_array_get_idx(rem, j)),
						  s->kind, p, err)))
				rc = lh_run(lh, err,
					    "DELETE FROM lh_grants WHERE securable_type=? AND securable_id=?"
					    " AND principal=? AND privilege=?", "titt", kind_names[s->kind],
					    s->id, principal, p);
		}
	}
	return lh_end(lh, rc, err);
}

/* Append the grants on (kind, id) to the assignments, grouped by principal;
 * from (when non-NULL) marks them inherited. */
static clxs_code add_grants(clxs_lh *lh, svc_sec_kind kind, int64_t id, const char *principal,
			    const char *from_name, bool effective, json_object *assign,
			    clxs_error *err)
{
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT principal, privilege FROM lh_grants WHERE securable_type=? AND"
			       " securable_id=? AND (?3 IS NULL OR principal=?3)"
			       " ORDER BY principal, privilege", "tit", kind_names[kind], id, principal);
	if (rc)
		return rc;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = lh_col_text(st, 0), *priv = lh_col_text(st, 1);
		json_object *entry = NULL, *privs;
		for (size_t i = 0; i < json_object_array_length(assign) && !entry; i++) {
			json_object *e = json_object_array_get_idx(assign, i);
			if (strcmp(clxs_json_str(e, "principal", ""), who) == 0)
				entry = e;
		}
		if (!entry) {
			entry = json_object_new_object();
			clxs_json_set_str(entry, "principal", who);
			json_object_object_add(entry, "privileges", json_object_new_array());
			json_object_array_add(assign, entry);
		}
		json_object_object_get_ex(entry, "privileges", &privs);
		if (!effective) {
			json_object_array_add(privs, json_object_new_string(priv));
			continue;
		}
		json_object *p = json_object_new_object();
		clxs_json_set_str(p, "privilege", priv);
		if (from_name) {
			clxs_json_set_str(p, "inherited_from_type", kind_names[kind]);
			clxs_json_set_str(p, "inherited_from_name", from_name);
		}
		json_object_array_add(privs, p);
	}
	if (s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "grants");
	sqlite3_finalize(st);
	return rc;
}

static clxs_code grants_read(clxs_lh *lh, const svc_sec *s, const char *principal,
			     bool effective, json_object **out, clxs_error *err)
{
	*out = NULL;
	json_object *res = json_object_new_object(), *assign = json_object_new_array();
	if (!res || !assign) {
		json_object_put(res);
		json_object_put(assign);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	json_object_object_add(res, "privilege_assignments", assign);
	clxs_code rc = lh_begin(lh, false, err);
	if (!rc) {
		rc = add_grants(lh, s->kind, s->id, principal, NULL, effective, assign, err);
		/* Privileges flow down: catalog -> schema -> object. */
		if (!rc && effective && s->kind != SEC_CATALOG)
			rc = add_grants(lh, SEC_CATALOG, s->catalog_id, principal, s->catalog, true,
					assign, err);
		if (!rc && effective && s->kind != SEC_CATALOG && s->kind != SEC_SCHEMA) {
			char sname[520];
			snprintf(sname, sizeof(sname), "%s.%s", s->catalog, s->schema);
			rc = add_grants(lh, SEC_SCHEMA, s->schema_id, principal, sname, true, assign,
					err);
		}
		rc = lh_end(lh, rc, err);
	}
	if (rc) {
		json_object_put(res);
		return rc;
	}
	*out = res;
	return CLXS_OK;
}

clxs_code svc_grants_get(clxs_lh *lh, const svc_sec *s, const char *principal,
			 json_object **out, clxs_error *err)
{
	return grants_read(lh, s, principal, false, out, err);
}

clxs_code svc_grants_effective(clxs_lh *lh, const svc_sec *s, const char *principal,
			       json_object **out, clxs_error *err)
{
	return grants_read(lh, s, principal, true, out, err);
}
