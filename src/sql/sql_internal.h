/* Helpers shared by the files of src/sql/ only. */
#ifndef CLXS_SQL_INTERNAL_H
#define CLXS_SQL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "clxs/buf.h"

/* Length of the well-formed UTF-8 sequence at s[0..n) (1..4), or 0 when it
 * is malformed (overlong, surrogate, above U+10FFFF, truncated). */
size_t clxs_sql_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);
/* Append code point cp as UTF-8 (cp <= 0x10FFFF). */
int clxs_sql_utf8_put(clxs_buf *b, uint32_t cp);
/* ASCII case-insensitive comparison of two byte strings. */
int clxs_sql_ident_eq(const char *a, size_t alen, const char *b, size_t blen);

#endif
