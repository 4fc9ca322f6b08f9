/* clxs_lh_sql_exec(): one Databricks SQL statement against the lakehouse.
 *
 * The statement is tokenized once; its first words pick the statement
 * family (query, DDL, DML, utility, governance). Every statement runs in
 * one SQLite transaction opened here: the storage core's own transactions
 * nest inside it as savepoints, so a statement made of several storage
 * calls (MERGE, CREATE TABLE + grants ...) is still all or nothing.
 *
 * Queries are translated to SQLite (sql_select.c) and their rows returned
 * as strings, the Statement Execution API's JSON_ARRAY format, with the
 * manifest's column types worked out from the translation (casts, function
 * result types, column references), the columns the rows came from, and
 * failing those the values themselves. */
#include "sql_internal.h"

#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/lakehouse_gov.h"
#include "clxs/util.h"

/* ---- types ------------------------------------------------------------------------------ */

static const struct {
	const char *in, *canon, *name;
} types[] = {
	{"BIGINT", "bigint", "LONG"},    {"LONG", "bigint", "LONG"},
	{"INTEGER", "int", "INT"},       {"INT", "int", "INT"},
	{"SMALLINT", "smallint", "SHORT"}, {"SHORT", "smallint", "SHORT"},
	{"TINYINT", "tinyint", "BYTE"},  {"BYTE", "tinyint", "BYTE"},
	{"BOOLEAN", "boolean", "BOOLEAN"}, {"BOOL", "boolean", "BOOLEAN"},
	{"DOUBLE", "double", "DOUBLE"},  {"FLOAT", "float", "FLOAT"},
	{"REAL", "float", "FLOAT"},      {"DECIMAL", "decimal", "DECIMAL"},
	{"DEC", "decimal", "DECIMAL"},   {"NUMERIC", "decimal", "DECIMAL"},
	{"TIMESTAMP_NTZ", "timestamp_ntz", "TIMESTAMP_NTZ"},
	{"TIMESTAMP_LTZ", "timestamp", "TIMESTAMP"},
	{"TIMESTAMP", "timestamp", "TIMESTAMP"}, {"DATE", "date", "DATE"},
	{"STRING", "string", "STRING"},  {"VARCHAR", "varchar", "STRING"},
	{"CHAR", "char", "CHAR"},        {"BINARY", "binary", "BINARY"},
	{"ARRAY", "array", "ARRAY"},     {"MAP", "map", "MAP"},
	{"STRUCT", "struct", "STRUCT"},  {"VOID", "void", "NULL"},
	{"VARIANT", "variant", "VARIANT"}, {"INTERVAL", "interval", "INTERVAL"},
};

static int type_idx(const char *t)
{
	if (!t)
		return -1;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].in);
		if (strncasecmp(t, types[i].in, n) == 0 && !isalnum((unsigned char)t[n]) && t[n] != '_')
			return (int)i;
	}
	return -1;
}

void lhs_type_canon(const char *type_text, char *out, size_t outsz)
{
	int i = type_idx(type_text);
	if (i < 0) {
		snprintf(out, outsz, "string");
		return;
	}
	size_t n = strlen(types[i].in);
	/* keep (p,s) and <...>; lower-case the rest as Databricks prints it */
	snprintf(out, outsz, "%s%s", types[i].canon, type_text + n);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!strcmp(out, "decimal"))
		snprintf(out, outsz, "decimal(10,0)");
}

const char *lhs_type_name(const char *type_text)
{
	int i = type_idx(type_text);
	return i < 0 ? "STRING" : types[i].name;
}

/* ---- results ---------------------------------------------------------------------------------- */

clxs_code lhs_res_columns(lhs_ctx *c, const char *const *names, const char *const *tys, size_t n)
{
	json_object *cols = json_object_new_array();
	if (!cols)
		return lhs_oom(c);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char canon[128];
		lhs_type_canon(tys[i], canon, sizeof(canon));
		json_object_object_add(o, "name", json_object_new_string(names[i]));
		json_object_object_add(o, "position", json_object_new_int64((int64_t)i));
		json_object_object_add(o, "type_name", json_object_new_string(lhs_type_name(tys[i])));
		json_object_object_add(o, "type_text", json_object_new_string(canon));
		json_object_array_add(cols, o);
	}
	json_object_put(c->res->columns);
	c->res->columns = cols;
	return CLXS_OK;
}

