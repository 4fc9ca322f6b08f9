/* A small real HTTP/1.1 server on 127.0.0.1 for the workspace client tests:
 * one accept thread plus one thread per connection, keep-alive, bodies by
 * Content-Length. Each request is handed to a test-supplied handler (called
 * concurrently from connection threads, so it must be thread-safe). */
#ifndef WS_TEST_SERVER_H
#define WS_TEST_SERVER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
	char method[16];
	char path[2048]; /* path and query */
	char *body;      /* NUL-terminated */
	size_t body_len;
	char authorization[2048];
	char content_type[128];
} ts_request;

typedef struct {
	int status;              /* default 200 */
	char *body;              /* malloc'd; freed by the server */
	char extra_headers[256]; /* e.g. "Retry-After: 1\r\n" */
	bool close;              /* close the connection after replying */
	bool drop;               /* close the connection without any reply */
} ts_response;

typedef void (*ts_handler)(void *ud, const ts_request *req, ts_response *resp);

typedef struct ts_server ts_server;

ts_server *ts_start(ts_handler h, void *ud);
/* "http://127.0.0.1:PORT" */
const char *ts_url(const ts_server *s);
/* Connections accepted so far (shows keep-alive reuse). */
int ts_connections(ts_server *s);
void ts_stop(ts_server *s);

/* Set resp's status and a printf-formatted body. */
void ts_reply(ts_response *resp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
