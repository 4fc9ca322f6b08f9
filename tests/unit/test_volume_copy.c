/* Volume file copy: paths built from encoded components (never raw names),
 * recursion into sub-directories, per-file reports, and listing entries
 * that would leave the volume refused. The workspace is an in-process fake
 * Files API, so the real client code (retries, listing pagination) runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/json.h"
#include "clxs/volume_copy.h"
#include "clxs/workspace.h"
#include "clxs/ws_files.h"

#define SRC_DIR "/api/2.0/fs/directories/Volumes/my%20cat/s/v"
#define SRC_FILES "/api/2.0/fs/files/Volumes/my%20cat/s/v/"

typedef struct {
	char puts[16][512];
	char bodies[16][64];
	int nputs;
	bool evil; /* list an entry named ".." */
	bool sized; /* list a big and a small file with file_size */
	int ngets;  /* file downloads */
} fake;

static int handler(void *ud, const char *method, const char *path, const char *body, size_t body_len,
		   char **resp, size_t *resp_len, int *status)
{
	fake *f = ud;
	*status = 200;
	const char *out = "{}";
	char buf[512];
	if (f->sized && !strcmp(method, "GET") && !strncmp(path, SRC_DIR "?", strlen(SRC_DIR) + 1)) {
		out = "{\"contents\":[{\"name\":\"big.bin\",\"is_directory\":false,\"file_size\":2097153},"
		      "{\"name\":\"huge.bin\",\"is_directory\":false,\"file_size\":68719476736},"
		      "{\"name\":\"small.txt\",\"is_directory\":false,\"file_size\":22}]}";
	} else if (!strcmp(method, "GET") && !strncmp(path, SRC_DIR "?", strlen(SRC_DIR) + 1)) {
		out = f->evil ? "{\"contents\":[{\"name\":\"..\",\"is_directory\":false},"
				"{\"name\":\"ok.txt\",\"is_directory\":false}]}"
			      : "{\"contents\":[{\"name\":\"a b'c.txt\",\"is_directory\":false},"
				"{\"name\":\"sub/\",\"is_directory\":true}]}";
	} else if (!strcmp(method, "GET") && !strncmp(path, SRC_DIR "/sub/?", strlen(SRC_DIR) + 6)) {
		out = "{\"contents\":[{\"name\":\"x;y.bin\",\"is_directory\":false}]}";
	} else if (!strcmp(method, "GET") && !strncmp(path, SRC_FILES, strlen(SRC_FILES))) {
		snprintf(buf, sizeof(buf), "bytes of %s", path + strlen(SRC_FILES));
		out = buf;
		f->ngets++;
	} else if (!strcmp(method, "PUT") && f->nputs < 16) {
		snprintf(f->puts[f->nputs], sizeof(f->puts[0]), "%s", path);
		snprintf(f->bodies[f->nputs], sizeof(f->bodies[0]), "%.*s", (int)body_len, body ? body : "");
		f->nputs++;
		*status = 204;
		out = "";
	} else {
		*status = 404;
		out = "{\"error_code\":\"NOT_FOUND\",\"message\":\"no such path\"}";
	}
	*resp = strdup(out);
	*resp_len = strlen(out);
	return 0;
}

static clxs_ws_client *client(fake *f)
{
	clxs_ws_options o = {.max_retries = 0, .inproc = handler, .inproc_ud = f};
	clxs_ws_config cfg = {0};
	cfg.auth = CLXS_WS_AUTH_NONE;
	clxs_ws_client *c = NULL;
	clxs_error err;
	assert_int_equal(clxs_ws_client_new(&cfg, &o, &c, &err), CLXS_OK);
	return c;
}

static void test_volume_path(void **state)
{
	(void)state;
	clxs_buf b;
	clxs_buf_init(&b);
	clxs_error err;
	assert_int_equal(clxs_ws_volume_path(&b, "files", "c/x", "s", "v", "d 1/f?.txt", &err), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "/api/2.0/fs/files/Volumes/c%2Fx/s/v/d%201/f%3F.txt");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_ws_volume_path(&b, "directories", "c", "s", "v", "d/", &err), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "/api/2.0/fs/directories/Volumes/c/s/v/d/");
	static const char *const bad[] = {"../x", "a/../b", "a//b", "./a", "..", "/abs"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clxs_buf_reset(&b);
		assert_int_equal(clxs_ws_volume_path(&b, "files", "c", "s", "v", bad[i], &err), CLXS_EINVAL);
		assert_int_equal(b.len, 0); /* nothing half-written */
	}
	assert_int_equal(clxs_ws_volume_path(&b, "files", "..", "s", "v", NULL, &err), CLXS_EINVAL);
	assert_int_equal(clxs_ws_volume_path(&b, "other", "c", "s", "v", NULL, &err), CLXS_EINVAL);
	clxs_buf_free(&b);
}

static void test_copy_tree(void **state)
{
	(void)state;
	fake f = {0};
	clxs_ws_client *c = client(&f);
	json_object *files = json_object_new_array();
	clxs_volume_copy_totals t;
	clxs_error err;
	assert_int_equal(clxs_volume_copy(c, "my cat", "dst", "s", "v", files, &t, NULL, NULL, &err), CLXS_OK);
	assert_int_equal(t.files_copied, 2);
	assert_int_equal(t.files_failed, 0);
	assert_int_equal(f.nputs, 3); /* two files and the sub-directory */
	assert_string_equal(f.puts[0], "/api/2.0/fs/files/Volumes/dst/s/v/a%20b%27c.txt");
	assert_string_equal(f.bodies[0], "bytes of a%20b%27c.txt");
	assert_string_equal(f.puts[1], "/api/2.0/fs/directories/Volumes/dst/s/v/sub/");
	assert_string_equal(f.puts[2], "/api/2.0/fs/files/Volumes/dst/s/v/sub/x%3By.bin");
	assert_int_equal(json_object_array_length(files), 2);
	assert_string_equal(clxs_json_str(json_object_array_get_idx(files, 1), "path", ""), "sub/x;y.bin");
	assert_string_equal(clxs_json_str(json_object_array_get_idx(files, 1), "status", ""), "copied");
	assert_int_equal(t.bytes_copied, (int64_t)(strlen("bytes of a%20b%27c.txt") + strlen("bytes of sub/x%3By.bin")));
	json_object_put(files);
	clxs_ws_client_free(c);
}

