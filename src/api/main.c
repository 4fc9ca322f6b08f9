/* clxs-api: the FastCGI worker pool. The master opens the unix socket, forks
 * N workers that each accept on it, and replaces any worker that dies. It
 * never touches LMDB itself: workers open the environment after fork. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clxs/api.h"
#include "clxs/daemon.h"
#include "clxs/fcgi_worker.h"
#include "clxs/log.h"
#include "clxs/store.h"
#include "clxs/util.h"

#define MAX_WORKERS 256

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: clxs-api --socket PATH [options]\n"
		"\n"
		"The Clone-Xs REST API as a pool of FastCGI workers behind nginx.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH      unix socket nginx connects to (required)\n"
		"  -w, --workers N        worker processes (default 4)\n"
		"  -d, --state-dir DIR    state directory (default $CLXS_STATE_DIR or\n"
		"                         ~/.local/state/clxs); LMDB lives in DIR/lmdb\n"
		"      --max-body BYTES   largest accepted request body (default 8388608)\n"
		"      --pid-file PATH    write the master's pid here\n"
		"  -l, --log-level LEVEL  debug, info, warn, error (default info)\n"
		"  -h, --help             this help\n"
		"  -V, --version          print the version\n");
}

static int worker_main(int sock, const char *lmdb_dir, size_t max_body)
{
	clxs_api_ctx ctx = {0};
	clxs_error err;
	ctx.max_body = max_body;
	if (clxs_store_open(lmdb_dir, 0, &ctx.store, &err)) {
		clxs_error_log("worker cannot open the store: %s", err.message);
		return 1;
	}
	clxs_debug("worker ready");
	int rc = clxs_fcgi_worker_loop(sock, &ctx);
	clxs_store_close(ctx.store);
	return rc;
}

static pid_t spawn(int sock, const char *lmdb_dir, size_t max_body)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		_exit(worker_main(sock, lmdb_dir, max_body));
	}
	if (pid < 0)
		clxs_error_log("fork failed: %s", strerror(errno));
	return pid;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"workers", required_argument, NULL, 'w'},
		{"state-dir", required_argument, NULL, 'd'},
		{"max-body", required_argument, NULL, 'b'},
		{"pid-file", required_argument, NULL, 'p'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL, *state_dir = NULL, *pid_file = NULL;
	long workers = 4;
	long long max_body = 8LL << 20;
	int level = CLXS_LOG_INFO, c;
	char *end;
	clxs_log_init(argv[0], CLXS_LOG_INFO);
	while ((c = getopt_long(argc, argv, "s:w:d:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': socket_path = optarg; break;
		case 'd': state_dir = optarg; break;
		case 'p': pid_file = optarg; break;
		case 'w':
			workers = strtol(optarg, &end, 10);
			if (*end || workers < 1 || workers > MAX_WORKERS) {
				fprintf(stderr, "clxs-api: --workers must be 1..%d\n", MAX_WORKERS);
				return 2;
			}
			break;
		case 'b':
			max_body = strtoll(optarg, &end, 10);
			if (*end || max_body < 1) {
				fprintf(stderr, "clxs-api: --max-body must be a positive byte count\n");
				return 2;
			}
			break;
		case 'l':
			if ((level = clxs_log_level_parse(optarg)) < 0) {
				fprintf(stderr, "clxs-api: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("clxs-api %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	clxs_log_set_level((clxs_log_level)level);
	if (!socket_path) {
		usage(stderr);
		return 2;
	}
	clxs_error err;
	char sdir[4096], lmdb_dir[4200];
	if (state_dir)
		snprintf(sdir, sizeof(sdir), "%s", state_dir);
	else if (clxs_state_dir_default(sdir, sizeof(sdir), &err)) {
		fprintf(stderr, "clxs-api: %s\n", err.message);
		return 1;
	}
	if (clxs_mkdir_p(sdir, 0700, &err) ||
	    clxs_path_join(lmdb_dir, sizeof(lmdb_dir), sdir, CLXS_STATE_LMDB, &err)) {
		fprintf(stderr, "clxs-api: %s\n", err.message);
		return 1;
	}

	/* A stale socket from a crashed run would make bind fail. */
	struct stat sb;
	if (lstat(socket_path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(socket_path);
	umask(077);
	if (FCGX_Init() != 0) {
		clxs_error_log("FCGX_Init failed");
		return 1;
	}
	int sock = FCGX_OpenSocket(socket_path, 1024);
	if (sock < 0) {
		clxs_error_log("cannot listen on %s: %s", socket_path, strerror(errno));
		return 1;
	}
	if (pid_file && clxs_pidfile_write(pid_file, getpid(), &err)) {
		clxs_error_log("%s", err.message);
		return 1;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pid_t pids[MAX_WORKERS] = {0};
	int64_t started[MAX_WORKERS] = {0};
	clxs_info("listening on %s with %ld workers", socket_path, workers);
	while (!stopping) {
		for (long i = 0; i < workers && !stopping; i++) {
			if (pids[i] > 0)
				continue;
			/* A worker that dies right after starting is crash-looping:
			 * slow down instead of forking as fast as the CPU allows. */
			if (started[i] && clxs_mono_ms() - started[i] < 1000)
				clxs_sleep_ms(250);
			pids[i] = spawn(sock, lmdb_dir, (size_t)max_body);
			started[i] = clxs_mono_ms();
		}
		int status;
		pid_t dead = waitpid(-1, &status, 0);
		if (dead <= 0)
			continue; /* EINTR from a stop signal */
		for (long i = 0; i < workers; i++) {
			if (pids[i] != dead)
				continue;
			pids[i] = 0;
			if (!stopping) {
				if (WIFSIGNALED(status))
					clxs_warn("worker %ld killed by signal %d; replacing it", (long)dead,
						  WTERMSIG(status));
				else
					clxs_warn("worker %ld exited with %d; replacing it", (long)dead,
						  WEXITSTATUS(status));
			}
		}
	}
	clxs_info("stopping %ld workers", workers);
	for (long i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (long i = 0; i < workers; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	close(sock);
	unlink(socket_path);
	if (pid_file)
		unlink(pid_file);
	return 0;
}
