/* clxs-events: WebSocket job progress for /api/clone/ws/{job_id}. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/daemon.h"
#include "clxs/events.h"
#include "clxs/log.h"

static volatile int stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs-events [options]\n"
		"\n"
		"Serves WebSocket job progress (/api/clone/ws/{job_id}) on a unix socket\n"
		"that nginx proxies to. Reads job state and events from the shared LMDB\n"
		"store and pushes them as JSON messages until the job ends.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH        unix socket (default STATE/run/events.sock)\n"
		"  -d, --state-dir DIR      state directory (default $CLXS_STATE_DIR or\n"
		"                           ~/.local/state/clxs)\n"
		"      --max-conns N        connections at once (default 1024)\n"
		"      --poll-ms MS         how often job state is re-read (default 100)\n"
		"      --ping-seconds S     ping idle clients after S seconds (default 30)\n"
		"      --pid-file PATH      write the pid here\n"
		"  -l, --log-level LEVEL    debug, info, warn, error (default info)\n"
		"  -h, --help               this help\n"
		"  -V, --version            print the version\n");
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < min || v > max) {
		fprintf(stderr, "clxs-events: %s must be %ld..%ld\n", what, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"state-dir", required_argument, NULL, 'd'},
		{"max-conns", required_argument, NULL, 'M'},
		{"poll-ms", required_argument, NULL, 'P'},
		{"ping-seconds", required_argument, NULL, 'I'},
		{"pid-file", required_argument, NULL, 'p'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *state_dir = NULL, *pid_file = NULL, *socket_path = NULL;
	clxs_events_opts eo = {.max_conns = 1024, .poll_ms = 100, .ping_ms = 30000, .backlog_events = 200};
	int level = CLXS_LOG_INFO, c;
	clxs_log_init(argv[0], CLXS_LOG_INFO);
	while ((c = getopt_long(argc, argv, "s:d:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': socket_path = optarg; break;
		case 'd': state_dir = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'M': eo.max_conns = (int)parse_long(optarg, 1, 65536, "--max-conns"); break;
		case 'P': eo.poll_ms = parse_long(optarg, 10, 10000, "--poll-ms"); break;
		case 'I': eo.ping_ms = parse_long(optarg, 1, 3600, "--ping-seconds") * 1000; break;
		case 'l':
			if ((level = clxs_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "clxs-events: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("clxs-events %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	clxs_log_set_level((clxs_log_level)level);
	clxs_error err;
	char sdir[4096], lmdb_dir[4200], run_dir[4200], sock[4300];
	if (state_dir)
		snprintf(sdir, sizeof(sdir), "%s", state_dir);
	else if (clxs_state_dir_default(sdir, sizeof(sdir), &err)) {
		fprintf(stderr, "clxs-events: %s\n", err.message);
		return 1;
	}
	if (clxs_mkdir_p(sdir, 0700, &err) || clxs_path_join(lmdb_dir, sizeof(lmdb_dir), sdir, CLXS_STATE_LMDB, &err) ||
	    clxs_path_join(run_dir, sizeof(run_dir), sdir, CLXS_STATE_RUN, &err) ||
	    clxs_mkdir_p(lmdb_dir, 0700, &err) || clxs_mkdir_p(run_dir, 0700, &err)) {
		fprintf(stderr, "clxs-events: %s\n", err.message);
		return 1;
	}
	if (!socket_path) {
		snprintf(sock, sizeof(sock), "%s/events.sock", run_dir);
		socket_path = sock;
	}
	eo.socket_path = socket_path;
	eo.lmdb_dir = lmdb_dir;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* The pid file appears only once the socket listens, so `clxs serve`
	 * waiting for it knows nginx can connect. */
	eo.pid_file = pid_file;
	return clxs_events_run(&eo, &stop_flag);
}
