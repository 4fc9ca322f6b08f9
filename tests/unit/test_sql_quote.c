/* Unit tests for the growable buffer, identifier/literal quoting and the
 * SQL builder. Quoted output is also fed back through the tokenizer to
 * prove that it reads back as exactly one token with the original value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/buf.h"
#include "clxs/sql.h"
#include "clxs/sql_token.h"

/* ---- clxs_buf ------------------------------------------------------- */

static void test_buf_basic(void **state)
{
	(void)state;
	clxs_buf b;
	clxs_buf_init(&b);
	assert_string_equal(clxs_buf_str(&b), "");
	assert_int_equal(clxs_buf_puts(&b, "abc"), 0);
	assert_int_equal(clxs_buf_putc(&b, '-'), 0);
	assert_int_equal(clxs_buf_appendf(&b, "%d/%s", 42, "x"), 0);
	assert_string_equal(clxs_buf_str(&b), "abc-42/x");
	assert_int_equal(b.len, 8);
	/* Growth across many reallocations keeps the content. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(clxs_buf_appendf(&b, "%04d", i), 0);
	assert_int_equal(b.len, 8 + 4000);
	assert_memory_equal(b.data + 8 + 4 * 999, "0999", 4);
	clxs_buf_truncate(&b, 3);
	assert_string_equal(clxs_buf_str(&b), "abc");
	clxs_buf_truncate(&b, 100); /* longer than content: no-op */
	assert_string_equal(clxs_buf_str(&b), "abc");
	clxs_buf_reset(&b);
	assert_string_equal(clxs_buf_str(&b), "");
	assert_int_equal(clxs_buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	char *s = clxs_buf_detach(&b);
	assert_non_null(s);
	assert_memory_equal(s, "a\0b", 4);
	free(s);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	/* Detaching a never-used buffer still gives a real empty string. */
	s = clxs_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	clxs_buf_free(&b);
}

static void test_buf_failure(void **state)
{
	(void)state;
	clxs_buf b;
	clxs_buf_init(&b);
	assert_int_equal(clxs_buf_puts(&b, "keep"), 0);
	/* A size that would wrap around is refused, not allocated short. */
	assert_int_equal(clxs_buf_append(&b, "x", SIZE_MAX), -1);
	assert_true(clxs_buf_failed(&b));
	assert_string_equal(clxs_buf_str(&b), "keep");
	/* The failure is latched. */
	assert_int_equal(clxs_buf_puts(&b, "more"), -1);
	assert_int_equal(clxs_buf_appendf(&b, "%d", 1), -1);
	assert_null(clxs_buf_detach(&b));
	assert_false(clxs_buf_failed(&b));

	clxs_buf_set_limit(&b, 5);
	assert_int_equal(clxs_buf_puts(&b, "12345"), 0);
	assert_int_equal(clxs_buf_putc(&b, '6'), -1);
	assert_string_equal(clxs_buf_str(&b), "12345");
	clxs_buf_reset(&b);
	assert_false(clxs_buf_failed(&b));
	assert_int_equal(clxs_buf_puts(&b, "ok"), 0);
	clxs_buf_free(&b);
}

/* ---- identifiers ---------------------------------------------------- */

static char *qi(const char *name, clxs_code expect)
{
	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	clxs_error_clear(&e);
	assert_int_equal(clxs_sql_quote_ident(&b, name, &e), expect);
	if (expect != CLXS_OK) {
		assert_int_equal(b.len, 0); /* nothing half-written */
		assert_string_equal(e.detail, "identifier");
		clxs_buf_free(&b);
		return NULL;
	}
	return clxs_buf_detach(&b);
}

static void expect_ident(const char *name, const char *quoted)
{
	char *s = qi(name, CLXS_OK);
	assert_string_equal(s, quoted);
	free(s);
}

static void test_quote_ident(void **state)
{
	(void)state;
	expect_ident("orders", "`orders`");
	expect_ident("a`b", "`a``b`");
	expect_ident("```", "````````");
	expect_ident("a.b", "`a.b`");
	expect_ident("it's \"x\" \\", "`it's \"x\" \\`");
	expect_ident("line\nbreak", "`line\nbreak`");
	expect_ident("caf\xc3\xa9_\xe6\x97\xa5\xe6\x9c\xac", "`caf\xc3\xa9_\xe6\x97\xa5\xe6\x9c\xac`");
	/* Injection attempts stay one identifier. */
	expect_ident("a`; DROP TABLE x; --", "`a``; DROP TABLE x; --`");

	assert_null(qi(NULL, CLXS_EINVAL));
	assert_null(qi("", CLXS_EINVAL));
	assert_null(qi("bad\xff", CLXS_EINVAL));
	assert_null(qi("\xc0\xaf", CLXS_EINVAL)); /* overlong '/' */

	char name[300];
	memset(name, 'x', 255);
	name[255] = '\0';
	char *s = qi(name, CLXS_OK);
	assert_int_equal(strlen(s), 257);
	free(s);
	name[255] = 'x';
	name[256] = '\0';
	assert_null(qi(name, CLXS_EINVAL));
	/* The limit counts characters, not bytes: 255 two-byte characters. */
	char wide[600];
	for (int i = 0; i < 255; i++)
		memcpy(wide + 2 * i, "\xc3\xa9", 2);
	wide[510] = '\0';
	s = qi(wide, CLXS_OK);
	free(s);

	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	assert_int_equal(clxs_sql_quote_ident_n(&b, "a\0b", 3, &e), CLXS_EINVAL);
	assert_non_null(strstr(e.message, "NUL"));
	assert_int_equal(b.len, 0);
	clxs_buf_free(&b);
}

static void test_quote_name(void **state)
{
	(void)state;
	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	const char *p3[] = {"main", "sales`x", "orders"};
	assert_int_equal(clxs_sql_quote_name(&b, p3, 3, &e), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "`main`.`sales``x`.`orders`");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_sql_quote_name(&b, p3, 1, &e), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "`main`");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_buf_puts(&b, "X "), 0);
	const char *bad[] = {"main", "", "t"};
	assert_int_equal(clxs_sql_quote_name(&b, bad, 3, &e), CLXS_EINVAL);
	assert_string_equal(clxs_buf_str(&b), "X "); /* rolled back */
	assert_int_equal(clxs_sql_quote_name(&b, p3, 0, &e), CLXS_EINVAL);
	assert_int_equal(clxs_sql_quote_name(&b, NULL, 2, &e), CLXS_EINVAL);
	clxs_buf_free(&b);
}

