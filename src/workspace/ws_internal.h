/* Internals shared by the files of the workspace client. */
#ifndef CLXS_WS_INTERNAL_H
#define CLXS_WS_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "clxs/buf.h"
#include "clxs/workspace.h"

/* Responses larger than this are refused: an inline result chunk is at
 * most 25 MiB on Databricks, so this only stops a runaway peer. */
#define WS_MAX_RESPONSE (64u * 1024u * 1024u)
/* Upper bound on a databrickscfg file. */
#define WS_MAX_INI (1024u * 1024u)

/* ---- INI (ws_ini.c) ---- */
typedef struct {
	char *section;
	char *key; /* lowercased */
	char *value;
} ws_ini_entry;

typedef struct {
	ws_ini_entry *v;
	size_t n, cap;
	char **sections; /* distinct section names in file order */
	size_t nsections, capsections;
} ws_ini;

/* Parse INI text; keys are case-insensitive (stored lowercased), section
 * names case-sensitive. Returns CLXS_EINVAL with the line for malformed
 * text. ini must be zeroed; free it with ws_ini_free() in every case. */
clxs_code ws_ini_parse(const char *text, size_t len, ws_ini *ini, clxs_error *err);
/* Read and parse a file: a missing file is CLXS_ENOTFOUND. */
clxs_code ws_ini_load(const char *path, ws_ini *ini, clxs_error *err);
const char *ws_ini_get(const ws_ini *ini, const char *section, const char *key);
bool ws_ini_has_section(const ws_ini *ini, const char *section);
void ws_ini_free(ws_ini *ini);

/* ---- transport (ws_http.c) ---- */
typedef enum { WS_AUTH_HDR_NONE, WS_AUTH_HDR_BEARER, WS_AUTH_HDR_BASIC } ws_auth_hdr;

typedef struct {
	const char *method;
	const char *url;          /* absolute URL (HTTP) */
	const char *path;         /* path and query (in-process transport) */
	const char *content_type; /* NULL: no body */
	const char *body;
	size_t body_len;
	ws_auth_hdr auth;
	const char *bearer;       /* WS_AUTH_HDR_BEARER */
	const char *user, *pass;  /* WS_AUTH_HDR_BASIC */
	long timeout_ms;          /* this attempt */
} ws_http_req;

typedef enum {
	WS_NET_OK = 0,
	WS_NET_BEFORE_SEND, /* nothing reached the server: always safe to retry */
	WS_NET_AFTER_SEND,  /* may have been processed: retry idempotent calls only */
	WS_NET_FATAL,       /* bad URL, out of memory, response too large */
} ws_net;

typedef struct {
	ws_net net;
	int status;
	clxs_buf body;
	long retry_after_ms; /* -1 when absent */
	char errmsg[CURL_ERROR_SIZE];
} ws_http_resp;

typedef struct ws_transport ws_transport;
ws_transport *ws_transport_new(const clxs_ws_options *opts);
void ws_transport_free(ws_transport *t);
/* One attempt, no retries. resp must be initialised by ws_http_resp_init()
 * and released with ws_http_resp_free(). */
void ws_transport_do(ws_transport *t, const ws_http_req *req, ws_http_resp *resp);
void ws_http_resp_init(ws_http_resp *r);
void ws_http_resp_free(ws_http_resp *r);

/* ---- client (ws_client.c) ---- */

/* Per-call controls: an absolute deadline on the monotonic clock (0 =
 * none) and a cancellation check, honoured between retries. */
typedef struct {
	int64_t deadline_ms;
	bool (*cancelled)(void *ud);
	void *ud;
	bool idempotent;   /* retry even after a network error mid-request */
	bool no_limiter;   /* token endpoints are not the workspace */
} ws_ctl;

struct clxs_ws_client {
	clxs_ws_config cfg;
	clxs_ws_options opts;
	char user_agent[64];
	ws_transport *transport;
	clxs_ws_limiter *limiter;
	/* OAuth token cache; tok_lock also makes fetching single-flight. */
	pthread_mutex_t tok_lock;
	char *tok;
	int64_t tok_expiry_ms; /* monotonic */
	atomic_uint_fast64_t n_requests, n_retries, n_statements, n_token_fetches;
};

/* Send req with the client's retry policy. On success (2xx) returns
 * CLXS_OK with the response in resp; otherwise fills err (remote error_code
 * in err->detail) and the last response stays in resp for inspection. */
/* client_auth: add the workspace credentials (fetching a token when
 * needed) to every attempt; otherwise req's own auth fields are used. */
clxs_code ws_send(clxs_ws_client *c, const ws_http_req *req, const ws_ctl *ctl, bool client_auth,
		  ws_http_resp *resp, clxs_error *err);
/* clxs_ws_call with controls. */
clxs_code ws_call(clxs_ws_client *c, const char *method, const char *path,
		  const char *const *query, json_object *body, const ws_ctl *ctl,
		  json_object **out, clxs_error *err);
/* Map a Databricks error_code to a clxs code; -1 when unknown. */
int ws_code_for_error_code(const char *error_code);
/* True when a Databricks error_code means "try again later". */
bool ws_error_code_transient(const char *error_code);
/* Backoff before retry number attempt (0-based): full jitter. */
long ws_backoff_ms(const clxs_ws_client *c, int attempt);
/* Sleep up to ms, in slices, returning early (true) when ctl says the call
 * is cancelled or its deadline passes. */
bool ws_sleep_ctl(long ms, const ws_ctl *ctl);
/* Append "name=value&..." URL-encoded; returns -1 on out-of-memory. */
int ws_append_query(clxs_buf *b, const char *const *query);
int ws_urlencode(clxs_buf *b, const char *s);

/* ---- auth (ws_auth.c) ---- */
/* The bearer token for the workspace (fetched or refreshed when needed),
 * as a malloc'd copy in *bearer; NULL for auth type none. */
clxs_code ws_auth_bearer(clxs_ws_client *c, const ws_ctl *ctl, char **bearer, clxs_error *err);
/* Called after a 401 so the next call fetches a fresh token. */
void ws_auth_invalidate(clxs_ws_client *c);

#endif
