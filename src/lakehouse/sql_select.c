/* Query translation: Databricks SQL tokens -> SQLite SQL text.
 *
 * The text is rebuilt token by token, never copied through: every table
 * reference (1-3 parts, backticked or not, with time travel) becomes the
 * storage core's snapshot subquery, views are expanded through the same
 * translator, identifiers are re-quoted for SQLite, string literals are
 * re-escaped, Spark functions are mapped to SQLite built-ins or to the
 * functions registered in sql_funcs.c, and :name markers become calls of a
 * function that returns the bound value (values never enter the text).
 * Anything not understood fails with an UNSUPPORTED_* / UNRESOLVED_* error.
 *
 * Each parenthesised group is a "level". A level that holds a query
 * (starts with SELECT/WITH) is pre-scanned for its FROM-clause table
 * references first, so that the select list, translated before the FROM
 * clause in token order, can already look up column types (hash() needs
 * them to hash an INT and a BIGINT differently, as Spark does). */
#include "sql_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
	size_t start, end;   /* tokens [start, end) of the reference */
	char *text;          /* its SQLite translation */
	lhs_ref *ref;        /* NULL for subqueries */
} lhs_tref;

struct lhs_level {
	lhs_level *up;
	lhs_tref *v;
	size_t n;
	bool owned_by_tr;    /* the outermost level lives until lhs_tr_free */
};

static void level_free(lhs_level *lv)
{
	for (size_t i = 0; i < lv->n; i++)
		free(lv->v[i].text);
	free(lv->v);
	lv->v = NULL;
	lv->n = 0;
}

void lhs_tr_init(lhs_tr *t, lhs_ctx *c, const lhs_toks *k)
{
	memset(t, 0, sizeof(*t));
	t->c = c;
	t->k = k;
}

void lhs_tr_free(lhs_tr *t)
{
	for (size_t i = 0; i < t->nctes; i++)
		free(t->ctes[i]);
	free(t->ctes);
	if (t->outer) {
		level_free(t->outer);
		free(t->outer);
	}
	t->ctes = NULL;
	t->nctes = 0;
	t->outer = NULL;
}

/* ---- output helpers -------------------------------------------------------------- */

int lhs_sqlite_literal(clxs_buf *b, const char *s, size_t n)
{
	clxs_buf_putc(b, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			clxs_buf_putc(b, '\'');
		clxs_buf_putc(b, s[i]);
	}
	return clxs_buf_putc(b, '\'');
}

int lhs_sqlite_ident(clxs_buf *b, const char *s)
{
	clxs_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			clxs_buf_putc(b, '"');
		clxs_buf_putc(b, *s);
	}
	return clxs_buf_putc(b, '"');
}

static void sp(clxs_buf *b)
{
	if (b->len && b->data[b->len - 1] != ' ' && b->data[b->len - 1] != '(')
		clxs_buf_putc(b, ' ');
}

/* ---- keywords ------------------------------------------------------------------------- */

/* Keywords copied to SQLite as they are (same meaning in both dialects). */
static const char *const passthrough_kw[] = {
	"SELECT", "DISTINCT", "ALL", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "ASC",
	"DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET", "AS", "ON", "USING", "JOIN",
	"INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "UNION", "INTERSECT",
	"EXCEPT", "AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE", "IN", "BETWEEN", "LIKE",
	"EXISTS", "CASE", "WHEN", "THEN", "ELSE", "END", "OVER", "PARTITION", "ROWS", "RANGE",
	"UNBOUNDED", "PRECEDING", "FOLLOWING", "CURRENT", "ROW", "RECURSIVE", "FILTER",
	"WINDOW", "ESCAPE", "VALUES", NULL,
};

/* Spark syntax with no SQLite counterpart here. */
static const char *const unsupported_kw[] = {
	"QUALIFY", "PIVOT", "UNPIVOT", "LATERAL", "TABLESAMPLE", "SEMI", "ANTI", "INTERVAL",
	"DIV", "ILIKE", "DISTRIBUTE", "CLUSTER", "SORT", "TRANSFORM", NULL,
};

/* Words that end a table reference (cannot be its alias). */
static const char *const not_alias_kw[] = {
	"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "JOIN", "INNER", "LEFT", "RIGHT",
	"FULL", "CROSS", "NATURAL", "ON", "USING", "UNION", "INTERSECT", "EXCEPT", "MINUS",
	"WINDOW", "QUALIFY", "LATERAL", "PIVOT", "UNPIVOT", "TABLESAMPLE", "SEMI", "ANTI",
	"SELECT", "FROM", "WITH", "VERSION", "TIMESTAMP", "FOR", "CLUSTER", "DISTRIBUTE",
	"SORT", "AS", "WHEN", "SET", "VALUES", NULL,
};

/* Words that end a FROM clause at the same level. */
static const char *const end_from_kw[] = {
	"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "WINDOW", "UNION", "INTERSECT",
	"EXCEPT", "MINUS", "SELECT", "QUALIFY", NULL,
};

static bool in_list(const char *const *l, const char *w)
{
	for (size_t i = 0; l[i]; i++)
		if (strcasecmp(l[i], w) == 0)
			return true;
	return false;
}

/* ---- Spark functions ------------------------------------------------------------------- */

enum {
	F_SAME,        /* same name and meaning in SQLite */
	F_RENAME,      /* registered or built-in under another name */
	F_CAST,        /* cast / try_cast */
	F_HASH,        /* hash / xxhash64: typed arguments */
	F_NOARG,       /* niladic, parentheses optional (current_date) */
	F_APPROX,      /* approx_count_distinct(x) -> count(DISTINCT x) */
};

