/* The workspace client: lifetime, the retry policy and the mapping of
 * Databricks errors to clxs errors. Every request of every module goes
 * through ws_send(), so the policy lives in exactly one place:
 *
 *   - network errors before the request left are always retried; after it
 *     left only for idempotent calls (a repeated POST could run a statement
 *     twice);
 *   - HTTP 429, 500, 502, 503 and 504 are retried, honouring Retry-After;
 *   - any other status, and any error_code saying the request itself is
 *     wrong (PERMISSION_DENIED, NOT_FOUND, INVALID_PARAMETER_VALUE, ...), is
 *     returned at once;
 *   - the wait before retry n is uniform in [0, min(max, base * 2^n)]
 *     ("full jitter"), so a fleet of workers that failed together does not
 *     come back together. */
#include "ws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/util.h"

/* Longest wait we accept from a Retry-After header. */
#define WS_MAX_RETRY_AFTER_MS (120 * 1000L)

clxs_code clxs_ws_client_new(const clxs_ws_config *cfg, const clxs_ws_options *opts,
			     clxs_ws_client **out, clxs_error *err)
{
	*out = NULL;
	static const clxs_ws_options defaults = {.max_retries = -1};
	if (!opts)
		opts = &defaults;
	if (!opts->inproc && (!cfg || !cfg->host))
		return clxs_fail(err, CLXS_EINVAL, "host", "workspace client needs a host");
	clxs_ws_client *c = calloc(1, sizeof(*c));
	if (!c)
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	if (pthread_mutex_init(&c->tok_lock, NULL) != 0) {
		free(c);
		return clxs_fail(err, CLXS_EINTERNAL, NULL, "cannot create mutex");
	}
	c->opts = *opts;
	if (c->opts.max_retries < 0)
		c->opts.max_retries = 3;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = 10000;
	if (c->opts.request_timeout_ms <= 0)
		c->opts.request_timeout_ms = 120000;
	if (c->opts.backoff_base_ms <= 0)
		c->opts.backoff_base_ms = 500;
	if (c->opts.backoff_max_ms <= 0)
		c->opts.backoff_max_ms = 20000;
	c->opts.user_agent = NULL; /* copied into the transport */
	c->limiter = opts->limiter ? opts->limiter : clxs_ws_limiter_global();
	if (clxs_ws_config_copy(&c->cfg, cfg) < 0 || !(c->transport = ws_transport_new(opts))) {
		clxs_ws_client_free(c);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "cannot create the workspace transport");
	}
	if (opts->inproc && c->cfg.auth == CLXS_WS_AUTH_UNSET)
		c->cfg.auth = CLXS_WS_AUTH_NONE;
	*out = c;
	return CLXS_OK;
}

void clxs_ws_client_free(clxs_ws_client *c)
{
	if (!c)
		return;
	ws_transport_free(c->transport);
	clxs_ws_config_free(&c->cfg);
	if (c->tok) {
		explicit_bzero(c->tok, strlen(c->tok));
		free(c->tok);
	}
	pthread_mutex_destroy(&c->tok_lock);
	free(c);
}

const clxs_ws_config *clxs_ws_client_config(const clxs_ws_client *c)
{
	return &c->cfg;
}

void clxs_ws_client_stats(const clxs_ws_client *c, clxs_ws_stats *out)
{
	out->requests = atomic_load(&c->n_requests);
	out->retries = atomic_load(&c->n_retries);
	out->statements = atomic_load(&c->n_statements);
	out->token_fetches = atomic_load(&c->n_token_fetches);
}

/* ---- error mapping ---- */

