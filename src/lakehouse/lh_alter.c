/* Table changes the storage core has no call for (ALTER TABLE ADD/DROP
 * CONSTRAINT, ALTER COLUMN COMMENT, CONVERT TO DELTA), written with the
 * core's internal helpers so they follow its rules: one transaction, a
 * Delta version with the operation Databricks logs, lowercased names. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/lakehouse_gov.h"

static bool is_delta(clxs_lh *lh, const lh_tbl *t)
{
	int64_t n = 0;
	lh_int(lh, NULL, &n, NULL,
	       "SELECT count(*) FROM lh_tables WHERE id=? AND upper(coalesce(data_source_format,"
	       "'DELTA'))='DELTA'", "i", t->id);
	return n > 0;
}

static clxs_code version_commit(clxs_lh *lh, const lh_tbl *t, const char *op, json_object *params,
				clxs_error *err)
{
	int64_t v;
	lh_cols c = {0};
	clxs_code rc = lh_latest_version(lh, t->id, &v, err);
	if (!rc)
		rc = lh_cols_load(lh, t->id, &c, err);
	json_object *m = json_object_new_object();
	if (!rc)
		rc = lh_commit_version(lh, t->id, v + 1, op, params, m, &c, err);
	json_object_put(m);
	lh_cols_free(&c);
	return rc;
}

static clxs_code json_list(const char *const *v, size_t n, char **out, clxs_error *err)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	*out = a ? strdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN)) : NULL;
	json_object_put(a);
	return *out ? CLXS_OK : clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
}

static clxs_code add_txn(clxs_lh *lh, const clxs_lh_name *n, const clxs_lh_constraint *k,
			 clxs_error *err)
{
	lh_tbl t;
	char name[LH_NAME_MAX + 1];
	clxs_code rc = lh_tbl_resolve(lh, n, &t, NULL, err);
	if (!rc && t.is_view)
		rc = lh_fail(err, CLXS_EINVAL, "EXPECT_TABLE_NOT_VIEW",
			     "%s is a view; constraints are set on tables.", t.full);
	if (!rc)
		rc = lh_name_norm(k->name, "constraint", name, err);
	if (rc)
		return rc;
	int64_t one = 0;
	bool found = false;
	if ((rc = lh_int(lh, err, &one, &found,
			 "SELECT 1 FROM lh_constraints WHERE table_id=? AND name=?", "it", t.id, name)))
		return rc;
	if (found)
		return lh_fail(err, CLXS_ECONFLICT, "CONSTRAINT_ALREADY_EXISTS",
			       "Constraint '%s' already exists. Please delete the existing constraint first.",
			       name);
	lh_cols c = {0};
	if ((rc = lh_cols_load(lh, t.id, &c, err)))
		return rc;
	char *cols = NULL, *refcols = NULL;
	if (k->kind == CLXS_LH_CHECK) {
		const char *sx = k->sqlite_expression ? k->sqlite_expression : k->expression;
		/* compile it against the columns, so a bad one fails here */
		lh_sb b = {0};
		lh_sb_add(&b, "SELECT ((");
		lh_sb_add(&b, sx ? sx : "");
		lh_sb_add(&b, ")) FROM (SELECT ");
		for (size_t i = 0; i < c.n; i++) {
			lh_sb_add(&b, i ? ", NULL AS " : "NULL AS ");
			lh_sb_ident(&b, c.v[i].name);
		}
		lh_sb_add(&b, ") LIMIT 0");
		char *q = lh_sb_take(&b, err);
		if (!q)
			rc = CLXS_ENOMEM;
		else
			rc = lh_run(lh, err, q, NULL);
		free(q);
		if (rc == CLXS_EINVAL)
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_CHECK_CONSTRAINT",
				     "The CHECK constraint %s is not valid: %s", name, err->message);
		if (!rc)
			rc = lh_run(lh, err,
				    "INSERT INTO lh_constraints(table_id, name, kind, expression,"
				    " sqlite_expression) VALUES(?,?,'CHECK',?,?)", "ittt", t.id, name,
				    k->expression, sx);
		/* every live row must satisfy it */
		lh_segs s = {0};
		if (!rc)
			rc = lh_live_segments(lh, t.id, -1, &s, err);
		for (size_t i = 0; !rc && i < s.n; i++) {
			if (s.v[i].vacuumed)
				continue;
			rc = lh_check_rows(lh, &t, &c, s.v[i].physical_id, s.v[i].lo, s.v[i].hi, err);
			if (rc == CLXS_EVALIDATION)
				rc = lh_fail(err, CLXS_EVALIDATION, "DELTA_NEW_CHECK_CONSTRAINT_VIOLATION",
					     "Rows in %s violate the new CHECK constraint (%s).", t.full,
					     k->expression);
		}
		lh_segs_free(&s);
		if (!rc) {
			json_object *p = json_object_new_object();
			lh_mset_str(p, "name", name);
			lh_mset_str(p, "expr", k->expression);
			rc = version_commit(lh, &t, "ADD CONSTRAINT", p, err);
			json_object_put(p);
		}
	} else {
		for (size_t i = 0; i < k->ncolumns; i++) {
			bool ok = false;
			for (size_t j = 0; j < c.n; j++)
				ok |= !strcasecmp(c.v[j].name, k->columns[i]);
			if (!ok) {
				rc = lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
					     "A column with name `%s` cannot be resolved.", k->columns[i]);
				break;
			}
		}
		if (!rc && k->kind == CLXS_LH_PRIMARY_KEY) {
			int64_t pk = 0;
			bool has = false;
			rc = lh_int(lh, err, &pk, &has,
				    "SELECT 1 FROM lh_constraints WHERE table_id=? AND kind='PRIMARY KEY'",
				    "i", t.id);
			if (!rc && has)
				rc = lh_fail(err, CLXS_ECONFLICT, "MULTIPLE_PRIMARY_KEYS",
					     "Table %s already has a primary key.", t.full);
		}
		if (!rc)
			rc = json_list(k->columns, k->ncolumns, &cols, err);
		if (!rc)
			rc = json_list(k->ref_columns, k->nref_columns, &refcols, err);
		if (!rc)
			rc = lh_run(lh, err,
				    "INSERT INTO lh_constraints(table_id, name, kind, columns, ref_catalog,"
				    " ref_schema, ref_table, ref_columns) VALUES(?,?,?,?,?,?,?,?)",
				    "itttttt" "t", t.id, name,
				    k->kind == CLXS_LH_PRIMARY_KEY ? "PRIMARY KEY" : "FOREIGN KEY", cols,
				    k->ref_table.catalog, k->ref_table.schema, k->ref_table.name,
				    refcols);
	}
	free(cols);
	free(refcols);
	lh_cols_free(&c);
	return rc;
}

