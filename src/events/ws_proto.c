/* RFC 6455 framing and the Sec-WebSocket-Accept computation. The parser
 * is strict where the RFC says MUST: client frames are masked, reserved
 * bits are zero (we negotiate no extensions), control frames are short and
 * unfragmented, fragments continue only a started message, text is UTF-8,
 * and the 64-bit length has its top bit clear. Sizes are checked from the
 * header, before the payload arrives, so a peer cannot make us buffer a
 * huge frame. */
#include "config.h"

#include <openssl/evp.h>
#include <string.h>

#include "clxs/websocket.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int clxs_ws_accept_key(const char *client_key, char out[32])
{
	/* The key must be base64 of exactly 16 bytes: 22 characters + "==". */
	if (!client_key || strlen(client_key) != 24 || client_key[22] != '=' || client_key[23] != '=')
		return -1;
	for (int i = 0; i < 22; i++) {
		char c = client_key[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		      c == '/'))
			return -1;
	}
	char joined[24 + sizeof(ws_guid)];
	memcpy(joined, client_key, 24);
	memcpy(joined + 24, ws_guid, sizeof(ws_guid));
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(joined, 24 + sizeof(ws_guid) - 1, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return -1;
	if (EVP_EncodeBlock((unsigned char *)out, md, 20) != 28)
		return -1;
	return 0;
}

bool clxs_ws_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need;
		uint32_t cp, min;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1, cp = c & 0x1F, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2, cp = c & 0x0F, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false; /* continuation byte, overlong lead C0/C1, or F5+ */
		}
		if (n - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

bool clxs_ws_close_code_valid(int code)
{
	if (code >= 3000 && code <= 4999)
		return true;
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}

void clxs_ws_parser_init(clxs_ws_parser *p, size_t max_message)
{
	memset(p, 0, sizeof(*p));
	clxs_buf_init(&p->in);
	clxs_buf_init(&p->msg);
	p->max_message = max_message ? max_message : CLXS_WS_MAX_MESSAGE;
}

void clxs_ws_parser_free(clxs_ws_parser *p)
{
	clxs_buf_free(&p->in);
	clxs_buf_free(&p->msg);
}

int clxs_ws_parser_feed(clxs_ws_parser *p, const void *data, size_t len)
{
	/* Drop what was consumed, so the buffer holds at most one frame in
	 * progress plus what just arrived. */
	if (p->pos > 0) {
		size_t rest = p->in.len - p->pos;
		memmove(p->in.data, p->in.data + p->pos, rest);
		clxs_buf_truncate(&p->in, rest);
		p->pos = 0;
	}
	/* One frame header (14) + the largest message + a read's worth. */
	if (p->in.len + len > p->max_message + 14 + 65536)
		return -1;
	return clxs_buf_append(&p->in, data, len);
}

static clxs_ws_parse_result fail(int *close_code, int code)
{
	*close_code = code;
	return CLXS_WS_ERROR;
}

clxs_ws_parse_result clxs_ws_parser_next(clxs_ws_parser *p, int *opcode, const unsigned char **payload,
					 size_t *len, int *close_code)
{
	if (p->delivered) {
		clxs_buf_reset(&p->msg);
		p->delivered = false;
	}
	for (;;) {
		const unsigned char *b = (const unsigned char *)p->in.data + p->pos;
		size_t avail = p->in.len - p->pos;
		if (avail < 2)
			return CLXS_WS_NEED_MORE;
		bool fin = (b[0] & 0x80) != 0;
		int op = b[0] & 0x0F;
		if (b[0] & 0x70)
			return fail(close_code, CLXS_WS_CLOSE_PROTOCOL); /* RSV without an extension */
		if (!(b[1] & 0x80))
			return fail(close_code, CLXS_WS_CLOSE_PROTOCOL); /* clients must mask */
		bool control = (op & 0x08) != 0;
		if ((op > CLXS_WS_OP_BINARY && op < CLXS_WS_OP_CLOSE) || op > CLXS_WS_OP_PONG)
			return fail(close_code, CLXS_WS_CLOSE_PROTOCOL);
		uint64_t plen = b[1] & 0x7F;
		size_t hdr = 2;
		if (plen == 126) {
			if (avail < 4)
				return CLXS_WS_NEED_MORE;
			plen = ((uint64_t)b[2] << 8) | b[3];
			hdr = 4;
		} else if (plen == 127) {
			if (avail < 10)
				return CLXS_WS_NEED_MORE;
			plen = 0;
			for (int i = 0; i < 8; i++)
				plen = (plen << 8) | b[2 + i];
			if (plen >> 63)
				return fail(close_code, CLXS_WS_CLOSE_PROTOCOL);
			hdr = 10;
		}
		if (control && (!fin || plen > 125))
			return fail(close_code, CLXS_WS_CLOSE_PROTOCOL);
		if (!control) {
			if (op == CLXS_WS_OP_CONT && !p->msg_opcode)
				return fail(close_code, CLXS_WS_CLOSE_PROTOCOL); /* nothing to continue */
			if (op != CLXS_WS_OP_CONT && p->msg_opcode)
				return fail(close_code, CLXS_WS_CLOSE_PROTOCOL); /* new message mid-fragments */
			if (plen > p->max_message || p->msg.len + plen > p->max_message)
				return fail(close_code, CLXS_WS_CLOSE_TOO_BIG);
		}
		if (avail < hdr + 4 + plen)
			return CLXS_WS_NEED_MORE;
		unsigned char *mask = (unsigned char *)p->in.data + p->pos + hdr;
		unsigned char *data = mask + 4;
		for (uint64_t i = 0; i < plen; i++)
			data[i] ^= mask[i & 3];
		p->pos += hdr + 4 + (size_t)plen;

		if (control) {
			if (op == CLXS_WS_OP_CLOSE && plen > 0) {
				if (plen == 1)
					return fail(close_code, CLXS_WS_CLOSE_PROTOCOL);
				int code = (data[0] << 8) | data[1];
				if (!clxs_ws_close_code_valid(code))
					return fail(close_code, CLXS_WS_CLOSE_PROTOCOL);
				if (!clxs_ws_utf8_valid(data + 2, (size_t)plen - 2))
					return fail(close_code, CLXS_WS_CLOSE_BAD_DATA);
			}
			*opcode = op;
			*payload = data;
			*len = (size_t)plen;
			return CLXS_WS_MESSAGE;
		}
		if (op != CLXS_WS_OP_CONT) {
			p->msg_opcode = op;
			clxs_buf_reset(&p->msg);
		}
		if (clxs_buf_append(&p->msg, data, (size_t)plen))
			return fail(close_code, CLXS_WS_CLOSE_INTERNAL);
		if (!fin)
			continue;
		const unsigned char *m = (const unsigned char *)clxs_buf_str(&p->msg);
		if (p->msg_opcode == CLXS_WS_OP_TEXT && !clxs_ws_utf8_valid(m, p->msg.len))
			return fail(close_code, CLXS_WS_CLOSE_BAD_DATA);
		*opcode = p->msg_opcode;
		*payload = m;
		*len = p->msg.len;
		p->msg_opcode = 0;
		p->delivered = true;
		return CLXS_WS_MESSAGE;
	}
}

static int frame_header(clxs_buf *out, int opcode, bool fin, size_t len, bool masked)
{
	unsigned char h[10];
	size_t n = 2;
	h[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0F));
	unsigned char m = masked ? 0x80 : 0;
	if (len < 126) {
		h[1] = (unsigned char)(m | len);
	} else if (len <= 0xFFFF) {
		h[1] = m | 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		n = 4;
	} else {
		h[1] = m | 127;
		uint64_t l = len;
		for (int i = 7; i >= 0; i--, l >>= 8)
			h[2 + i] = (unsigned char)l;
		n = 10;
	}
	return clxs_buf_append(out, h, n);
}

