/* Tokenizer for the Databricks (Spark SQL) dialect, and the tools built on
 * it: statement splitting, catalog-reference rewriting and reference
 * listing. The tokenizer is lossless: the tokens of a text, whitespace and
 * comments included, cover it byte for byte, so a rewrite can copy every
 * token it does not change. See docs/sql.md for the exact rules. */
#ifndef CLXS_SQL_TOKEN_H
#define CLXS_SQL_TOKEN_H

#include <stddef.h>

#include "clxs/buf.h"
#include "clxs/error.h"

/* Longest text the tokenizer accepts (CLXS_ETOOLARGE beyond). */
#define CLXS_SQL_TEXT_MAX ((size_t)64 * 1024 * 1024)

typedef enum {
	CLXS_TOK_EOF = 0,
	CLXS_TOK_WHITESPACE,   /* run of space, \t, \n, \r, \f, \v */
	CLXS_TOK_COMMENT,      /* -- to end of line, or nested block comment */
	CLXS_TOK_IDENT,        /* bare identifier or keyword, case preserved */
	CLXS_TOK_QUOTED_IDENT, /* `...`; value has `` undoubled */
	CLXS_TOK_STRING,       /* '...' "..." r'...' R"..."; value unescaped */
	CLXS_TOK_NUMBER,       /* 42 10L 7S 1Y 1.5 .5 1e3 1.5D 2BD 3F */
	CLXS_TOK_OPERATOR,     /* = <> != <=> <= >= == || :: -> => |> + - ... */
	CLXS_TOK_PUNCT,        /* . , ; ( ) [ ] { } */
	CLXS_TOK_PARAM,        /* ? or :name; value is "" or the name */
	CLXS_TOK_UNKNOWN,      /* a character Spark would not accept here */
} clxs_sql_tok_kind;

/* Token flags. */
#define CLXS_TOKF_RAW     0x1u /* STRING: raw r'...' literal, no escapes */
#define CLXS_TOKF_DQUOTE  0x2u /* STRING: delimited by double quotes */
#define CLXS_TOKF_BLOCK   0x4u /* COMMENT: a block comment */
#define CLXS_TOKF_HINT    0x8u /* COMMENT: a block comment opened by slash-star-plus */

typedef struct {
	clxs_sql_tok_kind kind;
	unsigned flags;
	size_t start;       /* byte offset in the text */
	size_t len;         /* byte length of the token text */
	unsigned line, col; /* 1-based; col counts UTF-8 characters */
	/* IDENT, QUOTED_IDENT, STRING, PARAM: the decoded value, NUL-terminated
	 * (a STRING value may also contain NULs: use value_len). NULL for other
	 * kinds. */
	const char *value;
	size_t value_len;
} clxs_sql_token;

/* Streaming lexer: no allocation except the optional value buffer. */
typedef struct {
	const char *src;
	size_t len, pos;
	unsigned line, col;
	/* The token just before, for telling a :name parameter from the
	 * colon of a JSON path (raw:field); EOF means start of text. */
	clxs_sql_tok_kind prev_kind;
	char prev_last;              /* last byte of that token */
	unsigned err_line, err_col;  /* where the last error was found */
} clxs_sql_lexer;

void clxs_sql_lexer_init(clxs_sql_lexer *lx, const char *sql, size_t len);
/* Next token. When `value` is non-NULL it is reset and receives the decoded
 * value, and tok->value points into it (valid until the next call). With a
 * NULL value buffer tok->value is NULL. Returns CLXS_EINVAL with line:col
 * in the message for unterminated strings, identifiers and comments. */
clxs_code clxs_sql_lex_next(clxs_sql_lexer *lx, clxs_sql_token *tok,
			    clxs_buf *value, clxs_error *err);

/* Whole-text tokenization. tok[n-1] is always the EOF token. */
typedef struct {
	clxs_sql_token *tok;
	size_t n;
	char *values;               /* storage behind every tok[i].value */
	unsigned err_line, err_col; /* position of a tokenize error */
} clxs_sql_tokens;

clxs_code clxs_sql_tokenize(const char *sql, size_t len, clxs_sql_tokens *out,
			    clxs_error *err);
void clxs_sql_tokens_free(clxs_sql_tokens *t);
const char *clxs_sql_tok_kind_name(clxs_sql_tok_kind kind);
/* Whitespace or comment: tokens a parser skips. */
int clxs_sql_tok_is_trivia(clxs_sql_tok_kind kind);

/* Statement splitting on top-level ';'. */
typedef struct {
	char *text;         /* the statement without the ';', trimmed */
	size_t start, len;  /* where `text` lies in the input */
	unsigned line, col; /* position of its first token */
} clxs_sql_stmt;

/* Split `sql` into statements at ';' outside strings, quoted identifiers
 * and comments (and outside BEGIN ... END compound statements). Leading and
 * trailing whitespace and comments are trimmed; statements with nothing
 * else are dropped. *out may be NULL when *n is 0. */
clxs_code clxs_sql_split(const char *sql, size_t len, clxs_sql_stmt **out,
			 size_t *n, clxs_error *err);
void clxs_sql_stmts_free(clxs_sql_stmt *stmts, size_t n);

/* Replace the catalog part of every three-part (or longer) name
 * catalog.schema.object whose first part equals `from_catalog` (ASCII
 * case-insensitively; bare or backticked) with `to_catalog`, backticked.
 * Strings, comments, and names of one or two parts are left alone. The
 * rest of the text is copied byte for byte. *out is malloc'd. */
clxs_code clxs_sql_rewrite_catalog(const char *sql, const char *from_catalog,
				   const char *to_catalog, char **out,
				   clxs_error *err);

/* A three-part reference found in a text. */
typedef struct {
	char *catalog, *schema, *name;
} clxs_sql_ref;

/* List the distinct (ASCII case-insensitively) catalog.schema.object
 * references in `sql`, in order of first appearance, as written. For longer
 * dotted chains (a.b.c.col) the first three parts are reported. These are
 * lexical candidates: the caller decides which name real objects. */
clxs_code clxs_sql_references(const char *sql, clxs_sql_ref **refs, size_t *n,
			      clxs_error *err);
void clxs_sql_refs_free(clxs_sql_ref *refs, size_t n);

#endif
