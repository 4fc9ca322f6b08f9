/* Safe SQL construction for the Databricks (Spark SQL) dialect.
 *
 * Every statement the engine sends is built here: identifiers are always
 * backtick-quoted, string values always become escaped literals, and only
 * fragments written into our own source code (%K) are copied verbatim.
 * On any error the output buffer is left exactly as it was, so a failed
 * call never leaves half a statement behind. See docs/sql.md. */
#ifndef CLXS_SQL_H
#define CLXS_SQL_H

#include <stdarg.h>
#include <stddef.h>

#include "clxs/buf.h"
#include "clxs/error.h"

/* Unity Catalog limits object names to 255 characters. */
#define CLXS_SQL_IDENT_MAX 255

/* Append `name` as a delimited identifier: `name`, inner backticks doubled.
 * Rejects NULL, empty, over-long (> 255 characters) and invalid UTF-8
 * names with CLXS_EINVAL; CLXS_ENOMEM when the buffer cannot grow. */
clxs_code clxs_sql_quote_ident(clxs_buf *b, const char *name, clxs_error *err);
/* Same for a name of explicit length, which may contain a NUL (rejected). */
clxs_code clxs_sql_quote_ident_n(clxs_buf *b, const char *name, size_t len,
				 clxs_error *err);
/* Append parts[0..n) each quoted and joined with '.', e.g.
 * `cat`.`sch`.`tbl`. n must be at least 1; every part must be valid. */
clxs_code clxs_sql_quote_name(clxs_buf *b, const char *const *parts, size_t n,
			      clxs_error *err);
/* Append a Spark SQL string literal: '...' with \ and ' backslash-escaped,
 * \n \r \t as escapes and other control characters as \u00XX. NULL gives
 * the keyword NULL. Invalid UTF-8 is rejected with CLXS_EINVAL. */
clxs_code clxs_sql_quote_literal(clxs_buf *b, const char *s, clxs_error *err);
/* Same for a value of explicit length; embedded NULs become \u0000. */
clxs_code clxs_sql_quote_literal_n(clxs_buf *b, const char *s, size_t len,
				   clxs_error *err);

/* printf-like SQL builder. Directives:
 *   %I  const char *            identifier, quoted as by clxs_sql_quote_ident
 *   %Q  const char * x3         catalog, schema, name; each quoted, NULL parts
 *                               skipped (at least one must be non-NULL)
 *   %L  const char *            string literal; NULL gives NULL
 *   %d %ld %lld                 int, long, long long
 *   %u %lu %llu %zu             unsigned variants and size_t
 *   %K  const char *            trusted SQL keyword(s) from OUR source code,
 *                               copied verbatim. Never pass user input: it is
 *                               refused if it holds quotes, backslashes, ';',
 *                               comment markers or control characters, but
 *                               that is a safety net, not a licence.
 *   %%                          a literal '%'
 * Anything else (including %s and floating point) is an error: the compiler
 * cannot check these arguments, so keep formats simple and literal. */
clxs_code clxs_sql_appendf(clxs_buf *b, clxs_error *err, const char *fmt, ...);
clxs_code clxs_sql_vappendf(clxs_buf *b, clxs_error *err, const char *fmt,
			    va_list ap);

#endif
