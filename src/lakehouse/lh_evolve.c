/* Column changes of a table: ALTER TABLE ADD COLUMNS, ALTER COLUMN TYPE
 * (widening only, as Delta's type widening), SET/DROP NOT NULL and DROP
 * COLUMNS (only with column mapping, as on Databricks).
 *
 * Physical data tables have fixed columns, so a change writes the current
 * rows once into a new physical table with the new columns and commits a
 * version whose live set is that one segment: earlier versions keep their
 * own segments and columns, so time travel still reads them (until VACUUM),
 * exactly the log Delta would show. The cost is one copy of the table per
 * change, where Delta only rewrites its metadata; documented in
 * docs/lakehouse-sql.md. */
#include "lh_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/lakehouse_gov.h"

static clxs_code col_push(lh_cols *c, const char *name, const char *type, bool nullable, const char *comment,
			  clxs_error *err)
{
	lh_col *v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return lh_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	c->v = v;
	lh_col *x = &c->v[c->n];
	x->name = lh_strdup(name, err);
	x->type_text = lh_strdup(type, err);
	x->comment = comment ? lh_strdup(comment, err) : NULL;
	x->nullable = nullable;
	c->n++;
	if (!x->name || !x->type_text || (comment && !x->comment))
		return CLXS_ENOMEM;
	return CLXS_OK;
}

static int find(const lh_cols *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcasecmp(c->v[i].name, name))
			return (int)i;
	return -1;
}

/* Integral rank: TINYINT 1 .. BIGINT 4; 0 for other types. */
static int int_rank(const char *t)
{
	static const char *const names[][2] = {{"TINYINT", "BYTE"}, {"SMALLINT", "SHORT"}, {"INT", "INTEGER"},
					       {"BIGINT", "LONG"}};
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(t, names[i][0]) || !strcasecmp(t, names[i][1]))
			return i + 1;
	return 0;
}

static bool decimal_of(const char *t, int *p, int *s)
{
	if (strncasecmp(t, "DECIMAL", 7) != 0)
		return false;
	*p = 10, *s = 0;
	if (t[7] == '(')
		return sscanf(t + 8, "%d , %d", p, s) >= 1;
	return t[7] == 0;
}

/* Delta's type widening: integral to a larger integral or to DOUBLE, FLOAT
 * to DOUBLE, DECIMAL to a DECIMAL that holds every value. */
static bool widening(const char *from, const char *to)
{
	if (!strcasecmp(from, to))
		return true;
	int a = int_rank(from), b = int_rank(to), p1, s1, p2, s2;
	if (a && b)
		return b >= a;
	if ((a || !strcasecmp(from, "FLOAT")) && !strcasecmp(to, "DOUBLE"))
		return true;
	if (decimal_of(from, &p1, &s1) && decimal_of(to, &p2, &s2))
		return p2 >= p1 && s2 >= s1 && p2 - s2 >= p1 - s1;
	return false;
}

static bool column_mapping(clxs_lh *lh, const lh_tbl *t)
{
	int64_t n = 0;
	lh_int(lh, NULL, &n, NULL,
	       "SELECT count(*) FROM lh_tables WHERE id=? AND lower(coalesce(json_extract(properties,"
	       " '$.\"delta.columnMapping.mode\"'), 'none')) IN ('name', 'id')", "i", t->id);
	return n > 0;
}

