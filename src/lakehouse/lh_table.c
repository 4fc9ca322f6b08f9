/* Tables in the metastore: columns and types, constraints, create (incl.
 * OR REPLACE and CTAS), drop, get, list and property updates. */
#include "lh_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"

/* ---- types ------------------------------------------------------------------------ */

static const struct {
	const char *prefix, *affinity, *type_name;
} type_map[] = {
	{"BIGINT", "INTEGER", "LONG"},     {"LONG", "INTEGER", "LONG"},
	{"INTEGER", "INTEGER", "INT"},     {"INT", "INTEGER", "INT"},
	{"SMALLINT", "INTEGER", "SHORT"},  {"SHORT", "INTEGER", "SHORT"},
	{"TINYINT", "INTEGER", "BYTE"},    {"BYTE", "INTEGER", "BYTE"},
	{"BOOLEAN", "INTEGER", "BOOLEAN"}, {"BOOL", "INTEGER", "BOOLEAN"},
	{"DOUBLE", "REAL", "DOUBLE"},      {"FLOAT", "REAL", "FLOAT"},
	{"REAL", "REAL", "FLOAT"},         {"DECIMAL", "NUMERIC", "DECIMAL"},
	{"DEC", "NUMERIC", "DECIMAL"},     {"NUMERIC", "NUMERIC", "DECIMAL"},
	{"TIMESTAMP_NTZ", "TEXT", "TIMESTAMP_NTZ"}, {"TIMESTAMP", "TEXT", "TIMESTAMP"},
	{"DATE", "TEXT", "DATE"},          {"STRING", "TEXT", "STRING"},
	{"VARCHAR", "TEXT", "STRING"},     {"CHAR", "TEXT", "CHAR"},
	{"BINARY", "BLOB", "BINARY"},      {"ARRAY", "TEXT", "ARRAY"},
	{"MAP", "TEXT", "MAP"},            {"STRUCT", "TEXT", "STRUCT"},
	{"INTERVAL", "TEXT", "INTERVAL"},  {"VARIANT", "TEXT", "VARIANT"},
	{"VOID", "TEXT", "NULL"},
};

static int type_index(const char *type_text)
{
	for (size_t i = 0; i < sizeof(type_map) / sizeof(type_map[0]); i++) {
		size_t n = strlen(type_map[i].prefix);
		if (strncasecmp(type_text, type_map[i].prefix, n) == 0 &&
		    !isalnum((unsigned char)type_text[n]) && type_text[n] != '_')
			return (int)i;
	}
	return -1;
}

const char *lh_type_affinity(const char *type_text)
{
	int i = type_index(type_text);
	return i < 0 ? "TEXT" : type_map[i].affinity;
}

const char *lh_type_name(const char *type_text)
{
	int i = type_index(type_text);
	return i < 0 ? "STRING" : type_map[i].type_name;
}

/* ---- columns ----------------------------------------------------------------------- */

bool lh_cols_same(const lh_cols *a, const lh_cols *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) || strcasecmp(a->v[i].type_text, b->v[i].type_text))
			return false;
	return true;
}

void lh_cols_free(lh_cols *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].type_text);
		free(c->v[i].comment);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static clxs_code cols_add(lh_cols *c, const char *name, const char *type, bool nullable,
			  const char *comment, clxs_error *err)
{
	lh_col *v = realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	c->v = v;
	lh_col *col = &v[c->n];
	memset(col, 0, sizeof(*col));
	col->nullable = nullable;
	col->name = strdup(name);
	col->type_text = strdup(type);
	col->comment = comment ? strdup(comment) : NULL;
	c->n++;
	if (!col->name || !col->type_text || (comment && !col->comment))
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	return CLXS_OK;
}

clxs_code lh_cols_load(clxs_lh *lh, int64_t table_id, lh_cols *c, clxs_error *err)
{
	memset(c, 0, sizeof(*c));
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(lh, err, &st,
			       "SELECT name, type_text, nullable, comment FROM lh_columns"
			       " WHERE table_id=? ORDER BY position", "i", table_id);
	if (rc)
		return rc;
	int s;
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW)
		rc = cols_add(c, lh_col_text(st, 0), lh_col_text(st, 1),
			      sqlite3_column_int(st, 2) != 0, lh_col_text(st, 3), err);
	if (!rc && s != SQLITE_DONE)
		rc = lh_sqlfail(lh, err, "columns");
	sqlite3_finalize(st);
	if (rc)
		lh_cols_free(c);
	return rc;
}

