/* Catalog references in view and function text: rewrite and listing.
 *
 * A reference is a dotted chain of at least three identifiers (bare or
 * backticked) whose first part does not itself follow a '.', e.g.
 * main.sales.orders or `main`.sales.orders.amount. Whitespace and comments
 * between the parts are allowed, as Spark allows them. Working on tokens
 * means strings, comments and backticked names containing dots are never
 * mistaken for references, which a textual replace cannot promise. */
#include "clxs/sql_token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/sql.h"
#include "sql_internal.h"

/* Significant tokens of a text, as indexes into the token array. */
typedef struct {
	clxs_sql_tokens toks;
	size_t *sig;
	size_t nsig;
} sig_tokens;

static void sig_free(sig_tokens *s)
{
	clxs_sql_tokens_free(&s->toks);
	free(s->sig);
}

static clxs_code sig_load(const char *sql, sig_tokens *s, clxs_error *err)
{
	memset(s, 0, sizeof(*s));
	if (!sql)
		return clxs_fail(err, CLXS_EINVAL, "sql", "SQL text is missing");
	clxs_code rc = clxs_sql_tokenize(sql, strlen(sql), &s->toks, err);
	if (rc != CLXS_OK)
		return rc;
	s->sig = malloc(s->toks.n * sizeof(*s->sig));
	if (!s->sig) {
		sig_free(s);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory reading SQL");
	}
	for (size_t i = 0; i < s->toks.n; i++)
		if (!clxs_sql_tok_is_trivia(s->toks.tok[i].kind))
			s->sig[s->nsig++] = i;
	return CLXS_OK;
}

static const clxs_sql_token *sig_at(const sig_tokens *s, size_t k)
{
	return &s->toks.tok[s->sig[k]];
}

static int is_name(const clxs_sql_token *t)
{
	return t->kind == CLXS_TOK_IDENT || t->kind == CLXS_TOK_QUOTED_IDENT;
}

static int is_dot(const char *sql, const clxs_sql_token *t)
{
	return t->kind == CLXS_TOK_PUNCT && sql[t->start] == '.';
}

/* Whether significant token k starts a chain of three or more names. */
static int chain_start(const char *sql, const sig_tokens *s, size_t k)
{
	if (k + 4 >= s->nsig)
		return 0;
	if (k > 0 && is_dot(sql, sig_at(s, k - 1)))
		return 0;
	return is_name(sig_at(s, k)) && is_dot(sql, sig_at(s, k + 1)) &&
	       is_name(sig_at(s, k + 2)) && is_dot(sql, sig_at(s, k + 3)) &&
	       is_name(sig_at(s, k + 4));
}

clxs_code clxs_sql_rewrite_catalog(const char *sql, const char *from_catalog,
				   const char *to_catalog, char **out,
				   clxs_error *err)
{
	*out = NULL;
	if (!from_catalog || !*from_catalog)
		return clxs_fail(err, CLXS_EINVAL, "from_catalog", "source catalog name is empty");
	clxs_buf b, repl;
	clxs_buf_init(&b);
	clxs_buf_init(&repl);
	/* Quote the replacement once: this also validates to_catalog. */
	clxs_code rc = clxs_sql_quote_ident(&repl, to_catalog, err);
	if (rc != CLXS_OK) {
		clxs_buf_free(&repl);
		return rc;
	}
	sig_tokens s;
	rc = sig_load(sql, &s, err);
	if (rc != CLXS_OK) {
		clxs_buf_free(&repl);
		return rc;
	}
	size_t flen = strlen(from_catalog), copied = 0;
	for (size_t k = 0; k < s.nsig; k++) {
		const clxs_sql_token *t = sig_at(&s, k);
		if (!chain_start(sql, &s, k) ||
		    !clxs_sql_ident_eq(t->value, t->value_len, from_catalog, flen))
			continue;
		if (clxs_buf_append(&b, sql + copied, t->start - copied) < 0)
			break;
		/* `x`main.s.t would become `x``to`: one identifier. Keep them
		 * apart (such text is not valid SQL, but must stay two tokens). */
		if (t->start > 0 && sql[t->start - 1] == '`' && clxs_buf_putc(&b, ' ') < 0)
			break;
		if (clxs_buf_append(&b, repl.data, repl.len) < 0)
			break;
		copied = t->start + t->len;
	}
	clxs_buf_append(&b, sql + copied, strlen(sql + copied));
	sig_free(&s);
	clxs_buf_free(&repl);
	if (clxs_buf_failed(&b)) {
		clxs_buf_free(&b);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory rewriting SQL");
	}
	*out = clxs_buf_detach(&b);
	if (!*out)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory rewriting SQL");
	return CLXS_OK;
}

void clxs_sql_refs_free(clxs_sql_ref *refs, size_t n)
{
	if (!refs)
		return;
	for (size_t i = 0; i < n; i++) {
		free(refs[i].catalog);
		free(refs[i].schema);
		free(refs[i].name);
	}
	free(refs);
}

static int same_ref(const clxs_sql_ref *r, const clxs_sql_token *c,
		    const clxs_sql_token *sc, const clxs_sql_token *nm)
{
	return clxs_sql_ident_eq(r->catalog, strlen(r->catalog), c->value, strlen(c->value)) &&
	       clxs_sql_ident_eq(r->schema, strlen(r->schema), sc->value, strlen(sc->value)) &&
	       clxs_sql_ident_eq(r->name, strlen(r->name), nm->value, strlen(nm->value));
}

clxs_code clxs_sql_references(const char *sql, clxs_sql_ref **refs, size_t *n,
			      clxs_error *err)
{
	*refs = NULL;
	*n = 0;
	sig_tokens s;
	clxs_code rc = sig_load(sql, &s, err);
	if (rc != CLXS_OK)
		return rc;
	clxs_sql_ref *v = NULL;
	size_t nv = 0, cap = 0;
	for (size_t k = 0; k < s.nsig; k++) {
		if (!chain_start(sql, &s, k))
			continue;
		const clxs_sql_token *c = sig_at(&s, k), *sc = sig_at(&s, k + 2),
				     *nm = sig_at(&s, k + 4);
		int dup = 0;
		for (size_t i = 0; i < nv && !dup; i++)
			dup = same_ref(&v[i], c, sc, nm);
		if (dup)
			continue;
		if (nv == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			clxs_sql_ref *nr = ncap < SIZE_MAX / sizeof(*nr)
				? realloc(v, ncap * sizeof(*nr)) : NULL;
			if (!nr)
				goto nomem;
			v = nr;
			cap = ncap;
		}
		clxs_sql_ref r = {strdup(c->value), strdup(sc->value), strdup(nm->value)};
		if (!r.catalog || !r.schema || !r.name) {
			free(r.catalog);
			free(r.schema);
			free(r.name);
			goto nomem;
		}
		v[nv++] = r;
		k += 4; /* the parts just used cannot start another chain */
	}
	sig_free(&s);
	*refs = v;
	*n = nv;
	return CLXS_OK;
nomem:
	sig_free(&s);
	clxs_sql_refs_free(v, nv);
	return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory listing SQL references");
}