/* The new column list; *op is the operation Delta logs. */
static clxs_code apply(clxs_lh *lh, const lh_tbl *t, const lh_cols *c, const clxs_lh_col_change *ch, size_t nch,
		       bool if_exists, lh_cols *nc, const char **op, size_t *applied, clxs_error *err)
{
	*applied = 0;
	clxs_code rc = CLXS_OK;
	memset(nc, 0, sizeof(*nc));
	for (size_t i = 0; i < c->n && !rc; i++)
		rc = col_push(nc, c->v[i].name, c->v[i].type_text, c->v[i].nullable, c->v[i].comment, err);
	*op = "CHANGE COLUMN";
	for (size_t i = 0; i < nch && !rc; i++) {
		const clxs_lh_col_change *x = &ch[i];
		int at = find(nc, x->name);
		if (!(x->kind == CLXS_LH_COL_DROP && at < 0))
			(*applied)++;
		switch (x->kind) {
		case CLXS_LH_COL_ADD:
			*op = "ADD COLUMNS";
			if (at >= 0)
				return lh_fail(err, CLXS_EINVAL, "FIELDS_ALREADY_EXISTS",
					       "Cannot add column `%s` because it already exists in %s.", x->name, t->full);
			if (strcasecmp(x->name, LH_RID) == 0)
				return lh_fail(err, CLXS_EINVAL, "INVALID_COLUMN_NAME",
					       "column name '%s' is reserved by the lakehouse", x->name);
			if (!x->nullable)
				return lh_fail(err, CLXS_EINVAL, "DELTA_ADDING_NON_NULLABLE_COLUMN",
					       "Cannot add non-nullable column `%s` to %s: existing rows have no value.",
					       x->name, t->full);
			rc = col_push(nc, x->name, x->type_text, true, x->comment, err);
			break;
		case CLXS_LH_COL_TYPE:
			if (at < 0)
				return lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
					       "A column with name `%s` cannot be resolved in %s.", x->name, t->full);
			if (!widening(nc->v[at].type_text, x->type_text))
				return lh_fail(err, CLXS_EINVAL, "NOT_SUPPORTED_CHANGE_COLUMN",
					       "ALTER TABLE ALTER COLUMN is not supported for changing %s's column `%s`"
					       " with type %s to `%s` with type %s (only widening changes are).",
					       t->full, x->name, nc->v[at].type_text, x->name, x->type_text);
			free(nc->v[at].type_text);
			if (!(nc->v[at].type_text = lh_strdup(x->type_text, err)))
				return CLXS_ENOMEM;
			break;
		case CLXS_LH_COL_NULLABLE:
			if (at < 0)
				return lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
					       "A column with name `%s` cannot be resolved in %s.", x->name, t->full);
			nc->v[at].nullable = x->nullable;
			break;
		case CLXS_LH_COL_DROP:
			*op = "DROP COLUMNS";
			if (at < 0) {
				if (if_exists)
					continue;
				return lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
					       "A column with name `%s` cannot be resolved in %s.", x->name, t->full);
			}
			if (!column_mapping(lh, t))
				return lh_fail(err, CLXS_EINVAL, "DELTA_UNSUPPORTED_DROP_COLUMN",
					       "DROP COLUMN is not supported for your Delta table. Please enable Column"
					       " Mapping on %s by setting 'delta.columnMapping.mode' = 'name'.", t->full);
			if (nc->n == 1)
				return lh_fail(err, CLXS_EINVAL, "DELTA_DROP_COLUMN_ON_SINGLE_FIELD_SCHEMA",
					       "Cannot drop column from a schema with a single column.");
			free(nc->v[at].name);
			free(nc->v[at].type_text);
			free(nc->v[at].comment);
			memmove(&nc->v[at], &nc->v[at + 1], (nc->n - (size_t)at - 1) * sizeof(nc->v[0]));
			nc->n--;
			break;
		}
	}
	return rc;
}

