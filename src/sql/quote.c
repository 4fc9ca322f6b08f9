/* Identifier and string-literal quoting for Databricks SQL.
 *
 * Identifiers: Databricks delimited identifiers are `...` with a backtick
 * written as two backticks; nothing else is special inside, so quoting every
 * identifier (even plain ones) is always correct and never ambiguous.
 *
 * Literals: Spark treats backslash as an escape character inside '...', so
 * both \ and ' are backslash-escaped ('' would NOT work: Spark reads 'a''b'
 * as two adjacent literals, "ab"). Control characters are escaped so that
 * statements stay on one line in logs; NUL and the rarer controls use the
 * \uXXXX form because Spark reads \0 followed by two octal digits as an
 * octal escape, which would swallow the digits that follow. */
#include "clxs/sql.h"

#include <string.h>

#include "sql_internal.h"

/* Checks shared by ident and ident_n; returns CLXS_OK when name is usable. */
static clxs_code check_ident(const char *name, size_t len, clxs_error *err)
{
	if (!name)
		return clxs_fail(err, CLXS_EINVAL, "identifier", "identifier is missing");
	if (len == 0)
		return clxs_fail(err, CLXS_EINVAL, "identifier", "identifier is empty");
	size_t chars = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		if (name[i] == '\0')
			return clxs_fail(err, CLXS_EINVAL, "identifier",
					 "identifier contains a NUL byte");
		size_t n = clxs_sql_utf8_seq((const unsigned char *)name + i, len - i, &cp);
		if (n == 0)
			return clxs_fail(err, CLXS_EINVAL, "identifier",
					 "identifier is not valid UTF-8");
		i += n;
		if (++chars > CLXS_SQL_IDENT_MAX)
			return clxs_fail(err, CLXS_EINVAL, "identifier",
					 "identifier longer than %d characters",
					 CLXS_SQL_IDENT_MAX);
	}
	return CLXS_OK;
}

static clxs_code nomem(clxs_buf *b, size_t mark, clxs_error *err)
{
	clxs_buf_truncate(b, mark);
	return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory building SQL");
}

clxs_code clxs_sql_quote_ident_n(clxs_buf *b, const char *name, size_t len,
				 clxs_error *err)
{
	clxs_code rc = check_ident(name, len, err);
	if (rc != CLXS_OK)
		return rc;
	size_t mark = b->len;
	/* Room for the usual case (no backticks inside); doubling grows it. */
	if (clxs_buf_reserve(b, len + 2) < 0 || clxs_buf_putc(b, '`') < 0)
		return nomem(b, mark, err);
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] != '`')
			continue;
		/* Copy up to and including the backtick, then double it. */
		if (clxs_buf_append(b, name + run, i + 1 - run) < 0 ||
		    clxs_buf_putc(b, '`') < 0)
			return nomem(b, mark, err);
		run = i + 1;
	}
	if (clxs_buf_append(b, name + run, len - run) < 0 || clxs_buf_putc(b, '`') < 0)
		return nomem(b, mark, err);
	return CLXS_OK;
}

clxs_code clxs_sql_quote_ident(clxs_buf *b, const char *name, clxs_error *err)
{
	return clxs_sql_quote_ident_n(b, name, name ? strlen(name) : 0, err);
}

clxs_code clxs_sql_quote_name(clxs_buf *b, const char *const *parts, size_t n,
			      clxs_error *err)
{
	if (!parts || n == 0)
		return clxs_fail(err, CLXS_EINVAL, "identifier", "name has no parts");
	size_t mark = b->len;
	for (size_t i = 0; i < n; i++) {
		if (i && clxs_buf_putc(b, '.') < 0)
			return nomem(b, mark, err);
		clxs_code rc = clxs_sql_quote_ident(b, parts[i], err);
		if (rc != CLXS_OK) {
			clxs_buf_truncate(b, mark);
			return rc;
		}
	}
	return CLXS_OK;
}

clxs_code clxs_sql_quote_literal_n(clxs_buf *b, const char *s, size_t len,
				   clxs_error *err)
{
	size_t mark = b->len;
	if (!s) {
		if (clxs_buf_puts(b, "NULL") < 0)
			return nomem(b, mark, err);
		return CLXS_OK;
	}
	/* Validate first so that a bad value appends nothing at all. */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = clxs_sql_utf8_seq((const unsigned char *)s + i, len - i, &cp);
		if (n == 0)
			return clxs_fail(err, CLXS_EINVAL, "literal",
					 "string value is not valid UTF-8");
		i += n;
	}
	if (clxs_buf_reserve(b, len + 2) < 0 || clxs_buf_putc(b, '\'') < 0)
		return nomem(b, mark, err);
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		const char *rep = NULL;
		switch (c) {
		case '\\': rep = "\\\\"; break;
		case '\'': rep = "\\'"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7F) {
				static const char hex[] = "0123456789ABCDEF";
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				esc[6] = '\0';
				rep = esc;
			}
		}
		if (!rep)
			continue;
		if (clxs_buf_append(b, s + run, i - run) < 0 || clxs_buf_puts(b, rep) < 0)
			return nomem(b, mark, err);
		run = i + 1;
	}
	if (clxs_buf_append(b, s + run, len - run) < 0 || clxs_buf_putc(b, '\'') < 0)
		return nomem(b, mark, err);
	return CLXS_OK;
}

clxs_code clxs_sql_quote_literal(clxs_buf *b, const char *s, clxs_error *err)
{
	return clxs_sql_quote_literal_n(b, s, s ? strlen(s) : 0, err);
}