static const struct fmap {
	const char *spark, *sqlite;
	int kind;
	const char *type;   /* result type when fixed, for the manifest */
} fmap[] = {
	{"count", "count", F_SAME, "BIGINT"},
	{"sum", "sum", F_SAME, NULL},
	{"min", "min", F_SAME, NULL},
	{"max", "max", F_SAME, NULL},
	{"avg", "avg", F_SAME, "DOUBLE"},
	{"mean", "avg", F_RENAME, "DOUBLE"},
	{"coalesce", "coalesce", F_SAME, NULL},
	{"nvl", "ifnull", F_RENAME, NULL},
	{"ifnull", "ifnull", F_SAME, NULL},
	{"nullif", "nullif", F_SAME, NULL},
	{"nvl2", "__lh_nvl2", F_RENAME, NULL},
	{"if", "iif", F_RENAME, NULL},
	{"iff", "iif", F_RENAME, NULL},
	{"lower", "lower", F_SAME, "STRING"},
	{"lcase", "lower", F_RENAME, "STRING"},
	{"upper", "upper", F_SAME, "STRING"},
	{"ucase", "upper", F_RENAME, "STRING"},
	{"length", "length", F_RENAME, "INT"},
	{"char_length", "length", F_RENAME, "INT"},
	{"character_length", "length", F_RENAME, "INT"},
	{"len", "length", F_RENAME, "INT"},
	{"substring", "__lh_substr", F_RENAME, "STRING"},
	{"substr", "__lh_substr", F_RENAME, "STRING"},
	{"trim", "trim", F_SAME, "STRING"},
	{"ltrim", "ltrim", F_SAME, "STRING"},
	{"rtrim", "rtrim", F_SAME, "STRING"},
	{"replace", "replace", F_SAME, "STRING"},
	{"instr", "instr", F_SAME, "INT"},
	{"abs", "abs", F_SAME, NULL},
	{"round", "__lh_round", F_RENAME, NULL},
	{"ceil", "__lh_ceil", F_RENAME, "BIGINT"},
	{"ceiling", "__lh_ceil", F_RENAME, "BIGINT"},
	{"floor", "__lh_floor", F_RENAME, "BIGINT"},
	{"sqrt", "__lh_sqrt", F_RENAME, "DOUBLE"},
	{"pow", "__lh_pow", F_RENAME, "DOUBLE"},
	{"power", "__lh_pow", F_RENAME, "DOUBLE"},
	{"mod", "__lh_mod", F_RENAME, NULL},
	{"greatest", "__lh_greatest", F_RENAME, NULL},
	{"least", "__lh_least", F_RENAME, NULL},
	{"concat", "__lh_concat", F_RENAME, "STRING"},
	{"concat_ws", "__lh_concat_ws", F_RENAME, "STRING"},
	{"lpad", "__lh_lpad", F_RENAME, "STRING"},
	{"rpad", "__lh_rpad", F_RENAME, "STRING"},
	{"left", "__lh_left", F_RENAME, "STRING"},
	{"right", "__lh_right", F_RENAME, "STRING"},
	{"reverse", "__lh_reverse", F_RENAME, "STRING"},
	{"repeat", "__lh_repeat", F_RENAME, "STRING"},
	{"startswith", "__lh_startswith", F_RENAME, "BOOLEAN"},
	{"endswith", "__lh_endswith", F_RENAME, "BOOLEAN"},
	{"contains", "__lh_contains", F_RENAME, "BOOLEAN"},
	{"md5", "__lh_md5", F_RENAME, "STRING"},
	{"sha1", "__lh_sha1", F_RENAME, "STRING"},
	{"sha", "__lh_sha1", F_RENAME, "STRING"},
	{"sha2", "__lh_sha2", F_RENAME, "STRING"},
	{"base64", "__lh_base64", F_RENAME, "STRING"},
	{"hex", "__lh_hex", F_RENAME, "STRING"},
	{"hash", "__lh_hash", F_HASH, "INT"},
	{"xxhash64", "__lh_xxhash64", F_HASH, "BIGINT"},
	{"cast", NULL, F_CAST, NULL},
	{"try_cast", NULL, F_CAST, NULL},
	{"current_date", "__lh_current_date", F_NOARG, "DATE"},
	{"curdate", "__lh_current_date", F_NOARG, "DATE"},
	{"current_timestamp", "__lh_current_timestamp", F_NOARG, "TIMESTAMP"},
	{"now", "__lh_current_timestamp", F_NOARG, "TIMESTAMP"},
	{"current_user", "__lh_current_user", F_NOARG, "STRING"},
	{"user", "__lh_current_user", F_NOARG, "STRING"},
	{"session_user", "__lh_current_user", F_NOARG, "STRING"},
	{"current_catalog", "__lh_current_catalog", F_NOARG, "STRING"},
	{"current_schema", "__lh_current_schema", F_NOARG, "STRING"},
	{"current_database", "__lh_current_schema", F_NOARG, "STRING"},
	{"is_account_group_member", "__lh_is_member", F_RENAME, "BOOLEAN"},
	{"is_member", "__lh_is_member", F_RENAME, "BOOLEAN"},
	{"date_add", "__lh_date_add", F_RENAME, "DATE"},
	{"dateadd", "__lh_date_add", F_RENAME, "DATE"},
	{"date_sub", "__lh_date_sub", F_RENAME, "DATE"},
	{"datediff", "__lh_datediff", F_RENAME, "INT"},
	{"add_months", "__lh_add_months", F_RENAME, "DATE"},
	{"last_day", "__lh_last_day", F_RENAME, "DATE"},
	{"date_format", "__lh_date_format", F_RENAME, "STRING"},
	{"to_date", "__lh_to_date", F_RENAME, "DATE"},
	{"to_timestamp", "__lh_to_timestamp", F_RENAME, "TIMESTAMP"},
	{"date_trunc", "__lh_date_trunc", F_RENAME, "TIMESTAMP"},
	{"unix_timestamp", "__lh_unix_timestamp", F_RENAME, "BIGINT"},
	{"from_unixtime", "__lh_from_unixtime", F_RENAME, "STRING"},
	{"year", "__lh_year", F_RENAME, "INT"},
	{"quarter", "__lh_quarter", F_RENAME, "INT"},
	{"month", "__lh_month", F_RENAME, "INT"},
	{"day", "__lh_day", F_RENAME, "INT"},
	{"dayofmonth", "__lh_day", F_RENAME, "INT"},
	{"dayofweek", "__lh_dayofweek", F_RENAME, "INT"},
	{"dayofyear", "__lh_dayofyear", F_RENAME, "INT"},
	{"hour", "__lh_hour", F_RENAME, "INT"},
	{"minute", "__lh_minute", F_RENAME, "INT"},
	{"second", "__lh_second", F_RENAME, "INT"},
	{"isnull", "__lh_isnull", F_RENAME, "BOOLEAN"},
	{"isnotnull", "__lh_isnotnull", F_RENAME, "BOOLEAN"},
	{"uuid", "__lh_uuid", F_RENAME, "STRING"},
	{"stddev", "__lh_stddev_samp", F_RENAME, "DOUBLE"},
	{"stddev_samp", "__lh_stddev_samp", F_RENAME, "DOUBLE"},
	{"std", "__lh_stddev_samp", F_RENAME, "DOUBLE"},
	{"stddev_pop", "__lh_stddev_pop", F_RENAME, "DOUBLE"},
	{"variance", "__lh_var_samp", F_RENAME, "DOUBLE"},
	{"var_samp", "__lh_var_samp", F_RENAME, "DOUBLE"},
	{"var_pop", "__lh_var_pop", F_RENAME, "DOUBLE"},
	{"count_if", "__lh_count_if", F_RENAME, "BIGINT"},
	{"approx_count_distinct", NULL, F_APPROX, "BIGINT"},
	{"row_number", "row_number", F_SAME, "INT"},
	{"rank", "rank", F_SAME, "INT"},
	{"dense_rank", "dense_rank", F_SAME, "INT"},
	{"percent_rank", "percent_rank", F_SAME, "DOUBLE"},
	{"cume_dist", "cume_dist", F_SAME, "DOUBLE"},
	{"ntile", "ntile", F_SAME, "INT"},
	{"lag", "lag", F_SAME, NULL},
	{"lead", "lead", F_SAME, NULL},
	{"first_value", "first_value", F_SAME, NULL},
	{"last_value", "last_value", F_SAME, NULL},
	{"nth_value", "nth_value", F_SAME, NULL},
	{"regexp_replace", "__lh_regexp_replace", F_RENAME, "STRING"},
	{"regexp_like", "__lh_regexp_like", F_RENAME, "BOOLEAN"},
	{NULL, NULL, 0, NULL},
};

static const struct fmap *fmap_find(const char *name)
{
	for (size_t i = 0; fmap[i].spark; i++)
		if (strcasecmp(fmap[i].spark, name) == 0)
			return &fmap[i];
	return NULL;
}

/* ---- column types of references in scope ------------------------------------------------------ */

static const char *ref_col_type(const lhs_ref *r, const char *name)
{
	size_t n = r->columns ? json_object_array_length(r->columns) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(r->columns, i);
		if (strcasecmp(clxs_json_str(o, "name", ""), name) == 0)
			return clxs_json_str(o, "type_text", NULL);
	}
	return NULL;
}

static const char *scope_col_type(const lhs_level *lv, const char *qual, const char *name)
{
	for (; lv; lv = lv->up)
		for (size_t i = 0; i < lv->n; i++) {
			const lhs_ref *r = lv->v[i].ref;
			if (!r || (qual && strcasecmp(r->alias, qual) != 0))
				continue;
			const char *ty = ref_col_type(r, name);
			if (ty)
				return ty;
		}
	return NULL;
}

/* A Databricks-style type name for an item [from, to) of t->k, or NULL when
 * only the values can tell. Recognises literals, casts, mapped functions,
 * column references and boolean-valued expressions. */
static const char *infer(lhs_tr *t, size_t from, size_t to, char *buf, size_t bufsz);

