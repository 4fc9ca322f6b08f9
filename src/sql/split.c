/* Statement splitting on top-level ';'.
 *
 * Works on tokens, so a ';' inside a string, a backticked identifier or a
 * comment never splits. Databricks SQL scripting puts ';' inside compound
 * statements (BEGIN ... END), so a statement that starts with BEGIN (or
 * `label: BEGIN`) is followed to its matching END: BEGIN and CASE open a
 * block, and so do IF, WHILE, LOOP, REPEAT and FOR where a statement can
 * start; every END closes one, and the IF/CASE/... right after END belongs
 * to that END. */
#include "clxs/sql_token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql_internal.h"

typedef struct {
	const char *sql;
	clxs_sql_stmt *v;
	size_t n, cap;
} stmt_list;

static int is_kw(const char *sql, const clxs_sql_token *t, const char *kw)
{
	return t->kind == CLXS_TOK_IDENT && clxs_sql_ident_eq(sql + t->start, t->len, kw, strlen(kw));
}

static int push(stmt_list *l, size_t start, size_t end, unsigned line, unsigned col)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		clxs_sql_stmt *nv = ncap < SIZE_MAX / sizeof(*nv)
			? realloc(l->v, ncap * sizeof(*nv)) : NULL;
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	char *text = strndup(l->sql + start, end - start);
	if (!text)
		return -1;
	l->v[l->n++] = (clxs_sql_stmt){text, start, end - start, line, col};
	return 0;
}

/* Next significant token, skipping whitespace and comments. */
static clxs_code next_sig(clxs_sql_lexer *lx, clxs_sql_token *t, clxs_error *err)
{
	clxs_code rc;
	do
		rc = clxs_sql_lex_next(lx, t, NULL, err);
	while (rc == CLXS_OK && clxs_sql_tok_is_trivia(t->kind));
	return rc;
}

/* Whether a statement starting with BEGIN is a compound statement rather
 * than BEGIN [TRANSACTION | WORK]. Peeks on a copy of the lexer. */
static int begins_compound(const char *sql, const clxs_sql_lexer *lx)
{
	clxs_sql_lexer peek = *lx;
	clxs_sql_token t;
	if (next_sig(&peek, &t, NULL) != CLXS_OK)
		return 1; /* the caller meets the same error itself */
	if (t.kind == CLXS_TOK_EOF || (t.kind == CLXS_TOK_PUNCT && sql[t.start] == ';'))
		return 0;
	return !is_kw(sql, &t, "TRANSACTION") && !is_kw(sql, &t, "WORK");
}

static int opens_at_statement_start(const char *sql, const clxs_sql_token *t)
{
	return is_kw(sql, t, "IF") || is_kw(sql, t, "WHILE") || is_kw(sql, t, "LOOP") ||
	       is_kw(sql, t, "REPEAT") || is_kw(sql, t, "FOR");
}

/* Whether the token before `t` leaves us where a statement may start. */
static int statement_position(const char *sql, const clxs_sql_token *prev)
{
	if (prev->kind == CLXS_TOK_PUNCT && sql[prev->start] == ';')
		return 1;
	if (prev->kind == CLXS_TOK_OPERATOR && prev->len == 1 && sql[prev->start] == ':')
		return 1; /* after a label */
	return is_kw(sql, prev, "BEGIN") || is_kw(sql, prev, "THEN") ||
	       is_kw(sql, prev, "ELSE") || is_kw(sql, prev, "DO") ||
	       is_kw(sql, prev, "LOOP") || is_kw(sql, prev, "REPEAT");
}

void clxs_sql_stmts_free(clxs_sql_stmt *stmts, size_t n)
{
	if (!stmts)
		return;
	for (size_t i = 0; i < n; i++)
		free(stmts[i].text);
	free(stmts);
}

clxs_code clxs_sql_split(const char *sql, size_t len, clxs_sql_stmt **out,
			 size_t *n, clxs_error *err)
{
	*out = NULL;
	*n = 0;
	stmt_list l = {sql, NULL, 0, 0};
	clxs_sql_lexer lx;
	clxs_sql_lexer_init(&lx, sql, len);
	clxs_sql_token t, prev = {0}, first = {0};
	size_t nsig = 0, last_end = 0, depth = 0;
	int compound = 0;
	clxs_code rc;
	for (;;) {
		rc = next_sig(&lx, &t, err);
		if (rc != CLXS_OK)
			goto fail;
		int semi = t.kind == CLXS_TOK_PUNCT && sql[t.start] == ';';
		if (t.kind == CLXS_TOK_EOF || (semi && depth == 0)) {
			if (nsig && push(&l, first.start, last_end, first.line, first.col) < 0) {
				rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory splitting SQL");
				goto fail;
			}
			if (t.kind == CLXS_TOK_EOF)
				break;
			nsig = 0;
			depth = 0;
			compound = 0;
			prev = t;
			continue;
		}
		if (nsig == 0)
			first = t;
		/* BEGIN as the first token, or after `label :`. */
		if (!compound && is_kw(sql, &t, "BEGIN") &&
		    (nsig == 0 || (nsig == 2 && prev.kind == CLXS_TOK_OPERATOR &&
				   sql[prev.start] == ':')) &&
		    begins_compound(sql, &lx))
			compound = 1;
		if (compound && t.kind == CLXS_TOK_IDENT) {
			int after_end = is_kw(sql, &prev, "END");
			if (is_kw(sql, &t, "END")) {
				if (depth)
					depth--;
			} else if (is_kw(sql, &t, "BEGIN")) {
				depth++;
			} else if (is_kw(sql, &t, "CASE") && !after_end) {
				depth++;
			} else if (!after_end && opens_at_statement_start(sql, &t) &&
				   statement_position(sql, &prev)) {
				depth++;
			}
		}
		nsig++;
		last_end = t.start + t.len;
		prev = t;
	}
	*out = l.v;
	*n = l.n;
	return CLXS_OK;
fail:
	clxs_sql_stmts_free(l.v, l.n);
	return rc;
}