clxs_code lhs_res_row(lhs_ctx *c, const char *const *vals, size_t n)
{
	json_object *row = json_object_new_array();
	if (!row)
		return lhs_oom(c);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(row, vals[i] ? json_object_new_string(vals[i]) : NULL);
	json_object_array_add(c->res->rows, row);
	c->res->row_count++;
	return CLXS_OK;
}

char *lhs_text(const lhs_toks *k, size_t from, size_t to)
{
	if (from >= to || from >= k->n)
		return strdup("");
	const clxs_sql_token *a = k->t[from], *b = k->t[to - 1];
	return strndup(k->text + a->start, b->start + b->len - a->start);
}

clxs_code lhs_res_counts(lhs_ctx *c, const char *const *names, const int64_t *vals, size_t n)
{
	const char *tys[16];
	char buf[16][32];
	const char *v[16];
	if (n > 16)
		n = 16;
	for (size_t i = 0; i < n; i++) {
		tys[i] = "BIGINT";
		snprintf(buf[i], sizeof(buf[i]), "%lld", (long long)vals[i]);
		v[i] = buf[i];
	}
	clxs_code rc = lhs_res_columns(c, names, tys, n);
	return rc ? rc : lhs_res_row(c, v, n);
}

void clxs_lh_result_free(clxs_lh_result *res)
{
	if (!res)
		return;
	json_object_put(res->columns);
	json_object_put(res->rows);
	memset(res, 0, sizeof(*res));
}

/* ---- errors ------------------------------------------------------------------------------------- */

static clxs_code map_sqlite_msg(lhs_ctx *c, const char *m, int ec)
{
	if ((ec & 0xff) == SQLITE_INTERRUPT)
		return clxs_fail(c->err, CLXS_ECANCELLED, "CANCELLED", "The statement was cancelled.");
	if ((ec & 0xff) == SQLITE_NOMEM)
		return lhs_oom(c);
	if (m[0] == '[') {
		const char *e = strchr(m, ']');
		char cls[128];
		size_t n = e ? (size_t)(e - m - 1) : 0;
		if (e && n < sizeof(cls)) {
			memcpy(cls, m + 1, n);
			cls[n] = '\0';
			clxs_fail(c->err, CLXS_EINVAL, cls, "%s", m);
			return CLXS_EINVAL;
		}
	}
	const char *p;
	if ((p = strstr(m, "no such column: ")))
		return lh_fail(c->err, CLXS_EINVAL, "UNRESOLVED_COLUMN",
			       "A column, variable, or function parameter with name `%s` cannot be resolved.",
			       p + 16);
	if ((p = strstr(m, "ambiguous column name: ")))
		return lh_fail(c->err, CLXS_EINVAL, "AMBIGUOUS_REFERENCE", "Reference `%s` is ambiguous.",
			       p + 23);
	if ((p = strstr(m, "no such table: ")))
		return lh_fail(c->err, CLXS_ENOTFOUND, "TABLE_OR_VIEW_NOT_FOUND",
			       "The table or view `%s` cannot be found.", p + 15);
	if (strstr(m, "syntax error") || strstr(m, "incomplete input") || strstr(m, "unrecognized token"))
		return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR", "Syntax error: %s.", m);
	if (strstr(m, "misuse of aggregate") || strstr(m, "aggregate functions are not allowed") ||
	    strstr(m, "misuse of window function"))
		return lh_fail(c->err, CLXS_EINVAL, "MISSING_AGGREGATION", "%s.", m);
	if (strstr(m, "wrong number of arguments"))
		return lh_fail(c->err, CLXS_EINVAL, "WRONG_NUM_ARGS", "%s.", m);
	if (strstr(m, "integer overflow"))
		return lh_fail(c->err, CLXS_EINVAL, "ARITHMETIC_OVERFLOW", "%s.", m);
	if (strstr(m, "do not have the same number of result columns"))
		return lh_fail(c->err, CLXS_EINVAL, "NUM_COLUMNS_MISMATCH", "%s.", m);
	if (strstr(m, "values for") && strstr(m, "columns"))
		return lh_fail(c->err, CLXS_EINVAL, "INSERT_COLUMN_ARITY_MISMATCH", "%s.", m);
	if (strstr(m, "too big"))
		return lh_fail(c->err, CLXS_ETOOLARGE, "ROW_VALUE_TOO_LARGE", "%s.", m);
	return lh_fail(c->err, CLXS_EINVAL, "INVALID_SQL", "%s.", m);
}

