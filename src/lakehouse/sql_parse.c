/* The parser's building blocks: significant tokens of a text with matched
 * brackets, a cursor over the statement, and readers for names, literals,
 * types, property lists and time-travel clauses. Errors are Databricks'
 * PARSE_SYNTAX_ERROR with the position of the offending token. */
#include "sql_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/util.h"

/* ---- tokens ------------------------------------------------------------------- */

clxs_code lhs_toks_init(lhs_ctx *c, lhs_toks *k, const char *text, clxs_error *err)
{
	memset(k, 0, sizeof(*k));
	k->text = text;
	k->serial = ++c->serial;
	clxs_code rc = clxs_sql_tokenize(text, strlen(text), &k->all, err);
	if (rc) {
		if (rc == CLXS_EINVAL)
			return lh_fail(err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR", "Syntax error: %s.",
				       err->message);
		return rc;
	}
	k->t = calloc(k->all.n, sizeof(*k->t));
	k->match = calloc(k->all.n, sizeof(*k->match));
	size_t *stack = calloc(k->all.n, sizeof(*stack));
	if (!k->t || !k->match || !stack) {
		free(stack);
		lhs_toks_free(k);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	size_t sp = 0;
	for (size_t i = 0; i < k->all.n; i++) {
		const clxs_sql_token *tk = &k->all.tok[i];
		if (clxs_sql_tok_is_trivia(tk->kind))
			continue;
		size_t j = k->n++;
		k->t[j] = tk;
		k->match[j] = SIZE_MAX;
		if (tk->kind == CLXS_TOK_PUNCT && text[tk->start] == '(')
			stack[sp++] = j;
		else if (tk->kind == CLXS_TOK_PUNCT && text[tk->start] == ')') {
			if (sp == 0) {
				free(stack);
				clxs_code r = lh_fail(err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
						      "Syntax error at or near ')'. SQLSTATE: 42601 (line %u, pos %u)",
						      tk->line, tk->col - 1);
				lhs_toks_free(k);
				return r;
			}
			size_t o = stack[--sp];
			k->match[o] = j;
			k->match[j] = o;
		}
	}
	free(stack);
	if (sp) {
		const clxs_sql_token *tk = k->t[k->n - 1];
		clxs_code r = lh_fail(err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
				      "Syntax error at or near end of input: missing ')'. SQLSTATE: 42601 (line %u, pos %u)",
				      tk->line, tk->col - 1);
		lhs_toks_free(k);
		return r;
	}
	return CLXS_OK;
}

void lhs_toks_free(lhs_toks *k)
{
	free(k->t);
	free(k->match);
	clxs_sql_tokens_free(&k->all);
	memset(k, 0, sizeof(*k));
}

bool lhs_tok_kw(const lhs_toks *k, size_t i, const char *kw)
{
	if (i >= k->n || k->t[i]->kind != CLXS_TOK_IDENT)
		return false;
	return strcasecmp(k->t[i]->value, kw) == 0;
}

bool lhs_tok_punct(const lhs_toks *k, size_t i, char ch)
{
	return i < k->n && k->t[i]->kind == CLXS_TOK_PUNCT && k->text[k->t[i]->start] == ch;
}

bool lhs_tok_op(const lhs_toks *k, size_t i, const char *op)
{
	if (i >= k->n || k->t[i]->kind != CLXS_TOK_OPERATOR)
		return false;
	size_t n = strlen(op);
	return k->t[i]->len == n && memcmp(k->text + k->t[i]->start, op, n) == 0;
}

const char *lhs_tok_ident(const lhs_toks *k, size_t i)
{
	if (i >= k->n)
		return NULL;
	if (k->t[i]->kind == CLXS_TOK_IDENT || k->t[i]->kind == CLXS_TOK_QUOTED_IDENT)
		return k->t[i]->value;
	return NULL;
}

size_t lhs_scan_to(const lhs_toks *k, size_t i, size_t to, const char *const *kws, bool stop_comma)
{
	for (; i < to; i++) {
		if (lhs_tok_punct(k, i, '(') && k->match[i] != SIZE_MAX) {
			i = k->match[i];
			continue;
		}
		if (stop_comma && lhs_tok_punct(k, i, ','))
			return i;
		for (size_t j = 0; kws && kws[j]; j++)
			if (lhs_tok_kw(k, i, kws[j]))
				return i;
	}
	return to;
}

/* ---- cursor -------------------------------------------------------------------- */

const clxs_sql_token *lhs_cur(lhs_ctx *c)
{
	return c->k.t[c->p < c->k.n ? c->p : c->k.n - 1];
}

bool lhs_at_kw(lhs_ctx *c, const char *kw)
{
	return lhs_tok_kw(&c->k, c->p, kw);
}

bool lhs_accept_kw(lhs_ctx *c, const char *kw)
{
	if (!lhs_at_kw(c, kw))
		return false;
	c->p++;
	return true;
}

bool lhs_accept_kws(lhs_ctx *c, const char *const *kws)
{
	size_t i = 0;
	for (; kws[i]; i++)
		if (!lhs_tok_kw(&c->k, c->p + i, kws[i]))
			return false;
	c->p += i;
	return true;
}

clxs_code lhs_expect_kw(lhs_ctx *c, const char *kw)
{
	return lhs_accept_kw(c, kw) ? CLXS_OK : lhs_syntax(c);
}

bool lhs_accept_punct(lhs_ctx *c, char ch)
{
	if (!lhs_tok_punct(&c->k, c->p, ch))
		return false;
	c->p++;
	return true;
}

clxs_code lhs_expect_punct(lhs_ctx *c, char ch)
{
	return lhs_accept_punct(c, ch) ? CLXS_OK : lhs_syntax(c);
}

bool lhs_at_eof(lhs_ctx *c)
{
	return lhs_cur(c)->kind == CLXS_TOK_EOF;
}

clxs_code lhs_expect_eof(lhs_ctx *c)
{
	return lhs_at_eof(c) ? CLXS_OK : lhs_syntax(c);
}

clxs_code lhs_syntax_at(lhs_ctx *c, const lhs_toks *k, size_t i)
{
	const clxs_sql_token *t = k->t[i < k->n ? i : k->n - 1];
	if (t->kind == CLXS_TOK_EOF)
		return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
			       "Syntax error at or near end of input. SQLSTATE: 42601 (line %u, pos %u)",
			       t->line, t->col - 1);
	int len = t->len > 40 ? 40 : (int)t->len;
	return lh_fail(c->err, CLXS_EINVAL, "PARSE_SYNTAX_ERROR",
		       "Syntax error at or near '%.*s'. SQLSTATE: 42601 (line %u, pos %u)", len,
		       k->text + t->start, t->line, t->col - 1);
}

