/* Lexer for the Databricks (Spark SQL) dialect.
 *
 * It follows Spark's ANTLR lexer (SqlBaseLexer.g4) where that matters for
 * token boundaries: backslash escapes in both quote styles, raw r'...'
 * strings, `` inside backticks, nested block comments, '--' comments that
 * a backslash-newline continues, identifiers that may start with a digit
 * (1st) and Spark's rule that a decimal such as 1.5 is only a number when
 * no letter, digit or '_' follows it (so t.1col is t . 1col). Token
 * boundaries decide what a rewrite may touch, so they must be exact; the
 * decoded values follow Spark's unescapeSQLString. */
#include "clxs/sql_token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql_internal.h"

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_ident_start(unsigned char c) { return is_alpha(c) || c == '_'; }
static int is_ident_char(unsigned char c) { return is_ident_start(c) || is_digit(c); }
static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void clxs_sql_lexer_init(clxs_sql_lexer *lx, const char *sql, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = sql ? sql : "";
	lx->len = sql ? len : 0;
	lx->line = 1;
	lx->col = 1;
	lx->prev_kind = CLXS_TOK_EOF;
}

/* Move to byte `end`, counting lines (\n, \r\n or a lone \r) and columns
 * in characters (UTF-8 continuation bytes do not count). */
static void advance_to(clxs_sql_lexer *lx, size_t end)
{
	while (lx->pos < end) {
		unsigned char c = (unsigned char)lx->src[lx->pos++];
		if (c == '\n' || (c == '\r' && (lx->pos >= lx->len || lx->src[lx->pos] != '\n'))) {
			lx->line++;
			lx->col = 1;
		} else if ((c & 0xC0) != 0x80) {
			lx->col++;
		}
	}
}

static size_t ident_run(const char *s, size_t len, size_t i)
{
	while (i < len && is_ident_char((unsigned char)s[i]))
		i++;
	return i;
}

/* Spark's numeric suffixes: L S Y only on plain integers; F D BD on any. */
static size_t suffix_len(const char *s, size_t len, size_t j, int integer)
{
	if (j >= len)
		return 0;
	unsigned char c = (unsigned char)(s[j] | 0x20);
	if (c == 'b' && j + 1 < len && (s[j + 1] | 0x20) == 'd')
		return 2;
	if (c == 'f' || c == 'd')
		return 1;
	if (integer && (c == 'l' || c == 's' || c == 'y'))
		return 1;
	return 0;
}

/* End of the numeric literal at s[i] (a digit, or '.' then a digit), or i
 * when there is none. */
static size_t scan_number(const char *s, size_t len, size_t i)
{
	size_t j = i;
	while (j < len && is_digit((unsigned char)s[j]))
		j++;
	size_t int_end = j;
	int dec = 0, exp = 0;
	if (j < len && s[j] == '.') {
		size_t k = j + 1;
		while (k < len && is_digit((unsigned char)s[k]))
			k++;
		if (k > j + 1 || int_end > i) {
			dec = 1;
			j = k;
		}
	}
	if (int_end == i && !dec)
		return i;
	if (j < len && (s[j] | 0x20) == 'e') {
		size_t k = j + 1;
		if (k < len && (s[k] == '+' || s[k] == '-'))
			k++;
		if (k < len && is_digit((unsigned char)s[k])) {
			while (k < len && is_digit((unsigned char)s[k]))
				k++;
			j = k;
			exp = 1;
		}
	}
	j += suffix_len(s, len, j, !dec && !exp);
	/* Spark's isValidDecimal: 2.3W or 2.3_ is not a decimal; the lexer
	 * then falls back to the integer part (or to '.' alone). */
	if (dec && j < len && is_ident_char((unsigned char)s[j]))
		return int_end;
	return j;
}

static size_t scan_line_comment(const char *s, size_t len, size_t i)
{
	size_t j = i + 2;
	while (j < len) {
		if (s[j] == '\\' && j + 1 < len && s[j + 1] == '\n')
			j += 2; /* Spark: a backslash-newline continues the comment */
		else if (s[j] == '\n' || s[j] == '\r')
			break;
		else
			j++;
	}
	return j;
}

/* Block comments nest, as in Spark 3. Returns 0 when unterminated. */
static size_t scan_block_comment(const char *s, size_t len, size_t i)
{
	size_t depth = 1, j = i + 2;
	while (j < len) {
		if (s[j] == '/' && j + 1 < len && s[j + 1] == '*') {
			depth++;
			j += 2;
		} else if (s[j] == '*' && j + 1 < len && s[j + 1] == '/') {
			j += 2;
			if (--depth == 0)
				return j;
		} else {
			j++;
		}
	}
	return 0;
}