clxs_code lhs_sqlite_fail(lhs_ctx *c, const char *what)
{
	(void)what;
	return map_sqlite_msg(c, sqlite3_errmsg(c->db), sqlite3_extended_errcode(c->db));
}

/* Storage errors about trusted fragments carry SQLite's text as
 * INVALID_SQL; give them the Databricks class the text implies. */
static void remap_error(lhs_ctx *c)
{
	if (strcmp(c->err->detail, "INVALID_SQL") != 0)
		return;
	const char *m = c->err->message;
	if (!strncmp(m, "[INVALID_SQL] ", 14))
		m += 14;
	char copy[sizeof(c->err->message)];
	snprintf(copy, sizeof(copy), "%s", m);
	size_t n = strlen(copy);
	if (n && copy[n - 1] == '.')
		copy[n - 1] = '\0';
	map_sqlite_msg(c, copy, SQLITE_ERROR);
}

/* ---- query results ---------------------------------------------------------------------------- */

typedef struct {
	size_t from, to;     /* tokens of the item, alias included */
	size_t efrom, eto;   /* the expression without its alias */
	bool star, aliased, colref;
} item;

/* Split the outermost select list of [from, to) into items. */
static size_t capture_items(const lhs_toks *k, size_t from, size_t to, item **out)
{
	static const char *const end_kw[] = {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT",
					     "UNION", "INTERSECT", "EXCEPT", "MINUS", "WINDOW",
					     "OFFSET", NULL};
	*out = NULL;
	size_t i = lhs_scan_to(k, from, to, (const char *const[]){"SELECT", NULL}, false);
	if (i >= to)
		return 0;
	i++;
	if (lhs_tok_kw(k, i, "DISTINCT") || lhs_tok_kw(k, i, "ALL"))
		i++;
	size_t end = lhs_scan_to(k, i, to, end_kw, false), n = 0;
	item *v = NULL;
	while (i < end) {
		size_t e = lhs_scan_to(k, i, end, NULL, true);
		item *nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return 0;
		}
		v = nv;
		item *it = &v[n++];
		memset(it, 0, sizeof(*it));
		it->from = it->efrom = i;
		it->to = it->eto = e;
		if (e > i && lhs_tok_op(k, e - 1, "*") &&
		    (e - i == 1 || lhs_tok_punct(k, e - 2, '.')))
			it->star = true;
		if (e - i >= 3 && lhs_tok_kw(k, e - 2, "AS") && lhs_tok_ident(k, e - 1)) {
			it->aliased = true;
			it->eto = e - 2;
		} else if (e - i >= 2 && lhs_tok_ident(k, e - 1) &&
			   (k->t[e - 1]->kind == CLXS_TOK_QUOTED_IDENT ||
			    !(lhs_tok_kw(k, e - 1, "NULL") || lhs_tok_kw(k, e - 1, "TRUE") ||
			      lhs_tok_kw(k, e - 1, "FALSE") || lhs_tok_kw(k, e - 1, "END"))) &&
			   !lhs_tok_punct(k, e - 2, '.') && k->t[e - 2]->kind != CLXS_TOK_OPERATOR &&
			   !lhs_tok_kw(k, e - 2, "IS") && !lhs_tok_kw(k, e - 2, "NOT")) {
			it->aliased = true;
			it->eto = e - 1;
		}
		size_t len = it->eto - it->efrom;
		it->colref = (len == 1 && lhs_tok_ident(k, it->efrom)) ||
			     (len == 3 && lhs_tok_ident(k, it->efrom) && lhs_tok_punct(k, it->efrom + 1, '.') &&
			      lhs_tok_ident(k, it->efrom + 2));
		i = e < end ? e + 1 : e;
	}
	*out = v;
	return n;
}

/* The type_text of the column called name (any case) in a reference's
 * columns; false when there is none. */
