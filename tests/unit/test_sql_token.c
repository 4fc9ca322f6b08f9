/* Unit tests for the Databricks-dialect tokenizer: token kinds and
 * boundaries, decoded values, positions, errors, and a deterministic
 * random-input run checking that tokens always tile the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/buf.h"
#include "clxs/sql_token.h"

static char kind_letter(clxs_sql_tok_kind k)
{
	switch (k) {
	case CLXS_TOK_COMMENT: return 'C';
	case CLXS_TOK_IDENT: return 'I';
	case CLXS_TOK_QUOTED_IDENT: return 'Q';
	case CLXS_TOK_STRING: return 'S';
	case CLXS_TOK_NUMBER: return 'N';
	case CLXS_TOK_OPERATOR: return 'O';
	case CLXS_TOK_PUNCT: return 'P';
	case CLXS_TOK_PARAM: return '?';
	case CLXS_TOK_UNKNOWN: return 'U';
	default: return '#';
	}
}

/* Compact picture of the non-whitespace tokens: "I(SELECT) N(1) P(;)". */
static void expect_dump(const char *sql, const char *want)
{
	clxs_sql_tokens t;
	clxs_error e;
	assert_int_equal(clxs_sql_tokenize(sql, strlen(sql), &t, &e), CLXS_OK);
	clxs_buf b;
	clxs_buf_init(&b);
	for (size_t i = 0; i < t.n; i++) {
		const clxs_sql_token *k = &t.tok[i];
		if (k->kind == CLXS_TOK_WHITESPACE || k->kind == CLXS_TOK_EOF)
			continue;
		assert_int_equal(clxs_buf_appendf(&b, "%s%c(%.*s)", b.len ? " " : "",
						  kind_letter(k->kind), (int)k->len,
						  sql + k->start), 0);
	}
	if (strcmp(clxs_buf_str(&b), want) != 0)
		fail_msg("tokens of [%s]\n  got  %s\n  want %s", sql, clxs_buf_str(&b), want);
	clxs_buf_free(&b);
	clxs_sql_tokens_free(&t);
}

/* Decoded value of the only significant token of `sql`. */
static void expect_tok_value(const char *sql, clxs_sql_tok_kind kind, const char *v, size_t vlen)
{
	clxs_sql_tokens t;
	clxs_error e;
	assert_int_equal(clxs_sql_tokenize(sql, strlen(sql), &t, &e), CLXS_OK);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.tok[0].kind, kind);
	assert_int_equal(t.tok[0].value_len, vlen);
	assert_memory_equal(t.tok[0].value, v, vlen);
	assert_int_equal(t.tok[0].value[vlen], '\0');
	clxs_sql_tokens_free(&t);
}

static void test_basic(void **state)
{
	(void)state;
	expect_dump("SELECT a, `b``c` FROM cat.sch.t WHERE x = 'it\\'s'; -- done",
		    "I(SELECT) I(a) P(,) Q(`b``c`) I(FROM) I(cat) P(.) I(sch) P(.) I(t) "
		    "I(WHERE) I(x) O(=) S('it\\'s') P(;) C(-- done)");
	expect_dump("f(x)[0]{1}", "I(f) P(() I(x) P()) P([) N(0) P(]) P({) N(1) P(})");

	clxs_sql_tokens t;
	clxs_error e;
	assert_int_equal(clxs_sql_tokenize("", 0, &t, &e), CLXS_OK);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.tok[0].kind, CLXS_TOK_EOF);
	clxs_sql_tokens_free(&t);
	assert_int_equal(clxs_sql_tokenize(NULL, 0, &t, &e), CLXS_OK);
	assert_int_equal(t.n, 1);
	clxs_sql_tokens_free(&t);
	/* Case is preserved in identifier values. */
	expect_tok_value("MixedCase_9", CLXS_TOK_IDENT, "MixedCase_9", 11);
	assert_string_equal(clxs_sql_tok_kind_name(CLXS_TOK_QUOTED_IDENT), "QUOTED_IDENT");
	assert_string_equal(clxs_sql_tok_kind_name((clxs_sql_tok_kind)99), "?");
}

static void test_numbers(void **state)
{
	(void)state;
	expect_dump("1 10L 7s 1Y 1.5 .5 1. 1e3 1E-3 1.5D 2BD 3F 1.5e10bd",
		    "N(1) N(10L) N(7s) N(1Y) N(1.5) N(.5) N(1.) N(1e3) N(1E-3) N(1.5D) "
		    "N(2BD) N(3F) N(1.5e10bd)");
	/* Identifiers may start with digits; longest match wins. */
	expect_dump("1st 123abc 1e 1ex 0x1F 10Lx 1e+", "I(1st) I(123abc) I(1e) I(1ex) I(0x1F) "
		    "I(10Lx) I(1e) O(+)");
	/* A decimal followed by a letter is not a decimal (Spark's rule). */
	expect_dump("t.1col 2.3W a.5 x.y", "I(t) P(.) I(1col) N(2) P(.) I(3W) I(a) N(.5) "
		    "I(x) P(.) I(y)");
	expect_dump("1.5.2", "N(1.5) N(.2)");
}