static const struct {
	const char *error_code;
	clxs_code code;
	bool transient;
} error_codes[] = {
	{"PERMISSION_DENIED", CLXS_EPERM, false},
	{"UNAUTHENTICATED", CLXS_EAUTH, false},
	{"NOT_FOUND", CLXS_ENOTFOUND, false},
	{"RESOURCE_DOES_NOT_EXIST", CLXS_ENOTFOUND, false},
	{"CATALOG_DOES_NOT_EXIST", CLXS_ENOTFOUND, false},
	{"SCHEMA_DOES_NOT_EXIST", CLXS_ENOTFOUND, false},
	{"TABLE_DOES_NOT_EXIST", CLXS_ENOTFOUND, false},
	{"FEATURE_DISABLED", CLXS_EPERM, false},
	{"INVALID_PARAMETER_VALUE", CLXS_EINVAL, false},
	{"BAD_REQUEST", CLXS_EINVAL, false},
	{"INVALID_REQUEST", CLXS_EINVAL, false},
	{"MALFORMED_REQUEST", CLXS_EINVAL, false},
	{"INVALID_STATE", CLXS_ECONFLICT, false},
	{"RESOURCE_ALREADY_EXISTS", CLXS_ECONFLICT, false},
	{"ALREADY_EXISTS", CLXS_ECONFLICT, false},
	{"RESOURCE_CONFLICT", CLXS_ECONFLICT, false},
	{"NOT_IMPLEMENTED", CLXS_EINVAL, false},
	{"CANCELLED", CLXS_ECANCELLED, false},
	{"REQUEST_LIMIT_EXCEEDED", CLXS_EUNAVAILABLE, true},
	{"RESOURCE_EXHAUSTED", CLXS_EUNAVAILABLE, true},
	{"TEMPORARILY_UNAVAILABLE", CLXS_EUNAVAILABLE, true},
	{"WORKSPACE_TEMPORARILY_UNAVAILABLE", CLXS_EUNAVAILABLE, true},
	{"SERVICE_UNDER_MAINTENANCE", CLXS_EUNAVAILABLE, true},
	{"DEADLINE_EXCEEDED", CLXS_EUNAVAILABLE, true},
	{"ABORTED", CLXS_EUNAVAILABLE, true},
	{"INTERNAL_ERROR", CLXS_EINTERNAL, true},
};

int ws_code_for_error_code(const char *error_code)
{
	for (size_t i = 0; error_code && i < sizeof(error_codes) / sizeof(error_codes[0]); i++)
		if (strcmp(error_codes[i].error_code, error_code) == 0)
			return (int)error_codes[i].code;
	return -1;
}

bool ws_error_code_transient(const char *error_code)
{
	for (size_t i = 0; error_code && i < sizeof(error_codes) / sizeof(error_codes[0]); i++)
		if (strcmp(error_codes[i].error_code, error_code) == 0)
			return error_codes[i].transient;
	return false;
}

static clxs_code code_for_status(int status)
{
	switch (status) {
	case 400: return CLXS_EINVAL;
	case 401: return CLXS_EAUTH;
	case 403: return CLXS_EPERM;
	case 404: return CLXS_ENOTFOUND;
	case 405: return CLXS_EMETHOD;
	case 409: return CLXS_ECONFLICT;
	case 413: return CLXS_ETOOLARGE;
	case 422: return CLXS_EVALIDATION;
	case 429: case 502: case 503: case 504: return CLXS_EUNAVAILABLE;
	default: return status >= 400 && status < 500 ? CLXS_EINVAL : CLXS_EINTERNAL;
	}
}