static bool ref_col_type(json_object *cols, const char *name, const char **type)
{
	for (size_t j = 0; cols && j < json_object_array_length(cols); j++) {
		json_object *o = json_object_array_get_idx(cols, j);
		if (!strcasecmp(clxs_json_str(o, "name", ""), name)) {
			*type = clxs_json_str(o, "type_text", NULL);
			return true;
		}
	}
	return false;
}

/* Type of result column i from the physical column it reads (origin). */
static const char *origin_type(lhs_ctx *c, sqlite3_stmt *st, int i)
{
	const char *tab = sqlite3_column_table_name(st, i);
	const char *col = sqlite3_column_origin_name(st, i);
	if (!tab || !col || strncmp(tab, "d_", 2) != 0)
		return NULL;
	long long id = atoll(tab + 2);
	const char *type;
	for (size_t r = 0; r < c->nrefs; r++)
		for (size_t p = 0; p < c->refs[r]->nphys; p++)
			if (c->refs[r]->phys[p] == id && ref_col_type(c->refs[r]->columns, col, &type))
				return type;
	return NULL;
}

/* Type by column name among the statement's references (star items over
 * empty tables, whose snapshots have no origin). */
static const char *name_type(lhs_ctx *c, const char *name)
{
	const char *type;
	for (size_t r = 0; r < c->nrefs; r++)
		if (ref_col_type(c->refs[r]->columns, name, &type))
			return type;
	return NULL;
}

typedef struct {
	int ncols;
	char **names;
	char **types;       /* NULL: decided by the first non-NULL value */
	int *rt;            /* runtime SQLite type seen first */
} colinfo;

static void colinfo_free(colinfo *ci)
{
	for (int i = 0; i < ci->ncols; i++) {
		if (ci->names)
			free(ci->names[i]);
		if (ci->types)
			free(ci->types[i]);
	}
	free(ci->names);
	free(ci->types);
	free(ci->rt);
	memset(ci, 0, sizeof(*ci));
}

static clxs_code describe(lhs_ctx *c, lhs_tr *t, sqlite3_stmt *st, size_t from, size_t to,
			  colinfo *ci)
{
	int n = sqlite3_column_count(st);
	ci->ncols = n;
	ci->names = calloc((size_t)n + 1, sizeof(char *));
	ci->types = calloc((size_t)n + 1, sizeof(char *));
	ci->rt = calloc((size_t)n + 1, sizeof(int));
	if (!ci->names || !ci->types || !ci->rt)
		return lhs_oom(c);
	item *items = NULL;
	size_t ni = capture_items(t->k, from, to, &items), nstar = 0;
	for (size_t j = 0; j < ni; j++)
		nstar += items[j].star;
	/* map result columns to items: 1:1, or one star covering the rest */
	int *owner = calloc((size_t)n + 1, sizeof(int));
	if (!owner) {
		free(items);
		return lhs_oom(c);
	}
	for (int i = 0; i < n; i++)
		owner[i] = -1;
	if (ni && nstar == 0 && (size_t)n == ni) {
		for (int i = 0; i < n; i++)
			owner[i] = i;
	} else if (ni && nstar == 1 && (size_t)n + 1 >= ni) {
		int col = 0;
		for (size_t j = 0; j < ni; j++) {
			int span = items[j].star ? n - (int)(ni - 1) : 1;
			for (int s = 0; s < span && col < n; s++)
				owner[col++] = items[j].star ? -1 : (int)j;
		}
	}
	for (int i = 0; i < n; i++) {
		const char *nm = sqlite3_column_name(st, i);
		const char *ty = NULL;
		char buf[128];
		char *name = NULL;
		if (owner[i] >= 0) {
			item *it = &items[owner[i]];
			ty = lhs_infer_type(t, it->efrom, it->eto, buf, sizeof(buf));
			if (!it->aliased && !it->colref) {
				const clxs_sql_token *a = t->k->t[it->efrom], *b = t->k->t[it->eto - 1];
				name = strndup(t->k->text + a->start, b->start + b->len - a->start);
			}
		}
		if (!ty)
			ty = origin_type(c, st, i);
		if (!ty && owner[i] < 0 && nm)
			ty = name_type(c, nm);
		if (!name)
			name = strdup(nm ? nm : "");
		ci->names[i] = name;
		ci->types[i] = ty ? strdup(ty) : NULL;
		if (!name || (ty && !ci->types[i])) {
			free(owner);
			free(items);
			return lhs_oom(c);
		}
	}
	free(owner);
	free(items);
	return CLXS_OK;
}