static void test_strings(void **state)
{
	(void)state;
	expect_dump("'a\\'b' \"dq\\\"x\" r'raw\\n' R\"x'y\" 'a''b' 'semi;--/*`' X'0A' bar'x'",
		    "S('a\\'b') S(\"dq\\\"x\") S(r'raw\\n') S(R\"x'y\") S('a') S('b') "
		    "S('semi;--/*`') I(X) S('0A') I(bar) S('x')");
	expect_tok_value("'a\\'b'", CLXS_TOK_STRING, "a'b", 3);
	expect_tok_value("\"dq\\\"x\"", CLXS_TOK_STRING, "dq\"x", 4);
	expect_tok_value("r'raw\\n'", CLXS_TOK_STRING, "raw\\n", 5);
	expect_tok_value("R\"x'y\"", CLXS_TOK_STRING, "x'y", 3);
	expect_tok_value("''", CLXS_TOK_STRING, "", 0);
	expect_tok_value("r''", CLXS_TOK_STRING, "", 0);
	expect_tok_value("'\\0\\b\\n\\r\\t\\Z\\%\\_\\q\\\\'", CLXS_TOK_STRING,
		     "\0\b\n\r\t\x1A\\%\\_q\\", 12);
	expect_tok_value("'\\u0041\\u00e9\\uD83D\\uDE00\\uD800x'", CLXS_TOK_STRING,
		     "A\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx", 11);
	expect_tok_value("'\\101\\0012\\u12'", CLXS_TOK_STRING, "A\x01" "2u12", 6);
	expect_tok_value("'\xc3\xa9\\\xc3\xa9'", CLXS_TOK_STRING, "\xc3\xa9\xc3\xa9", 4);
	/* A newline inside a string is allowed and counted. */
	clxs_sql_tokens t;
	clxs_error e;
	const char *ml = "'a\nb' x";
	assert_int_equal(clxs_sql_tokenize(ml, strlen(ml), &t, &e), CLXS_OK);
	assert_int_equal(t.tok[0].flags, 0);
	assert_int_equal(t.tok[2].line, 2);
	assert_int_equal(t.tok[2].col, 4);
	clxs_sql_tokens_free(&t);
	const char *fl = "\"a\" r'b' R\"c\"";
	assert_int_equal(clxs_sql_tokenize(fl, strlen(fl), &t, &e), CLXS_OK);
	assert_int_equal(t.tok[0].flags, CLXS_TOKF_DQUOTE);
	assert_int_equal(t.tok[2].flags, CLXS_TOKF_RAW);
	assert_int_equal(t.tok[4].flags, CLXS_TOKF_RAW | CLXS_TOKF_DQUOTE);
	clxs_sql_tokens_free(&t);
}

static void test_quoted_idents(void **state)
{
	(void)state;
	expect_tok_value("`a``b`", CLXS_TOK_QUOTED_IDENT, "a`b", 3);
	expect_tok_value("``", CLXS_TOK_QUOTED_IDENT, "", 0);
	expect_tok_value("``````", CLXS_TOK_QUOTED_IDENT, "``", 2);
	expect_tok_value("`x.y; -- 'z' /*`", CLXS_TOK_QUOTED_IDENT, "x.y; -- 'z' /*", 14);
	expect_tok_value("`\xc3\x84pfel \xe6\x97\xa5`", CLXS_TOK_QUOTED_IDENT,
		     "\xc3\x84pfel \xe6\x97\xa5", 10);
	expect_dump("`a`.`b`.c", "Q(`a`) P(.) Q(`b`) P(.) I(c)");
	/* Bare non-ASCII letters are not identifiers in Databricks. */
	expect_dump("a \xc3\x84 @ $ # \\ \xff", "I(a) U(\xc3\x84) U(@) U($) U(#) U(\\) U(\xff)");
}

