/* RFC 6455 WebSocket pieces for clxs-events, kept free of sockets so they
 * are unit-testable: the opening handshake (parse an HTTP/1.1 upgrade
 * request, compute Sec-WebSocket-Accept with libcrypto's SHA-1 + base64),
 * an incremental frame parser for client frames, frame builders for server
 * frames and a strict UTF-8 check for text messages. No allowed library
 * implements a WebSocket server, so this is ours; it is deliberately small
 * and refuses anything it does not need (extensions, subprotocols). */
#ifndef CLXS_WEBSOCKET_H
#define CLXS_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clxs/buf.h"

/* Largest request head (request line + headers) we read. */
#define CLXS_WS_MAX_HEAD 8192
/* Largest client message (after reassembling fragments): clients only send
 * "ping" and small JSON, so anything bigger is abuse (close 1009). */
#define CLXS_WS_MAX_MESSAGE 65536

enum {
	CLXS_WS_OP_CONT = 0x0,
	CLXS_WS_OP_TEXT = 0x1,
	CLXS_WS_OP_BINARY = 0x2,
	CLXS_WS_OP_CLOSE = 0x8,
	CLXS_WS_OP_PING = 0x9,
	CLXS_WS_OP_PONG = 0xA,
};

/* Close codes we send (RFC 6455 section 7.4.1) and our own 4xxx ones. */
enum {
	CLXS_WS_CLOSE_NORMAL = 1000,
	CLXS_WS_CLOSE_GOING_AWAY = 1001,
	CLXS_WS_CLOSE_PROTOCOL = 1002,
	CLXS_WS_CLOSE_UNSUPPORTED = 1003,
	CLXS_WS_CLOSE_BAD_DATA = 1007,
	CLXS_WS_CLOSE_POLICY = 1008,
	CLXS_WS_CLOSE_TOO_BIG = 1009,
	CLXS_WS_CLOSE_INTERNAL = 1011,
	CLXS_WS_CLOSE_NOT_FOUND = 4404, /* the job does not exist */
};

/* ---- opening handshake ---------------------------------------------------- */

typedef struct {
	char method[16];
	char target[1024];     /* request target as sent: path[?query] */
	bool upgrade_websocket; /* Upgrade: websocket */
	bool connection_upgrade; /* Connection contains the "upgrade" token */
	char key[64];          /* Sec-WebSocket-Key, trimmed */
	int version;           /* Sec-WebSocket-Version, 0 when absent */
	bool http11;           /* HTTP/1.1 (or later) */
} clxs_ws_request;

/* Result of looking at the bytes received so far. */
typedef enum {
	CLXS_WS_HEAD_INCOMPLETE = 0, /* no blank line yet: read more */
	CLXS_WS_HEAD_OK,             /* parsed; *used = bytes of the head */
	CLXS_WS_HEAD_BAD,            /* malformed: answer 400 */
	CLXS_WS_HEAD_TOO_LARGE,      /* over CLXS_WS_MAX_HEAD: answer 431 */
} clxs_ws_head_result;

clxs_ws_head_result clxs_ws_parse_request(const char *data, size_t len, clxs_ws_request *req,
					  size_t *used);

/* Why a parsed request cannot be upgraded: NULL when it can, else a short
 * reason; *status gets the HTTP status to answer with (400, 405, 426). */
const char *clxs_ws_request_problem(const clxs_ws_request *req, int *status);

/* Sec-WebSocket-Accept for a client key: base64(SHA-1(key + GUID)).
 * out needs 29 bytes (28 characters + NUL). Returns 0, or -1 when the key
 * is not 16 bytes of base64 or libcrypto fails. */
int clxs_ws_accept_key(const char *client_key, char out[32]);

/* ---- frames ----------------------------------------------------------------- */

/* Incremental parser for one connection's incoming frames. Feed it bytes;
 * it yields whole messages (data messages reassembled from fragments,
 * control frames one at a time, which may arrive between fragments). */
typedef struct {
	clxs_buf in;          /* received bytes; those before pos are consumed */
	size_t pos;
	clxs_buf msg;         /* data message being reassembled */
	int msg_opcode;       /* opcode of the message in progress, 0 = none */
	size_t max_message;
	bool delivered;       /* msg was handed out: reset it on the next call */
} clxs_ws_parser;

typedef enum {
	CLXS_WS_NEED_MORE = 0, /* no complete message yet */
	CLXS_WS_MESSAGE,       /* *opcode, *payload, *len filled */
	CLXS_WS_ERROR,         /* protocol violation: *close_code says which */
} clxs_ws_parse_result;

void clxs_ws_parser_init(clxs_ws_parser *p, size_t max_message);
void clxs_ws_parser_free(clxs_ws_parser *p);
/* Append received bytes; -1 when out of memory or the backlog of unparsed
 * bytes exceeds what one message may be. */
int clxs_ws_parser_feed(clxs_ws_parser *p, const void *data, size_t len);
/* Take the next message. The payload stays valid until the next call.
 * Text messages are checked to be UTF-8 (1007 otherwise); close frames to
 * have a valid code and UTF-8 reason (1002/1007 otherwise). */
clxs_ws_parse_result clxs_ws_parser_next(clxs_ws_parser *p, int *opcode, const unsigned char **payload,
					 size_t *len, int *close_code);

/* Append one unmasked server frame (FIN set) to out. Control frames must
 * carry at most 125 bytes. Returns 0, or -1 on misuse / out of memory. */
int clxs_ws_frame(clxs_buf *out, int opcode, const void *payload, size_t len);
/* A close frame with code and a short reason (truncated to fit 125 bytes
 * at a UTF-8 boundary). */
int clxs_ws_close_frame(clxs_buf *out, int code, const char *reason);
/* Append a masked client frame (for tests and client tools). */
int clxs_ws_client_frame(clxs_buf *out, int opcode, bool fin, const void *payload, size_t len,
			 const unsigned char mask[4]);

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
bool clxs_ws_utf8_valid(const unsigned char *s, size_t n);
/* Close codes a peer may send (1000-1003, 1007-1011, 3000-4999). */
bool clxs_ws_close_code_valid(int code);

#endif