json_object *lh_cols_json(const lh_cols *c)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < c->n; i++) {
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "name", c->v[i].name);
		clxs_json_set_str(o, "type_text", c->v[i].type_text);
		clxs_json_set_str(o, "type_name", lh_type_name(c->v[i].type_text));
		clxs_json_set_int(o, "position", (int64_t)i);
		clxs_json_set_bool(o, "nullable", c->v[i].nullable);
		if (c->v[i].comment)
			clxs_json_set_str(o, "comment", c->v[i].comment);
		json_object_array_add(arr, o);
	}
	return arr;
}

clxs_code lh_cols_from_json(json_object *arr, lh_cols *c, clxs_error *err)
{
	memset(c, 0, sizeof(*c));
	size_t n = arr ? json_object_array_length(arr) : 0;
	clxs_code rc = CLXS_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		rc = cols_add(c, clxs_json_str(o, "name", ""), clxs_json_str(o, "type_text", "STRING"),
			      clxs_json_bool(o, "nullable", true), clxs_json_str(o, "comment", NULL),
			      err);
	}
	if (rc)
		lh_cols_free(c);
	return rc;
}

void lh_sb_collist(lh_sb *b, const lh_cols *c, const char *prefix)
{
	for (size_t i = 0; i < c->n; i++) {
		if (i)
			lh_sb_add(b, ",");
		if (prefix)
			lh_sb_add(b, prefix);
		lh_sb_ident(b, c->v[i].name);
	}
}

clxs_code lh_cols_store(clxs_lh *lh, int64_t table_id, const lh_cols *c, clxs_error *err)
{
	clxs_code rc = lh_run(lh, err, "DELETE FROM lh_columns WHERE table_id=?", "i", table_id);
	for (size_t i = 0; i < c->n && !rc; i++)
		rc = lh_run(lh, err,
			    "INSERT INTO lh_columns(table_id, position, name, type_text, nullable, comment)"
			    " VALUES(?,?,?,?,?,?)", "iittit", table_id, (int64_t)i, c->v[i].name,
			    c->v[i].type_text, (int64_t)c->v[i].nullable, c->v[i].comment);
	return rc;
}

static clxs_code cols_from_spec(const clxs_lh_table_spec *spec, lh_cols *c, clxs_error *err)
{
	memset(c, 0, sizeof(*c));
	clxs_code rc = CLXS_OK;
	for (size_t i = 0; i < spec->ncolumns && !rc; i++) {
		const clxs_lh_column *col = &spec->columns[i];
		if (!col->name || !*col->name || strlen(col->name) > LH_NAME_MAX)
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_COLUMN_NAME",
				     "column %zu has an empty or too long name", i + 1);
		else if (strcasecmp(col->name, LH_RID) == 0)
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_COLUMN_NAME",
				     "column name '%s' is reserved by the lakehouse", col->name);
		else if (!col->type_text || !*col->type_text)
			rc = lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				     "column '%s' has no type", col->name);
		for (size_t j = 0; j < i && !rc; j++)
			if (strcasecmp(spec->columns[j].name, col->name) == 0)
				rc = lh_fail(err, CLXS_EINVAL, "COLUMN_ALREADY_EXISTS",
					     "The column `%s` already exists.", col->name);
		if (!rc)
			rc = cols_add(c, col->name, col->type_text, col->nullable, col->comment, err);
	}
	if (rc)
		lh_cols_free(c);
	return rc;
}

/* ---- resolution --------------------------------------------------------------------- */

