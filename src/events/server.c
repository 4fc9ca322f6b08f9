/* The poll() loop of clxs-events. Each connection goes
 *   HANDSHAKE -> OPEN -> CLOSING (our close frame sent, waiting for the
 *   peer's) -> gone,
 * or HANDSHAKE -> DRAIN (an HTTP error answer is being written) -> gone.
 * Job state is not pushed to us: every poll_ms the loop re-reads the job
 * record of each open connection (one cheap LMDB read) and the job's new
 * events only when its event counter moved, and turns differences into
 * JSON messages. The runner and the API never need to know we exist. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clxs/daemon.h"
#include "clxs/events.h"
#include "clxs/jobs.h"
#include "clxs/json.h"
#include "clxs/log.h"
#include "clxs/store.h"
#include "clxs/util.h"
#include "clxs/websocket.h"

/* ST_LINGER: our last bytes are written and our side shut down; input is
 * read and dropped until the peer closes, because closing a socket with
 * unread input sends a reset that can destroy the close frame in flight. */
enum { ST_HANDSHAKE, ST_OPEN, ST_CLOSING, ST_DRAIN, ST_LINGER };
#define LINGER_MS 2000

/* A client that does not read its events is dropped past this backlog. */
#define OUT_LIMIT (1u << 20)
#define HANDSHAKE_TIMEOUT_MS 10000
#define CLOSE_TIMEOUT_MS 5000

typedef struct {
	int fd;
	int state;
	clxs_buf head;            /* handshake bytes */
	clxs_ws_parser parser;
	clxs_buf out;
	size_t out_pos;
	int64_t deadline;         /* handshake / closing timeout, 0 = none */
	int64_t last_rx, last_ping;
	bool job_valid;           /* job_id has an acceptable form */
	bool started;             /* snapshot sent */
	char job_id[65];
	int64_t last_seq;
	int64_t completed, total;
	char status[16];
} conn;

typedef struct {
	const clxs_events_opts *o;
	clxs_store *st;
	conn **conns;
	int nconns;
} server;

static void conn_free(conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	clxs_buf_free(&c->head);
	clxs_buf_free(&c->out);
	clxs_ws_parser_free(&c->parser);
	free(c);
}

static void send_frame(conn *c, int opcode, const void *p, size_t len)
{
	if (clxs_ws_frame(&c->out, opcode, p, len) != 0)
		c->state = ST_DRAIN; /* out of memory: give up on this client */
}

static void send_json(conn *c, json_object *msg)
{
	const char *t = clxs_json_text(msg);
	send_frame(c, CLXS_WS_OP_TEXT, t, strlen(t));
	json_object_put(msg);
}

/* Start the closing handshake: after our close frame only a close frame
 * from the peer (or the timeout) ends the connection. */
static void start_close(conn *c, int code, const char *reason)
{
	if (c->state != ST_OPEN)
		return;
	clxs_ws_close_frame(&c->out, code, reason);
	c->state = ST_CLOSING;
	c->deadline = clxs_mono_ms() + CLOSE_TIMEOUT_MS;
}

/* "Fail the WebSocket connection" (RFC 6455 7.1.7): after a protocol
 * error nothing more can be parsed, so send the close frame (unless one
 * went out already) and close the TCP connection once it is written. */
static void fail_connection(conn *c, int code)
{
	if (c->state == ST_OPEN)
		clxs_ws_close_frame(&c->out, code, code == CLXS_WS_CLOSE_TOO_BIG ? "message too big"
					 : code == CLXS_WS_CLOSE_BAD_DATA ? "invalid UTF-8" : "protocol error");
	c->state = ST_DRAIN;
}

static void http_error(conn *c, int status, const char *reason, const char *message)
{
	json_object *body = json_object_new_object();
	clxs_json_set_str(body, "error_code", status == 404 ? "NOT_FOUND" : status == 405 ? "METHOD_NOT_ALLOWED"
					   : status == 426 ? "UPGRADE_REQUIRED" : status == 503 ? "TEMPORARILY_UNAVAILABLE"
					   : "BAD_REQUEST");
	clxs_json_set_str(body, "message", message);
	json_object_object_add(body, "detail", NULL);
	const char *t = clxs_json_text(body);
	clxs_buf_appendf(&c->out,
			 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			 "%s%sConnection: close\r\n\r\n%s",
			 status, reason, strlen(t),
			 status == 426 ? "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" : "",
			 status == 405 ? "Allow: GET\r\n" : "", t);
	json_object_put(body);
	c->state = ST_DRAIN;
}