static void test_comments(void **state)
{
	(void)state;
	expect_dump("/* a /* nested */ still */ x -- line \\\n continued\n y /*+ HINT */ z--e",
		    "C(/* a /* nested */ still */) I(x) C(-- line \\\n continued) I(y) "
		    "C(/*+ HINT */) I(z) C(--e)");
	expect_dump("a/**/b -- c\r\nd */ e", "I(a) C(/**/) I(b) C(-- c) I(d) O(*) O(/) I(e)");
	expect_dump("a-b - -c / *d", "I(a) O(-) I(b) O(-) O(-) I(c) O(/) O(*) I(d)");
	clxs_sql_tokens t;
	clxs_error e;
	const char *s = "/* c */ /*+ h */ -- l";
	assert_int_equal(clxs_sql_tokenize(s, strlen(s), &t, &e), CLXS_OK);
	assert_int_equal(t.tok[0].flags, CLXS_TOKF_BLOCK);
	assert_int_equal(t.tok[2].flags, CLXS_TOKF_BLOCK | CLXS_TOKF_HINT);
	assert_int_equal(t.tok[4].flags, 0);
	assert_null(t.tok[0].value);
	clxs_sql_tokens_free(&t);
}

static void test_operators_params(void **state)
{
	(void)state;
	expect_dump("a<=>b <> != <= >= == || :: -> => |> !< !> >> << % ~ & ^ | !",
		    "I(a) O(<=>) I(b) O(<>) O(!=) O(<=) O(>=) O(==) O(||) O(::) O(->) "
		    "O(=>) O(|>) O(!<) O(!>) O(>) O(>) O(<) O(<) O(%) O(~) O(&) O(^) O(|) O(!)");
	expect_dump("array<array<int>>", "I(array) O(<) I(array) O(<) I(int) O(>) O(>)");
	expect_dump("x = :id AND y=? AND f(:a,:b) AND raw:owner.name AND c::int AND arr[0]:k",
		    "I(x) O(=) ?(:id) I(AND) I(y) O(=) ?(?) I(AND) I(f) P(() ?(:a) P(,) "
		    "?(:b) P()) I(AND) I(raw) O(:) I(owner) P(.) I(name) I(AND) I(c) O(::) "
		    "I(int) I(AND) I(arr) P([) N(0) P(]) O(:) I(k)");
	expect_dump(":start :1 :", "?(:start) O(:) N(1) O(:)");
	expect_tok_value(":my_param", CLXS_TOK_PARAM, "my_param", 8);
	expect_tok_value("?", CLXS_TOK_PARAM, "", 0);
}

static void test_positions(void **state)
{
	(void)state;
	clxs_sql_tokens t;
	clxs_error e;
	const char *s = "SELECT\n  x,\n\t`\xc3\xa9`\xc3\xa9 y";
	assert_int_equal(clxs_sql_tokenize(s, strlen(s), &t, &e), CLXS_OK);
	/* SELECT ws x , ws `é` é ws y EOF */
	assert_int_equal(t.n, 10);
	assert_int_equal(t.tok[2].kind, CLXS_TOK_IDENT);
	assert_int_equal(t.tok[2].line, 2);
	assert_int_equal(t.tok[2].col, 3);
	assert_int_equal(t.tok[5].kind, CLXS_TOK_QUOTED_IDENT);
	assert_int_equal(t.tok[5].line, 3);
	assert_int_equal(t.tok[5].col, 2);
	assert_int_equal(t.tok[6].kind, CLXS_TOK_UNKNOWN);
	assert_int_equal(t.tok[6].len, 2);
	assert_int_equal(t.tok[6].col, 5);
	assert_int_equal(t.tok[8].col, 7);
	assert_int_equal(t.tok[9].kind, CLXS_TOK_EOF);
	assert_int_equal(t.tok[9].start, strlen(s));
	clxs_sql_tokens_free(&t);

	const char *crlf = "a\r\nb\rc\n\nd";
	assert_int_equal(clxs_sql_tokenize(crlf, strlen(crlf), &t, &e), CLXS_OK);
	assert_int_equal(t.tok[2].line, 2);
	assert_int_equal(t.tok[2].col, 1);
	assert_int_equal(t.tok[4].line, 3);
	assert_int_equal(t.tok[6].line, 5);
	clxs_sql_tokens_free(&t);
}

