/* DDL: CREATE/DROP CATALOG, SCHEMA and TABLE (columns, constraints,
 * partitioning, properties, CTAS, LIKE, SHALLOW/DEEP CLONE). Each statement
 * is parsed completely before anything is written, and the storage calls
 * run inside the statement's transaction (sql_exec.c). */
#include "sql_internal.h"

#include "clxs/lakehouse_gov.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Strings owned by one statement, freed together. */
typedef struct {
	char **v;
	size_t n;
} pool;

static char *pool_keep(pool *p, char *s)
{
	if (!s)
		return NULL;
	char **v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return NULL;
	}
	p->v = v;
	p->v[p->n++] = s;
	return s;
}

static void pool_free(pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* ---- catalogs and schemas ---------------------------------------------------------------- */

static clxs_code create_catalog(lhs_ctx *c)
{
	bool ine = lhs_accept_kws(c, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	char *name = NULL, *comment = NULL, *loc = NULL;
	json_object *props = NULL;
	clxs_code rc = lhs_ident(c, &name);
	while (!rc && !lhs_at_eof(c)) {
		if (lhs_accept_kw(c, "COMMENT"))
			rc = lhs_string(c, &comment);
		else if (lhs_accept_kws(c, (const char *const[]){"MANAGED", "LOCATION", NULL}))
			rc = lhs_string(c, &loc);
		else if (lhs_accept_kw(c, "OPTIONS") || lhs_accept_kws(c, (const char *const[]){"WITH", "DBPROPERTIES", NULL}))
			rc = lhs_props(c, &props);
		else if (lhs_at_kw(c, "USING") || lhs_at_kw(c, "DEFAULT"))
			rc = lhs_unsupported(c, "Foreign and shared catalogs");
		else
			rc = lhs_syntax(c);
	}
	if (!rc) {
		clxs_lh_container_spec spec = {.name = name, .comment = comment, .storage_root = loc,
					       .properties = props};
		rc = clxs_lh_catalog_create(c->lh, &spec, ine, c->err);
	}
	free(name);
	free(comment);
	free(loc);
	json_object_put(props);
	return rc;
}

static clxs_code create_schema(lhs_ctx *c)
{
	bool ine = lhs_accept_kws(c, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	lhs_name nm;
	char *comment = NULL, *loc = NULL;
	json_object *props = NULL;
	rc = lhs_resolve2(c, &q, &nm);
	while (!rc && !lhs_at_eof(c)) {
		if (lhs_accept_kw(c, "COMMENT"))
			rc = lhs_string(c, &comment);
		else if (lhs_accept_kws(c, (const char *const[]){"MANAGED", "LOCATION", NULL}) ||
			 lhs_accept_kw(c, "LOCATION"))
			rc = lhs_string(c, &loc);
		else if (lhs_accept_kws(c, (const char *const[]){"WITH", "DBPROPERTIES", NULL}) ||
			 lhs_accept_kw(c, "DBPROPERTIES") || lhs_accept_kw(c, "OPTIONS"))
			rc = lhs_props(c, &props);
		else
			rc = lhs_syntax(c);
	}
	if (!rc) {
		clxs_lh_container_spec spec = {.name = nm.schema, .comment = comment,
					       .storage_root = loc, .properties = props};
		rc = clxs_lh_schema_create(c->lh, nm.catalog, &spec, ine, c->err);
	}
	lhs_qname_free(&q);
	free(comment);
	free(loc);
	json_object_put(props);
	return rc;
}

static clxs_code drop_container(lhs_ctx *c, bool catalog)
{
	bool ie = lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	bool cascade = lhs_accept_kw(c, "CASCADE");
	if (!cascade)
		lhs_accept_kw(c, "RESTRICT");
	if (!(rc = lhs_expect_eof(c))) {
		if (catalog) {
			char name[LH_NAME_MAX + 1];
			if (q.n != 1)
				rc = lhs_syntax_at(c, &c->k, q.first_tok);
			else if (!(rc = lh_name_norm(q.part[0], "catalog", name, c->err)))
				rc = clxs_lh_catalog_drop(c->lh, name, ie, cascade, c->err);
		} else {
			lhs_name nm;
			if (!(rc = lhs_resolve2(c, &q, &nm)))
				rc = clxs_lh_schema_drop(c->lh, nm.catalog, nm.schema, ie, cascade, c->err);
		}
	}
	lhs_qname_free(&q);
	return rc;
}

/* ---- tables --------------------------------------------------------------------------- */

typedef struct {
	pool p;
	clxs_lh_column *cols;
	size_t ncols;
	clxs_lh_constraint *cons;
	size_t ncons;
	const char **part;
	size_t npart;
	/* per-constraint column lists */
	const char ***lists;
	size_t nlists;
} tdef;

static void tdef_free(tdef *d)
{
	pool_free(&d->p);
	free(d->cols);
	free(d->cons);
	free(d->part);
	for (size_t i = 0; i < d->nlists; i++)
		free(d->lists[i]);
	free(d->lists);
	memset(d, 0, sizeof(*d));
}

/* A JSON array of names into a const char * list owned by d. */
static const char **names_list(tdef *d, json_object *arr, size_t *n)
{
	*n = json_object_array_length(arr);
	const char **v = calloc(*n + 1, sizeof(*v));
	const char ***l = v ? realloc(d->lists, (d->nlists + 1) * sizeof(*l)) : NULL;
	if (!l) {
		free(v);
		return NULL;
	}
	d->lists = l;
	d->lists[d->nlists++] = v;
	for (size_t i = 0; i < *n; i++) {
		v[i] = pool_keep(&d->p, strdup(json_object_get_string(json_object_array_get_idx(arr, i))));
		if (!v[i])
			return NULL;
	}
	return v;
}

typedef struct {
	const clxs_lh_column *cols;
	size_t ncols;
} check_cols;

/* CHECK expressions may name the table's columns only. */
static int check_colres(void *arg, lhs_ctx *c, const char *qual, const char *name, clxs_buf *out)
{
	check_cols *cc = arg;
	(void)qual;
	for (size_t i = 0; i < cc->ncols; i++)
		if (strcasecmp(cc->cols[i].name, name) == 0) {
			lhs_sqlite_ident(out, cc->cols[i].name);
			return 1;
		}
	lh_fail(c->err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
		"A column, variable, or function parameter with name `%s` cannot be resolved.", name);
	return -1;
}

static clxs_code check_expr(lhs_ctx *c, const clxs_lh_column *cols, size_t ncols, size_t from,
			 size_t to, char **text, char **sqlite_expr)
{
	check_cols cc = {cols, ncols};
	*text = lhs_text(&c->k, from, to);
	if (!*text)
		return lhs_oom(c);
	clxs_code rc = lhs_translate_expr(c, &c->k, from, to, check_colres, &cc, true, sqlite_expr);
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

/* "(a, b, ...)": a key's column names, kept in d's pool. */
static clxs_code ident_names(lhs_ctx *c, tdef *d, const char *const **out, size_t *n)
{
	json_object *a = NULL;
	clxs_code rc = lhs_identlist(c, &a);
	if (rc)
		return rc;
	*out = names_list(d, a, n);
	json_object_put(a);
	return *out ? CLXS_OK : lhs_oom(c);
}

/* Skip constraint options Databricks accepts and ignores here. */
static void constraint_options(lhs_ctx *c)
{
	for (;;) {
		if (lhs_accept_kws(c, (const char *const[]){"NOT", "ENFORCED", NULL}) ||
		    lhs_accept_kw(c, "RELY") || lhs_accept_kw(c, "NORELY") ||
		    lhs_accept_kw(c, "DEFERRABLE") ||
		    lhs_accept_kws(c, (const char *const[]){"NOT", "DEFERRABLE", NULL}) ||
		    lhs_accept_kws(c, (const char *const[]){"INITIALLY", "DEFERRED", NULL}) ||
		    lhs_accept_kw(c, "NOVALIDATE") || lhs_accept_kw(c, "ENABLE") ||
		    lhs_accept_kws(c, (const char *const[]){"MATCH", "FULL", NULL}) ||
		    lhs_accept_kws(c, (const char *const[]){"ON", "UPDATE", "NO", "ACTION", NULL}) ||
		    lhs_accept_kws(c, (const char *const[]){"ON", "DELETE", "NO", "ACTION", NULL}))
			continue;
		break;
	}
}

/* [CONSTRAINT name] CHECK (...) | PRIMARY KEY (...) | FOREIGN KEY (...) REFERENCES t [(...)]
 * at the cursor; appends to d->cons. Columns must already be known for
 * CHECK (they are all parsed before the first constraint is translated). */
static clxs_code parse_constraint(lhs_ctx *c, tdef *d, const char *table, clxs_lh_constraint *k,
			       size_t *check_from, size_t *check_to)
{
	memset(k, 0, sizeof(*k));
	*check_from = *check_to = 0;
	char *name = NULL;
	clxs_code rc;
	if (lhs_accept_kw(c, "CONSTRAINT") && (rc = lhs_ident(c, &name)))
		return rc;
	if (name && !pool_keep(&d->p, name))
		return lhs_oom(c);
	if (lhs_accept_kw(c, "CHECK")) {
		if (!lhs_tok_punct(&c->k, c->p, '('))
			return lhs_syntax(c);
		*check_from = c->p + 1;
		*check_to = c->k.match[c->p];
		c->p = *check_to + 1;
		k->kind = CLXS_LH_CHECK;
		constraint_options(c);
	} else if (lhs_accept_kws(c, (const char *const[]){"PRIMARY", "KEY", NULL})) {
		k->kind = CLXS_LH_PRIMARY_KEY;
		if ((rc = ident_names(c, d, &k->columns, &k->ncolumns)))
			return rc;
		constraint_options(c);
	} else if (lhs_accept_kws(c, (const char *const[]){"FOREIGN", "KEY", NULL})) {
		k->kind = CLXS_LH_FOREIGN_KEY;
		if ((rc = ident_names(c, d, &k->columns, &k->ncolumns)))
			return rc;
		if ((rc = lhs_expect_kw(c, "REFERENCES")))
			return rc;
		lhs_name nm;
		if ((rc = lhs_name3(c, &nm)))
			return rc;
		k->ref_table.catalog = pool_keep(&d->p, strdup(nm.catalog));
		k->ref_table.schema = pool_keep(&d->p, strdup(nm.schema));
		k->ref_table.name = pool_keep(&d->p, strdup(nm.name));
		if (!k->ref_table.catalog || !k->ref_table.schema || !k->ref_table.name)
			return lhs_oom(c);
		if (lhs_tok_punct(&c->k, c->p, '(') &&
		    (rc = ident_names(c, d, &k->ref_columns, &k->nref_columns)))
			return rc;
		constraint_options(c);
	} else
		return lhs_syntax(c);
	if (!name) {
		/* Databricks names unnamed constraints after the table */
		static const char *const sfx[] = {"chk", "pk", "fk"};
		char buf[LH_NAME_MAX + 1];
		snprintf(buf, sizeof(buf), "%.*s_%s_%zu", 200, table, sfx[k->kind], d->ncons + 1);
		if (!(name = pool_keep(&d->p, strdup(buf))))
			return lhs_oom(c);
	}
	k->name = name;
	return CLXS_OK;
}

static clxs_code add_col(lhs_ctx *c, tdef *d, clxs_lh_column col)
{
	for (size_t i = 0; i < d->ncols; i++)
		if (strcasecmp(d->cols[i].name, col.name) == 0)
			return lh_fail(c->err, CLXS_EINVAL, "COLUMN_ALREADY_EXISTS",
				       "The column `%s` already exists.", col.name);
	clxs_lh_column *v = realloc(d->cols, (d->ncols + 1) * sizeof(*v));
	if (!v)
		return lhs_oom(c);
	d->cols = v;
	d->cols[d->ncols++] = col;
	return CLXS_OK;
}

static clxs_code add_cons(lhs_ctx *c, tdef *d, const clxs_lh_constraint *k)
{
	for (size_t i = 0; i < d->ncons; i++)
		if (strcasecmp(d->cons[i].name, k->name) == 0)
			return lh_fail(c->err, CLXS_EINVAL, "CONSTRAINT_ALREADY_EXISTS",
				       "Constraint '%s' already exists.", k->name);
	clxs_lh_constraint *v = realloc(d->cons, (d->ncons + 1) * sizeof(*v));
	if (!v)
		return lhs_oom(c);
	d->cons = v;
	d->cons[d->ncons++] = *k;
	return CLXS_OK;
}

/* ( col type [NOT NULL] [COMMENT '..'] [PRIMARY KEY], ..., constraints ) */
static clxs_code column_list(lhs_ctx *c, tdef *d, const char *table)
{
	clxs_code rc = lhs_expect_punct(c, '(');
	if (rc)
		return rc;
	typedef struct {
		size_t idx, from, to;
	} pending;
	pending *checks = NULL;
	size_t nchecks = 0;
	for (;;) {
		if (lhs_at_kw(c, "CONSTRAINT") || lhs_at_kw(c, "CHECK") ||
		    (lhs_at_kw(c, "PRIMARY") && lhs_tok_kw(&c->k, c->p + 1, "KEY")) ||
		    (lhs_at_kw(c, "FOREIGN") && lhs_tok_kw(&c->k, c->p + 1, "KEY"))) {
			clxs_lh_constraint k;
			size_t f, t;
			if ((rc = parse_constraint(c, d, table, &k, &f, &t)) || (rc = add_cons(c, d, &k)))
				break;
			if (k.kind == CLXS_LH_CHECK) {
				pending *v = realloc(checks, (nchecks + 1) * sizeof(*v));
				if (!v) {
					rc = lhs_oom(c);
					break;
				}
				checks = v;
				checks[nchecks++] = (pending){d->ncons - 1, f, t};
			}
		} else {
			clxs_lh_column col = {.nullable = true};
			char *name = NULL, *type = NULL;
			if ((rc = lhs_ident(c, &name)))
				break;
			col.name = pool_keep(&d->p, name);
			if (!col.name || (rc = lhs_type(c, &type))) {
				rc = rc ? rc : lhs_oom(c);
				break;
			}
			col.type_text = pool_keep(&d->p, type);
			if (!col.type_text) {
				rc = lhs_oom(c);
				break;
			}
			for (;;) {
				if (lhs_accept_kws(c, (const char *const[]){"NOT", "NULL", NULL})) {
					col.nullable = false;
				} else if (lhs_accept_kw(c, "NULL")) {
				} else if (lhs_accept_kw(c, "COMMENT")) {
					char *cm = NULL;
					if ((rc = lhs_string(c, &cm)))
						break;
					if (!(col.comment = pool_keep(&d->p, cm))) {
						rc = lhs_oom(c);
						break;
					}
				} else if (lhs_accept_kws(c, (const char *const[]){"PRIMARY", "KEY", NULL})) {
					clxs_lh_constraint k = {.kind = CLXS_LH_PRIMARY_KEY};
					char buf[LH_NAME_MAX + 1];
					snprintf(buf, sizeof(buf), "%.*s_pk", 200, table);
					const char **l = calloc(2, sizeof(*l));
					const char ***ls = l ? realloc(d->lists, (d->nlists + 1) * sizeof(*ls)) : NULL;
					if (!ls) {
						free(l);
						rc = lhs_oom(c);
						break;
					}
					d->lists = ls;
					d->lists[d->nlists++] = l;
					l[0] = col.name;
					k.columns = l;
					k.ncolumns = 1;
					k.name = pool_keep(&d->p, strdup(buf));
					col.nullable = false;
					if (!k.name || (rc = add_cons(c, d, &k))) {
						rc = rc ? rc : lhs_oom(c);
						break;
					}
					constraint_options(c);
				} else if (lhs_at_kw(c, "GENERATED") || lhs_at_kw(c, "DEFAULT") ||
					   lhs_at_kw(c, "MASK")) {
					rc = lhs_unsupported(c, "Generated columns, column defaults and inline masks");
					break;
				} else
					break;
			}
			if (rc || (rc = add_col(c, d, col)))
				break;
		}
		if (lhs_accept_punct(c, ')'))
			break;
		if ((rc = lhs_expect_punct(c, ',')))
			break;
	}
	/* CHECKs are translated once every column is known */
	for (size_t i = 0; !rc && i < nchecks; i++) {
		clxs_lh_constraint *k = &d->cons[checks[i].idx];
		char *text = NULL, *sx = NULL;
		rc = check_expr(c, d->cols, d->ncols, checks[i].from, checks[i].to, &text, &sx);
		if (!rc) {
			k->expression = pool_keep(&d->p, text);
			k->sqlite_expression = pool_keep(&d->p, sx);
			if (!k->expression || !k->sqlite_expression)
				rc = lhs_oom(c);
		}
	}
	free(checks);
	return rc;
}

static clxs_code clone_result(lhs_ctx *c, json_object *m)
{
	static const char *const names[] = {"source_table_size", "source_num_of_files",
					    "num_removed_files", "num_copied_files",
					    "removed_files_size", "copied_files_size"};
	static const char *const keys[] = {"sourceTableSize", "sourceNumOfFiles", "numRemovedFiles",
					   "numCopiedFiles", "removedFilesSize", "copiedFilesSize"};
	int64_t v[6];
	for (int i = 0; i < 6; i++) {
		json_object *x = NULL;
		v[i] = m && json_object_object_get_ex(m, keys[i], &x) ? atoll(json_object_get_string(x)) : 0;
	}
	return lhs_res_counts(c, names, v, 6);
}

static clxs_code create_table(lhs_ctx *c, bool or_replace, bool external)
{
	bool ine = lhs_accept_kws(c, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	if (ine && or_replace)
		return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
			       "CREATE OR REPLACE TABLE ... IF NOT EXISTS is not allowed.");
	lhs_name nm;
	clxs_code rc = lhs_name3(c, &nm);
	if (rc)
		return rc;
	tdef d;
	memset(&d, 0, sizeof(d));
	char *fmt = NULL, *loc = NULL, *comment = NULL;
	json_object *props = NULL, *like = NULL, *part = NULL;
	bool clone = false, shallow = false;
	lhs_name src;
	clxs_lh_at at = {0};
	size_t as_from = 0;

	if (lhs_accept_kw(c, "LIKE")) {
		lhs_qname sq;
		if (!(rc = lhs_qname_parse(c, &sq))) {
			rc = lhs_resolve3(c, &sq, NULL, NULL, &src);
			lhs_qname_free(&sq);
		}
		if (!rc)
			rc = clxs_lh_table_get(c->lh, &src.n, &like, c->err);
	} else if (lhs_at_kw(c, "SHALLOW") || lhs_at_kw(c, "DEEP") || lhs_at_kw(c, "CLONE")) {
		shallow = lhs_accept_kw(c, "SHALLOW");
		if (!shallow)
			lhs_accept_kw(c, "DEEP");
		clone = true;
		lhs_qname sq;
		if (!(rc = lhs_expect_kw(c, "CLONE")) && !(rc = lhs_qname_parse(c, &sq))) {
			rc = lhs_resolve3(c, &sq, NULL, NULL, &src);
			lhs_qname_free(&sq);
			bool found = false;
			if (!rc)
				rc = lhs_at_clause(c, &c->k, &c->p, &at, &found);
		}
	} else if (lhs_tok_punct(&c->k, c->p, '(')) {
		rc = column_list(c, &d, nm.name);
	}
	while (!rc && !lhs_at_eof(c)) {
		if (lhs_accept_kw(c, "USING")) {
			if (!(rc = lhs_ident(c, &fmt))) {
				static const char *const ok[] = {"DELTA", "PARQUET", "ICEBERG", "CSV", "JSON",
								 "AVRO", "ORC", "TEXT", NULL};
				bool good = false;
				for (char *p = fmt; *p; p++)
					*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
				for (size_t i = 0; ok[i]; i++)
					good |= !strcmp(ok[i], fmt);
				if (!good)
					rc = lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_DATASOURCE",
						     "Unsupported data source type %s.", fmt);
			}
		} else if (lhs_accept_kws(c, (const char *const[]){"PARTITIONED", "BY", NULL})) {
			rc = lhs_identlist(c, &part);
		} else if (lhs_at_kw(c, "CLUSTER")) {
			rc = lhs_unsupported(c, "CLUSTER BY (liquid clustering)");
		} else if (lhs_accept_kw(c, "LOCATION")) {
			free(loc);
			rc = lhs_string(c, &loc);
		} else if (lhs_accept_kw(c, "COMMENT")) {
			free(comment);
			rc = lhs_string(c, &comment);
		} else if (lhs_accept_kw(c, "TBLPROPERTIES")) {
			json_object_put(props);
			rc = lhs_props(c, &props);
		} else if (lhs_accept_kw(c, "OPTIONS")) {
			json_object *o = NULL;
			rc = lhs_props(c, &o);
			json_object_put(o);
		} else if (lhs_accept_kw(c, "AS")) {
			as_from = c->p;
			c->p = c->k.n - 1;
		} else
			rc = lhs_syntax(c);
	}
	if (!rc && clone) {
		if (as_from || d.ncols || part)
			rc = lhs_syntax(c);
		if (!rc) {
			clxs_lh_clone_spec cs = {.source = src.n, .at = at, .target = nm.n,
						 .shallow = shallow, .or_replace = or_replace,
						 .if_not_exists = ine, .properties = props,
						 .comment = comment};
			json_object *m = NULL;
			if (!(rc = clxs_lh_clone(c->lh, &cs, &m, c->err)))
				rc = clone_result(c, m);
			json_object_put(m);
		}
		goto out;
	}
	if (rc)
		goto out;
	clxs_lh_table_spec spec = {.name = nm.n, .data_source_format = fmt, .comment = comment,
				   .storage_location = loc, .properties = props,
				   .if_not_exists = ine, .or_replace = or_replace};
	spec.table_type = external || loc ? "EXTERNAL" : "MANAGED";
	json_object *qcols = NULL;
	char *as_sql = NULL;
	if (like) {
		json_object *cols = NULL, *pc = NULL, *lp = NULL;
		json_object_object_get_ex(like, "columns", &cols);
		for (size_t i = 0; !rc && i < json_object_array_length(cols); i++) {
			json_object *o = json_object_array_get_idx(cols, i);
			clxs_lh_column col = {
				.name = clxs_json_str(o, "name", ""),
				.type_text = clxs_json_str(o, "type_text", "STRING"),
				.nullable = clxs_json_bool(o, "nullable", true),
				.comment = clxs_json_str(o, "comment", NULL)};
			rc = add_col(c, &d, col);
		}
		if (!part && json_object_object_get_ex(like, "partition_columns", &pc))
			part = json_object_get(pc);
		if (!props && json_object_object_get_ex(like, "properties", &lp))
			spec.properties = lp;
		if (!fmt)
			spec.data_source_format = clxs_json_str(like, "data_source_format", NULL);
	}
	if (!rc && as_from) {
		if (d.ncols)
			rc = lhs_unsupported(c, "A column list together with AS SELECT");
		else
			rc = lhs_describe_query(c, as_from, c->k.n - 1, &as_sql, &qcols);
		for (size_t i = 0; !rc && i < json_object_array_length(qcols); i++) {
			json_object *o = json_object_array_get_idx(qcols, i);
			clxs_lh_column col = {.name = clxs_json_str(o, "name", ""),
					      .type_text = clxs_json_str(o, "type_text", "STRING"),
					      .nullable = true};
			rc = add_col(c, &d, col);
		}
		spec.as_select_sql = as_sql;
	}
	if (!rc && part) {
		spec.partition_columns = names_list(&d, part, &spec.npartition_columns);
		if (!spec.partition_columns)
			rc = lhs_oom(c);
		for (size_t i = 0; !rc && i < spec.npartition_columns; i++) {
			bool found = false;
			for (size_t j = 0; j < d.ncols; j++)
				found |= !strcasecmp(d.cols[j].name, spec.partition_columns[i]);
			if (!found)
				rc = lh_fail(c->err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
					     "Partition column `%s` is not a column of the table.",
					     spec.partition_columns[i]);
		}
	}
	if (!rc && d.ncols == 0)
		rc = lh_fail(c->err, CLXS_EINVAL, "DELTA_EMPTY_SCHEMA",
			     "Table schema is not provided. Provide the schema (column definition) of the table, LIKE, CLONE or AS SELECT.");
	if (!rc) {
		spec.columns = d.cols;
		spec.ncolumns = d.ncols;
		spec.constraints = d.cons;
		spec.nconstraints = d.ncons;
		rc = clxs_lh_table_create(c->lh, &spec, c->err);
	}
	if (!rc && as_sql) {
		/* CTAS reports the rows it wrote, like INSERT */
		int64_t n = 0;
		lh_tbl tb;
		if (!(rc = lh_tbl_resolve(c->lh, &nm.n, &tb, NULL, c->err))) {
			char *snap = NULL;
			if (!(rc = clxs_lh_table_snapshot_sql(c->lh, &nm.n, NULL, &snap, NULL, c->err))) {
				char *qs = NULL;
				if (asprintf(&qs, "SELECT count(*) FROM %s", snap) < 0)
					rc = lhs_oom(c);
				else
					rc = lh_int(c->lh, c->err, &n, NULL, qs, NULL);
				free(qs);
				free(snap);
			}
		}
		if (!rc)
			rc = lhs_res_counts(c, (const char *const[]){"num_affected_rows", "num_inserted_rows"},
					    (const int64_t[]){n, n}, 2);
	}
	json_object_put(qcols);
	free(as_sql);
out:
	tdef_free(&d);
	free(fmt);
	free(loc);
	free(comment);
	json_object_put(props);
	json_object_put(like);
	json_object_put(part);
	return rc;
}

clxs_code lhs_drop_relation(lhs_ctx *c, bool view)
{
	bool ie = lhs_accept_kws(c, (const char *const[]){"IF", "EXISTS", NULL});
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	if (!view)
		lhs_accept_kw(c, "PURGE");
	lhs_name nm;
	if (!(rc = lhs_expect_eof(c)) && !(rc = lhs_resolve3(c, &q, NULL, NULL, &nm))) {
		lh_tbl tb;
		bool found = false;
		rc = lh_tbl_resolve(c->lh, &nm.n, &tb, &found, c->err);
		if (!rc && found && tb.is_view && !view)
			rc = lh_fail(c->err, CLXS_EINVAL, "WRONG_COMMAND_FOR_OBJECT_TYPE",
				     "The operation DROP TABLE requires a EXTERNAL or MANAGED table. But %s is a VIEW. Use DROP VIEW instead.",
				     tb.full);
		if (!rc && found && !tb.is_view && view)
			rc = lh_fail(c->err, CLXS_EINVAL, "WRONG_COMMAND_FOR_OBJECT_TYPE",
				     "The operation DROP VIEW requires a VIEW. But %s is a table. Use DROP TABLE instead.",
				     tb.full);
		if (!rc)
			rc = clxs_lh_table_drop(c->lh, &nm.n, ie, c->err);
	}
	lhs_qname_free(&q);
	return rc;
}

clxs_code lhs_alter_add_constraint(lhs_ctx *c, const lhs_name *nm)
{
	lh_tbl tb;
	lh_cols lc = {0};
	tdef d;
	memset(&d, 0, sizeof(d));
	clxs_code rc = lh_tbl_resolve(c->lh, &nm->n, &tb, NULL, c->err);
	if (!rc)
		rc = lh_cols_load(c->lh, tb.id, &lc, c->err);
	for (size_t i = 0; !rc && i < lc.n; i++) {
		clxs_lh_column col = {.name = lc.v[i].name, .type_text = lc.v[i].type_text,
				      .nullable = lc.v[i].nullable};
		rc = add_col(c, &d, col);
	}
	clxs_lh_constraint k;
	size_t f = 0, t = 0;
	if (!rc)
		rc = parse_constraint(c, &d, nm->name, &k, &f, &t);
	if (!rc)
		rc = lhs_expect_eof(c);
	if (!rc && k.kind == CLXS_LH_CHECK) {
		char *text = NULL, *sx = NULL;
		if (!(rc = check_expr(c, d.cols, d.ncols, f, t, &text, &sx))) {
			k.expression = pool_keep(&d.p, text);
			k.sqlite_expression = pool_keep(&d.p, sx);
			if (!k.expression || !k.sqlite_expression)
				rc = lhs_oom(c);
		}
	}
	if (!rc)
		rc = clxs_lh_constraint_add(c->lh, &nm->n, &k, c->err);
	tdef_free(&d);
	lh_cols_free(&lc);
	return rc;
}

clxs_code lhs_exec_ddl(lhs_ctx *c, bool *handled)
{
	*handled = true;
	size_t save = c->p;
	if (lhs_accept_kw(c, "CREATE")) {
		bool or_replace = lhs_accept_kws(c, (const char *const[]){"OR", "REPLACE", NULL});
		bool external = lhs_accept_kw(c, "EXTERNAL");
		if (!or_replace && !external && lhs_accept_kw(c, "CATALOG"))
			return create_catalog(c);
		if (!or_replace && !external && (lhs_accept_kw(c, "SCHEMA") || lhs_accept_kw(c, "DATABASE")))
			return create_schema(c);
		if (lhs_accept_kw(c, "TABLE"))
			return create_table(c, or_replace, external);
	} else if (lhs_accept_kw(c, "DROP")) {
		if (lhs_accept_kw(c, "CATALOG"))
			return drop_container(c, true);
		if (lhs_accept_kw(c, "SCHEMA") || lhs_accept_kw(c, "DATABASE"))
			return drop_container(c, false);
		if (lhs_accept_kw(c, "TABLE"))
			return lhs_drop_relation(c, false);
	}
	c->p = save;
	*handled = false;
	return CLXS_OK;
}
