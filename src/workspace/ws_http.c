/* The transport under the workspace client: one HTTP exchange (or one call
 * of the in-process hook), no retries, no policy.
 *
 * Easy handles are pooled: a request checks one out, so a thread never
 * shares a handle with another and at most one handle exists per request in
 * flight. All handles of a transport share one CURLSH holding the
 * connection cache, DNS cache and TLS sessions, guarded by one mutex per
 * kind of data, so keep-alive connections are reused across threads. */
#include "config.h"
#include "ws_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WS_POOL_MAX 32

struct ws_transport {
	clxs_ws_inproc_fn inproc;
	void *inproc_ud;
	long connect_timeout_ms;
	char user_agent[96];
	CURLSH *share;
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	int nlocks; /* share_locks initialised */
	pthread_mutex_t pool_lock;
	CURL *pool[WS_POOL_MAX];
	size_t npool;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	(void)h;
	(void)access;
	ws_transport *t = ud;
	if ((int)data >= 0 && (int)data < t->nlocks)
		pthread_mutex_lock(&t->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	(void)h;
	ws_transport *t = ud;
	if ((int)data >= 0 && (int)data < t->nlocks)
		pthread_mutex_unlock(&t->share_locks[data]);
}

void ws_transport_free(ws_transport *t)
{
	if (!t)
		return;
	/* Handles first: the share cannot be cleaned while they use it. */
	for (size_t i = 0; i < t->npool; i++)
		curl_easy_cleanup(t->pool[i]);
	if (t->share)
		curl_share_cleanup(t->share);
	for (int i = 0; i < t->nlocks; i++)
		pthread_mutex_destroy(&t->share_locks[i]);
	pthread_mutex_destroy(&t->pool_lock);
	free(t);
}

ws_transport *ws_transport_new(const clxs_ws_options *opts)
{
	ws_transport *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (pthread_mutex_init(&t->pool_lock, NULL) != 0) {
		free(t);
		return NULL;
	}
	t->inproc = opts->inproc;
	t->inproc_ud = opts->inproc_ud;
	t->connect_timeout_ms = opts->connect_timeout_ms;
	snprintf(t->user_agent, sizeof(t->user_agent), "%s",
		 opts->user_agent ? opts->user_agent : "clone-xs-c/" PACKAGE_VERSION);
	if (t->inproc)
		return t;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		goto fail;
	for (; t->nlocks < CURL_LOCK_DATA_LAST; t->nlocks++)
		if (pthread_mutex_init(&t->share_locks[t->nlocks], NULL) != 0)
			goto fail;
	if (!(t->share = curl_share_init()))
		goto fail;
	if (curl_share_setopt(t->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
	    curl_share_setopt(t->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
	    curl_share_setopt(t->share, CURLSHOPT_USERDATA, t) != CURLSHE_OK ||
	    curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
	    curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)
		goto fail;
	return t;
fail:
	ws_transport_free(t);
	return NULL;
}

void ws_http_resp_init(ws_http_resp *r)
{
	memset(r, 0, sizeof(*r));
	clxs_buf_init(&r->body);
	clxs_buf_set_limit(&r->body, WS_MAX_RESPONSE);
	r->retry_after_ms = -1;
}

void ws_http_resp_free(ws_http_resp *r)
{
	clxs_buf_free(&r->body);
	r->status = 0;
	r->net = WS_NET_OK;
	r->retry_after_ms = -1;
	r->errmsg[0] = '\0';
}

static CURL *checkout(ws_transport *t)
{
	CURL *h = NULL;
	pthread_mutex_lock(&t->pool_lock);
	if (t->npool)
		h = t->pool[--t->npool];
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_reset(h); /* keeps the (shared) connection cache */
	else
		h = curl_easy_init();
	return h;
}

static void checkin(ws_transport *t, CURL *h)
{
	pthread_mutex_lock(&t->pool_lock);
	if (t->npool < WS_POOL_MAX) {
		t->pool[t->npool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&t->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	ws_http_resp *r = ud;
	size_t n = size * nmemb;
	return clxs_buf_append(&r->body, data, n) < 0 ? 0 : n;
}

/* Retry-After in delta-seconds; the HTTP-date form is ignored (the retry
 * then falls back to our own backoff). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	ws_http_resp *r = ud;
	size_t n = size * nmemb;
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		r->retry_after_ms = -1; /* a new response (after 100 Continue) */
		return n;
	}
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		size_t i = sizeof(name) - 1;
		while (i < n && (data[i] == ' ' || data[i] == '\t'))
			i++;
		long secs = 0;
		size_t digits = 0;
		for (; i < n && isdigit((unsigned char)data[i]) && digits < 7; i++, digits++)
			secs = secs * 10 + (data[i] - '0');
		if (digits > 0)
			r->retry_after_ms = secs * 1000;
	}
	return n;
}

static ws_net classify(CURLcode rc, CURL *h)
{
	switch (rc) {
	case CURLE_OK:
		return WS_NET_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
		return WS_NET_BEFORE_SEND;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_WRITE_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_FAILED_INIT:
		return WS_NET_FATAL;
	default: {
		/* A timeout or reset before the request went out is as safe to
		 * retry as a refused connection. */
		curl_off_t pre = 0;
		if (curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre) == CURLE_OK && pre == 0)
			return WS_NET_BEFORE_SEND;
		return WS_NET_AFTER_SEND;
	}
	}
}

static void do_inproc(ws_transport *t, const ws_http_req *req, ws_http_resp *resp)
{
	char *body = NULL;
	size_t len = 0;
	int status = 0;
	int rc = t->inproc(t->inproc_ud, req->method, req->path, req->body,
			   req->body ? req->body_len : 0, &body, &len, &status);
	if (rc != 0) {
		free(body);
		resp->net = WS_NET_BEFORE_SEND;
		snprintf(resp->errmsg, sizeof(resp->errmsg), "in-process transport failed (%d)", rc);
		return;
	}
	resp->status = status;
	if (body && clxs_buf_append(&resp->body, body, len) < 0) {
		resp->net = WS_NET_FATAL;
		snprintf(resp->errmsg, sizeof(resp->errmsg), "response too large");
	}
	free(body);
}

void ws_transport_do(ws_transport *t, const ws_http_req *req, ws_http_resp *resp)
{
	resp->net = WS_NET_OK;
	resp->status = 0;
	resp->retry_after_ms = -1;
	resp->errmsg[0] = '\0';
	clxs_buf_reset(&resp->body);
	if (t->inproc) {
		do_inproc(t, req, resp);
		return;
	}
	CURL *h = checkout(t);
	if (!h) {
		resp->net = WS_NET_FATAL;
		snprintf(resp->errmsg, sizeof(resp->errmsg), "out of memory");
		return;
	}
	struct curl_slist *hdrs = NULL, *tmp;
	char *authz = NULL;
	bool ok = true;
#define ADD_HDR(s) \
	do { \
		if (ok && (tmp = curl_slist_append(hdrs, (s))) != NULL) \
			hdrs = tmp; \
		else \
			ok = false; \
	} while (0)
	ADD_HDR("Accept: application/json");
	/* No "Expect: 100-continue" round trip before bodies over 1 KiB. */
	ADD_HDR("Expect:");
	if (req->content_type) {
		char ct[128];
		snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type);
		ADD_HDR(ct);
	}
	if (req->auth == WS_AUTH_HDR_BEARER && req->bearer) {
		if (asprintf(&authz, "Authorization: Bearer %s", req->bearer) < 0) {
			authz = NULL;
			ok = false;
		} else {
			ADD_HDR(authz);
		}
	}
#undef ADD_HDR
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	if (ok) {
		curl_easy_setopt(h, CURLOPT_SHARE, t->share);
		curl_easy_setopt(h, CURLOPT_URL, req->url);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
		curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
		/* Never follow redirects: the Authorization header must not
		 * travel to another host. */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
		curl_easy_setopt(h, CURLOPT_USERAGENT, t->user_agent);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
		curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, resp->errmsg);
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
		if (req->auth == WS_AUTH_HDR_BASIC) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(h, CURLOPT_USERNAME, req->user ? req->user : "");
			curl_easy_setopt(h, CURLOPT_PASSWORD, req->pass ? req->pass : "");
		}
		if (strcmp(req->method, "GET") == 0) {
			curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		} else {
			if (strcmp(req->method, "POST") != 0)
				curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
			if (req->body || strcmp(req->method, "POST") == 0) {
				curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
				curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
						 (curl_off_t)(req->body ? req->body_len : 0));
			}
		}
		rc = curl_easy_perform(h);
	}
	resp->net = classify(rc, h);
	if (rc == CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		resp->status = (int)code;
	} else {
		if (rc == CURLE_WRITE_ERROR && clxs_buf_failed(&resp->body))
			snprintf(resp->errmsg, sizeof(resp->errmsg), "response larger than %u bytes",
				 WS_MAX_RESPONSE);
		else if (!resp->errmsg[0])
			snprintf(resp->errmsg, sizeof(resp->errmsg), "%s", curl_easy_strerror(rc));
	}
	/* The handle keeps pointers to our buffers: clear them before reuse. */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	checkin(t, h);
	for (tmp = hdrs; tmp; tmp = tmp->next)
		explicit_bzero(tmp->data, strlen(tmp->data));
	curl_slist_free_all(hdrs);
	if (authz) {
		explicit_bzero(authz, strlen(authz));
		free(authz);
	}
}