static const char *infer_bool_ops(const lhs_toks *k, size_t from, size_t to)
{
	static const char *const bool_kw[] = {"AND", "OR", "NOT", "IS", "IN", "LIKE", "RLIKE",
					      "REGEXP", "BETWEEN", "EXISTS", NULL};
	if (lhs_tok_kw(k, from, "CASE"))
		return NULL;
	for (size_t i = from; i < to; i++) {
		if (lhs_tok_punct(k, i, '(') && k->match[i] != SIZE_MAX) {
			i = k->match[i];
			continue;
		}
		if (k->t[i]->kind == CLXS_TOK_OPERATOR) {
			static const char *const ops[] = {"=", "==", "<>", "!=", "<", ">", "<=", ">=",
							  "<=>", "!", NULL};
			for (size_t j = 0; ops[j]; j++)
				if (lhs_tok_op(k, i, ops[j]))
					return "BOOLEAN";
		}
		if (k->t[i]->kind == CLXS_TOK_IDENT && in_list(bool_kw, k->t[i]->value))
			return "BOOLEAN";
	}
	return NULL;
}

static const char *infer(lhs_tr *t, size_t from, size_t to, char *buf, size_t bufsz)
{
	const lhs_toks *k = t->k;
	if (from >= to)
		return NULL;
	/* a whole item in parentheses */
	if (lhs_tok_punct(k, from, '(') && k->match[from] == to - 1)
		return infer(t, from + 1, to - 1, buf, bufsz);
	const clxs_sql_token *a = k->t[from];
	if (to - from == 1) {
		if (a->kind == CLXS_TOK_STRING)
			return "STRING";
		if (a->kind == CLXS_TOK_NUMBER) {
			const char *s = k->text + a->start;
			char last = (char)toupper((unsigned char)s[a->len - 1]);
			if (last == 'L')
				return "BIGINT";
			if (last == 'D')
				return "DOUBLE";
			if (last == 'F')
				return "FLOAT";
			size_t dot = SIZE_MAX;
			for (size_t i = 0; i < a->len; i++) {
				if (s[i] == 'e' || s[i] == 'E')
					return "DOUBLE";
				if (s[i] == '.')
					dot = i;
			}
			if (dot == SIZE_MAX) {
				char tmp[32];
				snprintf(tmp, sizeof(tmp), "%.*s", (int)(a->len < 31 ? a->len : 31), s);
				long long v = strtoll(tmp, NULL, 10);
				return v > 2147483647LL || a->len > 10 ? "BIGINT" : "INT";
			}
			size_t scale = a->len - dot - 1, prec = a->len - 1;
			if (toupper((unsigned char)s[a->len - 1]) == 'D')
				return "DOUBLE";
			snprintf(buf, bufsz, "DECIMAL(%zu,%zu)", prec < scale ? scale : prec, scale);
			return buf;
		}
		if (a->kind == CLXS_TOK_IDENT && (!strcasecmp(a->value, "TRUE") ||
						  !strcasecmp(a->value, "FALSE")))
			return "BOOLEAN";
		if (a->kind == CLXS_TOK_IDENT && !strcasecmp(a->value, "NULL"))
			return "VOID";
	}
	const char *b = infer_bool_ops(k, from, to);
	if (b)
		return b;
	/* typed literal */
	if (to - from == 2 && a->kind == CLXS_TOK_IDENT && k->t[from + 1]->kind == CLXS_TOK_STRING) {
		if (!strcasecmp(a->value, "DATE"))
			return "DATE";
		if (!strcasecmp(a->value, "TIMESTAMP"))
			return "TIMESTAMP";
	}
	/* column reference: x or q.x */
	const char *id0 = lhs_tok_ident(k, from);
	if (id0 && to - from == 1 && !in_list(passthrough_kw, id0)) {
		const lhs_tref *dummy = NULL;
		(void)dummy;
		return scope_col_type(t->level ? t->level : t->outer, NULL, id0);
	}
	if (id0 && to - from == 3 && lhs_tok_punct(k, from + 1, '.') && lhs_tok_ident(k, from + 2))
		return scope_col_type(t->level ? t->level : t->outer, id0, lhs_tok_ident(k, from + 2));
	/* f(...) OVER (...) / f(...) FILTER (WHERE ...): the function's type */
	if (a->kind == CLXS_TOK_IDENT && lhs_tok_punct(k, from + 1, '(') &&
	    k->match[from + 1] + 1 < to &&
	    (lhs_tok_kw(k, k->match[from + 1] + 1, "OVER") ||
	     lhs_tok_kw(k, k->match[from + 1] + 1, "FILTER"))) {
		size_t e = k->match[from + 1] + 1;
		if (lhs_tok_punct(k, e + 1, '(') && k->match[e + 1] == to - 1)
			return infer(t, from, e, buf, bufsz);
		if (lhs_tok_kw(k, e, "OVER") && e + 2 == to)
			return infer(t, from, e, buf, bufsz);
	}
	/* function call spanning the item */
	if (a->kind == CLXS_TOK_IDENT && lhs_tok_punct(k, from + 1, '(') &&
	    k->match[from + 1] == to - 1) {
		const struct fmap *f = fmap_find(a->value);
		if (!f)
			return NULL;
		if (f->kind == F_CAST) {
			size_t as = lhs_scan_to(k, from + 2, to - 1, (const char *const[]){"AS", NULL},
						false);
			if (as >= to - 1)
				return NULL;
			clxs_buf tb;
			clxs_buf_init(&tb);
			for (size_t i = as + 1; i < to - 1; i++) {
				const clxs_sql_token *x = k->t[i];
				for (size_t j = 0; j < x->len; j++)
					clxs_buf_putc(&tb, (char)toupper((unsigned char)k->text[x->start + j]));
			}
			snprintf(buf, bufsz, "%s", clxs_buf_str(&tb));
			clxs_buf_free(&tb);
			return buf;
		}
		if (f->type)
			return f->type;
		/* type of the first argument */
		size_t a0 = from + 2, a1 = lhs_scan_to(k, a0, to - 1, NULL, true);
		if (lhs_tok_kw(k, a0, "DISTINCT"))
			a0++;
		const char *at = infer(t, a0, a1, buf, bufsz);
		if (!at)
			return NULL;
		if (!strcasecmp(a->value, "sum")) {
			if (!strncasecmp(at, "DECIMAL", 7)) {
				int p = 10, s = 0;
				sscanf(at, "%*[^(](%d,%d)", &p, &s);
				snprintf(buf, bufsz, "DECIMAL(%d,%d)", p + 10 > 38 ? 38 : p + 10, s);
				return buf;
			}
			if (!strncasecmp(at, "DOUBLE", 6) || !strncasecmp(at, "FLOAT", 5))
				return "DOUBLE";
			if (strstr(at, "INT") || !strcasecmp(at, "LONG") || !strcasecmp(at, "BYTE") ||
			    !strcasecmp(at, "SHORT"))
				return "BIGINT";
			return NULL;
		}
		if (!strcasecmp(a->value, "round") && !strncasecmp(at, "DECIMAL", 7)) {
			/* round(decimal(p,s), d) is decimal(p-s+1+d, d) */
			int p = 10, s = 0, d = 0;
			sscanf(at, "%*[^(](%d,%d)", &p, &s);
			if (a1 + 1 < to - 1) {
				char tmp[16];
				const clxs_sql_token *dt = k->t[a1 + 1];
				snprintf(tmp, sizeof(tmp), "%.*s", (int)(dt->len < 15 ? dt->len : 15),
					 k->text + dt->start);
				d = atoi(tmp);
			}
			if (d > s)
				d = s;
			snprintf(buf, bufsz, "DECIMAL(%d,%d)", p - s + 1 + d, d < 0 ? 0 : d);
			return buf;
		}
		if (!strcasecmp(a->value, "round") || !strcasecmp(a->value, "abs") ||
		    !strcasecmp(a->value, "mod"))
			return strncasecmp(at, "DECIMAL", 7) ? at : NULL;
		return at;
	}
	/* arithmetic: the widest operand type (/ is always DOUBLE) */
	{
		size_t start = from;
		int rank = 0;
		bool arith = false, unknown = false;
		char tmp[64];
		for (size_t i = from; i <= to; i++) {
			if (i < to && lhs_tok_punct(k, i, '(') && k->match[i] != SIZE_MAX) {
				i = k->match[i];
				continue;
			}
			bool op = i < to && (lhs_tok_op(k, i, "+") || lhs_tok_op(k, i, "-") ||
					     lhs_tok_op(k, i, "*") || lhs_tok_op(k, i, "%") ||
					     lhs_tok_op(k, i, "/"));
			if (i < to && lhs_tok_op(k, i, "/"))
				return "DOUBLE";
			if (!op && i < to)
				continue;
			if (op)
				arith = true;
			if (i > start) {
				if (!arith && i == to)
					break;
				const char *ot = infer(t, start, i, tmp, sizeof(tmp));
				int r = !ot ? -1 : !strcasecmp(ot, "INT") || !strcasecmp(ot, "SMALLINT") ||
						  !strcasecmp(ot, "TINYINT") ? 1
					: !strcasecmp(ot, "BIGINT") ? 2 : !strcasecmp(ot, "DOUBLE") ||
						  !strcasecmp(ot, "FLOAT") ? 3 : -1;
				if (r < 0)
					unknown = true;
				else if (r > rank)
					rank = r;
			}
			start = i + 1;
		}
		if (arith && !unknown && rank)
			return rank == 1 ? "INT" : rank == 2 ? "BIGINT" : "DOUBLE";
		if (arith)
			return NULL;
	}
	/* CASE ... THEN x ...: the first THEN's type */
	if (lhs_tok_kw(k, from, "CASE")) {
		static const char *const stop[] = {"WHEN", "ELSE", "END", NULL};
		size_t th = lhs_scan_to(k, from + 1, to, (const char *const[]){"THEN", NULL}, false);
		if (th < to) {
			size_t e = lhs_scan_to(k, th + 1, to, stop, false);
			return infer(t, th + 1, e, buf, bufsz);
		}
	}
	return NULL;
}