clxs_code lhs_syntax(lhs_ctx *c)
{
	return lhs_syntax_at(c, &c->k, c->p);
}

clxs_code lhs_unsupported(lhs_ctx *c, const char *what)
{
	return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
		       "%s is not supported by the embedded lakehouse.", what);
}

/* ---- names ------------------------------------------------------------------------ */

clxs_code lhs_oom(lhs_ctx *c)
{
	return clxs_fail(c->err, CLXS_ENOMEM, NULL, "out of memory");
}

clxs_code lhs_ident(lhs_ctx *c, char **out)
{
	const char *v = lhs_tok_ident(&c->k, c->p);
	if (!v || !*v)
		return lhs_syntax(c);
	if (!(*out = strdup(v)))
		return lhs_oom(c);
	c->p++;
	return CLXS_OK;
}

void lhs_qname_free(lhs_qname *q)
{
	for (int i = 0; i < 3; i++)
		free(q->part[i]);
	memset(q, 0, sizeof(*q));
}

clxs_code lhs_qname_parse(lhs_ctx *c, lhs_qname *q)
{
	memset(q, 0, sizeof(*q));
	q->first_tok = c->p;
	for (;;) {
		if (q->n == 3) {
			lhs_qname_free(q);
			return lh_fail(c->err, CLXS_EINVAL, "INVALID_SCHEMA_OR_RELATION_NAME",
				       "Name `%s` has more than three parts.",
				       lhs_tok_ident(&c->k, c->p) ? lhs_tok_ident(&c->k, c->p) : "?");
		}
		clxs_code rc = lhs_ident(c, &q->part[q->n]);
		if (rc) {
			lhs_qname_free(q);
			return rc;
		}
		q->n++;
		if (!lhs_tok_punct(&c->k, c->p, '.'))
			break;
		c->p++;
	}
	q->last_tok = c->p - 1;
	return CLXS_OK;
}

