#include "clxs/error.h"

#include <stdio.h>
#include <string.h>

static const struct {
	int status;
	const char *name;
} code_table[CLXS__ECOUNT] = {
	[CLXS_OK] = {200, "OK"},
	[CLXS_EINVAL] = {400, "BAD_REQUEST"},
	[CLXS_EVALIDATION] = {422, "VALIDATION_ERROR"},
	[CLXS_ENOTFOUND] = {404, "NOT_FOUND"},
	[CLXS_EMETHOD] = {405, "METHOD_NOT_ALLOWED"},
	[CLXS_ECONFLICT] = {409, "CONFLICT"},
	[CLXS_ETOOLARGE] = {413, "PAYLOAD_TOO_LARGE"},
	[CLXS_EAUTH] = {401, "UNAUTHENTICATED"},
	[CLXS_EPERM] = {403, "PERMISSION_DENIED"},
	[CLXS_EIO] = {500, "IO_ERROR"},
	[CLXS_ESTORE] = {500, "STORE_ERROR"},
	[CLXS_ENOMEM] = {500, "OUT_OF_MEMORY"},
	[CLXS_EINTERNAL] = {500, "INTERNAL_ERROR"},
	[CLXS_EUNAVAILABLE] = {503, "TEMPORARILY_UNAVAILABLE"},
	[CLXS_ECANCELLED] = {409, "CANCELLED"},
};

int clxs_code_http_status(clxs_code code)
{
	if ((unsigned)code >= CLXS__ECOUNT)
		return 500;
	return code_table[code].status;
}

const char *clxs_code_name(clxs_code code)
{
	if ((unsigned)code >= CLXS__ECOUNT)
		return "INTERNAL_ERROR";
	return code_table[code].name;
}

clxs_code clxs_fail(clxs_error *err, clxs_code code, const char *detail,
		    const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	snprintf(err->detail, sizeof(err->detail), "%s", detail ? detail : "");
	return code;
}

void clxs_error_clear(clxs_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}