/* ---- literals ------------------------------------------------------- */

static void expect_lit(const char *s, const char *quoted)
{
	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	assert_int_equal(clxs_sql_quote_literal(&b, s, &e), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), quoted);
	clxs_buf_free(&b);
}

static void test_quote_literal(void **state)
{
	(void)state;
	expect_lit("plain", "'plain'");
	expect_lit("", "''");
	expect_lit(NULL, "NULL");
	expect_lit("O'Connell", "'O\\'Connell'");
	expect_lit("C:\\dir\\", "'C:\\\\dir\\\\'");
	expect_lit("a\nb\tc\rd", "'a\\nb\\tc\\rd'");
	expect_lit("\x01\x1f\x7f", "'\\u0001\\u001F\\u007F'");
	expect_lit("\"dq\" `bt` ; -- /* */", "'\"dq\" `bt` ; -- /* */'");
	expect_lit("50% of a_b", "'50% of a_b'");
	expect_lit("\xe2\x82\xac", "'\xe2\x82\xac'");
	/* Classic injections come out as one inert literal. */
	expect_lit("' OR 1=1 --", "'\\' OR 1=1 --'");
	expect_lit("\\' OR 1=1 --", "'\\\\\\' OR 1=1 --'");

	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	assert_int_equal(clxs_sql_quote_literal_n(&b, "a\0" "12", 4, &e), CLXS_OK);
	/* \u0000, not \0, so the following digits are not read as octal. */
	assert_string_equal(clxs_buf_str(&b), "'a\\u000012'");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_sql_quote_literal(&b, "bad\xfe", &e), CLXS_EINVAL);
	assert_string_equal(e.detail, "literal");
	assert_int_equal(b.len, 0);
	clxs_buf_free(&b);
}

