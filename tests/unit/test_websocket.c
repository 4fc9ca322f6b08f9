/* Unit tests for the RFC 6455 pieces of clxs-events: the handshake, the
 * frame parser (masking, fragmentation, control frames, limits, UTF-8,
 * close codes) and the frame builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/websocket.h"

static const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};

static void test_accept_key(void **state)
{
	(void)state;
	char out[32];
	/* The example of RFC 6455 section 1.3. */
	assert_int_equal(clxs_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(clxs_ws_accept_key("short", out), -1);
	assert_int_equal(clxs_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ", out), -1);
	assert_int_equal(clxs_ws_accept_key("dGhlIHNhbXBsZSBub25j*Q==", out), -1);
	assert_int_equal(clxs_ws_accept_key(NULL, out), -1);
}

static const char good_req[] =
	"GET /api/clone/ws/abc123 HTTP/1.1\r\n"
	"Host: x\r\n"
	"Upgrade: WebSocket\r\n"
	"Connection: keep-alive, Upgrade\r\n"
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Version: 13\r\n"
	"\r\n";

static void test_parse_request(void **state)
{
	(void)state;
	clxs_ws_request r;
	size_t used = 0;
	int status;
	assert_int_equal(clxs_ws_parse_request(good_req, strlen(good_req), &r, &used), CLXS_WS_HEAD_OK);
	assert_int_equal(used, strlen(good_req));
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.target, "/api/clone/ws/abc123");
	assert_true(r.upgrade_websocket);
	assert_true(r.connection_upgrade);
	assert_int_equal(r.version, 13);
	assert_null(clxs_ws_request_problem(&r, &status));
	assert_int_equal(status, 101);

	/* Incomplete heads ask for more; oversized ones are refused. */
	assert_int_equal(clxs_ws_parse_request(good_req, 30, &r, &used), CLXS_WS_HEAD_INCOMPLETE);
	char *big = malloc(CLXS_WS_MAX_HEAD + 10);
	memset(big, 'a', CLXS_WS_MAX_HEAD + 10);
	assert_int_equal(clxs_ws_parse_request(big, CLXS_WS_MAX_HEAD + 10, &r, &used), CLXS_WS_HEAD_TOO_LARGE);
	free(big);
	const char *bad[] = {
		"GET\r\n\r\n",
		"GET /x\r\n\r\n",
		"get /x HTTP/1.1\r\n\r\n",
		"GET /x HTTP/2\r\n\r\n",
		"GET /x HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET /x HTTP/1.1\r\n folded: x\r\n\r\n",
		"GET /x HTTP/1.1\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Key: b\r\n\r\n",
		"GET /a\x01 HTTP/1.1\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(clxs_ws_parse_request(bad[i], strlen(bad[i]), &r, &used), CLXS_WS_HEAD_BAD);
}

static int problem_status(const char *req)
{
	clxs_ws_request r;
	size_t used;
	int status = 0;
	assert_int_equal(clxs_ws_parse_request(req, strlen(req), &r, &used), CLXS_WS_HEAD_OK);
	clxs_ws_request_problem(&r, &status);
	return status;
}

static void test_request_problems(void **state)
{
	(void)state;
	assert_int_equal(problem_status("POST /x HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"), 405);
	assert_int_equal(problem_status("GET /x HTTP/1.0\r\n\r\n"), 400);
	assert_int_equal(problem_status("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"), 426);
	assert_int_equal(problem_status("GET /x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n"), 426);
	assert_int_equal(problem_status("GET /x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
					"Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"),
			 426);
	assert_int_equal(problem_status("GET /x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
					"Sec-WebSocket-Version: 13\r\n\r\n"),
			 400);
	assert_int_equal(problem_status("GET /x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
					"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: bm90IGJhc2U2NA\r\n\r\n"),
			 400);
}

/* Feed frames and collect the parser's verdict for the next message. */
static clxs_ws_parse_result next(clxs_ws_parser *p, int *op, const unsigned char **pl, size_t *len, int *code)
{
	return clxs_ws_parser_next(p, op, pl, len, code);
}

static void test_masked_text(void **state)
{
	(void)state;
	clxs_buf f;
	clxs_buf_init(&f);
	assert_int_equal(clxs_ws_client_frame(&f, CLXS_WS_OP_TEXT, true, "ping", 4, mask), 0);
	clxs_ws_parser p;
	clxs_ws_parser_init(&p, 0);
	int op, code;
	const unsigned char *pl;
	size_t len;
	/* Byte by byte: nothing until the last byte arrives. */
	for (size_t i = 0; i + 1 < f.len; i++) {
		assert_int_equal(clxs_ws_parser_feed(&p, f.data + i, 1), 0);
		assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_NEED_MORE);
	}
	assert_int_equal(clxs_ws_parser_feed(&p, f.data + f.len - 1, 1), 0);
	assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_MESSAGE);
	assert_int_equal(op, CLXS_WS_OP_TEXT);
	assert_int_equal(len, 4);
	assert_memory_equal(pl, "ping", 4);
	assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_NEED_MORE);
	clxs_ws_parser_free(&p);
	clxs_buf_free(&f);
}

