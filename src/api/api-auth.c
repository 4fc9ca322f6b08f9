/* Auth section of the API reference: log in to a Databricks workspace
 * (PAT, CLI profile, service principal, Databricks App), see the login,
 * log out, list profiles and environment variables. A login is a
 * server-side session (clxs/session.h) whose secret is sealed at rest
 * (clxs/secret.h); without one, requests use the default workspace, the
 * embedded lakehouse (clxs/api_target.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_auth_internal.h"
#include "clxs/api_target.h"
#include "clxs/json.h"
#include "clxs/secret.h"
#include "clxs/session.h"
#include "clxs/target.h"

bool clxs_auth_body_str(clxs_req *req, clxs_resp *resp, const char *name, bool required,
			const char **out)
{
	*out = NULL;
	json_object *v = req->body ? json_object_object_get(req->body, name) : NULL;
	if (!v || json_object_is_type(v, json_type_null)) {
		if (!required)
			return true;
		clxs_resp_fail(resp, CLXS_EVALIDATION, name, "%s is required", name);
		return false;
	}
	if (!json_object_is_type(v, json_type_string)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, name, "%s must be a string", name);
		return false;
	}
	if (required && json_object_get_string_len(v) == 0) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, name, "%s must not be empty", name);
		return false;
	}
	*out = json_object_get_string(v);
	return true;
}

/* Resolve, connect, SCIM Me. Any failure to reach or convince the
 * workspace is a 401 with the workspace's reason, as the target endpoints do. */
static clxs_code verify(const clxs_ws_config *in, clxs_ws_config *out, char **user, char **warehouse,
			clxs_error *err)
{
	*user = *warehouse = NULL;
	memset(out, 0, sizeof(*out));
	clxs_code rc = clxs_ws_config_resolve(in, out, err);
	if (rc) {
		if (rc == CLXS_ENOMEM || rc == CLXS_ENOTFOUND)
			return rc;
		clxs_error why = *err; /* clxs_fail must not read what it writes */
		return clxs_fail(err, CLXS_EAUTH, why.detail, "%s", why.message);
	}
	clxs_ws_options wo = {0};
	wo.max_retries = 0;
	wo.connect_timeout_ms = 5000;
	wo.request_timeout_ms = 30000;
	clxs_ws_client *c = NULL;
	if ((rc = clxs_ws_client_new(out, &wo, &c, err)))
		return rc;
	rc = clxs_ws_current_user(c, user, err);
	if (rc) {
		clxs_error why = *err;
		clxs_fail(err, CLXS_EAUTH, why.detail[0] ? why.detail : "token", "login to %s failed: %.400s",
			  out->host ? out->host : "the workspace", why.message);
		clxs_ws_client_free(c);
		return CLXS_EAUTH;
	}
	/* The session's default SQL warehouse: the profile's, else the first
	 * running one, else the first listed. Best effort: a principal that
	 * may not list warehouses can still name one per request. */
	if (out->warehouse_id) {
		*warehouse = strdup(out->warehouse_id);
	} else {
		json_object *whs = NULL;
		clxs_error werr;
		if (clxs_ws_warehouses(c, &whs, &werr) == CLXS_OK) {
			const char *pick = NULL;
			for (size_t i = 0; i < json_object_array_length(whs); i++) {
				json_object *w = json_object_array_get_idx(whs, i);
				if (!pick)
					pick = clxs_json_str(w, "id", NULL);
				if (!strcmp(clxs_json_str(w, "state", ""), "RUNNING")) {
					pick = clxs_json_str(w, "id", NULL);
					break;
				}
			}
			if (pick)
				*warehouse = strdup(pick);
		}
		json_object_put(whs);
	}
	clxs_ws_client_free(c);
	return CLXS_OK;
}