/* Quoted string whose opening quote is at s[q]. Returns 0 if unterminated. */
static size_t scan_string(const char *s, size_t len, size_t q, int raw)
{
	char quote = s[q];
	for (size_t j = q + 1; j < len; j++) {
		if (s[j] == '\\' && !raw) {
			if (++j >= len)
				return 0;
		} else if (s[j] == quote) {
			return j + 1;
		}
	}
	return 0;
}

static size_t scan_backticks(const char *s, size_t len, size_t i)
{
	for (size_t j = i + 1; j < len; j++) {
		if (s[j] != '`')
			continue;
		if (j + 1 < len && s[j + 1] == '`')
			j++;
		else
			return j + 1;
	}
	return 0;
}

static int hexval(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return 0;
		*v = (*v << 4) | (uint32_t)h;
	}
	return 1;
}

/* Spark's unescapeSQLString on the content c[0..n) of a non-raw literal. */
static int unescape(clxs_buf *b, const char *c, size_t n)
{
	size_t k = 0;
	while (k < n) {
		size_t run = k;
		while (k < n && c[k] != '\\')
			k++;
		if (clxs_buf_append(b, c + run, k - run) < 0)
			return -1;
		if (k >= n)
			break;
		/* The lexer guarantees a character after every backslash. */
		unsigned char e = (unsigned char)c[k + 1];
		uint32_t cp, lo;
		if (e == 'u' && k + 6 <= n && hex4(c + k + 2, &cp)) {
			k += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && k + 6 <= n && c[k] == '\\' &&
			    c[k + 1] == 'u' && hex4(c + k + 2, &lo) && lo >= 0xDC00 &&
			    lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				k += 6;
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD; /* a lone surrogate has no UTF-8 form */
			}
			if (clxs_sql_utf8_put(b, cp) < 0)
				return -1;
			continue;
		}
		if (k + 4 <= n && (e == '0' || e == '1') && c[k + 2] >= '0' && c[k + 2] <= '7' &&
		    c[k + 3] >= '0' && c[k + 3] <= '7') {
			char o = (char)(((e - '0') << 6) | ((c[k + 2] - '0') << 3) | (c[k + 3] - '0'));
			if (clxs_buf_putc(b, o) < 0)
				return -1;
			k += 4;
			continue;
		}
		int rc;
		switch (e) {
		case '0': rc = clxs_buf_putc(b, '\0'); break;
		case 'b': rc = clxs_buf_putc(b, '\b'); break;
		case 'n': rc = clxs_buf_putc(b, '\n'); break;
		case 'r': rc = clxs_buf_putc(b, '\r'); break;
		case 't': rc = clxs_buf_putc(b, '\t'); break;
		case 'Z': rc = clxs_buf_putc(b, '\x1A'); break;
		case '%': rc = clxs_buf_puts(b, "\\%"); break; /* kept for LIKE */
		case '_': rc = clxs_buf_puts(b, "\\_"); break;
		default: rc = clxs_buf_putc(b, (char)e); break;
		}
		if (rc < 0)
			return -1;
		k += 2;
	}
	return 0;
}

static int decode_value(clxs_buf *b, const clxs_sql_token *t, const char *s)
{
	const char *p = s + t->start;
	size_t n = t->len;
	switch (t->kind) {
	case CLXS_TOK_IDENT:
		return clxs_buf_append(b, p, n);
	case CLXS_TOK_PARAM:
		return n > 1 ? clxs_buf_append(b, p + 1, n - 1) : clxs_buf_puts(b, "");
	case CLXS_TOK_QUOTED_IDENT: {
		size_t run = 1;
		for (size_t i = 1; i + 1 < n; i++) {
			if (p[i] != '`')
				continue;
			if (clxs_buf_append(b, p + run, i + 1 - run) < 0)
				return -1;
			i++; /* skip the doubling backtick */
			run = i + 1;
		}
		return clxs_buf_append(b, p + run, n - 1 - run);
	}
	case CLXS_TOK_STRING:
		if (t->flags & CLXS_TOKF_RAW)
			return clxs_buf_append(b, p + 2, n - 3);
		return unescape(b, p + 1, n - 2);
	default:
		return 0;
	}
}

static clxs_code unterminated(clxs_sql_lexer *lx, clxs_error *err, const char *what)
{
	lx->err_line = lx->line;
	lx->err_col = lx->col;
	return clxs_fail(err, CLXS_EINVAL, "sql", "unterminated %s starting at %u:%u",
			 what, lx->line, lx->col);
}

/* `:name` is a named parameter unless the colon directly follows a value
 * (an identifier, literal or closing bracket), where Databricks reads it as
 * the JSON path operator: raw:field. */