static clxs_code norm(lhs_ctx *c, const char *in, const char *what, char *out)
{
	return lh_name_norm(in, what, out, c->err);
}

clxs_code lhs_name3(lhs_ctx *c, lhs_name *nm)
{
	lhs_qname q;
	clxs_code rc = lhs_qname_parse(c, &q);
	if (rc)
		return rc;
	rc = lhs_resolve3(c, &q, NULL, NULL, nm);
	lhs_qname_free(&q);
	return rc;
}

clxs_code lhs_resolve3(lhs_ctx *c, const lhs_qname *q, const char *def_cat, const char *def_sch,
		       lhs_name *out)
{
	memset(out, 0, sizeof(*out));
	const char *cat = def_cat ? def_cat : c->catalog, *sch = def_sch ? def_sch : c->schema;
	const char *name = q->part[q->n - 1];
	if (q->n >= 2)
		sch = q->part[q->n - 2];
	if (q->n == 3)
		cat = q->part[0];
	if (!cat || !*cat)
		return lh_fail(c->err, CLXS_EINVAL, "TABLE_OR_VIEW_NOT_FOUND",
			       "The table or view `%s` cannot be found: no current catalog is set."
			       " Qualify the name with a catalog or set the request's catalog.",
			       name);
	clxs_code rc;
	if ((rc = norm(c, cat, "catalog", out->catalog)) || (rc = norm(c, sch, "schema", out->schema)) ||
	    (rc = norm(c, name, "object", out->name)))
		return rc;
	out->n.catalog = out->catalog;
	out->n.schema = out->schema;
	out->n.name = out->name;
	return CLXS_OK;
}

clxs_code lhs_resolve2(lhs_ctx *c, const lhs_qname *q, lhs_name *out)
{
	memset(out, 0, sizeof(*out));
	if (q->n > 2)
		return lh_fail(c->err, CLXS_EINVAL, "INVALID_SCHEMA_OR_RELATION_NAME",
			       "A schema name has at most two parts (catalog.schema).");
	const char *cat = q->n == 2 ? q->part[0] : c->catalog;
	if (!cat || !*cat)
		return lh_fail(c->err, CLXS_EINVAL, "SCHEMA_NOT_FOUND",
			       "The schema `%s` cannot be found: no current catalog is set.",
			       q->part[q->n - 1]);
	clxs_code rc;
	if ((rc = norm(c, cat, "catalog", out->catalog)) ||
	    (rc = norm(c, q->part[q->n - 1], "schema", out->schema)))
		return rc;
	out->n.catalog = out->catalog;
	out->n.schema = out->schema;
	return CLXS_OK;
}

/* ---- literals ------------------------------------------------------------------------ */

bool lhs_at_string(lhs_ctx *c)
{
	return lhs_cur(c)->kind == CLXS_TOK_STRING;
}

clxs_code lhs_string(lhs_ctx *c, char **out)
{
	if (!lhs_at_string(c))
		return lhs_syntax(c);
	clxs_buf b;
	clxs_buf_init(&b);
	while (lhs_at_string(c)) {
		const clxs_sql_token *t = lhs_cur(c);
		if (memchr(t->value, '\0', t->value_len)) {
			clxs_buf_free(&b);
			return lh_fail(c->err, CLXS_EINVAL, "INVALID_PARAMETER_VALUE",
				       "String literals with NUL characters are not supported.");
		}
		clxs_buf_append(&b, t->value, t->value_len);
		c->p++;
	}
	if (!(*out = clxs_buf_detach(&b)))
		return lhs_oom(c);
	return CLXS_OK;
}

/* Digits of a number token without Spark's type suffix (L, S, Y, D, F, BD). */
static int number_text(lhs_ctx *c, char *buf, size_t bufsz)
{
	const clxs_sql_token *t = lhs_cur(c);
	if (t->kind != CLXS_TOK_NUMBER || t->len >= bufsz)
		return -1;
	memcpy(buf, c->k.text + t->start, t->len);
	buf[t->len] = '\0';
	size_t n = t->len;
	if (n >= 2 && strcasecmp(buf + n - 2, "BD") == 0)
		buf[n - 2] = '\0';
	else if (n && strchr("LlSsYyDdFf", buf[n - 1]))
		buf[n - 1] = '\0';
	return 0;
}

