/* Workspace configuration: where host and credentials come from, host
 * normalisation, the databrickscfg profile list and masking of secrets. */
#include "ws_internal.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "clxs/json.h"

void clxs_ws_config_free(clxs_ws_config *cfg)
{
	if (!cfg)
		return;
	char **fields[] = {&cfg->host, &cfg->token, &cfg->client_id, &cfg->client_secret,
			   &cfg->azure_tenant_id, &cfg->azure_client_id, &cfg->azure_client_secret,
			   &cfg->warehouse_id, &cfg->profile, &cfg->config_file,
			   &cfg->azure_login_url};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* Secrets should not linger in freed heap memory. */
		if (*fields[i])
			explicit_bzero(*fields[i], strlen(*fields[i]));
		free(*fields[i]);
	}
	memset(cfg, 0, sizeof(*cfg));
}

static int dup_field(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -1;
}

int clxs_ws_config_copy(clxs_ws_config *dst, const clxs_ws_config *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src)
		return 0;
	dst->auth = src->auth;
	if (dup_field(&dst->host, src->host) || dup_field(&dst->token, src->token) ||
	    dup_field(&dst->client_id, src->client_id) ||
	    dup_field(&dst->client_secret, src->client_secret) ||
	    dup_field(&dst->azure_tenant_id, src->azure_tenant_id) ||
	    dup_field(&dst->azure_client_id, src->azure_client_id) ||
	    dup_field(&dst->azure_client_secret, src->azure_client_secret) ||
	    dup_field(&dst->warehouse_id, src->warehouse_id) ||
	    dup_field(&dst->profile, src->profile) ||
	    dup_field(&dst->config_file, src->config_file) ||
	    dup_field(&dst->azure_login_url, src->azure_login_url)) {
		clxs_ws_config_free(dst);
		return -1;
	}
	return 0;
}

char *clxs_ws_host_normalize(const char *host, clxs_error *err)
{
	if (!host) {
		clxs_fail(err, CLXS_EINVAL, "host", "no workspace host given");
		return NULL;
	}
	while (isspace((unsigned char)*host))
		host++;
	size_t len = strlen(host);
	while (len && isspace((unsigned char)host[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)host[i];
		if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '\\') {
			clxs_fail(err, CLXS_EINVAL, "host", "workspace host contains invalid characters");
			return NULL;
		}
	}
	const char *scheme = "https://";
	const char *sep = memmem(host, len, "://", 3);
	if (sep) {
		size_t slen = (size_t)(sep - host);
		if (!((slen == 5 && strncasecmp(host, "https", 5) == 0) ||
		      (slen == 4 && strncasecmp(host, "http", 4) == 0))) {
			clxs_fail(err, CLXS_EINVAL, "host",
				  "workspace host must be an http:// or https:// URL");
			return NULL;
		}
		scheme = slen == 5 ? "https://" : "http://";
		len -= slen + 3;
		host = sep + 3;
	}
	while (len && host[len - 1] == '/')
		len--;
	if (len == 0 || host[0] == '/' || host[0] == ':') {
		clxs_fail(err, CLXS_EINVAL, "host", "workspace host is empty");
		return NULL;
	}
	char *out;
	if (asprintf(&out, "%s%.*s", scheme, (int)len, host) < 0) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	return out;
}

char *clxs_ws_mask(const char *secret, char *out, size_t len)
{
	if (!out || len == 0)
		return out;
	size_t n = secret ? strlen(secret) : 0;
	if (n == 0)
		out[0] = '\0';
	else if (n < 12)
		snprintf(out, len, "****");
	else
		snprintf(out, len, "%.4s****", secret);
	return out;
}

static const char *const auth_names[] = {
	[CLXS_WS_AUTH_UNSET] = "unset",
	[CLXS_WS_AUTH_NONE] = "none",
	[CLXS_WS_AUTH_PAT] = "pat",
	[CLXS_WS_AUTH_OAUTH_M2M] = "oauth-m2m",
	[CLXS_WS_AUTH_AZURE_SP] = "azure-client-secret",
};