static char *b64(const void *p, int n)
{
	char *o = malloc((size_t)(4 * ((n + 2) / 3) + 1));
	if (o)
		EVP_EncodeBlock((unsigned char *)o, p ? p : (const void *)"", n);
	return o;
}

/* The JSON_ARRAY text of one value for a column of type ty (NULL: by value). */
static char *fmt_value(sqlite3_stmt *st, int i, const char *ty)
{
	int vt = sqlite3_column_type(st, i);
	char buf[128];
	int ti = type_idx(ty);
	const char *tn = ti >= 0 ? types[ti].name : NULL;
	switch (vt) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_INTEGER: {
		long long v = sqlite3_column_int64(st, i);
		if (tn && !strcmp(tn, "BOOLEAN"))
			return strdup(v ? "true" : "false");
		if (tn && (!strcmp(tn, "DOUBLE") || !strcmp(tn, "FLOAT"))) {
			lhs_fmt_double((double)v, buf, sizeof(buf));
			return strdup(buf);
		}
		if (tn && !strcmp(tn, "DECIMAL")) {
			int p = 10, s = 0;
			const char *paren = strchr(ty, '(');
			if (paren)
				sscanf(paren, "(%d,%d)", &p, &s);
			if (s > 0) {
				snprintf(buf, sizeof(buf), "%lld.%0*d", v, s, 0);
				return strdup(buf);
			}
		}
		snprintf(buf, sizeof(buf), "%lld", v);
		return strdup(buf);
	}
	case SQLITE_FLOAT: {
		double d = sqlite3_column_double(st, i);
		if (tn && !strcmp(tn, "DECIMAL")) {
			int p = 10, s = 0;
			const char *paren = strchr(ty, '(');
			if (paren)
				sscanf(paren, "(%d,%d)", &p, &s);
			snprintf(buf, sizeof(buf), "%.*f", s < 0 ? 0 : s > 38 ? 38 : s, d);
			return strdup(buf);
		}
		if (tn && (!strcmp(tn, "LONG") || !strcmp(tn, "INT") || !strcmp(tn, "SHORT") ||
			   !strcmp(tn, "BYTE")) && d == floor(d) && fabs(d) < 9e18) {
			snprintf(buf, sizeof(buf), "%lld", (long long)d);
			return strdup(buf);
		}
		if (tn && !strcmp(tn, "BOOLEAN"))
			return strdup(d != 0 ? "true" : "false");
		lhs_fmt_double(d, buf, sizeof(buf));
		return strdup(buf);
	}
	case SQLITE_BLOB:
		return b64(sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
	default: {
		const char *s = (const char *)sqlite3_column_text(st, i);
		if (tn && !strcmp(tn, "TIMESTAMP")) {
			int64_t days, us;
			if (lhs_parse_datetime(s, &days, &us, NULL) == 0) {
				char iso[40];
				clxs_iso8601(days * 86400000 + us / 1000, iso);
				return strdup(iso);
			}
		}
		return strndup(s ? s : "", (size_t)sqlite3_column_bytes(st, i));
	}
	}
}

static int progress_cb(void *arg)
{
	lhs_ctx *c = arg;
	return c->opts && c->opts->cancel && *c->opts->cancel;
}

static clxs_code prepare_one(lhs_ctx *c, const char *sql, sqlite3_stmt **st)
{
	const char *tail = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, st, &tail) != SQLITE_OK)
		return lhs_sqlite_fail(c, "prepare");
	while (tail && isspace((unsigned char)*tail))
		tail++;
	if (!*st || (tail && *tail)) {
		sqlite3_finalize(*st);
		*st = NULL;
		return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
			       "Only one statement can be run at a time.");
	}
	return CLXS_OK;
}

static clxs_code translate(lhs_ctx *c, lhs_tr *t, size_t from, size_t to, char **sql)
{
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_code rc = lhs_tr_range(t, from, to, &b);
	if (!rc && !(*sql = clxs_buf_detach(&b)))
		rc = lhs_oom(c);
	if (rc)
		clxs_buf_free(&b);
	return rc;
}

/* Translate tokens [from, to), prepare the statement and describe its
 * result columns. */
