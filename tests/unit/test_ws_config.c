/* Workspace config: host normalisation, masking, the databrickscfg reader,
 * profile listing and the explicit > env > profile precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/json.h"
#include "clxs/workspace.h"

static const char *const env_vars[] = {
	"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET",
	"DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CONFIG_FILE", "DATABRICKS_AZURE_TENANT_ID",
	"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "AZURE_CLIENT_ID",
	"AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "DATABRICKS_AUTH_TYPE",
	"DATABRICKS_WAREHOUSE_ID", "DATABRICKS_AZURE_CLIENT_ID", "DATABRICKS_AZURE_CLIENT_SECRET",
};

static char cfg_path[64];

static const char cfg_text[] =
	"; written by hand\r\n"
	"# a comment\n"
	"[DEFAULT]\n"
	"host = adb-111.azuredatabricks.net/\n"
	"  token   =   dapi-default-0000000000  \n"
	"\n"
	"[__settings__]\n"
	"default_profile = staging\n"
	"[staging]\r\n"
	"HOST: https://adb-222.azuredatabricks.net\r\n"
	"client_id = sp-client\n"
	"client_secret = dose-staging-secret-9999\n"
	"sql_warehouse_id = wh-staging\n"
	"[azure sp]\n"
	"host = https://adb-333.azuredatabricks.net\n"
	"azure_tenant_id = tenant-3\n"
	"azure_client_id = az-client\n"
	"azure_client_secret = az-secret-value-3333\n"
	"[nohost]\n"
	"token = dapi-nohost-1111111111\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/test_ws_cfg.XXXXXX");
	int fd = mkstemp(cfg_path);
	if (fd < 0)
		return -1;
	close(fd);
	if (write_file(cfg_path, cfg_text) < 0)
		return -1;
	setenv("DATABRICKS_CONFIG_FILE", cfg_path, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(cfg_path);
	return 0;
}

static void test_host_normalize(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"adb-1.azuredatabricks.net", "https://adb-1.azuredatabricks.net"},
		{"adb-1.azuredatabricks.net/", "https://adb-1.azuredatabricks.net"},
		{"  https://x.cloud.databricks.com//  ", "https://x.cloud.databricks.com"},
		{"HTTPS://x.cloud.databricks.com", "https://x.cloud.databricks.com"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"localhost:9000", "https://localhost:9000"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clxs_error e = {0};
		char *h = clxs_ws_host_normalize(cases[i][0], &e);
		assert_non_null(h);
		assert_string_equal(h, cases[i][1]);
		free(h);
	}
	const char *bad[] = {"", "   ", "/", "ftp://x", "https://", "a b.com", "x\r\nInjected: 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clxs_error e = {0};
		assert_null(clxs_ws_host_normalize(bad[i], &e));
		assert_int_equal(e.code, CLXS_EINVAL);
		assert_string_equal(e.detail, "host");
	}
}

static void test_mask(void **state)
{
	(void)state;
	char out[16];
	assert_string_equal(clxs_ws_mask("dapi0123456789abcdef1234", out, sizeof(out)), "dapi****");
	assert_string_equal(clxs_ws_mask("short", out, sizeof(out)), "****");
	assert_string_equal(clxs_ws_mask("", out, sizeof(out)), "");
	assert_string_equal(clxs_ws_mask(NULL, out, sizeof(out)), "");
	char tiny[3];
	clxs_ws_mask("dapi0123456789abcdef1234", tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), 2); /* truncated, still terminated */
}

static void test_auth_names(void **state)
{
	(void)state;
	assert_string_equal(clxs_ws_auth_name(CLXS_WS_AUTH_PAT), "pat");
	assert_string_equal(clxs_ws_auth_name(CLXS_WS_AUTH_AZURE_SP), "azure-client-secret");
	assert_int_equal(clxs_ws_auth_parse("oauth-m2m"), CLXS_WS_AUTH_OAUTH_M2M);
	assert_int_equal(clxs_ws_auth_parse("AZURE"), CLXS_WS_AUTH_AZURE_SP);
	assert_int_equal(clxs_ws_auth_parse("databricks"), CLXS_WS_AUTH_OAUTH_M2M);
	assert_int_equal(clxs_ws_auth_parse("kerberos"), -1);
}

