/* Unit tests for the HTTP pieces the FastCGI workers share (src/core/http.c):
 * reason phrases and body reading, with a reader over a string that hands
 * out at most `chunk` bytes a call, as a socket may. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/http.h"

typedef struct {
	const char *data;
	size_t len, pos, chunk;
	int calls;
} fake_in;

static int fake_read(void *ud, char *buf, int n)
{
	fake_in *f = ud;
	f->calls++;
	size_t k = f->len - f->pos;
	if (k > (size_t)n)
		k = (size_t)n;
	if (k > f->chunk)
		k = f->chunk;
	memcpy(buf, f->data + f->pos, k);
	f->pos += k;
	return (int)k;
}

static void test_reason(void **state)
{
	(void)state;
	assert_string_equal(clxs_http_reason(200), "OK");
	assert_string_equal(clxs_http_reason(201), "Created");
	assert_string_equal(clxs_http_reason(404), "Not Found");
	assert_string_equal(clxs_http_reason(405), "Method Not Allowed");
	assert_string_equal(clxs_http_reason(413), "Payload Too Large");
	assert_string_equal(clxs_http_reason(422), "Unprocessable Entity");
	assert_string_equal(clxs_http_reason(501), "Not Implemented");
	assert_string_equal(clxs_http_reason(503), "Service Unavailable");
	assert_string_equal(clxs_http_reason(502), "Internal Server Error");
	assert_string_equal(clxs_http_reason(299), "OK");
}

static void test_read_body(void **state)
{
	(void)state;
	const char *text = "{\"name\": \"landing\"}";
	fake_in f = {text, strlen(text), 0, 5, 0};
	size_t len = 99;
	bool big = true;
	char *b = clxs_http_read_body(fake_read, &f, (long long)f.len, 1024, &len, &big);
	assert_non_null(b);
	assert_int_equal(len, strlen(text));
	assert_string_equal(b, text);
	assert_false(big);
	assert_true(f.calls >= 4); /* came in pieces */
	free(b);

	/* A shorter body than announced: what came, NUL-terminated. */
	fake_in s = {"abc", 3, 0, 64, 0};
	b = clxs_http_read_body(fake_read, &s, 10, 1024, &len, NULL);
	assert_non_null(b);
	assert_int_equal(len, 3);
	assert_string_equal(b, "abc");
	free(b);
}

static void test_read_body_refused(void **state)
{
	(void)state;
	/* Above the limit: drained, too large. */
	fake_in f = {"0123456789", 10, 0, 3, 0};
	size_t len = 99;
	bool big = false;
	assert_null(clxs_http_read_body(fake_read, &f, 10, 9, &len, &big));
	assert_true(big);
	assert_int_equal(len, 0);
	assert_int_equal(f.pos, 10);

	/* No Content-Length: nothing kept, not too large, still drained. */
	fake_in g = {"xyz", 3, 0, 64, 0};
	big = true;
	assert_null(clxs_http_read_body(fake_read, &g, -1, 1024, &len, &big));
	assert_false(big);
	assert_int_equal(g.pos, 3);
	fake_in h = {"", 0, 0, 64, 0};
	assert_null(clxs_http_read_body(fake_read, &h, 0, 1024, &len, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_read_body),
		cmocka_unit_test(test_read_body_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
