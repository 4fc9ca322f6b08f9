/* Grants (lh_grants), in the two forms the lakehouse speaks: SQL's GRANT /
 * REVOKE / SHOW GRANTS and Unity Catalog's permissions API. Both write and
 * read the same rows through the statements below; they differ only in
 * which privilege names they take and in their result shapes. */
#include "gov_internal.h"
#include "lh_internal.h"

#include <ctype.h>
#include <string.h>

#include "clxs/lakehouse_gov.h"

/* Which privileges apply to which securable (Unity Catalog privilege model
 * 1.0): a bit per kind. REST accepts a privilege only on the kinds it
 * applies to; SQL accepts every name here, including those with no kind
 * (kept as given). */
#define K(x) (1u << (x))
#define ANYK (K(CLXS_LH_SEC_CATALOG) | K(CLXS_LH_SEC_SCHEMA) | K(CLXS_LH_SEC_TABLE) | \
	      K(CLXS_LH_SEC_VOLUME) | K(CLXS_LH_SEC_FUNCTION))
#define CONTAINERS (K(CLXS_LH_SEC_CATALOG) | K(CLXS_LH_SEC_SCHEMA))
static const struct {
	const char *name;
	unsigned kinds;
} privileges[] = {
	{"ALL_PRIVILEGES", ANYK},
	{"MANAGE", ANYK},
	{"APPLY_TAG", CONTAINERS | K(CLXS_LH_SEC_TABLE) | K(CLXS_LH_SEC_VOLUME)},
	{"BROWSE", K(CLXS_LH_SEC_CATALOG)},
	{"USE_CATALOG", K(CLXS_LH_SEC_CATALOG)},
	{"USE_SCHEMA", CONTAINERS},
	{"CREATE_SCHEMA", K(CLXS_LH_SEC_CATALOG)},
	{"CREATE_TABLE", CONTAINERS},
	{"CREATE_FUNCTION", CONTAINERS},
	{"CREATE_VOLUME", CONTAINERS},
	{"CREATE_MODEL", CONTAINERS},
	{"CREATE_MATERIALIZED_VIEW", CONTAINERS},
	{"EXTERNAL_USE_SCHEMA", CONTAINERS},
	{"SELECT", CONTAINERS | K(CLXS_LH_SEC_TABLE)},
	{"MODIFY", CONTAINERS | K(CLXS_LH_SEC_TABLE)},
	{"REFRESH", CONTAINERS | K(CLXS_LH_SEC_TABLE)},
	{"EXECUTE", CONTAINERS | K(CLXS_LH_SEC_FUNCTION)},
	{"READ_VOLUME", CONTAINERS | K(CLXS_LH_SEC_VOLUME)},
	{"WRITE_VOLUME", CONTAINERS | K(CLXS_LH_SEC_VOLUME)},
	{"READ_FILES", 0},
	{"WRITE_FILES", 0},
	{"CREATE_EXTERNAL_TABLE", 0},
	{"CREATE_EXTERNAL_VOLUME", 0},
	{"CREATE_FOREIGN_CATALOG", 0},
};

/* Bit mask of the kinds priv applies to; -1 when it is no privilege. */
static long privilege_kinds(const char *priv)
{
	for (size_t i = 0; i < sizeof(privileges) / sizeof(privileges[0]); i++)
		if (strcmp(priv, privileges[i].name) == 0)
			return (long)privileges[i].kinds;
	return -1;
}

/* "use catalog" and "USE_CATALOG" name the same privilege (at most 63
 * bytes are kept). */
static void privilege_upper(const char *in, char out[64])
{
	size_t j = 0;
	for (const char *q = in; *q && j < 63; q++)
		out[j++] = *q == ' ' ? '_' : (char)toupper((unsigned char)*q);
	out[j] = '\0';
}

/* Add or remove one (securable, principal, privilege) row. */
static clxs_code grant_row(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			   const char *priv, bool revoke, clxs_error *err)
{
	const char *kind = clxs_lh_sec_kind_name(s->kind);
	if (revoke)
		return lh_run(lh, err,
			      "DELETE FROM lh_grants WHERE securable_type=? AND securable_id=?"
			      " AND principal=? AND privilege=?", "titt", kind, s->id, principal, priv);
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO lh_grants(securable_type, securable_id, %s, principal,"
		 " privilege) VALUES(?,?,?,?,?)", gov_id_col(s->kind));
	return lh_run(lh, err, sql, "tiitt", kind, s->id, s->id, principal, priv);
}

/* The grant rows on (kind, id), by principal and privilege; principal
 * (optional) filters. */
static clxs_code grants_stmt(clxs_lh *lh, clxs_lh_sec_kind kind, int64_t id, const char *principal,
			     sqlite3_stmt **st, clxs_error *err)
{
	return lh_stmt(lh, err, st,
		       "SELECT principal, privilege FROM lh_grants WHERE securable_type=? AND"
		       " securable_id=? AND (?3 IS NULL OR principal=?3) ORDER BY principal, privilege",
		       "tit", clxs_lh_sec_kind_name(kind), id, principal);
}

/* ---- SQL: GRANT / REVOKE / SHOW GRANTS ------------------------------------------------------ */

static clxs_code grant_txn(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			   const char *const *privs, size_t n, bool revoke, clxs_error *err)
{
	if (!principal || !*principal)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "the principal is empty");
	clxs_code rc = CLXS_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		char p[64];
		privilege_upper(privs[i], p);
		if (!strcmp(p, "ALL"))
			snprintf(p, sizeof(p), "ALL_PRIVILEGES");
		if (privilege_kinds(p) < 0)
			return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				       "Privilege %s is not valid for %s.", privs[i],
				       clxs_lh_sec_kind_name(s->kind));
		rc = grant_row(lh, s, principal, p, revoke, err);
	}
	return rc;
}

