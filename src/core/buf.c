/* Growable byte buffer; see include/clxs/buf.h. */
#include "clxs/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void clxs_buf_init(clxs_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void clxs_buf_set_limit(clxs_buf *b, size_t limit)
{
	b->limit = limit;
}

int clxs_buf_reserve(clxs_buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	/* +1 for the NUL; every addition is checked so a huge `extra` cannot
	 * wrap around into a small allocation. */
	if (extra > SIZE_MAX - 1 - b->len ||
	    (b->limit && b->len + extra > b->limit)) {
		b->failed = 1;
		return -1;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int clxs_buf_append(clxs_buf *b, const void *s, size_t n)
{
	if (clxs_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int clxs_buf_puts(clxs_buf *b, const char *s)
{
	return clxs_buf_append(b, s, strlen(s));
}

int clxs_buf_putc(clxs_buf *b, char c)
{
	return clxs_buf_append(b, &c, 1);
}

int clxs_buf_vappendf(clxs_buf *b, const char *fmt, va_list ap)
{
	if (b->failed)
		return -1;
	va_list ap2;
	va_copy(ap2, ap);
	char tmp[1];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
	va_end(ap2);
	if (n < 0 || clxs_buf_reserve(b, (size_t)n) < 0) {
		b->failed = 1;
		return -1;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int clxs_buf_appendf(clxs_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = clxs_buf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *clxs_buf_str(const clxs_buf *b)
{
	return b->data ? b->data : "";
}

int clxs_buf_failed(const clxs_buf *b)
{
	return b->failed;
}

void clxs_buf_truncate(clxs_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

void clxs_buf_reset(clxs_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

void clxs_buf_free(clxs_buf *b)
{
	free(b->data);
	size_t limit = b->limit;
	clxs_buf_init(b);
	b->limit = limit;
}

char *clxs_buf_detach(clxs_buf *b)
{
	char *p = NULL;
	if (!b->failed) {
		p = b->data ? b->data : strdup("");
		b->data = NULL;
	}
	clxs_buf_free(b);
	return p;
}
