/* Unit tests for sealed secrets (AES-256-GCM, key file), login sessions in
 * LMDB, sealed target specs and the server API token check. Real files,
 * real LMDB in temporary directories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clxs/api.h"
#include "clxs/api_target.h"
#include "clxs/config.h"
#include "clxs/json.h"
#include "clxs/secret.h"
#include "clxs/session.h"
#include "clxs/store.h"

static const char TOKEN[] = "dapi0123456789abcdef0123456789abwxyz";

struct fixture {
	char dir[64];
	char key_path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/clxs-test-auth-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->key_path, sizeof(f->key_path), "%s/%s", f->dir, CLXS_SECRET_KEY_FILE);
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int rc = nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rc;
}

/* Does the file at path contain needle anywhere (binary-safe)? */
static bool file_contains(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return false;
	size_t cap = 1 << 20, n = 0, r, nl = strlen(needle);
	char *buf = malloc(cap);
	while ((r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(fp);
	bool found = n >= nl && memmem(buf, n, needle, nl) != NULL;
	free(buf);
	return found;
}

static void test_key_file_created_0600_once(void **state)
{
	struct fixture *f = *state;
	clxs_secret_key k1, k2;
	clxs_error err;
	assert_int_equal(clxs_secret_key_load(f->dir, &k1, &err), CLXS_OK);
	struct stat sb;
	assert_int_equal(stat(f->key_path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, CLXS_SECRET_KEY_LEN);
	/* Loading again reads the same key, it does not make a new one. */
	assert_int_equal(clxs_secret_key_load(f->dir, &k2, &err), CLXS_OK);
	assert_memory_equal(k1.bytes, k2.bytes, CLXS_SECRET_KEY_LEN);
	/* No temporary file left behind. */
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "ls %s | grep -c 'secret.key.' >/dev/null", f->dir);
	assert_int_not_equal(system(tmp), 0);
}

static void test_key_file_refused_when_open_or_symlink(void **state)
{
	struct fixture *f = *state;
	clxs_secret_key k;
	clxs_error err;
	assert_int_equal(clxs_secret_key_load(f->dir, &k, &err), CLXS_OK);
	assert_int_equal(chmod(f->key_path, 0644), 0);
	assert_int_equal(clxs_secret_key_load(f->dir, &k, &err), CLXS_EPERM);
	assert_non_null(strstr(err.message, "0600"));
	assert_int_equal(chmod(f->key_path, 0600), 0);

	char link_path[160];
	snprintf(link_path, sizeof(link_path), "%s/link.key", f->dir);
	assert_int_equal(symlink(f->key_path, link_path), 0);
	assert_int_equal(clxs_secret_key_file(link_path, false, &k, &err), CLXS_EPERM);

	/* A short key file is not a key. */
	char short_path[160];
	snprintf(short_path, sizeof(short_path), "%s/short.key", f->dir);
	FILE *fp = fopen(short_path, "w");
	fputs("abc", fp);
	fclose(fp);
	chmod(short_path, 0600);
	assert_int_equal(clxs_secret_key_file(short_path, false, &k, &err), CLXS_EPERM);
	/* Missing and not to be created. */
	snprintf(short_path, sizeof(short_path), "%s/none.key", f->dir);
	assert_int_equal(clxs_secret_key_file(short_path, false, &k, &err), CLXS_ENOTFOUND);
}

static void test_seal_open_roundtrip(void **state)
{
	struct fixture *f = *state;
	clxs_secret_key k;
	clxs_error err;
	assert_int_equal(clxs_secret_key_load(f->dir, &k, &err), CLXS_OK);
	char *a = clxs_secret_seal(&k, "https://h.example", TOKEN, &err);
	char *b = clxs_secret_seal(&k, "https://h.example", TOKEN, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(strncmp(a, "v1.", 3) == 0);
	assert_null(strstr(a, "dapi"));
	/* A fresh nonce per seal: equal secrets do not give equal blobs. */
	assert_string_not_equal(a, b);
	char *p = clxs_secret_open(&k, "https://h.example", a, &err);
	assert_non_null(p);
	assert_string_equal(p, TOKEN);
	clxs_secret_free(p);
	/* The empty secret round-trips too. */
	char *e = clxs_secret_seal(&k, NULL, "", &err);
	p = clxs_secret_open(&k, NULL, e, &err);
	assert_non_null(p);
	assert_string_equal(p, "");
	clxs_secret_free(p);
	free(e);
	free(a);
	free(b);
}

static void test_tamper_and_wrong_aad_detected(void **state)
{
	struct fixture *f = *state;
	clxs_secret_key k;
	clxs_error err;
	assert_int_equal(clxs_secret_key_load(f->dir, &k, &err), CLXS_OK);
	char *a = clxs_secret_seal(&k, "https://h.example", TOKEN, &err);
	size_t n = strlen(a);
	/* Flip one character in every position of the base64 body: the tag
	 * must catch each (ciphertext, nonce and tag bytes alike). */
	for (size_t i = 3; i < n; i++) {
		if (a[i] == '=')
			continue;
		char saved = a[i];
		a[i] = saved == 'A' ? 'B' : 'A';
		char *p = clxs_secret_open(&k, "https://h.example", a, &err);
		if (p) {
			clxs_secret_free(p);
			fail_msg("tampered blob at offset %zu opened", i);
		}
		assert_int_equal(err.code, CLXS_EAUTH);
		a[i] = saved;
	}
	/* Bound to its host: the same blob next to another host does not open. */
	assert_null(clxs_secret_open(&k, "https://evil.example", a, &err));
	assert_int_equal(err.code, CLXS_EAUTH);
	/* Truncated and malformed blobs. */
	a[n - 8] = '\0';
	assert_null(clxs_secret_open(&k, "https://h.example", a, &err));
	assert_null(clxs_secret_open(&k, "https://h.example", "v1.", &err));
	assert_null(clxs_secret_open(&k, "https://h.example", "v2.AAAA", &err));
	assert_null(clxs_secret_open(&k, "https://h.example", "v1.!!!!", &err));
	assert_null(clxs_secret_open(&k, "https://h.example", NULL, &err));
	free(a);
}

static void test_wrong_key_fails(void **state)
{
	struct fixture *f = *state;
	clxs_secret_key k1, k2;
	clxs_error err;
	char other[160];
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_int_equal(clxs_secret_key_load(f->dir, &k1, &err), CLXS_OK);
	assert_int_equal(clxs_secret_key_load(other, &k2, &err), CLXS_OK);
	assert_memory_not_equal(k1.bytes, k2.bytes, CLXS_SECRET_KEY_LEN);
	char *a = clxs_secret_seal(&k1, "h", TOKEN, &err);
	assert_null(clxs_secret_open(&k2, "h", a, &err));
	assert_int_equal(err.code, CLXS_EAUTH);
	free(a);
}

static void test_equal_and_mask(void **state)
{
	(void)state;
	assert_true(clxs_secret_equal("abc", "abc"));
	assert_false(clxs_secret_equal("abc", "abd"));
	assert_false(clxs_secret_equal("abc", "abcd"));
	assert_false(clxs_secret_equal("", "x"));
	assert_false(clxs_secret_equal(NULL, "x"));
	assert_false(clxs_secret_equal(NULL, NULL));
	char m[16];
	assert_string_equal(clxs_secret_mask("dapi0123456789abcdefwxyz", m, sizeof(m)), "dapi...wxyz");
	assert_string_equal(clxs_secret_mask("short", m, sizeof(m)), "****");
	assert_string_equal(clxs_secret_mask("", m, sizeof(m)), "");
	assert_string_equal(clxs_secret_mask(NULL, m, sizeof(m)), "");
}

static void test_spec_reveal(void **state)
{
	struct fixture *f = *state;
	clxs_secret_key k;
	clxs_error err;
	assert_int_equal(clxs_secret_key_load(f->dir, &k, &err), CLXS_OK);
	char *sealed = clxs_secret_seal(&k, "https://h.example", TOKEN, &err);
	json_object *spec = json_object_new_object();
	clxs_json_set_str(spec, "host", "https://h.example");
	clxs_json_set_str(spec, "auth_type", "pat");
	clxs_json_set_str(spec, "secret_enc", sealed);
	clxs_json_set_str(spec, "state_dir", f->dir);
	json_object *open = NULL;
	assert_int_equal(clxs_secret_spec_reveal(spec, &open, &err), CLXS_OK);
	assert_string_equal(clxs_json_str(open, "token", ""), TOKEN);
	assert_null(json_object_object_get(open, "secret_enc"));
	clxs_secret_spec_wipe(open);
	/* The stored spec itself never held the token. */
	assert_null(strstr(clxs_json_text(spec), TOKEN));

	/* A spec whose host was edited no longer opens. */
	clxs_json_set_str(spec, "host", "https://evil.example");
	assert_int_equal(clxs_secret_spec_reveal(spec, &open, &err), CLXS_EAUTH);
	assert_null(open);
	/* Service principal secrets land where the client reads them. */
	clxs_json_set_str(spec, "host", "https://h.example");
	clxs_json_set_str(spec, "auth_type", "azure-client-secret");
	assert_int_equal(clxs_secret_spec_reveal(spec, &open, &err), CLXS_OK);
	assert_string_equal(clxs_json_str(open, "azure_client_secret", ""), TOKEN);
	clxs_secret_spec_wipe(open);
	clxs_json_set_str(spec, "auth_type", "bogus");
	assert_int_equal(clxs_secret_spec_reveal(spec, &open, &err), CLXS_EINVAL);
	json_object_put(spec);
	free(sealed);
}

static void test_sessions(void **state)
{
	struct fixture *f = *state;
	char lmdb[160];
	snprintf(lmdb, sizeof(lmdb), "%s/lmdb", f->dir);
	mkdir(lmdb, 0700);
	clxs_store *st;
	clxs_error err;
	assert_int_equal(clxs_store_open(lmdb, 0, &st, &err), CLXS_OK);
	json_object *rec = json_object_new_object();
	clxs_json_set_str(rec, "host", "https://h.example");
	clxs_json_set_str(rec, "user", "someone@example.com");
	char id[CLXS_SESSION_ID_LEN + 1], id2[CLXS_SESSION_ID_LEN + 1];
	assert_int_equal(clxs_session_create(st, rec, id, &err), CLXS_OK);
	assert_int_equal(strlen(id), CLXS_SESSION_ID_LEN);
	assert_int_equal(clxs_session_create(st, rec, id2, &err), CLXS_OK);
	assert_string_not_equal(id, id2);
	json_object *got = clxs_session_get(st, id, &err);
	assert_non_null(got);
	assert_string_equal(clxs_json_str(got, "user", ""), "someone@example.com");
	assert_true(clxs_json_int(got, "expires_ms", 0) > clxs_json_int(got, "created_ms", 0));
	json_object_put(got);
	/* Malformed and unknown ids. */
	assert_null(clxs_session_get(st, "nope", &err));
	assert_int_equal(err.code, CLXS_ENOTFOUND);
	char other[CLXS_SESSION_ID_LEN + 1];
	memset(other, 'a', CLXS_SESSION_ID_LEN);
	other[CLXS_SESSION_ID_LEN] = '\0';
	assert_null(clxs_session_get(st, other, &err));
	/* Deleted is gone; deleting twice is fine. */
	assert_int_equal(clxs_session_delete(st, id, &err), CLXS_OK);
	assert_null(clxs_session_get(st, id, &err));
	assert_int_equal(clxs_session_delete(st, id, &err), CLXS_OK);
	assert_non_null((got = clxs_session_get(st, id2, &err)));
	json_object_put(got);
	clxs_store_close(st);
	/* LMDB keys sessions by a hash: the live id is not in the file. */
	char data[200];
	snprintf(data, sizeof(data), "%s/data.mdb", lmdb);
	assert_false(file_contains(data, id2));
	assert_true(file_contains(data, "someone@example.com"));
	json_object_put(rec);
}

static void test_cookie_parsing(void **state)
{
	(void)state;
	char id[CLXS_SESSION_ID_LEN + 1], buf[128];
	memset(id, 'b', CLXS_SESSION_ID_LEN);
	id[CLXS_SESSION_ID_LEN] = '\0';
	char cookie[300];
	snprintf(cookie, sizeof(cookie), "a=1; clxs_session=%s; b=2", id);
	assert_string_equal(clxs_session_cookie_id(cookie, buf, sizeof(buf)), id);
	snprintf(cookie, sizeof(cookie), "clxs_session=%s", id);
	assert_string_equal(clxs_session_cookie_id(cookie, buf, sizeof(buf)), id);
	assert_null(clxs_session_cookie_id("clxs_session=short", buf, sizeof(buf)));
	assert_null(clxs_session_cookie_id("xclxs_session=zz", buf, sizeof(buf)));
	snprintf(cookie, sizeof(cookie), "clxs_session=%.63sG", id);
	assert_null(clxs_session_cookie_id(cookie, buf, sizeof(buf)));
	assert_null(clxs_session_cookie_id(NULL, buf, sizeof(buf)));
	char set[256];
	clxs_session_set_cookie(set, sizeof(set), id);
	assert_non_null(strstr(set, "HttpOnly"));
	assert_non_null(strstr(set, "SameSite=Strict"));
	assert_non_null(strstr(set, id));
	clxs_session_clear_cookie(set, sizeof(set));
	assert_non_null(strstr(set, "Max-Age=0"));
}

/* The API token check through the real dispatcher. */
struct hdrs {
	const char *auth, *xtoken, *server_addr;
};

static const char *get_header(const char *name, void *ud)
{
	struct hdrs *h = ud;
	if (!strcmp(name, "HTTP_AUTHORIZATION"))
		return h->auth;
	if (!strcmp(name, "HTTP_X_API_TOKEN"))
		return h->xtoken;
	if (!strcmp(name, "SERVER_ADDR"))
		return h->server_addr;
	return NULL;
}

static int call(clxs_api_ctx *ctx, const char *uri, struct hdrs *h)
{
	clxs_http_in in = {0};
	in.method = "GET";
	in.uri = uri;
	in.content_length = -1;
	in.header = get_header;
	in.header_ud = h;
	clxs_http_out out;
	clxs_api_handle(ctx, &in, &out);
	free(out.body);
	return out.status;
}

static void test_api_token_guard(void **state)
{
	(void)state;
	static const char yaml[] = "server:\n  api_token: \"s3cr3t-token-0123456789\"\n";
	clxs_error err;
	clxs_api_ctx ctx = {0};
	ctx.max_body = 1 << 20;
	ctx.config = clxs_config_load_string(yaml, strlen(yaml), NULL, NULL, &err);
	assert_non_null(ctx.config);
	struct hdrs h = {0};
	assert_int_equal(call(&ctx, "/api/health", &h), 200);
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 401);
	assert_int_equal(call(&ctx, "/api/no-such-route", &h), 401);
	h.auth = "Bearer wrong";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 401);
	h.auth = "Bearer s3cr3t-token-0123456789";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 200);
	h.auth = "Basic s3cr3t-token-0123456789";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 401);
	h.auth = NULL;
	h.xtoken = "s3cr3t-token-0123456789";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 200);
	h.xtoken = "s3cr3t-token-012345678"; /* a prefix is not the token */
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 401);
	json_object_put(ctx.config);

	/* No token configured: loopback is served, anything else refused. */
	ctx.config = NULL;
	memset(&h, 0, sizeof(h));
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 200);
	h.server_addr = "127.0.0.1";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 200);
	h.server_addr = "::1";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 200);
	h.server_addr = "10.1.2.3";
	assert_int_equal(call(&ctx, "/api/openapi.json", &h), 403);
	assert_int_equal(call(&ctx, "/api/health", &h), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_file_created_0600_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_refused_when_open_or_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_open_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_and_wrong_aad_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_fails, setup, teardown),
		cmocka_unit_test(test_equal_and_mask),
		cmocka_unit_test_setup_teardown(test_spec_reveal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test(test_cookie_parsing),
		cmocka_unit_test(test_api_token_guard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
