/* Auth section, the logins that need a vendor CLI on the server: OAuth U2M
 * through the Databricks CLI (`databricks auth login`) and Azure AD through
 * the Azure CLI (`az`). These make sense when the server runs on the
 * user's own machine (the browser opens there). Without the CLI the
 * endpoints say so clearly (503). No shell is ever involved: programs are
 * found on PATH (absolute directories only) and run with posix_spawn and a
 * fixed argv; the only user values passed are a normalised host and a
 * subscription id checked to be a UUID. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "api_auth_internal.h"
#include "clxs/json.h"
#include "clxs/util.h"

extern char **environ;

#define CLI_OUTPUT_MAX (4u << 20)
#define CLI_TIMEOUT_MS 60000

/* The absolute path of program on PATH into buf, or false. */
static bool find_program(const char *program, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	for (const char *p = path; p && *p;) {
		const char *end = strchrnul(p, ':');
		size_t n = (size_t)(end - p);
		if (n > 0 && p[0] == '/' && (size_t)snprintf(buf, len, "%.*s/%s", (int)n, p, program) < len &&
		    access(buf, X_OK) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static bool need_cli(clxs_resp *resp, const char *program, const char *what, char *path, size_t len)
{
	if (find_program(program, path, len))
		return true;
	clxs_resp_fail(resp, CLXS_EUNAVAILABLE, program,
		       "%s (`%s`) is not installed on the server, so this login is not available; "
		       "log in with a personal access token (POST /api/auth/login) or a service "
		       "principal (POST /api/auth/service-principal) instead", what, program);
	return false;
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Run argv, capture stdout (stderr discarded: it may echo secrets), and
 * parse it as JSON. Non-zero exit, timeout or bad JSON fail with err. */
static json_object *run_json(char *const argv[], clxs_error *err)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		clxs_fail(err, CLXS_EIO, prog, "pipe: %s", strerror(errno));
		return NULL;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Not the worker's FastCGI socket or anything else it holds. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		clxs_fail(err, CLXS_EUNAVAILABLE, prog, "cannot run %s: %s", prog, strerror(rc));
		return NULL;
	}
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int64_t deadline = clxs_mono_ms() + CLI_TIMEOUT_MS;
	bool failed = false;
	for (;;) {
		int64_t left = deadline - clxs_mono_ms();
		struct pollfd pf = {fds[0], POLLIN, 0};
		int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			clxs_fail(err, CLXS_EUNAVAILABLE, prog, "%s did not answer within %d s", prog,
				  CLI_TIMEOUT_MS / 1000);
			failed = true;
			break;
		}
		if (n + 4096 + 1 > cap) {
			if (cap >= CLI_OUTPUT_MAX) {
				clxs_fail(err, CLXS_ETOOLARGE, prog, "%s printed too much", prog);
				failed = true;
				break;
			}
			/* Not realloc: the output may hold an access token, and
			 * realloc would free the old block unwiped. */
			size_t ncap = cap ? cap * 2 : 16384;
			char *nb = malloc(ncap);
			if (!nb) {
				clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
				failed = true;
				break;
			}
			if (buf) {
				memcpy(nb, buf, n);
				OPENSSL_cleanse(buf, cap);
				free(buf);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fds[0], buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fds[0]);
	json_object *out = NULL;
	if (failed) {
		kill_wait(pid);
	} else {
		int status = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			clxs_fail(err, CLXS_EAUTH, prog,
				  "%s failed (exit %d); is the CLI logged in? (POST /api/auth/azure-login)",
				  prog, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		else if (!(out = clxs_json_parse(buf ? buf : "", n, err)))
			clxs_fail(err, CLXS_EUNAVAILABLE, prog, "%s printed something that is not JSON", prog);
	}
	if (buf)
		OPENSSL_cleanse(buf, cap); /* e.g. az account get-access-token */
	free(buf);
	return out;
}

/* Start an interactive CLI login that outlives this request (it waits for
 * the browser). Double fork, so the worker keeps no child to reap. */
static bool spawn_detached(char *const argv[], clxs_error *err)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	pid_t mid = fork();
	if (mid < 0) {
		clxs_fail(err, CLXS_EIO, prog, "fork: %s", strerror(errno));
		return false;
	}
	if (mid == 0) {
		setsid();
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addclosefrom_np(&fa, 3);
		pid_t pid;
		int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
		_exit(rc == 0 ? 0 : 1);
	}
	int status = 0;
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		clxs_fail(err, CLXS_EUNAVAILABLE, prog, "cannot start %s", prog);
		return false;
	}
	return true;
}

static void started(clxs_resp *resp, const char *message, const char *profile)
{
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "started");
	clxs_json_set_str(o, "message", message);
	if (profile)
		clxs_json_set_str(o, "profile", profile);
	clxs_resp_json(resp, 200, o);
}

void clxs_api_auth_oauth_login(clxs_req *req, clxs_resp *resp)
{
	const char *host;
	char cli[4096];
	if (!clxs_auth_body_str(req, resp, "host", true, &host))
		return;
	clxs_error err;
	char *h = clxs_ws_host_normalize(host, &err);
	if (!h) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "host", "%s", err.message);
		return;
	}
	if (!need_cli(resp, "databricks", "The Databricks CLI", cli, sizeof(cli))) {
		free(h);
		return;
	}
	/* The profile the CLI writes: "clxs-" + the host name, letters,
	 * digits and dashes only. */
	char profile[128] = "clxs-";
	const char *p = strstr(h, "://");
	p = p ? p + 3 : h;
	for (size_t o = 5; *p && *p != '/' && *p != ':' && o + 1 < sizeof(profile); p++)
		profile[o++] = isalnum((unsigned char)*p) ? *p : '-', profile[o] = '\0';
	char *argv[] = {cli, "auth", "login", "--host", h, "--profile", profile, NULL};
	bool ok = spawn_detached(argv, &err);
	free(h);
	if (!ok) {
		clxs_resp_error(resp, &err);
		return;
	}
	started(resp, "Databricks CLI login started: finish it in the browser on the server, then "
		      "POST /api/auth/use-profile with this profile_name", profile);
}