const char *lhs_infer_type(lhs_tr *t, size_t from, size_t to, char *buf, size_t bufsz)
{
	lhs_level *saved = t->level;
	if (!t->level)
		t->level = t->outer;
	const char *r = infer(t, from, to, buf, bufsz);
	t->level = saved;
	return r;
}

/* ---- table references -------------------------------------------------------------------- */

static clxs_code ref_new(lhs_ctx *c, const char *alias, json_object *cols, const char *snap,
			 lhs_ref **out)
{
	lhs_ref *r = calloc(1, sizeof(*r));
	lhs_ref **v = realloc(c->refs, (c->nrefs + 1) * sizeof(*v));
	if (!r || !v) {
		free(r);
		if (v)
			c->refs = v;
		json_object_put(cols);
		return lhs_oom(c);
	}
	c->refs = v;
	c->refs[c->nrefs++] = r;
	r->columns = cols;
	if (!(r->alias = strdup(alias)))
		return lhs_oom(c);
	for (char *p = r->alias; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* physical tables read by the snapshot: "d_<id>" as the store writes them */
	for (const char *p = snap; p && (p = strstr(p, "\"d_")) != NULL; p += 3) {
		char *end;
		long long id = strtoll(p + 3, &end, 10);
		if (end == p + 3 || *end != '"')
			continue;
		int64_t *ph = realloc(r->phys, (r->nphys + 1) * sizeof(*ph));
		if (!ph)
			return lhs_oom(c);
		r->phys = ph;
		r->phys[r->nphys++] = id;
	}
	*out = r;
	return CLXS_OK;
}

static bool is_cte(lhs_tr *t, const char *name)
{
	for (size_t i = 0; i < t->nctes; i++)
		if (strcasecmp(t->ctes[i], name) == 0)
			return true;
	return false;
}

static clxs_code add_cte(lhs_tr *t, const char *name)
{
	if (is_cte(t, name))
		return CLXS_OK;
	char **v = realloc(t->ctes, (t->nctes + 1) * sizeof(*v));
	if (!v)
		return lhs_oom(t->c);
	t->ctes = v;
	if (!(t->ctes[t->nctes] = strdup(name)))
		return lhs_oom(t->c);
	t->nctes++;
	return CLXS_OK;
}

/* Translate the stored text of a view (its own catalog/schema as defaults). */
static clxs_code expand_view(lhs_tr *t, const lh_tbl *tb, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	if (c->expand_depth >= LHS_MAX_EXPAND)
		return lh_fail(c->err, CLXS_EINVAL, "RECURSIVE_VIEW",
			       "Recursive view %s detected (or views nested too deeply).", tb->full);
	sqlite3_stmt *st;
	clxs_code rc = lh_stmt(c->lh, c->err, &st, "SELECT view_definition FROM lh_tables WHERE id = ?",
			       "i", tb->id);
	if (rc)
		return rc;
	char *def = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		def = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!def)
		return lh_fail(c->err, CLXS_EINVAL, "INVALID_VIEW_TEXT", "View %s has no definition.",
			       tb->full);
	lhs_toks vk;
	rc = lhs_toks_init(c, &vk, def, c->err);
	if (rc) {
		free(def);
		return rc;
	}
	lhs_tr vt;
	lhs_tr_init(&vt, c, &vk);
	vt.def_catalog = tb->catalog;
	vt.def_schema = tb->schema;
	vt.no_params = true;
	/* the view's own column names (CREATE VIEW v (a, b) AS ...) by position */
	lh_cols vc = {0};
	if ((rc = lh_cols_load(c->lh, tb->id, &vc, c->err))) {
		lhs_toks_free(&vk);
		free(def);
		return rc;
	}
	c->expand_depth++;
	clxs_buf_puts(out, "(WITH \"__lh_view\"(");
	for (size_t i = 0; i < vc.n; i++) {
		if (i)
			clxs_buf_putc(out, ',');
		lhs_sqlite_ident(out, vc.v[i].name);
	}
	clxs_buf_puts(out, ") AS (");
	rc = lhs_tr_range(&vt, 0, vk.n - 1, out);
	clxs_buf_puts(out, ") SELECT * FROM \"__lh_view\")");
	c->expand_depth--;
	lh_cols_free(&vc);
	lhs_tr_free(&vt);
	lhs_toks_free(&vk);
	free(def);
	return rc;
}

static clxs_code resolve_table(lhs_tr *t, const lhs_qname *q, const clxs_lh_at *at, bool has_at,
			       const char *alias, clxs_buf *out, lhs_ref **refp)
{
	lhs_ctx *c = t->c;
	*refp = NULL;
	if (q->n == 1 && is_cte(t, q->part[0])) {
		if (has_at)
			return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				       "Time travel is only supported on Delta tables, not on `%s`.",
				       q->part[0]);
		lhs_sqlite_ident(out, q->part[0]);
		clxs_buf_puts(out, " AS ");
		lhs_sqlite_ident(out, alias);
		return ref_new(c, alias, NULL, NULL, refp);
	}
	json_object *cols = NULL;
	int is = lhs_infoschema(c, q, out, &cols);
	if (is == 0)
		is = lhs_systables(c, q, out, &cols);
	if (is < 0)
		return c->err->code ? c->err->code : CLXS_EINTERNAL;
	if (is > 0) {
		if (has_at) {
			json_object_put(cols);
			return lhs_unsupported(c, "Time travel on information_schema");
		}
		clxs_buf_puts(out, " AS ");
		lhs_sqlite_ident(out, alias);
		return ref_new(c, alias, cols, NULL, refp);
	}
	lhs_name nm;
	clxs_code rc = lhs_resolve3(c, q, t->def_catalog, t->def_schema, &nm);
	if (rc)
		return rc;
	lh_tbl tb;
	if ((rc = lh_tbl_resolve(c->lh, &nm.n, &tb, NULL, c->err)))
		return rc;
	if (tb.is_view) {
		if (has_at)
			return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				       "Time travel is only supported on Delta tables; %s is a view.",
				       tb.full);
		lh_cols vc = {0};
		if ((rc = lh_cols_load(c->lh, tb.id, &vc, c->err)))
			return rc;
		cols = lh_cols_json(&vc);
		lh_cols_free(&vc);
		if ((rc = expand_view(t, &tb, out))) {
			json_object_put(cols);
			return rc;
		}
		clxs_buf_puts(out, " AS ");
		lhs_sqlite_ident(out, alias);
		return ref_new(c, alias, cols, NULL, refp);
	}
	char *snap = NULL;
	if ((rc = clxs_lh_table_snapshot_sql(c->lh, &nm.n, has_at ? at : NULL, &snap, &cols, c->err)))
		return rc;
	char *wrapped = NULL;
	if ((rc = lhs_gov_wrap_table(t, &tb, snap, cols, &wrapped))) {
		free(snap);
		json_object_put(cols);
		return rc;
	}
	clxs_buf_puts(out, wrapped ? wrapped : snap);
	clxs_buf_puts(out, " AS ");
	lhs_sqlite_ident(out, alias);
	rc = ref_new(c, alias, cols, snap, refp);
	free(wrapped);
	free(snap);
	return rc;
}