static void expect_error(const char *sql, size_t len, unsigned line, unsigned col,
			 const char *what)
{
	clxs_sql_tokens t;
	clxs_error e;
	clxs_error_clear(&e);
	assert_int_equal(clxs_sql_tokenize(sql, len, &t, &e), CLXS_EINVAL);
	assert_int_equal(e.code, CLXS_EINVAL);
	assert_int_equal(t.err_line, line);
	assert_int_equal(t.err_col, col);
	assert_null(t.tok);
	char pos[32];
	snprintf(pos, sizeof(pos), "%u:%u", line, col);
	if (!strstr(e.message, pos) || !strstr(e.message, what))
		fail_msg("error for [%s]: \"%s\" lacks %s / %s", sql, e.message, pos, what);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("SELECT 'abc", 11, 1, 8, "string literal");
	expect_error("x\n  /* a /* b */", 16, 2, 3, "block comment");
	expect_error("a\n`bc", 5, 2, 1, "quoted identifier");
	expect_error("'abc\\'", 6, 1, 1, "string literal");
	expect_error("'abc\\", 5, 1, 1, "string literal");
	expect_error("\"x", 2, 1, 1, "string literal");
	expect_error("r'abc", 5, 1, 1, "raw string literal");
	expect_tok_value("r'abc\\'", CLXS_TOK_STRING, "abc\\", 4); /* no escapes in raw */
	expect_error("\xc3\xa9 'x", 5, 1, 3, "string literal");
	expect_error("`a``", 4, 1, 1, "quoted identifier");
	/* The length bounds the text even when a NUL is not there. */
	expect_error("'ab'", 3, 1, 1, "string literal");

	/* The streaming lexer reports the same and stays put. */
	clxs_sql_lexer lx;
	clxs_sql_token tok;
	clxs_error e;
	clxs_sql_lexer_init(&lx, "ab 'x", 5);
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, NULL, &e), CLXS_OK);
	assert_int_equal(tok.kind, CLXS_TOK_IDENT);
	assert_null(tok.value); /* no value buffer given */
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, NULL, &e), CLXS_OK);
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, NULL, &e), CLXS_EINVAL);
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, NULL, &e), CLXS_EINVAL);
	assert_int_equal(lx.err_col, 4);
}

static void test_lexer_values(void **state)
{
	(void)state;
	clxs_sql_lexer lx;
	clxs_sql_token tok;
	clxs_error e;
	clxs_buf v;
	clxs_buf_init(&v);
	const char *s = "`q``x` 'y'";
	clxs_sql_lexer_init(&lx, s, strlen(s));
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, &v, &e), CLXS_OK);
	assert_string_equal(tok.value, "q`x");
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, &v, &e), CLXS_OK);
	assert_null(tok.value);
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, &v, &e), CLXS_OK);
	assert_string_equal(tok.value, "y");
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, &v, &e), CLXS_OK);
	assert_int_equal(tok.kind, CLXS_TOK_EOF);
	/* EOF repeats. */
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, &v, &e), CLXS_OK);
	assert_int_equal(tok.kind, CLXS_TOK_EOF);
	/* A value that cannot be stored is an error, not a silent NULL. */
	clxs_buf_set_limit(&v, 2);
	clxs_sql_lexer_init(&lx, s, strlen(s));
	assert_int_equal(clxs_sql_lex_next(&lx, &tok, &v, &e), CLXS_ENOMEM);
	clxs_buf_free(&v);
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random byte strings biased toward the characters that drive the lexer.
 * Whatever the input: no crash (ASan watches), and on success the tokens
 * tile the input exactly, with non-decreasing positions. */
static void test_random_inputs(void **state)
{
	(void)state;
	static const char alphabet[] = "'\"`\\-/*;:.?rRxX019eEL_ab \n\r\t()<>=!|+,";
	uint32_t seed = 0xC10E5u;
	char buf[256];
	size_t ok = 0, failed = 0;
	for (int iter = 0; iter < 4000; iter++) {
		/* Half short inputs, so that many of them tokenize cleanly. */
		size_t len = rng_next(&seed) % (iter % 2 ? sizeof(buf) : 24);
		for (size_t i = 0; i < len; i++) {
			uint32_t r = rng_next(&seed);
			buf[i] = (r & 0x300) ? alphabet[r % (sizeof(alphabet) - 1)]
					     : (char)(r >> 11); /* any byte, NUL too */
		}
		clxs_sql_tokens t;
		clxs_error e;
		clxs_code rc = clxs_sql_tokenize(buf, len, &t, &e);
		if (rc != CLXS_OK) {
			assert_int_equal(rc, CLXS_EINVAL);
			assert_true(t.err_line >= 1 && t.err_col >= 1);
			failed++;
			continue;
		}
		ok++;
		assert_true(t.n >= 1);
		size_t pos = 0;
		unsigned line = 1, col = 1;
		for (size_t i = 0; i < t.n; i++) {
			const clxs_sql_token *k = &t.tok[i];
			assert_int_equal(k->start, pos);
			assert_true(k->line > line || (k->line == line && k->col >= col));
			line = k->line;
			col = k->col;
			if (i + 1 < t.n) {
				assert_true(k->len > 0);
				assert_int_not_equal(k->kind, CLXS_TOK_EOF);
			} else {
				assert_int_equal(k->kind, CLXS_TOK_EOF);
				assert_int_equal(k->len, 0);
			}
			pos += k->len;
		}
		assert_int_equal(pos, len);
		clxs_sql_tokens_free(&t);
	}
	/* Both outcomes must really have been exercised. */
	assert_true(ok > 100);
	assert_true(failed > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_quoted_idents),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_operators_params),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lexer_values),
		cmocka_unit_test(test_random_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