static bool job_id_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

static void refresh(server *s, conn *c);

static void on_handshake(server *s, conn *c)
{
	clxs_ws_request req;
	size_t used = 0;
	clxs_ws_head_result r = clxs_ws_parse_request(clxs_buf_str(&c->head), c->head.len, &req, &used);
	if (r == CLXS_WS_HEAD_INCOMPLETE)
		return;
	if (r == CLXS_WS_HEAD_TOO_LARGE)
		return http_error(c, 431, "Request Header Fields Too Large", "request head too large");
	if (r == CLXS_WS_HEAD_BAD)
		return http_error(c, 400, "Bad Request", "malformed HTTP request");
	size_t plen = strlen(CLXS_EVENTS_PATH_PREFIX);
	if (strncmp(req.target, CLXS_EVENTS_PATH_PREFIX, plen) != 0)
		return http_error(c, 404, "Not Found", "no WebSocket endpoint here; use /api/clone/ws/{job_id}");
	int status;
	const char *problem = clxs_ws_request_problem(&req, &status);
	if (problem)
		return http_error(c, status, status == 405 ? "Method Not Allowed" : status == 426 ? "Upgrade Required"
					 : "Bad Request", problem);
	const char *id = req.target + plen;
	size_t idlen = strcspn(id, "?#");
	c->job_valid = job_id_ok(id, idlen);
	if (c->job_valid) {
		memcpy(c->job_id, id, idlen);
		c->job_id[idlen] = '\0';
	}
	char accept[32];
	clxs_ws_accept_key(req.key, accept);
	clxs_buf_appendf(&c->out,
			 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			 "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	c->state = ST_OPEN;
	c->deadline = 0;
	c->last_rx = c->last_ping = clxs_mono_ms();
	/* Frames the client sent right behind its request. */
	if (c->head.len > used && clxs_ws_parser_feed(&c->parser, c->head.data + used, c->head.len - used))
		return fail_connection(c, CLXS_WS_CLOSE_TOO_BIG);
	clxs_buf_free(&c->head);
	refresh(s, c);
}

static json_object *event_base(conn *c, const char *type)
{
	json_object *m = json_object_new_object();
	clxs_json_set_str(m, "type", type);
	clxs_json_set_str(m, "job_id", c->job_id);
	return m;
}

static void not_found(conn *c)
{
	json_object *m = json_object_new_object();
	clxs_json_set_str(m, "type", "error");
	clxs_json_set_str(m, "error_code", "NOT_FOUND");
	clxs_json_set_str(m, "message", c->job_valid ? "job not found" : "malformed job id");
	if (c->job_valid)
		clxs_json_set_str(m, "job_id", c->job_id);
	send_json(c, m);
	start_close(c, CLXS_WS_CLOSE_NOT_FOUND, "job not found");
}

/* Compare the job's state with what this client has seen; send the
 * difference; after a terminal status send the final event and close. */
static void refresh(server *s, conn *c)
{
	if (c->state != ST_OPEN)
		return;
	if (!c->job_valid)
		return not_found(c);
	clxs_error err;
	json_object *job = clxs_job_get(s->st, c->job_id, &err);
	if (!job) {
		if (err.code == CLXS_ENOTFOUND)
			return not_found(c);
		clxs_warn("reading job %s: %s", c->job_id, err.message);
		return start_close(c, CLXS_WS_CLOSE_INTERNAL, "cannot read the job store");
	}
	char status[16];
	snprintf(status, sizeof(status), "%s", clxs_json_str(job, "status", "unknown"));
	if (!strcmp(status, "running") && clxs_json_bool(job, "cancel_requested", false))
		snprintf(status, sizeof(status), "cancelling");
	json_object *progress = json_object_object_get(job, "progress");
	int64_t completed = clxs_json_int(progress, "completed", 0), total = clxs_json_int(progress, "total", 0);
	int64_t seq = clxs_json_int(job, "event_seq", 0);

	if (!c->started) {
		json_object *m = event_base(c, "status");
		clxs_json_set_str(m, "job_type", clxs_json_str(job, "job_type", ""));
		clxs_json_set_str(m, "status", status);
		json_object_object_add(m, "progress", json_object_get(progress));
		json_object_object_add(m, "created_at", json_object_get(json_object_object_get(job, "created_at")));
		send_json(c, m);
		c->started = true;
		c->completed = completed;
		c->total = total;
		snprintf(c->status, sizeof(c->status), "%s", status);
		/* Replay only the tail of a long log. */
		c->last_seq = seq > s->o->backlog_events ? seq - s->o->backlog_events : 0;
	}
	if (seq > c->last_seq) {
		json_object *evs = clxs_job_events(s->st, c->job_id, c->last_seq, &err);
		for (size_t i = 0; evs && i < json_object_array_length(evs); i++) {
			json_object *ev = json_object_array_get_idx(evs, i);
			json_object *m = event_base(c, "log");
			json_object_object_foreach(ev, k, v)
				json_object_object_add(m, k, json_object_get(v));
			send_json(c, m);
			int64_t es = clxs_json_int(ev, "seq", 0);
			if (es > c->last_seq)
				c->last_seq = es;
		}
		json_object_put(evs);
	}
	bool terminal = clxs_job_status_terminal(status);
	if (strcmp(status, c->status) != 0 && !terminal) {
		json_object *m = event_base(c, "status");
		clxs_json_set_str(m, "status", status);
		send_json(c, m);
		snprintf(c->status, sizeof(c->status), "%s", status);
	}
	if (completed != c->completed || total != c->total) {
		json_object *m = event_base(c, "progress");
		json_object_object_foreach(progress, k, v)
			json_object_object_add(m, k, json_object_get(v));
		send_json(c, m);
		c->completed = completed;
		c->total = total;
	}
	if (terminal) {
		/* The final event is named after the status it reports. */
		json_object *m = event_base(c, status);
		clxs_json_set_str(m, "status", status);
		json_object_object_add(m, "progress", json_object_get(progress));
		json_object_object_add(m, "result", json_object_get(json_object_object_get(job, "result")));
		json_object_object_add(m, "error", json_object_get(json_object_object_get(job, "error")));
		json_object_object_add(m, "completed_at",
				       json_object_get(json_object_object_get(job, "completed_at")));
		send_json(c, m);
		char reason[40];
		snprintf(reason, sizeof(reason), "job %s", status);
		start_close(c, CLXS_WS_CLOSE_NORMAL, reason);
	}
	json_object_put(job);
}

static void on_message(conn *c, int opcode, const unsigned char *p, size_t len)
{
	switch (opcode) {
	case CLXS_WS_OP_PING:
		if (c->state == ST_OPEN)
			send_frame(c, CLXS_WS_OP_PONG, p, len);
		return;
	case CLXS_WS_OP_PONG:
		return;
	case CLXS_WS_OP_CLOSE:
		if (c->state == ST_OPEN) {
			/* Echo the peer's code (or 1000), then close after the write. */
			int code = len >= 2 ? (p[0] << 8) | p[1] : CLXS_WS_CLOSE_NORMAL;
			clxs_ws_close_frame(&c->out, code, NULL);
		}
		c->state = ST_DRAIN;
		return;
	case CLXS_WS_OP_BINARY:
		return start_close(c, CLXS_WS_CLOSE_UNSUPPORTED, "binary messages are not accepted");
	default:
		break;
	}
	if (c->state != ST_OPEN)
		return;
	/* Text: "ping" as the reference documents, or {"type":"ping"} as the
	 * reconciliation stream uses; anything else earns an error message. */
	bool ping = len == 4 && memcmp(p, "ping", 4) == 0;
	if (!ping && len > 0 && p[0] == '{') {
		json_object *j = clxs_json_parse((const char *)p, len, NULL);
		ping = j && !strcmp(clxs_json_str(j, "type", ""), "ping");
		json_object_put(j);
	}
	json_object *m = json_object_new_object();
	if (ping) {
		clxs_json_set_str(m, "type", "pong");
	} else {
		clxs_json_set_str(m, "type", "error");
		clxs_json_set_str(m, "error_code", "BAD_REQUEST");
		clxs_json_set_str(m, "message", "unknown message; send \"ping\"");
	}
	send_json(c, m);
}

static void process_frames(conn *c)
{
	int op, code = 0;
	const unsigned char *p;
	size_t len;
	while (c->state == ST_OPEN || c->state == ST_CLOSING) {
		clxs_ws_parse_result r = clxs_ws_parser_next(&c->parser, &op, &p, &len, &code);
		if (r == CLXS_WS_NEED_MORE)
			return;
		if (r == CLXS_WS_ERROR)
			return fail_connection(c, code);
		on_message(c, op, p, len);
	}
}

static void on_readable(server *s, conn *c)
{
	char buf[16384];
	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		if (n == 0) {
			c->state = -1; /* peer went away */
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->state = -1;
			return;
		}
		c->last_rx = clxs_mono_ms();
		if (c->state == ST_HANDSHAKE) {
			if (clxs_buf_append(&c->head, buf, (size_t)n) != 0)
				return http_error(c, 431, "Request Header Fields Too Large", "request head too large");
			on_handshake(s, c);
			process_frames(c); /* any sent right behind the request */
			continue;
		}
		if (c->state == ST_DRAIN || c->state == ST_LINGER)
			continue; /* discard: we are only writing our answer */
		if (clxs_ws_parser_feed(&c->parser, buf, (size_t)n) != 0)
			return fail_connection(c, CLXS_WS_CLOSE_TOO_BIG);
		process_frames(c);
	}
}