static clxs_code compile(lhs_ctx *c, lhs_tr *t, size_t from, size_t to, char **sql,
			 sqlite3_stmt **st, colinfo *ci)
{
	clxs_code rc = translate(c, t, from, to, sql);
	if (!rc)
		rc = prepare_one(c, *sql, st);
	if (!rc)
		rc = describe(c, t, *st, from, to, ci);
	return rc;
}

clxs_code lhs_run_query(lhs_ctx *c, size_t from, size_t to)
{
	lhs_tr t;
	lhs_tr_init(&t, c, &c->k);
	char *sql = NULL;
	sqlite3_stmt *st = NULL;
	colinfo ci = {0};
	clxs_code rc = compile(c, &t, from, to, &sql, &st, &ci);
	int64_t limit = c->opts ? c->opts->row_limit : 0;
	char **vals = rc ? NULL : calloc((size_t)ci.ncols + 1, sizeof(char *));
	if (!rc && !vals)
		rc = lhs_oom(c);
	while (!rc) {
		int s = sqlite3_step(st);
		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			rc = lhs_sqlite_fail(c, "query");
			break;
		}
		if (limit > 0 && c->res->row_count >= limit) {
			c->res->truncated = true;
			break;
		}
		for (int i = 0; i < ci.ncols; i++) {
			if (!ci.rt[i] && sqlite3_column_type(st, i) != SQLITE_NULL)
				ci.rt[i] = sqlite3_column_type(st, i);
			vals[i] = fmt_value(st, i, ci.types[i]);
			if (!vals[i] && sqlite3_column_type(st, i) != SQLITE_NULL)
				rc = lhs_oom(c);
		}
		if (!rc)
			rc = lhs_res_row(c, (const char *const *)vals, (size_t)ci.ncols);
		for (int i = 0; i < ci.ncols; i++) {
			free(vals[i]);
			vals[i] = NULL;
		}
	}
	if (!rc) {
		const char **tys = calloc((size_t)ci.ncols + 1, sizeof(char *));
		if (!tys)
			rc = lhs_oom(c);
		for (int i = 0; !rc && i < ci.ncols; i++)
			tys[i] = ci.types[i] ? ci.types[i]
				: ci.rt[i] == SQLITE_INTEGER ? "BIGINT"
				: ci.rt[i] == SQLITE_FLOAT ? "DOUBLE"
				: ci.rt[i] == SQLITE_BLOB ? "BINARY" : "STRING";
		if (!rc)
			rc = lhs_res_columns(c, (const char *const *)ci.names, tys, (size_t)ci.ncols);
		free(tys);
	}
	free(vals);
	sqlite3_finalize(st);
	colinfo_free(&ci);
	free(sql);
	lhs_tr_free(&t);
	return rc;
}

clxs_code lhs_describe_query(lhs_ctx *c, size_t from, size_t to, char **sqlite_sql,
			     json_object **cols)
{
	lhs_tr t;
	lhs_tr_init(&t, c, &c->k);
	char *sql = NULL;
	sqlite3_stmt *st = NULL;
	colinfo ci = {0};
	*cols = NULL;
	clxs_code rc = compile(c, &t, from, to, &sql, &st, &ci);
	/* a first row tells the types the translation could not */
	bool need = false;
	for (int i = 0; !rc && i < ci.ncols; i++)
		need |= ci.types[i] == NULL;
	if (!rc && need) {
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			for (int i = 0; i < ci.ncols; i++)
				ci.rt[i] = sqlite3_column_type(st, i);
		} else if (s != SQLITE_DONE)
			rc = lhs_sqlite_fail(c, "query");
	}
	if (!rc) {
		json_object *a = json_object_new_array();
		for (int i = 0; a && i < ci.ncols; i++) {
			json_object *o = json_object_new_object();
			const char *ty = ci.types[i] ? ci.types[i]
				: ci.rt[i] == SQLITE_INTEGER ? "BIGINT"
				: ci.rt[i] == SQLITE_FLOAT ? "DOUBLE"
				: ci.rt[i] == SQLITE_BLOB ? "BINARY" : "STRING";
			char up[128];
			snprintf(up, sizeof(up), "%s", ty);
			for (char *p = up; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			json_object_object_add(o, "name", json_object_new_string(ci.names[i]));
			json_object_object_add(o, "type_text", json_object_new_string(up));
			json_object_array_add(a, o);
		}
		if (!a)
			rc = lhs_oom(c);
		*cols = a;
	}
	sqlite3_finalize(st);
	colinfo_free(&ci);
	lhs_tr_free(&t);
	if (rc)
		free(sql);
	else
		*sqlite_sql = sql;
	return rc;
}