clxs_code lhs_int(lhs_ctx *c, int64_t *out)
{
	bool neg = false;
	if (lhs_tok_op(&c->k, c->p, "-")) {
		neg = true;
		c->p++;
	}
	char buf[64];
	if (number_text(c, buf, sizeof(buf)))
		return lhs_syntax(c);
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (*end || errno)
		return lhs_syntax(c);
	c->p++;
	*out = neg ? -v : v;
	return CLXS_OK;
}

clxs_code lhs_number(lhs_ctx *c, double *out)
{
	bool neg = false;
	if (lhs_tok_op(&c->k, c->p, "-")) {
		neg = true;
		c->p++;
	}
	char buf[64];
	if (number_text(c, buf, sizeof(buf)))
		return lhs_syntax(c);
	char *end;
	double v = strtod(buf, &end);
	if (*end)
		return lhs_syntax(c);
	c->p++;
	*out = neg ? -v : v;
	return CLXS_OK;
}

/* ---- types -------------------------------------------------------------------------- */

static const char *const known_types[] = {
	"BIGINT", "LONG", "INT", "INTEGER", "SMALLINT", "SHORT", "TINYINT", "BYTE",
	"BOOLEAN", "BOOL", "DOUBLE", "FLOAT", "REAL", "DECIMAL", "DEC", "NUMERIC",
	"STRING", "VARCHAR", "CHAR", "DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ",
	"BINARY", "ARRAY", "MAP", "STRUCT", "VOID", "VARIANT", NULL,
};

static void upper_into(clxs_buf *b, const char *s)
{
	for (; *s; s++)
		clxs_buf_putc(b, (char)toupper((unsigned char)*s));
}

clxs_code lhs_type(lhs_ctx *c, char **out)
{
	const char *v = lhs_tok_ident(&c->k, c->p);
	if (!v || lhs_cur(c)->kind != CLXS_TOK_IDENT)
		return lhs_syntax(c);
	bool ok = false;
	for (size_t i = 0; known_types[i]; i++)
		if (strcasecmp(v, known_types[i]) == 0)
			ok = true;
	if (!ok)
		return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_DATATYPE",
			       "Unsupported data type \"%s\".", v);
	clxs_buf b;
	clxs_buf_init(&b);
	upper_into(&b, v);
	c->p++;
	if (lhs_tok_punct(&c->k, c->p, '(')) {
		/* (p) or (p, s): integers only */
		clxs_buf_putc(&b, '(');
		c->p++;
		for (int n = 0;; n++) {
			int64_t x;
			if (n > 1 || lhs_int(c, &x) || x < 0) {
				clxs_buf_free(&b);
				return lhs_syntax(c);
			}
			clxs_buf_appendf(&b, "%s%lld", n ? "," : "", (long long)x);
			if (lhs_accept_punct(c, ')'))
				break;
			if (!lhs_accept_punct(c, ',')) {
				clxs_buf_free(&b);
				return lhs_syntax(c);
			}
		}
		clxs_buf_putc(&b, ')');
	} else if (lhs_tok_op(&c->k, c->p, "<")) {
		/* Nested types are kept as text (stored as JSON-ish strings). */
		int depth = 0;
		do {
			const clxs_sql_token *t = lhs_cur(c);
			if (t->kind == CLXS_TOK_EOF) {
				clxs_buf_free(&b);
				return lhs_syntax(c);
			}
			if (lhs_tok_op(&c->k, c->p, "<"))
				depth++;
			else if (lhs_tok_op(&c->k, c->p, ">"))
				depth--;
			if (t->kind == CLXS_TOK_IDENT)
				upper_into(&b, t->value);
			else if (t->kind == CLXS_TOK_QUOTED_IDENT)
				clxs_buf_puts(&b, t->value);
			else if (t->kind == CLXS_TOK_NUMBER || t->kind == CLXS_TOK_OPERATOR ||
				 t->kind == CLXS_TOK_PUNCT) {
				clxs_buf_append(&b, c->k.text + t->start, t->len);
				if (lhs_tok_op(&c->k, c->p, ":") || lhs_tok_punct(&c->k, c->p, ','))
					clxs_buf_putc(&b, ' ');
			} else {
				clxs_buf_free(&b);
				return lhs_syntax(c);
			}
			c->p++;
		} while (depth > 0);
	}
	if (!(*out = clxs_buf_detach(&b)))
		return lhs_oom(c);
	return CLXS_OK;
}

/* ---- property lists -------------------------------------------------------------------- */