static json_object *login_view(const char *user, const char *host, const char *method)
{
	json_object *o = json_object_new_object();
	clxs_json_set_bool(o, "authenticated", true);
	clxs_json_set_str(o, "user", user);
	clxs_json_set_str(o, "host", host);
	clxs_json_set_str(o, "auth_method", method);
	return o;
}

static void drop_cookie_session(clxs_req *req)
{
	char sid[CLXS_SESSION_ID_LEN + 8];
	const char *cookie = req->in->header ? req->in->header("HTTP_COOKIE", req->in->header_ud) : NULL;
	if (cookie && clxs_session_cookie_id(cookie, sid, sizeof(sid)))
		clxs_session_delete(req->ctx->store, sid, NULL);
}

void clxs_auth_start_session(clxs_req *req, clxs_resp *resp, const clxs_ws_config *in,
			     const char *secret, const char *auth_method, json_object *fields)
{
	clxs_error err;
	clxs_ws_config eff;
	char *user = NULL, *warehouse = NULL, *sealed = NULL;
	json_object *record = NULL;
	clxs_code rc = verify(in, &eff, &user, &warehouse, &err);
	if (rc)
		goto fail;
	if (secret) {
		clxs_secret_key key;
		if ((rc = clxs_secret_key_load(req->ctx->state_dir, &key, &err)))
			goto fail;
		sealed = clxs_secret_seal(&key, eff.host, secret, &err);
		clxs_secret_key_wipe(&key);
		if (!sealed) {
			rc = err.code;
			goto fail;
		}
	}
	record = json_object_new_object();
	if (fields) {
		json_object_object_foreach(fields, k, v)
			json_object_object_add(record, k, json_object_get(v));
	}
	clxs_json_set_str(record, "host", eff.host);
	clxs_json_set_str(record, "auth_method", auth_method);
	clxs_json_set_str(record, "user", user);
	if (sealed)
		clxs_json_set_str(record, "secret_enc", sealed);
	if (warehouse)
		clxs_json_set_str(record, "warehouse_id", warehouse);
	char sid[CLXS_SESSION_ID_LEN + 1];
	/* A login replaces the session the browser had. */
	drop_cookie_session(req);
	if ((rc = clxs_session_create(req->ctx->store, record, sid, &err)))
		goto fail;
	clxs_session_set_cookie(resp->extra_headers, sizeof(resp->extra_headers), sid);
	json_object *o = login_view(user, eff.host, auth_method);
	if (in->profile)
		clxs_json_set_str(o, "profile", in->profile);
	if (warehouse)
		clxs_json_set_str(o, "warehouse_id", warehouse);
	clxs_resp_json(resp, 200, o);
	goto out;
fail:
	clxs_resp_error(resp, &err);
out:
	json_object_put(record);
	free(sealed);
	free(user);
	free(warehouse);
	clxs_ws_config_free(&eff);
}

void clxs_api_auth_login(clxs_req *req, clxs_resp *resp)
{
	const char *host, *token;
	if (!clxs_auth_body_str(req, resp, "host", true, &host) ||
	    !clxs_auth_body_str(req, resp, "token", true, &token))
		return;
	clxs_error err;
	char *h = clxs_ws_host_normalize(host, &err);
	if (!h) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "host", "%s", err.message);
		return;
	}
	clxs_ws_config in;
	memset(&in, 0, sizeof(in));
	in.host = h;
	in.token = (char *)token;
	in.auth = CLXS_WS_AUTH_PAT;
	json_object *fields = json_object_new_object();
	clxs_json_set_str(fields, "auth_type", "pat");
	clxs_auth_start_session(req, resp, &in, token, "pat", fields);
	json_object_put(fields);
	free(h);
}

