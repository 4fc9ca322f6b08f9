/* clxs error type: one enum of codes, each with the HTTP status and the
 * Databricks-style error_code string the API reports for it. */
#ifndef CLXS_ERROR_H
#define CLXS_ERROR_H

#include <stdarg.h>

typedef enum {
	CLXS_OK = 0,
	CLXS_EINVAL,        /* bad input: 400 */
	CLXS_EVALIDATION,   /* well-formed but semantically wrong: 422 */
	CLXS_ENOTFOUND,     /* 404 */
	CLXS_EMETHOD,       /* 405 */
	CLXS_ECONFLICT,     /* 409 */
	CLXS_ETOOLARGE,     /* 413 */
	CLXS_EAUTH,         /* 401 */
	CLXS_EPERM,         /* 403 */
	CLXS_EIO,           /* file/system error: 500 */
	CLXS_ESTORE,        /* LMDB error: 500 */
	CLXS_ENOMEM,        /* 500 */
	CLXS_EINTERNAL,     /* 500 */
	CLXS_EUNAVAILABLE,  /* 503 */
	CLXS_ECANCELLED,    /* job cancelled */
	CLXS__ECOUNT
} clxs_code;

/* A filled-in error: the code plus a human message and optional detail
 * (for instance the name of the offending field). */
typedef struct {
	clxs_code code;
	char message[512];
	char detail[256];
} clxs_error;

int clxs_code_http_status(clxs_code code);
const char *clxs_code_name(clxs_code code);

/* Set err (when non-NULL) and return code, so callers can write
 * `return clxs_fail(err, CLXS_EINVAL, "field", "bad %s", x);`. */
clxs_code clxs_fail(clxs_error *err, clxs_code code, const char *detail,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void clxs_error_clear(clxs_error *err);

#endif
