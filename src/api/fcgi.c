/* The FastCGI side of a worker: read one request from nginx, hand it to the
 * dispatcher, write the response. libfcgi workers block in accept and serve
 * one request at a time; concurrency comes from the pool. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "clxs/api.h"
#include "clxs/fcgi_worker.h"
#include "clxs/http.h"
#include "clxs/log.h"

static volatile sig_atomic_t in_request, stop_requested;

/* Between requests a worker can die at once; inside one it finishes the
 * response first so nginx never sees a torn reply. */
static void on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (!in_request)
		_exit(0);
}

static const char *fcgi_header(const char *name, void *ud)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ud)->envp);
}

/* The body, through libfcgi (clxs_http_read_body's reader). */
static int fcgi_read(void *ud, char *buf, int n)
{
	return FCGX_GetStr(buf, n, ud);
}

int clxs_fcgi_worker_loop(int sock, clxs_api_ctx *ctx)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	FCGX_Request r;
	if (FCGX_InitRequest(&r, sock, 0) != 0) {
		clxs_error_log("FCGX_InitRequest failed");
		return 1;
	}
	while (!stop_requested) {
		if (FCGX_Accept_r(&r) < 0)
			break;
		in_request = 1;
		clxs_http_in in = {0};
		in.method = FCGX_GetParam("REQUEST_METHOD", r.envp);
		in.uri = FCGX_GetParam("REQUEST_URI", r.envp);
		const char *cl = FCGX_GetParam("CONTENT_LENGTH", r.envp);
		in.content_length = cl && *cl ? atoll(cl) : -1;
		in.header = fcgi_header;
		in.header_ud = &r;
		if (!in.method)
			in.method = "GET";
		char *body = clxs_http_read_body(fcgi_read, r.in, in.content_length, ctx->max_body,
						 &in.body_len, NULL);
		in.body = body;

		clxs_http_out out;
		clxs_api_handle(ctx, &in, &out);
		/* Content-Length spares nginx the chunked encoding. The head is
		 * formatted here: libfcgi's own printf knows no %zu. */
		char head[512];
		size_t blen = out.body ? strlen(out.body) : 0;
		int hlen = snprintf(head, sizeof(head),
				    "Status: %d %s\r\nContent-Type: application/json\r\n"
				    "Content-Length: %zu\r\nCache-Control: no-store\r\n%s\r\n",
				    out.status, clxs_http_reason(out.status), blen, out.extra_headers);
		FCGX_PutStr(head, hlen, r.out);
		if (blen)
			FCGX_PutStr(out.body, (int)blen, r.out);
		/* libfcgi's close does shutdown(SHUT_WR) and then waits for nginx
		 * to hang up, a guard against TCP resets losing the reply. On our
		 * unix socket the reply is already in nginx's queue, and that wait
		 * kept a worker idle for a full nginx event-loop turn per request.
		 * A detached request is closed at once. */
		FCGX_Detach(&r);
		FCGX_Finish_r(&r);
		free(out.body);
		/* Bodies may hold credentials (/api/auth/login, service principal
		 * secrets, config with server.api_token): wipe every one. It costs
		 * one pass over bytes just read, bounded by server.max_body_bytes. */
		if (body)
			OPENSSL_cleanse(body, in.body_len);
		free(body);
		in_request = 0;
	}
	FCGX_Free(&r, 1);
	return 0;
}
