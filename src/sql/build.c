/* The printf-like SQL builder: the one way engine SQL is assembled.
 *
 * Only our own directives are understood, each of which quotes what it is
 * given; plain printf conversions such as %s are refused so that a string
 * can never slip into a statement unquoted by habit. */
#include "clxs/sql.h"

#include <stdio.h>
#include <string.h>

/* %K is for keywords written in our source code. These checks cannot make
 * user input safe, but they stop the obvious ways a fragment could open a
 * string, identifier or comment or end the statement. */
static int keyword_ok(const char *k)
{
	for (const char *p = k; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\'' || c == '"' || c == '`' || c == '\\' || c == ';')
			return 0;
		if (c < 0x20 && c != ' ' && c != '\n' && c != '\t')
			return 0;
		if (c == 0x7F)
			return 0;
		if ((c == '-' && p[1] == '-') || (c == '/' && p[1] == '*') ||
		    (c == '*' && p[1] == '/'))
			return 0;
	}
	return 1;
}

static clxs_code bad(clxs_buf *b, size_t mark, clxs_error *err, const char *fmt,
		     size_t at, const char *why)
{
	clxs_buf_truncate(b, mark);
	return clxs_fail(err, CLXS_EINVAL, "sql_format",
			 "SQL format \"%.200s\" at offset %zu: %s", fmt, at, why);
}

clxs_code clxs_sql_vappendf(clxs_buf *b, clxs_error *err, const char *fmt,
			    va_list ap)
{
	size_t mark = b->len;
	clxs_code rc;
	if (!fmt)
		return clxs_fail(err, CLXS_EINVAL, "sql_format", "SQL format is missing");
	const char *run = fmt;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (clxs_buf_append(b, run, (size_t)(p - run)) < 0)
			goto nomem;
		size_t at = (size_t)(p - fmt);
		p++;
		char num[32];
		int n = -1;
		switch (*p) {
		case '%':
			if (clxs_buf_putc(b, '%') < 0)
				goto nomem;
			break;
		case 'I': {
			const char *s = va_arg(ap, const char *);
			rc = clxs_sql_quote_ident(b, s, err);
			if (rc != CLXS_OK)
				goto fail;
			break;
		}
		case 'Q': {
			const char *parts[3];
			const char *given[3];
			size_t np = 0;
			for (int i = 0; i < 3; i++) {
				parts[i] = va_arg(ap, const char *);
				if (parts[i])
					given[np++] = parts[i];
			}
			if (np == 0)
				return bad(b, mark, err, fmt, at, "%Q needs at least one name part");
			rc = clxs_sql_quote_name(b, given, np, err);
			if (rc != CLXS_OK)
				goto fail;
			break;
		}
		case 'L': {
			const char *s = va_arg(ap, const char *);
			rc = clxs_sql_quote_literal(b, s, err);
			if (rc != CLXS_OK)
				goto fail;
			break;
		}
		case 'K': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				return bad(b, mark, err, fmt, at, "%K argument is NULL");
			if (!keyword_ok(s))
				return bad(b, mark, err, fmt, at,
					   "%K fragment contains quotes, ';', comments or control characters");
			if (clxs_buf_puts(b, s) < 0)
				goto nomem;
			break;
		}
		case 'd':
			n = snprintf(num, sizeof(num), "%d", va_arg(ap, int));
			break;
		case 'u':
			n = snprintf(num, sizeof(num), "%u", va_arg(ap, unsigned));
			break;
		case 'z':
			if (p[1] != 'u')
				return bad(b, mark, err, fmt, at, "unknown directive");
			p++;
			n = snprintf(num, sizeof(num), "%zu", va_arg(ap, size_t));
			break;
		case 'l':
			if (p[1] == 'l' && p[2] == 'd') {
				p += 2;
				n = snprintf(num, sizeof(num), "%lld", va_arg(ap, long long));
			} else if (p[1] == 'l' && p[2] == 'u') {
				p += 2;
				n = snprintf(num, sizeof(num), "%llu",
					     va_arg(ap, unsigned long long));
			} else if (p[1] == 'd') {
				p++;
				n = snprintf(num, sizeof(num), "%ld", va_arg(ap, long));
			} else if (p[1] == 'u') {
				p++;
				n = snprintf(num, sizeof(num), "%lu", va_arg(ap, unsigned long));
			} else {
				return bad(b, mark, err, fmt, at, "unknown directive");
			}
			break;
		case '\0':
			return bad(b, mark, err, fmt, at, "format ends with a lone '%'");
		default:
			return bad(b, mark, err, fmt, at, "unknown directive");
		}
		if (n >= 0 && clxs_buf_append(b, num, (size_t)n) < 0)
			goto nomem;
		run = p + 1;
	}
	if (clxs_buf_puts(b, run) < 0)
		goto nomem;
	return CLXS_OK;
nomem:
	clxs_buf_truncate(b, mark);
	return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory building SQL");
fail:
	clxs_buf_truncate(b, mark);
	return rc;
}

clxs_code clxs_sql_appendf(clxs_buf *b, clxs_error *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	clxs_code rc = clxs_sql_vappendf(b, err, fmt, ap);
	va_end(ap);
	return rc;
}