clxs_code lh_tbl_resolve(clxs_lh *lh, const clxs_lh_name *n, lh_tbl *t, bool *found,
			   clxs_error *err)
{
	memset(t, 0, sizeof(*t));
	if (found)
		*found = false;
	clxs_code rc;
	if ((rc = lh_name_norm(n->catalog, "catalog", t->catalog, err)) ||
	    (rc = lh_name_norm(n->schema, "schema", t->schema, err)) ||
	    (rc = lh_name_norm(n->name, "table", t->name, err)))
		return rc;
	lh_fullname(t->full, sizeof(t->full), t->catalog, t->schema, t->name);
	sqlite3_stmt *st;
	rc = lh_stmt(lh, err, &st,
		     "SELECT t.id, t.schema_id, s.catalog_id, t.table_type, coalesce(t.data_id, 0),"
		     " t.created_at FROM lh_tables t JOIN lh_schemas s ON s.id=t.schema_id"
		     " JOIN lh_catalogs c ON c.id=s.catalog_id"
		     " WHERE c.name=? AND s.name=? AND t.name=?", "ttt", t->catalog, t->schema, t->name);
	if (rc)
		return rc;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		t->id = sqlite3_column_int64(st, 0);
		t->schema_id = sqlite3_column_int64(st, 1);
		t->catalog_id = sqlite3_column_int64(st, 2);
		snprintf(t->table_type, sizeof(t->table_type), "%s", lh_col_text(st, 3));
		t->data_id = sqlite3_column_int64(st, 4);
		t->created_at = sqlite3_column_int64(st, 5);
		t->is_view = strcmp(t->table_type, "VIEW") == 0;
		if (found)
			*found = true;
	} else if (s != SQLITE_DONE) {
		rc = lh_sqlfail(lh, err, "table lookup");
	} else if (!found) {
		rc = lh_fail(err, CLXS_ENOTFOUND, "TABLE_OR_VIEW_NOT_FOUND",
			     "The table or view %s cannot be found. Verify the spelling and correctness"
			     " of the schema and catalog.", t->full);
	}
	sqlite3_finalize(st);
	return rc;
}

clxs_code lh_tbl_resolve_table(clxs_lh *lh, const clxs_lh_name *n, const char *op, lh_tbl *t,
			       clxs_error *err)
{
	clxs_code rc = lh_tbl_resolve(lh, n, t, NULL, err);
	if (!rc && t->is_view)
		rc = lh_fail(err, CLXS_EVALIDATION, "EXPECT_TABLE_NOT_VIEW",
			     "%s needs a table; %s is a view.", op, t->full);
	return rc;
}

/* ---- create ------------------------------------------------------------------------ */

static json_object *str_array(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i] ? v[i] : ""));
	return a;
}

static const char *kind_name(clxs_lh_constraint_kind k)
{
	return k == CLXS_LH_PRIMARY_KEY ? "PRIMARY KEY" : k == CLXS_LH_FOREIGN_KEY ? "FOREIGN KEY"
										   : "CHECK";
}

static bool has_column(const lh_cols *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i].name, name) == 0)
			return true;
	return false;
}

static clxs_code store_constraints(clxs_lh *lh, int64_t table_id, const lh_tbl *t,
				   const lh_cols *c, const clxs_lh_table_spec *spec, clxs_error *err)
{
	clxs_code rc = lh_run(lh, err, "DELETE FROM lh_constraints WHERE table_id=?", "i", table_id);
	for (size_t i = 0; i < spec->nconstraints && !rc; i++) {
		const clxs_lh_constraint *k = &spec->constraints[i];
		char name[LH_NAME_MAX + 1];
		if ((rc = lh_name_norm(k->name, "constraint", name, err)))
			break;
		for (size_t j = 0; j < k->ncolumns && !rc; j++)
			if (!k->columns[j] || !has_column(c, k->columns[j]))
				rc = lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
					     "constraint %s names an unknown column", name);
		if (rc)
			break;
		const char *sqlx = k->sqlite_expression ? k->sqlite_expression : k->expression;
		if (k->kind == CLXS_LH_CHECK) {
			if (!sqlx || !*sqlx) {
				rc = lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
					     "CHECK constraint %s has no expression", name);
				break;
			}
			/* Compile it once against the data table so a bad
			 * expression fails now rather than on the first write. */
			lh_sb b = {0};
			lh_sb_addf(&b, "SELECT ((%s)) IS TRUE FROM \"d_%lld\"", sqlx, (long long)t->data_id);
			char *q = lh_sb_take(&b, err);
			if (!q)
				return CLXS_ENOMEM;
			sqlite3_stmt *st = NULL;
			const char *tail = NULL;
			if (sqlite3_prepare_v2(lh->db, q, -1, &st, &tail) != SQLITE_OK || (tail && *tail))
				rc = lh_fail(err, CLXS_EINVAL, "INVALID_CHECK_CONSTRAINT",
					     "CHECK constraint %s cannot be compiled: %s", name,
					     sqlite3_errmsg(lh->db));
			sqlite3_finalize(st);
			free(q);
			if (rc)
				break;
		}
		json_object *cols = str_array(k->columns, k->ncolumns);
		json_object *refc = str_array(k->ref_columns, k->nref_columns);
		char rc_[LH_NAME_MAX + 1] = "", rs[LH_NAME_MAX + 1] = "", rt[LH_NAME_MAX + 1] = "";
		if (k->kind == CLXS_LH_FOREIGN_KEY &&
		    ((rc = lh_name_norm(k->ref_table.catalog, "catalog", rc_, err)) ||
		     (rc = lh_name_norm(k->ref_table.schema, "schema", rs, err)) ||
		     (rc = lh_name_norm(k->ref_table.name, "table", rt, err)))) {
			json_object_put(cols);
			json_object_put(refc);
			break;
		}
		rc = lh_run(lh, err,
			    "INSERT INTO lh_constraints(table_id, name, kind, expression, sqlite_expression,"
			    " columns, ref_catalog, ref_schema, ref_table, ref_columns)"
			    " VALUES(?,?,?,?,?,?,?,?,?,?)",
			    "itttttttt" "t", table_id, name, kind_name(k->kind), k->expression,
			    k->kind == CLXS_LH_CHECK ? sqlx : NULL,
			    json_object_to_json_string_ext(cols, JSON_C_TO_STRING_PLAIN),
			    *rc_ ? rc_ : NULL, *rs ? rs : NULL, *rt ? rt : NULL,
			    json_object_to_json_string_ext(refc, JSON_C_TO_STRING_PLAIN));
		json_object_put(cols);
		json_object_put(refc);
		if (rc && sqlite3_extended_errcode(lh->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
			rc = lh_fail(err, CLXS_EINVAL, "DELTA_CONSTRAINT_ALREADY_EXISTS",
				     "Constraint '%s' already exists.", name);
	}
	return rc;
}