clxs_code clxs_lh_grant(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			const char *const *privs, size_t n, bool revoke, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, grant_txn(lh, s, principal, privs, n, revoke, err), err);
}

clxs_code clxs_lh_grants_list(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			      json_object **out, clxs_error *err)
{
	*out = NULL;
	sqlite3_stmt *st;
	clxs_code rc = grants_stmt(lh, s->kind, s->id, principal, &st, err);
	if (rc)
		return rc;
	json_object *a = json_object_new_array();
	char key[800];
	if (s->kind == CLXS_LH_SEC_CATALOG)
		lh_fullname(key, sizeof(key), s->catalog, NULL, NULL);
	else if (s->kind == CLXS_LH_SEC_SCHEMA)
		lh_fullname(key, sizeof(key), s->catalog, s->schema, NULL);
	else
		lh_fullname(key, sizeof(key), s->catalog, s->schema, s->name);
	while (a && sqlite3_step(st) == SQLITE_ROW) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "principal", lh_col_text(st, 0));
		clxs_json_set_str(o, "privilege", lh_col_text(st, 1));
		clxs_json_set_str(o, "object_type", clxs_lh_sec_kind_name(s->kind));
		clxs_json_set_str(o, "object_key", key);
		json_object_array_add(a, o);
	}
	sqlite3_finalize(st);
	if (!a)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	*out = a;
	return CLXS_OK;
}

/* ---- REST: permissions/{type}/{name} ------------------------------------------------------- */

/* A privilege of a REST change, which must apply to the securable. */
static clxs_code rest_privilege(const char *in, clxs_lh_sec_kind kind, char out[64],
				clxs_error *err)
{
	size_t n = in ? strlen(in) : 0;
	if (n == 0 || n >= 64)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "privilege '%s' is not valid", in ? in : "");
	privilege_upper(in, out);
	long kinds = privilege_kinds(out);
	if (kinds > 0 && ((unsigned long)kinds & K(kind)))
		return CLXS_OK;
	return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
		       "Privilege %s is not applicable to this entity [%s]. If this seems unexpected,"
		       " please check the privilege version of the metastore in use.", out,
		       clxs_lh_sec_kind_name(kind));
}

/* Add (or remove) each privilege named in the array list. */
static clxs_code change_privs(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
			      json_object *list, bool revoke, clxs_error *err)
{
	clxs_code rc = CLXS_OK;
	for (size_t j = 0; list && j < json_object_array_length(list) && !rc; j++) {
		char p[64];
		if (!(rc = rest_privilege(json_object_get_string(json_object_array_get_idx(list, j)),
					  s->kind, p, err)))
			rc = grant_row(lh, s, principal, p, revoke, err);
	}
	return rc;
}

static clxs_code update_txn(clxs_lh *lh, const clxs_lh_sec *s, json_object *changes,
			    clxs_error *err)
{
	clxs_code rc = CLXS_OK;
	size_t n = json_object_array_length(changes);
	for (size_t i = 0; i < n && !rc; i++) {
		json_object *ch = json_object_array_get_idx(changes, i), *add = NULL, *rem = NULL;
		const char *principal = clxs_json_str(ch, "principal", NULL);
		if (!principal || !*principal)
			return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				       "changes[%zu].principal is required", i);
		json_object_object_get_ex(ch, "add", &add);
		json_object_object_get_ex(ch, "remove", &rem);
		if ((add && !json_object_is_type(add, json_type_array)) ||
		    (rem && !json_object_is_type(rem, json_type_array)))
			return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				       "changes[%zu].add and .remove must be arrays of privileges", i);
		if (!(rc = change_privs(lh, s, principal, add, false, err)))
			rc = change_privs(lh, s, principal, rem, true, err);
	}
	return rc;
}

clxs_code clxs_lh_grants_update(clxs_lh *lh, const clxs_lh_sec *s, json_object *changes,
				clxs_error *err)
{
	if (!changes || !json_object_is_type(changes, json_type_array))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "changes must be an array of {principal, add, remove}");
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, update_txn(lh, s, changes, err), err);
}

/* Append the grants on (kind, id) to the assignments, grouped by principal;
 * from_name (when non-NULL) marks them inherited. */
static clxs_code add_grants(clxs_lh *lh, clxs_lh_sec_kind kind, int64_t id, const char *principal,
			    const char *from_name, bool effective, json_object *assign,
			    clxs_error *err)
{
	sqlite3_stmt *st;
	clxs_code rc = grants_stmt(lh, kind, id, principal, &st, err);
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
			clxs_json_set_str(p, "inherited_from_type", clxs_lh_sec_kind_name(kind));
			clxs_json_set_str(p, "inherited_from_name", from_name);
		}
		json_object_array_add(privs, p);
	}
	if (s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "grants");
	sqlite3_finalize(st);
	return rc;
}

clxs_code clxs_lh_grants_assignments(clxs_lh *lh, const clxs_lh_sec *s, const char *principal,
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
		if (!rc && effective && s->kind != CLXS_LH_SEC_CATALOG)
			rc = add_grants(lh, CLXS_LH_SEC_CATALOG, s->catalog_id, principal, s->catalog,
					true, assign, err);
		if (!rc && effective && s->kind != CLXS_LH_SEC_CATALOG &&
		    s->kind != CLXS_LH_SEC_SCHEMA) {
			char sname[520];
			snprintf(sname, sizeof(sname), "%s.%s", s->catalog, s->schema);
			rc = add_grants(lh, CLXS_LH_SEC_SCHEMA, s->schema_id, principal, sname, true,
					assign, err);
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