void clxs_api_auth_service_principal(clxs_req *req, clxs_resp *resp)
{
	const char *host, *id, *secret, *tenant, *type;
	if (!clxs_auth_body_str(req, resp, "host", true, &host) ||
	    !clxs_auth_body_str(req, resp, "client_id", true, &id) ||
	    !clxs_auth_body_str(req, resp, "client_secret", true, &secret) ||
	    !clxs_auth_body_str(req, resp, "tenant_id", false, &tenant) ||
	    !clxs_auth_body_str(req, resp, "auth_type", false, &type))
		return;
	bool azure = type && !strcmp(type, "azure");
	if (type && !azure && strcmp(type, "databricks") != 0) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "auth_type", "auth_type must be \"databricks\" or \"azure\"");
		return;
	}
	if (azure && (!tenant || !*tenant)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "tenant_id", "tenant_id is required for auth_type \"azure\"");
		return;
	}
	clxs_error err;
	char *h = clxs_ws_host_normalize(host, &err);
	if (!h) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "host", "%s", err.message);
		return;
	}
	clxs_ws_config in;
	memset(&in, 0, sizeof(in));
	in.host = h;
	json_object *fields = json_object_new_object();
	if (azure) {
		in.auth = CLXS_WS_AUTH_AZURE_SP;
		in.azure_client_id = (char *)id;
		in.azure_client_secret = (char *)secret;
		in.azure_tenant_id = (char *)tenant;
		clxs_json_set_str(fields, "auth_type", "azure-client-secret");
		clxs_json_set_str(fields, "tenant_id", tenant);
	} else {
		in.auth = CLXS_WS_AUTH_OAUTH_M2M;
		in.client_id = (char *)id;
		in.client_secret = (char *)secret;
		clxs_json_set_str(fields, "auth_type", "oauth-m2m");
	}
	clxs_json_set_str(fields, "client_id", id);
	clxs_auth_start_session(req, resp, &in, secret, "service-principal", fields);
	json_object_put(fields);
	free(h);
}