const char *clxs_ws_auth_name(clxs_ws_auth auth)
{
	if ((unsigned)auth >= sizeof(auth_names) / sizeof(auth_names[0]))
		return "unset";
	return auth_names[auth];
}

int clxs_ws_auth_parse(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 1; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
		if (strcasecmp(name, auth_names[i]) == 0)
			return (int)i;
	if (strcasecmp(name, "azure") == 0)
		return CLXS_WS_AUTH_AZURE_SP;
	if (strcasecmp(name, "databricks") == 0)
		return CLXS_WS_AUTH_OAUTH_M2M;
	return -1;
}

int clxs_ws_config_file_path(char *buf, size_t len)
{
	const char *env = getenv("DATABRICKS_CONFIG_FILE");
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir ? pw->pw_dir : "";
	}
	int n;
	if (env && *env) {
		if (env[0] == '~' && (env[1] == '/' || env[1] == '\0'))
			n = snprintf(buf, len, "%s%s", home, env + 1);
		else
			n = snprintf(buf, len, "%s", env);
	} else {
		n = snprintf(buf, len, "%s/.databrickscfg", home);
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* The first non-empty of explicit, the env vars (NULL-terminated list) and
 * the profile keys (NULL-terminated list). */
static const char *pick(const char *explicit_val, const char *const *envs, const ws_ini *ini,
			const char *section, const char *const *keys)
{
	if (explicit_val && *explicit_val)
		return explicit_val;
	for (size_t i = 0; envs && envs[i]; i++) {
		const char *v = env_nonempty(envs[i]);
		if (v)
			return v;
	}
	for (size_t i = 0; section && keys && keys[i]; i++) {
		const char *v = ws_ini_get(ini, section, keys[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static clxs_ws_auth detect_auth(const clxs_ws_config *c)
{
	if (c->token)
		return CLXS_WS_AUTH_PAT;
	if (c->azure_client_id && c->azure_client_secret && c->azure_tenant_id)
		return CLXS_WS_AUTH_AZURE_SP;
	if (c->client_id && c->client_secret)
		return CLXS_WS_AUTH_OAUTH_M2M;
	return CLXS_WS_AUTH_UNSET;
}

/* Check that the chosen method has what it needs. */
static clxs_code check_auth(clxs_ws_config *c, clxs_error *err)
{
	switch (c->auth) {
	case CLXS_WS_AUTH_NONE:
		return CLXS_OK;
	case CLXS_WS_AUTH_PAT:
		if (!c->token)
			return clxs_fail(err, CLXS_EAUTH, "token", "auth type pat needs a token");
		return CLXS_OK;
	case CLXS_WS_AUTH_OAUTH_M2M:
		if (!c->client_id || !c->client_secret)
			return clxs_fail(err, CLXS_EAUTH, c->client_id ? "client_secret" : "client_id",
					 "auth type oauth-m2m needs client_id and client_secret");
		return CLXS_OK;
	case CLXS_WS_AUTH_AZURE_SP:
		/* The API's service-principal login passes client_id/secret with
		 * auth_type azure: accept those as the Azure application. */
		if (!c->azure_client_id && c->client_id && !(c->azure_client_id = strdup(c->client_id)))
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		if (!c->azure_client_secret && c->client_secret &&
		    !(c->azure_client_secret = strdup(c->client_secret)))
			return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		if (!c->azure_client_id || !c->azure_client_secret)
			return clxs_fail(err, CLXS_EAUTH, "azure_client_id",
					 "auth type azure-client-secret needs azure_client_id and azure_client_secret");
		if (!c->azure_tenant_id)
			return clxs_fail(err, CLXS_EAUTH, "azure_tenant_id",
					 "auth type azure-client-secret needs azure_tenant_id");
		return CLXS_OK;
	case CLXS_WS_AUTH_UNSET:
	default:
		return clxs_fail(err, CLXS_EAUTH, "token",
				 "no credentials: set a token (DATABRICKS_TOKEN), a service principal "
				 "(DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET) or a profile in %s",
				 c->config_file ? c->config_file : "~/.databrickscfg");
	}
}

clxs_code clxs_ws_config_resolve(const clxs_ws_config *in, clxs_ws_config *out, clxs_error *err)
{
	static const clxs_ws_config empty;
	if (!in)
		in = &empty;
	memset(out, 0, sizeof(*out));
	clxs_code rc = CLXS_OK;
	ws_ini ini = {0};
	char path[4096];

	/* Which file and which profile. */
	if (in->config_file && *in->config_file) {
		if (snprintf(path, sizeof(path), "%s", in->config_file) >= (int)sizeof(path))
			return clxs_fail(err, CLXS_EINVAL, "config_file", "config file path too long");
	} else if (clxs_ws_config_file_path(path, sizeof(path)) < 0) {
		return clxs_fail(err, CLXS_EINVAL, "config_file", "config file path too long");
	}
	const char *want = pick(in->profile, L("DATABRICKS_CONFIG_PROFILE"), NULL, NULL, NULL);
	const char *section = NULL;
	clxs_error ierr = {0};
	clxs_code lrc = ws_ini_load(path, &ini, &ierr);
	if (lrc != CLXS_OK && lrc != CLXS_ENOTFOUND) {
		if (err)
			*err = ierr;
		rc = lrc;
		goto out;
	}
	if (want) {
		if (lrc != CLXS_OK || !ws_ini_has_section(&ini, want)) {
			rc = clxs_fail(err, CLXS_ENOTFOUND, "profile", "profile '%s' not found in %s",
				       want, path);
			goto out;
		}
		section = want;
	} else if (lrc == CLXS_OK && ws_ini_has_section(&ini, "DEFAULT")) {
		section = "DEFAULT";
	}

	const char *host = pick(in->host, L("DATABRICKS_HOST"), &ini, section, L("host"));
	struct {
		char **dst;
		const char *val;
	} set[] = {
		{&out->token, pick(in->token, L("DATABRICKS_TOKEN"), &ini, section, L("token"))},
		{&out->client_id,
		 pick(in->client_id, L("DATABRICKS_CLIENT_ID"), &ini, section, L("client_id"))},
		{&out->client_secret, pick(in->client_secret, L("DATABRICKS_CLIENT_SECRET"), &ini,
					   section, L("client_secret"))},
		{&out->azure_tenant_id,
		 pick(in->azure_tenant_id, L("DATABRICKS_AZURE_TENANT_ID", "ARM_TENANT_ID", "AZURE_TENANT_ID"),
		      &ini, section, L("azure_tenant_id"))},
		{&out->azure_client_id,
		 pick(in->azure_client_id, L("ARM_CLIENT_ID", "DATABRICKS_AZURE_CLIENT_ID", "AZURE_CLIENT_ID"),
		      &ini, section, L("azure_client_id"))},
		{&out->azure_client_secret,
		 pick(in->azure_client_secret,
		      L("ARM_CLIENT_SECRET", "DATABRICKS_AZURE_CLIENT_SECRET", "AZURE_CLIENT_SECRET"), &ini,
		      section, L("azure_client_secret"))},
		{&out->warehouse_id, pick(in->warehouse_id, L("DATABRICKS_WAREHOUSE_ID"), &ini, section,
					  L("warehouse_id", "sql_warehouse_id"))},
		{&out->profile, section},
		{&out->config_file, path},
		{&out->azure_login_url, in->azure_login_url},
	};
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		if (dup_field(set[i].dst, set[i].val) < 0) {
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			goto out;
		}
	}
	if (in->auth != CLXS_WS_AUTH_UNSET) {
		out->auth = in->auth;
	} else {
		const char *name = pick(NULL, L("DATABRICKS_AUTH_TYPE"), &ini, section, L("auth_type"));
		int a = name ? clxs_ws_auth_parse(name) : CLXS_WS_AUTH_UNSET;
		if (a < 0) {
			rc = clxs_fail(err, CLXS_EINVAL, "auth_type", "unknown auth type '%s'", name);
			goto out;
		}
		out->auth = a != CLXS_WS_AUTH_UNSET ? (clxs_ws_auth)a : detect_auth(out);
	}
	if (!host) {
		rc = clxs_fail(err, CLXS_EAUTH, "host",
			       "no workspace host: set DATABRICKS_HOST or host in a profile of %s", path);
		goto out;
	}
	if (!(out->host = clxs_ws_host_normalize(host, err))) {
		rc = err ? err->code : CLXS_EINVAL;
		goto out;
	}
	rc = check_auth(out, err);
out:
	ws_ini_free(&ini);
	if (rc != CLXS_OK)
		clxs_ws_config_free(out);
	return rc;
}

clxs_code clxs_ws_profiles(const char *path, json_object **out, clxs_error *err)
{
	char buf[4096];
	*out = NULL;
	if (!path) {
		if (clxs_ws_config_file_path(buf, sizeof(buf)) < 0)
			return clxs_fail(err, CLXS_EINVAL, "config_file", "config file path too long");
		path = buf;
	}
	ws_ini ini = {0};
	clxs_error ierr = {0};
	clxs_code rc = ws_ini_load(path, &ini, &ierr);
	json_object *arr = json_object_new_array();
	if (!arr) {
		ws_ini_free(&ini);
		return clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
	}
	if (rc == CLXS_ENOTFOUND) {
		*out = arr;
		return CLXS_OK;
	}
	if (rc != CLXS_OK) {
		if (err)
			*err = ierr;
		ws_ini_free(&ini);
		json_object_put(arr);
		return rc;
	}
	for (size_t i = 0; i < ini.nsections; i++) {
		const char *name = ini.sections[i];
		if (strcmp(name, "__settings__") == 0)
			continue;
		json_object *p = json_object_new_object();
		if (!p || json_object_array_add(arr, p) < 0) {
			json_object_put(p);
			rc = clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
			break;
		}
		clxs_json_set_str(p, "name", name);
		const char *host = ws_ini_get(&ini, name, "host");
		char *norm = host ? clxs_ws_host_normalize(host, NULL) : NULL;
		clxs_json_set_str(p, "host", norm ? norm : host);
		free(norm);
		clxs_ws_config c = {0};
		c.token = (char *)ws_ini_get(&ini, name, "token");
		c.client_id = (char *)ws_ini_get(&ini, name, "client_id");
		c.client_secret = (char *)ws_ini_get(&ini, name, "client_secret");
		c.azure_client_id = (char *)ws_ini_get(&ini, name, "azure_client_id");
		c.azure_client_secret = (char *)ws_ini_get(&ini, name, "azure_client_secret");
		c.azure_tenant_id = (char *)ws_ini_get(&ini, name, "azure_tenant_id");
		int a = clxs_ws_auth_parse(ws_ini_get(&ini, name, "auth_type"));
		if (a < 0)
			a = detect_auth(&c);
		clxs_json_set_str(p, "auth_type", a == CLXS_WS_AUTH_UNSET ? NULL
					    : clxs_ws_auth_name((clxs_ws_auth)a));
	}
	ws_ini_free(&ini);
	if (rc != CLXS_OK) {
		json_object_put(arr);
		return rc;
	}
	*out = arr;
	return CLXS_OK;
}

json_object *clxs_ws_env_report(void)
{
	static const struct {
		const char *name;
		bool secret;
	} vars[] = {
		{"DATABRICKS_HOST", false},         {"DATABRICKS_TOKEN", true},
		{"DATABRICKS_CLIENT_ID", false},    {"DATABRICKS_CLIENT_SECRET", true},
		{"DATABRICKS_CONFIG_PROFILE", false}, {"DATABRICKS_CONFIG_FILE", false},
		{"DATABRICKS_AUTH_TYPE", false},    {"DATABRICKS_WAREHOUSE_ID", false},
		{"DATABRICKS_AZURE_TENANT_ID", false}, {"ARM_TENANT_ID", false},
		{"ARM_CLIENT_ID", false},           {"ARM_CLIENT_SECRET", true},
		{"AZURE_CLIENT_ID", false},         {"AZURE_CLIENT_SECRET", true},
		{"AZURE_TENANT_ID", false},
	};
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i].name);
		char masked[16];
		if (v && vars[i].secret)
			v = clxs_ws_mask(v, masked, sizeof(masked));
		clxs_json_set_str(o, vars[i].name, v);
	}
	return o;
}