/* One table reference at *i: a name with optional time travel and alias, or
 * a parenthesised subquery with optional alias. */
static clxs_code table_ref(lhs_tr *t, size_t *i, size_t to, clxs_buf *out, lhs_ref **refp)
{
	lhs_ctx *c = t->c;
	const lhs_toks *k = t->k;
	*refp = NULL;
	size_t j = *i;
	clxs_code rc;
	if (t->no_tables)
		return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			       "Subqueries are not supported in this expression.");
	if (lhs_tok_punct(k, j, '(')) {
		size_t m = k->match[j];
		clxs_buf_putc(out, '(');
		if ((rc = lhs_tr_range(t, j + 1, m, out)))
			return rc;
		clxs_buf_putc(out, ')');
		j = m + 1;
		if (lhs_tok_kw(k, j, "AS"))
			j++;
		const char *al = lhs_tok_ident(k, j);
		if (al && !(k->t[j]->kind == CLXS_TOK_IDENT && in_list(not_alias_kw, al)) && j < to) {
			clxs_buf_puts(out, " AS ");
			lhs_sqlite_ident(out, al);
			j++;
			if (lhs_tok_punct(k, j, '('))
				return lhs_unsupported(c, "A column alias list on a subquery alias");
		}
		*i = j;
		return CLXS_OK;
	}
	if (lhs_tok_kw(k, j, "LATERAL") || lhs_tok_kw(k, j, "VALUES"))
		return lhs_unsupported(c, lhs_tok_kw(k, j, "LATERAL") ? "LATERAL" : "An inline VALUES table");
	if (lhs_tok_ident(k, j) && lhs_tok_punct(k, j + 1, '('))
		return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			       "Table-valued function `%s` is not supported by the embedded lakehouse.",
			       lhs_tok_ident(k, j));
	/* the name */
	lhs_qname q;
	memset(&q, 0, sizeof(q));
	for (;;) {
		const char *v = lhs_tok_ident(k, j);
		if (!v || !*v || j >= to) {
			lhs_qname_free(&q);
			return lhs_syntax_at(c, k, j);
		}
		if (q.n == 3) {
			lhs_qname_free(&q);
			return lh_fail(c->err, CLXS_EINVAL, "INVALID_SCHEMA_OR_RELATION_NAME",
				       "Table name `%s` has more than three parts.", v);
		}
		if (!(q.part[q.n++] = strdup(v))) {
			lhs_qname_free(&q);
			return lhs_oom(c);
		}
		j++;
		if (!lhs_tok_punct(k, j, '.'))
			break;
		j++;
	}
	clxs_lh_at at;
	bool has_at = false;
	if ((rc = lhs_at_clause(c, k, &j, &at, &has_at))) {
		lhs_qname_free(&q);
		return rc;
	}
	const char *alias = q.part[q.n - 1];
	if (lhs_tok_kw(k, j, "AS") && lhs_tok_ident(k, j + 1))
		j++;
	const char *al = lhs_tok_ident(k, j);
	if (al && j < to && !(k->t[j]->kind == CLXS_TOK_IDENT && in_list(not_alias_kw, al))) {
		alias = al;
		j++;
		if (lhs_tok_punct(k, j, '(')) {
			lhs_qname_free(&q);
			return lhs_unsupported(c, "A column alias list on a table alias");
		}
	}
	rc = resolve_table(t, &q, &at, has_at, alias, out, refp);
	lhs_qname_free(&q);
	*i = j;
	return rc;
}

clxs_code lhs_tr_table_ref(lhs_tr *t, size_t *i, size_t to, clxs_buf *out, lhs_ref **ref)
{
	return table_ref(t, i, to, out, ref);
}

static clxs_code level_add(lhs_ctx *c, lhs_level *lv, size_t start, size_t end, clxs_buf *text,
			   lhs_ref *ref)
{
	lhs_tref *v = realloc(lv->v, (lv->n + 1) * sizeof(*v));
	if (!v) {
		clxs_buf_free(text);
		return lhs_oom(c);
	}
	lv->v = v;
	char *s = clxs_buf_detach(text);
	if (!s)
		return lhs_oom(c);
	lv->v[lv->n++] = (lhs_tref){start, end, s, ref};
	return CLXS_OK;
}

/* CTE names declared by a WITH at position i of this level. */
static clxs_code collect_ctes(lhs_tr *t, size_t i, size_t to)
{
	const lhs_toks *k = t->k;
	i++;
	if (lhs_tok_kw(k, i, "RECURSIVE"))
		i++;
	while (i < to) {
		const char *name = lhs_tok_ident(k, i);
		if (!name)
			return lhs_syntax_at(t->c, k, i);
		clxs_code rc = add_cte(t, name);
		if (rc)
			return rc;
		i++;
		if (lhs_tok_punct(k, i, '('))
			i = k->match[i] + 1;
		if (!lhs_tok_kw(k, i, "AS") || !lhs_tok_punct(k, i + 1, '('))
			return lhs_syntax_at(t->c, k, i);
		i = k->match[i + 1] + 1;
		if (!lhs_tok_punct(k, i, ','))
			break;
		i++;
	}
	return CLXS_OK;
}

/* Pre-scan a query level: translate its FROM-clause references. */
static clxs_code prescan(lhs_tr *t, size_t from, size_t to, lhs_level *lv)
{
	const lhs_toks *k = t->k;
	bool in_from = false;
	clxs_code rc;
	for (size_t i = from; i < to;) {
		if (lhs_tok_punct(k, i, '(')) {
			i = k->match[i] + 1;
			continue;
		}
		if (lhs_tok_kw(k, i, "WITH") && (rc = collect_ctes(t, i, to)))
			return rc;
		bool ref_next = false;
		if (lhs_tok_kw(k, i, "FROM")) {
			in_from = true;
			ref_next = true;
		} else if (lhs_tok_kw(k, i, "JOIN")) {
			ref_next = true;
		} else if (in_from && lhs_tok_punct(k, i, ',')) {
			ref_next = true;
		} else if (k->t[i]->kind == CLXS_TOK_IDENT && in_list(end_from_kw, k->t[i]->value)) {
			in_from = false;
		}
		i++;
		if (!ref_next)
			continue;
		clxs_buf b;
		clxs_buf_init(&b);
		lhs_ref *ref = NULL;
		size_t start = i;
		/* the level being filled is visible to subqueries in FROM */
		if ((rc = table_ref(t, &i, to, &b, &ref))) {
			clxs_buf_free(&b);
			return rc;
		}
		if (clxs_buf_failed(&b)) {
			clxs_buf_free(&b);
			return lhs_oom(t->c);
		}
		if ((rc = level_add(t->c, lv, start, i, &b, ref)))
			return rc;
	}
	return CLXS_OK;
}

/* ---- expressions --------------------------------------------------------------------- */