static void test_unmasked_refused(void **state)
{
	(void)state;
	clxs_buf f;
	clxs_buf_init(&f);
	clxs_ws_frame(&f, CLXS_WS_OP_TEXT, "hi", 2); /* a server frame: unmasked */
	clxs_ws_parser p;
	clxs_ws_parser_init(&p, 0);
	int op, code = 0;
	const unsigned char *pl;
	size_t len;
	clxs_ws_parser_feed(&p, f.data, f.len);
	assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	clxs_ws_parser_free(&p);
	clxs_buf_free(&f);
}

static void test_fragments_with_control_between(void **state)
{
	(void)state;
	clxs_buf f;
	clxs_buf_init(&f);
	clxs_ws_client_frame(&f, CLXS_WS_OP_TEXT, false, "hel", 3, mask);
	clxs_ws_client_frame(&f, CLXS_WS_OP_PING, true, "x", 1, mask);
	clxs_ws_client_frame(&f, CLXS_WS_OP_CONT, false, "lo ", 3, mask);
	clxs_ws_client_frame(&f, CLXS_WS_OP_CONT, true, "world", 5, mask);
	clxs_ws_parser p;
	clxs_ws_parser_init(&p, 0);
	int op, code;
	const unsigned char *pl;
	size_t len;
	clxs_ws_parser_feed(&p, f.data, f.len);
	assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_MESSAGE);
	assert_int_equal(op, CLXS_WS_OP_PING);
	assert_int_equal(len, 1);
	assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_MESSAGE);
	assert_int_equal(op, CLXS_WS_OP_TEXT);
	assert_int_equal(len, 11);
	assert_memory_equal(pl, "hello world", 11);
	assert_int_equal(next(&p, &op, &pl, &len, &code), CLXS_WS_NEED_MORE);
	clxs_ws_parser_free(&p);
	clxs_buf_free(&f);
}

static int verdict(const unsigned char *raw, size_t n, size_t max, int *code)
{
	clxs_ws_parser p;
	clxs_ws_parser_init(&p, max);
	int op;
	const unsigned char *pl;
	size_t len;
	*code = 0;
	if (clxs_ws_parser_feed(&p, raw, n) != 0) {
		clxs_ws_parser_free(&p);
		return -1;
	}
	clxs_ws_parse_result r;
	while ((r = next(&p, &op, &pl, &len, code)) == CLXS_WS_MESSAGE)
		;
	clxs_ws_parser_free(&p);
	return (int)r;
}

static int frames_verdict(int n, const int *ops, const int *fins, const char *const *payloads, size_t max,
			  int *code)
{
	clxs_buf f;
	clxs_buf_init(&f);
	for (int i = 0; i < n; i++)
		clxs_ws_client_frame(&f, ops[i], fins[i], payloads[i], strlen(payloads[i]), mask);
	int r = verdict((const unsigned char *)f.data, f.len, max, code);
	clxs_buf_free(&f);
	return r;
}

