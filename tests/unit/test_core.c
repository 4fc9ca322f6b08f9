/* Unit tests for the small core helpers: errors, JSON, ids and time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "clxs/error.h"
#include "clxs/json.h"
#include "clxs/util.h"

static void test_error_codes(void **state)
{
	(void)state;
	assert_int_equal(clxs_code_http_status(CLXS_ENOTFOUND), 404);
	assert_int_equal(clxs_code_http_status(CLXS_EVALIDATION), 422);
	assert_int_equal(clxs_code_http_status((clxs_code)9999), 500);
	assert_string_equal(clxs_code_name(CLXS_EMETHOD), "METHOD_NOT_ALLOWED");
	clxs_error e;
	assert_int_equal(clxs_fail(&e, CLXS_EINVAL, "clone_type", "bad value %d", 7), CLXS_EINVAL);
	assert_string_equal(e.message, "bad value 7");
	assert_string_equal(e.detail, "clone_type");
}

static void test_json_parse(void **state)
{
	(void)state;
	clxs_error e;
	const char *ok = " {\"a\": 1, \"b\": \"x\", \"c\": true} \n";
	json_object *o = clxs_json_parse(ok, strlen(ok), &e);
	assert_non_null(o);
	assert_int_equal(clxs_json_int(o, "a", 0), 1);
	assert_string_equal(clxs_json_str(o, "b", NULL), "x");
	assert_true(clxs_json_bool(o, "c", false));
	assert_int_equal(clxs_json_int(o, "missing", 42), 42);
	assert_null(clxs_json_str(o, "a", NULL)); /* wrong type gives the default */
	json_object_put(o);

	/* A bare number is complete only at the end of the text. */
	o = clxs_json_parse("42", 2, &e);
	assert_non_null(o);
	assert_int_equal(json_object_get_int(o), 42);
	json_object_put(o);
	o = clxs_json_parse("-1.5", 4, &e);
	assert_non_null(o);
	assert_true(json_object_get_double(o) == -1.5);
	json_object_put(o);

	const char *bad[] = {"{", "{\"a\":}", "{} x", "", "nul", "42 x", "[1,"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clxs_error_clear(&e);
		assert_null(clxs_json_parse(bad[i], strlen(bad[i]), &e));
		assert_int_equal(e.code, CLXS_EINVAL);
	}
}

static void test_json_error_shape(void **state)
{
	(void)state;
	clxs_error e;
	clxs_fail(&e, CLXS_ENOTFOUND, NULL, "no route for %s", "/x");
	json_object *o = clxs_json_error(&e);
	assert_string_equal(clxs_json_text(o),
			    "{\"error_code\":\"NOT_FOUND\",\"message\":\"no route for /x\",\"detail\":null}");
	json_object_put(o);
}

static void test_ids(void **state)
{
	(void)state;
	char a[17], b[17], u[37];
	assert_int_equal(clxs_id_hex(a, 16), 0);
	assert_int_equal(clxs_id_hex(b, 16), 0);
	assert_int_equal(strlen(a), 16);
	assert_string_not_equal(a, b);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_int_equal(clxs_id_hex(a, 7), -1);
	assert_int_equal(clxs_uuid4(u), 0);
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '4');
	assert_true(strchr("89ab", u[19]) != NULL);
}

static void test_time(void **state)
{
	(void)state;
	char buf[32];
	clxs_iso8601(1764415530123LL, buf);
	assert_string_equal(buf, "2025-11-29T11:25:30.123Z");
	int64_t ms = 0;
	assert_int_equal(clxs_parse_iso8601(buf, &ms), 0);
	assert_int_equal(ms, 1764415530123LL);
	assert_int_equal(clxs_parse_iso8601("2025-11-29", &ms), 0);
	assert_int_equal(ms, 1764374400000LL);
	assert_int_equal(clxs_parse_iso8601("2025-11-29 11:25:30", &ms), 0);
	assert_int_equal(ms, 1764415530000LL);
	assert_int_equal(clxs_parse_iso8601("2025-13-01", &ms), -1);
	assert_int_equal(clxs_parse_iso8601("yesterday", &ms), -1);
	assert_int_equal(clxs_parse_iso8601("2025-11-29T11:25:30Zjunk", &ms), -1);
	assert_true(clxs_mono_ms() > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_json_parse),
		cmocka_unit_test(test_json_error_shape),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
