/* The REST service's side of the governance objects (volumes, functions,
 * grants): the tables and their statements are the lakehouse's
 * (clxs/lakehouse_gov.h, src/lakehouse/gov_*.c, shared with SQL); here are
 * the metastore id, REST's dotted full names and their resolution, and the
 * volume file directories. Volume files live in
 * <data_dir>/volumes/<volume uuid>/: the uuid is never reused, so a new
 * volume can never see an old one's files. */
#include "lh_internal.h"
#include "svc_internal.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/util.h"

clxs_code svc_gov_init(clxs_lh *lh, char metastore_id[37], clxs_error *err)
{
	char fresh[37];
	if (clxs_uuid4(fresh) != 0)
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "no randomness for the metastore id");
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	rc = clxs_lh_gov_init(lh, err);
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

/* REST's word for a volume or function that is not there. */
static clxs_code not_found(clxs_lh_sec_kind k, const char *c, const char *s, const char *name,
			   clxs_error *err)
{
	if (k == CLXS_LH_SEC_VOLUME)
		return lh_fail(err, CLXS_ENOTFOUND, "VOLUME_NOT_FOUND",
			       "Volume '%s.%s.%s' does not exist.", c, s, name);
	return lh_fail(err, CLXS_ENOTFOUND, "ROUTINE_NOT_FOUND",
		       "The function %s.%s.%s cannot be found.", c, s, name);
}

/* Resolve (catalog, schema, name) the REST way: the parents are looked up
 * before the object, and a missing volume or function is worded as REST
 * words it. */
static clxs_code resolve_parts(clxs_lh *lh, clxs_lh_sec_kind kind, const char *c, const char *s,
			       const char *name, clxs_lh_sec *out, clxs_error *err)
{
	int64_t sid;
	clxs_code rc;
	if (kind == CLXS_LH_SEC_TABLE && (rc = lh_schema_id(lh, c, s, &sid, err)))
		return rc;
	clxs_lh_name n = {c, s, name};
	bool found = true;
	bool object = kind == CLXS_LH_SEC_VOLUME || kind == CLXS_LH_SEC_FUNCTION;
	if ((rc = clxs_lh_sec_resolve(lh, kind, &n, out, object ? &found : NULL, err)) || found)
		return rc;
	return not_found(kind, out->catalog, out->schema, out->name, err);
}

clxs_code svc_sec_resolve(clxs_lh *lh, clxs_lh_sec_kind kind, const char *full_name,
			  clxs_lh_sec *out, clxs_error *err)
{
	memset(out, 0, sizeof(*out));
	char parts[3][256], norm[LH_NAME_MAX + 1];
	int n = kind == CLXS_LH_SEC_CATALOG ? 1 : kind == CLXS_LH_SEC_SCHEMA ? 2 : 3;
	const char *what = clxs_lh_sec_kind_name(kind);
	clxs_code rc = svc_split_name(full_name, n, parts, what, err);
	if (rc)
		return rc;
	/* Every name is checked before anything is looked up, the object's
	 * named by its kind in upper case. */
	if ((rc = lh_name_norm(parts[0], "catalog", norm, err)) ||
	    (n > 1 && (rc = lh_name_norm(parts[1], "schema", norm, err))) ||
	    (n > 2 && (rc = lh_name_norm(parts[2], what, norm, err))))
		return rc;
	return resolve_parts(lh, kind, parts[0], n > 1 ? parts[1] : NULL, n > 2 ? parts[2] : NULL,
			     out, err);
}

/* ---- volumes and functions by full name ------------------------------------------------ */

clxs_code svc_object_get(clxs_lh *lh, clxs_lh_sec_kind kind, const char *metastore_id,
			 const char *full_name, json_object **out, clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	clxs_lh_sec s;
	if (!(rc = svc_sec_resolve(lh, kind, full_name, &s, err)))
		rc = clxs_lh_object_info(lh, metastore_id, &s, out, err);
	return lh_end(lh, rc, err);
}

clxs_code svc_object_drop(clxs_lh *lh, clxs_lh_sec_kind kind, const char *full_name,
			  clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	clxs_lh_sec s;
	if (!(rc = svc_sec_resolve(lh, kind, full_name, &s, err)))
		rc = clxs_lh_sec_drop(lh, &s, err);
	return lh_end(lh, rc, err);
}

clxs_code svc_function_update(clxs_lh *lh, const char *full_name, const char *owner,
			      clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	clxs_lh_sec s;
	if (!(rc = svc_sec_resolve(lh, CLXS_LH_SEC_FUNCTION, full_name, &s, err)) && owner)
		rc = clxs_lh_sec_set_owner(lh, &s, owner, err);
	return lh_end(lh, rc, err);
}

clxs_code svc_volume_update(clxs_lh *lh, const char *full_name, const char *new_name,
			    const char *owner, bool set_comment, const char *comment,
			    clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	clxs_lh_sec s;
	if ((rc = svc_sec_resolve(lh, CLXS_LH_SEC_VOLUME, full_name, &s, err)))
		return lh_end(lh, rc, err);
	if (owner)
		rc = clxs_lh_sec_set_owner(lh, &s, owner, err);
	if (!rc && set_comment)
		rc = clxs_lh_sec_set_comment(lh, &s, comment, err);
	if (!rc && new_name)
		rc = clxs_lh_volume_rename(lh, &s, new_name, err);
	return lh_end(lh, rc, err);
}

/* ---- volume files --------------------------------------------------------------------- */

clxs_code svc_volume_uuid(clxs_lh *lh, const char *catalog, const char *schema,
			  const char *volume, char uuid[37], clxs_error *err)
{
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t sid;
	char name[LH_NAME_MAX + 1];
	clxs_lh_sec s;
	/* the Files API path: schema first, then the volume's name */
	if (!(rc = lh_schema_id(lh, catalog, schema, &sid, err)) &&
	    !(rc = lh_name_norm(volume, "volume", name, err)) &&
	    !(rc = resolve_parts(lh, CLXS_LH_SEC_VOLUME, catalog, schema, name, &s, err)))
		rc = clxs_lh_volume_uuid(lh, &s, uuid, err);
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
		if (e->d_name[0] == '.' || clxs_lh_volume_uuid_used(lh, e->d_name))
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