static void test_protocol_violations(void **state)
{
	(void)state;
	int code;
	/* Continuation with nothing to continue. */
	int ops1[] = {CLXS_WS_OP_CONT};
	int fin1[] = {1};
	const char *pl1[] = {"x"};
	assert_int_equal(frames_verdict(1, ops1, fin1, pl1, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	/* A new text message in the middle of a fragmented one. */
	int ops2[] = {CLXS_WS_OP_TEXT, CLXS_WS_OP_TEXT};
	int fin2[] = {0, 1};
	const char *pl2[] = {"a", "b"};
	assert_int_equal(frames_verdict(2, ops2, fin2, pl2, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	/* A fragmented control frame. */
	int ops3[] = {CLXS_WS_OP_PING};
	int fin3[] = {0};
	assert_int_equal(frames_verdict(1, ops3, fin3, pl1, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	/* A control frame over 125 bytes. */
	char big[200];
	memset(big, 'p', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const char *pl4[] = {big};
	int fin4[] = {1};
	assert_int_equal(frames_verdict(1, ops3, fin4, pl4, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	/* Reserved opcode and reserved bits. */
	unsigned char raw[] = {0x83, 0x80, 1, 2, 3, 4};
	assert_int_equal(verdict(raw, sizeof(raw), 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	unsigned char rsv[] = {0xC1, 0x80, 1, 2, 3, 4};
	assert_int_equal(verdict(rsv, sizeof(rsv), 0, &code), CLXS_WS_ERROR);
	/* A 64-bit length with the top bit set. */
	unsigned char huge[] = {0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
	assert_int_equal(verdict(huge, sizeof(huge), 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
}

static void test_limits(void **state)
{
	(void)state;
	int code;
	/* A frame announcing more than the limit is refused from its header,
	 * before any payload arrives. */
	unsigned char hdr[] = {0x81, 0xFF, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4};
	assert_int_equal(verdict(hdr, sizeof(hdr), 1024, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_TOO_BIG);
	/* Fragments that add up past the limit. */
	char part[700];
	memset(part, 'a', sizeof(part) - 1);
	part[sizeof(part) - 1] = '\0';
	int ops[] = {CLXS_WS_OP_TEXT, CLXS_WS_OP_CONT};
	int fins[] = {0, 1};
	const char *pls[] = {part, part};
	assert_int_equal(frames_verdict(2, ops, fins, pls, 1024, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_TOO_BIG);
	/* Exactly at the limit is fine. */
	assert_int_equal(frames_verdict(1, ops, fins + 1, pls, sizeof(part) - 1, &code), CLXS_WS_NEED_MORE);
}

static void test_utf8_and_close(void **state)
{
	(void)state;
	assert_true(clxs_ws_utf8_valid((const unsigned char *)"caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	assert_false(clxs_ws_utf8_valid((const unsigned char *)"\xc0\xaf", 2));       /* overlong */
	assert_false(clxs_ws_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));   /* surrogate */
	assert_false(clxs_ws_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(clxs_ws_utf8_valid((const unsigned char *)"\xe2\x82", 2));       /* truncated */
	int code;
	int ops[] = {CLXS_WS_OP_TEXT};
	int fins[] = {1};
	const char *bad[] = {"\xff"};
	assert_int_equal(frames_verdict(1, ops, fins, bad, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_BAD_DATA);
	/* Binary is not checked for UTF-8. */
	int bops[] = {CLXS_WS_OP_BINARY};
	assert_int_equal(frames_verdict(1, bops, fins, bad, 0, &code), CLXS_WS_NEED_MORE);

	/* Close frames: 1 byte, reserved codes and bad reasons are errors. */
	int cops[] = {CLXS_WS_OP_CLOSE};
	const char *one[] = {"\x03"};
	assert_int_equal(frames_verdict(1, cops, fins, one, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_PROTOCOL);
	const char *c1005[] = {"\x03\xed"};
	assert_int_equal(frames_verdict(1, cops, fins, c1005, 0, &code), CLXS_WS_ERROR);
	const char *c1000_bad[] = {"\x03\xe8\xff"};
	assert_int_equal(frames_verdict(1, cops, fins, c1000_bad, 0, &code), CLXS_WS_ERROR);
	assert_int_equal(code, CLXS_WS_CLOSE_BAD_DATA);
	const char *c1000[] = {"\x03\xe8" "bye"};
	assert_int_equal(frames_verdict(1, cops, fins, c1000, 0, &code), CLXS_WS_NEED_MORE);
	assert_true(clxs_ws_close_code_valid(4404));
	assert_false(clxs_ws_close_code_valid(1006));
	assert_false(clxs_ws_close_code_valid(999));
}

static void test_server_frames(void **state)
{
	(void)state;
	clxs_buf b;
	clxs_buf_init(&b);
	assert_int_equal(clxs_ws_frame(&b, CLXS_WS_OP_TEXT, "hi", 2), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "\x81\x02hi", 4);
	clxs_buf_reset(&b);
	char *big = calloc(1, 70000);
	assert_int_equal(clxs_ws_frame(&b, CLXS_WS_OP_BINARY, big, 300), 0);
	assert_memory_equal(b.data, "\x82\x7e\x01\x2c", 4);
	clxs_buf_reset(&b);
	assert_int_equal(clxs_ws_frame(&b, CLXS_WS_OP_BINARY, big, 70000), 0);
	assert_memory_equal(b.data, "\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10);
	assert_int_equal(b.len, 70010);
	clxs_buf_reset(&b);
	assert_int_equal(clxs_ws_frame(&b, CLXS_WS_OP_PING, big, 126), -1);
	assert_int_equal(b.len, 0);
	/* A long reason is cut to fit a control frame, never mid-character. */
	char reason[200];
	for (int i = 0; i < 198; i += 2)
		memcpy(reason + i, "\xc3\xa9", 2);
	reason[198] = '\0';
	assert_int_equal(clxs_ws_close_frame(&b, 1000, reason), 0);
	assert_true(b.data[1] <= 125);
	assert_true(clxs_ws_utf8_valid((const unsigned char *)b.data + 4, (size_t)b.data[1] - 2));
	free(big);
	clxs_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_key),
		cmocka_unit_test(test_parse_request),
		cmocka_unit_test(test_request_problems),
		cmocka_unit_test(test_masked_text),
		cmocka_unit_test(test_unmasked_refused),
		cmocka_unit_test(test_fragments_with_control_between),
		cmocka_unit_test(test_protocol_violations),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_utf8_and_close),
		cmocka_unit_test(test_server_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
