/* Credentials for the workspace: a personal access token as is, or an OAuth
 * access token obtained with the client-credentials grant - from the
 * workspace's own OIDC endpoint for a Databricks service principal (M2M),
 * or from Microsoft Entra ID for an Azure service principal. OAuth tokens
 * are cached per client until shortly before they expire; the lock is held
 * while fetching so that concurrent requests wait for one fetch instead of
 * each starting their own. Secrets never reach the log: only the endpoint
 * and the outcome are logged. */
#include "ws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/util.h"

/* Entra ID application id of the Azure Databricks resource. */
#define AZURE_DATABRICKS_SCOPE "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default"
#define AZURE_LOGIN_DEFAULT "https://login.microsoftonline.com"

void ws_auth_invalidate(clxs_ws_client *c)
{
	pthread_mutex_lock(&c->tok_lock);
	c->tok_expiry_ms = 0;
	pthread_mutex_unlock(&c->tok_lock);
}

void clxs_ws_client_forget_token(clxs_ws_client *c)
{
	ws_auth_invalidate(c);
}

static void secure_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Build the token request (URL and form body) for the client's method. */
static clxs_code token_request(clxs_ws_client *c, clxs_buf *url, clxs_buf *form, ws_http_req *req,
			       clxs_error *err)
{
	const clxs_ws_config *cfg = &c->cfg;
	req->method = "POST";
	req->content_type = "application/x-www-form-urlencoded";
	if (cfg->auth == CLXS_WS_AUTH_OAUTH_M2M) {
		clxs_buf_puts(url, cfg->host);
		clxs_buf_puts(url, "/oidc/v1/token");
		clxs_buf_puts(form, "grant_type=client_credentials&scope=all-apis");
		req->auth = WS_AUTH_HDR_BASIC;
		req->user = cfg->client_id;
		req->pass = cfg->client_secret;
	} else {
		const char *base = cfg->azure_login_url ? cfg->azure_login_url : AZURE_LOGIN_DEFAULT;
		size_t blen = strlen(base);
		while (blen && base[blen - 1] == '/')
			blen--;
		clxs_buf_append(url, base, blen);
		clxs_buf_putc(url, '/');
		ws_urlencode(url, cfg->azure_tenant_id);
		clxs_buf_puts(url, "/oauth2/v2.0/token");
		clxs_buf_puts(form, "grant_type=client_credentials&client_id=");
		ws_urlencode(form, cfg->azure_client_id);
		clxs_buf_puts(form, "&client_secret=");
		ws_urlencode(form, cfg->azure_client_secret);
		clxs_buf_puts(form, "&scope=");
		ws_urlencode(form, AZURE_DATABRICKS_SCOPE);
		req->auth = WS_AUTH_HDR_NONE;
	}
	if (clxs_buf_failed(url) || clxs_buf_failed(form))
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	req->url = clxs_buf_str(url);
	req->body = clxs_buf_str(form);
	req->body_len = form->len;
	return CLXS_OK;
}

/* Fetch a new token; the caller holds tok_lock. */
static clxs_code fetch_token(clxs_ws_client *c, const ws_ctl *outer, clxs_error *err)
{
	clxs_buf url, form;
	clxs_buf_init(&url);
	clxs_buf_init(&form);
	ws_http_resp resp;
	ws_http_resp_init(&resp);
	ws_http_req req = {0};
	/* The identity provider is not the workspace: no rate limit. A token
	 * request changes nothing, so it is safe to repeat after any error. */
	ws_ctl ctl = {.no_limiter = true, .idempotent = true};
	if (outer) {
		ctl.deadline_ms = outer->deadline_ms;
		ctl.cancelled = outer->cancelled;
		ctl.ud = outer->ud;
	}
	clxs_code rc = token_request(c, &url, &form, &req, err);
	if (rc != CLXS_OK)
		goto out;
	atomic_fetch_add(&c->n_token_fetches, 1);
	rc = ws_send(c, &req, &ctl, false, &resp, err);
	if (rc != CLXS_OK) {
		/* A refused client is an authentication failure whatever the
		 * status the identity provider chose. */
		if (rc == CLXS_EINVAL || rc == CLXS_EPERM || rc == CLXS_ENOTFOUND) {
			rc = CLXS_EAUTH;
			if (err)
				err->code = CLXS_EAUTH;
		}
		clxs_warn("workspace: OAuth token request to %s failed (%s)", req.url,
			  clxs_code_name(rc));
		goto out;
	}
	json_object *o = clxs_json_parse(clxs_buf_str(&resp.body), resp.body.len, NULL);
	const char *tok = clxs_json_str(o, "access_token", NULL);
	if (!tok || !*tok) {
		json_object_put(o);
		rc = clxs_fail(err, CLXS_EAUTH, "MALFORMED_RESPONSE",
			       "token endpoint returned no access_token");
		goto out;
	}
	/* expires_in is a number (RFC 6749), or a string from older Entra ID. */
	int64_t expires = 3600;
	json_object *e;
	if (json_object_object_get_ex(o, "expires_in", &e)) {
		if (json_object_is_type(e, json_type_int))
			expires = json_object_get_int64(e);
		else if (json_object_is_type(e, json_type_string))
			expires = strtoll(json_object_get_string(e), NULL, 10);
	}
	if (expires < 0)
		expires = 0;
	char *copy = strdup(tok);
	json_object_put(o);
	if (!copy) {
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	secure_free(c->tok);
	c->tok = copy;
	/* Refresh a little early so a token never expires in flight. */
	int64_t margin = expires / 10 < 60 ? expires / 10 : 60;
	c->tok_expiry_ms = clxs_mono_ms() + (expires - margin) * 1000;
	clxs_debug("workspace: OAuth token obtained from %s, valid for %lld s", req.url,
		   (long long)expires);
out:
	if (form.data)
		explicit_bzero(form.data, form.len);
	if (resp.body.data)
		explicit_bzero(resp.body.data, resp.body.len);
	ws_http_resp_free(&resp);
	clxs_buf_free(&url);
	clxs_buf_free(&form);
	return rc;
}

clxs_code ws_auth_bearer(clxs_ws_client *c, const ws_ctl *ctl, char **bearer, clxs_error *err)
{
	*bearer = NULL;
	if (c->opts.inproc)
		return CLXS_OK; /* in-process calls carry no credentials */
	switch (c->cfg.auth) {
	case CLXS_WS_AUTH_PAT:
		if (!c->cfg.token)
			return clxs_fail(err, CLXS_EAUTH, "token", "no token configured");
		*bearer = strdup(c->cfg.token);
		return *bearer ? CLXS_OK : clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	case CLXS_WS_AUTH_OAUTH_M2M:
	case CLXS_WS_AUTH_AZURE_SP:
		break;
	default:
		return CLXS_OK;
	}
	if ((c->cfg.auth == CLXS_WS_AUTH_OAUTH_M2M && (!c->cfg.client_id || !c->cfg.client_secret)) ||
	    (c->cfg.auth == CLXS_WS_AUTH_AZURE_SP &&
	     (!c->cfg.azure_client_id || !c->cfg.azure_client_secret || !c->cfg.azure_tenant_id)))
		return clxs_fail(err, CLXS_EAUTH, "client_id", "service principal credentials incomplete");
	pthread_mutex_lock(&c->tok_lock);
	clxs_code rc = CLXS_OK;
	if (!c->tok || clxs_mono_ms() >= c->tok_expiry_ms)
		rc = fetch_token(c, ctl, err);
	if (rc == CLXS_OK && !(*bearer = strdup(c->tok)))
		rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	pthread_mutex_unlock(&c->tok_lock);
	return rc;
}