static void test_refuses_escaping_names(void **state)
{
	(void)state;
	fake f = {.evil = true};
	clxs_ws_client *c = client(&f);
	json_object *files = json_object_new_array();
	clxs_volume_copy_totals t;
	clxs_error err;
	assert_int_not_equal(clxs_volume_copy(c, "my cat", "dst", "s", "v", files, &t, NULL, NULL, &err), CLXS_OK);
	assert_int_equal(t.files_failed, 1);
	assert_int_equal(t.files_copied, 1); /* the good file still went */
	assert_int_equal(f.nputs, 1);
	assert_string_equal(f.puts[0], "/api/2.0/fs/files/Volumes/dst/s/v/ok.txt");
	assert_non_null(strstr(err.message, "invalid entry"));
	json_object_put(files);
	clxs_ws_client_free(c);
}

/* volume_max_file_mb: a file over the limit is skipped, with its reason,
 * before it is downloaded (file_size from the listing); it fails nothing. */
static void test_max_file_size_from_listing(void **state)
{
	(void)state;
	fake f = {.sized = true};
	clxs_ws_client *c = client(&f);
	json_object *files = json_object_new_array();
	clxs_volume_copy_totals t;
	clxs_error err;
	/* 1 MiB limit: big.bin and huge.bin are skipped without a download. */
	assert_int_equal(clxs_volume_copy_max(c, "my cat", "dst", "s", "v", 1024 * 1024, files, &t, NULL, NULL, &err),
			 CLXS_OK);
	assert_int_equal(t.files_copied, 1);
	assert_int_equal(t.files_skipped, 2);
	assert_int_equal(t.files_failed, 0);
	assert_int_equal(f.ngets, 1); /* only small.txt was downloaded */
	assert_int_equal(f.nputs, 1);
	assert_string_equal(f.puts[0], "/api/2.0/fs/files/Volumes/dst/s/v/small.txt");
	assert_int_equal(json_object_array_length(files), 3);
	json_object *big = json_object_array_get_idx(files, 0);
	assert_string_equal(clxs_json_str(big, "path", ""), "big.bin");
	assert_string_equal(clxs_json_str(big, "status", ""), "skipped");
	assert_int_equal(clxs_json_int(big, "bytes", 0), 2097153);
	assert_non_null(strstr(clxs_json_str(big, "reason", ""), "volume_max_file_mb (1 MB)"));
	assert_string_equal(clxs_json_str(json_object_array_get_idx(files, 1), "status", ""), "skipped");
	assert_string_equal(clxs_json_str(json_object_array_get_idx(files, 2), "status", ""), "copied");
	json_object_put(files);

	/* Without a limit of our own, big.bin is copied; huge.bin is over
	 * what a copy holds in memory: it fails, without a download either. */
	fake g = {.sized = true};
	clxs_ws_client *c2 = client(&g);
	assert_int_equal(clxs_volume_copy(c2, "my cat", "dst", "s", "v", NULL, &t, NULL, NULL, &err), CLXS_ETOOLARGE);
	assert_non_null(strstr(err.message, "64 MiB"));
	assert_int_equal(t.files_copied, 2);
	assert_int_equal(t.files_failed, 1);
	assert_int_equal(t.files_skipped, 0);
	assert_int_equal(g.ngets, 2);
	clxs_ws_client_free(c2);
	clxs_ws_client_free(c);
}

/* A listing without sizes: the limit is applied after the download, and a
 * file over it is still not written. */
static void test_max_file_size_after_download(void **state)
{
	(void)state;
	fake f = {0};
	clxs_ws_client *c = client(&f);
	json_object *files = json_object_new_array();
	clxs_volume_copy_totals t;
	clxs_error err;
	/* "bytes of a%20b%27c.txt" is 22 bytes, "bytes of sub/x%3By.bin" 22 too. */
	assert_int_equal(clxs_volume_copy_max(c, "my cat", "dst", "s", "v", 10, files, &t, NULL, NULL, &err), CLXS_OK);
	assert_int_equal(t.files_skipped, 2);
	assert_int_equal(t.files_copied, 0);
	assert_int_equal(f.nputs, 1); /* only the sub-directory */
	assert_string_equal(clxs_json_str(json_object_array_get_idx(files, 0), "status", ""), "skipped");
	json_object_put(files);
	clxs_ws_client_free(c);
}

static void test_missing_volume_fails(void **state)
{
	(void)state;
	fake f = {0};
	clxs_ws_client *c = client(&f);
	clxs_error err;
	assert_int_equal(clxs_volume_copy(c, "nope", "dst", "s", "v", NULL, NULL, NULL, NULL, &err), CLXS_ENOTFOUND);
	assert_int_equal(f.nputs, 0);
	clxs_ws_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_volume_path),
		cmocka_unit_test(test_max_file_size_from_listing),
		cmocka_unit_test(test_max_file_size_after_download),
		cmocka_unit_test(test_copy_tree),
		cmocka_unit_test(test_refuses_escaping_names),
		cmocka_unit_test(test_missing_volume_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