static bool status_retryable(int status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/* Pull error_code and message out of an error body: Databricks'
 * {"error_code", "message"}, SCIM's {"detail"}, OAuth's {"error",
 * "error_description"}, or anything else (a proxy's HTML page). */
static void parse_error_body(const ws_http_resp *r, char *code, size_t codelen, char *msg,
			     size_t msglen)
{
	code[0] = msg[0] = '\0';
	json_object *o = r->body.len ? clxs_json_parse(clxs_buf_str(&r->body), r->body.len, NULL) : NULL;
	if (o && json_object_is_type(o, json_type_object)) {
		const char *ec = clxs_json_str(o, "error_code", NULL);
		const char *m = clxs_json_str(o, "message", NULL);
		const char *oauth_desc = clxs_json_str(o, "error_description", NULL);
		if (!ec && oauth_desc) {
			ec = clxs_json_str(o, "error", NULL);
			m = oauth_desc;
		}
		if (!m)
			m = clxs_json_str(o, "detail", NULL);
		if (!m)
			m = clxs_json_str(o, "error", NULL);
		snprintf(code, codelen, "%s", ec ? ec : "");
		snprintf(msg, msglen, "%s", m ? m : "");
	}
	json_object_put(o);
}

static clxs_code fail_http(const ws_http_resp *r, const char *method, const char *what,
			   clxs_error *err, char *ec, size_t eclen)
{
	char msg[400];
	parse_error_body(r, ec, eclen, msg, sizeof(msg));
	int mapped = ws_code_for_error_code(ec);
	clxs_code code = mapped >= 0 ? (clxs_code)mapped : code_for_status(r->status);
	if (msg[0])
		return clxs_fail(err, code, ec, "%s", msg);
	return clxs_fail(err, code, ec, "workspace returned HTTP %d for %s %s", r->status, method, what);
}

/* ---- backoff ---- */

static __thread uint64_t rng_state;

static uint64_t rng_next(void)
{
	if (!rng_state) {
		char hex[17];
		if (clxs_id_hex(hex, 16) == 0)
			rng_state = strtoull(hex, NULL, 16);
		if (!rng_state)
			rng_state = (uint64_t)clxs_mono_ms() * 6364136223846793005ULL + 1;
	}
	/* xorshift64*: plenty for jitter, not for secrets. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

long ws_backoff_ms(const clxs_ws_client *c, int attempt)
{
	long cap = c->opts.backoff_base_ms;
	for (int i = 0; i < attempt && cap < c->opts.backoff_max_ms; i++)
		cap *= 2;
	if (cap > c->opts.backoff_max_ms)
		cap = c->opts.backoff_max_ms;
	return (long)(rng_next() % (uint64_t)(cap + 1));
}

static bool ctl_stop(const ws_ctl *ctl)
{
	if (!ctl)
		return false;
	if (ctl->cancelled && ctl->cancelled(ctl->ud))
		return true;
	return ctl->deadline_ms && clxs_mono_ms() >= ctl->deadline_ms;
}

bool ws_sleep_ctl(long ms, const ws_ctl *ctl)
{
	int64_t until = clxs_mono_ms() + ms;
	for (;;) {
		if (ctl_stop(ctl))
			return true;
		int64_t left = until - clxs_mono_ms();
		if (left <= 0)
			return false;
		clxs_sleep_ms(left < 50 ? left : 50);
	}
}

/* ---- sending ---- */

clxs_code ws_send(clxs_ws_client *c, const ws_http_req *req_in, const ws_ctl *ctl, bool client_auth,
		  ws_http_resp *resp, clxs_error *err)
{
	ws_http_req req = *req_in;
	const char *what = req.path ? req.path : req.url;
	bool idempotent = strcmp(req.method, "GET") == 0 || (ctl && ctl->idempotent);
	char ec[128];
	clxs_code rc = CLXS_OK;
	for (int attempt = 0;; attempt++) {
		if (ctl && ctl->cancelled && ctl->cancelled(ctl->ud))
			return clxs_fail(err, CLXS_ECANCELLED, "CANCELLED", "cancelled");
		char *bearer = NULL;
		if (client_auth) {
			rc = ws_auth_bearer(c, ctl, &bearer, err);
			if (rc != CLXS_OK)
				return rc;
			req.auth = bearer ? WS_AUTH_HDR_BEARER : WS_AUTH_HDR_NONE;
			req.bearer = bearer;
		}
		req.timeout_ms = c->opts.request_timeout_ms;
		if (ctl && ctl->deadline_ms) {
			int64_t left = ctl->deadline_ms - clxs_mono_ms();
			if (left <= 0) {
				free(bearer);
				return clxs_fail(err, CLXS_EUNAVAILABLE, "DEADLINE_EXCEEDED",
						 "deadline passed before %s %s", req.method, what);
			}
			if (left < req.timeout_ms)
				req.timeout_ms = (long)left;
		}
		if (!ctl || !ctl->no_limiter)
			clxs_ws_limiter_acquire_request(c->limiter);
		atomic_fetch_add(&c->n_requests, 1);
		if (attempt > 0)
			atomic_fetch_add(&c->n_retries, 1);
		int64_t t0 = clxs_mono_ms();
		ws_transport_do(c->transport, &req, resp);
		if (bearer) {
			explicit_bzero(bearer, strlen(bearer));
			free(bearer);
		}
		bool retry;
		char reason[CURL_ERROR_SIZE + 160];
		if (resp->net != WS_NET_OK) {
			rc = clxs_fail(err, CLXS_EUNAVAILABLE, "NETWORK_ERROR", "%s %s: %s", req.method,
				       what, resp->errmsg);
			retry = resp->net == WS_NET_BEFORE_SEND ||
				(resp->net == WS_NET_AFTER_SEND && idempotent);
			snprintf(reason, sizeof(reason), "network error (%s)", resp->errmsg);
		} else if (resp->status >= 200 && resp->status < 300) {
			clxs_debug("workspace %s %s -> %d in %lld ms", req.method, what, resp->status,
				   (long long)(clxs_mono_ms() - t0));
			return CLXS_OK;
		} else {
			rc = fail_http(resp, req.method, what, err, ec, sizeof(ec));
			if (resp->status == 401 && client_auth)
				ws_auth_invalidate(c);
			/* An error_code saying the request is wrong wins over a
			 * retryable status; a transient one never makes a 4xx
			 * other than 429 retryable. */
			retry = status_retryable(resp->status) &&
				(ws_code_for_error_code(ec) < 0 || ws_error_code_transient(ec));
			snprintf(reason, sizeof(reason), "HTTP %d%s%s", resp->status, ec[0] ? " " : "", ec);
		}
		if (!retry || attempt >= c->opts.max_retries) {
			if (retry)
				clxs_warn("workspace %s %s: %s; giving up after %d attempts", req.method,
					  what, reason, attempt + 1);
			return rc;
		}
		long wait = ws_backoff_ms(c, attempt);
		if (resp->retry_after_ms >= 0)
			wait = resp->retry_after_ms < WS_MAX_RETRY_AFTER_MS ? resp->retry_after_ms
									  : WS_MAX_RETRY_AFTER_MS;
		clxs_warn("workspace %s %s: %s; retry %d/%d in %ld ms", req.method, what, reason,
			  attempt + 1, c->opts.max_retries, wait);
		if (ws_sleep_ctl(wait, ctl)) {
			if (ctl->cancelled && ctl->cancelled(ctl->ud))
				return clxs_fail(err, CLXS_ECANCELLED, "CANCELLED", "cancelled");
			return rc; /* deadline: the last error says what went wrong */
		}
	}
}

int ws_urlencode(clxs_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			clxs_buf_putc(b, (char)*p);
		} else {
			char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			clxs_buf_append(b, enc, 3);
		}
	}
	return clxs_buf_failed(b) ? -1 : 0;
}

