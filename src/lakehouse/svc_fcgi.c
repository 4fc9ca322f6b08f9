/* One clxs-lakehouse worker's FastCGI loop: read a request from nginx, hand
 * it to the service, write status, headers and body. Like the API pool's
 * loop (src/api/fcgi.c), but the body may be raw bytes (Files API), HEAD
 * answers carry a Content-Length without a body, and the Authorization
 * header is passed on. */
#include "svc_internal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clxs/http.h"
#include "clxs/log.h"

static volatile sig_atomic_t in_request, stop_requested;

/* Between requests a worker dies at once; inside one it finishes the
 * response first. Statements still executing on threads are marked FAILED
 * by the next request that looks at them. */
static void on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (!in_request)
		_exit(0);
}

/* The body, through libfcgi (clxs_http_read_body's reader). */
static int fcgi_read(void *ud, char *buf, int n)
{
	return FCGX_GetStr(buf, n, ud);
}

int svc_fcgi_loop(clxs_lh_service *svc, int sock, size_t max_body)
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
		const char *method = FCGX_GetParam("REQUEST_METHOD", r.envp);
		const char *uri = FCGX_GetParam("REQUEST_URI", r.envp);
		const char *auth = FCGX_GetParam("HTTP_AUTHORIZATION", r.envp);
		const char *cl = FCGX_GetParam("CONTENT_LENGTH", r.envp);
		long long announced = cl && *cl ? atoll(cl) : -1;
		size_t blen = 0;
		bool too_large;
		char *body = clxs_http_read_body(fcgi_read, r.in, announced, max_body, &blen,
						 &too_large);
		clxs_lh_response resp;
		if (too_large) {
			memset(&resp, 0, sizeof(resp));
			resp.content_length = -1;
			svc_reply_set_json(&resp, 413,
					   "{\"error_code\":\"RESOURCE_LIMIT_EXCEEDED\","
					   "\"message\":\"the request body exceeds the lakehouse's limit\"}");
		} else {
			clxs_lh_service_handle_ex(svc, method ? method : "GET", uri ? uri : "/", body,
						  blen, auth, &resp);
		}
		char head[768];
		int64_t clen = resp.content_length >= 0 ? resp.content_length : (int64_t)resp.body_len;
		int hlen = snprintf(head, sizeof(head),
				    "Status: %d %s\r\n%s%s%sContent-Length: %lld\r\n"
				    "Cache-Control: no-store\r\n%s\r\n",
				    resp.status, clxs_http_reason(resp.status),
				    resp.content_type ? "Content-Type: " : "",
				    resp.content_type ? resp.content_type : "",
				    resp.content_type ? "\r\n" : "", (long long)clen, resp.headers);
		FCGX_PutStr(head, hlen, r.out);
		bool head_only = method && strcmp(method, "HEAD") == 0;
		for (size_t off = 0; !head_only && off < resp.body_len;) {
			size_t n = resp.body_len - off > (1u << 30) ? (1u << 30) : resp.body_len - off;
			if (FCGX_PutStr(resp.body + off, (int)n, r.out) < 0)
				break;
			off += n;
		}
		/* As in src/api/fcgi.c: no lingering close on the unix socket. */
		FCGX_Detach(&r);
		FCGX_Finish_r(&r);
		clxs_lh_response_free(&resp);
		free(body);
		in_request = 0;
	}
	FCGX_Free(&r, 1);
	return 0;
}