static clxs_code alter_txn(clxs_lh *lh, const clxs_lh_name *n, const clxs_lh_col_change *ch, size_t nch,
			   bool if_exists, clxs_error *err)
{
	lh_tbl t;
	lh_cols c = {0}, nc = {0};
	lh_segs s = {0};
	char *snap = NULL, *sel = NULL;
	const char *op = NULL;
	size_t applied = 0;
	clxs_code rc = lh_tbl_resolve_table(lh, n, "ALTER TABLE", &t, err);
	if (!rc)
		rc = lh_cols_load(lh, t.id, &c, err);
	if (!rc)
		rc = apply(lh, &t, &c, ch, nch, if_exists, &nc, &op, &applied, err);
	if (!rc && applied == 0)
		goto out; /* DROP COLUMN IF EXISTS of nothing: no version */
	if (!rc)
		rc = lh_live_segments(lh, t.id, -1, &s, err);
	if (!rc)
		rc = lh_snapshot_build(lh, &t, &s, &c, &snap, err);
	if (rc)
		goto out;
	/* SET NOT NULL over existing NULLs fails, as a CHECK would. */
	for (size_t i = 0; i < nc.n && !rc; i++) {
		int at = find(&c, nc.v[i].name);
		if (at < 0 || nc.v[i].nullable || !c.v[at].nullable)
			continue;
		lh_sb q = {0};
		lh_sb_add(&q, "SELECT count(*) FROM ");
		lh_sb_add(&q, snap);
		lh_sb_add(&q, " WHERE ");
		lh_sb_ident(&q, nc.v[i].name);
		lh_sb_add(&q, " IS NULL");
		char *qs = lh_sb_take(&q, err);
		int64_t nulls = 0;
		if (!qs)
			rc = CLXS_ENOMEM;
		else if (!(rc = lh_int(lh, err, &nulls, NULL, qs, NULL)) && nulls > 0)
			rc = lh_fail(err, CLXS_EINVAL, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED",
				     "NOT NULL constraint violated for column: %s.", nc.v[i].name);
		free(qs);
	}
	if (rc)
		goto out;
	/* The current rows, old columns kept by name, new ones NULL. */
	lh_sb b = {0};
	lh_sb_add(&b, "SELECT ");
	for (size_t i = 0; i < nc.n; i++) {
		if (i)
			lh_sb_add(&b, ", ");
		int at = find(&c, nc.v[i].name);
		if (at >= 0)
			lh_sb_ident(&b, c.v[at].name);
		else
			lh_sb_add(&b, "NULL");
	}
	lh_sb_add(&b, " FROM ");
	lh_sb_add(&b, snap);
	if (!(sel = lh_sb_take(&b, err))) {
		rc = CLXS_ENOMEM;
		goto out;
	}
	int64_t v = -1;
	lh_seg g = {0};
	if ((rc = lh_latest_version(lh, t.id, &v, err)))
		goto out;
	t.data_id = 0; /* a new physical table with the new columns */
	if (!(rc = lh_physical_ensure(lh, &t, &nc, err)))
		rc = lh_segment_append(lh, t.data_id, &nc, sel, 0, &g, err);
	for (size_t i = 0; i < s.n && !rc; i++)
		rc = lh_ts_remove(lh, t.id, s.v[i].id, v + 1, err);
	if (!rc && g.id)
		rc = lh_ts_add(lh, t.id, g.id, v + 1, err);
	if (!rc)
		rc = lh_cols_store(lh, t.id, &nc, err);
	if (!rc) {
		json_object *p = json_object_new_object(), *m = json_object_new_object();
		json_object *cols = json_object_new_array();
		for (size_t i = 0; i < nch; i++)
			json_object_array_add(cols, json_object_new_string(ch[i].name));
		lh_mset_str(p, "columns", json_object_to_json_string_ext(cols, JSON_C_TO_STRING_PLAIN));
		json_object_put(cols);
		lh_mset_int(m, "numRemovedFiles", (int64_t)s.n);
		lh_mset_int(m, "numAddedFiles", g.id ? 1 : 0);
		rc = lh_commit_version(lh, t.id, v + 1, op, p, m, &nc, err);
		json_object_put(p);
		json_object_put(m);
	}
out:
	free(snap);
	free(sel);
	lh_segs_free(&s);
	lh_cols_free(&c);
	lh_cols_free(&nc);
	return rc;
}

clxs_code clxs_lh_columns_alter(clxs_lh *lh, const clxs_lh_name *t, const clxs_lh_col_change *changes,
				size_t n, bool if_exists, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	return lh_end(lh, alter_txn(lh, t, changes, n, if_exists, err), err);
}
