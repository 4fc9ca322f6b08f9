/* clxs-runner: the daemon that executes queued jobs. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clxs/daemon.h"
#include "clxs/log.h"
#include "clxs/runner.h"

static volatile int stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs-runner [options]\n"
		"\n"
		"Runs queued Clone-Xs jobs (clones, syncs, validations...) from the shared\n"
		"LMDB store. Jobs keep a lease renewed by a heartbeat; jobs of a runner that\n"
		"died are requeued with a resume marker when their lease expires, or at once\n"
		"when this runner starts and finds their process gone.\n"
		"\n"
		"Options:\n"
		"  -d, --state-dir DIR      state directory (default $CLXS_STATE_DIR or\n"
		"                           ~/.local/state/clxs)\n"
		"  -c, --concurrency N      jobs run at once (default 2)\n"
		"      --lease-seconds S    job lease (default 30)\n"
		"      --poll-ms MS         idle queue poll interval (default 200)\n"
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
		fprintf(stderr, "clxs-runner: %s must be %ld..%ld\n", what, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"state-dir", required_argument, NULL, 'd'},
		{"concurrency", required_argument, NULL, 'c'},
		{"lease-seconds", required_argument, NULL, 'L'},
		{"poll-ms", required_argument, NULL, 'P'},
		{"pid-file", required_argument, NULL, 'p'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *state_dir = NULL, *pid_file = NULL;
	clxs_runner_opts ro = {.concurrency = 2, .lease_ms = 30000, .poll_ms = 200};
	int level = CLXS_LOG_INFO, c;
	clxs_log_init(argv[0], CLXS_LOG_INFO);
	while ((c = getopt_long(argc, argv, "d:c:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd': state_dir = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'c': ro.concurrency = (int)parse_long(optarg, 1, 64, "--concurrency"); break;
		case 'L': ro.lease_ms = parse_long(optarg, 1, 86400, "--lease-seconds") * 1000; break;
		case 'P': ro.poll_ms = parse_long(optarg, 10, 60000, "--poll-ms"); break;
		case 'l':
			if ((level = clxs_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "clxs-runner: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("clxs-runner %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	clxs_log_set_level((clxs_log_level)level);
	clxs_error err;
	char sdir[4096], lmdb_dir[4200];
	if (state_dir)
		snprintf(sdir, sizeof(sdir), "%s", state_dir);
	else if (clxs_state_dir_default(sdir, sizeof(sdir), &err)) {
		fprintf(stderr, "clxs-runner: %s\n", err.message);
		return 1;
	}
	if (clxs_mkdir_p(sdir, 0700, &err) ||
	    clxs_path_join(lmdb_dir, sizeof(lmdb_dir), sdir, CLXS_STATE_LMDB, &err) ||
	    (pid_file && clxs_pidfile_write(pid_file, getpid(), &err))) {
		fprintf(stderr, "clxs-runner: %s\n", err.message);
		return 1;
	}
	ro.lmdb_dir = lmdb_dir;
	ro.state_dir = sdir;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	int rc = clxs_runner_run(&ro, &stop_flag);
	if (pid_file)
		unlink(pid_file);
	return rc;
}