int ws_append_query(clxs_buf *b, const char *const *query)
{
	bool first = !b->data || !strchr(b->data, '?');
	for (size_t i = 0; query && query[i]; i += 2) {
		if (!query[i + 1])
			continue;
		clxs_buf_putc(b, first ? '?' : '&');
		first = false;
		ws_urlencode(b, query[i]);
		clxs_buf_putc(b, '=');
		ws_urlencode(b, query[i + 1]);
	}
	return clxs_buf_failed(b) ? -1 : 0;
}

clxs_code ws_call(clxs_ws_client *c, const char *method, const char *path,
		  const char *const *query, json_object *body, const ws_ctl *ctl,
		  json_object **out, clxs_error *err)
{
	if (out)
		*out = NULL;
	if (!path || strncmp(path, "/api/", 5) != 0)
		return clxs_fail(err, CLXS_EINVAL, "path", "workspace paths start with /api/");
	clxs_buf pq, url;
	clxs_buf_init(&pq);
	clxs_buf_init(&url);
	clxs_buf_puts(&pq, path);
	ws_append_query(&pq, query);
	if (c->cfg.host) {
		clxs_buf_puts(&url, c->cfg.host);
		clxs_buf_puts(&url, clxs_buf_str(&pq));
	}
	ws_http_resp resp;
	ws_http_resp_init(&resp);
	clxs_code rc;
	if (clxs_buf_failed(&pq) || clxs_buf_failed(&url)) {
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	const char *text = body ? clxs_json_text(body) : NULL;
	ws_http_req req = {
		.method = method,
		.url = clxs_buf_str(&url),
		.path = clxs_buf_str(&pq),
		.content_type = text ? "application/json" : NULL,
		.body = text,
		.body_len = text ? strlen(text) : 0,
	};
	rc = ws_send(c, &req, ctl, true, &resp, err);
	if (rc != CLXS_OK)
		goto out;
	if (out) {
		if (resp.body.len == 0) {
			*out = json_object_new_object();
		} else {
			clxs_error jerr = {0};
			*out = clxs_json_parse(clxs_buf_str(&resp.body), resp.body.len, &jerr);
			if (!*out) {
				/* A bare `null` parses fine but is no response either. */
				rc = clxs_fail(err, CLXS_EINTERNAL, "MALFORMED_RESPONSE",
					       "workspace returned invalid JSON for %s %s: %s", method,
					       path, jerr.message[0] ? jerr.message : "null body");
				goto out;
			}
		}
		if (!*out)
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
out:
	ws_http_resp_free(&resp);
	clxs_buf_free(&pq);
	clxs_buf_free(&url);
	return rc;
}

clxs_code clxs_ws_call(clxs_ws_client *c, const char *method, const char *path,
		       const char *const *query, json_object *body, json_object **out,
		       clxs_error *err)
{
	return ws_call(c, method, path, query, body, NULL, out, err);
}
