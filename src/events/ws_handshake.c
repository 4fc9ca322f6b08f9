/* The opening handshake: parse the HTTP/1.1 request nginx forwards and
 * decide whether it may be upgraded (RFC 6455 section 4.2.1). Only what a
 * WebSocket upgrade needs is parsed; the request has no body. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clxs/websocket.h"

static const char *find_head_end(const char *data, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
			return data + i;
	return NULL;
}

/* Does the comma-separated header value contain token (case-insensitive)? */
static bool has_token(const char *v, size_t vlen, const char *token)
{
	size_t tl = strlen(token);
	size_t i = 0;
	while (i < vlen) {
		while (i < vlen && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t s = i;
		while (i < vlen && v[i] != ',')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
			return true;
	}
	return false;
}

clxs_ws_head_result clxs_ws_parse_request(const char *data, size_t len, clxs_ws_request *req,
					  size_t *used)
{
	memset(req, 0, sizeof(*req));
	const char *end = find_head_end(data, len < CLXS_WS_MAX_HEAD ? len : CLXS_WS_MAX_HEAD);
	if (!end)
		return len >= CLXS_WS_MAX_HEAD ? CLXS_WS_HEAD_TOO_LARGE : CLXS_WS_HEAD_INCOMPLETE;
	*used = (size_t)(end - data) + 4;
	/* Request line: METHOD SP target SP HTTP/1.x */
	const char *line_end = memchr(data, '\r', (size_t)(end - data) + 1);
	const char *sp1 = memchr(data, ' ', (size_t)(line_end - data));
	if (!sp1 || sp1 == data || (size_t)(sp1 - data) >= sizeof(req->method))
		return CLXS_WS_HEAD_BAD;
	const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || (size_t)(sp2 - sp1 - 1) >= sizeof(req->target))
		return CLXS_WS_HEAD_BAD;
	memcpy(req->method, data, (size_t)(sp1 - data));
	memcpy(req->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	for (const char *c = req->method; *c; c++)
		if (!isupper((unsigned char)*c))
			return CLXS_WS_HEAD_BAD;
	for (const char *c = req->target; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7F)
			return CLXS_WS_HEAD_BAD;
	size_t vl = (size_t)(line_end - sp2 - 1);
	if (vl != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)sp2[8]))
		return CLXS_WS_HEAD_BAD;
	req->http11 = sp2[8] >= '1';

	int keys = 0;
	const char *p = line_end + 2;
	while (p < end + 2) {
		const char *eol = memchr(p, '\r', (size_t)(end + 2 - p));
		if (!eol || eol[1] != '\n')
			return CLXS_WS_HEAD_BAD;
		if (eol == p)
			break;
		if (*p == ' ' || *p == '\t')
			return CLXS_WS_HEAD_BAD; /* obsolete line folding */
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p)
			return CLXS_WS_HEAD_BAD;
		for (const char *c = p; c < colon; c++)
			if (*c <= ' ' || *c >= 0x7F)
				return CLXS_WS_HEAD_BAD;
		size_t nl = (size_t)(colon - p);
		const char *v = colon + 1, *ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		size_t vlen = (size_t)(ve - v);
		if (nl == 7 && strncasecmp(p, "upgrade", 7) == 0) {
			req->upgrade_websocket = req->upgrade_websocket || has_token(v, vlen, "websocket");
		} else if (nl == 10 && strncasecmp(p, "connection", 10) == 0) {
			req->connection_upgrade = req->connection_upgrade || has_token(v, vlen, "upgrade");
		} else if (nl == 17 && strncasecmp(p, "sec-websocket-key", 17) == 0) {
			if (++keys > 1 || vlen >= sizeof(req->key))
				return CLXS_WS_HEAD_BAD;
			memcpy(req->key, v, vlen);
			req->key[vlen] = '\0';
		} else if (nl == 21 && strncasecmp(p, "sec-websocket-version", 21) == 0) {
			char tmp[8];
			if (vlen == 0 || vlen >= sizeof(tmp))
				return CLXS_WS_HEAD_BAD;
			memcpy(tmp, v, vlen);
			tmp[vlen] = '\0';
			char *e;
			long ver = strtol(tmp, &e, 10);
			req->version = (*e || ver < 0 || ver > 255) ? -1 : (int)ver;
		}
		p = eol + 2;
	}
	return CLXS_WS_HEAD_OK;
}

const char *clxs_ws_request_problem(const clxs_ws_request *req, int *status)
{
	char accept[32];
	if (strcmp(req->method, "GET") != 0) {
		*status = 405;
		return "only GET can be upgraded to a WebSocket";
	}
	if (!req->http11) {
		*status = 400;
		return "a WebSocket upgrade needs HTTP/1.1";
	}
	if (!req->upgrade_websocket || !req->connection_upgrade) {
		*status = 426;
		return "this endpoint speaks WebSocket only (Upgrade: websocket, Connection: Upgrade)";
	}
	if (req->version != 13) {
		*status = 426;
		return "unsupported Sec-WebSocket-Version (only 13)";
	}
	if (clxs_ws_accept_key(req->key, accept) != 0) {
		*status = 400;
		return "missing or malformed Sec-WebSocket-Key";
	}
	*status = 101;
	return NULL;
}