void clxs_api_auth_azure_login(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	char cli[4096];
	clxs_error err;
	if (!need_cli(resp, "az", "The Azure CLI", cli, sizeof(cli)))
		return;
	char *argv[] = {cli, "login", "--output", "none", NULL};
	if (!spawn_detached(argv, &err)) {
		clxs_resp_error(resp, &err);
		return;
	}
	started(resp, "Azure CLI login started: finish it in the browser on the server, then list "
		      "tenants, subscriptions and workspaces", NULL);
}

void clxs_api_auth_azure_tenants(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	char cli[4096];
	clxs_error err;
	if (!need_cli(resp, "az", "The Azure CLI", cli, sizeof(cli)))
		return;
	char *argv[] = {cli, "account", "tenant", "list", "--output", "json", NULL};
	json_object *got = run_json(argv, &err);
	if (!got) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; json_object_is_type(got, json_type_array) && i < json_object_array_length(got); i++) {
		json_object *t = json_object_array_get_idx(got, i), *o = json_object_new_object();
		clxs_json_set_str(o, "tenant_id", clxs_json_str(t, "tenantId", NULL));
		clxs_json_set_str(o, "display_name", clxs_json_str(t, "displayName", NULL));
		clxs_json_set_str(o, "default_domain", clxs_json_str(t, "defaultDomain", NULL));
		json_object_array_add(out, o);
	}
	json_object_put(got);
	clxs_resp_json(resp, 200, out);
}

void clxs_api_auth_azure_subscriptions(clxs_req *req, clxs_resp *resp)
{
	char cli[4096], tenant[128];
	clxs_error err;
	const char *want = clxs_req_query(req, "tenant_id", tenant, sizeof(tenant));
	if (!need_cli(resp, "az", "The Azure CLI", cli, sizeof(cli)))
		return;
	char *argv[] = {cli, "account", "list", "--all", "--output", "json", NULL};
	json_object *got = run_json(argv, &err);
	if (!got) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; json_object_is_type(got, json_type_array) && i < json_object_array_length(got); i++) {
		json_object *s = json_object_array_get_idx(got, i);
		if (want && *want && strcasecmp(clxs_json_str(s, "tenantId", ""), want) != 0)
			continue;
		json_object *o = json_object_new_object();
		clxs_json_set_str(o, "subscription_id", clxs_json_str(s, "id", NULL));
		clxs_json_set_str(o, "name", clxs_json_str(s, "name", NULL));
		clxs_json_set_str(o, "tenant_id", clxs_json_str(s, "tenantId", NULL));
		clxs_json_set_str(o, "state", clxs_json_str(s, "state", NULL));
		clxs_json_set_bool(o, "is_default", clxs_json_bool(s, "isDefault", false));
		json_object_array_add(out, o);
	}
	json_object_put(got);
	clxs_resp_json(resp, 200, out);
}

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