/* A property key: 'string' or a dotted identifier (delta.appendOnly). */
static clxs_code prop_key(lhs_ctx *c, char **out)
{
	if (lhs_at_string(c))
		return lhs_string(c, out);
	clxs_buf b;
	clxs_buf_init(&b);
	for (;;) {
		const char *v = lhs_tok_ident(&c->k, c->p);
		if (!v) {
			clxs_buf_free(&b);
			return lhs_syntax(c);
		}
		clxs_buf_puts(&b, v);
		c->p++;
		if (!lhs_tok_punct(&c->k, c->p, '.'))
			break;
		clxs_buf_putc(&b, '.');
		c->p++;
	}
	if (!(*out = clxs_buf_detach(&b)))
		return lhs_oom(c);
	return CLXS_OK;
}

static clxs_code prop_value(lhs_ctx *c, char **out)
{
	if (lhs_at_string(c))
		return lhs_string(c, out);
	const clxs_sql_token *t = lhs_cur(c);
	bool neg = lhs_tok_op(&c->k, c->p, "-");
	if (neg)
		t = c->k.t[c->p + 1];
	if (t->kind == CLXS_TOK_NUMBER ||
	    (t->kind == CLXS_TOK_IDENT && !neg &&
	     (!strcasecmp(t->value, "true") || !strcasecmp(t->value, "false")))) {
		if (asprintf(out, "%s%.*s", neg ? "-" : "", (int)t->len, c->k.text + t->start) < 0)
			return lhs_oom(c);
		if (t->kind == CLXS_TOK_IDENT)
			for (char *p = *out; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		c->p += neg ? 2 : 1;
		return CLXS_OK;
	}
	return lhs_syntax(c);
}

clxs_code lhs_props(lhs_ctx *c, json_object **out)
{
	clxs_code rc = lhs_expect_punct(c, '(');
	if (rc)
		return rc;
	json_object *o = json_object_new_object();
	if (!o)
		return lhs_oom(c);
	if (lhs_accept_punct(c, ')')) {
		*out = o;
		return CLXS_OK;
	}
	for (;;) {
		char *k = NULL, *v = NULL;
		if ((rc = prop_key(c, &k)))
			break;
		if (lhs_tok_op(&c->k, c->p, "=") || lhs_tok_op(&c->k, c->p, "=="))
			c->p++;
		if ((rc = prop_value(c, &v))) {
			free(k);
			break;
		}
		json_object_object_add(o, k, json_object_new_string(v));
		free(k);
		free(v);
		if (lhs_accept_punct(c, ')'))
			break;
		if ((rc = lhs_expect_punct(c, ',')))
			break;
	}
	if (rc) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return CLXS_OK;
}

/* "(a, b, ...)" as a JSON array of strings, each read by item. */
static clxs_code name_list(lhs_ctx *c, clxs_code (*item)(lhs_ctx *, char **), json_object **out)
{
	clxs_code rc = lhs_expect_punct(c, '(');
	if (rc)
		return rc;
	json_object *a = json_object_new_array();
	if (!a)
		return lhs_oom(c);
	for (;;) {
		char *k = NULL;
		if ((rc = item(c, &k)))
			break;
		json_object_array_add(a, json_object_new_string(k));
		free(k);
		if (lhs_accept_punct(c, ')'))
			break;
		if ((rc = lhs_expect_punct(c, ',')))
			break;
	}
	if (rc) {
		json_object_put(a);
		return rc;
	}
	*out = a;
	return CLXS_OK;
}

clxs_code lhs_keylist(lhs_ctx *c, json_object **out)
{
	return name_list(c, prop_key, out);
}

clxs_code lhs_identlist(lhs_ctx *c, json_object **out)
{
	return name_list(c, lhs_ident, out);
}

/* ---- time travel ------------------------------------------------------------------------- */

static clxs_code parse_ts(lhs_ctx *c, const char *s, int64_t *ms)
{
	if (clxs_parse_iso8601(s, ms) == 0)
		return CLXS_OK;
	return lh_fail(c->err, CLXS_EINVAL, "INVALID_TIMESTAMP_FORMAT",
		       "The provided timestamp ('%s') cannot be converted to a valid timestamp.", s);
}

/* @v123 or @yyyyMMddHHmmssSSS after a name. */
static clxs_code at_suffix(lhs_ctx *c, const lhs_toks *k, size_t *i, clxs_lh_at *at)
{
	const char *v = lhs_tok_ident(k, *i + 1);
	if (!v)
		return lhs_syntax_at(c, k, *i + 1);
	if ((v[0] == 'v' || v[0] == 'V') && v[1]) {
		char *end;
		errno = 0;
		long long n = strtoll(v + 1, &end, 10);
		if (*end || errno || n < 0)
			return lhs_syntax_at(c, k, *i + 1);
		at->kind = CLXS_LH_AT_VERSION;
		at->version = n;
	} else {
		size_t n = strlen(v);
		if (n != 17 || strspn(v, "0123456789") != 17)
			return lhs_syntax_at(c, k, *i + 1);
		char iso[32];
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s.%.3sZ", v, v + 4, v + 6,
			 v + 8, v + 10, v + 12, v + 14);
		at->kind = CLXS_LH_AT_TIMESTAMP;
		clxs_code rc = parse_ts(c, iso, &at->timestamp_ms);
		if (rc)
			return rc;
	}
	*i += 2;
	return CLXS_OK;
}