int clxs_ws_frame(clxs_buf *out, int opcode, const void *payload, size_t len)
{
	if ((opcode & 0x08) && len > 125)
		return -1;
	size_t before = out->len;
	if (frame_header(out, opcode, true, len, false) || (len && clxs_buf_append(out, payload, len))) {
		clxs_buf_truncate(out, before);
		return -1;
	}
	return 0;
}

int clxs_ws_close_frame(clxs_buf *out, int code, const char *reason)
{
	unsigned char p[125];
	p[0] = (unsigned char)(code >> 8);
	p[1] = (unsigned char)code;
	size_t rl = reason ? strlen(reason) : 0;
	if (rl > 123) {
		rl = 123;
		while (rl > 0 && ((unsigned char)reason[rl] & 0xC0) == 0x80)
			rl--; /* do not cut a UTF-8 sequence */
	}
	if (rl)
		memcpy(p + 2, reason, rl);
	return clxs_ws_frame(out, CLXS_WS_OP_CLOSE, p, 2 + rl);
}

int clxs_ws_client_frame(clxs_buf *out, int opcode, bool fin, const void *payload, size_t len,
			 const unsigned char mask[4])
{
	size_t before = out->len;
	if (frame_header(out, opcode, fin, len, true) || clxs_buf_append(out, mask, 4) ||
	    clxs_buf_reserve(out, len)) {
		clxs_buf_truncate(out, before);
		return -1;
	}
	const unsigned char *src = payload;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)(src[i] ^ mask[i & 3]);
		clxs_buf_append(out, &c, 1);
	}
	return 0;
}