clxs_code clxs_lh_constraint_add(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_constraint *k,
				 clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, add_txn(lh, t, k, err), err);
}

static clxs_code drop_txn(clxs_lh *lh, const clxs_lh_name *n, const char *cname, bool if_exists,
			  clxs_error *err)
{
	lh_tbl t;
	char name[LH_NAME_MAX + 1];
	clxs_code rc = lh_tbl_resolve(lh, n, &t, NULL, err);
	if (!rc)
		rc = lh_name_norm(cname, "constraint", name, err);
	if (rc)
		return rc;
	sqlite3_stmt *st;
	if ((rc = lh_stmt(lh, err, &st, "SELECT kind, expression FROM lh_constraints WHERE table_id=? AND name=?",
			  "it", t.id, name)))
		return rc;
	bool found = sqlite3_step(st) == SQLITE_ROW;
	bool check = found && !strcmp(lh_col_text(st, 0), "CHECK");
	char *expr = found && lh_col_text(st, 1) ? strdup(lh_col_text(st, 1)) : NULL;
	sqlite3_finalize(st);
	if (!found) {
		free(expr);
		if (if_exists)
			return CLXS_OK;
		return lh_fail(err, CLXS_ENOTFOUND, "DELTA_CONSTRAINT_DOES_NOT_EXIST",
			       "Cannot drop nonexistent constraint %s from table %s. To avoid throwing an error, provide the parameter IF EXISTS or set the SQL session configuration spark.databricks.constraints.allowNonExistentDrop to true.",
			       name, t.full);
	}
	rc = lh_run(lh, err, "DELETE FROM lh_constraints WHERE table_id=? AND name=?", "it", t.id, name);
	if (!rc && check) {
		json_object *p = json_object_new_object();
		lh_mset_str(p, "name", name);
		lh_mset_str(p, "expr", expr ? expr : "");
		rc = version_commit(lh, &t, "DROP CONSTRAINT", p, err);
		json_object_put(p);
	}
	free(expr);
	return rc;
}