static clxs_code check_type(const clxs_lh_table_spec *spec, const lh_create_opts *o,
			    const char **type, clxs_error *err)
{
	*type = spec->table_type ? spec->table_type : "MANAGED";
	if (!strcasecmp(*type, "MANAGED"))
		*type = "MANAGED";
	else if (!strcasecmp(*type, "EXTERNAL"))
		*type = "EXTERNAL";
	else if (!strcasecmp(*type, "VIEW"))
		*type = "VIEW";
	else if (o->allow_clone_type && !strcasecmp(*type, "MANAGED_SHALLOW_CLONE"))
		*type = "MANAGED_SHALLOW_CLONE";
	else
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "table_type %s is not supported", *type);
	return CLXS_OK;
}

static json_object *create_params(const clxs_lh_table_spec *spec, const char *type,
				  const char *props)
{
	json_object *p = json_object_new_object();
	lh_mset_str(p, "isManaged", strcmp(type, "EXTERNAL") ? "true" : "false");
	if (spec->comment)
		lh_mset_str(p, "description", spec->comment);
	json_object *part = str_array(spec->partition_columns, spec->npartition_columns);
	lh_mset_str(p, "partitionBy", json_object_to_json_string_ext(part, JSON_C_TO_STRING_PLAIN));
	json_object_put(part);
	lh_mset_str(p, "properties", props);
	return p;
}

