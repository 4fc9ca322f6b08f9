/* The server's own front door: the API token (config server.api_token)
 * that `clxs serve` requires before it listens off loopback. The
 * dispatcher asks here before routing, so every route but the health
 * check is covered, including routes added later. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clxs/api_target.h"
#include "clxs/config.h"
#include "clxs/secret.h"

static const char *header(const clxs_http_in *in, const char *name)
{
	const char *v = in->header ? in->header(name, in->header_ud) : NULL;
	return v && *v ? v : NULL;
}

static bool loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

bool clxs_api_token_ok(const clxs_api_ctx *ctx, const clxs_http_in *in, const char **why)
{
	const char *want = ctx->config ? clxs_config_str(ctx->config, "server.api_token") : NULL;
	if (!want || !*want) {
		/* Defence in depth: `clxs serve` refuses to listen off loopback
		 * without a token, but a worker whose config failed to load
		 * runs on defaults. A request that reached a non-loopback
		 * address must not then be served unauthenticated. */
		const char *sa = header(in, "SERVER_ADDR");
		if (sa && !loopback(sa)) {
			*why = "this server is reachable off loopback but has no server.api_token configured";
			return false;
		}
		return true;
	}
	const char *given = NULL, *auth = header(in, "HTTP_AUTHORIZATION");
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		given = auth + 7;
		while (*given == ' ')
			given++;
	}
	if (!given)
		given = header(in, "HTTP_X_API_TOKEN");
	if (!given) {
		*why = "this server requires its API token: send \"Authorization: Bearer <token>\" or \"X-API-Token: <token>\"";
		return false;
	}
	if (!clxs_secret_equal(given, want)) {
		*why = "the API token is not valid";
		return false;
	}
	return true;
}

/* The host part of a Host header or of an Origin's authority: "[::1]:8080"
 * -> "::1", "localhost:8080" -> "localhost". False when it does not fit. */
static bool host_part(const char *authority, char *out, size_t len)
{
	const char *end;
	if (*authority == '[') {
		authority++;
		end = strchr(authority, ']');
		if (!end)
			return false;
	} else {
		end = strchr(authority, ':');
		if (!end)
			end = authority + strlen(authority);
	}
	size_t n = (size_t)(end - authority);
	if (n == 0 || n >= len)
		return false;
	memcpy(out, authority, n);
	out[n] = '\0';
	return true;
}

/* IP literals cannot be rebound; names must be localhost or listed. */
static bool host_allowed(const clxs_api_ctx *ctx, const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1 ||
	    !strcasecmp(host, "localhost"))
		return true;
	json_object *list = ctx->config ? clxs_config_get(ctx->config, "server.allowed_hosts") : NULL;
	for (size_t i = 0; list && json_object_is_type(list, json_type_array) &&
			   i < json_object_array_length(list); i++) {
		const char *h = json_object_get_string(json_object_array_get_idx(list, i));
		if (h && !strcasecmp(h, host))
			return true;
	}
	return false;
}

/* Browsers are the risk for a server on loopback: any page the user visits
 * can send it requests (cross-site request forgery), and a DNS name that
 * rebinds to 127.0.0.1 makes them same-origin. So the Host must be one we
 * answer to, and a request that names its Origin must come from that same
 * host and port. Scripts (curl, the CLI) send no Origin and pass. */
static bool browser_ok(const clxs_req *req, const char **why)
{
	const char *host = header(req->in, "HTTP_HOST"), *origin = header(req->in, "HTTP_ORIGIN");
	char h[256];
	if (host && (!host_part(host, h, sizeof(h)) || !host_allowed(req->ctx, h))) {
		*why = "this server does not answer to that host name (add it to server.allowed_hosts)";
		return false;
	}
	const char *site = header(req->in, "HTTP_SEC_FETCH_SITE");
	if (site && !strcasecmp(site, "cross-site")) {
		*why = "cross-site requests are refused";
		return false;
	}
	if (origin) {
		const char *auth = strstr(origin, "://");
		if (!auth || !host || strcasecmp(auth + 3, host) != 0) {
			*why = "cross-origin requests are refused";
			return false;
		}
	}
	return true;
}

bool clxs_api_guard(clxs_req *req, clxs_resp *resp)
{
	if (!strcmp(req->path, "/api/health") || !strcmp(req->path, "/api/health/"))
		return true;
	const char *why = NULL;
	if (!browser_ok(req, &why)) {
		clxs_resp_fail(resp, CLXS_EPERM, "origin", "%s", why);
		return false;
	}
	if (clxs_api_token_ok(req->ctx, req->in, &why))
		return true;
	bool configured = req->ctx->config && clxs_config_str(req->ctx->config, "server.api_token") &&
			  *clxs_config_str(req->ctx->config, "server.api_token");
	clxs_resp_fail(resp, configured ? CLXS_EAUTH : CLXS_EPERM, "api_token", "%s", why);
	if (configured)
		snprintf(resp->extra_headers, sizeof(resp->extra_headers),
			 "WWW-Authenticate: Bearer realm=\"clxs\"\r\n");
	return false;
}