static void linger(conn *c)
{
	if (shutdown(c->fd, SHUT_WR) != 0) {
		c->state = -1;
		return;
	}
	c->state = ST_LINGER;
	c->deadline = clxs_mono_ms() + LINGER_MS;
}

static void on_writable(conn *c)
{
	while (c->out_pos < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->out_pos, c->out.len - c->out_pos);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->state = -1;
			return;
		}
		c->out_pos += (size_t)n;
	}
	clxs_buf_reset(&c->out);
	c->out_pos = 0;
	if (c->state == ST_DRAIN)
		linger(c); /* answer written */
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		clxs_error_log("socket path %s is too long", path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	struct stat sb;
	/* A stale socket from a crashed run would make bind fail. */
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(path);
	/* The socket's mode follows our umask: `clxs serve` keeps it in the
	 * 0700 run folder; the systemd unit sets UMask=0007 so the nginx
	 * group may connect. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 512) != 0) {
		clxs_error_log("cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void accept_all(server *s, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		conn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->state = ST_HANDSHAKE;
		clxs_buf_init(&c->head);
		clxs_buf_set_limit(&c->head, CLXS_WS_MAX_HEAD);
		clxs_buf_init(&c->out);
		clxs_ws_parser_init(&c->parser, CLXS_WS_MAX_MESSAGE);
		c->deadline = clxs_mono_ms() + HANDSHAKE_TIMEOUT_MS;
		if (s->nconns >= s->o->max_conns) {
			/* Full: answer 503 with one best-effort write and hang up. */
			http_error(c, 503, "Service Unavailable", "too many WebSocket connections");
			on_writable(c);
			conn_free(c);
			continue;
		}
		s->conns[s->nconns++] = c;
	}
}