static clxs_code emit_param(lhs_tr *t, size_t i, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	const clxs_sql_token *tk = t->k->t[i];
	if (!tk->value || !*tk->value)
		return lhs_unsupported(c, "A positional parameter marker (?)");
	if (t->no_params)
		return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			       "Parameter markers are not allowed in a stored definition (view, function, constraint).");
	for (size_t j = 0; j < c->nparams; j++)
		if (strcasecmp(c->params[j].name, tk->value) == 0) {
			sp(out);
			clxs_buf_appendf(out, "__lh_param(%zu)", j);
			return CLXS_OK;
		}
	return lh_fail(c->err, CLXS_EINVAL, "UNBOUND_SQL_PARAMETER",
		       "Found the unbound parameter: %s. Please, fix `args` and provide a mapping of the parameter to either a SQL literal or collection constructor functions.",
		       tk->value);
}

static clxs_code emit_string(lhs_tr *t, size_t *i, size_t to, clxs_buf *out)
{
	const lhs_toks *k = t->k;
	sp(out);
	clxs_buf_putc(out, '\'');
	for (; *i < to && k->t[*i]->kind == CLXS_TOK_STRING; (*i)++) {
		const clxs_sql_token *tk = k->t[*i];
		if (memchr(tk->value, '\0', tk->value_len))
			return lh_fail(t->c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				       "String literals with NUL characters are not supported.");
		for (size_t j = 0; j < tk->value_len; j++) {
			if (tk->value[j] == '\'')
				clxs_buf_putc(out, '\'');
			clxs_buf_putc(out, tk->value[j]);
		}
	}
	clxs_buf_putc(out, '\'');
	return CLXS_OK;
}

static clxs_code emit_number(lhs_tr *t, size_t i, clxs_buf *out)
{
	const clxs_sql_token *tk = t->k->t[i];
	const char *s = t->k->text + tk->start;
	size_t n = tk->len;
	if (n >= 2 && strncasecmp(s + n - 2, "BD", 2) == 0)
		n -= 2;
	else if (n && strchr("LlSsYyDdFf", s[n - 1]))
		n--;
	sp(out);
	clxs_buf_append(out, s, n);
	return CLXS_OK;
}

static clxs_code emit_operator(lhs_tr *t, size_t i, clxs_buf *out)
{
	const lhs_toks *k = t->k;
	sp(out);
	if (lhs_tok_op(k, i, "=="))
		clxs_buf_puts(out, "=");
	else if (lhs_tok_op(k, i, "<=>"))
		clxs_buf_puts(out, "IS");
	else if (lhs_tok_op(k, i, "!"))
		clxs_buf_puts(out, "NOT");
	else if (lhs_tok_op(k, i, "/"))
		/* Spark's / is always fractional; SQLite divides integers. */
		clxs_buf_puts(out, "* 1.0 /");
	else {
		static const char *const ok[] = {"=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*",
						 "%", "||", "&", "|", "~", NULL};
		for (size_t j = 0; ok[j]; j++)
			if (lhs_tok_op(k, i, ok[j])) {
				clxs_buf_puts(out, ok[j]);
				return CLXS_OK;
			}
		const clxs_sql_token *tk = k->t[i];
		return lh_fail(t->c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			       "The operator '%.*s' is not supported by the embedded lakehouse (line %u, pos %u).",
			       (int)tk->len, k->text + tk->start, tk->line, tk->col - 1);
	}
	return CLXS_OK;
}

/* Translate [from, to) into its own buffer (a function argument). */
static clxs_code tr_sub(lhs_tr *t, size_t from, size_t to, char **out)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = lhs_tr_range(t, from, to, &b);
	if (rc) {
		clxs_buf_free(&b);
		return rc;
	}
	if (!(*out = clxs_buf_detach(&b)))
		return lhs_oom(t->c);
	return CLXS_OK;
}

clxs_code lhs_cast_sql(lhs_ctx *c, const char *type_text, const char *expr, clxs_buf *out)
{
	(void)c;
	clxs_buf_puts(out, "__lh_cast((");
	clxs_buf_puts(out, expr);
	clxs_buf_puts(out, "), ");
	lhs_sqlite_literal(out, type_text, strlen(type_text));
	clxs_buf_puts(out, ")");
	return CLXS_OK;
}

/* CAST(expr AS type) / TRY_CAST(...): i at the name, paren at i+1. */
static clxs_code emit_cast(lhs_tr *t, size_t i, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	const lhs_toks *k = t->k;
	size_t open = i + 1, close = k->match[open];
	size_t as = lhs_scan_to(k, open + 1, close, (const char *const[]){"AS", NULL}, false);
	if (as >= close)
		return lhs_syntax_at(c, k, close);
	/* parse the type with the statement cursor pointed at this text */
	lhs_toks saved = c->k;
	size_t saved_p = c->p;
	c->k = *k;
	c->p = as + 1;
	char *type = NULL;
	clxs_code rc = lhs_type(c, &type);
	bool end_ok = c->p == close;
	c->k = saved;
	c->p = saved_p;
	if (rc)
		return rc;
	if (!end_ok) {
		free(type);
		return lhs_syntax_at(c, k, close);
	}
	char srcbuf[64];
	const char *src = infer(t, open + 1, as, srcbuf, sizeof(srcbuf));
	char *expr = NULL;
	if ((rc = tr_sub(t, open + 1, as, &expr))) {
		free(type);
		return rc;
	}
	sp(out);
	clxs_buf_puts(out, lhs_tok_kw(k, i, "TRY_CAST") ? "__lh_try_cast((" : "__lh_cast((");
	clxs_buf_puts(out, expr);
	clxs_buf_puts(out, "), ");
	lhs_sqlite_literal(out, type, strlen(type));
	if (src) {
		clxs_buf_puts(out, ", ");
		lhs_sqlite_literal(out, src, strlen(src));
	}
	clxs_buf_puts(out, ")");
	free(expr);
	free(type);
	return CLXS_OK;
}

/* Spark hashes each value by its type: the codes tell __lh_hash how. */
static char type_code(const char *ty)
{
	if (!ty)
		return '?';
	if (!strncasecmp(ty, "BIGINT", 6) || !strcasecmp(ty, "LONG"))
		return 'L';
	if (!strncasecmp(ty, "INT", 3) || !strcasecmp(ty, "SMALLINT") || !strcasecmp(ty, "SHORT") ||
	    !strcasecmp(ty, "TINYINT") || !strcasecmp(ty, "BYTE"))
		return 'I';
	if (!strncasecmp(ty, "BOOL", 4))
		return 'B';
	if (!strcasecmp(ty, "DOUBLE"))
		return 'D';
	if (!strcasecmp(ty, "FLOAT") || !strcasecmp(ty, "REAL"))
		return 'F';
	if (!strcasecmp(ty, "DATE"))
		return 'T';
	if (!strncasecmp(ty, "TIMESTAMP", 9))
		return 'P';
	if (!strncasecmp(ty, "STRING", 6) || !strncasecmp(ty, "VARCHAR", 7) ||
	    !strncasecmp(ty, "CHAR", 4))
		return 'S';
	if (!strcasecmp(ty, "VOID"))
		return 'N';
	return '?';
}

static clxs_code emit_hash(lhs_tr *t, size_t i, const struct fmap *f, clxs_buf *out)
{
	const lhs_toks *k = t->k;
	size_t open = i + 1, close = k->match[open];
	if (close == open + 1)
		return lh_fail(t->c->err, CLXS_EINVAL, "WRONG_NUM_ARGS",
			       "The `%s` requires at least 1 parameters but the actual number is 0.",
			       f->spark);
	clxs_buf codes, args;
	clxs_buf_init(&codes);
	clxs_buf_init(&args);
	clxs_code rc = CLXS_OK;
	for (size_t a = open + 1; a < close && !rc;) {
		size_t e = lhs_scan_to(k, a, close, NULL, true);
		char tb[64];
		clxs_buf_putc(&codes, type_code(infer(t, a, e, tb, sizeof(tb))));
		char *x = NULL;
		if (!(rc = tr_sub(t, a, e, &x))) {
			clxs_buf_puts(&args, ", (");
			clxs_buf_puts(&args, x);
			clxs_buf_puts(&args, ")");
			free(x);
		}
		a = e + 1;
	}
	if (!rc) {
		sp(out);
		clxs_buf_puts(out, f->sqlite);
		clxs_buf_puts(out, "(");
		lhs_sqlite_literal(out, clxs_buf_str(&codes), codes.len);
		clxs_buf_puts(out, clxs_buf_str(&args));
		clxs_buf_puts(out, ")");
	}
	clxs_buf_free(&codes);
	clxs_buf_free(&args);
	return rc;
}