clxs_code lh_tbl_create_txn(clxs_lh *lh, const clxs_lh_table_spec *spec,
			      const lh_create_opts *o, lh_tbl *out, bool *existed,
			      int64_t *next_version, clxs_error *err)
{
	*existed = false;
	*next_version = 0;
	const char *type;
	bool found;
	clxs_code rc;
	if ((rc = check_type(spec, o, &type, err)))
		return rc;
	bool view = strcmp(type, "VIEW") == 0;
	if (view && (!spec->view_definition || !*spec->view_definition))
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "a VIEW needs a view_definition");
	if (!view && spec->ncolumns == 0)
		return lh_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
			       "a table needs at least one column");
	if ((rc = lh_tbl_resolve(lh, &spec->name, out, &found, err)))
		return rc;
	if (!found && (rc = lh_schema_id(lh, spec->name.catalog, spec->name.schema,
					 &out->schema_id, err)))
		return rc;
	if (found && !spec->or_replace) {
		if (spec->if_not_exists) {
			*existed = true;
			return CLXS_OK;
		}
		return lh_fail(err, CLXS_ECONFLICT, "TABLE_OR_VIEW_ALREADY_EXISTS",
			       "Cannot create table or view %s because it already exists.", out->full);
	}
	if (found && out->is_view != view)
		return lh_fail(err, CLXS_EVALIDATION, view ? "EXPECT_VIEW_NOT_TABLE" : "EXPECT_TABLE_NOT_VIEW",
			       "%s is a %s; CREATE OR REPLACE cannot change it into a %s.", out->full,
			       out->is_view ? "view" : "table", view ? "view" : "table");

	lh_cols c;
	if ((rc = cols_from_spec(spec, &c, err)))
		return rc;
	char *props = NULL, *loc = NULL;
	json_object *part = NULL;
	for (size_t i = 0; i < spec->npartition_columns && !rc; i++)
		if (!spec->partition_columns[i] || !has_column(&c, spec->partition_columns[i]))
			rc = lh_fail(err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
				     "partition column %s is not a column of the table",
				     spec->partition_columns[i] ? spec->partition_columns[i] : "(null)");
	if (rc || (rc = lh_props_text(spec->properties, &props, err)))
		goto out;
	part = str_array(spec->partition_columns, spec->npartition_columns);
	const char *partj = json_object_to_json_string_ext(part, JSON_C_TO_STRING_PLAIN);
	int64_t now = clxs_now_ms();
	const char *owner = spec->owner ? spec->owner : lh->user;
	const char *format = view ? NULL : spec->data_source_format ? spec->data_source_format : "DELTA";

	if (found) {
		if (!view && (rc = lh_latest_version(lh, out->id, next_version, err)))
			goto out;
		(*next_version)++;
		/* A replaced table writes into a fresh physical table (its old
		 * one stays for time travel until VACUUM), unless the data is
		 * kept by an incremental deep clone. */
		rc = lh_run(lh, err,
			    "UPDATE lh_tables SET table_type=?, data_source_format=?, comment=?,"
			    " properties=?, partition_columns=?, view_definition=?,"
			    " data_id=CASE WHEN ? THEN data_id END, clone_source_id=NULLIF(?, 0),"
			    " clone_source_name=?, clone_source_version=?, updated_at=?, updated_by=?"
			    " WHERE id=?",
			    "tttttti" "itiiti", type, format, spec->comment, props, partj,
			    spec->view_definition, (int64_t)o->keep_segments,
			    o->clone_source_id, o->clone_source_name, o->clone_source_version, now,
			    lh->user, out->id);
		if (!rc && !o->keep_segments) {
			out->data_id = 0;
			rc = lh_run(lh, err,
				    "UPDATE lh_table_segments SET removed_version=? WHERE table_id=?"
				    " AND removed_version IS NULL", "ii", *next_version, out->id);
		}
	} else {
		char uuid[37];
		if (clxs_uuid4(uuid) != 0) {
			rc = clxs_fail(err, CLXS_EIO, NULL, "cannot generate a table id");
			goto out;
		}
		if (spec->storage_location)
			loc = lh_strdup(spec->storage_location, err);
		else if (!view && asprintf(&loc, "lakehouse:/tables/%s", uuid) < 0)
			loc = NULL, rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		if (rc || (!loc && (spec->storage_location || !view))) {
			rc = rc ? rc : CLXS_ENOMEM;
			goto out;
		}
		rc = lh_run(lh, err,
			    "INSERT INTO lh_tables(schema_id, name, table_uuid, table_type,"
			    " data_source_format, owner, comment, properties, storage_location,"
			    " partition_columns, view_definition, clone_source_id, clone_source_name,"
			    " clone_source_version, created_at, created_by, updated_at, updated_by)"
			    " VALUES(?,?,?,?,?,?,?,?,?,?,?,NULLIF(?, 0),?,?,?,?,?,?)",
			    "itttttttttt" "itiitit", out->schema_id, out->name, uuid, type, format, owner,
			    spec->comment, props, loc, partj, spec->view_definition,
			    o->clone_source_id, o->clone_source_name, o->clone_source_version, now,
			    lh->user, now, lh->user);
		out->id = sqlite3_last_insert_rowid(lh->db);
		out->created_at = now;
	}
	if (rc)
		goto out;
	/* Not a clone: no source version either (0 is a valid version). */
	if (!o->clone_source_id &&
	    (rc = lh_run(lh, err, "UPDATE lh_tables SET clone_source_version=NULL WHERE id=?", "i",
			 out->id)))
		goto out;
	snprintf(out->table_type, sizeof(out->table_type), "%s", type);
	out->is_view = view;
	if ((rc = lh_cols_store(lh, out->id, &c, err)))
		goto out;
	/* Shallow clones get their physical table on the first write. */
	if (!view && strcmp(type, "MANAGED_SHALLOW_CLONE") != 0 &&
	    (rc = lh_physical_ensure(lh, out, &c, err)))
		goto out;
	if ((rc = store_constraints(lh, out->id, out, &c, spec, err)))
		goto out;
	if (view || !o->operation)
		goto out;

	json_object *params = create_params(spec, type, props);
	json_object *metrics = json_object_new_object();
	if (o->op_params) {
		json_object_object_foreach(o->op_params, k, v)
			json_object_object_add(params, k, json_object_get(v));
	}
	if (spec->as_select_sql) {
		lh_seg g;
		rc = lh_segment_append(lh, out->data_id, &c, spec->as_select_sql, 0, &g, err);
		if (!rc && g.id)
			rc = lh_ts_add(lh, out->id, g.id, *next_version, err);
		if (!rc && g.id)
			rc = lh_check_rows(lh, out, &c, out->data_id, g.lo, g.hi, err);
		lh_mset_int(metrics, "numFiles", g.id ? 1 : 0);
		lh_mset_int(metrics, "numOutputRows", g.id ? g.rows : 0);
		lh_mset_int(metrics, "numOutputBytes", g.id ? g.bytes : 0);
	}
	if (!rc)
		rc = lh_commit_version(lh, out->id, *next_version, o->operation, params, metrics, &c,
				       err);
	json_object_put(params);
	json_object_put(metrics);