clxs_code clxs_lh_constraint_drop(clxs_lh *lh, const clxs_lh_name *t, const char *name,
				  bool if_exists, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, drop_txn(lh, t, name, if_exists, err), err);
}

static clxs_code comment_txn(clxs_lh *lh, const clxs_lh_name *n, const char *column,
			     const char *comment, clxs_error *err)
{
	lh_tbl t;
	clxs_code rc = lh_tbl_resolve(lh, n, &t, NULL, err);
	if (rc)
		return rc;
	int64_t pos = 0;
	bool found = false;
	if ((rc = lh_int(lh, err, &pos, &found,
			 "SELECT position FROM lh_columns WHERE table_id=? AND lower(name)=lower(?)",
			 "it", t.id, column)))
		return rc;
	if (!found)
		return lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
			       "A column with name `%s` cannot be resolved in table %s.", column, t.full);
	if ((rc = lh_run(lh, err, "UPDATE lh_columns SET comment=? WHERE table_id=? AND position=?",
			 "tii", comment, t.id, pos)))
		return rc;
	if (t.is_view || !is_delta(lh, &t))
		return CLXS_OK;
	json_object *p = json_object_new_object();
	json_object *col = json_object_new_object();
	clxs_json_set_str(col, "name", column);
	if (comment)
		clxs_json_set_str(col, "comment", comment);
	lh_mset_str(p, "column", json_object_to_json_string_ext(col, JSON_C_TO_STRING_PLAIN));
	json_object_put(col);
	rc = version_commit(lh, &t, "CHANGE COLUMN", p, err);
	json_object_put(p);
	return rc;
}

clxs_code clxs_lh_column_comment(clxs_lh *lh, const clxs_lh_name *t, const char *column,
				 const char *comment, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, comment_txn(lh, t, column, comment, err), err);
}

static clxs_code convert_txn(clxs_lh *lh, const clxs_lh_name *n, clxs_error *err)
{
	lh_tbl t;
	clxs_code rc = lh_tbl_resolve(lh, n, &t, NULL, err);
	if (rc)
		return rc;
	if (t.is_view)
		return lh_fail(err, CLXS_EINVAL, "EXPECT_TABLE_NOT_VIEW",
			       "%s is a view; CONVERT TO DELTA needs a table.", t.full);
	if (is_delta(lh, &t))
		return CLXS_OK;
	if ((rc = lh_run(lh, err, "UPDATE lh_tables SET data_source_format='DELTA' WHERE id=?", "i", t.id)))
		return rc;
	lh_segs s = {0};
	if ((rc = lh_live_segments(lh, t.id, -1, &s, err)))
		return rc;
	json_object *p = json_object_new_object();
	lh_mset_int(p, "numFiles", (int64_t)s.n);
	lh_mset_str(p, "partitionedBy", "[]");
	lh_mset_str(p, "collectStats", "false");
	lh_segs_free(&s);
	rc = version_commit(lh, &t, "CONVERT", p, err);
	json_object_put(p);
	return rc;
}

clxs_code clxs_lh_convert_to_delta(clxs_lh *lh, const clxs_lh_name *t, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, convert_txn(lh, t, err), err);
}