/* Tokenize `sql` and require exactly one significant token of `kind`
 * whose decoded value is value[0..vlen). */
static void expect_single_token(const char *sql, clxs_sql_tok_kind kind,
				const char *value, size_t vlen)
{
	clxs_sql_tokens t;
	clxs_error e;
	assert_int_equal(clxs_sql_tokenize(sql, strlen(sql), &t, &e), CLXS_OK);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.tok[0].kind, kind);
	assert_int_equal(t.tok[0].len, strlen(sql));
	assert_int_equal(t.tok[0].value_len, vlen);
	assert_memory_equal(t.tok[0].value, value, vlen);
	clxs_sql_tokens_free(&t);
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Property: whatever the value, quoting then tokenizing gives it back. */
static void test_quote_roundtrip(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"'", "\"", "`", "``", "\\", "\\'", ";", "--", "/*", "*/", "\n", "\r",
		"\t", "\x01", "\x7f", "a", "Z", "0", " ", "%", "_", "\\u0041", "\\012",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "r'", "$", "?", ":x"};
	uint32_t seed = 0x5eed1234u;
	clxs_buf v, q;
	clxs_buf_init(&v);
	clxs_buf_init(&q);
	for (int iter = 0; iter < 2000; iter++) {
		clxs_buf_reset(&v);
		clxs_buf_reset(&q);
		int n = 1 + (int)(rng_next(&seed) % 12);
		for (int i = 0; i < n; i++)
			assert_int_equal(clxs_buf_puts(&v, pieces[rng_next(&seed) %
						       (sizeof(pieces) / sizeof(pieces[0]))]), 0);
		clxs_error e;
		assert_int_equal(clxs_sql_quote_literal(&q, v.data, &e), CLXS_OK);
		expect_single_token(q.data, CLXS_TOK_STRING, v.data, v.len);
		clxs_buf_reset(&q);
		assert_int_equal(clxs_sql_quote_ident(&q, v.data, &e), CLXS_OK);
		expect_single_token(q.data, CLXS_TOK_QUOTED_IDENT, v.data, v.len);
	}
	/* Embedded NUL survives a literal round trip too. */
	clxs_buf_reset(&q);
	clxs_error e;
	assert_int_equal(clxs_sql_quote_literal_n(&q, "x\0" "7", 3, &e), CLXS_OK);
	expect_single_token(q.data, CLXS_TOK_STRING, "x\0" "7", 3);
	clxs_buf_free(&v);
	clxs_buf_free(&q);
}

/* ---- builder -------------------------------------------------------- */

static void test_builder(void **state)
{
	(void)state;
	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	assert_int_equal(clxs_sql_appendf(&b, &e, "CREATE TABLE %Q %K %Q",
					  "dst", "s`1", "t", "DEEP CLONE", "src", "s1", "t"),
			 CLXS_OK);
	assert_string_equal(clxs_buf_str(&b),
			    "CREATE TABLE `dst`.`s``1`.`t` DEEP CLONE `src`.`s1`.`t`");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_sql_appendf(&b, &e, "COMMENT ON TABLE %Q IS %L", NULL, "s", "t",
					  "it's"), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "COMMENT ON TABLE `s`.`t` IS 'it\\'s'");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_sql_appendf(&b, &e, "SELECT %I, %L, %L FROM x LIMIT %d", "c",
					  NULL, "v", 10), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "SELECT `c`, NULL, 'v' FROM x LIMIT 10");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_sql_appendf(&b, &e, "%d %ld %lld %u %lu %llu %zu 100%%", -1,
					  -2L, -3LL, 4u, 5UL, 6ULL, (size_t)7), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "-1 -2 -3 4 5 6 7 100%");
	clxs_buf_reset(&b);
	assert_int_equal(clxs_sql_appendf(&b, &e, "no directives"), CLXS_OK);
	assert_string_equal(clxs_buf_str(&b), "no directives");
	clxs_buf_free(&b);
}