out:
	json_object_put(part);
	free(props);
	free(loc);
	lh_cols_free(&c);
	return rc;
}

clxs_code clxs_lh_table_create(clxs_lh *lh, const clxs_lh_table_spec *spec, clxs_error *err)
{
	lh_create_opts o = {0};
	bool existed;
	int64_t v;
	lh_tbl t;
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	/* History names as Delta writes them. */
	if (spec->as_select_sql)
		o.operation = spec->or_replace ? "CREATE OR REPLACE TABLE AS SELECT"
					       : "CREATE TABLE AS SELECT";
	else
		o.operation = spec->or_replace ? "CREATE OR REPLACE TABLE" : "CREATE TABLE";
	rc = lh_tbl_create_txn(lh, spec, &o, &t, &existed, &v, err);
	return lh_end(lh, rc, err);
}

/* ---- drop ------------------------------------------------------------------------------ */

clxs_code lh_tbl_drop_txn(clxs_lh *lh, const lh_tbl *t, clxs_error *err)
{
	clxs_code rc = lh_run(lh, err, "DELETE FROM lh_tables WHERE id=?", "i", t->id);
	return rc ? rc : lh_physical_gc(lh, err);
}

clxs_code clxs_lh_table_drop(clxs_lh *lh, const clxs_lh_name *n, bool if_exists, clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	lh_tbl t;
	bool found;
	rc = lh_tbl_resolve(lh, n, &t, &found, err);
	if (!rc && !found && !if_exists)
		rc = lh_fail(err, CLXS_ENOTFOUND, "TABLE_OR_VIEW_NOT_FOUND",
			     "The table or view %s cannot be found.", t.full);
	if (!rc && found)
		rc = lh_tbl_drop_txn(lh, &t, err);
	return lh_end(lh, rc, err);
}

/* ---- get / list ------------------------------------------------------------------------- */

static json_object *constraints_json(clxs_lh *lh, int64_t table_id, clxs_error *err)
{
	sqlite3_stmt *st;
	if (lh_stmt(lh, err, &st,
		    "SELECT name, kind, expression, columns, ref_catalog, ref_schema, ref_table,"
		    " ref_columns FROM lh_constraints WHERE table_id=? ORDER BY name", "i", table_id))
		return NULL;
	json_object *arr = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_object *w = json_object_new_object(), *k = json_object_new_object();
		const char *kind = lh_col_text(st, 1);
		clxs_json_set_str(k, "name", lh_col_text(st, 0));
		if (!strcmp(kind, "CHECK")) {
			clxs_json_set_str(k, "condition", lh_col_text(st, 2));
			json_object_object_add(w, "check_constraint", k);
		} else {
			json_object_object_add(k, "child_columns",
					       lh_json_or_empty(lh_col_text(st, 3), json_type_array));
			if (!strcmp(kind, "PRIMARY KEY")) {
				json_object_object_add(w, "primary_key_constraint", k);
			} else {
				char full[3 * (LH_NAME_MAX + 1) + 3];
				snprintf(full, sizeof(full), "%s.%s.%s", lh_col_text(st, 4),
					 lh_col_text(st, 5), lh_col_text(st, 6));
				clxs_json_set_str(k, "parent_table", full);
				json_object_object_add(k, "parent_columns",
						       lh_json_or_empty(lh_col_text(st, 7), json_type_array));
				json_object_object_add(w, "foreign_key_constraint", k);
			}
		}
		json_object_array_add(arr, w);
	}
	sqlite3_finalize(st);
	return arr;
}

