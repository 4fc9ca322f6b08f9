/* HTTP pieces shared by the FastCGI workers of the API (src/api/fcgi.c) and
 * of the lakehouse (src/lakehouse/svc_fcgi.c): the status line's reason
 * phrase and reading a request body of a known length. */
#ifndef CLXS_HTTP_H
#define CLXS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* "OK", "Not Found", ...; an unknown status reads "Internal Server Error"
 * from 500 up and "OK" below. */
const char *clxs_http_reason(int status);

/* Read up to n bytes into buf: the count, 0 at the end of the body, < 0 on
 * an error (FCGX_GetStr's contract). */
typedef int (*clxs_http_reader)(void *ud, char *buf, int n);

/* The request body of announced bytes (CONTENT_LENGTH, <= 0 when there is
 * none), NUL-terminated, with the *len bytes that came (caller frees). NULL
 * when there is no body, when it is above limit (*too_large set; too_large
 * may be NULL) or when out of memory; a body that is not read is drained so
 * that the connection stays in sync. */
char *clxs_http_read_body(clxs_http_reader reader, void *ud, long long announced, size_t limit,
			  size_t *len, bool *too_large);

#endif
