/* See ws_test_server.h. Test code: aborts on impossible failures. */
#include "ws_test_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define TS_MAX_CONN 256
#define TS_MAX_HEAD 16384

struct ts_server {
	int lfd;
	char url[64];
	ts_handler handler;
	void *ud;
	pthread_t acceptor;
	pthread_mutex_t lock;
	int nconn;
	int fds[TS_MAX_CONN];
	pthread_t threads[TS_MAX_CONN];
	bool stopping;
};

typedef struct {
	ts_server *s;
	int fd;
} conn_arg;

void ts_reply(ts_response *resp, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(resp->body);
	if (vasprintf(&resp->body, fmt, ap) < 0)
		abort();
	va_end(ap);
	resp->status = status;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void header_value(const char *head, const char *name, char *out, size_t len)
{
	out[0] = '\0';
	size_t nl = strlen(name);
	for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		const char *line = p + 2;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ')
				v++;
			const char *e = strstr(v, "\r\n");
			size_t n = e ? (size_t)(e - v) : strlen(v);
			if (n >= len)
				n = len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return;
		}
	}
}

static void *conn_main(void *arg)
{
	conn_arg a = *(conn_arg *)arg;
	free(arg);
	char *buf = malloc(TS_MAX_HEAD + 1);
	if (!buf)
		abort();
	size_t have = 0;
	for (;;) {
		/* Read until the end of the header block. */
		char *end;
		buf[have] = '\0';
		while (!(end = strstr(buf, "\r\n\r\n"))) {
			if (have >= TS_MAX_HEAD)
				goto done;
			ssize_t r = recv(a.fd, buf + have, TS_MAX_HEAD - have, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto done;
			have += (size_t)r;
			buf[have] = '\0';
		}
		size_t head_len = (size_t)(end - buf) + 4;
		end[2] = '\0'; /* keep the last header's CRLF for header_value */
		ts_request req;
		memset(&req, 0, sizeof(req));
		if (sscanf(buf, "%15s %2047s", req.method, req.path) != 2)
			goto done;
		char cl[32];
		header_value(buf, "Content-Length", cl, sizeof(cl));
		header_value(buf, "Authorization", req.authorization, sizeof(req.authorization));
		header_value(buf, "Content-Type", req.content_type, sizeof(req.content_type));
		size_t body_len = cl[0] ? strtoul(cl, NULL, 10) : 0;
		req.body = malloc(body_len + 1);
		if (!req.body)
			abort();
		size_t got = have - head_len < body_len ? have - head_len : body_len;
		memcpy(req.body, buf + head_len, got);
		while (got < body_len) {
			ssize_t r = recv(a.fd, req.body + got, body_len - got, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				free(req.body);
				goto done;
			}
			got += (size_t)r;
		}
		req.body[body_len] = '\0';
		req.body_len = body_len;
		/* Keep any pipelined bytes after this request's body. */
		size_t used = head_len + (have - head_len < body_len ? have - head_len : body_len);
		memmove(buf, buf + used, have - used);
		have -= used;

		ts_response resp;
		memset(&resp, 0, sizeof(resp));
		resp.status = 200;
		a.s->handler(a.s->ud, &req, &resp);
		free(req.body);
		if (resp.drop) {
			free(resp.body);
			break;
		}
		const char *body = resp.body ? resp.body : "";
		char *head;
		if (asprintf(&head,
			     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n%s%s\r\n",
			     resp.status, reason(resp.status), strlen(body), resp.extra_headers,
			     resp.close ? "Connection: close\r\n" : "") < 0)
			abort();
		int w = write_all(a.fd, head, strlen(head));
		if (w == 0)
			w = write_all(a.fd, body, strlen(body));
		free(head);
		free(resp.body);
		if (w < 0 || resp.close)
			break;
	}
done:
	free(buf);
	shutdown(a.fd, SHUT_RDWR);
	return NULL;
}

static void *accept_main(void *arg)
{
	ts_server *s = arg;
	for (;;) {
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		pthread_mutex_lock(&s->lock);
		if (s->stopping || s->nconn >= TS_MAX_CONN) {
			pthread_mutex_unlock(&s->lock);
			close(fd);
			if (s->stopping)
				break;
			continue;
		}
		conn_arg *a = malloc(sizeof(*a));
		if (!a)
			abort();
		a->s = s;
		a->fd = fd;
		s->fds[s->nconn] = fd;
		if (pthread_create(&s->threads[s->nconn], NULL, conn_main, a) != 0)
			abort();
		s->nconn++;
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

ts_server *ts_start(ts_handler h, void *ud)
{
	ts_server *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->handler = h;
	s->ud = ud;
	pthread_mutex_init(&s->lock, NULL);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof(sa);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->lfd, 64) < 0 || getsockname(s->lfd, (struct sockaddr *)&sa, &sl) < 0)
		abort();
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0)
		abort();
	return s;
}

const char *ts_url(const ts_server *s)
{
	return s->url;
}

int ts_connections(ts_server *s)
{
	pthread_mutex_lock(&s->lock);
	int n = s->nconn;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void ts_stop(ts_server *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_mutex_unlock(&s->lock);
	/* Wakes the blocked accept() on Linux. */
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->acceptor, NULL);
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->nconn; i++)
		shutdown(s->fds[i], SHUT_RDWR);
	pthread_mutex_unlock(&s->lock);
	for (int i = 0; i < s->nconn; i++) {
		pthread_join(s->threads[i], NULL);
		close(s->fds[i]);
	}
	close(s->lfd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