/* ---- parameters ------------------------------------------------------------------------------- */

static clxs_code load_params(lhs_ctx *c)
{
	json_object *arr = c->opts ? c->opts->parameters : NULL;
	if (!arr)
		return CLXS_OK;
	if (!json_object_is_type(arr, json_type_array))
		return lh_fail(c->err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "parameters must be an array");
	size_t n = json_object_array_length(arr);
	c->params = calloc(n + 1, sizeof(*c->params));
	if (!c->params)
		return lhs_oom(c);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *v = NULL;
		const char *name = clxs_json_str(o, "name", NULL);
		if (!name || !*name)
			return lh_fail(c->err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				       "parameters[%zu].name is missing", i);
		lhs_param *p = &c->params[c->nparams++];
		if (!(p->name = strdup(name)))
			return lhs_oom(c);
		json_object_object_get_ex(o, "value", &v);
		const char *ty = clxs_json_str(o, "type", "STRING");
		if (!v || json_object_is_type(v, json_type_null)) {
			p->kind = SQLITE_NULL;
			continue;
		}
		const char *s = json_object_get_string(v);
		int ti = type_idx(ty);
		const char *tn = ti >= 0 ? types[ti].name : "STRING";
		if (!strcmp(tn, "LONG") || !strcmp(tn, "INT") || !strcmp(tn, "SHORT") || !strcmp(tn, "BYTE")) {
			char *end;
			p->i = strtoll(s, &end, 10);
			if (!*s || *end)
				return lh_fail(c->err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
					       "parameter %s: '%s' is not a valid %s", name, s, ty);
			p->kind = SQLITE_INTEGER;
		} else if (!strcmp(tn, "DOUBLE") || !strcmp(tn, "FLOAT") || !strcmp(tn, "DECIMAL")) {
			char *end;
			p->d = strtod(s, &end);
			if (!*s || *end)
				return lh_fail(c->err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
					       "parameter %s: '%s' is not a valid %s", name, s, ty);
			p->kind = SQLITE_FLOAT;
		} else if (!strcmp(tn, "BOOLEAN")) {
			p->kind = SQLITE_INTEGER;
			if (!strcasecmp(s, "true"))
				p->i = 1;
			else if (!strcasecmp(s, "false"))
				p->i = 0;
			else
				return lh_fail(c->err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
					       "parameter %s: '%s' is not a valid BOOLEAN", name, s);
		} else {
			p->kind = SQLITE_TEXT;
			if (!(p->s = strdup(s)))
				return lhs_oom(c);
		}
	}
	return CLXS_OK;
}

/* ---- dispatch ---------------------------------------------------------------------------------- */

static clxs_code dispatch(lhs_ctx *c)
{
	size_t end = c->k.n - 1;
	/* one trailing ';' is allowed */
	if (end > 0 && lhs_tok_punct(&c->k, end - 1, ';'))
		end--;
	for (size_t i = 0; i < end; i++)
		if (lhs_tok_punct(&c->k, i, ';'))
			return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
				       "Syntax error at or near ';': only one statement can be run at a time. SQLSTATE: 42601 (line %u, pos %u)",
				       c->k.t[i]->line, c->k.t[i]->col - 1);
	if (end == 0)
		return lh_fail(c->err, CLXS_EINVAL, "PARSE_EMPTY_STATEMENT",
			       "Syntax error, unexpected empty statement. SQLSTATE: 42617");
	/* make the trailing ';' the end of the statement for the parsers */
	if (end < c->k.n - 1) {
		c->k.t[end] = c->k.t[c->k.n - 1];
		c->k.n = end + 1;
	}
	if (lhs_at_kw(c, "SELECT") || lhs_at_kw(c, "WITH") || lhs_tok_punct(&c->k, 0, '(') ||
	    lhs_at_kw(c, "VALUES"))
		return lhs_run_query(c, 0, end);
	if (lhs_at_kw(c, "USE") || (lhs_at_kw(c, "SET") && (lhs_tok_kw(&c->k, 1, "CATALOG") ||
							      lhs_tok_kw(&c->k, 1, "SCHEMA"))))
		return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			       "USE is not supported by the embedded lakehouse: pass the catalog and schema fields of the statement request instead.");
	bool handled = false;
	clxs_code rc = lhs_exec_ddl(c, &handled);
	if (!handled)
		rc = lhs_exec_dml(c, &handled);
	if (!handled)
		rc = lhs_exec_util(c, &handled);
	if (!handled)
		rc = lhs_exec_gov(c, &handled);
	if (!handled) {
		const char *w = lhs_tok_ident(&c->k, 0);
		if (w)
			return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
				       "The statement '%s ...' is not supported by the embedded lakehouse.", w);
		return lhs_syntax_at(c, &c->k, 0);
	}
	return rc;
}