static clxs_code emit_function(lhs_tr *t, size_t i, size_t nparts, clxs_buf *out, size_t *next)
{
	lhs_ctx *c = t->c;
	const lhs_toks *k = t->k;
	size_t name_at = i + 2 * (nparts - 1), open = name_at + 1, close = k->match[open];
	*next = close + 1;
	const char *name = lhs_tok_ident(k, name_at);
	const struct fmap *f = nparts == 1 && k->t[name_at]->kind == CLXS_TOK_IDENT
		? fmap_find(name) : NULL;
	if (!f) {
		lhs_qname q;
		memset(&q, 0, sizeof(q));
		q.n = (int)nparts;
		for (size_t p = 0; p < nparts; p++)
			if (!(q.part[p] = strdup(lhs_tok_ident(k, i + 2 * p)))) {
				lhs_qname_free(&q);
				return lhs_oom(c);
			}
		int r = lhs_udf_expand(t, &q, open, close, out);
		lhs_qname_free(&q);
		if (r < 0)
			return c->err->code ? c->err->code : CLXS_EINTERNAL;
		if (r > 0)
			return CLXS_OK;
		return lh_fail(c->err, CLXS_EINVAL, "UNRESOLVED_ROUTINE",
			       "Cannot resolve routine `%s` on search path [`system`.`builtin`, `system`.`session`, `%s`.`%s`].",
			       name, c->catalog ? c->catalog : "", c->schema ? c->schema : "default");
	}
	switch (f->kind) {
	case F_CAST:
		return emit_cast(t, i, out);
	case F_HASH:
		return emit_hash(t, i, f, out);
	case F_APPROX: {
		char *x = NULL;
		clxs_code rc = tr_sub(t, open + 1, close, &x);
		if (rc)
			return rc;
		sp(out);
		clxs_buf_puts(out, "count(DISTINCT ");
		clxs_buf_puts(out, x);
		clxs_buf_puts(out, ")");
		free(x);
		return CLXS_OK;
	}
	default:
		break;
	}
	sp(out);
	clxs_buf_puts(out, f->sqlite);
	clxs_buf_putc(out, '(');
	clxs_code rc = lhs_tr_range(t, open + 1, close, out);
	clxs_buf_putc(out, ')');
	return rc;
}

/* An identifier chain a.b.c (not a function call): a column reference. */
static clxs_code emit_column(lhs_tr *t, size_t i, size_t nparts, bool star, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	const lhs_toks *k = t->k;
	const char *qual = nparts >= 2 ? lhs_tok_ident(k, i + 2 * (nparts - 2)) : NULL;
	const char *name = star ? NULL : lhs_tok_ident(k, i + 2 * (nparts - 1));
	/* SQL UDF parameters */
	if (nparts == 1 && !star) {
		for (size_t p = 0; p < t->nfparams; p++)
			if (strcasecmp(t->fparams[p], name) == 0) {
				sp(out);
				clxs_buf_putc(out, '(');
				clxs_buf_puts(out, t->fargs[p]);
				clxs_buf_putc(out, ')');
				return CLXS_OK;
			}
	}
	if (t->colres && !star && nparts <= 2) {
		clxs_buf tmp;
		clxs_buf_init(&tmp);
		int r = t->colres(t->colres_arg, c, qual, name, &tmp);
		if (r < 0) {
			clxs_buf_free(&tmp);
			return c->err->code ? c->err->code : CLXS_EINVAL;
		}
		if (r > 0) {
			sp(out);
			clxs_buf_puts(out, clxs_buf_str(&tmp));
			clxs_buf_free(&tmp);
			return CLXS_OK;
		}
		clxs_buf_free(&tmp);
	}
	sp(out);
	size_t total = star ? nparts - 1 : nparts;
	/* Only the last two parts mean anything to SQLite (alias.column). */
	size_t first = total > 2 ? total - 2 : 0;
	for (size_t p = first; p < total; p++) {
		if (p > first)
			clxs_buf_putc(out, '.');
		lhs_sqlite_ident(out, lhs_tok_ident(k, i + 2 * p));
	}
	if (star)
		clxs_buf_puts(out, total ? ".*" : "*");
	return CLXS_OK;
}

/* WITH [RECURSIVE] name [(cols)] AS (query), ... at i; returns past the list. */
static clxs_code emit_with(lhs_tr *t, size_t *ip, size_t to, clxs_buf *out)
{
	const lhs_toks *k = t->k;
	size_t i = *ip + 1;
	sp(out);
	clxs_buf_puts(out, "WITH");
	if (lhs_tok_kw(k, i, "RECURSIVE")) {
		clxs_buf_puts(out, " RECURSIVE");
		i++;
	}
	clxs_code rc;
	for (bool first = true; i < to; first = false) {
		const char *name = lhs_tok_ident(k, i);
		if (!name)
			return lhs_syntax_at(t->c, k, i);
		if ((rc = add_cte(t, name)))
			return rc;
		clxs_buf_puts(out, first ? " " : ", ");
		lhs_sqlite_ident(out, name);
		i++;
		if (lhs_tok_punct(k, i, '(')) {
			size_t m = k->match[i];
			clxs_buf_putc(out, '(');
			for (size_t j = i + 1; j < m; j++) {
				const char *cn = lhs_tok_ident(k, j);
				if (cn) {
					lhs_sqlite_ident(out, cn);
				} else if (lhs_tok_punct(k, j, ',')) {
					clxs_buf_putc(out, ',');
				} else
					return lhs_syntax_at(t->c, k, j);
			}
			clxs_buf_putc(out, ')');
			i = m + 1;
		}
		if (!lhs_tok_kw(k, i, "AS") || !lhs_tok_punct(k, i + 1, '('))
			return lhs_syntax_at(t->c, k, i);
		size_t m = k->match[i + 1];
		clxs_buf_puts(out, " AS (");
		if ((rc = lhs_tr_range(t, i + 2, m, out)))
			return rc;
		clxs_buf_putc(out, ')');
		i = m + 1;
		if (!lhs_tok_punct(k, i, ','))
			break;
		i++;
	}
	*ip = i;
	return CLXS_OK;
}