static void test_profiles_list(void **state)
{
	(void)state;
	json_object *arr = NULL;
	clxs_error e = {0};
	assert_int_equal(clxs_ws_profiles(NULL, &arr, &e), CLXS_OK);
	assert_string_equal(clxs_json_text(arr),
			    "[{\"name\":\"DEFAULT\",\"host\":\"https://adb-111.azuredatabricks.net\",\"auth_type\":\"pat\"},"
			    "{\"name\":\"staging\",\"host\":\"https://adb-222.azuredatabricks.net\",\"auth_type\":\"oauth-m2m\"},"
			    "{\"name\":\"azure sp\",\"host\":\"https://adb-333.azuredatabricks.net\",\"auth_type\":\"azure-client-secret\"},"
			    "{\"name\":\"nohost\",\"host\":null,\"auth_type\":\"pat\"}]");
	json_object_put(arr);

	/* A missing file is an empty list, not an error. */
	assert_int_equal(clxs_ws_profiles("/nonexistent/dir/.databrickscfg", &arr, &e), CLXS_OK);
	assert_int_equal(json_object_array_length(arr), 0);
	json_object_put(arr);
}

static void test_ini_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"host = outside-section\n",
		"[DEFAULT\nhost = x\n",
		"[DEFAULT]\njust a line without separator\n",
		"[]\n",
	};
	char path[] = "/tmp/test_ws_bad.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(write_file(path, bad[i]), 0);
		json_object *arr = (json_object *)1;
		clxs_error e = {0};
		assert_int_equal(clxs_ws_profiles(path, &arr, &e), CLXS_EINVAL);
		assert_null(arr);
		assert_non_null(strstr(e.message, "line "));
	}
	unlink(path);
}

static void test_resolve_default_profile(void **state)
{
	(void)state;
	clxs_ws_config out = {0};
	clxs_error e = {0};
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_string_equal(out.host, "https://adb-111.azuredatabricks.net");
	assert_string_equal(out.token, "dapi-default-0000000000");
	assert_string_equal(out.profile, "DEFAULT");
	assert_string_equal(out.config_file, cfg_path);
	assert_int_equal(out.auth, CLXS_WS_AUTH_PAT);
	clxs_ws_config_free(&out);
}

