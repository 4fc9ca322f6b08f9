/* DML: INSERT INTO/OVERWRITE (VALUES or a query, optional column list),
 * UPDATE, DELETE and MERGE INTO, each one Delta version through the
 * storage core's write API. Values are cast to the column types on the way
 * in (Spark's store assignment), with errors for malformed values.
 *
 * MERGE materialises its source once into a TEMP table whose columns are
 * renamed __s1..__sN, so that the storage core's per-row predicates (which
 * see the target row's columns unqualified) can refer to the target and
 * the matching source row without name clashes. */
#include "sql_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The statement's target table. */
typedef struct {
	lhs_name nm;
	lh_tbl tb;
	lh_cols cols;
	char *alias;        /* lowercased alias or table name */
} target;

static void target_free(target *t)
{
	lh_cols_free(&t->cols);
	free(t->alias);
	memset(t, 0, sizeof(*t));
}

static int col_index(const lh_cols *cols, const char *name)
{
	for (size_t i = 0; i < cols->n; i++)
		if (strcasecmp(cols->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

static clxs_code unresolved(lhs_ctx *c, const char *name)
{
	return lh_fail(c->err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
		       "A column, variable, or function parameter with name `%s` cannot be resolved.",
		       name);
}

static clxs_code target_parse(lhs_ctx *c, target *t, bool alias_ok)
{
	memset(t, 0, sizeof(*t));
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	rc = lhs_resolve3(c, &q, NULL, NULL, &t->nm);
	lhs_qname_free(&q);
	if (!rc)
		rc = lh_tbl_resolve(c->lh, &t->nm.n, &t->tb, NULL, c->err);
	if (!rc && t->tb.is_view)
		rc = lh_fail(c->err, CLXS_EINVAL, "EXPECT_TABLE_NOT_VIEW",
			     "%s is a view; it cannot be written to.", t->tb.full);
	if (!rc)
		rc = lh_cols_load(c->lh, t->tb.id, &t->cols, c->err);
	if (rc)
		return rc;
	const char *al = t->nm.name;
	if (alias_ok) {
		static const char *const stop[] = {"SET", "WHERE", "USING", NULL};
		bool as = lhs_accept_kw(c, "AS");
		const char *v = lhs_tok_ident(&c->k, c->p);
		bool kw = false;
		for (size_t i = 0; v && stop[i]; i++)
			kw |= lhs_cur(c)->kind == CLXS_TOK_IDENT && !strcasecmp(v, stop[i]);
		if (v && (as || !kw)) {
			al = v;
			c->p++;
		} else if (as)
			return lhs_syntax(c);
	}
	if (!(t->alias = strdup(al)))
		return lhs_oom(c);
	for (char *p = t->alias; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return CLXS_OK;
}

/* Columns of the target, unqualified (as the storage core's predicates see
 * them); other names are left to SQLite (subqueries). */
static int target_colres(void *arg, lhs_ctx *c, const char *qual, const char *name, clxs_buf *out)
{
	target *t = arg;
	(void)c;
	if (qual && strcasecmp(qual, t->alias) != 0)
		return 0;
	int i = col_index(&t->cols, name);
	if (i < 0) {
		if (qual) {
			unresolved(c, name);
			return -1;
		}
		return 0;
	}
	lhs_sqlite_ident(out, t->cols.v[i].name);
	return 1;
}

static clxs_code cast_into(lhs_ctx *c, const lh_col *col, const char *expr, clxs_buf *out)
{
	return lhs_cast_sql(c, col->type_text, expr, out);
}

static clxs_code affected(lhs_ctx *c, int64_t n)
{
	return lhs_res_counts(c, (const char *const[]){"num_affected_rows"}, &n, 1);
}

/* ---- INSERT ------------------------------------------------------------------------------ */

static clxs_code insert(lhs_ctx *c, bool overwrite)
{
	lhs_accept_kw(c, "TABLE");
	target t;
	clxs_code rc = target_parse(c, &t, false);
	json_object *list = NULL;
	char *src = NULL;
	clxs_buf b;
	clxs_buf_init(&b);
	int *map = NULL;
	size_t nsrc = 0;
	if (rc)
		goto out;
	if (lhs_at_kw(c, "PARTITION") || lhs_at_kw(c, "BY") || lhs_at_kw(c, "REPLACE"))
		rc = lhs_unsupported(c, "INSERT with PARTITION, BY NAME or REPLACE");
	if (!rc && lhs_tok_punct(&c->k, c->p, '(') &&
	    !(lhs_tok_kw(&c->k, c->p + 1, "SELECT") || lhs_tok_kw(&c->k, c->p + 1, "WITH")))
		rc = lhs_identlist(c, &list);
	if (rc)
		goto out;
	/* map[i]: the source column feeding table column i, or -1 */
	map = calloc(t.cols.n + 1, sizeof(*map));
	if (!map) {
		rc = lhs_oom(c);
		goto out;
	}
	if (list) {
		nsrc = json_object_array_length(list);
		for (size_t i = 0; i < t.cols.n; i++)
			map[i] = -1;
		for (size_t j = 0; j < nsrc && !rc; j++) {
			const char *n = json_object_get_string(json_object_array_get_idx(list, j));
			int i = col_index(&t.cols, n);
			if (i < 0)
				rc = unresolved(c, n);
			else if (map[i] >= 0)
				rc = lh_fail(c->err, CLXS_EINVAL, "COLUMN_ALREADY_EXISTS",
					     "The column `%s` is listed twice.", n);
			else
				map[i] = (int)j;
		}
	} else {
		nsrc = t.cols.n;
		for (size_t i = 0; i < t.cols.n; i++)
			map[i] = (int)i;
	}
	if (rc)
		goto out;
	if (!(lhs_at_kw(c, "VALUES") || lhs_at_kw(c, "SELECT") || lhs_at_kw(c, "WITH") ||
	      lhs_tok_punct(&c->k, c->p, '('))) {
		rc = lhs_syntax(c);
		goto out;
	}
	if ((rc = lhs_translate_query(c, c->p, c->k.n - 1, &src)))
		goto out;
	/* arity first, with Databricks' error rather than SQLite's */
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, src, -1, &st, NULL) != SQLITE_OK) {
		rc = lhs_sqlite_fail(c, "insert");
		goto out;
	}
	size_t got = (size_t)sqlite3_column_count(st);
	sqlite3_finalize(st);
	if (got != nsrc) {
		rc = lh_fail(c->err, CLXS_EINVAL, "INSERT_COLUMN_ARITY_MISMATCH",
			     "Cannot write to %s, the reason is %s data columns: the table has %zu column(s) to fill but the data has %zu.",
			     t.tb.full, got > nsrc ? "too many" : "not enough", nsrc, got);
		goto out;
	}
	clxs_buf_puts(&b, "WITH \"__lh_src\"(");
	for (size_t j = 0; j < nsrc; j++)
		clxs_buf_appendf(&b, "%s\"c%zu\"", j ? "," : "", j);
	clxs_buf_puts(&b, ") AS (");
	clxs_buf_puts(&b, src);
	clxs_buf_puts(&b, ") SELECT ");
	for (size_t i = 0; i < t.cols.n; i++) {
		if (i)
			clxs_buf_puts(&b, ", ");
		if (map[i] < 0) {
			clxs_buf_puts(&b, "NULL");
			continue;
		}
		char ref[32];
		snprintf(ref, sizeof(ref), "\"c%d\"", map[i]);
		cast_into(c, &t.cols.v[i], ref, &b);
	}
	clxs_buf_puts(&b, " FROM \"__lh_src\"");
	if (clxs_buf_failed(&b)) {
		rc = lhs_oom(c);
		goto out;
	}
	int64_t n = 0;
	if (!(rc = clxs_lh_insert(c->lh, &t.nm.n, clxs_buf_str(&b), overwrite, &n, c->err)))
		rc = lhs_res_counts(c, (const char *const[]){"num_affected_rows", "num_inserted_rows"},
				    (const int64_t[]){n, n}, 2);
out:
	free(map);
	free(src);
	clxs_buf_free(&b);
	json_object_put(list);
	target_free(&t);
	return rc;
}

/* ---- UPDATE / DELETE ----------------------------------------------------------------------- */

static clxs_code where_clause(lhs_ctx *c, target *t, char **where)
{
	*where = NULL;
	if (lhs_at_eof(c))
		return CLXS_OK;
	clxs_code rc = lhs_expect_kw(c, "WHERE");
	if (rc)
		return rc;
	size_t from = c->p, to = c->k.n - 1;
	c->p = to;
	return lhs_translate_expr(c, &c->k, from, to, target_colres, t, false, where);
}

static clxs_code update(lhs_ctx *c)
{
	target t;
	clxs_code rc = target_parse(c, &t, true);
	char **cols = NULL, **exprs = NULL, *where = NULL;
	size_t n = 0;
	if (!rc)
		rc = lhs_expect_kw(c, "SET");
	while (!rc) {
		char *name = NULL;
		lhs_qname q;
		if ((rc = lhs_qname_parse(c, &q)))
			break;
		if (q.n > 2 || (q.n == 2 && strcasecmp(q.part[0], t.alias))) {
			lhs_qname_free(&q);
			rc = lhs_syntax_at(c, &c->k, q.first_tok);
			break;
		}
		int ci = col_index(&t.cols, q.part[q.n - 1]);
		if (ci < 0)
			rc = unresolved(c, q.part[q.n - 1]);
		lhs_qname_free(&q);
		if (rc || (rc = lhs_tok_op(&c->k, c->p, "=") ? CLXS_OK : lhs_syntax(c)))
			break;
		c->p++;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(cols[j], t.cols.v[ci].name))
				rc = lh_fail(c->err, CLXS_EINVAL, "DUPLICATE_ASSIGNMENTS",
					     "The column `%s` is assigned more than once.", cols[j]);
		size_t e = lhs_scan_to(&c->k, c->p, c->k.n - 1, (const char *const[]){"WHERE", NULL}, true);
		char *x = NULL;
		if (rc || (rc = lhs_translate_expr(c, &c->k, c->p, e, target_colres, &t, false, &x)))
			break;
		c->p = e;
		clxs_buf b;
		clxs_buf_init(&b);
		cast_into(c, &t.cols.v[ci], x, &b);
		free(x);
		char **nc = realloc(cols, (n + 1) * sizeof(*nc));
		if (nc)
			cols = nc;
		char **ne = nc ? realloc(exprs, (n + 1) * sizeof(*ne)) : NULL;
		if (ne)
			exprs = ne;
		name = strdup(t.cols.v[ci].name);
		char *ex = clxs_buf_detach(&b);
		if (!nc || !ne || !name || !ex) {
			free(name);
			free(ex);
			rc = lhs_oom(c);
			break;
		}
		cols[n] = name;
		exprs[n] = ex;
		n++;
		if (!lhs_accept_punct(c, ','))
			break;
	}
	if (!rc)
		rc = where_clause(c, &t, &where);
	int64_t nrows = 0;
	if (!rc && !(rc = clxs_lh_update_rows(c->lh, &t.nm.n, (const char *const *)cols,
					      (const char *const *)exprs, n, where, &nrows, c->err)))
		rc = affected(c, nrows);
	for (size_t i = 0; i < n; i++) {
		free(cols[i]);
		free(exprs[i]);
	}
	free(cols);
	free(exprs);
	free(where);
	target_free(&t);
	return rc;
}

static clxs_code delete_rows(lhs_ctx *c)
{
	target t;
	char *where = NULL;
	clxs_code rc = lhs_expect_kw(c, "FROM");
	if (!rc)
		rc = target_parse(c, &t, true);
	else
		memset(&t, 0, sizeof(t));
	if (!rc)
		rc = where_clause(c, &t, &where);
	int64_t n = 0;
	if (!rc && !(rc = clxs_lh_delete(c->lh, &t.nm.n, where, &n, c->err)))
		rc = affected(c, n);
	free(where);
	target_free(&t);
	return rc;
}

/* ---- MERGE --------------------------------------------------------------------------------- */

typedef struct {
	target *t;
	char *src_alias;
	char **src_cols;    /* source column names */
	size_t nsrc;
	bool join_mode;     /* target as "__t"."col" (else unqualified) */
	bool source_only;   /* NOT MATCHED clauses see only the source */
} merge_scope;

static int src_index(const merge_scope *m, const char *name)
{
	for (size_t i = 0; i < m->nsrc; i++)
		if (strcasecmp(m->src_cols[i], name) == 0)
			return (int)i;
	return -1;
}

static int merge_colres(void *arg, lhs_ctx *c, const char *qual, const char *name, clxs_buf *out)
{
	merge_scope *m = arg;
	int ti = -1, si = -1;
	if (qual) {
		if (!strcasecmp(qual, m->t->alias))
			ti = col_index(&m->t->cols, name);
		else if (!strcasecmp(qual, m->src_alias))
			si = src_index(m, name);
		else
			return 0;
		if (ti < 0 && si < 0) {
			unresolved(c, name);
			return -1;
		}
	} else {
		ti = col_index(&m->t->cols, name);
		si = src_index(m, name);
		if (ti >= 0 && si >= 0 && !m->source_only) {
			lh_fail(c->err, CLXS_EINVAL, "AMBIGUOUS_REFERENCE",
				"Reference `%s` is ambiguous, could be: [`%s`.`%s`, `%s`.`%s`].", name,
				m->t->alias, name, m->src_alias, name);
			return -1;
		}
		if (m->source_only)
			ti = -1;
		if (ti < 0 && si < 0)
			return 0;
	}
	if (ti >= 0 && m->source_only) {
		lh_fail(c->err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
			"A column `%s` of the target cannot be used in a WHEN NOT MATCHED clause.", name);
		return -1;
	}
	if (ti >= 0) {
		if (m->join_mode)
			clxs_buf_puts(out, "\"__t\".");
		lhs_sqlite_ident(out, m->t->cols.v[ti].name);
	} else
		clxs_buf_appendf(out, "\"__s\".\"__s%d\"", si + 1);
	return 1;
}

typedef struct {
	bool matched, del, star;
	size_t cond_from, cond_to;        /* AND condition, empty when none */
	size_t act_from, act_to;          /* SET list / INSERT part */
} merge_clause;

static clxs_code merge_expr(lhs_ctx *c, merge_scope *m, size_t from, size_t to, bool join,
			    char **out)
{
	m->join_mode = join;
	return lhs_translate_expr(c, &c->k, from, to, merge_colres, m, false, out);
}

/* " AND [NOT ]coalesce((cond), 0)" of a clause's own AND condition, in mode
 * join/plain; nothing when it has none. */
static clxs_code clause_cond(lhs_ctx *c, merge_scope *m, const merge_clause *cl, bool join,
			     bool negate, clxs_buf *b)
{
	if (cl->cond_from >= cl->cond_to)
		return CLXS_OK;
	char *x = NULL;
	clxs_code rc = merge_expr(c, m, cl->cond_from, cl->cond_to, join, &x);
	if (rc)
		return rc;
	clxs_buf_puts(b, negate ? " AND NOT coalesce((" : " AND coalesce((");
	clxs_buf_puts(b, x);
	clxs_buf_puts(b, "), 0)");
	free(x);
	return CLXS_OK;
}

/* A clause's action after UPDATE SET / INSERT: "*" or the tokens up to the
 * next WHEN. */
static void action_span(lhs_ctx *c, merge_clause *x)
{
	if (lhs_tok_op(&c->k, c->p, "*")) {
		x->star = true;
		c->p++;
		return;
	}
	x->act_from = c->p;
	x->act_to = lhs_scan_to(&c->k, c->p, c->k.n - 1, (const char *const[]){"WHEN", NULL}, false);
	c->p = x->act_to;
}

/* "NOT coalesce((cond), 0)" for each earlier clause, in mode join/plain. */
static clxs_code earlier_conds(lhs_ctx *c, merge_scope *m, const merge_clause *cl, size_t n,
			       size_t upto, bool matched, bool join, clxs_buf *b)
{
	for (size_t j = 0; j < upto && j < n; j++) {
		if (cl[j].matched != matched)
			continue;
		if (cl[j].cond_from == cl[j].cond_to) {
			clxs_buf_puts(b, " AND 0");
			continue;
		}
		clxs_code rc = clause_cond(c, m, &cl[j], join, true, b);
		if (rc)
			return rc;
	}
	return CLXS_OK;
}

static clxs_code merge(lhs_ctx *c)
{
	clxs_code rc = lhs_expect_kw(c, "INTO");
	target t;
	memset(&t, 0, sizeof(t));
	if (!rc)
		rc = target_parse(c, &t, true);
	merge_scope m = {.t = &t};
	merge_clause *cl = NULL;
	size_t ncl = 0;
	char *on_plain = NULL, *snap0 = NULL, *srcq = NULL;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_lh_write *w = NULL;
	bool temp = false;
	size_t on_from = 0, on_to = 0;
	int64_t n_upd = 0, n_del = 0, n_ins = 0;
	if (rc)
		goto out;
	if ((rc = lhs_expect_kw(c, "USING")))
		goto out;
	/* the source: a table or a subquery, translated like a FROM item */
	{
		lhs_tr tr;
		lhs_tr_init(&tr, c, &c->k);
		lhs_ref *ref = NULL;
		size_t i = c->p, on = lhs_scan_to(&c->k, c->p, c->k.n - 1, (const char *const[]){"ON", NULL}, false);
		clxs_buf sb;
		clxs_buf_init(&sb);
		rc = lhs_tr_table_ref(&tr, &i, on, &sb, &ref);
		lhs_tr_free(&tr);
		if (!rc && i != on)
			rc = lhs_syntax_at(c, &c->k, i);
		/* the alias is the last identifier before ON (or the table name) */
		const char *al = ref ? ref->alias : NULL;
		if (!al && on > c->p && lhs_tok_ident(&c->k, on - 1) && !lhs_tok_punct(&c->k, on - 1, ')'))
			al = lhs_tok_ident(&c->k, on - 1);
		if (!rc && !al)
			rc = lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
				     "The MERGE source subquery needs an alias.");
		if (!rc && !(m.src_alias = strdup(al)))
			rc = lhs_oom(c);
		for (char *p = m.src_alias; p && *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (!rc && !(srcq = clxs_buf_detach(&sb)))
			rc = lhs_oom(c);
		clxs_buf_free(&sb);
		c->p = on;
	}
	if (rc || (rc = lhs_expect_kw(c, "ON")))
		goto out;
	on_from = c->p;
	on_to = lhs_scan_to(&c->k, c->p, c->k.n - 1, (const char *const[]){"WHEN", NULL}, false);
	c->p = on_to;
	/* WHEN clauses */
	while (!rc && lhs_accept_kw(c, "WHEN")) {
		merge_clause x = {0};
		if (lhs_accept_kw(c, "MATCHED")) {
			x.matched = true;
		} else if (lhs_accept_kws(c, (const char *const[]){"NOT", "MATCHED", NULL})) {
			if (lhs_accept_kws(c, (const char *const[]){"BY", "SOURCE", NULL})) {
				rc = lhs_unsupported(c, "WHEN NOT MATCHED BY SOURCE");
				break;
			}
			lhs_accept_kws(c, (const char *const[]){"BY", "TARGET", NULL});
		} else {
			rc = lhs_syntax(c);
			break;
		}
		if (lhs_accept_kw(c, "AND")) {
			x.cond_from = c->p;
			x.cond_to = lhs_scan_to(&c->k, c->p, c->k.n - 1, (const char *const[]){"THEN", NULL}, false);
			c->p = x.cond_to;
		}
		if ((rc = lhs_expect_kw(c, "THEN")))
			break;
		if (x.matched && lhs_accept_kw(c, "DELETE")) {
			x.del = true;
		} else if (x.matched && lhs_accept_kw(c, "UPDATE")) {
			if ((rc = lhs_expect_kw(c, "SET")))
				break;
			action_span(c, &x);
		} else if (!x.matched && lhs_accept_kw(c, "INSERT")) {
			action_span(c, &x);
		} else {
			rc = lhs_syntax(c);
			break;
		}
		merge_clause *v = realloc(cl, (ncl + 1) * sizeof(*v));
		if (!v) {
			rc = lhs_oom(c);
			break;
		}
		cl = v;
		cl[ncl++] = x;
	}
	if (!rc && (!ncl || !lhs_at_eof(c)))
		rc = lhs_syntax(c);
	if (rc)
		goto out;

	/* source columns, then the source rows into a TEMP table */
	{
		char *q = NULL;
		sqlite3_stmt *st = NULL;
		if (asprintf(&q, "SELECT * FROM %s", srcq) < 0) {
			rc = lhs_oom(c);
			goto out;
		}
		if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK) {
			free(q);
			rc = lhs_sqlite_fail(c, "merge source");
			goto out;
		}
		free(q);
		m.nsrc = (size_t)sqlite3_column_count(st);
		m.src_cols = calloc(m.nsrc + 1, sizeof(char *));
		for (size_t i = 0; m.src_cols && i < m.nsrc; i++)
			m.src_cols[i] = strdup(sqlite3_column_name(st, (int)i));
		sqlite3_finalize(st);
		if (!m.src_cols) {
			rc = lhs_oom(c);
			goto out;
		}
		clxs_buf_puts(&b, "CREATE TEMP TABLE \"__lh_merge_src\" AS SELECT ");
		for (size_t i = 0; i < m.nsrc; i++) {
			if (!m.src_cols[i]) {
				rc = lhs_oom(c);
				goto out;
			}
			clxs_buf_puts(&b, i ? ", " : "");
			lhs_sqlite_ident(&b, m.src_alias);
			clxs_buf_putc(&b, '.');
			lhs_sqlite_ident(&b, m.src_cols[i]);
			clxs_buf_appendf(&b, " AS \"__s%zu\"", i + 1);
		}
		clxs_buf_puts(&b, " FROM ");
		clxs_buf_puts(&b, srcq);
		sqlite3_exec(c->db, "DROP TABLE IF EXISTS temp.\"__lh_merge_src\"", NULL, NULL, NULL);
		if (clxs_buf_failed(&b)) {
			rc = lhs_oom(c);
			goto out;
		}
		if (sqlite3_exec(c->db, clxs_buf_str(&b), NULL, NULL, NULL) != SQLITE_OK) {
			rc = lhs_sqlite_fail(c, "merge source");
			goto out;
		}
		temp = true;
		clxs_buf_reset(&b);
	}
	/* the ON condition, as a plain predicate over the target row */
	if ((rc = merge_expr(c, &m, on_from, on_to, false, &on_plain)))
		goto out;
	if ((rc = clxs_lh_table_snapshot_sql(c->lh, &t.nm.n, NULL, &snap0, NULL, c->err)))
		goto out;
	/* a target row may match one source row at most (when it is modified) */
	bool any_matched = false;
	for (size_t i = 0; i < ncl; i++)
		any_matched |= cl[i].matched;
	if (any_matched) {
		char *on_join = NULL;
		if ((rc = merge_expr(c, &m, on_from, on_to, true, &on_join)))
			goto out;
		char *q = NULL;
		int64_t pairs = 0, rows = 0;
		if (asprintf(&q, "SELECT (SELECT count(*) FROM %s AS \"__t\" JOIN temp.\"__lh_merge_src\" AS \"__s\" ON (%s)),"
			     " (SELECT count(*) FROM %s AS \"__t\" WHERE EXISTS (SELECT 1 FROM temp.\"__lh_merge_src\" AS \"__s\" WHERE (%s)))",
			     snap0, on_join, snap0, on_join) < 0) {
			free(on_join);
			rc = lhs_oom(c);
			goto out;
		}
		free(on_join);
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
			rc = lhs_sqlite_fail(c, "merge");
		else {
			pairs = sqlite3_column_int64(st, 0);
			rows = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		free(q);
		if (!rc && pairs > rows)
			rc = lh_fail(c->err, CLXS_EINVAL, "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE",
				     "Cannot perform Merge as multiple source rows matched and attempted to modify the same target row in the Delta table in possibly conflicting ways.");
		if (rc)
			goto out;
	}
	if ((rc = clxs_lh_write_begin(c->lh, &t.nm.n, &w, c->err)))
		goto out;

	/* per matched clause: EXISTS(source row matching ON, its condition,
	 * and no earlier clause's) */
	char **pred = calloc(ncl + 1, sizeof(char *));
	if (!pred) {
		rc = lhs_oom(c);
		goto out;
	}
	for (size_t i = 0; !rc && i < ncl; i++) {
		if (!cl[i].matched)
			continue;
		clxs_buf p;
		clxs_buf_init(&p);
		clxs_buf_puts(&p, "EXISTS (SELECT 1 FROM temp.\"__lh_merge_src\" AS \"__s\" WHERE (");
		clxs_buf_puts(&p, on_plain);
		clxs_buf_puts(&p, ")");
		rc = clause_cond(c, &m, &cl[i], false, false, &p);
		if (!rc)
			rc = earlier_conds(c, &m, cl, ncl, i, true, false, &p);
		clxs_buf_puts(&p, ")");
		if (!rc && !(pred[i] = clxs_buf_detach(&p)))
			rc = lhs_oom(c);
		clxs_buf_free(&p);
	}
	/* deletes */
	if (!rc) {
		clxs_buf d;
		clxs_buf_init(&d);
		for (size_t i = 0; i < ncl; i++)
			if (cl[i].matched && cl[i].del) {
				clxs_buf_puts(&d, d.len ? " OR " : "");
				clxs_buf_puts(&d, pred[i]);
			}
		if (d.len)
			rc = clxs_lh_write_delete(w, clxs_buf_str(&d), &n_del, c->err);
		clxs_buf_free(&d);
	}
	/* updates: one step, CASE over the clauses per assigned column */
	if (!rc) {
		size_t nt = t.cols.n;
		clxs_buf *cs = calloc(nt + 1, sizeof(clxs_buf));
		clxs_buf where;
		clxs_buf_init(&where);
		if (!cs)
			rc = lhs_oom(c);
		for (size_t i = 0; !rc && i < ncl; i++) {
			if (!cl[i].matched || cl[i].del)
				continue;
			clxs_buf_puts(&where, where.len ? " OR " : "");
			clxs_buf_puts(&where, pred[i]);
			/* assignments of clause i */
			size_t j = cl[i].act_from;
			for (size_t col = 0; !rc && (cl[i].star ? col < nt : j < cl[i].act_to); col++) {
				int ti;
				size_t ef = 0, et = 0;
				if (cl[i].star) {
					ti = (int)col;
					if (src_index(&m, t.cols.v[ti].name) < 0) {
						rc = unresolved(c, t.cols.v[ti].name);
						break;
					}
				} else {
					/* [alias.]col = expr */
					size_t k0 = j;
					if (lhs_tok_punct(&c->k, j + 1, '.'))
						j += 2;
					const char *cn = lhs_tok_ident(&c->k, j);
					if (!cn || !lhs_tok_op(&c->k, j + 1, "=")) {
						rc = lhs_syntax_at(c, &c->k, j);
						break;
					}
					if (j > k0 && strcasecmp(lhs_tok_ident(&c->k, k0), t.alias)) {
						rc = unresolved(c, cn);
						break;
					}
					ti = col_index(&t.cols, cn);
					if (ti < 0) {
						rc = unresolved(c, cn);
						break;
					}
					ef = j + 2;
					et = lhs_scan_to(&c->k, ef, cl[i].act_to, NULL, true);
					j = et + 1;
				}
				char *x = NULL;
				if (cl[i].star) {
					char buf[48];
					snprintf(buf, sizeof(buf), "\"__s\".\"__s%d\"",
						 src_index(&m, t.cols.v[ti].name) + 1);
					x = strdup(buf);
					if (!x)
						rc = lhs_oom(c);
				} else
					rc = merge_expr(c, &m, ef, et, false, &x);
				if (rc)
					break;
				clxs_buf *e = &cs[ti];
				if (!e->len)
					clxs_buf_puts(e, "CASE");
				clxs_buf_puts(e, " WHEN ");
				clxs_buf_puts(e, pred[i]);
				clxs_buf_puts(e, " THEN (SELECT ");
				clxs_buf val;
				clxs_buf_init(&val);
				cast_into(c, &t.cols.v[ti], x, &val);
				clxs_buf_puts(e, clxs_buf_str(&val));
				clxs_buf_free(&val);
				clxs_buf_puts(e, " FROM temp.\"__lh_merge_src\" AS \"__s\" WHERE (");
				clxs_buf_puts(e, on_plain);
				clxs_buf_puts(e, ") LIMIT 1)");
				free(x);
			}
		}
		size_t nset = 0;
		const char **scol = calloc(nt + 1, sizeof(char *));
		char **sexp = calloc(nt + 1, sizeof(char *));
		if (!rc && (!scol || !sexp))
			rc = lhs_oom(c);
		for (size_t i = 0; !rc && i < nt; i++) {
			if (!cs[i].len)
				continue;
			clxs_buf_puts(&cs[i], " ELSE ");
			lhs_sqlite_ident(&cs[i], t.cols.v[i].name);
			clxs_buf_puts(&cs[i], " END");
			scol[nset] = t.cols.v[i].name;
			if (!(sexp[nset++] = clxs_buf_detach(&cs[i])))
				rc = lhs_oom(c);
		}
		if (!rc && nset)
			rc = clxs_lh_write_update(w, scol, (const char *const *)sexp, nset,
						  clxs_buf_str(&where), &n_upd, c->err);
		for (size_t i = 0; i < nt && sexp; i++)
			free(sexp[i]);
		free(sexp);
		free(scol);
		for (size_t i = 0; cs && i < nt; i++)
			clxs_buf_free(&cs[i]);
		free(cs);
		clxs_buf_free(&where);
	}
	for (size_t i = 0; i < ncl; i++)
		free(pred[i]);
	free(pred);
	/* inserts: source rows matching no target row of the version before */
	for (size_t i = 0; !rc && i < ncl; i++) {
		if (cl[i].matched)
			continue;
		m.source_only = true;
		clxs_buf q;
		clxs_buf_init(&q);
		clxs_buf_puts(&q, "SELECT ");
		char **vals = calloc(t.cols.n + 1, sizeof(char *));
		if (!vals)
			rc = lhs_oom(c);
		if (!rc && !cl[i].star) {
			/* (cols) VALUES (exprs) */
			size_t j = cl[i].act_from;
			if (!lhs_tok_punct(&c->k, j, '(')) {
				rc = lhs_syntax_at(c, &c->k, j);
			} else {
				size_t cend = c->k.match[j];
				size_t vo = cend + 1;
				if (!lhs_tok_kw(&c->k, vo, "VALUES") || !lhs_tok_punct(&c->k, vo + 1, '(') ||
				    c->k.match[vo + 1] + 1 != cl[i].act_to) {
					rc = lhs_syntax_at(c, &c->k, vo);
				} else {
					size_t vi = vo + 2, vend = c->k.match[vo + 1];
					for (size_t k = j + 1; !rc && k < cend; k += 2) {
						const char *cn = lhs_tok_ident(&c->k, k);
						if (lhs_tok_punct(&c->k, k + 1, '.')) {
							k += 2;
							cn = lhs_tok_ident(&c->k, k);
						}
						int ti = cn ? col_index(&t.cols, cn) : -1;
						if (ti < 0) {
							rc = cn ? unresolved(c, cn) : lhs_syntax_at(c, &c->k, k);
							break;
						}
						if (vi >= vend) {
							rc = lh_fail(c->err, CLXS_EINVAL, "INSERT_COLUMN_ARITY_MISMATCH",
								     "MERGE INSERT has more columns than values.");
							break;
						}
						size_t ve = lhs_scan_to(&c->k, vi, vend, NULL, true);
						rc = merge_expr(c, &m, vi, ve, false, &vals[ti]);
						vi = ve + 1;
					}
					if (!rc && vi < vend)
						rc = lh_fail(c->err, CLXS_EINVAL, "INSERT_COLUMN_ARITY_MISMATCH",
							     "MERGE INSERT has more values than columns.");
				}
			}
		}
		for (size_t k = 0; !rc && k < t.cols.n; k++) {
			clxs_buf_puts(&q, k ? ", " : "");
			if (cl[i].star) {
				int si = src_index(&m, t.cols.v[k].name);
				if (si < 0) {
					rc = unresolved(c, t.cols.v[k].name);
					break;
				}
				char ref[48];
				snprintf(ref, sizeof(ref), "\"__s\".\"__s%d\"", si + 1);
				cast_into(c, &t.cols.v[k], ref, &q);
			} else if (vals[k])
				cast_into(c, &t.cols.v[k], vals[k], &q);
			else
				clxs_buf_puts(&q, "NULL");
		}
		for (size_t k = 0; vals && k < t.cols.n; k++)
			free(vals[k]);
		free(vals);
		char *on_join = NULL;
		m.source_only = false;
		if (!rc)
			rc = merge_expr(c, &m, on_from, on_to, true, &on_join);
		if (!rc) {
			clxs_buf_puts(&q, " FROM temp.\"__lh_merge_src\" AS \"__s\" WHERE NOT EXISTS (SELECT 1 FROM ");
			clxs_buf_puts(&q, snap0);
			clxs_buf_puts(&q, " AS \"__t\" WHERE (");
			clxs_buf_puts(&q, on_join);
			clxs_buf_puts(&q, "))");
			m.source_only = true;
			rc = clause_cond(c, &m, &cl[i], true, false, &q);
			if (!rc)
				rc = earlier_conds(c, &m, cl, ncl, i, false, true, &q);
			m.source_only = false;
		}
		free(on_join);
		int64_t k = 0;
		if (!rc && clxs_buf_failed(&q))
			rc = lhs_oom(c);
		/* an empty append still commits a segment-less step: skip it */
		if (!rc) {
			char *cq = NULL;
			int64_t cnt = 0;
			if (asprintf(&cq, "SELECT count(*) FROM (%s)", clxs_buf_str(&q)) < 0)
				rc = lhs_oom(c);
			else
				rc = lh_int(c->lh, c->err, &cnt, NULL, cq, NULL);
			free(cq);
			if (!rc && cnt > 0)
				rc = clxs_lh_write_append(w, clxs_buf_str(&q), &k, c->err);
		}
		n_ins += k;
		clxs_buf_free(&q);
	}
	if (!rc) {
		json_object *params = json_object_new_object();
		char *on_text = lhs_text(&c->k, on_from, on_to);
		if (params && on_text) {
			json_object *a = json_object_new_array();
			json_object_array_add(a, json_object_new_string(on_text));
			lh_mset_str(params, "predicate", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
			json_object_put(a);
		}
		free(on_text);
		clxs_lh_write *ww = w;
		w = NULL;
		rc = clxs_lh_write_commit(ww, "MERGE", params, NULL, c->err);
		json_object_put(params);
	}
	if (!rc)
		rc = lhs_res_counts(c, (const char *const[]){"num_affected_rows", "num_updated_rows",
							     "num_deleted_rows", "num_inserted_rows"},
				    (const int64_t[]){n_upd + n_del + n_ins, n_upd, n_del, n_ins}, 4);
out:
	if (w)
		clxs_lh_write_abort(w);
	if (temp)
		sqlite3_exec(c->db, "DROP TABLE IF EXISTS temp.\"__lh_merge_src\"", NULL, NULL, NULL);
	for (size_t i = 0; i < m.nsrc && m.src_cols; i++)
		free(m.src_cols[i]);
	free(m.src_cols);
	free(m.src_alias);
	free(cl);
	free(on_plain);
	free(snap0);
	free(srcq);
	clxs_buf_free(&b);
	target_free(&t);
	return rc;
}

clxs_code lhs_exec_dml(lhs_ctx *c, bool *handled)
{
	*handled = true;
	size_t save = c->p;
	if (lhs_accept_kw(c, "INSERT")) {
		if (lhs_accept_kw(c, "INTO"))
			return insert(c, false);
		if (lhs_accept_kw(c, "OVERWRITE"))
			return insert(c, true);
		return lhs_syntax(c);
	}
	if (lhs_accept_kw(c, "UPDATE"))
		return update(c);
	if (lhs_accept_kw(c, "DELETE"))
		return delete_rows(c);
	if (lhs_accept_kw(c, "MERGE"))
		return merge(c);
	c->p = save;
	*handled = false;
	return CLXS_OK;
}
