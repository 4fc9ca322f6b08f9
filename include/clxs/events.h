/* clxs-events: the WebSocket event daemon. nginx proxies
 * /api/clone/ws/{job_id} (HTTP/1.1 Upgrade) to its unix socket; it reads
 * the job record and job events from LMDB and pushes JSON events until the
 * job ends. One process, one thread, one poll() loop: every connection is
 * small and the work per tick is a few LMDB reads. */
#ifndef CLXS_EVENTS_H
#define CLXS_EVENTS_H

#include <stdint.h>

/* The URL prefix served; the rest of the path is the job id. */
#define CLXS_EVENTS_PATH_PREFIX "/api/clone/ws/"

typedef struct {
	const char *socket_path; /* unix socket to listen on */
	const char *lmdb_dir;    /* the shared LMDB environment */
	int max_conns;           /* connections at once; more are refused with 503 */
	int64_t poll_ms;         /* how often job state is re-read */
	int64_t ping_ms;         /* idle time before we ping the client */
	int backlog_events;      /* log events replayed to a new connection */
	const char *pid_file;    /* written once listening, removed on stop; may be NULL */
} clxs_events_opts;

/* Run until *stop becomes non-zero (set from a signal handler). Returns 0
 * on a clean stop, 1 when the socket or store cannot be opened. */
int clxs_events_run(const clxs_events_opts *o, volatile int *stop);

#endif