static void ctx_free(lhs_ctx *c)
{
	for (size_t i = 0; i < c->nparams; i++) {
		free(c->params[i].name);
		free(c->params[i].s);
	}
	free(c->params);
	for (size_t i = 0; i < c->nrefs; i++) {
		free(c->refs[i]->alias);
		free(c->refs[i]->phys);
		json_object_put(c->refs[i]->columns);
		free(c->refs[i]);
	}
	free(c->refs);
	lhs_toks_free(&c->k);
}

clxs_code clxs_lh_sql_exec(clxs_lh *lh, const char *sql, const clxs_lh_exec_opts *opts,
			   clxs_lh_result *res, clxs_error *err)
{
	clxs_error local;
	if (!err)
		err = &local;
	clxs_error_clear(err);
	memset(res, 0, sizeof(*res));
	if (!lh || !sql)
		return clxs_fail(err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE", "no lakehouse or statement");
	if (lh->batch)
		return lh_fail(err, CLXS_ECONFLICT, "INTERNAL_ERROR",
			       "a write batch is open on this handle");
	res->columns = json_object_new_array();
	res->rows = json_object_new_array();
	if (!res->columns || !res->rows) {
		clxs_lh_result_free(res);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	lhs_ctx c;
	memset(&c, 0, sizeof(c));
	c.lh = lh;
	c.db = clxs_lh_db(lh);
	c.opts = opts;
	c.err = err;
	c.res = res;
	c.now_ms = clxs_now_ms();
	c.catalog = opts && opts->catalog && *opts->catalog ? opts->catalog : NULL;
	c.schema = opts && opts->schema && *opts->schema ? opts->schema : "default";
	clxs_code rc = lhs_toks_init(&c, &c.k, sql, err);
	if (rc) {
		clxs_lh_result_free(res);
		res->columns = json_object_new_array();
		res->rows = json_object_new_array();
		return rc;
	}
	/* "x" must never fall back to a string literal when x is not a column */
	sqlite3_db_config(c.db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_db_config(c.db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
	if (!(rc = load_params(&c)) && !(rc = clxs_lh_gov_init(lh, err)) &&
	    !(rc = lhs_funcs_register(&c, c.db))) {
		sqlite3_progress_handler(c.db, 1000, progress_cb, &c);
		bool query = lhs_at_kw(&c, "SELECT") || lhs_at_kw(&c, "WITH") ||
			     lhs_tok_punct(&c.k, 0, '(') || lhs_at_kw(&c, "VALUES");
		int depth0 = lh->depth;
		rc = lh_begin(lh, !query, err);
		if (!rc) {
			rc = dispatch(&c);
			/* a storage call left open by an error path is closed here */
			while (lh->depth > depth0 + 1)
				lh_end(lh, CLXS_EINTERNAL, NULL);
			rc = lh_end(lh, rc, err);
		}
		sqlite3_progress_handler(c.db, 0, NULL, NULL);
		lhs_funcs_unhook(c.db);
	}
	if (rc) {
		remap_error(&c);
		/* nothing of a failed statement is returned */
		json_object_put(res->rows);
		json_object_put(res->columns);
		res->rows = json_object_new_array();
		res->columns = json_object_new_array();
		res->row_count = 0;
		res->truncated = false;
	}
	/* temp tables of MERGE and friends never outlive the statement */
	ctx_free(&c);
	return rc;
}