void clxs_api_auth_profiles(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	clxs_error err;
	json_object *profiles = NULL;
	if (clxs_ws_profiles(NULL, &profiles, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_resp_json(resp, 200, profiles);
}

void clxs_api_auth_use_profile(clxs_req *req, clxs_resp *resp)
{
	const char *name;
	if (!clxs_auth_body_str(req, resp, "profile_name", true, &name))
		return;
	clxs_error err;
	json_object *profiles = NULL;
	if (clxs_ws_profiles(NULL, &profiles, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	bool found = false;
	for (size_t i = 0; i < json_object_array_length(profiles) && !found; i++)
		found = !strcmp(clxs_json_str(json_object_array_get_idx(profiles, i), "name", ""), name);
	json_object_put(profiles);
	if (!found) {
		clxs_resp_fail(resp, CLXS_ENOTFOUND, "profile_name",
			       "profile '%s' is not in the Databricks config file", name);
		return;
	}
	clxs_ws_config in;
	memset(&in, 0, sizeof(in));
	in.profile = (char *)name;
	/* The session names the profile only; its credentials stay in the
	 * user's ~/.databrickscfg and are read where a target opens. */
	json_object *fields = json_object_new_object();
	clxs_json_set_str(fields, "profile", name);
	clxs_auth_start_session(req, resp, &in, NULL, "profile", fields);
	json_object_put(fields);
}

/* A Databricks App gets its service principal through the environment
 * (DATABRICKS_CLIENT_ID/SECRET, DATABRICKS_HOST) and DATABRICKS_APP_NAME
 * marks the runtime. Nothing secret is stored: targets read the same
 * environment when they open. */
void clxs_api_auth_auto_login(clxs_req *req, clxs_resp *resp)
{
	const char *app = getenv("DATABRICKS_APP_NAME");
	if (!app || !*app) {
		clxs_resp_fail(resp, CLXS_ENOTFOUND, "DATABRICKS_APP_NAME", "not running as a Databricks App");
		return;
	}
	clxs_ws_config in;
	memset(&in, 0, sizeof(in));
	clxs_auth_start_session(req, resp, &in, NULL, "databricks-app", NULL);
}

void clxs_api_auth_status(clxs_req *req, clxs_resp *resp)
{
	static const char *const sources[] = {"default", "session", "header"};
	clxs_error err;
	clxs_api_target_info info;
	json_object *o = NULL;
	json_object *spec = clxs_api_target_resolve(req, &info, &err);
	if (!spec) {
		if (!info.stale_session) {
			clxs_resp_error(resp, &err);
			return;
		}
		o = json_object_new_object();
		clxs_json_set_bool(o, "authenticated", false);
		clxs_json_set_str(o, "user", NULL);
		clxs_json_set_str(o, "host", NULL);
		clxs_json_set_str(o, "auth_method", NULL);
		clxs_json_set_str(o, "message", "the login session has expired or was logged out");
		clxs_session_clear_cookie(resp->extra_headers, sizeof(resp->extra_headers));
		clxs_resp_json(resp, 200, o);
		return;
	}
	json_object_put(spec);
	if (info.source == CLXS_API_SRC_SESSION) {
		/* The user was checked at login; status stays a cheap read. */
		o = login_view(info.user, info.host, info.auth_method);
		if (info.profile[0])
			clxs_json_set_str(o, "profile", info.profile);
	} else {
		clxs_target t;
		char *user = NULL;
		clxs_code rc = clxs_api_target_open_ex(req, CLXS_API_TARGET_NO_WAREHOUSE, &t, NULL, &err);
		if (rc == CLXS_OK) {
			rc = clxs_ws_current_user(t.ws, &user, &err);
			clxs_target_close(&t);
		}
		if (rc) {
			if (info.source == CLXS_API_SRC_HEADER) {
				clxs_error why = err;
				clxs_fail(&err, CLXS_EAUTH, "X-Databricks-Token", "the workspace rejected the "
					  "X-Databricks-* credentials: %.400s", why.message);
			}
			clxs_resp_error(resp, &err);
			return;
		}
		/* The default workspace is the embedded lakehouse in this
		 * process: no host, no credentials, the local user. */
		o = login_view(user, info.source == CLXS_API_SRC_DEFAULT ? "embedded-lakehouse" : info.host,
			       info.auth_method);
		free(user);
	}
	clxs_json_set_str(o, "source", sources[info.source]);
	clxs_resp_json(resp, 200, o);
}

void clxs_api_auth_logout(clxs_req *req, clxs_resp *resp)
{
	clxs_error err;
	char sid[CLXS_SESSION_ID_LEN + 8];
	const char *cookie = req->in->header ? req->in->header("HTTP_COOKIE", req->in->header_ud) : NULL;
	if (cookie && clxs_session_cookie_id(cookie, sid, sizeof(sid)) &&
	    clxs_session_delete(req->ctx->store, sid, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	clxs_session_clear_cookie(resp->extra_headers, sizeof(resp->extra_headers));
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "ok");
	clxs_json_set_str(o, "message", "Logged out successfully");
	clxs_resp_json(resp, 200, o);
}

/* Exactly the reference's variables, secrets masked as it shows them
 * ("dapi...wxyz"). These are the API workers' environment, i.e. what
 * `clxs serve` was started with. */
void clxs_api_auth_env_vars(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	static const struct {
		const char *name;
		bool secret;
	} vars[] = {
		{"DATABRICKS_HOST", false},      {"DATABRICKS_TOKEN", true},
		{"DATABRICKS_CLIENT_ID", false}, {"DATABRICKS_CLIENT_SECRET", true},
		{"AZURE_CLIENT_ID", false},      {"AZURE_CLIENT_SECRET", true},
		{"AZURE_TENANT_ID", false},      {"DATABRICKS_CONFIG_PROFILE", false},
	};
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i].name);
		char masked[16];
		if (v && vars[i].secret)
			v = clxs_secret_mask(v, masked, sizeof(masked));
		clxs_json_set_str(o, vars[i].name, v);
	}
	clxs_resp_json(resp, 200, o);
}