static int param_allowed(const clxs_sql_lexer *lx)
{
	switch (lx->prev_kind) {
	case CLXS_TOK_EOF:
	case CLXS_TOK_WHITESPACE:
	case CLXS_TOK_COMMENT:
	case CLXS_TOK_OPERATOR:
		return 1;
	case CLXS_TOK_PUNCT:
		return lx->prev_last != ')' && lx->prev_last != ']' && lx->prev_last != '}';
	default:
		return 0;
	}
}

static size_t scan_operator(const char *s, size_t len, size_t i)
{
	static const char *const two[] = {"<>", "!=", "<=", ">=", "==", "||", "->",
					  "=>", "|>", "!<", "!>", "::"};
	if (i + 2 < len && !memcmp(s + i, "<=>", 3))
		return 3;
	if (i + 1 < len)
		for (size_t k = 0; k < sizeof(two) / sizeof(two[0]); k++)
			if (s[i] == two[k][0] && s[i + 1] == two[k][1])
				return 2;
	/* '>' stays single so that array<array<int>> closes correctly; the
	 * parser joins adjacent '>' '>' into a shift when it needs to. */
	if (s[i] && strchr("=<>!+-*/%~&|^:", s[i]))
		return 1;
	return 0;
}

clxs_code clxs_sql_lex_next(clxs_sql_lexer *lx, clxs_sql_token *tok,
			    clxs_buf *value, clxs_error *err)
{
	memset(tok, 0, sizeof(*tok));
	if (value)
		clxs_buf_reset(value);
	if (lx->len > CLXS_SQL_TEXT_MAX)
		return clxs_fail(err, CLXS_ETOOLARGE, "sql", "SQL text longer than %zu bytes",
				 CLXS_SQL_TEXT_MAX);
	const char *s = lx->src;
	size_t len = lx->len, i = lx->pos, end = i + 1;
	tok->start = i;
	tok->line = lx->line;
	tok->col = lx->col;
	if (i >= len) {
		tok->kind = CLXS_TOK_EOF;
		return CLXS_OK;
	}
	unsigned char c = (unsigned char)s[i];
	unsigned char next = i + 1 < len ? (unsigned char)s[i + 1] : 0;
	clxs_sql_tok_kind kind;
	unsigned flags = 0;
	size_t n;

	if (is_space(c)) {
		kind = CLXS_TOK_WHITESPACE;
		while (end < len && is_space((unsigned char)s[end]))
			end++;
	} else if (c == '-' && next == '-') {
		kind = CLXS_TOK_COMMENT;
		end = scan_line_comment(s, len, i);
	} else if (c == '/' && next == '*') {
		kind = CLXS_TOK_COMMENT;
		flags = CLXS_TOKF_BLOCK | (i + 2 < len && s[i + 2] == '+' ? CLXS_TOKF_HINT : 0);
		if (!(end = scan_block_comment(s, len, i)))
			return unterminated(lx, err, "block comment");
	} else if (c == '`') {
		kind = CLXS_TOK_QUOTED_IDENT;
		if (!(end = scan_backticks(s, len, i)))
			return unterminated(lx, err, "quoted identifier");
	} else if (c == '\'' || c == '"') {
		kind = CLXS_TOK_STRING;
		flags = c == '"' ? CLXS_TOKF_DQUOTE : 0;
		if (!(end = scan_string(s, len, i, 0)))
			return unterminated(lx, err, "string literal");
	} else if ((c == 'r' || c == 'R') && (next == '\'' || next == '"')) {
		kind = CLXS_TOK_STRING;
		flags = CLXS_TOKF_RAW | (next == '"' ? CLXS_TOKF_DQUOTE : 0);
		if (!(end = scan_string(s, len, i + 1, 1)))
			return unterminated(lx, err, "raw string literal");
	} else if (is_ident_start(c)) {
		kind = CLXS_TOK_IDENT;
		end = ident_run(s, len, i);
	} else if (is_digit(c) || (c == '.' && is_digit(next))) {
		kind = CLXS_TOK_NUMBER;
		end = scan_number(s, len, i);
		if (end == i) {
			kind = CLXS_TOK_PUNCT; /* '.' before an identifier like 1col */
			end = i + 1;
		} else if (is_digit(c)) {
			/* Longest match, numbers winning ties: 1st is an identifier. */
			size_t id = ident_run(s, len, i);
			if (id > end) {
				kind = CLXS_TOK_IDENT;
				end = id;
			}
		}
	} else if (c == '?') {
		kind = CLXS_TOK_PARAM;
	} else if (c == ':' && next != ':' && is_ident_start(next) && param_allowed(lx)) {
		kind = CLXS_TOK_PARAM;
		end = ident_run(s, len, i + 1);
	} else if (c && strchr(".,;()[]{}", c)) {
		kind = CLXS_TOK_PUNCT;
	} else if ((n = scan_operator(s, len, i)) > 0) {
		kind = CLXS_TOK_OPERATOR;
		end = i + n;
	} else {
		uint32_t cp;
		kind = CLXS_TOK_UNKNOWN;
		n = clxs_sql_utf8_seq((const unsigned char *)s + i, len - i, &cp);
		end = i + (n ? n : 1);
	}

	tok->kind = kind;
	tok->flags = flags;
	tok->len = end - i;
	if (value && (kind == CLXS_TOK_IDENT || kind == CLXS_TOK_QUOTED_IDENT ||
		      kind == CLXS_TOK_STRING || kind == CLXS_TOK_PARAM)) {
		/* puts("") first so that even an empty value is a real string. */
		if (clxs_buf_puts(value, "") < 0 || decode_value(value, tok, s) < 0)
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory tokenizing SQL");
		tok->value = clxs_buf_str(value);
		tok->value_len = value->len;
	}
	advance_to(lx, end);
	lx->prev_kind = kind;
	lx->prev_last = s[end - 1];
	return CLXS_OK;
}