void clxs_api_auth_azure_workspaces(clxs_req *req, clxs_resp *resp)
{
	char cli[4096], sub[128];
	clxs_error err;
	const char *id = clxs_req_query(req, "subscription_id", sub, sizeof(sub));
	if (!id || !*id) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "subscription_id", "subscription_id is required");
		return;
	}
	if (!is_uuid(id)) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "subscription_id", "subscription_id must be a UUID");
		return;
	}
	if (!need_cli(resp, "az", "The Azure CLI", cli, sizeof(cli)))
		return;
	char *argv[] = {cli, "databricks", "workspace", "list", "--subscription", (char *)id,
			"--output", "json", NULL};
	json_object *got = run_json(argv, &err);
	if (!got) {
		clxs_resp_error(resp, &err);
		return;
	}
	json_object *out = json_object_new_array();
	for (size_t i = 0; json_object_is_type(got, json_type_array) && i < json_object_array_length(got); i++) {
		json_object *w = json_object_array_get_idx(got, i), *o = json_object_new_object();
		const char *url = clxs_json_str(w, "workspaceUrl", NULL);
		char host[600];
		snprintf(host, sizeof(host), "https://%s", url ? url : "");
		clxs_json_set_str(o, "name", clxs_json_str(w, "name", NULL));
		clxs_json_set_str(o, "host", url ? host : NULL);
		clxs_json_set_str(o, "location", clxs_json_str(w, "location", NULL));
		clxs_json_set_str(o, "resource_group", clxs_json_str(w, "resourceGroup", NULL));
		clxs_json_set_str(o, "id", clxs_json_str(w, "id", NULL));
		json_object_array_add(out, o);
	}
	json_object_put(got);
	clxs_resp_json(resp, 200, out);
}

/* The Azure CLI hands out an Entra ID access token for the Azure
 * Databricks resource; it is used like a PAT (and expires like one of
 * Entra's tokens, after about an hour). */
#define AZURE_DATABRICKS_RESOURCE "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

void clxs_api_auth_azure_connect(clxs_req *req, clxs_resp *resp)
{
	const char *host;
	char cli[4096];
	clxs_error err;
	if (!clxs_auth_body_str(req, resp, "host", true, &host))
		return;
	char *h = clxs_ws_host_normalize(host, &err);
	if (!h) {
		clxs_resp_fail(resp, CLXS_EVALIDATION, "host", "%s", err.message);
		return;
	}
	if (!need_cli(resp, "az", "The Azure CLI", cli, sizeof(cli))) {
		free(h);
		return;
	}
	char *argv[] = {cli, "account", "get-access-token", "--resource", AZURE_DATABRICKS_RESOURCE,
			"--output", "json", NULL};
	json_object *got = run_json(argv, &err);
	const char *token = clxs_json_str(got, "accessToken", NULL);
	if (!token) {
		if (got)
			clxs_fail(&err, CLXS_EAUTH, "az", "the Azure CLI returned no access token");
		clxs_resp_error(resp, &err);
	} else {
		clxs_ws_config in;
		memset(&in, 0, sizeof(in));
		in.host = h;
		in.token = (char *)token;
		in.auth = CLXS_WS_AUTH_PAT;
		json_object *fields = json_object_new_object();
		clxs_json_set_str(fields, "auth_type", "pat");
		clxs_auth_start_session(req, resp, &in, token, "azure-cli", fields);
		json_object_put(fields);
		/* The parsed copy is ours alone: wipe it before json-c frees it. */
		OPENSSL_cleanse((char *)token, strlen(token));
	}
	json_object_put(got);
	free(h);
}
