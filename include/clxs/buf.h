/* Growable byte buffer, always NUL-terminated.
 *
 * Allocation failure (or exceeding an optional size limit) is reported by a
 * -1 return and also latched in the buffer: every later append fails too, so
 * a caller may do a run of appends and check clxs_buf_failed() once. The
 * bytes already in the buffer stay valid after a failure. clxs_buf_reset()
 * and clxs_buf_free() clear the latch. */
#ifndef CLXS_BUF_H
#define CLXS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char *data;   /* NULL until the first append; then NUL-terminated */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t cap;   /* bytes allocated */
	size_t limit; /* maximum len; 0 means unlimited */
	int failed;   /* latched: an append ran out of memory or over limit */
} clxs_buf;

void clxs_buf_init(clxs_buf *b);
/* Cap the content at `limit` bytes (0 = no cap); appends beyond it fail as
 * if out of memory. Useful to bound memory spent on untrusted input. */
void clxs_buf_set_limit(clxs_buf *b, size_t limit);

/* Append n bytes (which may include NULs). Returns 0 or -1. */
int clxs_buf_append(clxs_buf *b, const void *s, size_t n);
int clxs_buf_puts(clxs_buf *b, const char *s);
int clxs_buf_putc(clxs_buf *b, char c);
int clxs_buf_appendf(clxs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int clxs_buf_vappendf(clxs_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Make room for `extra` more bytes without changing the content. */
int clxs_buf_reserve(clxs_buf *b, size_t extra);

/* The content as a C string; "" for an empty or never-used buffer. */
const char *clxs_buf_str(const clxs_buf *b);
int clxs_buf_failed(const clxs_buf *b);
/* Cut the content back to `len` bytes (no-op when len >= b->len). Used to
 * undo a partial append so that nothing half-written is left behind. */
void clxs_buf_truncate(clxs_buf *b, size_t len);
/* Empty the buffer, keep its memory, clear the failure latch. */
void clxs_buf_reset(clxs_buf *b);
/* Release the memory; the buffer is empty and reusable, its limit kept. */
void clxs_buf_free(clxs_buf *b);
/* Hand the content to the caller (free() it) and leave the buffer empty
 * and reusable. Returns NULL when the buffer has failed or no memory is
 * left for an empty string; the buffer is freed in every case. */
char *clxs_buf_detach(clxs_buf *b);

#endif