int clxs_sql_tok_is_trivia(clxs_sql_tok_kind kind)
{
	return kind == CLXS_TOK_WHITESPACE || kind == CLXS_TOK_COMMENT;
}

const char *clxs_sql_tok_kind_name(clxs_sql_tok_kind kind)
{
	static const char *const names[] = {
		[CLXS_TOK_EOF] = "EOF",
		[CLXS_TOK_WHITESPACE] = "WHITESPACE",
		[CLXS_TOK_COMMENT] = "COMMENT",
		[CLXS_TOK_IDENT] = "IDENT",
		[CLXS_TOK_QUOTED_IDENT] = "QUOTED_IDENT",
		[CLXS_TOK_STRING] = "STRING",
		[CLXS_TOK_NUMBER] = "NUMBER",
		[CLXS_TOK_OPERATOR] = "OPERATOR",
		[CLXS_TOK_PUNCT] = "PUNCT",
		[CLXS_TOK_PARAM] = "PARAM",
		[CLXS_TOK_UNKNOWN] = "UNKNOWN",
	};
	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}

void clxs_sql_tokens_free(clxs_sql_tokens *t)
{
	if (!t)
		return;
	free(t->tok);
	free(t->values);
	memset(t, 0, sizeof(*t));
}

clxs_code clxs_sql_tokenize(const char *sql, size_t len, clxs_sql_tokens *out,
			    clxs_error *err)
{
	memset(out, 0, sizeof(*out));
	clxs_sql_lexer lx;
	clxs_sql_lexer_init(&lx, sql, len);
	clxs_buf val, arena;
	clxs_buf_init(&val);
	clxs_buf_init(&arena);
	/* Values go into one arena; pointers are fixed up at the end because
	 * the arena moves while it grows. Until then tok[i].value holds NULL
	 * and offs[i] the offset. */
	size_t *offs = NULL, cap = 0;
	clxs_code rc = CLXS_OK;
	for (;;) {
		clxs_sql_token t;
		rc = clxs_sql_lex_next(&lx, &t, &val, err);
		if (rc != CLXS_OK)
			break;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			clxs_sql_token *nt = ncap < SIZE_MAX / sizeof(*nt)
				? realloc(out->tok, ncap * sizeof(*nt)) : NULL;
			if (nt)
				out->tok = nt;
			size_t *no = nt ? realloc(offs, ncap * sizeof(*no)) : NULL;
			if (!no) {
				rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory tokenizing SQL");
				break;
			}
			offs = no;
			cap = ncap;
		}
		offs[out->n] = SIZE_MAX;
		if (t.value) {
			offs[out->n] = arena.len;
			if (clxs_buf_append(&arena, t.value, t.value_len + 1) < 0) {
				rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory tokenizing SQL");
				break;
			}
			t.value = NULL;
		}
		out->tok[out->n++] = t;
		if (t.kind == CLXS_TOK_EOF)
			break;
	}
	clxs_buf_free(&val);
	if (rc != CLXS_OK) {
		free(offs);
		clxs_buf_free(&arena);
		clxs_sql_tokens_free(out);
		out->err_line = lx.err_line;
		out->err_col = lx.err_col;
		return rc;
	}
	out->values = arena.data; /* may be NULL when no token has a value */
	for (size_t i = 0; i < out->n; i++)
		if (offs[i] != SIZE_MAX)
			out->tok[i].value = out->values + offs[i];
	free(offs);
	return CLXS_OK;
}