clxs_code lhs_at_clause(lhs_ctx *c, const lhs_toks *k, size_t *i, clxs_lh_at *at, bool *found)
{
	memset(at, 0, sizeof(*at));
	*found = false;
	size_t j = *i;
	if (j < k->n && k->t[j]->kind == CLXS_TOK_UNKNOWN && k->text[k->t[j]->start] == '@') {
		*found = true;
		return at_suffix(c, k, i, at);
	}
	if (lhs_tok_kw(k, j, "FOR") && (lhs_tok_kw(k, j + 1, "VERSION") ||
					lhs_tok_kw(k, j + 1, "TIMESTAMP")))
		j++;
	bool ver = lhs_tok_kw(k, j, "VERSION"), ts = lhs_tok_kw(k, j, "TIMESTAMP");
	if (!(ver || ts) || !lhs_tok_kw(k, j + 1, "AS") || !lhs_tok_kw(k, j + 2, "OF"))
		return CLXS_OK;
	*found = true;
	j += 3;
	const clxs_sql_token *t = k->t[j < k->n ? j : k->n - 1];
	if (ver) {
		char buf[32];
		if (t->kind != CLXS_TOK_NUMBER || t->len >= sizeof(buf))
			return lhs_syntax_at(c, k, j);
		memcpy(buf, k->text + t->start, t->len);
		buf[t->len] = '\0';
		size_t n = strlen(buf);
		if (n && (buf[n - 1] == 'L' || buf[n - 1] == 'l'))
			buf[n - 1] = '\0';
		char *end;
		errno = 0;
		long long v = strtoll(buf, &end, 10);
		if (*end || errno || v < 0)
			return lhs_syntax_at(c, k, j);
		at->kind = CLXS_LH_AT_VERSION;
		at->version = v;
		*i = j + 1;
		return CLXS_OK;
	}
	/* TIMESTAMP AS OF 'literal' (optionally written as TIMESTAMP 'x' or
	 * cast('x' AS TIMESTAMP)). */
	if (lhs_tok_kw(k, j, "TIMESTAMP") && j + 1 < k->n && k->t[j + 1]->kind == CLXS_TOK_STRING)
		j++;
	if (lhs_tok_kw(k, j, "CAST") && lhs_tok_punct(k, j + 1, '(') &&
	    j + 2 < k->n && k->t[j + 2]->kind == CLXS_TOK_STRING && lhs_tok_kw(k, j + 3, "AS") &&
	    lhs_tok_kw(k, j + 4, "TIMESTAMP") && lhs_tok_punct(k, j + 5, ')')) {
		at->kind = CLXS_LH_AT_TIMESTAMP;
		clxs_code rc = parse_ts(c, k->t[j + 2]->value, &at->timestamp_ms);
		*i = j + 6;
		return rc;
	}
	if (t = k->t[j < k->n ? j : k->n - 1], t->kind != CLXS_TOK_STRING)
		return lh_fail(c->err, CLXS_EINVAL, "UNSUPPORTED_FEATURE",
			       "TIMESTAMP AS OF takes a timestamp string literal in the embedded lakehouse.");
	at->kind = CLXS_LH_AT_TIMESTAMP;
	clxs_code rc = parse_ts(c, t->value, &at->timestamp_ms);
	*i = j + 1;
	return rc;
}