static void expect_fmt_error(clxs_code code, const char *fmt, ...)
{
	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	assert_int_equal(clxs_buf_puts(&b, "PRE "), 0);
	clxs_error_clear(&e);
	va_list ap;
	va_start(ap, fmt);
	assert_int_equal(clxs_sql_vappendf(&b, &e, fmt, ap), code);
	va_end(ap);
	assert_int_equal(e.code, code);
	assert_string_equal(clxs_buf_str(&b), "PRE "); /* rolled back */
	clxs_buf_free(&b);
}

static void test_builder_errors(void **state)
{
	(void)state;
	expect_fmt_error(CLXS_EINVAL, "SELECT %s", "x");
	expect_fmt_error(CLXS_EINVAL, "SELECT %f", 1.0);
	expect_fmt_error(CLXS_EINVAL, "SELECT %");
	expect_fmt_error(CLXS_EINVAL, "SELECT %z", 1);
	expect_fmt_error(CLXS_EINVAL, "SELECT %lx", 1L);
	expect_fmt_error(CLXS_EINVAL, "SELECT 1 FROM %I", "");
	expect_fmt_error(CLXS_EINVAL, "SELECT 1 FROM %I", NULL);
	expect_fmt_error(CLXS_EINVAL, "SELECT %I FROM %I", "ok", "bad\xff");
	expect_fmt_error(CLXS_EINVAL, "DROP TABLE %Q", NULL, NULL, NULL);
	expect_fmt_error(CLXS_EINVAL, "DROP TABLE %Q", "c", "", "t");
	expect_fmt_error(CLXS_EINVAL, "SELECT %L", "\xff");
	expect_fmt_error(CLXS_EINVAL, "%K", NULL);
	/* %K refuses fragments that could open strings or end statements. */
	expect_fmt_error(CLXS_EINVAL, "%K", "x'; DROP TABLE t; --");
	expect_fmt_error(CLXS_EINVAL, "%K", "a -- b");
	expect_fmt_error(CLXS_EINVAL, "%K", "a /* b");
	expect_fmt_error(CLXS_EINVAL, "%K", "`x`");
	expect_fmt_error(CLXS_EINVAL, "%K", "a\rb");

	clxs_buf b;
	clxs_error e;
	clxs_buf_init(&b);
	assert_int_equal(clxs_sql_appendf(&b, &e, "SELECT %s", "x"), CLXS_EINVAL);
	assert_string_equal(e.detail, "sql_format");
	assert_non_null(strstr(e.message, "offset 7"));
	/* Out of memory (simulated with a size limit) is reported, not hidden. */
	clxs_buf_set_limit(&b, 16);
	assert_int_equal(clxs_sql_appendf(&b, &e, "SELECT %I FROM t", "a_rather_long_column"),
			 CLXS_ENOMEM);
	assert_int_equal(e.code, CLXS_ENOMEM);
	assert_int_equal(b.len, 0);
	clxs_buf_free(&b);
	clxs_buf_init(&b);
	clxs_buf_set_limit(&b, 4);
	assert_int_equal(clxs_sql_quote_literal(&b, "abcdef", &e), CLXS_ENOMEM);
	assert_int_equal(b.len, 0);
	assert_int_equal(clxs_sql_quote_ident(&b, "abcdef", &e), CLXS_ENOMEM);
	clxs_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_basic),
		cmocka_unit_test(test_buf_failure),
		cmocka_unit_test(test_quote_ident),
		cmocka_unit_test(test_quote_name),
		cmocka_unit_test(test_quote_literal),
		cmocka_unit_test(test_quote_roundtrip),
		cmocka_unit_test(test_builder),
		cmocka_unit_test(test_builder_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
