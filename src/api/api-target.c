/* Which workspace a request works on: per-request X-Databricks-* headers,
 * else the login session, else the default (the embedded lakehouse under
 * the state directory, opened in-process; its SQLite files are safe to
 * share between processes). Specs built here can end up in LMDB (job
 * params), so credentials in them are always sealed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/api_target.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/secret.h"
#include "clxs/session.h"
#include "clxs/workspace.h"

static const char *header(clxs_req *req, const char *cgi_name)
{
	const char *v = req->in && req->in->header ? req->in->header(cgi_name, req->in->header_ud) : NULL;
	return v && *v ? v : NULL;
}

/* The warehouse of a remote target: body > header > config > login. */
static void set_warehouse(clxs_req *req, json_object *spec, const char *from_login)
{
	const char *wh = NULL;
	json_object *v = req->body ? json_object_object_get(req->body, "warehouse_id") : NULL;
	if (v && json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
		wh = json_object_get_string(v);
	if (!wh)
		wh = header(req, "HTTP_X_DATABRICKS_WAREHOUSE_ID");
	if (!wh && req->ctx->config)
		wh = clxs_config_str(req->ctx->config, "sql_warehouse_id");
	if (!wh || !*wh)
		wh = from_login;
	if (wh && *wh)
		clxs_json_set_str(spec, "warehouse_id", wh);
}

static json_object *from_headers(clxs_req *req, const char *host_h, const char *token_h,
				 clxs_api_target_info *info, clxs_error *err)
{
	if (!host_h || !token_h) {
		clxs_fail(err, CLXS_EINVAL, host_h ? "X-Databricks-Token" : "X-Databricks-Host",
			  "per-request credentials need both X-Databricks-Host and X-Databricks-Token");
		return NULL;
	}
	char *host = clxs_ws_host_normalize(host_h, err);
	if (!host) {
		snprintf(err->detail, sizeof(err->detail), "X-Databricks-Host");
		return NULL;
	}
	clxs_secret_key key;
	char *sealed = NULL;
	if (clxs_secret_key_load(req->ctx->state_dir, &key, err) == CLXS_OK) {
		sealed = clxs_secret_seal(&key, host, token_h, err);
		clxs_secret_key_wipe(&key);
	}
	json_object *spec = NULL;
	if (sealed) {
		spec = json_object_new_object();
		clxs_json_set_str(spec, "host", host);
		clxs_json_set_str(spec, "auth_type", "pat");
		clxs_json_set_str(spec, "secret_enc", sealed);
		clxs_json_set_str(spec, "state_dir", req->ctx->state_dir);
		set_warehouse(req, spec, NULL);
		info->source = CLXS_API_SRC_HEADER;
		snprintf(info->host, sizeof(info->host), "%s", host);
		snprintf(info->auth_method, sizeof(info->auth_method), "pat");
	}
	free(sealed);
	free(host);
	return spec;
}

static json_object *from_session(clxs_req *req, json_object *s, clxs_api_target_info *info)
{
	json_object *spec = json_object_new_object();
	const char *profile = clxs_json_str(s, "profile", NULL);
	const char *host = clxs_json_str(s, "host", NULL);
	if (profile) {
		/* The profile is read again where the target opens, from the
		 * same ~/.databrickscfg: nothing secret is copied here. */
		clxs_json_set_str(spec, "profile", profile);
	} else {
		clxs_json_set_str(spec, "host", host);
		static const char *const copy[] = {"auth_type", "secret_enc", "client_id", "tenant_id"};
		for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
			if (clxs_json_str(s, copy[i], NULL))
				clxs_json_set_str(spec, copy[i], clxs_json_str(s, copy[i], NULL));
		if (clxs_json_str(s, "secret_enc", NULL))
			clxs_json_set_str(spec, "state_dir", req->ctx->state_dir);
	}
	set_warehouse(req, spec, clxs_json_str(s, "warehouse_id", NULL));
	info->source = CLXS_API_SRC_SESSION;
	snprintf(info->host, sizeof(info->host), "%s", host ? host : "");
	snprintf(info->auth_method, sizeof(info->auth_method), "%s", clxs_json_str(s, "auth_method", "pat"));
	snprintf(info->user, sizeof(info->user), "%s", clxs_json_str(s, "user", ""));
	snprintf(info->profile, sizeof(info->profile), "%s", profile ? profile : "");
	return spec;
}

json_object *clxs_api_target_resolve(clxs_req *req, clxs_api_target_info *info, clxs_error *err)
{
	clxs_api_target_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	clxs_error_clear(err);

	const char *host_h = header(req, "HTTP_X_DATABRICKS_HOST");
	const char *token_h = header(req, "HTTP_X_DATABRICKS_TOKEN");
	if (host_h || token_h)
		return from_headers(req, host_h, token_h, info, err);

	char sid[CLXS_SESSION_ID_LEN + 8];
	const char *cookie = header(req, "HTTP_COOKIE");
	if (cookie && clxs_session_cookie_id(cookie, sid, sizeof(sid)) && req->ctx->store) {
		snprintf(info->session_id, sizeof(info->session_id), "%s", sid);
		clxs_error gerr;
		json_object *s = clxs_session_get(req->ctx->store, sid, &gerr);
		if (!s) {
			info->stale_session = gerr.code == CLXS_ENOTFOUND;
			if (gerr.code != CLXS_ENOTFOUND) {
				*err = gerr;
				return NULL;
			}
			clxs_fail(err, CLXS_EAUTH, "session",
				  "your login session has expired or was logged out; log in again "
				  "(POST /api/auth/login) or log out to use the default workspace");
			return NULL;
		}
		json_object *spec = from_session(req, s, info);
		json_object_put(s);
		return spec;
	}

	json_object *spec = json_object_new_object();
	if (!spec) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if (req->ctx->state_dir) {
		char dir[4200];
		if (clxs_path_join(dir, sizeof(dir), req->ctx->state_dir, "lakehouse", err)) {
			json_object_put(spec);
			return NULL;
		}
		clxs_json_set_str(spec, "lakehouse_dir", dir);
	}
	info->source = CLXS_API_SRC_DEFAULT;
	snprintf(info->auth_method, sizeof(info->auth_method), "embedded");
	return spec;
}

json_object *clxs_api_target_spec(clxs_req *req, clxs_error *err)
{
	return clxs_api_target_resolve(req, NULL, err);
}

clxs_code clxs_api_target_open_ex(clxs_req *req, unsigned flags, clxs_target *t,
				  clxs_api_target_info *info, clxs_error *err)
{
	memset(t, 0, sizeof(*t));
	json_object *spec = clxs_api_target_resolve(req, info, err);
	if (!spec)
		return err->code;
	if (flags & CLXS_API_TARGET_NO_WAREHOUSE)
		clxs_json_set_bool(spec, "warehouse_optional", true);
	/* Requests to a remote workspace fail fast: one retry, not the
	 * engine's patient default (a bad host should not hold a worker). */
	if ((clxs_json_str(spec, "host", NULL) || clxs_json_str(spec, "profile", NULL)) &&
	    !json_object_object_get(spec, "max_retries"))
		clxs_json_set_int(spec, "max_retries", 1);
	clxs_code rc = clxs_target_open(spec, t, err);
	json_object_put(spec);
	return rc;
}

clxs_code clxs_api_target_open(clxs_req *req, clxs_target *t, clxs_error *err)
{
	return clxs_api_target_open_ex(req, 0, t, NULL, err);
}