static void test_resolve_named_profile(void **state)
{
	(void)state;
	clxs_ws_config in = {0}, out = {0};
	clxs_error e = {0};
	/* Via the environment... */
	setenv("DATABRICKS_CONFIG_PROFILE", "staging", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_string_equal(out.host, "https://adb-222.azuredatabricks.net");
	assert_int_equal(out.auth, CLXS_WS_AUTH_OAUTH_M2M);
	assert_string_equal(out.client_id, "sp-client");
	assert_string_equal(out.warehouse_id, "wh-staging");
	assert_null(out.token); /* DEFAULT's token is not inherited */
	clxs_ws_config_free(&out);
	/* ...and explicitly, which wins over the environment. */
	in.profile = "azure sp";
	assert_int_equal(clxs_ws_config_resolve(&in, &out, &e), CLXS_OK);
	assert_int_equal(out.auth, CLXS_WS_AUTH_AZURE_SP);
	assert_string_equal(out.azure_tenant_id, "tenant-3");
	assert_string_equal(out.profile, "azure sp");
	clxs_ws_config_free(&out);
	/* A named profile that does not exist is an error. */
	in.profile = "prod";
	assert_int_equal(clxs_ws_config_resolve(&in, &out, &e), CLXS_ENOTFOUND);
	assert_string_equal(e.detail, "profile");
	assert_null(out.host);
	unsetenv("DATABRICKS_CONFIG_PROFILE");
}

static void test_resolve_precedence(void **state)
{
	(void)state;
	clxs_ws_config in = {0}, out = {0};
	clxs_error e = {0};
	/* env beats the profile */
	setenv("DATABRICKS_HOST", "env-host.cloud.databricks.com", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_string_equal(out.host, "https://env-host.cloud.databricks.com");
	assert_string_equal(out.token, "dapi-default-0000000000"); /* field by field */
	clxs_ws_config_free(&out);
	/* explicit beats env */
	setenv("DATABRICKS_TOKEN", "dapi-env-token-22222222", 1);
	in.host = "http://127.0.0.1:9/";
	assert_int_equal(clxs_ws_config_resolve(&in, &out, &e), CLXS_OK);
	assert_string_equal(out.host, "http://127.0.0.1:9");
	assert_string_equal(out.token, "dapi-env-token-22222222");
	clxs_ws_config_free(&out);
	in.token = "dapi-explicit-33333333";
	assert_int_equal(clxs_ws_config_resolve(&in, &out, &e), CLXS_OK);
	assert_string_equal(out.token, "dapi-explicit-33333333");
	clxs_ws_config_free(&out);
	/* An empty env var counts as unset. */
	setenv("DATABRICKS_HOST", "", 1);
	unsetenv("DATABRICKS_TOKEN");
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_string_equal(out.host, "https://adb-111.azuredatabricks.net");
	clxs_ws_config_free(&out);
	unsetenv("DATABRICKS_HOST");
}

static void test_resolve_env_only(void **state)
{
	(void)state;
	clxs_ws_config out = {0};
	clxs_error e = {0};
	setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/.databrickscfg", 1);
	/* No host anywhere. */
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_EAUTH);
	assert_string_equal(e.detail, "host");
	/* A host but no credentials. */
	setenv("DATABRICKS_HOST", "h.example.com", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_EAUTH);
	/* Service principal from env. */
	setenv("DATABRICKS_CLIENT_ID", "cid", 1);
	setenv("DATABRICKS_CLIENT_SECRET", "csecret-value-1234", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_int_equal(out.auth, CLXS_WS_AUTH_OAUTH_M2M);
	assert_null(out.profile);
	clxs_ws_config_free(&out);
	/* Azure SP from ARM_* wins over M2M when complete. */
	setenv("ARM_CLIENT_ID", "arm-cid", 1);
	setenv("ARM_CLIENT_SECRET", "arm-secret-value-1", 1);
	setenv("ARM_TENANT_ID", "arm-tenant", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_int_equal(out.auth, CLXS_WS_AUTH_AZURE_SP);
	assert_string_equal(out.azure_client_id, "arm-cid");
	clxs_ws_config_free(&out);
	/* DATABRICKS_AZURE_TENANT_ID beats ARM_TENANT_ID. */
	setenv("DATABRICKS_AZURE_TENANT_ID", "dbx-tenant", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_OK);
	assert_string_equal(out.azure_tenant_id, "dbx-tenant");
	clxs_ws_config_free(&out);
	/* An explicit auth type with missing pieces names the field. */
	clxs_ws_config in = {.auth = CLXS_WS_AUTH_PAT};
	assert_int_equal(clxs_ws_config_resolve(&in, &out, &e), CLXS_EAUTH);
	assert_string_equal(e.detail, "token");
	/* Auth type none needs nothing but a host. */
	in.auth = CLXS_WS_AUTH_NONE;
	assert_int_equal(clxs_ws_config_resolve(&in, &out, &e), CLXS_OK);
	assert_int_equal(out.auth, CLXS_WS_AUTH_NONE);
	clxs_ws_config_free(&out);
	/* Unknown DATABRICKS_AUTH_TYPE. */
	setenv("DATABRICKS_AUTH_TYPE", "kerberos", 1);
	assert_int_equal(clxs_ws_config_resolve(NULL, &out, &e), CLXS_EINVAL);
	setenv("DATABRICKS_CONFIG_FILE", cfg_path, 1);
	for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		if (strcmp(env_vars[i], "DATABRICKS_CONFIG_FILE") != 0)
			unsetenv(env_vars[i]);
}

static void test_config_file_path(void **state)
{
	(void)state;
	char buf[256];
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", "/home/tester", 1);
	setenv("DATABRICKS_CONFIG_FILE", "~/cfg/dbx.ini", 1);
	assert_int_equal(clxs_ws_config_file_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/tester/cfg/dbx.ini");
	unsetenv("DATABRICKS_CONFIG_FILE");
	assert_int_equal(clxs_ws_config_file_path(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/tester/.databrickscfg");
	assert_int_equal(clxs_ws_config_file_path(buf, 10), -1);
	if (old_home) {
		setenv("HOME", old_home, 1);
		free(old_home);
	}
	setenv("DATABRICKS_CONFIG_FILE", cfg_path, 1);
}

static void test_env_report(void **state)
{
	(void)state;
	setenv("DATABRICKS_HOST", "https://h.example.com", 1);
	setenv("DATABRICKS_TOKEN", "dapi0123456789abcdef9876", 1);
	setenv("ARM_CLIENT_SECRET", "arm-very-secret-value", 1);
	json_object *o = clxs_ws_env_report();
	assert_non_null(o);
	assert_string_equal(clxs_json_str(o, "DATABRICKS_HOST", NULL), "https://h.example.com");
	assert_string_equal(clxs_json_str(o, "DATABRICKS_TOKEN", NULL), "dapi****");
	assert_string_equal(clxs_json_str(o, "ARM_CLIENT_SECRET", NULL), "arm-****");
	json_object *v = (json_object *)1;
	assert_true(json_object_object_get_ex(o, "DATABRICKS_CLIENT_SECRET", &v));
	assert_null(v);
	assert_null(strstr(clxs_json_text(o), "0123456789"));
	json_object_put(o);
	unsetenv("DATABRICKS_HOST");
	unsetenv("DATABRICKS_TOKEN");
	unsetenv("ARM_CLIENT_SECRET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_normalize),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_auth_names),
		cmocka_unit_test(test_profiles_list),
		cmocka_unit_test(test_ini_malformed),
		cmocka_unit_test(test_resolve_default_profile),
		cmocka_unit_test(test_resolve_named_profile),
		cmocka_unit_test(test_resolve_precedence),
		cmocka_unit_test(test_resolve_env_only),
		cmocka_unit_test(test_config_file_path),
		cmocka_unit_test(test_env_report),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