#define TABLE_COLS "t.id, t.name, t.table_uuid, t.table_type, t.data_source_format, t.owner," \
	" t.comment, t.properties, t.storage_location, t.partition_columns, t.view_definition," \
	" t.created_at, t.created_by, t.updated_at, t.updated_by, c.name, s.name"

static clxs_code table_json(clxs_lh *lh, sqlite3_stmt *st, json_object **out, clxs_error *err)
{
	int64_t id = sqlite3_column_int64(st, 0);
	const char *cat = lh_col_text(st, 15), *sch = lh_col_text(st, 16), *name = lh_col_text(st, 1);
	json_object *o = json_object_new_object();
	char full[3 * (LH_NAME_MAX + 1) + 3];
	snprintf(full, sizeof(full), "%s.%s.%s", cat, sch, name);
	clxs_json_set_str(o, "name", name);
	clxs_json_set_str(o, "catalog_name", cat);
	clxs_json_set_str(o, "schema_name", sch);
	clxs_json_set_str(o, "full_name", full);
	clxs_json_set_str(o, "table_id", lh_col_text(st, 2));
	clxs_json_set_str(o, "table_type", lh_col_text(st, 3));
	static const struct {
		int col;
		const char *key;
	} opt[] = {{4, "data_source_format"}, {5, "owner"},     {6, "comment"},
		   {8, "storage_location"},   {10, "view_definition"}, {12, "created_by"},
		   {14, "updated_by"}};
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (lh_col_text(st, opt[i].col))
			clxs_json_set_str(o, opt[i].key, lh_col_text(st, opt[i].col));
	json_object_object_add(o, "properties", lh_json_or_empty(lh_col_text(st, 7), json_type_object));
	clxs_json_set_int(o, "created_at", sqlite3_column_int64(st, 11));
	clxs_json_set_int(o, "updated_at", sqlite3_column_int64(st, 13));
	json_object *part = lh_json_or_empty(lh_col_text(st, 9), json_type_array);

	lh_cols c;
	clxs_code rc = lh_cols_load(lh, id, &c, err);
	if (rc) {
		json_object_put(part);
		json_object_put(o);
		return rc;
	}
	json_object *cols = lh_cols_json(&c);
	/* UC marks partition columns with partition_index. */
	for (size_t i = 0; i < json_object_array_length(part); i++) {
		const char *pn = json_object_get_string(json_object_array_get_idx(part, i));
		for (size_t j = 0; j < c.n; j++)
			if (pn && strcasecmp(pn, c.v[j].name) == 0)
				clxs_json_set_int(json_object_array_get_idx(cols, j), "partition_index",
						  (int64_t)i);
	}
	lh_cols_free(&c);
	json_object_object_add(o, "columns", cols);
	json_object_object_add(o, "partition_columns", part);
	json_object *k = constraints_json(lh, id, err);
	if (!k) {
		json_object_put(o);
		return err && err->code ? err->code : CLXS_ESTORE;
	}
	json_object_object_add(o, "table_constraints", k);
	*out = o;
	return CLXS_OK;
}