static clxs_code emit_ident(lhs_tr *t, size_t *ip, size_t to, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	const lhs_toks *k = t->k;
	size_t i = *ip;
	const clxs_sql_token *tk = k->t[i];
	bool bare = tk->kind == CLXS_TOK_IDENT;
	const char *v = tk->value;
	/* an identifier chain: a.b.c, a.*, a.b(...) */
	size_t nparts = 1;
	bool star = false;
	while (lhs_tok_punct(k, i + 2 * nparts - 1, '.')) {
		size_t nx = i + 2 * nparts;
		if (lhs_tok_ident(k, nx)) {
			nparts++;
			continue;
		}
		if (lhs_tok_op(k, nx, "*")) {
			star = true;
			nparts++;
		}
		break;
	}
	size_t last = i + 2 * (nparts - 1);
	if (!star && lhs_tok_punct(k, last + 1, '(')) {
		if (bare && nparts == 1 && !fmap_find(v)) {
			if (!strcasecmp(v, "WITH") || in_list(passthrough_kw, v)) {
				/* IN (...), EXISTS (...), VALUES (...), OVER (...) */
				if (!strcasecmp(v, "WITH")) {
					return emit_with(t, ip, to, out);
				}
				sp(out);
				for (const char *p = v; *p; p++)
					clxs_buf_putc(out, (char)toupper((unsigned char)*p));
				*ip = i + 1;
				return CLXS_OK;
			}
		}
		return emit_function(t, i, nparts, out, ip);
	}
	if (bare && nparts == 1) {
		char up[64];
		snprintf(up, sizeof(up), "%s", v);
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (!strcmp(up, "WITH"))
			return emit_with(t, ip, to, out);
		const struct fmap *f = fmap_find(v);
		if (f && f->kind == F_NOARG) {
			sp(out);
			clxs_buf_puts(out, f->sqlite);
			clxs_buf_puts(out, "()");
			*ip = i + 1;
			return CLXS_OK;
		}
		if (in_list(unsupported_kw, up))
			return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				       "%s is not supported by the embedded lakehouse (line %u, pos %u).",
				       up, tk->line, tk->col - 1);
		if (!strcmp(up, "MINUS")) {
			sp(out);
			clxs_buf_puts(out, "EXCEPT");
			*ip = i + 1;
			return CLXS_OK;
		}
		if (!strcmp(up, "RLIKE") || !strcmp(up, "REGEXP")) {
			sp(out);
			clxs_buf_puts(out, "REGEXP");
			*ip = i + 1;
			return CLXS_OK;
		}
		if (!strcmp(up, "IS") && lhs_tok_kw(k, i + 1, "DISTINCT") && lhs_tok_kw(k, i + 2, "FROM")) {
			sp(out);
			clxs_buf_puts(out, "IS NOT");
			*ip = i + 3;
			return CLXS_OK;
		}
		if (!strcmp(up, "IS") && lhs_tok_kw(k, i + 1, "NOT") && lhs_tok_kw(k, i + 2, "DISTINCT") &&
		    lhs_tok_kw(k, i + 3, "FROM")) {
			sp(out);
			clxs_buf_puts(out, "IS");
			*ip = i + 4;
			return CLXS_OK;
		}
		if ((!strcmp(up, "DATE") || !strcmp(up, "TIMESTAMP") || !strcmp(up, "TIMESTAMP_NTZ")) &&
		    i + 1 < to && k->t[i + 1]->kind == CLXS_TOK_STRING) {
			*ip = i + 1;
			char *s = NULL;
			size_t j = i + 1;
			clxs_buf tmp;
			clxs_buf_init(&tmp);
			clxs_code rc = emit_string(t, &j, to, &tmp);
			if (!rc) {
				s = clxs_buf_detach(&tmp);
				if (!s)
					return lhs_oom(c);
				sp(out);
				clxs_buf_puts(out, "__lh_cast(");
				clxs_buf_puts(out, s);
				clxs_buf_puts(out, !strcmp(up, "DATE") ? ", 'DATE')" : ", 'TIMESTAMP')");
				free(s);
				*ip = j;
			} else
				clxs_buf_free(&tmp);
			return rc;
		}
		if (!strcmp(up, "X") && i + 1 < to && k->t[i + 1]->kind == CLXS_TOK_STRING) {
			const clxs_sql_token *st = k->t[i + 1];
			if (st->value_len % 2 || strspn(st->value, "0123456789abcdefABCDEF") != st->value_len)
				return lhs_syntax_at(c, k, i + 1);
			sp(out);
			clxs_buf_puts(out, "X'");
			clxs_buf_append(out, st->value, st->value_len);
			clxs_buf_putc(out, '\'');
			*ip = i + 2;
			return CLXS_OK;
		}
		if (in_list(passthrough_kw, up)) {
			sp(out);
			clxs_buf_puts(out, up);
			*ip = i + 1;
			return CLXS_OK;
		}
	}
	*ip = i + 2 * nparts - 1;
	return emit_column(t, i, nparts, star, out);
}

clxs_code lhs_tr_range(lhs_tr *t, size_t from, size_t to, clxs_buf *out)
{
	lhs_ctx *c = t->c;
	const lhs_toks *k = t->k;
	if (++t->depth > LHS_MAX_DEPTH) {
		t->depth--;
		return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
			       "The statement is nested too deeply (over %d levels).", LHS_MAX_DEPTH);
	}
	lhs_level *lv = calloc(1, sizeof(*lv));
	if (!lv) {
		t->depth--;
		return lhs_oom(c);
	}
	lv->up = t->level;
	clxs_code rc = CLXS_OK;
	bool query = from < to && (lhs_tok_kw(k, from, "SELECT") || lhs_tok_kw(k, from, "WITH"));
	if (query)
		rc = prescan(t, from, to, lv);
	lhs_level *saved = t->level;
	t->level = lv;
	if (!t->outer && query) {
		t->outer = lv;
		lv->owned_by_tr = true;
	}
	size_t ti = 0;
	for (size_t i = from; i < to && !rc;) {
		if (ti < lv->n && lv->v[ti].start == i) {
			sp(out);
			clxs_buf_puts(out, lv->v[ti].text);
			i = lv->v[ti].end;
			ti++;
			continue;
		}
		if (c->opts && c->opts->cancel && *c->opts->cancel) {
			rc = clxs_fail(c->err, CLXS_ECANCELLED, "CANCELLED", "The statement was cancelled.");
			break;
		}
		const clxs_sql_token *tk = k->t[i];
		switch (tk->kind) {
		case CLXS_TOK_PUNCT: {
			char ch = k->text[tk->start];
			if (ch == '(') {
				size_t m = k->match[i];
				sp(out);
				clxs_buf_putc(out, '(');
				rc = lhs_tr_range(t, i + 1, m, out);
				clxs_buf_putc(out, ')');
				i = m + 1;
			} else if (ch == ',') {
				clxs_buf_puts(out, ",");
				i++;
			} else if (ch == '.') {
				rc = lhs_syntax_at(c, k, i);
			} else if (ch == ';') {
				rc = lhs_syntax_at(c, k, i);
			} else
				rc = lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
					     "'%c' (arrays, maps, structs) is not supported by the embedded lakehouse (line %u, pos %u).",
					     ch, tk->line, tk->col - 1);
			break;
		}
		case CLXS_TOK_STRING:
			rc = emit_string(t, &i, to, out);
			break;
		case CLXS_TOK_NUMBER:
			rc = emit_number(t, i, out);
			i++;
			break;
		case CLXS_TOK_PARAM:
			rc = emit_param(t, i, out);
			i++;
			break;
		case CLXS_TOK_OPERATOR:
			if (lhs_tok_op(k, i, "*")) {
				sp(out);
				clxs_buf_putc(out, '*');
			} else
				rc = emit_operator(t, i, out);
			i++;
			break;
		case CLXS_TOK_IDENT:
		case CLXS_TOK_QUOTED_IDENT:
			if (!tk->value[0])
				rc = lh_fail(c->err, CLXS_EINVAL, "PARSE_EMPTY_STATEMENT",
					     "Empty identifiers (``) are not allowed (line %u, pos %u).",
					     tk->line, tk->col - 1);
			else
				rc = emit_ident(t, &i, to, out);
			break;
		default:
			rc = lhs_syntax_at(c, k, i);
			break;
		}
	}
	if (!rc && clxs_buf_failed(out))
		rc = lhs_oom(c);
	t->level = saved;
	if (!lv->owned_by_tr) {
		level_free(lv);
		free(lv);
	}
	t->depth--;
	return rc;
}

clxs_code lhs_translate_query(lhs_ctx *c, size_t from, size_t to, char **out)
{
	lhs_tr t;
	lhs_tr_init(&t, c, &c->k);
	char *s = NULL;
	clxs_code rc = tr_sub(&t, from, to, &s);
	lhs_tr_free(&t);
	if (!rc)
		*out = s;
	return rc;
}

clxs_code lhs_translate_expr(lhs_ctx *c, const lhs_toks *k, size_t from, size_t to,
			     lhs_colres_fn colres, void *arg, bool stored, char **out)
{
	lhs_tr t;
	lhs_tr_init(&t, c, k);
	t.colres = colres;
	t.colres_arg = arg;
	t.no_params = stored;
	t.no_tables = stored;
	if (from >= to) {
		lhs_tr_free(&t);
		return lhs_syntax_at(c, k, from);
	}
	char *s = NULL;
	clxs_code rc = tr_sub(&t, from, to, &s);
	lhs_tr_free(&t);
	if (!rc)
		*out = s;
	return rc;
}