/* Time-based work: handshake and closing timeouts, keep-alive pings, and
 * the job refresh. */
static void tick(server *s, int64_t now)
{
	for (int i = 0; i < s->nconns; i++) {
		conn *c = s->conns[i];
		if (c->deadline && now >= c->deadline) {
			c->state = -1;
			continue;
		}
		if (c->state != ST_OPEN)
			continue;
		refresh(s, c);
		if (c->state == ST_OPEN && now - c->last_ping >= s->o->ping_ms && now - c->last_rx >= s->o->ping_ms) {
			send_frame(c, CLXS_WS_OP_PING, "keepalive", 9);
			c->last_ping = now;
		}
		/* No answer to three pings: the peer is gone. */
		if (c->state == ST_OPEN && now - c->last_rx > 3 * s->o->ping_ms + 1000)
			start_close(c, CLXS_WS_CLOSE_GOING_AWAY, "no response to pings");
	}
}

int clxs_events_run(const clxs_events_opts *o, volatile int *stop)
{
	clxs_error err;
	server s = {.o = o};
	if (clxs_store_open(o->lmdb_dir, 0, &s.st, &err)) {
		clxs_error_log("%s", err.message);
		return 1;
	}
	int lfd = listen_on(o->socket_path);
	s.conns = calloc((size_t)o->max_conns + 1, sizeof(conn *));
	struct pollfd *pfds = calloc((size_t)o->max_conns + 2, sizeof(struct pollfd));
	if (lfd < 0 || !s.conns || !pfds) {
		free(s.conns);
		free(pfds);
		if (lfd >= 0)
			close(lfd);
		clxs_store_close(s.st);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (o->pid_file && clxs_pidfile_write(o->pid_file, getpid(), &err)) {
		clxs_error_log("%s", err.message);
		free(s.conns);
		free(pfds);
		close(lfd);
		clxs_store_close(s.st);
		return 1;
	}
	clxs_info("clxs-events listening on %s (poll %lld ms, at most %d connections)", o->socket_path,
		  (long long)o->poll_ms, o->max_conns);
	int64_t next_tick = clxs_mono_ms();
	while (!*stop) {
		int n = 0;
		pfds[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < s.nconns; i++) {
			conn *c = s.conns[i];
			short ev = POLLIN; /* in DRAIN/LINGER: read to drop it */
			if (c->out.len > c->out_pos)
				ev |= POLLOUT;
			pfds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
		}
		int64_t now = clxs_mono_ms();
		int timeout = next_tick > now ? (int)(next_tick - now) : 0;
		int r = poll(pfds, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR) {
			clxs_error_log("poll: %s", strerror(errno));
			break;
		}
		int before = s.nconns;
		for (int i = 0; r > 0 && i < before; i++) {
			conn *c = s.conns[i];
			short re = pfds[i + 1].revents;
			if (re & (POLLIN | POLLHUP | POLLERR))
				on_readable(&s, c);
			if (c->state != -1 && c->out.len > c->out_pos)
				on_writable(c);
		}
		if (r > 0 && (pfds[0].revents & POLLIN))
			accept_all(&s, lfd);
		now = clxs_mono_ms();
		if (now >= next_tick) {
			tick(&s, now);
			next_tick = now + o->poll_ms;
		}
		/* Write what the tick produced right away, and reap the dead. */
		for (int i = 0; i < s.nconns;) {
			conn *c = s.conns[i];
			if (c->state != -1 && c->out.len > c->out_pos)
				on_writable(c);
			else if (c->state == ST_DRAIN)
				linger(c);
			if (c->state != -1 && c->out.len - c->out_pos > OUT_LIMIT) {
				clxs_warn("dropping a WebSocket client that does not read (job %s)", c->job_id);
				c->state = -1;
			}
			if (c->state == -1) {
				conn_free(c);
				s.conns[i] = s.conns[--s.nconns];
			} else {
				i++;
			}
		}
	}
	clxs_info("stopping; closing %d connections", s.nconns);
	for (int i = 0; i < s.nconns; i++) {
		conn *c = s.conns[i];
		if (c->state == ST_OPEN) {
			clxs_ws_close_frame(&c->out, CLXS_WS_CLOSE_GOING_AWAY, "server shutting down");
			on_writable(c);
		}
		conn_free(c);
	}
	free(s.conns);
	free(pfds);
	close(lfd);
	unlink(o->socket_path);
	if (o->pid_file)
		unlink(o->pid_file);
	clxs_store_close(s.st);
	return 0;
}