clxs_code clxs_lh_table_get(clxs_lh *lh, const clxs_lh_name *n, json_object **out,
			    clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	lh_tbl t;
	sqlite3_stmt *st = NULL;
	if (!(rc = lh_tbl_resolve(lh, n, &t, NULL, err)) &&
	    !(rc = lh_stmt(lh, err, &st,
			   "SELECT " TABLE_COLS " FROM lh_tables t JOIN lh_schemas s ON s.id=t.schema_id"
			   " JOIN lh_catalogs c ON c.id=s.catalog_id WHERE t.id=?", "i", t.id))) {
		if (sqlite3_step(st) == SQLITE_ROW)
			rc = table_json(lh, st, out, err);
		else
			rc = lh_sqlfail(lh, err, "table get");
	}
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

static clxs_code table_row(clxs_lh *lh, sqlite3_stmt *st, void *ctx, json_object **out,
			   clxs_error *err)
{
	(void)ctx;
	return table_json(lh, st, out, err);
}

clxs_code clxs_lh_table_list(clxs_lh *lh, const char *catalog, const char *schema,
			     const char *page_token, int max_results, json_object **out,
			     clxs_error *err)
{
	*out = NULL;
	clxs_code rc = lh_begin(lh, false, err);
	if (rc)
		return rc;
	int64_t sid;
	sqlite3_stmt *st = NULL;
	if (!(rc = lh_schema_id(lh, catalog, schema, &sid, err)) &&
	    !(rc = lh_stmt(lh, err, &st,
			   "SELECT " TABLE_COLS " FROM lh_tables t JOIN lh_schemas s ON s.id=t.schema_id"
			   " JOIN lh_catalogs c ON c.id=s.catalog_id WHERE t.schema_id=? AND t.name > ?"
			   " ORDER BY t.name", "it", sid, page_token ? page_token : "")))
		rc = lh_list_page(lh, st, "tables", "table list", max_results, table_row, NULL, out,
				  err);
	sqlite3_finalize(st);
	return lh_end(lh, rc, err);
}

/* ---- update ------------------------------------------------------------------------------ */

clxs_code clxs_lh_table_update(clxs_lh *lh, const clxs_lh_name *n, const clxs_lh_update *upd,
			       clxs_error *err)
{
	clxs_code rc = lh_begin(lh, true, err);
	if (rc)
		return rc;
	lh_tbl t;
	lh_cols c = {0};
	char *old = NULL, *props = NULL;
	int64_t now = clxs_now_ms(), v = -1;
	if ((rc = lh_tbl_resolve(lh, n, &t, NULL, err)))
		goto out;
	if (upd->owner &&
	    (rc = lh_run(lh, err, "UPDATE lh_tables SET owner=?, updated_at=?, updated_by=? WHERE id=?",
			 "titi", upd->owner, now, lh->user, t.id)))
		goto out;
	if (!upd->set_comment && !upd->set_properties && !upd->unset_properties)
		goto out;
	sqlite3_stmt *st;
	if ((rc = lh_stmt(lh, err, &st, "SELECT properties FROM lh_tables WHERE id=?", "i", t.id)))
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		old = lh_strdup(lh_col_text(st, 0), err);
	sqlite3_finalize(st);
	if (!old) {
		rc = err && err->code ? err->code : CLXS_ESTORE;
		goto out;
	}
	if ((rc = lh_props_apply(old, upd, &props, err)))
		goto out;
	if ((rc = lh_run(lh, err,
			 "UPDATE lh_tables SET properties=?, comment=CASE WHEN ? THEN ? ELSE comment END,"
			 " updated_at=?, updated_by=? WHERE id=?", "tititi", props,
			 (int64_t)upd->set_comment, upd->comment, now, lh->user, t.id)))
		goto out;
	if (t.is_view)
		goto out;
	/* Delta logs property and comment changes as their own versions. */
	if ((rc = lh_cols_load(lh, t.id, &c, err)) || (rc = lh_latest_version(lh, t.id, &v, err)))
		goto out;
	if (upd->set_properties || upd->set_comment) {
		json_object *set = json_object_new_object(), *p = json_object_new_object();
		if (upd->set_properties) {
			json_object_object_foreach(upd->set_properties, k, val)
				json_object_object_add(set, k, json_object_new_string(
					json_object_get_string(val) ? json_object_get_string(val) : ""));
		}
		if (upd->set_comment && upd->comment)
			clxs_json_set_str(set, "comment", upd->comment);
		lh_mset_str(p, "properties", json_object_to_json_string_ext(set, JSON_C_TO_STRING_PLAIN));
		json_object *m = json_object_new_object();
		rc = lh_commit_version(lh, t.id, ++v, "SET TBLPROPERTIES", p, m, &c, err);
		json_object_put(set);
		json_object_put(p);
		json_object_put(m);
	}
	if (!rc && upd->unset_properties) {
		json_object *p = json_object_new_object(), *m = json_object_new_object();
		lh_mset_str(p, "properties",
			    json_object_to_json_string_ext(upd->unset_properties, JSON_C_TO_STRING_PLAIN));
		lh_mset_str(p, "ifExists", upd->unset_if_exists ? "true" : "false");
		rc = lh_commit_version(lh, t.id, ++v, "UNSET TBLPROPERTIES", p, m, &c, err);
		json_object_put(p);
		json_object_put(m);
	}
out:
	free(old);
	free(props);
	lh_cols_free(&c);
	return lh_end(lh, rc, err);
}
