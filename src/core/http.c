#include "clxs/http.h"

#include <stdlib.h>

const char *clxs_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "OK";
	}
}

char *clxs_http_read_body(clxs_http_reader reader, void *ud, long long announced, size_t limit,
			  size_t *len, bool *too_large)
{
	*len = 0;
	if (too_large)
		*too_large = false;
	if (announced <= 0 || (unsigned long long)announced > limit) {
		char sink[8192];
		while (reader(ud, sink, sizeof(sink)) > 0)
			;
		if (too_large)
			*too_large = announced > 0;
		return NULL;
	}
	char *buf = malloc((size_t)announced + 1);
	if (!buf)
		return NULL;
	int n;
	while (*len < (size_t)announced &&
	       (n = reader(ud, buf + *len, (int)((size_t)announced - *len))) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
	return buf;
}
